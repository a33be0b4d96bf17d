//! The static index format: what the exporter writes and the runtime reads.
//!
//! Per language: term shards (sorted terms with one quantized BM25F impact per posting),
//! position files (word positions of stem terms, by key range like the shards, loaded only
//! for quoted phrases), document-metadata chunks, facet bitsets and a JSON manifest.
//! Every file is wrapped in a `.js` that registers its base64 payload, the one way of loading
//! data that works from `file://` as well as over http.

use std::collections::BTreeMap;

use crate::codec::{base64_encode_into, char_end, put_str, put_varint, Reader};

/// One indexed document's metadata, as results show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMeta {
    pub url: String,
    pub title: String,
    pub kind: String,
    /// The page's text excerpts are cut from (summary, body, then the front-matter text it
    /// shows). A doc chunk holds its first [`EXCERPT_CHARS`] characters, for the first
    /// results (and a decoded `DocMeta` only those); the whole is a file of its own, loaded
    /// only where that start shows no matched word: a page found by a word deep in its body
    /// or in its details.
    pub text: String,
    /// Facet values as `facet:value`, e.g. `teemat:kaytosongelmat`.
    pub facets: Vec<String>,
}

/// A document containing a term, with its quantized score contribution (1–255).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    pub impact: u8,
}

/// Everything the exporter knows for one language.
#[derive(Debug, Clone, Default)]
pub struct IndexData {
    pub lang: String,
    pub docs: Vec<DocMeta>,
    pub terms: BTreeMap<String, Vec<Posting>>,
    /// Word positions of each stem term as (document, position) pairs sorted by document then
    /// position (fields one after another, each from a multiple of `FIELD_GAP`), for phrases.
    /// Flat pairs, not a list per document: at 10,000 pages that is a third of the memory.
    /// Surface forms have none: phrases match stems.
    pub positions: BTreeMap<String, Vec<(u32, u32)>>,
}

/// Where each field's positions start, so a phrase never runs from one field into the next.
pub const FIELD_GAP: u32 = 1 << 24;

/// A term's positions per document: (document, ascending positions), as the runtime keeps them.
pub type TermPositions = Vec<(u32, Vec<u32>)>;

/// Raw-byte budget of one position file. Positions are three times the size of the postings,
/// so they get their own key ranges: a phrase loads the positions of its words, not of a shard.
/// Small, because positions barely compress: at 32 kB a three-word phrase over the bundled
/// content loaded two files of 23 kB gzipped; at 8 kB, three of 5–7 kB, for half a kilobyte more
/// manifest at 10,000 pages.
pub const POSITION_BYTES: usize = 8 * 1024;

/// Raw-byte budget of one term shard (about 12 kB gzipped in its base64 `.js`).
pub const SHARD_BYTES: usize = 16 * 1024;
/// Documents per metadata chunk. Each chunk a query's results are in is one request, and on a
/// 2-core machine requests cost 2.5-3.5 ms each, one at a time: at 10,000 pages the first
/// five results of 15 queries were in 3.5 chunks of four on average, 2.3 of twelve, 1.9 of
/// sixteen (the best-scored pages of a common word sit near each other: ties go to the lower
/// document number); the 83 judged queries over the bundled content, 3.5, 2.7 and 2.3. Twelve,
/// not sixteen: a chunk of twelve is 1.75 kB gzipped, and the search page's ten first results
/// of `lapsen ja perheen` fetched 97 kB with them, 100 with sixteen.
pub const DOC_CHUNK: usize = 12;
/// Results a common word's records file holds the documents of: the search page shows ten.
pub const FIRST_RESULTS: usize = 10;
/// Characters of text kept per document for its excerpt in the first results.
pub const EXCERPT_CHARS: usize = 400;
/// Characters of a document's whole text kept for excerpts (a page is rarely longer; a
/// generated one could be any length).
pub const TEXT_CHARS: usize = 16_000;

/// One output file: a name (content-hashed) and its bytes.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    /// `s` term shard, `p` its positions, `d` doc chunk, `t` one document's text, `f` facet,
    /// `r` the documents of a one-term shard's word's first results ([`encode_records`]);
    /// with `id`, what the runtime's `add` takes.
    pub kind: &'static str,
    pub id: usize,
    /// The binary payload; [`File::js`] wraps it for the output.
    pub payload: Vec<u8>,
    /// A term shard's [`hints`], handed to the loader beside the payload; empty elsewhere.
    pub hints: String,
}

impl File {
    /// The `.js` file that hands the payload to the runtime when loaded: base64, or for
    /// texts (UTF-8 already: a page's text, a chunk's or a word's first results' documents)
    /// a JS string, whose gzip is 62 % of its base64's (1.6 against 2.5 kB a page at 10,000
    /// pages).
    pub fn js(&self, lang: &str) -> Vec<u8> {
        if matches!(self.kind, "t" | "d" | "r") {
            let text = std::str::from_utf8(&self.payload).unwrap_or_default();
            let mut out = format!(
                "tietopankki._text(\"{lang}\",\"{}\",{},\"",
                self.kind, self.id
            );
            out.reserve(text.len() + 4);
            crate::engine::escape_json_into(&mut out, text);
            out.push_str("\");\n");
            return out.into_bytes();
        }
        let head = format!(
            "tietopankki._data(\"{lang}\",\"{}\",{},\"",
            self.kind, self.id
        );
        let mut out = String::with_capacity(
            head.len() + self.payload.len().div_ceil(3) * 4 + self.hints.len() + 8,
        );
        out.push_str(&head);
        base64_encode_into(&mut out, &self.payload);
        if !self.hints.is_empty() {
            out.push_str("\",\"");
            crate::engine::escape_json_into(&mut out, &self.hints);
        }
        out.push_str("\");\n");
        out.into_bytes()
    }
}

/// The written index: files plus the manifest (JSON) that names them.
#[derive(Debug, Clone)]
pub struct Written {
    pub manifest: String,
    pub files: Vec<File>,
}

fn hash8(bytes: &[u8]) -> String {
    hash8_all(&[bytes])
}

/// [`hash8`] of the parts one after another, without joining them.
fn hash8_all<T: AsRef<[u8]>>(parts: &[T]) -> String {
    // FNV-1a 64: enough to make names change when content changes; not a security hash.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in parts.iter().flat_map(|p| p.as_ref()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    // Eight hex digits, as bundlers name content-hashed files: a name only has to change
    // when its file does. The manifest, which every first search loads, names 500 files at
    // 10,000 pages; two digits more each cost it half a kilobyte gzipped.
    format!("{h:016x}")[..8].to_string()
}

pub fn encode_shard(terms: &[(&String, &Vec<Posting>)]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, terms.len() as u64);
    for (term, postings) in terms {
        put_str(&mut out, term);
        put_varint(&mut out, postings.len() as u64);
        let mut last = 0u32;
        for p in postings.iter() {
            put_varint(&mut out, u64::from(p.doc - last));
            out.push(p.impact);
            last = p.doc;
        }
    }
    out
}

pub fn decode_shard(bytes: &[u8]) -> Option<Vec<(String, Vec<Posting>)>> {
    let mut r = Reader::new(bytes);
    let n = r.varint()? as usize;
    let mut out = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let term = r.str()?.to_string();
        let count = r.varint()? as usize;
        let mut postings = Vec::with_capacity(count.min(1 << 16));
        let mut doc = 0u32;
        for _ in 0..count {
            doc = doc.checked_add(u32::try_from(r.varint()?).ok()?)?;
            postings.push(Posting {
                doc,
                impact: r.byte()?,
            });
        }
        out.push((term, postings));
    }
    Some(out)
}

/// Encodes terms' (document, position) pairs, sorted, grouped per document.
pub fn encode_positions(terms: &[(&String, &Vec<(u32, u32)>)]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, terms.len() as u64);
    for (term, pairs) in terms {
        put_str(&mut out, term);
        let groups: Vec<&[(u32, u32)]> = pairs.chunk_by(|a, b| a.0 == b.0).collect();
        put_varint(&mut out, groups.len() as u64);
        let mut last_doc = 0u32;
        for group in groups {
            let doc = group[0].0;
            put_varint(&mut out, u64::from(doc - last_doc));
            last_doc = doc;
            put_varint(&mut out, group.len() as u64);
            let mut last = 0u32;
            for &(_, p) in group {
                put_varint(&mut out, u64::from(p - last));
                last = p;
            }
        }
    }
    out
}

pub fn decode_positions(bytes: &[u8]) -> Option<Vec<(String, TermPositions)>> {
    let mut r = Reader::new(bytes);
    let n = r.varint()? as usize;
    let mut out = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let term = r.str()?.to_string();
        let count = r.varint()? as usize;
        let mut docs = Vec::with_capacity(count.min(1 << 16));
        let mut doc = 0u32;
        for _ in 0..count {
            doc = doc.checked_add(u32::try_from(r.varint()?).ok()?)?;
            let len = r.varint()? as usize;
            let mut positions = Vec::with_capacity(len.min(1 << 16));
            let mut p = 0u32;
            for _ in 0..len {
                p = p.checked_add(u32::try_from(r.varint()?).ok()?)?;
                positions.push(p);
            }
            docs.push((doc, positions));
        }
        out.push((term, docs));
    }
    Some(out)
}

/// A chunk's documents as UTF-8 text, each field ended by a newline (a newline inside one
/// becomes a space): url, title, kind, then the first [`EXCERPT_CHARS`] characters of its text.
/// Text, not binary: the file carries it as a JS string, whose gzip is two thirds of the
/// same bytes' base64 (at 10,000 pages, 0.8 against 1.2 kB for four documents).
pub fn encode_docs<'a>(docs: impl IntoIterator<Item = &'a DocMeta>) -> Vec<u8> {
    let mut out = String::new();
    for d in docs {
        for field in [
            d.url.as_str(),
            &d.title,
            &d.kind,
            &d.text[..char_end(&d.text, EXCERPT_CHARS)],
        ] {
            out.extend(field.chars().map(|c| if c == '\n' { ' ' } else { c }));
            out.push('\n');
        }
    }
    out.into_bytes()
}

pub fn decode_docs(bytes: &[u8]) -> Option<Vec<DocMeta>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let fields: Vec<&str> = text.split_terminator('\n').collect();
    // Every field ends in a newline: text after the last one is a cut file.
    if !(text.is_empty() || text.ends_with('\n')) || fields.len() % 4 != 0 {
        return None;
    }
    Some(
        fields
            .chunks_exact(4)
            .map(|f| DocMeta {
                url: f[0].to_string(),
                title: f[1].to_string(),
                kind: f[2].to_string(),
                text: f[3].to_string(),
                facets: Vec::new(),
            })
            .collect(),
    )
}

/// The documents of a common word's first results, so that a query of that word alone needs
/// no chunk: a line of their numbers, then the documents as [`encode_docs`] writes a chunk's.
pub fn encode_records(ids: &[u32], docs: &[DocMeta]) -> Vec<u8> {
    let picked: Vec<(u32, &DocMeta)> = ids
        .iter()
        .filter_map(|&i| Some((i, docs.get(i as usize)?)))
        .collect();
    let line: Vec<String> = picked.iter().map(|(i, _)| i.to_string()).collect();
    let mut out = format!("{}\n", line.join(" ")).into_bytes();
    out.extend(encode_docs(picked.into_iter().map(|(_, d)| d)));
    out
}

/// (document number, document) pairs; `None` when the numbers and documents disagree.
pub fn decode_records(bytes: &[u8]) -> Option<Vec<(usize, DocMeta)>> {
    let at = bytes.iter().position(|&b| b == b'\n')?;
    let mut ids = bytes[..at].split(|&b| b == b' ').filter(|n| !n.is_empty());
    let mut out = Vec::new();
    // Digits by hand: `str::parse` and collecting into an `Option` added 2.6 kB to the runtime.
    for d in decode_docs(&bytes[at + 1..])? {
        let id = ids.next()?.iter().try_fold(0usize, |n, &b| {
            let digit = b.checked_sub(b'0').filter(|x| *x < 10)?;
            n.checked_mul(10)?.checked_add(usize::from(digit))
        })?;
        out.push((id, d));
    }
    ids.next().is_none().then_some(out)
}

/// One document's whole text, for excerpts the stored first characters cannot give: its
/// UTF-8, as the file's JS string gives it back. The index stage cut it to [`TEXT_CHARS`]
/// where it made it.
pub fn encode_text(d: &DocMeta) -> Vec<u8> {
    d.text.as_bytes().to_vec()
}

pub fn decode_text(bytes: &[u8]) -> Option<String> {
    std::str::from_utf8(bytes).ok().map(str::to_string)
}

/// The facet files [`encode_facets`] writes.
pub struct FacetFiles {
    /// (facet, bytes) sorted by facet: a filter loads only its own facet's.
    pub each: Vec<(String, Vec<u8>)>,
    /// With several facets, all of them in one file ([`ALL_FACETS`]) for the counts, which
    /// need every facet: one request instead of one per facet.
    pub all: Option<Vec<u8>>,
}

/// Facet bitsets: for every `facet:value`, one bit per document.
pub fn encode_facets(docs: &[DocMeta]) -> FacetFiles {
    let mut values: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    let nbytes = docs.len().div_ceil(8);
    for (i, d) in docs.iter().enumerate() {
        for f in &d.facets {
            values.entry(f).or_insert_with(|| vec![0; nbytes])[i / 8] |= 1 << (i % 8);
        }
    }
    let encode = |values: &[(&str, &Vec<u8>)]| {
        let mut out = Vec::new();
        put_varint(&mut out, values.len() as u64);
        for (k, bits) in values {
            put_str(&mut out, k);
            put_varint(&mut out, bits.len() as u64);
            out.extend_from_slice(bits);
        }
        out
    };
    let mut per_facet: BTreeMap<&str, Vec<(&str, &Vec<u8>)>> = BTreeMap::new();
    for (k, bits) in &values {
        let facet = k.split_once(':').map_or(*k, |(f, _)| f);
        per_facet.entry(facet).or_default().push((k, bits));
    }
    let all: Vec<(&str, &Vec<u8>)> = values.iter().map(|(k, b)| (*k, b)).collect();
    FacetFiles {
        all: (per_facet.len() > 1).then(|| encode(&all)),
        each: per_facet
            .iter()
            .map(|(facet, values)| (facet.to_string(), encode(values)))
            .collect(),
    }
}

/// The name the file of all facets goes by in the manifest's `allfacets` (its number is the
/// count of facets, one past the last facet's own).
pub const ALL_FACETS: &str = "allfacets";

pub fn decode_facets(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut r = Reader::new(bytes);
    let n = r.varint()? as usize;
    let mut out = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let k = r.str()?.to_string();
        let len = r.varint()? as usize;
        out.push((k, r.bytes(len)?.to_vec()));
    }
    Some(out)
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    crate::engine::escape_json_into(&mut out, s);
    out.push('"');
    out
}

/// A shard's or position file's manifest entry: `[first, hash]`, or `[first, hash, last]`
/// when it holds more than one term. The last term lets the runtime skip a file whose terms
/// all sort before a query's range: with only first terms, a file seemed to reach up to its
/// successor's first term, and a pasted word loaded one file too many (at 10,000 pages, 18 kB).
fn key_range_json(first: &str, last: &str, hash: &str) -> String {
    if first == last {
        format!("[{},\"{hash}\"]", json_str(first))
    } else {
        format!("[{},\"{hash}\",{}]", json_str(first), json_str(last))
    }
}

/// Splits sorted items into consecutive runs of about `budget` bytes. An item that would
/// overflow a run starts the next one, so that a common word's long list does not make its
/// neighbours' file large too (it gets a file of its own).
fn split<T>(items: &[T], cost: impl Fn(&T) -> usize, budget: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, item) in items.iter().enumerate() {
        let c = cost(item);
        if i > start && size + c > budget {
            runs.push((start, i));
            start = i;
            size = 0;
        }
        size += c;
    }
    if start < items.len() {
        runs.push((start, items.len()));
    }
    runs
}

/// Per term shard (`runs` of the sorted `terms`), its [`Hint`]: a line `term id id…` for
/// each of its terms whose plan, the term typed as a query word with more words after it, reads other shards
/// than this one: their numbers, as the runtime's plan and the loader's `shardsFor` would
/// pick them (every shard a key range meets, but of the one-term shards a prefix reaches,
/// only those the word [`Engine::reads`]). The loader guesses a first query's shards
/// before the runtime is in from the words as typed; with these, the shards of a word's
/// stem and base forms (`lapsen`: `laps`, `lapsi`) load in the same round instead of
/// after the runtime, one request round less. The index has every term here, where the
/// runtime knows only what it has loaded, so the runtime's plan never needs fewer.
fn hints(
    lang: &str,
    n_docs: u32,
    terms: &[(&String, &Vec<Posting>)],
    runs: &[(usize, usize)],
) -> Vec<Hint> {
    use std::fmt::Write;
    let all = terms
        .iter()
        .map(|(t, p)| ((*t).clone(), (*p).clone()))
        .collect();
    let engine = crate::engine::Engine::with_terms(lang, n_docs, all);
    let has = |t: &str| terms.binary_search_by(|(x, _)| x.as_str().cmp(t)).is_ok();
    // The shards whose key range [first, last] meets [from, to], as the loader's `within`.
    let within = |from: &str, to: &str| {
        let lo = runs.partition_point(|&(_, end)| terms[end - 1].0.as_str() < from);
        let hi = lo + runs[lo..].partition_point(|&(start, _)| terms[start].0.as_str() <= to);
        lo..hi
    };
    let hint = |own: usize| {
        let (start, end) = runs[own];
        let mut hint = Hint::default();
        let mut ids = Vec::new();
        for (t, _) in &terms[start..end] {
            let Some(w) = engine.word_alone(t) else {
                continue;
            };
            ids.clear();
            for e in &w.exact {
                ids.extend(within(e, e));
            }
            for (p, _) in &w.prefixes {
                let to = format!("{p}\u{10ffff}");
                ids.extend(within(p, &to).filter(|&k| {
                    let (s, e) = runs[k];
                    e - s > 1 || engine.reads(&w, terms[s].0, &has)
                }));
            }
            ids.sort_unstable();
            ids.dedup();
            ids.retain(|&k| k != own);
            if end - start == 1 {
                let request = crate::engine::Request {
                    query: t.to_string(),
                    filters: Vec::new(),
                    limit: FIRST_RESULTS,
                };
                hint.firsts = engine.search(&request).hits.iter().map(|h| h.doc).collect();
                hint.follow = ids.clone();
                continue;
            }
            if ids.is_empty() {
                continue;
            }
            hint.lines.push_str(t);
            for k in &ids {
                let _ = write!(hint.lines, " {k}");
            }
            hint.lines.push('\n');
        }
        hint
    };
    // A search per common word: 0.3 ms each at 10,000 pages, so on every core. Threads of
    // the standard library, not rayon's: with rayon linked in, the browser runtime built
    // from this crate came out 1.1 kB larger, though it calls none of this.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = runs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..runs.len())
            .step_by(per)
            .map(|from| {
                let hint = &hint;
                scope.spawn(move || {
                    (from..(from + per).min(runs.len()))
                        .map(hint)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// What [`hints`] gives a term shard.
#[derive(Debug, Clone, Default)]
struct Hint {
    /// A line `term id id…` per term whose plan reads other shards: for the file itself.
    lines: String,
    /// For a shard of one term (a common word on a large site), the other shards its plan
    /// reads, for the manifest's `follow` instead of a line: the loader asks for them with
    /// the word's own file, not after it.
    follow: Vec<usize>,
    /// For a shard of one term, the documents of its first [`FIRST_RESULTS`] results as a
    /// query of that word alone, being typed, in rank order: its records file
    /// ([`encode_records`]).
    firsts: Vec<u32>,
}

/// The manifest's `follow`: per file of one term, the files its word's plan reads, as
/// `gap:offset,offset;…`, the file's number as the gap from the one before and the others' as
/// offsets from it (`124:-1,3` for `lapsen`, whose stem is in 123 and base form in 127): at
/// 10,000 pages 2 kB, 0.5 gzipped, where JSON of the numbers was 1.3 kB gzipped.
fn follow_string(follow: &[(usize, Vec<usize>)]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut before = 0;
    for (id, ids) in follow {
        if !out.is_empty() {
            out.push(';');
        }
        let _ = write!(out, "{}:", id - before);
        for (k, other) in ids.iter().enumerate() {
            let sep = if k > 0 { "," } else { "" };
            let _ = write!(out, "{sep}{}", *other as i64 - *id as i64);
        }
        before = *id;
    }
    out
}

/// Adds files of `kind` numbered from 0 that share one hash, of all their payloads (the
/// manifest names the hash, not each file), and returns the hash.
fn numbered(
    files: &mut Vec<File>,
    lang: &str,
    kind: &'static str,
    payloads: Vec<Vec<u8>>,
) -> String {
    let hash = hash8_all(&payloads);
    for (id, payload) in payloads.into_iter().enumerate() {
        files.push(File {
            name: format!("{lang}-{kind}{id}.{hash}.js"),
            kind,
            id,
            payload,
            hints: String::new(),
        });
    }
    hash
}

/// Writes the files of one language's index; names are `<lang>-<kind><n>.<hash>.js`.
/// `hinted`: whether term shards carry [`hints`] for the browser's loader (an engine that
/// loads every file at once, the CLI's, reads none).
pub fn write(data: &IndexData, hinted: bool) -> Written {
    let lang = &data.lang;
    let mut files = Vec::new();
    let mut shards_json = Vec::new();
    let terms: Vec<(&String, &Vec<Posting>)> = data.terms.iter().collect();
    let cost = |(t, p): &(&String, &Vec<Posting>)| t.len() + 2 + p.len() * 2;
    let runs = split(&terms, cost, SHARD_BYTES);
    let hints: Vec<Hint> = if hinted {
        hints(lang, data.docs.len() as u32, &terms, &runs)
    } else {
        vec![Hint::default(); runs.len()]
    };
    let mut follow = Vec::new();
    for (id, (&(start, end), hint)) in runs.iter().zip(hints).enumerate() {
        let bytes = encode_shard(&terms[start..end]);
        // A file of one term (a common word on a large site) names the files its word's plan
        // reads in the manifest, not in itself: one request round less (at 10,000 pages
        // `lapsen ja perheen` a second after load 87 -> 73 ms, over a phone link 215 -> 197).
        let Hint {
            lines: hints,
            follow: reads,
            firsts,
        } = hint;
        if !reads.is_empty() {
            follow.push((id, reads));
        }
        // A shard of one term (a common word on a large site) has a records file beside it,
        // of the same number and hash: the documents of the word's first results, which a
        // query of that word alone loads with its term files instead of a round of chunks
        // after the search over them (at 10,000 pages one file of 1.5 kB gzipped for
        // `lastensuojelu` instead of five chunks of 1.8). Its own file, not a part of the
        // term file: a query of several such words loads each word's term file, and their
        // records would be bytes it never reads.
        let records = (hinted && end - start == 1).then(|| encode_records(&firsts, &data.docs));
        let hash = hash8_all(&[
            &bytes,
            hints.as_bytes(),
            records.as_deref().unwrap_or_default(),
        ]);
        shards_json.push(key_range_json(terms[start].0, terms[end - 1].0, &hash));
        files.push(File {
            name: format!("{lang}-s{id}.{hash}.js"),
            kind: "s",
            id,
            payload: bytes,
            hints,
        });
        if let Some(records) = records {
            files.push(File {
                name: format!("{lang}-r{id}.{hash}.js"),
                kind: "r",
                id,
                payload: records,
                hints: String::new(),
            });
        }
    }
    let mut positions_json = Vec::new();
    let positions: Vec<(&String, &Vec<(u32, u32)>)> = data.positions.iter().collect();
    let cost = |(t, p): &(&String, &Vec<(u32, u32)>)| t.len() + 2 + p.len() * 3;
    for (start, end) in split(&positions, cost, POSITION_BYTES) {
        let bytes = encode_positions(&positions[start..end]);
        let id = positions_json.len();
        let hash = hash8(&bytes);
        positions_json.push(key_range_json(
            positions[start].0,
            positions[end - 1].0,
            &hash,
        ));
        files.push(File {
            name: format!("{lang}-p{id}.{hash}.js"),
            kind: "p",
            id,
            payload: bytes,
            hints: String::new(),
        });
    }
    // Doc chunks share one hash, of all of them: a name per chunk would make the manifest
    // grow with the site (16 kB at 10,000 pages), and every first search loads the manifest.
    let chunks: Vec<Vec<u8>> = data.docs.chunks(DOC_CHUNK).map(encode_docs).collect();
    let docs_hash = numbered(&mut files, lang, "d", chunks);
    // One file per document, not per chunk: a search loads the texts of only the results
    // whose excerpt needs them, and a text is ten times a document's metadata.
    let texts: Vec<Vec<u8>> = data.docs.iter().map(encode_text).collect();
    let texts_hash = numbered(&mut files, lang, "t", texts);
    let mut facets_json = Vec::new();
    let FacetFiles { each, all } = encode_facets(&data.docs);
    let n_facets = each.len();
    for (id, (facet, bytes)) in each.into_iter().enumerate() {
        let hash = hash8(&bytes);
        facets_json.push(format!("[{},\"{hash}\"]", json_str(&facet)));
        files.push(File {
            name: format!("{lang}-f{id}.{hash}.js"),
            kind: "f",
            id,
            payload: bytes,
            hints: String::new(),
        });
    }
    // For the browser only: an engine that loads every file at once (the CLI's) has each
    // facet's own already.
    let mut all_json = String::new();
    if let Some(bytes) = all.filter(|_| hinted) {
        let hash = hash8(&bytes);
        all_json = format!(",\"{ALL_FACETS}\":\"{hash}\"");
        files.push(File {
            name: format!("{lang}-f{n_facets}.{hash}.js"),
            kind: "f",
            id: n_facets,
            payload: bytes,
            hints: String::new(),
        });
    }
    // The function words, so that the loader's guess before the runtime is in skips them
    // as the engine's plan does.
    let stop: Vec<String> = crate::stopwords::of(lang)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(json_str)
        .collect();
    let manifest = format!(
        "{{\"lang\":{},\"docs\":{},\"chunk\":{},\"shards\":[{}],\"positions\":[{}],\"dochash\":\"{docs_hash}\",\"texthash\":\"{texts_hash}\",\"facets\":[{}]{all_json},\"follow\":\"{}\",\"stop\":[{}]}}",
        json_str(lang),
        data.docs.len(),
        DOC_CHUNK,
        shards_json.join(","),
        positions_json.join(","),
        facets_json.join(","),
        follow_string(&follow),
        stop.join(",")
    );
    Written { manifest, files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_round_trip_and_reject_garbage() {
        let t = "kissa".to_string();
        let p = vec![
            Posting {
                doc: 3,
                impact: 200,
            },
            Posting { doc: 9, impact: 1 },
        ];
        let bytes = encode_shard(&[(&t, &p)]);
        assert_eq!(decode_shard(&bytes).unwrap(), vec![(t, p)]);
        assert!(decode_shard(&bytes[..bytes.len() - 1]).is_none());
        assert!(decode_shard(&[0xff, 0xff, 0xff, 0xff, 0x0f]).is_none());
    }

    /// A Finnish index whose `terms` each have a list long enough for a shard of its own.
    fn index_of_long_lists(terms: &[&str]) -> IndexData {
        let mut data = IndexData {
            lang: "fi".into(),
            ..IndexData::default()
        };
        let long: Vec<Posting> = (0..8190).map(|doc| Posting { doc, impact: 7 }).collect();
        for t in terms {
            data.terms.insert(t.to_string(), long.clone());
        }
        data
    }

    /// The manifest names each shard's first and last term, so that the runtime loads a file
    /// only when a query's key range meets the terms it really holds.
    #[test]
    fn manifest_bounds_each_shard_by_its_first_and_last_term() {
        // Long lists make several shards; "yksi" alone and "zz" with its neighbour show both
        // entry shapes.
        let mut data = index_of_long_lists(&["aalto", "kissa", "koira", "yksi"]);
        for t in ["zz", "zzz"] {
            let short = (0..10).map(|doc| Posting { doc, impact: 7 }).collect();
            data.terms.insert(t.into(), short);
        }
        let written = write(&data, true);
        let shards: Vec<&File> = written.files.iter().filter(|f| f.kind == "s").collect();
        let entries: Vec<String> = shards
            .iter()
            .map(|f| {
                let terms: Vec<String> = decode_shard(&f.payload)
                    .unwrap()
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect();
                let hash = &f.name[f.name.find('.').unwrap() + 1..f.name.len() - 3];
                key_range_json(&terms[0], terms.last().unwrap(), hash)
            })
            .collect();
        assert!(entries.len() >= 4, "{entries:?}");
        assert!(written
            .manifest
            .contains(&format!("\"shards\":[{}]", entries.join(","))));
        assert!(entries
            .iter()
            .any(|e| e.starts_with("[\"yksi\",") && e.matches(',').count() == 1));
        assert!(entries
            .iter()
            .any(|e| e.starts_with("[\"zz\",") && e.ends_with(",\"zzz\"]")));
    }

    #[test]
    fn follow_names_each_file_by_its_gap_from_the_last_and_the_others_by_their_offsets() {
        let follow = [
            (124, vec![123, 127]),
            (204, vec![202, 203]),
            (205, vec![300]),
        ];
        assert_eq!(follow_string(&follow), "124:-1,3;80:-2,-1;1:95");
        assert_eq!(follow_string(&[]), "");
    }

    /// The manifest's `follow`, read as the loader reads it.
    fn follows(manifest: &str) -> BTreeMap<usize, Vec<usize>> {
        let at = manifest.find("\"follow\":\"").unwrap() + "\"follow\":\"".len();
        let text = &manifest[at..at + manifest[at..].find('"').unwrap()];
        let mut out = BTreeMap::new();
        let mut id = 0;
        for entry in text.split(';').filter(|e| !e.is_empty()) {
            let (gap, offsets) = entry.split_once(':').unwrap();
            id += gap.parse::<usize>().unwrap();
            let ids = offsets
                .split(',')
                .map(|o| (id as i64 + o.parse::<i64>().unwrap()) as usize);
            out.insert(id, ids.collect());
        }
        out
    }

    /// A shard's hints name the other shards its words' plans read, so that the loader can
    /// fetch them before the runtime is in: a word's stem and base forms, and what its stem's
    /// prefix reaches, but not a form its term was lent. A word with a file of its own has
    /// them in the manifest instead, and a records file beside it: the documents of its first
    /// results, in rank order.
    #[test]
    fn a_shards_hints_name_the_shards_its_words_plans_read() {
        let words = [
            "laps",
            "lapsen",
            "lapset",
            "lapsi",
            "perhekeskuksen",
            "perhekeskus",
            "perhekeskustelu",
        ];
        let mut data = index_of_long_lists(&words);
        for t in ["lapsena", "lapseni"] {
            let short = (0..10).map(|doc| Posting { doc, impact: 7 }).collect();
            data.terms.insert(t.into(), short);
        }
        // Two pages where `lapsen` weighs most: its first results, then the rest by number.
        let lapsen = data.terms.get_mut("lapsen").unwrap();
        lapsen[100].impact = 250;
        lapsen[30].impact = 200;
        data.docs = (0..8190)
            .map(|i| DocMeta {
                url: format!("{i}/"),
                title: String::new(),
                kind: String::new(),
                text: String::new(),
                facets: Vec::new(),
            })
            .collect();
        let written = write(&data, true);
        let shards: Vec<&File> = written.files.iter().filter(|f| f.kind == "s").collect();
        let shard_of = |t: &str| {
            shards
                .iter()
                .position(|f| decode_shard(&f.payload).unwrap()[0].0 == t)
                .unwrap()
        };
        // Each word a file of its own, and `lapsena` and `lapseni` one together.
        assert_eq!(shards.len(), words.len() + 1);
        // `lapsen`: its stem `laps` and its base form `lapsi`, not `lapset`, another form. A
        // file of one term names them in the manifest, so they load with it, not after it.
        let follow = follows(&written.manifest);
        let lapsen = &shards[shard_of("lapsen")];
        let want = vec![shard_of("laps"), shard_of("lapsi")];
        assert_eq!(follow.get(&lapsen.id), Some(&want), "{}", written.manifest);
        // `perhekeskus`: its stem's prefix `perhekesk` reaches `perhekeskustelu`, another
        // word, and `perhekeskuksen`, a form whose pages the export lent `perhekeskus`.
        let keskus = vec![shard_of("perhekeskustelu")];
        assert_eq!(follow.get(&shard_of("perhekeskus")), Some(&keskus));
        // Words in a file of several terms: their lines in it, after its payload.
        let several = &shards[shard_of("lapsena")];
        let line = format!("lapsena {} {}\n", shard_of("laps"), shard_of("lapsi"));
        assert!(several.hints.contains(&line), "{:?}", several.hints);
        let js = String::from_utf8(several.js("fi")).unwrap();
        let tail = format!("\",\"{}\");\n", several.hints.replace('\n', "\\n"));
        assert!(js.ends_with(&tail), "{js}");
        assert!(shards
            .iter()
            .all(|f| f.hints.is_empty() || f.id == several.id));
        // A shard's hint never names itself, and the hints are part of its name's hash.
        assert!(!several
            .hints
            .lines()
            .any(|l| l.split(' ').skip(1).any(|k| k == several.id.to_string())));
        assert!(!follow.contains_key(&several.id));
        assert_ne!(
            several.name,
            format!("fi-s{}.{}.js", several.id, hash8(&several.payload))
        );
        // Every one-term shard has its records file, of its number and hash: for `lapsen`,
        // pages 100 and 30, then 0-7 (ties go to the lower number).
        let records: Vec<&File> = written.files.iter().filter(|f| f.kind == "r").collect();
        assert_eq!(records.len(), words.len());
        for (s, r) in shards.iter().filter(|s| s.id != several.id).zip(&records) {
            assert_eq!(r.id, s.id);
            assert_eq!(r.name, s.name.replacen("-s", "-r", 1));
        }
        let first = decode_records(&records[shard_of("lapsen")].payload).unwrap();
        let ids: Vec<usize> = first.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, [100, 30, 0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(first.iter().all(|(i, d)| d.url == format!("{i}/")));
        let js = String::from_utf8(records[shard_of("lapsen")].js("fi")).unwrap();
        let head = format!(
            "tietopankki._text(\"fi\",\"r\",{},\"100 30 0 1 ",
            shard_of("lapsen")
        );
        assert!(js.starts_with(&head), "{js}");
        // The records are part of the name's hash: a page's new title renames both files.
        data.docs[30].title = "Uusi otsikko".into();
        let renamed = write(&data, true);
        let named = |w: &Written, kind: &str| {
            w.files
                .iter()
                .find(|f| f.kind == kind && f.id == lapsen.id)
                .unwrap()
                .name
                .clone()
        };
        assert_ne!(named(&renamed, "s"), lapsen.name);
        assert_eq!(
            named(&renamed, "s").replacen("-s", "-r", 1),
            named(&renamed, "r")
        );
    }

    /// Where no word has a file of its own there are no records files; nor for an engine
    /// that reads every file at once (the CLI's), whatever the words.
    #[test]
    fn no_records_files_without_common_words_or_for_the_cli() {
        let mut data = index_of_long_lists(&[]);
        for t in ["kissa", "koira"] {
            let short = (0..10).map(|doc| Posting { doc, impact: 7 }).collect();
            data.terms.insert(t.into(), short);
        }
        let written = write(&data, true);
        assert_eq!(written.files.iter().filter(|f| f.kind == "s").count(), 1);
        assert!(written.files.iter().all(|f| f.kind != "r"));
        let written = write(&index_of_long_lists(&["kissa", "koira"]), false);
        assert_eq!(written.files.iter().filter(|f| f.kind == "s").count(), 2);
        assert!(written.files.iter().all(|f| f.kind != "r"));
    }

    /// Records read back as the documents they were made of, each with its number; a file
    /// whose numbers and documents disagree, or cut short, reads as nothing.
    #[test]
    fn records_round_trip_and_reject_garbage() {
        let docs: Vec<DocMeta> = (0..5)
            .map(|i| DocMeta {
                url: format!("{i}/"),
                title: format!("Otsikko {i}"),
                kind: "method".into(),
                text: "ä".repeat(EXCERPT_CHARS + 9),
                facets: vec!["teemat:x".into()],
            })
            .collect();
        let bytes = encode_records(&[4, 0, 2], &docs);
        let back = decode_records(&bytes).unwrap();
        assert_eq!(back.len(), 3);
        for ((i, d), want) in back.iter().zip([4, 0, 2]) {
            assert_eq!(*i, want);
            assert_eq!(d.title, docs[want].title);
            assert_eq!(d.text.chars().count(), EXCERPT_CHARS);
        }
        assert_eq!(
            decode_records(&encode_records(&[], &docs)),
            Some(Vec::new())
        );
        // A number past the documents is left out, not a panic.
        assert_eq!(
            decode_records(&encode_records(&[1, 99], &docs))
                .unwrap()
                .len(),
            1
        );
        let text = String::from_utf8(bytes).unwrap();
        for bad in [
            text.replacen("4 0 2", "4 0", 1),
            text.replacen("4 0 2", "4 0 2 3", 1),
            text.replacen("4 0 2", "4 x 2", 1),
            text.replacen("4 0 2", "4 99999999999999999999999 2", 1),
            text[..text.len() - 3].to_string(),
            String::new(),
        ] {
            assert_eq!(decode_records(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn positions_round_trip_and_reject_garbage() {
        let t = "lapsi".to_string();
        let pairs = vec![(2, 0), (2, 7), (2, FIELD_GAP + 3), (40, 5)];
        let bytes = encode_positions(&[(&t, &pairs)]);
        let grouped: TermPositions = vec![(2, vec![0, 7, FIELD_GAP + 3]), (40, vec![5])];
        assert_eq!(decode_positions(&bytes).unwrap(), vec![(t, grouped)]);
        assert!(decode_positions(&bytes[..bytes.len() - 1]).is_none());
    }

    #[test]
    fn doc_chunks_round_trip_as_text_and_reject_garbage() {
        let doc = |url: &str, title: &str, text: &str| DocMeta {
            url: url.into(),
            title: title.into(),
            kind: "method".into(),
            text: text.into(),
            facets: vec!["teemat:x".into()],
        };
        let long = "ä".repeat(EXCERPT_CHARS + 50);
        let docs = [
            doc("a/", "Perhe\nterapia", "\"<b>\" \\ ok"),
            doc("b/", "", &long),
        ];
        let bytes = encode_docs(&docs);
        let back = decode_docs(&bytes).unwrap();
        // A newline inside a field would end it: it reads as a space. Only the excerpt's
        // start is kept, cut at a character; facets live in their own files.
        assert_eq!(back[0].title, "Perhe terapia");
        assert_eq!(back[0].text, "\"<b>\" \\ ok");
        assert_eq!(back[1].url, "b/");
        assert_eq!(back[1].title, "");
        assert_eq!(back[1].text.chars().count(), EXCERPT_CHARS);
        assert!(back.iter().all(|d| d.facets.is_empty()));
        // The file is a JS string the browser reads back as the same UTF-8.
        let file = File {
            name: "fi-d0.x.js".into(),
            kind: "d",
            id: 0,
            payload: bytes.clone(),
            hints: String::new(),
        };
        let js = String::from_utf8(file.js("fi")).unwrap();
        assert!(
            js.starts_with("tietopankki._text(\"fi\",\"d\",0,\"a/\\nPerhe terapia\\n"),
            "{js}"
        );
        assert!(!js.contains("<b>"), "{js}");
        assert_eq!(decode_docs(b"").unwrap(), vec![]);
        assert!(decode_docs(&bytes[..bytes.len() - 1]).is_none());
        assert!(decode_docs(b"a/\nt\nmethod\n").is_none());
        assert!(decode_docs(&[0xff, b'\n', b'\n', b'\n', b'\n']).is_none());
    }

    #[test]
    fn the_counts_load_every_facet_in_one_file_and_a_filter_its_own() {
        let doc = |facets: &[&str]| DocMeta {
            url: "a/".into(),
            title: "t".into(),
            kind: "method".into(),
            text: "perhe".into(),
            facets: facets.iter().map(|f| f.to_string()).collect(),
        };
        let data = IndexData {
            lang: "fi".into(),
            docs: vec![
                doc(&["teemat:a", "tyyppi:method"]),
                doc(&["teemat:b", "tyyppi:method", "ikaryhmat:0-6"]),
            ],
            terms: BTreeMap::from([(
                "perhe".to_string(),
                vec![Posting { doc: 0, impact: 9 }, Posting { doc: 1, impact: 9 }],
            )]),
            positions: BTreeMap::new(),
        };
        let browser = write(&data, true);
        let facets: Vec<&File> = browser.files.iter().filter(|f| f.kind == "f").collect();
        // Three facets' own files, numbered in the manifest's order, then all of them.
        assert_eq!(facets.len(), 4);
        assert_eq!(facets[3].id, 3);
        let all = decode_facets(&facets[3].payload).unwrap();
        let mut each: Vec<(String, Vec<u8>)> = facets[..3]
            .iter()
            .flat_map(|f| decode_facets(&f.payload).unwrap())
            .collect();
        each.sort();
        assert_eq!(all, each);
        let hash = &facets[3].name["fi-f3.".len()..facets[3].name.len() - ".js".len()];
        assert!(
            browser
                .manifest
                .contains(&format!("\"{ALL_FACETS}\":\"{hash}\"")),
            "{}",
            browser.manifest
        );
        assert!(browser.manifest.starts_with("{\"lang\":\"fi\""));
        // The CLI's engine loads every file: it gets each facet once, from its own.
        let cli = write(&data, false);
        assert_eq!(cli.files.iter().filter(|f| f.kind == "f").count(), 3);
        assert!(!cli.manifest.contains(ALL_FACETS));
        // One facet alone has no second file.
        let mut one = data.clone();
        for d in &mut one.docs {
            d.facets.retain(|f| f.starts_with("teemat:"));
        }
        let one = write(&one, true);
        assert_eq!(one.files.iter().filter(|f| f.kind == "f").count(), 1);
        assert!(!one.manifest.contains(ALL_FACETS));
    }
}
