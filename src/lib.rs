//! tietopankki: a static-site generator for the OT-keskus knowledge bank.
//!
//! The build is a one-way pipeline, one module per stage:
//! [`load`] → [`parse`] → [`link`] → [`render`] → (index, with the search issue) → [`write`].
//! Every stage adds to one [`diagnostics::Diagnostics`]; the output is written only when no
//! stage found an error, and then atomically.

pub mod config;
pub mod diagnostics;
pub mod diagram;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod index;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod paths;
pub mod rebuild;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod theme;
pub mod vocab;
pub mod write;
pub mod yaml;

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diagnostics::Diagnostics;

/// What a build or check is asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Output folder; `None` = check only, write nothing.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` of the config.
    pub base_url: Option<String>,
    /// Write links relative to each page, so the site works from a folder or `file://`.
    pub relative_links: bool,
    /// Inject the live-reload script (serve only).
    pub live_reload: bool,
}

/// What a run produced: its diagnostics, the texts to show them in, and figures.
#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Diagnostics,
    pub sources: BTreeMap<String, String>,
    pub pages: usize,
    pub files: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

impl Outcome {
    /// Prints the diagnostics to stderr as `check` does (in colour on a terminal); with
    /// `errors_only`, warnings alone print nothing.
    pub fn print_diagnostics(&self, errors_only: bool) {
        use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
        let d = &self.diagnostics;
        if d.is_empty() || (errors_only && !d.has_errors()) {
            return;
        }
        let choice = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            ColorChoice::Auto
        } else {
            ColorChoice::Never
        };
        if let Err(e) = d.write_human(&mut StandardStream::stderr(choice), &self.sources) {
            eprintln!("error: cannot print diagnostics: {e}");
        }
    }

    /// The diagnostics as plain text, for the browser overlay of `serve`.
    pub fn diagnostics_text(&self) -> String {
        let mut buf = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        let _ = self.diagnostics.write_human(&mut buf, &self.sources);
        String::from_utf8_lossy(&buf.into_inner()).into_owned()
    }

    /// Reads the files that diagnostics point into but the run did not keep (it stopped early).
    fn read_sources_from(&mut self, root: &Path) {
        for d in self.diagnostics.sorted() {
            if let Some(f) = d.file {
                if let std::collections::btree_map::Entry::Vacant(slot) = self.sources.entry(f) {
                    if let Ok(text) = std::fs::read_to_string(root.join(slot.key())) {
                        if text.len() < 5 << 20 {
                            slot.insert(text);
                        }
                    }
                }
            }
        }
    }

    pub fn total(&self) -> Duration {
        self.timings.iter().map(|(_, d)| *d).sum()
    }
}

/// Times the stages of a run.
struct Clock(Instant);

impl Clock {
    fn lap(&mut self, out: &mut Outcome, stage: &'static str) {
        out.timings.push((stage, self.0.elapsed()));
        self.0 = Instant::now();
    }
}

/// load → parse → link; `None` when a stage found errors (they are in `out`).
fn prepare(
    opts: &BuildOptions,
    out: &mut Outcome,
    clock: &mut Clock,
) -> Option<(link::Site, PathBuf)> {
    let input = load_stage(opts, out, None)?;
    for f in input.files.iter().chain(&input.yaml_sources) {
        out.sources.insert(f.path.clone(), f.text.to_string());
    }
    clock.lap(out, "load");
    let (docs, diags) = parse::parse(&input.files, &input.config);
    out.diagnostics.extend(diags);
    clock.lap(out, "parse");
    link_stage(input, docs, out, clock)
}

/// The load stage, with `base_url` overridden as asked; unchanged files from `reads` when given.
fn load_stage(
    opts: &BuildOptions,
    out: &mut Outcome,
    reads: Option<&mut load::ReadCache>,
) -> Option<load::Input> {
    let Some(mut input) = load::load_cached(&opts.root, &mut out.diagnostics, reads) else {
        out.read_sources_from(&opts.root);
        return None;
    };
    if let Some(b) = &opts.base_url {
        input.config.base_url = b.clone();
    }
    Some(input)
}

/// The link stage; `None` when it or an earlier stage found errors.
fn link_stage(
    input: load::Input,
    docs: Vec<parse::Document>,
    out: &mut Outcome,
    clock: &mut Clock,
) -> Option<(link::Site, PathBuf)> {
    let root = input.root.clone();
    let (site, diags) = link::link(input, docs);
    out.diagnostics.extend(diags);
    clock.lap(out, "link");
    let site = site?;
    (!out.diagnostics.has_errors()).then_some((site, root))
}

/// The static search index of every language, as files under `search/`, and how many
/// documents were indexed. With `kept` (serve), each language's tantivy index is kept there
/// and updated, so that only changed documents are indexed again.
pub(crate) fn search_files(
    site: &link::Site,
    style: &render::UrlStyle,
    mut kept: Option<&mut BTreeMap<String, index::LangIndex>>,
) -> Result<(Vec<render::OutputFile>, usize), diagnostics::Diagnostic> {
    let langs = &site.config.languages;
    if let Some(kept) = kept.as_deref_mut() {
        kept.retain(|lang, _| langs.contains(lang));
    }
    let mut indexed = 0;
    // One language after another: each index is parallel inside, and side by side their
    // writers' memory (128 MiB arenas each) broke a 2 GiB address-space limit (tests/bombs.rs).
    let indexes = langs
        .iter()
        .map(|lang| {
            let (data, n) = match kept.as_deref_mut() {
                Some(kept) => match kept.entry(lang.clone()) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(index::LangIndex::new(lang, true)?),
                }
                .update(site, style)?,
                None => {
                    let data = index::build_language(site, style, lang)?;
                    let n = data.docs.len();
                    (data, n)
                }
            };
            indexed += n;
            Ok(data)
        })
        .collect::<tantivy::Result<Vec<_>>>()
        .map_err(|e| {
            diagnostics::Diagnostic::error(diagnostics::code::WRITE, format!("search index: {e}"))
        })?;
    let files = index::output_files(&indexes, site.config.default_language());
    Ok((files, indexed))
}

/// Runs the pipeline up to the complete set of output files, in memory (what `build` writes
/// and `serve` serves). Unless `complete`, stops after rendering (all `check` needs).
pub fn build_files(
    opts: &BuildOptions,
    complete: bool,
) -> (Outcome, Option<Vec<render::OutputFile>>) {
    build_into(opts, complete, None)
}

/// `build_files`, with the pages streamed into `staging` when given (and left out of the
/// returned list, which then holds the search index, feeds, exports and assets).
fn build_into(
    opts: &BuildOptions,
    complete: bool,
    staging: Option<&write::Staging>,
) -> (Outcome, Option<Vec<render::OutputFile>>) {
    let mut out = Outcome::default();
    let mut clock = Clock(Instant::now());
    let Some((mut site, root)) = prepare(opts, &mut out, &mut clock) else {
        return (out, None);
    };

    let style = render::UrlStyle::new(&site.config.base_url, opts.relative_links);
    let (mut files, pages) = match render::render(&site, &style, opts.live_reload, staging) {
        Ok(f) => f,
        Err(d) => {
            out.diagnostics.extend(d);
            return (out, None);
        }
    };
    out.pages = pages;
    let streamed = if staging.is_some() { pages } else { 0 };
    // The pages' HTML is written; the index needs only the text. At 100,000 pages this frees
    // some 700 MB before the index stage, the build's peak.
    for d in &mut site.docs {
        d.body.html = "".into();
    }
    clock.lap(&mut out, "render");
    if !complete {
        out.files = files.len() + streamed;
        return (out, Some(files));
    }
    match search_files(&site, &style, None) {
        Ok((f, _)) => files.extend(f),
        Err(d) => {
            out.diagnostics.push(d);
            return (out, None);
        }
    }
    clock.lap(&mut out, "index");
    match write::asset_files(&root, &site.assets) {
        Ok(a) => files.extend(a),
        Err(d) => {
            out.diagnostics.push(d);
            return (out, None);
        }
    }
    out.files = files.len() + streamed;
    (out, Some(files))
}

/// Runs the pipeline; writes the output only when there is no error. Without an output
/// folder (`check`) it stops after rendering.
pub fn build(opts: &BuildOptions) -> Outcome {
    let Some(output) = &opts.output else {
        return build_files(opts, false).0;
    };
    let lock = match write::OutputLock::acquire(output) {
        Ok(l) => l,
        Err(d) => {
            let mut out = Outcome::default();
            out.diagnostics.push(d);
            return out;
        }
    };
    let staging = match write::Staging::create(output) {
        Ok(s) => s,
        Err(d) => {
            let mut out = Outcome::default();
            out.diagnostics.push(d);
            return out;
        }
    };
    let (mut out, files) = build_into(opts, true, Some(&staging));
    // On any error the staging folder is dropped (removed) and the old output stays.
    if let Some(files) = files.filter(|_| !out.diagnostics.has_errors()) {
        let start = Instant::now();
        if let Err(d) = staging.put_all(&files).and_then(|()| staging.finish()) {
            out.diagnostics.push(d);
        }
        out.timings.push(("write", start.elapsed()));
    }
    drop(lock);
    out
}

pub fn search(
    opts: &BuildOptions,
    lang: Option<&str>,
    request: &search_index::engine::Request,
) -> (Outcome, Option<String>) {
    let mut out = Outcome::default();
    let mut clock = Clock(Instant::now());
    let Some((site, _)) = prepare(opts, &mut out, &mut clock) else {
        return (out, None);
    };
    let lang = lang.unwrap_or(site.config.default_language()).to_string();
    let style = render::UrlStyle::new(&site.config.base_url, opts.relative_links);
    let data = match index::build_language(&site, &style, &lang) {
        Ok(d) => d,
        Err(e) => {
            out.diagnostics.push(diagnostics::Diagnostic::error(
                diagnostics::code::WRITE,
                format!("search index: {e}"),
            ));
            return (out, None);
        }
    };
    let engine = index::engine_for(&data);
    (out, Some(engine.to_json(&engine.search(request))))
}

impl BuildOptions {
    /// Check-style options for the site at `root`: nothing written, absolute links.
    pub fn at(root: PathBuf) -> BuildOptions {
        BuildOptions {
            root,
            ..BuildOptions::default()
        }
    }
}

/// The output folder used when none is given: `public/` in the site root.
pub fn default_output(root: &Path) -> PathBuf {
    root.join("public")
}
