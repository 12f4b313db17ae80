//! The command line: one `Command` enum, one file per command, exit codes of FORMAT.md.
//!
//! 0 success (warnings allowed), 1 the site has errors (all of them printed), 2 the command
//! cannot run as asked (bad flags, no site, unwritable output). Only this module prints.

mod build;
mod import;
mod new;
mod serve;

use briefing::diag::Diagnostics;
use briefing::source::SourceMap;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// A static briefing-site generator for policy research desks.
#[derive(Parser, Debug)]
#[command(name = "briefing", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the site into the output folder.
    Build(build::BuildArgs),
    /// Validate the site completely and write nothing.
    Check(build::CheckArgs),
    /// Serve the site from memory, rebuilding and reloading pages on every change.
    Serve(serve::ServeArgs),
    /// Import an article from plain text, Markdown or saved HTML.
    Import(import::ImportArgs),
    /// Write a new content file with every field shown.
    New(new::NewArgs),
    /// Write a small site that builds.
    Init(new::InitArgs),
}

/// Exit status 1: the site has errors.
pub(crate) const SITE_ERRORS: u8 = 1;
/// Exit status 2: the command cannot run as asked.
pub(crate) const USAGE: u8 = 2;

/// Run the command line; the exit status.
pub(crate) fn run() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { USAGE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Build(args) => build::build(args),
        Command::Check(args) => build::check(args),
        Command::Serve(args) => serve::serve(args),
        Command::Import(args) => import::import(args),
        Command::New(args) => new::new(args),
        Command::Init(args) => new::init(args),
    }
}

/// Print every diagnostic to standard error and a one-line summary.
pub(crate) fn report(sources: &SourceMap, diags: &Diagnostics) {
    eprint!("{}", diags.render(sources));
    let errors = diags.error_count();
    let warnings = diags.items().len() - errors;
    if errors > 0 {
        eprintln!(
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The `--root` folder, defaulting to the current one.
pub(crate) fn root_or_current(root: Option<PathBuf>) -> PathBuf {
    root.unwrap_or_else(|| PathBuf::from("."))
}
