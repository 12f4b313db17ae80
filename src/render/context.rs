//! What each template receives.
//!
//! One function per page kind builds the variables of that page from the [`Site`], and nothing
//! more: a template is handed what its page shows, not the whole site. Every variable here is
//! documented in `docs/templates.md`, which is part of the contract with theme authors.

use super::links::internal;
use crate::model::*;
use crate::resolve::{Backlink, Relation, Site};
use tera::Value;

/// Builds a template value from `"key": value` pairs, moving each value in.
macro_rules! obj {
    ($($key:literal : $value:expr),* $(,)?) => {{
        let mut map = tera::Map::with_capacity([$($key),*].len());
        $( map.insert(tera::value::Key::from($key), $crate::render::context::IntoValue::into_value($value)); )*
        tera::Value::from(map)
    }};
}
pub(crate) use obj;

/// Any value a template variable is built from.
pub fn to_value(value: impl IntoValue) -> Value {
    value.into_value()
}

/// `object` with `key` set to `value` (objects are shared and cheap to copy; this makes one).
pub fn with(object: Value, key: &'static str, value: impl IntoValue) -> Value {
    with_all(object, [(key, value.into_value())])
}

/// `object` with each key set to its value: one copy of the object however many they are.
pub fn with_all<const N: usize>(object: Value, pairs: [(&'static str, Value); N]) -> Value {
    let mut map = object.into_map().unwrap_or_default();
    map.reserve(N);
    for (key, value) in pairs {
        map.insert(tera::value::Key::from(key), value);
    }
    Value::from(map)
}

/// Conversion into a template value by moving (or, for borrowed text, one copy).
pub trait IntoValue {
    /// The value for templates.
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}
impl IntoValue for &Value {
    fn into_value(self) -> Value {
        self.clone()
    }
}
impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}
impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::from(self.as_str())
    }
}
impl IntoValue for std::sync::Arc<str> {
    fn into_value(self) -> Value {
        Value::from(&*self)
    }
}
impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}
impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}
macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                Value::from(self)
            }
        }
    )*};
}
numbers!(u32, u64, usize, i32, i64);
impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::none(), IntoValue::into_value)
    }
}
impl<T: IntoValue + Clone> IntoValue for &Option<T> {
    fn into_value(self) -> Value {
        self.clone().into_value()
    }
}
impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::from(
            self.into_iter()
                .map(IntoValue::into_value)
                .collect::<Vec<_>>(),
        )
    }
}
impl<T: IntoValue + Clone> IntoValue for &Vec<T> {
    fn into_value(self) -> Value {
        self.as_slice().into_value()
    }
}
impl<T: IntoValue + Clone> IntoValue for &[T] {
    fn into_value(self) -> Value {
        Value::from(
            self.iter()
                .cloned()
                .map(IntoValue::into_value)
                .collect::<Vec<_>>(),
        )
    }
}
impl IntoValue for &serde_json::Value {
    fn into_value(self) -> Value {
        Value::from_serializable(self)
    }
}
impl<T: serde::Serialize> IntoValue for Serialized<T> {
    fn into_value(self) -> Value {
        Value::from_serializable(&self.0)
    }
}

/// A value converted through serde (for the few types without a direct conversion).
pub struct Serialized<T>(pub T);

/// The site as templates see it, with each entity's link made once, when first asked for.
pub struct Cx<'a> {
    /// The resolved site.
    pub site: &'a Site,
    links: [Vec<std::sync::OnceLock<Value>>; 5],
    /// Each kind's entities in list order, sorted once for all the lists and year pages.
    sorted: [std::sync::OnceLock<Vec<EntityRef>>; 5],
}

impl<'a> Cx<'a> {
    /// Room for the links of every entity.
    pub fn new(site: &'a Site) -> Self {
        let links = Kind::ALL.map(|kind| {
            std::iter::repeat_with(std::sync::OnceLock::new)
                .take(site.index.count(kind))
                .collect()
        });
        Cx {
            site,
            links,
            sorted: Default::default(),
        }
    }

    /// What was made and kept for the pages, without the site.
    pub fn into_made(self) -> impl Send + 'static {
        (self.links, self.sorted)
    }

    /// The entities of `kind` in list order ([`super::sorted`]).
    pub fn sorted(&self, kind: Kind) -> &[EntityRef] {
        self.sorted[kind as usize].get_or_init(|| super::sorted(self.site, kind))
    }
}

impl std::ops::Deref for Cx<'_> {
    type Target = Site;
    fn deref(&self) -> &Site {
        self.site
    }
}

/// A link to an entity: title, address, kind, id, date.
pub fn link(site: &Cx, e: EntityRef) -> Value {
    site.links[e.kind as usize][e.index as usize]
        .get_or_init(|| make_link(site, e))
        .clone()
}

fn make_link(site: &Site, e: EntityRef) -> Value {
    let date = site.date(e);
    obj!(
        "title": site.index.title(e),
        "url": internal(&site.index.path(e)),
        "kind": e.kind.noun(),
        "id": &site.index.entry(e).id,
        "date": date.map(date_value),
    )
}

/// A reference written in a field: a link when it resolves, plain text otherwise (drafts).
fn reference(site: &Cx, kind: Kind, id: &IdRef) -> Value {
    match site.index.lookup(kind, &id.value) {
        Some(e) => link(site, e),
        None => {
            let title = site.index.draft(kind, &id.value).unwrap_or(&id.value);
            obj!( "title": title, "url": Value::none(), "kind": kind.noun(), "id": &id.value, "date": Value::none() )
        }
    }
}

fn references(site: &Cx, kind: Kind, ids: &[IdRef]) -> Vec<Value> {
    ids.iter().map(|id| reference(site, kind, id)).collect()
}

/// A date: `iso`, `human`, `precision`, `year`.
pub fn date_value(d: Date) -> Value {
    obj!( "iso": d.iso(), "human": d.human(), "precision": d.precision(), "year": d.year )
}

fn opt_date(d: &Option<Sp<Date>>) -> Value {
    d.as_ref()
        .map(|d| date_value(d.value))
        .unwrap_or(Value::none())
}

fn field(site: &Cx, md: &Option<Markdown>) -> Value {
    md.as_ref()
        .map(|m| Value::from(site.field(m)))
        .unwrap_or(Value::none())
}

/// Citation, quote and note of an evidence item.
fn evidence(site: &Cx, ev: &Evidence) -> Value {
    let cite = ev.source.as_ref().and_then(|c| site.cite(c)).map(|c| {
        let article = EntityRef {
            kind: Kind::Article,
            index: c.article,
        };
        let a = &site.articles[c.article as usize];
        obj!(
            "url": internal(&format!("{}#p{}", site.index.path(article), c.paragraph)),
            "article": link(site, article),
            "source": &a.source,
            "paragraph": c.paragraph,
            "ref": format!("{}#p{}", a.common.id, c.paragraph),
        )
    });
    obj!(
        "cite": cite,
        "quote": ev.quote.as_ref().map(|q| &q.value),
        "note": field(site, &ev.note),
    )
}

/// The links into one entity's page, each a link with its details, made once for the page:
/// the `backlinks` groups and the entity's own lists (`mentioned_in`, `children`, ...) share
/// them instead of each making its own copies.
pub struct Incoming<'s> {
    list: &'s [Backlink],
    items: Vec<Value>,
}

impl<'s> Incoming<'s> {
    /// The links into `e`'s page.
    pub fn new(site: &'s Cx, e: EntityRef) -> Self {
        let list: &[Backlink] = site.backlinks.get(&e).map_or(&[], |list| list.as_slice());
        let items = list
            .iter()
            .map(|b| with(link(site, b.from), "details", to_value(&b.details)))
            .collect();
        Incoming { list, items }
    }

    /// The links that come by `relation`, in their order.
    fn by(&self, relation: Relation) -> Vec<Value> {
        self.list
            .iter()
            .zip(&self.items)
            .filter(|(b, _)| b.relation == relation)
            .map(|(_, item)| item.clone())
            .collect()
    }

    /// The `backlinks` of `kind`'s page: the links grouped by relation, each group with its
    /// label.
    pub fn grouped(&self, kind: Kind) -> Vec<Value> {
        let mut groups: Vec<Value> = Vec::new();
        let mut start = 0;
        while start < self.list.len() {
            let relation = self.list[start].relation;
            let len = self.list[start..]
                .iter()
                .take_while(|b| b.relation == relation)
                .count();
            let items = self.items[start..start + len].to_vec();
            groups.push(
                obj!( "relation": Serialized(relation), "label": relation.label(kind), "items": items ),
            );
            start += len;
        }
        groups
    }
}

/// `article` variable of an article page.
pub fn article(site: &Cx, i: usize) -> Value {
    let a = &site.articles[i];
    let body = &site.bodies[i];
    let cited_by = &site.cited_by[i];
    let blocks: Vec<Value> = body
        .blocks
        .iter()
        .map(|b| {
            let citers: Vec<Value> = b
                .number
                .and_then(|n| cited_by.get(&n))
                .map(|list| list.iter().map(|e| link(site, *e)).collect())
                .unwrap_or_default();
            obj!( "number": b.number, "html": &b.html, "cited_by": citers )
        })
        .collect();
    let meetings: Vec<Value> = site.article_meetings[i]
        .iter()
        .map(|&m| {
            link(
                site,
                EntityRef {
                    kind: Kind::Meeting,
                    index: m,
                },
            )
        })
        .collect();
    obj!(
        "id": &a.common.id,
        "title": &a.title,
        "source": &a.source,
        "url": a.url.as_deref().filter(|u| crate::sanitize::is_safe_url(u)),
        "published": opt_date(&a.published),
        "date_note": field(site, &a.date_note),
        "language": a.language.as_deref().unwrap_or(&site.config.language),
        "translation": &a.translation,
        "author": &a.author,
        "retrieved": opt_date(&a.retrieved),
        "archive_url": a.archive_url.as_deref().filter(|u| crate::sanitize::is_safe_url(u)),
        "original_title": &a.original_title,
        "draft": a.common.draft,
        "extra": &a.common.extra,
        "blocks": blocks,
        "paragraph_count": body.paragraph_count(),
        "meetings": meetings,
    )
}

/// `meeting` variable of a meeting page.
pub fn meeting(site: &Cx, i: usize) -> Value {
    let m = &site.meetings[i];
    let participants: Vec<Value> = m
        .participants
        .iter()
        .map(|p| obj!( "person": reference(site, Kind::Person, &p.person), "role": &p.role ))
        .collect();
    let key_points: Vec<Value> = m
        .key_points
        .iter()
        .map(|k| {
            let mut v = evidence(site, &k.evidence);
            v = with(v, "html", to_value(site.field(&k.text)));
            v
        })
        .collect();
    let figures: Vec<Value> = m
        .figures
        .iter()
        .map(|f| {
            with_all(
                evidence(site, &f.evidence),
                [("label", to_value(&f.label)), ("value", to_value(&f.value))],
            )
        })
        .collect();
    let sources: Vec<Value> = site.meeting_sources[i]
        .iter()
        .map(|&a| {
            link(
                site,
                EntityRef {
                    kind: Kind::Article,
                    index: a,
                },
            )
        })
        .collect();
    obj!(
        "id": &m.common.id,
        "title": &m.title,
        "short_title": &m.short_title,
        "date": date_value(m.date.value),
        "date_note": field(site, &m.date_note),
        "end_date": opt_date(&m.end_date),
        "kind": &m.kind,
        "organization": m.organization.as_ref().map(|o| reference(site, Kind::Organization, o)),
        "location": &m.location,
        "chair": m.chair.as_ref().map(|c| reference(site, Kind::Person, c)),
        "participants": participants,
        "topics": references(site, Kind::Topic, &m.topics),
        "sources": sources,
        "summary": site.field(&m.summary),
        "key_points": key_points,
        "figures": figures,
        "related": references(site, Kind::Meeting, &m.related),
        "draft": m.common.draft,
        "extra": &m.common.extra,
    )
}

/// `person` variable of a person page.
pub fn person(site: &Cx, i: usize, incoming: &Incoming) -> Value {
    let p = &site.people[i];
    let mut positions: Vec<&Position> = p.positions.iter().collect();
    positions.sort_by_key(|pos| {
        std::cmp::Reverse(pos.from.as_ref().or(pos.as_of.as_ref()).map(|d| d.value))
    });
    let positions: Vec<Value> = positions
        .into_iter()
        .map(|pos| {
            let organization = pos
                .organization
                .as_ref()
                .map(|o| reference(site, Kind::Organization, o))
                .unwrap_or(Value::none());
            with_all(
                evidence(site, &pos.evidence),
                [
                    ("title", to_value(&pos.title)),
                    ("organization", organization),
                    ("from", opt_date(&pos.from)),
                    ("to", opt_date(&pos.to)),
                    ("as_of", opt_date(&pos.as_of)),
                ],
            )
        })
        .collect();
    obj!(
        "id": &p.common.id,
        "name": &p.name.value,
        "title": &p.name.value,
        "name_local": p.name_local.as_ref().map(|n| &n.value),
        "aliases": p.aliases.iter().map(|a| &a.value).collect::<Vec<_>>(),
        "positions": positions,
        "positions_chart": super::charts::positions_chart(p),
        "summary": field(site, &p.summary),
        "chaired": incoming.by(Relation::Chaired),
        "took_part": incoming.by(Relation::TookPart),
        "mentioned_in": incoming.by(Relation::Mentioned),
        "draft": p.common.draft,
        "extra": &p.common.extra,
    )
}

/// `topic` variable of a topic page.
pub fn topic(site: &Cx, i: usize, incoming: &Incoming) -> Value {
    let t = &site.topics[i];
    let targets: Vec<Value> = t
        .targets
        .iter()
        .map(|target| {
            with_all(
                evidence(site, &target.evidence),
                [
                    ("html", to_value(site.field(&target.text))),
                    ("due", opt_date(&target.due)),
                ],
            )
        })
        .collect();
    let mut articles = incoming.by(Relation::Mentioned);
    articles.sort_by_cached_key(|v| {
        std::cmp::Reverse(
            v.get_from_path("date.iso")
                .and_then(Value::as_str)
                .map(str::to_string),
        )
    });
    obj!(
        "id": &t.common.id,
        "title": &t.title.value,
        "aliases": t.aliases.iter().map(|a| &a.value).collect::<Vec<_>>(),
        "parent": t.parent.as_ref().map(|p| reference(site, Kind::Topic, p)),
        "children": incoming.by(Relation::ParentOf),
        "summary": site.field(&t.summary),
        "targets": targets,
        "targets_chart": super::charts::targets_chart(site, t),
        "related": references(site, Kind::Topic, &t.related),
        "meetings": incoming.by(Relation::Discussed),
        "articles": articles,
        "draft": t.common.draft,
        "extra": &t.common.extra,
    )
}

/// `organization` variable of an organization page.
pub fn organization(site: &Cx, i: usize, incoming: &Incoming) -> Value {
    let o = &site.organizations[i];
    obj!(
        "id": &o.common.id,
        "name": &o.name.value,
        "title": &o.name.value,
        "name_local": o.name_local.as_ref().map(|n| &n.value),
        "aliases": o.aliases.iter().map(|a| &a.value).collect::<Vec<_>>(),
        "kind": &o.kind,
        "parent": o.parent.as_ref().map(|p| reference(site, Kind::Organization, p)),
        "children": incoming.by(Relation::ParentOf),
        "summary": field(site, &o.summary),
        "people": incoming.by(Relation::Position),
        "meetings": incoming.by(Relation::Held),
        "draft": o.common.draft,
        "extra": &o.common.extra,
    )
}

/// A list entry: a link plus what lists show (summary text, kind of meeting, source, date note).
pub fn list_item(site: &Cx, e: EntityRef) -> Value {
    let item = link(site, e);
    let i = e.index as usize;
    let date_note =
        |note: &Option<Markdown>| to_value(note.as_ref().map(|n| plain_text(site.field(n))));
    match e.kind {
        Kind::Article => {
            let a = &site.articles[i];
            with_all(
                item,
                [
                    ("source", to_value(&a.source)),
                    ("date_note", date_note(&a.date_note)),
                    ("language", to_value(&a.language)),
                ],
            )
        }
        Kind::Meeting => {
            let m = &site.meetings[i];
            with_all(
                item,
                [
                    ("kind_of_meeting", to_value(&m.kind)),
                    ("short_title", to_value(&m.short_title)),
                    ("date_note", date_note(&m.date_note)),
                ],
            )
        }
        Kind::Person => {
            let p = &site.people[i];
            with_all(
                item,
                [
                    (
                        "name_local",
                        to_value(p.name_local.as_ref().map(|n| &n.value)),
                    ),
                    (
                        "position",
                        to_value(p.positions.first().map(|pos| &pos.title)),
                    ),
                ],
            )
        }
        Kind::Topic => {
            let parent = site.topics[i].parent.as_ref().map(|p| &p.value);
            with(item, "parent", to_value(parent))
        }
        Kind::Organization => {
            let local = site.organizations[i].name_local.as_ref().map(|n| &n.value);
            with(item, "name_local", to_value(local))
        }
    }
}

/// Text of an HTML fragment, for titles and search (tags dropped, entities decoded). A
/// citation reads as the title it carries ("Article, paragraph 3"), not as its bare number.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skip_until_close_a = false;
    while let Some(lt) = rest.find('<') {
        if !skip_until_close_a {
            out.push_str(&rest[..lt]);
        }
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[lt..lt + gt + 1];
        if tag.starts_with("<a ") && tag.contains("data-cite=") {
            if let Some(title) = attribute(tag, "title") {
                out.push_str(" (");
                out.push_str(&title);
                out.push(')');
                skip_until_close_a = true;
            }
        } else if tag == "</a>" {
            skip_until_close_a = false;
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    let out = decode_entities(&out);
    let out: String = out
        .chars()
        .filter(|c| *c != crate::markdown::LINK_START && *c != crate::markdown::LINK_END)
        .collect();
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(decode_entities(&tag[start..end]))
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
