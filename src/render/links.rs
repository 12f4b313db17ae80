//! Internal link addresses, finished per page.
//!
//! Markdown and templates write every address inside the site as `\x01path\x02` (path relative
//! to the site root, such as `people/x/` or `style.css`). When a page is done, [`LinkStyle::finish`]
//! replaces each with what the build asks for: rooted at the path part of `base_url`
//! (`/briefing/people/x/`), or, for a site opened from disk, relative to the page and naming
//! its file (`../../people/x/index.html`).

use crate::markdown::{LINK_END, LINK_START};

/// How this build writes internal links.
#[derive(Clone, Debug)]
pub struct LinkStyle {
    /// Path part of `base_url`, `/…/`.
    pub base_path: String,
    /// Relative links naming files.
    pub offline: bool,
}

/// Wrap a site-relative path as an internal link.
pub fn internal(path: &str) -> String {
    format!("{LINK_START}{path}{LINK_END}")
}

impl LinkStyle {
    /// The prefix to the site root from a page at `page_path` (`people/x/`).
    pub fn root_from(&self, page_path: &str) -> String {
        if self.offline {
            let depth = page_path.matches('/').count();
            "../".repeat(depth)
        } else {
            self.base_path.clone()
        }
    }

    /// Replace every internal link in `html` for the page at `page_path`.
    pub fn finish(&self, html: &str, page_path: &str) -> String {
        if !html.contains(LINK_START) {
            return html.to_string();
        }
        let root = self.root_from(page_path);
        let mut out = String::with_capacity(html.len() + 256);
        let mut rest = html;
        while let Some(start) = rest.find(LINK_START) {
            out.push_str(&rest[..start]);
            let after = &rest[start + LINK_START.len_utf8()..];
            let Some(end) = after.find(LINK_END) else {
                rest = after;
                break;
            };
            self.write_link(&mut out, &root, &after[..end]);
            rest = &after[end + LINK_END.len_utf8()..];
        }
        out.push_str(rest);
        out
    }

    fn write_link(&self, out: &mut String, root: &str, target: &str) {
        let (path, fragment) = match target.find('#') {
            Some(i) => (&target[..i], &target[i..]),
            None => (target, ""),
        };
        out.push_str(root);
        out.push_str(path);
        if self.offline && (path.is_empty() || path.ends_with('/')) {
            out.push_str("index.html");
        }
        if !self.offline && root.is_empty() && path.is_empty() {
            out.push_str("./");
        }
        out.push_str(fragment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooted_and_offline() {
        let html = format!(
            "<a href=\"{}\">x</a><a href=\"{}\">h</a>",
            internal("people/x/#p2"),
            internal("")
        );
        let rooted = LinkStyle {
            base_path: "/b/".into(),
            offline: false,
        };
        assert_eq!(
            rooted.finish(&html, "articles/a/"),
            "<a href=\"/b/people/x/#p2\">x</a><a href=\"/b/\">h</a>"
        );
        let offline = LinkStyle {
            base_path: "/b/".into(),
            offline: true,
        };
        assert_eq!(
            offline.finish(&html, "articles/a/"),
            "<a href=\"../../people/x/index.html#p2\">x</a><a href=\"../../index.html\">h</a>"
        );
        assert_eq!(offline.finish(&internal("style.css"), ""), "style.css");
    }
}
