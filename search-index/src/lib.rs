//! The static search index shared by the build-time exporter and the browser runtime:
//! one analyzer, one file format, one query engine. Compiles natively and to
//! `wasm32-unknown-unknown` (see `wasm.rs`), so the CLI and the browser rank alike.

pub mod analyzer;
pub mod codec;
pub mod compound;
pub mod engine;
pub mod format;
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;
pub mod inflection;
pub mod stopwords;
#[cfg(target_arch = "wasm32")]
mod wasm;
