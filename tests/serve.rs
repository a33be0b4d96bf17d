//! `tietopankki serve` as an editor uses it: random sequences of edits, adds, deletes and
//! renames must leave the served site equal to a fresh full build, byte for byte; traversal
//! attempts are refused; a bad edit keeps the server up; a save sends a reload event.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
    site: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    start_with(|_| ())
}

/// Starts `serve` on a copy of the valid fixture site, changed by `prepare` first.
fn start_with(prepare: impl FnOnce(&Path)) -> Server {
    let site = common::valid_site();
    prepare(site.path());
    // One entry a list page, so that adding, removing and retitling entries moves list pages.
    let config = site.path().join("tietopankki.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}page_size: 1\n")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tietopankki"))
        .args([
            "serve",
            "--port",
            "0",
            "--root",
            site.path().to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    Server { child, addr, site }
}

/// A raw GET, so that paths reach the server exactly as written: (status, body).
fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 4 + n..];
    }
}

fn status(addr: &str) -> serde_json::Value {
    serde_json::from_slice(&get(addr, "/__tietopankki/status").1).unwrap()
}

/// Waits until the server has rebuilt after `version` and then stayed quiet for a while.
fn settle(addr: &str, version: u64) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = status(addr);
    while last["version"].as_u64().unwrap() <= version {
        assert!(Instant::now() < deadline, "no rebuild after an edit");
        std::thread::sleep(Duration::from_millis(20));
        last = status(addr);
    }
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let now = status(addr);
        if now["version"] == last["version"] {
            return now;
        }
        last = now;
    }
}

/// The served site equals a fresh full build of the same files, byte for byte.
fn assert_equals_fresh_build(server: &Server) {
    let out = tempfile::tempdir().unwrap();
    let o = common::build(server.site.path(), out.path(), &["--base-url", "/"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let fresh = common::tree(out.path());
    let served: Vec<String> = status(&server.addr)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        served,
        fresh.keys().cloned().collect::<Vec<_>>(),
        "the served file list differs from a fresh build"
    );
    let reload_tag = "<script src=\"/__tietopankki/live.js\" defer></script>";
    for (path, bytes) in &fresh {
        let (code, body) = get(&server.addr, &format!("/{path}"));
        assert_eq!(code, 200, "{path}");
        let body = if path.ends_with(".html") {
            String::from_utf8(body)
                .unwrap()
                .replacen(reload_tag, "", 1)
                .into_bytes()
        } else {
            body
        };
        assert!(
            &body == bytes,
            "{path} differs from a fresh build:\n{}\n---\n{}",
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(bytes)
        );
    }
}

/// A small deterministic generator, so a failing sequence can be replayed from its seed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn method(title: &str, summary: &str) -> String {
    format!("---\ntitle: {title}\nsummary: {summary}\nmethod_type: lahestymistapa\nthemes: [kaytosongelmat]\nevidence_note: Ei arvioitu.\nsources:\n  - title: Lähde\nstatus: draft\nlast_reviewed: 2025-01-01\n---\n\n## Osio\n\n{summary}\n")
}

#[test]
fn random_edit_sequences_leave_the_served_site_equal_to_a_fresh_build() {
    let server = start();
    let dir: PathBuf = server.site.path().join("content/menetelmat");
    let mut added: Vec<String> = Vec::new();
    let mut rng = Lcg(20261123);
    let mut version = status(&server.addr)["version"].as_u64().unwrap();
    for sequence in 0..6 {
        for step in 0..6 {
            let op = rng.next(11);
            let tag = format!("{sequence}-{step}");
            let mut body_only = false;
            let mut front_only = false;
            match op {
                0 => {
                    let p = dir.join("vahva-ryhma.md");
                    let text = std::fs::read_to_string(&p).unwrap();
                    let start = text.find("summary: ").unwrap();
                    let end = start + text[start..].find('\n').unwrap();
                    std::fs::write(
                        &p,
                        format!(
                            "{}summary: Muokattu tiivistelmä {tag}.{}",
                            &text[..start],
                            &text[end..]
                        ),
                    )
                    .unwrap();
                    front_only = true;
                }
                1 => {
                    let id = format!("uusi-{tag}");
                    std::fs::write(
                        dir.join(format!("{id}.md")),
                        method(&format!("Uusi {tag}"), "Uusi menetelmä."),
                    )
                    .unwrap();
                    added.push(id);
                }
                2 if !added.is_empty() => {
                    let id = added.remove(rng.next(added.len()));
                    std::fs::remove_file(dir.join(format!("{id}.md"))).unwrap();
                    let _ = std::fs::remove_file(dir.join(format!("{id}.sv.md")));
                }
                3 if !added.is_empty() => {
                    let i = rng.next(added.len());
                    let new = format!("nimetty-{tag}");
                    std::fs::rename(
                        dir.join(format!("{}.md", added[i])),
                        dir.join(format!("{new}.md")),
                    )
                    .unwrap();
                    let _ = std::fs::remove_file(dir.join(format!("{}.sv.md", added[i])));
                    added[i] = new;
                }
                4 if !added.is_empty() => {
                    let id = &added[rng.next(added.len())];
                    std::fs::write(
                        dir.join(format!("{id}.sv.md")),
                        format!("---\ntitle: Ny {tag}\n---\n\nText.\n"),
                    )
                    .unwrap();
                }
                // A new title moves the entry in every list (page_size 1: to another page).
                5 => {
                    let p = dir.join("vahva-ryhma.md");
                    let text = std::fs::read_to_string(&p).unwrap();
                    let start = text.find("title: ").unwrap();
                    let end = start + text[start..].find('\n').unwrap();
                    let first = ["Aakkosten alussa", "Öisin", "Vahva ryhmä"][rng.next(3)];
                    std::fs::write(
                        &p,
                        format!("{}title: {first} {tag}{}", &text[..start], &text[end..]),
                    )
                    .unwrap();
                    front_only = true;
                }
                // Body-only edits: the fast path, which renders just the edited entry's pages.
                6 | 7 => {
                    let file = ["vahva-ryhma.md", "vahva-ryhma.sv.md"][op - 6];
                    let p = dir.join(file);
                    let text = std::fs::read_to_string(&p).unwrap();
                    std::fs::write(&p, format!("{text}\nKappale {tag}.\n")).unwrap();
                    body_only = true;
                }
                // Facet values come and go: so do their pages, and list pages (page_size 1).
                9 => {
                    let p = dir.join("vahva-ryhma.md");
                    let text = std::fs::read_to_string(&p).unwrap();
                    let toggled = if text.contains("[perustaso, erityistaso]") {
                        text.replace("[perustaso, erityistaso]", "[vaativin-erityistaso]")
                            .replace("[leikki-ikaiset, alakouluikaiset]", "[leikki-ikaiset]")
                    } else {
                        text.replace("[vaativin-erityistaso]", "[perustaso, erityistaso]")
                            .replace("[leikki-ikaiset]", "[leikki-ikaiset, alakouluikaiset]")
                    };
                    std::fs::write(&p, toggled).unwrap();
                    front_only = true;
                }
                // A body edit that adds a heading and a link changes what other pages show.
                8 if !added.is_empty() => {
                    let id = &added[rng.next(added.len())];
                    let p = dir.join(format!("{id}.md"));
                    let text = std::fs::read_to_string(&p).unwrap();
                    std::fs::write(
                        &p,
                        format!(
                            "{text}\n## Otsikko {tag}\n\nKatso [vahva ryhmä](vahva-ryhma.md).\n"
                        ),
                    )
                    .unwrap();
                    front_only = true;
                }
                _ => {
                    let p = server.site.path().join("content/tietoa.md");
                    let text = std::fs::read_to_string(&p).unwrap();
                    std::fs::write(&p, format!("{text}\nLisäys {tag}.\n")).unwrap();
                    body_only = true;
                }
            }
            let s = settle(&server.addr, version);
            version = s["version"].as_u64().unwrap();
            assert_eq!(s["ok"], true, "step {tag} broke the build");
            let rendered = s["rendered"].as_u64().unwrap();
            let pages = s["files"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f.as_str().unwrap().ends_with(".html"))
                .count() as u64;
            // The search index takes in the edited documents only (a translation shows its
            // original's summary); anything else indexes its language afresh.
            let indexed = s["indexed"].as_u64().unwrap();
            if body_only || front_only {
                assert!(indexed <= 2, "step {tag} indexed {indexed} documents");
            }
            if body_only {
                assert_eq!(
                    indexed, 1,
                    "step {tag}: a body edit indexed {indexed} documents"
                );
                assert!(
                    (1..=2).contains(&rendered),
                    "step {tag}: a body edit rendered {rendered} pages, not just its own"
                );
            } else if front_only {
                // Its pages, those that show it, and the generated ones; not the others.
                assert!(
                    rendered > 2 && rendered < pages,
                    "a summary edit rendered {rendered} of {pages} pages"
                );
            } else {
                assert_eq!(rendered, pages, "step {tag} did not render the whole site");
            }
            // After every step, not only at the end of a sequence: a later step that renders
            // everything would hide a page this one left stale.
            assert_equals_fresh_build(&server);
        }
    }
}

#[test]
fn traversal_attempts_are_refused() {
    let server = start();
    let secret = std::fs::read(server.site.path().join("tietopankki.yaml")).unwrap();
    for path in [
        "/../tietopankki.yaml",
        "/%2e%2e/tietopankki.yaml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2ftietopankki.yaml",
        "/menetelmat/..%5c..%5ctietopankki.yaml",
        "//etc/passwd",
        "/%00",
        "/tietopankki.yaml",
    ] {
        let (code, body) = get(&server.addr, path);
        assert!(code == 400 || code == 404, "{path}: {code}");
        assert!(
            !body
                .windows(secret.len().min(40))
                .any(|w| secret.starts_with(w)),
            "{path} leaked a file"
        );
    }
    let (code, body) = get(&server.addr, "/ei-ole/");
    assert_eq!(code, 404);
    assert!(
        String::from_utf8_lossy(&body).contains("<html"),
        "misses get 404.html"
    );
}

#[test]
fn a_bad_edit_keeps_the_server_up_and_a_good_one_recovers() {
    let server = start();
    let p = server.site.path().join("content/menetelmat/vahva-ryhma.md");
    let good = std::fs::read_to_string(&p).unwrap();
    let before = get(&server.addr, "/menetelmat/vahva-ryhma/").1;
    let v = status(&server.addr)["version"].as_u64().unwrap();
    std::fs::write(
        &p,
        good.replace("target_groups: [vanhemmat]", "target_groups: [vanhemat]"),
    )
    .unwrap();
    let s = settle(&server.addr, v);
    assert_eq!(s["ok"], false);
    assert_eq!(
        get(&server.addr, "/menetelmat/vahva-ryhma/").1,
        before,
        "the last good build is still served"
    );
    std::fs::write(&p, good.replace("Vahva ryhmä", "Vahvempi ryhmä")).unwrap();
    let s = settle(&server.addr, s["version"].as_u64().unwrap());
    assert_eq!(s["ok"], true);
    assert!(
        String::from_utf8_lossy(&get(&server.addr, "/menetelmat/vahva-ryhma/").1)
            .contains("Vahvempi ryhmä")
    );
}

#[test]
fn a_save_sends_a_reload_event_and_errors_reach_the_browser() {
    let server = start();
    let mut events = TcpStream::connect(&server.addr).unwrap();
    write!(
        events,
        "GET /__tietopankki/events HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut reader = BufReader::new(events);
    let mut wait_for = |what: &str| -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut seen = String::new();
        while Instant::now() < deadline {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            seen.push_str(&line);
            if seen.contains(what) {
                return seen;
            }
        }
        panic!("no `{what}` in {seen}");
    };
    wait_for(": connected");
    let p = server.site.path().join("content/tietoa.md");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}\nUusi rivi.\n")).unwrap();
    wait_for("event: reload");
    std::fs::write(&p, text.replace("title: Tietoa", "title: [Tietoa")).unwrap();
    let failed = wait_for("E0102");
    assert!(
        failed.contains("event: failed") && failed.contains("content/tietoa.md"),
        "{failed}"
    );
    let live = String::from_utf8(get(&server.addr, "/__tietopankki/live.js").1).unwrap();
    assert!(live.contains("EventSource"));
    assert!(
        !Path::new(&server.site.path().join("public")).exists(),
        "serve writes nothing to disk"
    );
}

/// `get` on its own thread: `None` if the server does not answer within `secs`.
fn get_within(addr: &str, path: &str, secs: u64) -> Option<(u16, Vec<u8>)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (addr, path) = (addr.to_string(), path.to_string());
    std::thread::spawn(move || {
        let _ = tx.send(get(&addr, &path));
    });
    rx.recv_timeout(Duration::from_secs(secs)).ok()
}

#[test]
fn slow_silent_and_many_clients_do_not_stop_the_server() {
    let server = start();
    let version = status(&server.addr)["version"].as_u64().unwrap();
    // A page of about 16 MB, more than the loopback socket buffers hold.
    let config = server.site.path().join("tietopankki.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\nmax_file_size: 40000000\n")).unwrap();
    let big = format!(
        "---\ntitle: Iso\n---\n{}",
        "Pitkä kappale tekstiä. ".repeat(700_000)
    );
    std::fs::write(server.site.path().join("content/iso.md"), big).unwrap();
    settle(&server.addr, version);

    // Silent: connects and sends nothing; half: stops mid-header; stalled: asks for the big
    // page and never reads it.
    let _silent = TcpStream::connect(&server.addr).unwrap();
    let mut half = TcpStream::connect(&server.addr).unwrap();
    write!(half, "GET / HTTP/1.1\r\nHost:").unwrap();
    let stalled: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            write!(s, "GET /iso/ HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (code, body) =
        get_within(&server.addr, "/", 10).expect("a stalled client blocked the server");
    assert_eq!(code, 200);
    assert!(!body.is_empty());

    // Many at once: each gets the page or a quick 503, and the server serves on afterwards.
    let many: Vec<_> = (0..150)
        .map(|_| {
            let addr = server.addr.clone();
            std::thread::spawn(move || get_within(&addr, "/menetelmat/", 30).map(|(c, _)| c))
        })
        .collect();
    let codes: Vec<Option<u16>> = many.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        codes.iter().all(|c| matches!(c, Some(200 | 503))),
        "{codes:?}"
    );
    assert!(
        codes.iter().filter(|c| **c == Some(200)).count() >= 50,
        "{codes:?}"
    );
    drop(stalled);
    assert_eq!(get_within(&server.addr, "/", 10).map(|r| r.0), Some(200));
}

#[test]
fn clients_that_leave_the_reload_stream_do_not_stop_reloads() {
    let server = start();
    // Five streams opened and dropped at once, one after reading its greeting.
    for i in 0..5 {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        write!(s, "GET /__tietopankki/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        if i == 0 {
            let mut buf = [0u8; 64];
            let _ = s.read(&mut buf);
        }
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
    let mut events = TcpStream::connect(&server.addr).unwrap();
    write!(
        events,
        "GET /__tietopankki/events HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut reader = BufReader::new(events);
    let mut seen = String::new();
    let mut edited = false;
    let deadline = Instant::now() + Duration::from_secs(15);
    while !seen.contains("event: reload") {
        assert!(Instant::now() < deadline, "no reload event: {seen}");
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("stream closed: {seen}");
        }
        seen.push_str(&line);
        if seen.contains(": connected") && !edited {
            let p = server.site.path().join("content/tietoa.md");
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, format!("{text}\nUusi rivi.\n")).unwrap();
            edited = true;
        }
    }
    assert_eq!(get_within(&server.addr, "/", 10).map(|r| r.0), Some(200));
}

/// Replaces the first `from` in a file of the site with `to`.
fn replace_in(site: &Path, file: &str, from: &str, to: &str) {
    let p = site.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn template_edits_render_the_pages_that_use_them_and_no_others() {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let server = start_with(|site| common::copy_tree(&theme, &site.join("themes/default")));
    let site = server.site.path().to_path_buf();
    let mut version = status(&server.addr)["version"].as_u64().unwrap();
    let pages = |s: &serde_json::Value| -> Vec<String> {
        s["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .filter(|f| f.ends_with(".html"))
            .collect()
    };
    // (template, text to replace, replacement holding a marker, whether every page changes)
    let edits = [
        (
            "method.html",
            "{% block content %}",
            "{% block content %}<p>merkki-1</p>",
            false,
        ),
        (
            "list.html",
            "{% block content %}",
            "{% block content %}<p>merkki-2</p>",
            false,
        ),
        ("method.html", "merkki-1", "merkki-3", false),
        (
            "sitemap.xml",
            "</urlset>",
            "<!-- merkki-4 --></urlset>",
            false,
        ),
        (
            "base.html",
            "</title>",
            "</title><meta name=\"merkki-5\">",
            true,
        ),
    ];
    for (template, from, to, all) in edits {
        replace_in(
            &site,
            &format!("themes/default/templates/{template}"),
            from,
            to,
        );
        let s = settle(&server.addr, version);
        version = s["version"].as_u64().unwrap();
        assert_eq!(s["ok"], true, "editing {template} broke the build");
        assert_equals_fresh_build(&server);
        let pages = pages(&s);
        let rendered = s["rendered"].as_u64().unwrap() as usize;
        // The pages holding the marker are those of the template (checked against a fresh
        // build above); only they were rendered (the 404 page counts when generated ones are).
        let marker = to
            .split(['<', '>', '"', ' '])
            .find(|w| w.starts_with("merkki"))
            .unwrap();
        let marked = pages
            .iter()
            .filter(|p| {
                String::from_utf8_lossy(&get(&server.addr, &format!("/{p}")).1).contains(marker)
            })
            .count();
        let generated = usize::from(["list.html", "sitemap.xml"].contains(&template));
        if all {
            assert_eq!(rendered, pages.len(), "{template}");
        } else {
            assert!(
                marked > 0 || template == "sitemap.xml",
                "{template}'s edit is not shown"
            );
            assert_eq!(
                rendered,
                marked + generated,
                "editing {template} rendered {rendered} pages; {marked} use it"
            );
        }
        assert_eq!(
            s["indexed"], 0,
            "a template edit indexed documents for search"
        );
    }
    // A static file of the theme is copied again; no page is rendered.
    let css = site.join("themes/default/static/style.css");
    let text = std::fs::read_to_string(&css).unwrap();
    std::fs::write(&css, format!("{text}\n/* merkki-6 */\n")).unwrap();
    let s = settle(&server.addr, version);
    assert_eq!(s["rendered"], 0);
    assert_equals_fresh_build(&server);
    let served = get(&server.addr, "/assets/style.css").1;
    assert!(String::from_utf8_lossy(&served).contains("merkki-6"));
}
