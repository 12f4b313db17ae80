//! Typed readers over spanned YAML nodes.
//!
//! Each reader checks one value and reports what is wrong at that value's span, then carries
//! on, so a file with three mistakes gets three errors. [`Fields`] walks a mapping: it hands
//! out known keys and, when finished, reports every key it was not asked for, with the nearest
//! known key as a suggestion.

use super::yaml::{Node, Value};
use crate::diag::{Diagnostics, did_you_mean};
use crate::model::{Citation, Date, Evidence, Markdown, Sp};
use crate::source::Span;

/// The keys of one YAML mapping, handed out one by one.
pub struct Fields<'a> {
    entries: &'a [(Node, Node)],
    taken: Vec<bool>,
    span: Span,
    what: &'a str,
}

impl<'a> Fields<'a> {
    /// Read `node` as a mapping; reports and returns `None` when it is something else.
    pub fn new(node: &'a Node, what: &'a str, diags: &mut Diagnostics) -> Option<Self> {
        match &node.value {
            Value::Map(entries) => Some(Fields {
                entries,
                taken: vec![false; entries.len()],
                span: node.span,
                what,
            }),
            Value::Null => Some(Fields {
                entries: &[],
                taken: Vec::new(),
                span: node.span,
                what,
            }),
            other => {
                diags.error(
                    node.span,
                    format!(
                        "{what} must be a mapping of `key: value`, found {}",
                        other.kind_name()
                    ),
                );
                None
            }
        }
    }

    /// The value of `key`; `None` when absent or null.
    pub fn get(&mut self, key: &str) -> Option<&'a Node> {
        let index = self
            .entries
            .iter()
            .position(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))?;
        self.taken[index] = true;
        let value = &self.entries[index].1;
        (!matches!(value.value, Value::Null)).then_some(value)
    }

    /// The value of a required `key`; reports it missing.
    pub fn require(&mut self, key: &str, diags: &mut Diagnostics) -> Option<&'a Node> {
        let value = self.get(key);
        if value.is_none() {
            let span = self.key_span(key).unwrap_or(self.span);
            diags.error(
                span,
                format!("{} is missing the required field `{key}`", self.what),
            );
        }
        value
    }

    fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(k, _)| k.span)
    }

    /// Report every key not asked for; `known` is the full list, for suggestions.
    pub fn finish(self, known: &[&str], diags: &mut Diagnostics) {
        for ((key, _), taken) in self.entries.iter().zip(&self.taken) {
            if *taken {
                continue;
            }
            match &key.value {
                Value::Str(name) => {
                    let hint = did_you_mean(name, known.iter().copied());
                    let extra = if hint.is_empty() {
                        " (free-form data goes under `extra`)"
                    } else {
                        ""
                    };
                    diags.error(
                        key.span,
                        format!("unknown key `{name}` in {}{hint}{extra}", self.what),
                    );
                }
                other => diags.error(
                    key.span,
                    format!("keys must be text, found {}", other.kind_name()),
                ),
            }
        }
    }
}

/// A scalar read as text: strings as they are, numbers and booleans as written.
pub fn text(node: &Node, diags: &mut Diagnostics) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => {
            diags.error(
                node.span,
                format!("expected text, found {}", other.kind_name()),
            );
            None
        }
    }
}

/// Text that must not be empty.
pub fn nonempty_text(node: &Node, field: &str, diags: &mut Diagnostics) -> Option<Sp<String>> {
    let value = text(node, diags)?;
    if value.trim().is_empty() {
        diags.error(node.span, format!("`{field}` is empty"));
        return None;
    }
    Some(Sp::new(value.trim().to_string(), node.span))
}

/// An optional text field.
pub fn opt_text(fields: &mut Fields, key: &str, diags: &mut Diagnostics) -> Option<String> {
    fields
        .get(key)
        .and_then(|n| text(n, diags))
        .filter(|s| !s.trim().is_empty())
}

/// A list of texts; a single text is read as a list of one.
pub fn text_list(node: Option<&Node>, diags: &mut Diagnostics) -> Vec<Sp<String>> {
    let Some(node) = node else { return Vec::new() };
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|item| match &item.value {
                Value::Seq(_) | Value::Map(_) | Value::Null => {
                    diags.error(
                        item.span,
                        format!(
                            "expected text in this list, found {}",
                            item.value.kind_name()
                        ),
                    );
                    None
                }
                _ => text(item, diags).map(|t| Sp::new(t.trim().to_string(), item.span)),
            })
            .collect(),
        _ => text(node, diags)
            .map(|t| vec![Sp::new(t.trim().to_string(), node.span)])
            .unwrap_or_default(),
    }
}

/// A list of mappings, each read by `read`.
pub fn list_of<T>(
    node: Option<&Node>,
    diags: &mut Diagnostics,
    mut read: impl FnMut(&Node, &mut Diagnostics) -> Option<T>,
) -> Vec<T> {
    let Some(node) = node else { return Vec::new() };
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(|item| read(item, diags)).collect(),
        other => {
            diags.error(
                node.span,
                format!("expected a list, found {}", other.kind_name()),
            );
            Vec::new()
        }
    }
}

/// `true` or `false`.
pub fn boolean(node: Option<&Node>, diags: &mut Diagnostics) -> bool {
    match node.map(|n| (&n.value, n.span)) {
        None => false,
        Some((Value::Bool(b), _)) => *b,
        Some((other, span)) => {
            diags.error(
                span,
                format!("expected true or false, found {}", other.kind_name()),
            );
            false
        }
    }
}

/// A date: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, as text or (a year) as a number.
pub fn date(node: Option<&Node>, diags: &mut Diagnostics) -> Option<Sp<Date>> {
    let node = node?;
    let parsed = match &node.value {
        Value::Str(s) => Date::parse(s),
        Value::Int(i) => Date::parse(&i.to_string()),
        other => Err(format!(
            "expected a date (YYYY, YYYY-MM or YYYY-MM-DD), found {}",
            other.kind_name()
        )),
    };
    match parsed {
        Ok(d) => Some(Sp::new(d, node.span)),
        Err(message) => {
            diags.error(node.span, message);
            None
        }
    }
}

/// Markdown from a scalar.
pub fn markdown(node: Option<&Node>, diags: &mut Diagnostics) -> Option<Markdown> {
    let node = node?;
    let text = text(node, diags)?;
    Some(Markdown {
        text,
        span: node.span,
        exact_offset: None,
    })
}

/// `article-id#pN`.
pub fn citation(node: Option<&Node>, diags: &mut Diagnostics) -> Option<Citation> {
    let node = node?;
    let raw = text(node, diags)?;
    match parse_citation(raw.trim()) {
        Some((article, paragraph)) => Some(Citation {
            article: article.to_string(),
            paragraph,
            span: node.span,
        }),
        None => {
            diags.error(
                node.span,
                format!(
                    "`{raw}` is not a citation: write `<article-id>#p<N>`, such as `my-article#p3`"
                ),
            );
            None
        }
    }
}

/// Split `article#p4` into its id and paragraph number.
pub fn parse_citation(text: &str) -> Option<(&str, u32)> {
    let (article, para) = text.split_once('#')?;
    let digits = para.strip_prefix('p')?;
    if article.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    (n >= 1).then_some((article, n))
}

/// The `source`, `quote` and `note` keys shared by cited items.
pub fn evidence(fields: &mut Fields, source_required: bool, diags: &mut Diagnostics) -> Evidence {
    let source_node = if source_required {
        fields.require("source", diags)
    } else {
        fields.get("source")
    };
    let source = citation(source_node, diags);
    let quote = fields
        .get("quote")
        .and_then(|n| nonempty_text(n, "quote", diags));
    if let (Some(q), None) = (&quote, source_node) {
        diags.error(
            q.span,
            "a `quote` needs a `source` citation to be checked against",
        );
    }
    let note = markdown(fields.get("note"), diags);
    Evidence {
        source,
        quote,
        note,
    }
}

/// Any YAML value as JSON, for `extra` maps.
pub fn json(node: Option<&Node>) -> serde_json::Value {
    use serde_json::Value as J;
    let Some(node) = node else {
        return J::Object(Default::default());
    };
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or(J::Null),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(|n| json(Some(n))).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match &k.value {
                        Value::Str(s) => s.clone(),
                        other => json(Some(&Node {
                            value: other.clone(),
                            span: k.span,
                        }))
                        .to_string(),
                    };
                    (key, json(Some(v)))
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_parse() {
        assert_eq!(parse_citation("a-b#p12"), Some(("a-b", 12)));
        assert_eq!(parse_citation("a-b#p0"), None);
        assert_eq!(parse_citation("a-b#12"), None);
        assert_eq!(parse_citation("#p1"), None);
    }
}
