//! Every bad input gets its diagnostic: one folder per case under tests/fixtures/invalid/,
//! laid over a copy of the valid site, with `expect.txt` naming code, file and line.

mod common;

use common::*;
use std::path::Path;

/// Cases whose files cannot live in git as they are (loops, bad bytes, Unicode twins).
fn setup(kind: &str, site: &Path) {
    match kind {
        "symlink-loop" => {
            std::fs::create_dir_all(site.join("content/silmukka")).unwrap();
            std::os::unix::fs::symlink("..", site.join("content/silmukka/alas")).unwrap();
        }
        "invalid-utf8" => {
            std::fs::write(
                site.join("content/rikki.md"),
                b"---\ntitle: Rikki\n---\nt\xe4m\xe4 ei ole UTF-8\n",
            )
            .unwrap();
        }
        "nfd-duplicate" => {
            let text = std::fs::read_to_string(site.join("content/menetelmat/kuunteleva-tapa.md"))
                .unwrap();
            std::fs::write(site.join("content/menetelmat/\u{e4}iti.md"), &text).unwrap();
            std::fs::write(site.join("content/menetelmat/a\u{308}iti.md"), &text).unwrap();
        }
        "too-large" => {
            let mut text = String::from("---\ntitle: Iso\n---\n");
            text.push_str(&"sana ".repeat(1000));
            std::fs::write(site.join("content/iso.md"), text).unwrap();
        }
        // A link to a file outside the site: not followed by default, refused when followed.
        "symlink-out" | "symlink-out-followed" => {
            let outside = site.join("../ulkopuolinen.md");
            std::fs::write(&outside, "---\ntitle: Ulkona\n---\nsalaisuus\n").unwrap();
            std::os::unix::fs::symlink(&outside, site.join("content/ulkona.md")).unwrap();
        }
        "long-name" => {
            let text = std::fs::read_to_string(site.join("content/tietoa.md")).unwrap();
            std::fs::write(
                site.join(format!("content/{}.md", "pitka".repeat(40))),
                text,
            )
            .unwrap();
        }
        other => panic!("unknown setup {other}"),
    }
}

#[test]
fn every_invalid_case_gives_its_diagnostic() {
    let root = fixture("invalid");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 20,
        "expected the full table of invalid cases"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let site = valid_site();
        copy_tree(case, site.path());
        if let Ok(kind) = std::fs::read_to_string(case.join("setup.txt")) {
            setup(kind.trim(), site.path());
        }
        let out = run(&[
            "check",
            "--root",
            site.path().to_str().unwrap(),
            "--format",
            "json",
        ]);
        let diags: Vec<serde_json::Value> = match serde_json::from_slice(&out.stdout) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!(
                    "{name}: output is not JSON ({e}): {}",
                    stderr(&out)
                ));
                continue;
            }
        };
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{name}: exit code {:?}, expected 1",
                out.status.code()
            ));
        }
        let got: Vec<String> = diags
            .iter()
            .map(|d| {
                format!(
                    "{} {}:{}",
                    d["code"].as_str().unwrap(),
                    d["file"].as_str().unwrap_or("-"),
                    d["line"]
                )
            })
            .collect();
        for want in std::fs::read_to_string(case.join("expect.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
        {
            if !got.iter().any(|g| g == want) {
                failures.push(format!("{name}: expected `{want}`, got {got:?}"));
            }
        }
        for d in &diags {
            assert!(
                !d["message"].as_str().unwrap().is_empty(),
                "{name}: empty message"
            );
        }
        // The human format must not panic and must name the file.
        let human = run(&["check", "--root", site.path().to_str().unwrap()]);
        let text = stderr(&human);
        if !text.contains("error[E") || text.contains("panicked") {
            failures.push(format!("{name}: human output lacks a diagnostic: {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn typo_diagnostics_suggest_the_fix() {
    let site = valid_site();
    copy_tree(&fixture("invalid/unknown-vocabulary-id"), site.path());
    let out = run(&["check", "--root", site.path().to_str().unwrap()]);
    let text = stderr(&out);
    assert!(
        text.contains("error[E0103]: unknown vocabulary id \"vanhemat\" in target_groups"),
        "{text}"
    );
    assert!(text.contains("--> content/menetelmat/x.md:8:"), "{text}");
    assert!(text.contains("help: did you mean \"vanhemmat\"?"), "{text}");
    assert!(text.contains("^^^^^^^^"), "the id is underlined: {text}");

    let site = valid_site();
    copy_tree(&fixture("invalid/unknown-field"), site.path());
    let text = stderr(&run(&["check", "--root", site.path().to_str().unwrap()]));
    assert!(
        text.contains("unknown field `tagret_groups`")
            && text.contains("did you mean `target_groups`?"),
        "{text}"
    );
}

#[test]
fn several_problems_are_reported_together_in_file_order() {
    let site = valid_site();
    copy_tree(&fixture("invalid/unknown-vocabulary-id"), site.path());
    copy_tree(&fixture("invalid/broken-anchor"), site.path());
    let m = std::fs::read_to_string(site.path().join("content/menetelmat/x.md")).unwrap();
    std::fs::write(
        site.path().join("content/menetelmat/y.md"),
        m.replace("status: draft", "status: draft\nthemes: [kaytos]"),
    )
    .unwrap();
    let out = run(&[
        "check",
        "--root",
        site.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let diags: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = diags.iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert!(diags.len() >= 2, "{diags:?}");
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(
        stderr(&run(&["check", "--root", site.path().to_str().unwrap()]))
            .contains(&format!("{} errors", diags.len()))
    );
}
