//! Stage 6, write: all files into a staging folder beside the output, then swap it in.
//!
//! The previous output stays as it was until the new one is complete: a failed or
//! interrupted build never leaves a half-written site to be published.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{code, Diagnostic};
use crate::render::OutputFile;

/// Holds the output folder for one build; a second build into the same folder waits for none
/// and fails with a clear message instead of interleaving files.
pub struct OutputLock {
    path: PathBuf,
}

impl OutputLock {
    pub fn acquire(output: &Path) -> Result<OutputLock, Diagnostic> {
        let path = sibling(output, "lock");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| write_error(parent, &e))?;
        }
        // The lock appears with its process id already in it: written to a private file first,
        // then hard-linked into place (which fails if a lock exists). A build killed between
        // creating an empty lock and writing its id would otherwise leave a lock nobody can
        // tell is stale.
        let mine = path.with_extension(format!("lock.{}", std::process::id()));
        fs::write(&mine, format!("{}\n", std::process::id()))
            .map_err(|e| write_error(&mine, &e))?;
        let linked = fs::hard_link(&mine, &path);
        let _ = fs::remove_file(&mine);
        match linked {
            Ok(()) => Ok(OutputLock { path }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let pid = fs::read_to_string(&path).unwrap_or_default();
                let pid = pid.trim();
                // An empty lock (left by an older version killed at the wrong moment) is stale
                // once it is a minute old.
                let empty_and_old = pid.is_empty()
                    && fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age.as_secs() > 60);
                if empty_and_old
                    || (!pid.is_empty()
                        && !Path::new(&format!("/proc/{pid}")).exists()
                        && Path::new("/proc/self").exists())
                {
                    // The build that held it is gone: take the lock over.
                    let _ = fs::remove_file(&path);
                    return OutputLock::acquire(output);
                }
                Err(Diagnostic::error(
                    code::WRITE,
                    format!(
                        "another build is writing {} (lock {}, process {pid})",
                        output.display(),
                        path.display()
                    ),
                )
                .hint("wait for it to finish; if no build is running, delete the lock file"))
            }
            Err(e) => Err(write_error(&path, &e)),
        }
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// `public` → `.public.<what>` beside it, so the swap is a rename on one file system.
fn sibling(output: &Path, what: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.{what}"))
}

fn write_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(code::WRITE, format!("cannot write {}: {e}", path.display()))
        .hint("check free disk space and permissions; the previous output was left as it was")
}

/// The new output being written beside the old one. Files go in as they are made (render
/// streams pages here instead of holding them all); `finish` swaps it in. Dropped without
/// `finish` (an error, a panic), it is removed and the old output stays.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    done: bool,
}

impl Staging {
    pub fn create(output: &Path) -> Result<Staging, Diagnostic> {
        recover(output);
        let dir = sibling(output, "staging");
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| write_error(&dir, &e))?;
        }
        fs::create_dir_all(&dir).map_err(|e| write_error(&dir, &e))?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
            done: false,
        })
    }

    /// Writes one file (its folders made as needed); safe to call from many threads.
    pub fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        debug_assert!(!path.split('/').any(|s| s == ".." || s.is_empty()));
        let p = self.dir.join(path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| write_error(parent, &e))?;
        }
        fs::write(&p, bytes).map_err(|e| write_error(&p, &e))
    }

    pub fn put_all(&self, files: &[OutputFile]) -> Result<(), Diagnostic> {
        files
            .par_iter()
            .try_for_each(|f| self.put(&f.path, &f.bytes))
    }

    /// Swaps the staged output in for the old one.
    pub fn finish(mut self) -> Result<(), Diagnostic> {
        self.done = true;
        let result = swap(&self.dir, &self.output);
        if result.is_err() {
            let _ = fs::remove_dir_all(&self.dir);
        }
        result
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `files` as the new content of `output`.
pub fn write(output: &Path, files: &[OutputFile]) -> Result<(), Diagnostic> {
    let staging = Staging::create(output)?;
    staging.put_all(files)?;
    staging.finish()
}

fn swap(staging: &Path, output: &Path) -> Result<(), Diagnostic> {
    let old = sibling(output, "old");
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| write_error(&old, &e))?;
    }
    if output.exists() {
        // One atomic exchange where the system has it (Linux): there is no moment without
        // a complete output, even if the build is killed here.
        if exchange(staging, output).is_ok() {
            remove_tree(staging);
            return Ok(());
        }
        fs::rename(output, &old).map_err(|e| write_error(output, &e))?;
    }
    if let Err(e) = fs::rename(staging, output) {
        let _ = fs::rename(&old, output);
        return Err(write_error(output, &e));
    }
    remove_tree(&old);
    Ok(())
}

/// Removes the previous output in parallel (at 10,000 pages 15,000 files and 12,000 folders:
/// 0.30 s one by one, 0.22 s so). What cannot be removed is left, as before: best effort.
fn remove_tree(dir: &Path) {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_dir() {
            dirs.push((entry.depth(), entry.into_path()));
        } else {
            files.push(entry.into_path());
        }
    }
    files.par_iter().for_each(|f| {
        let _ = fs::remove_file(f);
    });
    // Deepest first, so each folder is empty when its turn comes; those of one depth at once.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.0));
    for level in dirs.chunk_by(|a, b| a.0 == b.0) {
        level.par_iter().for_each(|(_, d)| {
            let _ = fs::remove_dir(d);
        });
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// A build killed between the two renames of the fallback swap leaves the last output under
/// its `.old` name: put it back before anything else.
fn recover(output: &Path) {
    let old = sibling(output, "old");
    if !output.exists() && old.is_dir() {
        let _ = fs::rename(&old, output);
    }
}

/// Copies content assets (images, PDFs) next to the pages that use them.
pub fn asset_files(root: &Path, assets: &[String]) -> Result<Vec<OutputFile>, Diagnostic> {
    assets
        .iter()
        .map(|a| {
            let p = root.join("content").join(a);
            fs::read(&p)
                .map(|bytes| OutputFile {
                    path: a.clone(),
                    bytes,
                })
                .map_err(|e| {
                    Diagnostic::error(code::IO, format!("cannot read {}: {e}", p.display()))
                })
        })
        .collect()
}
