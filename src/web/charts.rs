//! Charts drawn on the server as SVG, pure: horizontal bars with their numbers as text, and lines
//! of percentages over time. Each chart is an image named by its `<title>` and described by a
//! `<desc>` holding every number; the page puts the same numbers in a table beside it.

use maud::{html, Markup};

/// One bar: its key (a category code, a department id), the label shown and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The group's key.
    pub key: String,
    /// What the bar is labelled with.
    pub label: String,
    /// Its value.
    pub value: i64,
}

/// One line: a name, a CSS class (its colour and dash) and a percentage per slot (`None`: no
/// value that month, the line breaks).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The name (legend and descriptions).
    pub name: String,
    /// `line-a` or `line-b`: solid with circles, dashed with squares.
    pub class: &'static str,
    /// Percent per slot.
    pub points: Vec<Option<f64>>,
}

const BAR_W: f64 = 480.0;
const LABEL_W: f64 = 160.0;
const ROW_H: f64 = 30.0;
const VALUE_W: f64 = 50.0;

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A horizontal bar chart titled `title` (`id` names its title and description elements); a bar's
/// length is its share of the largest value.
pub fn bars(id: &str, title: &str, bars: &[Bar]) -> Markup {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let height = (bars.len().max(1) as f64) * ROW_H + 8.0;
    let span = BAR_W - LABEL_W - VALUE_W;
    let desc = bars.iter().map(|b| format!("{} {}", b.label, b.value)).collect::<Vec<_>>().join("; ");
    html! {
        svg.chart.bars xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (BAR_W) " " (height)} role="img"
            aria-labelledby={(id) "-title " (id) "-desc"} {
            title #{(id) "-title"} { (title) }
            desc #{(id) "-desc"} { (desc) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = 4.0 + i as f64 * ROW_H;
                @let w = round1(span * b.value as f64 / max).max(if b.value > 0 { 2.0 } else { 0.0 });
                g.bar data-key=(b.key) data-value=(b.value) {
                    text.label x=(LABEL_W - 8.0) y=(y + ROW_H / 2.0) dy="0.35em" text-anchor="end" { (clip(&b.label, 10)) }
                    rect x=(LABEL_W) y=(y + 5.0) width=(w) height=(ROW_H - 10.0) rx="3" {}
                    text.value x=(LABEL_W + w + 6.0) y=(y + ROW_H / 2.0) dy="0.35em" { (b.value) }
                }
            }
        }
    }
}

/// `text` cut to `n` characters with an ellipsis (the table holds the whole name).
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(n - 1).collect::<String>())
    }
}

const LINE_W: f64 = 900.0;
const LINE_H: f64 = 260.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;

/// Lines of percentages (0–100 %) over the slots labelled `slots` (months), titled `title`.
pub fn lines(id: &str, title: &str, slots: &[String], series: &[Series]) -> Markup {
    let plot_w = LINE_W - LEFT - RIGHT;
    let plot_h = LINE_H - TOP - BOTTOM;
    let step = plot_w / slots.len().max(1) as f64;
    let x = |i: usize| round1(LEFT + step * (i as f64 + 0.5));
    let y = |p: f64| round1(TOP + plot_h * (1.0 - p.clamp(0.0, 100.0) / 100.0));
    let value = |p: Option<f64>| p.map_or_else(|| "—".to_owned(), |p| format!("{p}%"));
    let desc = series
        .iter()
        .map(|s| {
            let points: Vec<String> = slots.iter().zip(&s.points).map(|(m, p)| format!("{m} {}", value(*p))).collect();
            format!("{}: {}", s.name, points.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        svg.chart.lines xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (LINE_W) " " (LINE_H)} role="img"
            aria-labelledby={(id) "-title " (id) "-desc"} {
            title #{(id) "-title"} { (title) }
            desc #{(id) "-desc"} { (desc) }
            g.axis {
                @for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
                    line x1=(LEFT) x2=(LINE_W - RIGHT) y1=(y(tick)) y2=(y(tick)) {}
                    text x=(LEFT - 6.0) y=(y(tick)) dy="0.35em" text-anchor="end" { (tick) "%" }
                }
                @for (i, m) in slots.iter().enumerate() {
                    text x=(x(i)) y=(LINE_H - 12.0) text-anchor="middle" { (m) }
                }
            }
            @for (k, s) in series.iter().enumerate() {
                g class={"series " (s.class)} data-series=(k) {
                    path d=(line_path(&s.points, &x, &y)) {}
                    @for (i, p) in s.points.iter().enumerate() {
                        @if let Some(p) = p {
                            // Series sit a little apart so equal values stay both visible.
                            @let (cx, cy) = (x(i) + (k as f64 - 0.5) * 6.0, y(*p));
                            g.point data-slot=(slots.get(i).map_or("", String::as_str)) data-value=(p) {
                                title { (s.name) " " (slots.get(i).map_or("", String::as_str)) ": " (p) "%" }
                                @if k % 2 == 0 {
                                    circle cx=(cx) cy=(cy) r="5" {}
                                } @else {
                                    rect x=(cx - 4.5) y=(cy - 4.5) width="9" height="9" {}
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `M`/`L` through the points, starting afresh after a gap.
fn line_path(points: &[Option<f64>], x: &dyn Fn(usize) -> f64, y: &dyn Fn(f64) -> f64) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, p) in points.iter().enumerate() {
        match p {
            Some(p) => {
                d.push_str(&format!("{}{} {}", if pen_down { "L" } else { "M" }, x(i), y(*p)));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_numbers_as_text_and_data() {
        let svg = bars(
            "c",
            "按类别",
            &[
                Bar { key: "fire".into(), label: "消防安全".into(), value: 4 },
                Bar { key: "gas".into(), label: "城镇燃气".into(), value: 1 },
            ],
        )
        .into_string();
        assert!(svg.contains(r#"data-key="fire" data-value="4""#), "{svg}");
        assert!(svg.contains(">4</text>") && svg.contains(">1</text>"));
        assert!(svg.contains("<desc id=\"c-desc\">消防安全 4; 城镇燃气 1</desc>"), "{svg}");
        assert!(svg.contains(r#"width="270""#), "the largest bar spans the width: {svg}");
        assert_eq!(clip("东湖区住房和城乡建设局城市更新科", 8), "东湖区住房和城…");
        assert_eq!(clip("消防安全", 10), "消防安全");
    }

    #[test]
    fn lines_break_where_a_month_has_no_rate() {
        let svg = lines(
            "r",
            "整改率",
            &["2026-10".into(), "2026-11".into(), "2026-12".into()],
            &[Series { name: "整改率".into(), class: "line-a", points: vec![Some(50.0), None, Some(100.0)] }],
        )
        .into_string();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("整改率: 2026-10 50%, 2026-11 —, 2026-12 100%"), "{svg}");
        let d = line_path(&[Some(1.0), None, Some(2.0), Some(3.0)], &|i| i as f64, &|p| p);
        assert_eq!(d, "M0 1M2 2L3 3");
    }
}
