//! Readers for the five kinds of content file: YAML node tree in, typed entity out.
//!
//! Each reader lists the keys FORMAT.md allows for its kind; anything else is reported with the
//! nearest allowed key. Missing required fields and malformed values are reported where they
//! are, and the entity is still returned when enough of it is there to check the rest.

use super::fields::{
    Fields, boolean, date, evidence, json, list_of, markdown, nonempty_text, opt_text, text,
    text_list,
};
use super::yaml::Node;
use crate::diag::Diagnostics;
use crate::model::*;
use crate::source::Span;

/// Keys of article front matter.
pub const ARTICLE_KEYS: &[&str] = &[
    "title",
    "source",
    "url",
    "published",
    "date_note",
    "language",
    "translation",
    "meetings",
    "author",
    "retrieved",
    "archive_url",
    "original_title",
    "draft",
    "extra",
];
/// Keys of a meeting file.
pub const MEETING_KEYS: &[&str] = &[
    "title",
    "short_title",
    "date",
    "date_note",
    "end_date",
    "kind",
    "organization",
    "location",
    "chair",
    "participants",
    "topics",
    "sources",
    "summary",
    "key_points",
    "figures",
    "related",
    "draft",
    "extra",
];
/// Keys of a person file.
pub const PERSON_KEYS: &[&str] = &[
    "name",
    "name_local",
    "aliases",
    "positions",
    "summary",
    "draft",
    "extra",
];
/// Keys of a topic file.
pub const TOPIC_KEYS: &[&str] = &[
    "title", "aliases", "parent", "summary", "targets", "related", "draft", "extra",
];
/// Keys of an organization file.
pub const ORGANIZATION_KEYS: &[&str] = &[
    "name",
    "name_local",
    "aliases",
    "kind",
    "parent",
    "summary",
    "draft",
    "extra",
];

const PARTICIPANT_KEYS: &[&str] = &["person", "role"];
const KEY_POINT_KEYS: &[&str] = &["text", "source", "quote", "note"];
const FIGURE_KEYS: &[&str] = &["label", "value", "source", "quote", "note"];
const POSITION_KEYS: &[&str] = &[
    "title",
    "organization",
    "from",
    "to",
    "as_of",
    "source",
    "quote",
    "note",
];
const TARGET_KEYS: &[&str] = &["text", "due", "source", "quote", "note"];
const TRANSLATIONS: &[&str] = &["original", "human", "machine"];

fn common(
    id: &str,
    file: crate::source::FileId,
    fields: &mut Fields,
    diags: &mut Diagnostics,
) -> Common {
    Common {
        id: id.to_string(),
        file,
        draft: boolean(fields.get("draft"), diags),
        extra: extra(fields.get("extra"), diags),
    }
}

fn extra(node: Option<&Node>, diags: &mut Diagnostics) -> serde_json::Value {
    if let Some(n) = node
        && !matches!(n.value, super::yaml::Value::Map(_))
    {
        diags.error(
            n.span,
            format!("`extra` must be a mapping, found {}", n.value.kind_name()),
        );
        return serde_json::Value::Object(Default::default());
    }
    json(node)
}

fn required_text(fields: &mut Fields, key: &str, diags: &mut Diagnostics) -> Option<Sp<String>> {
    fields
        .require(key, diags)
        .and_then(|n| nonempty_text(n, key, diags))
}

fn id_ref(node: Option<&Node>, diags: &mut Diagnostics) -> Option<IdRef> {
    let node = node?;
    text(node, diags).map(|t| Sp::new(t.trim().to_string(), node.span))
}

/// Read article front matter; `body` is the Markdown after it.
pub fn article(
    id: &str,
    file: crate::source::FileId,
    node: &Node,
    body: Markdown,
    diags: &mut Diagnostics,
) -> Option<Article> {
    let mut f = Fields::new(node, "the front matter", diags)?;
    let title = required_text(&mut f, "title", diags);
    let source = required_text(&mut f, "source", diags);
    let translation = match f.get("translation") {
        None => "original".to_string(),
        Some(n) => {
            let t = text(n, diags).unwrap_or_default();
            if !TRANSLATIONS.contains(&t.as_str()) {
                let hint = crate::diag::did_you_mean(&t, TRANSLATIONS.iter().copied());
                diags.error(
                    n.span,
                    format!("`translation` must be original, human or machine, not `{t}`{hint}"),
                );
            }
            t
        }
    };
    let article = Article {
        url: opt_text(&mut f, "url", diags),
        published: date(f.get("published"), diags),
        date_note: markdown(f.get("date_note"), diags),
        language: opt_text(&mut f, "language", diags),
        translation,
        meetings: text_list(f.get("meetings"), diags),
        author: opt_text(&mut f, "author", diags),
        retrieved: date(f.get("retrieved"), diags),
        archive_url: opt_text(&mut f, "archive_url", diags),
        original_title: opt_text(&mut f, "original_title", diags),
        common: common(id, file, &mut f, diags),
        title: title.map(|t| t.value).unwrap_or_default(),
        source: source.map(|t| t.value).unwrap_or_default(),
        body,
    };
    f.finish(ARTICLE_KEYS, diags);
    Some(article)
}

/// Read a meeting file.
pub fn meeting(
    id: &str,
    file: crate::source::FileId,
    node: &Node,
    diags: &mut Diagnostics,
) -> Option<Meeting> {
    let mut f = Fields::new(node, "a meeting", diags)?;
    let title = required_text(&mut f, "title", diags);
    let date_value = date(f.require("date", diags), diags);
    let summary = markdown(f.require("summary", diags), diags);
    let meeting = Meeting {
        common: common(id, file, &mut f, diags),
        title: title.map(|t| t.value).unwrap_or_default(),
        short_title: opt_text(&mut f, "short_title", diags),
        date: date_value.unwrap_or(Sp::new(
            Date {
                year: 0,
                month: None,
                day: None,
            },
            node.span,
        )),
        date_note: markdown(f.get("date_note"), diags),
        end_date: date(f.get("end_date"), diags),
        kind: opt_text(&mut f, "kind", diags),
        organization: id_ref(f.get("organization"), diags),
        location: opt_text(&mut f, "location", diags),
        chair: id_ref(f.get("chair"), diags),
        participants: list_of(f.get("participants"), diags, participant),
        topics: text_list(f.get("topics"), diags),
        sources: text_list(f.get("sources"), diags),
        summary: summary.unwrap_or(Markdown {
            text: String::new(),
            span: node.span,
            exact_offset: None,
        }),
        key_points: list_of(f.get("key_points"), diags, key_point),
        figures: list_of(f.get("figures"), diags, figure),
        related: text_list(f.get("related"), diags),
    };
    if let (Some(end), true) = (&meeting.end_date, meeting.date.value.year != 0)
        && end.value < meeting.date.value
    {
        diags.error(
            end.span,
            format!(
                "`end_date` {} is before `date` {}",
                end.value.iso(),
                meeting.date.value.iso()
            ),
        );
    }
    f.finish(MEETING_KEYS, diags);
    Some(meeting)
}

fn participant(node: &Node, diags: &mut Diagnostics) -> Option<Participant> {
    if let super::yaml::Value::Str(_) = node.value {
        // `- person-id` is accepted as a participant without a role.
        return id_ref(Some(node), diags).map(|person| Participant { person, role: None });
    }
    let mut f = Fields::new(node, "a participant", diags)?;
    let person = id_ref(f.require("person", diags), diags);
    let role = opt_text(&mut f, "role", diags);
    f.finish(PARTICIPANT_KEYS, diags);
    Some(Participant {
        person: person?,
        role,
    })
}

fn key_point(node: &Node, diags: &mut Diagnostics) -> Option<KeyPoint> {
    let mut f = Fields::new(node, "a key point", diags)?;
    let text = markdown(f.require("text", diags), diags);
    let evidence = evidence(&mut f, true, diags);
    f.finish(KEY_POINT_KEYS, diags);
    Some(KeyPoint {
        text: text?,
        evidence,
    })
}

fn figure(node: &Node, diags: &mut Diagnostics) -> Option<Figure> {
    let mut f = Fields::new(node, "a figure", diags)?;
    let label = required_text(&mut f, "label", diags);
    let value = required_text(&mut f, "value", diags);
    let evidence = evidence(&mut f, false, diags);
    f.finish(FIGURE_KEYS, diags);
    Some(Figure {
        label: label?.value,
        value: value?.value,
        evidence,
    })
}

/// Read a person file.
pub fn person(
    id: &str,
    file: crate::source::FileId,
    node: &Node,
    diags: &mut Diagnostics,
) -> Option<Person> {
    let mut f = Fields::new(node, "a person", diags)?;
    let name = required_text(&mut f, "name", diags);
    let person = Person {
        common: common(id, file, &mut f, diags),
        name: name.unwrap_or(Sp::new(id.to_string(), Span::file_start(file))),
        name_local: f
            .get("name_local")
            .and_then(|n| nonempty_text(n, "name_local", diags)),
        aliases: text_list(f.get("aliases"), diags),
        positions: list_of(f.get("positions"), diags, position),
        summary: markdown(f.get("summary"), diags),
    };
    f.finish(PERSON_KEYS, diags);
    Some(person)
}

fn position(node: &Node, diags: &mut Diagnostics) -> Option<Position> {
    let mut f = Fields::new(node, "a position", diags)?;
    let title = required_text(&mut f, "title", diags);
    let position = Position {
        title: title.map(|t| t.value).unwrap_or_default(),
        organization: id_ref(f.get("organization"), diags),
        from: date(f.get("from"), diags),
        to: date(f.get("to"), diags),
        as_of: date(f.get("as_of"), diags),
        evidence: evidence(&mut f, false, diags),
    };
    if let (Some(from), Some(to)) = (&position.from, &position.to)
        && to.value < from.value
    {
        diags.error(
            to.span,
            format!(
                "`to` {} is before `from` {}",
                to.value.iso(),
                from.value.iso()
            ),
        );
    }
    f.finish(POSITION_KEYS, diags);
    Some(position)
}

/// Read a topic file.
pub fn topic(
    id: &str,
    file: crate::source::FileId,
    node: &Node,
    diags: &mut Diagnostics,
) -> Option<Topic> {
    let mut f = Fields::new(node, "a topic", diags)?;
    let title = required_text(&mut f, "title", diags);
    let summary = markdown(f.require("summary", diags), diags);
    let topic = Topic {
        common: common(id, file, &mut f, diags),
        title: title.unwrap_or(Sp::new(id.to_string(), Span::file_start(file))),
        aliases: text_list(f.get("aliases"), diags),
        parent: id_ref(f.get("parent"), diags),
        summary: summary.unwrap_or(Markdown {
            text: String::new(),
            span: node.span,
            exact_offset: None,
        }),
        targets: list_of(f.get("targets"), diags, target),
        related: text_list(f.get("related"), diags),
    };
    f.finish(TOPIC_KEYS, diags);
    Some(topic)
}

fn target(node: &Node, diags: &mut Diagnostics) -> Option<Target> {
    let mut f = Fields::new(node, "a target", diags)?;
    let text = markdown(f.require("text", diags), diags);
    let due = date(f.get("due"), diags);
    let evidence = evidence(&mut f, false, diags);
    f.finish(TARGET_KEYS, diags);
    Some(Target {
        text: text?,
        due,
        evidence,
    })
}

/// Read an organization file.
pub fn organization(
    id: &str,
    file: crate::source::FileId,
    node: &Node,
    diags: &mut Diagnostics,
) -> Option<Organization> {
    let mut f = Fields::new(node, "an organization", diags)?;
    let name = required_text(&mut f, "name", diags);
    let org = Organization {
        common: common(id, file, &mut f, diags),
        name: name.unwrap_or(Sp::new(id.to_string(), Span::file_start(file))),
        name_local: f
            .get("name_local")
            .and_then(|n| nonempty_text(n, "name_local", diags)),
        aliases: text_list(f.get("aliases"), diags),
        kind: opt_text(&mut f, "kind", diags),
        parent: id_ref(f.get("parent"), diags),
        summary: markdown(f.get("summary"), diags),
    };
    f.finish(ORGANIZATION_KEYS, diags);
    Some(org)
}
