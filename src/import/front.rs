//! The front matter of an imported Markdown file, merged with the command's flags.
//!
//! The author's YAML is kept as written (order, comments, quoting): each top-level entry is a
//! slice of the text, from its key's line to the next key's line. A flag replaces the entry of
//! its key, or adds one at the end. Values are read through the site's own YAML reader.

use super::ImportError;
use crate::load::yaml::{self, Embedding, Node, Value};
use crate::source::{FileId, SourceFile};

/// Front matter as written, cut into top-level entries.
#[derive(Clone, Debug)]
pub struct Existing {
    /// Text before the first key (comments).
    lead: String,
    /// `(key, value, text of the whole entry)`, in order.
    entries: Vec<(String, Value, String)>,
}

impl Existing {
    /// Read the front matter at `yaml_start..yaml_end` of `text`.
    pub fn parse(text: &str, yaml_start: usize, yaml_end: usize) -> Result<Self, ImportError> {
        let file = SourceFile::new("front matter".into(), Default::default(), text.to_string());
        let yaml_text = &text[yaml_start..yaml_end];
        let at = Embedding {
            file: &file,
            id: FileId(0),
            offset: yaml_start,
        };
        let node = yaml::parse(yaml_text, at).map_err(|d| {
            let (line, col) = file.line_col(d.span.start);
            ImportError::FrontMatter(format!(
                "the front matter cannot be read (line {line}, column {col}): {}",
                d.message
            ))
        })?;
        let pairs: Vec<(Node, Node)> = match node.value {
            Value::Map(pairs) => pairs,
            Value::Null => Vec::new(),
            other => {
                return Err(ImportError::FrontMatter(format!(
                    "the front matter must be a mapping of keys (title: …), not {}",
                    other.kind_name()
                )));
            }
        };
        let line_start = |offset: usize| text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let starts: Vec<usize> = pairs
            .iter()
            .map(|(k, _)| line_start(k.span.start).max(yaml_start))
            .collect();
        if starts.windows(2).any(|w| w[0] >= w[1]) {
            // A flow mapping (`{title: x, source: y}`) on one line: rewrite it as block YAML.
            return Err(ImportError::FrontMatter(
                "the front matter is a one-line `{…}` mapping: write one `key: value` per line"
                    .into(),
            ));
        }
        let lead = starts
            .first()
            .map_or(yaml_text.to_string(), |&s| text[yaml_start..s].to_string());
        let mut entries = Vec::new();
        for (i, (key, value)) in pairs.into_iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(yaml_end);
            let mut entry = text[starts[i]..end].to_string();
            if !entry.ends_with('\n') {
                entry.push('\n');
            }
            let key = match key.value {
                Value::Str(s) => s,
                other => format!("{other:?}"),
            };
            entries.push((key, value.value, entry));
        }
        Ok(Existing { lead, entries })
    }

    /// Whether `key` is written.
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _, _)| k == key)
    }

    /// The text value of `key`, if it is written and non-empty text.
    pub fn text(&self, key: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .and_then(|(_, v, _)| match v {
                Value::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => None,
            })
    }

    /// The front matter with each `(key, line)` replacing the entry of its key, or appended.
    pub fn merge(self, lines: &[(&str, String)]) -> String {
        let mut out = self.lead;
        let mut used = vec![false; lines.len()];
        for (key, _, entry) in &self.entries {
            match lines.iter().position(|(k, _)| k == key) {
                Some(i) => {
                    out.push_str(&lines[i].1);
                    used[i] = true;
                }
                None => out.push_str(entry),
            }
        }
        for (i, (_, line)) in lines.iter().enumerate() {
            if !used[i] {
                out.push_str(line);
            }
        }
        out
    }
}

/// The new version of an article keeping what the old one's front matter says and the new
/// one does not (`meetings`, `date_note`, `published`, …): a re-import replaces the text, not
/// what editors added by hand. `None` when either front matter cannot be read.
pub fn carry_over(old: &str, new: &str) -> Option<String> {
    let (old_start, old_end, _) = crate::load::split_front_matter(old)?;
    let (new_start, new_end, new_body) = crate::load::split_front_matter(new)?;
    let old = Existing::parse(old, old_start, old_end).ok()?;
    let fresh = Existing::parse(new, new_start, new_end).ok()?;
    let lines: Vec<(&str, String)> = fresh
        .entries
        .iter()
        .map(|(k, _, text)| (k.as_str(), text.clone()))
        .collect();
    Some(format!(
        "---\n{}---\n{}",
        old.merge(&lines),
        &new[new_body..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn existing(yaml: &str) -> Existing {
        let text = format!("---\n{yaml}---\nBody\n");
        let (a, b, _) = crate::load::split_front_matter(&text).unwrap();
        Existing::parse(&text, a, b).unwrap()
    }

    #[test]
    fn flags_replace_entries_and_keep_the_rest() {
        let e =
            existing("# lead comment\ntitle: >\n  Folded\n  title\nsource: X\nmeetings:\n  - a\n");
        assert_eq!(e.text("title").as_deref(), Some("Folded title"));
        assert!(e.has("meetings"));
        let merged = e.merge(&[
            ("title", "title: \"New\"\n".into()),
            ("url", "url: \"u\"\n".into()),
        ]);
        assert_eq!(
            merged,
            "# lead comment\ntitle: \"New\"\nsource: X\nmeetings:\n  - a\nurl: \"u\"\n"
        );
    }

    #[test]
    fn reimport_keeps_hand_added_fields() {
        let old = "---\ntitle: \"Old\"\nsource: X\npublished: 2023-12-27\nmeetings: [m]\n---\nOld body.\n";
        let new = "---\ntitle: \"New\"\nsource: X\nlanguage: en\n---\nNew body.\n";
        assert_eq!(
            carry_over(old, new).unwrap(),
            "---\ntitle: \"New\"\nsource: X\npublished: 2023-12-27\nmeetings: [m]\nlanguage: en\n---\nNew body.\n"
        );
        assert!(carry_over("no front matter", new).is_none());
    }

    #[test]
    fn unreadable_front_matter_is_an_error() {
        let text = "---\ntitle: [unclosed\n---\nBody\n";
        let (a, b, _) = crate::load::split_front_matter(text).unwrap();
        assert!(Existing::parse(text, a, b).is_err());
        let text = "---\n- a list\n---\nBody\n";
        let (a, b, _) = crate::load::split_front_matter(text).unwrap();
        assert!(Existing::parse(text, a, b).is_err());
    }
}
