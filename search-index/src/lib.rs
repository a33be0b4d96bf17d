//! The static search index shared by the build-time exporter and the browser runtime.
//!
//! The analyzer, format and query engine arrive with the search issue; the crate exists now so
//! that the workspace has its final shape and the generator can depend on it.
