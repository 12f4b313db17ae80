//! What the site gives its readers besides pages, on the full fixture built by the real binary:
//! an Atom feed per topic, person and organization (every feed validated against RFC 4287's
//! RELAX NG grammar with `xmllint`), `/data.json` (validated against `docs/data.schema.json`),
//! and the charts drawn at build time.
//!
//! Feed validation needs `xmllint` (Debian: `libxml2-utils`; `scripts/test.sh` installs it when
//! run as root): under CI (`CI` set) a missing tool fails the test, elsewhere it is skipped with
//! a message.

mod common;

use common::*;
use std::path::{Path, PathBuf};

const BASE_URL: &str = "https://example.org/brief/";

/// Build the full fixture (copied into a tempdir) with `extra` flags into `<tmp>/out`.
fn build_full(extra: &[&str]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, site) = fixture("full");
    let out = dir.path().join("out");
    build_to(&site, &out, extra).expect_code(0, "building the full fixture");
    (dir, site, out)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `name` on the `PATH`; `None` (said loudly) when missing outside CI, a failure under CI.
fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let message = format!(
            "{name} not found on PATH (Debian package {package}; scripts/test.sh installs it \
             when run as root)"
        );
        assert!(!in_ci(), "{message}");
        eprintln!("\n!!! SKIPPED part of tests/readers.rs: {message}\n");
    }
    found
}

/// Every `atom.xml` of the output.
fn feeds(out: &Path) -> Vec<String> {
    all_files(out)
        .into_iter()
        .filter(|f| f == "atom.xml" || f.ends_with("/atom.xml"))
        .collect()
}

/// The text of each `<tag>…</tag>` in `xml`, in order.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        let Some(end) = after.find(&close) else { break };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

/// RFC 3339 `date-time` as Atom requires (the grammar's `xsd:dateTime` lets the zone out).
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        r.into_iter()
            .all(|i| b.get(i).is_some_and(u8::is_ascii_digit))
    };
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (text.ends_with('Z') || text[19..].contains(['+', '-']))
}

#[test]
fn every_feed_validates_against_the_atom_grammar() {
    let (_dir, _site, out) = build_full(&["--drafts"]);
    let feeds = feeds(&out);
    for entity in [
        "topics/soe-reform/",
        "people/yuan-jiajun/",
        "organizations/cq-committee/",
    ] {
        assert!(
            feeds.contains(&format!("{entity}atom.xml")),
            "no feed for {entity}: {feeds:?}"
        );
    }
    assert!(feeds.len() >= 8, "only {} feeds: {feeds:?}", feeds.len());

    // The rules RFC 4287 states outside its grammar (its Schematron and prose).
    for feed in &feeds {
        let xml = read(&out, feed);
        let self_link =
            format!("<link rel=\"self\" type=\"application/atom+xml\" href=\"{BASE_URL}{feed}\"/>");
        assert!(xml.contains(&self_link), "{feed}: no self link {self_link}");
        assert!(xml.contains("<author><name>"), "{feed}: no feed author");
        for date in elements(&xml, "updated") {
            assert!(
                is_rfc3339(date),
                "{feed}: `{date}` is not an RFC 3339 date-time"
            );
        }
        let entries = elements(&xml, "entry");
        assert!(
            !entries.is_empty() || feed == "atom.xml",
            "{feed}: no entries"
        );
        let mut ids: Vec<&str> = Vec::new();
        let mut dates: Vec<&str> = Vec::new();
        for entry in &entries {
            let id = elements(entry, "id");
            assert_eq!(id.len(), 1, "{feed}: an entry without one id: {entry}");
            assert!(
                id[0].starts_with(BASE_URL),
                "{feed}: id {} is not a full URL",
                id[0]
            );
            assert!(
                entry.contains("<link rel=\"alternate\" type=\"text/html\""),
                "{feed}: an entry without content has no alternate link: {entry}"
            );
            ids.push(id[0]);
            dates.extend(elements(entry, "updated"));
        }
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{feed}: an entry twice: {ids:?}");
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "{feed}: entries are not newest first: {dates:?}"
        );
        // The feed's `updated` is its newest entry's, never the time of the build.
        if let Some(first) = dates.first() {
            assert_eq!(elements(&xml, "updated")[0], *first, "{feed}: updated");
        }
    }

    let Some(xmllint) = tool("xmllint", "libxml2-utils") else {
        return;
    };
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/atom.rng");
    let run = std::process::Command::new(&xmllint)
        .arg("--noout")
        .arg("--relaxng")
        .arg(&schema)
        .args(feeds.iter().map(|f| out.join(f)))
        .output()
        .expect("xmllint runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "xmllint:\n{stderr}");
    assert_eq!(
        stderr.matches(" validates").count(),
        feeds.len(),
        "xmllint:\n{stderr}"
    );

    // The grammar is not a formality: a feed without its id fails it.
    let broken = out.join("broken.xml");
    let text = read(&out, "topics/soe-reform/atom.xml");
    let id = format!("<id>{BASE_URL}topics/soe-reform/</id>");
    assert!(text.contains(&id));
    std::fs::write(&broken, text.replacen(&id, "", 1)).unwrap();
    let run = std::process::Command::new(&xmllint)
        .arg("--noout")
        .arg("--relaxng")
        .arg(&schema)
        .arg(&broken)
        .output()
        .expect("xmllint runs");
    assert!(!run.status.success(), "a feed without an id validated");
}

#[test]
fn entity_feeds_hold_what_points_at_the_entity_and_pages_link_them() {
    let (_dir, _site, out) = build_full(&[]);
    let xml = read(&out, "people/yuan-jiajun/atom.xml");
    // He chairs the fourth plenary and is mentioned in the press conference article.
    for entry in [
        "meetings/fourth-plenary/",
        "articles/reform-press-conference/",
    ] {
        assert!(
            xml.contains(&format!("<id>{BASE_URL}{entry}</id>")),
            "people/yuan-jiajun/atom.xml lacks {entry}:\n{xml}"
        );
    }
    // Undated articles are left out of feeds.
    assert!(!xml.contains("undated-commentary"), "{xml}");
    // Only articles and meetings.
    for entry in elements(&xml, "entry") {
        let id = elements(entry, "id")[0];
        assert!(
            id.starts_with(&format!("{BASE_URL}articles/"))
                || id.starts_with(&format!("{BASE_URL}meetings/")),
            "{id} in a person's feed"
        );
    }

    for page in [
        "people/yuan-jiajun/",
        "topics/soe-reform/",
        "organizations/cq-committee/",
    ] {
        let html = read(&out, &format!("{page}index.html"));
        let head = &html[..html.find("</head>").unwrap()];
        assert!(
            head.contains(&format!("href=\"/brief/{page}atom.xml\"")),
            "{page}: no feed link in the head"
        );
        let body = &html[html.find("<main").unwrap()..];
        assert!(
            body.contains(&format!(
                "<a href=\"/brief/{page}atom.xml\" type=\"application/atom+xml\">"
            )),
            "{page}: the feed is not shown on the page"
        );
    }
    // An entity no article or meeting points at (only a child organization does) has no
    // feed and no link to one.
    let html = read(&out, "organizations/cpc-central-committee/index.html");
    assert!(
        !out.join("organizations/cpc-central-committee/atom.xml")
            .exists()
    );
    assert!(!html.contains("cpc-central-committee/atom.xml"));
    // Articles and meetings have no feed of their own.
    assert!(
        !out.join("articles/reform-press-conference/atom.xml")
            .exists()
    );
    assert!(!out.join("meetings/fourth-plenary/atom.xml").exists());
}

/// `data.json` of `out`, checked against `docs/data.schema.json`.
fn valid_data(out: &Path, what: &str) -> serde_json::Value {
    let text = read(out, "data.json");
    let data: serde_json::Value = serde_json::from_str(&text).expect("data.json is JSON");
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/data.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("docs/data.schema.json is a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&data)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: data.json does not match the schema:\n{}",
        errors.join("\n")
    );
    data
}

fn entity<'a>(data: &'a serde_json::Value, collection: &str, id: &str) -> &'a serde_json::Value {
    data[collection]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no {collection}/{id} in data.json"))
}

#[test]
fn data_json_holds_the_whole_site_and_matches_its_schema() {
    let (dir, site) = fixture("full");
    // A title and a quote that look like markup stay text.
    let hostile = "An article with <script>alert(\"x\")</script> & \"quotes\"";
    let path = site.join("content/articles/unsafe-html.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "title: An article with hostile HTML",
            &format!("title: '{hostile}'"),
            1,
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    build_to(&site, &out, &[]).expect_code(0, "build");
    let data = valid_data(&out, "full fixture");

    assert_eq!(data["format"], "briefing-data");
    assert_eq!(data["site"]["base_url"], BASE_URL);
    let unsafe_html = entity(&data, "articles", "unsafe-html");
    assert_eq!(unsafe_html["title"], hostile);
    assert!(read(&out, "data.json").contains(r#"<script>alert(\"x\")</script>"#));

    // Every live entity is there (drafts only with --drafts), each with its page.
    let counts = [
        ("articles", 5),
        ("meetings", 3),
        ("people", 4),
        ("topics", 3),
        ("organizations", 3),
    ];
    for (collection, n) in counts {
        let list = data[collection].as_array().unwrap();
        assert_eq!(list.len(), n, "{collection}");
        for e in list {
            let path = e["path"].as_str().unwrap();
            assert!(
                out.join(path).join("index.html").is_file(),
                "{path} has no page"
            );
            assert_eq!(e["permalink"], format!("{BASE_URL}{path}"));
        }
    }
    assert!(
        data["articles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != "draft-article")
    );

    // Citations with their quotes and permalinks; positions with dates.
    let yuan = entity(&data, "people", "yuan-jiajun");
    let secretary = &yuan["positions"][0];
    assert_eq!(secretary["title"], "Secretary");
    assert_eq!(secretary["from"], "2022-12");
    assert_eq!(secretary["organization"], "cq-committee");
    assert_eq!(secretary["source"]["article"], "reform-press-conference");
    assert_eq!(secretary["source"]["paragraph"], 2);
    assert_eq!(
        secretary["source"]["permalink"],
        format!("{BASE_URL}articles/reform-press-conference/#p2")
    );
    assert_eq!(secretary["quote"], "Secretary Yuan Jiajun chaired");
    assert!(
        secretary["note"]["markdown"]
            .as_str()
            .unwrap()
            .contains("[[reform-press-conference#p2]]")
    );
    assert!(!secretary["note"]["text"].as_str().unwrap().contains('<'));
    let soe = entity(&data, "topics", "soe-reform");
    assert_eq!(soe["targets"][0]["due"], "2027");
    assert_eq!(soe["targets"][0]["quote"], "4 trillion yuan by 2027");
    assert_eq!(soe["parent"], "three-attacks");

    // Mentions with their paragraphs, and the cited paragraphs with who cites them.
    let press = entity(&data, "articles", "reform-press-conference");
    let mentions = press["mentions"].as_array().unwrap();
    let yuan_mention = mentions
        .iter()
        .find(|m| m["kind"] == "person" && m["id"] == "yuan-jiajun")
        .expect("the press conference mentions Yuan Jiajun");
    assert!(
        yuan_mention["paragraphs"]
            .as_array()
            .unwrap()
            .contains(&2.into())
    );
    let p2 = press["cited"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["paragraph"] == 2)
        .expect("paragraph 2 is cited");
    assert!(
        p2["by"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "person", "id": "yuan-jiajun"}))
    );

    // Backlinks, as on the pages.
    let chaired = yuan["backlinks"].as_array().unwrap().iter().any(|b| {
        b["relation"] == "chaired" && b["kind"] == "meeting" && b["id"] == "fourth-plenary"
    });
    assert!(chaired, "{}", yuan["backlinks"]);

    // With drafts, the draft is in, flagged; the file is valid either way.
    let drafts = dir.path().join("drafts");
    build_to(&site, &drafts, &["--drafts"]).expect_code(0, "build --drafts");
    let data = valid_data(&drafts, "full fixture with drafts");
    assert_eq!(entity(&data, "articles", "draft-article")["draft"], true);

    // The schema is not a formality: a wrong value fails it.
    let mut broken = data.clone();
    broken["people"][0]["positions"] = serde_json::json!([{"title": 3}]);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/data.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(!jsonschema::is_valid(&schema, &broken));
}

#[test]
fn the_sample_sites_data_json_matches_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let root = env!("CARGO_MANIFEST_DIR");
    briefing(&["build", "--root", root, "--output", out.to_str().unwrap()])
        .expect_code(0, "build of the sample site");
    let data = valid_data(&out, "sample site");
    assert_eq!(data["articles"].as_array().unwrap().len(), 5);
    assert!(!data["meetings"].as_array().unwrap().is_empty());
}

/// The one `<svg …>…</svg>` with `id` in `html`.
fn svg<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("<svg class=\"chart\" id=\"{id}\""))?;
    let end = html[start..].find("</svg>")? + start + "</svg>".len();
    Some(&html[start..end])
}

/// Checks every chart must pass: an image with a title and a description, self-contained.
fn accessible(svg: &str, id: &str) {
    assert!(svg.contains(" role=\"img\""), "{svg}");
    assert!(
        svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")),
        "{svg}"
    );
    assert!(svg.contains(&format!("<title id=\"{id}-title\">")), "{svg}");
    assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")), "{svg}");
    for banned in [
        "<script",
        "href=",
        "url(",
        "<image",
        "<foreignObject",
        "style=",
    ] {
        assert!(!svg.contains(banned), "{banned} in a chart: {svg}");
    }
}

fn desc(svg: &str) -> &str {
    let start = svg.find("<desc").unwrap();
    let start = svg[start..].find('>').unwrap() + start + 1;
    &svg[start..start + svg[start..].find("</desc>").unwrap()]
}

#[test]
fn charts_are_drawn_at_build_time_with_text_equivalents() {
    let (dir, site) = fixture("full");
    // A position title that looks like markup is drawn as text.
    let path = site.join("content/people/yuan-jiajun.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "title: Governor of Zhejiang",
            "title: 'Governor <b>&</b> of Zhejiang'",
            1,
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    build_to(&site, &out, &[]).expect_code(0, "build");

    // Meetings by year, on the meetings index and the home page: 2022, 2023 (two).
    for page in ["meetings/index.html", "index.html"] {
        let html = read(&out, page);
        let chart = svg(&html, "chart-meetings").unwrap_or_else(|| panic!("{page}: no chart"));
        accessible(chart, "chart-meetings");
        assert_eq!(
            desc(chart),
            "3 meetings from 2022 to 2023: 2022: 1, 2023: 2.",
            "{page}"
        );
        assert_eq!(chart.matches("<rect").count(), 2, "{page}");
        assert!(chart.contains("<title>2023: 2 meetings</title>"));
    }

    // A person's positions: one bar that ends, one that runs on.
    let html = read(&out, "people/yuan-jiajun/index.html");
    let chart = svg(&html, "chart-positions").expect("a positions chart");
    accessible(chart, "chart-positions");
    assert_eq!(
        desc(chart),
        "Governor &lt;b&gt;&amp;&lt;/b&gt; of Zhejiang, from 2017 to August 2020; Secretary, from \
         December 2022, end not known, held as of 27 December 2023."
    );
    assert!(!chart.contains("<b>"));
    assert_eq!(chart.matches("class=\"chart-bar\"").count(), 2, "{chart}");
    assert_eq!(chart.matches("chart-bar chart-open").count(), 1, "{chart}");
    // The axis runs over whole years from the first start to the last date.
    assert!(chart.contains(">2017</text>") && chart.contains(">2024</text>"));
    assert!(!chart.contains(">2016</text>") && !chart.contains(">2025</text>"));
    // The list of positions stays on the page as the text equivalent.
    assert!(html.contains("<ul class=\"positions\">"));
    // A position with only `as_of` is a point.
    let html = read(&out, "people/jiang-hui/index.html");
    let chart = svg(&html, "chart-positions").expect("a chart for an as_of date");
    assert_eq!(chart.matches("<circle").count(), 1);
    assert_eq!(chart.matches("<rect").count(), 0);

    // A topic's targets against deadlines: the cited article's date to the deadline.
    let html = read(&out, "topics/soe-reform/index.html");
    let chart = svg(&html, "chart-targets").expect("a targets chart");
    accessible(chart, "chart-targets");
    assert_eq!(
        desc(chart),
        "Finish restructuring: due June 2025; Total industrial output of 4 trillion yuan: due \
         2027, stated 27 December 2023."
    );
    assert_eq!(
        chart.matches("<rect").count(),
        1,
        "one target has a stated date"
    );
    assert_eq!(
        chart.matches("<circle").count(),
        2,
        "every deadline is marked"
    );
    assert!(html.contains("<table class=\"targets\">"));
    // No target with a deadline, no chart.
    let html = read(&out, "topics/three-attacks/index.html");
    assert!(svg(&html, "chart-targets").is_none());

    // Two builds draw the same bytes.
    let again = dir.path().join("again");
    build_to(&site, &again, &[]).expect_code(0, "build");
    for page in [
        "people/yuan-jiajun/index.html",
        "topics/soe-reform/index.html",
        "index.html",
    ] {
        assert_eq!(read(&out, page), read(&again, page), "{page}");
    }
}

#[test]
fn every_link_resolves_with_the_new_files_rooted_and_offline() {
    let (_dir, _site, out) = build_full(&["--drafts"]);
    let rooted = LinkStyle::Rooted {
        base_path: "/brief/",
        base_url: BASE_URL,
    };
    assert!(check_links(&out, &rooted) > 300);
    assert!(out.join("data.json").is_file());
    let (_dir, _site, out) = build_full(&["--drafts", "--offline"]);
    assert!(check_links(&out, &LinkStyle::Offline { base_url: BASE_URL }) > 300);
    // Offline, a page links its feed by a relative path to the file.
    let html = read(&out, "people/yuan-jiajun/index.html");
    assert!(
        html.contains("href=\"../../people/yuan-jiajun/atom.xml\""),
        "offline feed link"
    );
    // Feeds and data keep full URLs.
    assert!(
        read(&out, "people/yuan-jiajun/atom.xml")
            .contains(&format!("{BASE_URL}people/yuan-jiajun/"))
    );
    assert!(
        read(&out, "data.json")
            .contains(&format!("\"permalink\":\"{BASE_URL}people/yuan-jiajun/\""))
    );
}
