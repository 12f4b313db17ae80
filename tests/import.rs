//! End-to-end tests of `briefing import`: the real binary on the fixtures in `tests/import/`,
//! each into a fresh site made by `briefing init` in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn briefing(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A new site in a temporary folder.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let run = briefing(&["init", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (dir, root)
}

/// `briefing import <args> --root <root>`.
fn import(root: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&str> = vec!["import"];
    all.extend(args);
    all.extend(["--root", root.to_str().unwrap()]);
    briefing(&all)
}

fn article(root: &Path, id: &str) -> String {
    std::fs::read_to_string(root.join(format!("content/articles/{id}.md"))).unwrap()
}

fn check(root: &Path) {
    let run = briefing(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "check failed:\n{}", run.stderr);
}

fn articles(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("content/articles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn plain_text_without_blank_lines_has_a_paragraph_per_line() {
    let (_dir, root) = site();
    let run = import(
        &root,
        &[
            &fixture("lines.txt"),
            "--source",
            "Chongqing Daily",
            "--published",
            "2023-12-27",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "wrote content/articles/chongqing-sets-out-its-reform-plan.md (6 paragraphs)"
    );
    let text = article(&root, "chongqing-sets-out-its-reform-plan");
    assert_eq!(
        text,
        "---\ntitle: \"Chongqing sets out its reform plan\"\nsource: \"Chongqing Daily\"\npublished: 2023-12-27\nlanguage: en\n---\n\
The municipal committee met on December 25 and approved a reform plan.\n\n\
\\# of projects approved rose to 120.\n\n\
1\\. The first priority is state-owned enterprises.\n\n\
\\- Development zones come second.\n\n\
\\> Officials called the plan \"a \\[\\[critical]] step\".\n\n\
Market-oriented reform of state-owned enterprises\n"
    );
    check(&root);
}

#[test]
fn plain_text_with_blank_lines_joins_the_lines_of_a_paragraph() {
    let (_dir, root) = site();
    let run = import(
        &root,
        &[
            &fixture("blank-lines.txt"),
            "--source",
            "Example Daily",
            "--translation",
            "machine",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("development-zones-to-be-merged.md (3 paragraphs)")
    );
    let text = article(&root, "development-zones-to-be-merged");
    assert!(text.contains("translation: machine\n"));
    assert!(text.ends_with(
        "---\nThe city will merge its development zones into fewer, larger parks by 2027.\n\n\
Officials said the change would cut costs. It would also simplify approvals.\n\n\
A third paragraph follows two blank lines.\n"
    ));
    check(&root);
}

#[test]
fn title_flag_keeps_the_first_line_in_the_body() {
    let (_dir, root) = site();
    let run = import(
        &root,
        &[
            &fixture("lines.txt"),
            "--source",
            "S",
            "--title",
            "Another title",
            "--id",
            "given-id",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("given-id.md (7 paragraphs)"));
    assert!(article(&root, "given-id").contains("---\nChongqing sets out its reform plan\n\n"));
}

#[test]
fn markdown_keeps_its_body_and_merges_front_matter() {
    let (_dir, root) = site();
    let run = import(
        &root,
        &[
            &fixture("article.md"),
            "--url",
            "https://example.org/a",
            "--published",
            "2024-03",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("plenary-session-approves-reform.md (2 paragraphs)")
    );
    let text = article(&root, "plenary-session-approves-reform");
    assert_eq!(
        text,
        "---\ntitle: Plenary session approves reform  # written by hand\nsource: Example Daily\nmeetings: [example-meeting]\n\
url: \"https://example.org/a\"\npublished: 2024-03\nlanguage: en\n---\n\
The session approved a *critical* proposal on reform.\n\n## Details\n\n- first point\n- second point\n\nIt also set targets for 2027.\n"
    );
    check(&root);
}

#[test]
fn saved_html_leaves_out_navigation_scripts_and_banners() {
    let (_dir, root) = site();
    let run = import(&root, &[&fixture("page.html")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("growth-targets-announced.md (3 paragraphs)")
    );
    let text = article(&root, "growth-targets-announced");
    assert_eq!(
        text,
        "---\ntitle: \"Growth targets announced\"\nsource: \"Example Wire\"\n\
url: \"https://wire.example.org/2024/01/growth-targets\"\npublished: 2024-01-08\nlanguage: en\n---\n\
The city announced growth targets for 2024 on Monday.\n\n\
Officials expect output to grow by 6%, led by manufacturing & services.\n\n\
## Three priorities\n\n- Reform of state-owned enterprises\n- Development zones\n\n\
The plan will be reviewed in June.\n"
    );
    for furniture in [
        "cookies",
        "World",
        "tracking",
        "Share",
        "Related",
        "rights",
        "JavaScript",
        "Staff",
    ] {
        assert!(
            !text.contains(furniture),
            "{furniture} leaked into:\n{text}"
        );
    }
    check(&root);
}

#[test]
fn chinese_text_needs_an_id_and_is_detected_as_chinese() {
    let (_dir, root) = site();
    let run = import(&root, &[&fixture("chinese.txt"), "--source", "重庆日报"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("chinese.txt:1:1: error:"));
    assert!(run.stderr.contains("pass --id"));
    assert_eq!(articles(&root), ["example-report.md"]);

    let run = import(
        &root,
        &[
            &fixture("chinese.txt"),
            "--source",
            "重庆日报",
            "--id",
            "cq-reform-12",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("cq-reform-12.md (2 paragraphs)"));
    let text = article(&root, "cq-reform-12");
    assert!(text.contains("title: \"重庆市委召开全面深化改革委员会会议\"\n"));
    assert!(text.contains("language: zh\n"));
    assert!(
        text.contains("召开第十二次会议。会议强调"),
        "lines of a paragraph join without a space:\n{text}"
    );
    check(&root);
}

#[test]
fn bad_files_are_refused_each_by_name_and_the_rest_imported() {
    let (_dir, root) = site();
    let missing = fixture("does-not-exist.txt");
    let run = import(
        &root,
        &[
            &fixture("empty.txt"),
            &fixture("blank.txt"),
            &fixture("latin1.txt"),
            &fixture("binary.bin"),
            &missing,
            &fixture("blank-lines.txt"),
            "--source",
            "S",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    for (name, message) in [
        ("empty.txt", "empty"),
        ("blank.txt", "empty"),
        ("latin1.txt", "not valid UTF-8"),
        ("binary.bin", "binary"),
        ("does-not-exist.txt", "cannot read"),
    ] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no error for {name}:\n{}", run.stderr));
        assert!(
            line.contains(":1:1: error:") && line.contains(message),
            "{line}"
        );
    }
    assert!(run.stderr.contains("5 of 6 files not imported"));
    assert_eq!(
        articles(&root),
        ["development-zones-to-be-merged.md", "example-report.md"]
    );
}

#[test]
fn bad_flags_stop_before_anything_is_written() {
    let (_dir, root) = site();
    let lines = fixture("lines.txt");
    let blank = fixture("blank-lines.txt");
    for args in [
        vec![lines.as_str(), "--source", "S", "--published", "2023-02-30"],
        vec![lines.as_str(), "--source", "S", "--id", "Not_Valid"],
        vec![
            lines.as_str(),
            blank.as_str(),
            "--source",
            "S",
            "--id",
            "one",
        ],
        vec![
            lines.as_str(),
            blank.as_str(),
            "--source",
            "S",
            "--title",
            "One",
        ],
        vec![lines.as_str(), "--source", "S", "--translation", "robot"],
        vec![
            lines.as_str(),
            "--source",
            "S",
            "--language",
            "english please",
        ],
        vec![lines.as_str()],
    ] {
        let run = import(&root, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("error"), "{args:?}: {}", run.stderr);
    }
    assert_eq!(articles(&root), ["example-report.md"]);
    let run = briefing(&[
        "import",
        &lines,
        "--source",
        "S",
        "--root",
        "/nonexistent/site",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no site.toml"));
}

#[test]
fn existing_articles_need_force() {
    let (_dir, root) = site();
    let file = fixture("blank-lines.txt");
    assert_eq!(import(&root, &[&file, "--source", "S"]).code, 0);
    let before = article(&root, "development-zones-to-be-merged");
    let run = import(&root, &[&file, "--source", "Other"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("already exists") && run.stderr.contains("--force"));
    assert_eq!(article(&root, "development-zones-to-be-merged"), before);
}

#[test]
fn reimport_with_force_reports_drifted_citations_and_quotes() {
    let (_dir, root) = site();
    let id = "commission-reports-on-reform";
    let run = import(
        &root,
        &[
            &fixture("report-v1.txt"),
            "--source",
            "Example Daily",
            "--published",
            "2024-03-04",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(
        root.join("content/meetings/review.yaml"),
        format!(
            "title: Reform review\ndate: 2024-03\nsummary: The commission reviewed [[{id}#p1|the reform]].\n\
key_points:\n  - text: A target for service centres.\n    source: {id}#p2\n    quote: 100 new service centres\n\
figures:\n  - label: Growth\n    value: 6%\n    source: {id}#p3\n    quote: 6 percent\n"
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("content/topics/next-steps.yaml"),
        format!("title: Next steps\nsummary: |\n  A meeting is planned ([[{id}#p4]]).\n"),
    )
    .unwrap();
    check(&root);

    let run = import(
        &root,
        &[
            &fixture("report-v2.txt"),
            "--source",
            "Example Daily",
            "--force",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("wrote content/articles/{id}.md (4 paragraphs)"))
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    let expect = [
        "content/meetings/review.yaml:6:13: warning: `commission-reports-on-reform#p2` now points at other text: the paragraph it cited moved to `commission-reports-on-reform#p3`",
        "content/meetings/review.yaml:7:12: warning: this quote is no longer in `commission-reports-on-reform#p2`: it is now in `commission-reports-on-reform#p3`",
        "content/meetings/review.yaml:11:13: warning: the text of `commission-reports-on-reform#p3` changed in the new version; the closest paragraph to the old text is `commission-reports-on-reform#p4`",
        "content/meetings/review.yaml:12:12: warning: this quote is no longer in `commission-reports-on-reform#p3`, nor anywhere in the new version",
        "content/topics/next-steps.yaml:3:27: warning: the text `commission-reports-on-reform#p4` cited is gone from the new version; p4 now holds other text",
    ];
    assert_eq!(warnings, expect, "{}", run.stderr);
    assert!(
        !run.stderr.contains("#p1"),
        "an unchanged paragraph is not reported"
    );
    assert!(run.stderr.contains("note: 3 of the 4 old paragraphs"));
    assert!(
        run.stderr.contains("the site now has"),
        "the failing quotes are errors now"
    );
    assert!(
        article(&root, id).contains("published: 2024-03-04\n"),
        "fields the import does not set are kept"
    );

    // The same text again: nothing changes, nothing is reported.
    let run = import(
        &root,
        &[
            &fixture("report-v2.txt"),
            "--source",
            "Example Daily",
            "--force",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("is unchanged (4 paragraphs)"));
    assert!(!run.stderr.contains("warning"));
}
