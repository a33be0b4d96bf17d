//! Raw wasm exports for the browser glue (no wasm-bindgen): strings go in through memory
//! allocated with `tp_alloc`; results come back as a packed (pointer << 32 | length).

use std::cell::RefCell;

use crate::engine::{Engine, LastSearch};

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static LAST: RefCell<LastSearch> = const { RefCell::new(LastSearch::new()) };
}

fn input(ptr: *const u8, len: usize) -> &'static [u8] {
    // SAFETY: the glue passes memory it got from `tp_alloc` and filled with `len` bytes.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

fn output(s: String) -> u64 {
    OUT.with(|o| {
        let mut o = o.borrow_mut();
        *o = s.into_bytes();
        ((o.as_ptr() as u64) << 32) | o.len() as u64
    })
}

#[no_mangle]
pub extern "C" fn tp_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

#[no_mangle]
pub extern "C" fn tp_free(ptr: *mut u8, len: usize) {
    // SAFETY: `ptr` came from `tp_alloc(len)`.
    unsafe { drop(Vec::from_raw_parts(ptr, 0, len.max(1))) }
}

#[no_mangle]
pub extern "C" fn tp_init(lang: *const u8, lang_len: usize, docs: u32, chunk: u32) {
    let lang = std::str::from_utf8(input(lang, lang_len)).unwrap_or("fi");
    ENGINE.with(|e| *e.borrow_mut() = Some(Engine::new(lang, docs, chunk)));
    LAST.with(|l| *l.borrow_mut() = LastSearch::new());
}

/// Adds a payload; `kind` is b's', b'p', b'd', b'r', b't' or b'f'. Returns 1 if it was well-formed.
#[no_mangle]
pub extern "C" fn tp_add(kind: u32, id: u32, ptr: *const u8, len: usize) -> u32 {
    let kind = match kind as u8 {
        b's' => "s",
        b'p' => "p",
        b'd' => "d",
        b'r' => "r",
        b'f' => "f",
        b't' => "t",
        _ => return 0,
    };
    ENGINE.with(|e| {
        e.borrow_mut()
            .as_mut()
            .map_or(0, |e| u32::from(e.add(kind, id, input(ptr, len))))
    })
}

/// The key ranges a query needs, as JSON `[[from, to, positions 0|1], ...]`.
#[no_mangle]
pub extern "C" fn tp_plan(ptr: *const u8, len: usize) -> u64 {
    plan(ptr, len, Plan::Query)
}

/// The wider ranges for a "did you mean" after an empty result.
#[no_mangle]
pub extern "C" fn tp_plan_wide(ptr: *const u8, len: usize) -> u64 {
    plan(ptr, len, Plan::Wide)
}

/// The last parts of the words that matched nothing, after an outcome saying `parts`.
#[no_mangle]
pub extern "C" fn tp_plan_parts(ptr: *const u8, len: usize) -> u64 {
    plan(ptr, len, Plan::Parts)
}

enum Plan {
    Query,
    Wide,
    Parts,
}

fn plan(ptr: *const u8, len: usize, which: Plan) -> u64 {
    let q = String::from_utf8_lossy(input(ptr, len));
    let json = ENGINE.with(|e| {
        e.borrow().as_ref().map_or_else(String::new, |e| {
            let ranges = match which {
                Plan::Query => e.plan(&q),
                Plan::Wide => e.plan_wide(&q),
                Plan::Parts => e.plan_parts(&q),
            };
            let parts: Vec<String> = ranges
                .iter()
                .map(|r| {
                    let (mut x, mut y) = (String::new(), String::new());
                    crate::engine::escape_json_into(&mut x, &r.from);
                    crate::engine::escape_json_into(&mut y, &r.to);
                    format!("[\"{x}\",\"{y}\",{}]", u8::from(r.positions))
                })
                .collect();
            format!("[{}]", parts.join(","))
        })
    });
    output(json)
}

/// Which files of one term the query's prefixes reach need not load: the query, one term per
/// line, then after an empty line the terms known to be in the index (one-term files the
/// manifest names); the answer has `1` (needless) or `0` for each term, in order.
#[no_mangle]
pub extern "C" fn tp_needless(ptr: *const u8, len: usize) -> u64 {
    let text = String::from_utf8_lossy(input(ptr, len));
    let lines: Vec<&str> = text.split('\n').collect();
    let (query, rest) = lines.split_first().unwrap_or((&"", &[]));
    let (terms, known) =
        rest.split_at(rest.iter().position(|l| l.is_empty()).unwrap_or(rest.len()));
    let known = known.get(1..).unwrap_or(&[]);
    let flags = ENGINE.with(|e| {
        e.borrow().as_ref().map_or_else(String::new, |e| {
            e.needless(query, terms.iter().copied(), known)
        })
    });
    output(flags)
}

/// Runs a search; the request format is `engine::parse_request`'s.
#[no_mangle]
pub extern "C" fn tp_search(ptr: *const u8, len: usize) -> u64 {
    let request = String::from_utf8_lossy(input(ptr, len));
    let json = ENGINE.with(|e| {
        e.borrow().as_ref().map_or_else(
            || "{}".to_string(),
            |e| LAST.with(|last| e.to_json(last.borrow_mut().search(e, &request))),
        )
    });
    output(json)
}

/// The analyzer's terms for each word of the text: `stem surface` per line (parity tests).
#[no_mangle]
pub extern "C" fn tp_analyze(lang: u32, ptr: *const u8, len: usize) -> u64 {
    let code = match lang {
        0 => "fi",
        1 => "sv",
        2 => "en",
        _ => "",
    };
    let a = crate::analyzer::Analyzer::new(crate::analyzer::Lang::from_code(code));
    let text = String::from_utf8_lossy(input(ptr, len));
    let mut out = String::new();
    for (s, e) in crate::analyzer::words(&text) {
        let t = a.word(&text[s..e]);
        out.push_str(&t.stem);
        out.push(' ');
        out.push_str(t.surface.as_deref().unwrap_or("-"));
        out.push('\n');
    }
    output(out)
}
