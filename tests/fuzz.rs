//! Replays every stored fuzz case (`tests/fuzz-cases/TARGET/*`: hand-written edge cases and
//! each finding of `scripts/fuzz`) through the same entry points the fuzz targets use, on
//! stable Rust, so a fixed crash stays fixed.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-cases")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // A panic names the case: the harness functions must return for any input.
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{target}: {} panicked", path.display());
        n += 1;
    }
    assert!(n > 0, "no cases for {target}");
}

#[test]
fn content_file_cases() {
    replay("content_file", tietopankki::fuzzing::content_file);
}

#[test]
fn markdown_cases() {
    replay("markdown", tietopankki::fuzzing::markdown);
}

#[test]
fn site_cases() {
    replay("site", tietopankki::fuzzing::site);
}

#[test]
fn index_files_cases() {
    replay("index_files", search_index::fuzzing::index_files);
}

#[test]
fn query_cases() {
    replay("query", search_index::fuzzing::query);
}
