//! A fingerprint of everything a build reads, so that a build with nothing changed can stop
//! before it starts.
//!
//! The fingerprint covers the binary itself, the build options, and the path, size and
//! modification time of every file under `site.toml`, `content/`, `templates/`, `themes/` and
//! `static/` (the way `make` and git's index decide what changed, without reading contents).
//! It is stored in the output folder after a successful write; a later build that computes the
//! same fingerprint, and finds every file of the manifest still in place, has nothing to do.

use std::hash::{Hash, Hasher};
use std::path::Path;

/// Name of the fingerprint file in the output folder.
pub const INPUTS: &str = ".briefing-inputs";

/// The fingerprint of the site at `root` built with `options` (a description of the options).
pub fn fingerprint(root: &Path, options: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    options.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    if let Ok(exe) = std::env::current_exe() {
        stamp(&exe, &mut hasher);
    }
    stamp(&root.join("site.toml"), &mut hasher);
    for dir in ["content", "templates", "themes", "static"] {
        walk(&root.join(dir), &mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn stamp(path: &Path, hasher: &mut impl Hasher) {
    path.hash(hasher);
    match std::fs::metadata(path) {
        Ok(meta) => {
            meta.len().hash(hasher);
            meta.modified().ok().hash(hasher);
        }
        Err(_) => 0u8.hash(hasher),
    }
}

fn walk(dir: &Path, hasher: &mut impl Hasher) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        dir.hash(hasher);
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, hasher);
        } else {
            stamp(&path, hasher);
        }
    }
}

/// Whether the output at `out` was written from exactly these inputs and is still complete.
pub fn up_to_date(out: &Path, fingerprint: &str) -> bool {
    let stored = std::fs::read_to_string(out.join(INPUTS)).unwrap_or_default();
    if stored.trim() != fingerprint {
        return false;
    }
    let manifest = super::read_manifest(out);
    !manifest.is_empty() && manifest.iter().all(|f| out.join(f).is_file())
}

/// Record the fingerprint of a build that was just written.
pub fn record(out: &Path, fingerprint: &str) -> Result<(), super::WriteError> {
    super::write_atomic(&out.join(INPUTS), format!("{fingerprint}\n").as_bytes())
}

/// Forget the fingerprint (before a build that may fail half-way).
pub fn forget(out: &Path) {
    let _ = std::fs::remove_file(out.join(INPUTS));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_when_a_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), "title = \"x\"").unwrap();
        std::fs::create_dir_all(dir.path().join("content/people")).unwrap();
        std::fs::write(dir.path().join("content/people/a.yaml"), "name: A").unwrap();
        let first = fingerprint(dir.path(), "opts");
        assert_eq!(first, fingerprint(dir.path(), "opts"));
        assert_ne!(first, fingerprint(dir.path(), "other opts"));
        std::fs::write(dir.path().join("content/people/a.yaml"), "name: AB").unwrap();
        assert_ne!(first, fingerprint(dir.path(), "opts"));
    }
}
