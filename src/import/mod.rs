//! Importing an article: one plain-text, Markdown or saved HTML file in, the text of
//! `content/articles/<id>.md` out (FORMAT.md, "Command line" and "Articles").
//!
//! [`prepare`] reads a file's bytes, refuses what is not an article's text (binary, not UTF-8,
//! empty), picks its format, finds the title, makes the id, and writes the front matter and the
//! Markdown body. It touches no file: `briefing import` decides whether and where to write, and
//! [`drift`] reports what a re-import did to the site's citations. The work per format is in
//! [`text`] (plain text), [`html`] (saved pages) and [`front`] (Markdown front matter);
//! [`language`] guesses the language when none is given.

pub mod drift;
pub mod front;
pub mod html;
pub mod language;
pub mod text;

use crate::diag::Diagnostics;
use crate::load::config::MentionLinks;
use crate::markdown;
use crate::model::{Date, Markdown};
use crate::resolve::index::Index;
use crate::source::{FileId, SourceFile, Span};
use std::path::Path;

/// What the command line says about the article, each flag optional.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--id`: the article's id (already checked to be valid).
    pub id: Option<String>,
    /// `--title`: the title; the text's first line then stays in the body.
    pub title: Option<String>,
    /// `--source`: the publisher.
    pub source: Option<String>,
    /// `--published`: the publication date.
    pub published: Option<Date>,
    /// `--url`: the original address.
    pub url: Option<String>,
    /// `--language`: a BCP 47 tag; detected from the text when absent.
    pub language: Option<String>,
    /// `--translation`: original, human or machine.
    pub translation: Option<String>,
}

/// The kinds of file `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text: paragraphs by lines or by blank lines.
    Text,
    /// Markdown, with or without front matter: its body is kept as it is.
    Markdown,
    /// A saved web page: the article's text is taken out of it.
    Html,
}

impl Format {
    /// How the format is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "plain text",
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
        }
    }
}

/// An article ready to be written.
#[derive(Clone, Debug)]
pub struct Imported {
    /// Its id: the file is `content/articles/<id>.md`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What the input was read as.
    pub format: Format,
    /// The whole file: front matter and body.
    pub contents: String,
    /// The plain text of each numbered paragraph, as the site will number them.
    pub paragraphs: Vec<String>,
}

/// Why a file cannot be imported. [`ImportError::is_usage`] tells the ones a flag would fix.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file holds NUL bytes.
    #[error("this is a binary file, not text")]
    Binary,
    /// The file is not UTF-8.
    #[error(
        "this file is not valid UTF-8 text (invalid byte at offset {0}); save it as UTF-8 first"
    )]
    NotUtf8(usize),
    /// Nothing but white space.
    #[error("this file is empty: there is no text to import")]
    Empty,
    /// A page or Markdown file with no paragraph, heading or list in its text.
    #[error("no article text found in this {0} file")]
    NoText(&'static str),
    /// The only text is the title.
    #[error("this file has no text besides its title `{0}`")]
    OnlyTitle(String),
    /// Markdown front matter that cannot be read.
    #[error("{0}")]
    FrontMatter(String),
    /// No line qualifies as the title.
    #[error("no title found: {0}; pass --title")]
    NeedsTitle(String),
    /// The title has nothing to make an id from.
    #[error(
        "the title `{0}` has no Latin letters or digits to make an id from; pass --id (lowercase letters, digits and single hyphens)"
    )]
    NeedsId(String),
    /// No publisher given or found.
    #[error("no source found: the front matter needs the publisher; pass --source \"Publisher\"")]
    NeedsSource,
}

impl ImportError {
    /// Whether the command cannot run as asked without one more flag (exit status 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ImportError::NeedsTitle(_) | ImportError::NeedsId(_) | ImportError::NeedsSource
        )
    }
}

/// Turn the bytes of the file at `path` into an article. `path` only picks the format.
pub fn prepare(path: &Path, bytes: &[u8], opts: &Options) -> Result<Imported, ImportError> {
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    match detect_format(path, &text) {
        Format::Text => from_text(&text, opts),
        Format::Markdown => from_markdown(&text, opts),
        Format::Html => from_html(&text, opts),
    }
}

/// Bytes to text: no NUL bytes, valid UTF-8, no byte-order mark, `\n` line ends.
fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    if bytes.contains(&0) {
        return Err(ImportError::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotUtf8(e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // Control characters other than tab and line end have no place in an article.
    Ok(text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' {
                ' '
            } else {
                c
            }
        })
        .collect())
}

/// The format, by extension first, then by what the text starts with.
pub fn detect_format(path: &Path, text: &str) -> Format {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" | "xhtml" | "shtml" => return Format::Html,
        "md" | "markdown" | "mdown" | "mkd" => return Format::Markdown,
        _ => {}
    }
    let start: String = text
        .trim_start()
        .chars()
        .take(200)
        .collect::<String>()
        .to_ascii_lowercase();
    if start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<!-- saved from")
        || (start.starts_with("<?xml") && start.contains("<html"))
    {
        Format::Html
    } else if crate::load::split_front_matter(text).is_some() {
        Format::Markdown
    } else {
        Format::Text
    }
}

fn from_text(input: &str, opts: &Options) -> Result<Imported, ImportError> {
    let split = text::split(input, opts.title.is_none());
    let title = match (&opts.title, split.title) {
        (Some(t), _) => t.clone(),
        (None, Some(t)) => t,
        (None, None) => {
            return Err(ImportError::NeedsTitle(
                "the first line does not stand alone as a title (it ends with a full stop or runs on)"
                    .into(),
            ));
        }
    };
    if split.paragraphs.is_empty() {
        return Err(ImportError::OnlyTitle(title));
    }
    let body: Vec<String> = split
        .paragraphs
        .iter()
        .map(|p| text::escape_paragraph(p))
        .collect();
    let body = body.join("\n\n") + "\n";
    let source = opts.source.clone().ok_or(ImportError::NeedsSource)?;
    let language = opts
        .language
        .clone()
        .unwrap_or_else(|| language::detect(&split.paragraphs.join("\n")).to_string());
    let fields = Fields {
        title: Some(title.clone()),
        source: Some(source),
        url: opts.url.clone(),
        published: opts.published,
        language: Some(language),
        translation: opts.translation.clone(),
        author: None,
    };
    finish(Format::Text, &title, fields.front_matter(), body, opts)
}

fn from_markdown(input: &str, opts: &Options) -> Result<Imported, ImportError> {
    let (existing, body) = match crate::load::split_front_matter(input) {
        Some((yaml_start, yaml_end, body_start)) => (
            Some(front::Existing::parse(input, yaml_start, yaml_end)?),
            &input[body_start..],
        ),
        None => (None, input),
    };
    let known_title = opts
        .title
        .clone()
        .or_else(|| existing.as_ref().and_then(|e| e.text("title")));
    let (title, body) = match known_title {
        Some(t) => (t, body.to_string()),
        None => match text::leading_title(body) {
            Some((t, rest)) => (t, rest.to_string()),
            None => {
                return Err(ImportError::NeedsTitle(
                    "the front matter has no `title` and the text does not start with a `# Title` line".into(),
                ));
            }
        },
    };
    let body = body.trim_start_matches('\n');
    let paragraphs = plain_paragraphs(body);
    if body.trim().is_empty() {
        return Err(ImportError::OnlyTitle(title));
    }
    if paragraphs.is_empty() && !has_visible_text(body) {
        return Err(ImportError::NoText(Format::Markdown.name()));
    }
    let has = |key: &str| existing.as_ref().is_some_and(|e| e.has(key));
    if opts.source.is_none() && existing.as_ref().and_then(|e| e.text("source")).is_none() {
        return Err(ImportError::NeedsSource);
    }
    let language = match &opts.language {
        Some(l) => Some(l.clone()),
        None if has("language") => None,
        None => Some(language::detect(&paragraphs.join("\n")).to_string()),
    };
    let fields = Fields {
        title: (opts.title.is_some() || !has("title")).then(|| title.clone()),
        source: opts.source.clone(),
        url: opts.url.clone(),
        published: opts.published,
        language,
        translation: opts.translation.clone(),
        author: None,
    };
    let front = match existing {
        Some(e) => e.merge(&fields.lines()),
        None => fields.front_matter(),
    };
    let mut body = body.to_string();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    finish(Format::Markdown, &title, front, body, opts)
}

fn from_html(input: &str, opts: &Options) -> Result<Imported, ImportError> {
    let page = html::extract(input);
    let title = opts.title.clone().or(page.title.clone()).ok_or_else(|| {
        ImportError::NeedsTitle("the page has no <h1> heading and no <title>".into())
    })?;
    let body = html::to_markdown(&page.blocks);
    if body.trim().is_empty() {
        return Err(ImportError::NoText(Format::Html.name()));
    }
    let source = opts
        .source
        .clone()
        .or(page.site_name.clone())
        .ok_or(ImportError::NeedsSource)?;
    let paragraphs = plain_paragraphs(&body);
    let language = opts
        .language
        .clone()
        .unwrap_or_else(|| language::detect(&paragraphs.join("\n")).to_string());
    let fields = Fields {
        title: Some(title.clone()),
        source: Some(source),
        url: opts.url.clone().or(page.url),
        published: opts.published.or(page.published),
        language: Some(language),
        translation: opts.translation.clone(),
        author: page.author,
    };
    finish(Format::Html, &title, fields.front_matter(), body, opts)
}

fn finish(
    format: Format,
    title: &str,
    front: String,
    body: String,
    opts: &Options,
) -> Result<Imported, ImportError> {
    let id = match &opts.id {
        Some(id) => id.clone(),
        None => make_id(title).ok_or_else(|| ImportError::NeedsId(title.to_string()))?,
    };
    let paragraphs = plain_paragraphs(&body);
    Ok(Imported {
        id,
        title: title.to_string(),
        format,
        contents: format!("---\n{front}---\n{body}"),
        paragraphs,
    })
}

/// Front-matter fields that `import` writes, each `None` when it has nothing to say.
#[derive(Clone, Debug, Default)]
struct Fields {
    title: Option<String>,
    source: Option<String>,
    url: Option<String>,
    published: Option<Date>,
    language: Option<String>,
    translation: Option<String>,
    author: Option<String>,
}

impl Fields {
    /// `(key, line)` pairs in FORMAT.md's order.
    fn lines(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut put =
            |key: &'static str, value: String| out.push((key, format!("{key}: {value}\n")));
        if let Some(t) = &self.title {
            put("title", yaml_string(t));
        }
        if let Some(s) = &self.source {
            put("source", yaml_string(s));
        }
        if let Some(u) = &self.url {
            put("url", yaml_string(u));
        }
        if let Some(d) = &self.published {
            put("published", d.iso());
        }
        if let Some(l) = &self.language {
            put("language", yaml_string(l));
        }
        if let Some(t) = &self.translation {
            put("translation", t.clone());
        }
        if let Some(a) = &self.author {
            put("author", yaml_string(a));
        }
        out
    }

    fn front_matter(&self) -> String {
        self.lines().into_iter().map(|(_, line)| line).collect()
    }
}

/// A YAML scalar for `text`: plain when that reads back the same, double-quoted otherwise.
pub fn yaml_string(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        text.to_string()
    } else {
        // JSON strings are YAML double-quoted scalars.
        serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
    }
}

/// An id from the Latin letters and digits of `title`: lowercase, words joined by single
/// hyphens, at most 100 characters (cut at a word's end). `None` when there are none.
pub fn make_id(title: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in title.nfkd() {
        let mapped: &str = match c {
            'ß' => "ss",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            'ø' | 'Ø' => "o",
            'đ' | 'Đ' | 'ð' | 'Ð' => "d",
            'ł' | 'Ł' => "l",
            'þ' | 'Þ' => "th",
            'ı' => "i",
            _ => "",
        };
        if !mapped.is_empty() {
            word.push_str(mapped);
        } else if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if matches!(c, '\'' | '\u{2019}') || is_combining(c) {
            // "Chongqing's" is one word; accents were split off by NFKD.
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut id = String::new();
    for w in words {
        let extra = if id.is_empty() { w.len() } else { w.len() + 1 };
        if id.len() + extra > 100 {
            if id.is_empty() {
                id = w[..100].to_string();
            }
            break;
        }
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(&w);
    }
    (!id.is_empty()).then_some(id)
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Whether `tag` reads as a BCP 47 language tag (`en`, `zh-Hans`, `pt-BR`).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The plain text of each paragraph the site will number in a Markdown body, read the way
/// the site reads it (wikilinks cannot resolve here, so they read as their targets).
pub fn plain_paragraphs(body: &str) -> Vec<String> {
    let mut diags = Diagnostics::default();
    let index = Index::new(
        Default::default(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        None,
        &mut diags,
    );
    let file = SourceFile::new(String::new(), Default::default(), body.to_string());
    let md = Markdown {
        text: body.to_string(),
        span: Span::new(FileId(0), 0, 0),
        exact_offset: Some(0),
    };
    let opts = markdown::Options {
        mentions: Some(MentionLinks::None),
        marks: None,
        highlight_theme: "css",
    };
    markdown::render(&md, &file, &index, opts, &mut diags).paragraphs
}

/// Whether a Markdown body shows any text at all (headings and lists count).
fn has_visible_text(body: &str) -> bool {
    use pulldown_cmark::{Event, Parser};
    Parser::new(body).any(|e| match e {
        Event::Text(t) | Event::Code(t) => !t.trim().is_empty(),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            source: Some("Test Daily".into()),
            ..Options::default()
        }
    }

    #[test]
    fn ids_from_titles() {
        assert_eq!(
            make_id("Chongqing's economy: 2024 targets").as_deref(),
            Some("chongqings-economy-2024-targets")
        );
        assert_eq!(
            make_id("Café Über straße").as_deref(),
            Some("cafe-uber-strasse")
        );
        assert_eq!(make_id("重庆市委全会"), None);
        assert_eq!(make_id("重庆 2024 年").as_deref(), Some("2024"));
        let long = make_id(&"word ".repeat(40)).unwrap();
        assert!(long.len() <= 100 && crate::load::is_valid_id(&long));
        let one = make_id(&"a".repeat(150)).unwrap();
        assert_eq!(one.len(), 100);
    }

    #[test]
    fn yaml_strings_read_back() {
        assert_eq!(yaml_string("en"), "en");
        assert_eq!(yaml_string("yes"), "\"yes\"");
        assert_eq!(yaml_string("A: b # c"), "\"A: b # c\"");
        assert_eq!(yaml_string("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn refuses_bad_bytes() {
        let p = Path::new("a.txt");
        assert!(matches!(
            prepare(p, b"a\0b", &opts()),
            Err(ImportError::Binary)
        ));
        assert!(matches!(
            prepare(p, b"ab\xff", &opts()),
            Err(ImportError::NotUtf8(2))
        ));
        assert!(matches!(
            prepare(p, b" \n\t\n", &opts()),
            Err(ImportError::Empty)
        ));
    }

    #[test]
    fn text_article() {
        let got = prepare(
            Path::new("a.txt"),
            "Reform plan unveiled\nThe city set out its plan.\n# Not a heading.\n".as_bytes(),
            &opts(),
        )
        .unwrap();
        assert_eq!(got.id, "reform-plan-unveiled");
        assert_eq!(
            got.paragraphs,
            ["The city set out its plan.", "# Not a heading."]
        );
        assert!(
            got.contents
                .starts_with("---\ntitle: \"Reform plan unveiled\"\nsource: \"Test Daily\"\n")
        );
        assert!(got.contents.contains("language: en\n"));
    }

    #[test]
    fn source_and_id_are_needed() {
        let p = Path::new("a.txt");
        let none = Options::default();
        let err = prepare(p, "Title\nBody.\n".as_bytes(), &none).unwrap_err();
        assert!(matches!(err, ImportError::NeedsSource) && err.is_usage());
        let err = prepare(p, "重庆市委全会\n会议召开。\n".as_bytes(), &opts()).unwrap_err();
        assert!(matches!(err, ImportError::NeedsId(_)) && err.is_usage());
        let err = prepare(p, "One line only.\nAnother.\n".as_bytes(), &opts()).unwrap_err();
        assert!(matches!(err, ImportError::NeedsTitle(_)));
    }

    #[test]
    fn markdown_front_matter_is_merged() {
        let input =
            "---\ntitle: Old title # kept\nsource: Paper\nextra: {a: 1}\n---\nBody *text*.\n";
        let o = Options {
            url: Some("https://example.org/x".into()),
            language: Some("en".into()),
            ..Options::default()
        };
        let got = prepare(Path::new("a.md"), input.as_bytes(), &o).unwrap();
        assert_eq!(got.id, "old-title");
        assert_eq!(
            got.contents,
            "---\ntitle: Old title # kept\nsource: Paper\nextra: {a: 1}\nurl: \"https://example.org/x\"\nlanguage: en\n---\nBody *text*.\n"
        );
        assert_eq!(got.paragraphs, ["Body text."]);
    }

    #[test]
    fn markdown_heading_becomes_title() {
        let got = prepare(
            Path::new("a.md"),
            "# The Title\n\nFirst.\n\n## Part\n\nSecond.\n".as_bytes(),
            &opts(),
        )
        .unwrap();
        assert_eq!(got.title, "The Title");
        assert!(
            got.contents
                .ends_with("---\nFirst.\n\n## Part\n\nSecond.\n")
        );
        assert_eq!(got.paragraphs.len(), 2);
    }

    #[test]
    fn languages() {
        assert!(is_language_tag("zh-Hans"));
        assert!(!is_language_tag("english language"));
    }
}
