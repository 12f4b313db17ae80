//! Source files and spans.
//!
//! Every file the loader reads becomes a [`SourceFile`] in a [`SourceMap`]; the rest of the
//! pipeline refers to places in it by [`Span`] (file id plus byte range). Spans are turned into
//! `line:column` only when a diagnostic is printed, so carrying them costs nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range inside one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span covering a whole file, printed as `1:1`.
    pub fn file_start(file: FileId) -> Self {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }

    /// A span of `len` bytes from `start`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end }
    }
}

/// One file read by the loader.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators, as shown in diagnostics.
    pub rel_path: String,
    /// Absolute path on disk (empty for built-in files).
    pub abs_path: PathBuf,
    /// Text of the file (invalid files are stored empty).
    pub text: String,
    /// Where each line starts, found when first asked for (only a problem's position needs
    /// them, and most files have none).
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// Wrap a file's text.
    pub fn new(rel_path: String, abs_path: PathBuf, text: String) -> Self {
        SourceFile {
            rel_path,
            abs_path,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let start = starts[line];
        let mut end = offset;
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        (line + 1, column)
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }
}

/// All files of one run, indexed by [`FileId`]. Files are shared, so a map is cheap to copy
/// (`serve` keeps the files it has read from one rebuild to the next).
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    /// Add a file and return its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.add_shared(Arc::new(file))
    }

    /// Add a shared file and return its id.
    pub fn add_shared(&mut self, file: Arc<SourceFile>) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    /// Put a shared file at a given id, filling any gap before it with empty files (ids that
    /// stay the same from one rebuild to the next, for `serve`).
    pub fn set(&mut self, id: FileId, file: Arc<SourceFile>) {
        let at = id.0 as usize;
        if self.files.len() <= at {
            let empty = Arc::new(SourceFile::new(
                String::new(),
                PathBuf::new(),
                String::new(),
            ));
            self.files.resize(at + 1, empty);
        }
        self.files[at] = file;
    }

    /// How many ids are taken.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file behind an id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The shared file behind an id (to keep it, or to tell whether it is the same as before).
    pub fn get_shared(&self, id: FileId) -> &Arc<SourceFile> {
        &self.files[id.0 as usize]
    }

    /// Let go of the text of every file for which `release` says yes (the file stays, empty,
    /// under its name). A build that has rendered its article bodies calls this for the
    /// articles no diagnostic points into: nothing later reads them, and their text is most of
    /// what was loaded.
    pub fn release_texts(&mut self, release: impl Fn(FileId) -> bool) {
        for i in 0..self.files.len() {
            let id = FileId(i as u32);
            if release(id) {
                self.keep_only_start(id, 0);
            }
        }
    }

    /// Keep only the first `len` bytes of a file's text (the front matter of an article whose
    /// body has been rendered): what a problem found later can point into.
    pub fn keep_only_start(&mut self, id: FileId, len: usize) {
        let Some(file) = self.files.get_mut(id.0 as usize) else {
            return;
        };
        if len < file.text.len() && file.text.is_char_boundary(len) {
            *file = Arc::new(SourceFile::new(
                file.rel_path.clone(),
                file.abs_path.clone(),
                file.text[..len].to_string(),
            ));
        }
    }

    /// Every file, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), &**f))
    }

    /// Text of the span.
    pub fn slice(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        text.get(span.start..span.end).unwrap_or("")
    }
}

/// `path` relative to `root`, with forward slashes.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a".into(), PathBuf::new(), "ab\n袁家军: x\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        let colon = f.text.find(':').unwrap();
        assert_eq!(f.line_col(colon), (2, 4));
        assert_eq!(f.offset_of(2, 4), colon);
    }
}
