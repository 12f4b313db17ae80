//! The lookup tables every later step uses: ids, names and mention patterns.
//!
//! Built once from the live entities (drafts are remembered apart, so a reference to one can
//! be told from a typo). Wikilinks resolve here, by id, `kind/id` or name; names of people,
//! organizations and topics are compiled into one mention matcher ([`super::mentions`]).

use super::mentions::Matcher;
use crate::diag::{Diagnostics, did_you_mean};
use crate::model::{EntityRef, Kind};
use crate::source::Span;
use crate::text::{Fold, Normalized, normalize};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// What an entity is called and where its page is.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its id.
    pub id: String,
    /// Name or title, as shown.
    pub title: String,
}

/// A name that may be used for an entity, with where it was written.
#[derive(Clone, Debug)]
pub struct NameDef {
    /// The entity.
    pub entity: EntityRef,
    /// The name as written.
    pub name: String,
    /// Where.
    pub span: Span,
    /// Whether mentions in article bodies look for it.
    pub for_mentions: bool,
}

/// Where a wikilink points.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// An entity page.
    Entity(EntityRef),
    /// A paragraph of an article (paragraph not yet checked against the article's length).
    Paragraph(u32, u32),
    /// A draft left out of this build: shown as plain text with this label.
    Draft(String),
}

/// All lookup tables.
#[derive(Debug)]
pub struct Index {
    entries: [Vec<Entry>; 5],
    ids: [FxHashMap<String, u32>; 5],
    drafts: FxHashMap<(Kind, String), String>,
    draft_names: FxHashMap<String, String>,
    names: FxHashMap<String, Vec<EntityRef>>,
    mention_patterns: Vec<MentionPattern>,
    automaton: Automaton,
    /// Names shared by two entities: the [`NameDef`] (by position) and the message.
    warnings: Vec<(usize, String)>,
}

/// The mention patterns and the automaton compiled from them, kept by `serve` from one rebuild
/// to the next: compiling it is the slow part of building the index.
#[derive(Clone, Debug, Default)]
pub struct Automaton {
    patterns: Vec<String>,
    compiled: Option<Arc<Matcher>>,
}

impl Automaton {
    /// The matcher for `patterns`, reusing `previous` when it was built from the same ones.
    fn new(patterns: Vec<String>, previous: Option<&Automaton>) -> Automaton {
        if let Some(previous) = previous
            && previous.patterns == patterns
        {
            return previous.clone();
        }
        let compiled = Matcher::new(&patterns).map(Arc::new);
        Automaton { patterns, compiled }
    }
}

#[derive(Debug)]
struct MentionPattern {
    entities: Vec<EntityRef>,
}

/// A mention found in text: normalized byte range and the entity, or `None` when the name is
/// shared by several entities (then nothing is linked).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found {
    /// Start in the normalized text.
    pub start: usize,
    /// End in the normalized text.
    pub end: usize,
    /// The one entity it names.
    pub entity: Option<EntityRef>,
}

fn slot(kind: Kind) -> usize {
    kind as usize
}

impl Index {
    /// Build the tables. `entries[k]` lists the live entities of kind `k` in id order;
    /// `names` every name usable in wikilinks and mentions; `drafts` the left-out drafts.
    pub fn new(
        entries: [Vec<Entry>; 5],
        names: Vec<NameDef>,
        drafts: Vec<(Kind, String, String)>,
        draft_names: Vec<(String, String)>,
        previous: Option<&Automaton>,
        diags: &mut Diagnostics,
    ) -> Self {
        let ids = entries.each_ref().map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, e)| (e.id.clone(), i as u32))
                .collect::<FxHashMap<_, _>>()
        });
        let mut by_name: FxHashMap<String, Vec<EntityRef>> = FxHashMap::default();
        let mut pattern_ids: FxHashMap<String, usize> = FxHashMap::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut mention_patterns: Vec<MentionPattern> = Vec::new();
        let mut first_def: FxHashMap<String, (EntityRef, String)> = FxHashMap::default();
        let mut warnings = Vec::new();
        for (n, def) in names.iter().enumerate() {
            let key = normalize(&def.name, Fold::Names);
            if key.is_empty() {
                continue;
            }
            let list = by_name.entry(key.clone()).or_default();
            if !list.contains(&def.entity) {
                list.push(def.entity);
            }
            if !def.for_mentions {
                continue;
            }
            let id = *pattern_ids.entry(key.clone()).or_insert_with(|| {
                patterns.push(key.clone());
                mention_patterns.push(MentionPattern {
                    entities: Vec::new(),
                });
                patterns.len() - 1
            });
            let pattern = &mut mention_patterns[id];
            if !pattern.entities.contains(&def.entity) {
                pattern.entities.push(def.entity);
                match first_def.get(&key) {
                    None => {
                        first_def.insert(key.clone(), (def.entity, def.name.clone()));
                    }
                    Some((first, _)) => {
                        let a = describe(&entries, *first);
                        let b = describe(&entries, def.entity);
                        warnings.push((
                            n,
                            format!("the name `{}` is used by both {a} and {b}: mentions of it link to neither", def.name),
                        ));
                    }
                }
            }
        }
        let automaton = Automaton::new(patterns, previous);
        for (n, message) in &warnings {
            diags.warning(names[*n].span, message.clone());
        }
        let drafts = drafts
            .into_iter()
            .map(|(k, id, title)| ((k, id), title))
            .collect();
        let draft_names = draft_names
            .into_iter()
            .map(|(name, title)| (normalize(&name, Fold::Names), title))
            .collect();
        Index {
            entries,
            ids,
            drafts,
            draft_names,
            names: by_name,
            mention_patterns,
            automaton,
            warnings,
        }
    }

    /// Report again the warnings found when the index was built, at the places (`spans`, in
    /// the order of the names then) where the same names now are.
    pub fn warn_again(&self, spans: &[Span], diags: &mut Diagnostics) {
        for (n, message) in &self.warnings {
            if let Some(span) = spans.get(*n) {
                diags.warning(*span, message.clone());
            }
        }
    }

    /// The mention automaton, to reuse in the next index.
    pub fn automaton(&self) -> &Automaton {
        &self.automaton
    }

    /// The entity of `kind` with `id`.
    pub fn lookup(&self, kind: Kind, id: &str) -> Option<EntityRef> {
        self.ids[slot(kind)]
            .get(id)
            .map(|&index| EntityRef { kind, index })
    }

    /// Name/title and id of an entity.
    pub fn entry(&self, entity: EntityRef) -> &Entry {
        &self.entries[slot(entity.kind)][entity.index as usize]
    }

    /// Shown name or title.
    pub fn title(&self, entity: EntityRef) -> &str {
        &self.entry(entity).title
    }

    /// Page address relative to the site root: `people/yuan-jiajun/`.
    pub fn path(&self, entity: EntityRef) -> String {
        format!("{}/{}/", entity.kind.folder(), self.entry(entity).id)
    }

    /// Number of live entities of a kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.entries[slot(kind)].len()
    }

    /// The title of a draft left out of this build, if `id` is one.
    pub fn draft(&self, kind: Kind, id: &str) -> Option<&str> {
        self.drafts.get(&(kind, id.to_string())).map(String::as_str)
    }

    /// Resolve an id written in a reference field of `kind`; the error message has a suggestion.
    pub fn resolve_id(&self, kind: Kind, id: &str) -> Result<EntityRef, RefError> {
        if let Some(e) = self.lookup(kind, id) {
            return Ok(e);
        }
        if let Some(title) = self.draft(kind, id) {
            return Err(RefError::Draft(title.to_string()));
        }
        let hint = did_you_mean(id, self.entries[slot(kind)].iter().map(|e| e.id.as_str()));
        Err(RefError::Unknown(format!(
            "no {kind} has the id `{id}`{hint}"
        )))
    }

    /// Resolve the target of a wikilink (`id`, `kind/id`, a name, or `article#pN`).
    pub fn resolve_wikilink(&self, target: &str) -> Result<Target, RefError> {
        let target = target.trim();
        if let Some((path, fragment)) = target.split_once('#') {
            let Some(n) = fragment
                .strip_prefix('p')
                .and_then(|d| d.parse::<u32>().ok())
                .filter(|n| *n >= 1)
            else {
                return Err(RefError::Unknown(format!(
                    "`{target}`: a wikilink anchor must be a paragraph, like `[[article-id#p3]]`"
                )));
            };
            let id = path.strip_prefix("articles/").unwrap_or(path);
            if id.is_empty() {
                return Err(RefError::Unknown(format!(
                    "`[[{target}]]` names no article: write `[[article-id#p{n}]]`"
                )));
            }
            return match self.resolve_id(Kind::Article, id) {
                Ok(article) => Ok(Target::Paragraph(article.index, n)),
                Err(RefError::Draft(title)) => Ok(Target::Draft(title)),
                Err(e) => Err(e),
            };
        }
        if let Some((prefix, id)) = target.split_once('/')
            && let Some(kind) = Kind::from_name(prefix)
        {
            return match self.resolve_id(kind, id) {
                Ok(e) => Ok(Target::Entity(e)),
                Err(RefError::Draft(title)) => Ok(Target::Draft(title)),
                Err(e) => Err(e),
            };
        }
        let by_id: Vec<EntityRef> = Kind::ALL
            .iter()
            .filter_map(|&k| self.lookup(k, target))
            .collect();
        match by_id.len() {
            1 => return Ok(Target::Entity(by_id[0])),
            n if n > 1 => {
                let list: Vec<String> = by_id
                    .iter()
                    .map(|e| format!("`{}/{}`", e.kind.folder(), target))
                    .collect();
                return Err(RefError::Unknown(format!(
                    "`[[{target}]]` is the id of more than one entity: write one of {}",
                    list.join(", ")
                )));
            }
            _ => {}
        }
        let key = normalize(target, Fold::Names);
        if let Some(list) = self.names.get(&key) {
            if list.len() == 1 {
                return Ok(Target::Entity(list[0]));
            }
            let candidates: Vec<String> = list
                .iter()
                .map(|e| {
                    format!(
                        "`{}/{}` ({})",
                        e.kind.folder(),
                        self.entry(*e).id,
                        self.title(*e)
                    )
                })
                .collect();
            return Err(RefError::Unknown(format!(
                "`[[{target}]]` names more than one entity: write one of {}",
                candidates.join(", ")
            )));
        }
        for kind in Kind::ALL {
            if let Some(title) = self.draft(kind, target) {
                return Ok(Target::Draft(title.to_string()));
            }
        }
        if let Some(title) = self.draft_names.get(&key) {
            return Ok(Target::Draft(title.clone()));
        }
        if let Some((prefix, id)) = target.split_once('/') {
            let names = Kind::ALL.iter().flat_map(|k| [k.folder(), k.noun()]);
            if let Some(name) = crate::diag::closest(prefix, names)
                && let Some(kind) = Kind::from_name(name)
                && self.lookup(kind, id).is_some()
            {
                return Err(RefError::Unknown(format!(
                    "`[[{target}]]` matches no id, name, title or alias (did you mean `{}/{id}`?)",
                    kind.folder()
                )));
            }
        }
        let ids = self.entries.iter().flatten().map(|e| e.id.as_str());
        let names = self.entries.iter().flatten().map(|e| e.title.as_str());
        let hint = did_you_mean(target, ids.chain(names));
        Err(RefError::Unknown(format!(
            "`[[{target}]]` matches no id, name, title or alias{hint}"
        )))
    }

    /// Mentions of names in normalized text: leftmost-longest, Latin names as whole words.
    pub fn find_mentions(&self, text: &Normalized) -> Vec<Found> {
        let Some(matcher) = &self.automaton.compiled else {
            return Vec::new();
        };
        matcher
            .find(&text.text)
            .into_iter()
            .map(|m| {
                let entities = &self.mention_patterns[m.pattern].entities;
                Found {
                    start: m.start,
                    end: m.end,
                    entity: (entities.len() == 1).then(|| entities[0]),
                }
            })
            .collect()
    }
}

/// Why a reference did not resolve.
#[derive(Clone, Debug, PartialEq)]
pub enum RefError {
    /// It names a draft left out of this build (a warning; shown as plain text).
    Draft(String),
    /// It names nothing; the message says so, with a suggestion.
    Unknown(String),
}

fn describe(entries: &[Vec<Entry>; 5], e: EntityRef) -> String {
    format!(
        "{}/{}",
        e.kind.folder(),
        entries[slot(e.kind)][e.index as usize].id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn index(names: &[(Kind, u32, &str)]) -> (Index, Diagnostics) {
        let mut entries: [Vec<Entry>; 5] = Default::default();
        for &(kind, i, name) in names {
            let list = &mut entries[slot(kind)];
            while list.len() <= i as usize {
                let n = list.len();
                list.push(Entry {
                    id: format!("{}-{n}", kind.noun()),
                    title: name.to_string(),
                });
            }
        }
        let defs = names
            .iter()
            .map(|&(kind, index, name)| NameDef {
                entity: EntityRef { kind, index },
                name: name.into(),
                span: Span::file_start(FileId(0)),
                for_mentions: true,
            })
            .collect();
        let mut diags = Diagnostics::default();
        let index = Index::new(entries, defs, vec![], vec![], None, &mut diags);
        (index, diags)
    }

    #[test]
    fn longest_cjk_name_wins() {
        let (idx, _) = index(&[(Kind::Person, 0, "李伟"), (Kind::Person, 1, "李伟明")]);
        let text = Normalized::new("会见了李伟明和李伟", Fold::Names);
        let found = idx.find_mentions(&text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].entity.unwrap().index, 1);
        assert_eq!(found[1].entity.unwrap().index, 0);
    }

    #[test]
    fn latin_names_need_word_boundaries() {
        let (idx, _) = index(&[(Kind::Person, 0, "Wang Jiong")]);
        assert!(
            idx.find_mentions(&Normalized::new("Wang Jiongs", Fold::Names))
                .is_empty()
        );
        assert_eq!(
            idx.find_mentions(&Normalized::new("said WANG  Jiong.", Fold::Names))
                .len(),
            1
        );
    }

    #[test]
    fn shared_names_link_neither_and_warn() {
        let (idx, diags) = index(&[
            (Kind::Person, 0, "Li Wei"),
            (Kind::Organization, 0, "Li Wei"),
        ]);
        let found = idx.find_mentions(&Normalized::new("Li Wei spoke", Fold::Names));
        assert_eq!(found[0].entity, None);
        assert_eq!(diags.items().len(), 1);
    }
}
