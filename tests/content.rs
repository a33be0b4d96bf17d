//! The bundled knowledge bank: it checks clean, and it has what the bank promises readers.

mod common;

use std::path::Path;

use tietopankki::diagnostics::Diagnostics;
use tietopankki::model::{FrontMatter, Kind};

#[test]
fn bundled_content_checks_without_errors_or_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = common::run(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "[]",
        "{}",
        common::stderr(&o)
    );
    assert!(o.status.success());
}

#[test]
fn bundled_content_has_the_promised_coverage() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut diags = Diagnostics::default();
    let input = tietopankki::load::load(root, &mut diags).expect("bundled site loads");
    let (docs, problems) = tietopankki::parse::parse(&input.files, &input.config);
    assert!(problems.is_empty(), "{problems:?}");
    let fi: Vec<_> = docs.iter().filter(|d| d.lang == "fi").collect();
    let count = |k: Kind| fi.iter().filter(|d| d.kind == k).count();
    assert_eq!(count(Kind::Centre), 5, "the five OT-keskukset");
    assert!(
        count(Kind::Method) >= 25,
        "at least 25 methods, got {}",
        count(Kind::Method)
    );
    assert!(
        count(Kind::Pathway) >= 6,
        "at least 6 pathways, got {}",
        count(Kind::Pathway)
    );
    for d in &fi {
        match &d.front {
            FrontMatter::Method(m) => {
                assert!(!m.sources.is_empty(), "{}: no source", d.path);
                assert!(
                    !m.evidence.is_empty() || m.evidence_note.is_some(),
                    "{}: neither evidence nor a note",
                    d.path
                );
                assert!(
                    m.last_reviewed.is_some() && m.status.is_some(),
                    "{}",
                    d.path
                );
            }
            FrontMatter::Centre(c) => {
                assert!(!c.sources.is_empty(), "{}: no source", d.path);
                assert!(
                    c.last_verified.is_some() && c.status.is_some(),
                    "{}",
                    d.path
                );
            }
            FrontMatter::Pathway(p) => {
                assert!(!p.sources.is_empty(), "{}: no source", d.path);
                assert!(p.steps.len() >= 3, "{}: fewer than three steps", d.path);
                for s in &p.steps {
                    assert!(
                        !s.actors.is_empty(),
                        "{}: step \"{}\" has no actor",
                        d.path,
                        s.title
                    );
                }
            }
            FrontMatter::Page(_) => {}
        }
    }
    let glossary = |lang: &str| {
        docs.iter()
            .find(|d| d.id == "sanasto" && d.lang == lang)
            .map(|d| match &d.front {
                FrontMatter::Page(p) => p.glossary.len(),
                _ => 0,
            })
            .unwrap_or(0)
    };
    assert!(
        glossary("fi") >= 30,
        "glossary has {} terms",
        glossary("fi")
    );
    assert!(
        glossary("sv") >= 30,
        "Swedish glossary has {} terms",
        glossary("sv")
    );
    // Swedish at least for the front page, the centres, the glossary, the statement and 5 methods.
    let sv = |k: Kind| {
        docs.iter()
            .filter(|d| d.lang == "sv" && d.kind == k)
            .count()
    };
    assert_eq!(sv(Kind::Centre), 5);
    assert!(
        sv(Kind::Method) >= 5,
        "{} Swedish methods",
        sv(Kind::Method)
    );
    for id in ["_index", "sanasto", "saavutettavuusseloste"] {
        assert!(
            docs.iter().any(|d| d.lang == "sv" && d.id == id),
            "no Swedish {id}"
        );
    }
    for id in ["_index", "tietoa", "saavutettavuusseloste"] {
        assert!(
            docs.iter().any(|d| d.lang == "en" && d.id == id),
            "no English {id}"
        );
    }
}

#[test]
fn bundled_content_names_no_people() {
    // The seeds name officials with e-mail addresses and phone numbers; none may reach the site.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let email = |s: &str| {
        s.split_whitespace().any(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '.');
            w.contains('@') && w.split('@').nth(1).is_some_and(|d| d.contains('.'))
        })
    };
    for (path, bytes) in common::tree(&root) {
        let text = String::from_utf8(bytes).unwrap();
        assert!(!email(&text), "{path}: contains an e-mail address");
        let digits_run = text
            .split(|c: char| !(c.is_ascii_digit() || c == ' '))
            .any(|r| r.chars().filter(char::is_ascii_digit).count() >= 9 && r.trim().contains(' '));
        assert!(
            !digits_run,
            "{path}: contains what looks like a phone number"
        );
    }
}
