//! Stage 5, index: a tantivy index per language built with the shared `search-index` analyzer,
//! exported into the static index the browser (and `tietopankki search`) reads.
//!
//! tantivy builds the inverted index and the field lengths; the export walks its term
//! dictionary and postings once, computes BM25F over the weighted fields, and stores one
//! quantized impact per (term, document), so ranking needs no lengths in the browser. Word
//! positions of stem terms go to separate files that only quoted phrases load.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use search_index::analyzer::{words, Analyzer, Lang};
use search_index::format::{DocMeta, IndexData, Posting, EXCERPT_CHARS, FIELD_GAP};
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{doc, DocSet, Index, TERMINATED};

use crate::link::{facet_values, Site};
use crate::model::{FrontMatter, Kind};
use crate::render::UrlStyle;

/// Field weights of BM25F: a match in the title counts most, then headings, summary, body.
const FIELDS: [(&str, f32); 4] = [
    ("title", 5.0),
    ("headings", 3.0),
    ("summary", 2.0),
    ("body", 1.0),
];
const K1: f32 = 1.2;
/// Most positions kept for one term: about one position file (50 kB raw, 20 kB gzipped).
const MAX_POSITIONS: usize = 32_768;
const B: f32 = 0.75;

/// What the export gathers per term: (document, weighted tf) per field occurrence, and for
/// stems the (document, position) pairs.
type TermAcc = (Vec<(u32, f32)>, Vec<(u32, u32)>);

/// Wraps the shared analyzer as a tantivy tokenizer; each clone keeps its own stem cache,
/// so every distinct word form is stemmed once per indexing thread, and its own token buffer,
/// whose strings are reused from field to field (eight million words at 10,000 pages would
/// otherwise be sixteen million allocations).
#[derive(Clone)]
struct SharedTokenizer {
    analyzer: Arc<Analyzer>,
    /// Word form → (stem, folded surface form). foldhash, seeded per process: SipHash was a
    /// third of the tokenizer's time, and a seed keeps crafted collisions out.
    cache: HashMap<String, (String, Option<String>), foldhash::fast::RandomState>,
    /// Every term that was some word's stem: the terms whose positions phrases need.
    stems: Arc<Mutex<HashSet<String>>>,
    buffer: Vec<Token>,
}

impl SharedTokenizer {
    fn new(lang: &str) -> SharedTokenizer {
        SharedTokenizer {
            analyzer: Arc::new(Analyzer::new(Lang::from_code(lang))),
            cache: HashMap::default(),
            stems: Arc::default(),
            buffer: Vec::new(),
        }
    }
}

struct Tokens<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl TokenStream for Tokens<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for SharedTokenizer {
    type TokenStream<'a> = Tokens<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens<'a> {
        let mut used = 0;
        for (position, (s, e)) in words(text).enumerate() {
            let word = &text[s..e];
            // One hash lookup for the usual case, a word form seen before.
            let (stem, surface) = match self.cache.get(word) {
                Some(terms) => terms,
                None => {
                    let t = self.analyzer.word(word);
                    if let Ok(mut stems) = self.stems.lock() {
                        if !stems.contains(&t.stem) {
                            stems.insert(t.stem.clone());
                        }
                    }
                    if self.cache.len() >= 200_000 {
                        self.cache.clear();
                    }
                    self.cache
                        .entry(word.to_string())
                        .or_insert((t.stem, t.surface))
                }
            };
            // The surface form goes in at the same position as the stem, so `aiti` meets `äiti`.
            for term in std::iter::once(stem).chain(surface) {
                if used == self.buffer.len() {
                    self.buffer.push(Token::default());
                }
                let token = &mut self.buffer[used];
                token.offset_from = s;
                token.offset_to = e;
                token.position = position;
                token.position_length = 1;
                token.text.clear();
                token.text.push_str(term);
                used += 1;
            }
        }
        Tokens {
            tokens: &mut self.buffer[..used],
            next: 0,
        }
    }
}

/// The text of one document, split into the weighted fields. The body is borrowed from the
/// site where nothing is added to it: at 100,000 pages a copy is 600 MB.
struct Indexed<'a> {
    meta: DocMeta,
    title: String,
    headings: String,
    summary: String,
    body: Cow<'a, str>,
}

/// The search documents of `lang`: every content page in that language.
fn documents<'a>(site: &'a Site, style: &UrlStyle, lang: &str) -> Vec<Indexed<'a>> {
    site.docs
        .par_iter()
        .enumerate()
        .filter(|(_, d)| d.lang == lang)
        .map(|(i, d)| document(site, style, i, d))
        .collect()
}

/// One document's fields and metadata.
fn document<'a>(
    site: &'a Site,
    style: &UrlStyle,
    i: usize,
    d: &'a crate::parse::Document,
) -> Indexed<'a> {
    let title = d.front.title().unwrap_or(&d.id).to_string();
    let summary = d.front.summary().unwrap_or("").to_string();
    let headings: Vec<&str> = d.body.headings.iter().map(|h| h.text.as_str()).collect();
    let mut body = Cow::Borrowed(&*d.body.text);
    if let FrontMatter::Page(p) = &d.front {
        for t in &p.glossary {
            body.to_mut()
                .push_str(&format!("\n{}: {}", t.term, t.definition));
        }
    }
    if let FrontMatter::Pathway(p) = &d.front {
        for s in &p.steps {
            body.to_mut().push_str(&format!(
                "\n{}. {}",
                s.title,
                s.description.as_deref().unwrap_or("")
            ));
        }
    }
    let mut facets: Vec<String> = facet_values(&d.front)
        .into_iter()
        .map(|(f, v)| format!("{f}:{v}"))
        .collect();
    facets.push(format!("tyyppi:{}", d.kind.name()));
    if d.kind == Kind::Method {
        if let Some(b) = site.backrefs.get(&(Kind::Method, d.id.clone())) {
            facets.extend(b.centres.iter().map(|c| format!("keskus:{c}")));
        }
    }
    if let FrontMatter::Centre(_) = &d.front {
        facets.push(format!("keskus:{}", d.id));
    }
    facets.sort();
    facets.dedup();
    // Only the first EXCERPT_CHARS characters are ever stored.
    let excerpt: String = summary
        .chars()
        .chain((!summary.is_empty()).then_some(' '))
        .chain(body.chars().map(|c| if c == '\n' { ' ' } else { c }))
        .take(EXCERPT_CHARS)
        .collect();
    Indexed {
        meta: DocMeta {
            url: style.link(&site.urls[i]),
            title: title.clone(),
            kind: d.kind.name().to_string(),
            excerpt,
            facets,
        },
        title,
        headings: headings.join("\n"),
        summary,
        body,
    }
}

/// Builds the tantivy index of `lang` and exports it.
pub fn build_language(site: &Site, style: &UrlStyle, lang: &str) -> tantivy::Result<IndexData> {
    let docs = documents(site, style, lang);
    let tokenizer_name = format!("tietopankki_{lang}");
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(&tokenizer_name)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let fields: Vec<(Field, f32)> = FIELDS
        .iter()
        .map(|(name, w)| {
            (
                builder.add_text_field(
                    name,
                    TextOptions::default().set_indexing_options(indexing.clone()),
                ),
                *w,
            )
        })
        .collect();
    let ord = builder.add_u64_field("ord", FAST);
    let index = Index::create_in_ram(builder.build());
    let tokenizer = SharedTokenizer::new(lang);
    let stems = Arc::clone(&tokenizer.stems);
    index.tokenizers().register(&tokenizer_name, tokenizer);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    let mut writer = index.writer_with_num_threads(threads, 64 * 1024 * 1024 * threads)?;
    for (i, d) in docs.iter().enumerate() {
        writer.add_document(doc!(
            fields[0].0 => d.title.as_str(),
            fields[1].0 => d.headings.as_str(),
            fields[2].0 => d.summary.as_str(),
            fields[3].0 => &*d.body,
            ord => i as u64,
        ))?;
    }
    writer.commit()?;
    let searcher = index.reader()?.searcher();

    // Per (term, doc): the BM25F-normalised, weighted term frequency summed over fields.
    // Average field lengths over the whole index, not per segment: how the writer's threads
    // split documents into segments must not change a single score.
    let mut avg = vec![0u64; fields.len()];
    for segment in searcher.segment_readers() {
        for (k, &(field, _)) in fields.iter().enumerate() {
            let norms = segment.get_fieldnorms_reader(field)?;
            avg[k] += (0..segment.max_doc())
                .map(|d| u64::from(norms.fieldnorm(d)))
                .sum::<u64>();
        }
    }
    let avg: Vec<f32> = avg
        .into_iter()
        .map(|total| (total as f32 / docs.len().max(1) as f32).max(1.0))
        .collect();
    let stems = std::mem::take(&mut *stems.lock().unwrap_or_else(|e| e.into_inner()));
    // Per segment and field, in parallel: each term of the field's dictionary, in term order,
    // with (document, weighted normalised tf) and, for stems, the (document, position) pairs.
    let segments = searcher.segment_readers();
    let walks: Vec<(&tantivy::SegmentReader, usize)> = segments
        .iter()
        .flat_map(|segment| (0..fields.len()).map(move |k| (segment, k)))
        .collect();
    let runs = walks
        .into_par_iter()
        .map(|(segment, k)| walk_field(segment, fields[k], k, avg[k], &stems))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let n = docs.len() as f32;
    let mut scored: Vec<Scored> = merge_runs(runs)
        .into_par_iter()
        .map(|(term, parts)| {
            // The runs in segment then field order, stably sorted by document: a document's
            // fields stay in field order, so its sum is the same float every build.
            let mut per_field = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
            let mut pos = Vec::new();
            for (scores, positions) in parts {
                per_field.extend(scores);
                pos.extend(positions);
            }
            per_field.sort_by_key(|(d, _)| *d);
            let mut per_doc: Vec<(u32, f32)> = Vec::with_capacity(per_field.len());
            for (d, t) in per_field {
                match per_doc.last_mut() {
                    Some((last, sum)) if *last == d => *sum += t,
                    _ => per_doc.push((d, t)),
                }
            }
            let df = per_doc.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let mut max = 0f32;
            for (_, t) in per_doc.iter_mut() {
                *t = idf * *t * (K1 + 1.0) / (*t + K1);
                max = max.max(*t);
            }
            // A word as common as `ja` would cost a phrase hundreds of kilobytes of positions;
            // it gets none and a phrase checks only the gap it fills, as search engines do with
            // stop words ("lapsen ja perheen" = `lapsen`, any word, `perheen`).
            if pos.len() > MAX_POSITIONS {
                pos = Vec::new();
            }
            pos.sort();
            Scored {
                term,
                per_doc,
                positions: pos,
                max,
            }
        })
        .collect();
    let max = scored.iter().map(|s| s.max).fold(0f32, f32::max);
    let positions: BTreeMap<String, Vec<(u32, u32)>> = scored
        .iter_mut()
        .filter(|s| !s.positions.is_empty())
        .map(|s| (s.term.clone(), std::mem::take(&mut s.positions)))
        .collect();
    let terms: Vec<(String, Vec<Posting>)> = scored
        .into_par_iter()
        .map(|Scored { term, per_doc, .. }| {
            let postings = per_doc
                .into_iter()
                .map(|(doc, s)| Posting {
                    doc,
                    impact: ((s / max.max(f32::MIN_POSITIVE)) * 255.0)
                        .round()
                        .clamp(1.0, 255.0) as u8,
                })
                .collect();
            (term, postings)
        })
        .collect();
    let terms = terms.into_iter().collect();
    Ok(IndexData {
        lang: lang.to_string(),
        docs: docs.into_iter().map(|d| d.meta).collect(),
        terms,
        positions,
    })
}

/// One term's BM25F scores per document before quantization, its positions (empty when it
/// has none or too many) and its highest score.
struct Scored {
    term: String,
    per_doc: Vec<(u32, f32)>,
    positions: Vec<(u32, u32)>,
    max: f32,
}

/// One field of one segment: each term in dictionary order with its (document, weighted
/// normalised tf) pairs and, for stems, its (document, position) pairs.
fn walk_field(
    segment: &tantivy::SegmentReader,
    (field, weight): (Field, f32),
    k: usize,
    avg: f32,
    stems: &HashSet<String>,
) -> tantivy::Result<Vec<(String, TermAcc)>> {
    let ords = segment.fast_fields().u64("ord")?;
    let norms = segment.get_fieldnorms_reader(field)?;
    let inverted = segment.inverted_index(field)?;
    let mut stream = inverted.terms().stream()?;
    let mut out = Vec::new();
    let mut buf = Vec::new();
    // Body first (from 0), since most positions are there and small numbers encode short;
    // then summary, headings, title.
    let offset = (FIELDS.len() - 1 - k) as u32 * FIELD_GAP;
    while stream.advance() {
        let Ok(term) = std::str::from_utf8(stream.key()) else {
            continue;
        };
        let is_stem = stems.contains(term);
        let option = if is_stem {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut postings = inverted.read_postings_from_terminfo(stream.value(), option)?;
        let mut scores = Vec::new();
        let mut positions = Vec::new();
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let len = norms.fieldnorm(doc) as f32;
            let norm = 1.0 - B + B * len / avg;
            let o = ords.first(doc).unwrap_or(0) as u32;
            scores.push((o, weight * postings.term_freq() as f32 / norm));
            if is_stem {
                postings.positions_with_offset(offset, &mut buf);
                positions.extend(buf.iter().map(|&p| (o, p)));
            }
            doc = postings.advance();
        }
        out.push((term.to_string(), (scores, positions)));
    }
    Ok(out)
}

/// Merges runs of terms, each sorted and without repeats, into one list of terms with their
/// parts in run order.
fn merge_runs(runs: Vec<Vec<(String, TermAcc)>>) -> Vec<(String, Vec<TermAcc>)> {
    let mut runs: Vec<std::vec::IntoIter<(String, TermAcc)>> =
        runs.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::new();
    loop {
        // The first run holding the smallest next term; earlier runs hold only larger ones.
        let mut first: Option<usize> = None;
        for i in 0..runs.len() {
            let Some((t, _)) = runs[i].as_slice().first() else {
                continue;
            };
            if first.is_none_or(|f| *t < runs[f].as_slice()[0].0) {
                first = Some(i);
            }
        }
        let Some(f) = first else {
            return out;
        };
        let Some((term, acc)) = runs[f].next() else {
            return out;
        };
        let mut parts = vec![acc];
        for run in &mut runs[f + 1..] {
            if run.as_slice().first().is_some_and(|(t, _)| *t == term) {
                parts.extend(run.next().map(|(_, acc)| acc));
            }
        }
        out.push((term, parts));
    }
}

/// The compiled browser runtime, committed so that a plain `cargo build` needs no wasm toolchain.
pub const RUNTIME_WASM: &[u8] = include_bytes!("../search-index/runtime/search_index.wasm");
/// The JS glue of the runtime (theme-independent: it is the page API).
pub const GLUE_JS: &str = include_str!("../search-index/runtime/glue.js");

/// Every search file: per language shards, doc chunks and facets; the runtime as base64 in a
/// `.js`; and `search.js`, the manifest plus glue that pages load.
pub fn output_files(indexes: &[IndexData], default_lang: &str) -> Vec<crate::render::OutputFile> {
    let mut files = Vec::new();
    let mut langs = Vec::new();
    for data in indexes {
        let written = search_index::format::write(data);
        langs.push(format!("\"{}\":{}", data.lang, written.manifest));
        files.par_extend(
            written
                .files
                .into_par_iter()
                .map(|f| crate::render::OutputFile {
                    path: format!("search/{}", f.name),
                    bytes: f.js(&data.lang),
                }),
        );
    }
    // The runtime twice: raw for http(s), where fetch works and gzip is smaller, and as
    // base64 in a `.js` for pages opened from disk, where only <script> loads.
    let runtime_name = format!("runtime.{}", &blake3::hash(RUNTIME_WASM).to_hex()[..10]);
    let runtime_js = format!(
        "tietopankki._runtime(\"{}\");\n",
        search_index::codec::base64_encode(RUNTIME_WASM)
    );
    files.push(crate::render::OutputFile {
        path: format!("search/{runtime_name}.js"),
        bytes: runtime_js.into_bytes(),
    });
    files.push(crate::render::OutputFile {
        path: format!("search/{runtime_name}.wasm"),
        bytes: RUNTIME_WASM.to_vec(),
    });
    let manifest = format!(
        "window.tietopankki=window.tietopankki||{{}};tietopankki._manifest={{\"runtime\":\"{runtime_name}\",\"default\":\"{default_lang}\",\"langs\":{{{}}}}};\n",
        langs.join(",")
    );
    files.push(crate::render::OutputFile {
        path: "search/search.js".into(),
        bytes: format!("{manifest}{GLUE_JS}").into_bytes(),
    });
    files
}

/// An engine with everything of one language loaded, for the CLI and tests.
pub fn engine_for(data: &IndexData) -> search_index::engine::Engine {
    let written = search_index::format::write(data);
    let chunk = search_index::format::DOC_CHUNK as u32;
    let mut engine = search_index::engine::Engine::new(&data.lang, data.docs.len() as u32, chunk);
    for f in &written.files {
        engine.add(f.kind, f.id as u32, &f.payload);
    }
    engine
}

/// How tantivy, through the shared tokenizer, indexes `text`: per word its stem and the
/// folded surface form (or `None`). Used by `tietopankki analyze` and the parity test.
pub fn analyze(lang: &str, text: &str) -> Vec<(String, Option<String>)> {
    let tokenizer = SharedTokenizer::new(lang);
    let mut analyzer = tantivy::tokenizer::TextAnalyzer::from(tokenizer);
    let mut stream = analyzer.token_stream(text);
    let mut out: Vec<(usize, String, Option<String>)> = Vec::new();
    while stream.advance() {
        let t = stream.token();
        match out.last_mut() {
            Some((pos, _, surface)) if *pos == t.position => *surface = Some(t.text.clone()),
            _ => out.push((t.position, t.text.clone(), None)),
        }
    }
    out.into_iter()
        .map(|(_, stem, surface)| (stem, surface))
        .collect()
}
