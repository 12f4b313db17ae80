//! `briefing build` and `briefing check`.

use super::{SITE_ERRORS, USAGE, report, root_or_current};
use briefing::write::inputs;
use briefing::{BuildOptions, Built};
use std::path::PathBuf;
use std::time::Instant;

/// `briefing build`
#[derive(clap::Args, Debug)]
pub(crate) struct BuildArgs {
    /// The site folder (holding site.toml).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Output folder (default: [build] output_dir, "public").
    #[arg(long)]
    output: Option<PathBuf>,
    /// Override base_url (for a preview deploy).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Include drafts.
    #[arg(long)]
    drafts: bool,
    /// Write a site that works opened from disk (relative links naming files).
    #[arg(long)]
    offline: bool,
}

/// `briefing check`
#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// The site folder (holding site.toml).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Accepted for symmetry with build: check always validates drafts too.
    #[arg(long)]
    drafts: bool,
}

/// A `--base-url` that is not an absolute http(s) address is a usage error.
fn check_base_url(opts: &BuildOptions) -> Result<(), u8> {
    if let Some(url) = &opts.base_url
        && let Err(message) = briefing::load::config::check_base_url(url)
    {
        eprintln!("error: --base-url: {message}");
        return Err(USAGE);
    }
    Ok(())
}

fn run_pipeline(root: &std::path::Path, opts: &BuildOptions) -> Result<Built, u8> {
    check_base_url(opts)?;
    briefing::build(root, opts).map_err(|e| {
        eprintln!("error: {e}");
        USAGE
    })
}

pub(crate) fn build(args: BuildArgs) -> u8 {
    let started = Instant::now();
    let root = root_or_current(args.root);
    let opts = BuildOptions {
        drafts: args.drafts,
        base_url: args.base_url,
        offline: args.offline.then_some(true),
        inject: None,
    };
    // A build whose every input is as it was when this output was written has nothing to do.
    let config = read_config(&root);
    let planned_out = args
        .output
        .clone()
        .or_else(|| config.as_ref().map(|c| root.join(&c.build.output_dir)));
    let effective = config.as_ref().map(|c| {
        (
            opts.drafts || c.build.drafts,
            opts.base_url.clone().unwrap_or_else(|| c.base_url.clone()),
            opts.offline.unwrap_or(c.build.offline),
        )
    });
    let mut timer = briefing::Timer::new();
    let fingerprint = inputs::fingerprint(&root, &format!("{effective:?}"));
    timer.lap("fingerprint");
    if let Some(out) = &planned_out
        && inputs::up_to_date(out, &fingerprint)
    {
        eprintln!(
            "nothing changed since the last build: {} is up to date ({} ms)",
            out.display(),
            started.elapsed().as_millis()
        );
        return 0;
    }
    if let Err(code) = check_base_url(&opts) {
        return code;
    }
    let wrote = match briefing::build_into(&root, &opts, args.output.as_deref()) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    report(&wrote.sources, &wrote.diagnostics);
    let (Some(written), Some(out_dir)) = (wrote.written, wrote.output_dir) else {
        eprintln!("nothing was written: the previous output is as it was");
        return SITE_ERRORS;
    };
    let clean = wrote.diagnostics.items().is_empty();
    match written {
        Ok((files, r)) => {
            // Only a build without warnings is skipped next time: warnings are shown every run.
            if clean && let Err(e) = inputs::record(&out_dir, &fingerprint) {
                eprintln!("warning: {e}");
            }
            eprintln!(
                "built {files} files into {} in {} ms ({} written, {} unchanged, {} removed)",
                out_dir.display(),
                started.elapsed().as_millis(),
                r.written,
                r.unchanged,
                r.removed
            );
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            USAGE
        }
    }
}

pub(crate) fn check(args: CheckArgs) -> u8 {
    let root = root_or_current(args.root);
    let opts = BuildOptions {
        drafts: true,
        ..BuildOptions::default()
    };
    let built = match run_pipeline(&root, &opts) {
        Ok(b) => b,
        Err(code) => return code,
    };
    report(&built.sources, &built.diagnostics);
    if built.output.is_none() {
        return SITE_ERRORS;
    }
    if let Some(out_dir) = &built.output_dir
        && let Err(e) = briefing::write::check_output_dir(&root, out_dir)
    {
        eprintln!("error: {e}");
        return USAGE;
    }
    let pages = built.output.map(|o| o.files.len()).unwrap_or(0);
    eprintln!("ok: the site is valid ({pages} files would be written)");
    0
}

/// `site.toml`, if it can be read (problems are reported by the build itself).
fn read_config(root: &std::path::Path) -> Option<briefing::load::config::Config> {
    let mut sources = briefing::source::SourceMap::default();
    let mut diags = briefing::diag::Diagnostics::default();
    briefing::load::read_config(root, &mut sources, &mut diags).ok()?
}
