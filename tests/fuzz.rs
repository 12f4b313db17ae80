//! Generated bad input: property-based tests that build mutated copies of a small valid site
//! with the real binary.
//!
//! Every generated site must end in a successful build or in `path:line:column` errors with
//! exit status 1, within a time limit and under a memory cap (`common::check_hostile_build`), and no output file may carry a
//! script that the input smuggled in (`common::smuggled_scripts`).
//!
//! The number of cases per property is `BRIEFING_FUZZ_CASES` (or proptest's own
//! `PROPTEST_CASES`; default [`DEFAULT_CASES`], kept small for CI); a long run is
//! `BRIEFING_FUZZ_CASES=2000 cargo test --release --test fuzz`. Cases that once failed are kept
//! in `tests/regressions/` and replayed by `tests/hardening.rs`.

mod common;

use common::{check_hostile_build, small_site_files};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Cases per property when `BRIEFING_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 40;

/// The longest build of this run, in milliseconds (printed each time it grows).
static LONGEST_MS: AtomicU64 = AtomicU64::new(0);
/// Builds that succeeded and failed, to see that both kinds are exercised.
static BUILT: AtomicU64 = AtomicU64::new(0);
static REFUSED: AtomicU64 = AtomicU64::new(0);

fn config() -> Config {
    let cases = ["BRIEFING_FUZZ_CASES", "PROPTEST_CASES"]
        .iter()
        .find_map(|name| std::env::var(name).ok()?.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        // Failures are kept by hand, minimized, in tests/regressions/.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 200,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Building and checking one site.

/// Write the small site with `changes` laid over it, build it, and check the result.
fn build_and_check(changes: &[(String, Vec<u8>)]) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    for (rel, text) in small_site_files() {
        common::write(&root, rel, &text);
    }
    for (rel, bytes) in changes {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let out = tmp.path().join("out");
    check_build(&root, &out)
}

/// Build `root` into `out` with `common::check_hostile_build`, keeping the longest time.
pub fn check_build(root: &Path, out: &Path) -> Result<(), TestCaseError> {
    let (built, elapsed) = check_hostile_build(root, out).map_err(TestCaseError::fail)?;
    let ms = elapsed.as_millis() as u64;
    if LONGEST_MS.fetch_max(ms, Ordering::Relaxed) < ms {
        eprintln!("longest build so far: {ms} ms ({})", root.display());
    }
    let counter = if built { &BUILT } else { &REFUSED };
    let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
    if n.is_power_of_two() {
        eprintln!(
            "builds so far: {} succeeded, {} refused with errors",
            BUILT.load(Ordering::Relaxed),
            REFUSED.load(Ordering::Relaxed)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generators.

/// Scripts and markup that must never reach a page as markup. `zq9x` marks them.
const HOSTILE: &[&str] = &[
    "<script>zq9x()</script>",
    "<SCRIPT SRC=//evil.example/zq9x.js></SCRIPT>",
    "</script><script>zq9x()</script>",
    "<img src=x onerror=zq9x()>",
    "<img src=\"x\" onerror=\"zq9x()\"/>",
    "<svg onload=zq9x()>",
    "<svg><script>zq9x()</script></svg>",
    "<a href=\"javascript:zq9x()\">x</a>",
    "<a href=\"jav&#x09;ascript:zq9x()\">x</a>",
    "<a href=\"&#106;avascript:zq9x()\">x</a>",
    "<a href=\" JaVaScRiPt:zq9x()\">x</a>",
    "<a href=\"data:text/html,<script>zq9x()</script>\">x</a>",
    "<iframe src=\"javascript:zq9x()\"></iframe>",
    "<iframe srcdoc=\"<script>zq9x()</script>\">",
    "<object data=\"javascript:zq9x()\">",
    "<embed src=\"javascript:zq9x()\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=zq9x()>",
    "<noscript><p title=\"</noscript><img src=x onerror=zq9x()>\">",
    "<form action=\"javascript:zq9x()\"><button>x</button></form>",
    "<base href=\"javascript:zq9x()//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:zq9x()\">",
    "<div style=\"background:url(javascript:zq9x())\" onclick=zq9x()>x</div>",
    "<scr<script>ipt>zq9x()</scr</script>ipt>",
    "<<script>zq9x()//<</script>",
    "<details open ontoggle=zq9x()>",
    "<body onload=zq9x()>",
    "<p onmouseover=\"zq9x()\">",
    "<!--<img src=\"--><img src=x onerror=zq9x()//\">",
    "<![CDATA[<script>zq9x()</script>]]>",
    "{{ config }}{% for x in [1] %}zq9x{% endfor %}{# c #}",
    "{{ __tera_context }}",
    "[x](javascript:zq9x())",
    "[x](  javascript:zq9x()  )",
    "![x](javascript:zq9x())",
    "<javascript:zq9x()>",
    "[x]: javascript:zq9x()\n\n[x]",
    "&lt;script&gt;zq9x()&lt;/script&gt;",
    "&#60;script&#62;zq9x()",
    "\u{202e}gnp.exe\u{202c} \u{200b}\u{200d}\u{feff}\u{2066}rtl\u{2069} עברית العربية",
    "```html\n<script>zq9x()</script>\n```",
    "    <script>zq9x()</script>",
    "<div>\n<script>zq9x()</script>\n</div>",
    "<a href=\"#\" onclick=\"zq9x()\">unclosed",
    "<b><i><u>unclosed",
    "</div></main></body></html><script>zq9x()</script>",
];

/// Ordinary Markdown to mix with the hostile parts.
const MARKDOWN: &[&str] = &[
    "# Heading",
    "## Sub *heading*",
    "A plain paragraph about the Commission and Jane Doe.",
    "- a\n- b\n  - c",
    "1. one\n2. two",
    "> quoted\n> text",
    "| a | b |\n| --- | --- |\n| 1 | 2 |",
    "`code` and **bold** and _em_",
    "---",
    "[link](https://example.org/)",
    "![img](pic.png \"t\")",
    "Footnote[^1].\n\n[^1]: note",
    "&amp; &copy; &#x1F600; &#0; &#xD800; &bogus; &",
    "line  \nbreak",
    "\\[[escaped]]",
];

fn wikilink() -> impl Strategy<Value = String> {
    let target = prop_oneof![
        prop::sample::select(vec![
            "report",
            "jane-doe",
            "Jane Doe",
            "commission",
            "reform",
            "plenary",
            "people/jane-doe",
            "person/jane-doe",
            "articles/report",
            "nope",
            "",
            "#",
            "|",
            "[[",
            "<script>zq9x()</script>",
        ])
        .prop_map(str::to_string),
        "[a-z0-9/ #|-]{0,12}",
    ];
    let anchor = prop::sample::select(vec![
        "",
        "#p1",
        "#p2",
        "#p3",
        "#p0",
        "#p-1",
        "#p99999999999999999999999",
        "#x",
        "#",
    ]);
    let label = prop::sample::select(vec![
        "",
        "|label",
        "|",
        "|<script>zq9x()</script>",
        "|[[nested]]",
        "|{{ site }}",
    ]);
    let close = prop::sample::select(vec!["]]", "]]", "]]", "]", ""]);
    (target, anchor, label, close).prop_map(|(t, a, l, c)| format!("[[{t}{a}{l}{c}"))
}

/// A piece of an article body.
fn body_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(HOSTILE).prop_map(str::to_string),
        2 => prop::sample::select(MARKDOWN).prop_map(str::to_string),
        2 => wikilink(),
        1 => "\\PC{0,40}",
        1 => "[<>&\"'`=/ a-z\u{200b}\u{202e}\u{0301}]{0,30}",
        1 => (1usize..20_000).prop_map(|n| "word ".repeat(n)),
        1 => (1usize..300).prop_map(|n| ">".repeat(n) + " deep"),
        1 => (1usize..300).prop_map(|n| "<div>".repeat(n)),
        1 => (1usize..200).prop_map(|n| "  ".repeat(n) + "- item"),
    ]
}

fn article_body() -> impl Strategy<Value = String> {
    let sep = prop::sample::select(vec![" ", "\n", "\n\n", ""]);
    prop::collection::vec((body_piece(), sep), 0..12)
        .prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect::<String>())
}

/// A YAML scalar, as written in a flow context.
fn yaml_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "null",
            "~",
            "",
            "true",
            "false",
            "yes",
            "off",
            "0",
            "-1",
            "1e400",
            ".inf",
            ".nan",
            "0x1F",
            "0o17",
            "9223372036854775808",
            "-9223372036854775809",
            "3.14",
            "2024",
            "2024-03",
            "2024-03-05",
            "2024-02-30",
            "2024-13",
            "1999-12-31T23:59:59Z",
            "report#p1",
            "report#p2",
            "report#p99",
            "nope#p1",
            "jane-doe",
            "commission",
            "reform",
            "plenary",
            "[]",
            "{}",
            "'it''s'",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "!!binary aGVsbG8=",
            "!!str 5",
            "!!int x",
            "!custom tag",
            "!!map {}",
            "&anchor value",
            "*anchor",
            "*missing",
            "<<",
            "? complex",
            "|",
            ">-",
            "%TAG",
            "@at",
            "`tick",
            "- item",
            ": colon",
            "#comment",
        ])
        .prop_map(str::to_string),
        prop::sample::select(HOSTILE).prop_map(|h| serde_json::to_string(h).unwrap()),
        "\\PC{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        "[a-zA-Z0-9 _#:\\-\\[\\]{}&*!|>'\"%@`,.]{0,16}",
        (1usize..300_000).prop_map(|n| format!("\"{}\"", "x".repeat(n))),
    ]
}

/// A YAML value in flow style: scalars, lists and mappings, nested.
fn yaml_flow() -> impl Strategy<Value = String> {
    let key = prop::sample::select(FIELDS).prop_map(str::to_string);
    yaml_scalar().prop_recursive(4, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((key.clone(), inner), 0..4).prop_map(|v| {
                let entries: Vec<String> =
                    v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", entries.join(", "))
            }),
        ]
    })
}

/// Every field name of every kind of file, and a few that are none.
const FIELDS: &[&str] = &[
    "title",
    "name",
    "name_local",
    "short_title",
    "aliases",
    "summary",
    "date",
    "end_date",
    "date_note",
    "kind",
    "organization",
    "chair",
    "participants",
    "topics",
    "sources",
    "key_points",
    "figures",
    "targets",
    "positions",
    "related",
    "draft",
    "extra",
    "url",
    "source",
    "published",
    "language",
    "translation",
    "author",
    "quote",
    "text",
    "due",
    "as_of",
    "from",
    "to",
    "note",
    "value",
    "unit",
    "role",
    "person",
    "parent",
    "website",
    "description",
    "status",
    "unknown_key",
    "<script>",
    "tags",
    "location",
    "retrieved",
    "archive_url",
    "original_title",
    "meetings",
];

/// The text fields of each content file (valid places for any text), by file.
const TEXT_FIELDS: &[(&str, &[&str])] = &[
    (
        "content/articles/report.md",
        &[
            "title",
            "source",
            "url",
            "date_note",
            "author",
            "archive_url",
            "original_title",
            "language",
        ],
    ),
    (
        "content/topics/reform.yaml",
        &["title", "summary", "aliases"],
    ),
    (
        "content/meetings/plenary.yaml",
        &[
            "title",
            "short_title",
            "date_note",
            "kind",
            "location",
            "summary",
        ],
    ),
    (
        "content/organizations/commission.yaml",
        &["name", "kind", "summary"],
    ),
    (
        "content/people/jane-doe.yaml",
        &["name", "name_local", "summary", "aliases"],
    ),
];

/// Hostile text, and hostile URLs, as a quoted YAML string.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(HOSTILE).prop_map(str::to_string),
        1 => prop::sample::select(vec![
            "javascript:zq9x()", " JAVASCRIPT:zq9x()", "java\tscript:zq9x()",
            "data:text/html,<script>zq9x()</script>", "vbscript:zq9x", "//evil.example/",
            "https://example.org/\"><script>zq9x()</script>", "https://example.org/?q=<b>",
        ]).prop_map(str::to_string),
        1 => article_body(),
    ]
    .prop_map(|t| serde_json::to_string(&t).unwrap())
}

/// The content files of the small site.
const CONTENT: &[&str] = &[
    "content/articles/report.md",
    "content/topics/reform.yaml",
    "content/meetings/plenary.yaml",
    "content/organizations/commission.yaml",
    "content/people/jane-doe.yaml",
];

/// Replace (or add) top-level `key:` of a YAML text with `key: value`.
fn set_field(yaml: &str, key: &str, value: &str) -> String {
    let mut out = String::new();
    let mut replaced = false;
    let mut skipping = false;
    for line in yaml.lines() {
        if skipping && (line.starts_with(' ') || line.starts_with('-')) {
            continue;
        }
        skipping = false;
        if !replaced && line.split(':').next() == Some(key) {
            out.push_str(&format!("{key}: {value}\n"));
            replaced = true;
            skipping = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !replaced {
        out.push_str(&format!("{key}: {value}\n"));
    }
    out
}

/// The original text of a content file of the small site.
fn original(rel: &str) -> String {
    small_site_files()
        .into_iter()
        .find(|(r, _)| *r == rel)
        .map(|(_, t)| t)
        .unwrap()
}

/// One edit of the YAML of a content file (the front matter, for the article).
fn edit_yaml(rel: &str, edits: &[(String, String)]) -> String {
    let text = original(rel);
    if let Some(rest) = text.strip_prefix("---\n") {
        let (yaml, body) = rest.split_once("---\n").unwrap();
        let mut yaml = yaml.to_string();
        for (k, v) in edits {
            yaml = set_field(&yaml, k, v);
        }
        format!("---\n{yaml}---\n{body}")
    } else {
        let mut yaml = text;
        for (k, v) in edits {
            yaml = set_field(&yaml, k, v);
        }
        yaml
    }
}

/// A whole YAML document that stresses the parser: anchors and aliases, deep nesting,
/// duplicate keys, several documents, odd indentation.
fn yaml_document() -> impl Strategy<Value = String> {
    prop_oneof![
        // An alias bomb of `levels` levels of `width` copies.
        (1usize..12, 1usize..12).prop_map(|(levels, width)| {
            let mut text = format!(
                "name: Bomb\nextra:\n  a0: &a0 [{}]\n",
                vec!["x"; width].join(", ")
            );
            for i in 1..levels {
                let p = format!("*a{}", i - 1);
                text.push_str(&format!(
                    "  a{i}: &a{i} [{}]\n",
                    vec![p.as_str(); width].join(", ")
                ));
            }
            text
        }),
        // Nesting in flow and in block style.
        (1usize..400).prop_map(|n| format!(
            "name: Deep\nextra: {}x{}\n",
            "[".repeat(n),
            "]".repeat(n)
        )),
        (1usize..200).prop_map(|n| {
            let mut text = String::from("name: Deep\nextra:\n");
            for i in 0..n {
                text.push_str(&format!("{}k{i}:\n", "  ".repeat(i + 1)));
            }
            text
        }),
        (1usize..100).prop_map(|n| format!("name: Deep\nextra:\n{}x\n", "  - ".repeat(n))),
        // Duplicate keys, several documents, merge keys, tags on everything.
        Just("name: A\nname: B\n".to_string()),
        Just("name: A\n---\nname: B\n".to_string()),
        Just("base: &b {name: A}\n<<: *b\n".to_string()),
        Just("!!map\nname: !!str A\nsummary: !custom x\n".to_string()),
        Just("? [complex, key]\n: value\nname: A\n".to_string()),
        Just("name: A\n\textra: tab\n".to_string()),
        Just("%YAML 1.1\n---\nname: A\n".to_string()),
        Just("&x name: *x\n".to_string()),
        Just("name: &a [*a]\n".to_string()),
    ]
}

/// Raw byte edits: insertions (invalid UTF-8 and NUL included), deletions, truncation.
#[derive(Clone, Debug)]
enum ByteEdit {
    Insert(f64, Vec<u8>),
    Delete(f64, usize),
    Truncate(f64),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (0.0..1.0f64, prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(a, b)| ByteEdit::Insert(a, b)),
        (
            0.0..1.0f64,
            prop::sample::select(vec![
                b"\xff".to_vec(),
                b"\xc3".to_vec(),
                b"\xed\xa0\x80".to_vec(),
                b"\0".to_vec(),
                b"\r".to_vec(),
                b"\xef\xbb\xbf".to_vec(),
                b"\n---\n".to_vec(),
                b":".to_vec(),
                b"\x1b[31m".to_vec(),
                b"\t".to_vec(),
                b"'".to_vec(),
                b"\"".to_vec(),
            ])
        )
            .prop_map(|(a, b)| ByteEdit::Insert(a, b)),
        (0.0..1.0f64, 1usize..40).prop_map(|(a, n)| ByteEdit::Delete(a, n)),
        (0.0..1.0f64).prop_map(ByteEdit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &ByteEdit) {
    let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len);
    match edit {
        ByteEdit::Insert(f, ins) => {
            let i = at(*f, bytes.len());
            bytes.splice(i..i, ins.iter().copied());
        }
        ByteEdit::Delete(f, n) => {
            let i = at(*f, bytes.len());
            let j = (i + n).min(bytes.len());
            bytes.drain(i..j);
        }
        ByteEdit::Truncate(f) => {
            let i = at(*f, bytes.len());
            bytes.truncate(i);
        }
    }
}

fn bytes_of(text: String) -> Vec<u8> {
    text.into_bytes()
}

// ---------------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config())]

    /// Every value type in every field of every kind of file, several at a time.
    #[test]
    fn any_value_in_any_field(
        file in prop::sample::select(CONTENT),
        edits in prop::collection::vec((prop::sample::select(FIELDS).prop_map(str::to_string), yaml_flow()), 1..4),
    ) {
        let text = edit_yaml(file, &edits);
        build_and_check(&[(file.to_string(), bytes_of(text))])?;
    }

    /// Hostile text in the text fields of every kind of file, where it is valid: the builds
    /// mostly succeed, and the text must come out as text.
    #[test]
    fn hostile_text_in_every_text_field(
        file in 0..TEXT_FIELDS.len(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), hostile_text()), 1..5),
    ) {
        let (rel, fields) = TEXT_FIELDS[file];
        let edits: Vec<(String, String)> = picks
            .into_iter()
            .map(|(i, text)| (i.get(fields).to_string(), text))
            .collect();
        build_and_check(&[(rel.to_string(), bytes_of(edit_yaml(rel, &edits)))])?;
    }

    /// Whole hostile YAML documents in each kind of entity file.
    #[test]
    fn hostile_yaml_documents(
        file in prop::sample::select(&CONTENT[1..]),
        doc in yaml_document(),
    ) {
        build_and_check(&[(file.to_string(), bytes_of(doc))])?;
    }

    /// Random Markdown, HTML, wikilinks and citations in article bodies and summaries.
    #[test]
    fn hostile_bodies_and_summaries(
        body in article_body(),
        summary in article_body(),
        title in prop::sample::select(HOSTILE),
    ) {
        let article = format!(
            "---\ntitle: {}\nsource: Daily\npublished: 2024-03-05\n---\n{body}\n",
            serde_json::to_string(title).unwrap()
        );
        let person = format!(
            "name: {}\nsummary: {}\nextra:\n  note: {}\n",
            serde_json::to_string(title).unwrap(),
            serde_json::to_string(&summary).unwrap(),
            serde_json::to_string(title).unwrap(),
        );
        build_and_check(&[
            ("content/articles/report.md".into(), bytes_of(article)),
            ("content/people/other.yaml".into(), bytes_of(person)),
            ("content/articles/second.md".into(), bytes_of(format!("---\ntitle: Second\n---\n{summary}\n"))),
        ])?;
    }

    /// Byte-level damage to any file, site.toml included.
    #[test]
    fn damaged_bytes(
        file in prop::sample::select(vec![
            "site.toml", CONTENT[0], CONTENT[1], CONTENT[2], CONTENT[3], CONTENT[4],
        ]),
        edits in prop::collection::vec(byte_edit(), 1..6),
    ) {
        let mut bytes = original(file).into_bytes();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        build_and_check(&[(file.to_string(), bytes)])?;
    }

    /// Hostile titles, descriptions and `[extra]` in site.toml.
    #[test]
    fn hostile_site_toml(
        title in prop::sample::select(HOSTILE),
        extra in prop::sample::select(HOSTILE),
        description in "\\PC{0,30}",
    ) {
        let toml = format!(
            "title = {}\nbase_url = \"https://example.org/small/\"\ndescription = {}\n[extra]\nnote = {}\nlist = [{}]\n",
            serde_json::to_string(title).unwrap(),
            serde_json::to_string(&description).unwrap(),
            serde_json::to_string(extra).unwrap(),
            serde_json::to_string(extra).unwrap(),
        );
        build_and_check(&[("site.toml".into(), bytes_of(toml))])?;
    }
}
