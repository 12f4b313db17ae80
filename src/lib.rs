//! `briefing` turns a folder of source articles and hand-written YAML summaries of meetings,
//! people, topics and organizations into a linked static website.
//!
//! The pipeline reads as its stages: [`load`] (files → typed entities), [`resolve`] (references,
//! citations, quotes, mentions, backlinks), [`render`] (pages in memory), [`write`](mod@write) (onto disk,
//! only what changed). `serve` runs the same pipeline and serves from memory.

#![warn(missing_docs, unreachable_pub)]

pub mod diag;
pub mod highlight;
pub mod import;
pub mod load;
pub mod markdown;
pub mod model;
pub mod render;
pub mod resolve;
pub mod sanitize;
pub mod scan;
pub mod serve;
pub mod source;
pub mod text;
pub mod write;

use diag::{Diagnostic, Diagnostics};
use render::{Output, RenderOptions};
use source::SourceMap;
use std::path::{Path, PathBuf};

/// What a build is asked to do.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Include drafts.
    pub drafts: bool,
    /// Override `base_url`.
    pub base_url: Option<String>,
    /// Override `[build] offline` (`Some(true)` for `--offline`).
    pub offline: Option<bool>,
    /// HTML to insert before `</body>` (serve's live-reload script).
    pub inject: Option<String>,
}

/// The result of running the pipeline in memory.
pub struct Built {
    /// Every file read, for printing diagnostics.
    pub sources: SourceMap,
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// The rendered site, when there were no errors.
    pub output: Option<Output>,
    /// The output folder from `site.toml`, relative paths resolved against the root.
    pub output_dir: Option<PathBuf>,
}

/// Load, resolve and render the site at `root` in memory. `Err` only when there is no site.
pub fn build(root: &Path, opts: &BuildOptions) -> Result<Built, load::LoadError> {
    let mut diags = Diagnostics::default();
    let mut timer = Timer::new();
    let (site, prepared) = match load_and_resolve(root, opts, false, &mut diags, &mut timer)? {
        Ok(resolved) => resolved,
        Err(sources) => {
            return Ok(Built {
                sources,
                diagnostics: diags,
                output: None,
                output_dir: None,
            });
        }
    };
    let output = match (&prepared.theme, &prepared.templates) {
        (Some(theme), Some(templates)) if !diags.has_errors() => {
            render::render(&site, templates, theme, &prepared.render, &mut diags)
        }
        _ => None,
    };
    timer.lap("render");
    let output = if diags.has_errors() { None } else { output };
    Ok(Built {
        output_dir: Some(root.join(&site.config.build.output_dir)),
        sources: site.sources,
        diagnostics: diags,
        output,
    })
}

/// Load the site at `root`, prepare the theme and options and resolve it: what every build does
/// before rendering (`release_bodies`: see [`resolve::ResolveOptions`]). `Ok(Err(sources))` when
/// `site.toml` has errors.
fn load_and_resolve(
    root: &Path,
    opts: &BuildOptions,
    release_bodies: bool,
    diags: &mut Diagnostics,
    timer: &mut Timer,
) -> Result<Result<(resolve::Site, Prepared), SourceMap>, load::LoadError> {
    let mut raw = match load::load(root, diags)? {
        Ok(raw) => raw,
        Err(sources) => return Ok(Err(sources)),
    };
    let mut prepared = prepare(&mut raw, opts, diags);
    prepared.resolve.release_bodies = release_bodies;
    timer.lap("load");
    let site = resolve::resolve(raw, prepared.resolve, diags);
    timer.lap("resolve");
    Ok(Ok((site, prepared)))
}

/// What [`build_into`] did.
pub struct Wrote {
    /// Every file read, for printing diagnostics.
    pub sources: SourceMap,
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// The output folder written to (`None` when `site.toml` could not be read).
    pub output_dir: Option<PathBuf>,
    /// How many files the site has and what writing them did; `None` when the site has errors
    /// (then nothing was written).
    pub written: Option<Result<(usize, write::WriteReport), write::WriteError>>,
}

/// Load, resolve and render the site at `root` into `out` (or the output folder of
/// `site.toml`), handing each page to the writer as soon as it is rendered instead of holding
/// the whole site in memory. Nothing is put in place unless every page rendered.
pub fn build_into(
    root: &Path,
    opts: &BuildOptions,
    out: Option<&Path>,
) -> Result<Wrote, load::LoadError> {
    let mut diags = Diagnostics::default();
    let mut timer = Timer::new();
    // Nothing reads an article's text once its body is rendered, but a problem found in it.
    let (mut site, prepared) = match load_and_resolve(root, opts, true, &mut diags, &mut timer)? {
        Ok(resolved) => resolved,
        Err(sources) => {
            return Ok(Wrote {
                sources,
                diagnostics: diags,
                output_dir: None,
                written: None,
            });
        }
    };
    release_article_texts(&mut site, &diags);
    let output_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join(&site.config.build.output_dir));
    let written = match (&prepared.theme, &prepared.templates) {
        (Some(theme), Some(templates)) if !diags.has_errors() => {
            let written = render_into(
                &mut site,
                templates,
                theme,
                &prepared.render,
                &output_dir,
                &mut diags,
                &mut timer,
            );
            timer.lap("commit");
            written
        }
        _ => None,
    };
    let sources = std::mem::take(&mut site.sources);
    drop_in_background((site, prepared));
    Ok(Wrote {
        sources,
        diagnostics: diags,
        output_dir: Some(output_dir),
        written,
    })
}

/// Let go of `value` on a thread of its own: freeing a whole site's model takes tens of
/// milliseconds, which the caller need not wait for (a process that ends meanwhile ends it).
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

/// Once resolved, article bodies are rendered and their files are read no more, except to show
/// where a problem is: keep only the texts of the articles a diagnostic points into (rendering
/// reports problems in templates alone).
fn release_article_texts(site: &mut resolve::Site, diags: &Diagnostics) {
    let pointed: std::collections::HashSet<source::FileId> =
        diags.items().iter().map(|d| d.span.file).collect();
    let articles: std::collections::HashSet<source::FileId> =
        site.articles.iter().map(|a| a.common.file).collect();
    site.sources
        .release_texts(|file| articles.contains(&file) && !pointed.contains(&file));
}

/// Render every page and file of `site` into `out`; `None` when a page fails to render (its
/// problem is in `diags`, and nothing was put in place).
fn render_into(
    site: &mut resolve::Site,
    templates: &render::Templates,
    theme: &render::theme::Theme,
    opts: &RenderOptions,
    out: &Path,
    diags: &mut Diagnostics,
    timer: &mut Timer,
) -> Option<Result<(usize, write::WriteReport), write::WriteError>> {
    use rayon::prelude::*;
    let pages = render::pages(site);
    write::inputs::forget(out);
    let page_paths = pages.iter().map(render::Page::file).collect();
    let mut staged = match write::Staged::begin(&site.root, out, page_paths) {
        Ok(staged) => staged,
        Err(e) => return Some(Err(e)),
    };
    if let Err(e) = write_files_but_pages(site, &pages, theme, opts, &mut staged, timer) {
        staged.abort();
        return Some(Err(e));
    }
    let renderer = render::PageRenderer::new(site, templates, opts);
    let results: Vec<Result<(), Result<Diagnostic, write::WriteError>>> = pages
        .par_iter()
        .map(|page| {
            let html = renderer.render(page).map_err(Ok)?;
            staged.put(&page.file(), html.as_bytes()).map_err(Err)
        })
        .collect();
    timer.lap("pages");
    drop_in_background((renderer.into_made(), pages));
    let mut failed = None;
    for result in results {
        match result {
            Ok(()) => {}
            Err(Ok(d)) => diags.push(d),
            Err(Err(e)) => failed = failed.or(Some(e)),
        }
    }
    if diags.has_errors() {
        staged.abort();
        return None;
    }
    if let Some(e) = failed {
        staged.abort();
        return Some(Err(e));
    }
    let count = staged.announced();
    Some(staged.commit().map(|report| (count, report)))
}

/// Write every file of `site` that is not a page, each as soon as it is made, and let it go:
/// the search index first (the only files that read all the paragraphs' text, which then
/// goes), then the other files, group by group.
fn write_files_but_pages(
    site: &mut resolve::Site,
    pages: &[render::Page],
    theme: &render::theme::Theme,
    opts: &RenderOptions,
    staged: &mut write::Staged,
    timer: &mut Timer,
) -> Result<(), write::WriteError> {
    use rayon::prelude::*;
    let search = render::search::build(site);
    let statics = render::static_files(site, theme, pages, &search);
    put_all(staged, search.files)?;
    let chunks = &search.chunks;
    staged.announce((0..chunks.len()).map(render::search::Chunks::path))?;
    (0..chunks.len())
        .into_par_iter()
        .try_for_each(|n| staged.put(&render::search::Chunks::path(n), &chunks.file(n)))?;
    timer.lap("search files");
    site.release_paragraph_texts();
    render::emit_site_files(site, pages, opts, statics, &mut |made| match made {
        render::Made::Files(group) => put_all(staged, group.files.into_iter().collect()),
        render::Made::Parts(path, parts) => {
            staged.announce([path.clone()])?;
            let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            staged.put_parts(&path, &parts)
        }
    })?;
    timer.lap("site files");
    Ok(())
}

/// Announce `files` to `staged` and put them, in parallel.
fn put_all(
    staged: &mut write::Staged,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(), write::WriteError> {
    use rayon::prelude::*;
    staged.announce(files.iter().map(|(path, _)| path.clone()))?;
    files
        .par_iter()
        .try_for_each(|(path, bytes)| staged.put(path, bytes))
}

/// What the later stages need besides the content: the theme and its compiled templates
/// (`None` when they have errors, which are in the diagnostics) and the options in effect.
pub struct Prepared {
    /// The theme.
    pub theme: Option<render::theme::Theme>,
    /// Its templates, compiled.
    pub templates: Option<render::Templates>,
    /// How to render.
    pub render: RenderOptions,
    /// How to resolve.
    pub resolve: resolve::ResolveOptions,
}

/// Check the highlight theme, load the theme and compile its templates (their files join the
/// site's sources, for error positions), and settle the options from `site.toml` and `opts`.
pub fn prepare(raw: &mut load::RawSite, opts: &BuildOptions, diags: &mut Diagnostics) -> Prepared {
    let config_file = source::FileId(0);
    if !highlight::theme_exists(&raw.config.markdown.highlight_theme) {
        let span =
            load::config::find_value(raw.sources.get(config_file), config_file, "highlight_theme");
        let known = highlight::theme_names();
        let hint = diag::did_you_mean(
            &raw.config.markdown.highlight_theme,
            known.iter().map(String::as_str),
        );
        diags.error(
            span,
            format!(
                "`{}` is not a highlight theme{hint}; known: {}",
                raw.config.markdown.highlight_theme,
                known.join(", ")
            ),
        );
    }
    let theme = match render::theme::load(&raw.root, &raw.config.theme) {
        Ok(t) => Some(t),
        Err(e) => {
            let span = load::config::find_value(raw.sources.get(config_file), config_file, "theme");
            diags.error(span, e.to_string());
            None
        }
    };
    let templates = theme
        .as_ref()
        .and_then(|t| render::compile(t, &mut raw.sources, diags));
    Prepared {
        theme,
        templates,
        render: RenderOptions {
            base_url: opts
                .base_url
                .clone()
                .unwrap_or_else(|| raw.config.base_url.clone()),
            offline: opts.offline.unwrap_or(raw.config.build.offline),
            inject: opts.inject.clone(),
        },
        resolve: resolve::ResolveOptions {
            drafts: opts.drafts || raw.config.build.drafts,
            release_bodies: false,
        },
    }
}

/// Load and resolve the site at `root` without rendering it, drafts included: the checked
/// content with every problem found, for tools that read it (`import` compares an article's
/// paragraphs before and after it replaces the file). `Ok(None)` when `site.toml` has errors.
pub fn resolve_site(root: &Path) -> Result<Option<(resolve::Site, Diagnostics)>, load::LoadError> {
    let mut diags = Diagnostics::default();
    let Ok(raw) = load::load(root, &mut diags)? else {
        return Ok(None);
    };
    let site = resolve::resolve(
        raw,
        resolve::ResolveOptions {
            drafts: true,
            release_bodies: false,
        },
        &mut diags,
    );
    Ok(Some((site, diags)))
}

/// Prints how long each stage took when `BRIEFING_TIMINGS` is set (for profiling).
pub struct Timer {
    start: std::time::Instant,
    /// CPU time of the process at the start (when enabled).
    cpu_start: f64,
    enabled: bool,
}

impl Timer {
    /// Start timing.
    pub fn new() -> Self {
        let enabled = std::env::var_os("BRIEFING_TIMINGS").is_some();
        Timer {
            start: std::time::Instant::now(),
            cpu_start: if enabled { cpu_seconds() } else { 0.0 },
            enabled,
        }
    }

    /// Print the time since the last lap, named `stage`, with the CPU time all threads spent
    /// in it (twice the wall time when both cores of a two-core machine were busy).
    pub fn lap(&mut self, stage: &str) {
        if self.enabled {
            let cpu = cpu_seconds();
            eprintln!(
                "timing: {stage}: {:.1} ms, CPU {:.0} ms{}",
                self.start.elapsed().as_secs_f64() * 1000.0,
                (cpu - self.cpu_start) * 1000.0,
                memory_now()
            );
            self.cpu_start = cpu;
        }
        self.start = std::time::Instant::now();
    }
}

/// User and system CPU time of the whole process so far, in seconds (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces): utime and
    // stime are the 12th and 13th of them, in clock ticks (100 a second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Resident and peak memory, as `/proc/self/status` tells them (Linux), for the timings.
fn memory_now() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| {
                v.trim()
                    .trim_end_matches(" kB")
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(0)
                    / 1024
            })
            .unwrap_or(0)
    };
    format!(" (RSS {} MB, peak {} MB)", field("VmRSS:"), field("VmHWM:"))
}

impl Default for Timer {
    fn default() -> Self {
        Self::new()
    }
}
