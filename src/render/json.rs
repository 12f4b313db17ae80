//! JSON string literals that are safe inside an HTML page's `<script>` element and inside a
//! script file: the one escaper for the search index and the link previews.
//!
//! Beyond what JSON needs (`"`, `\`, control characters), `<`, `>` and `&` are written as
//! `\u003c`, `\u003e` and `\u0026` (no `</script>` or `<!--` can appear), and U+2028 and U+2029
//! as escapes (older JavaScript took them for line ends).

use crate::markdown::{LINK_END, LINK_START};
use crate::scan::{any_below, any_equal, any_equal_either, word_at};
use std::fmt::Write as _;

/// `s` as a JSON string literal, appended to `out`.
pub fn json_string(out: &mut String, s: &str) {
    escape(out, s, false);
}

/// As [`json_string`], but the markers of internal links ([`LINK_START`], [`LINK_END`]) stay
/// as they are, for the page's link pass to turn into addresses.
pub fn json_string_with_links(out: &mut String, s: &str) {
    escape(out, s, true);
}

/// Whether any of the eight bytes of `word` may need escaping: a control byte, `"`, `\`, `<`,
/// `>`, `&`, or 0xE2 (which starts U+2028 and U+2029).
fn may_need_escape(word: u64) -> bool {
    // `"` and `&` (0x22, 0x26) differ in one bit, as do `<` and `>` (0x3C, 0x3E).
    (any_below(word, 0x20)
        | any_equal_either(word, b'"', b'&')
        | any_equal_either(word, b'<', b'>')
        | any_equal(word, b'\\')
        | any_equal(word, 0xE2))
        != 0
}

fn escape(out: &mut String, s: &str, keep_links: bool) {
    out.push('"');
    let bytes = s.as_bytes();
    let (start, end) = (LINK_START as u8, LINK_END as u8);
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Most text holds nothing to escape: skip it eight bytes at a time.
        while let Some(word) = word_at(bytes, i) {
            if may_need_escape(word) {
                break;
            }
            i += 8;
        }
        let Some(&b) = bytes.get(i) else { break };
        let special = match b {
            b'"' | b'\\' | b'<' | b'>' | b'&' | 0xE2 => true,
            _ if keep_links && (b == start || b == end) => false,
            _ => b < 0x20,
        };
        if !special {
            i += 1;
            continue;
        }
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; other characters starting with E2
        // (dashes, quotes, the euro sign) stay as they are.
        let (escaped, width): (Option<&str>, usize) = match b {
            b'"' => (Some("\\\""), 1),
            b'\\' => (Some("\\\\"), 1),
            b'\n' => (Some("\\n"), 1),
            b'\r' => (Some("\\r"), 1),
            b'\t' => (Some("\\t"), 1),
            b'<' => (Some("\\u003c"), 1),
            b'>' => (Some("\\u003e"), 1),
            b'&' => (Some("\\u0026"), 1),
            0xE2 if bytes[i..].starts_with(&[0xE2, 0x80, 0xA8]) => (Some("\\u2028"), 3),
            0xE2 if bytes[i..].starts_with(&[0xE2, 0x80, 0xA9]) => (Some("\\u2029"), 3),
            0xE2 => {
                i += 1;
                continue;
            }
            _ => (None, 1),
        };
        out.push_str(&s[last..i]);
        match escaped {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        i += width;
        last = i;
    }
    out.push_str(&s[last..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eight_byte_test_sees_every_byte_that_needs_escaping() {
        for b in 0..=255u8 {
            let needs = b < 0x20 || matches!(b, b'"' | b'\\' | b'<' | b'>' | b'&' | 0xE2);
            for at in 0..8 {
                let mut bytes = *b"abcdefgh";
                bytes[at] = b;
                assert_eq!(may_need_escape(u64::from_le_bytes(bytes)), needs, "{b:#x}");
            }
        }
    }

    #[test]
    fn escapes_at_every_offset_of_long_text() {
        // Whatever falls where the eight-byte skip looks, every special is caught.
        for special in [
            "\"", "\\", "<", ">", "&", "\n", "\u{1f}", "\u{2028}", "\u{2029}", "—", "é", "€",
        ] {
            for at in 0..20 {
                let text = format!("{}{special}{}", "a".repeat(at), "b".repeat(19 - at));
                let mut s = String::new();
                json_string(&mut s, &text);
                let back: String = serde_json::from_str(&s).unwrap();
                assert_eq!(back, text);
                let inner = &s[1..s.len() - 1];
                assert!(!inner.contains(['<', '>', '&', '\u{2028}', '\u{2029}']));
                assert!(!inner.bytes().any(|b| b < 0x20));
            }
        }
    }

    #[test]
    fn is_safe_in_scripts() {
        let mut s = String::new();
        let text = "a\"b</script>\n\u{1}\u{2028}€—é & <!--";
        json_string(&mut s, text);
        assert_eq!(
            s,
            "\"a\\\"b\\u003c/script\\u003e\\n\\u0001\\u2028€—é \\u0026 \\u003c!--\""
        );
        let v: String = serde_json::from_str(&s).unwrap();
        assert_eq!(v, text);
    }

    #[test]
    fn keeps_link_markers_when_asked() {
        let mut s = String::new();
        json_string_with_links(&mut s, "a</script><a href=\"\u{1}people/x/\u{2}\">\u{3}");
        assert_eq!(
            s,
            "\"a\\u003c/script\\u003e\\u003ca href=\\\"\u{1}people/x/\u{2}\\\"\\u003e\\u0003\""
        );
        let finished = s.replace('\u{1}', "../").replace('\u{2}', "");
        let v: String = serde_json::from_str(&finished).unwrap();
        assert_eq!(v, "a</script><a href=\"../people/x/\">\u{3}");
    }
}
