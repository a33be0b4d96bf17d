//! The allocator option `main` sets is the one it means: mimalloc's bindings name no constant
//! for `mi_option_purge_delay`, so `main.rs` uses its place in mimalloc 3's `mi_option_e`.
//! If a mimalloc update moved it, this fails instead of `main` silently setting another option.

/// Must equal `MI_OPTION_PURGE_DELAY` in `src/main.rs`.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

#[test]
fn the_purge_delay_option_is_where_main_sets_it() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return; // set from outside: the default cannot be seen
    }
    let main = include_str!("../src/main.rs");
    assert!(main.contains(&format!(
        "const MI_OPTION_PURGE_DELAY: std::ffi::c_int = {MI_OPTION_PURGE_DELAY};"
    )));
    // SAFETY: reads an integer option.
    let value = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
    assert_eq!(
        value, 1000,
        "mimalloc 3.x (libmimalloc-sys 0.1.49) purges after 1000 ms by default"
    );
    // The next option, `use_numa_nodes`, defaults to 0.
    // SAFETY: as above.
    let next = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY + 1) };
    assert_eq!(next, 0);
}
