//! An offline link check of the built bundled site: every internal link and anchor resolves,
//! nothing is loaded from another origin, and this holds with a sub-path base URL and with
//! relative links (the folder / file:// case).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (tag name, attribute, value) of every href/src in `html`.
fn links(html: &str) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    for attr in ["href", "src"] {
        let pat = format!(" {attr}=\"");
        let mut from = 0;
        while let Some(p) = html[from..].find(&pat) {
            let start = from + p + pat.len();
            let end = start + html[start..].find('"').unwrap();
            let tag_start = html[..start].rfind('<').unwrap();
            let tag: String = html[tag_start + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            out.push((tag, attr, html[start..end].replace("&amp;", "&")));
            from = end;
        }
    }
    out
}

fn ids(html: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut from = 0;
    while let Some(p) = html[from..].find(" id=\"") {
        let start = from + p + 5;
        let end = start + html[start..].find('"').unwrap();
        out.insert(html[start..end].to_string());
        from = end;
    }
    out
}

/// Checks the site in `out`; `base` is the absolute site address links may use, `base_path` the
/// path prefix of root-relative links (`None`: a relative-links build, where none may occur).
fn check_site(out: &Path, base: Option<&str>, base_path: Option<&str>) -> Vec<String> {
    let files = common::tree(out);
    let pages: BTreeMap<&String, String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8_lossy(b).into_owned()))
        .collect();
    let mut problems = Vec::new();
    for (path, html) in &pages {
        let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        for (tag, attr, value) in links(html) {
            let (target, anchor) = match value.split_once('#') {
                Some((t, a)) => (t.to_string(), Some(a.to_string())),
                None => (value.clone(), None),
            };
            let target = target.split('?').next().unwrap().to_string();
            let internal = if let Some(rest) = base.and_then(|b| target.strip_prefix(b)) {
                Some(rest.to_string())
            } else if target.contains("://")
                || target.starts_with("mailto:")
                || target.starts_with("data:")
            {
                if tag != "a" {
                    problems.push(format!(
                        "{path}: <{tag} {attr}> loads from another origin: {value}"
                    ));
                }
                None
            } else if let Some(rest) = base_path.and_then(|b| target.strip_prefix(b)) {
                Some(rest.to_string())
            } else if target.starts_with('/') {
                problems.push(format!(
                    "{path}: root-relative link outside {base_path:?}: {value}"
                ));
                None
            } else if target.is_empty() {
                Some(path.to_string())
            } else {
                let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
                for seg in target.split('/') {
                    match seg {
                        "" | "." => {}
                        ".." => {
                            if parts.pop().is_none() {
                                problems.push(format!(
                                    "{path}: link climbs above the site root: {value}"
                                ));
                            }
                        }
                        s => parts.push(s),
                    }
                }
                let mut joined = parts.join("/");
                if target.ends_with('/') {
                    joined.push('/');
                }
                Some(joined)
            };
            let Some(mut file) = internal else { continue };
            if file.is_empty() || file.ends_with('/') {
                file.push_str("index.html");
            }
            if !files.contains_key(&file) {
                problems.push(format!("{path}: broken link {value} (no {file})"));
                continue;
            }
            if let Some(a) = anchor.filter(|a| !a.is_empty()) {
                let target_html = pages.get(&file).cloned().unwrap_or_default();
                if !ids(&target_html).contains(&a) {
                    problems.push(format!("{path}: broken anchor {value}"));
                }
            }
        }
    }
    problems
}

fn build(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = common::build(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &out,
        extra,
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    dir
}

#[test]
fn every_link_resolves_with_the_default_base() {
    let dir = build(&[]);
    let problems = check_site(&dir.path().join("site"), None, Some("/"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_link_resolves_under_a_sub_path() {
    let base = "https://example.org/ala/tietopankki/";
    let dir = build(&["--base-url", base]);
    let out = dir.path().join("site");
    let problems = check_site(&out, Some(base), Some("/ala/tietopankki/"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let sitemap = common::read(&out, "sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/ala/tietopankki/menetelmat/voimaperheet/</loc>")
    );
}

#[test]
fn every_link_resolves_with_relative_links() {
    let dir = build(&["--relative-links"]);
    let out = dir.path().join("site");
    let problems = check_site(&out, None, None);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let page = common::read(&out, "menetelmat/voimaperheet/index.html");
    assert!(page.contains("href=\"../../assets/style.css\""));
}

#[test]
fn long_lists_are_paginated_with_working_links_and_every_entry_once() {
    let site = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_tree(&repo.join("content"), &site.path().join("content"));
    let config = std::fs::read_to_string(repo.join("tietopankki.yaml")).unwrap();
    std::fs::write(
        site.path().join("tietopankki.yaml"),
        format!("{config}\npage_size: 5\n"),
    )
    .unwrap();
    for extra in [&[][..], &["--relative-links"][..]] {
        let out = site.path().join("out");
        let o = common::build(site.path(), &out, extra);
        assert!(o.status.success(), "{}", common::stderr(&o));
        let base_path = extra.is_empty().then_some("/");
        let problems = check_site(&out, None, base_path);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // 26 methods at 5 a page: /menetelmat/ and /menetelmat/sivu/2/ … /sivu/6/.
        let mut seen = Vec::new();
        for k in 1..=6 {
            let path = if k == 1 {
                "menetelmat/index.html".to_string()
            } else {
                format!("menetelmat/sivu/{k}/index.html")
            };
            let html =
                std::fs::read_to_string(out.join(&path)).unwrap_or_else(|_| panic!("no {path}"));
            assert!(
                html.contains(&format!("{k} / 6")),
                "{path} lacks its page number"
            );
            let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
            for (_, _, href) in links(main) {
                let href = href.trim_end_matches("index.html").trim_end_matches('/');
                if href.contains("menetelmat/")
                    && !href.contains("/sivu/")
                    && !href.ends_with("/menetelmat")
                {
                    seen.push(href.trim_start_matches("../").to_string());
                }
            }
        }
        assert!(!out.join("menetelmat/sivu/7").exists());
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), 26, "{seen:?}");
        assert_eq!(seen.len(), 26, "an entry on two pages: {seen:?}");
        std::fs::remove_dir_all(&out).unwrap();
    }
}
