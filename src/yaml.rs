//! YAML into typed structs with diagnostics that point at the offending key or value.
//!
//! serde stops at the first error; here a bad key is reported, removed, and the rest checked
//! again, so one run shows every typo in a file. serde_yaml keeps no positions after parsing,
//! so places are found again in the text by path (`steps[1].methods[0]`).

use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use serde_yaml::Value;

use crate::diagnostics::{code, suggest, Diagnostic};

/// A step of a path into a YAML document.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Deserialises `text` (a whole YAML file or a front-matter block starting at line
/// `line_offset + 1`) into `T`, or returns every problem found.
pub fn from_str<T: DeserializeOwned>(
    text: &str,
    file: &str,
    line_offset: usize,
) -> Result<T, Vec<Diagnostic>> {
    if let Some((line, col)) = too_deep(text) {
        return Err(vec![Diagnostic::error(
            code::MALFORMED_YAML,
            format!("malformed YAML: nested deeper than {MAX_DEPTH} levels"),
        )
        .in_file(file)
        .at(line + line_offset, col, 1)
        .hint(
            "front matter and vocabularies need only a few levels; check the brackets",
        )]);
    }
    let mut value: Value = match serde_yaml::from_str(text) {
        Ok(Value::Null) => Value::Mapping(Default::default()),
        Ok(v) => v,
        Err(e) => {
            let (line, col) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            return Err(vec![Diagnostic::error(code::MALFORMED_YAML, format!("malformed YAML: {msg}"))
                .in_file(file)
                .at(line + line_offset, col, 1)
                .hint("check indentation and quote text that contains `: ` or starts with a special character")]);
        }
    };
    if !value.is_mapping() {
        return Err(vec![Diagnostic::error(
            code::WRONG_TYPE,
            "expected `key: value` lines",
        )
        .in_file(file)
        .at(line_offset + 1, 1, 1)]);
    }
    let mut diags = Vec::new();
    for _ in 0..64 {
        let err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(v) if diags.is_empty() => return Ok(v),
            Ok(_) => return Err(diags),
            Err(e) => e,
        };
        let segs: Vec<Seg> = err
            .path()
            .iter()
            .filter_map(|s| match s {
                Segment::Map { key } => Some(Seg::Key(key.as_str())),
                Segment::Seq { index } => Some(Seg::Index(*index)),
                _ => None,
            })
            .collect();
        let inner = err.inner().to_string();
        let path_text = err.path().to_string();
        let place = locate(text, &segs).unwrap_or((1, 1, 1));
        let d = classify(&inner, &path_text, &segs).in_file(file).at(
            place.0 + line_offset,
            place.1,
            place.2,
        );
        let missing = d.code == code::MISSING_FIELD;
        diags.push(d);
        // A missing field cannot be removed; other problems are removed so the rest is checked.
        if missing || !remove(&mut value, &segs) {
            return Err(diags);
        }
    }
    Err(diags)
}

/// Deepest bracket nesting accepted; real front matter needs three or four.
pub const MAX_DEPTH: usize = 64;

/// Where `[`/`{` nesting (outside quotes and comments) first passes `MAX_DEPTH`, as
/// (line, column). Checked before parsing because the YAML scanner takes quadratic time on
/// deep flow nesting (100,000 brackets: 18 s) before its own recursion limit answers.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev.is_whitespace() => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some((i + 1, col + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
    }
    None
}

fn classify(inner: &str, path: &str, segs: &[Seg]) -> Diagnostic {
    let quoted = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    if let Some(rest) = inner.strip_prefix("unknown field ") {
        let names = quoted(rest);
        let field = names.first().cloned().unwrap_or_default();
        let hint = suggest(&field, names.iter().skip(1).map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| {
                (names.len() > 1).then(|| format!("known fields: {}", names[1..].join(", ")))
            });
        return Diagnostic::error(code::UNKNOWN_FIELD, format!("unknown field `{field}`"))
            .maybe_hint(hint);
    }
    if let Some(rest) = inner.strip_prefix("unknown variant ") {
        let names = quoted(rest);
        let given = names.first().cloned().unwrap_or_default();
        let hint = suggest(&given, names.iter().skip(1).map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("use one of: {}", names[1..].join(", ")));
        return Diagnostic::error(code::WRONG_TYPE, format!("`{path}` cannot be \"{given}\""))
            .hint(hint);
    }
    if let Some(rest) = inner.strip_prefix("missing field ") {
        let field = quoted(rest).first().cloned().unwrap_or_default();
        let at = if segs.is_empty() {
            String::new()
        } else {
            format!(" in `{path}`")
        };
        return Diagnostic::error(code::MISSING_FIELD, format!("missing field `{field}`{at}"))
            .hint(format!("add `{field}:`"));
    }
    if inner.contains("is not a date") {
        return Diagnostic::error(code::BAD_DATE, format!("`{path}`: {inner}"));
    }
    let msg = inner.replace("invalid type: ", "");
    Diagnostic::error(code::WRONG_TYPE, format!("wrong type in `{path}`: {msg}"))
        .maybe_hint(type_hint(&msg))
}

fn type_hint(msg: &str) -> Option<String> {
    if msg.contains("expected a sequence") {
        Some("write a list: `[a, b]` or one `- item` per line".into())
    } else if msg.contains("expected u8") || msg.contains("expected i32") {
        Some("write a whole number without quotes".into())
    } else if msg.contains("expected a string") {
        Some("write text; quote it if it looks like a number or date".into())
    } else {
        None
    }
}

/// Removes the value at `segs`; false when there is nothing to remove.
fn remove(value: &mut Value, segs: &[Seg]) -> bool {
    let Some((last, parents)) = segs.split_last() else {
        return false;
    };
    let mut cur = value;
    for s in parents {
        cur = match (s, cur) {
            (Seg::Key(k), Value::Mapping(m)) => match m.get_mut(*k) {
                Some(v) => v,
                None => return false,
            },
            (Seg::Index(i), Value::Sequence(v)) => match v.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, cur) {
        (Seg::Key(k), Value::Mapping(m)) => m.remove(*k).is_some(),
        (Seg::Index(i), Value::Sequence(v)) if *i < v.len() => {
            v.remove(*i);
            true
        }
        _ => false,
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Finds `key:` in `line` as a block key (after indentation and `- `) or a flow key (after `{` or `,`).
fn key_column(line: &str, key: &str) -> Option<usize> {
    let pat = format!("{key}:");
    let mut from = 0;
    while let Some(pos) = line[from..].find(&pat) {
        let at = from + pos;
        let before = line[..at].trim_end_matches([' ', '"', '\'']);
        let ok_end = line[at + pat.len()..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ');
        if ok_end
            && (before.is_empty()
                || before.ends_with('{')
                || before.ends_with(',')
                || before.trim_start() == "-"
                || before.ends_with("- "))
        {
            return Some(at);
        }
        from = at + pat.len();
    }
    None
}

/// 1-based (line, character column, length) of the value or key at `segs` in YAML `text`.
pub fn locate(text: &str, segs: &[Seg]) -> Option<(usize, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    // Current search window [start, end) and the byte column where the current node starts.
    let (mut start, mut end) = (0usize, lines.len());
    let mut found: Option<(usize, usize, usize)> = None;
    let mut min_indent = 0usize;
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                let (li, col) = (start..end).find_map(|i| {
                    let l = lines[i];
                    if i > start && indent(l) < min_indent && !l.trim().is_empty() {
                        return None;
                    }
                    key_column(l, k).map(|c| (i, c))
                })?;
                found = Some((li, col, k.len()));
                let key_indent = indent(lines[li]);
                start = li;
                end = (li + 1..end)
                    .find(|&i| {
                        !lines[i].trim().is_empty()
                            && indent(lines[i]) <= key_indent
                            && !lines[i].trim_start().starts_with("- ")
                            || (!lines[i].trim().is_empty() && indent(lines[i]) < key_indent)
                    })
                    .unwrap_or(end);
                min_indent = key_indent;
            }
            Seg::Index(idx) => {
                let (li, col, _) = found.unwrap_or((start, 0, 0));
                let line = lines[li];
                let after = &line[col..];
                if let Some(open) = after.find('[') {
                    // Flow sequence on one line: count top-level commas.
                    let body_start = col + open + 1;
                    let mut depth = 0;
                    let mut item = 0;
                    let mut item_start = body_start;
                    for (o, ch) in line[body_start..].char_indices() {
                        let at = body_start + o;
                        match ch {
                            '[' | '{' => depth += 1,
                            ']' | '}' if depth > 0 => depth -= 1,
                            ',' | ']' if depth == 0 => {
                                if item == *idx {
                                    let raw = &line[item_start..at];
                                    let lead = raw.len() - raw.trim_start().len();
                                    found = Some((li, item_start + lead, raw.trim().len()));
                                    break;
                                }
                                item += 1;
                                item_start = at + 1;
                                if ch == ']' {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    start = li;
                    end = li + 1;
                    continue;
                }
                // Block sequence: the idx-th `- ` line below.
                let items: Vec<usize> = (li + 1..end)
                    .filter(|&i| lines[i].trim_start().starts_with("- ") || lines[i].trim() == "-")
                    .collect();
                let item_indent = items.first().map(|&i| indent(lines[i]))?;
                let items: Vec<usize> = items
                    .into_iter()
                    .filter(|&i| indent(lines[i]) == item_indent)
                    .collect();
                let at = *items.get(*idx)?;
                let next = items.get(idx + 1).copied().unwrap_or(end);
                // A bare `-` line has nothing after its dash.
                let content = lines[at].get(item_indent + 2..).unwrap_or("").trim_end();
                found = Some((at, item_indent + 2, content.len()));
                start = at;
                end = next;
                min_indent = item_indent;
            }
        }
    }
    let (li, col, len) = found?;
    let line = lines[li];
    let chars_before = line[..col.min(line.len())].chars().count();
    let len = line[col.min(line.len())..]
        .get(..len.min(line.len() - col.min(line.len())))
        .map(|s| s.chars().count())
        .unwrap_or(1);
    Some((li + 1, chars_before + 1, len.max(1)))
}

/// Where `value` is written under the key path `segs` (searching from the key onwards).
pub fn find_value(text: &str, segs: &[Seg], value: &str) -> Option<(usize, usize)>
where
{
    let (line, _, _) = locate(text, segs)?;
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate().skip(line - 1) {
        if let Some(b) = find_word(l, value) {
            return Some((i + 1, l[..b].chars().count() + 1));
        }
    }
    None
}

/// Finds `word` in `line` not as part of a longer id.
fn find_word(line: &str, word: &str) -> Option<usize> {
    let is_id = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut from = 0;
    while let Some(p) = line[from..].find(word) {
        let at = from + p;
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        if !before.is_some_and(is_id) && !after.is_some_and(is_id) {
            return Some(at);
        }
        from = at + word.len().max(1);
    }
    None
}

impl<'a> From<&'a str> for Seg<'a> {
    fn from(s: &'a str) -> Self {
        Seg::Key(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "title: X\ntarget_groups: [lapset, vanhemat]\nsteps:\n  - title: A\n    level: perustaso\n    methods:\n      - foo\n      - bar\n  - title: B\n    level: erityistaso\n";

    #[test]
    fn locates_flow_items() {
        let segs = [Seg::Key("target_groups"), Seg::Index(1)];
        assert_eq!(locate(DOC, &segs), Some((2, 25, 8)));
    }

    #[test]
    fn locates_nested_block_items() {
        let segs = [
            Seg::Key("steps"),
            Seg::Index(0),
            Seg::Key("methods"),
            Seg::Index(1),
        ];
        assert_eq!(locate(DOC, &segs), Some((8, 9, 3)));
        let segs = [Seg::Key("steps"), Seg::Index(1), Seg::Key("level")];
        assert_eq!(locate(DOC, &segs), Some((10, 5, 5)));
    }

    #[test]
    fn finds_whole_words_only() {
        assert_eq!(find_word("[nuoret-aikuiset, nuoret]", "nuoret"), Some(18));
    }
}
