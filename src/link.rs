//! Stage 3, link: merge translations, check every reference and link, and derive the
//! back-references and facet counts that pages show. Every problem becomes a diagnostic;
//! the stage never stops at the first.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{code, suggest, Diagnostic};
use crate::load::Input;
use crate::model::{FrontMatter, Kind};
use crate::parse::Document;
use crate::paths;
use crate::theme::Theme;
use crate::vocab::Vocabularies;
use crate::yaml::{self, Seg};

/// A facet readers can browse and filter by: a URL folder, the vocabulary behind it.
#[derive(Debug, Clone, Copy)]
pub struct FacetDef {
    pub slug: &'static str,
    pub list: &'static str,
}

/// The facets with listing pages, in menu order.
pub const FACETS: &[FacetDef] = &[
    FacetDef {
        slug: "teemat",
        list: "themes",
    },
    FacetDef {
        slug: "ikaryhmat",
        list: "age_bands",
    },
    FacetDef {
        slug: "kohderyhmat",
        list: "target_groups",
    },
    FacetDef {
        slug: "palvelutasot",
        list: "service_levels",
    },
    FacetDef {
        slug: "toteutuspaikat",
        list: "settings",
    },
    FacetDef {
        slug: "toteutusmuodot",
        list: "delivery",
    },
    FacetDef {
        slug: "menetelmatyypit",
        list: "method_types",
    },
    FacetDef {
        slug: "naytto",
        list: "evidence_sources",
    },
    FacetDef {
        slug: "kielet",
        list: "languages",
    },
];

/// Facet slug → value id → the (kind, id) of methods and pathways with that value.
pub type FacetIndex = BTreeMap<&'static str, BTreeMap<String, BTreeSet<(Kind, String)>>>;

/// Per document, per Markdown link marker: (target document, anchor).
pub type ResolvedLinks = Vec<Vec<(usize, Option<String>)>>;

/// What refers to an entry, derived here so that no page stores it twice.
#[derive(Debug, Clone, Default)]
pub struct BackRefs {
    pub pathways: BTreeSet<String>,
    pub centres: BTreeSet<String>,
    pub methods: BTreeSet<String>,
}

/// The whole site after linking: what render needs and nothing it must recompute.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub vocab: Vocabularies,
    pub theme: Theme,
    /// All documents with translations merged over their originals, sorted by language and URL.
    pub docs: Vec<Document>,
    /// Site path of each document (`sv/menetelmat/x/`), same order as `docs`.
    pub urls: Vec<String>,
    /// (kind, id, lang) → index into `docs`, for typed entries and pages alike.
    pub index: HashMap<(Kind, String, String), usize>,
    /// Source path → index of the default-language document, for Markdown links.
    pub by_path: HashMap<String, usize>,
    /// Back-references per (kind, id).
    pub backrefs: HashMap<(Kind, String), BackRefs>,
    /// Facet slug → value id → ids of methods and pathways with that value (kind, id).
    pub facets: FacetIndex,
    /// Resolved Markdown links per document: marker index → (target doc, anchor).
    pub links: ResolvedLinks,
    pub assets: Vec<String>,
}

impl Site {
    pub fn lang_prefix(&self, lang: &str) -> String {
        if lang == self.config.default_language() {
            String::new()
        } else {
            format!("{lang}/")
        }
    }

    /// The document for an entry in `lang`, falling back to the default language.
    pub fn find(&self, kind: Kind, id: &str, lang: &str) -> Option<usize> {
        self.index
            .get(&(kind, id.to_string(), lang.to_string()))
            .or_else(|| {
                self.index.get(&(
                    kind,
                    id.to_string(),
                    self.config.default_language().to_string(),
                ))
            })
            .copied()
    }
}

/// Site path of a document: `<lang>/<section>/<id>/` for entries, the folder path for pages.
pub fn url_of(doc: &Document, config: &Config) -> String {
    let prefix = if doc.lang == config.default_language() {
        String::new()
    } else {
        format!("{}/", doc.lang)
    };
    let mut path = match doc.kind {
        Kind::Page => doc.dir.clone(),
        kind => config.section_of(kind).unwrap_or("").to_string(),
    };
    if !doc.is_index() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&doc.id);
    }
    if !path.is_empty() {
        path.push('/');
    }
    format!("{prefix}{path}")
}

fn deep_merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => deep_merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

type OwnedPath = Vec<OwnedSeg>;
#[derive(Debug, Clone)]
enum OwnedSeg {
    Key(&'static str),
    Index(usize),
}

fn segs(p: &OwnedPath) -> Vec<Seg<'_>> {
    p.iter()
        .map(|s| match s {
            OwnedSeg::Key(k) => Seg::Key(k),
            OwnedSeg::Index(i) => Seg::Index(*i),
        })
        .collect()
}

fn path_text(p: &OwnedPath) -> String {
    let mut s = String::new();
    for seg in p {
        match seg {
            OwnedSeg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            OwnedSeg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Every vocabulary id a front matter uses: (path to the value, list, id).
fn vocab_refs(front: &FrontMatter) -> Vec<(OwnedPath, &'static str, String)> {
    use OwnedSeg::{Index, Key};
    let mut out = Vec::new();
    let list = |out: &mut Vec<_>, base: OwnedPath, name: &'static str, values: &[String]| {
        for (i, v) in values.iter().enumerate() {
            let mut p = base.clone();
            p.push(Index(i));
            out.push((p, name, v.clone()));
        }
    };
    match front {
        FrontMatter::Method(m) => {
            if let Some(t) = &m.method_type {
                out.push((vec![Key("method_type")], "method_types", t.clone()));
            }
            list(
                &mut out,
                vec![Key("target_groups")],
                "target_groups",
                &m.target_groups,
            );
            list(&mut out, vec![Key("age_bands")], "age_bands", &m.age_bands);
            list(&mut out, vec![Key("themes")], "themes", &m.themes);
            list(
                &mut out,
                vec![Key("service_levels")],
                "service_levels",
                &m.service_levels,
            );
            list(&mut out, vec![Key("settings")], "settings", &m.settings);
            list(&mut out, vec![Key("delivery")], "delivery", &m.delivery);
            list(&mut out, vec![Key("languages")], "languages", &m.languages);
            for (i, e) in m.evidence.iter().enumerate() {
                out.push((
                    vec![Key("evidence"), Index(i), Key("source")],
                    "evidence_sources",
                    e.source.clone(),
                ));
                out.push((
                    vec![Key("evidence"), Index(i), Key("scale")],
                    "evidence_scales",
                    e.scale.clone(),
                ));
            }
        }
        FrontMatter::Centre(c) => {
            if let Some(a) = &c.cooperation_area {
                out.push((
                    vec![Key("cooperation_area")],
                    "cooperation_areas",
                    a.clone(),
                ));
            }
            list(&mut out, vec![Key("regions")], "regions", &c.regions);
            list(
                &mut out,
                vec![Key("specialisations")],
                "specialisations",
                &c.specialisations,
            );
            list(&mut out, vec![Key("partners")], "partners", &c.partners);
            if let Some(k) = &c.consultation {
                list(
                    &mut out,
                    vec![Key("consultation"), Key("who_can_request")],
                    "requesters",
                    &k.who_can_request,
                );
                list(
                    &mut out,
                    vec![Key("consultation"), Key("channels")],
                    "channels",
                    &k.channels,
                );
            }
        }
        FrontMatter::Pathway(p) => {
            list(&mut out, vec![Key("themes")], "themes", &p.themes);
            list(&mut out, vec![Key("age_bands")], "age_bands", &p.age_bands);
            list(
                &mut out,
                vec![Key("target_groups")],
                "target_groups",
                &p.target_groups,
            );
            for (i, s) in p.steps.iter().enumerate() {
                out.push((
                    vec![Key("steps"), Index(i), Key("level")],
                    "service_levels",
                    s.level.clone(),
                ));
                list(
                    &mut out,
                    vec![Key("steps"), Index(i), Key("actors")],
                    "actors",
                    &s.actors,
                );
            }
        }
        FrontMatter::Page(_) => {}
    }
    out
}

/// The entries a front matter refers to: (kind, id).
pub(crate) fn references(front: &FrontMatter) -> Vec<(Kind, String)> {
    entry_refs(front)
        .into_iter()
        .map(|(_, kind, id)| (kind, id))
        .collect()
}

/// Every reference to another entry: (path to the value, kind referred to, id).
fn entry_refs(front: &FrontMatter) -> Vec<(OwnedPath, Kind, String)> {
    use OwnedSeg::{Index, Key};
    let mut out = Vec::new();
    let ids = |out: &mut Vec<_>, base: OwnedPath, kind: Kind, values: &[String]| {
        for (i, v) in values.iter().enumerate() {
            let mut p = base.clone();
            p.push(Index(i));
            out.push((p, kind, v.clone()));
        }
    };
    match front {
        FrontMatter::Method(m) => ids(&mut out, vec![Key("related")], Kind::Method, &m.related),
        FrontMatter::Centre(c) => ids(
            &mut out,
            vec![Key("methods_supported")],
            Kind::Method,
            &c.methods_supported,
        ),
        FrontMatter::Pathway(p) => {
            for (i, s) in p.steps.iter().enumerate() {
                ids(
                    &mut out,
                    vec![Key("steps"), Index(i), Key("methods")],
                    Kind::Method,
                    &s.methods,
                );
                ids(
                    &mut out,
                    vec![Key("steps"), Index(i), Key("centres")],
                    Kind::Centre,
                    &s.centres,
                );
            }
        }
        FrontMatter::Page(_) => {}
    }
    out
}

/// The facet values of an entry, per facet slug.
pub fn facet_values(front: &FrontMatter) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut add = |slug: &'static str, values: &[String]| {
        for v in values {
            out.push((slug, v.clone()));
        }
    };
    match front {
        FrontMatter::Method(m) => {
            add("teemat", &m.themes);
            add("ikaryhmat", &m.age_bands);
            add("kohderyhmat", &m.target_groups);
            add("palvelutasot", &m.service_levels);
            add("toteutuspaikat", &m.settings);
            add("toteutusmuodot", &m.delivery);
            add("menetelmatyypit", m.method_type.as_slice());
            add("kielet", &m.languages);
            let sources: Vec<String> = m.evidence.iter().map(|e| e.source.clone()).collect();
            add("naytto", &sources);
        }
        FrontMatter::Pathway(p) => {
            add("teemat", &p.themes);
            add("ikaryhmat", &p.age_bands);
            add("kohderyhmat", &p.target_groups);
            let levels: BTreeSet<String> = p.steps.iter().map(|s| s.level.clone()).collect();
            add("palvelutasot", &levels.into_iter().collect::<Vec<_>>());
        }
        _ => {}
    }
    out
}

#[derive(Debug, Clone)]
enum UrlSeg {
    Key(String),
    Index(usize),
}

/// Every `url` or `*_url` field of a front matter, with its path, wherever it is nested.
fn url_fields(v: &serde_json::Value) -> Vec<(Vec<UrlSeg>, String)> {
    fn walk(v: &serde_json::Value, path: &mut Vec<UrlSeg>, out: &mut Vec<(Vec<UrlSeg>, String)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    path.push(UrlSeg::Key(k.clone()));
                    match x {
                        serde_json::Value::String(s) if k == "url" || k.ends_with("_url") => {
                            out.push((path.clone(), s.clone()))
                        }
                        _ => walk(x, path, out),
                    }
                    path.pop();
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(UrlSeg::Index(i));
                    walk(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn empty(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Links the parsed documents into a `Site`, or returns the problems found.
pub fn link(input: Input, mut docs: Vec<Document>) -> (Option<Site>, Vec<Diagnostic>) {
    let config = input.config;
    let vocab = input.vocab;
    let default = config.default_language().to_string();
    let mut diags = Vec::new();
    docs.sort_by(|a, b| a.path.cmp(&b.path));

    // Duplicates: two files that would write the same URL, compared as file systems do.
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut keep = vec![true; docs.len()];
    for (i, d) in docs.iter().enumerate() {
        let key = paths::collision_key(&url_of(d, &config));
        let typed_key = (d.kind != Kind::Page).then(|| {
            format!(
                "{}:{}:{}",
                d.kind.name(),
                d.lang,
                paths::collision_key(&d.id)
            )
        });
        for k in [Some(key), typed_key].into_iter().flatten() {
            if let Some(first) = seen.get(&k) {
                diags.push(
                    Diagnostic::error(code::DUPLICATE_ID, format!("duplicate id \"{}\": {first} already uses it", d.id))
                        .in_file(&d.path)
                        .at(1, 1, 3)
                        .hint("ids are compared ignoring case and Unicode normalisation; rename one of the files"),
                );
                keep[i] = false;
                break;
            }
            seen.insert(k, d.path.clone());
        }
    }
    let docs: Vec<Document> = docs
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(d, _)| d)
        .collect();

    // Required fields of originals; every entry's own vocabulary ids and references.
    let originals: HashMap<(String, String), usize> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.lang == default)
        .map(|(i, d)| ((d.dir.clone(), d.id.clone()), i))
        .collect();
    let typed_ids: HashMap<Kind, BTreeSet<String>> = docs
        .iter()
        .filter(|d| d.lang == default)
        .fold(HashMap::new(), |mut m, d| {
            m.entry(d.kind).or_default().insert(d.id.clone());
            m
        });
    // Each document's own checks, in parallel: at 100,000 entries they took a second.
    let checked: Vec<Vec<Diagnostic>> = docs
        .par_iter()
        .map(|d| {
        let mut out = Vec::new();
        let here = |segs: &[Seg]| {
            yaml::locate(&d.fm_text, segs)
                .map(|(l, c, n)| (l + d.fm_offset, c, n))
                .unwrap_or((1, 1, 3))
        };
        if d.lang == default {
            let json = d.front.to_json();
            for field in d.kind.required() {
                if json.get(field).is_none_or(empty) {
                    out.push(
                        Diagnostic::error(code::MISSING_FIELD, format!("missing required field `{field}` in {} front matter", d.kind.name()))
                            .in_file(&d.path)
                            .at(1, 1, 3)
                            .hint(format!("add `{field}:` between the `---` lines; `tietopankki schema {}` lists every field", d.kind.name())),
                    );
                }
            }
            if let FrontMatter::Method(m) = &d.front {
                if m.evidence.is_empty()
                    && m.evidence_note
                        .as_deref()
                        .is_none_or(|s| s.trim().is_empty())
                {
                    out.push(
                        Diagnostic::error(code::NO_EVIDENCE, "method has no `evidence` and no `evidence_note`")
                            .in_file(&d.path)
                            .at(1, 1, 3)
                            .hint("add one `evidence` item per rating source, or an `evidence_note` saying why it is not rated"),
                    );
                }
            }
        }
        if let FrontMatter::Method(m) = &d.front {
            if let (Some(lo), Some(hi)) = (m.age_min, m.age_max) {
                if lo > hi {
                    let (l, c, n) = here(&[Seg::Key("age_min")]);
                    out.push(
                        Diagnostic::error(
                            code::AGE_RANGE,
                            format!("age_min ({lo}) is above age_max ({hi})"),
                        )
                        .in_file(&d.path)
                        .at(l, c, n)
                        .hint("swap the two values"),
                    );
                }
            }
        }
        let unknown: Vec<_> = vocab_refs(&d.front)
            .into_iter()
            .filter(|(_, list, id)| vocab.get(list, id).is_none())
            .collect();
        more_of(
            &mut out,
            &d.path,
            code::UNKNOWN_VOCAB,
            unknown.len(),
            "unknown vocabulary ids",
        );
        for (p, list, id) in unknown.into_iter().take(MAX_PER_FILE) {
            {
                let (l, c, _) = here(&segs(&p));
                let field = path_text(&p);
                let field = field
                    .rsplit_once('[')
                    .map(|(f, _)| f.to_string())
                    .unwrap_or(field);
                let hint = suggest(&id, vocab.list(list).iter().map(|e| e.id.as_str()))
                    .map(|s| format!("did you mean \"{s}\"?"))
                    .unwrap_or_else(|| {
                        format!("the ids of `{list}` are in content/vocabularies.yaml")
                    });
                out.push(
                    Diagnostic::error(
                        code::UNKNOWN_VOCAB,
                        format!("unknown vocabulary id \"{id}\" in {field}"),
                    )
                    .in_file(&d.path)
                    .at(l, c, id.chars().count())
                    .hint(hint),
                );
            }
        }
        let unsafe_urls: Vec<_> = url_fields(&d.front.to_json())
            .into_iter()
            .filter(|(_, url)| !paths::is_safe_url(url))
            .collect();
        more_of(
            &mut out,
            &d.path,
            code::UNSAFE_URL,
            unsafe_urls.len(),
            "unsafe URLs",
        );
        for (p, url) in unsafe_urls.into_iter().take(MAX_PER_FILE) {
            {
                let segs: Vec<Seg> = p
                    .iter()
                    .map(|s| match s {
                        UrlSeg::Key(k) => Seg::Key(k),
                        UrlSeg::Index(i) => Seg::Index(*i),
                    })
                    .collect();
                let (l, c, _) = here(&segs);
                out.push(
                    Diagnostic::error(code::UNSAFE_URL, format!("unsafe URL `{url}`"))
                        .in_file(&d.path)
                        .at(l, c, url.chars().count())
                        .hint("use an http or https address"),
                );
            }
        }
        let dangling: Vec<_> = entry_refs(&d.front)
            .into_iter()
            .filter(|(_, kind, id)| !typed_ids.get(kind).is_some_and(|k| k.contains(id)))
            .collect();
        more_of(
            &mut out,
            &d.path,
            code::DANGLING_REF,
            dangling.len(),
            "references to missing entries",
        );
        for (p, kind, id) in dangling.into_iter().take(MAX_PER_FILE) {
            let known = typed_ids.get(&kind);
            {
                let (l, c, _) = here(&segs(&p));
                let hint = known
                    .and_then(|k| suggest(&id, k.iter().map(String::as_str)))
                    .map(|s| format!("did you mean \"{s}\"?"))
                    .unwrap_or_else(|| {
                        format!(
                            "no {} with this id exists; check the file name under content/{}/",
                            kind.name(),
                            config.section_of(kind).unwrap_or("")
                        )
                    });
                out.push(
                    Diagnostic::error(
                        code::DANGLING_REF,
                        format!(
                            "{} \"{id}\" does not exist ({})",
                            kind.name(),
                            path_text(&p)
                        ),
                    )
                    .in_file(&d.path)
                    .at(l, c, id.chars().count())
                    .hint(hint),
                );
            }
        }
        out
        })
        .collect();
    diags.extend(checked.into_iter().flatten());

    // Translations: merge over the original, so untranslated fields are written once. Only the
    // merged front matter is computed here; documents are moved, never copied.
    let mut merged_fronts: HashMap<usize, Option<FrontMatter>> = HashMap::new();
    for (i, d) in docs.iter().enumerate().filter(|(_, d)| d.lang != default) {
        let Some(&oi) = originals.get(&(d.dir.clone(), d.id.clone())) else {
            diags.push(
                Diagnostic::error(
                    code::ORPHAN_TRANSLATION,
                    format!("translation has no original: expected {}", orig_path(d)),
                )
                .in_file(&d.path)
                .at(1, 1, 3)
                .hint("write the original in the default language first, or fix the file name"),
            );
            merged_fronts.insert(i, None);
            continue;
        };
        let original = &docs[oi];
        if original.kind != d.kind {
            merged_fronts.insert(i, None);
            continue;
        }
        let mut json = original.front.to_json();
        deep_merge(&mut json, d.front.to_json());
        match FrontMatter::from_json(d.kind, json) {
            Ok(front) => {
                merged_fronts.insert(i, Some(front));
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        code::WRONG_TYPE,
                        format!("translation does not fit its original: {e}"),
                    )
                    .in_file(&d.path),
                );
                merged_fronts.insert(i, None);
            }
        }
    }
    let docs: Vec<Document> = docs
        .into_iter()
        .enumerate()
        .filter_map(|(i, mut d)| match merged_fronts.remove(&i) {
            None => Some(d),
            Some(Some(front)) => {
                d.front = front;
                Some(d)
            }
            Some(None) => None,
        })
        .collect();

    // Sorted by language and URL: the order every page list and the output follow.
    let mut docs: Vec<(String, Document)> =
        docs.into_iter().map(|d| (url_of(&d, &config), d)).collect();
    docs.sort_by(|(ua, a), (ub, b)| (&a.lang, ua).cmp(&(&b.lang, ub)));
    let (urls, docs): (Vec<String>, Vec<Document>) = docs.into_iter().unzip();

    let index: HashMap<(Kind, String, String), usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.kind, d.id.clone(), d.lang.clone()), i))
        .collect();
    let by_source: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.as_str(), i))
        .collect();
    let by_path: HashMap<String, usize> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.lang == default)
        .map(|(i, d)| (d.path.clone(), i))
        .collect();

    // Markdown links and anchors.
    // Anchors of a page, computed once per page that an anchored link points to.
    let mut anchor_cache: HashMap<usize, BTreeSet<String>> = HashMap::new();
    let mut links = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let mut resolved = Vec::with_capacity(d.body.links.len());
        for l in &d.body.links {
            let target = match &l.target {
                None => Some(i),
                Some(t) => {
                    let source = format!("content/{t}");
                    by_path
                        .get(&source)
                        .copied()
                        .or_else(|| by_source.get(source.as_str()).copied())
                        .map(|ti| {
                            // Prefer the target's translation in the linking page's language.
                            let td = &docs[ti];
                            index
                                .get(&(td.kind, td.id.clone(), d.lang.clone()))
                                .copied()
                                .filter(|&x| docs[x].dir == td.dir)
                                .unwrap_or(ti)
                        })
                }
            };
            let Some(ti) = target else {
                let hint = suggest(
                    l.target.as_deref().unwrap_or(""),
                    by_path
                        .keys()
                        .map(|k| k.strip_prefix("content/").unwrap_or(k)),
                )
                .map(|s| format!("did you mean `{s}`? Links are relative to this file's folder"))
                .unwrap_or_else(|| "links to pages are relative paths to their .md files".into());
                diags.push(
                    Diagnostic::error(
                        code::BROKEN_LINK,
                        format!("broken link: `{}` does not exist", l.written),
                    )
                    .in_file(&d.path)
                    .at(l.line, l.column, 1)
                    .hint(hint),
                );
                resolved.push((i, None));
                continue;
            };
            if let Some(a) = &l.anchor {
                let known = anchor_cache
                    .entry(ti)
                    .or_insert_with(|| page_anchors(&docs[ti]));
                if !known.contains(a) {
                    let hint = suggest(a, known.iter().map(String::as_str))
                        .map(|s| format!("did you mean `#{s}`?"))
                        .unwrap_or_else(|| {
                            "anchors are the headings' ids: lowercase, ä→a, spaces→-".into()
                        });
                    diags.push(
                        Diagnostic::error(
                            code::BROKEN_ANCHOR,
                            format!(
                                "broken anchor: `#{a}` is not a heading of {}",
                                docs[ti].path
                            ),
                        )
                        .in_file(&d.path)
                        .at(l.line, l.column, 1)
                        .hint(hint),
                    );
                }
            }
            resolved.push((ti, l.anchor.clone()));
        }
        links.push(resolved);
    }

    // Back-references and facets from the default-language entries; the facets one facet at a
    // time in parallel (at 100,000 entries, 1.4 million facet values), beside the references.
    let originals: Vec<&Document> = docs.iter().filter(|d| d.lang == default).collect();
    let (backrefs, facets) = rayon::join(
        || {
            let mut backrefs: HashMap<(Kind, String), BackRefs> = HashMap::new();
            for d in &originals {
                for (_, kind, id) in entry_refs(&d.front) {
                    let b = backrefs.entry((kind, id)).or_default();
                    match d.kind {
                        Kind::Pathway => b.pathways.insert(d.id.clone()),
                        Kind::Centre => b.centres.insert(d.id.clone()),
                        Kind::Method => b.methods.insert(d.id.clone()),
                        Kind::Page => false,
                    };
                }
            }
            backrefs
        },
        || {
            let values: Vec<Vec<(&'static str, String)>> = originals
                .par_iter()
                .map(|d| facet_values(&d.front))
                .collect();
            let facets: FacetIndex = FACETS
                .par_iter()
                .map(|f| {
                    let mut by_value: BTreeMap<String, BTreeSet<(Kind, String)>> = BTreeMap::new();
                    for (d, values) in originals.iter().zip(&values) {
                        for (_, value) in values.iter().filter(|(slug, _)| *slug == f.slug) {
                            if vocab.get(f.list, value).is_some() {
                                by_value
                                    .entry(value.clone())
                                    .or_default()
                                    .insert((d.kind, d.id.clone()));
                            }
                        }
                    }
                    (f.slug, by_value)
                })
                .filter(|(_, by_value)| !by_value.is_empty())
                .collect();
            facets
        },
    );

    if diags
        .iter()
        .any(|d| d.severity == crate::diagnostics::Severity::Error)
    {
        return (None, diags);
    }
    let site = Site {
        config,
        vocab,
        theme: input.theme,
        docs,
        urls,
        index,
        by_path,
        backrefs,
        facets,
        links,
        assets: input.assets,
    };
    (Some(site), diags)
}

/// The ids a link may point to on a page: its headings and glossary terms.
fn page_anchors(d: &Document) -> BTreeSet<String> {
    let mut a: BTreeSet<String> = d.body.headings.iter().map(|h| h.anchor.clone()).collect();
    if let FrontMatter::Page(p) = &d.front {
        a.extend(p.glossary.iter().map(|t| paths::anchor(&t.term)));
    }
    a
}

fn orig_path(d: &Document) -> String {
    let dir = if d.dir.is_empty() {
        String::new()
    } else {
        format!("{}/", d.dir)
    };
    format!("content/{dir}{}.md", d.id)
}

/// Most problems of one kind shown per file: a list of 100,000 bad ids gets 20 located
/// diagnostics and one line with the count, not 100,000 (locating each is a scan of the file).
const MAX_PER_FILE: usize = 20;

/// Reports how many problems of a kind were left out in `path`, if any.
fn more_of(diags: &mut Vec<Diagnostic>, path: &str, code: &'static str, found: usize, what: &str) {
    if found > MAX_PER_FILE {
        diags.push(
            Diagnostic::error(
                code,
                format!("{} more {what} in this file", found - MAX_PER_FILE),
            )
            .in_file(path)
            .hint("fix the ones shown, then check again"),
        );
    }
}
