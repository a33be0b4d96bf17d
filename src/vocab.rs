//! The controlled vocabularies: one YAML file, every list `{id, fi, sv, en}`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One vocabulary entry with its label in each language.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub fi: String,
    #[serde(default)]
    pub sv: Option<String>,
    #[serde(default)]
    pub en: Option<String>,
}

impl Entry {
    /// The label in `lang`, falling back to Finnish so a missing translation still reads.
    pub fn label(&self, lang: &str) -> &str {
        match lang {
            "sv" => self.sv.as_deref().unwrap_or(&self.fi),
            "en" => self.en.as_deref().unwrap_or(&self.fi),
            _ => &self.fi,
        }
    }
}

/// The names of the lists and which front-matter fields use them.
pub const LISTS: &[&str] = &[
    "service_levels",
    "age_bands",
    "target_groups",
    "themes",
    "settings",
    "delivery",
    "method_types",
    "languages",
    "evidence_sources",
    "evidence_scales",
    "cooperation_areas",
    "regions",
    "specialisations",
    "requesters",
    "channels",
    "partners",
    "actors",
];

/// Every list, keyed by list name; entries keep file order (it is the display order).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabularies {
    #[serde(default)]
    pub service_levels: Vec<Entry>,
    #[serde(default)]
    pub age_bands: Vec<Entry>,
    #[serde(default)]
    pub target_groups: Vec<Entry>,
    #[serde(default)]
    pub themes: Vec<Entry>,
    #[serde(default)]
    pub settings: Vec<Entry>,
    #[serde(default)]
    pub delivery: Vec<Entry>,
    #[serde(default)]
    pub method_types: Vec<Entry>,
    #[serde(default)]
    pub languages: Vec<Entry>,
    #[serde(default)]
    pub evidence_sources: Vec<Entry>,
    #[serde(default)]
    pub evidence_scales: Vec<Entry>,
    #[serde(default)]
    pub cooperation_areas: Vec<Entry>,
    #[serde(default)]
    pub regions: Vec<Entry>,
    #[serde(default)]
    pub specialisations: Vec<Entry>,
    #[serde(default)]
    pub requesters: Vec<Entry>,
    #[serde(default)]
    pub channels: Vec<Entry>,
    #[serde(default)]
    pub partners: Vec<Entry>,
    #[serde(default)]
    pub actors: Vec<Entry>,
}

impl Vocabularies {
    pub fn list(&self, name: &str) -> &[Entry] {
        match name {
            "service_levels" => &self.service_levels,
            "age_bands" => &self.age_bands,
            "target_groups" => &self.target_groups,
            "themes" => &self.themes,
            "settings" => &self.settings,
            "delivery" => &self.delivery,
            "method_types" => &self.method_types,
            "languages" => &self.languages,
            "evidence_sources" => &self.evidence_sources,
            "evidence_scales" => &self.evidence_scales,
            "cooperation_areas" => &self.cooperation_areas,
            "regions" => &self.regions,
            "specialisations" => &self.specialisations,
            "requesters" => &self.requesters,
            "channels" => &self.channels,
            "partners" => &self.partners,
            "actors" => &self.actors,
            _ => &[],
        }
    }

    pub fn get(&self, list: &str, id: &str) -> Option<&Entry> {
        self.list(list).iter().find(|e| e.id == id)
    }

    pub fn label<'a>(&'a self, list: &str, id: &'a str, lang: &str) -> &'a str {
        self.get(list, id).map(|e| e.label(lang)).unwrap_or(id)
    }

    /// Duplicate ids within a list, as (list, id).
    pub fn duplicates(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for list in LISTS {
            let mut seen = BTreeMap::new();
            for e in self.list(list) {
                if seen.insert(e.id.clone(), ()).is_some() {
                    out.push((*list, e.id.clone()));
                }
            }
        }
        out
    }
}
