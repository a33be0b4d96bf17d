//! `serve`'s rebuilds: the build pipeline, with what survives a save kept from the last build.
//!
//! A save re-reads and re-parses only the saved files ([`Caches`]); link runs over the whole
//! site, so the diagnostics are exactly those of `check`. Render then compares every document
//! with the last build in two parts: what other pages can show of it (front matter, URL,
//! headings, link targets), and its body. When nothing but bodies of methods, centres or
//! pathways changed, only those pages are rendered again: no other page, list, feed or export
//! shows a body. Anything else (a front-matter edit, an added, removed or renamed file, a
//! config, vocabulary, theme or asset change) renders the whole site. The search index comes
//! last ([`Rebuilder::search`]), after the pages are served, and `serve` holds requests for it
//! until it is in, so nothing stale is ever served.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use crate::diagnostics::Diagnostic;
use crate::link::Site;
use crate::model::Kind;
use crate::parse::{Document, ParseCache};
use crate::render::{OutputFile, UrlStyle};
use crate::{prepare, render, write, BuildOptions, Caches, Clock, Outcome};

/// What the last good build was made of, per document in `site.docs` order.
struct Fingerprints {
    /// Config, vocabularies, theme, assets and the list of documents.
    global: blake3::Hash,
    /// What other pages can show of each document.
    outside: Vec<blake3::Hash>,
    /// Each document's body.
    inside: Vec<blake3::Hash>,
}

/// The output of a rebuild, but for the search index.
pub enum Pages {
    /// The whole site: what was served is replaced.
    All(Vec<OutputFile>),
    /// The pages of the documents whose body alone changed: the rest stays as it is.
    Changed(Vec<OutputFile>),
}

/// A good rebuild: its pages, and the site the search index is made from.
pub struct Built {
    pub pages: Pages,
    site: Site,
    style: UrlStyle,
}

/// Builds a site again and again, as `serve` does.
pub struct Rebuilder {
    opts: BuildOptions,
    caches: Caches,
    last: Option<Fingerprints>,
}

impl Rebuilder {
    pub fn new(opts: BuildOptions) -> Rebuilder {
        Rebuilder {
            opts,
            caches: Caches::default(),
            last: None,
        }
    }

    /// Makes the next rebuild read `path` again, whatever its time stamp says (a save within
    /// the file system's time-stamp resolution that kept the size).
    pub fn forget(&mut self, path: &Path) {
        let root = self
            .opts
            .root
            .canonicalize()
            .unwrap_or(self.opts.root.clone());
        let rel = path
            .strip_prefix(&root)
            .or_else(|_| path.strip_prefix(&self.opts.root))
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        if let Ok(rel) = rel {
            self.caches.reads.forget(&rel);
        }
    }

    /// Everything but the search index. `None` (and the reason in the outcome) on errors; the
    /// last good build then stays the one compared with.
    pub fn pages(&mut self) -> (Outcome, Option<Built>) {
        let mut out = Outcome::default();
        let mut clock = Clock(Instant::now());
        let Some((site, root)) = prepare(&self.opts, &mut out, &mut clock, Some(&mut self.caches))
        else {
            return (out, None);
        };
        let assets = match write::asset_files(&root, &site.assets) {
            Ok(a) => a,
            Err(d) => {
                out.diagnostics.push(d);
                return (out, None);
            }
        };
        let now = fingerprints(&site, &self.caches.parsed, &assets);
        let only = self
            .last
            .as_ref()
            .and_then(|last| changed_bodies(last, &now, &site));
        let style = UrlStyle::new(&site.config.base_url, self.opts.relative_links);
        let rendered = render::render(&site, &style, self.opts.live_reload, None, only.as_ref());
        let (mut files, pages) = match rendered {
            Ok(f) => f,
            Err(d) => {
                out.diagnostics.extend(d);
                return (out, None);
            }
        };
        clock.lap(&mut out, "render");
        out.pages = pages;
        out.files = files.len();
        self.last = Some(now);
        let pages = match only {
            Some(_) => Pages::Changed(files),
            None => {
                files.extend(assets);
                Pages::All(files)
            }
        };
        (out, Some(Built { pages, site, style }))
    }

    /// The search index of a good rebuild: every file under `search/`.
    pub fn search(built: &Built) -> Result<Vec<OutputFile>, Diagnostic> {
        crate::search_files(&built.site, &built.style)
    }
}

/// The documents to render again when only their bodies changed since `last`; `None` when
/// anything else changed (then everything is rendered).
fn changed_bodies(last: &Fingerprints, now: &Fingerprints, site: &Site) -> Option<HashSet<usize>> {
    if last.global != now.global || last.outside != now.outside {
        return None;
    }
    let changed: HashSet<usize> = (0..now.inside.len())
        .filter(|&i| last.inside[i] != now.inside[i])
        .collect();
    // A page's body shows elsewhere: a section's `_index` is its list's intro, the home page's
    // is the home of untranslated languages.
    changed
        .iter()
        .all(|&i| site.docs[i].kind != Kind::Page)
        .then_some(changed)
}

/// A parsed file's own part of its document's fingerprints: [what other pages can show of it
/// (everything but the body and where in the file things are), its body].
pub fn own_fingerprints(d: &Document) -> [blake3::Hash; 2] {
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

/// The fingerprints of the linked site: each document's own, with those of the original it
/// was merged over when it is a translation, and what link made of it (URL, link targets).
fn fingerprints(site: &Site, cache: &ParseCache, assets: &[OutputFile]) -> Fingerprints {
    let mut global = blake3::Hasher::new();
    global.update(format!("{:?}{:?}{:?}", site.config, site.vocab, site.theme).as_bytes());
    for a in assets {
        global.update(a.path.as_bytes());
        global.update(blake3::hash(&a.bytes).as_bytes());
    }
    global.update(&site.docs.len().to_le_bytes());
    let none = [blake3::hash(b""); 2];
    let own = |path: &str| cache.get(path).and_then(|c| c.fingerprints).unwrap_or(none);
    let default = site.config.default_language();
    let (outside, inside) = site
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mine = own(&d.path);
            let original = site
                .find(d.kind, &d.id, default)
                .filter(|&j| j != i)
                .map_or(none, |j| own(&site.docs[j].path));
            let mut o = blake3::Hasher::new();
            o.update(mine[0].as_bytes());
            o.update(original[0].as_bytes());
            o.update(format!("{}\0{:?}", site.urls[i], site.links.get(i)).as_bytes());
            let mut b = blake3::Hasher::new();
            b.update(mine[1].as_bytes());
            b.update(original[1].as_bytes());
            (o.finalize(), b.finalize())
        })
        .unzip();
    Fingerprints {
        global: global.finalize(),
        outside,
        inside,
    }
}
