//! Hardening of `briefing build`: limits that name their key, named pipes among the inputs,
//! the corpus of generated cases that once failed, builds killed at random moments, symbolic links out of the site, and
//! markup in titles, names and `extra` rendered as text everywhere.

mod common;

use common::{
    all_files, check_hostile_build, is_diagnostic_line, read, script_problems, small_site_files,
    snapshot, write, write_small_site,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small valid site in a fresh temporary folder; the site is `<tmp>/site`.
fn small_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    write_small_site(&root);
    (tmp, root)
}

fn build(root: &Path, out: &Path) -> common::Run {
    common::build_to(root, out, &[])
}

fn site_toml_with(limits: &str) -> String {
    format!("title = \"Small\"\nbase_url = \"https://example.org/small/\"\n[limits]\n{limits}\n")
}

// ---------------------------------------------------------------------------------------------
// Limits

/// Each limit, passed: exit 1, one error at `path:line:column` naming the key and site.toml;
/// raised in site.toml: the same site builds.
#[test]
fn every_limit_names_its_key_and_raising_it_lets_the_site_build() {
    struct Case {
        key: &'static str,
        tight: &'static str,
        raised: &'static str,
        file: &'static str,
        text: String,
        at: &'static str,
    }
    let nested = "name: Nested\nextra:\n  a:\n    b:\n      c:\n        d:\n          e: deep\n";
    let aliases = "name: Aliased\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  \
                   b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: [*b, *b, *b, *b]\n";
    let cases = [
        Case {
            key: "max_file_bytes",
            tight: "max_file_bytes = 300",
            raised: "max_file_bytes = 100_000",
            file: "content/articles/long.md",
            text: format!(
                "---\ntitle: Long\nsource: Daily\n---\n{}\n",
                "word ".repeat(100)
            ),
            at: "content/articles/long.md:1:1: error: this file is ",
        },
        Case {
            key: "max_files",
            tight: "max_files = 5",
            raised: "max_files = 6",
            file: "content/people/extra-person.yaml",
            text: "name: Extra Person\n".into(),
            at: "content:1:1: error: the site has 6 content files, over the limit of 5",
        },
        Case {
            key: "max_yaml_depth",
            tight: "max_yaml_depth = 3",
            raised: "max_yaml_depth = 10",
            file: "content/people/nested.yaml",
            text: nested.into(),
            at: "content/people/nested.yaml:",
        },
        Case {
            key: "max_yaml_expansion",
            tight: "max_yaml_expansion = 100",
            raised: "max_yaml_expansion = 1_000",
            file: "content/people/aliased.yaml",
            text: aliases.into(),
            at: "content/people/aliased.yaml:4:",
        },
    ];
    for case in &cases {
        let (tmp, root) = small_site();
        write(&root, case.file, &case.text);
        write(&root, "site.toml", &site_toml_with(case.tight));
        let out = tmp.path().join("out");
        let run = build(&root, &out);
        run.expect_code(1, case.key);
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .collect();
        assert_eq!(errors.len(), 1, "{}: {}", case.key, run.stderr);
        let line = errors[0];
        assert!(is_diagnostic_line(line), "{line}");
        assert!(line.starts_with(case.at), "{}: {line}", case.key);
        assert!(
            line.contains(&format!("[limits] {} in site.toml raises it", case.key)),
            "{line}"
        );
        assert!(!out.exists(), "{}: a refused build wrote output", case.key);
        write(&root, "site.toml", &site_toml_with(case.raised));
        build(&root, &out).expect_code(0, &format!("{} raised", case.key));
    }
}

/// A 50 MB content file (sparse, so cheap) is refused by size before it is read.
#[test]
fn a_huge_file_is_refused_by_its_size_quickly() {
    let (tmp, root) = small_site();
    let f = std::fs::File::create(root.join("content/articles/huge.md")).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let started = Instant::now();
    let run = build(&root, &tmp.path().join("out"));
    run.expect_code(1, "a huge file");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        run.stderr.contains("content/articles/huge.md:1:1: error: this file is 52428800 bytes, over the limit of 10000000 ([limits] max_file_bytes in site.toml raises it)"),
        "{}",
        run.stderr
    );
}

/// A named pipe where a content file, a static file or a template would be: reading it would
/// wait for a writer forever (the build used to hang); it is an error at its path instead.
#[cfg(unix)]
#[test]
fn a_named_pipe_among_the_inputs_fails_the_build_at_once() {
    for rel in [
        "content/people/pipe.yaml",
        "static/pipe.txt",
        "templates/page.html",
    ] {
        let (tmp, root) = small_site();
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let status = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(status.success(), "mkfifo {rel}");
        let out = tmp.path().join("out");
        let (built, took) =
            check_hostile_build(&root, &out).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(!built, "{rel}: the build succeeded");
        assert!(took < Duration::from_secs(5), "{rel}: {took:?}");
        let run = build(&root, &out);
        run.expect_code(1, rel);
        assert!(
            run.stderr
                .contains("it is not a plain file (a named pipe, a socket or a device)")
                && run.stderr.contains(rel.rsplit_once('/').unwrap().1),
            "{rel}: {}",
            run.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The regression corpus: generated cases that once failed, kept as files.

/// `tests/regressions/*.site`: each holds files laid over the small site, as sections that
/// start with a line `=== path` (a `=== path (base64)` section holds raw bytes in hex).
#[test]
fn the_regression_corpus_builds_or_fails_cleanly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "site"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "only {} regression cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (tmp, root) = small_site();
        for (rel, bytes) in parse_case(&std::fs::read_to_string(case).unwrap()) {
            let path = root.join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        if let Err(problem) = check_hostile_build(&root, &tmp.path().join("out")) {
            failures.push(format!("{}: {problem}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The sections of a regression case file.
fn parse_case(text: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut hex = false;
    for line in text.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("=== ") {
            let header = header.trim_end();
            hex = header.ends_with(" (hex)");
            let name = header.trim_end_matches(" (hex)").to_string();
            files.push((name, Vec::new()));
            continue;
        }
        let Some((_, bytes)) = files.last_mut() else {
            continue; // comments before the first section
        };
        if hex {
            let digits: Vec<u8> = line.bytes().filter(u8::is_ascii_hexdigit).collect();
            for pair in digits.chunks(2) {
                let s = std::str::from_utf8(pair).unwrap();
                bytes.push(u8::from_str_radix(s, 16).unwrap());
            }
        } else {
            bytes.extend_from_slice(line.as_bytes());
        }
    }
    files
}

// ---------------------------------------------------------------------------------------------
// Builds killed at any moment

/// A tiny deterministic random number generator (xorshift), for reproducible kill times.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Articles of the generated site: enough for a build of a few hundred milliseconds.
const ARTICLES: usize = 1200;

/// Write a generated site of `articles` articles and some people into `root`; `version`
/// changes the text of every page.
fn write_big_site(root: &Path, articles: usize, version: u32) {
    write(
        root,
        "site.toml",
        "title = \"Big\"\nbase_url = \"https://example.org/big/\"\n",
    );
    for p in 0..40 {
        write(
            root,
            &format!("content/people/person-{p}.yaml"),
            &format!("name: Person Number{p}\nsummary: Version {version} of person {p}.\n"),
        );
    }
    for a in 0..articles {
        let mut body = String::new();
        for para in 0..6 {
            body.push_str(&format!(
                "Paragraph {para} of article {a}, version {version}. Person Number{} said \
                 something about reform and the economy, at some length, so that the page \
                 has the weight of a real one. {}\n\n",
                (a + para) % 40,
                "Filler text of a source article. ".repeat(6)
            ));
        }
        write(
            root,
            &format!("content/articles/article-{a}.md"),
            &format!(
                "---\ntitle: Article {a}, version {version}\nsource: Daily\npublished: 2024-{:02}-{:02}\n---\n{body}",
                a % 12 + 1,
                a % 28 + 1
            ),
        );
    }
}

/// Files of an output folder, without the temporary files of an interrupted write.
fn whole_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot(out)
        .into_iter()
        .filter(|(rel, _)| !is_temporary(rel))
        .collect()
}

fn is_temporary(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with('.') && name.ends_with(".tmp")
}

/// SIGKILL a build at random moments, over and over, switching the site between two versions:
/// every output file is always whole (the old or the new version, never a mix or a truncated
/// file), and one build run to the end gives exactly what a clean build gives.
#[cfg(unix)]
#[test]
fn a_build_killed_at_any_moment_leaves_whole_files_and_the_next_completes() {
    // In memory where there is a tmpfs: a killed process leaves the same files there as on a
    // disk, and the thousands of small files are written much faster.
    let shm = Path::new("/dev/shm");
    let tmp = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let root = tmp.path().join("site");
    let out = tmp.path().join("out");
    // The two versions, each built clean for reference.
    let mut reference = Vec::new();
    let mut slowest = Duration::ZERO;
    for version in 0..2 {
        write_big_site(&root, ARTICLES, version);
        let clean = tmp.path().join(format!("clean-{version}"));
        let started = Instant::now();
        build(&root, &clean).expect_code(0, "a clean build");
        slowest = slowest.max(started.elapsed());
        reference.push(snapshot(&clean));
    }
    eprintln!("a clean build of the generated site takes {slowest:?}");
    assert!(
        slowest > Duration::from_millis(100),
        "the generated site builds too fast ({slowest:?}) to be killed part-way"
    );
    let both: Vec<BTreeMap<String, Vec<u8>>> = reference.clone();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Kill times are spread over the time a rebuild from one version to the other takes.
    write_big_site(&root, ARTICLES, 0);
    build(&root, &out).expect_code(0, "the first build");
    let mut version = 1;
    write_big_site(&root, ARTICLES, version);
    let started = Instant::now();
    build(&root, &out).expect_code(0, "a rebuild");
    let rebuild = started.elapsed();
    eprintln!("a rebuild from one version to the other takes {rebuild:?}");
    let rounds = 10;
    let mut killed = 0;
    for round in 0..rounds {
        version = 1 - version;
        write_big_site(&root, ARTICLES, version);
        let delay = Duration::from_millis(rng.below(rebuild.as_millis() as u64 * 9 / 10));
        let mut child = Command::new(env!("CARGO_BIN_EXE_briefing"))
            .args(["build", "--root"])
            .arg(&root)
            .arg("--output")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        // `Child::kill` is SIGKILL on Unix.
        let _ = child.kill();
        let status = child.wait().unwrap();
        killed += usize::from(status.code().is_none());
        for (rel, bytes) in whole_files(&out) {
            let known = both.iter().any(|r| r.get(&rel) == Some(&bytes));
            // The build's own records (what it wrote, what it read) are not pages.
            let manifest = [
                ".briefing-manifest",
                ".briefing-inputs",
                ".briefing-writing",
            ]
            .contains(&rel.as_str());
            assert!(
                known || manifest,
                "round {round} (killed after {delay:?}): {rel} is neither version ({} bytes)",
                bytes.len()
            );
        }
    }
    eprintln!("{killed} of {rounds} builds were killed part-way");
    assert!(
        killed >= rounds / 3,
        "only {killed} builds were killed part-way"
    );
    build(&root, &out).expect_code(0, "the build after the kills");
    // `.briefing-inputs` fingerprints modification times, which differ between the folders.
    let mut after = snapshot(&out);
    let mut expected = reference[version as usize].clone();
    assert!(after.remove(".briefing-inputs").is_some());
    assert!(expected.remove(".briefing-inputs").is_some());
    let expected = &expected;
    let leftovers: Vec<&String> = after.keys().filter(|k| is_temporary(k)).collect();
    assert!(leftovers.is_empty(), "left over: {leftovers:?}");
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the files differ from a clean build's"
    );
    for (rel, bytes) in expected {
        assert!(after[rel] == *bytes, "{rel} differs from a clean build's");
    }
}

// ---------------------------------------------------------------------------------------------
// Symbolic links

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_site_are_refused_and_nothing_is_written_outside() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    write(&outside, "person.yaml", "name: Outside Person\n");
    write(&outside, "secret.txt", "secret\n");
    write(&outside, "people/x.yaml", "name: X\n");
    write(&outside, "page.html", "{{ site.title }}\n");
    let outside_before = snapshot(&outside);

    type Setup = fn(&Path, &Path);
    let cases: [(&str, Setup, &str); 5] = [
        (
            "a content file",
            |root, outside| {
                symlink(
                    outside.join("person.yaml"),
                    root.join("content/people/linked.yaml"),
                )
                .unwrap()
            },
            "content/people/linked.yaml:1:1: error: ",
        ),
        (
            "a content folder",
            |root, outside| {
                symlink(outside.join("people"), root.join("content/people/sub")).unwrap();
                std::fs::remove_dir_all(root.join("content/organizations")).unwrap();
                symlink(outside.join("people"), root.join("content/organizations")).unwrap();
            },
            "outside the site",
        ),
        (
            "a static file",
            |root, outside| {
                std::fs::create_dir_all(root.join("static")).unwrap();
                symlink(outside.join("secret.txt"), root.join("static/secret.txt")).unwrap()
            },
            "outside the site",
        ),
        (
            "the static folder",
            |root, outside| symlink(outside, root.join("static")).unwrap(),
            "outside the site",
        ),
        (
            "a template",
            |root, outside| {
                std::fs::create_dir_all(root.join("templates")).unwrap();
                symlink(
                    outside.join("page.html"),
                    root.join("templates/person.html"),
                )
                .unwrap()
            },
            "outside the site",
        ),
    ];
    for (what, setup, expected) in cases {
        let (site_tmp, root) = small_site();
        setup(&root, &outside);
        let out = site_tmp.path().join("out");
        let run = build(&root, &out);
        assert!(
            run.code == Some(1) || run.code == Some(2),
            "{what}: exit {:?}\n{}",
            run.code,
            run.stderr
        );
        assert!(run.stderr.contains(expected), "{what}: {}", run.stderr);
        assert!(!out.exists(), "{what}: output was written");
        assert_eq!(
            snapshot(&outside),
            outside_before,
            "{what}: outside changed"
        );
    }

    // A folder of the output that is a link out of it: nothing is written through it.
    let (site_tmp, root) = small_site();
    let out = site_tmp.path().join("out");
    build(&root, &out).expect_code(0, "a first build");
    std::fs::remove_dir_all(out.join("people")).unwrap();
    symlink(&outside, out.join("people")).unwrap();
    let run = build(&root, &out);
    run.expect_code(2, "writing through a link");
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(snapshot(&outside), outside_before, "written through a link");

    // The output folder itself a link.
    let (site_tmp, root) = small_site();
    let out = site_tmp.path().join("out");
    symlink(&outside, &out).unwrap();
    let run = build(&root, &out);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(snapshot(&outside), outside_before, "written through a link");
}

/// A link that stays inside the site is followed.
#[cfg(unix)]
#[test]
fn symbolic_links_inside_the_site_are_followed() {
    use std::os::unix::fs::symlink;
    let (tmp, root) = small_site();
    write(&root, "notes/other.yaml", "name: Linked Person\n");
    symlink(
        root.join("notes/other.yaml"),
        root.join("content/people/linked.yaml"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    build(&root, &out).expect_code(0, "a link inside the site");
    assert!(read(&out, "people/linked/index.html").contains("Linked Person"));
}

// ---------------------------------------------------------------------------------------------
// Markup and template syntax in data render as text

/// Markup, template syntax and `</script>` in every kind of name, title and `extra` value.
const NASTY: &str = "<b>zq-bold</b> {{ site.title }} {% if true %}zq-tera{% endif %} \
                     </script><script>zq9x()</script> \" ' &amp; <!--";

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn markup_in_titles_names_and_extra_renders_as_text_everywhere() {
    let (tmp, root) = small_site();
    let q = yaml_str(NASTY);
    write(
        &root,
        "site.toml",
        &format!(
            "title = {q}\ndescription = {q}\nbase_url = \"https://example.org/small/\"\n[extra]\nnote = {q}\n"
        ),
    );
    let files: BTreeMap<&str, String> = small_site_files().into_iter().collect();
    let replace = |rel: &str, from: &str, to: &str| {
        let text = files[rel].replace(from, to);
        assert_ne!(text, files[rel], "{rel}: `{from}` not found");
        write(&root, rel, &text);
    };
    replace(
        "content/articles/report.md",
        "title: Commission announces a plan",
        &format!("title: {q}\nauthor: {q}\nextra:\n  note: {q}"),
    );
    replace(
        "content/people/jane-doe.yaml",
        "name: Jane Doe\n",
        &format!("name: Jane Doe\nname_local: {q}\naliases: [{q}]\nextra:\n  note: {q}\n"),
    );
    replace(
        "content/organizations/commission.yaml",
        "kind: commission",
        &format!("kind: {q}"),
    );
    replace(
        "content/topics/reform.yaml",
        "title: Reform",
        &format!("title: {q}"),
    );
    replace(
        "content/meetings/plenary.yaml",
        "title: Plenary meeting",
        &format!("title: {q}"),
    );
    // A template that shows `extra` values too (the built-in theme does not).
    let person = include_str!("../themes/briefing/templates/person.html").replace(
        "{% block content %}",
        "{% block content %}<p class=\"zq-extra\">{{ person.extra.note }}|{{ site.extra.note }}</p>",
    );
    write(&root, "templates/person.html", &person);
    let out = tmp.path().join("out");
    build(&root, &out).expect_code(0, "a site full of markup");

    let mut pages = 0;
    for rel in all_files(&out) {
        let Ok(text) = std::fs::read_to_string(out.join(&rel)) else {
            continue;
        };
        if rel.ends_with(".json") {
            // JSON holds the text as written; the theme's script shows it with textContent.
            continue;
        }
        assert!(
            !text.contains("<b>zq-bold"),
            "{rel}: markup rendered as markup"
        );
        assert!(!text.contains("zq9x()</script>"), "{rel}: a script");
        assert!(!text.contains("<!--\""), "{rel}: a raw comment opener");
        if rel.ends_with(".html") {
            let problems = script_problems(&text);
            assert!(problems.is_empty(), "{rel}: {problems:?}");
            pages += 1;
        }
    }
    assert!(pages > 10);
    let escaped = "&lt;b&gt;zq-bold&lt;&#x2F;b&gt;";
    let escaped_alt = "&lt;b&gt;zq-bold&lt;/b&gt;";
    let shows = |text: &str| text.contains(escaped) || text.contains(escaped_alt);
    for page in [
        "index.html",
        "articles/report/index.html",
        "people/jane-doe/index.html",
        "topics/reform/index.html",
        "meetings/plenary/index.html",
        "organizations/commission/index.html",
    ] {
        let html = read(&out, page);
        assert!(shows(&html), "{page} does not show the title as text");
        // Template syntax is text, not evaluated.
        assert!(
            html.contains("{{ site.title }}"),
            "{page}: template syntax evaluated"
        );
        assert!(html.contains("{% if true %}zq-tera{% endif %}"), "{page}");
    }
    let person = read(&out, "people/jane-doe/index.html");
    let extra = person
        .split("<p class=\"zq-extra\">")
        .nth(1)
        .expect("the extra paragraph");
    assert!(extra.starts_with("&lt;b&gt;zq-bold"), "{extra}");
    // The search index (script files calling `briefingSearch.docs(N, [...])`) and the data:
    // valid JSON that holds the text as written.
    let mut values = Vec::new();
    for entry in std::fs::read_dir(out.join("search/d")).expect("search/d") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let json = text
            .strip_prefix("briefingSearch.docs(")
            .and_then(|t| t.split_once(','))
            .and_then(|(_, rest)| rest.trim_end().strip_suffix(");"))
            .expect("a docs call");
        values.push(serde_json::from_str::<serde_json::Value>(json).expect("valid JSON"));
    }
    values.push(serde_json::from_str(&read(&out, "data.json")).expect("valid JSON"));
    for (what, value) in ["search index", "data.json"].iter().zip([
        serde_json::Value::Array(values[..values.len() - 1].to_vec()),
        values[values.len() - 1].clone(),
    ]) {
        let mut strings = Vec::new();
        collect_strings(&value, &mut strings);
        assert!(
            strings
                .iter()
                .any(|s| s.contains("<b>zq-bold</b> {{ site.title }}")),
            "the {what} lost the title"
        );
    }
    let script = include_str!("../themes/briefing/static/briefing.js");
    // Only a cited paragraph's HTML, made and cleaned by the build (checked on every page by
    // `script_problems`, preview data included), is put into a page as HTML.
    assert!(
        !script.contains("insertAdjacentHTML")
            && script.matches("innerHTML").count() == 1
            && script.contains("q.innerHTML = c[2];"),
        "the theme's script must show search results and names as text"
    );
    // The feed: well-formed, with the title escaped.
    let feed = read(&out, "atom.xml");
    assert!(feed.contains("&lt;b&gt;zq-bold&lt;/b&gt;"), "{feed}");
    assert!(!feed.contains("<b>"), "markup in the feed");
    assert!(!read(&out, "sitemap.xml").contains("<b>"));
}

fn collect_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}
