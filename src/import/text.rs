//! Plain text to Markdown paragraphs, by FORMAT.md's rules for `import`.
//!
//! A file with no blank lines has one paragraph per non-blank line; otherwise blank lines
//! separate paragraphs (the lines between them are joined). A first line that stands alone and
//! ends without a full stop is the title and leaves the body. Every other line stays a
//! paragraph, escaped so that Markdown reads it as the same text: block markers at the start
//! of a line (`#`, `1.`, `>`, `-`, …), `[[`, and, where the site would read it differently,
//! inline markup.

use crate::text::is_cjk;

/// A plain text cut into its title and paragraphs (not yet escaped).
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The title line, when one was taken.
    pub title: Option<String>,
    /// Each paragraph's text, on one line, trimmed.
    pub paragraphs: Vec<String>,
}

/// Cut `text` into paragraphs; with `take_title`, take the title line out if there is one.
pub fn split(text: &str, take_title: bool) -> Split {
    let lines: Vec<&str> = text.lines().map(|l| l.trim()).collect();
    let has_blank = {
        let first = lines.iter().position(|l| !l.is_empty());
        let last = lines.iter().rposition(|l| !l.is_empty());
        match (first, last) {
            (Some(a), Some(b)) => lines[a..b].iter().any(|l| l.is_empty()),
            _ => false,
        }
    };
    // Each block is a run of lines that make one paragraph.
    let blocks: Vec<Vec<&str>> = if has_blank {
        lines
            .split(|l| l.is_empty())
            .filter(|b| !b.is_empty())
            .map(|b| b.to_vec())
            .collect()
    } else {
        lines
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| vec![*l])
            .collect()
    };
    let mut paragraphs: Vec<String> = blocks.iter().map(|b| join_lines(b)).collect();
    let mut title = None;
    if take_title
        && let Some(first) = blocks.first()
        && first.len() == 1
        && !ends_with_full_stop(first[0])
    {
        title = Some(paragraphs.remove(0));
    }
    Split { title, paragraphs }
}

/// Lines of one paragraph on one line: a space between them, none between CJK characters.
fn join_lines(lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        let glue = match (out.chars().next_back(), line.chars().next()) {
            (None, _) => "",
            (Some(a), Some(b)) if is_cjk(a) && is_cjk(b) => "",
            _ => " ",
        };
        out.push_str(glue);
        out.push_str(line);
    }
    out
}

/// Whether a line ends with a full stop (closing quotes and brackets looked through).
pub fn ends_with_full_stop(line: &str) -> bool {
    let line = line.trim_end_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '”' | '’' | ')' | '）' | '」' | '』' | '】' | '»'
            )
    });
    line.ends_with(['.', '。', '．', '｡'])
}

/// A Markdown body's title: a first `# Heading` line, with the rest of the body.
pub fn leading_title(body: &str) -> Option<(String, &str)> {
    let start = body.len() - body.trim_start_matches(['\n', ' ', '\t']).len();
    let rest = &body[start..];
    let end = rest.find('\n').unwrap_or(rest.len());
    let line = &rest[..end];
    let heading = line.strip_prefix("# ")?;
    let heading = heading.trim().trim_end_matches('#').trim();
    (!heading.is_empty()).then(|| (heading.to_string(), &rest[end..]))
}

/// One paragraph of plain text as Markdown that the site reads as that same text.
pub fn escape_paragraph(text: &str) -> String {
    let minimal = escape_start(&escape_wikilinks(text));
    if reads_as(&minimal, text) {
        return minimal;
    }
    let full = escape_start(&escape_inline(text));
    if reads_as(&full, text) {
        return full;
    }
    // Markdown that does not read back the same anyway (rare); the full escape is closest.
    full
}

/// `[[` would start a wikilink.
fn escape_wikilinks(text: &str) -> String {
    text.replace("[[", "\\[\\[")
}

/// Every character that inline Markdown may read as markup, escaped.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '!' | '~' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A backslash before what would start a heading, quote, list, code, table, HTML block,
/// link definition or thematic break at the start of the line.
fn escape_start(line: &str) -> String {
    let Some(first) = line.chars().next() else {
        return String::new();
    };
    if line.starts_with('\\') {
        // Already escaped (by `escape_inline`), or a backslash that reads as itself.
        return line.to_string();
    }
    if matches!(
        first,
        '#' | '>' | '-' | '+' | '*' | '=' | '`' | '|' | '<' | '~' | '_' | '['
    ) {
        return format!("\\{line}");
    }
    // `1.` or `1)` starts an ordered list.
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if (1..=9).contains(&digits) {
        let rest = &line[digits..];
        if rest.starts_with(['.', ')']) {
            return format!("{}\\{}", &line[..digits], rest);
        }
    }
    line.to_string()
}

/// Whether `markdown` is one paragraph whose text is `text`.
fn reads_as(markdown: &str, text: &str) -> bool {
    let got = super::plain_paragraphs(markdown);
    got.len() == 1 && squash(&got[0]) == squash(text)
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_without_blanks_are_paragraphs() {
        let s = split("Title here\nFirst line.\nSecond line\n", true);
        assert_eq!(s.title.as_deref(), Some("Title here"));
        assert_eq!(s.paragraphs, ["First line.", "Second line"]);
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let s = split("\nTitle\n\nOne\ncontinued.\n\n\nTwo.\n", true);
        assert_eq!(s.title.as_deref(), Some("Title"));
        assert_eq!(s.paragraphs, ["One continued.", "Two."]);
        let s = split("重庆\n\n第一行\n第二行。\n", true);
        assert_eq!(s.paragraphs, ["第一行第二行。"]);
    }

    #[test]
    fn title_must_stand_alone_without_full_stop() {
        let s = split("It happened.\nMore.\n", true);
        assert_eq!(s.title, None);
        assert_eq!(s.paragraphs.len(), 2);
        let s = split("Two line\nfirst block\n\nSecond.\n", true);
        assert_eq!(s.title, None);
        assert_eq!(s.paragraphs, ["Two line first block", "Second."]);
        let s = split("Title\nBody.\n", false);
        assert_eq!(s.title, None);
        assert!(ends_with_full_stop("他说“好。”"));
        assert!(!ends_with_full_stop("Is it?"));
    }

    #[test]
    fn markdown_markers_are_escaped() {
        for (input, want) in [
            ("# Not a heading", "\\# Not a heading"),
            ("1. First", "1\\. First"),
            ("2024) year", "2024\\) year"),
            ("> not a quote", "\\> not a quote"),
            ("- not a list", "\\- not a list"),
            ("+ plus", "\\+ plus"),
            ("=====", "\\====="),
            ("See [[x]] here", "See \\[\\[x]] here"),
            ("Plain text, 3.5% growth.", "Plain text, 3.5% growth."),
        ] {
            assert_eq!(escape_paragraph(input), want, "{input}");
        }
    }

    #[test]
    fn inline_markup_reads_as_written() {
        for input in [
            "a *b* c",
            "x_y_ and <b>bold</b>",
            "`code` and &amp; and \\",
            "[link](http://x) and ![img](y)",
            "[foo]: http://example.org",
            "<div>",
            "***",
            "    indented",
        ] {
            let md = escape_paragraph(input.trim());
            let got = super::super::plain_paragraphs(&md);
            assert_eq!(got, [input.trim()], "{input} -> {md}");
        }
    }

    #[test]
    fn leading_heading_is_the_title() {
        let (t, rest) = leading_title("\n# A title #\n\nBody.\n").unwrap();
        assert_eq!(t, "A title");
        assert_eq!(rest, "\n\nBody.\n");
        assert!(leading_title("## Sub\n").is_none());
    }
}
