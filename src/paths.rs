//! File names, slugs and URLs: the one place that decides what may become a path in the output.

use unicode_normalization::UnicodeNormalization;

const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Longest file or folder name accepted, in bytes; longer ones break some file systems and hosts.
pub const MAX_SEGMENT: usize = 120;

/// True when `s` can be one folder name of the output on every common file system and host.
pub fn is_safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SEGMENT
        && !s.starts_with('.')
        && !s.starts_with('-')
        && s.chars().all(|c| {
            c.is_alphanumeric()
                || ('\u{300}'..='\u{36f}').contains(&c)
                || c == '-'
                || c == '_'
                || c == '.'
        })
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

/// Why a segment is refused, as a hint for the editor.
pub fn segment_problem(s: &str) -> String {
    if s.len() > MAX_SEGMENT {
        format!("names are limited to {MAX_SEGMENT} bytes")
    } else if RESERVED.contains(&s.to_ascii_lowercase().as_str()) {
        "this name is reserved on Windows".into()
    } else {
        "use lowercase letters, digits and hyphens, e.g. `lapset-puheeksi`".into()
    }
}

/// The key under which two ids count as the same: case-folded and NFC-normalised, so
/// `Äiti`, `äiti` and a decomposed `äiti` collide as they would on macOS and Windows.
pub fn collision_key(s: &str) -> String {
    s.nfc().collect::<String>().to_lowercase()
}

/// A heading anchor: lowercase ASCII letters, digits and hyphens (`ä`→`a`), unique per page.
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.nfc().flat_map(char::to_lowercase) {
        let c = match c {
            'ä' | 'å' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            'š' => 's',
            'ž' => 'z',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("osio");
    }
    out
}

/// Joins `base_dir` (relative to `content/`) and a relative link, resolving `.` and `..`;
/// `None` when the link climbs out of `content/`.
pub fn resolve_relative(base_dir: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// `../` repeated once per folder level of `out_dir`, so that links work from any folder,
/// including one opened from disk.
pub fn up_to_root(out_dir: &str) -> String {
    "../".repeat(out_dir.split('/').filter(|p| !p.is_empty()).count())
}

/// True for URLs a reader may safely follow: http(s), mailto, tel, or no scheme at all
/// (relative). `javascript:`, `data:` and the like run code or hide content.
pub fn is_safe_url(url: &str) -> bool {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    match trimmed.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(
                scheme.to_ascii_lowercase().as_str(),
                "http" | "https" | "mailto" | "tel"
            )
        }
        _ => true,
    }
}

/// Percent-decodes `%2e`-style escapes; used to compare links and refuse traversal in `serve`.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_ascii_and_readable() {
        assert_eq!(anchor("Mikä menetelmä on?"), "mika-menetelma-on");
        assert_eq!(anchor("Näyttö & arviot"), "naytto-arviot");
        assert_eq!(anchor("!!!"), "osio");
    }

    #[test]
    fn relative_links_cannot_leave_content() {
        assert_eq!(
            resolve_relative("menetelmat", "../keskukset/x.md").unwrap(),
            "keskukset/x.md"
        );
        assert_eq!(resolve_relative("", "../../etc/passwd"), None);
    }

    #[test]
    fn collisions_fold_case_and_normalisation() {
        assert_eq!(collision_key("A\u{0308}iti"), collision_key("äiti"));
    }

    #[test]
    fn only_safe_url_schemes_pass() {
        for ok in [
            "https://thl.fi/x",
            "mailto:a@b.fi",
            "../x.md",
            "#a",
            "x.md?y=z:1",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:x",
            " java\tscript:x",
            "data:text/html,x",
            "vbscript:x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn unsafe_segments_are_refused() {
        assert!(is_safe_segment("lapset-puheeksi"));
        assert!(!is_safe_segment(".."));
        assert!(!is_safe_segment("a/b"));
        assert!(!is_safe_segment("con"));
        assert!(!is_safe_segment(&"x".repeat(200)));
    }
}
