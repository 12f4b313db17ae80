//! Making files in the output folder by their paths relative to it.
//!
//! A build into an empty folder makes tens of thousands of files and folders. Named by full
//! paths, each one makes the kernel walk the output folder's own path again; on Unix,
//! [`OutFolder`] holds the folder open and makes everything relative to it (`openat`,
//! `mkdirat`). It remembers the folders it made, so a file in a new folder is made with one
//! `mkdirat` and one `openat`, not an `openat` that fails first.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The output folder, held open, and the folders made in it so far.
pub(super) struct OutFolder {
    path: PathBuf,
    #[cfg(unix)]
    handle: std::os::fd::OwnedFd,
    made: std::sync::Mutex<rustc_hash::FxHashSet<String>>,
}

impl OutFolder {
    /// Open the folder at `path` (it exists).
    pub(super) fn open(path: &Path) -> std::io::Result<OutFolder> {
        Ok(OutFolder {
            path: path.to_path_buf(),
            #[cfg(unix)]
            handle: rustix::fs::open(
                path,
                rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
                rustix::fs::Mode::empty(),
            )?,
            made: Default::default(),
        })
    }

    /// Write `parts`, one after the other, to the file at `relative` (a safe relative path
    /// with `/` between its parts), replacing it, and making its folders when missing.
    pub(super) fn write(&self, relative: &str, parts: &[&[u8]]) -> std::io::Result<()> {
        let parent = relative.rsplit_once('/').map(|(parent, _)| parent);
        if let Some(parent) = parent
            && !self.has_made(parent)
        {
            self.make_folders(parent)?;
            self.made_lock().insert(parent.to_string());
        }
        // A folder made earlier may have been removed since: opening says so, and it is made
        // again.
        write_making_folders(
            || self.create(relative),
            || parent.map_or(Ok(()), |parent| self.make_folders(parent)),
            parts,
        )
    }

    /// Whether the folder at `relative` was made (or found) by this value.
    fn has_made(&self, relative: &str) -> bool {
        self.made_lock().contains(relative)
    }

    fn made_lock(&self) -> std::sync::MutexGuard<'_, rustc_hash::FxHashSet<String>> {
        self.made.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[cfg(unix)]
    fn create(&self, relative: &str) -> std::io::Result<std::fs::File> {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::openat(
            &self.handle,
            relative,
            OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        )?;
        Ok(std::fs::File::from(fd))
    }

    #[cfg(not(unix))]
    fn create(&self, relative: &str) -> std::io::Result<std::fs::File> {
        std::fs::File::create(self.path.join(relative))
    }

    /// Make the folder at `relative` and those above it that are missing: the deepest is
    /// tried first, since most often only it is missing.
    #[cfg(unix)]
    fn make_folders(&self, relative: &str) -> std::io::Result<()> {
        match self.make_folder(relative) {
            Err(rustix::io::Errno::NOENT) => {
                if let Some((parent, _)) = relative.rsplit_once('/') {
                    self.make_folders(parent)?;
                }
                Ok(self.make_folder(relative)?)
            }
            other => Ok(other?),
        }
    }

    /// Make the folder at `relative`, whose parent exists; one already there is fine.
    #[cfg(unix)]
    fn make_folder(&self, relative: &str) -> rustix::io::Result<()> {
        match rustix::fs::mkdirat(
            &self.handle,
            relative,
            rustix::fs::Mode::from_raw_mode(0o777),
        ) {
            Err(rustix::io::Errno::EXIST) => Ok(()),
            other => other,
        }
    }

    #[cfg(not(unix))]
    fn make_folders(&self, relative: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(self.path.join(relative))
    }

    /// The full path of `relative`, for messages.
    pub(super) fn path_of(&self, relative: &str) -> PathBuf {
        self.path.join(relative)
    }
}

/// Open a file with `create`, making its folders with `make_folders` only when opening says
/// they are missing (most exist already), and write `parts` to it one after the other.
pub(super) fn write_making_folders(
    create: impl Fn() -> std::io::Result<std::fs::File>,
    make_folders: impl FnOnce() -> std::io::Result<()>,
    parts: &[&[u8]],
) -> std::io::Result<()> {
    let mut file = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            make_folders()?;
            create()?
        }
        other => other?,
    };
    parts.iter().try_for_each(|part| file.write_all(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_made_with_their_folders_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutFolder::open(dir.path()).unwrap();
        folder
            .write("a/b/c/index.html", &[b"one ", b"two"])
            .unwrap();
        folder.write("a/b/other.txt", &[b"x"]).unwrap();
        folder.write("top.txt", &[b"t"]).unwrap();
        folder.write("a/b/c/index.html", &[b"again"]).unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
        assert_eq!(read("a/b/c/index.html"), "again");
        assert_eq!(read("a/b/other.txt"), "x");
        assert_eq!(read("top.txt"), "t");
    }

    #[test]
    fn a_file_in_the_way_of_a_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutFolder::open(dir.path()).unwrap();
        folder.write("a", &[b"file"]).unwrap();
        assert!(folder.write("a/b/index.html", &[b"x"]).is_err());
    }

    #[test]
    fn a_folder_made_earlier_and_since_removed_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutFolder::open(dir.path()).unwrap();
        folder.write("a/b/one.html", &[b"1"]).unwrap();
        assert!(folder.has_made("a/b"));
        std::fs::remove_dir_all(dir.path().join("a")).unwrap();
        folder.write("a/b/two.html", &[b"2"]).unwrap();
        let read = std::fs::read_to_string(dir.path().join("a/b/two.html")).unwrap();
        assert_eq!(read, "2");
    }
}
