//! The valid fixture site: built pages, translations, determinism, atomic output, CLI commands.

mod common;

use common::*;

/// Keeps the part of a page between `<main` and `</main>`, where the content is.
fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("page has main");
    let end = html.find("</main>").expect("page has main end");
    html[start..end + 7]
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn key_pages_match_snapshots() {
    let site = valid_site();
    let out = site.path().join("public");
    let o = build(site.path(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (name, page) in [
        ("home", "index.html"),
        ("method", "menetelmat/vahva-ryhma/index.html"),
        ("method_sv", "sv/menetelmat/vahva-ryhma/index.html"),
        ("centre", "keskukset/pohjoinen/index.html"),
        ("pathway", "palvelupolut/kaytos/index.html"),
        ("glossary", "sanasto/index.html"),
        ("facet", "teemat/kaytosongelmat/index.html"),
    ] {
        insta::assert_snapshot!(name, main_of(&read(&out, page)));
    }
    insta::assert_snapshot!("head_method", {
        let html = read(&out, "menetelmat/vahva-ryhma/index.html");
        html[..html.find("<body>").unwrap()].to_string()
    });
}

#[test]
fn check_json_snapshots() {
    let site = valid_site();
    let o = run(&[
        "check",
        "--root",
        site.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("check_valid_json", String::from_utf8(o.stdout).unwrap());
    copy_tree(&fixture("invalid/unknown-vocabulary-id"), site.path());
    let o = run(&[
        "check",
        "--root",
        site.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(
        "check_unknown_vocab_json",
        String::from_utf8(o.stdout).unwrap()
    );
}

#[test]
fn every_type_and_language_is_written() {
    let site = valid_site();
    let out = site.path().join("public");
    assert!(build(site.path(), &out, &[]).status.success());
    for f in [
        "index.html",
        "sv/index.html",
        "en/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "atom.xml",
        "methods.json",
        "centres.json",
        "pathways.json",
        "vocabularies.json",
        "assets/style.css",
        "menetelmat/index.html",
        "keskukset/index.html",
        "palvelupolut/index.html",
        "en/tietoa/index.html",
        "naytto/kasvuntuki/index.html",
        "ikaryhmat/index.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // A translation inherits what it does not translate, and is linked both ways.
    let sv = read(&out, "sv/menetelmat/vahva-ryhma/index.html");
    assert!(
        sv.contains("Stark grupp")
            && sv.contains("12 veckoträffar")
            && sv.contains("5 Vahva dokumentoitu näyttö")
    );
    assert!(sv.contains("hreflang=\"fi\"") && sv.contains("<html lang=\"sv\">"));
    // Back-references: the method lists the pathway and centre that use it.
    let m = read(&out, "menetelmat/vahva-ryhma/index.html");
    assert!(
        m.contains("/pankki/palvelupolut/kaytos/") && m.contains("/pankki/keskukset/pohjoinen/")
    );
    // Markdown links to .md files become page URLs with their anchors.
    assert!(m.contains("href=\"/pankki/menetelmat/kuunteleva-tapa/#kenelle\""));
    // Unknown facts are shown as unknown, not left blank.
    assert!(m.contains("ei tiedossa"));
    let sitemap = read(&out, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/pankki/sv/menetelmat/vahva-ryhma/</loc>"));
    let export: serde_json::Value = serde_json::from_str(&read(&out, "methods.json")).unwrap();
    let first = &export.as_array().unwrap()[0];
    assert!(
        first["id"].is_string()
            && first["url"]
                .as_str()
                .unwrap()
                .starts_with("https://example.org/pankki/")
    );
    // The BOM + CRLF glossary was read, with anchors per term.
    assert!(read(&out, "sanasto/index.html").contains("<dt id=\"ot-keskus\">OT-keskus</dt>"));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = valid_site();
    let (a, b) = (site.path().join("a"), site.path().join("b"));
    assert!(build(site.path(), &a, &[]).status.success());
    assert!(build(site.path(), &b, &[]).status.success());
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() > 50);
    assert_eq!(ta, tb);
}

#[test]
fn a_failing_build_leaves_the_previous_output_untouched() {
    let site = valid_site();
    let out = site.path().join("public");
    assert!(build(site.path(), &out, &[]).status.success());
    let before = tree(&out);
    copy_tree(&fixture("invalid/broken-link"), site.path());
    let o = build(site.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E0202"));
    assert_eq!(tree(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".public"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging or lock left behind: {leftovers:?}"
    );
}

#[test]
fn relative_links_work_from_a_folder() {
    let site = valid_site();
    let out = site.path().join("public");
    assert!(build(site.path(), &out, &["--relative-links"])
        .status
        .success());
    let m = read(&out, "menetelmat/vahva-ryhma/index.html");
    assert!(m.contains("href=\"../../assets/style.css\""));
    assert!(m.contains("href=\"../../palvelupolut/kaytos/index.html\""));
    assert!(m.contains("href=\"../../menetelmat/kuunteleva-tapa/index.html#kenelle\""));
    assert!(
        !m.contains("href=\"/"),
        "no root-absolute links in relative mode"
    );
}

#[test]
fn base_url_flag_overrides_the_config() {
    let site = valid_site();
    let out = site.path().join("public");
    assert!(build(
        site.path(),
        &out,
        &["--base-url", "https://tp.example/ala/polku/"]
    )
    .status
    .success());
    assert!(read(&out, "index.html").contains("href=\"/ala/polku/menetelmat/\""));
    assert!(read(&out, "robots.txt").contains("Sitemap: https://tp.example/ala/polku/sitemap.xml"));
}

#[test]
fn new_writes_skeletons_that_check_accepts() {
    let site = valid_site();
    let root = site.path().to_str().unwrap();
    for kind in ["method", "centre", "pathway", "page"] {
        let o = run(&[
            "new",
            kind,
            &format!("uusi-{kind}"),
            "--title",
            "Uusi: \"lainaus\"",
            "--root",
            root,
        ]);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
    }
    let o = run(&["check", "--root", root]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = run(&["new", "method", "uusi-method", "--root", root]);
    assert_eq!(again.status.code(), Some(1));
    let bad = run(&["new", "method", "../pako", "--root", root]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn schema_is_generated_from_the_types() {
    let o = run(&["schema", "method"]);
    assert!(o.status.success());
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let required: Vec<&str> = s["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(required.contains(&"title") && required.contains(&"last_reviewed"));
    assert!(s["properties"]["evidence"].is_object());
    assert_eq!(s["additionalProperties"], serde_json::json!(false));
    assert_eq!(run(&["schema", "nonsense"]).status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2_and_missing_config_exits_1() {
    assert_eq!(run(&["build", "--no-such-flag"]).status.code(), Some(2));
    let empty = tempfile::tempdir().unwrap();
    let o = run(&["check", "--root", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("tietopankki.yaml"), "{}", stderr(&o));
}

#[test]
fn a_second_build_into_a_locked_output_is_refused() {
    let site = valid_site();
    let out = site.path().join("public");
    std::fs::write(
        site.path().join(".public.lock"),
        std::process::id().to_string(),
    )
    .unwrap();
    let o = build(site.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("another build is writing"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(site.path().join(".public.lock")).unwrap();
    // A lock left by a process that no longer exists is taken over.
    std::fs::write(site.path().join(".public.lock"), "999999999").unwrap();
    assert!(build(site.path(), &out, &[]).status.success());
}
