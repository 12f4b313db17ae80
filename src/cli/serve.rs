//! `briefing serve`: the preview server with live reload (see `briefing::serve`).

use super::{USAGE, plural, root_or_current};
use briefing::serve::{Report, Reporter, ServeOptions, Server};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The port `serve` listens on unless told otherwise.
const DEFAULT_PORT: u16 = 8000;

/// `briefing serve`
#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// The site folder (holding site.toml).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 (or ::) every interface.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1", value_parser = parse_bind)]
    bind: IpAddr,
    /// Include drafts.
    #[arg(long)]
    drafts: bool,
    /// Open the site in the browser.
    #[arg(long)]
    open: bool,
}

fn parse_bind(value: &str) -> Result<IpAddr, String> {
    if value.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    value
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| format!("`{value}` is not an IP address (like 127.0.0.1, 0.0.0.0 or ::1)"))
}

pub(crate) fn serve(args: ServeArgs) -> u8 {
    let opts = ServeOptions {
        root: root_or_current(args.root),
        bind: args.bind,
        port: args.port,
        drafts: args.drafts,
    };
    // Set up Ctrl-C (and SIGTERM) first, so that a signal during the first build stops cleanly.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    }) {
        eprintln!("warning: Ctrl-C will not stop the server cleanly: {e}");
    }
    let reporter: Reporter = Arc::new(print_report);
    let server = match Server::start(&opts, reporter) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let url = server.url();
    if server.addr().ip().is_unspecified() {
        eprintln!(
            "serving at {url} (listening on every interface, port {}); press Ctrl-C to stop",
            server.addr().port()
        );
    } else {
        eprintln!("serving at {url}; press Ctrl-C to stop");
    }
    if args.open {
        open_browser(&url);
    }
    // The only sender lives in the signal handler; without one, wait for ever.
    if stop_rx.recv().is_err() {
        loop {
            std::thread::park();
        }
    }
    eprintln!("stopped");
    0
}

fn print_report(report: Report<'_>) {
    match report {
        Report::Built {
            files,
            changed,
            millis,
            diagnostics,
            first,
            recovered,
        } => {
            eprint!("{diagnostics}");
            if first {
                eprintln!("built {files} files in memory in {millis} ms");
            } else if recovered {
                eprintln!("rebuilt in {millis} ms: the errors are fixed; pages reload");
            } else if changed == 0 {
                eprintln!("rebuilt in {millis} ms: nothing changed");
            } else {
                eprintln!(
                    "rebuilt in {millis} ms: {changed} file{} changed; pages reload",
                    plural(changed)
                );
            }
        }
        Report::Failed {
            diagnostics,
            errors,
            warnings,
        } => {
            eprint!("{diagnostics}");
            eprintln!(
                "{errors} error{}, {warnings} warning{}: open pages show them until they are fixed",
                plural(errors),
                plural(warnings)
            );
        }
        Report::NotWatching(why) => {
            eprintln!("warning: cannot watch the site for changes ({why}); it will not rebuild");
        }
    }
}

/// Open `url` in the browser; failure is ignored (the address is printed anyway).
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let spawned = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = spawned {
        // Reap it when it ends.
        let _ = std::thread::Builder::new().spawn(move || child.wait());
    }
}
