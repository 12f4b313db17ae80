//! Diagnostics: what went wrong, where, and how it is printed.
//!
//! Every stage reports problems as [`Diagnostic`]s into a [`Diagnostics`] list instead of
//! stopping at the first one, so one run shows an author every error at once. A diagnostic
//! points at a [`Span`]; it becomes `path:line:column` only when printed.

use crate::source::{SourceMap, Span};
use std::fmt::Write as _;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The site cannot be built.
    Error,
    /// Worth a look; the build goes on.
    Warning,
}

/// One problem, pinned to a place in a source file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where the offending value is.
    pub span: Span,
    /// What is wrong, in one line; suggestions are part of it ("did you mean …?").
    pub message: String,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
        }
    }

    /// `path:line:column: error: message`.
    pub fn render(&self, sources: &SourceMap) -> String {
        let file = sources.get(self.span.file);
        let (line, column) = file.line_col(self.span.start);
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!(
            "{}:{line}:{column}: {level}: {}",
            one_line(&file.rel_path),
            one_line(&self.message)
        )
    }
}

/// `text` with line breaks and other control characters written as escapes (`\n`), so that a
/// diagnostic that quotes the input (a wikilink across two lines, a file name) stays one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// The problems found in one run.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Record one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Record an error.
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::error(span, message));
    }

    /// Record a warning.
    pub fn warning(&mut self, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::warning(span, message));
    }

    /// Take over every problem of another list.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether any error (not warning) was found.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// All problems, sorted by file, position and message, without repeats.
    pub fn sorted(&self, sources: &SourceMap) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort_by(|a, b| {
            let pa = &sources.get(a.span.file).rel_path;
            let pb = &sources.get(b.span.file).rel_path;
            (pa, a.span.start, a.severity, &a.message).cmp(&(
                pb,
                b.span.start,
                b.severity,
                &b.message,
            ))
        });
        items.dedup();
        items
    }

    /// Every problem printed one per line, in a stable order.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        for d in self.sorted(sources) {
            let _ = writeln!(out, "{}", d.render(sources));
        }
        out
    }

    /// The raw list, unsorted.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }
}

/// Longest text (in bytes) for which a suggestion is looked for: comparing two texts costs the
/// product of their lengths, and no id, key or name is anywhere near this long.
const MAX_SUGGESTED_LEN: usize = 300;

/// The closest of `candidates` to `wanted`, if it is close enough to suggest.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if wanted.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate.len() > MAX_SUGGESTED_LEN {
            continue;
        }
        let score = strsim::jaro_winkler(&wanted_lower, &candidate.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean `x`?)` or nothing.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(wanted, candidates) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids_only() {
        let ids = ["yuan-jiajun", "hu-henghua", "jiang-hui"];
        assert_eq!(closest("yuan-jiajn", ids), Some("yuan-jiajun"));
        assert_eq!(closest("zzzz", ids), None);
    }

    #[test]
    fn a_printed_diagnostic_is_one_line() {
        assert_eq!(one_line("`[[a]\n[[b]]` x"), "`[[a]\\n[[b]]` x");
        assert_eq!(one_line("tab\there"), "tab\\there");
        assert_eq!(one_line("plain: é"), "plain: é");
    }

    #[test]
    fn huge_texts_are_not_compared() {
        let huge = "x".repeat(1_000_000);
        let started = std::time::Instant::now();
        assert_eq!(closest(&huge, [huge.as_str(), "x"]), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
