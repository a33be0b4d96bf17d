//! `tietopankki.yaml`: the site's settings. Unknown keys are errors, so a typo never passes silently.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Kind;

/// What happens to raw HTML written in Markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// An error: editors write Markdown, and HTML is where script injection starts.
    #[default]
    Forbid,
    /// Shown as text.
    Escape,
    /// Passed through unchanged; only for trusted content.
    Allow,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Site title per language code.
    pub title: BTreeMap<String, String>,
    /// Short description per language, for the home page and feeds.
    #[serde(default)]
    pub description: BTreeMap<String, String>,
    /// Public address of the site, e.g. `https://example.org/tietopankki/`, or a path like `/`.
    /// sitemap.xml and the feed carry absolute addresses only when this has a scheme.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Language codes; the first is the default language, built at the root.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Which folder under `content/` holds which typed collection.
    #[serde(default = "default_sections")]
    pub sections: BTreeMap<String, Kind>,
    #[serde(default)]
    pub raw_html: RawHtml,
    /// Folder name under `themes/`; `default` is built in when the folder is absent.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Content files above this size (bytes) are refused.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// Follow symbolic links inside `content/` (links leaving it are still refused).
    #[serde(default)]
    pub follow_symlinks: bool,
    /// The organisation that publishes the site, shown in the footer and the feed.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Entries per page of a section list or facet page; longer lists get pages
    /// `…/sivu/2/`, `…/sivu/3/` with previous/next links.
    #[serde(default = "default_page_size")]
    pub page_size: usize,
}

fn default_base_url() -> String {
    "/".into()
}
fn default_languages() -> Vec<String> {
    vec!["fi".into(), "sv".into(), "en".into()]
}
fn default_sections() -> BTreeMap<String, Kind> {
    BTreeMap::from([
        ("menetelmat".into(), Kind::Method),
        ("keskukset".into(), Kind::Centre),
        ("palvelupolut".into(), Kind::Pathway),
    ])
}
fn default_theme() -> String {
    "default".into()
}
fn default_page_size() -> usize {
    200
}
fn default_max_file_size() -> u64 {
    5 * 1024 * 1024
}

impl Config {
    pub fn default_language(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("fi")
    }

    /// The folder that holds a typed collection, e.g. `menetelmat` for methods.
    pub fn section_of(&self, kind: Kind) -> Option<&str> {
        self.sections
            .iter()
            .find(|(_, k)| **k == kind)
            .map(|(s, _)| s.as_str())
    }

    /// Problems that serde cannot see: no languages, a language without a title.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.languages.is_empty() {
            problems.push("`languages` is empty: list at least one language code".to_string());
        }
        if self.page_size == 0 {
            problems.push("`page_size` is 0: give the number of entries per list page".to_string());
        }
        for lang in &self.languages {
            if !lang.chars().all(|c| c.is_ascii_lowercase()) || lang.len() < 2 || lang.len() > 3 {
                problems.push(format!(
                    "language code \"{lang}\" should be two or three lowercase letters"
                ));
            }
        }
        if !self.title.contains_key(self.default_language()) {
            problems.push(format!(
                "`title` has no entry for the default language \"{}\"",
                self.default_language()
            ));
        }
        for (folder, kind) in &self.sections {
            if *kind == Kind::Page {
                problems.push(format!("section \"{folder}\": `page` is not a typed section; leave the folder out instead"));
            }
            if !crate::paths::is_safe_segment(folder) {
                problems.push(format!(
                    "section folder \"{folder}\" is not a plain folder name"
                ));
            }
        }
        problems
    }
}
