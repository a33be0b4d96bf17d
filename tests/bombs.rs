//! Resource bombs: each gets a clear diagnostic (or builds, when it is merely large) within
//! bounded time and memory, never a panic or a hang. The guard is `timeout 60` and
//! `prlimit --as` at 2 GiB around the binary: a limit hit shows as a failed run, not a slow test.

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary under a 60 s and 2 GiB guard.
fn guarded(args: &[&str]) -> Output {
    Command::new("timeout")
        .args(["60", "prlimit", "--as=2147483648", "--"])
        .arg(env!("CARGO_BIN_EXE_tietopankki"))
        .args(args)
        .output()
        .unwrap()
}

fn write(site: &Path, path: &str, text: &str) {
    let full = site.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

const FM: &str = "---\ntitle: Pommi\n---\n";

/// (case, file, content) for bombs that must be refused with the given code.
fn refused() -> Vec<(&'static str, &'static str, String, &'static str)> {
    let mut laughs = String::from(
        "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        laughs.push_str(&format!(
            "{}: &{} [{}]\n",
            w[1],
            w[1],
            vec![format!("*{}", w[0]); 9].join(",")
        ));
    }
    laughs.push_str("title: Pommi\n---\nteksti\n");
    let ids: Vec<String> = (0..100_000).map(|i| format!("tuntematon{i}")).collect();
    let method = std::fs::read_to_string(common::fixture(
        "valid-site/content/menetelmat/kuunteleva-tapa.md",
    ))
    .unwrap();
    vec![
        ("billion laughs", "content/pommi.md", laughs, "E0102"),
        (
            "100,000 nested flow brackets",
            "content/pommi.md",
            format!(
                "---\ntitle: {}{}\n---\nx\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            "E0102",
        ),
        (
            "50,000 nested flow mappings",
            "content/pommi.md",
            format!(
                "---\ntitle: x\nextra: {}1{}\n---\nx\n",
                "{a: ".repeat(50_000),
                "}".repeat(50_000)
            ),
            "E0102",
        ),
        (
            "2,000 nested block mappings",
            "content/pommi.md",
            format!(
                "---\ntitle: x\nx:\n{}---\nx\n",
                (1..2000)
                    .map(|i| format!("{}a:\n", " ".repeat(i)))
                    .collect::<String>()
            ),
            "E0102",
        ),
        (
            "a list of 100,000 unknown vocabulary ids",
            "content/menetelmat/pommi.md",
            method.replacen(
                "target_groups: [lapset]",
                &format!("target_groups: [{}]", ids.join(",")),
                1,
            ),
            "E0103",
        ),
        (
            "a 6 MB file",
            "content/iso.md",
            format!("{FM}{}", "sana ".repeat(1_200_000)),
            "E0003",
        ),
    ]
}

#[test]
fn bombs_are_refused_with_a_diagnostic() {
    for (case, path, text, code) in refused() {
        let site = common::valid_site();
        write(site.path(), path, &text);
        let o = guarded(&["check", "--root", site.path().to_str().unwrap()]);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{case}: {err}");
        assert!(err.contains(&format!("error[{code}]")), "{case}: {err}");
        assert!(!err.contains("panicked"), "{case}: {err}");
        // The report stays readable: no megabyte lines echoed back.
        assert!(
            err.len() < 20_000,
            "{case}: {} bytes of diagnostics",
            err.len()
        );
    }
}

#[test]
fn a_one_gib_file_is_refused_without_reading_it() {
    for path in ["content/iso.md", "tietopankki.yaml"] {
        let site = common::valid_site();
        let f = std::fs::File::create(site.path().join(path)).unwrap();
        f.set_len(1 << 30).unwrap(); // sparse: no gigabyte on disk
        let o = guarded(&["check", "--root", site.path().to_str().unwrap()]);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{path}: {err}");
        assert!(
            err.contains("error[E0003]") && err.contains(path),
            "{path}: {err}"
        );
    }
}

#[test]
fn large_but_valid_content_builds() {
    let cases: Vec<(&str, String)> = vec![
        (
            "100,000 nested block quotes",
            format!("{FM}{} x\n", ">".repeat(100_000)),
        ),
        (
            "1,500 nested list items",
            format!(
                "{FM}{}",
                (0..1500)
                    .map(|i| format!("{}- a\n", "  ".repeat(i)))
                    .collect::<String>()
            ),
        ),
        (
            "200,000 emphasis markers",
            format!("{FM}{}x{}\n", "*".repeat(200_000), "*".repeat(200_000)),
        ),
        (
            "100,000 nested link brackets",
            format!("{FM}{}x{}\n", "[".repeat(100_000), "]()".repeat(100_000)),
        ),
        (
            "a 4.5 MB line",
            format!("{FM}{}\n", "sana ".repeat(900_000)),
        ),
        (
            "200,000 equal headings",
            format!("{FM}{}", "## Otsikko\n".repeat(200_000)),
        ),
        (
            "100,000 footnotes",
            format!(
                "{FM}{}",
                (0..100_000)
                    .map(|i| format!("x[^{i}]\n\n[^{i}]: y\n"))
                    .collect::<String>()
            ),
        ),
        (
            "a table of 5,000 columns",
            format!(
                "{FM}{}|\n{}|\n{}",
                "|a".repeat(5000),
                "|-".repeat(5000),
                format!("{}|\n", "|b".repeat(5000)).repeat(50)
            ),
        ),
    ];
    for (case, text) in cases {
        let site = common::valid_site();
        write(site.path(), "content/pommi.md", &text);
        let out = site.path().join("out");
        let o = guarded(&[
            "build",
            "--root",
            site.path().to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ]);
        let err = common::stderr(&o);
        assert!(o.status.success(), "{case}: {err}");
        assert!(out.join("pommi/index.html").exists(), "{case}");
    }
}
