//! The sample site at the repository root builds, and every link in it resolves.

mod common;

use common::{LinkStyle, check_links, snapshot};

use std::path::PathBuf;
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
    let checked = check_links(
        &out,
        &LinkStyle::Rooted {
            base_path: "/chongqing-briefing/",
            base_url: "https://example.org/chongqing-briefing/",
        },
    );
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
    let checked = check_links(
        &out,
        &LinkStyle::Offline {
            base_url: "https://example.org/chongqing-briefing/",
        },
    );
    assert!(checked > 500, "only {checked} links checked");
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
