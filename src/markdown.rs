//! Markdown to HTML with pulldown-cmark, plus what the link stage needs: heading anchors, the
//! internal links with their positions, and the plain text for search and excerpts.
//!
//! Internal links cannot be resolved yet (the target may not be parsed), so their href is a
//! marker `tpk-link:N` that the render stage swaps for the real URL in one pass.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::config::RawHtml;
use std::sync::Arc;

use crate::paths;

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// An internal link as written: `../menetelmat/x.md#koulutus`.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Target path under `content/`, resolved against the linking file; empty = same page.
    pub target: Option<String>,
    pub anchor: Option<String>,
    pub written: String,
    /// Line and column in the body (1-based).
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Shared, not copied, between `serve`'s parse cache and each build.
    pub html: Arc<str>,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// Positions (line, column, length) of raw HTML refused by the policy.
    pub raw_html: Vec<(usize, usize, usize)>,
    /// Links and images with an unsafe URL scheme, with their position; written as `#`.
    pub unsafe_urls: Vec<(usize, usize, String)>,
    /// The body as plain text, paragraphs separated by newlines.
    pub text: Arc<str>,
}

pub const LINK_MARKER: &str = "tpk-link:";

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// True for links that point into the site's content as a relative `.md` path or `#anchor`.
fn is_internal(dest: &str) -> bool {
    if dest.starts_with('#') {
        return true;
    }
    if dest.contains("://")
        || dest.starts_with('/')
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
    {
        return false;
    }
    let path = dest.split('#').next().unwrap_or("");
    path.ends_with(".md")
}

/// Renders `body` of a file in folder `dir` (relative to `content/`).
pub fn render(body: &str, dir: &str, policy: RawHtml) -> Rendered {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let position = |offset: usize| {
        let line = line_starts.partition_point(|&s| s <= offset);
        let col = body[line_starts[line - 1]..offset].chars().count() + 1;
        (line, col)
    };
    let mut out = Rendered::default();
    let mut text = String::new();
    let mut events: Vec<Event> = Vec::new();
    let mut in_heading: Option<(usize, HeadingLevel)> = None;
    let mut heading_text = String::new();
    let mut used = Anchors::default();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if is_internal(&dest_url) => {
                let (path, anchor) = match dest_url.split_once('#') {
                    Some((p, a)) => (p, Some(a.to_string())),
                    None => (&*dest_url, None),
                };
                let decoded = paths::percent_decode(path).unwrap_or_else(|| path.to_string());
                let target = if decoded.is_empty() {
                    None
                } else {
                    Some(
                        paths::resolve_relative(dir, &decoded)
                            .unwrap_or_else(|| format!("../{decoded}")),
                    )
                };
                let (line, column) = position(range.start);
                out.links.push(Link {
                    target,
                    anchor,
                    written: dest_url.to_string(),
                    line,
                    column,
                });
                let marker = format!("{LINK_MARKER}{}", out.links.len() - 1);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(marker),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. })
                if !paths::is_safe_url(dest_url) =>
            {
                let (line, column) = position(range.start);
                out.unsafe_urls.push((line, column, dest_url.to_string()));
                match event {
                    Event::Start(Tag::Link {
                        link_type,
                        title,
                        id,
                        ..
                    }) => Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from("#"),
                        title,
                        id,
                    }),
                    Event::Start(Tag::Image {
                        link_type,
                        title,
                        id,
                        ..
                    }) => Event::Start(Tag::Image {
                        link_type,
                        dest_url: CowStr::from("#"),
                        title,
                        id,
                    }),
                    e => e,
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => match policy {
                RawHtml::Allow => Event::Html(h),
                RawHtml::Escape => Event::Text(h),
                RawHtml::Forbid => {
                    let (line, col) = position(range.start);
                    let len = h.lines().next().unwrap_or("").chars().count();
                    out.raw_html.push((line, col, len));
                    Event::Text(h)
                }
            },
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = Some((events.len(), level));
                heading_text.clear();
                event
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level)) = in_heading.take() {
                    if let Event::Start(Tag::Heading {
                        id, classes, attrs, ..
                    }) = &events[start]
                    {
                        let anchor = match id {
                            Some(id) => id.to_string(),
                            None => used.unique(paths::anchor(&heading_text)),
                        };
                        used.taken.insert(anchor.clone());
                        out.headings.push(Heading {
                            level: level as u8,
                            text: heading_text.trim().to_string(),
                            anchor: anchor.clone(),
                        });
                        events[start] = Event::Start(Tag::Heading {
                            level,
                            id: Some(CowStr::from(anchor)),
                            classes: classes.clone(),
                            attrs: attrs.clone(),
                        });
                    }
                }
                text.push('\n');
                event
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                if in_heading.is_some() {
                    heading_text.push_str(t);
                }
                text.push_str(t);
                event
            }
            Event::SoftBreak | Event::HardBreak => {
                text.push(' ');
                event
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                text.push('\n');
                event
            }
            e => e,
        };
        events.push(event);
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html, events.into_iter());
    out.html = html.into();
    out.text = text.into();
    out
}

/// Anchors given so far on a page, and per base the next suffix to try, so that a page of
/// many equal headings takes linear time, not quadratic.
#[derive(Default)]
struct Anchors {
    taken: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl Anchors {
    fn unique(&mut self, base: String) -> String {
        if !self.taken.contains(&base) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if !self.taken.contains(&candidate) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_anchors_and_links_markers() {
        let r = render("## Mikä se on\n\nKatso [x](../keskukset/a.md#alue) ja [y](#mika-se-on).\n\n## Mikä se on\n", "menetelmat", RawHtml::Forbid);
        assert_eq!(r.headings[0].anchor, "mika-se-on");
        assert_eq!(r.headings[1].anchor, "mika-se-on-1");
        assert_eq!(r.links[0].target.as_deref(), Some("keskukset/a.md"));
        assert_eq!(r.links[0].anchor.as_deref(), Some("alue"));
        assert_eq!((r.links[0].line, r.links[0].column), (3, 7));
        assert!(r.html.contains("href=\"tpk-link:0\""));
        assert!(r.html.contains("<h2 id=\"mika-se-on\">"));
    }

    #[test]
    fn unsafe_links_and_images_are_neutralised_and_reported() {
        let r = render(
            "[a](javascript:alert(1)) ![b](data:text/html,x) [c](https://thl.fi)\n",
            "",
            RawHtml::Forbid,
        );
        assert_eq!(r.unsafe_urls.len(), 2);
        assert!(!r.html.contains("javascript:") && !r.html.contains("data:"));
        assert!(r.html.contains("href=\"https://thl.fi\""));
    }

    #[test]
    fn raw_html_follows_policy() {
        let body = "Hei <script>alert(1)</script>\n";
        let forbid = render(body, "", RawHtml::Forbid);
        assert_eq!(forbid.raw_html.len(), 2);
        assert!(!forbid.html.contains("<script>"));
        assert!(!render(body, "", RawHtml::Escape).html.contains("<script>"));
        assert!(render(body, "", RawHtml::Allow).html.contains("<script>"));
    }
}
