//! Themes: the built-in `briefing` theme, theme folders, and per-site template overrides.
//!
//! The built-in theme is compiled into the binary. A site's `themes/<name>/` folder supplies
//! another theme (or replaces the built-in one when named `briefing`), and each file in the
//! site's `templates/` replaces the theme's template of the same name.

use crate::source::relative_path;
use std::collections::BTreeMap;
use std::path::Path;

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/briefing/", $name)))),*]
    };
}

/// Files of the built-in theme: (path inside the theme, contents).
pub const BUILTIN: &[(&str, &str)] = embed!(
    "theme.toml",
    "templates/base.html",
    "templates/macros.html",
    "templates/index.html",
    "templates/article.html",
    "templates/meeting.html",
    "templates/person.html",
    "templates/topic.html",
    "templates/organization.html",
    "templates/list.html",
    "templates/search.html",
    "templates/404.html",
    "static/style.css",
    "static/briefing.js",
);

/// The template names every theme must provide.
pub const TEMPLATES: &[&str] = &[
    "base.html",
    "index.html",
    "article.html",
    "meeting.html",
    "person.html",
    "topic.html",
    "organization.html",
    "list.html",
    "search.html",
    "404.html",
];

/// A theme's files as loaded: templates by name, static files by output path.
#[derive(Clone, Debug, Default)]
pub struct Theme {
    /// Template name → (path shown in errors, source).
    pub templates: BTreeMap<String, (String, String)>,
    /// Output path → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
}

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// `theme = "x"` names no folder.
    #[error(
        "theme `{0}` is neither the built-in `briefing` nor a folder themes/{0}/ in the site{1}"
    )]
    Missing(String, String),
    /// A file could not be read.
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    /// A symbolic link leads out of the site.
    #[error("{0} is a link to {1}, outside the site: copy the file in instead")]
    LinkOutside(String, String),
}

/// Load the theme `name` for the site at `root`, with the site's overrides.
pub fn load(root: &Path, name: &str) -> Result<Theme, ThemeError> {
    let mut theme = Theme::default();
    let folder = root.join("themes").join(name);
    if folder.is_dir() {
        read_layer(root, &folder, &mut theme)?;
        // A site theme may leave out templates: the built-in ones fill the gaps.
        if name == "briefing" {
            fill_from_builtin(&mut theme);
        }
    } else if name == "briefing" {
        fill_from_builtin(&mut theme);
    } else {
        let mut known = vec!["briefing".to_string()];
        if let Ok(entries) = std::fs::read_dir(root.join("themes")) {
            known.extend(
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned()),
            );
        }
        let hint = crate::diag::did_you_mean(name, known.iter().map(String::as_str));
        return Err(ThemeError::Missing(name.to_string(), hint));
    }
    // The site's own templates/ and static/ go over the theme's files of the same name.
    read_layer(root, root, &mut theme)?;
    Ok(theme)
}

/// Read `folder/templates/` and `folder/static/` over what `theme` already holds.
fn read_layer(root: &Path, folder: &Path, theme: &mut Theme) -> Result<(), ThemeError> {
    read_tree(
        root,
        &folder.join("templates"),
        "",
        &mut |rel, path, bytes| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            theme.templates.insert(rel.to_string(), (path, text));
        },
    )?;
    read_tree(root, &folder.join("static"), "", &mut |rel, _, bytes| {
        theme.statics.insert(rel.to_string(), bytes);
    })
}

fn fill_from_builtin(theme: &mut Theme) {
    for (path, contents) in BUILTIN {
        if let Some(name) = path.strip_prefix("templates/") {
            theme
                .templates
                .entry(name.to_string())
                .or_insert_with(|| (format!("(built-in theme)/{path}"), contents.to_string()));
        } else if let Some(name) = path.strip_prefix("static/") {
            theme
                .statics
                .entry(name.to_string())
                .or_insert_with(|| contents.as_bytes().to_vec());
        }
    }
}

/// Refuse `path` when it resolves (through links) to a place outside the site at `root`.
fn check_inside(root: &Path, path: &Path) -> Result<(), ThemeError> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    let shown = relative_path(root, path);
    let inside = root.canonicalize().ok();
    match path.canonicalize() {
        Ok(target) if inside.as_ref().is_some_and(|r| target.starts_with(r)) => Ok(()),
        Ok(target) => Err(ThemeError::LinkOutside(shown, target.display().to_string())),
        Err(e) => Err(ThemeError::Io(shown, e)),
    }
}

/// Read every file under `dir` (sorted), calling `f(relative name, shown path, bytes)`.
pub fn read_tree(
    root: &Path,
    dir: &Path,
    prefix: &str,
    f: &mut dyn FnMut(&str, String, Vec<u8>),
) -> Result<(), ThemeError> {
    if prefix.is_empty() {
        // The folder itself (`static/`, `templates/`, a theme's) may be, or be under, a link.
        check_inside(root, dir)?;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if crate::load::is_ignored_silently(&name) {
            continue;
        }
        let path = entry.path();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let shown = relative_path(root, &path);
        if entry.file_type().is_ok_and(|t| t.is_symlink()) {
            check_inside(root, &path)?;
        }
        if path.is_dir() {
            read_tree(root, &path, &rel, f)?;
        } else {
            let bytes = crate::load::read_plain_file(&path)
                .map_err(|e| ThemeError::Io(shown.clone(), e))?;
            f(&rel, shown, bytes);
        }
    }
    Ok(())
}
