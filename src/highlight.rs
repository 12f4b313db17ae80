//! Syntax highlighting of fenced code blocks with syntect.
//!
//! The syntax and theme sets are loaded once, on the first code block, so sites without code
//! pay nothing. `highlight_theme = "css"` writes class names instead of colours; the build then
//! also writes `/syntax.css`.

use std::sync::OnceLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// Names of the built-in themes, for messages.
pub fn theme_names() -> Vec<String> {
    let mut names: Vec<String> = themes().themes.keys().cloned().collect();
    names.push("css".into());
    names.sort();
    names
}

/// Whether `name` is a theme we can use.
pub fn theme_exists(name: &str) -> bool {
    name == "css" || themes().themes.contains_key(name)
}

/// Highlight `code` written in `lang` as a `<pre>` block.
pub fn highlight(code: &str, lang: &str, theme: &str) -> String {
    let ss = syntaxes();
    let syntax = ss
        .find_syntax_by_token(lang)
        .unwrap_or_else(|| ss.find_syntax_plain_text());
    let lang_class = crate::sanitize::escape(lang);
    if theme == "css" {
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            ss,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return plain(code, &lang_class);
            }
        }
        return format!(
            "<pre class=\"code hl\" data-lang=\"{lang_class}\"><code>{}</code></pre>",
            generator.finalize()
        );
    }
    let Some(theme) = themes().themes.get(theme) else {
        return plain(code, &lang_class);
    };
    match syntect::html::highlighted_html_for_string(code, ss, syntax, theme) {
        Ok(html) => html.replacen(
            "<pre ",
            &format!("<pre data-lang=\"{lang_class}\" class=\"code\" "),
            1,
        ),
        Err(_) => plain(code, &lang_class),
    }
}

fn plain(code: &str, lang_class: &str) -> String {
    format!(
        "<pre class=\"code\" data-lang=\"{lang_class}\"><code>{}</code></pre>",
        crate::sanitize::escape(code)
    )
}

/// The stylesheet for `highlight_theme = "css"`: light colours, and dark ones for dark mode.
pub fn css() -> String {
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let light = themes()
        .themes
        .get("InspiredGitHub")
        .and_then(|t| syntect::html::css_for_theme_with_class_style(t, style).ok());
    let dark = themes()
        .themes
        .get("base16-ocean.dark")
        .and_then(|t| syntect::html::css_for_theme_with_class_style(t, style).ok());
    format!(
        "{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        light.unwrap_or_default(),
        dark.unwrap_or_default()
    )
}
