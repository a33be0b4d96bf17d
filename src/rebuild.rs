//! `serve`'s rebuilds: the build pipeline, with what survives a save kept from the last build.
//!
//! A save re-reads and re-parses only the saved files: when the file events say that nothing
//! but the contents of known Markdown files changed, not even the folder is walked again.
//! Each document carries two fingerprints:
//! what other pages can show of it (front matter, URL, headings, link targets) and its body.
//!
//! - **Body edits** of methods, centres, pathways and pages (but the `_index` of a section or of
//!   the site) that had and have no diagnostics skip the link stage: the last site is kept with
//!   the new bodies swapped in, and only those pages are rendered. Link reads nothing of a body but its headings and link targets, and no other
//!   page, list, feed or export shows a body, so the result is the full build's.
//! - **Front-matter edits** (and body edits that change headings or link targets) link the
//!   whole site, so the diagnostics are exactly `check`'s, and render the changed documents'
//!   pages, the pages that show them (translations, entries they refer to and that refer to them,
//!   pages linking to them), their section's list, the pages of their facet values before and
//!   after, and the small generated pages and files (home, facet indexes, search page, feed,
//!   sitemap, export, 404). Pages that no longer exist (a facet value no entry has) are dropped.
//! - **Template edits** render the pages whose templates use the edited one (it, and those
//!   extending, including or importing it); `entry.html`, on every list, renders everything.
//!   **Static files of the theme** are copied again; no page is rendered.
//! - **Anything else** (an added, removed or renamed file, a page (menu, list intros), config,
//!   vocabularies, UI strings, assets) renders the whole site.
//!
//! The search index comes last ([`Rebuilder::search`]), after the pages are served; `serve`
//! holds requests for it until it is in, so nothing stale is ever served. Each language's
//! tantivy index is kept: only documents whose text changed are indexed again.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use blake3::Hash;

use crate::diagnostics::Diagnostic;
use crate::index::LangIndex;
use crate::link::{facet_values, references, Site};
use crate::load::{Input, ReadCache};
use crate::model::Kind;
use crate::parse::{self, Document, ParseCache};
use crate::render::{Listing, OutputFile, Selection, UrlStyle, GENERATED_TEMPLATES};
use crate::{link_stage, load_stage, render, theme, write, BuildOptions, Clock, Outcome};

/// What the last good build was made of.
struct Fingerprints {
    global: Global,
    /// Per document in `site.docs` order: what other pages can show of it.
    outside: Vec<Hash>,
    /// Per document: its body.
    inside: Vec<Hash>,
}

/// What a build is made of besides the content files' contents, in parts: a template or a
/// static file of the theme can change without rendering everything.
#[derive(Clone, PartialEq)]
struct Global {
    /// Config, vocabularies, UI strings, the names of the theme's files, assets and the list
    /// of content files.
    rest: Hash,
    /// Each template's source.
    templates: BTreeMap<String, Hash>,
    /// The theme's static files.
    statics: Hash,
}

/// The last good build, kept for the next rebuild and for the search index.
struct Last {
    site: Site,
    style: UrlStyle,
    prints: Fingerprints,
    /// Own fingerprints of each content file, as built.
    own: HashMap<String, [Hash; 2]>,
    /// Index in `site.docs` of each content file's document.
    doc_of: HashMap<String, usize>,
    /// Its diagnostics (warnings only, or it would not be good); a fast rebuild repeats them.
    diagnostics: Vec<Diagnostic>,
}

/// The output of a rebuild, but for the search index.
pub enum Pages {
    /// The whole site: what was served is replaced.
    All(Vec<OutputFile>),
    /// What was rendered again: the rest stays as it is, but for the HTML pages not in the set
    /// (when given), which are gone.
    Changed(Vec<OutputFile>, Option<HashSet<String>>),
}

/// Builds a site again and again, as `serve` does.
pub struct Rebuilder {
    opts: BuildOptions,
    /// The site root as file events name it (canonical), for making their paths relative.
    root: PathBuf,
    reads: ReadCache,
    parsed: ParseCache,
    /// The config text the parse cache is valid for.
    config: String,
    last: Option<Last>,
    /// The last load, its assets and its global fingerprint, for rebuilds that need not walk.
    loaded: Option<(Input, Vec<OutputFile>, Global)>,
    /// Index of each content file in `loaded`'s files.
    file_of: HashMap<String, usize>,
    /// Markdown files whose contents changed since the last rebuild.
    touched: BTreeSet<String>,
    /// Whether anything but contents of known Markdown files changed: then the next rebuild
    /// loads the whole site again.
    walk: bool,
    /// Each language's search index, updated after each good rebuild.
    indexes: BTreeMap<String, LangIndex>,
}

impl Rebuilder {
    pub fn new(opts: BuildOptions) -> Rebuilder {
        Rebuilder {
            root: opts.root.canonicalize().unwrap_or(opts.root.clone()),
            opts,
            reads: ReadCache::default(),
            parsed: ParseCache::default(),
            config: String::new(),
            last: None,
            loaded: None,
            file_of: HashMap::new(),
            touched: BTreeSet::new(),
            walk: true,
            indexes: BTreeMap::new(),
        }
    }

    /// Takes one file event. Changed contents of a known Markdown file are re-read alone at the
    /// next rebuild; anything else (a file created, removed or renamed, the config, vocabularies,
    /// theme or an asset changed, or an event notify could not describe) makes it load the
    /// whole site again.
    pub fn changed(&mut self, event: &notify::Event) {
        use notify::event::{EventKind, ModifyKind};
        for path in &event.paths {
            self.forget(path);
        }
        let contents = matches!(
            event.kind,
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_) | ModifyKind::Any)
        );
        let known: Option<Vec<String>> = event
            .paths
            .iter()
            .map(|p| self.relative(p).filter(|r| self.file_of.contains_key(r)))
            .collect();
        match known {
            Some(paths) if contents && !event.need_rescan() => self.touched.extend(paths),
            _ => self.walk = true,
        }
    }

    /// Notes that events were lost: the next rebuild loads the whole site again.
    pub fn rescan(&mut self) {
        self.walk = true;
    }

    fn relative(&self, path: &Path) -> Option<String> {
        path.strip_prefix(&self.root)
            .or_else(|_| path.strip_prefix(&self.opts.root))
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
    }

    /// Makes the next walk read `path` again, whatever its time stamp says (a save within the
    /// file system's time-stamp resolution that kept the size).
    fn forget(&mut self, path: &Path) {
        if let Some(rel) = self.relative(path) {
            self.reads.forget(&rel);
        }
    }

    /// Everything but the search index. `None` (and the reason in the outcome) on errors; the
    /// last good build then stays the one compared with.
    pub fn pages(&mut self) -> (Outcome, Option<Pages>) {
        let mut out = Outcome::default();
        let pages = self.run(&mut out);
        out.read_sources_from(&self.opts.root);
        (out, pages)
    }

    fn run(&mut self, out: &mut Outcome) -> Option<Pages> {
        let mut clock = Clock(Instant::now());
        let touched = std::mem::take(&mut self.touched);
        let walk = std::mem::replace(&mut self.walk, false) || self.loaded.is_none();
        let (input, assets, global, changed) = if walk {
            self.loaded = None;
            let Some(input) = load_stage(&self.opts, out, Some(&mut self.reads)) else {
                self.walk = true;
                return None;
            };
            clock.lap(out, "load");
            if *self.config != *input.yaml_sources[0].text {
                self.parsed.clear();
                self.config = input.yaml_sources[0].text.to_string();
            }
            let changed = parse::refresh(&input.files, &input.config, &mut self.parsed, true);
            clock.lap(out, "parse");
            let assets = match write::asset_files(&input.root, &input.assets) {
                Ok(a) => a,
                Err(d) => {
                    out.diagnostics.push(d);
                    self.walk = true;
                    return None;
                }
            };
            let global = global_print(&input, &assets);
            self.file_of = input
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.path.clone(), i))
                .collect();
            (input, assets, global, changed)
        } else {
            let (mut input, assets, global) = self.loaded.take().expect("loaded");
            let mut reread = Vec::new();
            for path in &touched {
                let i = self.file_of[path];
                let max = input.config.max_file_size;
                let Some(text) = self
                    .reads
                    .read(&input.root, path, max, &mut out.diagnostics)
                else {
                    self.walk = true;
                    return None;
                };
                input.files[i].text = text;
                reread.push(input.files[i].clone());
            }
            clock.lap(out, "load");
            let changed = parse::refresh(&reread, &input.config, &mut self.parsed, false);
            clock.lap(out, "parse");
            (input, assets, global, changed)
        };
        if self.bodies_only(&global, &changed) {
            self.loaded = Some((input, assets, global));
            return self.swap_bodies(&changed, out, &mut clock);
        }
        self.loaded = Some((input.clone(), assets.clone(), global.clone()));
        let (docs, diags) = parse::from_cache(&input.files, &self.parsed);
        out.diagnostics.extend(diags);
        let (site, _) = link_stage(input, docs, out, &mut clock)?;
        let prints = fingerprints(&site, &self.parsed, global);
        let only = self
            .last
            .as_ref()
            .and_then(|last| selection(last, &prints, &site));
        let style = UrlStyle::new(&site.config.base_url, self.opts.relative_links);
        let (mut files, paths) = self.render(&site, &style, only.as_ref(), out, &mut clock)?;
        // A render of generated pages copies them anyway.
        let statics = self
            .last
            .as_ref()
            .is_some_and(|l| l.prints.global.statics != prints.global.statics);
        if statics && only.as_ref().is_some_and(|o| !o.generated) {
            files.extend(render::theme_static_files(&site.theme));
        }
        let own = site
            .docs
            .iter()
            .filter_map(|d| Some((d.path.clone(), own_of(&self.parsed, &d.path)?)))
            .collect();
        let doc_of = site
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), i))
            .collect();
        self.last = Some(Last {
            site,
            style,
            prints,
            own,
            doc_of,
            diagnostics: out.diagnostics.sorted(),
        });
        Some(match only {
            Some(o) if o.generated => {
                // Pages may have come or gone (a facet value's pages, a list's last page).
                let mut keep: HashSet<String> = paths
                    .into_iter()
                    .map(|p| format!("{p}index.html"))
                    .collect();
                keep.extend(assets.into_iter().map(|a| a.path));
                Pages::Changed(files, Some(keep))
            }
            Some(_) => Pages::Changed(files, None),
            None => {
                files.extend(assets);
                Pages::All(files)
            }
        })
    }

    /// Whether the `changed` content files changed in their bodies alone, that is all that
    /// changed since the last good build, and none of them has or had a diagnostic.
    fn bodies_only(&self, global: &Global, changed: &[String]) -> bool {
        self.last.as_ref().is_some_and(|last| {
            last.prints.global == *global && changed.iter().all(|path| self.body_only(last, path))
        })
    }

    fn body_only(&self, last: &Last, path: &str) -> bool {
        let (Some(doc), Some(before), Some(now)) = (
            parse::cached_document(&self.parsed, path),
            last.own.get(path),
            own_of(&self.parsed, path),
        ) else {
            return false;
        };
        let quiet = doc.body.raw_html.is_empty()
            && doc.body.unsafe_urls.is_empty()
            && !last
                .diagnostics
                .iter()
                .any(|d| d.file.as_deref() == Some(path));
        !shown_elsewhere(doc) && before[0] == now[0] && quiet
    }

    /// A rebuild without the link stage: the new bodies go into the last site, and only their
    /// pages are rendered.
    fn swap_bodies(
        &mut self,
        changed: &[String],
        out: &mut Outcome,
        clock: &mut Clock,
    ) -> Option<Pages> {
        let last = self.last.as_mut().expect("checked by bodies_only");
        let mut only = Selection::default();
        for path in changed {
            let (Some(&i), Some(doc)) = (
                last.doc_of.get(path),
                parse::cached_document(&self.parsed, path),
            ) else {
                continue;
            };
            last.site.docs[i].body = doc.body.clone();
            if let Some(own) = own_of(&self.parsed, path) {
                last.own.insert(path.clone(), own);
            }
            only.docs.insert(i);
        }
        for &i in &only.docs {
            last.prints.inside[i] = doc_prints(&last.site, &self.parsed, i).1;
        }
        out.diagnostics.extend(last.diagnostics.iter().cloned());
        let last = self.last.as_ref().expect("checked by bodies_only");
        let (files, _) = self.render(&last.site, &last.style, Some(&only), out, clock)?;
        Some(Pages::Changed(files, None))
    }

    /// Renders what `only` selects; the files and every page's site path (see
    /// [`render::render_selected`]), or `None` with the template errors in `out`.
    fn render(
        &self,
        site: &Site,
        style: &UrlStyle,
        only: Option<&Selection>,
        out: &mut Outcome,
        clock: &mut Clock,
    ) -> Option<(Vec<OutputFile>, Vec<String>)> {
        match render::render_selected(site, style, self.opts.live_reload, None, only) {
            Ok((files, pages, paths)) => {
                clock.lap(out, "render");
                out.pages = pages;
                out.files = files.len();
                Some((files, paths))
            }
            Err(d) => {
                out.diagnostics.extend(d);
                None
            }
        }
    }

    /// The search index of the last good build: every file under `search/`, and how many
    /// documents were indexed again (those whose text changed since the last call, or all).
    pub fn search(&mut self) -> Result<(Vec<OutputFile>, usize), Diagnostic> {
        match &self.last {
            Some(last) => crate::search_files(&last.site, &last.style, Some(&mut self.indexes)),
            None => Ok((Vec::new(), 0)),
        }
    }
}

/// What to render again since `last`: the documents whose body alone changed; when what other
/// pages show of some documents changed too, also the pages that show them ([`dependents`]),
/// their section's list, the pages of their facet values (before and now), and the other
/// generated pages and files (home, facet indexes, search page, feed, sitemap, export). `None` (render everything) when the
/// documents themselves, a page (its body is a list intro or a home, its title in the menu),
/// or anything global changed. An edited template renders the pages that use it (unless it is
/// `entry.html`, on every list: then everything); an edited static file of the theme renders
/// nothing (it is copied).
fn selection(last: &Last, now: &Fingerprints, site: &Site) -> Option<Selection> {
    let before = &last.site;
    if last.prints.global.rest != now.global.rest
        || before.docs.len() != site.docs.len()
        || before
            .docs
            .iter()
            .zip(&site.docs)
            .any(|(a, b)| a.path != b.path)
    {
        return None;
    }
    let inside: Vec<usize> = (0..now.inside.len())
        .filter(|&i| last.prints.inside[i] != now.inside[i])
        .collect();
    let outside: Vec<usize> = (0..now.outside.len())
        .filter(|&i| last.prints.outside[i] != now.outside[i])
        .collect();
    // A page's title is in every page's menu.
    let page = |i: &usize| site.docs[*i].kind == Kind::Page;
    if outside.iter().any(page) || inside.iter().any(|&i| shown_elsewhere(&site.docs[i])) {
        return None;
    }
    let mut docs: HashSet<usize> = inside.into_iter().collect();
    let mut lists = HashSet::new();
    // Entries that kept their title and facet values keep their place in every list they are
    // in: of a paginated list, only the page showing them changes.
    let in_place = outside.iter().all(|&i| {
        let (a, b) = (&before.docs[i], &site.docs[i]);
        a.front.title() == b.front.title() && facet_values(&a.front) == facet_values(&b.front)
    });
    let entries = in_place.then(|| {
        outside
            .iter()
            .map(|&i| (site.docs[i].kind, site.docs[i].id.clone()))
            .collect()
    });
    for &i in &outside {
        for s in [before, site] {
            docs.extend(dependents(s, i));
            // It is listed in its section and on the pages of its facet values, before and now.
            let d = &s.docs[i];
            lists.insert(Listing::Section(d.dir.clone()));
            lists.extend(
                facet_values(&d.front)
                    .into_iter()
                    .map(|(slug, value)| Listing::FacetValue(slug.to_string(), value)),
            );
        }
    }
    let edited: Vec<&str> = now
        .global
        .templates
        .iter()
        .filter(|&(name, hash)| last.prints.global.templates.get(name) != Some(hash))
        .map(|(name, _)| name.as_str())
        .collect();
    let templates = users(&site.theme.templates, &edited);
    if templates.contains("entry.html") {
        return None;
    }
    let overview = !outside.is_empty();
    let generated = overview || GENERATED_TEMPLATES.iter().any(|&t| templates.contains(t));
    Some(Selection {
        docs,
        generated,
        overview,
        lists: Some(lists),
        entries,
        templates,
    })
}

/// The templates that use one of `edited`: those and every template that extends, includes or
/// imports one of them, however indirectly.
fn users(templates: &BTreeMap<String, String>, edited: &[&str]) -> HashSet<String> {
    if edited.is_empty() {
        return HashSet::new();
    }
    let uses: Vec<(&String, Vec<String>)> = templates
        .iter()
        .map(|(name, source)| (name, theme::template_uses(source)))
        .collect();
    let mut out: HashSet<String> = edited.iter().map(|t| t.to_string()).collect();
    loop {
        let before = out.len();
        for (name, used) in &uses {
            if !out.contains(*name) && used.iter().any(|u| out.contains(u)) {
                out.insert(name.to_string());
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// The documents whose pages show something of document `i` besides its body: itself and its
/// translations, the entries it refers to (their back-references list it), the entries that refer
/// to it, and the documents whose Markdown links to it.
fn dependents(site: &Site, i: usize) -> HashSet<usize> {
    let d = &site.docs[i];
    let same = |j: usize, kind: Kind, id: &str| site.docs[j].kind == kind && site.docs[j].id == id;
    let refs = references(&d.front);
    (0..site.docs.len())
        .filter(|&j| {
            same(j, d.kind, &d.id)
                || refs.iter().any(|(kind, id)| same(j, *kind, id))
                || references(&site.docs[j].front)
                    .iter()
                    .any(|(kind, id)| *kind == d.kind && *id == d.id)
                || site
                    .links
                    .get(j)
                    .is_some_and(|l| l.iter().any(|&(t, _)| same(t, d.kind, &d.id)))
        })
        .collect()
}

/// Whether a document's body shows on other pages than its own: a section's `_index` is its
/// list's intro, the front page's is the home of untranslated languages.
fn shown_elsewhere(d: &Document) -> bool {
    d.kind == Kind::Page && d.is_index()
}

/// A parsed file's own part of its document's fingerprints: [what other pages can show of it
/// (everything but the body and where in the file things are), its body].
pub fn own_fingerprints(d: &Document) -> [Hash; 2] {
    let targets: Vec<(&Option<String>, &Option<String>)> = d
        .body
        .links
        .iter()
        .map(|l| (&l.target, &l.anchor))
        .collect();
    let outside = format!(
        "{}\0{}\0{}\0{}\0{:?}\0{:?}\0{}\0{:?}\0{:?}",
        d.path, d.dir, d.id, d.lang, d.kind, d.front, d.fm_text, d.body.headings, targets,
    );
    let mut body = blake3::Hasher::new();
    body.update(d.body.html.as_bytes());
    body.update(&[0]);
    body.update(d.body.text.as_bytes());
    [blake3::hash(outside.as_bytes()), body.finalize()]
}

fn own_of(cache: &ParseCache, path: &str) -> Option<[Hash; 2]> {
    cache.get(path).and_then(|c| c.fingerprints)
}

/// Config, vocabularies, theme, assets and which content files there are.
fn global_print(input: &Input, assets: &[OutputFile]) -> Global {
    let theme = &input.theme;
    let mut global = blake3::Hasher::new();
    global.update(
        format!(
            "{:?}{:?}{:?}{:?}{:?}{:?}",
            input.config,
            input.vocab,
            theme.strings,
            theme.dir,
            theme.templates.keys().collect::<Vec<_>>(),
            theme.static_files.keys().collect::<Vec<_>>()
        )
        .as_bytes(),
    );
    for a in assets {
        global.update(a.path.as_bytes());
        global.update(blake3::hash(&a.bytes).as_bytes());
    }
    for f in &input.files {
        global.update(f.path.as_bytes());
        global.update(&[0]);
    }
    let mut statics = blake3::Hasher::new();
    for bytes in theme.static_files.values() {
        statics.update(&(bytes.len() as u64).to_le_bytes());
        statics.update(bytes);
    }
    Global {
        rest: global.finalize(),
        templates: theme
            .templates
            .iter()
            .map(|(name, source)| (name.clone(), blake3::hash(source.as_bytes())))
            .collect(),
        statics: statics.finalize(),
    }
}

/// One document's fingerprints in the linked site: its own, with those of the original it was
/// merged over when it is a translation, and what link made of it (URL, link targets).
fn doc_prints(site: &Site, cache: &ParseCache, i: usize) -> (Hash, Hash) {
    let none = [blake3::hash(b""); 2];
    let d = &site.docs[i];
    let mine = own_of(cache, &d.path).unwrap_or(none);
    let original = site
        .find(d.kind, &d.id, site.config.default_language())
        .filter(|&j| j != i)
        .map_or(none, |j| own_of(cache, &site.docs[j].path).unwrap_or(none));
    let mut o = blake3::Hasher::new();
    o.update(mine[0].as_bytes());
    o.update(original[0].as_bytes());
    o.update(format!("{}\0{:?}", site.urls[i], site.links.get(i)).as_bytes());
    // A translation's body is its own: only its front matter is merged over the original's.
    (o.finalize(), mine[1])
}

fn fingerprints(site: &Site, cache: &ParseCache, global: Global) -> Fingerprints {
    let (outside, inside) = (0..site.docs.len())
        .map(|i| doc_prints(site, cache, i))
        .unzip();
    Fingerprints {
        global,
        outside,
        inside,
    }
}
