//! Entry points of the fuzz targets in `fuzz/`, also replayed over the stored cases by
//! `tests/fuzz.rs`: each takes arbitrary bytes and must return (diagnostics are fine) without
//! panicking or hanging, whatever the bytes are.
#![doc(hidden)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::{Config, RawHtml};
use crate::load::SourceFile;
use crate::{build_files, markdown, parse, yaml, BuildOptions};

const CONFIG: &str = "title:\n  fi: Testi\n  sv: Test\nlanguages: [fi, sv]\n";

/// One content file, front matter and Markdown, through the parse stage; the bytes are the
/// file (invalid UTF-8 is the load stage's business and is refused there).
pub fn content_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config: &Config = {
        static C: OnceLock<Config> = OnceLock::new();
        C.get_or_init(|| yaml::from_str(CONFIG, "tietopankki.yaml", 0).expect("valid config"))
    };
    for path in [
        "content/menetelmat/kohde.md",
        "content/palvelupolut/kohde.sv.md",
    ] {
        let file = SourceFile {
            path: path.to_string(),
            text: text.into(),
        };
        let _ = parse::parse(&[file], config);
    }
}

/// Markdown alone, under each raw-HTML policy.
pub fn markdown(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for policy in [RawHtml::Forbid, RawHtml::Escape, RawHtml::Allow] {
        let _ = markdown::render(&text, "menetelmat", policy);
    }
}

/// Files a fuzzed site may replace: content of each kind, the vocabularies and the config.
const TARGETS: [&str; 8] = [
    "content/menetelmat/vahva-ryhma.md",
    "content/menetelmat/uusi.sv.md",
    "content/keskukset/pohjoinen.md",
    "content/palvelupolut/kaytos.md",
    "content/sanasto.md",
    "content/_index.md",
    "content/vocabularies.yaml",
    "tietopankki.yaml",
];

/// A whole build, in memory, of the valid fixture site with up to four files replaced: the
/// bytes split at `0xfe` (never in UTF-8), each part's first byte choosing which file it becomes.
pub fn site(data: &[u8]) {
    let root = site_dir();
    let fixture = fixture_dir();
    for path in TARGETS {
        let from = fixture.join(path);
        let to = root.join(path);
        if from.exists() {
            let _ = std::fs::copy(&from, &to);
        } else {
            let _ = std::fs::remove_file(&to);
        }
    }
    for part in data.split(|&b| b == 0xfe).take(4) {
        let Some((&which, bytes)) = part.split_first() else {
            continue;
        };
        let _ = std::fs::write(root.join(TARGETS[which as usize % TARGETS.len()]), bytes);
    }
    let _ = build_files(&BuildOptions::at(root.to_path_buf()), true);
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid-site")
}

/// A private copy of the fixture site, made once per process.
fn site_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tietopankki-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for entry in walkdir::WalkDir::new(fixture_dir()).into_iter().flatten() {
            let rel = entry
                .path()
                .strip_prefix(fixture_dir())
                .expect("under the fixture");
            let to = dir.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).expect("temp dir");
            } else {
                std::fs::copy(entry.path(), &to).expect("temp copy");
            }
        }
        dir
    })
}
