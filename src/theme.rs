//! The theme: tera templates, static files and UI strings per language.
//!
//! The default theme is compiled into the binary, so `tietopankki build` works on any content
//! folder; a `themes/<name>/` folder beside the content replaces it (and `serve` watches it).

use std::collections::BTreeMap;
use std::path::Path;

use walkdir::WalkDir;

use crate::diagnostics::{code, Diagnostic};

macro_rules! embed {
    ($($p:literal),* $(,)?) => {
        &[$(($p, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/", $p)))),*]
    };
}

/// Every file of the built-in default theme.
pub const DEFAULT_THEME: &[(&str, &str)] = embed!(
    "templates/base.html",
    "templates/macros.html",
    "templates/entry.html",
    "templates/home.html",
    "templates/list.html",
    "templates/method.html",
    "templates/centre.html",
    "templates/pathway.html",
    "templates/page.html",
    "templates/facet.html",
    "templates/facets.html",
    "templates/404.html",
    "templates/search.html",
    "templates/sitemap.xml",
    "templates/atom.xml",
    "static/style.css",
    "static/favicon.svg",
    "i18n/fi.yaml",
    "i18n/sv.yaml",
    "i18n/en.yaml",
);

#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name (path under `templates/`) → source.
    pub templates: BTreeMap<String, String>,
    /// Path under `static/` → bytes, copied to the output root.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Language → key → UI string.
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
    /// Where the theme came from, relative to the site root, for diagnostics (`None` = built in).
    pub dir: Option<String>,
}

impl Theme {
    pub fn builtin() -> Theme {
        let mut t = Theme::default();
        for (path, text) in DEFAULT_THEME {
            t.add(path, text.as_bytes().to_vec());
        }
        t
    }

    fn add(&mut self, path: &str, bytes: Vec<u8>) {
        if let Some(name) = path.strip_prefix("templates/") {
            self.templates.insert(
                name.to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            );
        } else if let Some(name) = path.strip_prefix("static/") {
            self.static_files.insert(name.to_string(), bytes);
        } else if let Some(name) = path.strip_prefix("i18n/") {
            if let Some(lang) = name.strip_suffix(".yaml") {
                // Parsed in `load_strings`, where errors can be reported with their file.
                self.strings.insert(
                    lang.to_string(),
                    BTreeMap::from([(
                        "\0raw".to_string(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    )]),
                );
            }
        }
    }

    /// Loads `root/themes/<name>` if it exists, else the built-in default theme.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let dir = root.join("themes").join(name);
        let mut theme = if dir.is_dir() {
            let mut t = Theme {
                dir: Some(format!("themes/{name}")),
                ..Theme::default()
            };
            for entry in WalkDir::new(&dir).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    vec![Diagnostic::error(
                        code::THEME,
                        format!("cannot read theme: {e}"),
                    )]
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&dir)
                    .expect("walkdir stays under its root")
                    .to_string_lossy()
                    .replace('\\', "/");
                let bytes = std::fs::read(entry.path()).map_err(|e| {
                    vec![Diagnostic::error(
                        code::THEME,
                        format!("cannot read {}: {e}", entry.path().display()),
                    )]
                })?;
                t.add(&rel, bytes);
            }
            t
        } else if name == "default" {
            Theme::builtin()
        } else {
            return Err(vec![Diagnostic::error(
                code::THEME,
                format!("theme \"{name}\" not found: expected a folder themes/{name}/"),
            )
            .in_file("tietopankki.yaml")
            .hint("use `theme: default` for the built-in theme")]);
        };
        theme.load_strings()?;
        Ok(theme)
    }

    fn load_strings(&mut self) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let dir = self
            .dir
            .clone()
            .unwrap_or_else(|| "(built-in theme)".into());
        for (lang, map) in self.strings.iter_mut() {
            let raw = map.remove("\0raw").unwrap_or_default();
            match serde_yaml::from_str::<BTreeMap<String, String>>(&raw) {
                Ok(parsed) => *map = parsed,
                Err(e) => {
                    let (line, col) = e
                        .location()
                        .map(|l| (l.line(), l.column()))
                        .unwrap_or((0, 0));
                    errors.push(
                        Diagnostic::error(
                            code::THEME,
                            format!("UI strings are not a flat key: text map: {e}"),
                        )
                        .in_file(&format!("{dir}/i18n/{lang}.yaml"))
                        .at(line, col, 1),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The templates `source` extends, includes or imports: every quoted name in its `extends`,
/// `include` and `import` tags (tera takes only literal names there). `serve` renders again
/// the pages whose templates use an edited one.
pub fn template_uses(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let tag = after[..end].trim_start_matches('-').trim_start();
        if ["extends", "include", "import"]
            .iter()
            .any(|k| tag.starts_with(k))
        {
            let mut quoted = tag;
            while let Some(i) = quoted.find(['"', '\'', '`']) {
                let quote = quoted[i..].chars().next().unwrap_or('"');
                let name = &quoted[i + 1..];
                let Some(j) = name.find(quote) else {
                    break;
                };
                out.push(name[..j].to_string());
                quoted = &name[j + 1..];
            }
        }
        rest = &after[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::template_uses;

    #[test]
    fn template_uses_names_extended_included_and_imported_templates() {
        let source = r#"{% extends "base.html" %}
{%- import 'macros.html' as m -%}
{% block content %}{% include ["a.html", `b.html`] ignore missing %}{{ "x.html" }}{% endblock %}
{% set y = "not-a-use.html" %}"#;
        assert_eq!(
            template_uses(source),
            ["base.html", "macros.html", "a.html", "b.html"]
        );
        assert!(template_uses("{% extends \"unclosed").is_empty());
    }
}
