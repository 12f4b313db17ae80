//! `briefing import FILE...`: plain text, Markdown or saved HTML into `content/articles/`.
//!
//! Flags are checked first (exit 2 when one is wrong). Each file is then read, turned into an
//! article by [`briefing::import::prepare`] and written, or refused with an error that names it;
//! one file's error does not stop the others. Replacing an article needs `--force`; the new
//! version keeps the old front matter's fields that the import does not set (`published`,
//! `meetings`, …), and every citation and quote that now points into a changed paragraph is
//! reported as a warning.

use super::{SITE_ERRORS, USAGE, root_or_current};
use briefing::import::{self, Imported, Options, drift};
use briefing::model::Date;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `briefing import FILE... [flags]`
#[derive(clap::Args, Debug)]
pub(crate) struct ImportArgs {
    /// Plain-text (.txt), Markdown (.md) or saved HTML (.html) files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The site folder.
    #[arg(long)]
    root: Option<PathBuf>,
    /// The article's id (one FILE only); made from the title when absent.
    #[arg(long)]
    id: Option<String>,
    /// The article's title (one FILE only); the text's first line then stays in the body.
    #[arg(long)]
    title: Option<String>,
    /// The publisher (required unless the file gives one).
    #[arg(long)]
    source: Option<String>,
    /// Publication date: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long)]
    published: Option<String>,
    /// The original address.
    #[arg(long)]
    url: Option<String>,
    /// BCP 47 language tag (detected from the text when absent).
    #[arg(long)]
    language: Option<String>,
    /// original, human or machine.
    #[arg(long, value_parser = ["original", "human", "machine"])]
    translation: Option<String>,
    /// Replace an existing article, reporting citations that now point at changed text.
    #[arg(long)]
    force: bool,
}

/// How one file went.
enum Outcome {
    Written,
    Failed,
    NeedsFlag,
}

pub(crate) fn import(args: ImportArgs) -> u8 {
    let opts = match options(&args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    let root = root_or_current(args.root.clone());
    if !root.join("site.toml").is_file() {
        eprintln!(
            "error: no site.toml in {}: run `briefing init DIR` first, or pass --root",
            root.display()
        );
        return USAGE;
    }
    let max_bytes = max_file_bytes(&root);
    let mut written: HashMap<String, PathBuf> = HashMap::new();
    let (mut failed, mut needs_flag) = (0, 0);
    for file in &args.files {
        match import_one(file, &root, &opts, args.force, max_bytes, &mut written) {
            Outcome::Written => {}
            Outcome::Failed => failed += 1,
            Outcome::NeedsFlag => needs_flag += 1,
        }
    }
    if failed + needs_flag > 0 && args.files.len() > 1 {
        eprintln!(
            "{} of {} files not imported",
            failed + needs_flag,
            args.files.len()
        );
    }
    if needs_flag > 0 {
        USAGE
    } else if failed > 0 {
        SITE_ERRORS
    } else {
        0
    }
}

/// The flags, checked.
fn options(args: &ImportArgs) -> Result<Options, String> {
    if args.files.len() > 1 {
        for (flag, given) in [
            ("--id", args.id.is_some()),
            ("--title", args.title.is_some()),
        ] {
            if given {
                return Err(format!(
                    "{flag} names one article, but {} files were given: import them one at a time",
                    args.files.len()
                ));
            }
        }
    }
    if let Some(id) = &args.id
        && !briefing::load::is_valid_id(id)
    {
        return Err(format!(
            "`{id}` is not a valid id: use lowercase letters, digits and single hyphens, at most 100 characters, like `{}`",
            briefing::load::suggest_id(id)
        ));
    }
    let published = match &args.published {
        None => None,
        Some(p) => Some(Date::parse(p.trim()).map_err(|e| {
            format!("--published `{p}` is not a date: {e} (use YYYY, YYYY-MM or YYYY-MM-DD)")
        })?),
    };
    if let Some(l) = &args.language
        && !import::is_language_tag(l)
    {
        return Err(format!(
            "--language `{l}` is not a language tag: use a BCP 47 tag like `en`, `zh` or `zh-Hans`"
        ));
    }
    for (flag, value) in [
        ("--title", &args.title),
        ("--source", &args.source),
        ("--url", &args.url),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(format!("{flag} is empty"));
        }
    }
    if let Some(u) = &args.url
        && u.trim().contains(char::is_whitespace)
    {
        return Err(format!(
            "--url `{u}` has spaces in it: give the address alone"
        ));
    }
    Ok(Options {
        id: args.id.clone(),
        title: args.title.as_deref().map(|t| t.trim().to_string()),
        source: args.source.as_deref().map(|s| s.trim().to_string()),
        published,
        url: args.url.as_deref().map(|u| u.trim().to_string()),
        language: args.language.clone(),
        translation: args.translation.clone(),
    })
}

/// `[limits] max_file_bytes` of the site, or its default when `site.toml` cannot be read.
fn max_file_bytes(root: &Path) -> u64 {
    let mut sources = briefing::source::SourceMap::default();
    let mut diags = briefing::diag::Diagnostics::default();
    match briefing::load::read_config(root, &mut sources, &mut diags) {
        Ok(Some(config)) => config.limits.max_file_bytes,
        _ => 10_000_000,
    }
}

/// A problem with a whole input file, as FORMAT.md's diagnostics print one.
fn file_error(file: &Path, message: impl std::fmt::Display) {
    eprintln!("{}:1:1: error: {message}", file.display());
}

fn import_one(
    file: &Path,
    root: &Path,
    opts: &Options,
    force: bool,
    max_bytes: u64,
    written: &mut HashMap<String, PathBuf>,
) -> Outcome {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if size > max_bytes {
        file_error(
            file,
            format!(
                "this file is {size} bytes, over the limit of {max_bytes} ([limits] max_file_bytes in site.toml raises it)"
            ),
        );
        return Outcome::Failed;
    }
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            file_error(file, format!("cannot read this file: {e}"));
            return Outcome::Failed;
        }
    };
    let mut article = match import::prepare(file, &bytes, opts) {
        Ok(a) => a,
        Err(e) => {
            file_error(file, &e);
            return if e.is_usage() {
                Outcome::NeedsFlag
            } else {
                Outcome::Failed
            };
        }
    };
    let rel = format!("content/articles/{}.md", article.id);
    let target = root.join(&rel);
    if let Some(other) = written.get(&article.id) {
        file_error(
            file,
            format!(
                "its id `{}` is the one {} was just imported as: pass --id to import it alone",
                article.id,
                other.display()
            ),
        );
        return Outcome::Failed;
    }
    let exists = target.exists();
    if exists && !force {
        file_error(
            file,
            format!(
                "{rel} already exists: nothing was written (pass --force to replace it, or --id to choose another id)"
            ),
        );
        return Outcome::Failed;
    }
    if exists && !target.is_file() {
        file_error(file, format!("{rel} exists and is not a file"));
        return Outcome::Failed;
    }
    let old = if exists {
        old_paragraphs(root, &article.id, &target)
    } else {
        None
    };
    if exists
        && let Ok(previous) = std::fs::read_to_string(&target)
        && let Some(merged) = import::front::carry_over(&previous, &article.contents)
    {
        article.contents = merged;
    }
    let unchanged =
        exists && std::fs::read(&target).is_ok_and(|b| b == article.contents.as_bytes());
    if !unchanged && let Err(e) = write_atomically(&target, &article.contents) {
        file_error(file, format!("cannot write {rel}: {e}"));
        return Outcome::Failed;
    }
    written.insert(article.id.clone(), file.to_path_buf());
    let n = article.paragraphs.len();
    let count = format!("{n} paragraph{}", if n == 1 { "" } else { "s" });
    if unchanged {
        println!("{rel} is unchanged ({count})");
    } else {
        println!("wrote {rel} ({count})");
    }
    if exists && !unchanged {
        report_drift(root, &article, old);
    }
    Outcome::Written
}

/// The paragraphs of the article as the site reads them now, before it is replaced.
fn old_paragraphs(root: &Path, id: &str, target: &Path) -> Option<Vec<String>> {
    if let Ok(Some((site, _))) = briefing::resolve_site(root)
        && let Some(p) = drift::paragraphs(&site, id)
    {
        return Some(p);
    }
    // The old file does not load (an error in its front matter?): read its body alone.
    let text = std::fs::read_to_string(target).ok()?;
    let (_, _, body) = briefing::load::split_front_matter(&text)?;
    Some(import::plain_paragraphs(&text[body..]))
}

/// Warn at every citation and quote that points into a paragraph that changed.
fn report_drift(root: &Path, article: &Imported, old: Option<Vec<String>>) {
    let rel = format!("content/articles/{}.md", article.id);
    let Some(old) = old else {
        eprintln!(
            "{rel}:1:1: warning: the replaced version could not be read, so citations of `{}` were not compared: run `briefing check`",
            article.id
        );
        return;
    };
    let (site, diags) = match briefing::resolve_site(root) {
        Ok(Some(s)) => s,
        _ => {
            eprintln!(
                "warning: the site could not be read after the import, so citations of `{}` were not compared: run `briefing check`",
                article.id
            );
            return;
        }
    };
    let new = drift::paragraphs(&site, &article.id).unwrap_or_else(|| article.paragraphs.clone());
    let report = drift::report(&site, &article.id, &old, &new);
    eprint!("{}", report.diagnostics.render(&site.sources));
    if report.changed > 0 {
        eprintln!(
            "note: {} of the {} old paragraphs of `{}` changed, moved or went; {} warning{} above",
            report.changed,
            old.len(),
            article.id,
            report.diagnostics.items().len(),
            if report.diagnostics.items().len() == 1 {
                ""
            } else {
                "s"
            },
        );
    }
    let errors = diags.error_count();
    if errors > 0 {
        eprintln!(
            "note: the site now has {errors} error{}: run `briefing check` to see them",
            if errors == 1 { "" } else { "s" }
        );
    }
}

/// Write through a hidden temporary file renamed into place, so no half-written article is
/// ever seen (the loader ignores hidden files).
fn write_atomically(target: &Path, contents: &str) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.import-tmp"));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
