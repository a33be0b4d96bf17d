//! Relevance on the bundled content: the judged queries of `tests/relevance/LANG.tsv` through
//! `tietopankki search` (the engine and index files the browser uses). A query succeeds when
//! one of its judged pages is among the first three results.

mod common;

/// The share of judged queries that must succeed: research/search.md's gate.
const REQUIRED: f64 = 0.9;

/// (query, acceptable page URLs) from the judged file of `lang`.
fn judged(lang: &str) -> Vec<(String, Vec<String>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/relevance")
        .join(format!("{lang}.tsv"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (query, pages) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("{}: no tab in {l:?}", path.display()));
            let pages: Vec<String> = pages.split_whitespace().map(str::to_string).collect();
            (query.to_string(), pages)
        })
        .collect()
}

/// Runs the judged set of `lang` (at least `at_least` queries) against a fresh build.
fn judge(lang: &str, at_least: usize) {
    let set = judged(lang);
    assert!(set.len() >= at_least, "only {} judged queries", set.len());
    // Every judged page exists, so a renamed page cannot make a query silently unanswerable.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let built = out.path().join("site");
    let o = common::build(root, &built, &[]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    for (query, pages) in &set {
        for page in pages {
            assert!(
                built.join(page).join("index.html").is_file(),
                "{query}: no page {page}"
            );
        }
    }
    let misses: Vec<String> = set
        .iter()
        .filter_map(|(query, pages)| {
            let top = common::result_urls(&common::search_bundled(&[
                query, "--lang", lang, "--limit", "3",
            ]));
            (!top.iter().any(|u| pages.contains(u))).then(|| format!("{query} -> {top:?}"))
        })
        .collect();
    let share = 1.0 - misses.len() as f64 / set.len() as f64;
    println!(
        "{lang} success@3: {}/{} ({:.0} %); misses: {misses:#?}",
        set.len() - misses.len(),
        set.len(),
        share * 100.0
    );
    assert!(
        share >= REQUIRED,
        "success@3 {share:.2} < {REQUIRED}: {misses:#?}"
    );
}

#[test]
fn judged_finnish_queries_find_a_right_page_in_the_first_three() {
    judge("fi", 60);
}

#[test]
fn judged_swedish_queries_find_a_right_page_in_the_first_three() {
    judge("sv", 20);
}
