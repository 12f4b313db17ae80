//! Finding names in article text: the mention matcher.
//!
//! The rule (FORMAT.md, and [`crate::resolve::index::Index::find_mentions`]): in normalized
//! text, the leftmost match wins, and of the names matching there the longest; a name without
//! CJK characters counts only as whole words, and when the longest name at a place is not a
//! whole word there, nothing is found at that place.
//!
//! An Aho–Corasick DFA does this at any size, but its table grows with the number of names, and
//! past a few thousand names every byte of text is a cache miss (at 100,000 articles and 23,500
//! names, most of the build). Real names are words, so [`Matcher`] looks them up word by word
//! instead: a name made of words ("Xu Hui", "Chengdu-Chongqing Economic Circle") is a path in a
//! trie of words and the separators between them, tried only where a word starts; a name that
//! starts with a CJK character is looked up by its first two characters where a CJK character
//! is. Before any lookup, a bit filter of the names' first three words (each word keyed by
//! its first and last byte and its length) turns away most words of a text, whatever the
//! number of names: in prose, a name's first word, even its first two, are often common words
//! ("Urban renewal pilot zone"), but the run of words seldom matches. Names of any
//! other shape (one that starts or ends with punctuation, or mixes in CJK after a Latin start)
//! make the whole set fall back to the DFA, which gives the same matches.

use crate::scan::{not_alphanumeric, word_at};
use crate::text::is_cjk;
use aho_corasick::{AhoCorasick, Input, MatchKind};
use rustc_hash::FxHashMap;

/// Longest name (in bytes, normalized) for which mentions are searched with a DFA.
const MAX_DFA_PATTERN: usize = 512;

/// One match: byte range in the text and the pattern's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// Start in the text.
    pub start: usize,
    /// End in the text.
    pub end: usize,
    /// Which pattern.
    pub pattern: usize,
}

/// Finds the patterns (normalized names) in text by the rule above.
#[derive(Debug)]
pub enum Matcher {
    /// Names that are all words, or all start with a CJK character (the usual case).
    Words(WordTrie),
    /// Any other set of names.
    Automaton(AhoCorasick, Vec<bool>),
}

/// Whether `c` is part of a word for whole-word matching (as [`crate::text::is_whole_word`]).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

impl Matcher {
    /// A matcher for `patterns`; `None` when there are none (or the automaton cannot be built).
    pub fn new(patterns: &[String]) -> Option<Matcher> {
        if patterns.is_empty() {
            return None;
        }
        if let Some(trie) = WordTrie::new(patterns) {
            return Some(Matcher::Words(trie));
        }
        // A DFA costs memory once and scans text several times faster than the NFA. Its
        // construction grows with the square of a long pattern, so a site with a name of
        // thousands of characters (hostile or broken input) gets the NFA instead.
        let longest = patterns.iter().map(String::len).max().unwrap_or(0);
        let kind = if longest <= MAX_DFA_PATTERN {
            aho_corasick::AhoCorasickKind::DFA
        } else {
            aho_corasick::AhoCorasickKind::ContiguousNFA
        };
        let latin = patterns.iter().map(|p| !p.chars().any(is_cjk)).collect();
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(kind))
            .build(patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(patterns)
            })
            .ok()
            .map(|a| Matcher::Automaton(a, latin))
    }

    /// Every match in `hay`, in order.
    pub fn find(&self, hay: &str) -> Vec<Match> {
        match self {
            Matcher::Words(trie) => trie.find(hay),
            Matcher::Automaton(automaton, latin) => find_with_automaton(automaton, latin, hay),
        }
    }
}

fn find_with_automaton(automaton: &AhoCorasick, latin: &[bool], hay: &str) -> Vec<Match> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < hay.len() {
        let Some(m) = automaton.find(Input::new(hay).range(at..)) else {
            break;
        };
        let pattern = m.pattern().as_usize();
        if latin[pattern] && !crate::text::is_whole_word(hay, m.start(), m.end()) {
            at = m.start() + hay[m.start()..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        found.push(Match {
            start: m.start(),
            end: m.end(),
            pattern,
        });
        at = m.end();
    }
    found
}

/// Names made of words, as a trie of words and separators; names starting with a CJK
/// character, by their first two characters.
#[derive(Debug, Default)]
pub struct WordTrie {
    /// Node 0 is the root; a node is reached by a word (then it may end a name) or by a
    /// separator (the non-word characters between two words of a name).
    nodes: Vec<Node>,
    /// Longest separator in any name, in bytes: a longer run of non-word text matches none.
    longest_separator: usize,
    /// Every name of words by its first [`START_WORDS`] words (all of them, when it has
    /// fewer), each word keyed by [`chain`].
    starts: Filter,
    /// Bit `n` set when some name's own key in `starts` is of its first `n` words: a text's
    /// first word alone is looked up only when some name is one word long, and so on.
    whole_lengths: u8,
    /// Names starting with a CJK character, by their first two characters (the second is
    /// `None` for a one-character name), longest first.
    cjk: FxHashMap<(char, Option<char>), Vec<CjkName>>,
}

/// A name starting with a CJK character, and its pattern number.
type CjkName = (Box<str>, usize);

#[derive(Debug, Default)]
struct Node {
    /// The nodes reached by a word.
    words: FxHashMap<Box<str>, u32>,
    /// A bit per [`word_bit`] of each word in `words`: most words of a
    /// text follow no name's path, and this tells so without a lookup.
    word_bits: u64,
    /// The nodes reached by a separator: few, most often one single space.
    separators: Vec<(Box<str>, u32)>,
    /// The pattern that ends here.
    ends: Option<usize>,
    /// The words after this node that end a name (to tell when a name ends inside a longer
    /// word of the text).
    final_words: rustc_hash::FxHashSet<Box<str>>,
}

impl Node {
    /// Whether some word after this node may be `word` (no: certainly none is).
    #[inline]
    fn may_follow(&self, word: &str) -> bool {
        self.word_bits & (1 << word_bit(word)) != 0
    }

    /// The node after the separator `sep`.
    #[inline]
    fn separator(&self, sep: &str) -> Option<u32> {
        self.separators
            .iter()
            .find(|(s, _)| **s == *sep)
            .map(|&(_, n)| n)
    }

    /// The length of the longest word that ends a name here and is a proper prefix of `word`.
    fn longest_final_prefix(&self, word: &str) -> Option<usize> {
        if self.final_words.is_empty() {
            return None;
        }
        word.char_indices()
            .rev()
            .map(|(i, _)| i)
            .take_while(|&i| i > 0)
            .find(|&i| self.final_words.contains(&word[..i]))
    }
}

impl WordTrie {
    /// The trie of `patterns`, or `None` when one of them is not made of words (starts or
    /// ends with a non-word character, or holds CJK without starting with it).
    fn new(patterns: &[String]) -> Option<WordTrie> {
        let mut trie = WordTrie {
            nodes: vec![Node::default()],
            // Room by names, each putting in up to START_WORDS keys: 32 slots a name let
            // 6 % (10k articles) to 12 % (100k) less time go to words no name starts with
            // than 16 (docs/performance.md, session 8).
            starts: Filter::with_room(patterns.len()),
            ..WordTrie::default()
        };
        for (id, pattern) in patterns.iter().enumerate() {
            let first = pattern.chars().next()?;
            if is_cjk(first) {
                let second = pattern.chars().nth(1);
                let list = trie.cjk.entry((first, second)).or_default();
                list.push((pattern.as_str().into(), id));
                list.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
                continue;
            }
            let last = pattern.chars().next_back()?;
            if !is_word(first) || !is_word(last) || pattern.chars().any(is_cjk) {
                return None;
            }
            // The name's keys in the filter of name starts: of its first word, its first two,
            // and so on up to START_WORDS words (or all, when fewer), separators left out.
            let mut keys: Vec<u64> = Vec::with_capacity(START_WORDS);
            let mut node = 0usize;
            let mut rest = pattern.as_str();
            while !rest.is_empty() {
                let word_len = word_length(rest);
                let (word, after) = rest.split_at(word_len);
                if keys.len() < START_WORDS {
                    keys.push(chain(keys.last().copied().unwrap_or(0), word.as_bytes()));
                }
                if after.is_empty() {
                    trie.nodes[node].final_words.insert(word.into());
                }
                node = trie.word_child(node, word);
                if after.is_empty() {
                    trie.nodes[node].ends = Some(id);
                    break;
                }
                let sep_len = separator_length(after, usize::MAX);
                let (sep, after) = after.split_at(sep_len);
                trie.longest_separator = trie.longest_separator.max(sep.len());
                node = trie.separator_child(node, sep);
                rest = after;
            }
            // The last key is the whole name; the shorter ones are its first words.
            if let Some((&whole, shorter)) = keys.split_last() {
                trie.starts.insert(whole, WHOLE);
                trie.whole_lengths |= 1 << keys.len();
                for &key in shorter {
                    trie.starts.insert(key, PREFIX);
                }
            }
        }
        Some(trie)
    }

    /// The node after `word` from `node`, made when missing.
    fn word_child(&mut self, node: usize, word: &str) -> usize {
        if let Some(&n) = self.nodes[node].words.get(word) {
            return n as usize;
        }
        let n = self.nodes.len() as u32;
        self.nodes.push(Node::default());
        let parent = &mut self.nodes[node];
        parent.words.insert(word.into(), n);
        parent.word_bits |= 1 << word_bit(word);
        n as usize
    }

    /// The node after the separator `sep` from `node`, made when missing.
    fn separator_child(&mut self, node: usize, sep: &str) -> usize {
        if let Some(n) = self.nodes[node].separator(sep) {
            return n as usize;
        }
        let n = self.nodes.len() as u32;
        self.nodes.push(Node::default());
        self.nodes[node].separators.push((sep.into(), n));
        n as usize
    }

    fn find(&self, hay: &str) -> Vec<Match> {
        let bytes = hay.as_bytes();
        let mut found = Vec::new();
        let mut at = 0;
        let mut previous_is_word = false;
        // A word start and length already measured by `may_start`.
        let mut measured: Option<(usize, usize)> = None;
        while at < bytes.len() {
            let b = bytes[at];
            let (c, word) = if b < 0x80 {
                (b as char, b.is_ascii_alphanumeric())
            } else {
                let c = hay[at..].chars().next().unwrap_or(' ');
                (c, is_word(c))
            };
            if word {
                let len = match measured.take() {
                    Some((start, len)) if start == at => len,
                    _ => word_length(&hay[at..]),
                };
                // Only at the start of a word can a name of words be whole.
                if !previous_is_word {
                    let (maybe, next) = self.may_start(hay, at, len);
                    if maybe && let Some(m) = self.words_at(hay, at, len) {
                        found.push(m);
                        at = m.end;
                        previous_is_word = true;
                        continue;
                    }
                    if let Some((start, _)) = next {
                        // Straight to the next word: what lies between holds no CJK name.
                        measured = next;
                        at = start;
                        previous_is_word = false;
                        continue;
                    }
                }
                at += len;
                previous_is_word = true;
                continue;
            }
            previous_is_word = false;
            if b >= 0x80
                && is_cjk(c)
                && let Some(m) = self.cjk_at(hay, at, c)
            {
                found.push(m);
                at = m.end;
                previous_is_word = hay[..at].chars().next_back().is_some_and(is_word);
                continue;
            }
            at += c.len_utf8();
        }
        found
    }

    /// Whether some name may start at `at`, the start of a word `len` bytes long (false:
    /// certainly none does), and the next word of the text (start, length) when it was
    /// measured and only non-CJK separators come before it.
    ///
    /// A name found there is made of that word and the next ones of the text, whole, so its
    /// first words (up to [`START_WORDS`]) are theirs: most words of a text start no such run,
    /// which the filter tells without a lookup.
    fn may_start(&self, hay: &str, at: usize, len: usize) -> (bool, Option<(usize, usize)>) {
        let bytes = hay.as_bytes();
        let mut key = chain(0, &bytes[at..at + len]);
        let mut next = None;
        let mut end = at + len;
        for n in 1..=START_WORDS {
            let flags = self.starts.get(key);
            if flags & WHOLE != 0 && self.whole_lengths & (1 << n) != 0 {
                return (true, next);
            }
            if n == START_WORDS || flags & PREFIX == 0 {
                break;
            }
            let sep_len = separator_length(&hay[end..], self.longest_separator + 1);
            if sep_len == 0 || sep_len > self.longest_separator {
                break;
            }
            let word_at = end + sep_len;
            let word_len = word_length(&hay[word_at..]);
            if word_len == 0 {
                break;
            }
            if n == 1 {
                let separator = &hay[end..word_at];
                let plain = separator.is_ascii() || !separator.chars().any(is_cjk);
                next = plain.then_some((word_at, word_len));
            }
            key = chain(key, &bytes[word_at..word_at + word_len]);
            end = word_at + word_len;
        }
        (false, next)
    }

    /// The longest name of words at `at` (a word start, of a word `first_len` bytes long), when
    /// it is whole there.
    fn words_at(&self, hay: &str, at: usize, first_len: usize) -> Option<Match> {
        let mut node = &self.nodes[0];
        let mut pos = at;
        // The longest name matching at `at`, and whether it is whole (a name that ends inside
        // a longer word of the text matches, is the longest, and is not whole).
        let mut longest: Option<(usize, Option<usize>)> = None;
        let mut word_len = first_len;
        loop {
            let word = &hay[pos..pos + word_len];
            if matches!(longest, Some((_, Some(_))))
                && let Some(end) = node.longest_final_prefix(word)
            {
                longest = Some((pos + end, None));
            }
            let Some(next) = (pos == at || node.may_follow(word))
                .then(|| node.words.get(word).copied())
                .flatten()
            else {
                break;
            };
            node = &self.nodes[next as usize];
            pos += word_len;
            if let Some(pattern) = node.ends {
                longest = Some((pos, Some(pattern)));
            }
            let sep_len = separator_length(&hay[pos..], self.longest_separator + 1);
            if sep_len == 0 || sep_len > self.longest_separator || pos + sep_len >= hay.len() {
                break;
            }
            let Some(next) = node.separator(&hay[pos..pos + sep_len]) else {
                break;
            };
            node = &self.nodes[next as usize];
            pos += sep_len;
            word_len = word_length(&hay[pos..]);
        }
        match longest {
            Some((end, Some(pattern))) => Some(Match {
                start: at,
                end,
                pattern,
            }),
            _ => None,
        }
    }

    /// The longest name starting with the CJK character `c` at `at`.
    fn cjk_at(&self, hay: &str, at: usize, c: char) -> Option<Match> {
        let rest = &hay[at..];
        let second = rest[c.len_utf8()..].chars().next();
        let keys = [second.map(|s| (c, Some(s))), Some((c, None))];
        keys.into_iter().flatten().find_map(|key| {
            self.cjk.get(&key)?.iter().find_map(|(name, pattern)| {
                rest.starts_with(&**name).then_some(Match {
                    start: at,
                    end: at + name.len(),
                    pattern: *pattern,
                })
            })
        })
    }
}

/// How many words of a name the filter of name starts keys it by: enough that a common word
/// starting many names, or a common pair of words, is turned away.
const START_WORDS: usize = 3;

/// `key` (0 to begin) followed by `word`: from the word's first and last byte and its length.
fn chain(key: u64, word: &[u8]) -> u64 {
    let (first, last) = (word.first().copied(), word.last().copied());
    let word = u64::from(first.unwrap_or(0))
        | u64::from(last.unwrap_or(0)) << 8
        | (word.len().min(0xFFFF) as u64) << 16;
    (key.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A word's bit (0 to 63) in a node's [`Node::word_bits`].
fn word_bit(word: &str) -> u32 {
    (chain(0, word.as_bytes()) >> 58) as u32
}

/// What the filter of name starts may hold for a run of words: a whole name ([`WHOLE`]), the
/// first words of a longer one ([`PREFIX`]), or both. A text's words are measured further only
/// while they may still be such a start.
const WHOLE: u8 = 1;
/// See [`WHOLE`].
const PREFIX: u8 = 2;

/// A map from keys to two flags ([`WHOLE`], [`PREFIX`]), each of which may answer "certainly
/// not": a key's two flags sit side by side, so one load tells both.
#[derive(Debug, Default)]
struct Filter {
    bits: Vec<u64>,
    /// log2 of the number of slots (two bits each).
    order: u32,
}

impl Filter {
    /// A filter of 32 slots (64 bits) for each of about `entries` (rounded up to a power of
    /// two, from 2 Ki to 2 Mi slots).
    fn with_room(entries: usize) -> Filter {
        let order = (entries.max(1) * 32)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(11, 21);
        Filter {
            bits: vec![0; (1 << order) / 32],
            order,
        }
    }

    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.order)) as usize
    }

    fn insert(&mut self, key: u64, flag: u8) {
        let slot = self.slot(key);
        self.bits[slot / 32] |= u64::from(flag) << (2 * (slot % 32));
    }

    /// The flags `key` may have (a flag not set: certainly not).
    #[inline]
    fn get(&self, key: u64) -> u8 {
        let slot = self.slot(key);
        ((self.bits[slot / 32] >> (2 * (slot % 32))) & 3) as u8
    }
}

/// Length in bytes of the word (a run of word characters) at the start of `text`.
#[inline]
fn word_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    // Eight bytes at a time while they are ASCII letters and digits: most words end within
    // the first eight, where an ASCII byte that is not one ends them, with no branch per byte.
    let mut i = 0;
    while let Some(chunk) = word_at(bytes, i) {
        let stop = not_alphanumeric(chunk);
        if stop != 0 {
            i += (stop.trailing_zeros() / 8) as usize;
            if bytes[i] < 0x80 {
                return i;
            }
            break;
        }
        i += 8;
    }
    i + run_from(&text[i..], true, usize::MAX)
}

/// Length in bytes of the separator (a run of non-word characters) at the start of `text`,
/// looking at no more than `limit` bytes (a run longer than that is cut just past it).
#[inline]
fn separator_length(text: &str, limit: usize) -> usize {
    match text.as_bytes() {
        // Most often a single space between two words.
        [b' ', next, ..] if next.is_ascii_alphanumeric() => 1,
        _ => run_from(text, false, limit),
    }
}

/// Length in bytes of the run of word characters (`words`) or of non-word characters at the
/// start of `text`, character by character, looking at no more than `limit` bytes (a run
/// longer than that is cut just past it).
fn run_from(text: &str, words: bool, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && i <= limit {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() != words {
                break;
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        if is_word(c) != words {
            break;
        }
        i += c.len_utf8();
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DFA, always: the reference the word trie must agree with.
    fn reference(patterns: &[String], hay: &str) -> Vec<Match> {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns)
            .unwrap();
        let latin: Vec<bool> = patterns.iter().map(|p| !p.chars().any(is_cjk)).collect();
        find_with_automaton(&automaton, &latin, hay)
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    // Few words, several of them prefixes of others: names ending inside a longer word of
    // the text, and names sharing words, come up often.
    const WORDS: &[&str] = &[
        "xu",
        "xuh",
        "hui",
        "li",
        "lij",
        "jie",
        "3",
        "é",
        "éa",
        "chongqing",
    ];
    const SEPARATORS: &[&str] = &[" ", "  ", "-", ", ", ". ", "'", "李", "会见"];
    const CJK: &[&str] = &["李", "伟", "明", "会", "见", "了", "和"];

    fn text(rng: &mut Rng, parts: usize) -> String {
        let mut s = String::new();
        for _ in 0..parts {
            match rng.below(4) {
                0 => s.push_str(CJK[rng.below(CJK.len())]),
                1 => s.push_str(SEPARATORS[rng.below(SEPARATORS.len())]),
                _ => s.push_str(WORDS[rng.below(WORDS.len())]),
            }
        }
        s
    }

    fn latin_name(rng: &mut Rng) -> String {
        let mut s = WORDS[rng.below(WORDS.len())].to_string();
        for _ in 0..rng.below(3) {
            s.push_str([" ", "-", ". ", "  "][rng.below(4)]);
            s.push_str(WORDS[rng.below(WORDS.len())]);
        }
        s
    }

    fn cjk_name(rng: &mut Rng) -> String {
        (0..1 + rng.below(3))
            .map(|_| CJK[rng.below(CJK.len())])
            .collect()
    }

    #[test]
    fn word_trie_finds_what_the_automaton_finds() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for round in 0..3000 {
            let mut patterns: Vec<String> = (0..1 + rng.below(8))
                .map(|_| {
                    if rng.below(3) == 0 {
                        cjk_name(&mut rng)
                    } else {
                        latin_name(&mut rng)
                    }
                })
                .collect();
            patterns.sort();
            patterns.dedup();
            let Some(Matcher::Words(trie)) = Matcher::new(&patterns) else {
                panic!("{patterns:?} are words");
            };
            for _ in 0..20 {
                let parts = 1 + rng.below(14);
                let hay = text(&mut rng, parts);
                assert_eq!(
                    trie.find(&hay),
                    reference(&patterns, &hay),
                    "round {round}: {patterns:?} in {hay:?}"
                );
            }
        }
    }

    #[test]
    fn names_not_made_of_words_fall_back_to_the_automaton() {
        for odd in ["yahoo!", "(x) y", "a股", "x 李"] {
            let patterns = vec!["xu hui".to_string(), odd.to_string()];
            let matcher = Matcher::new(&patterns).unwrap();
            assert!(matches!(matcher, Matcher::Automaton(..)), "{odd}");
            let hay = format!("met xu hui and {odd} today");
            assert_eq!(matcher.find(&hay), reference(&patterns, &hay));
        }
    }

    #[test]
    fn a_longer_name_ending_inside_a_word_hides_a_shorter_one() {
        // The rule the DFA has always followed: "li ji" is the longest at that place and is
        // not whole there, so "li" is not found there either.
        let patterns = vec!["li".to_string(), "li ji".to_string()];
        let Some(Matcher::Words(trie)) = Matcher::new(&patterns) else {
            panic!()
        };
        assert!(trie.find("li jie").is_empty());
        assert_eq!(trie.find("li jie"), reference(&patterns, "li jie"));
        assert_eq!(trie.find("li ji.").len(), 1);
    }
}
