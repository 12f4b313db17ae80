//! Markdown to HTML, the way FORMAT.md reads it.
//!
//! One pass over pulldown-cmark's events does everything a Markdown field needs: top-level
//! paragraphs of article bodies are numbered, wikilinks resolve through the [`Index`], names
//! of people, organizations and topics found in body text become mention links, raw HTML is
//! sanitized, code is highlighted, and quoted passages can be marked. Internal links are
//! written as `\x01path\x02` and made absolute or relative per page by [`crate::render::links`].

use crate::diag::Diagnostics;
use crate::load::config::MentionLinks;
use crate::model::{EntityRef, Kind, Markdown};
use crate::resolve::index::{Index, RefError, Target};
use crate::sanitize::{InlineTag, classify_inline, escape, escape_into, is_safe_url};
use crate::source::{SourceFile, Span};
use crate::text::{Fold, Normalized};
use pulldown_cmark::{CowStr, Event, LinkType, Options as CmarkOptions, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Start of an internal link address in generated HTML.
pub const LINK_START: char = '\u{1}';
/// End of an internal link address in generated HTML.
pub const LINK_END: char = '\u{2}';

/// Plain-text ranges to mark in each numbered paragraph (quotes).
pub type Marks = HashMap<u32, Vec<(usize, usize)>>;

/// How to render one Markdown text.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// For article bodies: number paragraphs and link mentions this way. `None` for fields.
    pub mentions: Option<MentionLinks>,
    /// Quoted passages to mark, by paragraph.
    pub marks: Option<&'a Marks>,
    /// syntect theme, or `css`.
    pub highlight_theme: &'a str,
}

/// One top-level block of rendered HTML.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Block {
    /// Paragraph number, for numbered paragraphs.
    pub number: Option<u32>,
    /// The block's HTML.
    pub html: String,
}

/// A citation of a paragraph found in Markdown text.
#[derive(Clone, Debug, PartialEq)]
pub struct Cited {
    /// Article index.
    pub article: u32,
    /// Paragraph number.
    pub paragraph: u32,
    /// Where it was written.
    pub span: Span,
    /// The numbered paragraph it was written in (article bodies).
    pub in_paragraph: Option<u32>,
}

/// What rendering found and produced.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// Top-level blocks.
    pub blocks: Vec<Block>,
    /// Plain text of each numbered paragraph, as a reader sees it (a build lets go of all but
    /// the first once its search index is written: [`Rendered::release_paragraph_texts`]).
    pub paragraphs: Vec<String>,
    /// Entities mentioned by name (article bodies), with the paragraph.
    pub mentions: Vec<(EntityRef, Option<u32>)>,
    /// Each entity mentioned, once, with its paragraphs as `p1 p4` (filled in by resolve).
    pub mentioned: Vec<(EntityRef, std::sync::Arc<str>)>,
    /// Entities linked by wikilink, with the paragraph.
    pub links: Vec<(EntityRef, Option<u32>)>,
    /// Paragraphs cited by wikilink.
    pub citations: Vec<Cited>,
}

impl Rendered {
    /// How many numbered paragraphs there are (also once their texts are let go).
    pub fn paragraph_count(&self) -> usize {
        self.paragraphs.len()
    }

    /// Let go of the plain text of every numbered paragraph but the first; each leaves an
    /// empty text behind, so [`Rendered::paragraph_count`] stays true.
    pub fn release_paragraph_texts(&mut self) {
        for text in self.paragraphs.iter_mut().skip(1) {
            *text = String::new();
        }
    }

    /// All blocks joined.
    pub fn html(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            out.push_str(&b.html);
        }
        out
    }
}

/// Render a Markdown text. `file` is the file it came from (for error positions).
pub fn render(
    md: &Markdown,
    file: &SourceFile,
    index: &Index,
    opts: Options,
    diags: &mut Diagnostics,
) -> Rendered {
    // Article bodies are read in place from their file; fields carry their own text.
    let source = md
        .exact_offset
        .and_then(|o| file.text.get(o..))
        .unwrap_or(&md.text);
    let mut r = Renderer {
        md,
        source,
        file,
        index,
        opts,
        diags,
        out: Rendered::default(),
        cur: Vec::new(),
        depth: 0,
        no_mention: 0,
        in_top_para: false,
        para_plain: String::new(),
        para_number: 0,
        pending: String::new(),
        scratch: String::new(),
        code: None,
        html_block: None,
        wiki: None,
        skip_link: Vec::new(),
        inline_open: Vec::new(),
        linked: HashSet::new(),
        in_image: 0,
        block_has_image: false,
        normalized: Normalized::default(),
    };
    let mut options = CmarkOptions::ENABLE_TABLES | CmarkOptions::ENABLE_STRIKETHROUGH;
    options.insert(CmarkOptions::ENABLE_WIKILINKS);
    for (event, range) in Parser::new_ext(r.source, options).into_offset_iter() {
        r.event(event, range);
    }
    r.flush();
    r.out
}

struct Wiki {
    target: String,
    label: String,
    has_label: bool,
    range: Range<usize>,
}

struct Renderer<'a, 'd> {
    md: &'a Markdown,
    source: &'a str,
    file: &'a SourceFile,
    index: &'a Index,
    opts: Options<'a>,
    diags: &'d mut Diagnostics,
    out: Rendered,
    cur: Vec<Event<'a>>,
    depth: usize,
    no_mention: usize,
    in_top_para: bool,
    para_plain: String,
    para_number: u32,
    pending: String,
    /// Where each block's HTML is put together before it is copied out.
    scratch: String,
    code: Option<(String, String)>,
    html_block: Option<String>,
    wiki: Option<Wiki>,
    skip_link: Vec<bool>,
    inline_open: Vec<&'static str>,
    linked: HashSet<EntityRef>,
    in_image: usize,
    block_has_image: bool,
    normalized: Normalized,
}

impl<'a> Renderer<'a, '_> {
    fn is_article(&self) -> bool {
        self.opts.mentions.is_some()
    }

    fn current_paragraph(&self) -> Option<u32> {
        (self.is_article() && self.in_top_para).then_some(self.para_number)
    }

    fn html(&mut self, html: String) {
        self.cur.push(Event::Html(CowStr::from(html)));
    }

    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        if let Some(wiki) = &mut self.wiki {
            match event {
                Event::Text(t) | Event::Code(t) => {
                    wiki.label.push_str(&t);
                    return;
                }
                Event::End(TagEnd::Link) => {
                    self.depth -= 1;
                    let wiki = self.wiki.take().expect("checked above");
                    self.emit_wikilink(wiki);
                    return;
                }
                Event::Start(_) => {
                    self.depth += 1;
                    return;
                }
                Event::End(_) => {
                    self.depth -= 1;
                    return;
                }
                _ => return,
            }
        }
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(t) => {
                    code.push_str(&t);
                    return;
                }
                Event::End(TagEnd::CodeBlock) => {}
                _ => return,
            }
        }
        if let Some(block) = &mut self.html_block {
            match event {
                Event::Html(t) | Event::Text(t) => {
                    block.push_str(&t);
                    return;
                }
                Event::End(TagEnd::HtmlBlock) => {}
                _ => return,
            }
        }
        match event {
            Event::Text(t) => {
                if self.in_image > 0 {
                    self.cur.push(Event::Text(t));
                } else {
                    self.pending.push_str(&t);
                }
            }
            Event::SoftBreak => self.pending.push('\n'),
            Event::HardBreak => {
                self.flush();
                self.plain(" ");
                self.html("<br>\n".into());
            }
            Event::Code(t) => {
                self.flush();
                self.plain(&t);
                self.html(format!("<code>{}</code>", escape(&t)));
            }
            Event::InlineHtml(raw) | Event::Html(raw) => {
                self.flush();
                self.inline_html(&raw);
            }
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Rule => {
                self.flush();
                self.begin_block();
                self.cur.push(Event::Rule);
                self.finish_block();
            }
            other => {
                self.flush();
                self.cur.push(other);
            }
        }
    }

    fn plain(&mut self, text: &str) {
        if self.in_top_para {
            self.para_plain.push_str(text);
        }
    }

    fn begin_block(&mut self) {
        self.cur.clear();
        self.block_has_image = false;
    }

    fn finish_block(&mut self) {
        // Built in a reused buffer and copied out at its exact size: a site holds every
        // article's blocks, and a grown buffer carries up to half again as much unused room.
        self.scratch.clear();
        pulldown_cmark::html::push_html(&mut self.scratch, self.cur.drain(..));
        let html = self.scratch.as_str().to_owned();
        self.out.blocks.push(Block { number: None, html });
    }

    fn start(&mut self, tag: Tag<'a>, range: Range<usize>) {
        self.flush();
        if self.depth == 0 {
            self.begin_block();
            if matches!(tag, Tag::Paragraph) && self.is_article() {
                self.in_top_para = true;
                self.para_plain.clear();
                self.para_number = self.out.paragraphs.len() as u32 + 1;
            }
        }
        self.depth += 1;
        match tag {
            Tag::Link {
                link_type: LinkType::WikiLink { has_pothole },
                dest_url,
                ..
            } => {
                self.wiki = Some(Wiki {
                    target: dest_url.to_string(),
                    label: String::new(),
                    has_label: has_pothole,
                    range,
                });
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => {
                let safe = is_safe_url(&dest_url);
                self.skip_link.push(!safe);
                self.no_mention += 1;
                if safe {
                    self.cur.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => {
                self.no_mention += 1;
                self.in_image += 1;
                self.block_has_image = true;
                let dest_url = if is_safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("")
                };
                self.cur.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::HtmlBlock => self.html_block = Some(String::new()),
            Tag::Heading { .. } | Tag::MetadataBlock(_) => {
                self.no_mention += 1;
                self.cur.push(Event::Start(tag));
            }
            other => self.cur.push(Event::Start(other)),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        self.flush();
        self.depth -= 1;
        match tag {
            TagEnd::Link => {
                self.no_mention -= 1;
                if !self.skip_link.pop().unwrap_or(false) {
                    self.cur.push(Event::End(TagEnd::Link));
                }
            }
            TagEnd::Image => {
                self.no_mention -= 1;
                self.in_image -= 1;
                self.cur.push(Event::End(TagEnd::Image));
            }
            TagEnd::CodeBlock => {
                let (lang, code) = self.code.take().unwrap_or_default();
                let html = if lang.is_empty() {
                    format!("<pre class=\"code\"><code>{}</code></pre>\n", escape(&code))
                } else {
                    crate::highlight::highlight(&code, &lang, self.opts.highlight_theme)
                };
                self.html(html);
            }
            TagEnd::HtmlBlock => {
                let raw = self.html_block.take().unwrap_or_default();
                self.html(crate::sanitize::clean_block(&raw));
            }
            TagEnd::Heading(_) | TagEnd::MetadataBlock(_) => {
                self.no_mention -= 1;
                self.cur.push(Event::End(tag));
            }
            TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_) => {
                self.close_inline_tags();
                self.cur.push(Event::End(tag));
            }
            other => self.cur.push(Event::End(other)),
        }
        if self.depth == 0 {
            self.close_inline_tags();
            self.end_block();
        }
    }

    fn end_block(&mut self) {
        if self.in_top_para {
            self.in_top_para = false;
            let blank = self.para_plain.chars().all(char::is_whitespace) && !self.block_has_image;
            if blank {
                self.cur.clear();
                return;
            }
            // At its exact size (see `finish_block`).
            self.out
                .paragraphs
                .push(self.para_plain.as_str().to_owned());
            self.finish_block();
            if let Some(last) = self.out.blocks.last_mut() {
                last.number = Some(self.para_number);
            }
            return;
        }
        self.finish_block();
    }

    fn close_inline_tags(&mut self) {
        while let Some(tag) = self.inline_open.pop() {
            self.html(format!("</{tag}>"));
        }
    }

    fn inline_html(&mut self, raw: &str) {
        match classify_inline(raw) {
            InlineTag::Open(tag) => {
                self.inline_open.push(tag);
                self.html(format!("<{tag}>"));
            }
            InlineTag::Close(tag) => {
                if let Some(pos) = self.inline_open.iter().rposition(|t| *t == tag) {
                    while self.inline_open.len() > pos {
                        let t = self.inline_open.pop().unwrap_or(tag);
                        self.html(format!("</{t}>"));
                    }
                }
            }
            InlineTag::Void(tag) => self.html(format!("<{tag}>")),
            InlineTag::Comment => {}
            InlineTag::Other => {
                self.plain(raw);
                self.html(escape(raw));
            }
        }
    }

    /// Emit buffered text: find mentions, link them, mark quotes.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending);
        let plain_start = self.para_plain.len();
        self.plain(&text);
        let mut spans: Vec<(usize, usize, Option<EntityRef>)> = Vec::new();
        if let (Some(mode), 0) = (self.opts.mentions, self.no_mention) {
            let mut normalized = std::mem::take(&mut self.normalized);
            normalized.refill(&text, Fold::Names);
            let found_all = self.index.find_mentions(&normalized);
            let ranges: Vec<(usize, usize)> = found_all
                .iter()
                .map(|f| normalized.original_range(&text, f.start, f.end))
                .collect();
            self.normalized = normalized;
            for (found, (start, end)) in found_all.into_iter().zip(ranges) {
                let Some(entity) = found.entity else { continue };
                let paragraph = self.current_paragraph();
                self.out.mentions.push((entity, paragraph));
                let link = match mode {
                    MentionLinks::All => true,
                    MentionLinks::First => self.linked.insert(entity),
                    MentionLinks::None => false,
                };
                if link {
                    spans.push((start, end, Some(entity)));
                }
            }
        }
        let marks: Vec<(usize, usize)> = match (self.opts.marks, self.current_paragraph()) {
            (Some(marks), Some(n)) => marks
                .get(&n)
                .map(|list| {
                    list.iter()
                        .filter_map(|&(s, e)| {
                            let s = s.max(plain_start).saturating_sub(plain_start);
                            let e = e.min(plain_start + text.len()).saturating_sub(plain_start);
                            (s < e).then_some((s, e))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let html = self.text_html(&text, &spans, &marks);
        self.html(html);
    }

    /// Escaped text with mention links and `<mark>`s, marks always inside links.
    fn text_html(
        &self,
        text: &str,
        links: &[(usize, usize, Option<EntityRef>)],
        marks: &[(usize, usize)],
    ) -> String {
        if links.is_empty() && marks.is_empty() {
            return escape(text);
        }
        let mut cuts: Vec<usize> = vec![0, text.len()];
        for &(s, e, _) in links {
            cuts.extend([s, e]);
        }
        for &(s, e) in marks {
            cuts.extend([s, e]);
        }
        cuts.retain(|&c| text.is_char_boundary(c));
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = String::with_capacity(text.len() + 64);
        let mut in_mark = false;
        for pair in cuts.windows(2) {
            let (s, e) = (pair[0], pair[1]);
            if let Some((_, _, Some(entity))) = links.iter().find(|l| l.0 == s) {
                if in_mark {
                    out.push_str("</mark>");
                    in_mark = false;
                }
                out.push_str(&self.entity_link_open(*entity, "mention"));
            }
            let marked = marks.iter().any(|&(ms, me)| ms <= s && e <= me);
            if marked && !in_mark {
                out.push_str("<mark>");
                in_mark = true;
            } else if !marked && in_mark {
                out.push_str("</mark>");
                in_mark = false;
            }
            escape_into(&text[s..e], &mut out);
            if links.iter().any(|l| l.1 == e && l.2.is_some()) {
                if in_mark {
                    out.push_str("</mark>");
                    in_mark = false;
                }
                out.push_str("</a>");
            }
        }
        if in_mark {
            out.push_str("</mark>");
        }
        out
    }

    fn entity_link_open(&self, entity: EntityRef, class: &str) -> String {
        let path = self.index.path(entity);
        format!(
            "<a class=\"{class} ref-{}\" href=\"{LINK_START}{path}{LINK_END}\" data-ref=\"{}\">",
            entity.kind.noun(),
            path.trim_end_matches('/')
        )
    }

    fn span_of(&self, range: &Range<usize>) -> Span {
        if let Some(offset) = self.md.exact_offset {
            return Span::new(self.md.span.file, offset + range.start, offset + range.end);
        }
        // A YAML scalar was unfolded from the file: find the same source text there.
        let written = &self.source[range.clone()];
        let nth = self.source[..range.start].matches(written).count();
        let file_text = &self.file.text;
        let from = self.md.span.start.min(file_text.len());
        match file_text[from..].match_indices(written).nth(nth) {
            Some((i, _)) => Span::new(self.md.span.file, from + i, from + i + written.len()),
            None => self.md.span,
        }
    }

    fn emit_wikilink(&mut self, wiki: Wiki) {
        let span = self.span_of(&wiki.range);
        let label = if wiki.has_label {
            Some(wiki.label.trim().to_string())
        } else {
            None
        };
        match self.index.resolve_wikilink(&wiki.target) {
            Ok(Target::Entity(entity)) => {
                let text = label.unwrap_or_else(|| self.index.title(entity).to_string());
                let paragraph = self.current_paragraph();
                self.out.links.push((entity, paragraph));
                if self.is_article()
                    && matches!(entity.kind, Kind::Person | Kind::Organization | Kind::Topic)
                {
                    // A wikilink counts as a mention, and as the first link of the entity.
                    self.out.mentions.push((entity, paragraph));
                    self.linked.insert(entity);
                }
                self.plain(&text);
                let html = format!(
                    "{}{}</a>",
                    self.entity_link_open(entity, "ref"),
                    escape(&text)
                );
                self.html(html);
            }
            Ok(Target::Paragraph(article, n)) => {
                let in_paragraph = self.current_paragraph();
                self.out.citations.push(Cited {
                    article,
                    paragraph: n,
                    span,
                    in_paragraph,
                });
                let entity = EntityRef {
                    kind: Kind::Article,
                    index: article,
                };
                let path = self.index.path(entity);
                let title = format!("{}, paragraph {n}", self.index.title(entity));
                let data = format!("{}#p{n}", self.index.entry(entity).id);
                let html = match label {
                    Some(text) => {
                        self.plain(&text);
                        format!(
                            "<a class=\"cite-link\" href=\"{LINK_START}{path}#p{n}{LINK_END}\" title=\"{}\" data-cite=\"{data}\">{}</a>",
                            escape(&title),
                            escape(&text)
                        )
                    }
                    None => format!(
                        "<sup class=\"cite\"><a href=\"{LINK_START}{path}#p{n}{LINK_END}\" title=\"{}\" data-cite=\"{data}\">{n}</a></sup>",
                        escape(&title)
                    ),
                };
                self.html(html);
            }
            Ok(Target::Draft(title)) => {
                let text = label.unwrap_or(title);
                self.diags.warning(
                    span,
                    format!(
                        "`[[{}]]` links to a draft, left out of this build: shown as plain text",
                        wiki.target
                    ),
                );
                self.plain(&text);
                self.html(escape(&text));
            }
            Err(RefError::Unknown(message)) | Err(RefError::Draft(message)) => {
                self.diags.error(span, message);
                let text = label.unwrap_or(wiki.target);
                self.plain(&text);
                self.html(escape(&text));
            }
        }
    }
}
