//! The open-data export: `methods.json`, `centres.json`, `pathways.json` and `vocabularies.json`.
//!
//! Each file is an array of records: the entry's front matter as written (schema:
//! `tietopankki schema method` etc.) plus `id`, `lang` and `url`. Vocabulary fields hold ids;
//! `vocabularies.json` gives their labels.

use rayon::prelude::*;
use serde_json::{json, Value};

use crate::link::Site;
use crate::model::Kind;
use crate::render::{OutputFile, UrlStyle};

/// JSON with `<`, `>` and `&` written as `\u003c`-style escapes: still the same JSON, but no
/// markup survives should a file ever be embedded in or sniffed as HTML.
pub fn safe_json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let text = serde_json::to_string_pretty(v).expect("export serialises");
    let mut out = Vec::with_capacity(text.len());
    let mut last = 0;
    // Byte by byte: none of the three is ever part of a longer UTF-8 sequence.
    for (i, b) in text.bytes().enumerate() {
        let escape: &[u8] = match b {
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            b'&' => b"\\u0026",
            _ => continue,
        };
        out.extend_from_slice(&text.as_bytes()[last..i]);
        out.extend_from_slice(escape);
        last = i + 1;
    }
    out.extend_from_slice(&text.as_bytes()[last..]);
    out
}

/// [`safe_json`] of an array, its records serialised in parallel: the bytes
/// `serde_json::to_string_pretty` writes (each record's lines indented two more spaces).
fn safe_json_array<T: serde::Serialize + Sync>(records: &[T]) -> Vec<u8> {
    if records.is_empty() {
        return b"[]".to_vec();
    }
    let parts: Vec<Vec<u8>> = records
        .par_iter()
        .map(|r| {
            let one = safe_json(r);
            let mut out = Vec::with_capacity(one.len() + one.len() / 16);
            out.extend_from_slice(b"  ");
            for &b in &one {
                out.push(b);
                if b == b'\n' {
                    out.extend_from_slice(b"  ");
                }
            }
            out
        })
        .collect();
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 2).sum::<usize>() + 4);
    out.extend_from_slice(b"[\n");
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(p);
    }
    out.extend_from_slice(b"\n]");
    out
}

pub fn export(site: &Site, style: &UrlStyle) -> Vec<OutputFile> {
    let mut out = Vec::new();
    for (kind, name) in [
        (Kind::Method, "methods.json"),
        (Kind::Centre, "centres.json"),
        (Kind::Pathway, "pathways.json"),
    ] {
        let records: Vec<Value> = site
            .docs
            .par_iter()
            .enumerate()
            .filter(|(_, d)| d.kind == kind)
            .map(|(i, d)| {
                let mut v = d.front.to_json();
                v["id"] = json!(d.id);
                v["lang"] = json!(d.lang);
                v["url"] = json!(style.absolute(&site.urls[i]));
                v
            })
            .collect();
        out.push(OutputFile {
            path: name.to_string(),
            bytes: safe_json_array(&records),
        });
    }
    out.push(OutputFile {
        path: "vocabularies.json".into(),
        bytes: safe_json(&site.vocab),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_in_parallel_are_the_pretty_printers_bytes_with_markup_escaped() {
        let records = vec![
            json!({"a": 1, "b": {"c": ["x", "<y>"], "d": {}}, "e": []}),
            json!({"t": "a & b\nc", "n": null}),
        ];
        let expected = serde_json::to_string_pretty(&records)
            .unwrap()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        assert_eq!(
            String::from_utf8(safe_json_array(&records)).unwrap(),
            expected
        );
        assert_eq!(safe_json_array::<Value>(&[]), b"[]");
    }
}
