//! Writing: the rendered [`Output`] onto disk, safely and quietly.
//!
//! Only files whose bytes changed are written, each to a temporary file that is renamed into
//! place once the whole build has succeeded ([`Staged`]), so no reader ever sees half a file, a
//! failed build leaves the output as it was, and a second build of the same input touches
//! nothing. Into an empty or missing output folder, where there is no earlier output to keep,
//! files go straight into place (a failed build empties the folder again). Files can be handed
//! over as they are made, and announced group by group as the build comes to them, so a build
//! need not hold its output in memory. A manifest in the output folder lists what the build
//! wrote; files from an earlier build that this one no longer produces are removed, and nothing
//! else ever is. The manifest is widened before the first file is renamed into place (or, into
//! an empty folder, before each announced group is put), so a build killed part-way still knows
//! every file it may have left, and a mark left by a killed build makes the next one remove its
//! temporary files.

mod folder;
pub mod inputs;

use crate::render::Output;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// Name of the manifest file in the output folder.
pub const MANIFEST: &str = ".briefing-manifest";

/// Present in the output folder while a build writes into it. Found by the next build, it means
/// that one was killed part-way, and the temporary files it may have left are swept away.
pub const WRITING: &str = ".briefing-writing";

/// What a write did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written (new or changed).
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files of an earlier build removed.
    pub removed: usize,
}

/// Why the output could not be written (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output folder is the site itself.
    #[error(
        "refusing to write into {0}: it is the site folder or holds content/; set [build] output_dir to a folder of its own"
    )]
    UnsafeOutput(PathBuf),
    /// A file in the way was not written by briefing.
    #[error(
        "{0} exists and was not written by briefing: move it away or choose another output folder"
    )]
    Foreign(PathBuf),
    /// A folder on the way is a symbolic link.
    #[error("{0} is a symbolic link: briefing does not write through links")]
    Symlink(PathBuf),
    /// The disk said no.
    #[error("cannot write {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Check that `out` may be written for the site at `root`.
pub fn check_output_dir(root: &Path, out: &Path) -> Result<(), WriteError> {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| absolute(p));
    let root_c = canon(root);
    let out_c = canon(out);
    if out_c == root_c
        || out.join("content").is_dir()
        || root_c.starts_with(&out_c) && out_c.join("site.toml").exists()
    {
        return Err(WriteError::UnsafeOutput(out.to_path_buf()));
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Read the manifest of an earlier build: its whole lines (a build killed while adding to it
/// may have left half a line, naming no file).
pub fn read_manifest(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join(MANIFEST))
        .map(|text| {
            text.split_inclusive('\n')
                .filter_map(|l| l.strip_suffix('\n'))
                .filter(|l| is_safe_relative(l))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Replace the manifest with `files`, in order.
fn write_manifest<'a>(
    out: &Path,
    files: impl IntoIterator<Item = &'a String>,
) -> Result<(), WriteError> {
    write_atomic(&out.join(MANIFEST), manifest_lines(files).as_bytes())
}

/// Add `files` to the end of the manifest (made when missing), in one write.
fn append_to_manifest<'a>(
    out: &Path,
    files: impl IntoIterator<Item = &'a String>,
) -> Result<(), WriteError> {
    use std::io::Write as _;
    let path = out.join(MANIFEST);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(manifest_lines(files).as_bytes()))
        .map_err(|e| WriteError::Io(path, e))
}

fn manifest_lines<'a>(files: impl IntoIterator<Item = &'a String>) -> String {
    let mut text = String::new();
    for f in files {
        text.push_str(f);
        text.push('\n');
    }
    text
}

/// Whether a manifest line or output path stays inside the output folder.
fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Write `output` into `out`.
pub fn write(output: &Output, root: &Path, out: &Path) -> Result<WriteReport, WriteError> {
    let staged = Staged::begin(root, out, output.files.keys().cloned().collect())?;
    let put: Result<(), WriteError> = output
        .files
        .par_iter()
        .try_for_each(|(path, bytes)| staged.put(path, bytes));
    match put {
        Ok(()) => staged.commit(),
        Err(e) => {
            staged.abort();
            Err(e)
        }
    }
}

/// A write in progress: files are handed over one by one as they are made ([`Staged::put`],
/// from any thread), each changed one written to a temporary file beside its place, and only
/// [`Staged::commit`] renames them into place, once the whole build is known to have
/// succeeded. [`Staged::abort`] removes them again, leaving the output as it was. A build need
/// not hold its whole output in memory.
pub struct Staged {
    out: PathBuf,
    /// Whether [`Staged::begin`] made the output folder (an aborted write removes it again).
    created: bool,
    /// The output folder was empty or missing: there is no earlier output to keep whole, so
    /// files are written straight into place (no temporary files, no renames), and an aborted
    /// write empties the folder again. Files are then made through this handle on it.
    direct: Option<folder::OutFolder>,
    /// Files written straight into place.
    written_direct: std::sync::atomic::AtomicUsize,
    previous: BTreeSet<String>,
    /// Every file announced so far (looked up for each file put).
    current: FxHashSet<String>,
    /// Temporary files and where they go.
    pending: std::sync::Mutex<Vec<(PathBuf, PathBuf)>>,
    unchanged: std::sync::atomic::AtomicUsize,
}

impl Staged {
    /// Check that the files `current` (paths relative to `out`) may be written into `out` for
    /// the site at `root`, and get ready to write them.
    pub fn begin(root: &Path, out: &Path, current: BTreeSet<String>) -> Result<Staged, WriteError> {
        check_output_dir(root, out)?;
        if let Ok(meta) = std::fs::symlink_metadata(out)
            && meta.file_type().is_symlink()
        {
            return Err(WriteError::Symlink(out.to_path_buf()));
        }
        let created = !out.exists();
        std::fs::create_dir_all(out).map_err(|e| WriteError::Io(out.to_path_buf(), e))?;
        let empty = std::fs::read_dir(out)
            .map_err(|e| WriteError::Io(out.to_path_buf(), e))?
            .next()
            .is_none();
        let direct = if empty {
            Some(folder::OutFolder::open(out).map_err(|e| WriteError::Io(out.to_path_buf(), e))?)
        } else {
            None
        };
        let mut staged = Staged {
            out: out.to_path_buf(),
            created,
            direct,
            written_direct: Default::default(),
            previous: read_manifest(out),
            current: FxHashSet::default(),
            pending: Default::default(),
            unchanged: Default::default(),
        };
        let first = staged.admit(current)?;
        let writing = out.join(WRITING);
        if writing.exists() {
            sweep_temporary_files(out);
        }
        std::fs::write(&writing, b"").map_err(|e| WriteError::Io(writing.clone(), e))?;
        staged.add(first)?;
        Ok(staged)
    }

    /// Add `paths` to the files this write may put, before any of them is put: a build that
    /// makes its files in groups announces each group as it comes.
    pub fn announce(&mut self, paths: impl IntoIterator<Item = String>) -> Result<(), WriteError> {
        let new = self.admit(paths)?;
        if new.is_empty() {
            return Ok(());
        }
        self.add(new)
    }

    /// Of `paths`, the safe ones not announced yet, once checked: over an earlier output, none
    /// may be a file briefing did not write or lie behind a symbolic link.
    fn admit(
        &self,
        paths: impl IntoIterator<Item = String>,
    ) -> Result<BTreeSet<String>, WriteError> {
        let new: BTreeSet<String> = paths
            .into_iter()
            .filter(|p| is_safe_relative(p) && !self.current.contains(p))
            .collect();
        if self.direct.is_none() {
            for path in &new {
                let target = self.out.join(path);
                if !self.previous.contains(path) && target.exists() {
                    return Err(WriteError::Foreign(target));
                }
            }
            check_no_symlinks(&self.out, &new)?;
        }
        Ok(new)
    }

    fn add(&mut self, new: BTreeSet<String>) -> Result<(), WriteError> {
        if self.direct.is_some() {
            // Before the first file: a build killed part-way leaves files the next one knows.
            // Only the new ones are written: the number of groups grows with the site (one per
            // 512 entity feeds), so writing the whole list each time would cost time that grows
            // with the square of the site.
            append_to_manifest(&self.out, &new)?;
        }
        self.current.extend(new);
        Ok(())
    }

    /// How many files were announced.
    pub fn announced(&self) -> usize {
        self.current.len()
    }

    /// Hand over one file; unless the file there already has these bytes, they go to a
    /// temporary file beside it. Paths not announced to [`Staged::begin`] are ignored.
    pub fn put(&self, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
        self.put_parts(path, &[bytes])
    }

    /// [`Staged::put`] for a file made in parts, written one after the other (never joined in
    /// memory).
    pub fn put_parts(&self, path: &str, parts: &[&[u8]]) -> Result<(), WriteError> {
        if !self.current.contains(path) {
            return Ok(());
        }
        if let Some(folder) = &self.direct {
            folder
                .write(path, parts)
                .map_err(|e| WriteError::Io(folder.path_of(path), e))?;
            self.written_direct
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(());
        }
        let target = self.out.join(path);
        if same_bytes(&target, parts) {
            self.unchanged
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(());
        }
        let tmp = write_temporary(&target, parts)?;
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((tmp, target));
        Ok(())
    }

    /// Put every written file into place and remove the files of an earlier build that this
    /// one no longer has. The manifest is widened first, so a build killed part-way still
    /// knows every file it may have left.
    pub fn commit(self) -> Result<WriteReport, WriteError> {
        if self.direct.is_some() {
            let _ = std::fs::remove_file(self.out.join(WRITING));
            let written = self
                .written_direct
                .load(std::sync::atomic::Ordering::Relaxed);
            // Its lists of files and folders are long: let them go on a thread of their own.
            crate::drop_in_background(self);
            return Ok(WriteReport {
                written,
                unchanged: 0,
                removed: 0,
            });
        }
        let current = self.current_sorted();
        let widened: BTreeSet<&String> = self
            .previous
            .iter()
            .chain(current.iter().copied())
            .collect();
        if widened.len() != self.previous.len() {
            write_manifest(&self.out, widened.iter().copied())?;
        }
        let pending = self.take_pending();
        pending
            .par_iter()
            .try_for_each(|(tmp, target)| rename_into_place(tmp, target))?;
        let mut report = WriteReport {
            written: pending.len(),
            unchanged: self.unchanged.load(std::sync::atomic::Ordering::Relaxed),
            removed: 0,
        };
        for stale in self.previous.iter().filter(|p| !self.current.contains(*p)) {
            let path = self.out.join(stale);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                std::fs::remove_file(&path).map_err(|e| WriteError::Io(path.clone(), e))?;
                report.removed += 1;
                remove_empty_parents(&self.out, &path);
            }
        }
        let unchanged = widened.len() == self.previous.len() && widened.len() == current.len();
        if !unchanged {
            write_manifest(&self.out, current)?;
        }
        let _ = std::fs::remove_file(self.out.join(WRITING));
        Ok(report)
    }

    /// The files announced, in order (for the manifest).
    fn current_sorted(&self) -> Vec<&String> {
        let mut files: Vec<&String> = self.current.iter().collect();
        files.sort_unstable();
        files
    }

    /// The temporary files written so far and where they go, taken out.
    fn take_pending(&self) -> Vec<(PathBuf, PathBuf)> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Give up: remove every temporary file (and the folders made for them), leaving the
    /// output as it was.
    pub fn abort(self) {
        if self.direct.is_some() {
            // The folder was empty or missing before: empty it again.
            let _ = std::fs::remove_dir_all(&self.out);
            if !self.created {
                let _ = std::fs::create_dir(&self.out);
            }
            return;
        }
        for (tmp, _) in self.take_pending() {
            let _ = std::fs::remove_file(&tmp);
            remove_empty_parents(&self.out, &tmp);
        }
        let _ = std::fs::remove_file(self.out.join(WRITING));
        if self.created {
            // Only when empty.
            let _ = std::fs::remove_dir(&self.out);
        }
    }
}

/// Remove the temporary files ([`write_atomic`]'s `.name.pid.tmp`) under `out`, left by a
/// build that was killed; links are not followed.
fn sweep_temporary_files(out: &Path) {
    let mut dirs = vec![out.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file() && is_temporary_name(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Whether `name` is one of [`write_atomic`]'s temporary names, `.name.pid.tmp`.
fn is_temporary_name(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    inner.rsplit_once('.').is_some_and(|(file, pid)| {
        !file.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
    })
}

/// No folder between `out` and a file we write may be a symbolic link.
fn check_no_symlinks(out: &Path, files: &BTreeSet<String>) -> Result<(), WriteError> {
    let mut checked: BTreeSet<PathBuf> = BTreeSet::new();
    for file in files {
        let mut dir = out.to_path_buf();
        let parts: Vec<&str> = file.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            dir.push(part);
            if !checked.insert(dir.clone()) {
                continue;
            }
            if let Ok(meta) = std::fs::symlink_metadata(&dir)
                && meta.file_type().is_symlink()
            {
                return Err(WriteError::Symlink(dir));
            }
            if i + 1 == parts.len() {
                break;
            }
        }
    }
    Ok(())
}

/// Whether the file at `path` holds exactly `bytes`.
fn same_bytes(path: &Path, parts: &[&[u8]]) -> bool {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    std::fs::metadata(path).is_ok_and(|meta| meta.len() == len as u64)
        && std::fs::read(path).is_ok_and(|old| {
            let mut rest = old.as_slice();
            parts
                .iter()
                .all(|part| match rest.split_at_checked(part.len()) {
                    Some((head, tail)) if head == *part => {
                        rest = tail;
                        true
                    }
                    _ => false,
                })
                && rest.is_empty()
        })
}

/// Write to a temporary file beside `path`, then rename it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let tmp = write_temporary(path, &[bytes])?;
    rename_into_place(&tmp, path)
}

/// Rename the temporary file `tmp` over `path`; on failure the temporary file goes.
fn rename_into_place(tmp: &Path, path: &Path) -> Result<(), WriteError> {
    std::fs::rename(tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        WriteError::Io(path.to_path_buf(), e)
    })
}

/// Write `parts`, one after the other, to a temporary file beside `path` (`.name.pid.tmp`),
/// making its folder when missing; the temporary file's path.
fn write_temporary(path: &Path, parts: &[&[u8]]) -> Result<PathBuf, WriteError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    write_file(&tmp, path, parts)?;
    Ok(tmp)
}

/// Write `parts`, one after the other, to `file`, beside `path` (the file it stands for, named
/// in errors), making their folder when missing.
fn write_file(file: &Path, path: &Path, parts: &[&[u8]]) -> Result<(), WriteError> {
    folder::write_making_folders(
        || std::fs::File::create(file),
        || match path.parent() {
            Some(parent) => std::fs::create_dir_all(parent),
            None => Ok(()),
        },
        parts,
    )
    .map_err(|e| WriteError::Io(path.to_path_buf(), e))
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        Output {
            files: files
                .iter()
                .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
                .collect(),
        }
    }

    /// A temporary folder holding a site folder, and where its output goes (not made yet).
    fn site_and_output() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        let out = dir.path().join("public");
        (dir, root, out)
    }

    #[test]
    fn an_aborted_write_leaves_the_output_as_it_was() {
        let (dir, root, out) = site_and_output();
        write(&output(&[("a/index.html", "A")]), &root, &out).unwrap();
        let before = listing(&out);
        let paths = ["a/index.html", "new/index.html"].map(String::from).into();
        let staged = Staged::begin(&root, &out, paths).unwrap();
        staged.put("a/index.html", b"changed").unwrap();
        staged.put("new/index.html", b"new").unwrap();
        // Nothing is in place before the commit.
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "A"
        );
        assert!(!out.join("new/index.html").exists());
        staged.abort();
        assert_eq!(listing(&out), before);
        // A write that made the output folder removes it again.
        let fresh = dir.path().join("fresh");
        let staged = Staged::begin(&root, &fresh, ["x/index.html".to_string()].into()).unwrap();
        staged.put("x/index.html", b"x").unwrap();
        staged.abort();
        assert!(!fresh.exists());
    }

    #[test]
    fn into_an_empty_folder_files_go_straight_into_place() {
        let (_dir, root, out) = site_and_output();
        std::fs::create_dir_all(&out).unwrap();
        let paths: BTreeSet<String> = ["a/index.html", "b.css"].map(String::from).into();
        // An aborted write into an empty folder leaves it empty.
        let staged = Staged::begin(&root, &out, paths.clone()).unwrap();
        staged.put("a/index.html", b"A").unwrap();
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"A");
        staged.abort();
        assert!(out.is_dir() && listing(&out).is_empty());
        // A build killed part-way (no commit, no abort) leaves files that the next build knows
        // as its own: it writes over them instead of refusing them as foreign.
        let staged = Staged::begin(&root, &out, paths.clone()).unwrap();
        staged.put("a/index.html", b"half").unwrap();
        std::mem::forget(staged);
        let staged = Staged::begin(&root, &out, paths.clone()).unwrap();
        staged.put("a/index.html", b"A").unwrap();
        staged.put("b.css", b"B").unwrap();
        let report = staged.commit().unwrap();
        assert_eq!(report.written, 2);
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"A");
        assert!(!out.join(WRITING).exists());
        assert_eq!(read_manifest(&out), paths);
        // The next write into the now full folder stages again, and changes nothing.
        let staged = Staged::begin(&root, &out, paths).unwrap();
        staged.put("a/index.html", b"A").unwrap();
        staged.put("b.css", b"B").unwrap();
        assert_eq!(staged.commit().unwrap().unchanged, 2);
    }

    /// Every file under `dir` with its bytes, and every folder.
    fn listing(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    all.push((path.clone(), Vec::new()));
                    dirs.push(path);
                } else {
                    all.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        all.sort();
        all
    }

    #[test]
    fn second_write_touches_nothing_and_stale_files_go() {
        let (_dir, root, out) = site_and_output();
        let first = write(
            &output(&[("a/index.html", "A"), ("b/index.html", "B")]),
            &root,
            &out,
        )
        .unwrap();
        assert_eq!(first.written, 2);
        let again = write(
            &output(&[("a/index.html", "A"), ("b/index.html", "B")]),
            &root,
            &out,
        )
        .unwrap();
        assert_eq!(
            again,
            WriteReport {
                written: 0,
                unchanged: 2,
                removed: 0
            }
        );
        std::fs::write(out.join("mine.txt"), "keep").unwrap();
        let third = write(&output(&[("a/index.html", "A2")]), &root, &out).unwrap();
        assert_eq!(
            third,
            WriteReport {
                written: 1,
                unchanged: 0,
                removed: 1
            }
        );
        assert!(!out.join("b").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("mine.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn temporary_files_of_a_killed_write_are_swept_by_the_next() {
        let (_dir, root, out) = site_and_output();
        let site = output(&[("a/index.html", "A")]);
        write(&site, &root, &out).unwrap();
        assert!(!out.join(WRITING).exists(), "the mark outlives the write");
        // What a write killed part-way leaves: the mark and a temporary file.
        std::fs::write(out.join(WRITING), "").unwrap();
        std::fs::write(out.join("a/.index.html.4242.tmp"), "A, half").unwrap();
        std::fs::write(out.join("a/.notes.tmp"), "not ours").unwrap();
        write(&site, &root, &out).unwrap();
        assert!(!out.join("a/.index.html.4242.tmp").exists());
        assert!(
            out.join("a/.notes.tmp").exists(),
            "a file not of our naming"
        );
        assert!(!out.join(WRITING).exists());
        assert!(is_temporary_name(".index.html.17.tmp"));
        assert!(!is_temporary_name(".index.html.tmp"));
        assert!(!is_temporary_name("index.html.17.tmp"));
    }

    #[test]
    fn foreign_files_are_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("index.html"), "theirs").unwrap();
        let err = write(&output(&[("index.html", "ours")]), dir.path(), &out);
        assert!(matches!(err, Err(WriteError::Foreign(_))));
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "theirs"
        );
    }

    #[test]
    fn files_announced_later_are_checked_and_listed_before_they_are_put() {
        // Into an empty folder, files go straight into place: the manifest must list an
        // announced file before it is put, for a build killed right after.
        let (_dir, root, out) = site_and_output();
        let mut staged = Staged::begin(&root, &out, ["index.html".to_string()].into()).unwrap();
        staged.announce(["feed/atom.xml".to_string()]).unwrap();
        assert!(read_manifest(&out).contains("feed/atom.xml"));
        staged.put("feed/atom.xml", b"feed").unwrap();
        staged.put("never-announced.html", b"x").unwrap();
        staged.put("index.html", b"home").unwrap();
        assert_eq!(staged.announced(), 2);
        staged.commit().unwrap();
        assert!(!out.join("never-announced.html").exists());
        assert_eq!(std::fs::read(out.join("feed/atom.xml")).unwrap(), b"feed");
        // Over an earlier output, a file briefing did not write is refused when announced,
        // and the aborted write leaves everything as it was.
        std::fs::write(out.join("notes.txt"), "theirs").unwrap();
        let mut staged = Staged::begin(&root, &out, ["index.html".to_string()].into()).unwrap();
        staged.put("index.html", b"home, changed").unwrap();
        let err = staged.announce(["notes.txt".to_string()]);
        assert!(matches!(err, Err(WriteError::Foreign(_))));
        staged.abort();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"home");
        assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"theirs");
    }

    #[test]
    fn a_half_written_last_line_of_the_manifest_names_no_file() {
        let (_dir, _root, out) = site_and_output();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(MANIFEST), "a/index.html\nb.css\npeople/x/ind").unwrap();
        let listed: BTreeSet<String> = ["a/index.html", "b.css"].map(String::from).into();
        assert_eq!(read_manifest(&out), listed);
    }

    #[test]
    fn a_file_put_in_parts_is_compared_and_written_whole() {
        let (_dir, root, out) = site_and_output();
        let put = |parts: &[&[u8]]| {
            let staged = Staged::begin(&root, &out, ["data.json".to_string()].into()).unwrap();
            staged.put_parts("data.json", parts).unwrap();
            staged.commit().unwrap()
        };
        assert_eq!(put(&[b"{\"a\":", b"[1,2]", b"}"]).written, 1);
        assert_eq!(
            std::fs::read(out.join("data.json")).unwrap(),
            b"{\"a\":[1,2]}"
        );
        // The same bytes cut elsewhere are the same file; other bytes of the same length are not.
        assert_eq!(put(&[b"{\"a\":[1", b",2]}"]).unchanged, 1);
        assert_eq!(put(&[b"{\"a\":[1", b",3]}"]).written, 1);
        assert_eq!(put(&[b"{\"a\":[1,3]}", b""]).unchanged, 1);
        assert_eq!(put(&[b"{\"a\":[1,3]"]).written, 1);
        assert_eq!(
            std::fs::read(out.join("data.json")).unwrap(),
            b"{\"a\":[1,3]"
        );
    }

    #[test]
    fn the_site_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        assert!(matches!(
            check_output_dir(dir.path(), dir.path()),
            Err(WriteError::UnsafeOutput(_))
        ));
    }
}
