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
                        if let Some(rest) = path.strip_prefix(base_url) {
                            // Full URLs (canonical, feed) keep pointing at the site.
                            file_of(rest)
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
pub fn paragraph(html: &str, n: usize) -> Option<&str> {
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

// ---------------------------------------------------------------------------------------------
// Hostile input: a small valid site to mutate, and checks on what a build of it printed and
// wrote. Used by tests/fuzz.rs and tests/hardening.rs.

/// The files of a small valid site (one file of each kind), as `(path, text)`.
pub fn small_site_files() -> Vec<(&'static str, String)> {
    vec![
        (
            "site.toml",
            "title = \"Small\"\nbase_url = \"https://example.org/small/\"\n".into(),
        ),
        (
            "content/articles/report.md",
            "---\ntitle: Commission announces a plan\nsource: Daily\npublished: 2024-03-05\n\
             language: en\n---\nThe Commission met on Monday. Jane Doe, its chair, presented \
             the plan.\n\nThe plan sets a target of 100 centres by 2027.\n"
                .into(),
        ),
        (
            "content/topics/reform.yaml",
            "title: Reform\naliases: [plan]\nsummary: The plan.\ntargets:\n  - text: 100 centres\n    \
             due: 2027\n    source: report#p2\n"
                .into(),
        ),
        (
            "content/meetings/plenary.yaml",
            "title: Plenary meeting\ndate: 2024-03\nkind: plenary meeting\norganization: commission\n\
             chair: jane-doe\ntopics: [reform]\nsources: [report]\nsummary: |\n  [[Jane Doe]] \
             presented the [[reform|plan]].\nkey_points:\n  - text: A target.\n    source: report#p2\n    \
             quote: 100 centres by 2027\n"
                .into(),
        ),
        (
            "content/organizations/commission.yaml",
            "name: Commission\nkind: commission\nsummary: A body.\n".into(),
        ),
        (
            "content/people/jane-doe.yaml",
            "name: Jane Doe\npositions:\n  - title: Chair\n    organization: commission\n    \
             as_of: 2024-03-05\n    source: report#p1\n    quote: Jane Doe, its chair\n\
             summary: Chair of the [[commission]].\n"
                .into(),
        ),
    ]
}

/// Write the small valid site into `root`.
pub fn write_small_site(root: &Path) {
    for (rel, text) in small_site_files() {
        write(root, rel, &text);
    }
}

/// Whether `line` is one diagnostic: `path:line:column: error|warning: message`.
pub fn is_diagnostic_line(line: &str) -> bool {
    let mut parts = line.splitn(4, ':');
    let (Some(path), Some(l), Some(c), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s != "0";
    !path.is_empty()
        && number(l)
        && number(c)
        && (rest.starts_with(" error: ") || rest.starts_with(" warning: "))
        && rest.trim_end().len() > " error: ".len()
}

/// Check what a `build` printed on standard error: every line a diagnostic or one of the
/// summary lines, and at least one error when the build failed. `Err` says which line is wrong.
pub fn check_diagnostics(stderr: &str, failed: bool) -> Result<(), String> {
    let mut errors = 0;
    for line in stderr.lines() {
        let summary = line.ends_with(" warnings") && line.contains(" error")
            || line == "nothing was written: the previous output is as it was"
            || !failed && line.starts_with("built ");
        if is_diagnostic_line(line) {
            errors += usize::from(line.contains(": error: "));
        } else if !summary {
            return Err(format!("not a diagnostic: {line:?}"));
        }
    }
    if failed && errors == 0 {
        return Err("the build failed without an error line".into());
    }
    Ok(())
}

/// One start tag of an HTML text: its name and attributes (names lower-cased, values raw).
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// Byte offset just past the tag's `>`.
    pub end: usize,
}

/// Every start tag in `html`, read the way a browser's tokenizer would (roughly: comments are
/// skipped, attribute values may be quoted or not).
pub fn start_tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"<!--") {
            i = html[i..]
                .find("-->")
                .map(|e| i + e + 3)
                .unwrap_or(bytes.len());
            continue;
        }
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !b"/>".contains(&bytes[j]) {
            j += 1;
        }
        let name = html[i + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let start = j;
            while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !b"/>=".contains(&bytes[j])
            {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if bytes.get(j) == Some(&b'=') {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if let Some(&q) = bytes.get(j).filter(|q| **q == b'"' || **q == b'\'') {
                    let close = html[j + 1..].find(q as char).map(|e| j + 1 + e);
                    let close = close.unwrap_or(bytes.len());
                    value = html[j + 1..close].to_string();
                    j = (close + 1).min(bytes.len());
                } else {
                    let v = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = html[v..j].to_string();
                }
            }
            if start == j {
                j += 1;
                while j < bytes.len() && !html.is_char_boundary(j) {
                    j += 1;
                }
            }
            attrs.push((attr, value));
        }
        let end = (j + 1).min(bytes.len());
        tags.push(Tag { name, attrs, end });
        i = end;
    }
    tags
}

/// A URL as a browser reads it: entities decoded, control characters and white space dropped,
/// lower-cased.
fn normalized_url(value: &str) -> String {
    let mut decoded = unescape_attr(value);
    for (entity, c) in [("&colon;", ":"), ("&tab;", ""), ("&newline;", "")] {
        decoded = decoded
            .replace(entity, c)
            .replace(&entity.to_uppercase(), c);
    }
    let mut out = String::new();
    let mut rest = decoded.as_str();
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let (digits, radix) = match tail.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (tail, 10),
        };
        let len = digits.chars().take_while(|c| c.is_digit(radix)).count();
        match u32::from_str_radix(&digits[..len], radix)
            .ok()
            .and_then(char::from_u32)
        {
            Some(c) if len > 0 => {
                out.push(c);
                let skip = tail.len() - digits.len() + len;
                rest = tail[skip..].strip_prefix(';').unwrap_or(&tail[skip..]);
            }
            _ => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Problems with one HTML text: any way it could run a script other than the theme's own
/// `<script src="…briefing.js" defer></script>`. Empty when it is safe.
pub fn script_problems(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for tag in start_tags(html) {
        let attr = |n: &str| {
            tag.attrs
                .iter()
                .find(|(a, _)| a == n)
                .map(|(_, v)| v.as_str())
        };
        match tag.name.as_str() {
            "script" => {
                let theme = attr("src").is_some_and(|s| s.ends_with("briefing.js"))
                    && html[tag.end..].starts_with("</script>");
                match preview_data(html, &tag) {
                    // The previews' HTML (cited paragraphs) is put into the page by the
                    // theme's script: it must be as safe as the page.
                    Some(json) => {
                        // `c`: citations, `[title, paragraph, HTML]`; the rest is text.
                        let strings = json["c"]
                            .as_object()
                            .into_iter()
                            .flat_map(|c| c.values())
                            .filter_map(|v| v[2].as_str());
                        for text in strings {
                            problems.extend(
                                script_problems(text)
                                    .into_iter()
                                    .map(|p| format!("in the preview data: {p}")),
                            );
                        }
                    }
                    None if !theme => problems.push(format!("a script: {:?}", tag.attrs)),
                    None => {}
                }
            }
            // The theme's charts: inline SVG drawn at build time (their text is checked like
            // any other: no script, handler or animation inside).
            "svg"
                if attr("role") == Some("img")
                    && attr("class").is_some_and(|c| c.split(' ').any(|c| c == "chart")) => {}
            "iframe" | "frame" | "object" | "embed" | "applet" | "base" | "style" | "svg"
            | "math" | "template" | "xmp" | "plaintext" | "set" | "animate" | "foreignobject"
            | "use" | "handler" | "listener" => {
                problems.push(format!("a <{}> element", tag.name));
            }
            "meta" if attr("http-equiv").is_some() => {
                problems.push("a <meta http-equiv>".into());
            }
            _ => {}
        }
        for (name, value) in &tag.attrs {
            if name.starts_with("on") || name == "srcdoc" {
                problems.push(format!("<{} {name}={value:?}>", tag.name));
            }
            let url_attr = matches!(
                name.as_str(),
                "href" | "src" | "action" | "formaction" | "data" | "poster" | "xlink:href"
            );
            if url_attr {
                let url = normalized_url(value);
                if [
                    "javascript:",
                    "vbscript:",
                    "data:text/html",
                    "data:image/svg",
                ]
                .iter()
                .any(|s| url.starts_with(s))
                {
                    problems.push(format!("<{} {name}={value:?}>", tag.name));
                }
            }
        }
    }
    problems
}

/// The data of a `<script>` that is the theme's preview data: `type="application/json"`,
/// `id="briefing-previews"`, holding valid JSON with no `<` in it (so nothing in it can close
/// the element or open another).
fn preview_data(html: &str, tag: &Tag) -> Option<serde_json::Value> {
    let attr = |n: &str| {
        tag.attrs
            .iter()
            .find(|(a, _)| a == n)
            .map(|(_, v)| v.as_str())
    };
    if attr("type") != Some("application/json") || attr("id") != Some("briefing-previews") {
        return None;
    }
    let body = &html[tag.end..];
    let json = &body[..body.find("</script>")?];
    if json.contains('<') {
        return None;
    }
    serde_json::from_str(json).ok()
}

/// A search index file: `briefingSearch.<name>(<JSON>);` and nothing else, so nothing in the
/// indexed text can run as code.
fn is_search_data(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("briefingSearch.") else {
        return false;
    };
    let Some(open) = rest.find('(') else {
        return false;
    };
    if !rest[..open].chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let Some(args) = rest[open + 1..].trim_end().strip_suffix(");") else {
        return false;
    };
    // `shard(N, {...})` and `docs(N, [...])` carry a number first.
    let args = match args.split_once(',') {
        Some((n, json)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => json,
        _ => args,
    };
    serde_json::from_str::<serde_json::Value>(args).is_ok()
}

/// Every smuggled script in a build's output: HTML pages are checked with
/// [`script_problems`], JSON files must be valid JSON, XML and text files must hold no raw
/// `<script`.
pub fn smuggled_scripts(out: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for rel in all_files(out) {
        let Ok(text) = std::fs::read_to_string(out.join(&rel)) else {
            continue;
        };
        if rel.ends_with(".html") {
            problems.extend(
                script_problems(&text)
                    .into_iter()
                    .map(|p| format!("{rel}: {p}")),
            );
        } else if rel.ends_with(".json") {
            // Data, read by the theme's script and shown with textContent: any text may be in
            // it, as long as it stays valid JSON.
            if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                problems.push(format!("{rel}: not valid JSON"));
            }
        } else if rel.starts_with("search/") && rel.ends_with(".js") {
            if !is_search_data(&text) {
                problems.push(format!("{rel}: not a call with JSON data"));
            }
        } else if !rel.ends_with(".js") && text.to_ascii_lowercase().contains("<script") {
            problems.push(format!("{rel}: a raw <script"));
        }
    }
    problems
}

/// Longest a build of a hostile site may take (the slowest seen is far below).
pub const HOSTILE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);
/// Address space a build of a hostile site may use, in KiB (`ulimit -v`): a blow-up aborts
/// instead of thrashing.
pub const HOSTILE_MEMORY_KIB: u64 = 4 << 20;

/// Build `root` into `out` (which must not exist yet) under [`HOSTILE_TIME_LIMIT`] and
/// [`HOSTILE_MEMORY_KIB`], and check what the issue asks of any input: exit 0 or 1, no panic,
/// only well-formed diagnostics, nothing written on failure, no smuggled script on success.
/// Gives whether the build succeeded and how long it took; `Err` says what was wrong.
pub fn check_hostile_build(root: &Path, out: &Path) -> Result<(bool, std::time::Duration), String> {
    use std::process::Stdio;
    use std::time::Instant;
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {HOSTILE_MEMORY_KIB}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_briefing"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .env_remove("BRIEFING_TIMINGS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Read the pipes on threads so that a chatty build cannot block on a full pipe.
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stdout_pipe, &mut s).ok();
        s
    });
    let stderr = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr_pipe, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HOSTILE_TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the build took more than {HOSTILE_TIME_LIMIT:?}"));
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&stdout.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
    let code = status.code();
    if code != Some(0) && code != Some(1) || stderr.contains("panicked") {
        return Err(format!("exit {status}\n--- stderr\n{stderr}"));
    }
    let failed = code == Some(1);
    check_diagnostics(&stderr, failed).map_err(|p| format!("{p}\n--- stderr\n{stderr}"))?;
    if failed {
        if !all_files(out).is_empty() {
            return Err(format!("a failed build wrote files\n{stderr}"));
        }
    } else {
        if !stderr
            .lines()
            .chain(stdout.lines())
            .any(|l| l.starts_with("built "))
        {
            return Err(format!("no `built` line\n{stdout}\n{stderr}"));
        }
        let smuggled = smuggled_scripts(out);
        if !smuggled.is_empty() {
            return Err(format!("smuggled scripts: {smuggled:#?}"));
        }
    }
    Ok((!failed, elapsed))
}

/// A running `briefing serve --root ROOT --port 0 [extra…]`, killed when dropped; what it
/// prints on standard error is collected. Test files add their own request helpers.
pub struct Serve {
    /// The process.
    pub child: std::process::Child,
    /// The port it listens on (it picked a free one).
    pub port: u16,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Serve {
    /// Start the server and wait (at most `wait`) until it says where it serves.
    pub fn start(root: &Path, extra: &[&str], wait: std::time::Duration) -> Serve {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_briefing"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", "0"])
            .args(extra)
            .env_remove("BRIEFING_TIMINGS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("stderr is piped");
        let sink = std::sync::Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(pipe);
            let mut line = String::new();
            while matches!(lines.read_line(&mut line), Ok(n) if n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let mut server = Serve {
            child,
            port: 0,
            stderr,
        };
        let started = std::time::Instant::now();
        let prefix = "serving at http://127.0.0.1:";
        loop {
            let text = server.stderr();
            if let Some(at) = text.find(prefix) {
                let digits: String = text[at + prefix.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                server.port = digits.parse().expect("a port");
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("serve exited with {status} before serving:\n{text}");
            }
            assert!(
                started.elapsed() < wait,
                "serve did not start in time:\n{text}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Everything it printed on standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let text = self.stderr();
        if text.contains("panicked") {
            eprintln!("serve panicked:\n{text}");
            if !std::thread::panicking() {
                panic!("serve panicked");
            }
        }
    }
}

/// Run `briefing build --root <root> --output <out>`, with `extra` arguments after them.
pub fn build_to(root: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        Path::new("build"),
        Path::new("--root"),
        root,
        Path::new("--output"),
        out,
    ];
    args.extend(extra.iter().map(Path::new));
    briefing(&args)
}

/// Build the site at `root` into `out` as `serve` on `port` serves it (`--base-url
/// http://127.0.0.1:<port>/`), to compare served pages with.
pub fn build_as_served(root: &Path, out: &Path, port: u16) {
    let base = format!("http://127.0.0.1:{port}/");
    build_to(root, out, &["--base-url", &base]).expect_code(0, "build");
}
