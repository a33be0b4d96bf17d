//! The front matter of each content type, as typed structs.
//!
//! Required fields are `Option` in the structs so that a translation (`x.sv.md`) can leave out
//! whatever it inherits from its original; `REQUIRED` lists what an original must have, and both
//! the check and the JSON Schema read it from there.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[schemars(transparent)]
pub struct Date(#[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))] pub String);

/// A date that may lack its day or month (`2016`, `2016-07`), as rating sources often give them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[schemars(transparent)]
pub struct PartialDate(#[schemars(regex(pattern = r"^\d{4}(-\d{2}(-\d{2})?)?$"))] pub String);

fn valid_ymd(y: u32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1000..=9999).contains(&y) && (1..=days).contains(&d)
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; `parts` says how many parts are allowed at least.
fn parse_date(s: &str, min_parts: usize) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() < min_parts || parts.len() > 3 {
        return false;
    }
    let lens = [4, 2, 2];
    let mut nums = [0u32, 1, 1];
    for (i, p) in parts.iter().enumerate() {
        if p.len() != lens[i] || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        nums[i] = p.parse().unwrap_or(0);
    }
    valid_ymd(nums[0], nums[1], nums[2])
}

struct DateVisitor {
    min_parts: usize,
}

impl serde::de::Visitor<'_> for DateVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.min_parts == 3 {
            f.write_str("a date in YYYY-MM-DD form")
        } else {
            f.write_str("a date in YYYY, YYYY-MM or YYYY-MM-DD form")
        }
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        if parse_date(v, self.min_parts) {
            Ok(v.to_string())
        } else {
            Err(E::custom(format_args!(
                "\"{v}\" is not a date: expected {}",
                if self.min_parts == 3 {
                    "YYYY-MM-DD, for example 2025-01-31"
                } else {
                    "YYYY, YYYY-MM or YYYY-MM-DD"
                }
            )))
        }
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DateVisitor { min_parts: 3 }).map(Date)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DateVisitor { min_parts: 1 })
            .map(PartialDate)
    }
}

/// How far an entry is from being trustworthy; shown on every page.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Review,
    Published,
    Archived,
}

/// Where a fact comes from. Every entry lists at least one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
}

/// One source's rating of a method, kept verbatim: ratings are never merged or converted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Vocabulary `evidence_sources`.
    pub source: String,
    /// Vocabulary `evidence_scales`.
    pub scale: String,
    /// The rating exactly as the source gives it.
    pub rating: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An organisation to contact about a method; never a person.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub organisation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A method or approach (`menetelmä`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Method {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Vocabulary `method_types`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_max: Option<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub age_bands: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_levels: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivery: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dosage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workforce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_support: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Why there is no rating; required when `evidence` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    /// Ids of related methods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub innokyla_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Date>,
}

impl Method {
    pub const REQUIRED: &'static [&'static str] = &[
        "title",
        "summary",
        "method_type",
        "sources",
        "status",
        "last_reviewed",
    ];
}

/// How a professional asks a centre for help.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Consultation {
    /// Vocabulary `requesters`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub who_can_request: Vec<String>,
    /// Vocabulary `channels`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Only when a source states it; otherwise the page says it is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_time: Option<String>,
}

/// An OT-keskus (`osaamis- ja tukikeskus`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Centre {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Vocabulary `cooperation_areas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooperation_area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub university_hospital: Option<String>,
    /// Vocabulary `regions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Vocabulary `specialisations`; only confirmed ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specialisations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<Consultation>,
    /// Vocabulary `partners`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<String>,
    /// Method ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_verified: Option<Date>,
}

impl Centre {
    pub const REQUIRED: &'static [&'static str] = &[
        "name",
        "summary",
        "cooperation_area",
        "sources",
        "status",
        "last_verified",
    ];
}

/// A statutory time limit on a pathway step, always with its legal basis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    /// The limit as text, e.g. "7 arkipäivää".
    pub limit: String,
    /// What must happen within it.
    pub applies_to: String,
    /// The statute, e.g. "Lastensuojelulaki 417/2007 26 §".
    pub basis: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One step of a pathway, at one service level.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    /// Vocabulary `service_levels`.
    pub level: String,
    /// Vocabulary `actors`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// Method ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Centre ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub centres: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_criteria: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_when: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_limits: Vec<TimeLimit>,
}

/// A law or section a pathway rests on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub law: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A service pathway (`palvelupolku`) from basic services to the OT-keskus.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pathway {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub age_bands: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<LegalBasis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Date>,
}

impl Pathway {
    pub const REQUIRED: &'static [&'static str] = &[
        "title",
        "summary",
        "steps",
        "sources",
        "status",
        "last_reviewed",
    ];
}

/// A glossary entry on a plain page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub term: String,
    pub definition: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub see_also: Vec<String>,
}

/// Any other Markdown file: the home page, about, glossary, guides.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Order in menus, lower first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glossary: Vec<Term>,
}

impl Page {
    pub const REQUIRED: &'static [&'static str] = &["title"];
}

/// The typed front matter of one file.
#[derive(Debug, Clone, PartialEq)]
pub enum FrontMatter {
    Method(Method),
    Centre(Centre),
    Pathway(Pathway),
    Page(Page),
}

/// Which collection a file belongs to; chosen by its folder in `tietopankki.yaml`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Method,
    Centre,
    Pathway,
    Page,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Method => "method",
            Kind::Centre => "centre",
            Kind::Pathway => "pathway",
            Kind::Page => "page",
        }
    }

    pub fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Method => Method::REQUIRED,
            Kind::Centre => Centre::REQUIRED,
            Kind::Pathway => Pathway::REQUIRED,
            Kind::Page => Page::REQUIRED,
        }
    }
}

impl FrontMatter {
    pub fn kind(&self) -> Kind {
        match self {
            FrontMatter::Method(_) => Kind::Method,
            FrontMatter::Centre(_) => Kind::Centre,
            FrontMatter::Pathway(_) => Kind::Pathway,
            FrontMatter::Page(_) => Kind::Page,
        }
    }

    /// The display title: `name` for centres, `title` for the rest.
    pub fn title(&self) -> Option<&str> {
        match self {
            FrontMatter::Method(m) => m.title.as_deref(),
            FrontMatter::Centre(c) => c.name.as_deref(),
            FrontMatter::Pathway(p) => p.title.as_deref(),
            FrontMatter::Page(p) => p.title.as_deref(),
        }
    }

    pub fn summary(&self) -> Option<&str> {
        match self {
            FrontMatter::Method(m) => m.summary.as_deref(),
            FrontMatter::Centre(c) => c.summary.as_deref(),
            FrontMatter::Pathway(p) => p.summary.as_deref(),
            FrontMatter::Page(p) => p.description.as_deref(),
        }
    }

    pub fn reviewed(&self) -> Option<&Date> {
        match self {
            FrontMatter::Method(m) => m.last_reviewed.as_ref(),
            FrontMatter::Centre(c) => c.last_verified.as_ref(),
            FrontMatter::Pathway(p) => p.last_reviewed.as_ref(),
            FrontMatter::Page(p) => p.last_reviewed.as_ref().or(p.date.as_ref()),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FrontMatter::Method(m) => serde_json::to_value(m),
            FrontMatter::Centre(c) => serde_json::to_value(c),
            FrontMatter::Pathway(p) => serde_json::to_value(p),
            FrontMatter::Page(p) => serde_json::to_value(p),
        }
        .expect("front matter serialises")
    }

    /// Rebuilds front matter of `kind` from JSON; used to merge a translation over its original.
    pub fn from_json(kind: Kind, v: serde_json::Value) -> Result<Self, serde_json::Error> {
        Ok(match kind {
            Kind::Method => FrontMatter::Method(serde_json::from_value(v)?),
            Kind::Centre => FrontMatter::Centre(serde_json::from_value(v)?),
            Kind::Pathway => FrontMatter::Pathway(serde_json::from_value(v)?),
            Kind::Page => FrontMatter::Page(serde_json::from_value(v)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_for_real_days() {
        assert!(parse_date("2024-02-29", 3));
        assert!(!parse_date("2023-02-29", 3));
        assert!(!parse_date("2023-13-01", 3));
        assert!(!parse_date("2023-1-01", 3));
        assert!(parse_date("2016", 1));
        assert!(parse_date("2016-07", 1));
        assert!(!parse_date("2016", 3));
    }
}
