//! Keeping untrusted HTML safe.
//!
//! Article bodies come from the web. Raw HTML blocks go through ammonia (an allow-list HTML
//! sanitizer); inline tags are rebuilt from a short allow-list without attributes, so no event
//! handler, script or `javascript:` address survives. Link and image addresses are checked
//! by scheme.

use std::sync::OnceLock;

/// HTML-escape text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(text, &mut out);
    out
}

/// HTML-escape `text` onto `out`.
pub fn escape_into(text: &str, out: &mut String) {
    use crate::scan::{any_equal, word_at};
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Most text holds nothing to escape: pass over it eight bytes at a time.
        if let Some(w) = word_at(bytes, i)
            && any_equal(w, b'&')
                | any_equal(w, b'<')
                | any_equal(w, b'>')
                | any_equal(w, b'"')
                | any_equal(w, b'\'')
                == 0
        {
            i += 8;
            continue;
        }
        let rep = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        i += 1;
        last = i;
    }
    out.push_str(&text[last..]);
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags([
            "mark",
            "figure",
            "figcaption",
            "details",
            "summary",
            "section",
            "aside",
        ]);
        b.add_generic_attributes(["title", "lang", "dir"]);
        b.url_schemes(["http", "https", "mailto"].into_iter().collect());
        b.link_rel(Some("noopener noreferrer"));
        b
    })
}

/// Clean a block of raw HTML.
pub fn clean_block(html: &str) -> String {
    cleaner().clean(html).to_string()
}

const INLINE_TAGS: &[&str] = &[
    "b", "i", "em", "strong", "sub", "sup", "br", "span", "mark", "abbr", "small", "u", "s", "del",
    "ins", "q", "cite", "code", "kbd", "var", "samp", "dfn", "time", "wbr", "bdi", "bdo",
];

/// What to do with one inline HTML tag.
#[derive(Debug, PartialEq, Eq)]
pub enum InlineTag {
    /// An allowed opening tag, rebuilt without attributes.
    Open(&'static str),
    /// An allowed closing tag.
    Close(&'static str),
    /// `<br>` and `<wbr>`.
    Void(&'static str),
    /// A comment: dropped.
    Comment,
    /// Anything else: shown as text.
    Other,
}

/// Classify a raw inline HTML fragment such as `<b class="x">` or `</b>`.
pub fn classify_inline(raw: &str) -> InlineTag {
    let raw = raw.trim();
    if raw.starts_with("<!--") {
        return InlineTag::Comment;
    }
    let Some(inner) = raw.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        return InlineTag::Other;
    };
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let Some(&tag) = INLINE_TAGS.iter().find(|t| **t == name) else {
        return InlineTag::Other;
    };
    match (closing, tag) {
        (_, "br" | "wbr") => InlineTag::Void(tag),
        (true, _) => InlineTag::Close(tag),
        (false, _) => InlineTag::Open(tag),
    }
}

/// Whether an address written by an author may be linked to.
pub fn is_safe_url(url: &str) -> bool {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = trimmed.to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _))
            if !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#') =>
        {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_is_escaped_wherever_it_falls() {
        for (special, escaped) in [
            ("&", "&amp;"),
            ("<", "&lt;"),
            (">", "&gt;"),
            ("\"", "&quot;"),
            ("'", "&#39;"),
        ] {
            for at in 0..20 {
                let (head, tail) = ("a".repeat(at), "é".repeat(10 - at / 2));
                assert_eq!(
                    escape(&format!("{head}{special}{tail}{special}")),
                    format!("{head}{escaped}{tail}{escaped}")
                );
            }
        }
        assert_eq!(
            escape("plain text, nothing to do"),
            "plain text, nothing to do"
        );
    }

    #[test]
    fn scripts_do_not_survive() {
        let out = clean_block(
            "<div onclick=\"x()\"><script>alert(1)</script><a href=\"javascript:alert(1)\">a</a><iframe src=x></iframe></div>",
        );
        assert!(
            !out.contains("script")
                && !out.contains("onclick")
                && !out.contains("javascript")
                && !out.contains("iframe"),
            "{out}"
        );
    }

    #[test]
    fn inline_tags() {
        assert_eq!(
            classify_inline("<b class=\"x\" onclick=\"y\">"),
            InlineTag::Open("b")
        );
        assert_eq!(classify_inline("</EM>"), InlineTag::Close("em"));
        assert_eq!(classify_inline("<script>"), InlineTag::Other);
        assert_eq!(classify_inline("<img src=x onerror=y>"), InlineTag::Other);
    }

    #[test]
    fn urls() {
        assert!(is_safe_url("https://e.org"));
        assert!(is_safe_url("../x/"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url(" JaVa\tScRiPt:alert(1)"));
        assert!(!is_safe_url("data:text/html,x"));
    }
}
