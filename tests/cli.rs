//! End-to-end tests of the `briefing` binary: the full fixture site (every field of FORMAT.md),
//! its links, determinism, failed builds, the command line, and a corpus of broken sites whose
//! diagnostics are pinned in `tests/sites/broken/<case>/expected.txt`.

mod common;

use common::*;
use std::path::{Path, PathBuf};

const BASE_PATH: &str = "/brief/";
const BASE_URL: &str = "https://example.org/brief/";

/// Build the full fixture (copied into a tempdir) with `extra` flags into `<tmp>/out`.
fn build_full(extra: &[&str]) -> (tempfile::TempDir, PathBuf, PathBuf, Run) {
    let (dir, site) = fixture("full");
    let out = dir.path().join("out");
    let run = build_to(&site, &out, extra);
    run.expect_code(0, "building the full fixture");
    (dir, site, out, run)
}

const ARTICLES: &[&str] = &[
    "reform-press-conference",
    "undated-commentary",
    "zh-report",
    "machine-translation",
    "unsafe-html",
];
const MEETINGS: &[&str] = &["fourth-plenary", "mobilization-meeting", "annual-session"];
const PEOPLE: &[&str] = &["yuan-jiajun", "jiang-hui", "li-wei", "li-weiming"];
const TOPICS: &[&str] = &["three-attacks", "soe-reform", "zone-reform"];
const ORGANIZATIONS: &[&str] = &["cq-committee", "cpc-central-committee", "reform-office"];

// ---------------------------------------------------------------------------------------------
// The full fixture
// ---------------------------------------------------------------------------------------------

#[test]
fn full_fixture_checks_without_errors() {
    let (_dir, site) = fixture("full");
    let run = briefing(&["check", "--root", site.to_str().unwrap()]);
    run.expect_code(0, "check of the full fixture");
    assert!(
        !run.stderr.contains("error:"),
        "errors in the full fixture:\n{}",
        run.stderr
    );
}

/// A build writes its files as it makes them and lets go of text it no longer needs on the way;
/// what it writes must still be exactly what the site renders to in memory (as `serve` does).
#[test]
fn a_build_writes_exactly_what_the_site_renders_to_in_memory() {
    let (_dir, site, out, _) = build_full(&[]);
    let built = briefing::build(&site, &briefing::BuildOptions::default()).unwrap();
    let rendered = built.output.expect("the full fixture renders").files;
    let mut written = snapshot(&out);
    written.retain(|path, _| !path.starts_with(".briefing"));
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        rendered.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &rendered {
        assert!(
            written[path] == *bytes,
            "{path} differs between the build and the site rendered in memory"
        );
    }
    assert!(
        rendered.keys().any(|p| p.starts_with("search/d/")),
        "the search index's chunks are compared too"
    );
}

#[test]
fn every_page_of_the_address_table_is_written() {
    let (_dir, _site, out, _) = build_full(&[]);
    let mut expected: Vec<String> = vec![
        "index.html".into(),
        "search/index.html".into(),
        "search/index.js".into(),
        "atom.xml".into(),
        "sitemap.xml".into(),
        "robots.txt".into(),
        "404.html".into(),
    ];
    for (folder, ids) in [
        ("articles", ARTICLES),
        ("meetings", MEETINGS),
        ("people", PEOPLE),
        ("topics", TOPICS),
        ("organizations", ORGANIZATIONS),
    ] {
        expected.push(format!("{folder}/index.html"));
        for id in ids {
            expected.push(format!("{folder}/{id}/index.html"));
        }
    }
    let files = all_files(&out);
    let missing: Vec<&String> = expected.iter().filter(|f| !files.contains(f)).collect();
    assert!(
        missing.is_empty(),
        "missing pages: {missing:?}\nwritten: {files:?}"
    );
    // Every address ends in `/`, written as `<address>/index.html`: no other .html but 404.
    for f in &files {
        if f.ends_with(".html") {
            assert!(
                f.ends_with("/index.html") || f == "index.html" || f == "404.html",
                "{f} is not written as <address>/index.html"
            );
        }
    }
    // Pages carry the full URL from base_url as canonical; the feed and sitemap use full URLs.
    let page = read(&out, "people/yuan-jiajun/index.html");
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https://example.org/brief/people/yuan-jiajun/\">"
        ),
        "no canonical full URL"
    );
    let sitemap = read(&out, "sitemap.xml");
    for loc in sitemap_locs(&sitemap) {
        assert!(loc.starts_with(BASE_URL), "sitemap address {loc}");
        let file = format!("{}index.html", &loc[BASE_URL.len()..]);
        assert!(files.contains(&file), "sitemap names {loc}, not written");
    }
    assert!(read(&out, "robots.txt").contains("https://example.org/brief/sitemap.xml"));
}

#[test]
fn static_files_template_overrides_and_site_extra() {
    let (_dir, _site, out, _) = build_full(&[]);
    let notfound = read(&out, "404.html");
    assert!(
        notfound.contains("TEMPLATE-OVERRIDE-404"),
        "templates/404.html of the site did not override the theme's"
    );
    assert!(
        notfound.contains("site-extra-value") && notfound.contains("Test desk"),
        "[extra] of site.toml is not handed to templates"
    );
    // The theme's own static files are there, and the site's static/ is copied as it is.
    assert!(out.join("style.css").is_file());
    assert!(out.join("briefing.js").is_file());
    let copied = out.join("files/notice.txt");
    assert!(
        copied.is_file(),
        "static/files/notice.txt of the site was not copied to the output"
    );
    assert_eq!(
        std::fs::read(copied).unwrap(),
        b"Fixture static file.\n".to_vec()
    );
}

#[test]
fn a_static_file_never_takes_the_address_of_a_made_file() {
    let (dir, site) = fixture("full");
    let taken = [
        "404.html",
        "people/yuan-jiajun/index.html",
        "atom.xml",
        "robots.txt",
        "data.json",
        "search/index.js",
        "search/d/0.js",
    ];
    for path in taken.iter().chain(["files/own.txt"].iter()) {
        let file = site.join("static").join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, "STATIC COPY").unwrap();
    }
    let out = dir.path().join("out");
    build_to(&site, &out, &[]).expect_code(0, "building with static files at made addresses");
    for path in taken {
        assert_ne!(
            read(&out, path),
            "STATIC COPY",
            "the static file at {path} replaced the file the build makes there"
        );
    }
    assert_eq!(read(&out, "files/own.txt"), "STATIC COPY");
}

#[test]
fn paragraphs_are_numbered_and_only_paragraphs() {
    let (_dir, _site, out, _) = build_full(&[]);
    let page = read(&out, "articles/reform-press-conference/index.html");
    let body = article_body(&page);
    // Six paragraphs: the heading, list, table, block quote, code block and the two paragraphs
    // of no-break spaces are not numbered.
    for n in 1..=6 {
        let p = paragraph(body, n).unwrap_or_else(|| panic!("no paragraph p{n}:\n{body}"));
        assert!(
            p.contains(&format!("href=\"#p{n}\"")),
            "p{n} has no number linking to itself"
        );
        assert!(
            p.contains("<div class=\"ptext\"><p>"),
            "p{n} is not a paragraph: {p}"
        );
        for tag in ["<h2", "<li", "<table", "<blockquote", "<pre"] {
            assert!(!p.contains(tag), "p{n} holds a {tag}: {p}");
        }
    }
    assert!(
        paragraph(body, 7).is_none(),
        "more than six numbered paragraphs:\n{body}"
    );
    let ids: Vec<&str> = attr_values(body, "id")
        .into_iter()
        .filter(|id| id.starts_with('p'))
        .collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4", "p5", "p6"]);
    assert!(paragraph(body, 6).unwrap().contains("Final paragraph"));
    // The unnumbered blocks are all still there.
    for block in [
        "<h2>A heading that mentions Yuan Jiajun</h2>",
        "<li>A list item naming SOE reform</li>",
        "<table>",
        "<blockquote>",
        "<pre",
    ] {
        assert!(body.contains(block), "{block} is missing from the body");
    }
    // Wikilinks inside code are left alone, in code blocks and code spans.
    assert!(body.contains("[[yuan-jiajun]] stays as written"));
    assert!(
        paragraph(body, 5)
            .unwrap()
            .contains("<code>[[not-a-link]]</code>")
    );

    // Paragraph anchors of the other articles.
    let unsafe_page = read(&out, "articles/unsafe-html/index.html");
    let unsafe_body = article_body(&unsafe_page);
    assert!(
        paragraph(unsafe_body, 1)
            .unwrap()
            .contains("A normal paragraph")
    );
    assert!(
        !unsafe_body.contains("id=\"p5\""),
        "raw HTML blocks must not be numbered:\n{unsafe_body}"
    );
}

#[test]
fn mentions_are_linked_first_only_and_never_in_headings_links_or_code() {
    let (_dir, _site, out, _) = build_full(&[]);
    let page = read(&out, "articles/reform-press-conference/index.html");
    let body = article_body(&page);
    let yuan_mention = "class=\"mention ref-person\" href=\"/brief/people/yuan-jiajun/\"";
    assert_eq!(
        body.matches(yuan_mention).count(),
        1,
        "Yuan Jiajun must be linked at his first mention only:\n{body}"
    );
    assert!(paragraph(body, 2).unwrap().contains(yuan_mention));
    assert!(
        paragraph(body, 2)
            .unwrap()
            .contains("Yuan Jiajun spoke again later")
    );
    // An alias links too (Spokesperson Jiang), and an organization by name.
    assert!(
        paragraph(body, 3)
            .unwrap()
            .contains("href=\"/brief/people/jiang-hui/\"")
    );
    assert!(
        paragraph(body, 1)
            .unwrap()
            .contains("href=\"/brief/organizations/reform-office/\"")
    );
    // Headings are never searched for mentions.
    assert!(body.contains("<h2>A heading that mentions Yuan Jiajun</h2>"));
    // Block quotes are.
    assert!(body.contains("<blockquote>\n<p>A block quote about <a class=\"mention ref-topic\" href=\"/brief/topics/zone-reform/\""));

    // A wikilink counts as the first mention; links, code and headings hold no mentions.
    let mt = read(&out, "articles/machine-translation/index.html");
    let mt_body = article_body(&mt);
    assert!(mt_body.contains(
        "href=\"/brief/people/yuan-jiajun/\" data-ref=\"people/yuan-jiajun\">the secretary</a>"
    ));
    assert!(
        !mt_body.contains(yuan_mention),
        "a mention after a wikilink to the same person must not be linked:\n{mt_body}"
    );
    assert!(
        !mt_body.contains("/brief/people/li-wei/"),
        "a name in a heading must not be linked:\n{mt_body}"
    );
    assert!(
        !mt_body.contains("/brief/people/jiang-hui/"),
        "a name inside a link or code must not be linked:\n{mt_body}"
    );

    // CJK names match without word boundaries; the longest of overlapping names wins.
    let zh = read(&out, "articles/zh-report/index.html");
    let zh_body = article_body(&zh);
    assert!(
        zh_body.contains("市委书记<a class=\"mention ref-person\" href=\"/brief/people/yuan-jiajun/\" data-ref=\"people/yuan-jiajun\">袁家军</a>主持"),
        "袁家军 is not linked in the zh article:\n{zh_body}"
    );
    assert!(
        zh_body.contains(
            "href=\"/brief/people/li-weiming/\" data-ref=\"people/li-weiming\">李伟明</a>"
        )
    );
    assert!(
        zh_body.contains("href=\"/brief/people/li-wei/\" data-ref=\"people/li-wei\">李伟</a>出席")
    );
    assert!(zh_body.contains(">中共重庆市委</a>"));
    let uc = read(&out, "articles/undated-commentary/index.html");
    assert!(article_body(&uc).contains("data-ref=\"people/li-weiming\">李伟明</a>"));

    // "Mentioned in" on the person's page, with the paragraphs.
    let person = read(&out, "people/yuan-jiajun/index.html");
    let mentioned = person
        .split("Mentioned in")
        .nth(1)
        .expect("a Mentioned in list");
    for id in [
        "reform-press-conference",
        "zh-report",
        "machine-translation",
    ] {
        assert!(
            mentioned.contains(&format!("/brief/articles/{id}/")),
            "{id} missing from Yuan Jiajun's mentions"
        );
    }
}

#[test]
fn wikilinks_of_every_form_resolve() {
    let (_dir, _site, out, _) = build_full(&[]);
    let meeting = read(&out, "meetings/fourth-plenary/index.html");
    // [[Name]] with the entity's name as label.
    assert!(meeting.contains(
        "href=\"/brief/people/yuan-jiajun/\" data-ref=\"people/yuan-jiajun\">Yuan Jiajun</a>"
    ));
    // [[target|label]]
    assert!(meeting.contains(
        "href=\"/brief/topics/soe-reform/\" data-ref=\"topics/soe-reform\">the SOE plan</a>"
    ));
    // [[people/id]]
    assert!(meeting.contains("data-ref=\"people/jiang-hui\">Jiang Hui</a>"));
    // [[Alias]], labelled with the name
    assert!(
        meeting.contains(
            "data-ref=\"organizations/cq-committee\">CPC Chongqing Municipal Committee</a>"
        )
    );
    // [[article#pN]]: a small numbered link to the paragraph.
    assert!(
        meeting.contains(
            "<sup class=\"cite\"><a href=\"/brief/articles/reform-press-conference/#p1\""
        )
    );
    // [[id]] in a summary
    let topic = read(&out, "topics/three-attacks/index.html");
    assert!(topic.contains("data-ref=\"topics/soe-reform\">State-owned enterprise reform</a>"));
    assert!(topic.contains("data-ref=\"topics/zone-reform\">Development zone reform</a>"));
    // [[organizations/id|label]]
    let org = read(&out, "organizations/reform-office/index.html");
    assert!(org.contains("data-ref=\"organizations/cq-committee\">committee</a>"));
}

#[test]
fn meetings_people_topics_and_organizations_show_their_fields() {
    let (_dir, _site, out, _) = build_full(&[]);
    let m = read(&out, "meetings/fourth-plenary/index.html");
    for text in [
        "<time datetime=\"2023-12-25\">25 December 2023</time>",
        "<time datetime=\"2023-12-26\">26 December 2023</time>",
        "plenary session",
        "Chongqing",
        "Spokesperson; briefed the press on 27 December",
        "Approved a proposal on institutional reform.",
        "approved a critical proposal",
        "gives the same account",
        "39.7%",
        "The article does not say of what.",
        "/brief/meetings/mobilization-meeting/",
        "/brief/organizations/cq-committee/",
        "/brief/topics/zone-reform/",
    ] {
        assert!(m.contains(text), "the meeting page lacks {text:?}");
    }
    // The short title is for lists; at least search knows it (among the meeting's names).
    assert!(read(&out, "search/d/0.js").contains("6th Committee, 4th Plenary"));
    // Date precision is kept as given.
    let month = read(&out, "meetings/mobilization-meeting/index.html");
    assert!(month.contains("February 2023"));
    let year = read(&out, "meetings/annual-session/index.html");
    assert!(year.contains("<time datetime=\"2022\">2022</time>"));
    // The meetings index is a timeline by year.
    let index = read(&out, "meetings/index.html");
    let (y2023, y2022) = (index.find("2023</h2>"), index.find("2022</h2>"));
    assert!(
        y2023.is_some() && y2022.is_some() && y2023 < y2022,
        "no year headings, newest first"
    );
    // The undated article is listed after the dated ones.
    let articles = read(&out, "articles/index.html");
    let undated = articles
        .find("/brief/articles/undated-commentary/")
        .unwrap();
    for id in [
        "reform-press-conference",
        "zh-report",
        "machine-translation",
        "unsafe-html",
    ] {
        assert!(
            articles.find(&format!("/brief/articles/{id}/")).unwrap() < undated,
            "undated article listed before {id}"
        );
    }

    let p = read(&out, "people/yuan-jiajun/index.html");
    for text in [
        "袁家军",
        "Secretary Yuan",
        "Secretary",
        "December 2022",
        "27 December 2023",
        "Secretary Yuan Jiajun chaired",
        "Still in office per",
        "Governor of Zhejiang",
        "August 2020",
    ] {
        assert!(p.contains(text), "the person page lacks {text:?}");
    }
    let t = read(&out, "topics/soe-reform/index.html");
    for text in [
        "Total industrial output of 4 trillion yuan",
        "<time datetime=\"2027\">2027</time>",
        "June 2025",
        "4 trillion yuan by 2027",
        "The target appears in",
        "/brief/topics/three-attacks/",
        "/brief/topics/zone-reform/",
    ] {
        assert!(t.contains(text), "the topic page lacks {text:?}");
    }
    // A parent topic lists its subtopics.
    let parent = read(&out, "topics/three-attacks/index.html");
    assert!(
        parent.contains("/brief/topics/soe-reform/")
            && parent.contains("/brief/topics/zone-reform/")
    );
    let o = read(&out, "organizations/cq-committee/index.html");
    assert!(
        o.contains("中共重庆市委") && o.contains("/brief/organizations/cpc-central-committee/")
    );
    // A child organization shows on its parent's page.
    assert!(o.contains("/brief/organizations/reform-office/"));
    // Articles: translation and original title.
    let mt = read(&out, "articles/machine-translation/index.html");
    assert!(mt.contains("machine translation") && mt.contains("开发区改革"));
}

#[test]
fn cited_paragraphs_show_cited_by_and_quotes_are_marked() {
    let (_dir, _site, out, _) = build_full(&[]);
    let page = read(&out, "articles/reform-press-conference/index.html");
    let body = article_body(&page);
    let p1 = paragraph(body, 1).unwrap();
    assert!(
        p1.contains("Cited by"),
        "p1 is cited by the meeting's date note"
    );
    assert!(
        p1.contains("/brief/meetings/fourth-plenary/") && p1.contains("/brief/articles/zh-report/")
    );
    let p3 = paragraph(body, 3).unwrap();
    assert!(p3.contains("Cited by") && p3.contains("/brief/topics/soe-reform/"));
    assert!(!paragraph(body, 5).unwrap().contains("Cited by"));
    // Quotes of key points, figures, targets and positions are marked at build time.
    assert!(
        paragraph(body, 2)
            .unwrap()
            .contains("<mark>approved a critical proposal</mark>")
    );
    assert!(p3.contains("<mark>4 trillion yuan by 2027</mark>"));
    assert!(
        paragraph(body, 4)
            .unwrap()
            .contains("<mark>grew 39.7% from January to November</mark>")
    );
    assert!(
        paragraph(body, 2)
            .unwrap()
            .contains("<mark>Secretary Yuan</mark>")
    );
    assert_eq!(
        body.matches("<mark>").count(),
        5,
        "exactly the four quotes are marked (one split around a link):\n{body}"
    );
}

#[test]
fn date_note_markers_in_lists_read_as_text() {
    let (_dir, _site, out, _) = build_full(&[]);
    let index = read(&out, "meetings/index.html");
    let marker = index
        .split("class=\"date-note-marker\" title=\"")
        .nth(1)
        .expect("the fourth plenary has a date-note marker");
    let title = marker.split('"').next().unwrap();
    // "Day from [[reform-press-conference#p1]]." must not become "Day from 1.": the citation
    // has to say what it cites.
    assert!(
        title.contains("Chongqing sets course"),
        "the date note marker's title lost its citation: {title:?}"
    );
}

#[test]
fn the_zh_article_has_lang_zh() {
    let (_dir, _site, out, _) = build_full(&[]);
    let zh = read(&out, "articles/zh-report/index.html");
    assert!(
        zh.contains("<html lang=\"zh\">")
            || zh.contains("<article class=\"entity article\" lang=\"zh\">"),
        "the zh article is not marked lang=zh"
    );
    assert!(zh.contains("lang=\"zh\""));
    let en = read(&out, "articles/reform-press-conference/index.html");
    assert!(!en.contains("lang=\"zh\">会议"));
}

#[test]
fn content_html_is_sanitized() {
    let (_dir, _site, out, _) = build_full(&["--drafts"]);
    let mut pages = 0;
    for f in all_files(&out) {
        if !(f.ends_with(".html") || f.ends_with(".xml") || f.ends_with(".json")) {
            continue;
        }
        pages += 1;
        let text = read(&out, &f);
        let lower = text.to_lowercase();
        // The only script is the theme's own, beside the previews' data block, which holds
        // JSON with every `<` escaped (so nothing in it can close it or open a tag).
        for (i, _) in lower.match_indices("<script") {
            let end = lower[i..]
                .find('>')
                .map(|e| i + e + 1)
                .unwrap_or(lower.len());
            let tag = &lower[i..end];
            if tag == "<script type=\"application/json\" id=\"briefing-previews\">" {
                let data = &text[end..end + lower[end..].find("</script>").unwrap_or(0)];
                assert!(
                    !data.contains('<'),
                    "{f}: markup inside the previews: {data}"
                );
                serde_json::from_str::<serde_json::Value>(data)
                    .unwrap_or_else(|e| panic!("{f}: the previews are not JSON ({e}): {data}"));
                continue;
            }
            assert!(
                tag.starts_with("<script src=\"") && tag.contains("briefing.js"),
                "{f}: a script that is not the theme's: {tag}"
            );
        }
        for bad in [
            "onclick",
            "onerror=\"",
            "javascript:",
            "<iframe",
            "<object",
            "<embed",
            "xss-content",
        ] {
            // Escaped text (`&lt;img … onerror=…`) is harmless; a live attribute or tag is not.
            for (i, _) in lower.match_indices(bad) {
                let before = &lower[..i];
                let tag_start = before.rfind('<');
                let tag_end = before.rfind('>');
                let inside_tag = match (tag_start, tag_end) {
                    (Some(s), Some(e)) => s > e,
                    (Some(_), None) => true,
                    _ => false,
                };
                assert!(
                    !inside_tag && !bad.starts_with('<') && bad != "xss-content",
                    "{f}: `{bad}` survived sanitizing: …{}…",
                    &text[i.saturating_sub(80)..(i + 80).min(text.len())]
                );
            }
        }
    }
    assert!(pages > 20);
    let page = read(&out, "articles/unsafe-html/index.html");
    assert!(page.contains("A div with an onclick handler."));
    assert!(page.contains("Last safe paragraph."));
}

#[test]
fn drafts_are_built_only_with_drafts() {
    let (_dir, _site, out, _) = build_full(&[]);
    assert!(!out.join("articles/draft-article").exists());
    for f in all_files(&out) {
        let bytes = std::fs::read(out.join(&f)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("DRAFT-MARKER-TEXT")
                && !String::from_utf8_lossy(&bytes).contains("draft-article"),
            "{f} carries the draft"
        );
    }
    let (_dir2, _site2, out2, _) = build_full(&["--drafts"]);
    let page = read(&out2, "articles/draft-article/index.html");
    assert!(page.contains("DRAFT-MARKER-TEXT"));
    assert!(read(&out2, "articles/index.html").contains("/brief/articles/draft-article/"));
}

#[test]
fn a_reference_to_a_draft_warns_and_renders_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    briefing(&["init", site.to_str().unwrap()]).expect_code(0, "init");
    let article = site.join("content/articles/example-report.md");
    let text =
        std::fs::read_to_string(&article)
            .unwrap()
            .replacen("---\n", "---\ndraft: true\n", 1);
    std::fs::write(&article, text).unwrap();
    let run = briefing(&["build", "--root", site.to_str().unwrap()]);
    run.expect_code(0, "a build that refers to a draft");
    assert!(
        run.stderr.contains(
            "content/meetings/example-meeting.yaml:8:11: warning: `example-report` is a draft"
        ),
        "{}",
        run.stderr
    );
    let meeting = read(&site.join("public"), "meetings/example-meeting/index.html");
    assert!(!meeting.contains("articles/example-report"));
    assert!(!site.join("public/articles/example-report").exists());
    // check validates drafts as well, and passes.
    briefing(&["check", "--root", site.to_str().unwrap()]).expect_code(0, "check");
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

#[test]
fn every_link_resolves_rooted_at_the_base_path() {
    let (_dir, _site, out, _) = build_full(&["--drafts"]);
    let checked = check_links(
        &out,
        &LinkStyle::Rooted {
            base_path: BASE_PATH,
            base_url: BASE_URL,
        },
    );
    assert!(checked > 300, "only {checked} links checked");
    // No link escapes the base path.
    for f in all_files(&out).iter().filter(|f| f.ends_with(".html")) {
        let html = read(&out, f);
        for link in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            assert!(
                !link.starts_with('/') || link.starts_with(BASE_PATH),
                "{f}: {link} is not under {BASE_PATH}"
            );
        }
    }
}

#[test]
fn every_link_resolves_as_a_file_offline() {
    let (_dir, _site, out, _) = build_full(&["--offline", "--drafts"]);
    let checked = check_links(&out, &LinkStyle::Offline { base_url: BASE_URL });
    assert!(checked > 300, "only {checked} links checked");
    // Feeds and the sitemap keep full URLs.
    assert!(read(&out, "atom.xml").contains("https://example.org/brief/articles/"));
    assert!(read(&out, "sitemap.xml").contains("<loc>https://example.org/brief/"));
}

#[test]
fn offline_from_site_toml_is_the_same_as_the_flag() {
    let (dir, site) = fixture("full");
    let toml = std::fs::read_to_string(site.join("site.toml"))
        .unwrap()
        .replace("offline = false", "offline = true");
    std::fs::write(site.join("site.toml"), toml).unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let root = site.to_str().unwrap();
    briefing(&["build", "--root", root, "--output", a.to_str().unwrap()]).expect_code(0, "build");
    briefing(&[
        "build",
        "--root",
        root,
        "--output",
        b.to_str().unwrap(),
        "--offline",
    ])
    .expect_code(0, "build --offline");
    assert_eq!(snapshot(&a), snapshot(&b));
    check_links(&a, &LinkStyle::Offline { base_url: BASE_URL });
}

// ---------------------------------------------------------------------------------------------
// Output: determinism, no-op rebuilds, failed builds
// ---------------------------------------------------------------------------------------------

#[test]
fn two_builds_write_the_same_bytes() {
    let (dir, site) = fixture("full");
    let root = site.to_str().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    briefing(&["build", "--root", root, "--output", a.to_str().unwrap()]).expect_code(0, "a");
    briefing(&["build", "--root", root, "--output", b.to_str().unwrap()]).expect_code(0, "b");
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (name, bytes) in &sa {
        assert!(bytes == &sb[name], "{name} differs between two builds");
    }
    // No time of the build anywhere: the feed's `updated` is the newest date in it.
    let atom = read(&a, "atom.xml");
    let updated = atom
        .split("<updated>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap();
    assert!(updated.starts_with("2024-01-01"), "feed updated {updated}");
    // Undated articles are left out of the feed.
    assert!(!atom.contains("undated-commentary"));
}

#[test]
fn a_second_build_writes_nothing() {
    let (_dir, site, out, _) = build_full(&[]);
    let before = snapshot(&out);
    let times = mtimes(&out);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = build_to(&site, &out, &[]);
    run.expect_code(0, "second build");
    assert!(
        run.stderr.contains("(0 written")
            || run.stderr.contains("nothing changed since the last build"),
        "{}",
        run.stderr
    );
    assert_eq!(before, snapshot(&out));
    assert_eq!(times, mtimes(&out), "a no-op build touched files");
}

#[test]
fn a_build_removes_what_it_wrote_before_and_keeps_other_files() {
    let (_dir, site, out, _) = build_full(&[]);
    std::fs::write(out.join("keep-me.txt"), "not written by briefing").unwrap();
    std::fs::remove_file(site.join("content/articles/unsafe-html.md")).unwrap();
    build_to(&site, &out, &[]).expect_code(0, "rebuild");
    assert!(!out.join("articles/unsafe-html/index.html").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("keep-me.txt")).unwrap(),
        "not written by briefing"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_as_it_was() {
    let (_dir, site, out, _) = build_full(&[]);
    let before = snapshot(&out);
    let times = mtimes(&out);
    let meeting = site.join("content/meetings/fourth-plenary.yaml");
    let text = std::fs::read_to_string(&meeting)
        .unwrap()
        .replace("chair: yuan-jiajun", "chair: yuan-jiajn");
    std::fs::write(&meeting, text).unwrap();
    // Also change something that would otherwise be rewritten.
    let article = site.join("content/articles/undated-commentary.md");
    let text = std::fs::read_to_string(&article)
        .unwrap()
        .replace("in passing", "in passing, changed");
    std::fs::write(&article, text).unwrap();
    let run = build_to(&site, &out, &[]);
    run.expect_code(1, "a build with an error");
    assert!(
        run.stderr.contains("content/meetings/fourth-plenary.yaml:9:8: error: no person has the id `yuan-jiajn` (did you mean `yuan-jiajun`?)"),
        "{}",
        run.stderr
    );
    assert_eq!(before, snapshot(&out), "a failed build changed the output");
    assert_eq!(times, mtimes(&out));
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

#[test]
fn an_output_folder_that_is_the_site_or_holds_content_is_refused() {
    let (dir, site) = fixture("full");
    let root = site.to_str().unwrap();
    let before = all_files(&site);
    // --output naming the site root, or a folder holding content/.
    let run = briefing(&["build", "--root", root, "--output", root]);
    run.expect_code(2, "--output = the site root");
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join("content")).unwrap();
    std::fs::write(other.join("content/mine.txt"), "mine").unwrap();
    briefing(&["build", "--root", root, "--output", other.to_str().unwrap()])
        .expect_code(2, "--output holding content/");
    assert_eq!(all_files(&other), ["content/mine.txt"]);
    // output_dir in site.toml naming the site itself, spelled in several ways.
    for spelled in [".", "./", "../site"] {
        let toml = std::fs::read_to_string(sites_dir().join("full/site.toml"))
            .unwrap()
            .replace(
                "output_dir = \"public\"",
                &format!("output_dir = \"{spelled}\""),
            );
        std::fs::write(site.join("site.toml"), toml).unwrap();
        let run = briefing(&["build", "--root", root]);
        assert!(
            matches!(run.code, Some(1) | Some(2)),
            "output_dir = {spelled:?} was not refused: {}",
            run.stderr
        );
        // A site that passes check builds: check must refuse it too.
        let check = briefing(&["check", "--root", root]);
        assert_ne!(
            check.code,
            Some(0),
            "check accepts output_dir = {spelled:?}, which build refuses"
        );
    }
    assert_eq!(before, all_files(&site), "files were written into the site");
}

#[test]
fn check_writes_nothing() {
    let (dir, site) = fixture("full");
    let before = snapshot(dir.path());
    briefing(&["check", "--root", site.to_str().unwrap()]).expect_code(0, "check");
    briefing(&["check", "--root", site.to_str().unwrap(), "--drafts"]).expect_code(0, "check");
    assert_eq!(before, snapshot(dir.path()));
    assert!(!site.join("public").exists());
}

#[test]
fn init_then_build_and_check_from_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new-site");
    let run = briefing(&["init", site.to_str().unwrap()]);
    run.expect_code(0, "init");
    // --root defaults to the current folder.
    briefing_in(Some(&site), &["check"]).expect_code(0, "check in the site folder");
    let build = briefing_in(Some(&site), &["build"]);
    build.expect_code(0, "build in the site folder");
    assert!(site.join("public/index.html").is_file());
    check_links(
        &site.join("public"),
        &LinkStyle::Rooted {
            base_path: "/",
            base_url: "https://example.org/",
        },
    );
    // init into a folder that already holds a site refuses and changes nothing.
    let before = snapshot(&site);
    let again = briefing(&["init", site.to_str().unwrap()]);
    assert_ne!(again.code, Some(0), "init over an existing site succeeded");
    assert_eq!(before, snapshot(&site));
}

#[test]
fn new_writes_files_that_pass_check() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    briefing(&["init", site.to_str().unwrap()]).expect_code(0, "init");
    let root = site.to_str().unwrap();
    for (kind, path) in [
        ("meeting", "content/meetings/x.yaml"),
        ("article", "content/articles/x.md"),
        ("person", "content/people/x.yaml"),
        ("topic", "content/topics/x.yaml"),
        ("organization", "content/organizations/x.yaml"),
    ] {
        briefing(&["new", kind, "x", "--root", root]).expect_code(0, kind);
        assert!(site.join(path).is_file(), "new {kind} wrote no {path}");
        let check = briefing(&["check", "--root", root]);
        check.expect_code(0, &format!("check after `new {kind} x`"));
        assert!(!check.stderr.contains("error:"));
    }
    // Not over an existing file.
    let before = std::fs::read(site.join("content/meetings/x.yaml")).unwrap();
    let run = briefing(&["new", "meeting", "x", "--root", root]);
    assert_ne!(run.code, Some(0));
    assert_eq!(
        before,
        std::fs::read(site.join("content/meetings/x.yaml")).unwrap()
    );
    // Bad id, bad kind.
    briefing(&["new", "meeting", "Bad_Id", "--root", root]).expect_code(2, "bad id");
    briefing(&["new", "widget", "y", "--root", root]).expect_code(2, "bad kind");
    assert!(!site.join("content/meetings/Bad_Id.yaml").exists());
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().to_str().unwrap();
    let (_fdir, site) = fixture("full");
    let root = site.to_str().unwrap();
    for args in [
        vec!["frobnicate"],
        vec!["build", "--frobnicate"],
        vec!["check", "--root", root, "--verbose-nonsense"],
        vec!["build", "--root", empty],
        vec!["check", "--root", empty],
        vec!["build", "--root", root, "--base-url", "not a url"],
        vec!["build", "--root", root, "--base-url", "ftp://example.org/"],
    ] {
        let run = briefing(&args);
        run.expect_code(2, &format!("briefing {args:?}"));
        assert!(!run.stderr.is_empty(), "briefing {args:?} said nothing");
    }
    assert!(!site.join("public").exists());
    let run = briefing_in(Some(dir.path()), &["build"]);
    run.expect_code(2, "build with no site.toml in the current folder");
    assert!(run.stderr.contains("site.toml"), "{}", run.stderr);
    // --base-url overrides site.toml's.
    let out = dir.path().join("out");
    briefing(&[
        "build",
        "--root",
        root,
        "--output",
        out.to_str().unwrap(),
        "--base-url",
        "http://localhost:8080/preview/",
    ])
    .expect_code(0, "--base-url");
    check_links(
        &out,
        &LinkStyle::Rooted {
            base_path: "/preview/",
            base_url: "http://localhost:8080/preview/",
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The broken corpus
// ---------------------------------------------------------------------------------------------

/// Files too big, binary or not UTF-8 are made at test time, not committed.
fn generate(case: &str, site: &Path) {
    let articles = site.join("content/articles");
    match case {
        "invalid-utf8" => {
            std::fs::create_dir_all(&articles).unwrap();
            std::fs::write(
                articles.join("a.md"),
                b"---\ntitle: T\nsource: S\n---\nCaf\xe9 body.\n",
            )
            .unwrap();
        }
        "binary-md" => {
            std::fs::create_dir_all(&articles).unwrap();
            std::fs::write(
                articles.join("a.md"),
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00",
            )
            .unwrap();
        }
        "file-over-limit" => {
            std::fs::create_dir_all(&articles).unwrap();
            // 50 MB, sparse: the size is refused before the file is read.
            let f = std::fs::File::create(articles.join("big.md")).unwrap();
            f.set_len(50 * 1024 * 1024).unwrap();
        }
        _ => {}
    }
}

/// Messages of the libraries underneath, which an author cannot act on.
const LEAKS: &[&str] = &[
    "budget breached",
    "DuplicateKeyPolicy",
    "Nodes {",
    "Error {",
];

#[test]
fn broken_sites_report_every_error_where_it_is() {
    let broken = sites_dir().join("broken");
    let mut cases: Vec<String> = std::fs::read_dir(&broken)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "only {} broken cases", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let site = dir.path().join(case);
        copy_dir(&broken.join(case), &site);
        let expected = std::fs::read_to_string(site.join("expected.txt"))
            .unwrap_or_else(|_| panic!("{case} has no expected.txt"));
        std::fs::remove_file(site.join("expected.txt")).unwrap();
        generate(case, &site);
        let run = briefing(&["check", "--root", site.to_str().unwrap()]);
        let mut problems = Vec::new();
        if run.code != Some(1) {
            problems.push(format!("exit {:?}, expected 1", run.code));
        }
        let lines: Vec<&str> = run.stderr.lines().collect();
        for want in expected.lines().filter(|l| !l.trim().is_empty()) {
            // A line ending in ` …` is matched as a prefix (the rest of the message is free).
            let found = match want.strip_suffix(" …") {
                Some(prefix) => lines.iter().any(|l| l.starts_with(prefix)),
                None => lines.contains(&want),
            };
            if !found {
                problems.push(format!("missing line: {want}"));
            }
        }
        for leak in LEAKS {
            if run.stderr.contains(leak) {
                problems.push(format!("a library's message leaks through: `{leak}`"));
            }
        }
        // A build of a broken site writes nothing either, and reports the same problems at
        // the same places (a build lets go of article texts as it goes).
        let build = briefing(&["build", "--root", site.to_str().unwrap()]);
        if build.code == Some(0) || site.join("public").exists() {
            problems.push("build succeeded or wrote output".into());
        }
        let diagnostics = |stderr: &str| -> Vec<String> {
            stderr
                .lines()
                .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
                .map(str::to_string)
                .collect()
        };
        if diagnostics(&build.stderr) != diagnostics(&run.stderr) {
            problems.push(format!("build reports otherwise:\n{}", build.stderr));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{case}:\n  {}\n  --- stderr:\n{}",
                problems.join("\n  "),
                run.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} broken cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn quotes_are_marked_in_an_article_that_cites_nothing_itself() {
    // `build` lets go of an article's text once its body is rendered, except where it is still
    // needed: here, to render the body again with the quotes of the meeting and the person.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    write_small_site(&root);
    let out = dir.path().join("out");
    build_to(&root, &out, &[]).expect_code(0, "build");
    let page = read(&out, "articles/report/index.html");
    let body = article_body(&page);
    assert!(
        paragraph(body, 1)
            .unwrap()
            .contains("<mark>Jane Doe</mark></a><mark>, its chair</mark>"),
        "{body}"
    );
    assert!(
        paragraph(body, 2)
            .unwrap()
            .contains("<mark>100 centres by 2027</mark>"),
        "{body}"
    );
}
