//! The site model: the entities of FORMAT.md as typed values.
//!
//! The loader fills these from files; the resolver checks every reference in them and builds
//! the indexes (ids, names, backlinks) in [`crate::resolve::Site`]. Values that an error may
//! point at keep their [`Span`].

use crate::source::{FileId, Span};
use std::cmp::Ordering;
use std::fmt;

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sp<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Sp<T> {
    /// Pair a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }
}

/// The five collections of a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `content/articles/*.md`
    Article,
    /// `content/meetings/*.yaml`
    Meeting,
    /// `content/people/*.yaml`
    Person,
    /// `content/topics/*.yaml`
    Topic,
    /// `content/organizations/*.yaml`
    Organization,
}

impl Kind {
    /// Every kind, in the order pages list them.
    pub const ALL: [Kind; 5] = [
        Kind::Article,
        Kind::Meeting,
        Kind::Person,
        Kind::Topic,
        Kind::Organization,
    ];

    /// Folder name under `content/` and first part of page addresses.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Article => "articles",
            Kind::Meeting => "meetings",
            Kind::Person => "people",
            Kind::Topic => "topics",
            Kind::Organization => "organizations",
        }
    }

    /// Singular noun, as used in messages, templates and `briefing new`.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Meeting => "meeting",
            Kind::Person => "person",
            Kind::Topic => "topic",
            Kind::Organization => "organization",
        }
    }

    /// The kind whose folder (or singular noun) is `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.folder() == name || k.noun() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// An entity, by collection and position in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityRef {
    /// Its collection.
    pub kind: Kind,
    /// Its index in that collection (collections are sorted by id).
    pub index: u32,
}

/// A date at the precision it was written: `2024`, `2023-12`, `2023-12-25`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1–12, if given.
    pub month: Option<u8>,
    /// Day of the month, if given.
    pub day: Option<u8>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; `Err` says what is wrong.
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let shape_ok = matches!(parts.len(), 1..=3)
            && parts[0].len() == 4
            && parts[1..].iter().all(|p| p.len() == 2)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !shape_ok {
            return Err(format!(
                "`{text}` is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
            ));
        }
        let year: i32 = parts[0]
            .parse()
            .map_err(|_| format!("`{text}` is not a date"))?;
        let month = parts.get(1).map(|m| m.parse::<u8>().unwrap_or(0));
        let day = parts.get(2).map(|d| d.parse::<u8>().unwrap_or(0));
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(format!("`{text}` is not a date: there is no month {m}"));
        }
        if let (Some(m), Some(d)) = (month, day)
            && (d == 0 || d > days_in_month(year, m))
        {
            return Err(format!(
                "`{text}` is not a date: {} {year} has no day {d}",
                MONTHS[m as usize - 1]
            ));
        }
        Ok(Date { year, month, day })
    }

    /// `2023-12-25`, at the precision given.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// `25 December 2023`, `December 2023` or `2023`.
    pub fn human(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            _ => self.year.to_string(),
        }
    }

    /// `year`, `month` or `day`.
    pub fn precision(&self) -> &'static str {
        match (self.month, self.day) {
            (Some(_), Some(_)) => "day",
            (Some(_), None) => "month",
            _ => "year",
        }
    }

    /// The start of the period, for sorting: (year, month, day) with 1 for what is missing.
    pub fn sort_key(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// RFC 3339 timestamp at the start of the period (feeds).
    pub fn rfc3339(&self) -> String {
        let (y, m, d) = self.sort_key();
        format!("{y:04}-{m:02}-{d:02}T00:00:00Z")
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key()
            .cmp(&other.sort_key())
            .then(self.month.is_some().cmp(&other.month.is_some()))
            .then(self.day.is_some().cmp(&other.day.is_some()))
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Markdown text from a field, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Markdown {
    /// The Markdown source of a YAML field (empty for article bodies, which are read from
    /// their file at `exact_offset` rather than kept twice).
    pub text: String,
    /// The YAML value (or article body) it came from.
    pub span: Span,
    /// For article bodies, the byte offset where the body starts in its file (it runs to the
    /// end); `None` for YAML scalars, whose text was unfolded from the file.
    pub exact_offset: Option<usize>,
}

/// `article-id#pN`: a paragraph of an article.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    /// The article id as written.
    pub article: String,
    /// Paragraph number, from 1.
    pub paragraph: u32,
    /// Where the citation was written.
    pub span: Span,
}

/// A claim tied to a source: key points, figures, targets, positions share this part.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Evidence {
    /// The citation, if any.
    pub source: Option<Citation>,
    /// Words from the cited paragraph.
    pub quote: Option<Sp<String>>,
    /// A caveat or the other side of a disagreement.
    pub note: Option<Markdown>,
}

/// An id reference as written, before it is resolved.
pub type IdRef = Sp<String>;

/// Fields every entity has.
#[derive(Clone, Debug)]
pub struct Common {
    /// File name without extension.
    pub id: String,
    /// The file it was read from.
    pub file: FileId,
    /// Built only with `--drafts`.
    pub draft: bool,
    /// Free map handed to templates.
    pub extra: serde_json::Value,
}

/// `content/articles/<id>.md`
#[derive(Clone, Debug)]
pub struct Article {
    /// Id, file, draft, extra.
    pub common: Common,
    /// Title.
    pub title: String,
    /// Publisher, free text.
    pub source: String,
    /// Original address.
    pub url: Option<String>,
    /// Publication date.
    pub published: Option<Sp<Date>>,
    /// How the date was established.
    pub date_note: Option<Markdown>,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// `original`, `human` or `machine`.
    pub translation: String,
    /// Meetings it reports on.
    pub meetings: Vec<IdRef>,
    /// Author, free text.
    pub author: Option<String>,
    /// When the text was taken from the source.
    pub retrieved: Option<Sp<Date>>,
    /// A saved copy of the original.
    pub archive_url: Option<String>,
    /// Title in the original language.
    pub original_title: Option<String>,
    /// Markdown body.
    pub body: Markdown,
}

/// A person named at a meeting.
#[derive(Clone, Debug)]
pub struct Participant {
    /// Person id.
    pub person: IdRef,
    /// What they did there.
    pub role: Option<String>,
}

/// A key point of a meeting.
#[derive(Clone, Debug)]
pub struct KeyPoint {
    /// Markdown.
    pub text: Markdown,
    /// Citation, quote, note.
    pub evidence: Evidence,
}

/// A figure reported at a meeting.
#[derive(Clone, Debug)]
pub struct Figure {
    /// What is measured.
    pub label: String,
    /// The value, as written.
    pub value: String,
    /// Citation, quote, note.
    pub evidence: Evidence,
}

/// `content/meetings/<id>.yaml`
#[derive(Clone, Debug)]
pub struct Meeting {
    /// Id, file, draft, extra.
    pub common: Common,
    /// Title.
    pub title: String,
    /// Short title for lists.
    pub short_title: Option<String>,
    /// Date at the precision known.
    pub date: Sp<Date>,
    /// How the date was established.
    pub date_note: Option<Markdown>,
    /// Last day.
    pub end_date: Option<Sp<Date>>,
    /// Free text, listed as a facet.
    pub kind: Option<String>,
    /// Organization that held it.
    pub organization: Option<IdRef>,
    /// Where.
    pub location: Option<String>,
    /// Person who chaired.
    pub chair: Option<IdRef>,
    /// People named as taking part.
    pub participants: Vec<Participant>,
    /// Topics discussed.
    pub topics: Vec<IdRef>,
    /// Articles that report on it.
    pub sources: Vec<IdRef>,
    /// Markdown summary.
    pub summary: Markdown,
    /// Key points.
    pub key_points: Vec<KeyPoint>,
    /// Figures.
    pub figures: Vec<Figure>,
    /// Related meetings.
    pub related: Vec<IdRef>,
}

/// A post a person held.
#[derive(Clone, Debug)]
pub struct Position {
    /// Title of the post.
    pub title: String,
    /// Organization.
    pub organization: Option<IdRef>,
    /// Start.
    pub from: Option<Sp<Date>>,
    /// End.
    pub to: Option<Sp<Date>>,
    /// When a source shows it held.
    pub as_of: Option<Sp<Date>>,
    /// Citation, quote, note.
    pub evidence: Evidence,
}

/// `content/people/<id>.yaml`
#[derive(Clone, Debug)]
pub struct Person {
    /// Id, file, draft, extra.
    pub common: Common,
    /// Name.
    pub name: Sp<String>,
    /// Name in the local script.
    pub name_local: Option<Sp<String>>,
    /// Other names.
    pub aliases: Vec<Sp<String>>,
    /// Posts held.
    pub positions: Vec<Position>,
    /// Markdown summary.
    pub summary: Option<Markdown>,
}

/// A stated goal with a deadline.
#[derive(Clone, Debug)]
pub struct Target {
    /// Markdown.
    pub text: Markdown,
    /// Deadline.
    pub due: Option<Sp<Date>>,
    /// Citation, quote, note.
    pub evidence: Evidence,
}

/// `content/topics/<id>.yaml`
#[derive(Clone, Debug)]
pub struct Topic {
    /// Id, file, draft, extra.
    pub common: Common,
    /// Title.
    pub title: Sp<String>,
    /// Other names.
    pub aliases: Vec<Sp<String>>,
    /// Parent topic.
    pub parent: Option<IdRef>,
    /// Markdown summary.
    pub summary: Markdown,
    /// Goals with deadlines.
    pub targets: Vec<Target>,
    /// Related topics.
    pub related: Vec<IdRef>,
}

/// `content/organizations/<id>.yaml`
#[derive(Clone, Debug)]
pub struct Organization {
    /// Id, file, draft, extra.
    pub common: Common,
    /// Name.
    pub name: Sp<String>,
    /// Name in the local script.
    pub name_local: Option<Sp<String>>,
    /// Other names.
    pub aliases: Vec<Sp<String>>,
    /// Free text.
    pub kind: Option<String>,
    /// Parent organization.
    pub parent: Option<IdRef>,
    /// Markdown summary.
    pub summary: Option<Markdown>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(Date::parse("2023-12").unwrap().human(), "December 2023");
        assert_eq!(
            Date::parse("2023-12-25").unwrap().human(),
            "25 December 2023"
        );
        assert_eq!(Date::parse("2024").unwrap().iso(), "2024");
        assert!(Date::parse("2023-02-30").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2023-13").is_err());
        assert!(Date::parse("23-1-1").is_err());
        assert!(Date::parse("December 2023").is_err());
    }

    #[test]
    fn missing_parts_sort_as_start_of_period() {
        let year = Date::parse("2023").unwrap();
        let jan1 = Date::parse("2023-01-01").unwrap();
        let feb = Date::parse("2023-02").unwrap();
        assert!(year < jan1 && jan1 < feb);
    }
}
