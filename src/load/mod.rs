//! Loading: the site folder in, a [`RawSite`] of typed but unresolved entities out.
//!
//! Reads `site.toml`, then every content file (in parallel), checks names, sizes and encodings,
//! splits article front matter from the body, and reads each YAML document into the typed
//! entities of [`crate::model`]. Every problem becomes a diagnostic; nothing is resolved yet.

pub mod cache;
pub mod config;
pub mod entities;
pub mod fields;
pub mod yaml;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::*;
use crate::source::{FileId, SourceFile, SourceMap, Span, relative_path};
use config::Config;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use yaml::Embedding;

/// Everything read from a site folder, before references are checked.
#[derive(Clone, Debug)]
pub struct RawSite {
    /// The site folder.
    pub root: PathBuf,
    /// `site.toml`, parsed.
    pub config: Config,
    /// Every file read.
    pub sources: SourceMap,
    /// Articles, sorted by id.
    pub articles: Vec<Arc<Article>>,
    /// Meetings, sorted by id.
    pub meetings: Vec<Arc<Meeting>>,
    /// People, sorted by id.
    pub people: Vec<Arc<Person>>,
    /// Topics, sorted by id.
    pub topics: Vec<Arc<Topic>>,
    /// Organizations, sorted by id.
    pub organizations: Vec<Arc<Organization>>,
}

/// Why a site could not even be read (exit status 2, not a content error).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No `site.toml` under the root.
    #[error("no site.toml in {0}: run `briefing init DIR` to start a site, or pass --root")]
    NoConfig(PathBuf),
    /// The root or `site.toml` cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Read `site.toml` alone (used by commands that need the config before the content).
pub fn read_config(
    root: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Result<Option<Config>, LoadError> {
    let path = root.join("site.toml");
    if !path.is_file() {
        return Err(LoadError::NoConfig(root.to_path_buf()));
    }
    let bytes = read_plain_file(&path).map_err(|source| LoadError::Io {
        path: path.clone(),
        source,
    })?;
    let (text, problem) = decode(bytes);
    let id = sources.add(SourceFile::new("site.toml".into(), path, text));
    if let Some(problem) = problem {
        diags.error(Span::file_start(id), problem);
        return Ok(None);
    }
    Ok(config::parse(sources.get(id), id, diags))
}

/// Read the whole site. Content problems are in `diags`; `Err` only when there is no site.
/// When `site.toml` itself is wrong, the files read so far come back as `Ok(Err(sources))`.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Result<Result<RawSite, SourceMap>, LoadError> {
    let mut sources = SourceMap::default();
    let Some(config) = read_config(root, &mut sources, diags)? else {
        return Ok(Err(sources));
    };
    let files = list_content(root, &config, &mut sources, diags);
    let first_id = sources.iter().count() as u32;
    let results: Vec<(SourceFile, Parsed, Diagnostics)> = files
        .par_iter()
        .enumerate()
        .map(|(i, listed)| read_one(root, listed, FileId(first_id + i as u32), &config))
        .collect();
    let mut site = RawSite {
        root: root.to_path_buf(),
        config,
        sources,
        articles: Vec::new(),
        meetings: Vec::new(),
        people: Vec::new(),
        topics: Vec::new(),
        organizations: Vec::new(),
    };
    for (file, parsed, file_diags) in results {
        site.sources.add(file);
        diags.extend(file_diags);
        match parsed {
            Parsed::Article(a) => site.articles.push(a),
            Parsed::Meeting(m) => site.meetings.push(m),
            Parsed::Person(p) => site.people.push(p),
            Parsed::Topic(t) => site.topics.push(t),
            Parsed::Organization(o) => site.organizations.push(o),
            Parsed::Nothing => {}
        }
    }
    Ok(Ok(site))
}

/// A content file found by the walk, not yet read.
#[derive(Clone, Debug)]
pub(crate) struct Listed {
    kind: Kind,
    id: String,
    path: PathBuf,
}

#[derive(Clone, Debug)]
pub(crate) enum Parsed {
    Article(Arc<Article>),
    Meeting(Arc<Meeting>),
    Person(Arc<Person>),
    Topic(Arc<Topic>),
    Organization(Arc<Organization>),
    Nothing,
}

/// Whether a file name is one that editors and systems leave behind, ignored silently.
pub fn is_ignored_silently(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
}

/// Whether `id` is a valid entity id (`^[a-z0-9]+(-[a-z0-9]+)*$`, at most 100 characters).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// One name in a content folder as the walk found it, before any file is read.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    name: String,
    path: PathBuf,
    what: FoundKind,
}

#[derive(Clone, Debug)]
enum FoundKind {
    /// A file (or a link to one inside the site); its size is checked when it is read.
    File,
    /// A folder (or a link to one).
    Folder,
    /// A link to somewhere outside the site.
    LinkOutside(PathBuf),
    /// A link to nothing.
    BrokenLink,
    /// Its metadata could not be read.
    Unreadable(String),
}

/// The root as the file system resolves it, for telling links out of the site.
pub(crate) fn canonical_root(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// The names in the content folder of `kind`, sorted, without the silently ignored ones.
pub(crate) fn scan_folder(root: &Path, canonical_root: &Path, kind: Kind) -> Vec<Found> {
    let dir = root.join("content").join(kind.folder());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let names: Vec<(String, PathBuf, bool)> = entries
        .filter_map(|e| e.ok())
        .map(|e| {
            // The listing says which names are plain files, nearly all of them; the others
            // (folders, links, or when the file system does not say) are asked about.
            let plain_file = e.file_type().is_ok_and(|t| t.is_file());
            (
                e.file_name().to_string_lossy().into_owned(),
                e.path(),
                plain_file,
            )
        })
        .collect();
    let mut found: Vec<Found> = names
        .into_par_iter()
        .filter_map(|(name, path, plain_file)| match plain_file {
            true if is_ignored_silently(&name) => None,
            true => Some(Found {
                name,
                path,
                what: FoundKind::File,
            }),
            false => stat_one(canonical_root, name, path),
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// What one name in a content folder is now; `None` when it is gone or ignored silently.
pub(crate) fn stat_one(canonical_root: &Path, name: String, path: PathBuf) -> Option<Found> {
    if is_ignored_silently(&name) {
        return None;
    }
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            let what = FoundKind::Unreadable(e.to_string());
            return Some(Found { name, path, what });
        }
    };
    let what = if meta.file_type().is_symlink() {
        match path.canonicalize() {
            Ok(target) if target.starts_with(canonical_root) => match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => FoundKind::Folder,
                Ok(m) if m.is_file() => FoundKind::File,
                Ok(_) => FoundKind::Unreadable(NOT_A_FILE.into()),
                Err(_) => FoundKind::BrokenLink,
            },
            Ok(target) => FoundKind::LinkOutside(target),
            Err(_) => FoundKind::BrokenLink,
        }
    } else if meta.is_dir() {
        FoundKind::Folder
    } else if meta.is_file() {
        FoundKind::File
    } else {
        FoundKind::Unreadable(NOT_A_FILE.into())
    };
    Some(Found { name, path, what })
}

/// Why a named pipe, socket or device in a content folder is not read (reading a pipe would
/// wait for a writer forever).
const NOT_A_FILE: &str = "it is not a plain file (a named pipe, a socket or a device)";

/// Walk the five content folders.
fn list_content(
    root: &Path,
    config: &Config,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Listed> {
    let canonical_root = canonical_root(root);
    let folders = Kind::ALL.map(|kind| scan_folder(root, &canonical_root, kind));
    check_listing(
        root,
        folders.each_ref().map(Vec::as_slice),
        config,
        sources,
        diags,
    )
}

/// The content files to read, from what the walk found; problems with names go to `diags`
/// against a placeholder file.
pub(crate) fn check_listing(
    root: &Path,
    folders: [&[Found]; 5],
    config: &Config,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Listed> {
    let mut listed = Vec::new();
    for (kind, found) in Kind::ALL.into_iter().zip(folders) {
        let mut seen: rustc_hash::FxHashMap<&str, &Path> = Default::default();
        for Found { name, path, what } in found {
            let mut problem = |message: String, severity_error: bool| {
                let id = sources.add(SourceFile::new(
                    relative_path(root, path),
                    path.clone(),
                    String::new(),
                ));
                let span = Span::file_start(id);
                diags.push(if severity_error {
                    Diagnostic::error(span, message)
                } else {
                    Diagnostic::warning(span, message)
                });
            };
            match what {
                FoundKind::File => {}
                FoundKind::Unreadable(e) => {
                    problem(format!("cannot read this file: {e}"), true);
                    continue;
                }
                FoundKind::LinkOutside(target) => {
                    problem(
                        format!(
                            "this is a link to {}, outside the site; copy the file in instead",
                            target.display()
                        ),
                        true,
                    );
                    continue;
                }
                FoundKind::BrokenLink => {
                    problem("this is a broken link".into(), true);
                    continue;
                }
                FoundKind::Folder => {
                    problem(
                        format!("subfolders of content/{}/ are ignored", kind.folder()),
                        false,
                    );
                    continue;
                }
            }
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
            let wanted = match kind {
                Kind::Article => ext == "md",
                _ => ext == "yaml" || ext == "yml",
            };
            if !wanted {
                let expected = if kind == Kind::Article {
                    "`.md`"
                } else {
                    "`.yaml` or `.yml`"
                };
                problem(
                    format!(
                        "ignored: files in content/{}/ end in {expected}",
                        kind.folder()
                    ),
                    false,
                );
                continue;
            }
            if !is_valid_id(stem) {
                problem(
                    format!(
                        "`{stem}` is not a valid id: use lowercase letters, digits and single hyphens (like `{}`), at most 100 characters",
                        suggest_id(stem)
                    ),
                    true,
                );
                continue;
            }
            if let Some(other) = seen.get(stem) {
                problem(
                    format!(
                        "two files have the id `{stem}`: this one and {}",
                        relative_path(root, other)
                    ),
                    true,
                );
                continue;
            }
            seen.insert(stem, path);
            listed.push(Listed {
                kind,
                id: stem.to_string(),
                path: path.clone(),
            });
        }
    }
    if listed.len() as u64 > config.limits.max_files {
        let id = sources.add(SourceFile::new(
            "content".into(),
            root.join("content"),
            String::new(),
        ));
        diags.error(
            Span::file_start(id),
            format!(
                "the site has {} content files, over the limit of {} ([limits] max_files in site.toml raises it)",
                listed.len(),
                config.limits.max_files
            ),
        );
        // The site is refused: reading part of it would only add errors that are not true.
        listed.clear();
    }
    listed
}

/// A valid id made from an invalid one, for suggestions.
pub fn suggest_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars().flat_map(|c| c.to_lowercase()) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    let id: String = id.chars().take(100).collect();
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() { "my-id".into() } else { id }
}

/// Bytes to text: `Err`-like second value when the file is not UTF-8 text.
fn decode(bytes: Vec<u8>) -> (String, Option<String>) {
    if bytes.contains(&0) {
        return (
            String::new(),
            Some("this is a binary file, not text".into()),
        );
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            (clean_text(text), None)
        }
        Err(e) => (
            String::new(),
            Some(format!(
                "this file is not valid UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            )),
        ),
    }
}

/// Control characters other than tab and line ends have no place in text or HTML; they become
/// spaces (one byte for one byte, so spans stay true). Lone `\r` line ends become `\n`. Text
/// with neither (nearly all) is kept as it is, without a copy.
fn clean_text(text: String) -> String {
    let text = if text.contains('\r') {
        text.replace("\r\n", " \n").replace('\r', "\n")
    } else {
        text
    };
    if !has_stray_control(text.as_bytes()) {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' && (c as u32) < 0x80 {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Whether `bytes` hold an ASCII control character other than tab and line feed. Looked at
/// eight bytes at a time: most words of text hold no byte below 0x20 and no 0x7F at all.
fn has_stray_control(bytes: &[u8]) -> bool {
    use crate::scan::{any_below, any_equal};
    let stray = |b: &u8| (*b < 0x20 && *b != b'\t' && *b != b'\n') || *b == 0x7f;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let w = crate::scan::word_at(word, 0).unwrap_or(0);
        // Tabs and line feeds are below 0x20 too: the byte-by-byte look settles those words.
        if any_below(w, 0x20) | any_equal(w, 0x7f) != 0 && word.iter().any(stray) {
            return true;
        }
    }
    words.remainder().iter().any(stray)
}

pub(crate) fn read_one(
    root: &Path,
    listed: &Listed,
    id: FileId,
    config: &Config,
) -> (SourceFile, Parsed, Diagnostics) {
    let mut diags = Diagnostics::default();
    let rel = relative_path(root, &listed.path);
    let empty = |diags: Diagnostics| {
        (
            SourceFile::new(rel.clone(), listed.path.clone(), String::new()),
            Parsed::Nothing,
            diags,
        )
    };
    let limit = config.limits.max_file_bytes;
    let bytes = match read_at_most(&listed.path, limit) {
        Ok(Ok(b)) => b,
        Ok(Err(size)) => {
            diags.error(
                Span::file_start(id),
                format!(
                    "this file is {size} bytes, over the limit of {limit} ([limits] max_file_bytes in site.toml raises it)"
                ),
            );
            return empty(diags);
        }
        Err(e) => {
            diags.error(Span::file_start(id), format!("cannot read this file: {e}"));
            return empty(diags);
        }
    };
    let (text, problem) = decode(bytes);
    if let Some(problem) = problem {
        diags.error(Span::file_start(id), problem);
        return empty(diags);
    }
    let file = SourceFile::new(rel, listed.path.clone(), text);
    let parsed = parse_file(&file, id, listed, config, &mut diags);
    (file, parsed, diags)
}

/// The bytes of the file at `path`, or `Err(size)` when its metadata says it holds more than
/// `limit` bytes.
fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
    let (file, size) = open_plain_file(path)?;
    if size > limit {
        return Ok(Err(size));
    }
    read_size(file, size).map(Ok)
}

/// The bytes of the plain file at `path` (see [`open_plain_file`]).
pub(crate) fn read_plain_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let (file, size) = open_plain_file(path)?;
    read_size(file, size)
}

/// The first `size` bytes of `file` (all of them, when it holds no more): the file as its
/// metadata described it, read in one call most often, without a last call to find the end (a
/// file that grows meanwhile is read as it was).
fn read_size(file: std::fs::File, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(size).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The file at `path`, open for reading, and its size, when it is a plain file. A named pipe,
/// a socket or a device is an error, told without waiting: opening a pipe to read waits for a
/// writer, so it is opened without blocking and looked at before anything is read.
fn open_plain_file(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Reading a plain file takes no notice of this flag.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(NOT_A_FILE));
    }
    Ok((file, meta.len()))
}

fn parse_file(
    file: &SourceFile,
    id: FileId,
    listed: &Listed,
    config: &Config,
    diags: &mut Diagnostics,
) -> Parsed {
    let limits = config.limits.yaml();
    if listed.kind == Kind::Article {
        let Some((yaml_start, yaml_end, body_start)) = split_front_matter(&file.text) else {
            diags.error(Span::file_start(id), "an article starts with YAML front matter between two `---` lines (title, source, …)");
            return Parsed::Nothing;
        };
        let yaml_text = &file.text[yaml_start..yaml_end];
        let node = match parse_yaml(yaml_text, file, id, yaml_start, limits) {
            Ok(n) => n,
            Err(d) => {
                diags.push(d);
                return Parsed::Nothing;
            }
        };
        let body = Markdown {
            // The body is read from the file itself when rendered: no second copy.
            text: String::new(),
            span: Span::new(id, body_start, body_start),
            exact_offset: Some(body_start),
        };
        return entities::article(&listed.id, id, &node, body, diags)
            .map(|a| Parsed::Article(Arc::new(a)))
            .unwrap_or(Parsed::Nothing);
    }
    let node = match parse_yaml(&file.text, file, id, 0, limits) {
        Ok(n) => n,
        Err(d) => {
            diags.push(d);
            return Parsed::Nothing;
        }
    };
    if matches!(node.value, yaml::Value::Null) {
        diags.error(
            Span::file_start(id),
            format!("this {} file is empty", listed.kind),
        );
        return Parsed::Nothing;
    }
    let lid = &listed.id;
    match listed.kind {
        Kind::Meeting => {
            entities::meeting(lid, id, &node, diags).map(|m| Parsed::Meeting(Arc::new(m)))
        }
        Kind::Person => {
            entities::person(lid, id, &node, diags).map(|m| Parsed::Person(Arc::new(m)))
        }
        Kind::Topic => entities::topic(lid, id, &node, diags).map(|m| Parsed::Topic(Arc::new(m))),
        Kind::Organization => {
            entities::organization(lid, id, &node, diags).map(|m| Parsed::Organization(Arc::new(m)))
        }
        Kind::Article => None,
    }
    .unwrap_or(Parsed::Nothing)
}

fn parse_yaml(
    text: &str,
    file: &SourceFile,
    id: FileId,
    offset: usize,
    limits: yaml::YamlLimits,
) -> Result<yaml::Node, Diagnostic> {
    let max_depth = limits.max_depth;
    if let Some(at) = nesting_over(text, max_depth) {
        return Err(Diagnostic::error(
            Span::new(id, offset + at, offset + at),
            format!(
                "this YAML nests deeper than {max_depth} levels ([limits] max_yaml_depth in site.toml raises it)"
            ),
        ));
    }
    yaml::parse_within(text, Embedding { file, id, offset }, limits)
}

/// Byte offset where flow or block nesting first goes past `max`, if it does. A cheap pre-scan
/// so that a hostile file is refused before the parser recurses into it.
fn nesting_over(text: &str, max: usize) -> Option<usize> {
    let mut flow = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                flow += 1;
                if flow > max {
                    return Some(i);
                }
            }
            b']' | b'}' => flow = flow.saturating_sub(1),
            _ => {}
        }
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        if indent / 2 > max * 2 {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Byte ranges of the front matter (`yaml_start..yaml_end`) and the start of the body.
pub fn split_front_matter(text: &str) -> Option<(usize, usize, usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = first_end + 1;
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Some((yaml_start, offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_at_most(&path, 10).unwrap(), Ok(b"0123456789".to_vec()));
        assert_eq!(read_at_most(&path, 9).unwrap(), Err(10));
        assert!(read_at_most(&dir.path().join("missing.md"), 10).is_err());
    }

    #[test]
    fn the_walk_takes_plain_files_without_asking_and_asks_about_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let people = dir.path().join("content/people");
        std::fs::create_dir_all(people.join("sub")).unwrap();
        std::fs::write(people.join("b.yaml"), "name: B").unwrap();
        std::fs::write(people.join("a.yaml"), "name: A").unwrap();
        std::fs::write(people.join(".a.yaml.swp"), "").unwrap();
        let root = canonical_root(dir.path());
        let found = scan_folder(dir.path(), &root, Kind::Person);
        let seen: Vec<(&str, bool)> = found
            .iter()
            .map(|f| (f.name.as_str(), matches!(f.what, FoundKind::File)))
            .collect();
        assert_eq!(seen, [("a.yaml", true), ("b.yaml", true), ("sub", false)]);
    }

    #[cfg(unix)]
    fn make_pipe(path: &Path) {
        let path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: `path` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_reported_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let pipe_path = dir.path().join("pipe");
        make_pipe(&pipe_path);
        let err = read_plain_file(&pipe_path).unwrap_err();
        assert_eq!(err.to_string(), NOT_A_FILE);
        assert!(read_at_most(&pipe_path, 100).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_in_a_content_folder_is_listed_as_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let people = dir.path().join("content/people");
        std::fs::create_dir_all(&people).unwrap();
        make_pipe(&people.join("p.yaml"));
        let root = canonical_root(dir.path());
        let found = scan_folder(dir.path(), &root, Kind::Person);
        assert!(
            matches!(&found[0].what, FoundKind::Unreadable(why) if why == NOT_A_FILE),
            "{found:?}"
        );
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("yuan-jiajun"));
        assert!(is_valid_id("cq-6-4"));
        assert!(!is_valid_id("Yuan"));
        assert!(!is_valid_id("a--b"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id(&"a".repeat(101)));
        assert_eq!(suggest_id("Yuan Jiajun"), "yuan-jiajun");
    }

    #[test]
    fn front_matter_split() {
        let text = "---\ntitle: x\n---\nBody\n";
        let (a, b, c) = split_front_matter(text).unwrap();
        assert_eq!(&text[a..b], "title: x\n");
        assert_eq!(&text[c..], "Body\n");
        assert!(split_front_matter("no front matter").is_none());
    }

    #[test]
    fn decoding_keeps_clean_text_and_cleans_the_rest_byte_for_byte() {
        let decoded = |bytes: &[u8]| decode(bytes.to_vec());
        assert_eq!(decoded(b"a\tb\nc").0, "a\tb\nc");
        assert_eq!(decoded("\u{feff}title: x\n".as_bytes()).0, "title: x\n");
        assert_eq!(decoded(b"a\r\nb\rc").0, "a \nb\nc");
        assert!(decoded(b"a\0b").1.unwrap().contains("binary"));
        assert!(decoded(b"a\xffb").1.unwrap().contains("offset 1"));
        // A stray control character anywhere in a long text, wherever it falls in a word of
        // eight bytes, becomes one space.
        for stray in [0x01u8, 0x07, 0x1b, 0x1f, 0x7f] {
            for at in 0..20 {
                let mut text = "words, ".repeat(3).into_bytes();
                text.insert(at, stray);
                let mut expected = text.clone();
                expected[at] = b' ';
                assert_eq!(decoded(&text).0.as_bytes(), expected, "{stray:#x} at {at}");
            }
        }
        assert!(!has_stray_control("tabs\tand\nlines, é, 中文".as_bytes()));
    }

    #[test]
    fn deep_nesting_is_caught() {
        assert!(nesting_over(&"[".repeat(100), 64).is_some());
        assert!(nesting_over("a: [1, [2]]", 64).is_none());
    }
}
