//! `briefing new` (a content file with every field shown) and `briefing init` (a small site).

use super::{USAGE, root_or_current};
use briefing::model::Kind;
use std::path::{Path, PathBuf};

/// `briefing new KIND ID`
#[derive(clap::Args, Debug)]
pub(crate) struct NewArgs {
    /// article, meeting, person, topic or organization.
    kind: String,
    /// The new file's id (lowercase letters, digits, hyphens).
    id: String,
    /// The site folder.
    #[arg(long)]
    root: Option<PathBuf>,
}

/// `briefing init DIR`
#[derive(clap::Args, Debug)]
pub(crate) struct InitArgs {
    /// Folder to create the site in (must be empty or absent).
    dir: PathBuf,
}

const ARTICLE: &str = include_str!("skeleton/article.md");
const MEETING: &str = include_str!("skeleton/meeting.yaml");
const PERSON: &str = include_str!("skeleton/person.yaml");
const TOPIC: &str = include_str!("skeleton/topic.yaml");
const ORGANIZATION: &str = include_str!("skeleton/organization.yaml");

const INIT_FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("skeleton/init/site.toml")),
    (
        "content/articles/example-report.md",
        include_str!("skeleton/init/example-report.md"),
    ),
    (
        "content/meetings/example-meeting.yaml",
        include_str!("skeleton/init/example-meeting.yaml"),
    ),
    (
        "content/people/jane-doe.yaml",
        include_str!("skeleton/init/jane-doe.yaml"),
    ),
    (
        "content/topics/example-reform.yaml",
        include_str!("skeleton/init/example-reform.yaml"),
    ),
    (
        "content/organizations/example-commission.yaml",
        include_str!("skeleton/init/example-commission.yaml"),
    ),
];

/// The skeleton of a new file of `kind`, with `id` filled in.
pub(crate) fn skeleton(kind: Kind, id: &str) -> String {
    let template = match kind {
        Kind::Article => ARTICLE,
        Kind::Meeting => MEETING,
        Kind::Person => PERSON,
        Kind::Topic => TOPIC,
        Kind::Organization => ORGANIZATION,
    };
    template.replace("{{id}}", id)
}

pub(crate) fn new(args: NewArgs) -> u8 {
    let Some(kind) = Kind::from_name(&args.kind) else {
        let names = Kind::ALL.map(|k| k.noun());
        let hint = briefing::diag::did_you_mean(&args.kind, names);
        eprintln!(
            "error: `{}` is not a kind{hint}: use one of {}",
            args.kind,
            names.join(", ")
        );
        return USAGE;
    };
    if !briefing::load::is_valid_id(&args.id) {
        eprintln!(
            "error: `{}` is not a valid id: use lowercase letters, digits and single hyphens, like `{}`",
            args.id,
            briefing::load::suggest_id(&args.id)
        );
        return USAGE;
    }
    let root = root_or_current(args.root);
    if !root.join("site.toml").is_file() {
        eprintln!(
            "error: no site.toml in {}: run `briefing init DIR` first, or pass --root",
            root.display()
        );
        return USAGE;
    }
    let ext = if kind == Kind::Article { "md" } else { "yaml" };
    let dir = root.join("content").join(kind.folder());
    let path = dir.join(format!("{}.{ext}", args.id));
    let other = dir.join(format!("{}.yml", args.id));
    if path.exists() || (kind != Kind::Article && other.exists()) {
        eprintln!(
            "error: {} already exists: nothing was written",
            path.display()
        );
        return USAGE;
    }
    if let Err(e) =
        std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, skeleton(kind, &args.id)))
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return USAGE;
    }
    println!("wrote {}", path.display());
    0
}

pub(crate) fn init(args: InitArgs) -> u8 {
    let dir = args.dir;
    if dir.exists()
        && std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        eprintln!(
            "error: {} exists and is not empty: choose a new folder",
            dir.display()
        );
        return USAGE;
    }
    for (path, contents) in INIT_FILES {
        if let Err(e) = write_new(&dir.join(path), contents) {
            eprintln!("error: cannot write {}: {e}", dir.join(path).display());
            return USAGE;
        }
    }
    println!(
        "wrote a new site in {}: run `briefing build --root {}`",
        dir.display(),
        dir.display()
    );
    0
}

fn write_new(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)
}
