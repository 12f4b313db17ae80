//! What replacing an article did to the citations that point into it.
//!
//! `import --force` reads the article's paragraphs before it writes the new version and after;
//! [`report`] then finds every citation of the article in the site (evidence `source:` fields,
//! read by the loader, and `[[article#pN]]` wikilinks anywhere under `content/`) and every
//! quote beside one, and warns about each that points into a paragraph whose text changed,
//! moved or disappeared, saying where the old text went when it is still in the article.

use crate::diag::{Diagnostic, Diagnostics};
use crate::resolve::Site;
use crate::source::Span;
use crate::text::{Fold, normalize};

/// The plain text of each numbered paragraph of article `id` in a resolved site.
pub fn paragraphs(site: &Site, id: &str) -> Option<Vec<String>> {
    let i = site.articles.iter().position(|a| a.common.id == id)?;
    site.bodies.get(i).map(|b| b.paragraphs.clone())
}

/// The warnings of a re-import, and how many old paragraphs no longer read the same.
#[derive(Debug, Default)]
pub struct Report {
    /// One warning per citation or quote that points into a changed paragraph.
    pub diagnostics: Diagnostics,
    /// Old paragraphs whose number no longer holds their text.
    pub changed: usize,
}

/// Compare article `id`'s paragraphs `old` and `new`, and warn at every citation and quote in
/// `site` (the site after the new version was written) that points into a changed paragraph.
pub fn report(site: &Site, id: &str, old: &[String], new: &[String]) -> Report {
    let cmp = Comparison::new(id, old, new);
    let mut out = Report {
        changed: (1..=old.len())
            .filter(|&n| cmp.message(n).is_some())
            .count(),
        ..Report::default()
    };
    for ev in site.evidence() {
        let Some(source) = &ev.source else { continue };
        if source.article != id {
            continue;
        }
        let Some(message) = cmp.message(source.paragraph as usize) else {
            continue;
        };
        out.diagnostics
            .push(Diagnostic::warning(source.span, message));
        if let Some(quote) = &ev.quote {
            let message = cmp.quote(source.paragraph as usize, &quote.value);
            out.diagnostics
                .push(Diagnostic::warning(quote.span, message));
        }
    }
    for (file, source) in site.sources.iter() {
        if !source.rel_path.starts_with("content/") {
            continue;
        }
        for (at, n) in wikilink_citations(&source.text, id) {
            if let Some(message) = cmp.message(n) {
                out.diagnostics
                    .push(Diagnostic::warning(Span::new(file, at, at), message));
            }
        }
    }
    out
}

/// `(offset of the target, paragraph)` of every `[[id#pN]]` or `[[articles/id#pN|label]]`.
pub fn wikilink_citations(text: &str, id: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("[[") {
        let open = from + i;
        from = open + 2;
        if text[..open].ends_with('\\') {
            continue;
        }
        let rest = &text[from..];
        let Some(close) = rest.find("]]") else { break };
        let inner = &rest[..close];
        if inner.contains('\n') || inner.contains("[[") {
            continue;
        }
        let target = inner.split('|').next().unwrap_or("");
        let lead = target.len() - target.trim_start().len();
        let target = target.trim();
        let target = target.strip_prefix("articles/").unwrap_or(target);
        let Some(number) = target
            .strip_prefix(id)
            .and_then(|t| t.strip_prefix("#p"))
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        found.push((from + lead, number));
    }
    found
}

/// Old and new paragraphs, normalized as quotes are matched.
struct Comparison<'a> {
    id: &'a str,
    old: Vec<String>,
    new: Vec<String>,
}

impl<'a> Comparison<'a> {
    fn new(id: &'a str, old: &[String], new: &[String]) -> Self {
        let norm = |ps: &[String]| ps.iter().map(|p| normalize(p, Fold::Quotes)).collect();
        Comparison {
            id,
            old: norm(old),
            new: norm(new),
        }
    }

    /// What happened to old paragraph `n`, when it did not stay as it was. Citations that
    /// were already past the old end are the resolver's to report.
    fn message(&self, n: usize) -> Option<String> {
        let id = self.id;
        let old = self.old.get(n.checked_sub(1)?)?;
        if self.new.get(n - 1) == Some(old) {
            return None;
        }
        let moved = self.new.iter().position(|p| p == old).map(|m| m + 1);
        let closest = self.closest(old);
        Some(if n > self.new.len() {
            let end = format!(
                "`{id}#p{n}` is past the end of the new version (it has {} paragraph{})",
                self.new.len(),
                if self.new.len() == 1 { "" } else { "s" }
            );
            match (moved, closest) {
                (Some(m), _) => format!("{end}: the text it cited is now `{id}#p{m}`"),
                (None, Some(m)) => format!(
                    "{end}: the text it cited is gone; the closest paragraph is `{id}#p{m}`"
                ),
                (None, None) => format!("{end}: the text it cited is gone"),
            }
        } else {
            match (moved, closest) {
                (Some(m), _) => format!(
                    "`{id}#p{n}` now points at other text: the paragraph it cited moved to `{id}#p{m}`"
                ),
                (None, Some(m)) if m == n => {
                    format!("the text of `{id}#p{n}` changed in the new version")
                }
                (None, Some(m)) => format!(
                    "the text of `{id}#p{n}` changed in the new version; the closest paragraph to the old text is `{id}#p{m}`"
                ),
                (None, None) => format!(
                    "the text `{id}#p{n}` cited is gone from the new version; p{n} now holds other text"
                ),
            }
        })
    }

    /// The new paragraph most like `old`, when one is alike enough.
    fn closest(&self, old: &str) -> Option<usize> {
        self.new
            .iter()
            .enumerate()
            .map(|(i, p)| (i + 1, strsim::sorensen_dice(old, p)))
            .filter(|(_, score)| *score >= 0.6)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(m, _)| m)
    }

    /// What happened to a quote of old paragraph `n` (which changed).
    fn quote(&self, n: usize, quote: &str) -> String {
        let id = self.id;
        let wanted = normalize(quote, Fold::Quotes);
        if self.new.get(n - 1).is_some_and(|p| p.contains(&wanted)) {
            return format!(
                "this quote is still in `{id}#p{n}`, but the paragraph changed around it"
            );
        }
        match self.new.iter().position(|p| p.contains(&wanted)) {
            Some(m) => format!(
                "this quote is no longer in `{id}#p{n}`: it is now in `{id}#p{}`",
                m + 1
            ),
            None => {
                format!("this quote is no longer in `{id}#p{n}`, nor anywhere in the new version")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_wikilink_citations() {
        let text =
            "See [[a#p2]] and [[ articles/a#p10 | label]], not [[ab#p1]], \\[[a#p3]] or [[a]].";
        let found = wikilink_citations(text, "a");
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].0..found[0].0 + 4], "a#p2");
        assert_eq!(found[1].1, 10);
        assert_eq!(&text[found[1].0..found[1].0 + 8], "articles");
    }

    #[test]
    fn says_what_happened() {
        let old = strings(&[
            "First paragraph stays.",
            "Second paragraph moves down.",
            "Third paragraph about growth of 6 percent this year.",
            "Fourth is dropped entirely.",
        ]);
        let new = strings(&[
            "First paragraph stays.",
            "A new paragraph.",
            "Third paragraph about growth of 7 percent this year.",
            "Second paragraph moves down.",
        ]);
        let c = Comparison::new("a", &old, &new);
        assert_eq!(c.message(1), None);
        assert!(c.message(2).unwrap().contains("moved to `a#p4`"));
        assert!(c.message(3).unwrap().contains("changed in the new version"));
        assert!(c.message(4).unwrap().contains("is gone"));
        assert_eq!(c.message(5), None);
        assert!(c.quote(3, "growth").contains("still in"));
        assert!(c.quote(3, "6 percent").contains("nor anywhere"));
        assert!(c.quote(2, "moves down").contains("now in `a#p4`"));
        let shorter = Comparison::new("a", &old, &new[..1]);
        assert!(shorter.message(2).unwrap().contains("past the end"));
    }
}
