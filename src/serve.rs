//! `tietopankki serve`: build into memory, serve on 127.0.0.1, rebuild when a file changes,
//! and tell the browser over Server-Sent Events to reload (or to show the errors).
//!
//! Only files of the built site are served: requests are looked up in the in-memory output,
//! so no path, however encoded, can reach the disk. A failed rebuild keeps serving the last
//! good build.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};
use tiny_http::{Header, Response, Server};

use crate::rebuild::{Pages, Rebuilder};
use crate::render::OutputFile;
use crate::{BuildOptions, Outcome};

const LIVE_JS: &str = include_str!("live.js");
/// How long to wait for more file events after one, so a save that touches several files
/// (or an editor's write-then-rename) gives one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// Requests answered at once, each on its own thread, so a client that reads slowly (or not at
/// all) holds up only itself; beyond this, `503` at once. Live-reload streams count too.
const MAX_IN_FLIGHT: usize = 64;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
}

/// Longest a request for the search index waits for a rebuild's index.
const SEARCH_WAIT: Duration = Duration::from_secs(120);

/// What is being served: the last good build, and the errors of the last build if it failed.
#[derive(Default)]
struct State {
    files: BTreeMap<String, Arc<Vec<u8>>>,
    version: u64,
    /// False while the search index of the served pages is being made; requests for it wait.
    search_ready: bool,
    errors: Option<String>,
    clients: Vec<Sender<String>>,
    /// Pages rendered by the last rebuild (all of them, or those of the edited documents).
    rendered: usize,
    /// Documents the last rebuild indexed for search (all of them, or the edited ones).
    indexed: usize,
}

/// The state and the signal that the search index is in.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    search: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state once the search index of the served pages is in (or after `SEARCH_WAIT`).
    fn lock_ready(&self) -> MutexGuard<'_, State> {
        let s = self.lock();
        self.search
            .wait_timeout_while(s, SEARCH_WAIT, |s| !s.search_ready)
            .unwrap_or_else(|e| e.into_inner())
            .0
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The output path a request may be answered from, or `None` for anything that tries to
/// leave the site (`..`, encoded or not, backslashes, NUL).
pub fn resolve(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = crate::paths::percent_decode(path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return None,
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if out.is_empty() || decoded.ends_with('/') {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str("index.html");
    }
    Some(out)
}

fn send(s: &mut State, message: &str) {
    s.clients.retain(|c| c.send(message.to_string()).is_ok());
}

/// Shows a failed build's diagnostics in the browsers; the last good build stays served.
fn publish_failure(s: &mut State, outcome: &Outcome) {
    let data = serde_json::to_string(&outcome.diagnostics_text()).expect("string serialises");
    s.errors = Some(data.clone());
    s.version += 1;
    send(s, &format!("event: failed\ndata: {data}\n\n"));
}

fn insert(s: &mut State, files: Vec<OutputFile>) {
    s.files
        .extend(files.into_iter().map(|f| (f.path, Arc::new(f.bytes))));
}

/// One rebuild: the pages first, served and announced at once, then the search index.
/// Returns whether it succeeded.
fn rebuild(rebuilder: &mut Rebuilder, shared: &Shared) -> bool {
    let start = Instant::now();
    let (outcome, pages) = rebuilder.pages();
    outcome.print_diagnostics(false);
    let Some(pages) = pages.filter(|_| !outcome.diagnostics.has_errors()) else {
        publish_failure(&mut shared.lock(), &outcome);
        return false;
    };
    {
        let mut s = shared.lock();
        match pages {
            Pages::All(files) => {
                s.files.retain(|path, _| path.starts_with("search/"));
                insert(&mut s, files);
            }
            Pages::Changed(files, keep) => {
                if let Some(keep) = keep {
                    s.files.retain(|path, _| {
                        !path.ends_with("index.html")
                            || path.starts_with("search/")
                            || keep.contains(path)
                    });
                }
                insert(&mut s, files);
            }
        }
        s.search_ready = false;
        s.errors = None;
        s.rendered = outcome.pages;
        s.version += 1;
        send(&mut s, "event: reload\ndata: {}\n\n");
    }
    let stages: Vec<String> = outcome
        .timings
        .iter()
        .map(|(stage, d)| format!("{stage} {:.0}", d.as_secs_f64() * 1000.0))
        .collect();
    eprintln!(
        "pages ready in {:.0} ms ({}; {} pages rendered)",
        start.elapsed().as_secs_f64() * 1000.0,
        stages.join(", "),
        outcome.pages
    );
    let start = Instant::now();
    let search = rebuilder.search();
    let mut s = shared.lock();
    let ok = match search {
        Ok((files, indexed)) => {
            s.files.retain(|path, _| !path.starts_with("search/"));
            insert(&mut s, files);
            s.indexed = indexed;
            true
        }
        Err(d) => {
            let mut failed = Outcome::default();
            failed.diagnostics.push(d);
            failed.print_diagnostics(false);
            publish_failure(&mut s, &failed);
            false
        }
    };
    s.search_ready = true;
    shared.search.notify_all();
    if ok {
        eprintln!(
            "search index ready in {:.0} ms ({} documents indexed)",
            start.elapsed().as_secs_f64() * 1000.0,
            s.indexed
        );
    }
    ok
}

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("valid header")
}

fn handle(request: tiny_http::Request, shared: &Shared) {
    let url = request.url().to_string();
    if url == "/__tietopankki/events" {
        let (tx, rx) = channel();
        {
            let mut s = shared.lock();
            if let Some(e) = &s.errors {
                let _ = tx.send(format!("event: failed\ndata: {e}\n\n"));
            }
            s.clients.push(tx);
        }
        // This request's thread writes and flushes each event as it comes; it ends when the
        // browser goes away (the write fails).
        {
            let mut w = request.into_writer();
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n: connected\n\n";
            if w.write_all(head.as_bytes())
                .and_then(|()| w.flush())
                .is_err()
            {
                return;
            }
            loop {
                let event = match rx.recv_timeout(Duration::from_secs(15)) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                if w.write_all(event.as_bytes())
                    .and_then(|()| w.flush())
                    .is_err()
                {
                    return;
                }
            }
        }
    }
    if url == "/__tietopankki/live.js" {
        let _ = request.respond(
            Response::from_string(LIVE_JS)
                .with_header(header("Content-Type", content_type("x.js"))),
        );
        return;
    }
    if url == "/__tietopankki/status" {
        // Answered once the search index is in, so that the file list is complete.
        let s = shared.lock_ready();
        let body = serde_json::json!({"version": s.version, "ok": s.errors.is_none(), "rendered": s.rendered, "indexed": s.indexed, "files": s.files.keys().collect::<Vec<_>>()});
        let _ = request.respond(
            Response::from_string(body.to_string())
                .with_header(header("Content-Type", "application/json")),
        );
        return;
    }
    let (status, path, bytes) = {
        let resolved = resolve(&url);
        let s = match &resolved {
            Some(p) if p.starts_with("search/") => shared.lock_ready(),
            _ => shared.lock(),
        };
        match resolved {
            None => (
                400,
                "x.txt".to_string(),
                Arc::new(b"bad request\n".to_vec()),
            ),
            Some(p) => match s.files.get(&p) {
                Some(b) => (200, p, b.clone()),
                None => match s.files.get(&format!("{p}/index.html")) {
                    Some(b) => (200, format!("{p}/index.html"), b.clone()),
                    None => (
                        404,
                        "404.html".to_string(),
                        s.files.get("404.html").cloned().unwrap_or_default(),
                    ),
                },
            },
        }
    };
    let response = Response::from_data(bytes.as_slice().to_vec())
        .with_status_code(status)
        .with_header(header("Content-Type", content_type(&path)))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(response);
}

fn watch_paths(root: &Path) -> Vec<PathBuf> {
    ["content", "tietopankki.yaml", "themes"]
        .iter()
        .map(|p| root.join(p))
        .filter(|p| p.exists())
        .collect()
}

/// Runs the server until the process is stopped.
pub fn serve(opts: &ServeOptions) -> Result<(), String> {
    let build = BuildOptions {
        root: opts.root.clone(),
        output: None,
        base_url: Some("/".into()),
        relative_links: false,
        live_reload: true,
    };
    let shared = Arc::new(Shared::default());
    shared.lock().search_ready = true;
    let mut rebuilder = Rebuilder::new(build);
    rebuild(&mut rebuilder, &shared);

    let server = Server::http((opts.bind.as_str(), opts.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
    let addr = server.server_addr().to_ip().ok_or("not an IP address")?;
    if !addr.ip().is_loopback() {
        eprintln!("warning: serving on {addr}, reachable from other machines; use --bind 127.0.0.1 to keep it local");
    }
    let url = format!("http://{addr}/");
    println!("serving {url} (Ctrl-C stops)");
    if opts.open {
        let _ = std::process::Command::new(if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        })
        .arg(&url)
        .spawn();
    }

    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |e| {
        let _ = tx.send(e);
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    for p in watch_paths(&opts.root) {
        watcher
            .watch(&p, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", p.display()))?;
    }
    let rebuild_state = Arc::clone(&shared);
    std::thread::spawn(move || {
        let _watcher = watcher;
        while let Ok(first) = rx.recv() {
            // Reading a file is an event too; only changes count. Collect the burst one save makes.
            // An error (events lost) counts: the rebuild then loads the whole site again.
            let changes = |e: &notify::Result<notify::Event>| {
                e.as_ref()
                    .map_or(true, |e| !matches!(e.kind, notify::EventKind::Access(_)))
            };
            let mut relevant = false;
            let mut note = |e: notify::Result<notify::Event>| {
                if changes(&e) {
                    relevant = true;
                    match &e {
                        Ok(event) => rebuilder.changed(event),
                        Err(_) => rebuilder.rescan(),
                    }
                }
            };
            note(first);
            while let Ok(e) = rx.recv_timeout(DEBOUNCE) {
                note(e);
            }
            if !relevant {
                continue;
            }
            if !rebuild(&mut rebuilder, &rebuild_state) {
                eprintln!("build failed; still serving the last good build");
            }
        }
    });
    let in_flight = Arc::new(AtomicUsize::new(0));
    for request in server.incoming_requests() {
        if in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
            in_flight.fetch_sub(1, Ordering::SeqCst);
            let _ = request.respond(
                Response::from_string("busy, try again\n")
                    .with_status_code(503)
                    .with_header(header("Retry-After", "1")),
            );
            continue;
        }
        let shared = Arc::clone(&shared);
        let in_flight = Arc::clone(&in_flight);
        std::thread::spawn(move || {
            handle(request, &shared);
            in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/a/%2E%2E/%2e%2e/x",
            "/..%2f..%2fetc/passwd",
            "/a\\..\\b",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(resolve(bad), None, "{bad}");
        }
        assert_eq!(resolve("/").as_deref(), Some("index.html"));
        assert_eq!(
            resolve("/menetelmat/x/?q=1").as_deref(),
            Some("menetelmat/x/index.html")
        );
        assert_eq!(resolve("//etc/passwd").as_deref(), Some("etc/passwd"));
    }
}
