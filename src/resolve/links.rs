//! Checking every entity's references, citations and quotes, and collecting the edges between
//! entities.
//!
//! Each entity is checked on its own ([`Checker`]) into a [`Checked`]: its outgoing edges, its
//! rendered Markdown fields, the paragraphs it cites, the articles it names as sources, the
//! quotes it marks and its problems. That depends only on the entity's file, the index (ids and
//! names) and the bodies of the articles it cites, so entities are checked in parallel, and
//! `serve` keeps each [`Checked`] until one of those changes. The [`Links`] of the whole site
//! are then put together from them, in a fixed order, and checked for what no single entity
//! can show (cycles of parents).

use super::index::RefError;
use super::{Cite, Relation, Site};
use crate::diag::Diagnostics;
use crate::markdown::{self, Marks, Rendered};
use crate::model::*;
use crate::source::{FileId, SourceFile, Span};
use crate::text::{Fold, Normalized, normalize};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An edge: from, how, to, and a detail (a role, a post, the paragraphs of a mention).
pub(super) type Edge = (EntityRef, Relation, EntityRef, Option<Arc<str>>);

/// What checking one entity found.
#[derive(Default)]
pub(super) struct Checked {
    /// The entity's file as it was checked.
    file: Option<Arc<SourceFile>>,
    /// The article bodies it read (paragraph counts, quoted paragraphs), its own included.
    read: Vec<(u32, Arc<Rendered>)>,
    /// Outgoing edges, in the order found: to, how, detail.
    edges: Vec<(Relation, EntityRef, Option<Arc<str>>)>,
    /// Rendered Markdown fields, by where they were written.
    fields: Vec<((FileId, usize), Arc<str>)>,
    /// Resolved evidence citations, by where they were written.
    cites: Vec<((FileId, usize), Cite)>,
    /// Paragraphs cited: article, paragraph.
    cited: Vec<(u32, u32)>,
    /// Reports named: article, meeting.
    reports: Vec<(u32, u32)>,
    /// Quotes found: article, paragraph, byte range in the paragraph's text.
    marks: Vec<(u32, u32, (usize, usize))>,
    diags: Diagnostics,
}

impl Checked {
    /// Whether checking the entity again (with the same index) would find the same: its file
    /// and every body it read are the very ones it was checked with.
    fn holds(&self, site: &Site, file: &Arc<SourceFile>) -> bool {
        self.file.as_ref().is_some_and(|f| Arc::ptr_eq(f, file))
            && self
                .read
                .iter()
                .all(|(a, body)| Arc::ptr_eq(&site.bodies[*a as usize], body))
    }

    /// The entities this check points at: its edges' targets, and both ends of its reports.
    fn points_at(&self) -> impl Iterator<Item = EntityRef> + '_ {
        let reports = self.reports.iter().flat_map(|&(article, meeting)| {
            [
                article_ref(article),
                EntityRef {
                    kind: Kind::Meeting,
                    index: meeting,
                },
            ]
        });
        self.edges.iter().map(|(_, to, _)| *to).chain(reports)
    }
}

/// What `serve` keeps of each entity's check, by kind and index (valid while the index is).
pub(super) type KeptChecks = [Vec<Option<Checked>>; 5];

/// The links of the whole site.
pub(super) struct Links {
    pub(super) edges: Vec<Edge>,
    pub(super) fields: FxHashMap<(FileId, usize), Arc<str>>,
    pub(super) cites: FxHashMap<(FileId, usize), Cite>,
    pub(super) cited_by: Vec<BTreeMap<u32, Vec<EntityRef>>>,
    pub(super) article_meetings: Vec<Vec<u32>>,
    pub(super) meeting_sources: Vec<Vec<u32>>,
    /// Quotes to mark in article bodies, by article.
    pub(super) marks: FxHashMap<u32, Marks>,
    /// The entities whose incoming edges may differ from those of the last check that kept
    /// its results: whatever the entities checked anew point at (or report with), now or
    /// before. `None` when there was no last check to compare with.
    pub(super) touched: Option<FxHashSet<EntityRef>>,
}

/// Check every entity (reusing what `kept` holds for those that did not change, and keeping
/// what was checked anew) and put the site's links together.
pub(super) fn link_all(
    site: &Site,
    mut kept: Option<&mut KeptChecks>,
    diags: &mut Diagnostics,
) -> Links {
    if let Some(kept) = kept.as_deref_mut() {
        for kind in Kind::ALL {
            kept[kind as usize].resize_with(site.index.count(kind), || None);
        }
    }
    let entities: Vec<EntityRef> = Kind::ALL.iter().flat_map(|&k| site.all(k)).collect();
    let holds = |e: &EntityRef| {
        kept.as_deref().is_some_and(|kept| {
            kept[e.kind as usize][e.index as usize]
                .as_ref()
                .is_some_and(|c| c.holds(site, site.sources.get_shared(site.common(*e).file)))
        })
    };
    let fresh: Vec<(EntityRef, Checked)> = entities
        .par_iter()
        .filter(|e| !holds(e))
        .map(|&e| (e, Checker::check(site, e)))
        .collect();
    let mut links = Links {
        edges: Vec::new(),
        fields: FxHashMap::default(),
        cites: FxHashMap::default(),
        cited_by: vec![BTreeMap::new(); site.articles.len()],
        article_meetings: vec![Vec::new(); site.articles.len()],
        meeting_sources: vec![Vec::new(); site.meetings.len()],
        marks: FxHashMap::default(),
        touched: None,
    };
    match kept {
        Some(kept) => {
            let mut touched = Some(FxHashSet::default());
            for (e, checked) in fresh {
                let slot = &mut kept[e.kind as usize][e.index as usize];
                match (touched.as_mut(), slot.as_ref()) {
                    (Some(set), Some(old)) => {
                        set.extend(old.points_at());
                        set.extend(checked.points_at());
                    }
                    // Nothing to compare with: everything may be new.
                    _ => touched = None,
                }
                *slot = Some(checked);
            }
            links.touched = touched;
            for &e in &entities {
                if let Some(checked) = &kept[e.kind as usize][e.index as usize] {
                    links.add(e, checked, diags);
                }
            }
        }
        None => {
            // Every entity was checked just now, in the order of `entities`.
            for (e, checked) in &fresh {
                links.add(*e, checked, diags);
            }
        }
    }
    links.finish(site, diags);
    links
}

impl Links {
    /// Add what one entity's check found.
    fn add(&mut self, from: EntityRef, checked: &Checked, diags: &mut Diagnostics) {
        self.edges.extend(
            checked
                .edges
                .iter()
                .map(|(relation, to, detail)| (from, *relation, *to, detail.clone())),
        );
        self.fields.extend(checked.fields.iter().cloned());
        self.cites.extend(checked.cites.iter().cloned());
        for &(article, paragraph) in &checked.cited {
            self.cited_by[article as usize]
                .entry(paragraph)
                .or_default()
                .push(from);
        }
        for &(article, meeting) in &checked.reports {
            self.article_meetings[article as usize].push(meeting);
            self.meeting_sources[meeting as usize].push(article);
        }
        for &(article, paragraph, range) in &checked.marks {
            self.marks
                .entry(article)
                .or_default()
                .entry(paragraph)
                .or_default()
                .push(range);
        }
        diags.extend(checked.diags.clone());
    }

    /// What needs every entity: cycles of parents, each report once, both ways.
    fn finish(&mut self, site: &Site, diags: &mut Diagnostics) {
        check_cycles(site, Kind::Topic, diags);
        check_cycles(site, Kind::Organization, diags);
        for list in self
            .article_meetings
            .iter_mut()
            .chain(self.meeting_sources.iter_mut())
        {
            list.sort_unstable();
            list.dedup();
        }
        for (a, list) in self.article_meetings.iter().enumerate() {
            for &m in list {
                let article = EntityRef {
                    kind: Kind::Article,
                    index: a as u32,
                };
                let meeting = EntityRef {
                    kind: Kind::Meeting,
                    index: m,
                };
                self.edges.push((article, Relation::Reports, meeting, None));
                self.edges.push((meeting, Relation::Reports, article, None));
            }
        }
        for by_paragraph in &mut self.cited_by {
            for list in by_paragraph.values_mut() {
                list.sort_unstable();
                list.dedup();
            }
        }
    }
}

/// Checks one entity.
struct Checker<'s> {
    site: &'s Site,
    from: EntityRef,
    out: Checked,
}

impl<'s> Checker<'s> {
    fn check(site: &'s Site, from: EntityRef) -> Checked {
        let file = site.common(from).file;
        let mut checker = Checker {
            site,
            from,
            out: Checked {
                file: Some(Arc::clone(site.sources.get_shared(file))),
                ..Checked::default()
            },
        };
        let i = from.index as usize;
        match from.kind {
            Kind::Article => checker.article(i),
            Kind::Meeting => checker.meeting(&site.meetings[i]),
            Kind::Person => checker.person(&site.people[i]),
            Kind::Topic => checker.topic(&site.topics[i]),
            Kind::Organization => checker.organization(&site.organizations[i]),
        }
        checker.out
    }

    fn edge(&mut self, relation: Relation, to: EntityRef, detail: Option<Arc<str>>) {
        self.out.edges.push((relation, to, detail));
    }

    fn article(&mut self, i: usize) {
        let site = self.site;
        let body = &site.bodies[i];
        self.out.read.push((i as u32, Arc::clone(body)));
        for (entity, detail) in &body.mentioned {
            self.edge(Relation::Mentioned, *entity, Some(Arc::clone(detail)));
        }
        for (entity, _) in &body.links {
            if !matches!(entity.kind, Kind::Person | Kind::Organization | Kind::Topic) {
                self.edge(Relation::Linked, *entity, None);
            }
        }
        self.citations(&body.citations);
        let article = &site.articles[i];
        self.field(article.date_note.as_ref());
        for m in &article.meetings {
            if let Some(meeting) = self.reference(Kind::Meeting, m) {
                self.out.reports.push((i as u32, meeting.index));
            }
        }
    }

    fn citations(&mut self, cited: &[markdown::Cited]) {
        for c in cited {
            if self.check_paragraph(c.article, c.paragraph, c.span) {
                self.out.cited.push((c.article, c.paragraph));
                self.edge(Relation::Cited, article_ref(c.article), None);
            }
        }
    }

    /// The body of article `article`, noted as read.
    fn body(&mut self, article: u32) -> &'s Rendered {
        let body = &self.site.bodies[article as usize];
        if !self.out.read.iter().any(|(a, _)| *a == article) {
            self.out.read.push((article, Arc::clone(body)));
        }
        body
    }

    fn check_paragraph(&mut self, article: u32, paragraph: u32, span: Span) -> bool {
        let count = self.body(article).paragraph_count() as u32;
        if paragraph > count {
            let id = &self.site.articles[article as usize].common.id;
            let hint = if count > 0 {
                format!(" (did you mean `{id}#p{count}`, its last?)")
            } else {
                String::new()
            };
            self.out.diags.error(
                span,
                format!(
                    "`{id}#p{paragraph}` is past the end of the article: it has {count} paragraphs{hint}"
                ),
            );
            return false;
        }
        true
    }

    /// Render a Markdown field and record its links.
    fn field(&mut self, md: Option<&Markdown>) {
        let Some(md) = md else { return };
        let site = self.site;
        let opts = markdown::Options {
            mentions: None,
            marks: None,
            highlight_theme: &site.config.markdown.highlight_theme,
        };
        let file = site.sources.get(md.span.file);
        let rendered = markdown::render(md, file, &site.index, opts, &mut self.out.diags);
        for (entity, _) in &rendered.links {
            if *entity != self.from {
                self.edge(Relation::Linked, *entity, None);
            }
        }
        self.citations(&rendered.citations);
        self.out
            .fields
            .push(((md.span.file, md.span.start), Arc::from(rendered.html())));
    }

    /// The entity a reference field names (a draft is shown as plain text).
    fn reference(&mut self, kind: Kind, id: &IdRef) -> Option<EntityRef> {
        self.resolve(kind, &id.value, id.span, ": shown as plain text")
    }

    /// The entity of `kind` with `id`, or a problem at `span`: a warning for a draft (with
    /// `draft_note` after it), an error for an id that is not there.
    fn resolve(&mut self, kind: Kind, id: &str, span: Span, draft_note: &str) -> Option<EntityRef> {
        match self.site.index.resolve_id(kind, id) {
            Ok(e) => Some(e),
            Err(RefError::Draft(title)) => {
                self.out.diags.warning(
                    span,
                    format!("`{id}` is a draft ({title}), left out of this build{draft_note}"),
                );
                None
            }
            Err(RefError::Unknown(message)) => {
                self.out.diags.error(span, message);
                None
            }
        }
    }

    fn link(&mut self, relation: Relation, kind: Kind, id: &IdRef, detail: Option<String>) {
        if let Some(to) = self.reference(kind, id) {
            self.edge(relation, to, detail.map(Arc::from));
        }
    }

    fn evidence(&mut self, ev: &Evidence) {
        self.field(ev.note.as_ref());
        let Some(source) = &ev.source else { return };
        let Some(article) = self.resolve(Kind::Article, &source.article, source.span, "") else {
            return;
        };
        let article = article.index;
        if !self.check_paragraph(article, source.paragraph, source.span) {
            return;
        }
        self.out.cites.push((
            (source.span.file, source.span.start),
            Cite {
                article,
                paragraph: source.paragraph,
            },
        ));
        self.out.cited.push((article, source.paragraph));
        self.edge(Relation::Cited, article_ref(article), None);
        if let Some(quote) = &ev.quote {
            self.quote(article, source.paragraph, quote);
        }
    }

    fn quote(&mut self, article: u32, paragraph: u32, quote: &Sp<String>) {
        let paragraphs = &self.body(article).paragraphs;
        let wanted = normalize(&quote.value, Fold::Quotes);
        let text = &paragraphs[paragraph as usize - 1];
        let normalized = Normalized::new(text, Fold::Quotes);
        if let Some(at) = normalized.text.find(&wanted) {
            let range = normalized.original_range(text, at, at + wanted.len());
            self.out.marks.push((article, paragraph, range));
            return;
        }
        let id = &self.site.articles[article as usize].common.id;
        let elsewhere = paragraphs
            .iter()
            .position(|p| normalize(p, Fold::Quotes).contains(&wanted))
            .map(|i| format!(" (it is in `{id}#p{}`: did the citation drift?)", i + 1))
            .unwrap_or_default();
        self.out.diags.error(
            quote.span,
            format!("this quote is not in `{id}#p{paragraph}`{elsewhere}"),
        );
    }

    fn meeting(&mut self, m: &Meeting) {
        self.field(Some(&m.summary));
        self.field(m.date_note.as_ref());
        if let Some(org) = &m.organization {
            self.link(Relation::Held, Kind::Organization, org, None);
        }
        if let Some(chair) = &m.chair {
            self.link(Relation::Chaired, Kind::Person, chair, None);
        }
        for p in &m.participants {
            self.link(Relation::TookPart, Kind::Person, &p.person, p.role.clone());
        }
        for t in &m.topics {
            self.link(Relation::Discussed, Kind::Topic, t, None);
        }
        for s in &m.sources {
            if let Some(article) = self.reference(Kind::Article, s) {
                self.out.reports.push((article.index, self.from.index));
            }
        }
        self.related(&m.common.id, &m.related);
        for k in &m.key_points {
            self.field(Some(&k.text));
            self.evidence(&k.evidence);
        }
        for f in &m.figures {
            self.evidence(&f.evidence);
        }
    }

    /// `related` of a meeting or topic: entities of its own kind, never itself.
    fn related(&mut self, own_id: &str, related: &[IdRef]) {
        for r in related {
            if r.value == own_id {
                self.out.diags.error(
                    r.span,
                    format!("a {} cannot be related to itself", self.from.kind),
                );
                continue;
            }
            self.link(Relation::Related, self.from.kind, r, None);
        }
    }

    fn person(&mut self, p: &Person) {
        self.field(p.summary.as_ref());
        for pos in &p.positions {
            if let Some(org) = &pos.organization {
                self.link(
                    Relation::Position,
                    Kind::Organization,
                    org,
                    Some(pos.title.clone()),
                );
            }
            self.evidence(&pos.evidence);
        }
    }

    fn topic(&mut self, t: &Topic) {
        self.field(Some(&t.summary));
        if let Some(parent) = &t.parent {
            self.link(Relation::ParentOf, Kind::Topic, parent, None);
        }
        self.related(&t.common.id, &t.related);
        for target in &t.targets {
            self.field(Some(&target.text));
            self.evidence(&target.evidence);
        }
    }

    fn organization(&mut self, o: &Organization) {
        self.field(o.summary.as_ref());
        if let Some(parent) = &o.parent {
            self.link(Relation::ParentOf, Kind::Organization, parent, None);
        }
    }
}

fn article_ref(index: u32) -> EntityRef {
    EntityRef {
        kind: Kind::Article,
        index,
    }
}

/// Parents must form a tree: report each cycle once, at a `parent` field in it.
fn check_cycles(site: &Site, kind: Kind, diags: &mut Diagnostics) {
    let parent_of = |i: usize| -> Option<(u32, &IdRef)> {
        let field = match kind {
            Kind::Topic => site.topics[i].parent.as_ref(),
            _ => site.organizations[i].parent.as_ref(),
        }?;
        site.index
            .lookup(kind, &field.value)
            .map(|e| (e.index, field))
    };
    let n = site.index.count(kind);
    let mut state = vec![0u8; n]; // 0 new, 1 on the current path, 2 done
    for start in 0..n {
        let mut path = Vec::new();
        let mut at = start;
        while state[at] == 0 {
            state[at] = 1;
            path.push(at);
            match parent_of(at) {
                Some((p, _)) => at = p as usize,
                None => break,
            }
        }
        if state[at] == 1 && parent_of(at).is_some() {
            let cycle_start = path.iter().position(|&x| x == at).unwrap_or(0);
            let ids: Vec<&str> = path[cycle_start..]
                .iter()
                .map(|&i| {
                    site.index
                        .entry(EntityRef {
                            kind,
                            index: i as u32,
                        })
                        .id
                        .as_str()
                })
                .collect();
            if let Some((_, field)) = parent_of(at) {
                diags.error(
                    field.span,
                    format!("`parent` makes a cycle: {} → {}", ids.join(" → "), ids[0]),
                );
            }
        }
        for i in path {
            state[i] = 2;
        }
    }
}
