//! `site.toml`: the site's configuration.
//!
//! Read with serde into [`Config`]; unknown keys, missing required keys and bad values are
//! reported at their place in the file, with the nearest known key as a suggestion.

use crate::diag::{Diagnostics, did_you_mean};
use crate::source::{FileId, SourceFile, Span};
use serde::Deserialize;

/// How mentions of names in article bodies become links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MentionLinks {
    /// The first mention of each entity in each article.
    #[default]
    First,
    /// Every mention.
    All,
    /// None (mentions are still recorded for "mentioned in").
    None,
}

/// The whole of `site.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Where the site will live, with a path part if it is under one.
    pub base_url: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Default language of the site and its articles.
    #[serde(default = "default_language")]
    pub language: String,
    /// Theme name.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// `[build]`
    #[serde(default)]
    pub build: BuildConfig,
    /// `[limits]`
    #[serde(default)]
    pub limits: Limits,
    /// `[mentions]`
    #[serde(default)]
    pub mentions: MentionsConfig,
    /// `[markdown]`
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// `[extra]`, handed to templates.
    #[serde(default)]
    pub extra: toml::Table,
}

/// `[build]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuildConfig {
    /// Output folder, relative to the root.
    pub output_dir: String,
    /// Build drafts.
    pub drafts: bool,
    /// Links for a folder opened from disk.
    pub offline: bool,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            output_dir: "public".into(),
            drafts: false,
            offline: false,
        }
    }
}

/// `[limits]`: input past these is refused with an error naming the key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest content file, in bytes.
    pub max_file_bytes: u64,
    /// Most content files.
    pub max_files: u64,
    /// Deepest nesting of a YAML document.
    pub max_yaml_depth: u64,
    /// Most YAML events (values, list and mapping starts) that `*alias`es may copy into one
    /// document: the bound on "alias bombs".
    pub max_yaml_expansion: u64,
}

impl Limits {
    /// The bounds handed to the YAML parser.
    pub fn yaml(&self) -> crate::load::yaml::YamlLimits {
        let clamp = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        crate::load::yaml::YamlLimits {
            max_depth: clamp(self.max_yaml_depth),
            max_expansion: clamp(self.max_yaml_expansion),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 10_000_000,
            max_files: 500_000,
            max_yaml_depth: 64,
            max_yaml_expansion: 100_000,
        }
    }
}

/// `[mentions]`
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct MentionsConfig {
    /// first | all | none
    pub link: MentionLinks,
}

/// `[markdown]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// A syntect theme name, or `css` for class names.
    pub highlight_theme: String,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            highlight_theme: "InspiredGitHub".into(),
        }
    }
}

fn default_language() -> String {
    "en".into()
}

fn default_theme() -> String {
    "briefing".into()
}

const TOP_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "theme",
    "build",
    "limits",
    "mentions",
    "markdown",
    "extra",
];

impl Config {
    /// The path part of `base_url`, always starting and ending with `/`.
    pub fn base_path(&self) -> String {
        base_path_of(&self.base_url)
    }

    /// `base_url` without a trailing slash, for building full URLs.
    pub fn origin_and_path(&self) -> String {
        self.base_url.trim_end_matches('/').to_string()
    }
}

/// The path part of a URL, starting and ending with `/`.
pub fn base_path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let path = after_scheme
        .find('/')
        .map(|i| &after_scheme[i..])
        .unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

/// Check a base URL given on the command line or in `site.toml`.
pub fn check_base_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "`{url}` is not a full URL: write it like https://example.org/briefing/"
        ));
    };
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{url}` is not an http or https URL with a host"));
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return Err(format!("`{url}` contains characters a URL cannot hold"));
    }
    Ok(())
}

/// Parse `site.toml`; every problem goes to `diags`.
pub fn parse(file: &SourceFile, id: FileId, diags: &mut Diagnostics) -> Option<Config> {
    let config: Config = match toml::from_str(&file.text) {
        Ok(c) => c,
        Err(err) => {
            let span = err
                .span()
                .map(|r| Span::new(id, r.start, r.end))
                .unwrap_or(Span::file_start(id));
            diags.error(span, explain_toml_error(err.message()));
            return None;
        }
    };
    let value_span = |key: &str| find_value(file, id, key);
    if config.title.trim().is_empty() {
        diags.error(value_span("title"), "`title` is empty");
    }
    if let Err(message) = check_base_url(&config.base_url) {
        diags.error(value_span("base_url"), message);
    }
    if config.language.trim().is_empty() {
        diags.error(value_span("language"), "`language` is empty");
    }
    let out = config.build.output_dir.trim();
    if out.is_empty() || out == "." || out == "./" || out.trim_end_matches('/') == "content" {
        diags.error(
            value_span("output_dir"),
            format!("`output_dir = \"{out}\"` would write over the site itself: name a folder of its own, such as \"public\""),
        );
    }
    Some(config)
}

/// Span of the value of `key = …` (first occurrence), or the start of the file.
pub fn find_value(file: &SourceFile, id: FileId, key: &str) -> Span {
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && (rest.starts_with(' ') || rest.starts_with('=') || rest.starts_with('\t'))
        {
            let rest_trim = rest.trim_start();
            if let Some(value) = rest_trim.strip_prefix('=') {
                let value_start = offset + line.len() - value.trim_start().len();
                let value_len = value.trim_end().trim_start().len();
                return Span::new(id, value_start, value_start + value_len);
            }
        }
        offset += line.len();
    }
    Span::file_start(id)
}

/// Turn serde's "unknown field `x`, expected one of …" into our wording with a suggestion.
fn explain_toml_error(message: &str) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        let candidates: Vec<&str> = if known.is_empty() {
            TOP_KEYS.to_vec()
        } else {
            known
        };
        return format!(
            "unknown key `{name}` in site.toml{}",
            did_you_mean(name, candidates)
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        return format!(
            "`{name}` is not one of {}{}",
            known.join(", "),
            did_you_mean(name, known.iter().copied())
        );
    }
    if let Some(field) = message.strip_prefix("missing field `") {
        return format!(
            "site.toml is missing the required key `{}`",
            field.trim_end_matches('`')
        );
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(base_path_of("https://example.org"), "/");
        assert_eq!(base_path_of("https://example.org/"), "/");
        assert_eq!(base_path_of("https://example.org/briefing"), "/briefing/");
        assert_eq!(base_path_of("https://example.org/a/b/"), "/a/b/");
    }

    #[test]
    fn unknown_keys_get_suggestions() {
        let file = SourceFile::new(
            "site.toml".into(),
            Default::default(),
            "titel = \"x\"\nbase_url = \"https://e.org/\"\n".into(),
        );
        let mut diags = Diagnostics::default();
        assert!(parse(&file, FileId(0), &mut diags).is_none());
        let message = &diags.items()[0].message;
        assert!(
            message.contains("unknown key `titel`") && message.contains("did you mean `title`"),
            "{message}"
        );
    }
}
