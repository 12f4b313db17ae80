//! Text normalization for matching names and quotes.
//!
//! FORMAT.md matches mentions and quotes "after NFKC, case-folded, white space runs as one
//! space, dashes as one hyphen" (quotes also fold curly quotes and ignore white space next to
//! CJK characters). [`Normalized`] does that and remembers, for every byte it produced, which
//! byte of the original it came from, so a match can be mapped back and linked or marked.

use crate::scan::{at_most_space_or_non_ascii, spaces, word_at};
use unicode_normalization::UnicodeNormalization;

/// Text after normalization, with a map back to the original.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// The normalized text.
    pub text: String,
    /// The map back, as pieces in the order of `text`, each from a byte of `text` on: a piece
    /// of ASCII (and of single spaces) maps byte for byte, a folded character maps every byte
    /// to where the character began in the original.
    pieces: Vec<Piece>,
}

/// One piece of the map from normalized text back to the original.
#[derive(Clone, Copy, Debug)]
struct Piece {
    /// First byte in the normalized text.
    from: u32,
    /// The byte it came from in the original.
    original: u32,
    /// Whether the following bytes map one to one (else all to `original`).
    one_to_one: bool,
}

/// Which folding rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    /// Names: NFKC, lowercase, white space, dashes, curly quotes.
    Names,
    /// Quotes: as names, and white space next to a CJK character is dropped.
    Quotes,
}

/// Whether `c` is a CJK character (Han, kana, Hangul, CJK punctuation, full-width forms).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x312F | 0x3130..=0x318F
        | 0x31A0..=0x31FF | 0x3200..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

fn fold_char(c: char) -> Option<char> {
    match c {
        '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => Some('-'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => Some('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => Some('"'),
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        _ => Some(c),
    }
}

impl Normalized {
    /// Normalize `input`.
    pub fn new(input: &str, fold: Fold) -> Self {
        let mut out = Normalized::default();
        out.refill(input, fold);
        out
    }

    /// Normalize `input` into this value, reusing its buffers (hot loops call this per text run).
    pub fn refill(&mut self, input: &str, fold: Fold) {
        let mut b = Builder {
            out: std::mem::take(self),
            pending_space: None,
            last_cjk: false,
            fold,
        };
        b.out.text.clear();
        b.out.pieces.clear();
        b.out.text.reserve(input.len());
        let bytes = input.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            if byte < 0x80 {
                // ASCII, most of any text: folding is lowercasing and collapsing white space.
                if byte.is_ascii_whitespace() {
                    b.pending_space.get_or_insert(i as u32);
                    i += 1;
                } else {
                    // Copy the whole run of visible ASCII at once, single spaces between
                    // words included (they stay as they are).
                    let run_end = ascii_run(bytes, i);
                    b.flush_space(false);
                    let at = b.out.text.len();
                    b.out.map(i as u32, true);
                    b.out.text.push_str(&input[i..run_end]);
                    b.out.text[at..].make_ascii_lowercase();
                    b.last_cjk = false;
                    i = run_end;
                }
                continue;
            }
            let c = input[i..].chars().next().unwrap_or(' ');
            for n in std::iter::once(c).nfkc() {
                b.push(n, i as u32);
            }
            i += c.len_utf8();
        }
        *self = b.out;
    }

    /// The original byte range of the normalized range `start..end`, in `original` (the text
    /// this value was made from).
    pub fn original_range(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        if start >= end || end > self.text.len() {
            return (0, 0);
        }
        let first = self.original_of(start);
        let last = self.original_of(end - 1);
        let last_len = original
            .get(last..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        (first, (last + last_len).min(original.len()))
    }

    /// Where the character of byte `at` of the normalized text began in the original.
    fn original_of(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.from as usize <= at);
        let Some(piece) = i.checked_sub(1).map(|i| self.pieces[i]) else {
            return 0;
        };
        let offset = if piece.one_to_one {
            at - piece.from as usize
        } else {
            0
        };
        piece.original as usize + offset
    }

    /// Note that the bytes pushed next come from `original` on (`one_to_one`: byte for byte).
    /// A piece that continues the one before it byte for byte adds nothing.
    fn map(&mut self, original: u32, one_to_one: bool) {
        let from = self.text.len() as u32;
        if one_to_one
            && let Some(last) = self.pieces.last()
            && last.one_to_one
            && last.original + (from - last.from) == original
        {
            return;
        }
        self.pieces.push(Piece {
            from,
            original,
            one_to_one,
        });
    }
}

/// The end of the run of ASCII from `start` (a visible character) that normalizing leaves as
/// it is but for case: visible characters, and single spaces followed by one.
fn ascii_run(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    loop {
        // Eight bytes at a time over letters, digits, punctuation (ASCII above the space) and
        // single spaces before one of them (the last byte's next is not known yet); then a
        // byte at a time through what stopped them.
        while let Some(w) = word_at(bytes, i) {
            let unusual = at_most_space_or_non_ascii(w);
            let kept_spaces = spaces(w) & !(unusual >> 8) & !(0x80 << 56);
            let stop = unusual & !kept_spaces;
            if stop != 0 {
                i += (stop.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        match ascii_step(bytes, i) {
            Some(next) => i = next,
            None => break,
        }
    }
    i
}

/// [`ascii_run`] a byte at a time: past the byte at `i` when it is visible ASCII, or past it
/// and the next when it is a single space before one; `None` where the run ends.
fn ascii_step(bytes: &[u8], i: usize) -> Option<usize> {
    let visible = |c: u8| c < 0x80 && !c.is_ascii_whitespace();
    let c = *bytes.get(i)?;
    if visible(c) {
        Some(i + 1)
    } else if c == b' ' && bytes.get(i + 1).is_some_and(|&next| visible(next)) {
        Some(i + 2)
    } else {
        None
    }
}

/// Accumulates normalized text. A run of white space is held back until the next visible
/// character shows whether it is kept (one space) or dropped (at the start, at the end, or next
/// to CJK when folding quotes).
struct Builder {
    out: Normalized,
    pending_space: Option<u32>,
    last_cjk: bool,
    fold: Fold,
}

impl Builder {
    fn push(&mut self, ch: char, start: u32) {
        if ch.is_whitespace() {
            self.pending_space.get_or_insert(start);
            return;
        }
        for lower in ch.to_lowercase() {
            if let Some(folded) = fold_char(lower) {
                let cjk = is_cjk(folded);
                self.flush_space(cjk);
                self.out.map(start, false);
                self.out.text.push(folded);
                self.last_cjk = cjk;
            }
        }
    }

    /// Emit the held-back space, if any, before a character (`cjk`: whether it is CJK).
    fn flush_space(&mut self, cjk: bool) {
        if let Some(s) = self.pending_space.take() {
            let drop =
                self.out.text.is_empty() || (self.fold == Fold::Quotes && (self.last_cjk || cjk));
            if !drop {
                self.out.map(s, true);
                self.out.text.push(' ');
            }
        }
    }
}

/// Normalize a name or pattern (no offsets needed).
pub fn normalize(text: &str, fold: Fold) -> String {
    Normalized::new(text, fold).text
}

/// Whether the characters around `start..end` of `text` leave the match a whole word.
pub fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !is_cjk(c));
    !word(before) && !word(after)
}

/// Whether a name contains CJK characters (then it matches without word boundaries).
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(is_cjk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_space_dashes_and_width() {
        let n = Normalized::new(
            "  Chengdu\u{2013}Chongqing\u{a0}\u{a0}Economic  ＣＩＲＣＬＥ ",
            Fold::Names,
        );
        assert_eq!(n.text, "chengdu-chongqing economic circle");
    }

    #[test]
    fn maps_back_to_original() {
        let input = "Hello  “World”";
        let n = Normalized::new(input, Fold::Names);
        assert_eq!(n.text, "hello \"world\"");
        let at = n.text.find("world").unwrap();
        let (s, e) = n.original_range(input, at, at + 5);
        assert_eq!(&input[s..e], "World");
    }

    #[test]
    fn every_range_maps_back_to_text_that_normalizes_to_it() {
        let alphabet = [
            "a", "B", "z", " ", "  ", "\n", "\u{a0}", "É", "ß", "–", "’", "袁", "家", "\u{ad}",
            "Ｃ", "-", "İ", "ﬁ",
        ];
        let mut seed = 0x2545_f491_u64;
        for _ in 0..2000 {
            let mut input = String::new();
            for _ in 0..12 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                input.push_str(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let n = Normalized::new(&input, Fold::Names);
            let bounds: Vec<usize> = (0..=n.text.len())
                .filter(|&i| n.text.is_char_boundary(i))
                .collect();
            for (k, &start) in bounds.iter().enumerate() {
                for &end in &bounds[k + 1..] {
                    let part = &n.text[start..end];
                    if part.starts_with(' ') || part.ends_with(' ') {
                        continue;
                    }
                    let (s, e) = n.original_range(&input, start, end);
                    assert!(
                        normalize(&input[s..e], Fold::Names).contains(part),
                        "{input:?}: {part:?} maps back to {:?}",
                        &input[s..e]
                    );
                }
            }
        }
    }

    #[test]
    fn quotes_ignore_space_next_to_cjk() {
        assert_eq!(
            normalize("优化 营商环境 ok", Fold::Quotes),
            "优化营商环境ok"
        );
        assert_eq!(
            normalize("优化 营商环境 ok", Fold::Names),
            "优化 营商环境 ok"
        );
    }

    #[test]
    fn ascii_runs_found_eight_bytes_at_a_time_are_the_byte_by_byte_ones() {
        fn one_by_one(bytes: &[u8], mut i: usize) -> usize {
            while let Some(next) = ascii_step(bytes, i) {
                i = next;
            }
            i
        }
        let pieces = [
            "Xu", "reform", " ", "  ", "\t", "\n", ",", "!", "\u{1}", "é", "营", "~",
        ];
        for text in crate::scan::texts_to_scan(&pieces, 11) {
            let bytes = text.as_bytes();
            for start in 0..bytes.len() {
                assert_eq!(
                    ascii_run(bytes, start),
                    one_by_one(bytes, start),
                    "{text:?} at {start}"
                );
            }
        }
    }

    #[test]
    fn whole_words() {
        assert!(is_whole_word("mr wang said", 3, 7));
        assert!(!is_whole_word("wangfujing", 0, 4));
        assert!(is_whole_word("袁家军wang", 9, 13));
    }
}
