//! Loading again after a few files changed, for `serve`.
//!
//! A [`Loader`] remembers the walk of the content folders and every file it read and parsed.
//! Told which paths changed (the watcher knows), it looks at those paths only: a folder walk of
//! ten thousand files and their parsing are done once, not on every save. Each file keeps the
//! same [`FileId`] from one load to the next, so what was parsed before (spans included) stays
//! valid, and the loader reports which files' text actually changed.
//!
//! When every changed path is a file that was already listed and still is (the common save),
//! the listing of the folders cannot have changed either: the loader then patches the site it
//! assembled last time, replacing the entities of the files that changed, instead of going over
//! ten thousand files again.

use super::config::Config;
use super::{
    Found, FoundKind, Listed, Parsed, RawSite, canonical_root, check_listing, read_config,
    read_one, scan_folder, stat_one,
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
    /// Whether the site of the last load was patched (only files listed then, and still
    /// there, changed) rather than assembled from the listing again.
    pub patched: bool,
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
    /// The site as assembled by the last load, to patch when only known files changed.
    last: Option<Assembled>,
}

/// What a load assembled from the listing, kept to patch.
struct Assembled {
    listed: Vec<Listed>,
    /// Each listed path's place in `listed` and the place of its entity in `site`.
    places: FxHashMap<OsString, (usize, Option<Place>)>,
    site: RawSite,
    /// Problems found with file names (the same while the listing is).
    placeholder_diags: Diagnostics,
}

/// Where an entity is in the lists of a [`RawSite`]: its kind and position.
type Place = (Kind, usize);

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
            last: None,
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
            self.last = None;
            self.config_text = Some(config_text);
        }
        let mut timer = crate::Timer::new();
        let relisted = self.refresh_folders();
        if !relisted && let Some(site) = self.patch(&config, &mut changes, diags) {
            timer.lap("load: changed files only");
            return Ok(Ok((site, changes)));
        }
        self.last = None;
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
                let read = read_fresh(&self.root, l, id, &config);
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
        let mut places = FxHashMap::default();
        places.reserve(listed.len());
        for (i, l) in listed.iter().enumerate() {
            let read = &self.reads[l.path.as_os_str()];
            site.sources.set(read.id, Arc::clone(&read.file));
            diags.extend(read.diags.clone());
            let place = push_entity(&mut site, &read.parsed);
            places.insert(l.path.clone().into_os_string(), (i, place));
        }
        timer.lap("load: entities");
        // Placeholder files of naming problems, renumbered after the stable ids.
        let offset = site.sources.len() as u32;
        for (_, file) in placeholders.iter() {
            site.sources.add(file.clone());
        }
        let mut renumbered = Diagnostics::default();
        for mut d in placeholder_diags.items().iter().cloned() {
            d.span.file = FileId(d.span.file.0 + offset);
            renumbered.push(d);
        }
        diags.extend(renumbered.clone());
        self.last = Some(Assembled {
            listed,
            places,
            site: site.clone(),
            placeholder_diags: renumbered,
        });
        Ok(Ok((site, changes)))
    }

    /// The site of the last load with the stale files read again, when each of them was
    /// listed then and is a file now (so the listing is the same); `None` otherwise, or when
    /// a file's entity cannot simply take the place of the one before (a file that did not
    /// parse now does, or the other way round).
    fn patch(
        &mut self,
        config: &Config,
        changes: &mut Changes,
        diags: &mut Diagnostics,
    ) -> Option<RawSite> {
        let last = self.last.as_mut()?;
        let mut stale = Vec::new();
        for (path, read) in &self.reads {
            if !read.stale {
                continue;
            }
            let &(at, place) = last.places.get(path)?;
            let folder = self.folders[last.listed[at].kind as usize].as_deref()?;
            let name = Path::new(path).file_name()?.to_str()?;
            let found = folder
                .binary_search_by(|f| f.name.as_str().cmp(name))
                .ok()
                .map(|i| &folder[i])?;
            if !matches!(found.what, FoundKind::File) {
                return None;
            }
            stale.push((at, place));
        }
        // Every listed file has been read before (the listing is the last one).
        let fresh: Vec<(usize, Option<Place>, Read)> = stale
            .par_iter()
            .map(|&(at, place)| {
                let l = &last.listed[at];
                let id = self.ids[l.path.as_os_str()];
                (at, place, read_fresh(&self.root, l, id, config))
            })
            .collect();
        for (at, place, read) in fresh {
            let path = last.listed[at].path.as_os_str();
            let old = self.reads.get_mut(path)?;
            old.stale = false;
            if old.hash == read.hash {
                continue;
            }
            if kind_of(&read.parsed) != place.map(|(kind, _)| kind) {
                // Entities would move: assemble from the listing.
                self.reads.insert(path.to_owned(), read);
                changes.files.insert(self.ids[path]);
                self.stale.clear();
                return None;
            }
            if let Some(place) = place {
                set_entity(&mut last.site, place, &read.parsed);
            }
            last.site.sources.set(read.id, Arc::clone(&read.file));
            changes.files.insert(read.id);
            *old = read;
        }
        self.stale.clear();
        for read in self.reads.values() {
            if !read.diags.items().is_empty() {
                diags.extend(read.diags.clone());
            }
        }
        diags.extend(last.placeholder_diags.clone());
        changes.patched = true;
        Some(RawSite {
            config: config.clone(),
            ..last.site.clone()
        })
    }

    /// Walk the folders that must be walked, and look again at the stale paths of the rest.
    /// Whether the listing may have changed (a folder walked, a name come or gone).
    fn refresh_folders(&mut self) -> bool {
        let mut relisted = false;
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            if self.folders[i].is_none() {
                relisted = true;
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
            let before = found
                .iter()
                .position(|f| f.name == name)
                .map(|i| found.remove(i).what);
            let now = stat_one(&self.canonical_root, name, path.clone());
            // Whether the listing stays the same: a file that was there and still is (of
            // any size), or a name that neither was nor is there (an editor's temporary file).
            let same_listing = match (&before, &now) {
                (Some(FoundKind::File), Some(now)) => matches!(now.what, FoundKind::File),
                (None, None) => true,
                _ => false,
            };
            relisted |= !same_listing;
            if let Some(now) = now {
                let at = found.partition_point(|f| f.name < now.name);
                found.insert(at, now);
            }
            if let Some(read) = self.reads.get_mut(path.as_os_str()) {
                read.stale = true;
            }
        }
        relisted
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

/// Read and parse one listed file.
fn read_fresh(root: &Path, listed: &Listed, id: FileId, config: &Config) -> Read {
    let (file, parsed, diags) = read_one(root, listed, id, config);
    Read {
        id,
        hash: content_hash(&file.text),
        stale: false,
        file: Arc::new(file),
        parsed,
        diags,
    }
}

/// Add a parsed file's entity to the lists of `site`; where it went.
fn push_entity(site: &mut RawSite, parsed: &Parsed) -> Option<Place> {
    let (kind, len) = match parsed {
        Parsed::Article(a) => (Kind::Article, push(&mut site.articles, a)),
        Parsed::Meeting(m) => (Kind::Meeting, push(&mut site.meetings, m)),
        Parsed::Person(p) => (Kind::Person, push(&mut site.people, p)),
        Parsed::Topic(t) => (Kind::Topic, push(&mut site.topics, t)),
        Parsed::Organization(o) => (Kind::Organization, push(&mut site.organizations, o)),
        Parsed::Nothing => return None,
    };
    Some((kind, len - 1))
}

fn push<T>(list: &mut Vec<Arc<T>>, item: &Arc<T>) -> usize {
    list.push(Arc::clone(item));
    list.len()
}

/// The kind of a parsed file's entity (`None` when it did not parse): a changed file's entity
/// takes the place of the one before only when the kinds are the same.
fn kind_of(parsed: &Parsed) -> Option<Kind> {
    match parsed {
        Parsed::Article(_) => Some(Kind::Article),
        Parsed::Meeting(_) => Some(Kind::Meeting),
        Parsed::Person(_) => Some(Kind::Person),
        Parsed::Topic(_) => Some(Kind::Topic),
        Parsed::Organization(_) => Some(Kind::Organization),
        Parsed::Nothing => None,
    }
}

/// Put a parsed file's entity at `place` (of its kind) in the lists of `site`.
fn set_entity(site: &mut RawSite, (_, at): Place, parsed: &Parsed) {
    match parsed {
        Parsed::Article(a) => site.articles[at] = Arc::clone(a),
        Parsed::Meeting(m) => site.meetings[at] = Arc::clone(m),
        Parsed::Person(p) => site.people[at] = Arc::clone(p),
        Parsed::Topic(t) => site.topics[at] = Arc::clone(t),
        Parsed::Organization(o) => site.organizations[at] = Arc::clone(o),
        Parsed::Nothing => {}
    }
}

/// A hash of a file's text, to tell a real change from a save of the same bytes.
fn content_hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// The fixture site copied into a temporary folder.
    fn fixture() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/full");
        for entry in walkdir(&from) {
            let target = root.join(entry.strip_prefix(&from).unwrap());
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(&entry, &target).unwrap();
        }
        (dir, root)
    }

    fn walkdir(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(walkdir(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    /// What a load holds, spelt out (file ids included) to compare two loads.
    fn described(site: &RawSite, diags: &Diagnostics) -> String {
        let texts: Vec<(String, &str)> = site
            .sources
            .iter()
            .map(|(id, f)| (format!("{id:?} {}", f.rel_path), f.text.as_str()))
            .collect();
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}",
            site.articles,
            site.meetings,
            site.people,
            site.topics,
            site.organizations,
            texts,
            diags.render(&site.sources)
        )
    }

    fn load_again(loader: &mut Loader) -> (String, Changes) {
        let mut diags = Diagnostics::default();
        let (site, changes) = loader.load(&mut diags).unwrap().unwrap();
        (described(&site, &diags), changes)
    }

    fn load_fresh(root: &Path) -> String {
        let mut diags = Diagnostics::default();
        let site = crate::load::load(root, &mut diags).unwrap().unwrap();
        described(&site, &diags)
    }

    #[test]
    fn a_patched_load_is_a_fresh_load() {
        let (_dir, root) = fixture();
        let mut loader = Loader::new(&root);
        let (first, changes) = load_again(&mut loader);
        assert!(changes.all && !changes.patched);
        assert_eq!(first, load_fresh(&root));

        // Saved through a temporary file renamed into place, as many editors do.
        let person = root.join("content/people/li-wei.yaml");
        let temporary = root.join("content/people/li-wei.yaml.tmp1234");
        let text = fs::read_to_string(&person).unwrap();
        fs::write(&temporary, text.replace("Li Wei", "Li Wei-ming")).unwrap();
        fs::rename(&temporary, &person).unwrap();
        loader.changed(&temporary);
        loader.changed(&person);
        let (patched, changes) = load_again(&mut loader);
        assert!(changes.patched, "a changed person is patched in");
        assert_eq!(changes.files.len(), 1);
        assert_eq!(patched, load_fresh(&root));

        // A file that no longer parses leaves its place empty: assembled again.
        let meeting = root.join("content/meetings/fourth-plenary.yaml");
        let good = fs::read_to_string(&meeting).unwrap();
        fs::write(&meeting, format!("{good}\nnot: [valid\n")).unwrap();
        loader.changed(&meeting);
        let (broken, changes) = load_again(&mut loader);
        assert!(!changes.patched);
        assert_eq!(broken, load_fresh(&root));
        fs::write(&meeting, &good).unwrap();
        loader.changed(&meeting);
        let (fixed, _) = load_again(&mut loader);
        assert_eq!(fixed, load_fresh(&root));

        // Saved with the same bytes: patched, and nothing changed.
        loader.changed(&person);
        let (same, changes) = load_again(&mut loader);
        assert!(changes.patched && changes.files.is_empty());
        assert_eq!(same, load_fresh(&root));

        // A new file changes the listing (and takes the next free id, so only the entities
        // are compared).
        let added = root.join("content/topics/new-topic.yaml");
        fs::write(&added, "title: A new topic\nsummary: New.\n").unwrap();
        loader.changed(&added);
        let mut diags = Diagnostics::default();
        let (site, changes) = loader.load(&mut diags).unwrap().unwrap();
        assert!(!changes.patched);
        let ids: Vec<&str> = site.topics.iter().map(|t| t.common.id.as_str()).collect();
        assert_eq!(
            ids,
            ["new-topic", "soe-reform", "three-attacks", "zone-reform"]
        );
    }
}
