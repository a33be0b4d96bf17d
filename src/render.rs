//! Stage 4, render: every page, list, facet page, feed, sitemap and the open-data export.
//!
//! Each entry's view (labels resolved, links computed) is built once per language and shared;
//! a page's template context holds its own view and small site-wide data, never the whole site.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde_json::{json, Map, Value};
use tera::{Context, Tera};

use crate::diagnostics::{code, Diagnostic};
use crate::link::{Site, FACETS};
use crate::markdown::LINK_MARKER;
use crate::model::{FrontMatter, Kind, Status};
use crate::paths;

/// Stands for the page's link prefix in shared fragments; replaced when a page is assembled.
const ROOT_MARK: &str = "\u{1}";

/// How links are written into pages.
#[derive(Debug, Clone)]
pub struct UrlStyle {
    /// Absolute site address when known (`https://host/sub/`), for sitemap, feed and hreflang.
    pub absolute: Option<String>,
    /// Path from the host root (`/sub/`) used as link prefix, unless `relative`.
    pub base_path: String,
    /// Links relative to each page, with explicit `index.html`, so the site works from a folder.
    pub relative: bool,
}

impl UrlStyle {
    pub fn new(base_url: &str, relative: bool) -> UrlStyle {
        let base = if base_url.ends_with('/') {
            base_url.to_string()
        } else {
            format!("{base_url}/")
        };
        let (absolute, base_path) = match base.split_once("://") {
            Some((_, rest)) => {
                let path = rest
                    .find('/')
                    .map(|i| rest[i..].to_string())
                    .unwrap_or_else(|| "/".into());
                (Some(base.clone()), path)
            }
            None if base.starts_with('/') => (None, base),
            None => (None, format!("/{base}")),
        };
        UrlStyle {
            absolute,
            base_path,
            relative,
        }
    }

    /// The link prefix for a page written at site path `dir`.
    pub fn root(&self, dir: &str) -> String {
        if self.relative {
            paths::up_to_root(dir)
        } else {
            self.base_path.clone()
        }
    }

    /// A site path as it is linked: with `index.html` when links must work from disk.
    pub fn link(&self, path: &str) -> String {
        if self.relative && (path.is_empty() || path.ends_with('/')) {
            format!("{path}index.html")
        } else {
            path.to_string()
        }
    }

    /// The address of a site path for sitemap, feed and canonical links: absolute when the base
    /// URL is known; root-relative otherwise; `None` for relative-link builds, which must not
    /// point at the host root.
    pub fn public(&self, path: &str) -> Option<String> {
        match &self.absolute {
            Some(a) => Some(format!("{a}{path}")),
            None if self.relative => None,
            None => Some(format!("{}{path}", self.base_path)),
        }
    }

    pub fn absolute(&self, path: &str) -> String {
        self.public(path).unwrap_or_else(|| path.to_string())
    }
}

/// One output file: path relative to the output folder, and its bytes.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

struct Ctx<'a> {
    site: &'a Site,
    style: &'a UrlStyle,
    live_reload: bool,
}

impl Ctx<'_> {
    fn default_lang(&self) -> &str {
        self.site.config.default_language()
    }

    fn label(&self, list: &str, id: &str, lang: &str) -> String {
        self.site.vocab.label(list, id, lang).to_string()
    }

    fn facet_path(&self, slug: &str, id: &str, lang: &str) -> String {
        let prefix = self.site.lang_prefix(lang);
        self.style.link(&format!("{prefix}{slug}/{id}/"))
    }

    /// Labelled links to facet pages for a vocabulary list of values.
    fn facet_links(&self, slug: &str, list: &str, ids: &[String], lang: &str) -> Value {
        Value::Array(
            ids.iter()
                .map(|id| {
                    let has_page = self
                        .site
                        .facets
                        .get(slug)
                        .is_some_and(|f| f.contains_key(id));
                    json!({
                        "id": id,
                        "label": self.label(list, id, lang),
                        "path": has_page.then(|| self.facet_path(slug, id, lang)),
                    })
                })
                .collect(),
        )
    }

    fn labels(&self, list: &str, ids: &[String], lang: &str) -> Value {
        Value::Array(
            ids.iter()
                .map(|id| json!({"id": id, "label": self.label(list, id, lang)}))
                .collect(),
        )
    }

    fn status_label(&self, status: Option<Status>, t: &BTreeMap<String, String>) -> Value {
        status.map_or(Value::Null, |s| {
            let key = format!("status_{}", serde_json::to_value(s).unwrap().as_str().unwrap_or(""));
            json!({"id": key.trim_start_matches("status_"), "label": t.get(&key).cloned().unwrap_or(key)})
        })
    }

    /// A short view of an entry for lists, in `lang` or falling back to the default language.
    fn summary(&self, kind: Kind, id: &str, lang: &str) -> Option<Value> {
        let i = self.site.find(kind, id, lang)?;
        let d = &self.site.docs[i];
        let mut v = json!({
            "id": id,
            "kind": kind.name(),
            "title": d.front.title().unwrap_or(id),
            "summary": d.front.summary(),
            "path": self.style.link(&self.site.urls[i]),
            "fallback": d.lang != lang,
            "reviewed": d.front.reviewed().map(|r| r.0.clone()),
        });
        if let FrontMatter::Method(m) = &d.front {
            v["evidence"] = Value::Array(
                m.evidence
                    .iter()
                    .map(|e| json!({"source": self.label("evidence_sources", &e.source, lang), "rating": e.rating}))
                    .collect(),
            );
            v["age_min"] = json!(m.age_min);
            v["age_max"] = json!(m.age_max);
        }
        Some(v)
    }

    fn summaries<'s>(
        &self,
        kind: Kind,
        ids: impl IntoIterator<Item = &'s String>,
        lang: &str,
    ) -> Value {
        let mut items: Vec<Value> = ids
            .into_iter()
            .filter_map(|id| self.summary(kind, id, lang))
            .collect();
        sort_by_title(&mut items);
        Value::Array(items)
    }
}

fn sort_by_title(items: &mut [Value]) {
    items.sort_by_cached_key(|v| v["title"].as_str().unwrap_or("").to_lowercase());
}

/// Replaces the link markers of a rendered body with real links for a page written at `dir`.
fn resolve_links(
    html: &str,
    links: &[(usize, Option<String>)],
    ctx: &Ctx,
    root: &str,
    self_index: usize,
) -> String {
    let mut out = String::with_capacity(html.len() + links.len() * 16);
    let mut rest = html;
    while let Some(pos) = rest.find(LINK_MARKER) {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + LINK_MARKER.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let n: usize = after[..digits].parse().unwrap_or(usize::MAX);
        match links.get(n) {
            Some((target, anchor)) => {
                if *target != self_index {
                    out.push_str(root);
                    out.push_str(&ctx.style.link(&ctx.site.urls[*target]));
                }
                if let Some(a) = anchor {
                    out.push('#');
                    out.push_str(a);
                }
            }
            None => out.push('#'),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

fn sources_view(sources: &[crate::model::Source]) -> Value {
    serde_json::to_value(sources).unwrap_or(Value::Null)
}

/// The page view of one document: everything its template shows.
fn doc_view(ctx: &Ctx, i: usize, root: &str, t: &BTreeMap<String, String>) -> Value {
    let site = ctx.site;
    let d = &site.docs[i];
    let lang = d.lang.as_str();
    let body = resolve_links(&d.body.html, &site.links[i], ctx, root, i);
    let toc: Vec<Value> = d
        .body
        .headings
        .iter()
        .filter(|h| h.level == 2)
        .map(|h| json!({"text": h.text, "anchor": h.anchor}))
        .collect();
    let mut v = json!({
        "id": d.id,
        "kind": d.kind.name(),
        "title": d.front.title().unwrap_or(&d.id),
        "summary": d.front.summary(),
        "body": body,
        "toc": toc,
        "reviewed": d.front.reviewed().map(|r| r.0.clone()),
        "source_path": d.path,
    });
    let back = site
        .backrefs
        .get(&(d.kind, d.id.clone()))
        .cloned()
        .unwrap_or_default();
    match &d.front {
        FrontMatter::Method(m) => {
            let mut related: Vec<String> = m.related.clone();
            related.extend(back.methods.iter().cloned());
            related.sort();
            related.dedup();
            let extra = json!({
                "status": ctx.status_label(m.status, t),
                "method_type": m.method_type.as_ref().map(|id| json!({"label": ctx.label("method_types", id, lang), "path": ctx.facet_path("menetelmatyypit", id, lang)})),
                "target_groups": ctx.facet_links("kohderyhmat", "target_groups", &m.target_groups, lang),
                "age_min": m.age_min, "age_max": m.age_max,
                "age_bands": ctx.facet_links("ikaryhmat", "age_bands", &m.age_bands, lang),
                "themes": ctx.facet_links("teemat", "themes", &m.themes, lang),
                "service_levels": ctx.facet_links("palvelutasot", "service_levels", &m.service_levels, lang),
                "settings": ctx.facet_links("toteutuspaikat", "settings", &m.settings, lang),
                "delivery": ctx.facet_links("toteutusmuodot", "delivery", &m.delivery, lang),
                "languages": ctx.facet_links("kielet", "languages", &m.languages, lang),
                "dosage": m.dosage, "workforce": m.workforce, "training": m.training,
                "implementation_support": m.implementation_support, "cost": m.cost,
                "owner": m.owner, "licence": m.licence, "contacts": m.contacts, "innokyla_url": m.innokyla_url,
                "evidence": m.evidence.iter().map(|e| json!({
                    "source": ctx.label("evidence_sources", &e.source, lang),
                    "source_path": ctx.facet_path("naytto", &e.source, lang),
                    "scale": ctx.label("evidence_scales", &e.scale, lang),
                    "rating": e.rating, "reviewed": e.reviewed.as_ref().map(|r| r.0.clone()),
                    "url": e.url, "note": e.note,
                })).collect::<Vec<_>>(),
                "evidence_note": m.evidence_note,
                "sources": sources_view(&m.sources),
                "pathways": ctx.summaries(Kind::Pathway, &back.pathways, lang),
                "centres": ctx.summaries(Kind::Centre, &back.centres, lang),
                "related": ctx.summaries(Kind::Method, &related, lang),
            });
            merge_into(&mut v, extra);
        }
        FrontMatter::Centre(c) => {
            let consultation = c.consultation.clone().unwrap_or_default();
            let extra = json!({
                "status": ctx.status_label(c.status, t),
                "short_name": c.short_name,
                "cooperation_area": c.cooperation_area.as_ref().map(|a| ctx.label("cooperation_areas", a, lang)),
                "host": c.host, "university_hospital": c.university_hospital,
                "regions": ctx.labels("regions", &c.regions, lang),
                "specialisations": ctx.labels("specialisations", &c.specialisations, lang),
                "consultation": {
                    "who_can_request": ctx.labels("requesters", &consultation.who_can_request, lang),
                    "channels": ctx.labels("channels", &consultation.channels, lang),
                    "instructions": consultation.instructions, "url": consultation.url,
                    "response_time": consultation.response_time,
                },
                "partners": ctx.labels("partners", &c.partners, lang),
                "methods": ctx.summaries(Kind::Method, &c.methods_supported, lang),
                "pathways": ctx.summaries(Kind::Pathway, &back.pathways, lang),
                "sources": sources_view(&c.sources),
            });
            merge_into(&mut v, extra);
        }
        FrontMatter::Pathway(p) => {
            let steps: Vec<Value> = p
                .steps
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    json!({
                        "number": n + 1, "title": s.title, "level": s.level,
                        "level_label": ctx.label("service_levels", &s.level, lang),
                        "actors": ctx.labels("actors", &s.actors, lang),
                        "methods": ctx.summaries(Kind::Method, &s.methods, lang),
                        "centres": ctx.summaries(Kind::Centre, &s.centres, lang),
                        "description": s.description, "entry_criteria": s.entry_criteria,
                        "escalate_when": s.escalate_when, "time_limits": s.time_limits,
                    })
                })
                .collect();
            let levels: Vec<String> = ctx
                .site
                .vocab
                .service_levels
                .iter()
                .map(|e| e.label(lang).to_string())
                .collect();
            let boxes: Vec<crate::diagram::Box> = p
                .steps
                .iter()
                .enumerate()
                .map(|(n, s)| crate::diagram::Box {
                    number: n + 1,
                    title: &s.title,
                    level: ctx
                        .site
                        .vocab
                        .service_levels
                        .iter()
                        .position(|e| e.id == s.level)
                        .unwrap_or(0),
                    actors: s
                        .actors
                        .iter()
                        .map(|a| ctx.label("actors", a, lang))
                        .collect::<Vec<_>>()
                        .join(", "),
                    time_limits: s.time_limits.len(),
                })
                .collect();
            let ui = |k: &str| t.get(k).cloned().unwrap_or_else(|| k.to_string());
            let diagram = crate::diagram::pathway_svg(
                &levels,
                &boxes,
                &format!(
                    "{}: {}",
                    ui("diagram_label"),
                    d.front.title().unwrap_or(&d.id)
                ),
                &ui("time_limits_short"),
            );
            let extra = json!({
                "diagram": diagram,
                "status": ctx.status_label(p.status, t),
                "themes": ctx.facet_links("teemat", "themes", &p.themes, lang),
                "age_bands": ctx.facet_links("ikaryhmat", "age_bands", &p.age_bands, lang),
                "target_groups": ctx.facet_links("kohderyhmat", "target_groups", &p.target_groups, lang),
                "steps": steps,
                "legal_basis": p.legal_basis,
                "valid_from": p.valid_from.as_ref().map(|d| d.0.clone()),
                "sources": sources_view(&p.sources),
            });
            merge_into(&mut v, extra);
        }
        FrontMatter::Page(p) => {
            let glossary: Vec<Value> = p.glossary.iter().map(|g| json!({
                "term": g.term, "anchor": paths::anchor(&g.term), "definition": g.definition,
                "see_also": g.see_also.iter().map(|s| json!({"term": s, "anchor": paths::anchor(s)})).collect::<Vec<_>>(),
            })).collect();
            merge_into(
                &mut v,
                json!({"glossary": glossary, "description": p.description}),
            );
        }
    }
    v
}

fn merge_into(v: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (v, extra) {
        a.extend(b);
    }
}

/// What `serve` asks to render again (see [`crate::rebuild`]): the pages of `docs`; with
/// `generated`, the generated files (feed, sitemap, export, 404) and the selected generated
/// pages (lists, facet pages; with `overview`, the home, facet index and search pages).
#[derive(Debug, Default)]
pub struct Selection {
    pub docs: HashSet<usize>,
    pub generated: bool,
    /// The pages that show every entry or count them (home, facet indexes, search page), when
    /// what lists show of some entry changed.
    pub overview: bool,
    /// With `generated`, which list and facet value pages to render; `None`: all of them.
    pub lists: Option<HashSet<Listing>>,
    /// Of those, only the pages listing one of these entries (kind, id): when the entries
    /// changed in place (same title, so the same place in every list, and the same facet
    /// values, so the same lists), no other page of a paginated list changes.
    pub entries: Option<HashSet<(Kind, String)>>,
    /// Every page rendered with one of these templates (an edited template, or one that
    /// extends, includes or imports it). Those of generated pages need `generated`.
    pub templates: HashSet<String>,
}

/// The templates of generated pages and files: rendering any of them needs the generated part
/// of a render. `entry.html` renders the list items on every list.
pub const GENERATED_TEMPLATES: &[&str] = &[
    "home.html",
    "list.html",
    "facets.html",
    "facet.html",
    "search.html",
    "404.html",
    "sitemap.xml",
    "atom.xml",
    "entry.html",
];

/// What a generated list page lists: a section's entries, or those with one facet value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Listing {
    Section(String),
    /// Facet slug and value id.
    FacetValue(String, String),
}

impl Selection {
    /// Whether none of `job`'s pages can be selected: a list or facet value page whose listing
    /// and template are not selected. Only its page paths matter then, not its order.
    fn never_selects(&self, job: &Job) -> bool {
        match (&job.listing, &self.lists) {
            (Some(listing), Some(lists)) => {
                !lists.contains(listing) && !self.templates.contains(job.template)
            }
            _ => false,
        }
    }

    fn selects(&self, job: &Job) -> bool {
        if self.templates.contains(job.template) {
            return true;
        }
        match (job.doc, &job.listing, &self.lists) {
            (Some(i), _, _) => {
                self.docs.contains(&i) || (self.overview && job.template == "home.html")
            }
            (None, Some(listing), Some(lists)) => {
                self.generated
                    && lists.contains(listing)
                    && self.entries.as_ref().is_none_or(|entries| {
                        // Few entries, many ids: compare in place instead of a key per id.
                        entries.iter().any(|(kind, id)| {
                            job.lists
                                .iter()
                                .any(|(_, k, ids)| k == kind && ids.contains(id))
                        })
                    })
            }
            (None, Some(_), None) => self.generated,
            (None, None, _) => self.overview,
        }
    }
}

/// The entries' ranks and list items, looked up for every item of every list: foldhash, not
/// SipHash (seeded per process, so crafted ids cannot collide on purpose).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A page to render: template, site path, context additions.
struct Job {
    /// The content document it shows, for a document's own page.
    doc: Option<usize>,
    /// What it lists, for a section list or a facet value page.
    listing: Option<Listing>,
    template: &'static str,
    path: String,
    lang: String,
    /// Site paths of this page in other languages, for the switcher and hreflang.
    alternates: Vec<(String, String)>,
    data: Map<String, Value>,
    /// Entry lists rendered from shared fragments: (context name, kind, ids).
    lists: Vec<(&'static str, Kind, Vec<String>)>,
}

/// Renders the whole site. Errors are template failures; content errors were caught earlier.
/// A rendered page's path, and its bytes unless they went straight to the staging folder.
type Page = (String, Option<Vec<u8>>);

/// Renders every page. With `staging`, pages are written there as soon as each is rendered
/// and not kept (at 10,000 pages that is 340 MB less held at once); the returned list then
/// holds the other files only. Returns the files and the number of HTML pages.
///
/// With `only`, renders just what it selects.
pub fn render(
    site: &Site,
    style: &UrlStyle,
    live_reload: bool,
    staging: Option<&crate::write::Staging>,
) -> Result<(Vec<OutputFile>, usize), Vec<Diagnostic>> {
    render_selected(site, style, live_reload, staging, None).map(|(files, pages, _)| (files, pages))
}

/// [`render`] of what `only` selects (everything when `None`). Also returns the site path of
/// every page the site has, rendered now or not, when generated pages were selected.
pub fn render_selected(
    site: &Site,
    style: &UrlStyle,
    live_reload: bool,
    staging: Option<&crate::write::Staging>,
    only: Option<&Selection>,
) -> Result<(Vec<OutputFile>, usize, Vec<String>), Vec<Diagnostic>> {
    // Without generated pages, only the selected documents' jobs are made at all; with them,
    // every job is made (the sitemap and the lists need them all) and the selected rendered.
    let with_generated = only.is_none_or(|o| o.generated);
    let tera = compile_templates(site)?;
    let ctx = Ctx {
        site,
        style,
        live_reload,
    };
    let langs = site.config.languages.clone();
    let default = ctx.default_lang().to_string();
    let strings: HashMap<String, BTreeMap<String, String>> = langs
        .iter()
        .map(|l| {
            let mut s = site
                .theme
                .strings
                .get(&default)
                .cloned()
                .unwrap_or_default();
            s.extend(site.theme.strings.get(l).cloned().unwrap_or_default());
            (l.clone(), s)
        })
        .collect();

    let mut jobs: Vec<Job> = Vec::new();
    // A generated page exists in every language at `<lang prefix><rest>`.
    let generated = |template: &'static str,
                     rest: &str,
                     lang: &str,
                     data: Map<String, Value>,
                     lists: Vec<(&'static str, Kind, Vec<String>)>| Job {
        doc: None,
        listing: None,
        template,
        path: format!("{}{rest}", site.lang_prefix(lang)),
        lang: lang.to_string(),
        alternates: langs
            .iter()
            .map(|x| (x.clone(), format!("{}{rest}", site.lang_prefix(x))))
            .collect(),
        data,
        lists,
    };

    // Content documents.
    for (i, d) in site.docs.iter().enumerate() {
        if d.kind == Kind::Page && d.is_index() && site.config.sections.contains_key(&d.dir) {
            continue; // a section's _index.md is the intro of its generated list page
        }
        let template = match (d.kind, d.dir.is_empty() && d.is_index()) {
            (Kind::Method, _) => "method.html",
            (Kind::Centre, _) => "centre.html",
            (Kind::Pathway, _) => "pathway.html",
            (Kind::Page, true) => "home.html",
            (Kind::Page, false) => "page.html",
        };
        if !with_generated
            && only.is_some_and(|o| !o.docs.contains(&i) && !o.templates.contains(template))
        {
            continue;
        }
        let alternates = langs
            .iter()
            .filter_map(|l| {
                site.index
                    .get(&(d.kind, d.id.clone(), l.clone()))
                    .filter(|&&j| site.docs[j].dir == d.dir)
                    .map(|&j| (l.clone(), site.urls[j].clone()))
            })
            .collect();
        let mut data = Map::new();
        data.insert("doc_index".into(), json!(i));
        jobs.push(Job {
            doc: Some(i),
            listing: None,
            template,
            path: site.urls[i].clone(),
            lang: d.lang.clone(),
            alternates,
            data,
            lists: Vec::new(),
        });
    }
    // Generated pages: none when rendering only some documents.
    if with_generated {
        // Home pages for languages without their own `_index`: the default one, with a notice.
        let default_home = site
            .index
            .get(&(Kind::Page, "_index".to_string(), default.clone()))
            .copied();
        for l in &langs {
            if site
                .index
                .contains_key(&(Kind::Page, "_index".into(), l.clone()))
            {
                continue;
            }
            let mut data = Map::new();
            if let Some(i) = default_home {
                data.insert("doc_index".into(), json!(i));
            }
            jobs.push(generated("home.html", "", l, data, Vec::new()));
        }
        // Section lists.
        for (section, kind) in &site.config.sections {
            for l in &langs {
                let ids: Vec<String> = site
                    .index
                    .keys()
                    .filter(|(k, _, lang)| k == kind && lang == &default)
                    .map(|(_, id, _)| id.clone())
                    .collect();
                let mut data = Map::new();
                data.insert("section".into(), json!(section));
                data.insert(
                    "section_label".into(),
                    json!(strings[l].get(&format!("section_{}", kind.name()))),
                );
                let intro = site
                    .index
                    .get(&(Kind::Page, "_index".into(), l.clone()))
                    .filter(|&&i| &site.docs[i].dir == section);
                if let Some(&i) = intro {
                    data.insert(
                    "intro".into(),
                    json!({"title": site.docs[i].front.title(), "body": &*site.docs[i].body.html}),
                );
                }
                let mut job = generated(
                    "list.html",
                    &format!("{section}/"),
                    l,
                    data,
                    vec![("entries", *kind, ids)],
                );
                job.listing = Some(Listing::Section(section.clone()));
                jobs.push(job);
            }
        }
        // Facet indexes and facet value pages.
        for f in FACETS {
            let values = site.facets.get(f.slug).cloned().unwrap_or_default();
            for l in &langs {
                let prefix = site.lang_prefix(l);
                let list: Vec<Value> = site
                .vocab
                .list(f.list)
                .iter()
                .filter_map(|e| values.get(&e.id).map(|ents| json!({"id": e.id, "label": e.label(l), "count": ents.len(), "path": ctx.facet_path(f.slug, &e.id, l)})))
                .collect();
                let mut data = Map::new();
                data.insert(
                    "facet".into(),
                    json!({"slug": f.slug, "label": strings[l].get(&format!("facet_{}", f.list))}),
                );
                data.insert("values".into(), Value::Array(list));
                jobs.push(generated(
                    "facets.html",
                    &format!("{}/", f.slug),
                    l,
                    data,
                    Vec::new(),
                ));
                for (value, entries) in &values {
                    let of = |kind: Kind| -> Vec<String> {
                        entries
                            .iter()
                            .filter(|(k, _)| *k == kind)
                            .map(|(_, id)| id.clone())
                            .collect()
                    };
                    let mut data = Map::new();
                    data.insert("facet".into(), json!({"slug": f.slug, "label": strings[l].get(&format!("facet_{}", f.list)), "path": style.link(&format!("{prefix}{}/", f.slug))}));
                    data.insert("value".into(), json!({"id": value, "label": ctx.label(f.list, value, l), "count": entries.len()}));
                    let lists = vec![
                        ("methods", Kind::Method, of(Kind::Method)),
                        ("pathways", Kind::Pathway, of(Kind::Pathway)),
                    ];
                    let mut job = generated(
                        "facet.html",
                        &format!("{}/{value}/", f.slug),
                        l,
                        data,
                        lists,
                    );
                    job.listing = Some(Listing::FacetValue(f.slug.to_string(), value.clone()));
                    jobs.push(job);
                }
            }
        }

        // The search page per language, with every filter value labelled.
        for l in &langs {
            let t = &strings[l];
            let ui = |k: &str| t.get(k).cloned().unwrap_or_else(|| k.to_string());
            let mut groups: Vec<Value> = Vec::new();
            let kinds: Vec<Value> = ["method", "pathway", "centre", "page"]
                .iter()
                .map(|k| json!({"id": k, "label": ui(&format!("kind_{k}"))}))
                .collect();
            groups.push(json!({"slug": "tyyppi", "label": ui("facet_type"), "values": kinds}));
            for f in FACETS {
                let Some(values) = site.facets.get(f.slug) else {
                    continue;
                };
                let vals: Vec<Value> = site
                    .vocab
                    .list(f.list)
                    .iter()
                    .filter(|e| values.contains_key(&e.id))
                    .map(|e| json!({"id": e.id, "label": e.label(l)}))
                    .collect();
                groups.push(
                json!({"slug": f.slug, "label": ui(&format!("facet_{}", f.list)), "values": vals}),
            );
            }
            let mut centres: Vec<Value> = site
                .docs
                .iter()
                .filter(|d| d.kind == Kind::Centre && d.lang == default)
                .map(|d| {
                    let i = site.find(Kind::Centre, &d.id, l).unwrap_or(0);
                    json!({"id": d.id, "label": site.docs[i].front.title().unwrap_or(&d.id)})
                })
                .collect();
            centres.sort_by_cached_key(|v| v["label"].as_str().unwrap_or("").to_lowercase());
            if !centres.is_empty() {
                groups.push(
                    json!({"slug": "keskus", "label": ui("facet_centre"), "values": centres}),
                );
            }
            let mut data = Map::new();
            data.insert("groups".into(), Value::Array(groups));
            jobs.push(generated("search.html", "haku/", l, data, Vec::new()));
        }
    }

    // Shared per-language context, built once.
    let nav: HashMap<String, Value> = langs
        .iter()
        .map(|l| (l.clone(), nav_view(&ctx, l, &strings[l])))
        .collect();
    let base: HashMap<String, Context> = langs
        .iter()
        .map(|l| {
            let mut c = Context::new();
            c.insert("lang", l);
            c.insert("default_lang", &default);
            c.insert("t", &strings[l]);
            c.insert(
                "site_title",
                site.config
                    .title
                    .get(l)
                    .or_else(|| site.config.title.get(&default))
                    .unwrap_or(&String::new()),
            );
            c.insert(
                "site_description",
                &site
                    .config
                    .description
                    .get(l)
                    .or_else(|| site.config.description.get(&default)),
            );
            c.insert("publisher", &site.config.publisher);
            c.insert("nav", &nav[l]);
            c.insert("live_reload", &ctx.live_reload);
            c.insert("lang_prefix", &site.lang_prefix(l));
            (l.clone(), c)
        })
        .collect();

    // Every entry's list item, rendered once per language and shared by all lists
    // (a facet page of a large bank lists thousands of entries).
    let keys: Vec<(Kind, String, String)> = site
        .docs
        .iter()
        .filter(|d| d.kind != Kind::Page && d.lang == default && with_generated)
        .flat_map(|d| langs.iter().map(move |l| (d.kind, d.id.clone(), l.clone())))
        .collect();
    // Each entry's rank in list order (the title its view shows, in lower case, then its id),
    // then the list items of the lists to be rendered. Lists sort by the rank: comparing
    // numbers, not titles, for the millions of list entries of a large bank's facet pages.
    // Views are made only for the items rendered (after a save in `serve`, a few).
    let mut sorted: Vec<(String, (Kind, String, String))> = keys
        .into_par_iter()
        .filter_map(|(kind, id, l)| {
            let i = site.find(kind, &id, &l)?;
            let title = site.docs[i].front.title().unwrap_or(&id).to_lowercase();
            Some((format!("{title}\u{0}{id}"), (kind, id, l)))
        })
        .collect();
    // Ties (the same title and id in another kind or language) never meet in one list.
    sorted.par_sort_by(|a, b| a.0.cmp(&b.0));
    let ranks: FastMap<(Kind, String, String), u32> = sorted
        .into_par_iter()
        .enumerate()
        .map(|(rank, (_, key))| (key, rank as u32))
        .collect();
    let jobs = paginate(jobs, site.config.page_size.max(1), &ranks, style, only);
    let selected = |job: &&Job| only.is_none_or(|o| o.selects(job));
    // A full build lists every entry somewhere: no need to collect which ones.
    let needed: Vec<(Kind, String, String)> = if only.is_none() {
        ranks.keys().cloned().collect()
    } else {
        let set: HashSet<(Kind, String, String), foldhash::fast::RandomState> = jobs
            .iter()
            .filter(selected)
            .flat_map(|j| {
                j.lists.iter().flat_map(move |(_, kind, ids)| {
                    ids.iter()
                        .map(move |id| (*kind, id.clone(), j.lang.clone()))
                })
            })
            .collect();
        set.into_iter().collect()
    };
    // Each item is kept split at the root marker, so a list page joins the parts around its
    // own root instead of searching every item for the marker again.
    let fragments: FastMap<(Kind, String, String), Vec<String>> = needed
        .into_par_iter()
        .map_init(FastMap::<String, Context>::default, |contexts, key| {
            if !ranks.contains_key(&key) {
                return None;
            }
            let view = ctx.summary(key.0, &key.1, &key.2)?;
            // One context per worker and language, only `e` changing: serialising the UI
            // strings again for each of 300,000 items (at 100,000 entries) cost seconds.
            let c = contexts.entry(key.2.clone()).or_insert_with(|| {
                let mut c = Context::new();
                c.insert("t", &strings[&key.2]);
                c.insert("root", ROOT_MARK);
                c
            });
            c.insert("e", &view);
            let html = tera.render("entry.html", c).ok()?;
            let parts = html.split(ROOT_MARK).map(str::to_string).collect();
            Some((key, parts))
        })
        .flatten()
        .collect();
    let list_html = |kind: Kind, ids: &[String], lang: &str, root: &str| -> String {
        // In the order of `ids`, which pagination sorted by the entries' sort keys.
        let mut key = (kind, String::new(), lang.to_string());
        let items: Vec<&Vec<String>> = ids
            .iter()
            .filter_map(|id| {
                id.clone_into(&mut key.1);
                fragments.get(&key)
            })
            .collect();
        let size = |parts: &Vec<String>| parts.iter().map(|p| p.len() + root.len()).sum::<usize>();
        let mut out = String::with_capacity(items.iter().map(|i| size(i)).sum());
        for parts in items {
            for (n, part) in parts.iter().enumerate() {
                if n > 0 {
                    out.push_str(root);
                }
                out.push_str(part);
            }
        }
        out
    };

    // Every page the site has, rendered now or not.
    let mut page_paths: Vec<String> = jobs.iter().map(|j| j.path.clone()).collect();
    let render_pages = || -> Vec<Result<Page, Diagnostic>> {
        jobs
        .par_iter()
        .filter(selected)
        .map_init(FastMap::<String, Context>::default, |contexts, job| {
            let root = style.root(&job.path);
            // The page's own values are moved into the context as they are: `Context::insert`
            // would serialise each (a full copy of the page view) again.
            let mut own = Map::new();
            own.insert("root".into(), json!(root));
            own.insert("path".into(), json!(style.link(&job.path)));
            own.insert("canonical".into(), json!(style.public(&job.path)));
            let alternates: Vec<Value> = langs.iter().map(|l| {
                let found = job.alternates.iter().find(|(al, _)| al == l);
                json!({
                    "lang": l,
                    "name": strings[l].get("language_name").cloned().unwrap_or_else(|| l.clone()),
                    "path": found.map(|(_, p)| style.link(p)),
                    "home": style.link(&site.lang_prefix(l)),
                    "home_note": strings[l].get("untranslated_note").cloned().unwrap_or_default(),
                    "absolute": found.map(|(_, p)| style.public(p).unwrap_or_else(|| format!("{root}{}", style.link(p)))),
                    "current": l == &job.lang,
                })
            }).collect();
            own.insert("alternates".into(), Value::Array(alternates));
            for (name, kind, ids) in &job.lists {
                own.insert(
                    format!("{name}_html"),
                    Value::String(list_html(*kind, ids, &job.lang, &root)),
                );
                // A paginated job carries its lists' full counts in `data`, inserted below.
                own.insert(format!("{name}_count"), json!(ids.len()));
            }
            for (k, v) in &job.data {
                if k == "doc_index" {
                    let i = v.as_u64().unwrap_or(0) as usize;
                    own.insert("page".into(), doc_view(&ctx, i, &root, &strings[&job.lang]));
                } else {
                    own.insert(k.clone(), v.clone());
                }
            }
            if job.template == "home.html" {
                own.insert("home".into(), home_view(&ctx, &job.lang));
            }
            // One context per worker and language, holding the shared values; the page's own
            // go in for its render and out after (a base value they cover is put back), so no
            // page sees another's. Cloning the base per page copied the UI strings 120,000
            // times at 100,000 entries.
            let base = &base[&job.lang];
            let c = contexts
                .entry(job.lang.clone())
                .or_insert_with(|| base.clone());
            let keys: Vec<String> = own.keys().cloned().collect();
            c.extend(Context::from_value(Value::Object(own)).expect("an object is a context"));
            // Straight into bytes: `Tera::render` would check the whole page is UTF-8 again.
            let mut html = Vec::with_capacity(32 * 1024);
            let rendered = tera.render_to(job.template, c, &mut html);
            for k in &keys {
                match base.get(k) {
                    Some(v) => c.insert(k.as_str(), v),
                    None => {
                        c.remove(k);
                    }
                }
            }
            rendered.map_err(|e| render_error(site, job.template, &job.path, &e))?;
            let path = format!("{}index.html", job.path);
            match staging {
                Some(s) => s.put(&path, &html).map(|()| (path, None)),
                None => Ok((path, Some(html))),
            }
        })
        .collect()
    };
    // The JSON export needs no page: it is made while the pages render.
    let (rendered, export) = rayon::join(render_pages, || {
        with_generated.then(|| crate::export::export(site, style))
    });

    let mut out = Vec::with_capacity(16);
    let mut errors = Vec::new();
    let count = rendered.len();
    for r in rendered {
        match r {
            Ok((path, Some(bytes))) => out.push(OutputFile { path, bytes }),
            Ok((_, None)) => {}
            Err(e) => errors.push(e),
        }
    }
    if !with_generated {
        return if errors.is_empty() {
            Ok((out, count, Vec::new()))
        } else {
            Err(errors)
        };
    }
    let pages = count + 1;
    // 404, sitemap, feed, robots, export, static files.
    let mut c404 = base[&default].clone();
    c404.insert("root", &style.root(""));
    c404.insert("path", "404.html");
    c404.insert("canonical", &None::<String>);
    c404.insert("alternates", &Vec::<Value>::new());
    match tera.render("404.html", &c404) {
        Ok(h) => out.push(OutputFile {
            path: "404.html".into(),
            bytes: h.into_bytes(),
        }),
        Err(e) => errors.push(render_error(site, "404.html", "404.html", &e)),
    }
    page_paths.sort();
    let mut cx = Context::new();
    cx.insert(
        "urls",
        &page_paths
            .iter()
            .map(|p| style.absolute(p))
            .collect::<Vec<_>>(),
    );
    match tera.render("sitemap.xml", &cx) {
        Ok(x) => out.push(OutputFile {
            path: "sitemap.xml".into(),
            bytes: x.into_bytes(),
        }),
        Err(e) => errors.push(render_error(site, "sitemap.xml", "sitemap.xml", &e)),
    }
    match feed(&ctx, &tera, &base[&default]) {
        Ok(x) => out.push(OutputFile {
            path: "atom.xml".into(),
            bytes: x.into_bytes(),
        }),
        Err(e) => errors.push(render_error(site, "atom.xml", "atom.xml", &e)),
    }
    let robots = match &style.absolute {
        Some(a) => format!("User-agent: *\nAllow: /\n\nSitemap: {a}sitemap.xml\n"),
        None => "User-agent: *\nAllow: /\n".to_string(),
    };
    out.push(OutputFile {
        path: "robots.txt".into(),
        bytes: robots.into_bytes(),
    });
    out.extend(export.unwrap_or_default());
    out.extend(theme_static_files(&site.theme));
    // Freeing every job and list view takes tens of milliseconds at 10,000 entries: off the
    // path to `serve`'s reload.
    rayon::spawn(move || drop((jobs, ranks, fragments)));
    if errors.is_empty() {
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((out, pages, page_paths))
    } else {
        Err(errors)
    }
}

/// The theme's static files, copied under `assets/`.
pub fn theme_static_files(theme: &crate::theme::Theme) -> Vec<OutputFile> {
    theme
        .static_files
        .iter()
        .map(|(p, bytes)| OutputFile {
            path: format!("assets/{p}"),
            bytes: bytes.clone(),
        })
        .collect()
}

fn render_error(site: &Site, template: &str, path: &str, e: &tera::Error) -> Diagnostic {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    let file = match &site.theme.dir {
        Some(d) => format!("{d}/templates/{template}"),
        None => format!("(built-in theme)/templates/{template}"),
    };
    Diagnostic::error(code::RENDER, format!("rendering /{path} failed: {msg}")).in_file(&file)
}

/// Escapes the five characters that matter in HTML text and attributes (the search runtime's
/// escaper, so pages and excerpts agree); tera's default also escapes `/`, which only makes
/// every URL longer.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    search_index::engine::escape_html_into(&mut out, s);
    out
}

fn compile_templates(site: &Site) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    let templates: Vec<(&str, &str)> = site
        .theme
        .templates
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tera.add_raw_templates(templates).map_err(|e| {
        let mut msg = e.to_string();
        if let Some(s) = std::error::Error::source(&e) {
            msg.push_str(&format!(": {s}"));
        }
        vec![Diagnostic::error(
            code::THEME,
            format!("template error: {msg}"),
        )]
    })?;
    Ok(tera)
}

/// Header navigation: sections, facet indexes and top-level pages by weight.
fn nav_view(ctx: &Ctx, lang: &str, t: &BTreeMap<String, String>) -> Value {
    let ui = |k: String| t.get(&k).cloned().unwrap_or(k);
    let site = ctx.site;
    let prefix = site.lang_prefix(lang);
    let mut pages: Vec<(i32, String, Value)> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == Kind::Page && d.dir.is_empty() && !d.is_index())
        .filter(|(_, d)| {
            d.lang == lang
                || (d.lang == ctx.default_lang()
                    && !site
                        .index
                        .contains_key(&(Kind::Page, d.id.clone(), lang.to_string())))
        })
        .map(|(i, d)| {
            let weight = match &d.front {
                FrontMatter::Page(p) => p.weight.unwrap_or(100),
                _ => 100,
            };
            let title = d.front.title().unwrap_or(&d.id).to_string();
            (
                weight,
                title.clone(),
                json!({"id": d.id, "title": title, "path": ctx.style.link(&site.urls[i])}),
            )
        })
        .collect();
    pages.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let sections: Vec<Value> = site
        .config
        .sections
        .iter()
        .map(|(s, k)| json!({"kind": k.name(), "label": ui(format!("section_{}", k.name())), "path": ctx.style.link(&format!("{prefix}{s}/"))}))
        .collect();
    let facets: Vec<Value> = FACETS
        .iter()
        .filter(|f| site.facets.contains_key(f.slug))
        .map(|f| json!({"slug": f.slug, "label": ui(format!("facet_{}", f.list)), "path": ctx.style.link(&format!("{prefix}{}/", f.slug))}))
        .collect();
    json!({
        "home": ctx.style.link(&prefix),
        "search": ctx.style.link(&format!("{prefix}haku/")),
        "pages": pages.into_iter().map(|p| p.2).collect::<Vec<_>>(),
        "sections": sections,
        "facets": facets,
    })
}

/// The front page's ways in: by theme, age, service level, centre, pathway.
fn home_view(ctx: &Ctx, lang: &str) -> Value {
    let site = ctx.site;
    let facet = |slug: &str, list: &str| -> Value {
        let values = site.facets.get(slug);
        Value::Array(
            site.vocab
                .list(list)
                .iter()
                .filter_map(|e| values.and_then(|v| v.get(&e.id)).map(|ents| json!({"label": e.label(lang), "count": ents.len(), "path": ctx.facet_path(slug, &e.id, lang)})))
                .collect(),
        )
    };
    let ids = |kind: Kind| -> Vec<String> {
        let mut v: Vec<String> = site
            .index
            .keys()
            .filter(|(k, _, l)| *k == kind && l == ctx.default_lang())
            .map(|(_, id, _)| id.clone())
            .collect();
        v.sort();
        v
    };
    let count = |kind: Kind| ids(kind).len();
    json!({
        "themes": facet("teemat", "themes"),
        "age_bands": facet("ikaryhmat", "age_bands"),
        "service_levels": facet("palvelutasot", "service_levels"),
        "centres": ctx.summaries(Kind::Centre, &ids(Kind::Centre), lang),
        "pathways": ctx.summaries(Kind::Pathway, &ids(Kind::Pathway), lang),
        "counts": {"methods": count(Kind::Method), "centres": count(Kind::Centre), "pathways": count(Kind::Pathway)},
    })
}

/// Atom feed of entries in the default language, newest review first.
fn feed(ctx: &Ctx, tera: &Tera, base: &Context) -> Result<String, tera::Error> {
    let site = ctx.site;
    let mut entries: Vec<Value> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.lang == ctx.default_lang() && d.kind != Kind::Page)
        .filter_map(|(i, d)| {
            let updated = d.front.reviewed()?.0.clone();
            Some(json!({
                "title": d.front.title().unwrap_or(&d.id),
                "summary": d.front.summary(),
                "url": ctx.style.absolute(&site.urls[i]),
                "updated": updated,
                "kind": d.kind.name(),
            }))
        })
        .collect();
    entries.sort_by(|a, b| {
        (b["updated"].as_str(), a["url"].as_str()).cmp(&(a["updated"].as_str(), b["url"].as_str()))
    });
    entries.truncate(50);
    let updated = entries
        .first()
        .and_then(|e| e["updated"].as_str())
        .unwrap_or("1970-01-01")
        .to_string();
    let mut c = base.clone();
    c.insert("entries", &entries);
    c.insert("updated", &updated);
    c.insert("feed_url", &ctx.style.absolute("atom.xml"));
    c.insert("home_url", &ctx.style.absolute(""));
    tera.render("atom.xml", &c)
}

/// Splits jobs whose first list is longer than `page_size` into pages: page 1 at the job's
/// path, page k at `<path>sivu/<k>/`, each with `pagination` data (current, total, previous and
/// next paths) and the full counts; the job's other lists show on page 1. Lists are sorted
/// here, by the entries' titles in the job's language, so that pages cut a sorted list. A
/// bank of 100,000 methods otherwise has a 100 MB list page, which no reader can use and
/// which made rendering superlinear.
fn paginate(
    jobs: Vec<Job>,
    page_size: usize,
    ranks: &FastMap<(Kind, String, String), u32>,
    style: &UrlStyle,
    only: Option<&Selection>,
) -> Vec<Job> {
    // In parallel: at 10,000 entries the facet pages list some 350,000 entries to sort. Lists
    // none of whose pages will be rendered keep their order: `serve` needs only their paths.
    jobs.into_par_iter()
        .flat_map_iter(|job| {
            let sort = only.is_none_or(|o| !o.never_selects(&job));
            paginate_job(job, page_size, ranks, style, sort)
        })
        .collect()
}

/// One job's lists sorted by their entries' sort keys (when `sort`) and, when longer than a
/// page, the job split into pages.
fn paginate_job(
    mut job: Job,
    page_size: usize,
    ranks: &FastMap<(Kind, String, String), u32>,
    style: &UrlStyle,
    sort: bool,
) -> Vec<Job> {
    let mut key = (Kind::Method, String::new(), job.lang.clone());
    for (_, kind, ids) in job.lists.iter_mut().filter(|_| sort) {
        key.0 = *kind;
        // Entries without a view (none in this language) sort last, in the order they came.
        ids.sort_by_cached_key(|id| {
            id.clone_into(&mut key.1);
            ranks.get(&key).copied().unwrap_or(u32::MAX)
        });
    }
    let total = job.lists.first().map_or(0, |l| l.2.len());
    if total <= page_size {
        return vec![job];
    }
    let mut out = Vec::new();
    let pages = total.div_ceil(page_size);
    let page_path = |base: &str, k: usize| {
        if k == 1 {
            base.to_string()
        } else {
            format!("{base}sivu/{k}/")
        }
    };
    for (name, _, ids) in &job.lists {
        job.data.insert(format!("{name}_count"), json!(ids.len()));
    }
    for k in 1..=pages {
        let mut page = Job {
            doc: job.doc,
            listing: job.listing.clone(),
            template: job.template,
            path: page_path(&job.path, k),
            lang: job.lang.clone(),
            alternates: job
                .alternates
                .iter()
                .map(|(l, p)| (l.clone(), page_path(p, k)))
                .collect(),
            data: job.data.clone(),
            lists: job
                .lists
                .iter()
                .enumerate()
                .map(|(i, (name, kind, ids))| {
                    let ids = match (i, k) {
                        (0, _) => ids[(k - 1) * page_size..(k * page_size).min(total)].to_vec(),
                        (_, 1) => ids.clone(),
                        _ => Vec::new(),
                    };
                    (*name, *kind, ids)
                })
                .collect(),
        };
        page.data.insert(
            "pagination".into(),
            json!({
                "current": k,
                "total": pages,
                "previous": (k > 1).then(|| style.link(&page_path(&job.path, k - 1))),
                "next": (k < pages).then(|| style.link(&page_path(&job.path, k + 1))),
            }),
        );
        out.push(page);
    }
    out
}
