//! Link previews: what a page's links point at, embedded in the page.
//!
//! Hovering or focusing a citation shows the cited paragraph (with its quoted words marked);
//! a link to a meeting, person, topic or organization shows a short summary. `briefing.js`
//! reads them from one `<script type="application/json" id="briefing-previews">` block per
//! entity page, holding only what that page links to (no `fetch`, so previews work from
//! disk). The summaries are made once per build; each page only looks up its links.

use super::json::json_string_with_links;
use super::search::text_of;
use crate::markdown::{LINK_END, LINK_START};
use crate::model::{EntityRef, Kind};
use crate::resolve::Site;
use rustc_hash::FxHashMap;

/// A summary is cut to about this many characters.
pub const SUMMARY_CHARS: usize = 240;

/// Preview data of every entity, by address.
pub struct Previews {
    /// Address (`people/x/`) → JSON array `[kind, title, detail, summary]`.
    entities: FxHashMap<String, String>,
    /// Address of each article → its index.
    articles: FxHashMap<String, u32>,
}

impl Previews {
    /// Summaries of every meeting, person, topic and organization.
    pub fn new(site: &Site) -> Self {
        use rayon::prelude::*;
        let all: Vec<EntityRef> = [Kind::Meeting, Kind::Person, Kind::Topic, Kind::Organization]
            .into_iter()
            .flat_map(|kind| site.all(kind))
            .collect();
        let entities = all
            .par_iter()
            .map(|&e| (site.index.path(e), entity_json(site, e)))
            .collect();
        let articles = site
            .all(Kind::Article)
            .map(|e| (site.index.path(e), e.index))
            .collect();
        Previews { entities, articles }
    }

    /// The JSON of the previews for the links in `html` (internal links still marked), or
    /// `None` when it links to nothing with a preview. Links inside it stay marked, so the
    /// page's link finishing makes them right for where the page lives.
    pub fn for_page(&self, site: &Site, html: &str) -> Option<String> {
        // Each link once, in the order of its address.
        let mut entities: Vec<(&str, &str)> = Vec::new();
        let mut cites: Vec<(&str, (u32, u32))> = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find(LINK_START) {
            let after = &rest[start + LINK_START.len_utf8()..];
            let Some(end) = after.find(LINK_END) else {
                break;
            };
            let target = &after[..end];
            rest = &after[end..];
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            if let Some(json) = self.entities.get(path) {
                entities.push((path, json));
            } else if let (Some(&article), Some(n)) = (
                self.articles.get(path),
                fragment
                    .strip_prefix('p')
                    .and_then(|n| n.parse::<u32>().ok()),
            ) {
                cites.push((target, (article, n)));
            }
        }
        if entities.is_empty() && cites.is_empty() {
            return None;
        }
        entities.sort_unstable_by_key(|&(path, _)| path);
        entities.dedup_by_key(|&mut (path, _)| path);
        cites.sort_unstable_by_key(|&(target, _)| target);
        cites.dedup_by_key(|&mut (target, _)| target);
        let mut out = String::from("{\"e\":{");
        for (i, (path, json)) in entities.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string_with_links(&mut out, path);
            out.push(':');
            out.push_str(json);
        }
        out.push_str("},\"c\":{");
        let mut first = true;
        for (target, (article, n)) in cites {
            let Some(block) = site.bodies[article as usize]
                .blocks
                .iter()
                .find(|b| b.number == Some(n))
            else {
                continue;
            };
            if !first {
                out.push(',');
            }
            first = false;
            json_string_with_links(&mut out, target);
            out.push_str(":[");
            json_string_with_links(&mut out, &site.articles[article as usize].title);
            out.push_str(&format!(",{n},"));
            json_string_with_links(&mut out, block.html.trim());
            out.push(']');
        }
        out.push_str("}}");
        Some(out)
    }
}

fn entity_json(site: &Site, e: EntityRef) -> String {
    let i = e.index as usize;
    let (detail, summary): (Option<String>, Option<&crate::model::Markdown>) = match e.kind {
        Kind::Meeting => {
            let m = &site.meetings[i];
            (Some(m.date.value.human()), Some(&m.summary))
        }
        Kind::Person => {
            let p = &site.people[i];
            let detail = p.positions.first().map(|pos| pos.title.clone());
            let detail = match (&p.name_local, detail) {
                (Some(local), Some(d)) => Some(format!("{} · {d}", local.value)),
                (Some(local), None) => Some(local.value.clone()),
                (None, d) => d,
            };
            (detail, p.summary.as_ref())
        }
        Kind::Topic => (None, Some(&site.topics[i].summary)),
        _ => {
            let o = &site.organizations[i];
            (
                o.name_local.as_ref().map(|n| n.value.clone()),
                o.summary.as_ref(),
            )
        }
    };
    let summary = summary
        .map(|md| shorten(&text_of(site.field(md)), SUMMARY_CHARS))
        .unwrap_or_default();
    let mut out = String::from("[");
    json_string_with_links(&mut out, e.kind.noun());
    out.push(',');
    json_string_with_links(&mut out, site.index.title(e));
    out.push(',');
    json_string_with_links(&mut out, detail.as_deref().unwrap_or(""));
    out.push(',');
    json_string_with_links(&mut out, &summary);
    out.push(']');
    out
}

/// `text` cut at a word boundary near `max` characters, with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut
        .rfind(' ')
        .filter(|&i| i > cut.len() / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two three four", 10), "one two…");
        assert_eq!(shorten("一二三四五六", 3), "一二三…");
    }
}
