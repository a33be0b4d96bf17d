//! JSON Schemas of the front-matter types, generated from the Rust types so they cannot drift.
//! Editors hook them into the YAML language server for validation and completion.

use serde_json::Value;

use crate::config::Config;
use crate::model::{Centre, Method, Page, Pathway};
use crate::vocab::Vocabularies;

pub const TYPES: &[&str] = &[
    "method",
    "centre",
    "pathway",
    "page",
    "config",
    "vocabularies",
];

/// The schema for `ty`, or `None` for an unknown type name.
pub fn schema(ty: &str) -> Option<Value> {
    let (mut v, required): (Value, &[&str]) = match ty {
        "method" => (schemars::schema_for!(Method).to_value(), Method::REQUIRED),
        "centre" => (schemars::schema_for!(Centre).to_value(), Centre::REQUIRED),
        "pathway" => (schemars::schema_for!(Pathway).to_value(), Pathway::REQUIRED),
        "page" => (schemars::schema_for!(Page).to_value(), Page::REQUIRED),
        "config" => (schemars::schema_for!(Config).to_value(), &["title"]),
        "vocabularies" => (schemars::schema_for!(Vocabularies).to_value(), &[]),
        _ => return None,
    };
    if !required.is_empty() {
        v["required"] = Value::Array(
            required
                .iter()
                .map(|r| Value::String(r.to_string()))
                .collect(),
        );
    }
    Some(v)
}

/// All schemas in one object keyed by type.
pub fn all() -> Value {
    Value::Object(
        TYPES
            .iter()
            .map(|t| (t.to_string(), schema(t).expect("known type")))
            .collect(),
    )
}
