//! A saved web page to an article's text: the page is parsed as a browser would (html5ever),
//! its furniture left out, and what remains turned into Markdown blocks.
//!
//! Left out: `nav`, `header`, `footer`, `aside`, `form`, `script`, `style`, `noscript`,
//! `iframe` and other non-text elements, hidden elements, navigation roles, and boxes whose
//! class or id says what they are (cookie banners, share buttons, related links, …). The text
//! is taken from the page's `<article>` (the one with the most text) or `<main>` when there is
//! one, else from `<body>`. Paragraphs come from `<p>` and loose text, `h2`–`h6` become
//! headings, list items `- ` items, quotes `> ` quotes. The title is the `<h1>` (which then
//! leaves the body), else `og:title` or `<title>`; `og:site_name`, the canonical address, the
//! publication date and the author are read from the page's metadata.

use super::text::escape_paragraph;
use crate::model::Date;
use html5ever::tendril::TendrilSink;
use html5ever::{ParseOpts, parse_document};
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use std::rc::Rc;

/// What a page holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// The article's title.
    pub title: Option<String>,
    /// `og:site_name`: the publisher.
    pub site_name: Option<String>,
    /// The canonical address (or the one the page was saved from).
    pub url: Option<String>,
    /// The publication date, when the metadata gives a valid one.
    pub published: Option<Date>,
    /// The author, from `<meta name="author">`.
    pub author: Option<String>,
    /// The article's text.
    pub blocks: Vec<Block>,
}

/// One block of the article's text, as plain text.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph.
    Paragraph(String),
    /// A heading of level 2 to 6.
    Heading(u8, String),
    /// A list item, at a depth from 1.
    Item(usize, String),
    /// A paragraph in a block quote.
    Quote(String),
    /// Preformatted text.
    Code(String),
    /// A table's rows of cells.
    Table(Vec<Vec<String>>),
}

/// Elements whose whole content is page furniture or not text.
const SKIPPED: &[&str] = &[
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "script",
    "style",
    "noscript",
    "iframe",
    "template",
    "svg",
    "math",
    "canvas",
    "button",
    "select",
    "textarea",
    "input",
    "dialog",
    "object",
    "embed",
    "video",
    "audio",
    "map",
    "head",
    "figcaption",
    "menu",
    "title",
    "meta",
    "link",
    "label",
];

/// ARIA roles of furniture.
const SKIPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "toolbar",
    "form",
];

/// Words in a class or id that name furniture (`cookie-banner`, `share_buttons`, …).
const SKIPPED_WORDS: &[&str] = &[
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "newsletter",
    "subscribe",
    "subscription",
    "breadcrumb",
    "breadcrumbs",
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "comments",
    "comment",
    "advert",
    "advertisement",
    "ads",
    "ad",
    "sponsored",
    "promo",
    "sidebar",
    "popup",
    "modal",
    "paywall",
    "byline",
    "navbar",
    "nav",
    "menu",
    "footer",
    "header",
    "masthead",
    "toolbar",
    "tags",
    "pagination",
    "pager",
    "print",
    "disclaimer",
];

/// Elements that continue a line of text rather than start a block.
const INLINE: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "mark", "nobr", "q", "rp", "rt", "ruby", "s", "samp",
    "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
];

/// Read a saved page.
pub fn extract(html: &str) -> Page {
    let dom = parse_document(RcDom::default(), ParseOpts::default()).one(html);
    let doc = dom.document;
    let mut page = Page::default();
    let meta = Meta::read(&doc, html);
    page.site_name = meta.site_name.clone();
    page.url = meta.url.clone();
    page.published = meta.published;
    page.author = meta.author.clone();

    let body = find_all(&doc, |n| tag(n) == Some("body"))
        .into_iter()
        .next()
        .unwrap_or_else(|| doc.clone());
    let root = content_root(&body);
    let title_h1 = title_heading(&root, &doc, meta.site_name.as_deref());
    page.title = title_h1
        .as_ref()
        .map(|h| collapse(&text_of(h)))
        .or_else(|| meta.og_title.as_deref().map(|t| strip_site(t, &meta)))
        .or_else(|| meta.title.as_deref().map(|t| strip_site(t, &meta)))
        .filter(|t| !t.is_empty());
    let skip = title_h1.as_ref().map(Rc::as_ptr);
    page.blocks = Walker::new(skip).run(&root);
    if page.blocks.is_empty() && !Rc::ptr_eq(&root, &body) {
        page.blocks = Walker::new(skip).run(&body);
    }
    page
}

/// The blocks as a Markdown body, each escaped so that it reads as the page did.
pub fn to_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut previous_item = false;
    for block in blocks {
        let is_item = matches!(block, Block::Item(..));
        if !out.is_empty() {
            out.push_str(if is_item && previous_item {
                "\n"
            } else {
                "\n\n"
            });
        }
        previous_item = is_item;
        match block {
            Block::Paragraph(t) => out.push_str(&escape_paragraph(t)),
            Block::Heading(level, t) => {
                let mut text = escape_paragraph(t);
                if text.ends_with('#') {
                    text.insert(text.len() - 1, '\\');
                }
                out.push_str(&"#".repeat(*level as usize));
                out.push(' ');
                out.push_str(&text);
            }
            Block::Item(depth, t) => {
                out.push_str(&"  ".repeat(depth.saturating_sub(1)));
                out.push_str("- ");
                out.push_str(&escape_paragraph(t));
            }
            Block::Quote(t) => {
                out.push_str("> ");
                out.push_str(&escape_paragraph(t));
            }
            Block::Code(t) => {
                let longest = longest_run(t, '`');
                let fence = "`".repeat(longest.max(2) + 1);
                out.push_str(&format!("{fence}\n{}\n{fence}", t.trim_end_matches('\n')));
            }
            Block::Table(rows) => {
                let width = rows.iter().map(Vec::len).max().unwrap_or(0);
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push('|');
                    for c in 0..width {
                        let cell = row.get(c).map(String::as_str).unwrap_or("");
                        let cell = if cell.is_empty() {
                            String::new()
                        } else {
                            escape_paragraph(cell).replace('|', "\\|")
                        };
                        out.push_str(&format!(" {cell} |"));
                    }
                    if i == 0 {
                        out.push_str("\n|");
                        out.push_str(&" --- |".repeat(width));
                    }
                }
            }
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// The page's metadata.
#[derive(Default)]
struct Meta {
    title: Option<String>,
    og_title: Option<String>,
    site_name: Option<String>,
    url: Option<String>,
    published: Option<Date>,
    author: Option<String>,
}

impl Meta {
    fn read(doc: &Handle, html: &str) -> Meta {
        let mut m = Meta::default();
        let mut canonical = None;
        let mut og_url = None;
        for node in find_all(doc, |n| matches!(tag(n), Some("meta" | "title" | "link"))) {
            match tag(&node) {
                Some("title") => {
                    if m.title.is_none() {
                        m.title = Some(collapse(&text_of(&node))).filter(|t| !t.is_empty());
                    }
                }
                Some("link") => {
                    let rel = attr(&node, "rel").unwrap_or_default().to_ascii_lowercase();
                    if rel.split_whitespace().any(|r| r == "canonical") {
                        canonical = canonical.or(attr(&node, "href"));
                    }
                }
                _ => {
                    let key = attr(&node, "property")
                        .or_else(|| attr(&node, "name"))
                        .or_else(|| attr(&node, "itemprop"))
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    let Some(content) = attr(&node, "content").map(|c| collapse(&c)) else {
                        continue;
                    };
                    if content.is_empty() {
                        continue;
                    }
                    match key.as_str() {
                        "og:site_name" => m.site_name = m.site_name.or(Some(content)),
                        "og:title" => m.og_title = m.og_title.or(Some(content)),
                        "og:url" => og_url = og_url.or(Some(content)),
                        "author" | "article:author" | "dc.creator"
                            if !content.starts_with("http") =>
                        {
                            m.author = m.author.or(Some(content));
                        }
                        "article:published_time"
                        | "datepublished"
                        | "pubdate"
                        | "publishdate"
                        | "date"
                        | "dc.date"
                        | "dc.date.issued"
                        | "dcterms.date"
                            if m.published.is_none() =>
                        {
                            m.published = date_prefix(&content);
                        }
                        _ => {}
                    }
                }
            }
        }
        let is_web = |u: &String| u.starts_with("https://") || u.starts_with("http://");
        m.url = canonical
            .filter(is_web)
            .or(og_url.filter(is_web))
            .or_else(|| saved_from(html));
        m
    }
}

/// The date at the start of a timestamp (`2023-12-27T08:00:00+08:00`, `2023-12`, `2024`).
fn date_prefix(text: &str) -> Option<Date> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(text.len())
        .min(10);
    Date::parse(text[..end].trim_end_matches('-')).ok()
}

/// The address in a browser's `<!-- saved from url=(0042)https://… -->` comment.
fn saved_from(html: &str) -> Option<String> {
    let head = html.get(..html.len().min(2000)).unwrap_or(html);
    let at = head.find("saved from url=(")?;
    let rest = &head[at..];
    let start = rest.find(')')? + 1;
    let url: String = rest[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let url = url.trim_end_matches("-->").to_string();
    url.starts_with("http").then_some(url)
}

/// `og:title` or `<title>` without the site's name after a separator.
fn strip_site(title: &str, meta: &Meta) -> String {
    let title = collapse(title);
    if let Some(site) = &meta.site_name {
        for sep in [" | ", " - ", " – ", " — ", " :: ", "_", " · "] {
            if let Some(stripped) = title.strip_suffix(&format!("{sep}{site}")) {
                return stripped.trim().to_string();
            }
        }
    }
    title
}

fn tag(node: &Handle) -> Option<&str> {
    match &node.data {
        NodeData::Element { name, .. } => Some(&*name.local),
        _ => None,
    }
}

fn attr(node: &Handle, wanted: &str) -> Option<String> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| &*a.name.local == wanted)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}

/// Whether an element is furniture, hidden, or not text at all.
fn is_skipped(node: &Handle) -> bool {
    let Some(name) = tag(node) else {
        return false;
    };
    if SKIPPED.contains(&name) {
        return true;
    }
    if attr(node, "hidden").is_some()
        || attr(node, "aria-hidden").is_some_and(|v| v.trim() == "true")
    {
        return true;
    }
    if attr(node, "role")
        .is_some_and(|r| SKIPPED_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
    {
        return true;
    }
    if attr(node, "style").is_some_and(|s| {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        s.to_ascii_lowercase().contains("display:none")
    }) {
        return true;
    }
    let names = format!(
        "{} {}",
        attr(node, "class").unwrap_or_default(),
        attr(node, "id").unwrap_or_default()
    )
    .to_ascii_lowercase();
    names
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .any(|w| SKIPPED_WORDS.contains(&w))
}

/// Every node under `root` (not itself) that `pred` accepts, in document order, without
/// descending into skipped elements when `pred` is a content search.
fn find_all(root: &Handle, pred: impl Fn(&Handle) -> bool) -> Vec<Handle> {
    let mut out = Vec::new();
    let mut stack: Vec<Handle> = root.children.borrow().iter().rev().cloned().collect();
    while let Some(node) = stack.pop() {
        if pred(&node) {
            out.push(node.clone());
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    out
}

/// The text under a node, furniture left out.
fn text_of(node: &Handle) -> String {
    let mut out = String::new();
    let mut stack = vec![node.clone()];
    while let Some(n) = stack.pop() {
        match &n.data {
            NodeData::Text { contents } => out.push_str(&contents.borrow()),
            NodeData::Element { .. } if !Rc::ptr_eq(&n, node) && is_skipped(&n) => {}
            NodeData::Element { .. } if tag(&n) == Some("br") => out.push(' '),
            _ => stack.extend(n.children.borrow().iter().rev().cloned()),
        }
    }
    out
}

/// How much text a subtree holds, furniture left out.
fn text_len(node: &Handle) -> usize {
    text_of(node)
        .split_whitespace()
        .map(|w| w.chars().count())
        .sum()
}

/// White space runs (no-break spaces included) as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The element the article's text is in: the `<article>` with most text, else `<main>`.
fn content_root(body: &Handle) -> Handle {
    let total = text_len(body);
    let articles = find_all(body, |n| {
        tag(n) == Some("article") || attr(n, "itemprop").is_some_and(|v| v == "articleBody")
    });
    let best = articles
        .into_iter()
        .map(|a| (text_len(&a), a))
        .max_by_key(|(len, _)| *len);
    // An <article> with a fifth of the page's text or more is the article, not a teaser.
    if let Some((len, a)) = best
        && len > 0
        && len * 5 >= total
    {
        return a;
    }
    let main = find_all(body, |n| {
        tag(n) == Some("main") || attr(n, "role").is_some_and(|r| r == "main")
    });
    main.into_iter()
        .find(|m| text_len(m) > 0)
        .unwrap_or_else(|| body.clone())
}

/// The `<h1>` that titles the article: the first in the content, else the first on the page,
/// not the site's name.
fn title_heading(root: &Handle, doc: &Handle, site: Option<&str>) -> Option<Handle> {
    let usable = |h: &Handle| {
        let t = collapse(&text_of(h));
        !t.is_empty() && site.is_none_or(|s| !t.eq_ignore_ascii_case(s))
    };
    let is_h1 = |n: &Handle| tag(n) == Some("h1");
    find_all(root, is_h1)
        .into_iter()
        .find(|h| usable(h))
        .or_else(|| find_all(doc, is_h1).into_iter().find(|h| usable(h)))
}

/// Where the text being gathered goes.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    Heading(u8),
    Item,
    Quote,
}

enum Step {
    Enter(Handle),
    Exit { block: bool, context: bool },
}

/// Walks the content in document order, gathering inline text and cutting it into blocks at
/// block elements.
struct Walker {
    skip: Option<*const markup5ever_rcdom::Node>,
    blocks: Vec<Block>,
    text: String,
    contexts: Vec<Context>,
}

/// Stands for a `<br>` in gathered text.
const BREAK: char = '\n';

impl Walker {
    fn new(skip: Option<*const markup5ever_rcdom::Node>) -> Self {
        Walker {
            skip,
            blocks: Vec::new(),
            text: String::new(),
            contexts: Vec::new(),
        }
    }

    fn run(mut self, root: &Handle) -> Vec<Block> {
        let mut stack: Vec<Step> = root
            .children
            .borrow()
            .iter()
            .rev()
            .map(|c| Step::Enter(c.clone()))
            .collect();
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter(node) => self.enter(node, &mut stack),
                Step::Exit { block, context } => {
                    if block {
                        self.flush();
                    }
                    if context {
                        self.contexts.pop();
                    }
                }
            }
        }
        self.flush();
        self.blocks
    }

    fn enter(&mut self, node: Handle, stack: &mut Vec<Step>) {
        let name = match &node.data {
            NodeData::Text { contents } => {
                for c in contents.borrow().chars() {
                    self.text.push(if c.is_whitespace() { ' ' } else { c });
                }
                return;
            }
            NodeData::Element { name, .. } => name.local.to_string(),
            _ => return,
        };
        if is_skipped(&node) || self.skip == Some(Rc::as_ptr(&node)) {
            return;
        }
        match name.as_str() {
            "br" => {
                self.text.push(BREAK);
                return;
            }
            "hr" => {
                self.flush();
                return;
            }
            "pre" => {
                self.flush();
                let code = text_of(&node);
                if !code.trim().is_empty() {
                    self.blocks.push(Block::Code(code));
                }
                return;
            }
            "table" if is_data_table(&node) => {
                self.flush();
                let rows = table_rows(&node);
                if !rows.is_empty() {
                    self.blocks.push(Block::Table(rows));
                }
                return;
            }
            _ => {}
        }
        let block = !INLINE.contains(&name.as_str());
        if block {
            self.flush();
        }
        let context = match name.as_str() {
            "h1" => Some(Context::Heading(2)),
            "h2" => Some(Context::Heading(2)),
            "h3" => Some(Context::Heading(3)),
            "h4" => Some(Context::Heading(4)),
            "h5" => Some(Context::Heading(5)),
            "h6" => Some(Context::Heading(6)),
            "li" | "dt" | "dd" => Some(Context::Item),
            "blockquote" => Some(Context::Quote),
            _ => None,
        };
        if let Some(c) = context {
            self.contexts.push(c);
        }
        stack.push(Step::Exit {
            block,
            context: context.is_some(),
        });
        stack.extend(
            node.children
                .borrow()
                .iter()
                .rev()
                .map(|c| Step::Enter(c.clone())),
        );
    }

    /// The text gathered so far becomes blocks: two breaks in a row end a paragraph.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.text);
        if text.trim().is_empty() {
            return;
        }
        let mut pieces: Vec<String> = Vec::new();
        let mut piece = String::new();
        let mut breaks = 0;
        for c in text.chars() {
            if c == BREAK {
                breaks += 1;
                continue;
            }
            if breaks > 0 && !c.is_whitespace() {
                if breaks >= 2 {
                    pieces.push(std::mem::take(&mut piece));
                } else {
                    piece.push(' ');
                }
                breaks = 0;
            }
            piece.push(c);
        }
        pieces.push(piece);
        let pieces: Vec<String> = pieces
            .iter()
            .map(|p| collapse(p))
            .filter(|p| !p.is_empty())
            .collect();
        let depth = self
            .contexts
            .iter()
            .filter(|c| **c == Context::Item)
            .count();
        match self.contexts.last() {
            Some(Context::Heading(level)) => {
                self.blocks.push(Block::Heading(*level, pieces.join(" ")));
            }
            Some(Context::Item) => self.blocks.push(Block::Item(depth, pieces.join(" "))),
            Some(Context::Quote) => {
                self.blocks.extend(pieces.into_iter().map(Block::Quote));
            }
            None => self.blocks.extend(pieces.into_iter().map(Block::Paragraph)),
        }
    }
}

/// A table of data, not one that lays out a page (whose cells hold paragraphs or tables).
fn is_data_table(table: &Handle) -> bool {
    find_all(table, |n| {
        matches!(
            tag(n),
            Some("p" | "div" | "table" | "ul" | "ol" | "blockquote" | "h1" | "h2" | "h3" | "h4")
        )
    })
    .is_empty()
}

fn table_rows(table: &Handle) -> Vec<Vec<String>> {
    find_all(table, |n| tag(n) == Some("tr"))
        .iter()
        .map(|tr| {
            tr.children
                .borrow()
                .iter()
                .filter(|c| matches!(tag(c), Some("td" | "th")))
                .map(|c| collapse(&text_of(c)))
                .collect::<Vec<_>>()
        })
        .filter(|row: &Vec<String>| row.iter().any(|c| !c.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head>
<title>Reform plan unveiled | Test Daily</title>
<meta property="og:site_name" content="Test Daily">
<meta property="article:published_time" content="2023-12-27T08:00:00+08:00">
<link rel="canonical" href="https://example.org/reform">
<style>p { color: red }</style>
<script>var x = "<p>not text</p>";</script>
</head><body>
<header><h1 class="logo">Test Daily</h1><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<div class="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept</button></div>
<main>
<article>
<h1>Reform plan unveiled</h1>
<p class="byline">By A. Writer</p>
<p>The city set out its plan&nbsp;on <b>Monday</b>.</p>
<p>
  It has   three parts:
</p>
<ul><li>state firms</li><li>development <i>zones</i><ul><li>nested</li></ul></li></ul>
<h2>Targets</h2>
<p>1. Growth of 6%.</p>
<blockquote><p>We will deliver.</p></blockquote>
<div>Loose text<br><br>after a double break</div>
<aside><p>Related: other story</p></aside>
<div class="share-buttons"><a>Share on X</a></div>
</article>
</main>
<footer><p>Copyright Test Daily</p></footer>
</body></html>"#;

    #[test]
    fn extracts_article_text_without_furniture() {
        let page = extract(PAGE);
        assert_eq!(page.title.as_deref(), Some("Reform plan unveiled"));
        assert_eq!(page.site_name.as_deref(), Some("Test Daily"));
        assert_eq!(page.url.as_deref(), Some("https://example.org/reform"));
        assert_eq!(
            page.published.map(|d| d.iso()).as_deref(),
            Some("2023-12-27")
        );
        assert_eq!(
            page.blocks,
            vec![
                Block::Paragraph("The city set out its plan on Monday.".into()),
                Block::Paragraph("It has three parts:".into()),
                Block::Item(1, "state firms".into()),
                Block::Item(1, "development zones".into()),
                Block::Item(2, "nested".into()),
                Block::Heading(2, "Targets".into()),
                Block::Paragraph("1. Growth of 6%.".into()),
                Block::Quote("We will deliver.".into()),
                Block::Paragraph("Loose text".into()),
                Block::Paragraph("after a double break".into()),
            ]
        );
        let md = to_markdown(&page.blocks);
        assert_eq!(
            md,
            "The city set out its plan on Monday.\n\nIt has three parts:\n\n- state firms\n- development zones\n  - nested\n\n## Targets\n\n1\\. Growth of 6%.\n\n> We will deliver.\n\nLoose text\n\nafter a double break\n"
        );
        assert_eq!(super::super::plain_paragraphs(&md).len(), 5);
    }

    #[test]
    fn title_falls_back_to_title_element() {
        let page = extract(
            "<html><head><title>Only a title - Site</title><meta property='og:site_name' content='Site'></head><body><p>Text.</p></body></html>",
        );
        assert_eq!(page.title.as_deref(), Some("Only a title"));
        assert_eq!(page.blocks, vec![Block::Paragraph("Text.".into())]);
    }

    #[test]
    fn tables_and_code() {
        let page = extract(
            "<body><p>a</p><table><tr><th>Year</th><th>Growth</th></tr><tr><td>2023</td><td>6|1%</td></tr></table><pre>x  y\n z</pre></body>",
        );
        let md = to_markdown(&page.blocks);
        assert_eq!(
            md,
            "a\n\n| Year | Growth |\n| --- | --- |\n| 2023 | 6\\|1% |\n\n```\nx  y\n z\n```\n"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(5_000) + "deep text" + &"</div>".repeat(5_000);
        let page = extract(&html);
        assert_eq!(page.blocks, vec![Block::Paragraph("deep text".into())]);
    }

    #[test]
    fn dates_from_timestamps() {
        let iso = |t: &str| date_prefix(t).map(|d| d.iso());
        assert_eq!(
            iso("2023-12-27T08:00:00+08:00").as_deref(),
            Some("2023-12-27")
        );
        assert_eq!(iso("2024").as_deref(), Some("2024"));
        assert_eq!(iso("Dec 27, 2023"), None);
    }

    #[test]
    fn saved_from_comment_gives_the_address() {
        let page = extract(
            "<!-- saved from url=(0024)https://example.org/a -->\n<html><body><p>x</p></body></html>",
        );
        assert_eq!(page.url.as_deref(), Some("https://example.org/a"));
    }
}
