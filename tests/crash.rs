//! Crash safety: a build killed at any moment, or stopped by a full disk, leaves the previous
//! output exactly as it was, and the next build recovers (stale lock, leftover staging).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The bundled content in a temporary folder, so it can be edited.
fn bundled_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_tree(&repo.join("content"), &dir.path().join("content"));
    std::fs::copy(
        repo.join("tietopankki.yaml"),
        dir.path().join("tietopankki.yaml"),
    )
    .unwrap();
    dir
}

fn build(root: &Path, out: &Path) {
    let o = common::run(&[
        "build",
        "--quiet",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
}

/// A second version of the site: one method's title changed.
fn edit(root: &Path) {
    let p = root.join("content/menetelmat/mdft.md");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("title: ", "title: Muokattu ", 1)).unwrap();
}

#[test]
fn a_killed_build_leaves_the_previous_output_whole() {
    let site = bundled_copy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    build(site.path(), &out);
    let before = common::tree(&out);
    edit(site.path());
    let after_dir = work.path().join("reference");
    build(site.path(), &after_dir);
    let after = common::tree(&after_dir);
    assert_ne!(before, after);

    let mut seen_old = 0;
    for delay in [
        0u64, 1, 2, 3, 5, 8, 10, 15, 20, 30, 60, 100, 150, 200, 300, 450, 600, 800, 1000, 1300,
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tietopankki"))
            .args([
                "build",
                "--quiet",
                "--root",
                site.path().to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let now = common::tree(&out);
        assert!(
            now == before || now == after,
            "killed after {delay} ms: output is neither version"
        );
        seen_old += usize::from(now == before);
        // The next build takes over the dead build's lock and staging folder.
        build(site.path(), &out);
        assert_eq!(
            common::tree(&out),
            after,
            "rebuild after a kill at {delay} ms"
        );
        // Reset to the first version for the next round.
        std::fs::remove_dir_all(&out).unwrap();
        for (rel, bytes) in &before {
            let p = out.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }
    assert!(
        seen_old > 0,
        "no kill landed before the swap: the test proved nothing"
    );
}

#[test]
fn a_full_disk_is_an_error_and_keeps_the_previous_output() {
    let site = bundled_copy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    build(site.path(), &out);
    let before = common::tree(&out);
    edit(site.path());
    // RLIMIT_FSIZE makes writes past 64 kB fail (EFBIG) as a full disk's would (ENOSPC);
    // SIGXFSZ is ignored so the write returns the error instead of killing the process.
    let cmd = format!(
        "trap '' XFSZ; exec prlimit --fsize=65536 -- '{}' build --quiet --root '{}' --output '{}'",
        env!("CARGO_BIN_EXE_tietopankki"),
        site.path().display(),
        out.display()
    );
    let o = Command::new("sh").args(["-c", &cmd]).output().unwrap();
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error[E0501]") && err.contains("cannot write"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(common::tree(&out), before, "the previous output changed");
    let leftovers: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["public"], "staging or lock left behind");
}

#[test]
fn stale_locks_are_taken_over_and_live_ones_refused() {
    let site = bundled_copy();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    let lock = work.path().join(".public.lock");
    let attempt = || {
        common::run(&[
            "build",
            "--quiet",
            "--root",
            site.path().to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ])
    };
    // A live process's lock (this test's own id): refused with a clear message.
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    let o = attempt();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        common::stderr(&o).contains("another build is writing"),
        "{}",
        common::stderr(&o)
    );
    // A dead process's lock: taken over.
    std::fs::write(&lock, "999999999\n").unwrap();
    assert!(attempt().status.success());
    // An empty lock, as a build killed between creating and filling it once left: refused
    // while fresh, taken over once a minute old.
    std::fs::write(&lock, "").unwrap();
    assert_eq!(attempt().status.code(), Some(1));
    let old = std::time::SystemTime::now() - Duration::from_secs(120);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let o = attempt();
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(!lock.exists());
}
