//! Entry points of the fuzz targets in `fuzz/`, also replayed over the stored cases by
//! `tests/fuzz.rs`: each takes arbitrary bytes and must return, without panicking or looping,
//! whatever the bytes are. The browser runtime runs this same code compiled to wasm.
#![doc(hidden)]

use std::sync::OnceLock;

use crate::engine::{parse_request, Engine, Request};
use crate::format::{
    encode_docs, encode_facets, encode_positions, encode_shard, encode_text, DocMeta, FacetFiles,
    Posting,
};

const QUERIES: [&str; 4] = ["lapsi", "\"lasten suojelu\" tuki", "perh", "xyz ja"];

/// Index files as the runtime receives them: the input split at `0xff 0xfe` into payloads,
/// each one's first byte its kind (`s`, `p`, `d`, `f`, `t`), added to one engine, then searched.
pub fn index_files(data: &[u8]) {
    let n_docs = u32::from(data.first().copied().unwrap_or(0)) * 3;
    let mut engine = Engine::new("fi", n_docs, 4);
    for (id, part) in split(data.get(1..).unwrap_or(&[])).into_iter().enumerate() {
        let Some((&kind, bytes)) = part.split_first() else {
            continue;
        };
        let kind = match kind % 5 {
            0 => "s",
            1 => "p",
            2 => "d",
            3 => "f",
            _ => "t",
        };
        engine.add(kind, id as u32, bytes);
    }
    for q in QUERIES {
        let mut req = Request {
            query: q.to_string(),
            limit: 5,
            ..Request::default()
        };
        let _ = engine.plan(q);
        let o = engine.search(&req);
        let _ = engine.to_json(&o);
        req.add_filter("teemat", "x");
        let _ = engine.to_json(&engine.search(&req));
    }
}

/// A query, in the runtime's request format, against a small well-formed index.
pub fn query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let engine = sample_engine();
    let req = parse_request(&text);
    let o = engine.search(&req);
    let _ = engine.to_json(&o);
    let _ = engine.plan(&req.query);
    let _ = engine.plan_wide(&req.query);
    let _ = engine.needless(&req.query, text.split('\n'), &["lapsi", ""]);
    let _ = engine.excerpt(&text, &o.words, 180);
    assert!(
        engine.prefilter_agrees(&text, &o.words),
        "an excerpt would skip a match"
    );
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] == 0xff && data[i + 1] == 0xfe {
            out.push(&data[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push(&data[start..]);
    out
}

fn sample_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let texts = [
            "Lasten suojelu ja perheen tuki",
            "Perheterapia nuorille",
            "Äidin ja lapsen vuorovaikutus",
        ];
        let analyzer = crate::analyzer::Analyzer::new(crate::analyzer::Lang::Fi);
        let mut terms: std::collections::BTreeMap<String, Vec<Posting>> = Default::default();
        let mut positions: std::collections::BTreeMap<String, Vec<(u32, u32)>> = Default::default();
        for (d, text) in texts.iter().enumerate() {
            for (p, (s, e)) in crate::analyzer::words(text).enumerate() {
                let t = analyzer.word(&text[s..e]);
                positions
                    .entry(t.stem.clone())
                    .or_default()
                    .push((d as u32, p as u32));
                for term in std::iter::once(t.stem).chain(t.surface) {
                    let list = terms.entry(term).or_default();
                    if list.last().is_none_or(|x| x.doc != d as u32) {
                        list.push(Posting {
                            doc: d as u32,
                            impact: 50 + d as u8,
                        });
                    }
                }
            }
        }
        let docs: Vec<DocMeta> = texts
            .iter()
            .enumerate()
            .map(|(d, t)| DocMeta {
                url: format!("/{d}/"),
                title: t.to_string(),
                kind: "method".into(),
                // The words past the start a doc chunk stores, but for the last: the
                // excerpts are cut from both.
                text: if d < 2 {
                    format!("{} {t}", "muuta ".repeat(80))
                } else {
                    t.to_string()
                },
                facets: vec![format!("teemat:{}", d % 2)],
            })
            .collect();
        let mut engine = Engine::new("fi", docs.len() as u32, 4);
        let t: Vec<_> = terms.iter().collect();
        engine.add("s", 0, &encode_shard(&t));
        let p: Vec<_> = positions.iter().collect();
        engine.add("p", 0, &encode_positions(&p));
        engine.add("d", 0, &encode_docs(&docs));
        // Not the last one's: a result can need its text.
        for (i, d) in docs.iter().enumerate().take(2) {
            engine.add("t", i as u32, &encode_text(d));
        }
        let FacetFiles { each, all } = encode_facets(&docs);
        for (i, (_, bytes)) in each.iter().enumerate() {
            engine.add("f", i as u32, bytes);
        }
        // All of them again, as the counts load them after a filter's own facet.
        if let Some(all) = all {
            engine.add("f", each.len() as u32, &all);
        }
        engine
    })
}
