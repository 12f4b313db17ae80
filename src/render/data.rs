//! `/data.json`: the whole site as data, for readers who want to compute with it.
//!
//! Every live entity with its fields (Markdown fields as their source and as plain text), its
//! references as ids, its citations with their quotes and notes, the mentions found in each
//! article with their paragraphs, the paragraphs cited and by whom, every backlink, and each
//! page's address and permalink. Serialized with serde straight from the resolved [`Site`] (no
//! templates), so text stays text: a title holding `<script>` is a JSON string, never markup.
//! The shape is described by `docs/data.schema.json` (`format` names it; `version` changes
//! only when a field is removed or changes meaning). Article bodies are not included (their
//! paragraphs are on the article pages, addressed as `permalink#pN`).
//!
//! Reads: `site.toml` (title, description, language), every live entity, the rendered Markdown
//! fields (for their plain text), the article bodies' mentions and citations, the backlinks,
//! and `base_url`.

use super::context::plain_text;
use crate::model::*;
use crate::resolve::{Relation, Site};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Bumped when a field is removed or changes meaning (new fields keep the version).
pub const VERSION: u32 = 1;

/// The bytes of `/data.json` in parts, to be written one after the other: `{"format",
/// "version", "site", "articles", "meetings", "people", "topics", "organizations"}`. Each
/// entity is made and serialized on its own, in parallel, into runs of entities (joined, the
/// same bytes as serializing the whole at once).
pub fn data_json(site: &Site, base_url: &str) -> Vec<Vec<u8>> {
    let base = format!("{}/", base_url.trim_end_matches('/'));
    let info = SiteInfo {
        title: &site.config.title,
        description: &site.config.description,
        language: &site.config.language,
        base_url: &base,
    };
    let b = base.as_str();
    let collections = [
        (
            "articles",
            collection(site.articles.len(), |i| article(site, b, i)),
        ),
        (
            "meetings",
            collection(site.meetings.len(), |i| meeting(site, b, i)),
        ),
        (
            "people",
            collection(site.people.len(), |i| person(site, b, i)),
        ),
        (
            "topics",
            collection(site.topics.len(), |i| topic(site, b, i)),
        ),
        (
            "organizations",
            collection(site.organizations.len(), |i| organization(site, b, i)),
        ),
    ];
    let mut parts = vec![
        format!(
            "{{\"format\":{},\"version\":{VERSION},\"site\":{}",
            json(&FORMAT),
            json(&info)
        )
        .into_bytes(),
    ];
    for (name, runs) in collections {
        parts.push(format!(",\"{name}\":[").into_bytes());
        parts.extend(runs);
        parts.push(b"]".to_vec());
    }
    parts.push(b"}\n".to_vec());
    parts
}

/// The value of `format`.
const FORMAT: &str = "briefing-data";

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The items of a JSON array of `n` items, each made by `item` and serialized, in parallel,
/// as runs of items in order, separated by commas (brackets left to the caller).
fn collection<T: Serialize>(n: usize, item: impl Fn(usize) -> T + Sync + Send) -> Vec<Vec<u8>> {
    (0..n)
        .into_par_iter()
        .fold_chunks(64, Vec::new, |mut run, i| {
            if i > 0 {
                run.push(b',');
            }
            let _ = serde_json::to_writer(&mut run, &item(i));
            run
        })
        .collect()
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
}

/// What every entity has: id, page address (relative to the site root) and full URL, draft
/// flag, `extra`, and what points at it.
#[derive(Serialize)]
struct CommonData<'a> {
    id: &'a str,
    path: String,
    permalink: String,
    draft: bool,
    extra: &'a serde_json::Value,
    backlinks: Vec<BacklinkData<'a>>,
}

#[derive(Serialize)]
struct BacklinkData<'a> {
    relation: Relation,
    kind: &'static str,
    id: &'a str,
    details: &'a [std::sync::Arc<str>],
}

/// A Markdown field: as written, and as a reader sees it.
#[derive(Serialize)]
struct Text<'a> {
    markdown: &'a str,
    text: String,
}

#[derive(Serialize)]
struct CitationData<'a> {
    article: &'a str,
    paragraph: u32,
    permalink: String,
}

/// A key point, figure, target or position's source, quote and note.
#[derive(Serialize)]
struct EvidenceData<'a> {
    source: Option<CitationData<'a>>,
    quote: Option<&'a str>,
    note: Option<Text<'a>>,
}

#[derive(Serialize)]
struct MentionData<'a> {
    kind: &'static str,
    id: &'a str,
    /// How many times it is mentioned (in paragraphs, list items, table cells, quotes).
    count: usize,
    /// The numbered paragraphs it is mentioned in.
    paragraphs: Vec<u32>,
}

#[derive(Serialize)]
struct CitedData<'a> {
    paragraph: u32,
    permalink: String,
    by: Vec<EntityId<'a>>,
}

#[derive(Serialize)]
struct EntityId<'a> {
    kind: &'static str,
    id: &'a str,
}

#[derive(Serialize)]
struct ArticleData<'a> {
    #[serde(flatten)]
    common: CommonData<'a>,
    title: &'a str,
    source: &'a str,
    url: Option<&'a str>,
    published: Option<String>,
    date_note: Option<Text<'a>>,
    language: &'a str,
    translation: &'a str,
    meetings: Vec<&'a str>,
    author: Option<&'a str>,
    retrieved: Option<String>,
    archive_url: Option<&'a str>,
    original_title: Option<&'a str>,
    paragraphs: usize,
    mentions: Vec<MentionData<'a>>,
    citations: Vec<CitationData<'a>>,
    cited: Vec<CitedData<'a>>,
}

#[derive(Serialize)]
struct ParticipantData<'a> {
    person: &'a str,
    role: Option<&'a str>,
}

#[derive(Serialize)]
struct KeyPointData<'a> {
    text: Text<'a>,
    #[serde(flatten)]
    evidence: EvidenceData<'a>,
}

#[derive(Serialize)]
struct FigureData<'a> {
    label: &'a str,
    value: &'a str,
    #[serde(flatten)]
    evidence: EvidenceData<'a>,
}

#[derive(Serialize)]
struct MeetingData<'a> {
    #[serde(flatten)]
    common: CommonData<'a>,
    title: &'a str,
    short_title: Option<&'a str>,
    date: String,
    date_note: Option<Text<'a>>,
    end_date: Option<String>,
    kind: Option<&'a str>,
    organization: Option<&'a str>,
    location: Option<&'a str>,
    chair: Option<&'a str>,
    participants: Vec<ParticipantData<'a>>,
    topics: Vec<&'a str>,
    sources: Vec<&'a str>,
    summary: Text<'a>,
    key_points: Vec<KeyPointData<'a>>,
    figures: Vec<FigureData<'a>>,
    related: Vec<&'a str>,
}

#[derive(Serialize)]
struct PositionData<'a> {
    title: &'a str,
    organization: Option<&'a str>,
    from: Option<String>,
    to: Option<String>,
    as_of: Option<String>,
    #[serde(flatten)]
    evidence: EvidenceData<'a>,
}

#[derive(Serialize)]
struct PersonData<'a> {
    #[serde(flatten)]
    common: CommonData<'a>,
    name: &'a str,
    name_local: Option<&'a str>,
    aliases: Vec<&'a str>,
    positions: Vec<PositionData<'a>>,
    summary: Option<Text<'a>>,
}

#[derive(Serialize)]
struct TargetData<'a> {
    text: Text<'a>,
    due: Option<String>,
    #[serde(flatten)]
    evidence: EvidenceData<'a>,
}

#[derive(Serialize)]
struct TopicData<'a> {
    #[serde(flatten)]
    common: CommonData<'a>,
    title: &'a str,
    aliases: Vec<&'a str>,
    parent: Option<&'a str>,
    summary: Text<'a>,
    targets: Vec<TargetData<'a>>,
    related: Vec<&'a str>,
}

#[derive(Serialize)]
struct OrganizationData<'a> {
    #[serde(flatten)]
    common: CommonData<'a>,
    name: &'a str,
    name_local: Option<&'a str>,
    aliases: Vec<&'a str>,
    kind: Option<&'a str>,
    parent: Option<&'a str>,
    summary: Option<Text<'a>>,
}

fn common<'a>(site: &'a Site, base: &str, e: EntityRef) -> CommonData<'a> {
    let c = site.common(e);
    let path = site.index.path(e);
    let backlinks = site
        .backlinks
        .get(&e)
        .map(|list| {
            list.iter()
                .map(|b| BacklinkData {
                    relation: b.relation,
                    kind: b.from.kind.noun(),
                    id: &site.index.entry(b.from).id,
                    details: &b.details,
                })
                .collect()
        })
        .unwrap_or_default();
    CommonData {
        id: &c.id,
        permalink: format!("{base}{path}"),
        path,
        draft: c.draft,
        extra: &c.extra,
        backlinks,
    }
}

fn text<'a>(site: &Site, md: &'a Markdown) -> Text<'a> {
    Text {
        markdown: &md.text,
        text: plain_text(site.field(md)),
    }
}

fn opt_text<'a>(site: &Site, md: &'a Option<Markdown>) -> Option<Text<'a>> {
    md.as_ref().map(|m| text(site, m))
}

fn date(d: &Option<Sp<Date>>) -> Option<String> {
    d.as_ref().map(|d| d.value.iso())
}

fn ids(list: &[IdRef]) -> Vec<&str> {
    list.iter().map(|r| r.value.as_str()).collect()
}

fn id(r: &Option<IdRef>) -> Option<&str> {
    r.as_ref().map(|r| r.value.as_str())
}

fn citation<'a>(site: &'a Site, base: &str, article: u32, paragraph: u32) -> CitationData<'a> {
    let e = EntityRef {
        kind: Kind::Article,
        index: article,
    };
    CitationData {
        article: &site.index.entry(e).id,
        paragraph,
        permalink: format!("{base}{}#p{paragraph}", site.index.path(e)),
    }
}

fn evidence<'a>(site: &'a Site, base: &str, ev: &'a Evidence) -> EvidenceData<'a> {
    EvidenceData {
        source: ev
            .source
            .as_ref()
            .and_then(|c| site.cite(c))
            .map(|c| citation(site, base, c.article, c.paragraph)),
        quote: ev.quote.as_ref().map(|q| q.value.as_str()),
        note: opt_text(site, &ev.note),
    }
}

fn article<'a>(site: &'a Site, base: &str, i: usize) -> ArticleData<'a> {
    let a = &site.articles[i];
    let body = &site.bodies[i];
    let e = EntityRef {
        kind: Kind::Article,
        index: i as u32,
    };
    let mut mentions: BTreeMap<EntityRef, (usize, Vec<u32>)> = BTreeMap::new();
    for (entity, paragraph) in &body.mentions {
        let slot = mentions.entry(*entity).or_default();
        slot.0 += 1;
        if let Some(p) = paragraph
            && !slot.1.contains(p)
        {
            slot.1.push(*p);
        }
    }
    let mentions = mentions
        .into_iter()
        .map(|(entity, (count, mut paragraphs))| {
            paragraphs.sort_unstable();
            MentionData {
                kind: entity.kind.noun(),
                id: &site.index.entry(entity).id,
                count,
                paragraphs,
            }
        })
        .collect();
    let cited = site.cited_by[i]
        .iter()
        .map(|(&paragraph, by)| CitedData {
            paragraph,
            permalink: format!("{base}{}#p{paragraph}", site.index.path(e)),
            by: by
                .iter()
                .map(|b| EntityId {
                    kind: b.kind.noun(),
                    id: &site.index.entry(*b).id,
                })
                .collect(),
        })
        .collect();
    let meetings = site.article_meetings[i]
        .iter()
        .map(|&m| {
            site.index
                .entry(EntityRef {
                    kind: Kind::Meeting,
                    index: m,
                })
                .id
                .as_str()
        })
        .collect();
    ArticleData {
        common: common(site, base, e),
        title: &a.title,
        source: &a.source,
        url: a.url.as_deref().filter(|u| crate::sanitize::is_safe_url(u)),
        published: date(&a.published),
        date_note: opt_text(site, &a.date_note),
        language: a.language.as_deref().unwrap_or(&site.config.language),
        translation: &a.translation,
        meetings,
        author: a.author.as_deref(),
        retrieved: date(&a.retrieved),
        archive_url: a
            .archive_url
            .as_deref()
            .filter(|u| crate::sanitize::is_safe_url(u)),
        original_title: a.original_title.as_deref(),
        paragraphs: body.paragraph_count(),
        mentions,
        citations: body
            .citations
            .iter()
            .map(|c| citation(site, base, c.article, c.paragraph))
            .collect(),
        cited,
    }
}

fn meeting<'a>(site: &'a Site, base: &str, i: usize) -> MeetingData<'a> {
    let m = &site.meetings[i];
    let e = EntityRef {
        kind: Kind::Meeting,
        index: i as u32,
    };
    MeetingData {
        common: common(site, base, e),
        title: &m.title,
        short_title: m.short_title.as_deref(),
        date: m.date.value.iso(),
        date_note: opt_text(site, &m.date_note),
        end_date: date(&m.end_date),
        kind: m.kind.as_deref(),
        organization: id(&m.organization),
        location: m.location.as_deref(),
        chair: id(&m.chair),
        participants: m
            .participants
            .iter()
            .map(|p| ParticipantData {
                person: &p.person.value,
                role: p.role.as_deref(),
            })
            .collect(),
        topics: ids(&m.topics),
        sources: site.meeting_sources[i]
            .iter()
            .map(|&a| {
                site.index
                    .entry(EntityRef {
                        kind: Kind::Article,
                        index: a,
                    })
                    .id
                    .as_str()
            })
            .collect(),
        summary: text(site, &m.summary),
        key_points: m
            .key_points
            .iter()
            .map(|k| KeyPointData {
                text: text(site, &k.text),
                evidence: evidence(site, base, &k.evidence),
            })
            .collect(),
        figures: m
            .figures
            .iter()
            .map(|f| FigureData {
                label: &f.label,
                value: &f.value,
                evidence: evidence(site, base, &f.evidence),
            })
            .collect(),
        related: ids(&m.related),
    }
}

fn names(list: &[Sp<String>]) -> Vec<&str> {
    list.iter().map(|n| n.value.as_str()).collect()
}

fn person<'a>(site: &'a Site, base: &str, i: usize) -> PersonData<'a> {
    let p = &site.people[i];
    let e = EntityRef {
        kind: Kind::Person,
        index: i as u32,
    };
    PersonData {
        common: common(site, base, e),
        name: &p.name.value,
        name_local: p.name_local.as_ref().map(|n| n.value.as_str()),
        aliases: names(&p.aliases),
        positions: p
            .positions
            .iter()
            .map(|pos| PositionData {
                title: &pos.title,
                organization: id(&pos.organization),
                from: date(&pos.from),
                to: date(&pos.to),
                as_of: date(&pos.as_of),
                evidence: evidence(site, base, &pos.evidence),
            })
            .collect(),
        summary: opt_text(site, &p.summary),
    }
}

fn topic<'a>(site: &'a Site, base: &str, i: usize) -> TopicData<'a> {
    let t = &site.topics[i];
    let e = EntityRef {
        kind: Kind::Topic,
        index: i as u32,
    };
    TopicData {
        common: common(site, base, e),
        title: &t.title.value,
        aliases: names(&t.aliases),
        parent: id(&t.parent),
        summary: text(site, &t.summary),
        targets: t
            .targets
            .iter()
            .map(|target| TargetData {
                text: text(site, &target.text),
                due: date(&target.due),
                evidence: evidence(site, base, &target.evidence),
            })
            .collect(),
        related: ids(&t.related),
    }
}

fn organization<'a>(site: &'a Site, base: &str, i: usize) -> OrganizationData<'a> {
    let o = &site.organizations[i];
    let e = EntityRef {
        kind: Kind::Organization,
        index: i as u32,
    };
    OrganizationData {
        common: common(site, base, e),
        name: &o.name.value,
        name_local: o.name_local.as_ref().map(|n| n.value.as_str()),
        aliases: names(&o.aliases),
        kind: o.kind.as_deref(),
        parent: id(&o.parent),
        summary: opt_text(site, &o.summary),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_into_the_json_of_the_whole() {
        // More items than one run holds, and text that JSON escapes.
        let ids: Vec<String> = (0..150).map(|i| format!("t{i}<\"")).collect();
        let item = |i: usize| EntityId {
            kind: "topic",
            id: &ids[i],
        };
        let joined =
            |runs: Vec<Vec<u8>>| format!("[{}]", String::from_utf8(runs.concat()).unwrap());
        let whole: Vec<EntityId> = (0..ids.len()).map(item).collect();
        let runs = collection(ids.len(), item);
        assert!(runs.len() > 1);
        assert_eq!(joined(runs), json(&whole));
        assert_eq!(joined(collection(0, item)), "[]");
    }
}
