//! Charts drawn on the server as inline SVG: they need no script, print as they look, and
//! every label in them is escaped here (page titles come from readers' browsers).

use std::fmt::Write;

/// One line of a line chart.
pub struct Line<'a> {
    pub name: &'a str,
    /// A CSS class of the admin stylesheet that gives the colour (`s1`, `s2`).
    pub class: &'a str,
    pub values: Vec<i64>,
}

const W: f64 = 720.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 28.0;
/// Points up to which each gets a marker with its value as a tooltip.
const MARKED: usize = 62;

/// Escaped for SVG text and attributes; control characters (which XML forbids) dropped.
pub fn escape(s: &str) -> String {
    let printable: String = s.chars().filter(|c| !c.is_control()).collect();
    crate::html::escape(&printable)
}

/// Grid lines above the zero line.
const TICKS: i64 = 4;

/// The top of the axis: `TICKS` steps of a "round" size (1, 2 or 5 times a power of ten)
/// reaching `max`, so that every grid line has a label people can read.
pub fn nice_max(max: i64) -> i64 {
    let mut scale = 1i64;
    loop {
        for m in [1, 2, 5] {
            let step = scale.saturating_mul(m);
            if step.saturating_mul(TICKS) >= max {
                return step * TICKS;
            }
        }
        scale = scale.saturating_mul(10);
    }
}

/// A compact count: 12345 → `1.2万`.
pub fn compact(n: i64) -> String {
    if n.abs() >= 100_000_000 {
        format!("{:.1}亿", n as f64 / 1e8)
    } else if n.abs() >= 10_000 {
        format!("{:.1}万", n as f64 / 1e4)
    } else {
        n.to_string()
    }
}

/// A line chart of `lines` over `labels` (one per point), with a y axis from zero.
pub fn line_chart(title: &str, labels: &[String], lines: &[Line]) -> String {
    let top = nice_max(lines.iter().flat_map(|l| l.values.iter().copied()).max().unwrap_or(0));
    line_chart_to(title, labels, lines, top)
}

/// The same with the axis ending at `top` (100 for scores out of 100).
pub fn line_chart_to(title: &str, labels: &[String], lines: &[Line], top: i64) -> String {
    let n = labels.len().max(1);
    let max = top.max(1);
    let x = |i: usize| {
        if n == 1 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: i64| TOP + (H - TOP - BOTTOM) * (1.0 - v as f64 / max as f64);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    for k in 0..=TICKS {
        let v = max * k / TICKS;
        let yy = y(v);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            compact(v)
        );
    }
    // About six labels along the bottom, always the first and the last.
    let every = n.div_ceil(6).max(1);
    for (i, label) in labels.iter().enumerate() {
        let since_regular = i % every;
        // The last point is labelled too unless it would crowd the regular label before it.
        if since_regular == 0 || (i + 1 == n && since_regular >= every / 2) {
            let anchor = if i == 0 {
                "start"
            } else if i + 1 == n {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                svg,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
                x(i),
                H - 8.0,
                escape(short_label(label))
            );
        }
    }
    for line in lines {
        let points: Vec<String> =
            line.values.iter().enumerate().map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v))).collect();
        let _ = write!(
            svg,
            "<polyline class=\"line {}\" points=\"{}\"><title>{}</title></polyline>",
            line.class,
            points.join(" "),
            escape(line.name)
        );
        if line.values.len() <= MARKED {
            for (i, &v) in line.values.iter().enumerate() {
                let label = labels.get(i).map(String::as_str).unwrap_or_default();
                let _ = write!(
                    svg,
                    "<circle class=\"dot {}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{} {}：{}</title></circle>",
                    line.class,
                    x(i),
                    y(v),
                    escape(label),
                    escape(line.name),
                    v
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Without the year: `2026-11-21` → `11-21`, `2026-11-21 08:00` → `11-21 08:00`.
fn short_label(label: &str) -> &str {
    label.get(5..).unwrap_or(label)
}

/// Width of bars drawn for a whole-width card; half as wide suits a card of a two-column row.
pub const FULL: f64 = W;
pub const HALF: f64 = W / 2.0;

/// Horizontal bars, one per `(label, value)`, in the order given, drawn `width` units wide, so
/// that text keeps its size in the page when the chart fills the card it is drawn for.
pub fn bars(title: &str, rows: &[(String, i64)], width: f64) -> String {
    const ROW: f64 = 24.0;
    let label_room = (width * 0.3).clamp(110.0, 210.0);
    // Characters of a label that fit its room at the labels' size.
    let fits = (label_room / 13.0) as usize;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = ROW * rows.len().max(1) as f64 + 4.0;
    let mut svg = format!(
        "<svg class=\"chart bars\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    let room = width - label_room - 60.0;
    for (i, (label, v)) in rows.iter().enumerate() {
        let top = i as f64 * ROW + 2.0;
        let len = (room * *v as f64 / max as f64).max(if *v > 0 { 2.0 } else { 0.0 });
        let shown: String = if label.chars().count() > fits {
            label.chars().take(fits - 1).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            svg,
            "<g><title>{}：{v}</title><text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
<rect class=\"bar\" x=\"{label_room}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\" rx=\"2\"/>\
<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            escape(label),
            label_room - 8.0,
            top + 16.0,
            escape(&shown),
            top + 3.0,
            ROW - 8.0,
            label_room + len + 6.0,
            top + 16.0,
            compact(*v)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A small trend line without axes, for a table cell.
pub fn sparkline(values: &[i64]) -> String {
    const SW: f64 = 120.0;
    const SH: f64 = 24.0;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = values.len().max(2);
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            format!("{:.1},{:.1}", SW * i as f64 / (n - 1) as f64, SH - 2.0 - (SH - 4.0) * v as f64 / max as f64)
        })
        .collect();
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 {SW} {SH}\" width=\"{SW}\" height=\"{SH}\" aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\"><polyline points=\"{}\"/></svg>",
        points.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!([0, 1, 3, 7, 10, 11, 180, 2001, 29_000].map(nice_max), [4, 4, 4, 8, 20, 20, 200, 4000, 40_000]);
        assert_eq!(compact(123_456), "12.3万");
        assert_eq!(compact(999), "999");
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars("页面", &[("<script>alert(1)</script>".into(), 3)], FULL);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        let svg = line_chart("x\"<", &["2026-11-01".into()], &[Line { name: "<b>", class: "s1", values: vec![1] }]);
        assert!(!svg.contains("<b>") && !svg.contains("x\"<"), "{svg}");
    }

    #[test]
    fn every_point_is_drawn() {
        let labels: Vec<String> = (1..=30).map(|d| format!("2026-11-{d:02}")).collect();
        let svg = line_chart("趋势", &labels, &[Line { name: "浏览量", class: "s1", values: (1..=30).collect() }]);
        assert_eq!(svg.matches("<circle").count(), 30);
        assert!(svg.contains(">11-01<") && svg.contains(">11-30<"));
    }
}
