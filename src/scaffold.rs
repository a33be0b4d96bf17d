//! `tietopankki new`: a skeleton entry that `check` accepts, so an editor starts from green.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::model::Kind;
use crate::paths;
use crate::vocab::Vocabularies;

/// Today's date as `YYYY-MM-DD` (UTC), for `last_reviewed` of a new entry.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).expect("string serialises")
}

/// Writes the skeleton; returns the path written, or a message for the editor.
pub fn new_entry(
    root: &Path,
    config: &Config,
    vocab: &Vocabularies,
    kind: Kind,
    slug: &str,
    title: Option<&str>,
) -> Result<PathBuf, String> {
    if !paths::is_safe_segment(slug) || slug.contains('.') {
        return Err(format!(
            "\"{slug}\" cannot be a page address: {}",
            paths::segment_problem(slug)
        ));
    }
    let folder = match kind {
        Kind::Page => String::new(),
        k => config
            .section_of(k)
            .ok_or_else(|| format!("tietopankki.yaml maps no folder to `{}`", k.name()))?
            .to_string(),
    };
    let path = root
        .join("content")
        .join(&folder)
        .join(format!("{slug}.md"));
    if path.exists() {
        return Err(format!("{} already exists", path.display()));
    }
    let title = yaml_str(title.unwrap_or(slug));
    let first = |list: &str, fallback: &str| {
        vocab
            .list(list)
            .first()
            .map(|e| e.id.clone())
            .unwrap_or_else(|| fallback.to_string())
    };
    let today = today();
    let source =
        "sources:\n  - title: \"Lisää lähde: julkaisun tai sivun nimi\"\n    url: \"https://\"\n";
    let text = match kind {
        Kind::Method => format!(
            "---\ntitle: {title}\nsummary: \"Yksi tai kaksi virkettä: mikä menetelmä on ja kenelle.\"\nmethod_type: {}\ntarget_groups: []\nthemes: []\nservice_levels: []\nevidence: []\nevidence_note: \"Arviota ei ole vielä lisätty.\"\n{source}status: draft\nlast_reviewed: {today}\n---\n\n## Mikä menetelmä on\n\n## Kenelle\n\n## Toteutus\n",
            first("method_types", "lahestymistapa")
        ),
        Kind::Centre => format!(
            "---\nname: {title}\nsummary: \"Yksi tai kaksi virkettä keskuksesta.\"\ncooperation_area: {}\nregions: []\nspecialisations: []\n{source}status: draft\nlast_verified: {today}\n---\n\n## Konsultaatio\n",
            first("cooperation_areas", "etela-suomi")
        ),
        Kind::Pathway => format!(
            "---\ntitle: {title}\nsummary: \"Yksi tai kaksi virkettä polusta.\"\nsteps:\n  - title: \"Ensimmäinen vaihe\"\n    level: {}\n    actors: [{}]\n{source}status: draft\nlast_reviewed: {today}\n---\n\n## Polun vaiheet\n",
            first("service_levels", "perustaso"),
            first("actors", "neuvola")
        ),
        Kind::Page => format!("---\ntitle: {title}\n---\n\n"),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
