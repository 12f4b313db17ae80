//! The sample site at the repository root builds, and every link in it resolves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn briefing(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Every internal link (rooted at `base_path`) must name a written file, and every `#anchor`
/// an id in that file.
fn assert_links_resolve(out: &Path, base_path: &str) -> usize {
    let mut files = Vec::new();
    html_files(out, &mut files);
    let mut ids: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let html = std::fs::read_to_string(f).unwrap();
        ids.insert(
            f.clone(),
            attr_values(&html, "id")
                .into_iter()
                .map(str::to_string)
                .collect(),
        );
    }
    let mut checked = 0;
    for f in &files {
        let html = std::fs::read_to_string(f).unwrap();
        for link in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            let link = link.replace("&amp;", "&");
            let (path, anchor) = match link.split_once('#') {
                Some((p, a)) => (p.to_string(), Some(a.to_string())),
                None => (link.clone(), None),
            };
            let target = if path.is_empty() {
                f.clone()
            } else if let Some(rest) = path.strip_prefix(base_path) {
                let file = if rest.is_empty() || rest.ends_with('/') {
                    format!("{rest}index.html")
                } else {
                    rest.to_string()
                };
                out.join(file)
            } else {
                assert!(
                    path.starts_with("http://")
                        || path.starts_with("https://")
                        || path.starts_with("mailto:"),
                    "{}: link {link} is neither under {base_path} nor external",
                    f.display()
                );
                continue;
            };
            assert!(
                target.is_file(),
                "{}: link {link} points at a missing file {}",
                f.display(),
                target.display()
            );
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                let known = ids.get(&target).cloned().unwrap_or_default();
                assert!(
                    known.contains(&anchor),
                    "{}: link {link}: no id `{anchor}` in {}",
                    f.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn sample_site_checks_and_every_link_resolves() {
    let check = briefing(&["check", "--root", repo_root().to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        !stderr.contains("warning:"),
        "the sample site has warnings:\n{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let build = briefing(&[
        "build",
        "--root",
        repo_root().to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let checked = assert_links_resolve(&out, "/chongqing-briefing/");
    assert!(checked > 500, "only {checked} links checked");

    // Each seed article has its page, with numbered, self-linking paragraphs.
    let articles: Vec<String> = std::fs::read_dir(repo_root().join("content/articles"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(articles.len(), 5);
    for id in articles {
        let page = std::fs::read_to_string(out.join(format!("articles/{id}/index.html"))).unwrap();
        assert!(
            page.contains("id=\"p1\"") && page.contains("href=\"#p1\""),
            "{id} has no numbered paragraphs"
        );
        assert!(
            page.contains("id=\"p3\""),
            "{id} has fewer than 3 paragraphs"
        );
    }
}

#[test]
fn offline_build_links_resolve_as_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("offline");
    let build = briefing(&[
        "build",
        "--root",
        repo_root().to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--offline",
    ]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let mut files = Vec::new();
    html_files(&out, &mut files);
    for f in files {
        let html = std::fs::read_to_string(&f).unwrap();
        for link in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if link.starts_with("http") || link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            assert!(
                !link.starts_with('/'),
                "{}: rooted link {link} in an offline build",
                f.display()
            );
            let path = link.split('#').next().unwrap();
            let target = f.parent().unwrap().join(path);
            assert!(
                target.is_file(),
                "{}: {link} does not name a file",
                f.display()
            );
        }
    }
}

#[test]
fn a_second_build_writes_nothing_and_a_failed_build_keeps_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let init = briefing(&["init", site.to_str().unwrap()]);
    assert!(init.status.success());
    let root = site.to_str().unwrap();
    assert!(briefing(&["build", "--root", root]).status.success());
    let again = briefing(&["build", "--root", root]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("nothing changed since the last build"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // A saved file with the same bytes makes a real build that still writes nothing.
    let person = site.join("content/people/jane-doe.yaml");
    std::fs::write(&person, std::fs::read(&person).unwrap()).unwrap();
    let touched = briefing(&["build", "--root", root]);
    assert!(
        String::from_utf8_lossy(&touched.stderr).contains("(0 written"),
        "{}",
        String::from_utf8_lossy(&touched.stderr)
    );

    let snapshot = |dir: &Path| {
        let mut files = Vec::new();
        html_files(dir, &mut files);
        files.sort();
        files
            .into_iter()
            .map(|f| (f.clone(), std::fs::read(f).unwrap()))
            .collect::<Vec<_>>()
    };
    let before = snapshot(&site.join("public"));
    let meeting = site.join("content/meetings/example-meeting.yaml");
    let text = std::fs::read_to_string(&meeting)
        .unwrap()
        .replace("chair: jane-doe", "chair: jane-do");
    std::fs::write(&meeting, text).unwrap();
    let failed = briefing(&["build", "--root", root]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("content/meetings/example-meeting.yaml:6:8: error: no person has the id `jane-do` (did you mean `jane-doe`?)"),
        "{stderr}"
    );
    assert_eq!(before, snapshot(&site.join("public")));
}
