//! Resolving: a [`RawSite`] in, a checked and cross-linked [`Site`] out.
//!
//! Drafts are set aside (unless asked for), ids and names are indexed ([`index`], with the
//! mention matcher of [`mentions`]), article bodies are rendered in parallel (which finds their
//! paragraphs, wikilinks and mentions), every reference field, citation and quote is checked
//! (`links`, each entity on its own), and every edge between entities is turned into a
//! backlink of the page it points at. `serve` passes a [`Cache`] that keeps, from one resolve
//! to the next, whatever the files it came from have not changed.

pub mod index;
mod links;
pub mod mentions;

use crate::diag::Diagnostics;
use crate::load::RawSite;
use crate::markdown::{self, Marks, Rendered};
use crate::model::*;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use index::{Entry, Index, NameDef};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How an entity points at another, named from the side of the page it points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// A meeting this person chaired.
    Chaired,
    /// A meeting this person took part in.
    TookPart,
    /// A meeting this organization held.
    Held,
    /// A meeting that discussed this topic.
    Discussed,
    /// An article reporting on this meeting, or a meeting this article reports on.
    Reports,
    /// A person who held a post in this organization.
    Position,
    /// An entity citing a paragraph of this article.
    Cited,
    /// An article whose text mentions this entity.
    Mentioned,
    /// A related meeting or topic.
    Related,
    /// A child topic or organization.
    ParentOf,
    /// A wikilink in Markdown text.
    Linked,
}

impl Relation {
    /// Heading of the group on the page pointed at.
    pub fn label(self, target: Kind) -> &'static str {
        match (self, target) {
            (Relation::Chaired, _) => "Chaired",
            (Relation::TookPart, _) => "Took part in",
            (Relation::Held, _) => "Meetings held",
            (Relation::Discussed, _) => "Discussed at",
            (Relation::Reports, Kind::Meeting) => "Reported in",
            (Relation::Reports, _) => "Source for",
            (Relation::Position, _) => "People with posts here",
            (Relation::Cited, _) => "Cited by",
            (Relation::Mentioned, _) => "Mentioned in",
            (Relation::Related, _) => "Related",
            (Relation::ParentOf, Kind::Topic) => "Subtopics",
            (Relation::ParentOf, _) => "Parent of",
            (Relation::Linked, _) => "Linked from",
        }
    }
}

/// One incoming edge of a page.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backlink {
    /// How.
    pub relation: Relation,
    /// From which entity.
    pub from: EntityRef,
    /// A role, post title or paragraph list that says more.
    pub details: Vec<Arc<str>>,
}

/// A resolved citation of a paragraph.
#[derive(Clone, Debug, PartialEq)]
pub struct Cite {
    /// Article index.
    pub article: u32,
    /// Paragraph number.
    pub paragraph: u32,
}

/// The checked site, ready to render.
pub struct Site {
    /// The site folder.
    pub root: std::path::PathBuf,
    /// `site.toml`.
    pub config: crate::load::config::Config,
    /// Every file read.
    pub sources: SourceMap,
    /// Live articles by id.
    pub articles: Vec<Arc<Article>>,
    /// Live meetings by id.
    pub meetings: Vec<Arc<Meeting>>,
    /// Live people by id.
    pub people: Vec<Arc<Person>>,
    /// Live topics by id.
    pub topics: Vec<Arc<Topic>>,
    /// Live organizations by id.
    pub organizations: Vec<Arc<Organization>>,
    /// Ids, names, mentions.
    pub index: Arc<Index>,
    /// Rendered article bodies, by article index.
    pub bodies: Vec<Arc<Rendered>>,
    /// Rendered Markdown fields, by where they were written.
    pub fields: FxHashMap<(FileId, usize), Arc<str>>,
    /// Resolved citations of evidence items, by where they were written.
    pub cites: FxHashMap<(FileId, usize), Cite>,
    /// Incoming edges of each entity.
    pub backlinks: FxHashMap<EntityRef, Arc<Vec<Backlink>>>,
    /// For each article, paragraph number → entities citing it.
    pub cited_by: Vec<BTreeMap<u32, Vec<EntityRef>>>,
    /// Meetings each article reports on (its `meetings` and meetings listing it in `sources`).
    pub article_meetings: Vec<Vec<u32>>,
    /// Articles reporting on each meeting.
    pub meeting_sources: Vec<Vec<u32>>,
}

impl Site {
    /// Let go of the plain text of every article paragraph but the first (a feed entry's
    /// summary); how many paragraphs each article has stays. For a build, once its search
    /// index is written: quotes are checked and nothing else reads that text.
    pub fn release_paragraph_texts(&mut self) {
        // A million small texts at 100,000 articles: freed on every thread.
        self.bodies.par_iter_mut().for_each(|body| {
            if let Some(body) = Arc::get_mut(body) {
                body.release_paragraph_texts();
            }
        });
    }

    /// Every evidence item of the site: key points, figures, positions, targets.
    pub fn evidence(&self) -> Vec<&Evidence> {
        let mut all = Vec::new();
        for m in &self.meetings {
            all.extend(m.key_points.iter().map(|k| &k.evidence));
            all.extend(m.figures.iter().map(|f| &f.evidence));
        }
        for p in &self.people {
            all.extend(p.positions.iter().map(|p| &p.evidence));
        }
        for t in &self.topics {
            all.extend(t.targets.iter().map(|t| &t.evidence));
        }
        all
    }

    /// HTML of a Markdown field ("" if it was not rendered).
    pub fn field(&self, md: &Markdown) -> &str {
        self.fields
            .get(&(md.span.file, md.span.start))
            .map(|html| &**html)
            .unwrap_or("")
    }

    /// The resolved citation of an evidence item.
    pub fn cite(&self, c: &Citation) -> Option<&Cite> {
        self.cites.get(&(c.span.file, c.span.start))
    }

    /// Common fields of an entity.
    pub fn common(&self, e: EntityRef) -> &Common {
        let i = e.index as usize;
        match e.kind {
            Kind::Article => &self.articles[i].common,
            Kind::Meeting => &self.meetings[i].common,
            Kind::Person => &self.people[i].common,
            Kind::Topic => &self.topics[i].common,
            Kind::Organization => &self.organizations[i].common,
        }
    }

    /// Date of an article or meeting, for sorting and lists.
    pub fn date(&self, e: EntityRef) -> Option<Date> {
        match e.kind {
            Kind::Article => self.articles[e.index as usize]
                .published
                .as_ref()
                .map(|d| d.value),
            Kind::Meeting => Some(self.meetings[e.index as usize].date.value),
            _ => None,
        }
    }

    /// Every entity of a kind.
    pub fn all(&self, kind: Kind) -> impl Iterator<Item = EntityRef> + '_ {
        (0..self.index.count(kind) as u32).map(move |index| EntityRef { kind, index })
    }
}

/// Options of the resolve step.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResolveOptions {
    /// Keep drafts in the site.
    pub drafts: bool,
    /// Let go of the text of each article's body as soon as it is rendered, where nothing
    /// later reads it (a build that writes its output: the memory goes to the next bodies).
    pub release_bodies: bool,
}

fn split_drafts<T: Clone>(
    items: Vec<T>,
    common: impl Fn(&T) -> &Common,
    keep: bool,
) -> (Vec<T>, Vec<T>) {
    let mut items = items;
    items.sort_by(|a, b| common(a).id.cmp(&common(b).id));
    if keep {
        return (items, Vec::new());
    }
    items.into_iter().partition(|i| !common(i).draft)
}

/// What `serve` keeps from one resolve to the next: the mention automaton and every rendered
/// Markdown text, valid while the index (ids, names, titles, drafts) and the Markdown options stay
/// the same, and reused for a text only when its file is the very same one as before (the
/// loader shares unchanged files from one load to the next).
#[derive(Default)]
pub struct Cache {
    fingerprint: u64,
    automaton: Option<index::Automaton>,
    index: Option<Arc<Index>>,
    bodies: FxHashMap<FileId, Kept>,
    backlinks: FxHashMap<EntityRef, KeptBacklinks>,
    marked: FxHashMap<FileId, Kept>,
    checks: links::KeptChecks,
}

/// An entity's backlinks and what they were made from: its incoming edges as found and the
/// dates of their sources (which order the list).
struct KeptBacklinks {
    incoming: Incoming,
    dates: Vec<Option<Date>>,
    backlinks: Arc<Vec<Backlink>>,
}

impl KeptBacklinks {
    /// The backlinks of an entity whose incoming edges are `incoming`: those of `previous` when
    /// it was made from the same edges, from sources of the same dates; else made anew.
    fn of(site: &Site, incoming: Incoming, previous: Option<&KeptBacklinks>) -> KeptBacklinks {
        let dates: Vec<Option<Date>> = incoming.iter().map(|e| site.date(e.0)).collect();
        let backlinks = match previous {
            Some(k) if k.incoming == incoming && k.dates == dates => Arc::clone(&k.backlinks),
            _ => Arc::new(backlinks_of(site, incoming.clone())),
        };
        KeptBacklinks {
            incoming,
            dates,
            backlinks,
        }
    }
}

/// Edges into one entity: source, relation, details.
type Incoming = Vec<(EntityRef, Relation, Option<Arc<str>>)>;

/// A rendered text and the file it came from.
#[derive(Clone)]
struct Kept {
    file: Arc<SourceFile>,
    marks: Option<Marks>,
    rendered: Arc<Rendered>,
    diags: Diagnostics,
}

impl Cache {
    /// A hash of the index the kept texts were rendered with: when it changes from one resolve
    /// to the next, any page may show something new.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

impl Kept {
    fn fits(&self, file: &Arc<SourceFile>, marks: Option<&Marks>) -> bool {
        Arc::ptr_eq(&self.file, file) && self.marks.as_ref() == marks
    }
}

/// Check and cross-link the site.
pub fn resolve(raw: RawSite, opts: ResolveOptions, diags: &mut Diagnostics) -> Site {
    resolve_cached(raw, opts, diags, None)
}

/// [`resolve`], reusing what `cache` kept from the last time and keeping what this one made.
pub fn resolve_cached(
    raw: RawSite,
    opts: ResolveOptions,
    diags: &mut Diagnostics,
    mut cache: Option<&mut Cache>,
) -> Site {
    let mut timer = crate::Timer::new();
    let (articles, draft_articles) = split_drafts(raw.articles, |a| &a.common, opts.drafts);
    let (meetings, draft_meetings) = split_drafts(raw.meetings, |a| &a.common, opts.drafts);
    let (people, draft_people) = split_drafts(raw.people, |a| &a.common, opts.drafts);
    let (topics, draft_topics) = split_drafts(raw.topics, |a| &a.common, opts.drafts);
    let (organizations, draft_orgs) = split_drafts(raw.organizations, |a| &a.common, opts.drafts);

    let mut drafts: Vec<(Kind, String, String)> = Vec::new();
    drafts.extend(
        draft_articles
            .iter()
            .map(|a| (Kind::Article, a.common.id.clone(), a.title.clone())),
    );
    drafts.extend(
        draft_meetings
            .iter()
            .map(|a| (Kind::Meeting, a.common.id.clone(), a.title.clone())),
    );
    drafts.extend(
        draft_people
            .iter()
            .map(|a| (Kind::Person, a.common.id.clone(), a.name.value.clone())),
    );
    drafts.extend(
        draft_topics
            .iter()
            .map(|a| (Kind::Topic, a.common.id.clone(), a.title.value.clone())),
    );
    drafts.extend(draft_orgs.iter().map(|a| {
        (
            Kind::Organization,
            a.common.id.clone(),
            a.name.value.clone(),
        )
    }));

    let mut draft_names: Vec<(String, String)> = Vec::new();
    let mut add = |title: &str, names: Vec<&str>| {
        draft_names.extend(
            names
                .into_iter()
                .map(|n| (n.to_string(), title.to_string())),
        );
    };
    for a in &draft_articles {
        add(&a.title, vec![&a.title]);
    }
    for m in &draft_meetings {
        add(
            &m.title,
            std::iter::once(m.title.as_str())
                .chain(m.short_title.as_deref())
                .collect(),
        );
    }
    for p in &draft_people {
        let names = std::iter::once(&p.name)
            .chain(&p.name_local)
            .chain(&p.aliases);
        add(&p.name.value, names.map(|n| n.value.as_str()).collect());
    }
    for t in &draft_topics {
        let names = std::iter::once(&t.title).chain(&t.aliases);
        add(&t.title.value, names.map(|n| n.value.as_str()).collect());
    }
    for o in &draft_orgs {
        let names = std::iter::once(&o.name)
            .chain(&o.name_local)
            .chain(&o.aliases);
        add(&o.name.value, names.map(|n| n.value.as_str()).collect());
    }
    let lists = Lists {
        articles: &articles,
        meetings: &meetings,
        people: &people,
        topics: &topics,
        organizations: &organizations,
    };
    if let Some(cache) = cache.as_deref_mut() {
        let fingerprint = fingerprint(&lists, &drafts, &draft_names, &raw.config);
        if cache.fingerprint != fingerprint {
            let automaton = cache.automaton.take();
            *cache = Cache {
                fingerprint,
                automaton,
                ..Cache::default()
            };
        }
    }
    let index = match cache.as_deref().and_then(|c| c.index.as_ref()) {
        // The same ids, names and titles as last time: the same index.
        Some(index) => {
            let spans: Vec<Span> = lists.names().map(|n| n.span).collect();
            index.warn_again(&spans, diags);
            Arc::clone(index)
        }
        None => {
            let previous = cache.as_deref().and_then(|c| c.automaton.as_ref());
            Arc::new(Index::new(
                lists.entries(),
                lists.names().map(NameRef::into_def).collect(),
                drafts,
                draft_names,
                previous,
                diags,
            ))
        }
    };
    if let Some(cache) = cache.as_deref_mut() {
        cache.automaton = Some(index.automaton().clone());
        cache.index = Some(Arc::clone(&index));
    }

    let mut site = Site {
        root: raw.root,
        config: raw.config,
        sources: raw.sources,
        bodies: Vec::new(),
        fields: FxHashMap::default(),
        cites: FxHashMap::default(),
        backlinks: FxHashMap::default(),
        cited_by: vec![BTreeMap::new(); articles.len()],
        article_meetings: vec![Vec::new(); articles.len()],
        meeting_sources: vec![Vec::new(); meetings.len()],
        articles,
        meetings,
        people,
        topics,
        organizations,
        index,
    };
    timer.lap("resolve: index");
    let release = opts.release_bodies.then(|| quoted_articles(&site));
    render_bodies(
        &mut site,
        None,
        diags,
        cache.as_deref_mut(),
        release.as_ref(),
    );
    timer.lap("resolve: article bodies");
    let links::Links {
        edges,
        fields,
        cites,
        cited_by,
        article_meetings,
        meeting_sources,
        marks,
        touched,
    } = links::link_all(&site, cache.as_deref_mut().map(|c| &mut c.checks), diags);
    timer.lap("resolve: references, fields, citations");
    site.fields = fields;
    site.cites = cites;
    site.cited_by = cited_by;
    site.article_meetings = article_meetings;
    site.meeting_sources = meeting_sources;
    let kept = cache.as_deref_mut().map(|c| &mut c.backlinks);
    site.backlinks = match (kept, touched) {
        (Some(kept), Some(touched)) => regroup_backlinks(&site, edges, kept, &touched),
        (kept, _) => group_backlinks(&site, edges, kept),
    };
    timer.lap("resolve: backlinks");
    if !marks.is_empty() {
        render_bodies(
            &mut site,
            Some(&marks),
            &mut Diagnostics::default(),
            cache,
            None,
        );
    }
    timer.lap("resolve: quoted bodies again");
    site
}

/// The live entities of a site, borrowed: what the index is made of.
struct Lists<'a> {
    articles: &'a [Arc<Article>],
    meetings: &'a [Arc<Meeting>],
    people: &'a [Arc<Person>],
    topics: &'a [Arc<Topic>],
    organizations: &'a [Arc<Organization>],
}

/// A name of an entity, borrowed (see [`NameDef`]).
struct NameRef<'a> {
    entity: EntityRef,
    name: &'a str,
    span: Span,
    for_mentions: bool,
}

impl NameRef<'_> {
    fn into_def(self) -> NameDef {
        NameDef {
            entity: self.entity,
            name: self.name.to_string(),
            span: self.span,
            for_mentions: self.for_mentions,
        }
    }
}

impl<'a> Lists<'a> {
    /// Each entity's id and shown name or title, by kind.
    fn entries(&self) -> [Vec<Entry>; 5] {
        fn entries_of<T>(list: &[Arc<T>], of: impl Fn(&T) -> (&str, &str)) -> Vec<Entry> {
            list.iter()
                .map(|item| {
                    let (id, title) = of(item);
                    Entry {
                        id: id.to_string(),
                        title: title.to_string(),
                    }
                })
                .collect()
        }
        [
            entries_of(self.articles, |a| (&a.common.id, &a.title)),
            entries_of(self.meetings, |m| (&m.common.id, &m.title)),
            entries_of(self.people, |p| (&p.common.id, &p.name.value)),
            entries_of(self.topics, |t| (&t.common.id, &t.title.value)),
            entries_of(self.organizations, |o| (&o.common.id, &o.name.value)),
        ]
    }

    /// Every name by which an entity may be referred to, in a fixed order: titles of articles
    /// and meetings (for wikilinks only), then the names and aliases of people, topics and
    /// organizations (for mentions too).
    fn names(&self) -> impl Iterator<Item = NameRef<'a>> + 'a {
        let entity = |kind: Kind, index: usize| EntityRef {
            kind,
            index: index as u32,
        };
        let sp = move |kind: Kind, index: usize, name: &'a Sp<String>| NameRef {
            entity: entity(kind, index),
            name: &name.value,
            span: name.span,
            for_mentions: true,
        };
        let articles = self.articles.iter().enumerate().map(move |(i, a)| NameRef {
            entity: entity(Kind::Article, i),
            name: &a.title,
            span: Span::file_start(a.common.file),
            for_mentions: false,
        });
        let meetings = self.meetings.iter().enumerate().flat_map(move |(i, m)| {
            std::iter::once(&m.title)
                .chain(&m.short_title)
                .map(move |title| NameRef {
                    entity: entity(Kind::Meeting, i),
                    name: title,
                    span: Span::file_start(m.common.file),
                    for_mentions: false,
                })
        });
        let people = self.people.iter().enumerate().flat_map(move |(i, p)| {
            std::iter::once(&p.name)
                .chain(&p.name_local)
                .chain(&p.aliases)
                .map(move |n| sp(Kind::Person, i, n))
        });
        let topics = self.topics.iter().enumerate().flat_map(move |(i, t)| {
            std::iter::once(&t.title)
                .chain(&t.aliases)
                .map(move |n| sp(Kind::Topic, i, n))
        });
        let organizations = self
            .organizations
            .iter()
            .enumerate()
            .flat_map(move |(i, o)| {
                std::iter::once(&o.name)
                    .chain(&o.name_local)
                    .chain(&o.aliases)
                    .map(move |n| sp(Kind::Organization, i, n))
            });
        articles
            .chain(meetings)
            .chain(people)
            .chain(topics)
            .chain(organizations)
    }
}

/// A hash of everything a rendered Markdown text depends on besides its own file: ids, names,
/// titles, drafts and the Markdown options.
fn fingerprint(
    lists: &Lists<'_>,
    drafts: &[(Kind, String, String)],
    draft_names: &[(String, String)],
    config: &crate::load::config::Config,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    fn ids<T>(list: &[Arc<T>], id: impl Fn(&T) -> &str, h: &mut rustc_hash::FxHasher) {
        list.len().hash(h);
        list.iter().for_each(|item| id(item).hash(h));
    }
    ids(lists.articles, |a| &a.common.id, &mut h);
    ids(lists.meetings, |m| &m.common.id, &mut h);
    ids(lists.people, |p| &p.common.id, &mut h);
    ids(lists.topics, |t| &t.common.id, &mut h);
    ids(lists.organizations, |o| &o.common.id, &mut h);
    // The shown titles are names too.
    for n in lists.names() {
        (n.entity, n.name, n.for_mentions).hash(&mut h);
    }
    drafts.hash(&mut h);
    draft_names.hash(&mut h);
    config.markdown.highlight_theme.hash(&mut h);
    format!("{:?}", config.mentions.link).hash(&mut h);
    h.finish()
}

/// Each entity mentioned, once, in order, with the paragraphs it is mentioned in (`p1 p4`).
fn mentioned(mentions: &[(EntityRef, Option<u32>)]) -> Vec<(EntityRef, Arc<str>)> {
    let mut by_entity: BTreeMap<EntityRef, BTreeSet<u32>> = BTreeMap::new();
    for (entity, paragraph) in mentions {
        let set = by_entity.entry(*entity).or_default();
        if let Some(p) = paragraph {
            set.insert(*p);
        }
    }
    by_entity
        .into_iter()
        .map(|(entity, paragraphs)| {
            let detail = paragraphs
                .iter()
                .map(|p| format!("p{p}"))
                .collect::<Vec<_>>()
                .join(" ");
            (entity, Arc::from(detail))
        })
        .collect()
}

/// The articles whose paragraphs some evidence quotes (their bodies are rendered again with
/// the quotes marked, so their text is kept).
fn quoted_articles(site: &Site) -> FxHashSet<u32> {
    site.evidence()
        .into_iter()
        .filter(|ev| ev.quote.is_some())
        .filter_map(|ev| ev.source.as_ref())
        .filter_map(|source| site.index.lookup(Kind::Article, &source.article))
        .map(|e| e.index)
        .collect()
}

/// How many bodies are rendered between two releases of their texts.
const RELEASE_EVERY: usize = 256;

/// Render every article body, or with `marks` only those with quoted passages to mark. With
/// `release` (the articles that must keep their text), the text of each other body is let go
/// once it is rendered, unless a problem may point into it later (it cites a paragraph, or its
/// rendering found a problem); its front matter stays, for problems found in it later.
fn render_bodies(
    site: &mut Site,
    marks: Option<&FxHashMap<u32, Marks>>,
    diags: &mut Diagnostics,
    mut cache: Option<&mut Cache>,
    release: Option<&FxHashSet<u32>>,
) {
    if site.bodies.is_empty() {
        site.bodies = vec![Arc::default(); site.articles.len()];
    }
    let count = site.articles.len();
    let step = if release.is_some() {
        RELEASE_EVERY
    } else {
        count.max(1)
    };
    for start in (0..count).step_by(step) {
        let range = start..(start + step).min(count);
        let results = render_some(site, range.clone(), marks, cache.as_deref());
        let mut store = cache.as_deref_mut().map(|c| {
            if marks.is_some() {
                &mut c.marked
            } else {
                &mut c.bodies
            }
        });
        for (i, result) in range.zip(results) {
            let Some((kept, fresh)) = result else {
                continue;
            };
            let file = site.articles[i].common.file;
            if let Some(keep) = release
                && !keep.contains(&(i as u32))
                && kept.rendered.citations.is_empty()
                && kept.diags.items().is_empty()
                && let Some(body_start) = site.articles[i].body.exact_offset
            {
                site.sources.keep_only_start(file, body_start);
            }
            diags.extend(kept.diags.clone());
            site.bodies[i] = Arc::clone(&kept.rendered);
            if fresh && let Some(store) = store.as_deref_mut() {
                store.insert(file, kept);
            }
        }
    }
}

/// Render the bodies of the articles in `range`, in parallel (`None` for an article without
/// marks when only marked bodies are asked for); whether each was rendered now or kept.
fn render_some(
    site: &Site,
    range: std::ops::Range<usize>,
    marks: Option<&FxHashMap<u32, Marks>>,
    cache: Option<&Cache>,
) -> Vec<Option<(Kept, bool)>> {
    let theme = &site.config.markdown.highlight_theme;
    let mode = site.config.mentions.link;
    let kept = cache.map(|c| {
        if marks.is_some() {
            &c.marked
        } else {
            &c.bodies
        }
    });
    site.articles[range.clone()]
        .par_iter()
        .zip(range)
        .map(|(article, i)| {
            let article_marks = marks.map(|m| m.get(&(i as u32)));
            if let Some(None) = article_marks {
                return None;
            }
            let article_marks = article_marks.flatten();
            let file = site.sources.get_shared(article.common.file);
            if let Some(k) = kept.and_then(|k| k.get(&article.common.file))
                && k.fits(file, article_marks)
            {
                return Some((k.clone(), false));
            }
            let mut d = Diagnostics::default();
            let opts = markdown::Options {
                mentions: Some(mode),
                marks: article_marks,
                highlight_theme: theme,
            };
            let mut rendered = markdown::render(&article.body, file, &site.index, opts, &mut d);
            rendered.mentioned = mentioned(&rendered.mentions);
            let kept = Kept {
                file: Arc::clone(file),
                marks: article_marks.cloned(),
                rendered: Arc::new(rendered),
                diags: d,
            };
            Some((kept, true))
        })
        .collect()
}

fn group_backlinks(
    site: &Site,
    edges: Vec<(EntityRef, Relation, EntityRef, Option<Arc<str>>)>,
    kept: Option<&mut FxHashMap<EntityRef, KeptBacklinks>>,
) -> FxHashMap<EntityRef, Arc<Vec<Backlink>>> {
    // Each target's incoming edges in the order found, by kind and index.
    let mut incoming: [Vec<Incoming>; 5] = Kind::ALL.map(|k| vec![Vec::new(); site.index.count(k)]);
    for (from, relation, to, detail) in edges {
        if from != to {
            incoming[to.kind as usize][to.index as usize].push((from, relation, detail));
        }
    }
    let previous = kept.as_deref();
    // Each target's backlinks, and what they were made from when they are to be kept.
    type Made = (EntityRef, Arc<Vec<Backlink>>, Option<KeptBacklinks>);
    let mut grouped: Vec<Made> = Vec::new();
    for (kind, lists) in Kind::ALL.into_iter().zip(incoming) {
        let group = lists
            .into_par_iter()
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .map(|(index, list)| {
                let to = EntityRef {
                    kind,
                    index: index as u32,
                };
                let Some(previous) = previous else {
                    return (to, Arc::new(backlinks_of(site, list)), None);
                };
                let made = KeptBacklinks::of(site, list, previous.get(&to));
                (to, Arc::clone(&made.backlinks), Some(made))
            });
        grouped.par_extend(group);
    }
    let result = grouped
        .iter()
        .map(|(to, backlinks, _)| (*to, Arc::clone(backlinks)))
        .collect();
    if let Some(kept) = kept {
        *kept = grouped
            .into_iter()
            .filter_map(|(to, _, made)| Some((to, made?)))
            .collect();
    }
    result
}

/// The backlinks of every entity, where only those of `touched` may have changed since `kept`
/// was made: their incoming edges are gathered again, the rest are kept as they are.
fn regroup_backlinks(
    site: &Site,
    edges: Vec<(EntityRef, Relation, EntityRef, Option<Arc<str>>)>,
    kept: &mut FxHashMap<EntityRef, KeptBacklinks>,
    touched: &FxHashSet<EntityRef>,
) -> FxHashMap<EntityRef, Arc<Vec<Backlink>>> {
    let mut incoming: FxHashMap<EntityRef, Incoming> =
        touched.iter().map(|t| (*t, Vec::new())).collect();
    for (from, relation, to, detail) in edges {
        if from != to
            && let Some(list) = incoming.get_mut(&to)
        {
            list.push((from, relation, detail));
        }
    }
    for (to, list) in incoming {
        if list.is_empty() {
            kept.remove(&to);
            continue;
        }
        let made = KeptBacklinks::of(site, list, kept.get(&to));
        kept.insert(to, made);
    }
    kept.iter()
        .map(|(to, k)| (*to, Arc::clone(&k.backlinks)))
        .collect()
}

/// One target's backlinks from its incoming edges: one per source and relation, with the
/// details in the order found; sorted by relation, kind, newest first, then index.
fn backlinks_of(
    site: &Site,
    mut list: Vec<(EntityRef, Relation, Option<Arc<str>>)>,
) -> Vec<Backlink> {
    // A stable sort keeps each pair's details in the order found.
    list.sort_by_key(|(from, relation, _)| (*from, *relation));
    let mut backlinks = Vec::new();
    for pair in list.chunk_by(|a, b| a.0 == b.0) {
        let from = pair[0].0;
        // A wikilink adds nothing where the same entity already points here in a stronger way.
        let strong = pair.iter().any(|e| e.1 != Relation::Linked);
        for same in pair.chunk_by(|a, b| a.1 == b.1) {
            let relation = same[0].1;
            if relation == Relation::Linked && strong {
                continue;
            }
            let mut details: Vec<Arc<str>> = Vec::new();
            for d in same.iter().filter_map(|e| e.2.as_ref()) {
                if !d.is_empty() && !details.contains(d) {
                    details.push(Arc::clone(d));
                }
            }
            backlinks.push(Backlink {
                relation,
                from,
                details,
            });
        }
    }
    backlinks.sort_by(|a, b| {
        a.relation
            .cmp(&b.relation)
            .then(a.from.kind.cmp(&b.from.kind))
            .then(site.date(b.from).cmp(&site.date(a.from)))
            .then(a.from.index.cmp(&b.from.index))
    });
    backlinks
}
