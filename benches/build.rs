//! Build benchmark: `cargo bench --bench build -- [SIZE ...] [--runs N] [--no-serve]`
//! (default sizes 1000 and 10000, 3 runs). For each size it generates the corpus once
//! (`benches/gen_corpus.py`, deterministic), builds it N times with the release binary into
//! a fresh folder, and reports medians: wall time and each stage, peak memory (GNU time), output
//! and search-index size; then the `serve` single-edit latency (save → reload event).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STAGES: [&str; 6] = ["load", "parse", "link", "render", "index", "write"];

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(3usize);
    let serve = !args.iter().any(|a| a == "--no-serve");
    let mut sizes: Vec<usize> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--runs"))
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![1000, 10_000];
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = release_binary(repo);
    println!("machine: {} cores; {runs} runs per size; medians", cores());
    println!(
        "| pages | wall s | {} | peak MB | output MB | search index MB | serve edit ms |",
        STAGES.join(" s | ") + " s"
    );
    println!("|---|---|{}---|---|---|---|", "---|".repeat(STAGES.len()));
    for size in sizes {
        let corpus = repo.join(format!("target/bench-corpus/{size}"));
        if !corpus.join("tietopankki.yaml").exists() {
            let ok = Command::new("python3")
                .arg(repo.join("benches/gen_corpus.py"))
                .arg(size.to_string())
                .arg(&corpus)
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "corpus generation failed");
        }
        let mut walls = Vec::new();
        let mut stages: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
        let mut peaks = Vec::new();
        let out = repo.join(format!("target/bench-corpus/{size}-out"));
        for _ in 0..runs {
            let _ = std::fs::remove_dir_all(&out);
            let (line, peak_kb) = build_once(&bin, &corpus, &out);
            walls.push(figure(&line, " in ", &[' ']).expect("wall time in the summary line"));
            for (k, stage) in STAGES.iter().enumerate() {
                stages[k].push(figure(&line, &format!("{stage} "), &[',', ')']).unwrap_or(0.0));
            }
            peaks.extend(peak_kb);
        }
        let output = dir_bytes(&out) as f64 / 1e6;
        let search = dir_bytes(&out.join("search")) as f64 / 1e6;
        let stage_cells: Vec<String> = stages.iter().map(|s| format!("{:.2}", median(s))).collect();
        let latency = if serve {
            serve_latency(&bin, &corpus).map_or("n/a".to_string(), |ms| format!("{ms:.0}"))
        } else {
            "-".to_string()
        };
        println!(
            "| {size} | {:.2} | {} | {} | {output:.0} | {search:.1} | {latency} |",
            median(&walls),
            stage_cells.join(" | "),
            if peaks.is_empty() {
                "n/a".to_string()
            } else {
                format!("{:.0}", median(&peaks) / 1024.0)
            },
        );
    }
}

fn release_binary(repo: &Path) -> PathBuf {
    let ok = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "tietopankki"])
        .current_dir(repo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "cargo build --release failed");
    repo.join("target/release/tietopankki")
}

/// One build; returns the summary line and, where GNU time exists, the peak RSS in kB.
fn build_once(bin: &Path, corpus: &Path, out: &Path) -> (String, Option<f64>) {
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "peak-kb %M"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let o = cmd
        .args(["build", "--root"])
        .arg(corpus)
        .arg("--output")
        .arg(out)
        .output()
        .expect("run the build");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "build failed: {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or("")
        .to_string();
    let peak = err
        .lines()
        .find_map(|l| l.strip_prefix("peak-kb "))
        .and_then(|v| v.trim().parse().ok());
    (line, peak)
}

/// The number after `before` up to `until` in `line`.
fn figure(line: &str, before: &str, until: &[char]) -> Option<f64> {
    let rest = &line[line.find(before)? + before.len()..];
    rest[..rest.find(until)?].trim().parse().ok()
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    s.get(s.len() / 2).copied().unwrap_or(0.0)
}

fn dir_bytes(dir: &Path) -> u64 {
    walk(dir)
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Median ms from appending a line to one method file to the reload event, over 3 saves (each
/// once the search index of the last one is in).
fn serve_latency(bin: &Path, corpus: &Path) -> Option<f64> {
    let method = walk(&corpus.join("content/menetelmat"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .min()?;
    let original = std::fs::read_to_string(&method).ok()?;
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(corpus)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let result = (|| {
        let mut first = String::new();
        BufReader::new(child.stdout.take()?)
            .read_line(&mut first)
            .ok()?;
        let addr = first
            .split("http://")
            .nth(1)?
            .split('/')
            .next()?
            .to_string();
        let mut sock = TcpStream::connect(&addr).ok()?;
        sock.set_read_timeout(Some(Duration::from_secs(300))).ok()?;
        sock.write_all(b"GET /__tietopankki/events HTTP/1.1\r\nHost: x\r\n\r\n")
            .ok()?;
        wait_for(&mut sock, ": connected")?;
        let mut times = Vec::new();
        for i in 0..3 {
            std::thread::sleep(Duration::from_millis(500));
            // The last save's search index is in once the status answers.
            let mut status = TcpStream::connect(&addr).ok()?;
            status
                .write_all(
                    b"GET /__tietopankki/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                )
                .ok()?;
            std::io::copy(&mut status, &mut std::io::sink()).ok()?;
            let start = Instant::now();
            std::fs::write(&method, format!("{original}\nMuokkaus {i}.\n")).ok()?;
            wait_for(&mut sock, "event: reload")?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        Some(median(&times))
    })();
    let _ = std::fs::write(&method, &original);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn wait_for(sock: &mut TcpStream, marker: &str) -> Option<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&buf).contains(marker) {
        let n = sock.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(())
}
