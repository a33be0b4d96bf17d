//! Stage 1, load: read the config, the vocabularies, the theme and every content file.
//!
//! Nothing here interprets Markdown; it only decides which bytes enter the build and refuses
//! what must not (oversized files, invalid UTF-8, symlinks out of the tree).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{code, Diagnostic, Diagnostics};
use crate::theme::Theme;
use crate::vocab::Vocabularies;
use crate::yaml;

pub const CONFIG_FILE: &str = "tietopankki.yaml";
pub const VOCABULARY_FILE: &str = "content/vocabularies.yaml";
/// Largest `tietopankki.yaml` read (before its own `max_file_size` is known); real ones are
/// a few kilobytes.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// One Markdown file, as text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, `/`-separated, e.g. `content/menetelmat/x.md`.
    pub path: String,
    /// Shared with `serve`'s caches, so an unchanged file is not copied at every save.
    pub text: Arc<str>,
}

/// Everything the later stages read from disk.
#[derive(Debug, Clone)]
pub struct Input {
    pub root: PathBuf,
    pub config: Config,
    pub vocab: Vocabularies,
    pub theme: Theme,
    pub files: Vec<SourceFile>,
    /// Other files under `content/` (images, PDFs), copied as they are; paths under `content/`.
    pub assets: Vec<String>,
    /// Texts of the YAML files, for showing diagnostics in them.
    pub yaml_sources: Vec<SourceFile>,
}

/// Content files read by an earlier build, by path: (modified time, length, text). `serve`
/// keeps one so that a save re-reads the saved file, not all 10,000.
#[derive(Debug, Default)]
pub struct ReadCache(HashMap<String, (SystemTime, u64, Arc<str>)>);

/// A file's modified time and size, as the cache compares them.
type Stamp = (SystemTime, u64);

/// What [`ReadCache::lookup`] found for a file.
enum Lookup {
    /// The cached text: size and modified time are unchanged.
    Cached(Arc<str>),
    /// The text as read now (`None`: unreadable, and reported) with its stamp, if any.
    Read(Option<Arc<str>>, Option<Stamp>),
}

impl ReadCache {
    /// The text of `path`: the cached one while its size and modified time are unchanged.
    pub(crate) fn read(
        &mut self,
        root: &Path,
        path: &str,
        max: u64,
        diags: &mut Diagnostics,
    ) -> Option<Arc<str>> {
        let found = self.lookup(root, path, max, diags);
        self.keep(path, found)
    }

    /// Looks `path` up, reading it when it changed. Takes `&self`, so that many files can be
    /// looked up at once; [`ReadCache::keep`] then records what was read.
    fn lookup(&self, root: &Path, path: &str, max: u64, diags: &mut Diagnostics) -> Lookup {
        let stamp = std::fs::metadata(root.join(path))
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        if let (Some((time, len)), Some((t, l, text))) = (stamp, self.0.get(path)) {
            if time == *t && len == *l {
                return Lookup::Cached(text.clone());
            }
        }
        Lookup::Read(read_text(root, path, max, diags).map(Arc::from), stamp)
    }

    /// Records a file read by [`ReadCache::lookup`] (or forgets it when it could not be read or
    /// stamped) and returns its text.
    fn keep(&mut self, path: &str, found: Lookup) -> Option<Arc<str>> {
        match found {
            Lookup::Cached(text) => Some(text),
            Lookup::Read(text, stamp) => {
                match (&text, stamp) {
                    (Some(t), Some((time, len))) => {
                        self.0.insert(path.to_string(), (time, len, t.clone()));
                    }
                    _ => {
                        self.0.remove(path);
                    }
                }
                text
            }
        }
    }

    /// Forgets `path`, so that the next build reads it whatever its time stamp says.
    pub fn forget(&mut self, path: &str) {
        self.0.remove(path);
    }
}

/// Reads the site at `root`. Returns `None` when the config or vocabularies are unusable, since
/// every later check depends on them; file-level problems are reported and the file skipped.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Input> {
    load_cached(root, diags, None)
}

/// [`load`], taking unchanged content files from `cache`.
pub fn load_cached(
    root: &Path,
    diags: &mut Diagnostics,
    mut cache: Option<&mut ReadCache>,
) -> Option<Input> {
    let config_text = read_text(root, CONFIG_FILE, MAX_CONFIG_SIZE, diags)?;
    let config: Config = match yaml::from_str(&config_text, CONFIG_FILE, 0) {
        Ok(c) => c,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    let mut bad = false;
    for p in config.validate() {
        diags.push(Diagnostic::error(code::CONFIG, p).in_file(CONFIG_FILE));
        bad = true;
    }
    let vocab_text = if root.join(VOCABULARY_FILE).exists() {
        read_text(root, VOCABULARY_FILE, config.max_file_size, diags)?
    } else {
        String::new()
    };
    let vocab: Vocabularies = if vocab_text.trim().is_empty() {
        Vocabularies::default()
    } else {
        match yaml::from_str(&vocab_text, VOCABULARY_FILE, 0) {
            Ok(v) => v,
            Err(d) => {
                diags.extend(d);
                return None;
            }
        }
    };
    for (list, id) in vocab.duplicates() {
        let (line, col) =
            yaml::find_value(&vocab_text, &[yaml::Seg::Key(list)], &id).unwrap_or((0, 0));
        diags.push(
            Diagnostic::error(
                code::BAD_VOCABULARY,
                format!("duplicate id \"{id}\" in vocabulary `{list}`"),
            )
            .in_file(VOCABULARY_FILE)
            .at(line, col, id.chars().count()),
        );
        bad = true;
    }
    let theme = match Theme::load(root, &config.theme) {
        Ok(t) => t,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    if bad {
        return None;
    }

    let content = root.join("content");
    let mut files = Vec::new();
    let mut unread = Vec::new();
    let mut assets = Vec::new();
    if !content.is_dir() {
        diags.push(Diagnostic::error(code::IO, "no content/ folder").hint(
            "create content/ with at least content/_index.md, or pass --root to the site folder",
        ));
        return None;
    }
    let canonical_content = content.canonicalize().unwrap_or_else(|_| content.clone());
    let walker = WalkDir::new(&content)
        .follow_links(config.follow_symlinks)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(|p| rel(root, p)).unwrap_or_default();
                let d = if e.loop_ancestor().is_some() {
                    Diagnostic::error(code::SYMLINK, "symbolic link loop")
                        .hint("remove the link or point it somewhere that does not contain it")
                } else {
                    Diagnostic::error(code::IO, format!("cannot read: {e}"))
                };
                diags.push(d.in_file(&path));
                continue;
            }
        };
        let path = rel(root, entry.path());
        if entry.path_is_symlink() {
            if !config.follow_symlinks {
                diags.push(
                    Diagnostic::error(code::SYMLINK, "symbolic link in content/ is not followed")
                        .in_file(&path)
                        .hint("replace the link with the file, or set `follow_symlinks: true` in tietopankki.yaml"),
                );
                continue;
            }
            let target = entry.path().canonicalize();
            if !target
                .map(|t| t.starts_with(&canonical_content))
                .unwrap_or(false)
            {
                diags.push(
                    Diagnostic::error(code::SYMLINK, "symbolic link points outside content/")
                        .in_file(&path)
                        .hint("links may only point to files inside content/"),
                );
                continue;
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') || path == VOCABULARY_FILE {
            continue;
        }
        if name.ends_with(".md") {
            unread.push(path);
        } else {
            assets.push(path["content/".len()..].to_string());
        }
    }
    // In parallel, in walk order; `serve` takes unchanged files from its cache.
    let max = config.max_file_size;
    let shared = cache.as_deref();
    let read: Vec<_> = unread
        .into_par_iter()
        .map(|path| {
            let mut d = Diagnostics::default();
            let found = match shared {
                Some(c) => c.lookup(root, &path, max, &mut d),
                None => Lookup::Read(read_text(root, &path, max, &mut d).map(Arc::from), None),
            };
            (path, found, d)
        })
        .collect();
    for (path, found, d) in read {
        diags.append(d);
        let text = match (cache.as_deref_mut(), found) {
            (Some(c), found) => c.keep(&path, found),
            (None, Lookup::Read(text, _)) => text,
            (None, Lookup::Cached(text)) => Some(text),
        };
        if let Some(text) = text {
            files.push(SourceFile { path, text });
        }
    }
    Some(Input {
        root: root.to_path_buf(),
        config,
        vocab,
        theme,
        files,
        assets,
        yaml_sources: vec![
            SourceFile {
                path: CONFIG_FILE.into(),
                text: config_text.into(),
            },
            SourceFile {
                path: VOCABULARY_FILE.into(),
                text: vocab_text.into(),
            },
        ],
    })
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads a UTF-8 text file, refusing oversized files before reading them.
fn read_text(root: &Path, path: &str, max: u64, diags: &mut Diagnostics) -> Option<String> {
    let full = root.join(path);
    let meta = match std::fs::metadata(&full) {
        Ok(m) => m,
        Err(e) => {
            let hint = (path == CONFIG_FILE)
                .then(|| "run tietopankki in the site folder, or pass --root DIR".to_string());
            diags.push(
                Diagnostic::error(code::IO, format!("cannot read {path}: {e}"))
                    .in_file(path)
                    .maybe_hint(hint),
            );
            return None;
        }
    };
    if meta.len() > max {
        diags.push(
            Diagnostic::error(
                code::TOO_LARGE,
                format!(
                    "file is {} bytes, over the limit of {max} bytes",
                    meta.len()
                ),
            )
            .in_file(path)
            .hint(
                "split the text into several pages, or raise `max_file_size` in tietopankki.yaml",
            ),
        );
        return None;
    }
    // Read at most one byte over the limit: a file that grew since `metadata` (or a device
    // that reports no size) still cannot make the build read without bound.
    let mut bytes = Vec::new();
    let read = std::fs::File::open(&full).and_then(|f| {
        std::io::Read::read_to_end(
            &mut std::io::Read::take(f, max.saturating_add(1)),
            &mut bytes,
        )
    });
    if let Err(e) = read {
        diags.push(Diagnostic::error(code::IO, format!("cannot read: {e}")).in_file(path));
        return None;
    }
    if bytes.len() as u64 > max {
        diags.push(
            Diagnostic::error(
                code::TOO_LARGE,
                format!("file is over the limit of {max} bytes"),
            )
            .in_file(path)
            .hint(
                "split the text into several pages, or raise `max_file_size` in tietopankki.yaml",
            ),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Some(s)
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let col = String::from_utf8_lossy(
                &valid[valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1)..],
            )
            .chars()
            .count()
                + 1;
            diags.push(
                Diagnostic::error(
                    code::INVALID_UTF8,
                    format!("file is not valid UTF-8 (byte {})", valid.len()),
                )
                .in_file(path)
                .at(line, col, 1)
                .hint("save the file as UTF-8 in your editor"),
            );
            None
        }
    }
}
