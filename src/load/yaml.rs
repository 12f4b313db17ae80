//! YAML as a tree of spanned nodes.
//!
//! serde-saphyr parses the text (with its budget against alias bombs, deep nesting and duplicate
//! keys); we deserialize into [`Node`], a generic tree where every value keeps the byte span of
//! where it was written. The typed readers in [`super::fields`] then walk that tree and report
//! every problem of a file at once, each at the offending value, instead of stopping at the
//! first one as a derived `Deserialize` would.
//!
//! Most front matter is a few `key: value` lines; those are read by a small reader of that
//! shape alone, which hands anything else (comments, nesting, numbers, block text, escapes) to
//! serde-saphyr, and makes the same nodes, spans included (a test holds the two to it).

use crate::diag::Diagnostic;
use crate::source::{FileId, SourceFile, Span};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A YAML value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub span: Span,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in the order written.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What the value is, for messages ("a list", "text", …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a true/false value",
            Value::Int(_) => "a number",
            Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// What serde-saphyr hands us, before spans are made file-relative.
struct RawNode(Spanned<RawValue>);

enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<RawNode>),
    Map(Vec<(RawNode, RawNode)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Spanned::<RawValue>::deserialize(d).map(RawNode)
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawValue, E> {
        Ok(i64::try_from(v)
            .map(RawValue::Int)
            .unwrap_or(RawValue::Float(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawValue, E> {
        Ok(i64::try_from(v)
            .map(RawValue::Int)
            .unwrap_or(RawValue::Float(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawValue, E> {
        Ok(i64::try_from(v)
            .map(RawValue::Int)
            .unwrap_or(RawValue::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<RawValue, E> {
        Ok(RawValue::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<RawNode>()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<RawNode>()? {
            let value = map.next_value::<RawNode>()?;
            entries.push((key, value));
        }
        Ok(RawValue::Map(entries))
    }
}

/// Where a YAML text sits inside its file (front matter starts after `---`).
#[derive(Clone, Copy)]
pub struct Embedding<'a> {
    /// The whole file.
    pub file: &'a SourceFile,
    /// Its id.
    pub id: FileId,
    /// Byte offset of the YAML text inside the file.
    pub offset: usize,
}

impl Embedding<'_> {
    fn span_at(
        &self,
        yaml: &str,
        line: u64,
        column: u64,
        byte: Option<u64>,
        len: Option<u64>,
    ) -> Span {
        let start = match byte {
            Some(b) => self.offset + b as usize,
            None => self.offset + offset_of(yaml, line as usize, column as usize),
        };
        let start = start.min(self.file.text.len());
        let end = (start + len.unwrap_or(0) as usize).min(self.file.text.len());
        Span::new(self.id, start, end)
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    text[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| line_start + i)
        .unwrap_or(text.len())
}

fn convert(raw: RawNode, yaml: &str, at: &Embedding) -> Node {
    let loc = raw.0.referenced;
    let span = at.span_at(
        yaml,
        loc.line(),
        loc.column(),
        loc.span().byte_offset(),
        loc.span().byte_len(),
    );
    let value = match raw.0.value {
        RawValue::Null => Value::Null,
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(f) => Value::Float(f),
        RawValue::Str(s) => Value::Str(s),
        RawValue::Seq(items) => {
            Value::Seq(items.into_iter().map(|n| convert(n, yaml, at)).collect())
        }
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (convert(k, yaml, at), convert(v, yaml, at)))
                .collect(),
        ),
    };
    Node { value, span }
}

/// Bounds on one YAML document, from `[limits]` in `site.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YamlLimits {
    /// Deepest nesting of lists and mappings (`max_yaml_depth`).
    pub max_depth: usize,
    /// Most YAML events that `*alias`es may copy in (`max_yaml_expansion`).
    pub max_expansion: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: 64,
            max_expansion: 100_000,
        }
    }
}

/// Parse one YAML document embedded in a file, within the default [`YamlLimits`].
pub fn parse(yaml: &str, at: Embedding) -> Result<Node, Diagnostic> {
    parse_within(yaml, at, YamlLimits::default())
}

/// Parse one YAML document embedded in a file, refusing one past `limits`.
pub fn parse_within(yaml: &str, at: Embedding, limits: YamlLimits) -> Result<Node, Diagnostic> {
    if yaml.trim().is_empty() {
        return Ok(Node {
            value: Value::Null,
            span: Span::new(at.id, at.offset, at.offset),
        });
    }
    match flat_mapping(yaml, &at) {
        Some(node) => Ok(node),
        None => parse_in_full(yaml, at, limits),
    }
}

/// [`parse_within`] by serde-saphyr, whatever the text.
fn parse_in_full(yaml: &str, at: Embedding, limits: YamlLimits) -> Result<Node, Diagnostic> {
    // Depth counts the document's own top-level mapping or list as 1: `max_depth` levels
    // inside it are allowed.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth.saturating_add(1);
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = limits.max_expansion;
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        budget: Some(budget),
        alias_limits: alias_limits,
    };
    match serde_saphyr::from_str_with_options::<RawNode>(yaml, options) {
        Ok(raw) => Ok(convert(raw, yaml, &at)),
        Err(err) => {
            let span = match err.location() {
                Some(loc) if loc.line() > 0 => at.span_at(
                    yaml,
                    loc.line(),
                    loc.column(),
                    loc.span().byte_offset(),
                    None,
                ),
                _ => Span::new(at.id, at.offset, at.offset),
            };
            let message = match innermost(&err) {
                serde_saphyr::Error::Budget {
                    breach: serde_saphyr::budget::BudgetBreach::Depth { .. },
                    ..
                } => format!(
                    "this YAML nests deeper than {} levels ([limits] max_yaml_depth in site.toml raises it)",
                    limits.max_depth
                ),
                serde_saphyr::Error::AliasReplayLimitExceeded { .. } => format!(
                    "this YAML copies more than {} values through `*aliases` ([limits] max_yaml_expansion in site.toml raises it)",
                    limits.max_expansion
                ),
                _ => format!("invalid YAML: {}", clean_message(&err.to_string())),
            };
            Err(Diagnostic::error(span, message))
        }
    }
}

/// The usual front matter, read without the full parser: a mapping of distinct simple keys,
/// one a line, each to a double-quoted text without escapes, a plain text starting with a
/// letter, or a date (`2024-08-03`). The node is the one serde-saphyr makes of the same text
/// (a quoted value's span holds its quotes); `None` when the text is anything else (comments,
/// nesting, other scalars, a value that might be `null`, a number or `true`), for the full
/// parser to read.
fn flat_mapping(yaml: &str, at: &Embedding) -> Option<Node> {
    const MOST_LINES: usize = 64;
    let mut entries: Vec<(Node, Node)> = Vec::new();
    let mut line_start = 0;
    for line in yaml.split_inclusive('\n') {
        let text = line.strip_suffix('\n').unwrap_or(line);
        // Control characters, and the line breaks and byte-order mark of other YAML versions.
        if entries.len() == MOST_LINES
            || text.bytes().any(|b| b < b' ' || b == 0x7f)
            || text.contains(['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}'])
        {
            return None;
        }
        let (key, value, value_at) = flat_entry(text)?;
        if entries
            .iter()
            .any(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
        {
            return None;
        }
        let span = |from: usize, len: usize| {
            let start = at.offset + line_start + from;
            Span::new(at.id, start, start + len)
        };
        let scalar = value.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
        entries.push((
            Node {
                value: Value::Str(key.into()),
                span: span(0, key.len()),
            },
            Node {
                value: Value::Str(scalar.unwrap_or(value).into()),
                span: span(value_at, value.len()),
            },
        ));
        line_start += line.len();
    }
    (!entries.is_empty()).then(|| Node {
        value: Value::Map(entries),
        span: Span::new(at.id, at.offset, at.offset),
    })
}

/// One line of a [`flat_mapping`]: its key, its value as written, and where the value starts.
fn flat_entry(line: &str) -> Option<(&str, &str, usize)> {
    let (key, rest) = line.split_once(':')?;
    let key_ok = key
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !might_not_be_text(key);
    let value = rest.trim_start_matches(' ');
    let value_at = line.len() - value.len();
    if !key_ok || value.len() == rest.len() || value.is_empty() || value.ends_with(' ') {
        return None;
    }
    let quoted = value.len() >= 2
        && value.starts_with('"')
        && value.ends_with('"')
        && !value[1..value.len() - 1].contains(['"', '\\']);
    let plain = value
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && !value.contains([
            ':', '#', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
            '\\',
        ])
        && !might_not_be_text(value);
    let date = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    (quoted || plain || date).then_some((key, value, value_at))
}

/// Whether a plain word might be read as something other than text (null, a true/false value,
/// a number) by some YAML reader: such values go to the full parser.
fn might_not_be_text(word: &str) -> bool {
    const SPECIAL: [&str; 13] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "inf", "infinity", "nan",
        "infinite",
    ];
    SPECIAL.iter().any(|s| s.eq_ignore_ascii_case(word))
}

/// The error under serde-saphyr's snippet and alias wrappers.
fn innermost(mut err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = err
    {
        err = error;
    }
    err
}

/// serde-saphyr's messages carry their own position; ours is printed in front already.
fn clean_message(message: &str) -> String {
    let lower = message.to_lowercase();
    if lower.contains("duplicate") {
        return "this key appears twice in the same mapping".into();
    }
    if lower.contains("budget") || lower.contains("alias") && lower.contains("limit") {
        return "this YAML expands to too much data (aliases repeated over and over?): it is refused".into();
    }
    if lower.contains("depth") || lower.contains("recursion") {
        return "this YAML nests too deeply".into();
    }
    let first = message.lines().next().unwrap_or(message).trim();
    let first = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    first
        .trim_start_matches("error: ")
        .trim_end_matches(':')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse_str(text: &str) -> (SourceFile, Result<Node, Diagnostic>) {
        let file = SourceFile::new("x.yaml".into(), PathBuf::new(), text.into());
        let at = Embedding {
            file: &file,
            id: FileId(0),
            offset: 0,
        };
        let node = parse(text, at);
        (file.clone(), node)
    }

    #[test]
    fn spans_point_at_values() {
        let (file, node) = parse_str("title: Hello\nlist:\n  - a\n  - bee\n");
        let node = node.unwrap();
        let Value::Map(entries) = &node.value else {
            panic!("not a map")
        };
        let (_, list) = &entries[1];
        let Value::Seq(items) = &list.value else {
            panic!("not a list")
        };
        assert_eq!(file.line_col(items[1].span.start), (4, 5));
        assert_eq!(
            &file.text[items[1].span.start..items[1].span.start + 3],
            "bee"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let (file, node) = parse_str("a: b\nc: [unclosed\n");
        let err = node.unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(file.line_col(err.span.start).0 >= 2);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let (_, node) = parse_str(&text);
        let err = node.unwrap_err();
        assert!(
            err.message.contains("[limits] max_yaml_expansion"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_expansion_limit_is_the_configured_one() {
        // 1 + 10 + 100 copies of `[x, …]` through aliases: a few hundred events.
        let text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n\
                    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                    c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        let file = SourceFile::new("x.yaml".into(), PathBuf::new(), text.into());
        let at = Embedding {
            file: &file,
            id: FileId(0),
            offset: 0,
        };
        let tight = YamlLimits {
            max_expansion: 50,
            ..YamlLimits::default()
        };
        let err = parse_within(text, at, tight).unwrap_err();
        assert!(
            err.message.contains("more than 50 values"),
            "{}",
            err.message
        );
        assert!(parse_within(text, at, YamlLimits::default()).is_ok());
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let (_, node) = parse_str("a: 1\na: 2\n");
        assert!(node.is_err());
    }

    /// Random front matter, mostly of the shape the fast reader takes, with the near misses
    /// that must go to the full parser.
    fn front_matter(rng: &mut u64) -> String {
        const KEYS: &[&str] = &["title", "source", "published", "a", "_x", "date-note", "k2"];
        const ODD_KEYS: &[&str] = &["null", "Yes", "bad key", "-x", "title", "2"];
        const VALUES: &[&str] = &[
            "\"Article 1: x\"",
            "Synthetic Daily",
            "2024-08-03",
            "2024-13-45",
            "\"\"",
            "x y  z",
            "Yes",
            "no",
            "e5",
            "y",
            "\"中文\"",
            "\"it's\"",
            "a.b-c_d",
            "Q",
            "\"#1 [x] {y}, &z *w !v\"",
        ];
        const ODD_VALUES: &[&str] = &[
            "Null",
            "~",
            "true",
            "FALSE",
            "inf",
            "NaN",
            "1",
            "1.5",
            "0x10",
            "\"a \\\" b\"",
            "'single'",
            "a: b",
            "a #c",
            "a#b",
            "[x]",
            "{a: 1}",
            "&anchor x",
            "*alias",
            "|",
            ">",
            "中文 标题",
            "x\u{2028}y",
            "\"x\u{85}y\"",
            "Infinity",
            "a, b",
            "%x",
            "@x",
            "`x`",
            "!tag x",
            "trailing ",
            "\"open",
            "x\"",
            "2024-08-03T10:00",
            "-",
            "",
        ];
        let mut next = |n: usize| {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            (*rng % n as u64) as usize
        };
        let mut pick = |usual: &[&'static str], odd: &[&'static str]| {
            if next(8) == 0 {
                odd[next(odd.len())]
            } else {
                usual[next(usual.len())]
            }
        };
        let (keys, values) = (
            (0..4).map(|_| pick(KEYS, ODD_KEYS)).collect::<Vec<_>>(),
            (0..4).map(|_| pick(VALUES, ODD_VALUES)).collect::<Vec<_>>(),
        );
        let mut text = String::new();
        for (key, value) in keys.iter().zip(&values).take(1 + next(4)) {
            let sep = [": ", ": ", ":  ", ":", " : "][next(5)];
            text.push_str(key);
            text.push_str(sep);
            text.push_str(value);
            text.push_str(["\n", "\n", "\n", "\n", "\n\n", "\r\n", " # c\n", ""][next(8)]);
        }
        text
    }

    #[test]
    fn the_fast_reader_reads_as_the_full_parser_does() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut taken = 0;
        for _ in 0..20_000 {
            let text = front_matter(&mut rng);
            let file = SourceFile::new("x.md".into(), PathBuf::new(), format!("---\n{text}---\n"));
            let at = Embedding {
                file: &file,
                id: FileId(0),
                offset: 4,
            };
            if let Some(fast) = flat_mapping(&text, &at) {
                taken += 1;
                let full = parse_in_full(&text, at, YamlLimits::default());
                assert_eq!(Ok(fast), full, "{text:?}");
            }
        }
        assert!(taken > 1_000, "the fast reader took only {taken} texts");
    }
}
