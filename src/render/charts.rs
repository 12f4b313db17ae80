//! Charts drawn at build time as inline SVG: no script, no external resource.
//!
//! Three pictures, each where it says more than a list: the meetings of each year (meetings
//! index and home), a person's positions over time (person page) and a topic's targets against
//! their deadlines (topic page). Each is a string of SVG handed to templates, with
//! `role="img"`, a `<title>` and a `<desc>` that says in words what it shows; the page keeps
//! the full text beside it (the list of meetings, of positions, the table of targets). Colours
//! come from the theme's CSS variables through classes, with `currentColor` as the fallback, so
//! a chart follows dark mode and prints. Every text is escaped.
//!
//! What each reads: the timeline, the date of every meeting; the positions chart, the person's
//! positions; the targets chart, the topic's targets and the publication date of each article
//! a target cites (the date the target was stated).

use super::context::plain_text;
use crate::model::{Date, Kind, Person, Topic};
use crate::resolve::Site;
use crate::sanitize::escape;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Width of every chart's drawing, in SVG units (it scales to its box).
const WIDTH: f64 = 640.0;
/// Left margin of the time axis.
const LEFT: f64 = 16.0;
/// Right margin of the time axis.
const RIGHT: f64 = 16.0;

/// A time axis: whole years from `start` to `end` (exclusive) across the chart.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Axis {
    start: i32,
    end: i32,
}

impl Axis {
    /// The years needed to show every point in `times` (fractional years), at least one.
    fn covering(times: impl IntoIterator<Item = f64>) -> Option<Axis> {
        let mut min = f64::INFINITY;
        let mut max = f64::NEG_INFINITY;
        for t in times {
            min = min.min(t);
            max = max.max(t);
        }
        if !min.is_finite() {
            return None;
        }
        let start = min.floor() as i32;
        let end = (max.floor() as i32 + 1).max(start + 1);
        Some(Axis { start, end })
    }

    /// Horizontal position of time `t` (fractional year).
    fn x(&self, t: f64) -> f64 {
        let span = f64::from(self.end - self.start);
        LEFT + (t - f64::from(self.start)) / span * (WIDTH - LEFT - RIGHT)
    }

    /// Years that get a tick: every year, or every 2nd, 5th, 10th… so at most 12 show.
    fn ticks(&self) -> Vec<i32> {
        let span = self.end - self.start;
        let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
            .into_iter()
            .find(|s| span / s <= 12)
            .unwrap_or(span.max(1));
        (self.start..=self.end)
            .filter(|y| (y - self.start) % step == 0 || *y == self.end)
            .collect()
    }
}

/// The start of a date's period as a fractional year.
fn start_of(d: Date) -> f64 {
    let (y, m, day) = d.sort_key();
    f64::from(y) + (f64::from(m) - 1.0) / 12.0 + (f64::from(day) - 1.0) / 372.0
}

/// The end of a date's period (`2020` ends at 2021.0, `2020-08` at the start of September).
fn end_of(d: Date) -> f64 {
    match (d.month, d.day) {
        (Some(m), Some(day)) => {
            f64::from(d.year) + (f64::from(m) - 1.0) / 12.0 + f64::from(day) / 372.0
        }
        (Some(m), None) => f64::from(d.year) + f64::from(m) / 12.0,
        _ => f64::from(d.year + 1),
    }
}

/// Round to one decimal for compact, stable output.
fn r(v: f64) -> String {
    let v = (v * 10.0).round() / 10.0;
    if v == v.trunc() {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// The opening of a chart: `<svg>` with its title and description.
fn open(id: &str, height: f64, title: &str, desc: &str) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc),
        w = r(WIDTH),
        h = r(height),
    );
    svg
}

/// The axis line and its year ticks at height `y`.
fn axis_marks(svg: &mut String, axis: &Axis, y: f64) {
    let _ = write!(
        svg,
        "<g class=\"chart-axis\" aria-hidden=\"true\"><line x1=\"{}\" y1=\"{y0}\" x2=\"{}\" y2=\"{y0}\" stroke=\"currentColor\"/>",
        r(LEFT),
        r(WIDTH - RIGHT),
        y0 = r(y),
    );
    for year in axis.ticks() {
        let x = axis.x(f64::from(year));
        let anchor = if year == axis.end { "end" } else { "start" };
        let _ = write!(
            svg,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"currentColor\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"currentColor\">{year}</text>",
            r(y),
            r(y + 5.0),
            r(y + 18.0),
            x = r(x),
        );
    }
    svg.push_str("</g>");
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Meetings per year, as columns: `None` when there are no meetings.
pub fn meetings_timeline(site: &Site) -> Option<String> {
    let mut years: BTreeMap<i32, usize> = BTreeMap::new();
    for e in site.all(Kind::Meeting) {
        if let Some(d) = site.date(e) {
            *years.entry(d.year).or_default() += 1;
        }
    }
    timeline(&years)
}

/// Columns of counts by year (every year from the first to the last, empty ones included).
fn timeline(years: &BTreeMap<i32, usize>) -> Option<String> {
    let (&first, _) = years.first_key_value()?;
    let (&last, _) = years.last_key_value()?;
    let max = years.values().copied().max().unwrap_or(1).max(1);
    let total: usize = years.values().sum();
    let count = (last - first + 1) as usize;
    let plot = 120.0;
    let top = 18.0;
    let height = top + plot + 24.0;
    let slot = (WIDTH - LEFT - RIGHT) / count as f64;
    let bar = (slot * 0.7).min(48.0);
    let desc = format!(
        "{} from {first} to {last}: {}.",
        plural(total, "meeting", "meetings"),
        years
            .iter()
            .map(|(y, n)| format!("{y}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut svg = open("chart-meetings", height, "Meetings by year", &desc);
    // Label every year when they fit, else every 2nd, 5th, … year.
    let label_every = [1usize, 2, 5, 10, 20, 50, 100]
        .into_iter()
        .find(|s| count / s <= 16)
        .unwrap_or(count);
    for (i, year) in (first..=last).enumerate() {
        let n = years.get(&year).copied().unwrap_or(0);
        let h = plot * n as f64 / max as f64;
        let cx = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(
            svg,
            "<g class=\"chart-year\"><title>{year}: {}</title>",
            plural(n, "meeting", "meetings")
        );
        if n > 0 {
            let _ = write!(
                svg,
                "<rect class=\"chart-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"currentColor\"/><text class=\"chart-value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"currentColor\">{n}</text>",
                r(cx - bar / 2.0),
                r(top + plot - h),
                r(bar),
                r(h),
                r(cx),
                r(top + plot - h - 4.0),
            );
        }
        if i % label_every == 0 || year == last {
            let _ = write!(
                svg,
                "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"currentColor\">{year}</text>",
                r(cx),
                r(top + plot + 18.0),
            );
        }
        svg.push_str("</g>");
    }
    let _ = write!(
        svg,
        "<line class=\"chart-axis\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"currentColor\" aria-hidden=\"true\"/></svg>",
        r(LEFT),
        r(WIDTH - RIGHT),
        y = r(top + plot),
    );
    Some(svg)
}

/// One row of a chart over time: a label, and a span or a point.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    label: String,
    /// Start of the bar (none: a point at `end`).
    start: Option<f64>,
    /// End of the bar, or the point.
    end: f64,
    /// The end is not known: the bar runs on, drawn open.
    open_end: bool,
    /// A dot at `end` (a deadline, or a date with no span).
    dot: bool,
    /// What the row says in words.
    words: String,
}

/// A person's positions as bars over time: `None` when no position has a date.
pub fn positions_chart(person: &Person) -> Option<String> {
    let mut positions: Vec<_> = person
        .positions
        .iter()
        .filter(|p| p.from.is_some() || p.to.is_some() || p.as_of.is_some())
        .collect();
    positions.sort_by_key(|p| {
        p.from
            .as_ref()
            .or(p.as_of.as_ref())
            .or(p.to.as_ref())
            .map(|d| d.value)
    });
    let latest = person
        .positions
        .iter()
        .flat_map(|p| [&p.from, &p.to, &p.as_of])
        .flatten()
        .map(|d| end_of(d.value))
        .fold(f64::NEG_INFINITY, f64::max);
    let rows: Vec<Row> = positions
        .into_iter()
        .map(|p| {
            let from = p.from.as_ref().map(|d| d.value);
            let to = p.to.as_ref().map(|d| d.value);
            let as_of = p.as_of.as_ref().map(|d| d.value);
            let mut words = p.title.clone();
            if let Some(f) = from {
                let _ = write!(words, ", from {}", f.human());
            }
            match to {
                Some(t) => {
                    let _ = write!(words, " to {}", t.human());
                }
                None if from.is_some() => words.push_str(", end not known"),
                None => {}
            }
            if let Some(a) = as_of {
                let _ = write!(words, ", held as of {}", a.human());
            }
            let (start, end, open_end) = match (from, to, as_of) {
                (Some(f), Some(t), _) => (Some(start_of(f)), end_of(t), false),
                (Some(f), None, _) => (Some(start_of(f)), latest.max(end_of(f)), true),
                (None, Some(t), _) => (None, end_of(t), false),
                (None, None, Some(a)) => (None, start_of(a), false),
                (None, None, None) => (None, latest, false),
            };
            Row {
                label: p.title.clone(),
                dot: start.is_none(),
                start,
                end,
                open_end,
                words,
            }
        })
        .collect();
    let desc = rows
        .iter()
        .map(|row| row.words.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    rows_chart(
        "chart-positions",
        &format!("Positions of {} over time", person.name.value),
        &format!("{desc}."),
        &rows,
    )
}

/// A topic's targets as bars from when each was stated (its cited article's date) to its
/// deadline: `None` when no target has a deadline.
pub fn targets_chart(site: &Site, topic: &Topic) -> Option<String> {
    let mut rows: Vec<Row> = topic
        .targets
        .iter()
        .filter_map(|t| {
            let due = t.due.as_ref()?.value;
            let stated = t
                .evidence
                .source
                .as_ref()
                .and_then(|c| site.cite(c))
                .and_then(|c| site.articles[c.article as usize].published.as_ref())
                .map(|d| d.value);
            let label = plain_text(site.field(&t.text));
            let mut words = format!("{label}: due {}", due.human());
            if let Some(s) = stated {
                let _ = write!(words, ", stated {}", s.human());
            }
            Some(Row {
                start: stated.map(start_of).filter(|s| *s < end_of(due)),
                end: end_of(due),
                open_end: false,
                dot: true,
                label: format!("{label} (due {})", due.human()),
                words,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.end.total_cmp(&b.end));
    let desc = rows
        .iter()
        .map(|row| row.words.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    rows_chart(
        "chart-targets",
        &format!("Targets of {} and their deadlines", topic.title.value),
        &format!("{desc}."),
        &rows,
    )
}

/// Rows of bars and points on a shared time axis, each with its label above it.
fn rows_chart(id: &str, title: &str, desc: &str, rows: &[Row]) -> Option<String> {
    let axis = Axis::covering(
        rows.iter()
            .flat_map(|row| row.start.into_iter().chain([row.end])),
    )?;
    let row_height = 38.0;
    let top = 8.0;
    let height = top + row_height * rows.len() as f64 + 28.0;
    let mut svg = open(id, height, title, desc);
    for (i, row) in rows.iter().enumerate() {
        let y = top + row_height * i as f64;
        let _ = write!(
            svg,
            "<g class=\"chart-row\"><title>{}</title>",
            escape(&row.words)
        );
        let label_x = row.start.map_or(axis.x(row.end), |s| axis.x(s));
        let anchor = if label_x > WIDTH / 2.0 {
            "end"
        } else {
            "start"
        };
        let label_x = if anchor == "end" {
            axis.x(row.end).max(label_x)
        } else {
            label_x
        };
        let _ = write!(
            svg,
            "<text class=\"chart-label\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"currentColor\">{}</text>",
            r(label_x),
            r(y + 13.0),
            escape(&row.label),
        );
        let bar_y = y + 18.0;
        if let Some(start) = row.start {
            {
                let class = if row.open_end {
                    "chart-bar chart-open"
                } else {
                    "chart-bar"
                };
                let _ = write!(
                    svg,
                    "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" rx=\"2\" fill=\"currentColor\"/>",
                    r(axis.x(start)),
                    r(bar_y),
                    r((axis.x(row.end) - axis.x(start)).max(2.0)),
                );
                if row.open_end {
                    // An arrowhead: the post runs on past what the sources show.
                    let x = axis.x(row.end);
                    let _ = write!(
                        svg,
                        "<path class=\"chart-bar\" d=\"M{} {}L{} {}L{} {}Z\" fill=\"currentColor\"/>",
                        r(x),
                        r(bar_y - 3.0),
                        r(x + 8.0),
                        r(bar_y + 6.0),
                        r(x),
                        r(bar_y + 15.0),
                    );
                }
            }
        }
        if row.dot {
            let _ = write!(
                svg,
                "<circle class=\"chart-point\" cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"currentColor\"/>",
                r(axis.x(row.end)),
                r(bar_y + 6.0),
            );
        }
        svg.push_str("</g>");
    }
    axis_marks(&mut svg, &axis, top + row_height * rows.len() as f64 + 4.0);
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn periods_start_and_end_where_their_precision_says() {
        assert_eq!(start_of(date("2020")), 2020.0);
        assert_eq!(end_of(date("2020")), 2021.0);
        assert_eq!(start_of(date("2020-07")), 2020.5);
        assert_eq!(end_of(date("2020-06")), 2020.5);
        assert!(start_of(date("2020-07-02")) > 2020.5);
        assert!(end_of(date("2020-12-31")) <= 2021.0);
    }

    #[test]
    fn the_axis_covers_every_point_in_whole_years() {
        let axis = Axis::covering([2017.0, 2020.66, 2022.9]).unwrap();
        assert_eq!(
            axis,
            Axis {
                start: 2017,
                end: 2023
            }
        );
        assert_eq!(axis.x(2017.0), LEFT);
        assert_eq!(axis.x(2023.0), WIDTH - RIGHT);
        assert!(axis.x(2020.0) < axis.x(2020.5));
        assert_eq!(axis.ticks(), (2017..=2023).collect::<Vec<_>>());
        // A single point still gets a year of axis; nothing gets none.
        assert_eq!(
            Axis::covering([2024.0]),
            Some(Axis {
                start: 2024,
                end: 2025
            })
        );
        assert_eq!(Axis::covering([]), None);
        // Long spans thin their ticks out.
        let long = Axis {
            start: 1950,
            end: 2025,
        };
        assert!(long.ticks().len() <= 13, "{:?}", long.ticks());
        assert_eq!(long.ticks()[0], 1950);
    }

    #[test]
    fn the_timeline_has_a_column_per_year_scaled_to_the_busiest() {
        let years = BTreeMap::from([(2021, 1), (2023, 4)]);
        let svg = timeline(&years).unwrap();
        assert!(svg.starts_with("<svg class=\"chart\" id=\"chart-meetings\" role=\"img\""));
        assert!(svg.contains("<title id=\"chart-meetings-title\">Meetings by year</title>"));
        assert!(svg.contains("5 meetings from 2021 to 2023: 2021: 1, 2023: 4."));
        // 2022 is shown as a year with none, and the busiest year fills the plot.
        assert!(svg.contains("<title>2022: 0 meetings</title>"));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("height=\"120\""));
        assert!(svg.contains("height=\"30\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(timeline(&BTreeMap::new()), None);
    }

    #[test]
    fn rows_escape_their_text_and_draw_open_ends() {
        let rows = vec![
            Row {
                label: "<script>alert(1)</script> & \"co\"".into(),
                start: Some(2018.0),
                end: 2020.0,
                open_end: true,
                dot: false,
                words: "a <b> & c".into(),
            },
            Row {
                label: "point".into(),
                start: None,
                end: 2019.5,
                open_end: false,
                dot: true,
                words: "p".into(),
            },
        ];
        let svg = rows_chart("c", "T <1>", "D & d", &rows).unwrap();
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"));
        assert!(svg.contains("<title id=\"c-title\">T &lt;1&gt;</title>"));
        assert!(svg.contains("<desc id=\"c-desc\">D &amp; d</desc>"));
        assert!(svg.contains("chart-bar chart-open"));
        assert_eq!(svg.matches("<rect").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 1);
        // The bar runs from 2018 to 2020 on an axis of 2018–2021.
        let axis = Axis {
            start: 2018,
            end: 2021,
        };
        let width = axis.x(2020.0) - axis.x(2018.0);
        assert!(
            svg.contains(&format!(
                "x=\"{}\" y=\"26\" width=\"{}\"",
                r(LEFT),
                r(width)
            )),
            "{svg}"
        );
    }
}
