//! `briefing serve`: build the site in memory, serve it over HTTP, rebuild on every change and
//! tell open pages to reload.
//!
//! - What is served is exactly what `briefing build --base-url http://<bind>:<port><path>` would
//!   write (`<path>` being the path part of `base_url`, `offline` ignored), plus the live-reload
//!   script of `reload` before `</body>` of each page. Nothing is written to disk.
//! - `watch` gathers each burst of file events into one rebuild; `Site::rebuild` is the one
//!   place that builds, through `incremental`, which reads only the files that changed and
//!   renders a page when it is first asked for, keeping the pages a change cannot reach.
//! - A rebuild that fails keeps the last good site served; the diagnostics go to the terminal
//!   (through the [`Reporter`]) and to every open page, which shows them over itself until a
//!   rebuild succeeds.
//! - `http` answers GET and HEAD from the in-memory files, one thread per connection.

mod http;
mod incremental;
mod reload;
mod watch;

use crate::load::LoadError;
use crate::{BuildOptions, source::SourceMap};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// The reserved address of the live-reload event stream (Server-Sent Events).
pub const EVENTS_PATH: &str = reload::EVENTS_PATH;

/// What to serve and where.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The site folder (holding `site.toml`).
    pub root: PathBuf,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port to listen on; 0 picks a free one.
    pub port: u16,
    /// Include drafts.
    pub drafts: bool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// There is no site to serve.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The port is taken by another program.
    #[error("port {port} on {bind} is in use: stop the program using it or pass --port N")]
    PortInUse {
        /// The address asked for.
        bind: IpAddr,
        /// The port asked for.
        port: u16,
    },
    /// Listening failed for another reason (an address not on this machine, a privileged port).
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// What happened, for the terminal. The server prints nothing itself.
#[derive(Debug)]
pub enum Report<'a> {
    /// A build succeeded.
    Built {
        /// Files in the site.
        files: usize,
        /// Files added, changed or removed since the last good build (every file the first
        /// time).
        changed: usize,
        /// How long the build took.
        millis: u128,
        /// The warnings, rendered (`path:line:column: warning: ...` lines), possibly empty.
        diagnostics: &'a str,
        /// Whether this is the first build.
        first: bool,
        /// Whether the build before it failed.
        recovered: bool,
    },
    /// A build failed; the last good site (if any) goes on being served.
    Failed {
        /// Every problem, rendered as `check` renders them.
        diagnostics: &'a str,
        /// How many of them are errors.
        errors: usize,
        /// How many are warnings.
        warnings: usize,
    },
    /// File watching could not start: the site is served but not rebuilt.
    NotWatching(String),
}

/// Receives every [`Report`].
pub type Reporter = Arc<dyn Fn(Report<'_>) + Send + Sync>;

/// The result of one rebuild.
pub(crate) struct Rebuilt {
    /// The site, when there were no errors.
    generation: Option<Arc<Served>>,
    /// Pages and files that are new or may have changed.
    dirty: usize,
    /// Whether only stylesheets changed.
    css_only: bool,
    /// Every problem, rendered (`path:line:column: error: message`), warnings included.
    diagnostics: String,
    /// How many problems are errors.
    errors: usize,
    /// How many are warnings.
    warnings: usize,
}

/// A site as `serve` builds it.
pub(crate) struct Site {
    root: PathBuf,
    /// `http://<bind>:<port>`, no trailing slash.
    origin: String,
    engine: incremental::Incremental,
}

impl Site {
    /// The site at `root`, served from `origin` (`http://127.0.0.1:8000`).
    pub(crate) fn new(root: &Path, drafts: bool, origin: &str) -> Site {
        let opts = BuildOptions {
            drafts,
            base_url: None,
            offline: Some(false),
            inject: Some(reload::script()),
        };
        Site {
            root: root.to_path_buf(),
            origin: origin.trim_end_matches('/').to_string(),
            engine: incremental::Incremental::new(root, opts),
        }
    }

    /// The path part of `base_url` in `site.toml` now (`/` when it cannot be read).
    pub(crate) fn base_path(&self) -> Result<String, LoadError> {
        let mut sources = SourceMap::default();
        let mut diags = crate::diag::Diagnostics::default();
        Ok(
            crate::load::read_config(&self.root, &mut sources, &mut diags)?
                .map(|config| config.base_path())
                .unwrap_or_else(|| "/".into()),
        )
    }

    /// Note what the watcher saw change, for the next rebuild.
    pub(crate) fn changed(&mut self, changed: &watch::Changed) {
        if changed.everything {
            self.engine.changed(None);
        }
        for path in &changed.paths {
            self.engine.changed(Some(path));
        }
    }

    /// Build the site in memory, as `build --base-url <origin><path part>` would, with the
    /// live-reload script injected into every page.
    pub(crate) fn rebuild(&mut self) -> Result<Rebuilt, LoadError> {
        let base_path = self.base_path()?;
        let outcome = self.engine.rebuild(format!("{}{base_path}", self.origin))?;
        let (generation, dirty, css_only, diagnostics, sources) = match outcome {
            incremental::Outcome::Built {
                generation,
                dirty,
                css_only,
                diagnostics,
                sources,
            } => (Some(generation), dirty, css_only, diagnostics, sources),
            incremental::Outcome::Failed {
                diagnostics,
                sources,
            } => (None, 0, false, diagnostics, sources),
        };
        let errors = diagnostics.error_count();
        Ok(Rebuilt {
            generation,
            dirty,
            css_only,
            diagnostics: diagnostics.render(&sources),
            errors,
            warnings: diagnostics.items().len() - errors,
        })
    }
}

/// The site being served.
pub(crate) type Served = incremental::Generation;

/// What requests see, swapped whole after each rebuild.
#[derive(Clone)]
pub(crate) struct Snapshot {
    /// The last good site, if any build has succeeded.
    pub(crate) site: Option<Arc<Served>>,
    /// Its version, stamped into pages and sent in events (`<server instance>-<n>`).
    pub(crate) version: String,
    /// The diagnostics of the last build, when it failed.
    pub(crate) errors: Option<Arc<str>>,
}

/// State shared by the connection threads and the rebuild thread.
pub(crate) struct Shared {
    state: RwLock<Snapshot>,
    pub(crate) hub: reload::Hub,
    pub(crate) active: AtomicUsize,
}

impl Shared {
    pub(crate) fn snapshot(&self) -> Snapshot {
        match self.state.read() {
            Ok(state) => state.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Publish `snapshot`; the one it replaces comes back, for the caller to drop when it
    /// suits (freeing a whole site takes milliseconds).
    fn set(&self, snapshot: Snapshot) -> Snapshot {
        match self.state.write() {
            Ok(mut state) => std::mem::replace(&mut *state, snapshot),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), snapshot),
        }
    }
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    base_path: String,
}

impl Server {
    /// Listen, build the site once, and serve and watch it on background threads until the
    /// process ends. Every build is reported to `reporter`, the first one before this returns.
    pub fn start(opts: &ServeOptions, reporter: Reporter) -> Result<Server, ServeError> {
        // Fail early, before taking the port, when there is no site at all.
        let probe = Site::new(&opts.root, opts.drafts, "http://127.0.0.1");
        probe.base_path()?;
        let asked = SocketAddr::new(opts.bind, opts.port);
        let listener = TcpListener::bind(asked).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                ServeError::PortInUse {
                    bind: opts.bind,
                    port: opts.port,
                }
            } else {
                ServeError::Listen {
                    addr: asked,
                    source,
                }
            }
        })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Listen {
            addr: asked,
            source,
        })?;
        let site = Site::new(&opts.root, opts.drafts, &format!("http://{addr}"));
        let instance = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() % (1 << 48))
            .unwrap_or(0);
        let shared = Arc::new(Shared {
            state: RwLock::new(Snapshot {
                site: None,
                version: format!("{instance:x}-0"),
                errors: Some("the site is being built".into()),
            }),
            hub: reload::Hub::default(),
            active: AtomicUsize::new(0),
        });
        let mut rebuilder = Rebuilder {
            site,
            shared: Arc::clone(&shared),
            reporter: Arc::clone(&reporter),
            instance,
            builds: 0,
        };
        rebuilder.rebuild();
        let base_path = shared
            .snapshot()
            .site
            .map(|s| s.base_path.clone())
            .unwrap_or_else(|| probe.base_path().unwrap_or_else(|_| "/".into()));

        let http_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("briefing-accept".into())
            .spawn(move || http::accept_loop(listener, http_shared))
            .map_err(|source| ServeError::Listen {
                addr: asked,
                source,
            })?;

        match watch::Watch::new(&opts.root) {
            Ok(mut watch) => {
                let spawned = std::thread::Builder::new()
                    .name("briefing-watch".into())
                    .spawn(move || {
                        while let Some(changed) = watch.wait_for_change() {
                            rebuilder.site.changed(&changed);
                            rebuilder.rebuild();
                        }
                    });
                if let Err(e) = spawned {
                    reporter(Report::NotWatching(e.to_string()));
                }
            }
            Err(e) => reporter(Report::NotWatching(e.to_string())),
        }
        Ok(Server { addr, base_path })
    }

    /// The address listened on (the port filled in when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address to open in a browser: the site's home page. An address that listens on
    /// every interface is shown as this machine's loopback address.
    pub fn url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!(
            "http://{}{}",
            SocketAddr::new(ip, self.addr.port()),
            self.base_path
        )
    }
}

/// Runs `Site::rebuild` and publishes the result.
struct Rebuilder {
    site: Site,
    shared: Arc<Shared>,
    reporter: Reporter,
    instance: u128,
    builds: u64,
}

impl Rebuilder {
    fn rebuild(&mut self) {
        let started = Instant::now();
        let rebuilt = match self.site.rebuild() {
            Ok(rebuilt) => rebuilt,
            Err(e) => Rebuilt {
                generation: None,
                dirty: 0,
                css_only: false,
                diagnostics: format!("error: {e}\n"),
                errors: 1,
                warnings: 0,
            },
        };
        let millis = started.elapsed().as_millis();
        let previous = self.shared.snapshot();
        let Some(generation) = rebuilt.generation else {
            let text: Arc<str> = rebuilt.diagnostics.as_str().into();
            let _ = self.shared.set(Snapshot {
                errors: Some(Arc::clone(&text)),
                ..previous
            });
            self.shared.hub.broadcast(&reload::errors(&text));
            (self.reporter)(Report::Failed {
                diagnostics: &rebuilt.diagnostics,
                errors: rebuilt.errors,
                warnings: rebuilt.warnings,
            });
            return;
        };
        let first = previous.site.is_none();
        let changed = rebuilt.dirty;
        let had_errors = previous.errors.is_some();
        let files = generation.page_count();
        if changed > 0 || had_errors {
            let version = if changed > 0 {
                self.builds += 1;
                format!("{:x}-{}", self.instance, self.builds)
            } else {
                previous.version.clone()
            };
            let replaced = self.shared.set(Snapshot {
                site: Some(generation),
                version: version.clone(),
                errors: None,
            });
            // Pages showing the "site has errors" page turn into the site.
            let css_only = !first && rebuilt.css_only && changed > 0;
            self.shared
                .hub
                .broadcast(&reload::reload(&version, css_only));
            drop(replaced);
        } else {
            // Nothing changed that a page shows; the new generation shares the old one's pages.
            let _ = self.shared.set(Snapshot {
                site: Some(generation),
                ..previous
            });
        }
        (self.reporter)(Report::Built {
            files,
            changed,
            millis,
            diagnostics: &rebuilt.diagnostics,
            first,
            recovered: had_errors && !first,
        });
    }
}
