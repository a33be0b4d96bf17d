//! The pathway diagram: steps drawn as SVG at build time, one column per service level, so a
//! reader sees at a glance where a case moves from perustaso towards the OT-keskus. No script;
//! the ordered list of steps on the same page carries the same content for screen readers.

use crate::render::escape_html;

/// One step as the diagram needs it.
pub struct Box<'a> {
    pub number: usize,
    pub title: &'a str,
    /// Index of the step's service level among `levels`.
    pub level: usize,
    pub actors: String,
    pub time_limits: usize,
}

const WIDTH: usize = 720;
const ROW: usize = 118;
const BOX_H: usize = 96;
const TOP: usize = 44;
const CHARS_PER_LINE: usize = 25;

/// Greedy word wrap to `width` characters, at most `max` lines (the last one shortened with …).
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max {
        lines.truncate(max);
        let last = lines.last_mut().expect("max > 0");
        let cut: String = last.chars().take(width.saturating_sub(1)).collect();
        *last = format!("{}…", cut.trim_end());
    }
    lines
}

/// The SVG for `steps` over `levels` (labels in the page language); `label` names the figure.
pub fn pathway_svg(
    levels: &[String],
    steps: &[Box],
    label: &str,
    time_limit_label: &str,
) -> String {
    let lanes = levels.len().max(1);
    let lane_w = WIDTH / lanes;
    let height = TOP + steps.len() * ROW + 8;
    let mut s = String::with_capacity(4096);
    s.push_str(&format!(
        "<svg class=\"pathway-diagram\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape_html(label)
    ));
    s.push_str("<defs><marker id=\"nuoli\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" class=\"arrow-head\"/></marker></defs>");
    for (i, name) in levels.iter().enumerate() {
        let x = i * lane_w;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"0\" width=\"{lane_w}\" height=\"{height}\" class=\"lane lane-{i}\"/><text x=\"{}\" y=\"26\" class=\"lane-title\" text-anchor=\"middle\">{}</text>",
            x + lane_w / 2,
            escape_html(name)
        ));
    }
    let centre = |b: &Box| {
        (
            b.level * lane_w + lane_w / 2,
            TOP + (b.number - 1) * ROW + BOX_H / 2,
        )
    };
    for pair in steps.windows(2) {
        let (x1, y1) = centre(&pair[0]);
        let (x2, y2) = centre(&pair[1]);
        let (y1, y2) = (y1 + BOX_H / 2, y2 - BOX_H / 2);
        s.push_str(&format!(
            "<path d=\"M{x1} {y1} C{x1} {} {x2} {} {x2} {y2}\" class=\"arrow\" marker-end=\"url(#nuoli)\"/>",
            y1 + 14,
            y2.saturating_sub(14)
        ));
    }
    for b in steps {
        let x = b.level * lane_w + 8;
        let y = TOP + (b.number - 1) * ROW;
        let w = lane_w - 16;
        s.push_str(&format!("<g class=\"step-box level-{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{BOX_H}\" rx=\"4\"/>", b.level));
        let mut ty = y + 20;
        let title_lines = wrap(
            &format!("{}. {}", b.number, b.title),
            CHARS_PER_LINE * lane_w / 240,
            2,
        );
        for line in title_lines {
            s.push_str(&format!(
                "<text x=\"{}\" y=\"{ty}\" class=\"step-title\">{}</text>",
                x + 8,
                escape_html(&line)
            ));
            ty += 18;
        }
        for line in wrap(&b.actors, (CHARS_PER_LINE + 4) * lane_w / 240, 2) {
            s.push_str(&format!(
                "<text x=\"{}\" y=\"{ty}\" class=\"step-actors\">{}</text>",
                x + 8,
                escape_html(&line)
            ));
            ty += 16;
        }
        if b.time_limits > 0 {
            s.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" class=\"step-limits\">{} {}</text>",
                x + 8,
                y + BOX_H - 8,
                b.time_limits,
                escape_html(time_limit_label)
            ));
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_shortens() {
        assert_eq!(wrap("yksi kaksi kolme", 10, 3), vec!["yksi kaksi", "kolme"]);
        let w = wrap("a b c d e f g h i j k l m n o p", 3, 2);
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('…'));
    }

    #[test]
    fn escapes_text_and_draws_one_box_per_step() {
        let levels = vec!["Perustaso".to_string(), "Erityistaso".to_string()];
        let steps = [
            Box {
                number: 1,
                title: "<b>Neuvola</b>",
                level: 0,
                actors: "Neuvola".into(),
                time_limits: 0,
            },
            Box {
                number: 2,
                title: "Lastensuojelu",
                level: 1,
                actors: "Lastensuojelu".into(),
                time_limits: 2,
            },
        ];
        let svg = pathway_svg(&levels, &steps, "Polku", "määräaikaa");
        assert_eq!(svg.matches("class=\"step-box").count(), 2);
        assert_eq!(svg.matches("class=\"arrow\"").count(), 1);
        assert!(svg.contains("&lt;b&gt;Neuvola") && !svg.contains("<b>"));
    }
}
