//! Loading again after a few files changed, for `serve`.
//!
//! A [`Loader`] remembers the walk of the content folders and every file it read and parsed.
//! Told which paths changed (the watcher knows), it looks at those paths only: a folder walk of
//! ten thousand files and their parsing are done once, not on every save. Each file keeps the
//! same [`FileId`] from one load to the next, so what was parsed before (spans included) stays
//! valid, and the loader reports which files' text actually changed.

use super::{
    Found, Listed, Parsed, RawSite, canonical_root, check_listing, read_config, read_one,
    scan_folder, stat_one,
};
use crate::diag::Diagnostics;
use crate::model::Kind;
use crate::source::{FileId, SourceFile, SourceMap};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::ffi::{OsStr, OsString};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One content file as last read.
struct Read {
    id: FileId,
    hash: u64,
    /// Noted as changed: read it again.
    stale: bool,
    file: Arc<SourceFile>,
    parsed: Parsed,
    diags: Diagnostics,
}

/// What changed since the previous [`Loader::load`].
#[derive(Debug, Default)]
pub struct Changes {
    /// Content files whose text changed, or that appeared or went away.
    pub files: FxHashSet<FileId>,
    /// Whether everything must be taken as changed (the first load, `site.toml` changed).
    pub all: bool,
}

/// Loads a site again and again, reading only what changed.
pub struct Loader {
    root: PathBuf,
    canonical_root: PathBuf,
    /// The walk of each content folder; `None` when it must be walked again.
    folders: [Option<Vec<Found>>; 5],
    /// Paths to look at again in folders that are otherwise known.
    stale: FxHashSet<PathBuf>,
    /// By path (as bytes: hashing a `Path` walks its components).
    reads: FxHashMap<OsString, Read>,
    ids: FxHashMap<OsString, FileId>,
    next_id: u32,
    /// `site.toml` as last read: parsing depends on its limits.
    config_text: Option<String>,
}

impl Loader {
    /// A loader of the site at `root` that has read nothing yet.
    pub fn new(root: &Path) -> Loader {
        Loader {
            root: root.to_path_buf(),
            canonical_root: canonical_root(root),
            folders: Default::default(),
            stale: FxHashSet::default(),
            reads: FxHashMap::default(),
            ids: FxHashMap::default(),
            // 0 is `site.toml`.
            next_id: 1,
            config_text: None,
        }
    }

    /// Note that `path` (under the root, spelt from the root as given or as the file system
    /// resolves it) was created, changed or removed.
    pub fn changed(&mut self, path: &Path) {
        let rel = match path.strip_prefix(&self.root) {
            Ok(rel) => rel,
            Err(_) => match path.strip_prefix(&self.canonical_root) {
                Ok(rel) => rel,
                // Somewhere else (say, through a link): look at everything again.
                Err(_) => return self.changed_everything(),
            },
        };
        let path = self.root.join(rel);
        let parts: Vec<&std::ffi::OsStr> = rel.iter().collect();
        match parts.as_slice() {
            [content, folder, _file]
                if *content == "content" && Kind::ALL.iter().any(|k| *folder == k.folder()) =>
            {
                self.stale.insert(path.clone());
            }
            [content, folder, ..] if *content == "content" => {
                // The folder itself, or something inside a subfolder: walk that folder again.
                if let Some(i) = Kind::ALL.iter().position(|k| *folder == k.folder()) {
                    self.folders[i] = None;
                }
            }
            [content] if *content == "content" => self.folders = Default::default(),
            _ => {}
        }
    }

    /// Forget the walk: the next load looks at every file again (reading only those whose text
    /// changed).
    pub fn changed_everything(&mut self) {
        self.folders = Default::default();
        self.stale.clear();
        for read in self.reads.values_mut() {
            // Read again, compared by content.
            read.stale = true;
        }
    }

    /// Load the site, reading only the files noted as changed since the last load. Like
    /// [`super::load`], `Ok(Err(sources))` when `site.toml` has errors.
    pub fn load(
        &mut self,
        diags: &mut Diagnostics,
    ) -> Result<Result<(RawSite, Changes), SourceMap>, super::LoadError> {
        let mut sources = SourceMap::default();
        let Some(config) = read_config(&self.root, &mut sources, diags)? else {
            return Ok(Err(sources));
        };
        let mut changes = Changes::default();
        let config_text = sources.get(FileId(0)).text.clone();
        if self.config_text.as_ref() != Some(&config_text) {
            // Limits and the like: parse everything again.
            changes.all = true;
            self.reads.clear();
            self.config_text = Some(config_text);
        }
        let mut timer = crate::Timer::new();
        self.refresh_folders();
        let folders: [&[Found]; 5] = self.folders.each_ref().map(|f| f.as_deref().unwrap_or(&[]));
        // Placeholders for problems with names get ids after every stable id (below).
        let mut placeholder_diags = Diagnostics::default();
        let mut placeholders = SourceMap::default();
        let listed = check_listing(
            &self.root,
            folders,
            &config,
            &mut placeholders,
            &mut placeholder_diags,
        );
        timer.lap("load: walk");
        for path in &listed {
            self.id_of(&path.path);
        }
        let to_read: Vec<&Listed> = listed
            .iter()
            .filter(|l| self.needs_reading(&l.path))
            .collect();
        let fresh: Vec<(OsString, Read)> = to_read
            .par_iter()
            .map(|l| {
                let id = self.ids[l.path.as_os_str()];
                let (file, parsed, file_diags) = read_one(&self.root, l, id, &config);
                let hash = content_hash(&file.text);
                let read = Read {
                    id,
                    hash,
                    stale: false,
                    file: Arc::new(file),
                    parsed,
                    diags: file_diags,
                };
                (l.path.clone().into_os_string(), read)
            })
            .collect();
        for (path, read) in fresh {
            match self.reads.get_mut(&path) {
                // Saved with the same bytes: keep what was parsed.
                Some(old) if old.hash == read.hash => old.stale = false,
                _ => {
                    changes.files.insert(read.id);
                    self.reads.insert(path, read);
                }
            }
        }
        timer.lap("load: read");
        self.stale.clear();
        // Files that went away.
        let live: FxHashSet<&OsStr> = listed.iter().map(|l| l.path.as_os_str()).collect();
        let gone: Vec<OsString> = self
            .reads
            .keys()
            .filter(|p| !live.contains(p.as_os_str()))
            .cloned()
            .collect();
        for path in gone {
            if let Some(read) = self.reads.remove(&path) {
                changes.files.insert(read.id);
            }
        }

        let mut site = RawSite {
            root: self.root.clone(),
            config,
            sources,
            articles: Vec::new(),
            meetings: Vec::new(),
            people: Vec::new(),
            topics: Vec::new(),
            organizations: Vec::new(),
        };
        for l in &listed {
            let read = &self.reads[l.path.as_os_str()];
            site.sources.set(read.id, Arc::clone(&read.file));
            diags.extend(read.diags.clone());
            match &read.parsed {
                Parsed::Article(a) => site.articles.push(Arc::clone(a)),
                Parsed::Meeting(m) => site.meetings.push(Arc::clone(m)),
                Parsed::Person(p) => site.people.push(Arc::clone(p)),
                Parsed::Topic(t) => site.topics.push(Arc::clone(t)),
                Parsed::Organization(o) => site.organizations.push(Arc::clone(o)),
                Parsed::Nothing => {}
            }
        }
        timer.lap("load: entities");
        // Placeholder files of naming problems, renumbered after the stable ids.
        let offset = site.sources.len() as u32;
        for (_, file) in placeholders.iter() {
            site.sources.add(file.clone());
        }
        for mut d in placeholder_diags.items().iter().cloned() {
            d.span.file = FileId(d.span.file.0 + offset);
            diags.push(d);
        }
        Ok(Ok((site, changes)))
    }

    /// Walk the folders that must be walked, and look again at the stale paths of the rest.
    fn refresh_folders(&mut self) {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            if self.folders[i].is_none() {
                self.folders[i] = Some(scan_folder(&self.root, &self.canonical_root, kind));
                // Every file of a folder walked again is compared by content.
                let dir = self.root.join("content").join(kind.folder());
                for (path, read) in self.reads.iter_mut() {
                    if Path::new(path).parent() == Some(dir.as_path()) {
                        read.stale = true;
                    }
                }
            }
        }
        let stale: Vec<PathBuf> = self.stale.iter().cloned().collect();
        for path in stale {
            let Some(folder) = path.parent() else {
                continue;
            };
            let Some(i) = Kind::ALL
                .iter()
                .position(|k| self.root.join("content").join(k.folder()) == folder)
            else {
                continue;
            };
            let Some(found) = self.folders[i].as_mut() else {
                continue;
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            found.retain(|f| f.name != name);
            if let Some(now) = stat_one(&self.canonical_root, name, path.clone()) {
                let at = found.partition_point(|f| f.name < now.name);
                found.insert(at, now);
            }
            if let Some(read) = self.reads.get_mut(path.as_os_str()) {
                read.stale = true;
            }
        }
    }

    /// Whether the file at `path` must be read: never read, or noted as changed.
    fn needs_reading(&self, path: &Path) -> bool {
        self.reads
            .get(path.as_os_str())
            .is_none_or(|read| read.stale)
    }

    /// The id `path` has had since it was first seen.
    fn id_of(&mut self, path: &Path) -> FileId {
        if let Some(id) = self.ids.get(path.as_os_str()) {
            return *id;
        }
        let id = FileId(self.next_id);
        self.next_id += 1;
        self.ids.insert(path.as_os_str().to_owned(), id);
        id
    }
}

/// A hash of a file's text, to tell a real change from a save of the same bytes.
fn content_hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}
