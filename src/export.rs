//! The open-data export: `methods.json`, `centres.json`, `pathways.json` and `vocabularies.json`.
//!
//! Each file is an array of records: the entry's front matter as written (schema:
//! `tietopankki schema method` etc.) plus `id`, `lang` and `url`. Vocabulary fields hold ids;
//! `vocabularies.json` gives their labels.

use serde_json::{json, Value};

use crate::link::Site;
use crate::model::Kind;
use crate::render::{OutputFile, UrlStyle};

/// JSON with `<`, `>` and `&` written as `\u003c`-style escapes: still the same JSON, but no
/// markup survives should a file ever be embedded in or sniffed as HTML.
pub fn safe_json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let text = serde_json::to_string_pretty(v).expect("export serialises");
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .into_bytes()
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
            .iter()
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
            bytes: safe_json(&records),
        });
    }
    out.push(OutputFile {
        path: "vocabularies.json".into(),
        bytes: safe_json(&site.vocab),
    });
    out
}
