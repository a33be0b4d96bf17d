#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| search_index::fuzzing::index_files(data));
