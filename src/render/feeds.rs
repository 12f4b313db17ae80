//! Machine-read files: the Atom feed, the sitemap and robots.txt (the search index is in
//! [`super::search`]).
//!
//! These use full URLs from `base_url` (FORMAT.md), whatever the link style of the pages. No
//! file carries the time of the build: a feed's `updated` is the newest date in it.

use super::context::plain_text;
use super::{Output, Page, PageKind, RenderOptions, sorted};
use crate::model::{EntityRef, Kind};
use crate::resolve::Site;
use crate::sanitize::escape;
use std::fmt::Write as _;

/// Most entries in the Atom feed.
pub const FEED_ENTRIES: usize = 50;
/// Most addresses in one sitemap file.
pub const SITEMAP_LIMIT: usize = 50_000;

/// Add the feed, sitemap, robots.txt and search index to the output.
pub fn add(site: &Site, pages: &[Page], opts: &RenderOptions, out: &mut Output) {
    let base = format!("{}/", opts.base_url.trim_end_matches('/'));
    out.files
        .insert("atom.xml".into(), atom(site, &base).into_bytes());
    for (name, body) in sitemaps(pages, &base) {
        out.files.insert(name, body.into_bytes());
    }
    out.files.insert(
        "robots.txt".into(),
        format!("User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n").into_bytes(),
    );
}

fn atom(site: &Site, base: &str) -> String {
    let mut entries: Vec<EntityRef> = sorted(site, Kind::Article)
        .into_iter()
        .chain(sorted(site, Kind::Meeting))
        .filter(|e| site.date(*e).is_some())
        .collect();
    entries.sort_by(|a, b| {
        site.date(*b)
            .cmp(&site.date(*a))
            .then(a.kind.cmp(&b.kind))
            .then(a.index.cmp(&b.index))
    });
    entries.truncate(FEED_ENTRIES);
    let updated = entries
        .first()
        .and_then(|e| site.date(*e))
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut xml = String::new();
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n",
        escape(&site.config.language),
        escape(&site.config.title)
    );
    if !site.config.description.is_empty() {
        let _ = writeln!(
            xml,
            "  <subtitle>{}</subtitle>",
            escape(&site.config.description)
        );
    }
    let _ = write!(
        xml,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{b}atom.xml\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{b}\"/>\n  <id>{b}</id>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n",
        escape(&site.config.title),
        b = escape(base),
    );
    for e in entries {
        let url = format!("{base}{}", site.index.path(e));
        let date = site.date(e).map(|d| d.rfc3339()).unwrap_or_default();
        let summary = match e.kind {
            Kind::Meeting => plain_text(site.field(&site.meetings[e.index as usize].summary)),
            _ => {
                let a = &site.articles[e.index as usize];
                let first = site.bodies[e.index as usize]
                    .paragraphs
                    .first()
                    .cloned()
                    .unwrap_or_default();
                format!("{}. {}", a.source, first)
            }
        };
        let _ = write!(
            xml,
            "  <entry>\n    <title>{}</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{u}\"/>\n    <id>{u}</id>\n    <updated>{date}</updated>\n    <category term=\"{}\"/>\n    <summary>{}</summary>\n  </entry>\n",
            escape(site.index.title(e)),
            e.kind.noun(),
            escape(&summary),
            u = escape(&url),
        );
    }
    xml.push_str("</feed>\n");
    xml
}

fn sitemaps(pages: &[Page], base: &str) -> Vec<(String, String)> {
    let urls: Vec<String> = pages
        .iter()
        .filter(|p| p.kind != PageKind::NotFound)
        .map(|p| format!("{base}{}", p.path))
        .collect();
    let urlset = |urls: &[String]| {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for u in urls {
            let _ = writeln!(xml, "  <url><loc>{}</loc></url>", escape(u));
        }
        xml.push_str("</urlset>\n");
        xml
    };
    if urls.len() <= SITEMAP_LIMIT {
        return vec![("sitemap.xml".into(), urlset(&urls))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in urls.chunks(SITEMAP_LIMIT).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        let _ = writeln!(
            index,
            "  <sitemap><loc>{}</loc></sitemap>",
            escape(&format!("{base}{name}"))
        );
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("sitemap.xml".into(), index));
    files
}
