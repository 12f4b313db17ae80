//! Machine-read files: the Atom feeds (the site's, and one per topic, person and organization
//! that anything dated points at), the sitemap and robots.txt (the search index is in
//! [`super::search`]).
//!
//! These use full URLs from `base_url` (FORMAT.md), whatever the link style of the pages. No
//! file carries the time of the build: a feed's `updated` is the newest date in it.

use super::context::plain_text;
use super::{Output, Page, PageKind, RenderOptions};
use crate::model::{EntityRef, Kind};
use crate::resolve::Site;
use crate::sanitize::escape;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// Most entries in the site's Atom feed.
pub const FEED_ENTRIES: usize = 50;
/// Most entries in the feed of a topic, person or organization.
pub const ENTITY_FEED_ENTRIES: usize = 20;
/// Most addresses in one sitemap file.
pub const SITEMAP_LIMIT: usize = 50_000;

/// The site's feed, the sitemap and robots.txt, then the feeds of entities a few hundred at a
/// time, each group handed to `emit` as soon as it is made.
pub fn emit<E>(
    site: &Site,
    pages: &[Page],
    opts: &RenderOptions,
    emit: &mut impl FnMut(Output) -> Result<(), E>,
) -> Result<(), E> {
    let base = format!("{}/", opts.base_url.trim_end_matches('/'));
    let mut out = Output::default();
    let (atom, sitemaps) = rayon::join(|| atom(site, &base), || sitemaps(pages, &base));
    out.files.insert("atom.xml".into(), atom.into_bytes());
    for (name, body) in sitemaps {
        out.files.insert(name, body.into_bytes());
    }
    out.files.insert(
        "robots.txt".into(),
        format!("User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n").into_bytes(),
    );
    emit(out)?;
    let entities: Vec<EntityRef> = Kind::ALL
        .into_iter()
        .filter(|k| has_entity_feed(*k))
        .flat_map(|kind| site.all(kind))
        .filter(|e| has_feed(site, *e))
        .collect();
    let cache = Entries::new(site);
    for batch in entities.chunks(FEED_BATCH) {
        let files = batch
            .par_iter()
            .map(|e| {
                let path = format!("{}atom.xml", site.index.path(*e));
                (path, entity_atom(site, &base, *e, &cache).into_bytes())
            })
            .collect();
        emit(Output { files })?;
    }
    Ok(())
}

/// Entity feeds made and handed over together.
const FEED_BATCH: usize = 512;

/// The site's feed: the newest dated articles and meetings. Reads every article's and meeting's
/// title, date and summary (an article's: its source and first paragraph), and `site.toml`.
fn atom(site: &Site, base: &str) -> String {
    let mut entries: Vec<EntityRef> = site
        .all(Kind::Article)
        .chain(site.all(Kind::Meeting))
        .filter(|e| site.date(*e).is_some())
        .collect();
    newest_first(site, &mut entries, FEED_ENTRIES);
    let head = FeedHead {
        title: site.config.title.clone(),
        subtitle: Some(site.config.description.clone()).filter(|d| !d.is_empty()),
        self_path: "atom.xml".into(),
        page_path: String::new(),
    };
    feed(site, base, &head, &entries, None)
}

/// Topics, people and organizations get a feed at `<page>/atom.xml`.
pub fn has_entity_feed(kind: Kind) -> bool {
    matches!(kind, Kind::Topic | Kind::Person | Kind::Organization)
}

/// The dated articles and meetings that point at `e` (mention it, cite, list or chair it, link
/// to it), newest first, at most [`ENTITY_FEED_ENTRIES`]. Empty for kinds without a feed.
pub fn entity_feed_entries(site: &Site, e: EntityRef) -> Vec<EntityRef> {
    if !has_entity_feed(e.kind) {
        return Vec::new();
    }
    let mut entries: Vec<EntityRef> = site
        .backlinks
        .get(&e)
        .map(|list| list.as_slice())
        .into_iter()
        .flatten()
        .map(|b| b.from)
        .filter(|from| matches!(from.kind, Kind::Article | Kind::Meeting))
        .filter(|from| site.date(*from).is_some())
        .collect();
    entries.sort_unstable();
    entries.dedup();
    newest_first(site, &mut entries, ENTITY_FEED_ENTRIES);
    entries
}

/// Whether `e` has a feed of its own: a topic, person or organization that at least one dated
/// article or meeting points at (an entity nothing points at gets no empty feed).
pub fn has_feed(site: &Site, e: EntityRef) -> bool {
    has_entity_feed(e.kind)
        && site.backlinks.get(&e).is_some_and(|list| {
            list.iter().any(|b| {
                matches!(b.from.kind, Kind::Article | Kind::Meeting) && site.date(b.from).is_some()
            })
        })
}

/// Each article's and meeting's `<entry>`, made once however many feeds it is in.
pub struct Entries {
    articles: Vec<OnceLock<String>>,
    meetings: Vec<OnceLock<String>>,
}

impl Entries {
    /// An empty cache for the site's articles and meetings.
    pub fn new(site: &Site) -> Self {
        let empty = |n: usize| (0..n).map(|_| OnceLock::new()).collect();
        Entries {
            articles: empty(site.articles.len()),
            meetings: empty(site.meetings.len()),
        }
    }

    fn get(&self, site: &Site, base: &str, e: EntityRef) -> &str {
        let slot = match e.kind {
            Kind::Meeting => &self.meetings[e.index as usize],
            _ => &self.articles[e.index as usize],
        };
        slot.get_or_init(|| {
            let mut xml = String::new();
            entry(site, base, e, &mut xml);
            xml
        })
    }
}

/// The feed of one topic, person or organization, at `<page>/atom.xml`. Reads the entity's
/// title and backlinks, and the title, date and summary of each article and meeting in them.
pub fn entity_atom(site: &Site, base: &str, e: EntityRef, cache: &Entries) -> String {
    let entries = entity_feed_entries(site, e);
    let page_path = site.index.path(e);
    let head = FeedHead {
        title: format!("{} · {}", site.index.title(e), site.config.title),
        subtitle: Some(format!(
            "Articles and meetings about this {} in {}",
            e.kind.noun(),
            site.config.title
        )),
        self_path: format!("{page_path}atom.xml"),
        page_path,
    };
    feed(site, base, &head, &entries, Some(cache))
}

/// Sort newest first (ties: articles before meetings, then by id) and keep the first `keep`.
fn newest_first(site: &Site, entries: &mut Vec<EntityRef>, keep: usize) {
    first_in_order(entries, keep, |a, b| {
        site.date(*b)
            .cmp(&site.date(*a))
            .then(a.kind.cmp(&b.kind))
            .then(a.index.cmp(&b.index))
    });
}

/// Keep the first `keep` of `items` in `order`, sorted: the same as sorting them all and
/// cutting, but the first `keep` are picked before they are sorted, so a long list costs no
/// full sort. `order` must be total (no two items equal).
fn first_in_order<T>(
    items: &mut Vec<T>,
    keep: usize,
    mut order: impl FnMut(&T, &T) -> std::cmp::Ordering,
) {
    if keep == 0 {
        items.clear();
        return;
    }
    if items.len() > keep {
        items.select_nth_unstable_by(keep - 1, &mut order);
        items.truncate(keep);
    }
    items.sort_by(order);
}

/// What a feed says about itself.
struct FeedHead {
    title: String,
    subtitle: Option<String>,
    /// The feed's own address, relative to the site root.
    self_path: String,
    /// The page it is the feed of (its `id` and `alternate` link).
    page_path: String,
}

/// An Atom document (RFC 4287) of `entries`, already sorted and cut.
fn feed(
    site: &Site,
    base: &str,
    head: &FeedHead,
    entries: &[EntityRef],
    cache: Option<&Entries>,
) -> String {
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
        escape(&head.title)
    );
    if let Some(subtitle) = &head.subtitle {
        let _ = writeln!(xml, "  <subtitle>{}</subtitle>", escape(subtitle));
    }
    let _ = write!(
        xml,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{b}{s}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{b}{p}\"/>\n  <id>{b}{p}</id>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n",
        escape(&site.config.title),
        b = escape(base),
        s = escape(&head.self_path),
        p = escape(&head.page_path),
    );
    for e in entries {
        match cache {
            Some(cache) => xml.push_str(cache.get(site, base, *e)),
            None => entry(site, base, *e, &mut xml),
        }
    }
    xml.push_str("</feed>\n");
    xml
}

fn entry(site: &Site, base: &str, e: EntityRef, xml: &mut String) {
    let url = format!("{base}{}", site.index.path(e));
    let date = site.date(e).map(|d| d.rfc3339()).unwrap_or_default();
    let summary = match e.kind {
        Kind::Meeting => plain_text(site.field(&site.meetings[e.index as usize].summary)),
        _ => {
            let a = &site.articles[e.index as usize];
            let first = site.bodies[e.index as usize]
                .paragraphs
                .first()
                .map(String::as_str)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_in_order_are_those_of_a_full_sort() {
        // A scrambled list with repeated keys, ordered by key then by position (total).
        let items: Vec<(u32, usize)> = (0..300).map(|i| ((i * 7919 % 101) as u32, i)).collect();
        let order = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        for keep in [0, 1, 2, 20, 299, 300, 301] {
            let mut all = items.clone();
            all.sort_by(order);
            all.truncate(keep);
            let mut picked = items.clone();
            first_in_order(&mut picked, keep, order);
            assert_eq!(picked, all, "keep {keep}");
        }
    }
}
