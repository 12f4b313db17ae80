//! Watching the site's inputs: `site.toml`, `content/`, `templates/`, `themes/`, `static/`.
//!
//! Editors save in many ways (in place, to a temporary file renamed over the old one, with swap
//! and backup files beside it) and "save all" or `git checkout` touch many files at once. Events
//! on hidden and backup files (`.x.swp`, `x~`, `#x#`, the same names that `load` ignores) and on
//! anything outside the inputs are dropped; the rest are gathered until the folder has been
//! quiet for [`QUIET`] (or for [`QUIET_AFTER_SAVE`] when the last event finished a save: a file
//! closed after writing or renamed into place), and the whole burst ends in one rebuild.

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long the inputs must be quiet before a rebuild.
pub(crate) const QUIET: Duration = Duration::from_millis(20);
/// How long when the last event finished a save (a file closed after writing, or renamed into
/// place): the file is whole, and only a following save in the same burst is waited for.
const QUIET_AFTER_SAVE: Duration = Duration::from_millis(5);
/// A burst that never goes quiet is rebuilt after this long anyway.
const LONGEST_BURST: Duration = Duration::from_millis(1000);

/// The folders under the root that are inputs (watched recursively when present).
const INPUT_DIRS: [&str; 4] = ["content", "templates", "themes", "static"];
/// The single file under the root that is an input.
const CONFIG: &str = "site.toml";

/// What changed in one burst of events.
#[derive(Debug, Default)]
pub(crate) struct Changed {
    /// The input paths named by the events (as the watcher spells them).
    pub(crate) paths: BTreeSet<PathBuf>,
    /// Whether anything else may have changed too (the watcher lost events, or an input folder
    /// itself came or went).
    pub(crate) everything: bool,
}

/// A watcher of one site's inputs.
pub(crate) struct Watch {
    root: PathBuf,
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    watched: BTreeSet<&'static str>,
}

impl Watch {
    /// Start watching the inputs under `root`.
    pub(crate) fn new(root: &Path) -> notify::Result<Watch> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        watcher.watch(&root, RecursiveMode::NonRecursive)?;
        let mut watch = Watch {
            root,
            watcher,
            events,
            watched: BTreeSet::new(),
        };
        watch.ensure_watched(false);
        Ok(watch)
    }

    /// Watch each input folder that exists and forget those that have gone; with `again`,
    /// renew every watch (a folder was replaced, so its old watch may be dead).
    fn ensure_watched(&mut self, again: bool) {
        for name in INPUT_DIRS {
            let path = self.root.join(name);
            let present = path.is_dir();
            let watched = self.watched.contains(name);
            if watched && (again || !present) {
                let _ = self.watcher.unwatch(&path);
                self.watched.remove(name);
            }
            if present
                && !self.watched.contains(name)
                && self.watcher.watch(&path, RecursiveMode::Recursive).is_ok()
            {
                self.watched.insert(name);
            }
        }
    }

    /// Block until the inputs change, then until they have been quiet for [`QUIET`]; what
    /// changed. `None` when the watcher has stopped for good.
    pub(crate) fn wait_for_change(&mut self) -> Option<Changed> {
        let mut again = false;
        let mut quiet;
        let mut changed = Changed::default();
        // The first relevant event.
        loop {
            match self.events.recv() {
                Ok(event) => {
                    if let Some(renew) = self.relevant(&event, &mut changed) {
                        again |= renew;
                        quiet = quiet_after(&event);
                        break;
                    }
                }
                Err(_) => return None,
            }
        }
        // The rest of the burst.
        let started = Instant::now();
        let mut quiet_from = Instant::now();
        loop {
            let now = Instant::now();
            let quiet_until = quiet_from + quiet;
            if now >= quiet_until || now.duration_since(started) >= LONGEST_BURST {
                break;
            }
            match self.events.recv_timeout(quiet_until - now) {
                Ok(event) => {
                    if let Some(renew) = self.relevant(&event, &mut changed) {
                        again |= renew;
                        quiet = quiet_after(&event);
                        quiet_from = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        self.ensure_watched(again);
        changed.everything |= again;
        Some(changed)
    }

    /// `None` when the event can be ignored; `Some(renew)` when it calls for a rebuild, `renew`
    /// when an input folder itself was created, removed or renamed.
    /// The input paths of the event go into `changed`.
    fn relevant(&self, event: &notify::Result<Event>, changed: &mut Changed) -> Option<bool> {
        let event = match event {
            Ok(event) => event,
            // The watcher lost track (an overflowing queue): rebuild to be safe.
            Err(_) => return Some(true),
        };
        if event.need_rescan() {
            return Some(true);
        }
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => return None,
            _ => {}
        }
        let mut relevant = false;
        let mut renew = false;
        for path in &event.paths {
            match classify(&self.root, path) {
                Input::No => {}
                Input::File => {
                    relevant = true;
                    changed.paths.insert(path.clone());
                }
                Input::TopDir => {
                    relevant = true;
                    renew = true;
                    changed.paths.insert(path.clone());
                }
            }
        }
        relevant.then_some(renew)
    }
}

/// How long to wait for more after a relevant event: less when it finished a save.
fn quiet_after(event: &notify::Result<Event>) -> Duration {
    use notify::event::{ModifyKind, RenameMode};
    match event.as_ref().map(|e| e.kind) {
        Ok(EventKind::Access(AccessKind::Close(AccessMode::Write)))
        | Ok(EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))) => {
            QUIET_AFTER_SAVE
        }
        _ => QUIET,
    }
}

/// What a changed path is to the site.
#[derive(Debug, PartialEq)]
enum Input {
    /// Not an input, or a hidden or backup file.
    No,
    /// A file or folder inside the inputs.
    File,
    /// One of the input folders itself.
    TopDir,
}

fn classify(root: &Path, path: &Path) -> Input {
    let Ok(rel) = path.strip_prefix(root) else {
        return Input::No;
    };
    let mut names = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => match name.to_str() {
                Some(name) => names.push(name),
                None => return Input::File,
            },
            _ => return Input::No,
        }
    }
    let Some(first) = names.first() else {
        return Input::No;
    };
    if names.iter().any(|n| crate::load::is_ignored_silently(n)) {
        return Input::No;
    }
    if *first == CONFIG {
        return if names.len() == 1 {
            Input::File
        } else {
            Input::No
        };
    }
    if !INPUT_DIRS.contains(first) {
        return Input::No;
    }
    if names.len() == 1 {
        Input::TopDir
    } else {
        Input::File
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        let root = Path::new("/site");
        let c = |p: &str| classify(root, Path::new(p));
        assert_eq!(c("/site/site.toml"), Input::File);
        assert_eq!(c("/site/content/people/x.yaml"), Input::File);
        assert_eq!(c("/site/themes/t/static/style.css"), Input::File);
        assert_eq!(c("/site/static"), Input::TopDir);
        assert_eq!(c("/site/content"), Input::TopDir);
        assert_eq!(c("/site/public/index.html"), Input::No);
        assert_eq!(c("/site/README.md"), Input::No);
        assert_eq!(c("/site/.site.toml.swp"), Input::No);
        assert_eq!(c("/site/content/people/.x.yaml.swp"), Input::No);
        assert_eq!(c("/site/content/people/x.yaml~"), Input::No);
        assert_eq!(c("/site/content/people/#x.yaml#"), Input::No);
        assert_eq!(c("/site/content/.git/HEAD"), Input::No);
        assert_eq!(c("/elsewhere/site.toml"), Input::No);
        assert_eq!(c("/site"), Input::No);
    }
}
