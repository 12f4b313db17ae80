//! Rendering: a resolved [`Site`] in, every output file as bytes in memory out.
//!
//! One table lists the pages (home, each entity, each collection index and year, search, not
//! found); each is rendered in parallel from its own small context with the theme's Tera
//! templates, its internal links finished for where it lives. Feeds, the sitemap, robots.txt,
//! the search index, `data.json` and static files are added beside them, each a function of
//! the [`Site`] alone (its doc says what it reads). Nothing is written here.

pub mod charts;
pub mod context;
pub mod data;
pub mod feeds;
pub mod json;
pub mod links;
pub mod previews;
pub mod search;
pub mod theme;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{EntityRef, Kind};
use crate::resolve::Site;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use context::{Cx, obj, to_value, with};
use context::{link, list_item};
use links::{LinkStyle, internal};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use tera::Value;
use theme::Theme;

/// A collection index lists at most this many entries before it splits into year pages.
pub const YEAR_PAGE_THRESHOLD: usize = 1000;

/// Every file of the output: path relative to the output folder → bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    /// Files by path (`people/x/index.html`).
    pub files: BTreeMap<String, Vec<u8>>,
}

/// How to render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// `base_url` in effect (site.toml or `--base-url`).
    pub base_url: String,
    /// Relative links for a folder opened from disk.
    pub offline: bool,
    /// HTML inserted before `</body>` of every page (the live-reload script of `serve`).
    pub inject: Option<String>,
}

/// The theme's templates, compiled, and which file each came from.
pub struct Templates {
    tera: tera::Tera,
    files: HashMap<String, FileId>,
}

/// What a page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageKind {
    /// `/`
    Home,
    /// An entity's own page.
    Entity(EntityRef),
    /// A collection index.
    List(Kind),
    /// One year of a large collection.
    Year(Kind, i32),
    /// `/search/`
    Search,
    /// `/404.html`
    NotFound,
}

/// One page of the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// What it is.
    pub kind: PageKind,
    /// Its address relative to the site root (`people/x/`; `` for home; `404.html`).
    pub path: String,
}

impl Page {
    /// Whether it is written to `file` (the same as `self.file() == file`, without making it).
    pub fn is_written_to(&self, file: &str) -> bool {
        let folder = self.path.is_empty() || self.path.ends_with('/');
        match file.strip_prefix(self.path.as_str()) {
            Some("") => !folder,
            Some("index.html") => folder,
            _ => false,
        }
    }

    /// The file it is written to.
    pub fn file(&self) -> String {
        if self.path.is_empty() || self.path.ends_with('/') {
            format!("{}index.html", self.path)
        } else {
            self.path.clone()
        }
    }

    fn template(&self) -> &'static str {
        match self.kind {
            PageKind::Home => "index.html",
            PageKind::Entity(e) => match e.kind {
                Kind::Article => "article.html",
                Kind::Meeting => "meeting.html",
                Kind::Person => "person.html",
                Kind::Topic => "topic.html",
                Kind::Organization => "organization.html",
            },
            PageKind::List(_) | PageKind::Year(..) => "list.html",
            PageKind::Search => "search.html",
            PageKind::NotFound => "404.html",
        }
    }
}

/// Compile the theme's templates; their files are added to `sources` for error positions.
pub fn compile(
    theme: &Theme,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Templates> {
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html", ".xml"]);
    let mut files = HashMap::new();
    for (name, (shown, text)) in &theme.templates {
        let id = sources.add(SourceFile::new(
            shown.clone(),
            Default::default(),
            text.clone(),
        ));
        files.insert(name.clone(), id);
    }
    for name in theme::TEMPLATES {
        if !theme.templates.contains_key(*name) {
            let id = sources.add(SourceFile::new(
                format!("templates/{name}"),
                Default::default(),
                String::new(),
            ));
            diags.error(
                Span::file_start(id),
                format!("the theme has no template `{name}`"),
            );
        }
    }
    let all = theme
        .templates
        .iter()
        .map(|(name, (_, text))| (name.as_str(), text.as_str()));
    let ok = match tera.add_raw_templates(all) {
        Ok(()) => true,
        Err(e) => {
            diags.push(template_error(&e, &files, sources, "base.html"));
            false
        }
    };
    if !ok || diags.has_errors() {
        return None;
    }
    Some(Templates { tera, files })
}

/// A Tera error as a diagnostic at its place in the template.
fn template_error(
    err: &tera::Error,
    files: &HashMap<String, FileId>,
    sources: &SourceMap,
    fallback: &str,
) -> Diagnostic {
    let (name, range, message) = match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => (
            report.filename().to_string(),
            Some(report.span().range.clone()),
            report.message().to_string(),
        ),
        _ => (fallback.to_string(), None, err.to_string()),
    };
    let file = files
        .get(&name)
        .or_else(|| files.get(fallback))
        .copied()
        .unwrap_or(FileId(0));
    let start = range
        .map(|r| r.start.min(sources.get(file).text.len()))
        .unwrap_or(0);
    let mut text = message;
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    Diagnostic::error(
        Span::new(file, start, start),
        format!("template: {}", text.lines().next().unwrap_or("")),
    )
}

/// Every page of the site, in a stable order.
pub fn pages(site: &Site) -> Vec<Page> {
    let mut pages = vec![Page {
        kind: PageKind::Home,
        path: String::new(),
    }];
    for kind in Kind::ALL {
        pages.push(Page {
            kind: PageKind::List(kind),
            path: format!("{}/", kind.folder()),
        });
        for year in year_pages(site, kind) {
            pages.push(Page {
                kind: PageKind::Year(kind, year),
                path: format!("{}/{year}/", kind.folder()),
            });
        }
        for e in site.all(kind) {
            pages.push(Page {
                kind: PageKind::Entity(e),
                path: site.index.path(e),
            });
        }
    }
    pages.push(Page {
        kind: PageKind::Search,
        path: "search/".into(),
    });
    pages.push(Page {
        kind: PageKind::NotFound,
        path: "404.html".into(),
    });
    pages
}

/// Years that get a page of their own (only when the collection index would be too long).
pub fn year_pages(site: &Site, kind: Kind) -> Vec<i32> {
    if !matches!(kind, Kind::Article | Kind::Meeting)
        || site.index.count(kind) <= YEAR_PAGE_THRESHOLD
    {
        return Vec::new();
    }
    let mut years: Vec<i32> = site
        .all(kind)
        .filter_map(|e| site.date(e))
        .map(|d| d.year)
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

/// Render every page and file of the site.
pub fn render(
    site: &Site,
    templates: &Templates,
    theme: &Theme,
    opts: &RenderOptions,
    diags: &mut Diagnostics,
) -> Option<Output> {
    let mut timer = crate::Timer::new();
    let pages = pages(site);
    let renderer = PageRenderer::new(site, templates, opts);
    let results: Vec<Result<(String, Vec<u8>), Diagnostic>> = pages
        .par_iter()
        .map(|page| {
            renderer
                .render(page)
                .map(|html| (page.file(), html.into_bytes()))
        })
        .collect();
    let mut output = Output::default();
    for result in results {
        match result {
            Ok((path, bytes)) => {
                output.files.insert(path, bytes);
            }
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        return None;
    }
    timer.lap("render: pages");
    for (path, bytes) in site_files(site, &pages, theme, opts).files {
        // A generated page wins over a static file at the same address.
        output.files.entry(path).or_insert(bytes);
    }
    timer.lap("render: feeds, sitemap, search index, data.json");
    Some(output)
}

/// Every file of the site that is not a page: static files, `syntax.css`, feeds, the sitemap,
/// robots.txt, `data.json` and the search index. Reads the whole site.
pub fn site_files(site: &Site, pages: &[Page], theme: &Theme, opts: &RenderOptions) -> Output {
    let search = search::build(site);
    let statics = static_files(site, theme, pages, &search);
    let mut output = Output::default();
    output.files.extend(search.into_files());
    let made = emit_site_files(site, pages, opts, statics, &mut |made: Made| {
        match made {
            Made::Files(group) => output.files.extend(group.files),
            Made::Parts(path, parts) => {
                output.files.insert(path, parts.concat());
            }
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = made;
    output
}

/// The static files to write: the theme's, and `syntax.css` when highlighting is styled by
/// classes, less those at the address of a page or of a file of `search`.
pub fn static_files(site: &Site, theme: &Theme, pages: &[Page], search: &search::Index) -> Output {
    let mut statics = Output::default();
    for (path, bytes) in &theme.statics {
        statics.files.insert(path.clone(), bytes.clone());
    }
    if site.config.markdown.highlight_theme == "css" {
        statics
            .files
            .insert("syntax.css".into(), crate::highlight::css().into_bytes());
    }
    statics.files.retain(|path, _| {
        !(pages.iter().any(|page| page.is_written_to(path))
            || search.files.iter().any(|(file, _)| file == path)
            || search.chunks.has_path(path))
    });
    statics
}

/// Files made by [`emit_site_files`].
pub enum Made {
    /// Whole files.
    Files(Output),
    /// One file in parts, to be joined (in memory) or written one after the other (a build).
    Parts(String, Vec<Vec<u8>>),
}

/// The files that are not pages nor the search index, made in groups one after another (each
/// group's work in parallel), each handed to `emit` as soon as it is made, so that a build can
/// write a group and let it go before making the next: the feeds with the sitemap and
/// robots.txt, `data.json` (in parts), then `statics` (see [`static_files`]), less any at the
/// address of a generated file. Reads an article's first paragraph, not the others.
pub fn emit_site_files<E>(
    site: &Site,
    pages: &[Page],
    opts: &RenderOptions,
    mut statics: Output,
    emit: &mut impl FnMut(Made) -> Result<(), E>,
) -> Result<(), E> {
    let mut emit_group = |group: Output| {
        statics
            .files
            .retain(|path, _| !group.files.contains_key(path));
        emit(Made::Files(group))
    };
    feeds::emit(site, pages, opts, &mut emit_group)?;
    let data_json = data::data_json(site, &opts.base_url);
    statics.files.remove("data.json");
    emit(Made::Parts("data.json".to_string(), data_json))?;
    emit(Made::Files(statics))
}

/// Renders the pages of one site, each on its own, in any order and from any thread.
pub struct PageRenderer<'a> {
    cx: Cx<'a>,
    templates: &'a Templates,
    shared: SharedContext,
    style: LinkStyle,
    opts: &'a RenderOptions,
}

impl<'a> PageRenderer<'a> {
    /// Ready to render pages of `site`.
    pub fn new(site: &'a Site, templates: &'a Templates, opts: &'a RenderOptions) -> Self {
        PageRenderer {
            cx: Cx::new(site),
            templates,
            shared: SharedContext::new(site, opts),
            style: LinkStyle {
                base_path: crate::load::config::base_path_of(&opts.base_url),
                offline: opts.offline,
            },
            opts,
        }
    }

    /// The values made for the pages, without the site (at 100,000 articles a million small
    /// allocations, to be let go where the caller need not wait).
    pub fn into_made(self) -> impl Send + 'static {
        (self.cx.into_made(), self.shared)
    }

    /// The HTML of one page; a template error as a diagnostic at its place in the template.
    pub fn render(&self, page: &Page) -> Result<String, Diagnostic> {
        render_page(
            &self.cx,
            self.templates,
            &self.shared,
            &self.style,
            self.opts,
            page,
        )
    }
}

/// Variables every page shares, computed once.
struct SharedContext {
    site: tera::Value,
    previews: previews::Previews,
}

impl SharedContext {
    fn new(site: &Site, opts: &RenderOptions) -> Self {
        let c = &site.config;
        let nav: Vec<Value> = [Kind::Meeting, Kind::Topic, Kind::Person, Kind::Organization, Kind::Article]
            .iter()
            .map(|k| obj!( "title": collection_title(*k), "url": internal(&format!("{}/", k.folder())), "kind": k.folder(), "count": site.index.count(*k) ))
            .collect();
        let extra = Value::from_serializable(&c.extra);
        SharedContext {
            previews: previews::Previews::new(site),
            site: obj!(
                "title": &c.title,
                "description": &c.description,
                "language": &c.language,
                "base_url": &opts.base_url,
                "extra": extra,
                "nav": nav,
                "home_url": internal(""),
                "search_url": internal("search/"),
                "feed_url": internal("atom.xml"),
                "feed_permalink": format!("{}/atom.xml", opts.base_url.trim_end_matches('/')),
                "offline": opts.offline,
                "syntax_css": site.config.markdown.highlight_theme == "css",
            ),
        }
    }
}

/// Heading of a collection index.
pub fn collection_title(kind: Kind) -> &'static str {
    match kind {
        Kind::Article => "Articles",
        Kind::Meeting => "Meetings",
        Kind::Person => "People",
        Kind::Topic => "Topics",
        Kind::Organization => "Organizations",
    }
}

fn render_page(
    site: &Cx,
    templates: &Templates,
    shared: &SharedContext,
    style: &LinkStyle,
    opts: &RenderOptions,
    page: &Page,
) -> Result<String, Diagnostic> {
    let mut ctx = tera::Context::new();
    ctx.insert_value("site", shared.site.clone());
    let (title, lang, vars) = page_vars(site, page);
    let base = opts.base_url.trim_end_matches('/');
    let permalink = format!("{base}/{}", page.path);
    let feed = match page.kind {
        PageKind::Entity(e) if feeds::has_feed(site, e) => Some(format!("{}atom.xml", page.path)),
        _ => None,
    };
    ctx.insert_value(
        "page",
        obj!(
            "kind": page_kind_name(page.kind),
            "title": title,
            "path": &page.path,
            "url": internal(&page.path),
            "permalink": permalink,
            "lang": lang.unwrap_or_else(|| site.config.language.clone()),
            "feed_url": feed.as_deref().map(internal),
            "feed_permalink": feed.map(|f| format!("{base}/{f}")),
        ),
    );
    ctx.insert("root", &style.root_from(&page.path));
    for (key, value) in vars {
        ctx.insert_value(key, value);
    }
    let template = page.template();
    let html = templates
        .tera
        .render(template, &ctx)
        .map_err(|e| template_error(&e, &templates.files, &site.sources, template))?;
    let html = with_previews(site, shared, page, html);
    let mut html = style.finish(&html, &page.path);
    if let Some(script) = &opts.inject
        && let Some(at) = html.rfind("</body>")
    {
        html.insert_str(at, script);
    }
    Ok(html)
}

/// An entity page with the previews of what it links to, before `</body>`.
fn with_previews(site: &Site, shared: &SharedContext, page: &Page, mut html: String) -> String {
    if !matches!(page.kind, PageKind::Entity(_)) {
        return html;
    }
    if let Some(json) = shared.previews.for_page(site, &html)
        && let Some(at) = html.rfind("</body>")
    {
        let script =
            format!("<script type=\"application/json\" id=\"briefing-previews\">{json}</script>\n");
        html.insert_str(at, &script);
    }
    html
}

fn page_kind_name(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Home => "home",
        PageKind::Entity(e) => e.kind.noun(),
        PageKind::List(_) => "list",
        PageKind::Year(..) => "year",
        PageKind::Search => "search",
        PageKind::NotFound => "404",
    }
}

type Vars = Vec<(&'static str, Value)>;

fn page_vars(site: &Cx, page: &Page) -> (String, Option<String>, Vars) {
    match page.kind {
        PageKind::Home => (site.config.title.clone(), None, home(site)),
        PageKind::Entity(e) => {
            let i = e.index as usize;
            let incoming = context::Incoming::new(site, e);
            let (key, value) = match e.kind {
                Kind::Article => ("article", context::article(site, i)),
                Kind::Meeting => ("meeting", context::meeting(site, i)),
                Kind::Person => ("person", context::person(site, i, &incoming)),
                Kind::Topic => ("topic", context::topic(site, i, &incoming)),
                Kind::Organization => ("organization", context::organization(site, i, &incoming)),
            };
            let lang = (e.kind == Kind::Article).then(|| {
                value
                    .get_from_path("language")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            });
            let vars = vec![
                (key, value),
                ("entity", link(site, e)),
                ("backlinks", to_value(incoming.grouped(e.kind))),
            ];
            (site.index.title(e).to_string(), lang, vars)
        }
        PageKind::List(kind) => (
            collection_title(kind).to_string(),
            None,
            list(site, kind, None),
        ),
        PageKind::Year(kind, year) => (
            format!("{} of {year}", collection_title(kind)),
            None,
            list(site, kind, Some(year)),
        ),
        PageKind::Search => ("Search".into(), None, search_vars(site)),
        PageKind::NotFound => ("Page not found".into(), None, Vec::new()),
    }
}

/// `search` of the search page: the kinds, years and sources its filters offer.
fn search_vars(site: &Site) -> Vars {
    let kinds: Vec<Value> = search::KIND_ORDER
        .iter()
        .map(|k| obj!( "value": k.noun(), "label": collection_title(*k) ))
        .collect();
    let mut years: Vec<i32> = [Kind::Article, Kind::Meeting]
        .iter()
        .flat_map(|k| site.all(*k))
        .filter_map(|e| site.date(e).map(|d| d.year))
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut sources: Vec<&str> = site.articles.iter().map(|a| a.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    vec![(
        "search",
        obj!( "kinds": kinds, "years": years, "sources": sources ),
    )]
}

/// Entities of a kind sorted for lists: dated ones newest first, undated after; others by title.
pub fn sorted(site: &Site, kind: Kind) -> Vec<EntityRef> {
    let mut all: Vec<EntityRef> = site.all(kind).collect();
    if matches!(kind, Kind::Article | Kind::Meeting) {
        all.sort_by(|a, b| match (site.date(*a), site.date(*b)) {
            (Some(x), Some(y)) => y.cmp(&x).then(a.index.cmp(&b.index)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.index.cmp(&b.index),
        });
    } else {
        all.sort_by_cached_key(|e| (site.index.title(*e).to_lowercase(), e.index));
    }
    all
}

fn list(site: &Cx, kind: Kind, only_year: Option<i32>) -> Vars {
    let items = site.sorted(kind);
    let by_year = matches!(kind, Kind::Article | Kind::Meeting);
    let split = !year_pages(site, kind).is_empty();
    let mut years: Vec<Value> = Vec::new();
    let mut flat: Vec<Value> = Vec::new();
    if by_year {
        let mut groups: Vec<(Option<i32>, Vec<Value>)> = Vec::new();
        for e in items {
            let year = site.date(*e).map(|d| d.year);
            if only_year.is_some() && year != only_year {
                continue;
            }
            if groups.last().is_none_or(|(y, _)| *y != year) {
                groups.push((year, Vec::new()));
            }
            // Split indexes list each year on its own page; undated entries stay here.
            if !split || only_year.is_some() || year.is_none() {
                if let Some((_, list)) = groups.last_mut() {
                    list.push(list_item(site, *e));
                }
            } else {
                if let Some((_, list)) = groups.last_mut() {
                    list.push(Value::none());
                }
            }
        }
        years = groups
            .into_iter()
            .map(|(year, list)| {
                let count = list.len();
                let entries: Vec<Value> = list.into_iter().filter(|v| !v.is_none()).collect();
                let url = match (year, split && only_year.is_none()) {
                    (Some(y), true) => to_value(internal(&format!("{}/{y}/", kind.folder()))),
                    _ => Value::none(),
                };
                obj!( "year": year, "label": year.map(|y| y.to_string()).unwrap_or_else(|| "Undated".into()), "count": count, "items": entries, "url": url )
            })
            .collect();
    } else {
        flat = items.iter().map(|e| list_item(site, *e)).collect();
    }
    let count = if only_year.is_some() {
        years
            .iter()
            .map(|y| {
                y.get_from_path("count")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            })
            .sum::<u64>() as usize
    } else {
        items.len()
    };
    vec![(
        "list",
        obj!(
            "kind": kind.noun(),
            "folder": kind.folder(),
            "title": collection_title(kind),
            "year": only_year,
            "by_year": by_year,
            "split_by_year": split && only_year.is_none(),
            "years": years,
            "items": flat,
            "count": count,
            "url": internal(&format!("{}/", kind.folder())),
            "timeline_chart": (kind == Kind::Meeting && only_year.is_none())
                .then(|| charts::meetings_timeline(site))
                .flatten(),
        ),
    )]
}

fn home(site: &Cx) -> Vars {
    let take = |kind: Kind, n: usize| -> Vec<Value> {
        site.sorted(kind)
            .iter()
            .take(n)
            .map(|&e| list_item(site, e))
            .collect()
    };
    let roots: Vec<Value> = site
        .sorted(Kind::Topic)
        .iter()
        .copied()
        .filter(|e| {
            site.topics[e.index as usize]
                .parent
                .as_ref()
                .is_none_or(|p| site.index.lookup(Kind::Topic, &p.value).is_none())
        })
        .map(|e| {
            let mut item = list_item(site, e);
            let children: Vec<Value> = site
                .backlinks
                .get(&e)
                .map(|list| {
                    list.iter()
                        .filter(|b| b.relation == crate::resolve::Relation::ParentOf)
                        .map(|b| link(site, b.from))
                        .collect()
                })
                .unwrap_or_default();
            item = with(item, "children", children);
            item
        })
        .collect();
    let mut people: Vec<(usize, EntityRef)> = site
        .all(Kind::Person)
        .map(|e| (site.backlinks.get(&e).map_or(0, |list| list.len()), e))
        .collect();
    people.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.index.cmp(&b.1.index)));
    let people: Vec<Value> = people
        .into_iter()
        .take(24)
        .map(|(_, e)| list_item(site, e))
        .collect();
    vec![(
        "home",
        obj!(
            "meetings": take(Kind::Meeting, 10),
            "articles": take(Kind::Article, 10),
            "topics": roots,
            "people": people,
            "organizations": take(Kind::Organization, 12),
            "meetings_chart": charts::meetings_timeline(site),
            "counts": obj!(
                "articles": site.index.count(Kind::Article),
                "meetings": site.index.count(Kind::Meeting),
                "people": site.index.count(Kind::Person),
                "topics": site.index.count(Kind::Topic),
                "organizations": site.index.count(Kind::Organization),
            ),
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_written_to_its_file_and_no_other() {
        let page = |path: &str| Page {
            path: path.to_string(),
            kind: PageKind::Home,
        };
        for path in ["", "people/x/", "404.html", "people/"] {
            let p = page(path);
            for file in [
                "index.html",
                "people/x/index.html",
                "404.html",
                "people/x/",
                "people/index.html",
                "people/x/index.htm",
            ] {
                assert_eq!(
                    p.is_written_to(file),
                    p.file() == file,
                    "{path:?} and {file:?}"
                );
            }
        }
    }
}
