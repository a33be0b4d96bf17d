//! The query engine, the same code natively (CLI, tests) and in the browser (wasm): parse the
//! query, match terms (exact, stem-relaxed prefix, and prefix on the last word as the user types),
//! score with the precomputed impacts, keep quoted phrases whose words stand in order, AND
//! falling back to OR, filter and count facets, and cut excerpts with the matched words in `<mark>`.

use crate::analyzer::{fold, fold_char, words, Analyzer, Lang};
use crate::format::{
    decode_docs, decode_facets, decode_positions, decode_records, decode_shard, decode_text,
    DocMeta, Posting, TermPositions,
};

/// Shortest last word that is expanded as a prefix.
pub const MIN_PREFIX: usize = 3;
/// Characters of a result's excerpt.
const EXCERPT_MAX: usize = 180;
/// Most index terms one prefix expands to.
pub const MAX_EXPANSIONS: usize = 64;
const W_EXACT: f32 = 1.0;
const W_PREFIX: f32 = 0.8;
const W_RELAXED: f32 = 0.5;
/// A base form read for an inflected query word (`väkivalta` for `väkivallasta`): the pages
/// using the form typed come first.
const W_BASE: f32 = 0.8;
/// Base forms read per query word: the rule's candidates beyond the first few are rarer
/// stem changes, each costing a key range to load.
const MAX_BASES: usize = 8;
/// Last parts tried for a word that matched nothing, longest first.
const MAX_PARTS: usize = 12;

/// One word of the query and the index terms it may match, with weights.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    pub text: String,
    /// The word's own terms (stem, surface form) first, then the base forms it may be an
    /// inflection of, which weigh less (`W_BASE`).
    pub exact: Vec<String>,
    /// How many of `exact` are the word's own terms.
    pub own: usize,
    /// Prefixes matched with their weight: the stem minus its last letters, and the typed word.
    pub prefixes: Vec<(String, f32)>,
    /// The quoted phrase this word belongs to (1, 2, …), or 0. Phrase words match exactly.
    pub phrase: u32,
    /// The inflections of `exact`'s terms (Finnish), to mark their forms in excerpts.
    pub paradigms: Vec<crate::inflection::Paradigm>,
}

impl QueryWord {
    /// The word as typed, lowercased and folded: its surface form, or its stem when the two
    /// are one.
    fn typed(&self) -> &str {
        &self.exact[self.own - 1]
    }
}

/// A key range a query reads, inclusive; `positions` when a phrase needs its position file.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRange {
    pub from: String,
    pub to: String,
    pub positions: bool,
}

impl KeyRange {
    /// The range of one term, without positions.
    fn term(t: String) -> KeyRange {
        KeyRange {
            from: t.clone(),
            to: t,
            positions: false,
        }
    }
}

/// A parsed query and its filters.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub query: String,
    /// facet → accepted values (OR within a facet, AND across facets).
    pub filters: Vec<(String, Vec<String>)>,
    pub limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub doc: u32,
    pub score: f32,
    /// The query words the document lacks, one bit each (word k: `1 << k`); none for a
    /// document with every word.
    pub missing: u32,
    /// The compound words it has only as their parts apart (same bits): after the pages
    /// with the words themselves.
    pub apart: u32,
}

/// Fewer documents than this have every word: those with some of the words follow them,
/// the most words first, so a precise query (`masentunut nuori`, one page with both) still
/// lists its neighbours, each result saying which words it lacks. A results page is ten.
const SOFT_MIN: usize = 10;

/// One engine's last search, kept for the next. A first query searches again once its
/// results' documents are in, and the search page asks for its first screenful and then the
/// rest: those pick from the same scores instead of scoring every document again.
#[derive(Debug, Default)]
pub struct LastSearch {
    /// The request less its first line (the limit), the engine's generation then, and the
    /// scores.
    last: Option<(String, u64, Scored)>,
}

impl LastSearch {
    /// Const, unlike `default()`: the runtime's thread-local then needs no lazy set-up (330
    /// bytes of wasm).
    pub const fn new() -> LastSearch {
        LastSearch { last: None }
    }

    /// `e`'s outcome for a request in [`parse_request`]'s format: as [`Engine::search`], from
    /// the last scores when the query, filters and loaded terms, positions and facets are the
    /// same.
    pub fn search(&mut self, e: &Engine, request: &str) -> &Outcome {
        let req = parse_request(request);
        // All but the first line, the limit.
        let key = request.split_once('\n').map_or("", |(_, rest)| rest);
        let generation = e.generation();
        if !matches!(&self.last, Some((k, g, _)) if k == key && *g == generation) {
            self.last = None;
        }
        let (_, _, scored) = self
            .last
            .get_or_insert_with(|| (key.to_string(), generation, e.score(&req)));
        e.pick(scored, req.limit);
        &scored.outcome
    }
}

/// A query's documents scored ([`Engine::score`]), from which [`Engine::pick`] takes the best.
#[derive(Debug, Default)]
pub struct Scored {
    /// The outcome; its hits and chunks needed are [`Engine::pick`]'s.
    outcome: Outcome,
    /// Every matching document.
    candidates: Vec<Hit>,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// facet → value → count over the filtered result set, in key order.
    pub facets: Vec<(String, Vec<(String, usize)>)>,
    /// Document chunks the results need that are not loaded yet.
    pub need_chunks: Vec<u32>,
    pub words: Vec<QueryWord>,
    /// When nothing matched: the query with each unknown word replaced by the closest indexed term.
    pub suggestion: Option<String>,
    /// A quoted phrase matched nowhere, so the results are for its words anywhere.
    pub phrase_relaxed: bool,
    /// A word matched nothing and may be a compound, or is a base form no page uses, or few
    /// pages have every word and a word may be a compound written apart: its last parts or its
    /// forms are worth loading ([`Engine::plan_parts`]).
    pub parts: bool,
}

pub struct Engine {
    analyzer: Analyzer,
    n_docs: u32,
    chunk: u32,
    /// Sorted by term. Shards cover disjoint key ranges, so each is spliced in whole at its
    /// place: no map and no sort, which keeps the wasm small (BTreeMap and the sort routines
    /// were a quarter of its code).
    terms: Vec<(String, Vec<Posting>)>,
    /// Positions of stem terms, sorted by term like `terms`; loaded only for phrases.
    positions: Vec<(String, TermPositions)>,
    docs: Vec<Option<DocMeta>>,
    /// Whole texts of documents, loaded for the results whose first characters show no match.
    texts: Vec<Option<String>>,
    facets: Vec<(String, Vec<u8>)>,
    /// Whether the index lent compounds' documents to their parts, so excerpts mark them.
    compounds: bool,
    /// Whether the index lent inflected forms' documents to base forms, likewise.
    inflections: bool,
    /// Whether an excerpt may skip words by [`may_match`]: the language's stems begin with
    /// their word's first letters (English's do not always: `dying`, `die`).
    prefilter: bool,
    /// The language's function words, which a query with other words leaves out.
    stopwords: &'static str,
    /// Counts the files added that change what a query scores ([`Engine::score`]).
    generation: u64,
}

impl Engine {
    pub fn new(lang: &str, n_docs: u32, chunk: u32) -> Engine {
        Engine {
            compounds: crate::compound::applies(lang),
            inflections: crate::inflection::applies(lang),
            prefilter: Lang::from_code(lang) != Lang::En,
            stopwords: crate::stopwords::of(lang),
            analyzer: Analyzer::new(Lang::from_code(lang)),
            n_docs,
            chunk: chunk.max(1),
            terms: Vec::new(),
            positions: Vec::new(),
            docs: vec![None; n_docs as usize],
            texts: vec![None; n_docs as usize],
            facets: Vec::new(),
            generation: 0,
        }
    }

    /// Changes whenever a term, position or facet file is added: a query's [`Scored`] from
    /// before is then out of date.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Adds a loaded file's payload: `s` a term shard, `p` its positions, `d` a doc chunk,
    /// `r` the documents of a common word's first results, `t` a document's text, `f` a facet.
    /// Returns false for malformed data, which is then ignored.
    pub fn add(&mut self, kind: &str, id: u32, bytes: &[u8]) -> bool {
        // Terms, positions and facets change what a query scores; documents and texts only
        // what its results show.
        if matches!(kind, "s" | "p" | "f") {
            self.generation += 1;
        }
        match kind {
            "s" => match decode_shard(bytes) {
                Some(terms) => {
                    if let Some((first, _)) = terms.first() {
                        if self.find(first).is_none() {
                            let at = self.terms.partition_point(|(t, _)| t < first);
                            self.terms.splice(at..at, terms);
                        }
                    }
                    true
                }
                None => false,
            },
            "p" => match decode_positions(bytes) {
                Some(terms) => {
                    if let Some((first, _)) = terms.first() {
                        let at = self.positions.partition_point(|(t, _)| t < first);
                        if self.positions.get(at).is_none_or(|(t, _)| t != first) {
                            self.positions.splice(at..at, terms);
                        }
                    }
                    true
                }
                None => false,
            },
            "d" => decode_docs(bytes).is_some_and(|docs| {
                let first = id.saturating_mul(self.chunk) as usize;
                for (i, d) in docs.into_iter().enumerate() {
                    self.put_doc(first + i, d);
                }
                true
            }),
            "r" => decode_records(bytes).is_some_and(|records| {
                for (at, d) in records {
                    self.put_doc(at, d);
                }
                true
            }),
            "t" => match (decode_text(bytes), self.texts.get_mut(id as usize)) {
                (Some(text), Some(slot)) => {
                    *slot = Some(text);
                    true
                }
                _ => false,
            },
            "f" => match decode_facets(bytes) {
                Some(f) => {
                    // A facet's own file (for a filter) or all facets' (for the counts), so a
                    // value may be in already: each once, the list sorted by key.
                    for (k, bits) in f {
                        let at = self.facets.partition_point(|(x, _)| *x < k);
                        if self.facets.get(at).is_none_or(|(x, _)| *x != k) {
                            self.facets.insert(at, (k, bits));
                        }
                    }
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    /// A document by number, from a chunk or a word's records; a number past the index is
    /// ignored.
    fn put_doc(&mut self, at: usize, d: DocMeta) {
        if let Some(slot) = self.docs.get_mut(at) {
            *slot = Some(d);
        }
    }

    /// Analyzes a query into words. Words between double quotes (`"`, `“`, `”`, `„`) form a
    /// phrase: matched exactly (any inflection, as stems) and only where they stand in order.
    pub fn parse(&self, query: &str) -> Vec<QueryWord> {
        let trailing_space = query.ends_with(char::is_whitespace);
        let spans: Vec<(usize, usize)> = words(query).take(12).collect();
        let n = spans.len();
        let is_quote = |c: char| matches!(c, '"' | '“' | '”' | '„');
        let mut quotes_before = 0;
        let mut scanned = 0;
        let words: Vec<QueryWord> = spans
            .into_iter()
            .enumerate()
            .map(|(i, (s, e))| {
                quotes_before += query[scanned..s].chars().filter(|&c| is_quote(c)).count();
                scanned = s;
                let phrase = if quotes_before % 2 == 1 {
                    (quotes_before as u32).div_ceil(2)
                } else {
                    0
                };
                let text = &query[s..e];
                let t = self.analyzer.word(text);
                let mut exact = vec![t.stem.clone()];
                exact.extend(t.surface.clone());
                let own = exact.len();
                let mut prefixes = Vec::new();
                let stem_chars: Vec<char> = t.stem.chars().collect();
                let paradigms = |exact: &[String]| -> Vec<crate::inflection::Paradigm> {
                    if self.inflections {
                        exact
                            .iter()
                            .map(|e| crate::inflection::Paradigm::of(e))
                            .collect()
                    } else {
                        Vec::new()
                    }
                };
                if phrase > 0 {
                    return QueryWord {
                        text: text.to_string(),
                        paradigms: paradigms(&exact),
                        exact,
                        own,
                        prefixes,
                        phrase,
                    };
                }
                if self.inflections {
                    // The base forms an inflected word may come from (`väkivallasta`:
                    // `väkivalta`), whose terms the export lent every form's documents.
                    let typed = t.surface.as_deref().unwrap_or(&t.stem);
                    for base in crate::inflection::bases(typed).into_iter().take(MAX_BASES) {
                        if !exact.contains(&base) {
                            exact.push(base);
                        }
                    }
                }
                if stem_chars.len() >= 6 {
                    prefixes.push((
                        stem_chars[..stem_chars.len() - 2].iter().collect(),
                        W_RELAXED,
                    ));
                }
                let last = i + 1 == n && !trailing_space;
                let typed = t.surface.clone().unwrap_or_else(|| t.stem.clone());
                if last && typed.chars().count() >= MIN_PREFIX {
                    prefixes.push((typed, W_PREFIX));
                }
                QueryWord {
                    text: text.to_string(),
                    paradigms: paradigms(&exact),
                    exact,
                    own,
                    prefixes,
                    phrase,
                }
            })
            .collect();
        without_function_words(words, self.stopwords)
    }

    /// The words of each quoted phrase of two or more words, in query order.
    fn phrases(words: &[QueryWord]) -> Vec<Vec<&QueryWord>> {
        let mut out: Vec<Vec<&QueryWord>> = Vec::new();
        for w in words.iter().filter(|w| w.phrase > 0) {
            match out.last_mut() {
                Some(group) if group[0].phrase == w.phrase => group.push(w),
                _ => out.push(vec![w]),
            }
        }
        out.retain(|g| g.len() > 1);
        out
    }

    /// The positions of `term` in `doc`: `None` when the index keeps none for the term (a word
    /// as common as `ja`, which then fills any one place of a phrase), else where it occurs.
    fn positions_of(&self, term: &str, doc: u32) -> Option<&[u32]> {
        let i = self
            .positions
            .binary_search_by(|(t, _)| t.as_str().cmp(term))
            .ok()?;
        let docs = &self.positions[i].1;
        Some(match docs.binary_search_by_key(&doc, |(d, _)| *d) {
            Ok(j) => &docs[j].1,
            Err(_) => &[],
        })
    }

    /// True when the phrase's words stand one after another somewhere in `doc`.
    fn has_phrase(&self, doc: u32, phrase: &[&QueryWord]) -> bool {
        let lists: Vec<(u32, &[u32])> = phrase
            .iter()
            .enumerate()
            .filter_map(|(k, w)| Some((k as u32, self.positions_of(&w.exact[0], doc)?)))
            .collect();
        let Some(((k0, first), rest)) = lists.split_first() else {
            return true;
        };
        first.iter().any(|&p| {
            // Where the phrase would begin; a word without positions before the first one
            // with them still needs a place to stand.
            p.checked_sub(*k0).is_some_and(|start| {
                rest.iter().all(|(k, list)| {
                    start
                        .checked_add(*k)
                        .is_some_and(|want| list.binary_search(&want).is_ok())
                })
            })
        })
    }

    /// The key ranges the query reads, so the caller can load the shards covering them
    /// (and, for phrase words, their position files); `to` is `from` + U+10FFFF for prefixes.
    pub fn plan(&self, query: &str) -> Vec<KeyRange> {
        let words = self.parse(query);
        let in_phrase: Vec<bool> = {
            let phrases = Self::phrases(&words);
            words
                .iter()
                .map(|w| phrases.iter().any(|g| g[0].phrase == w.phrase))
                .collect()
        };
        let mut out = Vec::new();
        for (w, phrase) in words.iter().zip(in_phrase) {
            for (i, e) in w.exact.iter().enumerate() {
                out.push(KeyRange {
                    from: e.clone(),
                    to: e.clone(),
                    positions: phrase && i == 0,
                });
            }
            for (p, _) in &w.prefixes {
                out.push(KeyRange {
                    from: p.clone(),
                    to: format!("{p}\u{10ffff}"),
                    positions: false,
                });
            }
        }
        dedup(out)
    }

    /// The last parts a query word may fall back to, longest first, each with its terms: the
    /// part and the base forms it may be an inflection of (Finnish).
    fn last_parts_of(&self, w: &QueryWord) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        if !self.compounds || w.phrase > 0 {
            return out;
        }
        let typed = fold(&w.text.to_lowercase());
        for part in crate::compound::last_parts(&typed).take(MAX_PARTS) {
            let mut terms = vec![part.to_string()];
            if self.inflections {
                terms.extend(crate::inflection::bases(part).into_iter().take(MAX_BASES));
            }
            out.push((part.to_string(), terms));
        }
        out
    }

    /// Every term of [`Engine::last_parts_of`]: the ones `plan_wide` and `plan_parts` load.
    fn last_part_terms(&self, w: &QueryWord) -> Vec<String> {
        let mut out = Vec::new();
        for (_, mut terms) in self.last_parts_of(w) {
            out.append(&mut terms);
        }
        out
    }

    /// The longest last part the index has, itself or a base form of it: the part, and the
    /// term found. What a word that matches nothing is searched by, and where a compound
    /// splits ([`Engine::split`]).
    fn known_last_part(&self, w: &QueryWord) -> Option<(String, String)> {
        for (part, terms) in self.last_parts_of(w) {
            for t in terms {
                if self.find(&t).is_some() {
                    return Some((part, t));
                }
            }
        }
        None
    }

    /// A compound word as its head and its [`Engine::known_last_part`], each a word of its own
    /// without prefixes (`vanhempainryhmä`: `vanhempain`, `ryhmä`), for the pages that write
    /// them apart ("vanhempien ryhmä"). The parts are the ones `last_part_terms` loads, so the
    /// browser picks the part the CLI does.
    fn split(&self, w: &QueryWord) -> Option<(QueryWord, QueryWord)> {
        let (part, _) = self.known_last_part(w)?;
        let typed = fold(&w.text.to_lowercase());
        let head = &typed[..typed.len() - part.len()];
        let mut words = self.parse(&format!("{head} {part} "));
        let mut tail = words.pop()?;
        let mut head = words.pop()?;
        head.prefixes.clear();
        tail.prefixes.clear();
        Some((head, tail))
    }

    /// The forms of a base form no page uses (`äiti`, where pages say `äidin`, `äitien`,
    /// `äideillä`): the export lends forms to a base only when the index has the base, so the
    /// word reads them itself, at the weight the export would have lent them. A word still
    /// being typed (the last one, its prefix read) only when a page uses a form of it on its
    /// own letters (`äitien`), which its prefix's files hold: else `kalto`, on the way to
    /// `kaltoinkohtelu`, would read the forms of `kallo` and load their files. Likewise the
    /// forms of the bases the word is an inflection of, where no page uses those either
    /// (`äidit`: `äiti`, whose forms `äidin`, `äitien` pages use); the typed word's ending
    /// makes these no accident of typing.
    fn unused_base_forms(&self, w: &QueryWord) -> Vec<String> {
        if !self.inflections || w.phrase > 0 {
            return Vec::new();
        }
        let typed = w.typed();
        if self.find(typed).is_some() {
            return Vec::new();
        }
        let mut forms = crate::inflection::paradigm_forms(typed);
        let typing = w.prefixes.iter().any(|(p, _)| p == typed);
        // A form on the base's own letters that the prefix's files hold.
        let a_word = || {
            forms
                .iter()
                .any(|f| f.starts_with(typed) && self.find(f).is_some())
        };
        if typing && !a_word() {
            forms.clear();
        }
        // Without sorting: the sort routines added 5 kB to the wasm.
        for base in &w.exact[w.own..] {
            if self.find(base).is_none() {
                for f in crate::inflection::paradigm_forms(base) {
                    if f != typed && !forms.contains(&f) {
                        forms.push(f);
                    }
                }
            }
        }
        forms
    }

    fn find(&self, term: &str) -> Option<&Vec<Posting>> {
        self.terms
            .binary_search_by(|(t, _)| t.as_str().cmp(term))
            .ok()
            .map(|i| &self.terms[i].1)
    }

    fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a (String, Vec<Posting>)> + 'a {
        let start = self.terms.partition_point(|(t, _)| t.as_str() < prefix);
        self.terms[start..]
            .iter()
            .take_while(move |(t, _)| t.starts_with(prefix))
    }

    /// The last parts (single terms) of the words that match nothing among the loaded terms,
    /// for a search whose outcome says `parts`.
    pub fn plan_parts(&self, query: &str) -> Vec<KeyRange> {
        let mut out = Vec::new();
        for w in self.parse(query) {
            let forms = self.unused_base_forms(&w);
            // Its last parts: for a word that matches nothing, and for the pages that write a
            // compound apart; then, once they are in, the terms of its head and part.
            out.extend(self.last_part_terms(&w).into_iter().map(KeyRange::term));
            if let Some((head, tail)) = self.split(&w) {
                out.extend(head.exact.into_iter().map(KeyRange::term));
                out.extend(tail.exact.into_iter().map(KeyRange::term));
            }
            out.extend(forms.into_iter().map(KeyRange::term));
        }
        dedup(out)
    }

    /// Wider key ranges for "did you mean" after a search found nothing: every term that shares
    /// its first three letters with a query word. Not for shorter words: the first letter
    /// typed into the search box would load every term under that letter (240 ms at 10,000
    /// pages), and a word that short has too many neighbours to suggest one. With them, the
    /// last parts a word that matched nothing falls back to.
    pub fn plan_wide(&self, query: &str) -> Vec<KeyRange> {
        let words = self.parse(query);
        let mut out: Vec<KeyRange> = words
            .iter()
            .filter_map(|w| neighbourhood(w.exact.first()?))
            .map(|head| KeyRange {
                to: format!("{head}\u{10ffff}"),
                from: head,
                positions: false,
            })
            .collect();
        for w in &words {
            out.extend(self.last_part_terms(w).into_iter().map(KeyRange::term));
            out.extend(self.unused_base_forms(w).into_iter().map(KeyRange::term));
        }
        dedup(out)
    }

    /// Whether `term`, which a prefix of `w` reaches at `weight`, adds nothing to it: an
    /// inflected form of one of `w`'s terms that the index has (`perhekeskuksen`,
    /// `perhekeskus`), which the export lent the form's pages at
    /// [`crate::inflection::FORM_WEIGHT`], where that term, read at its own weight, gives them
    /// no less than the prefix would. On a large site a common word's forms fill a file each,
    /// which the browser then need not load ([`Engine::needless`]). `has`: whether the index
    /// has a term.
    fn covered(&self, term: &str, w: &QueryWord, weight: f32, has: &dyn Fn(&str) -> bool) -> bool {
        self.inflections
            && !w.exact.iter().any(|e| e == term)
            && (0..w.exact.len()).any(|i| {
                let read = if i < w.own { W_EXACT } else { W_BASE };
                read * crate::inflection::FORM_WEIGHT >= weight
                    && w.paradigms[i].has(term)
                    && has(&w.exact[i])
            })
    }

    /// For each of `terms` (the one term of a file that a prefix of `query`'s plan reaches),
    /// `1` when no word of the query reads it, so the browser need not load that file, else
    /// `0`. A word reads its own terms, what its prefixes reach unless [`Engine::covered`],
    /// and, when the index lacks the word as typed, its forms (the paradigm `parse` made of it,
    /// which holds every form [`Engine::unused_base_forms`] looks for); the search then answers
    /// the same without the rest. Asked before the words'
    /// own files are in: a term counts as in the index when loaded or in `known` (the one term
    /// of a file, as the manifest names it); one neither is taken as absent, which can only
    /// make a file needed.
    pub fn needless<'a>(
        &self,
        query: &str,
        terms: impl Iterator<Item = &'a str>,
        known: &[&str],
    ) -> String {
        let has = |t: &str| self.find(t).is_some() || known.contains(&t);
        let words = self.parse(query);
        let mut flags = String::new();
        for t in terms {
            let read = words.iter().any(|w| self.reads(w, t, &has));
            flags.push(if read { '0' } else { '1' });
        }
        flags
    }

    /// An engine holding every term of an index (sorted) at once: the export works out
    /// from it what a query's first results are.
    pub fn with_terms(lang: &str, n_docs: u32, terms: Vec<(String, Vec<Posting>)>) -> Engine {
        let mut e = Engine::new(lang, n_docs, 1);
        e.terms = terms;
        e
    }

    /// Whether `w` reads `t`: one of its terms, a term a prefix reaches that is not
    /// [`Engine::covered`], or, when the index lacks the word as typed, one of its forms.
    /// `has`: whether the index has a term.
    pub fn reads(&self, w: &QueryWord, t: &str, has: &dyn Fn(&str) -> bool) -> bool {
        w.exact.iter().any(|e| e == t)
            || w.prefixes
                .iter()
                .any(|(p, weight)| t.starts_with(p.as_str()) && !self.covered(t, w, *weight, has))
            || self.inflections && !has(w.typed()) && w.paradigms[w.own - 1].has(t)
    }

    /// `term` as a query word with more words after it (so without the prefix of a word
    /// being typed), as the plan reads it: what the export's shard hints are worked out from.
    pub fn word_alone(&self, term: &str) -> Option<QueryWord> {
        let mut words = self.parse(&format!("{term} "));
        if words.len() == 1 {
            words.pop()
        } else {
            None
        }
    }

    /// Per document, this word's best weighted impact (0 = no match); dense, since a bank has
    /// at most some hundred thousand documents and a vector beats hashing on every keystroke.
    /// `forms`: the word's [`Engine::unused_base_forms`], worked out once by the caller.
    fn word_scores(&self, w: &QueryWord, forms: &[String]) -> Vec<f32> {
        let mut best = vec![0f32; self.n_docs as usize];
        for (i, e) in w.exact.iter().enumerate() {
            if let Some(p) = self.find(e) {
                raise(&mut best, p, if i < w.own { W_EXACT } else { W_BASE });
            }
        }
        // Not the forms lent to one of the word's terms, which reads their pages already.
        let has = |t: &str| self.find(t).is_some();
        for (prefix, weight) in &w.prefixes {
            let expansions = self.with_prefix(prefix);
            for (term, p) in expansions
                .filter(|(t, _)| !self.covered(t, w, *weight, &has))
                .take(MAX_EXPANSIONS)
            {
                if !w.exact.contains(term) {
                    raise(&mut best, p, *weight);
                }
            }
        }
        for form in forms {
            if let Some(p) = self.find(form) {
                raise(&mut best, p, W_BASE);
            }
        }
        best
    }

    pub fn search(&self, req: &Request) -> Outcome {
        let mut scored = self.score(req);
        self.pick(&mut scored, req.limit);
        scored.outcome
    }

    /// Every document matching the request's query and filters, scored, with the counts:
    /// all of a search but picking the best (the limit). Depends only on the query, the
    /// filters and the term, position and facet files in ([`Engine::generation`]), so a
    /// search that differs in its limit, or comes after more documents are in, can pick from
    /// it again.
    pub fn score(&self, req: &Request) -> Scored {
        let words = self.parse(&req.query);
        let mut outcome = Outcome {
            words: words.clone(),
            ..Outcome::default()
        };
        let n = self.n_docs as usize;
        let mut per_word: Vec<Vec<f32>> = Vec::with_capacity(words.len());
        for w in &words {
            let forms = self.unused_base_forms(w);
            // A base no page uses: its forms are worth loading too (`plan_parts`).
            outcome.parts |= !forms.is_empty();
            per_word.push(self.word_scores(w, &forms));
        }
        // A word that matches nothing (an unknown compound: `perheväkivalta`) is searched by
        // its longest last part the index has (`väkivalta`), at PART_WEIGHT, as the export
        // lends compounds to their parts. `parts` tells the browser to load the candidates
        // (`plan_parts`) and search again, so it answers as the CLI does.
        for (k, w) in words.iter().enumerate() {
            if per_word[k].iter().any(|s| *s > 0.0) {
                continue;
            }
            outcome.parts |= !self.last_parts_of(w).is_empty();
            if let Some((_, part)) = self.known_last_part(w) {
                if let Some(postings) = self.find(&part) {
                    raise(&mut per_word[k], postings, crate::compound::PART_WEIGHT);
                }
                if self.inflections {
                    let p = crate::inflection::Paradigm::of(&part);
                    outcome.words[k].paradigms.push(p);
                }
                outcome.words[k].exact.push(part);
            }
        }
        let mut scores: Vec<f32> = vec![0.0; n];
        let mut any = false;
        // A quoted phrase found in order: its documents, and no others.
        let mut phrase_kept = false;
        if let Some((first, rest)) = per_word.split_first() {
            // All words must match; documents with only some follow when few have all.
            for d in 0..n {
                let mut total = first[d];
                for m in rest {
                    if total == 0.0 || m[d] == 0.0 {
                        total = 0.0;
                        break;
                    }
                    total += m[d];
                }
                scores[d] = total;
                any |= total > 0.0;
            }
            // Quoted phrases: only documents where the words stand in order; if there are
            // none, the words anywhere (and the outcome says so).
            let phrases = Self::phrases(&words);
            if any && !phrases.is_empty() {
                let kept: Vec<f32> = (0..n)
                    .map(|d| {
                        let ok =
                            scores[d] > 0.0 && phrases.iter().all(|g| self.has_phrase(d as u32, g));
                        if ok {
                            scores[d]
                        } else {
                            0.0
                        }
                    })
                    .collect();
                if kept.iter().any(|s| *s > 0.0) {
                    scores = kept;
                    phrase_kept = true;
                } else {
                    outcome.phrase_relaxed = true;
                }
            }
        }
        let browse = per_word.is_empty() && !req.filters.is_empty();
        // Filters: OR within a facet, AND across facets.
        let filters: Vec<Vec<&Vec<u8>>> = req
            .filters
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(facet, values)| {
                values
                    .iter()
                    .filter_map(|v| {
                        let key = format!("{facet}:{v}");
                        self.facets.iter().find(|(k, _)| *k == key).map(|(_, b)| b)
                    })
                    .collect()
            })
            .collect();
        let has =
            |bits: &Vec<u8>, d: usize| bits.get(d / 8).is_some_and(|b| b & (1 << (d % 8)) != 0);
        let wanted = |d: usize| {
            filters
                .iter()
                .all(|any_of| any_of.iter().any(|bits| has(bits, d)))
        };
        let mut matched: Vec<usize> = (0..n)
            .filter(|&d| scores[d] > 0.0 || browse)
            .filter(|&d| wanted(d))
            .collect();
        // Few with every word (or none): a compound word also matches the pages that write its
        // parts apart, after those that have it; then come the pages with some of the words,
        // scored by the words they have.
        let mut apart = Vec::new();
        // Else every document matched has every word, and lacks none.
        let soft = matched.len() < SOFT_MIN && !phrase_kept;
        if soft {
            apart = vec![0u32; n];
            for (k, w) in words.iter().enumerate() {
                outcome.parts |= !self.last_parts_of(w).is_empty();
                let Some((mut head, mut tail)) = self.split(w) else {
                    continue;
                };
                let (a, b) = (self.word_scores(&head, &[]), self.word_scores(&tail, &[]));
                for d in 0..n {
                    if per_word[k][d] == 0.0 && a[d] > 0.0 && b[d] > 0.0 {
                        per_word[k][d] = crate::compound::PART_WEIGHT * (a[d] + b[d]);
                        apart[d] |= 1 << (k % 32);
                    }
                }
                // So that excerpts mark the parts.
                let word = &mut outcome.words[k];
                word.exact.append(&mut head.exact);
                word.exact.append(&mut tail.exact);
                word.paradigms.append(&mut head.paradigms);
                word.paradigms.append(&mut tail.paradigms);
            }
            let full = |d: usize| per_word.iter().all(|m| m[d] > 0.0);
            for d in 0..n {
                if scores[d] == 0.0 && wanted(d) && (per_word.len() > 1 || full(d)) {
                    scores[d] = per_word.iter().map(|m| m[d]).sum();
                    if scores[d] > 0.0 {
                        matched.push(d);
                    }
                }
            }
        }
        let missing = |d: usize| {
            per_word
                .iter()
                .enumerate()
                .filter(|(_, m)| m[d] == 0.0)
                .fold(0u32, |bits, (k, _)| bits | 1 << (k % 32))
        };
        outcome.total = matched.len();
        // The matched documents as a bitset like a facet value's, so that a value's count is
        // the popcount of the two ANDed, 64 documents at a time: testing each matched document
        // against each of 80 values took two thirds of a search with the counts (1.0 of
        // 1.5 ms natively for `lapsen ja perheen` at 10,000 pages).
        let mut in_matched = Vec::new();
        if !self.facets.is_empty() {
            in_matched = vec![0u64; n.div_ceil(64)];
            for &d in &matched {
                in_matched[d / 64] |= 1 << (d % 64);
            }
        }
        // The facet file is sorted by `facet:value`, so counts come out grouped and in order.
        for (key, bits) in &self.facets {
            let Some((facet, value)) = key.split_once(':') else {
                continue;
            };
            let count = count_in(&in_matched, bits);
            if count == 0 {
                continue;
            }
            match outcome.facets.last_mut() {
                Some((f, values)) if f == facet => values.push((value.to_string(), count)),
                _ => outcome
                    .facets
                    .push((facet.to_string(), vec![(value.to_string(), count)])),
            }
        }
        if outcome.total == 0 && !words.is_empty() {
            outcome.suggestion = self.suggest(&words, &per_word);
        }
        let mut candidates = Vec::with_capacity(matched.len());
        for d in matched {
            candidates.push(Hit {
                doc: d as u32,
                score: scores[d],
                missing: if soft { missing(d) } else { 0 },
                apart: apart.get(d).copied().unwrap_or(0),
            });
        }
        Scored {
            outcome,
            candidates,
        }
    }

    /// Puts in `scored`'s outcome the best `limit` of its documents: fewest words missing,
    /// then fewest found only apart, then by score (ties by document), kept sorted as they are
    /// found; and the chunks of those not loaded yet.
    pub fn pick(&self, scored: &mut Scored, limit: usize) {
        let limit = limit.max(1);
        let rank = |h: &Hit| (h.missing.count_ones(), h.apart.count_ones());
        let better = |a: &Hit, b: &Hit| {
            rank(a) < rank(b)
                || (rank(a) == rank(b)
                    && (a.score > b.score || (a.score == b.score && a.doc < b.doc)))
        };
        let mut hits: Vec<Hit> = Vec::with_capacity(limit + 1);
        for hit in &scored.candidates {
            if hits.len() == limit && !better(hit, &hits[limit - 1]) {
                continue;
            }
            let at = hits.partition_point(|h| better(h, hit));
            hits.insert(at, *hit);
            hits.truncate(limit);
        }
        let outcome = &mut scored.outcome;
        outcome.need_chunks.clear();
        for h in hits.iter().filter(|h| self.doc(h.doc).is_none()) {
            let chunk = h.doc / self.chunk;
            if !outcome.need_chunks.contains(&chunk) {
                outcome.need_chunks.push(chunk);
            }
        }
        outcome.hits = hits;
    }

    /// "Did you mean": each word with no match becomes the loaded term closest to the word as
    /// typed (folded) by edit distance (at most 1 for short words, 2 for longer), the most common
    /// one on ties. Measured from the typed form, not the stem: the stem of `äidit` is `aidi`,
    /// one edit from the stem `aid`, which is no word to offer a reader; `aidin` is.
    fn suggest(&self, words: &[QueryWord], per_word: &[Vec<f32>]) -> Option<String> {
        let mut changed = false;
        let mut out = Vec::new();
        for (w, scores) in words.iter().zip(per_word) {
            let stem = w.exact.first().map_or("", String::as_str);
            let typed = w.typed();
            if scores.iter().any(|s| *s > 0.0) {
                out.push(w.text.to_lowercase());
                continue;
            }
            // Only terms sharing the first three letters: the ones `plan_wide` loads, so the
            // browser and the CLI suggest alike.
            let Some(head) = neighbourhood(stem) else {
                out.push(w.text.to_lowercase());
                continue;
            };
            let len = typed.chars().count();
            let max = if len < 6 { 1 } else { 2 };
            let best = self
                .with_prefix(&head)
                .filter(|(t, _)| t.chars().count().abs_diff(len) <= max)
                .map(|(t, p)| (edit_distance(t, typed), std::cmp::Reverse(p.len()), t))
                .filter(|(d, _, _)| *d <= max)
                .min();
            match best {
                Some((_, _, t)) => {
                    out.push(with_letters_of(self.written(t), &w.text.to_lowercase()));
                    changed = true;
                }
                None => out.push(w.text.to_lowercase()),
            }
        }
        changed.then(|| {
            let mut s = String::new();
            for (i, w) in out.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                s.push_str(w);
            }
            s
        })
    }

    /// A term as a reader would write it: a stem no page writes as a word (`pelo`, of
    /// `pelot`; `laps`, of `lapsen`) becomes its most common written form. The analyzer cannot
    /// say which stems are also words (`ja` and `vanhemmuus` stem to themselves, as `pelo`
    /// does), but the index can: a stem whose every page has one of its other forms (the
    /// loaded terms it stems from) is written as those only.
    fn written<'a>(&'a self, term: &'a str) -> &'a str {
        let Some(pages) = self.find(term) else {
            return term;
        };
        // The pages of its other forms, dense like a word's scores.
        let mut on_forms = vec![false; self.docs.len()];
        let mut best: Option<&(String, Vec<Posting>)> = None;
        for form in self.with_prefix(term) {
            if form.0 == term || self.analyzer.word(&form.0).stem != term {
                continue;
            }
            for p in &form.1 {
                if let Some(on) = on_forms.get_mut(p.doc as usize) {
                    *on = true;
                }
            }
            if best.is_none_or(|b| form.1.len() > b.1.len()) {
                best = Some(form);
            }
        }
        match best {
            Some(form)
                if pages
                    .iter()
                    .all(|p| on_forms.get(p.doc as usize) == Some(&true)) =>
            {
                &form.0
            }
            _ => term,
        }
    }

    pub fn doc(&self, id: u32) -> Option<&DocMeta> {
        self.docs.get(id as usize).and_then(Option::as_ref)
    }

    /// True when `word` (as written in text) matches a query word, for highlighting: also a
    /// compound ending in it or an inflected form of it, which the index counted as a match
    /// (`lastensuojelu` for `suojelu`, `lasten` for `lapsi`).
    fn matches(&self, word: &str, query: &[QueryWord]) -> bool {
        self.matched(word, query).is_some()
    }

    /// Which query word `word` matches first, as [`Engine::matches`] says: stemmed once.
    fn matched(&self, word: &str, query: &[QueryWord]) -> Option<usize> {
        let t = self.analyzer.word(word);
        let surface = t.surface.as_deref();
        query.iter().position(|q| {
            q.exact
                .iter()
                .any(|e| *e == t.stem || surface == Some(e.as_str()))
                || (self.compounds
                    && q.exact.iter().any(|e| {
                        crate::compound::ends_in(&t.stem, e)
                            || surface.is_some_and(|s| crate::compound::ends_in(s, e))
                    }))
                || q.paradigms
                    .iter()
                    .any(|p| p.has(&t.stem) || surface.is_some_and(|s| p.has(s)))
                || q.prefixes.iter().any(|(p, _)| {
                    t.stem.starts_with(p.as_str())
                        || t.surface
                            .as_deref()
                            .is_some_and(|s| s.starts_with(p.as_str()))
                })
        })
    }

    /// An escaped excerpt of about `max` characters around the first match, matches in `<mark>`:
    /// for a query of several words, the first place where most of them stand near each other.
    pub fn excerpt(&self, text: &str, query: &[QueryWord], max: usize) -> String {
        self.cut(text, query, max).0
    }

    /// A result's excerpt: from the first characters stored with its metadata when they show
    /// a matched word, else from its whole text when that is loaded and shows one. Also
    /// whether the whole text is worth loading (the first characters show none).
    fn result_excerpt(&self, doc: u32, short: &str, query: &[QueryWord]) -> (String, bool) {
        let (excerpt, found) = self.cut(short, query, EXCERPT_MAX);
        if found || query.is_empty() {
            return (excerpt, false);
        }
        match self.texts.get(doc as usize).and_then(Option::as_ref) {
            Some(text) => match self.cut(text, query, EXCERPT_MAX) {
                (long, true) => (long, false),
                _ => (excerpt, false),
            },
            None => (excerpt, true),
        }
    }

    /// [`Engine::excerpt`], and whether it shows a match.
    fn cut(&self, text: &str, query: &[QueryWord], max: usize) -> (String, bool) {
        let spans: Vec<(usize, usize)> = words(text).collect();
        // A whole text is a thousand words; most share no letters with the query's terms.
        let needles = if self.prefilter { needles(query) } else { None };
        // Per word of the text, the query word it matches. One query word: the first match
        // is the place, and only the words up to the excerpt's end need looking at.
        let mut hits: Vec<u8> = vec![NO_HIT; spans.len()];
        let mut last = spans.len();
        for (i, &(s, e)) in spans.iter().enumerate() {
            if i > last {
                break;
            }
            let w = &text[s..e];
            if may_match(w, &needles) {
                hits[i] = self.matched(w, query).map_or(NO_HIT, |q| q as u8);
                if hits[i] != NO_HIT && query.len() < 2 && last == spans.len() {
                    last = i + max;
                }
            }
        }
        let is = |i: usize, w: &QueryWord| {
            hits.get(i).is_some_and(|h| *h != NO_HIT)
                && self.matches(&text[spans[i].0..spans[i].1], std::slice::from_ref(w))
        };
        // Where a quoted phrase stands, else where most query words stand near each other.
        let phrase_at = Self::phrases(query).iter().find_map(|g| {
            (0..spans.len()).find(|&i| g.iter().enumerate().all(|(k, w)| is(i + k, w)))
        });
        let first = phrase_at.or_else(|| best_window(&hits));
        let found = first.is_some();
        let first = first.unwrap_or(0);
        let start_word = first.saturating_sub(6);
        let start = if start_word == 0 {
            0
        } else {
            spans[start_word].0
        };
        let mut end = text.len();
        let mut count = 0;
        for (i, c) in text[start..].char_indices() {
            count += 1;
            if count > max {
                end = start + text[start..start + i].rfind(' ').unwrap_or(i);
                break;
            }
            let _ = c;
        }
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let mut pos = start;
        for (i, &(s, e)) in spans
            .iter()
            .enumerate()
            .filter(|(_, (s, e))| *s >= start && *e <= end)
        {
            escape_html_into(&mut out, &text[pos..s]);
            let w = &text[s..e];
            if hits[i] != NO_HIT {
                out.push_str("<mark>");
                escape_html_into(&mut out, w);
                out.push_str("</mark>");
            } else {
                escape_html_into(&mut out, w);
            }
            pos = e;
        }
        escape_html_into(&mut out, &text[pos.min(end)..end]);
        if end < text.len() {
            out.push('…');
        }
        (out, found)
    }

    /// Whether the excerpts' shortcut skips no word that matches: for every word of `text`
    /// that [`Engine::matches`] accepts, [`may_match`] does too (tests and the fuzzer).
    #[doc(hidden)]
    pub fn prefilter_agrees(&self, text: &str, query: &[QueryWord]) -> bool {
        let needles = needles(query);
        !self.prefilter
            || words(text).all(|(s, e)| {
                let w = &text[s..e];
                !self.matches(w, query) || may_match(w, &needles)
            })
    }

    /// The outcome as the page API's JSON: `{total, results: [...], facets, need}`. Written
    /// by hand, numbers too: each `format!` and `join` added its own code to the wasm.
    pub fn to_json(&self, o: &Outcome) -> String {
        let mut s = String::with_capacity(1024);
        s.push_str("{\"total\":");
        push_uint(&mut s, o.total as u64);
        s.push(',');
        if o.phrase_relaxed {
            s.push_str("\"phraseRelaxed\":true,");
        }
        if o.parts {
            s.push_str("\"parts\":true,");
        }
        if let Some(sug) = &o.suggestion {
            s.push_str("\"suggestion\":\"");
            escape_json_into(&mut s, sug);
            s.push_str("\",");
        }
        s.push_str("\"need\":[");
        push_uints(&mut s, &o.need_chunks);
        s.push_str("],\"results\":[");
        let mut first = true;
        let mut need_texts = Vec::new();
        for h in &o.hits {
            let Some(d) = self.doc(h.doc) else { continue };
            if !first {
                s.push(',');
            }
            first = false;
            s.push_str("{\"url\":\"");
            escape_json_into(&mut s, &d.url);
            s.push_str("\",\"title\":\"");
            escape_json_into(&mut s, &d.title);
            s.push_str("\",\"type\":\"");
            escape_json_into(&mut s, &d.kind);
            s.push_str("\",\"excerpt\":\"");
            let (excerpt, need) = self.result_excerpt(h.doc, &d.text, &o.words);
            if need {
                need_texts.push(h.doc);
            }
            escape_json_into(&mut s, &excerpt);
            s.push('"');
            // The words it lacks, as the reader typed them.
            if h.missing != 0 {
                s.push_str(",\"missing\":[");
                let lacking =
                    (o.words.iter().enumerate()).filter(|(k, _)| h.missing & 1 << (k % 32) != 0);
                for (i, (_, w)) in lacking.enumerate() {
                    s.push_str(if i == 0 { "\"" } else { ",\"" });
                    escape_json_into(&mut s, &w.text);
                    s.push('"');
                }
                s.push(']');
            }
            s.push_str(",\"score\":");
            // One decimal without float formatting, which would double the wasm's size.
            let tenths = (h.score * 10.0).round() as u64;
            push_uint(&mut s, tenths / 10);
            s.push('.');
            push_uint(&mut s, tenths % 10);
            s.push('}');
        }
        s.push_str("],\"facets\":{");
        for (i, (f, values)) in o.facets.iter().enumerate() {
            s.push_str(if i == 0 { "\"" } else { ",\"" });
            escape_json_into(&mut s, f);
            s.push_str("\":{");
            for (j, (v, count)) in values.iter().enumerate() {
                s.push_str(if j == 0 { "\"" } else { ",\"" });
                escape_json_into(&mut s, v);
                s.push_str("\":");
                push_uint(&mut s, *count as u64);
            }
            s.push('}');
        }
        s.push_str("},\"needText\":[");
        push_uints(&mut s, &need_texts);
        s.push_str("]}");
        s
    }
}

/// Appends `n` in decimal.
fn push_uint(s: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[at..] {
        s.push(char::from(*d));
    }
}

/// Appends numbers separated by commas.
fn push_uints(s: &mut String, ns: &[u32]) {
    for (i, n) in ns.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        push_uint(s, u64::from(*n));
    }
}

/// Words of text an excerpt shows after its first match, about: 180 characters, from six
/// words before it.
const WINDOW_WORDS: usize = 16;

/// The first matching word from which the most distinct query words stand within
/// [`WINDOW_WORDS`], given which query word each word of the text matches.
fn best_window(hits: &[u8]) -> Option<usize> {
    let mut best: Option<(usize, u32)> = None;
    for (i, h) in hits.iter().enumerate() {
        if *h == NO_HIT {
            continue;
        }
        // The query words seen, one bit each (a query has at most twelve).
        let mut seen = 0u32;
        for q in &hits[i..hits.len().min(i + WINDOW_WORDS)] {
            if *q != NO_HIT {
                seen |= 1 << (q % 32);
            }
        }
        if best.is_none_or(|(_, n)| seen.count_ones() > n) {
            best = Some((i, seen.count_ones()));
        }
    }
    best.map(|(i, _)| i)
}

/// A word of text that matches no query word (query words are numbered from 0, at most 12).
const NO_HIT: u8 = u8::MAX;

/// The first two letters of every term the query's words match text words by (their terms,
/// prefixes, and the stems of their inflections): a word [`Engine::matches`] accepts contains
/// one of them, since it contains its stem, and its stem the term, or starts with the prefix or
/// the inflection's stem (where stems begin with their word's letters: `prefilter`).
/// A one-letter term's needle is its letter and `'\0'`; an empty term makes none (`None`:
/// every word may match).
fn needles(query: &[QueryWord]) -> Option<Vec<[char; 2]>> {
    let mut out = Vec::new();
    let terms = query.iter().flat_map(|q| {
        q.exact
            .iter()
            .map(String::as_str)
            .chain(q.prefixes.iter().map(|(p, _)| p.as_str()))
            .chain(q.paradigms.iter().flat_map(|p| p.stems()))
    });
    for t in terms {
        let mut c = t.chars();
        let first = c.next()?;
        let pair = [first, c.next().unwrap_or('\0')];
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    Some(out)
}

/// Whether `word`, lowercased and folded, contains one of the `needles`: if not,
/// [`Engine::matches`] would say no, without stemming it. No allocation, and no substring
/// search, whose code added 7 kB to the wasm.
fn may_match(word: &str, needles: &Option<Vec<[char; 2]>>) -> bool {
    let Some(needles) = needles else {
        return true;
    };
    let mut prev = '\0';
    for c in word.chars().flat_map(char::to_lowercase).map(fold_char) {
        if needles
            .iter()
            .any(|&[a, b]| (b == '\0' && a == c) || (a == prev && b == c))
        {
            return true;
        }
        prev = c;
    }
    false
}

/// A suggested term (folded, as the index keeps it) with the reader's own letters back where
/// they typed them: `äidit` gets `äidin`, not `aidin`. Letter by letter, only where the typed
/// letter folds to the term's.
fn with_letters_of(term: &str, typed: &str) -> String {
    let mut typed = typed.chars();
    term.chars()
        .map(|c| match typed.next() {
            Some(t) if t != c && fold_char(t) == c => t,
            _ => c,
        })
        .collect()
}

/// Levenshtein distance over characters; words are short, so the plain table is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn escape_json_into(out: &mut String, s: &str) {
    // Runs between the characters to escape are copied whole: the index's text files are
    // written through here, 60 MB at 10,000 pages.
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let mut code = *b"\\u0000";
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '<' => "\\u003c",
            // Line and paragraph separators end a JS string literal in older engines.
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            c if (c as u32) < 0x20 => {
                let hex = b"0123456789abcdef";
                code[4] = hex[(c as usize) >> 4];
                code[5] = hex[(c as usize) & 15];
                std::str::from_utf8(&code).unwrap_or("")
            }
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(escaped);
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
}

/// HTML-escapes `&<>"'`. Every value a page template prints goes through here too, so it
/// copies the runs between special bytes whole (all five are ASCII: a run never splits a
/// character) instead of pushing character by character.
pub fn escape_html_into(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

impl Request {
    /// Adds an accepted value of a facet.
    pub fn add_filter(&mut self, facet: &str, value: &str) {
        match self.filters.iter_mut().find(|(f, _)| f == facet) {
            Some((_, values)) => values.push(value.to_string()),
            None => self
                .filters
                .push((facet.to_string(), vec![value.to_string()])),
        }
    }
}

/// The first three letters of a stem, whose terms "did you mean" looks among; `None` for a
/// word shorter than a prefix ([`Engine::plan_wide`] says why).
fn neighbourhood(stem: &str) -> Option<String> {
    (stem.chars().count() >= MIN_PREFIX).then(|| stem.chars().take(3).collect())
}

/// A query's function words outside quotes ([`crate::stopwords`]), left out when it has
/// other words: a page is not found, ranked or excerpted for its `ja`. A query of them only
/// (`ja`) keeps them. Compared as the analyzer folds the word as typed (`Että`: `etta`).
fn without_function_words(mut words: Vec<QueryWord>, list: &str) -> Vec<QueryWord> {
    let function = |w: &QueryWord| w.phrase == 0 && crate::stopwords::contains(list, w.typed());
    if words.iter().any(|w| !function(w)) {
        words.retain(|w| !function(w));
    }
    words
}

/// Keeps the first of equal items, in order (the lists are a few items long).
fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// How many documents of `matched` (a bitset of 64-bit words, document d at bit d % 64 of word
/// d / 64) a facet value's bitset has (bytes, document d at bit d % 8 of byte d / 8: the same
/// order, read eight bytes at a time as little-endian words).
fn count_in(matched: &[u64], bits: &[u8]) -> usize {
    matched
        .iter()
        .zip(bits.chunks(8))
        .map(|(m, b)| {
            let w = b
                .iter()
                .rev()
                .fold(0u64, |w, &byte| (w << 8) | u64::from(byte));
            (m & w).count_ones() as usize
        })
        .sum()
}

/// Raises each document's score in `best` to its weighted impact in `postings` where higher.
fn raise(best: &mut [f32], postings: &[Posting], weight: f32) {
    for p in postings {
        if let Some(slot) = best.get_mut(p.doc as usize) {
            let s = weight * f32::from(p.impact);
            if s > *slot {
                *slot = s;
            }
        }
    }
}

/// Parses the runtime's request text: first line the limit, then `facet=value` lines, an
/// empty line, and the query (so no JSON parser is needed in the wasm).
pub fn parse_request(text: &str) -> Request {
    let mut lines = text.splitn(2, "\n\n");
    let head = lines.next().unwrap_or("");
    let query = lines.next().unwrap_or("").to_string();
    let mut req = Request {
        query,
        limit: 10,
        ..Request::default()
    };
    for (i, line) in head.lines().enumerate() {
        if i == 0 {
            req.limit = line.trim().parse().unwrap_or(10).min(1000);
        } else if let Some((k, v)) = line.split_once('=') {
            req.add_filter(k, v);
        }
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{
        encode_docs, encode_facets, encode_records, encode_shard, encode_text, FacetFiles,
    };
    use std::collections::BTreeMap;

    #[test]
    fn html_escaping_covers_the_five_characters_and_keeps_the_rest() {
        for (s, want) in [
            ("", ""),
            ("plain", "plain"),
            (
                "<script>alert('x')</script>",
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
            ),
            ("a & b \"c\"", "a &amp; b &quot;c&quot;"),
            (
                "äiti & isä – “lainaus” 🙂&",
                "äiti &amp; isä – “lainaus” 🙂&amp;",
            ),
            ("&&&", "&amp;&amp;&amp;"),
        ] {
            let mut out = String::from("x");
            escape_html_into(&mut out, s);
            assert_eq!(out, format!("x{want}"), "{s}");
        }
    }

    /// Each text's words' stems and surface forms, one posting per document, as terms.
    fn index_terms(texts: &[&str]) -> BTreeMap<String, Vec<Posting>> {
        let a = Analyzer::new(Lang::Fi);
        let mut terms: BTreeMap<String, Vec<Posting>> = BTreeMap::new();
        for (i, text) in texts.iter().enumerate() {
            for (s, e) in words(text) {
                let t = a.word(&text[s..e]);
                for term in std::iter::once(t.stem).chain(t.surface) {
                    let list = terms.entry(term).or_default();
                    if list.last().is_none_or(|p| p.doc != i as u32) {
                        list.push(Posting {
                            doc: i as u32,
                            impact: 100,
                        });
                    }
                }
            }
        }
        terms
    }

    fn engine() -> Engine {
        let docs = vec![
            DocMeta {
                url: "/a/".into(),
                title: "Lastensuojelu".into(),
                kind: "method".into(),
                text: "Lastensuojelun <tuki> äidille".into(),
                facets: vec!["teemat:x".into()],
            },
            DocMeta {
                url: "/b/".into(),
                title: "Perhe".into(),
                kind: "page".into(),
                text: "Perheterapia".into(),
                facets: vec!["teemat:y".into()],
            },
        ];
        let terms = index_terms(&["lastensuojelu tuki äiti", "perheterapia perhe"]);
        let mut e = Engine::new("fi", 2, 64);
        let t: Vec<(&String, &Vec<Posting>)> = terms.iter().collect();
        assert!(e.add("s", 0, &encode_shard(&t)));
        assert!(e.add("d", 0, &encode_docs(&docs)));
        for (i, (_, bytes)) in encode_facets(&docs).each.iter().enumerate() {
            assert!(e.add("f", i as u32, bytes));
        }
        e
    }

    #[test]
    fn inflections_prefixes_and_folding_match() {
        let e = engine();
        for q in ["lastensuojelussa", "lastensuo", "aiti", "perheterapiaa"] {
            let o = e.search(&Request {
                query: q.into(),
                limit: 10,
                ..Request::default()
            });
            assert!(o.total >= 1, "{q}");
        }
    }

    #[test]
    fn and_falls_back_to_or_and_filters_apply() {
        let e = engine();
        let o = e.search(&Request {
            query: "lastensuojelu perheterapia".into(),
            limit: 10,
            ..Request::default()
        });
        assert_eq!(o.total, 2);
        let mut req = Request {
            query: "lastensuojelu perheterapia".into(),
            limit: 10,
            ..Request::default()
        };
        req.add_filter("teemat", "y");
        assert_eq!(e.search(&req).total, 1);
    }

    #[test]
    fn the_last_search_is_picked_from_again_only_while_its_files_are_the_same() {
        // 30 pages in chunks of 4; "aamu" in a shard of its own, "perhe" in the other, every
        // third page in facet value x.
        let texts: Vec<String> = (0..30)
            .map(|i| match i % 3 {
                0 => "aamu perhe".to_string(),
                1 => "perhe".to_string(),
                _ => "aamu".to_string(),
            })
            .collect();
        let docs: Vec<DocMeta> = (0..30)
            .map(|i| DocMeta {
                url: format!("/{i}/"),
                title: format!("Sivu {i}"),
                kind: "page".into(),
                text: texts[i].clone(),
                facets: vec![format!("teemat:{}", if i % 3 == 0 { "x" } else { "y" })],
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let terms = index_terms(&refs);
        let (a, b): (Vec<_>, Vec<_>) = terms.iter().partition(|(t, _)| t.as_str() < "m");
        let mut e = Engine::new("fi", 30, 4);
        let mut last = LastSearch::default();
        let ask = |q: &str, limit: usize, filter: Option<&str>| match filter {
            Some(v) => format!("{limit}\nteemat={v}\n\n{q}"),
            None => format!("{limit}\n\n{q}"),
        };
        // As a fresh search would answer, after each change.
        let agrees = |last: &mut LastSearch, e: &Engine, req: &str, step: &str| {
            let (kept, fresh) = (last.search(e, req).clone(), e.search(&parse_request(req)));
            let docs = |o: &Outcome| o.hits.iter().map(|h| h.doc).collect::<Vec<_>>();
            assert_eq!(docs(&kept), docs(&fresh), "{step}");
            assert_eq!(e.to_json(&kept), e.to_json(&fresh), "{step}");
            kept
        };
        assert!(e.add("s", 0, &encode_shard(&a)));
        let q = "aamu perhe";
        let before = agrees(&mut last, &e, &ask(q, 5, None), "one shard");
        assert!(e.add("s", 1, &encode_shard(&b)));
        let both = agrees(&mut last, &e, &ask(q, 5, None), "both shards");
        assert_ne!(
            before.total, both.total,
            "the second shard changes the results"
        );
        let ten = agrees(&mut last, &e, &ask(q, 10, None), "ten");
        assert_eq!(
            ten.hits[..5],
            both.hits[..],
            "the first five of ten are the five"
        );
        assert!(!ten.need_chunks.is_empty());
        for c in 0..2 {
            let chunk = &docs[c * 4..c * 4 + 4];
            assert!(e.add("d", c as u32, &encode_docs(chunk)));
        }
        let fewer = agrees(&mut last, &e, &ask(q, 10, None), "two chunks in");
        assert!(fewer.need_chunks.len() < ten.need_chunks.len());
        let filtered = agrees(&mut last, &e, &ask(q, 10, Some("y")), "a filter");
        assert!(filtered.total < ten.total, "the filter is applied");
        let FacetFiles { each, .. } = encode_facets(&docs);
        assert!(e.add("f", 0, &each[0].1));
        let counted = agrees(&mut last, &e, &ask(q, 10, None), "the facet in");
        assert!(!counted.facets.is_empty());
    }

    #[test]
    fn a_values_count_is_the_matched_documents_its_bitset_has() {
        // Bitsets of every length around a word's edge, shorter and longer than the matched
        // set, against testing each document as the search did.
        let n = 203;
        let matched: Vec<usize> = (0..n).filter(|d| d % 3 == 0 || d % 7 == 1).collect();
        let mut words = vec![0u64; n.div_ceil(64)];
        for &d in &matched {
            words[d / 64] |= 1 << (d % 64);
        }
        for len in [0, 1, 7, 8, 9, 16, 17, 25, 26, 40] {
            let bits: Vec<u8> = (0..len)
                .map(|i| (i as u8).wrapping_mul(37) ^ 0x5a)
                .collect();
            let has = |d: usize| bits.get(d / 8).is_some_and(|b| b & (1 << (d % 8)) != 0);
            let expected = matched.iter().filter(|&&d| has(d)).count();
            assert_eq!(count_in(&words, &bits), expected, "{len} bytes");
        }
    }

    #[test]
    fn counts_from_the_file_of_all_facets_after_a_filters_own_count_each_value_once() {
        let doc = |url: &str, facets: &[&str]| DocMeta {
            url: url.into(),
            title: "Perhe".into(),
            kind: "method".into(),
            text: "perhe".into(),
            facets: facets.iter().map(|f| f.to_string()).collect(),
        };
        let docs = vec![
            doc("/a/", &["teemat:x", "tyyppi:method"]),
            doc("/b/", &["teemat:x", "teemat:y", "tyyppi:page"]),
            doc("/c/", &["tyyppi:page"]),
        ];
        let terms = index_terms(&["perhe", "perhe", "perhe"]);
        let t: Vec<(&String, &Vec<Posting>)> = terms.iter().collect();
        let FacetFiles { each, all } = encode_facets(&docs);
        let all = all.expect("two facets have a file of all");
        let counts = |files: &[(u32, &[u8])]| {
            let mut e = Engine::new("fi", 3, 64);
            assert!(e.add("s", 0, &encode_shard(&t)));
            assert!(e.add("d", 0, &encode_docs(&docs)));
            for (id, bytes) in files {
                assert!(e.add("f", *id, bytes));
            }
            e.search(&Request {
                query: "perhe".into(),
                limit: 10,
                ..Request::default()
            })
            .facets
        };
        let own: Vec<(u32, &[u8])> = each
            .iter()
            .enumerate()
            .map(|(i, (_, b))| (i as u32, b.as_slice()))
            .collect();
        let expected = vec![
            ("teemat".to_string(), vec![("x".into(), 2), ("y".into(), 1)]),
            (
                "tyyppi".to_string(),
                vec![("method".into(), 1), ("page".into(), 2)],
            ),
        ];
        assert_eq!(counts(&own), expected);
        assert_eq!(counts(&[(2, &all)]), expected);
        // A filter's facet first (`tyyppi`, file 1), then all of them for the counts.
        assert_eq!(counts(&[(1, &each[1].1), (2, &all)]), expected);
        assert_eq!(counts(&[(2, &all), (0, &each[0].1)]), expected);
    }

    /// Documents with their words' stems and positions, as the exporter writes them.
    fn engine_with_positions(texts: &[&str], no_positions: &[&str]) -> Engine {
        use crate::format::encode_positions;
        let a = Analyzer::new(Lang::Fi);
        let terms = index_terms(texts);
        let mut positions: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        let mut docs = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            for (pos, (s, e)) in words(text).enumerate() {
                positions
                    .entry(a.word(&text[s..e]).stem)
                    .or_default()
                    .push((i as u32, pos as u32));
            }
            docs.push(DocMeta {
                url: format!("/{i}/"),
                title: format!("{i}"),
                kind: "page".into(),
                text: text.to_string(),
                facets: vec![],
            });
        }
        let mut e = Engine::new("fi", texts.len() as u32, 64);
        let t: Vec<(&String, &Vec<Posting>)> = terms.iter().collect();
        assert!(e.add("s", 0, &encode_shard(&t)));
        let p: Vec<(&String, &Vec<(u32, u32)>)> = positions
            .iter()
            .filter(|(t, _)| !no_positions.contains(&t.as_str()))
            .collect();
        assert!(e.add("p", 0, &encode_positions(&p)));
        assert!(e.add("d", 0, &encode_docs(&docs)));
        e
    }

    fn docs_for(e: &Engine, q: &str) -> (Vec<u32>, bool) {
        let o = e.search(&Request {
            query: q.into(),
            limit: 10,
            ..Request::default()
        });
        let mut d: Vec<u32> = o.hits.iter().map(|h| h.doc).collect();
        d.sort();
        (d, o.phrase_relaxed)
    }

    /// Each result as (document, words it lacks), best first.
    fn ranked(e: &Engine, q: &str) -> Vec<(u32, u32)> {
        let o = e.search(&parse_request(&format!("10\n\n{q}")));
        o.hits.iter().map(|h| (h.doc, h.missing)).collect()
    }

    /// The documents with every word of `q`, in order.
    fn full_docs_for(e: &Engine, q: &str) -> Vec<u32> {
        let mut d: Vec<u32> = (ranked(e, q).into_iter())
            .filter_map(|(doc, missing)| (missing == 0).then_some(doc))
            .collect();
        d.sort();
        d
    }

    #[test]
    fn quoted_words_must_stand_in_order_in_any_inflection() {
        let e = engine_with_positions(
            &[
                "Lasten suojelu auttaa perhettä.",
                "Suojelu on lasten asia.",
                "Lasten suojelun malli perheille.",
            ],
            &[],
        );
        assert_eq!(docs_for(&e, "lasten suojelu"), (vec![0, 1, 2], false));
        assert_eq!(docs_for(&e, "\"lasten suojelu\""), (vec![0, 2], false));
        assert_eq!(docs_for(&e, "“suojelu on”"), (vec![1], false));
        assert_eq!(docs_for(&e, "„lasten suojelua” mallit"), (vec![2], false));
        // No document has the phrase: the words anywhere, and the outcome says so.
        assert_eq!(docs_for(&e, "\"suojelu lasten\""), (vec![0, 1, 2], true));
        let plan = e.plan("\"lasten suojelu\" malli");
        assert!(plan.iter().any(|r| r.positions && r.from == "suojelu"));
        assert!(plan.iter().all(|r| !r.positions || r.from != "malli"));
    }

    #[test]
    fn a_word_without_positions_fills_any_one_place_of_a_phrase() {
        let e = engine_with_positions(
            &[
                "Lapsen ja perheen tuki.",
                "Lapsen tai perheen tuki.",
                "Perheen ja lapsen tuki.",
                "Lapsen perheen tuki ja apu.",
            ],
            &["ja"],
        );
        assert_eq!(docs_for(&e, "\"lapsen ja perheen\""), (vec![0], false));
        assert_eq!(docs_for(&e, "\"ja perheen\""), (vec![0, 3], false));
        assert_eq!(docs_for(&e, "\"ja lapsen\""), (vec![2], false));
    }

    #[test]
    fn every_word_must_match_whatever_its_place_in_the_query() {
        let e = engine_with_positions(
            &["Lapsen tuki.", "Perheen tuki.", "Lapsen perheen apu."],
            &[],
        );
        // The second document lacks the middle word; it used to score on the last one.
        assert_eq!(full_docs_for(&e, "lapsen apu perheen"), vec![2]);
        // Documents with some of the words follow, the fewest missing first: the first lacks
        // `apu` and `perheen` (words 1 and 2), the second `lapsen` and `apu` (0 and 1).
        let r = ranked(&e, "lapsen apu perheen");
        assert_eq!(r[0], (2, 0));
        assert_eq!(
            r[1..].iter().map(|x| x.1.count_ones()).collect::<Vec<_>>(),
            [2, 2]
        );
        assert!(r.contains(&(0, 0b110)) && r.contains(&(1, 0b011)), "{r:?}");
        // None has all three: each lacks one.
        assert_eq!(full_docs_for(&e, "perheen lapsen tuki"), Vec::<u32>::new());
        assert_eq!(docs_for(&e, "perheen lapsen tuki"), (vec![0, 1, 2], false));
    }

    /// A precise query that few pages answer with every word lists, after them, the pages with
    /// some of its words, each saying which it lacks; with enough pages having every word (a
    /// results page), only those.
    #[test]
    fn few_pages_with_every_word_are_followed_by_pages_with_some() {
        let mut texts = vec!["Masentunut nuori.", "Nuori ja masennus.", "Aikuisen uni."];
        let e = engine_with_positions(&texts, &[]);
        let o = e.search(&parse_request("10\n\nmasentunut nuori"));
        assert_eq!(o.total, 2);
        let json = e.to_json(&o);
        let results: Vec<&str> = json.split("{\"url\"").skip(1).collect();
        assert_eq!(results.len(), 2, "{json}");
        assert!(!results[0].contains("missing"), "{json}");
        assert!(
            results[1].contains("\"missing\":[\"masentunut\"]"),
            "{json}"
        );
        // The words as typed.
        let o = e.search(&parse_request("10\n\nMASENTUNUT nuori uni"));
        let json = e.to_json(&o);
        assert!(
            json.contains("\"missing\":[\"MASENTUNUT\",\"nuori\"]"),
            "{json}"
        );

        texts = vec!["Masentunut nuori."; SOFT_MIN];
        texts.push("Nuori ja masennus.");
        let e = engine_with_positions(&texts, &[]);
        let o = e.search(&parse_request("20\n\nmasentunut nuori"));
        assert_eq!(o.total, SOFT_MIN);
        assert!(o.hits.iter().all(|h| h.missing == 0));
        // A phrase found in order keeps to its pages.
        let e = engine_with_positions(&["Masentunut nuori.", "Nuori masentunut."], &[]);
        assert_eq!(docs_for(&e, "\"masentunut nuori\""), (vec![0], false));
    }

    /// A prefix reaches the word's other forms (`perheterapiaa` for `perheterapia`), whose
    /// pages its stem lists: the search does not read them, so the terms `needless` names can
    /// stay unloaded (the browser skips their files) and the answer is the same to the byte.
    #[test]
    fn terms_a_query_does_not_read_change_nothing_when_missing() {
        let texts = [
            "Perheterapiaa nuorelle.",
            "Perheterapian tuki.",
            "Perheterapia ja perheterapiaryhmä.",
            "Äidin tuki.",
            "Äitien ryhmä.",
            "Lapsen ja lasten hoito.",
            "Lapsia on.",
            "Vanhemmuus on taito.",
            "Vanhemmuutta tuetaan.",
            "Vanhemmuuden tuki.",
        ];
        let full = engine_with_positions(&texts, &[]);
        let terms = index_terms(&texts);
        let names: Vec<&str> = terms.keys().map(String::as_str).collect();
        let queries = [
            "perheterapia",
            "perheterapiaa ",
            "perhet",
            "nuorelle perheterapia",
            "perheterapiaryhmä",
            "äiti",
            "aiti",
            "äidit",
            "lapsi",
            "lasten",
            "\"perheterapia ja\"",
            "vanhemmuuden",
            "vanhemmuutta",
        ];
        // Each term in a file of its own, as a large site has them, when `keep` says so.
        let add = |e: &mut Engine, keep: &dyn Fn(&str) -> bool| {
            for (t, p) in &terms {
                if keep(t) && e.find(t).is_none() {
                    assert!(e.add("s", 0, &encode_shard(&[(t, p)])));
                }
            }
        };
        for q in queries {
            let needless = full.needless(q, names.iter().copied(), &[]);
            // Asked before any file is in, with the terms the manifest shows: the same; with
            // none known, never a term more.
            let empty = Engine::new("fi", texts.len() as u32, 64);
            assert_eq!(
                empty.needless(q, names.iter().copied(), &names),
                needless,
                "{q}"
            );
            let blind = empty.needless(q, names.iter().copied(), &[]);
            assert!(
                blind
                    .bytes()
                    .zip(needless.bytes())
                    .all(|(b, n)| b == b'0' || n == b'1'),
                "{q}: {blind} {needless}"
            );
            let mut part = Engine::new("fi", texts.len() as u32, 64);
            add(&mut part, &|t| {
                needless.as_bytes()[names.iter().position(|n| *n == t).unwrap()] == b'0'
            });
            for (i, d) in full.docs.iter().enumerate() {
                part.docs[i] = d.clone();
            }
            part.positions = full.positions.clone();
            let request = parse_request(&format!("10\n\n{q}"));
            // Then, as the browser does, what the answer asks for next (no term left out).
            for _ in 0..3 {
                let o = part.search(&request);
                let more = match (o.total, o.parts) {
                    (0, _) => part.plan_wide(q),
                    (_, true) => part.plan_parts(q),
                    _ => break,
                };
                add(&mut part, &|t| {
                    more.iter()
                        .any(|r| r.from.as_str() <= t && t <= r.to.as_str())
                });
            }
            let answer = |e: &Engine| e.to_json(&e.search(&request));
            assert_eq!(answer(&part), answer(&full), "{q}");
        }
        let flags = |q: &str, t: &[&str]| full.needless(q, t.iter().copied(), &[]);
        // The other forms, not the word's own terms nor a compound beginning with it.
        assert_eq!(
            flags(
                "perheterapia",
                &[
                    "perheterapiaa",
                    "perheterapian",
                    "perheterap",
                    "perheterapia",
                    "perheterapiaryhma"
                ]
            ),
            "11000"
        );
        // Searched as a whole word, the forms of the word typed still are not read.
        assert_eq!(
            flags("nuorelle perheterapia ", &["perheterapiaa", "nuorelle"]),
            "10"
        );
        // A form of the base an inflected word is read by (`vanhemmuus`, at 0.8), which the
        // stem's shorter prefix reaches at half weight.
        assert_eq!(flags("vanhemmuuden", &["vanhemmuutta"]), "1");
        // No page says `äiti`: the forms of it the search then looks for are read.
        assert_eq!(flags("äiti", &["aitien", "aidin"]), "00");
    }

    /// A function word (`ja`) is no reason to list a page, nor to leave one out, nor a word
    /// to mark; alone, or in a quoted phrase, it is searched as typed.
    #[test]
    fn function_words_count_only_when_they_are_all_there_is() {
        let texts = [
            "Netti ja peli.",
            "Lapsi ja perhe.",
            "Lapsen perhe.",
            "Perhe ja koulu.",
        ];
        let e = engine_with_positions(&texts, &[]);
        // Before: three pages with `ja`, listed as lacking `netti` and `koti`.
        assert_eq!(docs_for(&e, "netti ja koti"), (vec![0], false));
        assert_eq!(ranked(&e, "koti ja tuki"), vec![]);
        // Page 2 has every word that means something: not a partial match below the others.
        assert_eq!(full_docs_for(&e, "lapsen ja perheen"), vec![1, 2]);
        let o = e.search(&parse_request("10\n\nlapsen ja perheen"));
        assert!(
            !e.to_json(&o).contains("<mark>ja</mark>"),
            "{}",
            e.to_json(&o)
        );
        assert!(e.plan("lapsen ja perheen").iter().all(|r| r.from != "ja"));
        // The same in another case and with its letters unfolded (`että`).
        assert_eq!(docs_for(&e, "Netti JA että peli").0, vec![0]);
        // Only function words: as typed.
        assert_eq!(docs_for(&e, "ja").0, vec![0, 1, 3]);
        // Quoted, a function word is part of the phrase.
        assert_eq!(docs_for(&e, "\"lapsi ja perhe\""), (vec![1], false));
        assert!(e.plan("\"lapsi ja\" perhe").iter().any(|r| r.from == "ja"));
    }

    /// Pages say `äidin`, `äitien` and `äideillä`, none `äiti`: the export had no `äiti` to
    /// lend them to, so the query reads them itself; a word typed half-way does not.
    #[test]
    fn a_base_no_page_uses_finds_the_pages_using_its_forms() {
        let e = engine_with_positions(
            &[
                "äidin tuki",
                "äitien ryhmä",
                "äideillä ja isillä",
                "kallon kuva",
                "kaltoin",
            ],
            &[],
        );
        for q in ["äiti", "äiti ", "aiti ryhmä"] {
            let want: &[u32] = if q.contains("ryhmä") {
                &[1]
            } else {
                &[0, 1, 2]
            };
            assert_eq!(full_docs_for(&e, q), want, "{q}");
        }
        // Before its forms are loaded the search says they are worth loading, and the plan
        // names them.
        let o = e.search(&parse_request("10\n\näiti "));
        assert!(o.parts);
        let plan: Vec<String> = e.plan_parts("äiti ").into_iter().map(|r| r.from).collect();
        assert!(
            ["aidin", "aitien", "aideilla"]
                .iter()
                .all(|f| plan.contains(&f.to_string())),
            "{plan:?}"
        );
        // `kalto`, on the way to `kaltoinkohtelu`: no page has a form of it on its letters,
        // so `kallon` stays out and nothing more is loaded.
        assert_eq!(docs_for(&e, "kalto").0, vec![4]);
        assert!(!e.search(&parse_request("10\n\nkalto")).parts);
        assert!(e.plan_parts("kalto").is_empty());
        // A base some page uses reads its own list, where the export lent the forms.
        assert!(e.plan_parts("ryhmä ").is_empty());
        // An inflection no page uses of a base no page uses either: the base's forms, also
        // while typed (the ending makes it a word, not the start of one).
        for q in ["äidit ", "äidit", "aidit"] {
            assert_eq!(docs_for(&e, q).0, vec![0, 1, 2], "{q}");
        }
        let plan: Vec<String> = e.plan_parts("äidit").into_iter().map(|r| r.from).collect();
        assert!(plan.contains(&"aidin".to_string()), "{plan:?}");
    }

    #[test]
    fn a_typo_gets_a_suggestion() {
        let e = engine();
        let o = e.search(&Request {
            query: "perheterpaia".into(),
            limit: 10,
            ..Request::default()
        });
        assert_eq!(o.total, 0);
        assert_eq!(o.suggestion.as_deref(), Some("perheterapia"));
        assert!(e.to_json(&o).contains("\"suggestion\":\"perheterapia\""));
    }

    #[test]
    fn a_suggestion_is_a_word_not_a_stem() {
        // Snowball stems `äidin` to `aid`, a term as near to a misspelt `äidim` as many words
        // are, but a reader should be offered the word. (`äidit` is no misspelling: it finds
        // the pages using `äidin`, a form of its base `äiti`.)
        let e = engine_with_positions(&["äidin tuki", "äidin kanssa"], &[]);
        let o = e.search(&Request {
            query: "äidim ".into(),
            limit: 10,
            ..Request::default()
        });
        assert_eq!(o.total, 0);
        // In the reader's letters: the index keeps `aidin`.
        assert_eq!(o.suggestion.as_deref(), Some("äidin"));
        assert_eq!(with_letters_of("aidin", "aidit"), "aidin");
        assert_eq!(
            with_letters_of("lastensuojelu", "lastensuojleu"),
            "lastensuojelu"
        );
        assert_eq!(
            with_letters_of("kaytoshairio", "käytöshäiriöt"),
            "käytöshäiriö"
        );
        assert_eq!(with_letters_of("paiva", "pa"), "paiva");
    }

    #[test]
    fn a_suggested_stem_no_page_writes_shows_as_a_word_pages_write() {
        // `pelot` stems to `pelo`, one edit from `peli`; no page writes `pelo`, so the reader is
        // offered `pelot`. `ja`, a word written as itself on every page of its stem, stays.
        let e = engine_with_positions(&["lasten pelot", "pelot ja unet", "ja jaa"], &[]);
        let o = e.search(&Request {
            query: "peli ".into(),
            limit: 10,
            ..Request::default()
        });
        assert_eq!((o.total, o.suggestion.as_deref()), (0, Some("pelot")));
        assert_eq!(e.written("pelo"), "pelot");
        assert_eq!(e.written("ja"), "ja");
        assert_eq!(e.written("unknown"), "unknown");
    }

    #[test]
    fn words_shorter_than_a_prefix_get_no_suggestion_and_load_no_neighbours() {
        let e = engine();
        for q in ["x", "pq"] {
            assert!(e.plan_wide(q).is_empty(), "{q}");
            let o = e.search(&Request {
                query: q.into(),
                limit: 10,
                ..Request::default()
            });
            assert_eq!((o.total, o.suggestion), (0, None), "{q}");
        }
        // One neighbourhood, and the word's possible last parts as single terms.
        let wide = e.plan_wide("perheterpaia");
        assert_eq!(wide.iter().filter(|r| r.from != r.to).count(), 1);
        assert!(wide
            .iter()
            .any(|r| r.from == "terpaia" && r.to == "terpaia"));
    }

    #[test]
    fn a_query_matching_nothing_falls_back_to_a_words_last_part() {
        let e = engine();
        let search = |q: &str| {
            e.search(&Request {
                query: q.into(),
                limit: 10,
                ..Request::default()
            })
        };
        // `koululastensuojelu` is nowhere; its last part `lastensuojelu` is, and `lapsituki`
        // ends in a part too short to be one.
        let o = search("koululastensuojelu");
        assert_eq!((o.total, o.hits[0].doc), (1, 0));
        assert!(
            e.to_json(&o).contains("\\u003cmark>Lastensuojelun"),
            "{}",
            e.to_json(&o)
        );
        assert!(e
            .plan_wide("koululastensuojelu")
            .iter()
            .any(|r| r.from == "lastensuojelu"));
        assert_eq!(search("lapsituki").total, 0);
        // Beside words that match: all words must still match, the part in the compound's
        // place, so `tuki` keeps only the page that has both.
        let o = search("koululastensuojelu tuki");
        assert!(o.parts);
        assert_eq!((o.total, o.hits[0].doc), (1, 0));
        let parts = e.plan_parts("koululastensuojelu tuki");
        assert!(parts.iter().any(|r| r.from == "lastensuojelu"));
        assert!(
            parts.iter().all(|r| !r.from.starts_with("tuki")),
            "{parts:?}"
        );
        // Words that match, but on fewer pages than a results page: a compound's last parts
        // are worth loading, for the pages that write it apart; `tuki` is no compound.
        assert!(search("lastensuojelu tuki").parts);
        assert!(e
            .plan_parts("lastensuojelu tuki")
            .iter()
            .any(|r| r.from == "suojelu"));
        assert!(!search("tuki").parts);
    }

    /// A compound few pages have also finds the pages that write its head and last part
    /// apart, after those that have it: `vanhempainryhmä`, "vanhempien ryhmä".
    #[test]
    fn a_compound_few_pages_have_finds_its_parts_written_apart() {
        let e = engine_with_positions(
            &["Perheryhmä alkaa.", "Ryhmä lapsille.", "Perhe ja ryhmä."],
            &[],
        );
        let o = e.search(&parse_request("10\n\nperheryhmä"));
        let hits: Vec<(u32, u32, u32)> =
            o.hits.iter().map(|h| (h.doc, h.missing, h.apart)).collect();
        // The page with only the last part is no answer.
        assert_eq!(hits, [(0, 0, 0), (2, 0, 1)]);
        assert_eq!(o.total, 2);
        let json = e.to_json(&o);
        assert!(
            json.contains("\\u003cmark>Perhe\\u003c/mark> ja \\u003cmark>ryhmä"),
            "{json}"
        );
        // The browser loads the candidate parts, then the head's and part's own terms.
        assert!(o.parts);
        let plan: Vec<String> = e
            .plan_parts("perheryhmä")
            .into_iter()
            .map(|r| r.from)
            .collect();
        assert!(
            ["ryhma", "perhe"]
                .iter()
                .all(|t| plan.contains(&t.to_string())),
            "{plan:?}"
        );
        // Enough pages with the compound itself: no split.
        let mut texts = vec!["Perheryhmä alkaa."; SOFT_MIN];
        texts.push("Perhe ja ryhmä.");
        let e = engine_with_positions(&texts, &[]);
        let o = e.search(&parse_request("20\n\nperheryhmä"));
        assert_eq!((o.total, o.parts), (SOFT_MIN, false));
    }

    /// A page found by a word far into its text (or in the front-matter text it shows) gets
    /// its excerpt from there once its text is in; until then the search names the text it
    /// needs. A start that shows a match is kept, and a text is never asked for twice.
    #[test]
    fn an_excerpt_comes_from_the_whole_text_when_the_start_shows_no_match() {
        let filler = "Muuta tekstiä. ".repeat(60);
        let text = format!(
            "Menetelmä perheille, joissa on pieniä lapsia. {filler} Huoltoriidoissa lapsen etu ratkaisee."
        );
        let docs = vec![
            DocMeta {
                url: "/a/".into(),
                title: "A".into(),
                kind: "method".into(),
                text: text.clone(),
                facets: vec![],
            },
            DocMeta {
                url: "/b/".into(),
                title: "B".into(),
                kind: "method".into(),
                text: format!("Huoltoriita alussa. {filler} Ja lopussa huoltoriita."),
                facets: vec![],
            },
        ];
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        let terms = index_terms(&texts);
        let mut e = Engine::new("fi", 2, 4);
        let t: Vec<(&String, &Vec<Posting>)> = terms.iter().collect();
        assert!(e.add("s", 0, &encode_shard(&t)));
        assert!(e.add("d", 0, &encode_docs(&docs)));
        let req = Request {
            query: "huoltoriita ".into(),
            limit: 10,
            ..Request::default()
        };
        let json = e.to_json(&e.search(&req));
        // Document 0's start shows no match: its text is needed; document 1's start does.
        assert!(json.contains("\"needText\":[0]"), "{json}");
        assert!(json.contains("\"excerpt\":\"Menetelmä perheille"), "{json}");
        assert!(!e.add("t", 2, &encode_text(&docs[0])), "no such document");
        assert!(!e.add("t", 0, b"\xffab"), "malformed");
        assert!(e.add("t", 0, &encode_text(&docs[0])));
        assert!(e.add("t", 1, &encode_text(&docs[1])));
        let json = e.to_json(&e.search(&req));
        assert!(json.contains("\"needText\":[]"), "{json}");
        assert!(
            json.contains("\\u003cmark>Huoltoriidoissa\\u003c/mark> lapsen etu ratkaisee."),
            "{json}"
        );
        assert!(
            json.contains("\"excerpt\":\"\\u003cmark>Huoltoriita\\u003c/mark> alussa. Muuta"),
            "{json}"
        );
        // No query words: nothing to show, nothing to load.
        let json = e.to_json(&e.search(&Request {
            query: String::new(),
            limit: 10,
            ..Request::default()
        }));
        assert!(json.contains("\"needText\":[]"), "{json}");
    }

    /// The shortcut that spares an excerpt stemming most words of a page never skips a word
    /// that matches: over the bundled Finnish and Swedish pages, for every judged query and
    /// for words whose forms change their consonants or end compounds.
    #[test]
    fn the_excerpt_shortcut_skips_no_matching_word() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for (lang, suffix) in [("fi", ".md"), ("sv", ".sv.md")] {
            let e = Engine::new(lang, 1, 4);
            let judged =
                std::fs::read_to_string(root.join(format!("tests/relevance/{lang}.tsv"))).unwrap();
            let mut queries: Vec<String> = judged
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| l.split('\t').next().unwrap().to_string())
                .collect();
            queries.extend(
                [
                    "äiti",
                    "lapsi ",
                    "suojelu",
                    "vesi ",
                    "käsi ",
                    "perh",
                    "\"lasten suojelu\"",
                ]
                .map(String::from),
            );
            let parsed: Vec<Vec<QueryWord>> = queries.iter().map(|q| e.parse(q)).collect();
            let mut pages = 0;
            for dir in [
                "content",
                "content/menetelmat",
                "content/palvelupolut",
                "content/keskukset",
            ] {
                for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                    let path = entry.unwrap().path();
                    let name = path.to_string_lossy().to_string();
                    let own = path.is_file()
                        && name.ends_with(suffix)
                        && (lang != "fi" || !name.ends_with(".sv.md") && !name.ends_with(".en.md"));
                    if !own {
                        continue;
                    }
                    pages += 1;
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (q, words) in queries.iter().zip(&parsed) {
                        assert!(e.prefilter_agrees(&text, words), "{lang} {q} in {name}");
                    }
                }
            }
            assert!(pages > 10, "{lang}: {pages} pages");
        }
    }

    /// A word's records file holds the documents of its first results: with it, a search
    /// shows them and names no chunk to load; without it, the same results need their chunks.
    #[test]
    fn records_stand_in_for_the_chunks_of_their_documents() {
        let docs: Vec<DocMeta> = (0..40)
            .map(|i| DocMeta {
                url: format!("/{i}/"),
                title: format!("Sivu {i}"),
                kind: "page".into(),
                text: format!("Perheterapia sivulla {i}"),
                facets: Vec::new(),
            })
            .collect();
        let texts: Vec<String> = (0..40)
            .map(|i| {
                if i % 9 == 4 {
                    "perheterapia".into()
                } else {
                    "muuta".into()
                }
            })
            .collect();
        let terms = index_terms(&texts.iter().map(String::as_str).collect::<Vec<_>>());
        let t: Vec<(&String, &Vec<Posting>)> = terms.iter().collect();
        let request = Request {
            query: "perheterapia".into(),
            limit: 3,
            ..Request::default()
        };
        let mut e = Engine::new("fi", 40, 4);
        assert!(e.add("s", 0, &encode_shard(&t)));
        let without = e.search(&request);
        let hits: Vec<u32> = without.hits.iter().map(|h| h.doc).collect();
        assert_eq!(hits, [4, 13, 22]);
        assert_eq!(without.need_chunks, [1, 3, 5]);
        assert!(e.add("r", 0, &encode_records(&[4, 13, 22, 31], &docs)));
        let with = e.search(&request);
        assert!(with.need_chunks.is_empty());
        assert_eq!(e.doc(13).unwrap().title, "Sivu 13");
        assert!(e.to_json(&with).contains("Sivu 22"));
        assert!(e.doc(12).is_none());
        assert!(!e.add("r", 0, b"4 13\nonly/\n"));
    }

    #[test]
    fn excerpts_are_escaped_and_marked() {
        let e = engine();
        let o = e.search(&Request {
            query: "tuki".into(),
            limit: 10,
            ..Request::default()
        });
        let excerpt = e.excerpt(&e.doc(0).unwrap().text, &o.words, 180);
        assert_eq!(excerpt, "Lastensuojelun &lt;<mark>tuki</mark>&gt; äidille");
        let json = e.to_json(&o);
        assert!(
            json.contains("\\u003cmark>tuki") && !json.contains("<tuki>"),
            "{json}"
        );
    }

    /// Several words: the excerpt shows where most of them stand together, not the first
    /// place one of them does.
    #[test]
    fn an_excerpt_of_several_words_shows_them_together() {
        let fi = Engine::new("fi", 0, 4);
        let text = format!(
            "Nuorille on monia palveluja. {} Masentunut nuori hyötyy terapiasta.",
            "Muuta tekstiä tässä välissä. ".repeat(20)
        );
        let both = fi.excerpt(&text, &fi.parse("masentunut nuori "), 180);
        assert!(
            both.starts_with('…') && both.contains("<mark>Masentunut</mark> <mark>nuori</mark>"),
            "{both}"
        );
        // One word: its first place.
        let one = fi.excerpt(&text, &fi.parse("nuori "), 180);
        assert!(one.starts_with("<mark>Nuorille</mark> on"), "{one}");
    }

    #[test]
    fn compounds_ending_in_a_query_word_are_marked_in_finnish_only() {
        let text = "Lastensuojelun ammattilaisille ja lastensuojelu.";
        let fi = Engine::new("fi", 0, 4);
        let words = fi.parse("suojelu");
        assert_eq!(
            fi.excerpt(text, &words, 180),
            "<mark>Lastensuojelun</mark> ammattilaisille ja <mark>lastensuojelu</mark>."
        );
        // An inflection is not a compound: `sille` marks no `ammattilaisille`.
        assert_eq!(fi.excerpt(text, &fi.parse("sille"), 180), text);
        let en = Engine::new("en", 0, 4);
        assert_eq!(
            en.excerpt("A background check", &en.parse("ground"), 180),
            "A background check"
        );
    }

    #[test]
    fn inflected_forms_of_a_query_word_are_marked_in_finnish_only() {
        let text = "Lasten ja nuorten palvelut, lapsen etu ja Lapin lapsi.";
        let fi = Engine::new("fi", 0, 4);
        assert_eq!(
            fi.excerpt(text, &fi.parse("lapsi "), 180),
            "<mark>Lasten</mark> ja nuorten palvelut, <mark>lapsen</mark> etu ja Lapin <mark>lapsi</mark>."
        );
        assert_eq!(
            fi.excerpt(text, &fi.parse("nuori "), 180),
            "Lasten ja <mark>nuorten</mark> palvelut, lapsen etu ja Lapin lapsi."
        );
        let sv = Engine::new("sv", 0, 4);
        assert_eq!(sv.excerpt("Lasten", &sv.parse("lapsi "), 180), "Lasten");
    }
}
