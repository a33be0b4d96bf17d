//! Stage 5, index: a tantivy index per language built with the shared `search-index` analyzer,
//! exported into the static index the browser (and `tietopankki search`) reads.
//!
//! tantivy builds the inverted index and the field lengths; the export walks its term
//! dictionary and postings once, computes BM25F over the weighted fields, and stores one
//! quantized impact per (term, document), so ranking needs no lengths in the browser. Word
//! positions of stem terms go to separate files that only quoted phrases load.
//!
//! `serve` keeps each language's tantivy index ([`LangIndex`]) between saves: a save
//! re-indexes only the documents whose text changed, and the export then runs as in a build,
//! so the served index is the build's byte for byte.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use search_index::analyzer::{words, Analyzer, Lang};
use search_index::codec::char_end;
use search_index::format::{DocMeta, IndexData, Posting, FIELD_GAP, TEXT_CHARS};
use tantivy::indexer::NoMergePolicy;
use tantivy::postings::Postings;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{doc, DocSet, Index, IndexWriter, Term, TERMINATED};

use crate::link::{facet_values, Site};
use crate::model::{FrontMatter, Kind};
use crate::render::UrlStyle;
use crate::vocab::Vocabularies;

/// Field weights of BM25F: a match in the title counts most, then headings, summary, body.
/// `details`: the front matter's other text the page shows ([`shown_text`]), a field of its
/// own so that its length does not change how the body's is weighed. Body last: its positions,
/// the most, then start from 0 and encode shortest.
const FIELDS: [(&str, f32); 5] = [
    ("title", 5.0),
    ("headings", 3.0),
    ("summary", 2.0),
    ("details", 1.0),
    ("body", 1.0),
];
const K1: f32 = 1.2;
/// Most positions kept for one term: about one position file (50 kB raw, 20 kB gzipped).
const MAX_POSITIONS: usize = 32_768;
const B: f32 = 0.75;

/// What the export gathers per term: (document, weighted tf) per field occurrence, and for
/// stems the (document, position) pairs.
type TermAcc = (Vec<(u32, f32)>, Vec<(u32, u32)>);

/// Marks a folded surface form in tantivy's dictionary, so that the stems (whose positions
/// phrases need) are known from the index itself, and stay right when documents are replaced.
/// No word holds it: words are letters and digits. The export removes it.
const SURFACE: char = '\u{1}';

/// Wraps the shared analyzer as a tantivy tokenizer; each clone keeps its own stem cache,
/// so every distinct word form is stemmed once per indexing thread, and its own token buffer,
/// whose strings are reused from field to field (eight million words at 10,000 pages would
/// otherwise be sixteen million allocations).
#[derive(Clone)]
struct SharedTokenizer {
    analyzer: Arc<Analyzer>,
    /// Word form → (stem, folded surface form marked with [`SURFACE`]). foldhash, seeded per
    /// process: SipHash was a third of the tokenizer's time, and a seed keeps crafted
    /// collisions out.
    cache: HashMap<String, (String, Option<String>), foldhash::fast::RandomState>,
    buffer: Vec<Token>,
}

impl SharedTokenizer {
    fn new(lang: &str) -> SharedTokenizer {
        SharedTokenizer {
            analyzer: Arc::new(Analyzer::new(Lang::from_code(lang))),
            cache: HashMap::default(),
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
                    let surface = t.surface.map(|s| format!("{SURFACE}{s}"));
                    if self.cache.len() >= 200_000 {
                        self.cache.clear();
                    }
                    self.cache
                        .entry(word.to_string())
                        .or_insert((t.stem, surface))
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
    details: String,
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
    let details = shown_text(&d.front, &site.vocab, &d.lang).join("\n");
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
    // What a result's excerpt is cut from: the page's text as it reads, the front-matter text
    // it shows after the body. Only the first TEXT_CHARS characters are ever stored.
    let mut text = String::with_capacity(summary.len() + body.len() + details.len() + 2);
    for part in [summary.as_str(), &*body, details.as_str()] {
        for line in part.split('\n') {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(line);
        }
    }
    text.truncate(char_end(&text, TEXT_CHARS));
    Indexed {
        meta: DocMeta {
            url: style.link(&site.urls[i]),
            title: title.clone(),
            kind: d.kind.name().to_string(),
            text,
            facets,
        },
        title,
        headings: headings.join("\n"),
        summary,
        details,
        body,
    }
}

/// Builds the tantivy index of `lang` and exports it.
pub fn build_language(site: &Site, style: &UrlStyle, lang: &str) -> tantivy::Result<IndexData> {
    Ok(LangIndex::new(lang, false)?.update(site, style)?.0)
}

/// One language's tantivy index and what it holds, kept by `serve` from save to save.
pub struct LangIndex {
    lang: String,
    index: Index,
    /// title, headings, summary, body with their weights.
    fields: Vec<(Field, f32)>,
    /// The document's number in the export (its place in [`documents`]).
    ord: Field,
    /// When kept: per document, a hash of the text it was indexed with; `None` in a build,
    /// which indexes once and need not hash 600 MB of text at 100,000 pages.
    texts: Option<Vec<blake3::Hash>>,
}

impl LangIndex {
    /// An empty index of `lang`; `kept` when it will be updated again.
    pub fn new(lang: &str, kept: bool) -> tantivy::Result<LangIndex> {
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
        // Indexed too, so that `serve` can delete a document by its number.
        let ord = builder.add_u64_field("ord", FAST | INDEXED);
        let index = Index::create_in_ram(builder.build());
        index
            .tokenizers()
            .register(&tokenizer_name, SharedTokenizer::new(lang));
        Ok(LangIndex {
            lang: lang.to_string(),
            index,
            fields,
            ord,
            texts: kept.then(Vec::new),
        })
    }

    /// Brings the index up to `site` and exports it; also how many documents were (re)indexed.
    /// A kept index re-indexes only the documents whose text changed, unless the documents
    /// themselves changed (one added, removed or moved) or most of them did: then it starts over.
    pub fn update(&mut self, site: &Site, style: &UrlStyle) -> tantivy::Result<(IndexData, usize)> {
        let docs = documents(site, style, &self.lang);
        let texts: Option<Vec<blake3::Hash>> = self
            .texts
            .as_ref()
            .map(|_| docs.par_iter().map(Indexed::text_hash).collect());
        let changed: Option<Vec<usize>> = match (&self.texts, &texts) {
            (Some(before), Some(now)) if before.len() == now.len() => {
                let changed: Vec<usize> = (0..now.len()).filter(|&i| before[i] != now[i]).collect();
                (changed.len() * 2 <= now.len()).then_some(changed)
            }
            _ => None,
        };
        let indexed = match changed {
            Some(changed) if changed.is_empty() => 0,
            Some(changed) => {
                // One thread and the smallest arena: a save changes a document or a few.
                let mut writer: IndexWriter = self.index.writer_with_num_threads(1, 15_000_000)?;
                for &i in &changed {
                    writer.delete_term(Term::from_field_u64(self.ord, i as u64));
                    self.add(&writer, &docs[i], i)?;
                }
                writer.commit()?;
                writer.wait_merging_threads()?;
                changed.len()
            }
            None => {
                // Starting over: a fresh index (a build's, or serve's first) is used as it is.
                if !self.index.searchable_segment_ids()?.is_empty() {
                    *self = LangIndex::new(&self.lang, self.texts.is_some())?;
                }
                let threads = std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
                    .min(4);
                let mut writer: IndexWriter = self
                    .index
                    .writer_with_num_threads(threads, 64 * 1024 * 1024 * threads)?;
                // The export reads every segment once: merging them would only cost time.
                writer.set_merge_policy(Box::new(NoMergePolicy));
                for (i, d) in docs.iter().enumerate() {
                    self.add(&writer, d, i)?;
                }
                writer.commit()?;
                // Joins the writer's threads: none may outlive the build (the site fuzzer's
                // leak check caught one still exiting after its input).
                writer.wait_merging_threads()?;
                docs.len()
            }
        };
        if let Some(texts) = texts {
            self.texts = Some(texts);
        }
        let data = self.export(docs.into_iter().map(|d| d.meta).collect())?;
        Ok((data, indexed))
    }

    fn add(&self, writer: &IndexWriter, d: &Indexed, i: usize) -> tantivy::Result<()> {
        let f = &self.fields;
        writer.add_document(doc!(
            f[0].0 => d.title.as_str(),
            f[1].0 => d.headings.as_str(),
            f[2].0 => d.summary.as_str(),
            f[3].0 => d.details.as_str(),
            f[4].0 => &*d.body,
            self.ord => i as u64,
        ))?;
        Ok(())
    }

    /// Walks the term dictionaries and postings of the live documents once and computes each
    /// term's quantized BM25F impacts and its positions.
    fn export(&self, docs: Vec<DocMeta>) -> tantivy::Result<IndexData> {
        let searcher = self.index.reader()?.searcher();
        let fields = &self.fields;
        // Per (term, doc): the BM25F-normalised, weighted term frequency summed over fields.
        // Average field lengths over the whole index, not per segment: how the writer's threads
        // split documents into segments must not change a single score.
        let mut avg = vec![0u64; fields.len()];
        for segment in searcher.segment_readers() {
            for (k, &(field, _)) in fields.iter().enumerate() {
                let norms = segment.get_fieldnorms_reader(field)?;
                avg[k] += (0..segment.max_doc())
                    .filter(|&d| !segment.is_deleted(d))
                    .map(|d| u64::from(norms.fieldnorm(d)))
                    .sum::<u64>();
            }
        }
        let avg: Vec<f32> = avg
            .into_iter()
            .map(|total| (total as f32 / docs.len().max(1) as f32).max(1.0))
            .collect();
        // Per segment and field, in parallel: each term of the field's dictionary, in term
        // order, with (document, weighted normalised tf) and, for stems, the (document,
        // position) pairs; surface forms and stems in two runs.
        let segments = searcher.segment_readers();
        let walks: Vec<(&tantivy::SegmentReader, usize)> = segments
            .iter()
            .flat_map(|segment| (0..fields.len()).map(move |k| (segment, k)))
            .collect();
        let runs = walks
            .into_par_iter()
            .map(|(segment, k)| walk_field(segment, fields[k], k, avg[k]))
            .collect::<tantivy::Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let n = docs.len() as f32;
        let mut scored: Vec<Scored> = merge_runs(runs)
            .into_par_iter()
            .map(|(term, parts)| score(term, parts, n))
            .collect();
        {
            use search_index::{compound, inflection};
            // Compounds lend to their last parts, inflected forms to their base forms; every
            // lender's documents as they were before any lending, so the result does not depend
            // on the order terms are visited in.
            let terms: Vec<&str> = scored.iter().map(|s| s.term.as_str()).collect();
            let mut pairs: Vec<(usize, usize, f32)> = Vec::new();
            if compound::applies(&self.lang) {
                pairs.extend(
                    compound::parts(&terms)
                        .into_iter()
                        .map(|(c, p)| (c, p, compound::PART_WEIGHT)),
                );
            }
            if inflection::applies(&self.lang) {
                pairs.extend(
                    inflection::forms(&terms)
                        .into_iter()
                        .map(|(f, b)| (f, b, inflection::FORM_WEIGHT)),
                );
            }
            // Each receiver's new list, read from the lists as they are, then put in place: no
            // lender's list is copied, and a receiver is rebuilt once however many lend to it.
            pairs.sort_unstable_by_key(|&(_, to, _)| to);
            let lent: Vec<(usize, Vec<(u32, f32)>)> = pairs
                .chunk_by(|a, b| a.1 == b.1)
                .map(|group| {
                    let to = group[0].1;
                    let mut docs = scored[to].per_doc.clone();
                    for &(from, _, weight) in group {
                        compound::lend(&mut docs, &scored[from].per_doc, weight);
                    }
                    (to, docs)
                })
                .collect();
            for (to, docs) in lent {
                scored[to].per_doc = docs;
            }
        }
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
        Ok(IndexData {
            lang: self.lang.clone(),
            docs,
            terms: terms.into_iter().collect(),
            positions,
        })
    }
}

impl Indexed<'_> {
    /// What the tantivy index holds of the document (its metadata is exported afresh each time).
    fn text_hash(&self) -> blake3::Hash {
        let mut h = blake3::Hasher::new();
        for part in [
            &*self.title,
            &self.headings,
            &self.summary,
            &self.details,
            &self.body,
        ] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize()
    }
}

/// The text of front-matter fields the page shows besides its title, summary, glossary and
/// steps (which the body holds), in page order: what a reader sees there must be findable
/// (`äitien` in VaVu's workforce, `äidin` in a pathway step's escalation criterion were not).
/// A centre's key facts are vocabulary labels (its area, regions, specialisations, partners):
/// a reader typing a region or a specialisation is looking for the centre. Elsewhere
/// vocabulary values stay facets to filter by.
fn shown_text<'a>(front: &'a FrontMatter, vocab: &'a Vocabularies, lang: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    match front {
        FrontMatter::Method(m) => {
            out.extend(
                [
                    &m.dosage,
                    &m.workforce,
                    &m.training,
                    &m.implementation_support,
                    &m.cost,
                    &m.evidence_note,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str),
            );
            out.extend(m.evidence.iter().filter_map(|e| e.note.as_deref()));
            out.extend(m.owner.as_deref());
            out.extend(m.contacts.iter().map(|c| c.organisation.as_str()));
        }
        FrontMatter::Centre(c) => {
            let labels = [
                ("cooperation_areas", c.cooperation_area.as_slice()),
                ("regions", c.regions.as_slice()),
                ("specialisations", c.specialisations.as_slice()),
                ("partners", c.partners.as_slice()),
            ];
            for (list, ids) in labels {
                out.extend(ids.iter().map(|id| vocab.label(list, id, lang)));
            }
            out.extend(c.host.as_deref());
            out.extend(c.university_hospital.as_deref());
            if let Some(k) = &c.consultation {
                out.extend(k.instructions.as_deref());
                out.extend(k.response_time.as_deref());
            }
        }
        FrontMatter::Pathway(p) => {
            for s in &p.steps {
                out.extend(s.entry_criteria.as_deref());
                out.extend(s.escalate_when.as_deref());
                for t in &s.time_limits {
                    out.extend([t.limit.as_str(), t.applies_to.as_str(), t.basis.as_str()]);
                }
            }
            for l in &p.legal_basis {
                out.push(&l.law);
                out.extend(l.section.as_deref());
            }
        }
        FrontMatter::Page(_) => {}
    }
    out
}

/// One term's BM25F score per document, from its parts in segment then field order.
fn score(term: String, parts: Vec<TermAcc>, n: f32) -> Scored {
    // The runs in segment then field order, stably sorted by document: a document's fields
    // stay in field order, so its sum is the same float every build.
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
}

/// One term's BM25F scores per document before quantization, its positions (empty when it
/// has none or too many) and its highest score.
struct Scored {
    term: String,
    per_doc: Vec<(u32, f32)>,
    positions: Vec<(u32, u32)>,
    max: f32,
}

/// One field of one segment, as two runs: the surface forms, then the stems (which alone keep
/// positions); each term in dictionary order with its (document, weighted normalised tf) pairs
/// over live documents. A term only deleted documents hold is left out.
fn walk_field(
    segment: &tantivy::SegmentReader,
    (field, weight): (Field, f32),
    k: usize,
    avg: f32,
) -> tantivy::Result<[Vec<(String, TermAcc)>; 2]> {
    let ords = segment.fast_fields().u64("ord")?;
    let norms = segment.get_fieldnorms_reader(field)?;
    let inverted = segment.inverted_index(field)?;
    let mut stream = inverted.terms().stream()?;
    let mut out: [Vec<(String, TermAcc)>; 2] = [Vec::new(), Vec::new()];
    let mut buf = Vec::new();
    // Body first (from 0), since most positions are there and small numbers encode short;
    // then summary, headings, title.
    let offset = (FIELDS.len() - 1 - k) as u32 * FIELD_GAP;
    // Only `serve`'s kept indexes have deleted documents.
    let alive = segment.alive_bitset();
    while stream.advance() {
        let Ok(key) = std::str::from_utf8(stream.key()) else {
            continue;
        };
        let (term, is_stem) = match key.strip_prefix(SURFACE) {
            Some(surface) => (surface, false),
            None => (key, true),
        };
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
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let len = norms.fieldnorm(doc) as f32;
                let norm = 1.0 - B + B * len / avg;
                let o = ords.first(doc).unwrap_or(0) as u32;
                scores.push((o, weight * postings.term_freq() as f32 / norm));
                if is_stem {
                    postings.positions_with_offset(offset, &mut buf);
                    positions.extend(buf.iter().map(|&p| (o, p)));
                }
            }
            doc = postings.advance();
        }
        if !scores.is_empty() {
            out[usize::from(is_stem)].push((term.to_string(), (scores, positions)));
        }
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
        let written = search_index::format::write(data, true);
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
        bytes: format!("{manifest}{}", shipped(GLUE_JS)).into_bytes(),
    });
    files
}

/// The glue as pages load it: without its comments and indentation, a third of its gzipped
/// size, which every page and every first search fetch. The glue's own style makes this safe:
/// a comment it drops starts its line (`//`, or a `/* … */` block with nothing after it), and
/// it has no multi-line strings.
fn shipped(glue: &str) -> String {
    let mut out = String::with_capacity(glue.len());
    let mut in_block = false;
    for line in glue.lines() {
        let line = line.trim();
        if in_block {
            in_block = !line.ends_with("*/");
            continue;
        }
        if line.starts_with("/*") {
            in_block = !line.ends_with("*/");
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// An engine with everything of one language loaded, for the CLI and tests.
pub fn engine_for(data: &IndexData) -> search_index::engine::Engine {
    let written = search_index::format::write(data, false);
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
            Some((pos, _, surface)) if *pos == t.position => {
                *surface = Some(t.text.trim_start_matches(SURFACE).to_string())
            }
            _ => out.push((t.position, t.text.clone(), None)),
        }
    }
    out.into_iter()
        .map(|(_, stem, surface)| (stem, surface))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::shipped;

    #[test]
    fn the_shipped_glue_keeps_every_line_of_code_and_no_comment_line() {
        let glue = "(function () {\n  // a line comment\n  var a = 1; // kept: after code\n  /* a block\n     of two lines */\n  /* one line */\n  var b = \"/* not a comment */\";\n\n  f(a, b); /* kept */\n})();\n";
        assert_eq!(
            shipped(glue),
            "(function () {\nvar a = 1; // kept: after code\nvar b = \"/* not a comment */\";\nf(a, b); /* kept */\n})();\n"
        );
        // The real glue: no comment line left, its code there, and a third smaller at least.
        let out = shipped(super::GLUE_JS);
        assert!(out
            .lines()
            .all(|l| !l.starts_with("//") && !l.starts_with("/*")));
        assert!(out.contains("T.search = function (query, opts) {\n"));
        assert!(
            out.len() * 3 < super::GLUE_JS.len() * 2,
            "{} of {}",
            out.len(),
            super::GLUE_JS.len()
        );
    }
}
