//! A fingerprint of everything a build reads, so that a build with nothing changed can stop
//! before it starts.
//!
//! The fingerprint covers the binary itself, the build options, and the path, size and
//! modification time of every file under `site.toml`, `content/`, `templates/`, `themes/` and
//! `static/` (the way `make` and git's index decide what changed, without reading contents).
//! It is stored in the output folder after a successful write; a later build that computes the
//! same fingerprint, and finds every file of the manifest still in place, has nothing to do.

use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Name of the fingerprint file in the output folder.
pub const INPUTS: &str = ".briefing-inputs";

/// The fingerprint of the site at `root` built with `options` (a description of the options).
pub fn fingerprint(root: &Path, options: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    options.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    let mut inputs: Vec<Input> = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        inputs.push(Input::File(exe));
    }
    inputs.push(Input::File(root.join("site.toml")));
    for dir in ["content", "templates", "themes", "static"] {
        list(&root.join(dir), &mut inputs);
    }
    // The listing is quick; asking for each file's size and time is most of the work, done
    // in parallel.
    let stamps: Vec<Option<(u64, Option<SystemTime>)>> = inputs
        .par_iter()
        .map(|input| match input {
            Input::File(path) => std::fs::metadata(path)
                .ok()
                .map(|meta| (meta.len(), meta.modified().ok())),
            Input::Unreadable(_) => None,
        })
        .collect();
    for (input, stamp) in inputs.iter().zip(stamps) {
        match (input, stamp) {
            (Input::Unreadable(dir), _) => dir.as_os_str().hash(&mut hasher),
            (Input::File(path), Some((len, modified))) => {
                path.as_os_str().hash(&mut hasher);
                len.hash(&mut hasher);
                modified.hash(&mut hasher);
            }
            (Input::File(path), None) => {
                path.as_os_str().hash(&mut hasher);
                0u8.hash(&mut hasher);
            }
        }
    }
    format!("{:016x}", hasher.finish())
}

/// What the fingerprint covers: a file, or a folder that could not be read.
enum Input {
    File(PathBuf),
    Unreadable(PathBuf),
}

/// The files under `dir`, in order of their sorted paths, folder by folder.
fn list(dir: &Path, inputs: &mut Vec<Input>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        inputs.push(Input::Unreadable(dir.to_path_buf()));
        return;
    };
    let mut entries: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| e.ok())
        .map(|e| {
            let path = e.path();
            // The entry's own type saves asking again, unless it is a link (followed).
            let is_dir = match e.file_type() {
                Ok(t) if !t.is_symlink() => t.is_dir(),
                _ => path.is_dir(),
            };
            (path, is_dir)
        })
        .collect();
    // All share the folder, so comparing their paths as bytes orders them by name, without
    // taking each path apart into components at every comparison.
    entries.sort_unstable_by(|(a, _), (b, _)| a.as_os_str().cmp(b.as_os_str()));
    for (path, is_dir) in entries {
        if is_dir {
            list(&path, inputs);
        } else {
            inputs.push(Input::File(path));
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
    !manifest.is_empty() && manifest.par_iter().all(|f| out.join(f).is_file())
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
