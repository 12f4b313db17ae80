//! The search index: built here, read by the theme's `briefing.js` from static files.
//!
//! Every entity is a *document* made of *units*: unit 0 is what it is called (title, name,
//! local name, aliases, short or original title), units 1… are its text (an article's numbered
//! paragraphs, so unit `n` is `#p{n}`; an entity's summary, key points, targets, positions).
//!
//! Building has two steps. Analysis gives a document's terms, each with the units it occurs in
//! ([`analyze`], a pure function of one document's units; a build keeps one analyzer per
//! thread, which remembers what each token gave from one document to the next, and analyzes
//! the documents a block at a time; all of them number the terms in one table, so a term's
//! postings are found by its number, not by its text). [`build`] merges each block's terms
//! into every term's postings and puts them together into the files:
//!
//! - `search/index.js`: the manifest (document ranges per kind, shard keys and sizes, chunk
//!   starts, each document's year and source for the filters);
//! - `search/s/<n>.js`: term shards. Terms are grouped by their first characters; a group
//!   over [`SHARD_BYTES`] is split by one more character, so every term — and every term
//!   starting with a given prefix — is found in one or a few known shards;
//! - `search/d/<n>.js`: document chunks (title, address, date, source, unit texts) for
//!   results and snippets, cut at about [`CHUNK_BYTES`].
//!
//! Every file is a script calling `briefingSearch.manifest/shard/docs(…)`, loaded with
//! `<script src>`, so the index works from a folder opened from disk (where `fetch` fails).
//!
//! Terms: text is NFKC-normalized and lowercased; a run of letters and digits outside CJK is a
//! word (stop words and one-letter words are dropped, English endings are stripped by
//! [`stem`]); a run of CJK characters gives its overlapping bigrams and its last character
//! (so a one-character query is a prefix of some term). `briefing.js` does the same to the
//! query; `tests/browser.rs` and the unit tests below keep the two in step.

use super::json::json_string;
use crate::model::{EntityRef, Kind};
use crate::resolve::Site;
use crate::scan::{non_ascii, not_alphanumeric, word_at};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use unicode_normalization::UnicodeNormalization;

/// A term shard is split by one more character when its postings pass this size.
pub const SHARD_BYTES: usize = 48 * 1024;
/// A document chunk is closed when its text passes this size.
pub const CHUNK_BYTES: usize = 24 * 1024;
/// The order of result groups, and of documents in the index.
pub const KIND_ORDER: [Kind; 5] = [
    Kind::Meeting,
    Kind::Person,
    Kind::Topic,
    Kind::Organization,
    Kind::Article,
];

/// Words too common to index (the same list is in `briefing.js`).
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "which", "will",
    "with",
];

/// One searchable entity.
#[derive(Clone, Debug)]
pub struct Document<'a> {
    /// What it is.
    pub entity: EntityRef,
    /// Its title as shown in results.
    pub title: &'a str,
    /// Its address relative to the site root.
    pub path: String,
    /// Its date (`iso`), for articles and meetings.
    pub date: Option<String>,
    /// Year, for the year filter.
    pub year: Option<i32>,
    /// Publication (articles), for the source filter.
    pub source: Option<&'a str>,
    /// Unit 0: its names; then its text units.
    pub units: Vec<Cow<'a, str>>,
}

/// What [`analyze`] finds in one document: each term and the units it occurs in, in byte
/// order of the terms (flat, so that it is three allocations).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Terms {
    /// The terms, one after the other, in byte order.
    text: String,
    /// Per term: where its text and its units end.
    ends: Vec<(u32, u32)>,
    /// The units of every term.
    units: Vec<u32>,
}

/// A small fast hasher for short keys (FxHash).
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().unwrap_or_default());
            h = (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Strip common English endings from a lowercase ASCII word (`reforms`, `reformed`,
/// `reforming` → `reform`; `policies` → `policy`). Words with other characters are kept.
pub fn stem(word: &str) -> Cow<'_, str> {
    let b = word.as_bytes();
    if b.len() < 4 || !b.iter().all(u8::is_ascii_lowercase) {
        return Cow::Borrowed(word);
    }
    let mut w: Cow<str> = Cow::Borrowed(word);
    if word.ends_with("ies") && b.len() > 4 {
        w = Cow::Owned(format!("{}y", &word[..word.len() - 3]));
    } else if word.ends_with("sses") {
        w = Cow::Borrowed(&word[..word.len() - 2]);
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        w = Cow::Borrowed(&word[..word.len() - 1]);
    }
    let suffix = if w.ends_with("ing") {
        3
    } else if w.ends_with("ed") {
        2
    } else {
        0
    };
    if suffix > 0 {
        let base = &w[..w.len() - suffix];
        if base.len() >= 3 && base.bytes().any(is_vowel) {
            let bb = base.as_bytes();
            let n = bb.len();
            let undouble =
                bb[n - 1] == bb[n - 2] && !is_vowel(bb[n - 1]) && !b"lsz".contains(&bb[n - 1]);
            let base = if undouble { &base[..n - 1] } else { base };
            return Cow::Owned(base.to_string());
        }
    }
    w
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// A character that is searched by bigrams (Han, kana, Hangul), not by words.
pub fn is_cjk_letter(c: char) -> bool {
    c.is_alphanumeric() && crate::text::is_cjk(c)
}

/// Call `f` with every term of `text`, in order.
pub fn for_each_term(text: &str, f: &mut impl FnMut(&str)) {
    for_each_token(text, &mut |token, is_word| {
        if !is_word {
            f(token)
        } else if let Some(term) = word_term(token) {
            f(&term)
        }
    });
}

/// Call `f` with every lowercase word (`true`) and CJK bigram or last character (`false`).
fn for_each_token(text: &str, f: &mut impl FnMut(&str, bool)) {
    let bytes = text.as_bytes();
    let mut lower = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 && !b.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut ascii = true;
        let mut upper = false;
        while i < bytes.len() && (bytes[i] >= 0x80 || bytes[i].is_ascii_alphanumeric()) {
            ascii &= bytes[i] < 0x80;
            upper |= bytes[i].is_ascii_uppercase();
            i += 1;
        }
        let run = &text[start..i];
        if !ascii {
            split_run(run, f);
        } else if upper {
            lower.clear();
            lower.extend(run.bytes().map(|c| c.to_ascii_lowercase() as char));
            f(&lower, true);
        } else {
            f(run, true);
        }
    }
}

/// A run holding non-ASCII characters: normalized, then cut into words and CJK runs.
fn split_run(run: &str, f: &mut impl FnMut(&str, bool)) {
    let normal: String = run.nfkc().flat_map(char::to_lowercase).collect();
    let mut start: Option<(usize, bool)> = None;
    for (at, c) in normal
        .char_indices()
        .chain(std::iter::once((normal.len(), ' ')))
    {
        let class = c.is_alphanumeric().then(|| is_cjk_letter(c));
        match (start, class) {
            (Some((_, cjk)), Some(now)) if now == cjk => {}
            (Some((s, cjk)), _) => {
                let piece = &normal[s..at];
                if cjk {
                    cjk_terms(piece, f)
                } else {
                    f(piece, true)
                }
                start = class.map(|k| (at, k));
            }
            (None, Some(k)) => start = Some((at, k)),
            (None, None) => {}
        }
    }
}

/// The term of a lowercase word, if it is indexed (not a stop word or a lone letter).
fn word_term(w: &str) -> Option<Cow<'_, str>> {
    let one_letter = w.chars().nth(1).is_none() && !w.bytes().all(|b| b.is_ascii_digit());
    if one_letter || STOP_WORDS.binary_search(&w).is_ok() {
        return None;
    }
    Some(stem(w))
}

fn cjk_terms(run: &str, f: &mut impl FnMut(&str, bool)) {
    let mut chars = run.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match chars.peek() {
            Some(&(next, d)) => f(&run[at..next + d.len_utf8()], false),
            None => f(&run[at..at + c.len_utf8()], false),
        }
    }
}

/// The terms of one document and the units each occurs in, in byte order. Pure: the same
/// units always give the same result.
pub fn analyze(units: &[Cow<str>]) -> Terms {
    let table = TermTable::default();
    let found = Analyzer::new(&table).document(units);
    Terms::of(&found, &table)
}

impl Terms {
    /// Each term and the units it occurs in (ascending).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u32])> {
        let mut text_at = 0;
        let mut unit_at = 0;
        self.ends.iter().map(move |&(text_end, unit_end)| {
            let (t, u) = (text_at, unit_at);
            text_at = text_end as usize;
            unit_at = unit_end as usize;
            (&self.text[t..text_at], &self.units[u..unit_at])
        })
    }

    /// How many terms.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The terms `found` by number in `table`, in byte order.
    fn of(found: &Found, table: &TermTable) -> Terms {
        let text = table.numbers().text.clone();
        let mut all: Vec<(&str, &[u32])> = found
            .iter()
            .map(|(term, units)| (&*text[term as usize], units))
            .collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut sorted = Terms::default();
        for (term, units) in all {
            sorted.push(term, units);
        }
        sorted
    }

    fn push(&mut self, term: &str, units: &[u32]) {
        self.text.push_str(term);
        self.units.extend_from_slice(units);
        self.ends
            .push((self.text.len() as u32, self.units.len() as u32));
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// A token of at most 16 bytes, lowercase, packed into two words, with its length.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Packed(u64, u64, u32);

impl Packed {
    /// `bytes` (at most 16), lowercased when `ascii_alnum` (then every byte is an ASCII letter
    /// or digit, and setting bit 5 lowercases letters and keeps digits).
    fn new(bytes: &[u8], ascii_alnum: bool) -> Packed {
        Packed::within(bytes, 0, bytes.len(), ascii_alnum)
    }

    /// The token `text[start..start + len]`, read as two words straight from `text` when 16
    /// bytes are there (no copy), masked to its length.
    fn within(text: &[u8], start: usize, len: usize, ascii_alnum: bool) -> Packed {
        let word = |at: usize| -> u64 {
            match text.get(at..at + 8) {
                Some(b) => u64::from_le_bytes(b.try_into().unwrap_or_default()),
                None => {
                    let mut buf = [0u8; 8];
                    for (k, slot) in buf.iter_mut().enumerate() {
                        *slot = text.get(at + k).copied().unwrap_or(0);
                    }
                    u64::from_le_bytes(buf)
                }
            }
        };
        let mask = |k: usize| {
            if k >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * k)) - 1
            }
        };
        let (m0, m1) = (mask(len.min(8)), mask(len.saturating_sub(8)));
        let mut w0 = word(start) & m0;
        let mut w1 = if len > 8 { word(start + 8) & m1 } else { 0 };
        if ascii_alnum {
            w0 |= 0x2020_2020_2020_2020 & m0;
            w1 |= 0x2020_2020_2020_2020 & m1;
        }
        Packed(w0, w1, len as u32)
    }

    fn hash(&self) -> u64 {
        let h = (self.0 ^ ((self.2 as u64) << 59)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ self.1.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        h ^ (h >> 29)
    }

    fn text(&self) -> String {
        let mut buf = [0u8; 16];
        buf[..8].copy_from_slice(&self.0.to_le_bytes());
        buf[8..].copy_from_slice(&self.1.to_le_bytes());
        String::from_utf8_lossy(&buf[..self.2 as usize]).into_owned()
    }
}

/// The end of the token from `start` (a run of ASCII letters and digits and of non-ASCII
/// characters, split further by [`split_run`]) and whether it is all ASCII. Eight bytes at a
/// time: most tokens end within the first eight, with no branch per byte.
fn token_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    let mut ascii = true;
    while let Some(w) = word_at(bytes, i) {
        let stop = not_alphanumeric(w) & !non_ascii(w);
        let len = (stop.trailing_zeros() / 8) as usize;
        let before_stop = if len == 8 {
            u64::MAX
        } else {
            (1 << (8 * len)) - 1
        };
        ascii &= non_ascii(w) & before_stop == 0;
        i += len;
        if stop != 0 {
            return (i, ascii);
        }
    }
    let (end, tail_ascii) = token_end_byte_by_byte(bytes, i);
    (end, ascii && tail_ascii)
}

/// As [`token_end`], a byte at a time (for the last few bytes of a text).
fn token_end_byte_by_byte(bytes: &[u8], mut i: usize) -> (usize, bool) {
    let mut ascii = true;
    while let Some(&c) = bytes.get(i) {
        if c >= 0x80 {
            ascii = false;
        } else if !c.is_ascii_alphanumeric() {
            break;
        }
        i += 1;
    }
    (i, ascii)
}

/// Documents' tokens, each distinct token looked at once however many documents hold it: an
/// analyzer keeps what it learned of a token (its term, or that it is a stop word) from one
/// document to the next. Short tokens (nearly all) are packed into two machine words and found
/// in an open-addressing table without copying or hashing byte by byte; most of a build's
/// search time is this loop.
struct Analyzer<'t> {
    /// The build's terms, shared by every thread's analyzer.
    table: &'t TermTable,
    /// (token, term + 1) per slot; term 0 is an empty slot, `u32::MAX` a stop word.
    slots: Vec<(Packed, u32)>,
    used: usize,
    /// Tokens longer than 16 bytes → term.
    long: FxMap<Box<str>, u32>,
    /// Per term (by its number in the table), in the document at hand: its place among the
    /// document's terms, and the last unit it was seen in (`u32::MAX` when not seen yet).
    local: Vec<(u32, u32)>,
    /// The document's terms, in order of first occurrence.
    seen_terms: Vec<u32>,
    /// (place of the term in `seen_terms`, unit), in unit order.
    pairs: Vec<(u32, u32)>,
}

const STOP: u32 = u32::MAX;

/// Every term of a build, numbered in the order the analyzers first meet them. The analyzers
/// of all threads share it, so a term has one number (its place among the postings) whoever
/// finds it; each analyzer asks once per distinct token, so the lock is seldom taken.
#[derive(Default)]
struct TermTable(std::sync::Mutex<TermNumbers>);

#[derive(Default)]
struct TermNumbers {
    ids: FxMap<Box<str>, u32>,
    text: Vec<Box<str>>,
}

impl TermTable {
    /// The number of `term`, given it now when it has none.
    fn number(&self, term: &str) -> u32 {
        let mut numbers = self.numbers();
        if let Some(&id) = numbers.ids.get(term) {
            return id;
        }
        let id = numbers.text.len() as u32;
        numbers.ids.insert(term.into(), id);
        numbers.text.push(term.into());
        id
    }

    fn numbers(&self) -> std::sync::MutexGuard<'_, TermNumbers> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Each term's text, by number.
    fn into_text(self) -> Vec<Box<str>> {
        self.0.into_inner().unwrap_or_else(|p| p.into_inner()).text
    }
}

/// What an analyzer finds in one document: each term, by its number in the [`TermTable`], and
/// the units it occurs in, in order of first occurrence.
#[derive(Default)]
struct Found {
    terms: Vec<u32>,
    /// Per term: where its units end.
    ends: Vec<u32>,
    units: Vec<u32>,
}

impl Found {
    /// Each term and the units it occurs in (ascending).
    fn iter(&self) -> impl Iterator<Item = (u32, &[u32])> {
        let mut unit_at = 0;
        self.terms.iter().zip(&self.ends).map(move |(&term, &end)| {
            let start = unit_at;
            unit_at = end as usize;
            (term, &self.units[start..unit_at])
        })
    }
}

impl<'t> Analyzer<'t> {
    fn new(table: &'t TermTable) -> Self {
        Analyzer {
            table,
            slots: Vec::new(),
            used: 0,
            long: FxMap::default(),
            local: Vec::new(),
            seen_terms: Vec::new(),
            pairs: Vec::new(),
        }
    }

    fn unit(&mut self, u: u32, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 && !b.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            let ascii;
            (i, ascii) = token_end(bytes, i);
            let run = &text[start..i];
            if ascii && run.len() <= 16 {
                let term = self.short(Packed::within(bytes, start, run.len(), true), true);
                self.seen(term, u);
            } else if ascii {
                self.token(run, true, true, u);
            } else {
                split_run(run, &mut |token, is_word| {
                    self.token(token, false, is_word, u)
                });
            }
        }
    }

    /// A token: `ascii` ones may hold capitals; others are already lowercase.
    fn token(&mut self, raw: &str, ascii: bool, is_word: bool, u: u32) {
        let term = if raw.len() <= 16 {
            self.short(Packed::new(raw.as_bytes(), ascii), is_word)
        } else {
            let lower = raw.to_ascii_lowercase();
            match self.long.get(lower.as_str()) {
                Some(&t) => t,
                None => {
                    let t = self.term(&lower, is_word);
                    self.long.insert(lower.into(), t);
                    t
                }
            }
        };
        self.seen(term, u);
    }

    fn seen(&mut self, term: u32, u: u32) {
        if term == STOP {
            return;
        }
        let (place, last) = &mut self.local[term as usize];
        if *last == u {
            return;
        }
        if *last == u32::MAX {
            *place = self.seen_terms.len() as u32;
            self.seen_terms.push(term);
        }
        *last = u;
        self.pairs.push((*place, u));
    }

    fn short(&mut self, key: Packed, is_word: bool) -> u32 {
        if self.slots.is_empty() {
            self.slots = vec![(Packed::default(), 0); 256];
        }
        let mask = self.slots.len() - 1;
        let mut s = key.hash() as usize & mask;
        loop {
            let (k, t) = self.slots[s];
            if t == 0 {
                break;
            }
            if k == key {
                return if t == STOP { STOP } else { t - 1 };
            }
            s = (s + 1) & mask;
        }
        let term = self.term(&key.text(), is_word);
        self.slots[s] = (key, if term == STOP { STOP } else { term + 1 });
        self.used += 1;
        if self.used * 2 > self.slots.len() {
            self.grow();
        }
        term
    }

    /// The term of a lowercase token seen for the first time.
    fn term(&mut self, lower: &str, is_word: bool) -> u32 {
        let term = if is_word {
            word_term(lower)
        } else {
            Some(Cow::Borrowed(lower))
        };
        let Some(t) = term else { return STOP };
        let id = self.table.number(&t);
        if self.local.len() <= id as usize {
            self.local.resize(id as usize + 1, (0, u32::MAX));
        }
        id
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mut slots = vec![(Packed::default(), 0); size];
        for &(k, t) in self.slots.iter().filter(|(_, t)| *t != 0) {
            let mut s = k.hash() as usize & (size - 1);
            while slots[s].1 != 0 {
                s = (s + 1) & (size - 1);
            }
            slots[s] = (k, t);
        }
        self.slots = slots;
    }

    /// The terms of one document, in order of first occurrence, and the units of each.
    fn document(&mut self, units: &[Cow<str>]) -> Found {
        for (u, text) in units.iter().enumerate() {
            self.unit(u as u32, text);
        }
        let n = self.seen_terms.len();
        // Units of each term, gathered by a counting sort (pairs are in unit order).
        let mut start = vec![0u32; n + 1];
        for &(t, _) in &self.pairs {
            start[t as usize + 1] += 1;
        }
        for t in 0..n {
            start[t + 1] += start[t];
        }
        let mut by_term = vec![0u32; self.pairs.len()];
        let mut fill = start.clone();
        for &(t, u) in &self.pairs {
            by_term[fill[t as usize] as usize] = u;
            fill[t as usize] += 1;
        }
        for &term in &self.seen_terms {
            self.local[term as usize].1 = u32::MAX;
        }
        let out = Found {
            terms: std::mem::take(&mut self.seen_terms),
            ends: start[1..].to_vec(),
            units: by_term,
        };
        self.pairs.clear();
        out
    }
}

/// The documents of the site, in index order ([`KIND_ORDER`], then by id).
pub fn documents(site: &Site) -> Vec<Document<'_>> {
    let plain =
        |md: &crate::model::Markdown| -> Cow<'_, str> { Cow::Owned(text_of(site.field(md))) };
    let entities: Vec<EntityRef> = KIND_ORDER
        .into_iter()
        .flat_map(|kind| site.all(kind))
        .collect();
    entities
        .into_par_iter()
        .map(|e| {
            let kind = e.kind;
            let i = e.index as usize;
            let mut names: Vec<&str> = vec![site.index.title(e)];
            let mut units: Vec<Cow<str>> = Vec::new();
            let mut source = None;
            match kind {
                Kind::Article => {
                    let a = &site.articles[i];
                    names.extend(a.original_title.as_deref());
                    source = Some(a.source.as_str());
                    units.extend(
                        site.bodies[i]
                            .paragraphs
                            .iter()
                            .map(|p| Cow::Borrowed(p.as_str())),
                    );
                }
                Kind::Meeting => {
                    let m = &site.meetings[i];
                    names.extend(m.short_title.as_deref());
                    units.push(plain(&m.summary));
                    units.extend(m.key_points.iter().map(|k| plain(&k.text)));
                }
                Kind::Person => {
                    let p = &site.people[i];
                    names.extend(
                        p.name_local
                            .iter()
                            .chain(&p.aliases)
                            .map(|n| n.value.as_str()),
                    );
                    units.extend(p.summary.as_ref().map(plain));
                    units.extend(
                        p.positions
                            .iter()
                            .map(|pos| Cow::Borrowed(pos.title.as_str())),
                    );
                }
                Kind::Topic => {
                    let t = &site.topics[i];
                    names.extend(t.aliases.iter().map(|n| n.value.as_str()));
                    units.push(plain(&t.summary));
                    units.extend(t.targets.iter().map(|t| plain(&t.text)));
                }
                Kind::Organization => {
                    let o = &site.organizations[i];
                    names.extend(
                        o.name_local
                            .iter()
                            .chain(&o.aliases)
                            .map(|n| n.value.as_str()),
                    );
                    units.extend(o.summary.as_ref().map(plain));
                }
            }
            units.insert(0, Cow::Owned(names.join(" · ")));
            let date = site.date(e);
            Document {
                entity: e,
                title: site.index.title(e),
                path: site.index.path(e),
                date: date.map(|d| d.human()),
                year: date.map(|d| d.year),
                source,
                units,
            }
        })
        .collect()
}

/// The text of a rendered Markdown field as a reader reads it: tags dropped, entities
/// decoded, bare citation numbers (`<sup class="cite">`) left out with the brackets and
/// commas that held them.
pub fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[lt..lt + gt + 1];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with("<sup class=\"cite\"") {
            rest = rest
                .find("</sup>")
                .map_or("", |i| &rest[i + "</sup>".len()..]);
        }
    }
    text.push_str(rest);
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    // Brackets left holding nothing but separators go.
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find('(') {
        let close = rest[open..].find(')').map(|c| open + c);
        let empty = close.is_some_and(|c| {
            rest[open + 1..c]
                .chars()
                .all(|ch| " ,;".contains(ch) || ch.is_whitespace())
        });
        match close {
            Some(c) if empty => {
                out.push_str(rest[..open].trim_end());
                rest = &rest[c + 1..];
            }
            _ => {
                out.push_str(&rest[..open + 1]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Build the index of the site: every file under `search/`, the document chunks still to make.
pub fn build(site: &Site) -> Index<'_> {
    let mut timer = crate::Timer::new();
    let docs = documents(site);
    let postings = Postings::of(&docs, BLOCK);
    timer.lap("search: analyze");
    let chunks = Chunks::new(docs);
    let files = index_files(&chunks, postings.into_sorted());
    timer.lap("search: merge");
    Index { files, chunks }
}

/// Documents analyzed together before their terms join the postings: enough to keep both cores
/// busy, few enough that their terms stay small (a whole site's would be ~80 MB at 10,000
/// articles).
const BLOCK: usize = 512;

/// Terms are split into this many parts by number, each part merged on its own thread.
const PARTS: usize = 8;

/// Every term's postings, encoded as they are collected: (document delta, unit) pairs, as
/// [`varint`]s.
struct Postings {
    /// Part `p` holds the postings of the terms numbered `p`, `p + PARTS`, `p + 2 PARTS`, …
    parts: Vec<Vec<Posting>>,
    /// Each term's text, by number.
    terms: Vec<Box<str>>,
    /// Documents added so far.
    docs: u32,
}

#[derive(Default)]
struct Posting {
    /// The last document added.
    last: u32,
    list: String,
}

impl Postings {
    /// The postings of `docs`, analyzed `block` documents at a time in parallel; each block's
    /// terms are let go once merged.
    fn of(docs: &[Document], block: usize) -> Postings {
        let mut postings = Postings {
            parts: (0..PARTS).map(|_| Vec::new()).collect(),
            terms: Vec::new(),
            docs: 0,
        };
        let table = TermTable::default();
        // One analyzer per thread, kept over all blocks.
        let analyzers: Vec<std::sync::Mutex<Analyzer>> = (0..rayon::current_num_threads())
            .map(|_| std::sync::Mutex::new(Analyzer::new(&table)))
            .collect();
        for block in docs.chunks(block.max(1)) {
            let found: Vec<Found> = block
                .par_iter()
                .map(|d| {
                    let thread = rayon::current_thread_index().unwrap_or(0);
                    let mut analyzer = analyzers[thread % analyzers.len()]
                        .lock()
                        .unwrap_or_else(|p| p.into_inner());
                    analyzer.document(&d.units)
                })
                .collect();
            postings.add(&found);
        }
        drop(analyzers);
        postings.terms = table.into_text();
        postings
    }

    /// Add the terms of the next documents, in order.
    fn add(&mut self, found: &[Found]) {
        let first = self.docs;
        self.parts.par_iter_mut().enumerate().for_each(|(p, part)| {
            for (k, doc) in found.iter().enumerate() {
                let d = first + k as u32;
                for (term, units) in doc.iter().filter(|&(t, _)| t as usize % PARTS == p) {
                    let at = term as usize / PARTS;
                    if part.len() <= at {
                        part.resize_with(at + 1, Posting::default);
                    }
                    let posting = &mut part[at];
                    let mut delta = d - posting.last;
                    for &u in units {
                        varint(&mut posting.list, delta);
                        varint(&mut posting.list, u);
                        delta = 0;
                    }
                    posting.last = d;
                }
            }
        });
        self.docs += found.len() as u32;
    }

    /// Every term and its encoded postings, in byte order of the terms.
    fn into_sorted(self) -> Vec<(Box<str>, String)> {
        let mut terms = self.terms;
        let mut sorted: Vec<(Box<str>, String)> = Vec::with_capacity(terms.len());
        for (p, part) in self.parts.into_iter().enumerate() {
            for (at, posting) in part.into_iter().enumerate() {
                // Every numbered term was found in some document, so it has postings; a
                // place with none is one the part grew past.
                if !posting.list.is_empty() {
                    sorted.push((std::mem::take(&mut terms[at * PARTS + p]), posting.list));
                }
            }
        }
        sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        sorted
    }
}

/// A site's search index: the manifest and the term shards, made, and the document chunks, made
/// one by one when asked for. The chunks hold the text of every paragraph of the site, so a build
/// writes each as it is made rather than holding them all.
pub struct Index<'a> {
    /// `search/index.js` and the term shards.
    pub files: Vec<(String, Vec<u8>)>,
    /// The document chunks.
    pub chunks: Chunks<'a>,
}

impl Index<'_> {
    /// Every file, the chunks made too (in parallel).
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        let mut files = self.files;
        files.extend(self.chunks.into_files());
        files
    }
}

/// The documents, cut into chunks of about [`CHUNK_BYTES`] of text.
pub struct Chunks<'a> {
    docs: Vec<Document<'a>>,
    /// The first document of each chunk.
    starts: Vec<usize>,
}

impl<'a> Chunks<'a> {
    fn new(docs: Vec<Document<'a>>) -> Self {
        let mut starts = Vec::new();
        let mut at = 0;
        while at < docs.len() {
            starts.push(at);
            let mut bytes = 0;
            while at < docs.len() && (bytes == 0 || bytes < CHUNK_BYTES) {
                bytes += 64 + docs[at].units.iter().map(|u| u.len() + 3).sum::<usize>();
                at += 1;
            }
        }
        Chunks { docs, starts }
    }

    /// How many chunks.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are none (a site with nothing in it).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Every chunk's address and file, made in parallel.
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        (0..self.len())
            .into_par_iter()
            .map(|n| (Chunks::path(n), self.file(n)))
            .collect()
    }

    /// The address of chunk `n`.
    pub fn path(n: usize) -> String {
        format!("search/d/{n}.js")
    }

    /// Whether `path` is the address of one of these chunks.
    pub fn has_path(&self, path: &str) -> bool {
        path.strip_prefix("search/d/")
            .and_then(|rest| rest.strip_suffix(".js"))
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n < self.len() && Self::path(n) == path)
    }

    /// The file of chunk `n`: title, address, date, source and unit texts of its documents.
    pub fn file(&self, n: usize) -> Vec<u8> {
        let (s, end) = (
            self.starts[n],
            self.starts.get(n + 1).copied().unwrap_or(self.docs.len()),
        );
        let docs = &self.docs[s..end];
        let size: usize = docs
            .iter()
            .map(|d| 80 + d.path.len() + d.units.iter().map(|u| u.len() + 8).sum::<usize>())
            .sum();
        let mut js = String::with_capacity(size + size / 16);
        let _ = write!(js, "briefingSearch.docs({n},[");
        for (i, d) in docs.iter().enumerate() {
            if i > 0 {
                js.push(',');
            }
            js.push('[');
            json_string(&mut js, d.title);
            js.push(',');
            json_string(&mut js, &d.path);
            js.push(',');
            json_string(&mut js, d.date.as_deref().unwrap_or(""));
            js.push(',');
            json_string(&mut js, d.source.unwrap_or(""));
            js.push_str(",[");
            for (k, u) in d.units.iter().enumerate() {
                if k > 0 {
                    js.push(',');
                }
                json_string(&mut js, u);
            }
            js.push_str("]]");
        }
        js.push_str("]);\n");
        js.into_bytes()
    }
}

/// Put documents together into the index files, chunks included (what [`build`] gives, all at
/// once, analyzing `block` documents at a time; for the tests).
#[cfg(test)]
fn merge(docs: &[Document], block: usize) -> Vec<(String, Vec<u8>)> {
    let postings = Postings::of(docs, block);
    let chunks = Chunks::new(docs.to_vec());
    let files = index_files(&chunks, postings.into_sorted());
    Index { files, chunks }.into_files()
}

/// The manifest and the term shards, from every term's postings in term order.
fn index_files(chunks: &Chunks, sorted: Vec<(Box<str>, String)>) -> Vec<(String, Vec<u8>)> {
    let docs = &chunks.docs;
    let groups = shard_groups(&sorted);
    let mut files: Vec<(String, Vec<u8>)> = groups
        .par_iter()
        .enumerate()
        .map(|(n, (_, range))| {
            let mut js = format!("briefingSearch.shard({n},{{");
            for (i, (term, list)) in sorted[range.clone()].iter().enumerate() {
                if i > 0 {
                    js.push(',');
                }
                json_string(&mut js, term);
                js.push(':');
                json_string(&mut js, list);
            }
            js.push_str("});\n");
            (format!("search/s/{n}.js"), js.into_bytes())
        })
        .collect();
    let sizes: Vec<usize> = files.iter().map(|f| f.1.len()).collect();
    let keys: Vec<&str> = groups.iter().map(|(k, _)| k.as_str()).collect();
    files.push((
        "search/index.js".into(),
        manifest(docs, &keys, &sizes, &chunks.starts).into_bytes(),
    ));
    files
}

/// Shard keys and the range of terms in each: by first character, split by one more
/// character while a group is over [`SHARD_BYTES`].
fn shard_groups(sorted: &[(Box<str>, String)]) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    split_group(sorted, 0, sorted.len(), 1, &mut out);
    out
}

fn split_group(
    sorted: &[(Box<str>, String)],
    start: usize,
    end: usize,
    depth: usize,
    out: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    let mut i = start;
    while i < end {
        let key = prefix(&sorted[i].0, depth);
        let mut j = i;
        let mut bytes = 0;
        while j < end && prefix(&sorted[j].0, depth) == key {
            bytes += sorted[j].1.len() + sorted[j].0.len() + 6;
            j += 1;
        }
        // Terms no longer than the key stay in its own shard; longer ones may split further.
        let exact = (i..j)
            .take_while(|&k| sorted[k].0.chars().count() <= depth)
            .count();
        if bytes > SHARD_BYTES && j - i > exact + 1 {
            if exact > 0 {
                out.push((key.to_string(), i..i + exact));
            }
            split_group(sorted, i + exact, j, depth + 1, out);
        } else {
            out.push((key.to_string(), i..j));
        }
        i = j;
    }
}

fn prefix(term: &str, chars: usize) -> &str {
    match term.char_indices().nth(chars) {
        Some((at, _)) => &term[..at],
        None => term,
    }
}

fn manifest(docs: &[Document], keys: &[&str], sizes: &[usize], chunks: &[usize]) -> String {
    let kinds: Vec<serde_json::Value> = KIND_ORDER
        .iter()
        .map(|k| {
            let first = docs
                .iter()
                .position(|d| d.entity.kind == *k)
                .unwrap_or(docs.len());
            let count = docs.iter().filter(|d| d.entity.kind == *k).count();
            serde_json::json!([k.noun(), first, first + count])
        })
        .collect();
    let min_year = docs.iter().filter_map(|d| d.year).min().unwrap_or(0);
    let years: Vec<i32> = docs
        .iter()
        .map(|d| d.year.map_or(0, |y| y - min_year + 1))
        .collect();
    let mut sources: Vec<&str> = docs.iter().filter_map(|d| d.source).collect();
    sources.sort_unstable();
    sources.dedup();
    let source_of: Vec<i64> = docs
        .iter()
        .map(|d| {
            d.source
                .and_then(|s| sources.binary_search(&s).ok())
                .map_or(-1, |i| i as i64)
        })
        .collect();
    let cjk = keys.iter().any(|k| k.chars().any(is_cjk_letter));
    let m = serde_json::json!({
        "version": 1,
        "kinds": kinds,
        "shards": keys,
        "sizes": sizes,
        "chunks": chunks,
        "year0": min_year - 1,
        "years": years,
        "sources": sources,
        "source": source_of,
        "cjk": cjk,
    });
    let mut js = String::from("briefingSearch.manifest(");
    js.push_str(&m.to_string().replace("</", "<\\/"));
    js.push_str(");\n");
    js
}

/// Digits of the posting encoding: 0–31 end a number, 32–63 carry five more bits.
const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Append `n` as a variable-length number in [`DIGITS`], most significant five bits first.
fn varint(out: &mut String, n: u32) {
    let mut groups = [0u8; 7];
    let mut k = 0;
    let mut v = n;
    loop {
        groups[k] = (v & 31) as u8;
        k += 1;
        v >>= 5;
        if v == 0 {
            break;
        }
    }
    for i in (0..k).rev() {
        let digit = if i > 0 { groups[i] + 32 } else { groups[i] };
        out.push(DIGITS[digit as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_term(text, &mut |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn stems_word_forms_alike() {
        for (word, stemmed) in [
            ("reforms", "reform"),
            ("reformed", "reform"),
            ("reforming", "reform"),
            ("reform", "reform"),
            ("policies", "policy"),
            ("planning", "plan"),
            ("planned", "plan"),
            ("business", "business"),
            ("status", "status"),
            ("analysis", "analysis"),
            ("meetings", "meet"),
            ("need", "need"),
            ("classes", "class"),
            ("café", "café"),
        ] {
            assert_eq!(stem(word), stemmed, "{word}");
        }
    }

    #[test]
    fn english_terms() {
        assert_eq!(
            terms("The Reforms of SOEs, in 2024: a plan-ning of Chongqing's"),
            ["reform", "soe", "2024", "plan", "ning", "chongq"]
        );
        // Case, width and compatibility forms fold as in the browser (NFKC, lowercase).
        assert_eq!(terms("ＲＥＦＯＲＭＳ café"), ["reform", "café"]);
    }

    #[test]
    fn cjk_bigrams_and_last_character() {
        assert_eq!(terms("营商环境"), ["营商", "商环", "环境", "境"]);
        assert_eq!(terms("a\u{2028}b — “Reform”"), ["reform"]);
        assert_eq!(
            terms("袁家军主持。GDP增长"),
            ["袁家", "家军", "军主", "主持", "持", "gdp", "增长", "长"]
        );
        assert_eq!(terms("市"), ["市"]);
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn analyze_lists_units_per_term() {
        let units: Vec<Cow<str>> = vec![
            "Reform office".into(),
            "Reforms go on.".into(),
            "Nothing.".into(),
            "reforming".into(),
        ];
        let t = analyze(&units);
        let list: Vec<(&str, &[u32])> = t.iter().collect();
        assert_eq!(
            list,
            [
                ("go", &[1][..]),
                ("noth", &[2][..]),
                ("office", &[0][..]),
                ("reform", &[0, 1, 3][..]),
            ]
        );
        assert_eq!(analyze(&units), t, "pure");
    }

    #[test]
    fn an_analyzer_kept_over_documents_finds_what_a_fresh_one_finds() {
        let docs: Vec<Vec<Cow<str>>> = vec![
            vec!["Reform office".into(), "Reforms go on; the office".into()],
            vec!["The office of reform".into(), "营商环境".into()],
            vec![
                "".into(),
                "Reforming reforms, offices".into(),
                "营商".into(),
            ],
            vec!["Reform office".into(), "Reforms go on; the office".into()],
        ];
        let table = TermTable::default();
        let mut kept = Analyzer::new(&table);
        for units in &docs {
            let found = kept.document(units);
            assert_eq!(Terms::of(&found, &table), analyze(units));
        }
    }

    #[test]
    fn token_ends_found_eight_bytes_at_a_time_are_the_byte_by_byte_ones() {
        let pieces = [
            "a", "Z", "9", "reform", " ", ",", "é", "营商", "-", "\u{7f}",
        ];
        for text in crate::scan::texts_to_scan(&pieces, 7) {
            let bytes = text.as_bytes();
            for start in (0..bytes.len()).filter(|&i| text.is_char_boundary(i)) {
                assert_eq!(
                    token_end(bytes, start),
                    token_end_byte_by_byte(bytes, start),
                    "{text:?} at {start}"
                );
            }
        }
    }

    #[test]
    fn analyze_agrees_with_the_term_rules() {
        // Whatever the path (ASCII words, mixed runs, CJK, case), the terms of a text are the
        // ones `for_each_term` gives, with the units they are in.
        let units: Vec<Cow<str>> = vec![
            "Yuan Jiajun · 袁家军".into(),
            "REFORMS of the Reform Office; reform’s café, CAFÉ — 营商环境 and 营商".into(),
            "ＧＤＰ grew; gdp grows, 2024 and 2024".into(),
        ];
        let mut expected: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
        for (u, text) in units.iter().enumerate() {
            for_each_term(text, &mut |t| {
                let list = expected.entry(t.to_string()).or_default();
                if list.last() != Some(&(u as u32)) {
                    list.push(u as u32);
                }
            });
        }
        let t = analyze(&units);
        let got: std::collections::BTreeMap<String, Vec<u32>> =
            t.iter().map(|(k, v)| (k.to_string(), v.to_vec())).collect();
        assert_eq!(got, expected);
        assert!(got.contains_key("营商") && got.contains_key("café") && got.contains_key("gdp"));
        assert_eq!(got["reform"], [1]);
    }

    #[test]
    fn field_text_leaves_citation_numbers_out() {
        let html = "<p>Approved a <a href=\"\u{1}topics/x/\u{2}\">plan</a> &amp; more \
            (<sup class=\"cite\"><a href=\"x\" data-cite=\"a#p1\">1</a></sup>, \
            <sup class=\"cite\"><a href=\"x\" data-cite=\"a#p2\">2</a></sup>). \
            As <a class=\"cite-link\" href=\"x\" data-cite=\"a#p3\">the report</a> says (in 2024).</p>";
        assert_eq!(
            text_of(html),
            "Approved a plan & more. As the report says (in 2024)."
        );
    }

    #[test]
    fn varints_round_trip() {
        let decode = |s: &str| -> Vec<u32> {
            let mut out = Vec::new();
            let mut n = 0u32;
            for c in s.bytes() {
                let d = DIGITS.iter().position(|&x| x == c).unwrap() as u32;
                n = (n << 5) | (d & 31);
                if d < 32 {
                    out.push(n);
                    n = 0;
                }
            }
            out
        };
        let mut s = String::new();
        let values = [0, 1, 31, 32, 1000, 65_535, 1 << 30];
        for v in values {
            varint(&mut s, v);
        }
        assert_eq!(decode(&s), values);
        assert_eq!(&s[..3], "ABf");
    }

    #[test]
    fn shards_split_large_groups_and_keep_every_term_findable() {
        let big = "A".repeat(SHARD_BYTES / 3);
        let terms: Vec<(Box<str>, String)> = [
            ("re", big.clone()),
            ("reform", big.clone()),
            ("region", big.clone()),
            ("rural", big.clone()),
            ("zone", "AB".into()),
        ]
        .map(|(t, p)| (t.into(), p))
        .into();
        let groups = shard_groups(&terms);
        let keys: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(keys, ["re", "ref", "reg", "ru", "z"]);
        // Each term is in the shard of the longest key that is a prefix of it.
        for (i, (term, _)) in terms.iter().enumerate() {
            let best = groups
                .iter()
                .filter(|(k, _)| term.starts_with(k.as_str()))
                .max_by_key(|(k, _)| k.len())
                .unwrap();
            assert!(best.1.contains(&i), "{term} not in shard {}", best.0);
        }
    }

    fn decode(s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut n = 0u32;
        for c in s.bytes() {
            let d = DIGITS.iter().position(|&x| x == c).unwrap() as u32;
            n = (n << 5) | (d & 31);
            if d < 32 {
                out.push(n);
                n = 0;
            }
        }
        out
    }

    /// The argument of `briefingSearch.<name>(…);` in a file, as JSON.
    fn call_argument(file: &[u8], name: &str) -> serde_json::Value {
        let text = std::str::from_utf8(file).unwrap();
        let inner = text
            .strip_prefix(&format!("briefingSearch.{name}("))
            .and_then(|t| t.trim_end().strip_suffix(");"))
            .unwrap_or_else(|| panic!("not a {name} call: {text}"));
        let json = match name {
            "manifest" => inner.to_string(),
            // shard(n, {...}) and docs(n, [...]): the data after the number.
            _ => inner.split_once(',').unwrap().1.to_string(),
        };
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[test]
    fn merged_files_hold_every_posting_and_document() {
        let doc =
            |kind: Kind, index: u32, title: &'static str, units: Vec<&'static str>| Document {
                entity: EntityRef { kind, index },
                title,
                path: format!("{}/{title}/", kind.folder()),
                date: None,
                year: (kind == Kind::Article).then_some(2020 + index as i32),
                source: (kind == Kind::Article).then_some("Daily"),
                units: units.into_iter().map(Cow::Borrowed).collect(),
            };
        let docs = vec![
            doc(Kind::Meeting, 0, "m", vec!["Plenary", "Reforms approved."]),
            doc(
                Kind::Person,
                0,
                "p",
                vec!["Yuan Jiajun · 袁家军", "Party secretary."],
            ),
            doc(
                Kind::Article,
                0,
                "a",
                vec!["Report", "袁家军主持。", "Reform </script> again."],
            ),
            doc(Kind::Article, 1, "b", vec!["Other", "Nothing here."]),
        ];
        let files: std::collections::BTreeMap<String, Vec<u8>> =
            merge(&docs, BLOCK).into_iter().collect();
        // Documents analyzed one at a time give the same files: postings carry over blocks.
        assert_eq!(files, merge(&docs, 1).into_iter().collect());
        let manifest = call_argument(&files["search/index.js"], "manifest");
        assert_eq!(manifest["kinds"][0], serde_json::json!(["meeting", 0, 1]));
        assert_eq!(manifest["kinds"][4], serde_json::json!(["article", 2, 4]));
        assert_eq!(manifest["years"], serde_json::json!([0, 0, 1, 2]));
        assert_eq!(manifest["year0"], 2019);
        assert_eq!(manifest["sources"], serde_json::json!(["Daily"]));
        assert_eq!(manifest["cjk"], true);
        // Every term's postings, decoded, are the (document, unit) pairs it occurs in.
        let keys = manifest["shards"].as_array().unwrap();
        let mut postings: std::collections::BTreeMap<String, Vec<(u32, u32)>> = Default::default();
        for n in 0..keys.len() {
            let shard = call_argument(&files[&format!("search/s/{n}.js")], "shard");
            for (term, list) in shard.as_object().unwrap() {
                let key = keys[n].as_str().unwrap();
                assert!(term.starts_with(key), "{term} in the shard of {key}");
                let nums = decode(list.as_str().unwrap());
                let mut doc = 0;
                let pairs = nums
                    .chunks(2)
                    .map(|p| {
                        doc += p[0];
                        (doc, p[1])
                    })
                    .collect();
                postings.insert(term.to_string(), pairs);
            }
        }
        assert_eq!(postings["reform"], [(0, 1), (2, 2)]);
        assert_eq!(postings["袁家"], [(1, 0), (2, 1)]);
        assert_eq!(postings["jiajun"], [(1, 0)]);
        assert!(!postings.contains_key("the"));
        // Document chunks give each document's title, address and unit texts, in order.
        let chunks = manifest["chunks"].as_array().unwrap();
        let mut all = Vec::new();
        for n in 0..chunks.len() {
            let list = call_argument(&files[&format!("search/d/{n}.js")], "docs");
            all.extend(list.as_array().unwrap().iter().cloned());
        }
        assert_eq!(all.len(), docs.len());
        assert_eq!(all[2][1], "articles/a/");
        assert_eq!(all[2][3], "Daily");
        assert_eq!(all[2][4][2], "Reform </script> again.");
        assert!(!String::from_utf8_lossy(&files["search/d/0.js"]).contains("</script>"));
    }
}
