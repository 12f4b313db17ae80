//! Helpers shared by the integration tests: running the binary, copying fixtures, reading
//! built output and checking its links.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What one run of the binary gave.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the whole output unless the exit status is `code`.
    pub fn expect_code(&self, code: i32, what: &str) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Run `briefing` with `args`; asserts that it did not panic.
pub fn briefing<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    briefing_in(None, args)
}

/// Run `briefing` in the folder `cwd` (when given).
pub fn briefing_in<S: AsRef<std::ffi::OsStr>>(cwd: Option<&Path>, args: &[S]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_briefing"));
    cmd.args(args).env_remove("BRIEFING_TIMINGS");
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the binary runs");
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    let args: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
        "briefing {args:?} panicked:\n{}",
        run.stderr
    );
    assert!(
        run.code.is_some(),
        "briefing {args:?} was killed by a signal:\n{}",
        run.stderr
    );
    run
}

/// The folder holding the committed fixture sites.
pub fn sites_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sites")
}

/// Copy a folder tree (files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fresh temporary copy of `tests/sites/<name>`; the site is at `<tempdir>/site`.
pub fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&sites_dir().join(name), &site);
    (dir, site)
}

/// Every file under `dir`, as paths relative to it (with `/`), sorted.
pub fn all_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Every file under `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    all_files(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// Every file under `dir` with its modification time.
pub fn mtimes(dir: &Path) -> BTreeMap<String, std::time::SystemTime> {
    all_files(dir)
        .into_iter()
        .map(|rel| {
            let m = std::fs::metadata(dir.join(&rel))
                .unwrap()
                .modified()
                .unwrap();
            (rel, m)
        })
        .collect()
}

/// Write a file of a site, creating its folder (an edit in place).
#[allow(dead_code)]
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Save the way many editors do: a hidden temporary file beside it, renamed over it, so that a
/// watcher never sees it half written.
#[allow(dead_code)]
pub fn write_and_rename(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

/// Read a file as text.
pub fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel))
        .unwrap_or_else(|e| panic!("cannot read {rel} in {}: {e}", dir.display()))
}

/// The values of every `attr="…"` in `html` (double-quoted, as the theme and sanitizer write).
pub fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (i, _) in html.match_indices(&format!("{attr}=\"")) {
        // Only whole attribute names: preceded by white space.
        let before = html[..i].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = &html[i + attr.len() + 2..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
        }
    }
    out
}

/// Decode the few entities that may appear in an attribute value.
pub fn unescape_attr(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// How the links of a build are written.
pub enum LinkStyle<'a> {
    /// Rooted at the path part of base_url, e.g. `/brief/`; full URLs under `base_url` also
    /// name files of the build.
    Rooted {
        base_path: &'a str,
        base_url: &'a str,
    },
    /// Relative to the page, naming files (`../../people/x/index.html`).
    Offline { base_url: &'a str },
}

fn external(link: &str) -> bool {
    link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:")
}

/// Join `rel` onto folder `dir` (both relative to the output root), resolving `..` and `.`.
/// `None` when the path climbs out of the output.
fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut joined = parts.join("/");
    if rel.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// The output file a path (relative to the output root) names: `x/` is `x/index.html`.
fn file_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// Check every `href` and `src` of every HTML page under `out`: each internal link must name a
/// file of the build and each `#anchor` an `id` in that file. Returns how many were checked.
pub fn check_links(out: &Path, style: &LinkStyle) -> usize {
    let files = all_files(out);
    let existing: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let pages: Vec<&String> = files.iter().filter(|f| f.ends_with(".html")).collect();
    let ids: BTreeMap<&str, BTreeSet<String>> = pages
        .iter()
        .map(|p| {
            let html = read(out, p);
            let set = attr_values(&html, "id")
                .into_iter()
                .map(unescape_attr)
                .collect();
            (p.as_str(), set)
        })
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let html = read(out, page);
        let dir = page.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let links = attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"));
        for raw in links {
            let link = unescape_attr(raw);
            if link.to_ascii_lowercase().starts_with("javascript:") {
                failures.push(format!("{page}: javascript link {link}"));
                continue;
            }
            let (path, anchor) = match link.split_once('#') {
                Some((p, a)) => (p.to_string(), Some(a.to_string())),
                None => (link.clone(), None),
            };
            let target: String = if path.is_empty() {
                page.to_string()
            } else {
                match style {
                    LinkStyle::Rooted {
                        base_path,
                        base_url,
                    } => {
                        if let Some(rest) = path.strip_prefix(base_path) {
                            file_of(rest)
                        } else if let Some(rest) = path.strip_prefix(base_url) {
                            file_of(rest)
                        } else if external(&path) {
                            continue;
                        } else {
                            failures.push(format!(
                                "{page}: link {link} is neither under {base_path} nor external"
                            ));
                            continue;
                        }
                    }
                    LinkStyle::Offline { base_url } => {
                        if path.starts_with(base_url) {
                            // Full URLs (canonical, feed) keep pointing at the site.
                            file_of(&path[base_url.len()..])
                        } else if external(&path) {
                            continue;
                        } else if path.starts_with('/') {
                            failures
                                .push(format!("{page}: rooted link {link} in an offline build"));
                            continue;
                        } else if path.ends_with('/') {
                            failures.push(format!(
                                "{page}: offline link {link} names a folder, not a file"
                            ));
                            continue;
                        } else {
                            match join_relative(dir, &path) {
                                Some(t) => t,
                                None => {
                                    failures.push(format!(
                                        "{page}: link {link} climbs out of the output"
                                    ));
                                    continue;
                                }
                            }
                        }
                    }
                }
            };
            checked += 1;
            if !existing.contains(target.as_str()) {
                failures.push(format!("{page}: link {link} names a missing file {target}"));
                continue;
            }
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                let known = ids.get(target.as_str());
                if !known.is_some_and(|k| k.contains(&anchor)) {
                    failures.push(format!("{page}: link {link}: no id `{anchor}` in {target}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} broken links:\n{}",
        failures.len(),
        failures.join("\n")
    );
    checked
}

/// The `<loc>` addresses of a sitemap.
pub fn sitemap_locs(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .filter_map(|s| s.split_once("</loc>").map(|(l, _)| unescape_attr(l)))
        .collect()
}

/// The inner HTML of the numbered paragraph `pN` of an article page, if there is one.
pub fn paragraph<'a>(html: &'a str, n: usize) -> Option<&'a str> {
    let start = html.find(&format!("<div class=\"para\" id=\"p{n}\">"))?;
    let rest = &html[start..];
    // A numbered paragraph ends where its text (and its "cited by" aside) closes.
    let end = ["</div></div>", "</aside></div>"]
        .iter()
        .filter_map(|close| rest.find(close).map(|e| e + close.len()))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The body of an article page: from its numbered body to the end of the `<article>`.
pub fn article_body(html: &str) -> &str {
    let start = html
        .find("<div class=\"body")
        .expect("the article page has a body");
    let end = html[start..]
        .find("</article>")
        .map(|e| start + e)
        .unwrap_or(html.len());
    &html[start..end]
}
