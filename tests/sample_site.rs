//! The sample site at the repository root builds, and every link in it resolves.

mod common;

use common::{LinkStyle, briefing, check_links, snapshot};
use std::path::{Path, PathBuf};

const BASE_URL: &str = "https://example.org/chongqing-briefing/";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Build the sample site into `out` with `extra` flags; the build must succeed.
fn build_sample(out: &Path, extra: &[&str]) {
    let root = repo_root();
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    briefing(&args).expect_code(0, "build of the sample site");
}

#[test]
fn sample_site_checks_and_every_link_resolves() {
    let check = briefing(&["check", "--root", repo_root().to_str().unwrap()]);
    check.expect_code(0, "check of the sample site");
    assert!(
        !check.stderr.contains("warning:"),
        "the sample site has warnings:\n{}",
        check.stderr
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_sample(&out, &[]);
    let rooted = LinkStyle::Rooted {
        base_path: "/chongqing-briefing/",
        base_url: BASE_URL,
    };
    let checked = check_links(&out, &rooted);
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
    build_sample(&out, &["--offline"]);
    let checked = check_links(&out, &LinkStyle::Offline { base_url: BASE_URL });
    assert!(checked > 500, "only {checked} links checked");
}

#[test]
fn a_second_build_writes_nothing_and_a_failed_build_keeps_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    briefing(&["init", site.to_str().unwrap()]).expect_code(0, "init");
    let root = site.to_str().unwrap();
    briefing(&["build", "--root", root]).expect_code(0, "first build");
    let again = briefing(&["build", "--root", root]);
    assert!(
        again
            .stderr
            .contains("nothing changed since the last build"),
        "{}",
        again.stderr
    );

    // A saved file with the same bytes makes a real build that still writes nothing.
    let person = site.join("content/people/jane-doe.yaml");
    std::fs::write(&person, std::fs::read(&person).unwrap()).unwrap();
    let touched = briefing(&["build", "--root", root]);
    assert!(touched.stderr.contains("(0 written"), "{}", touched.stderr);

    let before = snapshot(&site.join("public"));
    let meeting = site.join("content/meetings/example-meeting.yaml");
    let text = std::fs::read_to_string(&meeting)
        .unwrap()
        .replace("chair: jane-doe", "chair: jane-do");
    std::fs::write(&meeting, text).unwrap();
    let failed = briefing(&["build", "--root", root]);
    failed.expect_code(1, "broken build");
    assert!(
        failed.stderr.contains(
            "content/meetings/example-meeting.yaml:6:8: error: no person has the id `jane-do` (did you mean `jane-doe`?)"
        ),
        "{}",
        failed.stderr
    );
    assert_eq!(before, snapshot(&site.join("public")));
}
