//! Stage 2, parse: split front matter from Markdown, type the front matter, render the Markdown.
//! Files are independent here, so this stage runs in parallel.

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{code, Diagnostic};
use crate::load::SourceFile;
use crate::markdown::{self, Rendered};
use crate::model::{Centre, FrontMatter, Kind, Method, Page, Pathway};
use crate::paths;
use crate::yaml;

/// One parsed content file in one language.
#[derive(Debug, Clone)]
pub struct Document {
    /// Source path relative to the site root, e.g. `content/menetelmat/x.sv.md`.
    pub path: String,
    /// Folder relative to `content/`, e.g. `menetelmat`; empty at the top.
    pub dir: String,
    /// File name without language suffix and `.md`; shared by all translations.
    pub id: String,
    pub lang: String,
    pub kind: Kind,
    pub front: FrontMatter,
    /// The front-matter text, for locating values in later diagnostics.
    pub fm_text: String,
    /// Lines of the file before the first front-matter line.
    pub fm_offset: usize,
    pub body: Rendered,
}

impl Document {
    pub fn is_index(&self) -> bool {
        self.id == "_index"
    }
}

/// What parsing a file gave, for one exact text of it.
type Parsed = Result<Document, Vec<Diagnostic>>;

/// Parses all files in parallel; returns the documents (in input order) and the problems.
pub fn parse(files: &[SourceFile], config: &Config) -> (Vec<Document>, Vec<Diagnostic>) {
    let results: Vec<Parsed> = files.par_iter().map(|f| parse_file(f, config)).collect();
    collect(results)
}

/// One file in a [`ParseCache`]: its text, what parsing it gave, and for a document the
/// fingerprints `serve` compares builds with ([`crate::rebuild::own_fingerprints`]).
#[derive(Debug)]
pub struct Cached {
    text: std::sync::Arc<str>,
    parsed: Parsed,
    pub fingerprints: Option<[blake3::Hash; 2]>,
}

/// Files parsed by an earlier build, by path. `serve` keeps one so that a save parses the
/// saved file only. Valid for one config; clear it when the config changes.
pub type ParseCache = std::collections::HashMap<String, Cached>;

/// Brings `cache` up to date with `files`: parses the new and changed files and, when `files`
/// is every file of the site (`all`), drops the gone. Returns the paths parsed anew.
pub fn refresh(
    files: &[SourceFile],
    config: &Config,
    cache: &mut ParseCache,
    all: bool,
) -> Vec<String> {
    let fresh: Vec<Option<Cached>> = files
        .par_iter()
        .map(|f| match cache.get(&f.path) {
            Some(c) if std::sync::Arc::ptr_eq(&c.text, &f.text) || c.text == f.text => None,
            _ => {
                let parsed = parse_file(f, config);
                let fingerprints = parsed.as_ref().ok().map(crate::rebuild::own_fingerprints);
                Some(Cached {
                    text: f.text.clone(),
                    parsed,
                    fingerprints,
                })
            }
        })
        .collect();
    let mut changed = Vec::new();
    if all {
        let present: std::collections::HashSet<&str> =
            files.iter().map(|f| f.path.as_str()).collect();
        cache.retain(|path, _| present.contains(path.as_str()));
    }
    for (f, fresh) in files.iter().zip(fresh) {
        if let Some(c) = fresh {
            changed.push(f.path.clone());
            cache.insert(f.path.clone(), c);
        }
    }
    changed
}

/// What parsing `files` gives, from a cache [`refresh`]ed with them.
pub fn from_cache(files: &[SourceFile], cache: &ParseCache) -> (Vec<Document>, Vec<Diagnostic>) {
    collect(
        files
            .iter()
            .filter_map(|f| cache.get(&f.path))
            .map(|c| c.parsed.clone())
            .collect(),
    )
}

/// The parse result of one cached file: its document, or `None` when it did not parse.
pub fn cached_document<'a>(cache: &'a ParseCache, path: &str) -> Option<&'a Document> {
    cache.get(path).and_then(|c| c.parsed.as_ref().ok())
}

fn collect(results: Vec<Parsed>) -> (Vec<Document>, Vec<Diagnostic>) {
    let mut docs = Vec::with_capacity(results.len());
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(d) => {
                diags.extend(d.body.raw_html.iter().map(|&(line, col, len)| {
                    Diagnostic::error(code::RAW_HTML, "raw HTML is not allowed in content")
                        .in_file(&d.path)
                        .at(line, col, len)
                        .hint("write it in Markdown, or set `raw_html: escape` (shown as text) or `allow` in tietopankki.yaml")
                }));
                diags.extend(d.body.unsafe_urls.iter().map(|(line, col, url)| {
                    Diagnostic::error(code::UNSAFE_URL, format!("unsafe link `{url}`"))
                        .in_file(&d.path)
                        .at(*line, *col, 1)
                        .hint("links may use http, https, mailto or tel, or point to another .md file")
                }));
                docs.push(d);
            }
            Err(d) => diags.extend(d),
        }
    }
    (docs, diags)
}

/// Where a file sits: its folder, id, language and collection.
pub fn classify(path: &str, config: &Config) -> Result<(String, String, String, Kind), Diagnostic> {
    let under = path.strip_prefix("content/").unwrap_or(path);
    let (dir, file) = under.rsplit_once('/').unwrap_or(("", under));
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let (id, lang) = match stem.rsplit_once('.') {
        Some((id, suffix))
            if (2..=3).contains(&suffix.len())
                && suffix.chars().all(|c| c.is_ascii_lowercase()) =>
        {
            if !config.languages.iter().any(|l| l == suffix) {
                return Err(Diagnostic::error(
                    code::UNKNOWN_LANGUAGE,
                    format!("language \"{suffix}\" in the file name is not one of the site's languages"),
                )
                .in_file(path)
                .hint(format!(
                    "configured languages: {}; add \"{suffix}\" to `languages` in tietopankki.yaml or rename the file",
                    config.languages.join(", ")
                )));
            }
            (id.to_string(), suffix.to_string())
        }
        _ => (stem.to_string(), config.default_language().to_string()),
    };
    for seg in dir
        .split('/')
        .filter(|s| !s.is_empty())
        .chain([id.as_str()])
    {
        if seg == "_index" && seg == id {
            continue;
        }
        if !paths::is_safe_segment(seg) {
            return Err(Diagnostic::error(
                code::BAD_PATH,
                format!("\"{seg}\" cannot be part of a page address"),
            )
            .in_file(path)
            .hint(paths::segment_problem(seg)));
        }
    }
    let top = dir.split('/').next().unwrap_or("");
    let kind = match config.sections.get(top) {
        Some(k) if id != "_index" => *k,
        _ => Kind::Page,
    };
    Ok((dir.to_string(), id, lang, kind))
}

fn parse_file(file: &SourceFile, config: &Config) -> Result<Document, Vec<Diagnostic>> {
    let (dir, id, lang, kind) = classify(&file.path, config).map_err(|d| vec![d])?;
    let text = file.text.replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err(vec![Diagnostic::error(code::NO_FRONT_MATTER, "no front matter")
            .in_file(&file.path)
            .at(1, 1, 1)
            .hint("start the file with a `---` line, the fields (at least `title: ...`), and another `---` line")]);
    };
    let (fm_text, body) = match rest
        .find("\n---\n")
        .map(|i| (i, 5))
        .or_else(|| rest.ends_with("\n---").then(|| (rest.len() - 4, 4)))
    {
        Some((i, skip)) => (&rest[..i + 1], &rest[(i + skip).min(rest.len())..]),
        None if rest.starts_with("---\n") || rest == "---" => ("", rest.get(4..).unwrap_or("")),
        None => {
            return Err(vec![Diagnostic::error(
                code::NO_FRONT_MATTER,
                "front matter is not closed",
            )
            .in_file(&file.path)
            .at(1, 1, 3)
            .hint("add a line with only `---` after the last field")])
        }
    };
    let fm_offset = 1;
    let body_offset = fm_offset + fm_text.lines().count() + 1;
    let front = match kind {
        Kind::Method => {
            yaml::from_str::<Method>(fm_text, &file.path, fm_offset).map(FrontMatter::Method)
        }
        Kind::Centre => {
            yaml::from_str::<Centre>(fm_text, &file.path, fm_offset).map(FrontMatter::Centre)
        }
        Kind::Pathway => {
            yaml::from_str::<Pathway>(fm_text, &file.path, fm_offset).map(FrontMatter::Pathway)
        }
        Kind::Page => yaml::from_str::<Page>(fm_text, &file.path, fm_offset).map(FrontMatter::Page),
    }?;
    let mut rendered = markdown::render(body, &dir, config.raw_html);
    for l in &mut rendered.links {
        l.line += body_offset;
    }
    for r in &mut rendered.raw_html {
        r.0 += body_offset;
    }
    for u in &mut rendered.unsafe_urls {
        u.0 += body_offset;
    }
    Ok(Document {
        path: file.path.clone(),
        dir,
        id,
        lang,
        kind,
        front,
        fm_text: fm_text.to_string(),
        fm_offset,
        body: rendered,
    })
}
