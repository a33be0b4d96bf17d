//! Problems found in a run, collected rather than thrown, so an editor sees all of them at once.
//!
//! Codes are stable: the README lists them, and tests pin them.

use std::collections::BTreeMap;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Stable diagnostic codes. The README's table is generated from the same list (`tietopankki codes`).
pub mod code {
    pub const IO: &str = "E0001";
    pub const INVALID_UTF8: &str = "E0002";
    pub const TOO_LARGE: &str = "E0003";
    pub const SYMLINK: &str = "E0004";
    pub const BAD_PATH: &str = "E0005";
    pub const CONFIG: &str = "E0010";
    pub const THEME: &str = "E0011";
    pub const NO_FRONT_MATTER: &str = "E0101";
    pub const MALFORMED_YAML: &str = "E0102";
    pub const UNKNOWN_VOCAB: &str = "E0103";
    pub const UNKNOWN_FIELD: &str = "E0104";
    pub const MISSING_FIELD: &str = "E0105";
    pub const WRONG_TYPE: &str = "E0106";
    pub const BAD_DATE: &str = "E0107";
    pub const AGE_RANGE: &str = "E0108";
    pub const NO_EVIDENCE: &str = "E0109";
    pub const BAD_VOCABULARY: &str = "E0110";
    pub const DANGLING_REF: &str = "E0201";
    pub const BROKEN_LINK: &str = "E0202";
    pub const BROKEN_ANCHOR: &str = "E0203";
    pub const DUPLICATE_ID: &str = "E0204";
    pub const ORPHAN_TRANSLATION: &str = "E0205";
    pub const UNKNOWN_LANGUAGE: &str = "E0206";
    pub const RAW_HTML: &str = "E0301";
    pub const UNSAFE_URL: &str = "E0302";
    pub const RENDER: &str = "E0401";
    pub const WRITE: &str = "E0501";

    /// Every code with a one-line description, for the README and `tietopankki codes`.
    pub const ALL: &[(&str, &str)] = &[
        (IO, "a file or folder cannot be read"),
        (INVALID_UTF8, "a content file is not valid UTF-8"),
        (TOO_LARGE, "a file is over `max_file_size`"),
        (SYMLINK, "a symbolic link loops or leaves the content folder"),
        (BAD_PATH, "a file name or slug would write outside the output folder or is not a usable URL"),
        (CONFIG, "`tietopankki.yaml` is missing, malformed or has an unknown key"),
        (THEME, "a theme template or UI-strings file is broken"),
        (NO_FRONT_MATTER, "a Markdown file has no `---` front matter"),
        (MALFORMED_YAML, "front matter or a YAML file is not valid YAML"),
        (UNKNOWN_VOCAB, "a value is not an id of its vocabulary"),
        (UNKNOWN_FIELD, "a front-matter field does not exist (often a typo)"),
        (MISSING_FIELD, "a required field is missing or empty"),
        (WRONG_TYPE, "a field has the wrong type or an unknown value"),
        (BAD_DATE, "a date is not a real date in YYYY-MM-DD form"),
        (AGE_RANGE, "`age_min` is above `age_max`"),
        (NO_EVIDENCE, "a method has neither `evidence` nor an `evidence_note`"),
        (BAD_VOCABULARY, "the vocabularies file has a duplicate or incomplete entry"),
        (DANGLING_REF, "a reference to a method, centre or pathway that does not exist"),
        (BROKEN_LINK, "an internal Markdown link points to a file that does not exist"),
        (BROKEN_ANCHOR, "an internal link's `#anchor` is not a heading of the target page"),
        (DUPLICATE_ID, "two files give the same id or URL (also when they differ only in case or Unicode form)"),
        (ORPHAN_TRANSLATION, "a translation (`x.sv.md`) has no original (`x.md`)"),
        (UNKNOWN_LANGUAGE, "a file's language suffix is not one of the configured languages"),
        (RAW_HTML, "raw HTML in Markdown where `raw_html: forbid`"),
        (UNSAFE_URL, "a link or `url` field uses a scheme other than http, https, mailto or tel (e.g. `javascript:`)"),
        (RENDER, "a template failed to render a page"),
        (WRITE, "the output could not be written"),
    ];
}

/// One problem, pointing at a place an editor can open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Path relative to the site root, with `/` separators; `None` for problems of the whole run.
    pub file: Option<String>,
    /// 1-based; 0 when the problem has no line.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub hint: Option<String>,
    /// Length of the offending text in characters, for the underline.
    #[serde(skip)]
    pub len: usize,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: None,
            line: 0,
            column: 0,
            hint: None,
            len: 0,
        }
    }

    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_string());
        self
    }

    pub fn at(mut self, line: usize, column: usize, len: usize) -> Self {
        self.line = line;
        self.column = column;
        self.len = len;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    fn sort_key(&self) -> (Option<&str>, usize, usize, &'static str, &str) {
        (
            self.file.as_deref(),
            self.line,
            self.column,
            self.code,
            &self.message,
        )
    }
}

/// All diagnostics of a run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// Moves in the diagnostics of another run, e.g. of work done on another thread.
    pub fn append(&mut self, mut other: Diagnostics) {
        self.items.append(&mut other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, line and column, without repeats: the order editors read them in.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut v = self.items.clone();
        v.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        v.dedup();
        v
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.sorted()).expect("diagnostics serialise")
    }

    /// rustc-style report: the line with the span underlined, then `help:`; `sources` gives file texts.
    pub fn write_human(
        &self,
        out: &mut dyn termcolor::WriteColor,
        sources: &BTreeMap<String, String>,
    ) -> std::io::Result<()> {
        let mut files = SimpleFiles::new();
        let mut ids = BTreeMap::new();
        let config = term::Config {
            chars: term::Chars::ascii(),
            ..Default::default()
        };
        for d in self.sorted() {
            let mut report = match d.severity {
                Severity::Error => Report::error(),
                Severity::Warning => Report::warning(),
            }
            .with_code(d.code)
            .with_message(&d.message);
            match (&d.file, sources.get(d.file.as_deref().unwrap_or(""))) {
                (Some(file), Some(text)) if d.line > 0 => {
                    let line = text.lines().nth(d.line - 1).unwrap_or("");
                    if line.len() > LONG_LINE {
                        // A line of a megabyte is shown as a window around the column, with
                        // the line number kept (the lines above are blank in this copy).
                        let (window, column) = window(line, d.column);
                        let shown = format!("{}{window}\n", "\n".repeat(d.line - 1));
                        let id = files.add(file.clone(), shown);
                        let range = byte_range(
                            files.get(id).map_err(std::io::Error::other)?.source(),
                            d.line,
                            column,
                            d.len,
                        );
                        report = report.with_labels(vec![Label::primary(id, range)]);
                    } else {
                        let id = *ids
                            .entry(file.clone())
                            .or_insert_with(|| files.add(file.clone(), text.clone()));
                        let range = byte_range(text, d.line, d.column, d.len);
                        report = report.with_labels(vec![Label::primary(id, range)]);
                    }
                }
                (Some(file), _) => {
                    report = report.with_notes(vec![format!("in {file}")]);
                }
                _ => {}
            }
            if let Some(h) = &d.hint {
                report = report.with_notes(vec![format!("help: {h}")]);
            }
            term::emit(out, &config, &files, &report).map_err(std::io::Error::other)?;
        }
        let (e, w) = (self.count(Severity::Error), self.count(Severity::Warning));
        if e + w > 0 {
            writeln!(out, "{}", summary_line(e, w))?;
        }
        Ok(())
    }
}

pub fn summary_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, s: &str| format!("{n} {s}{}", if n == 1 { "" } else { "s" });
    format!(
        "{} and {} found",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Byte range of `len` characters at a 1-based line and character column.
/// Lines longer than this (in bytes) are shown cut to a window around the problem.
const LONG_LINE: usize = 240;

/// About 160 characters of `line` around the 1-based `column`, marked `…` where cut, and the
/// column within that window.
fn window(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let at = column.saturating_sub(1).min(chars.len());
    let from = at.saturating_sub(60);
    let to = (at + 100).min(chars.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.extend(&chars[from..to]);
    if to < chars.len() {
        out.push('…');
    }
    (out, at - from + usize::from(from > 0) + 1)
}

fn byte_range(text: &str, line: usize, column: usize, len: usize) -> std::ops::Range<usize> {
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let content = l.trim_end_matches(['\n', '\r']);
            let col_byte = content
                .char_indices()
                .nth(column.saturating_sub(1))
                .map(|(b, _)| b)
                .unwrap_or(content.len());
            let rest = &content[col_byte..];
            let end_byte = rest
                .char_indices()
                .nth(len.max(1))
                .map(|(b, _)| b)
                .unwrap_or(rest.len());
            return start + col_byte..start + col_byte + end_byte;
        }
        start += l.len();
    }
    text.len()..text.len()
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).clamp(1, 4);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c.to_string())
}
