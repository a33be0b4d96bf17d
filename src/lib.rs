//! tietopankki: a static-site generator for the OT-keskus knowledge bank.
//!
//! The build is a one-way pipeline, one module per stage:
//! [`load`] → [`parse`] → [`link`] → [`render`] → (index, with the search issue) → [`write`].
//! Every stage adds to one [`diagnostics::Diagnostics`]; the output is written only when no
//! stage found an error, and then atomically.

pub mod config;
pub mod diagnostics;
pub mod export;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod paths;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod theme;
pub mod vocab;
pub mod write;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diagnostics::Diagnostics;

/// What a build or check is asked to do.
#[derive(Debug, Clone)]
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

/// Runs the pipeline; writes the output only when there is no error.
pub fn build(opts: &BuildOptions) -> Outcome {
    let mut out = Outcome::default();
    let mut clock = Instant::now();
    let mut lap = |out: &mut Outcome, stage: &'static str| {
        out.timings.push((stage, clock.elapsed()));
        clock = Instant::now();
    };

    let Some(mut input) = load::load(&opts.root, &mut out.diagnostics) else {
        out.read_sources_from(&opts.root);
        return out;
    };
    if let Some(b) = &opts.base_url {
        input.config.base_url = b.clone();
    }
    for f in input.files.iter().chain(&input.yaml_sources) {
        out.sources.insert(f.path.clone(), f.text.clone());
    }
    lap(&mut out, "load");

    let (docs, diags) = parse::parse(&input.files, &input.config);
    out.diagnostics.extend(diags);
    lap(&mut out, "parse");

    let root = input.root.clone();
    let (site, diags) = link::link(input, docs);
    out.diagnostics.extend(diags);
    lap(&mut out, "link");
    let Some(site) = site else { return out };
    if out.diagnostics.has_errors() {
        return out;
    }

    let style = render::UrlStyle::new(&site.config.base_url, opts.relative_links);
    let mut files = match render::render(&site, &style, opts.live_reload) {
        Ok(f) => f,
        Err(d) => {
            out.diagnostics.extend(d);
            return out;
        }
    };
    out.pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    lap(&mut out, "render");

    let Some(output) = &opts.output else {
        out.files = files.len();
        return out;
    };
    match write::asset_files(&root, &site.assets) {
        Ok(a) => files.extend(a),
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    }
    out.files = files.len();
    let lock = match write::OutputLock::acquire(output) {
        Ok(l) => l,
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    };
    if let Err(d) = write::write(output, &files) {
        out.diagnostics.push(d);
    }
    drop(lock);
    lap(&mut out, "write");
    out
}

/// The output folder used when none is given: `public/` in the site root.
pub fn default_output(root: &Path) -> PathBuf {
    root.join("public")
}
