//! Hostile content: script markers in every place an editor can write text must come out
//! escaped in every output file (pages, search index, export), under each raw-HTML policy.

mod common;

use std::path::Path;

/// Markers that are dangerous only when they survive unescaped.
const MARKERS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
];

fn seed(site: &Path, raw_html: &str) {
    let m = MARKERS.join(" ");
    let config = std::fs::read_to_string(site.join("tietopankki.yaml")).unwrap();
    std::fs::write(
        site.join("tietopankki.yaml"),
        format!(
            "{config}raw_html: {raw_html}\npublisher: '{}'\n",
            m.replace('\'', "''")
        ),
    )
    .unwrap();
    let vocab = std::fs::read_to_string(site.join("content/vocabularies.yaml")).unwrap();
    std::fs::write(
        site.join("content/vocabularies.yaml"),
        vocab.replace(
            "{id: lapset, fi: Lapset,",
            &format!("{{id: lapset, fi: {},", serde_json::to_string(&m).unwrap()),
        ),
    )
    .unwrap();
    let q = |s: &str| serde_json::to_string(s).unwrap();
    std::fs::write(
        site.join("content/menetelmat/vaarallinen.md"),
        format!(
            "---\ntitle: {t}\nsummary: {t}\nmethod_type: lahestymistapa\ntarget_groups: [lapset]\ndosage: {t}\ncontacts:\n  - organisation: {t}\n    url: \"javascript:alert(1)\"\nevidence_note: {t}\nsources:\n  - title: {t}\n    url: {t}\nstatus: draft\nlast_reviewed: 2025-01-01\n---\n\n## {h}\n\nTeksti {h} ja [linkki](javascript:alert(1)).\n",
            t = q(&m),
            h = "Otsikko &lt;script&gt;",
        ),
    )
    .unwrap();
}

fn scan(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (path, bytes) in common::tree(out) {
        let text = String::from_utf8_lossy(&bytes);
        for m in MARKERS {
            if text.contains(m) {
                found.push(format!("{path}: {m}"));
            }
        }
        if text.to_ascii_lowercase().contains("javascript:") {
            found.push(format!("{path}: javascript: URL"));
        }
    }
    found
}

#[test]
fn javascript_urls_are_errors() {
    let site = common::valid_site();
    seed(site.path(), "escape");
    let o = common::run(&[
        "check",
        "--root",
        site.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let unsafe_urls: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "E0302")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        unsafe_urls.len(),
        2,
        "front-matter url and Markdown link: {v}"
    );
    assert!(
        unsafe_urls.iter().all(|l| *l > 1),
        "both are located: {unsafe_urls:?}"
    );
}

#[test]
fn markers_never_survive_unescaped() {
    for policy in ["escape", "forbid", "allow"] {
        let site = common::valid_site();
        seed(site.path(), policy);
        let p = site.path().join("content/menetelmat/vaarallinen.md");
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace("javascript:alert(1)", "https://example.org/");
        std::fs::write(&p, text).unwrap();
        // Raw HTML in the body, which `forbid` must reject and `escape` must show as text;
        // `allow` is the site owner's opt-in to keep it (shown here with harmless markup), and
        // everything else (front matter, vocabularies, config) stays escaped under it too.
        let p = site.path().join("content/menetelmat/vaarallinen.md");
        let text = std::fs::read_to_string(&p).unwrap();
        let raw = if policy == "allow" {
            "<b>sallittu</b>"
        } else {
            "<script>alert(1)</script>"
        };
        std::fs::write(&p, format!("{text}\n{raw}\n")).unwrap();
        let out = site.path().join("public");
        let o = common::build(site.path(), &out, &[]);
        if policy == "forbid" {
            assert_eq!(o.status.code(), Some(1), "raw HTML must be refused");
            assert!(common::stderr(&o).contains("E0301"));
            assert!(!out.exists());
            std::fs::write(&p, text.clone()).unwrap();
            let o = common::build(site.path(), &out, &[]);
            assert!(o.status.success(), "{}", common::stderr(&o));
        } else {
            assert!(o.status.success(), "{}", common::stderr(&o));
        }
        let found = scan(&out);
        assert!(found.is_empty(), "{policy}: {}", found.join("\n"));
        // The markers are there, escaped: the content was not silently dropped.
        let page = common::read(&out, "menetelmat/vaarallinen/index.html");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        if policy == "allow" {
            assert!(page.contains("<b>sallittu</b>"), "allow keeps raw HTML");
        }
        // The search engine's results carry only escaped text plus <mark>.
        let r = common::run(&[
            "search",
            "alert",
            "--root",
            site.path().to_str().unwrap(),
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
        for hit in v["results"].as_array().unwrap() {
            let e = hit["excerpt"]
                .as_str()
                .unwrap()
                .replace("<mark>", "")
                .replace("</mark>", "");
            assert!(!e.contains('<'), "excerpt with markup: {e}");
        }
    }
}
