//! Rebuilding after a save without redoing the whole site.
//!
//! Each rebuild makes a new [`Generation`]: the site loaded again (the [`Loader`] reads only
//! the files that changed), resolved again (the resolve [`Cache`] keeps the mention automaton and
//! every rendered Markdown text whose file did not change), and a table of its pages. Pages are
//! rendered when first asked for, and a page whose inputs did not change keeps the bytes rendered
//! for the generation before. A page's inputs are its entity and the entities it is linked with
//! either way (whatever a page shows of another entity travels along such a link: a title, a
//! date, a cited paragraph, a mention); lists, the home, search and not-found pages read every
//! entity (or may), and
//! everything is new when the templates, `site.toml`, the set of pages or any id, name or title
//! changed. The files that are not pages (feeds, sitemap, search index, static files) are made
//! together, when one of them is first asked for.
//!
//! What a generation serves is byte for byte what a full build would write.

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::LoadError;
use crate::load::cache::{Changes, Loader};
use crate::model::{EntityRef, Kind};
use crate::render::theme::Theme;
use crate::render::{Output, Page, PageKind, PageRenderer, RenderOptions, Templates};
use crate::resolve::{self, Cache, Site};
use crate::source::SourceMap;
use crate::{BuildOptions, Prepared};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The bytes of one served file.
pub(crate) type Bytes = Arc<[u8]>;

/// Once rendered, a page's bytes (or why it could not be rendered).
struct Slot {
    html: OnceLock<Result<Bytes, Diagnostic>>,
}

/// The pages of a site and where each is written; shared by the generations that have the
/// same ones (the same ids, and the same years for the year pages).
struct PageTable {
    pages: Vec<Page>,
    by_file: FxHashMap<String, usize>,
    /// What the table was made from: the index fingerprint and the article and meeting years.
    made_from: (u64, [Vec<i32>; 2]),
}

impl PageTable {
    fn new(site: &Site, made_from: (u64, [Vec<i32>; 2])) -> PageTable {
        let pages = crate::render::pages(site);
        let by_file = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.file(), i))
            .collect();
        PageTable {
            pages,
            by_file,
            made_from,
        }
    }
}

/// One successful build, rendered on demand.
pub(crate) struct Generation {
    site: Site,
    templates: Templates,
    theme: Theme,
    opts: RenderOptions,
    table: Arc<PageTable>,
    pages: Vec<Slot>,
    files: OnceLock<Output>,
    /// The index fingerprint of the resolve that made it.
    fingerprint: u64,
    /// The path part of `base_url`, starting and ending with `/`.
    pub(crate) base_path: String,
}

impl Generation {
    /// Whether the site has a file at `path` (relative to the site root, `x/index.html`).
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.table.by_file.contains_key(path) || self.files().files.contains_key(path)
    }

    /// The bytes of the file at `path`, rendering it if needed. A page whose template fails
    /// comes back as an error message.
    pub(crate) fn get(&self, path: &str) -> Option<Result<Bytes, Arc<str>>> {
        if let Some(&i) = self.table.by_file.get(path) {
            return Some(
                self.page(i)
                    .clone()
                    .map_err(|d| Arc::from(d.render(&self.site.sources))),
            );
        }
        self.files()
            .files
            .get(path)
            .map(|bytes| Ok(Bytes::from(bytes.as_slice())))
    }

    /// Every file of the site, every page rendered (what a full build would write).
    #[cfg(test)]
    pub(crate) fn output(&self) -> Result<Output, Diagnostic> {
        let mut output = Output::default();
        for (i, page) in self.table.pages.iter().enumerate() {
            output
                .files
                .insert(page.file(), self.page(i).clone()?.to_vec());
        }
        for (path, bytes) in &self.files().files {
            output
                .files
                .entry(path.clone())
                .or_insert_with(|| bytes.clone());
        }
        Ok(output)
    }

    /// How many pages there are.
    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn page(&self, i: usize) -> &Result<Bytes, Diagnostic> {
        let slot = &self.pages[i];
        slot.html.get_or_init(|| {
            let renderer = PageRenderer::new(&self.site, &self.templates, &self.opts);
            render_page(&renderer, &self.table.pages[i])
        })
    }

    /// Render every page not yet rendered, in parallel; the problems of those that fail.
    fn render_all(&self) -> Diagnostics {
        let renderer = PageRenderer::new(&self.site, &self.templates, &self.opts);
        let failed: Vec<Diagnostic> = self
            .pages
            .par_iter()
            .zip(&self.table.pages)
            .filter_map(|(slot, page)| {
                slot.html
                    .get_or_init(|| render_page(&renderer, page))
                    .as_ref()
                    .err()
                    .cloned()
            })
            .collect();
        let mut diags = Diagnostics::default();
        failed.into_iter().for_each(|d| diags.push(d));
        diags
    }

    fn files(&self) -> &Output {
        self.files.get_or_init(|| {
            crate::render::site_files(&self.site, &self.table.pages, &self.theme, &self.opts)
        })
    }
}

/// The bytes of one page.
fn render_page(renderer: &PageRenderer, page: &Page) -> Result<Bytes, Diagnostic> {
    renderer
        .render(page)
        .map(|html| Bytes::from(html.into_bytes()))
}

/// The result of one rebuild.
pub(crate) enum Outcome {
    /// The site built; `dirty` pages are new or may have changed, `css_only` when nothing but
    /// stylesheets changed.
    Built {
        generation: Arc<Generation>,
        dirty: usize,
        css_only: bool,
        diagnostics: Diagnostics,
        sources: SourceMap,
    },
    /// The site has errors.
    Failed {
        diagnostics: Diagnostics,
        sources: SourceMap,
    },
}

/// Builds a site again and again, redoing only what a change calls for.
pub(crate) struct Incremental {
    loader: Loader,
    cache: Cache,
    opts: BuildOptions,
    last: Option<Arc<Generation>>,
}

impl Incremental {
    /// Ready to build the site at `root` with `opts`.
    pub(crate) fn new(root: &Path, opts: BuildOptions) -> Incremental {
        Incremental {
            loader: Loader::new(root),
            cache: Cache::default(),
            opts,
            last: None,
        }
    }

    /// Note a changed path before the next [`Incremental::rebuild`]; `None` when the watcher
    /// cannot say what changed.
    pub(crate) fn changed(&mut self, path: Option<&PathBuf>) {
        match path {
            Some(path) => self.loader.changed(path),
            None => self.loader.changed_everything(),
        }
    }

    /// Build the site again with `base_url` (serve's address and the site's path part).
    pub(crate) fn rebuild(&mut self, base_url: String) -> Result<Outcome, LoadError> {
        let mut diags = Diagnostics::default();
        let mut timer = crate::Timer::new();
        let (mut raw, changes) = match self.loader.load(&mut diags)? {
            Ok(loaded) => loaded,
            Err(sources) => {
                return Ok(Outcome::Failed {
                    diagnostics: diags,
                    sources,
                });
            }
        };
        let opts = BuildOptions {
            base_url: Some(base_url),
            ..self.opts.clone()
        };
        let Prepared {
            theme,
            templates,
            render,
            resolve,
        } = crate::prepare(&mut raw, &opts, &mut diags);
        timer.lap("serve: load");
        let site = resolve::resolve_cached(raw, resolve, &mut diags, Some(&mut self.cache));
        timer.lap("serve: resolve");
        let (Some(theme), Some(templates)) = (theme, templates) else {
            return Ok(failed_build(diags, site));
        };
        if diags.has_errors() {
            return Ok(failed_build(diags, site));
        }
        let base_path = crate::load::config::base_path_of(&render.base_url);
        let made_from = (
            self.cache.fingerprint(),
            [Kind::Article, Kind::Meeting].map(|k| crate::render::year_pages(&site, k)),
        );
        let table = match &self.last {
            Some(last) if last.table.made_from == made_from => Arc::clone(&last.table),
            _ => Arc::new(PageTable::new(&site, made_from)),
        };
        let mut generation = Generation {
            pages: std::iter::repeat_with(|| Slot {
                html: OnceLock::new(),
            })
            .take(table.pages.len())
            .collect(),
            table,
            files: OnceLock::new(),
            fingerprint: self.cache.fingerprint(),
            site,
            templates,
            theme,
            opts: render,
            base_path,
        };
        let (dirty, css_only) = match &self.last {
            Some(last) => carry_over(last, &mut generation, &changes),
            None => (generation.pages.len(), false),
        };
        if dirty == generation.pages.len() {
            // Everything is new (the first build, other templates, pages added or removed):
            // render it all now, so that a template that fails on some page fails the build.
            let failed = generation.render_all();
            if failed.has_errors() {
                diags.extend(failed);
                return Ok(failed_build(diags, generation.site));
            }
        }
        timer.lap("serve: pages");
        let sources = generation.site.sources.clone();
        let generation = Arc::new(generation);
        if let Some(old) = self.last.replace(Arc::clone(&generation)) {
            // Freeing a whole site takes milliseconds: not while a page waits to reload.
            let _ = std::thread::Builder::new()
                .name("briefing-free".into())
                .spawn(move || drop(old));
        }
        Ok(Outcome::Built {
            generation,
            dirty,
            css_only,
            diagnostics: diags,
            sources,
        })
    }
}

fn failed_build(diagnostics: Diagnostics, site: Site) -> Outcome {
    Outcome::Failed {
        diagnostics,
        sources: site.sources,
    }
}

/// Give `new` the rendered pages of `old` that cannot have changed. Returns how many pages
/// are new or may have changed, and whether only stylesheets changed.
fn carry_over(old: &Generation, new: &mut Generation, changes: &Changes) -> (usize, bool) {
    let same_frame = !changes.all
        && old.fingerprint == new.fingerprint
        && old.opts.base_url == new.opts.base_url
        && old.opts.offline == new.opts.offline
        && old.theme.templates == new.theme.templates
        && (Arc::ptr_eq(&old.table, &new.table) || old.table.pages == new.table.pages);
    let statics_same = old.theme.statics == new.theme.statics;
    if !same_frame {
        return (new.pages.len(), false);
    }
    let changed: FxHashSet<EntityRef> = changed_entities(&new.site, changes);
    if changed.is_empty() {
        // Nothing any page shows changed: keep every page and file.
        for (slot, old_slot) in new.pages.iter_mut().zip(&old.pages) {
            if let Some(html) = old_slot.html.get() {
                let _ = slot.html.set(html.clone());
            }
        }
        if statics_same && let Some(files) = old.files.get() {
            let _ = new.files.set(files.clone());
        }
        let css_only = !statics_same
            && changed_statics(&old.theme, &new.theme).all(|path| path.ends_with(".css"));
        let dirty = if statics_same { 0 } else { 1 };
        return (dirty, css_only);
    }
    let mut touched = changed.clone();
    touched.extend(neighbours(&old.site, &changed));
    touched.extend(neighbours(&new.site, &changed));
    let mut dirty = 0;
    let table = Arc::clone(&new.table);
    for ((slot, old_slot), page) in new.pages.iter_mut().zip(&old.pages).zip(&table.pages) {
        let keep = match page.kind {
            PageKind::Entity(e) => !touched.contains(&e),
            // The search page lists the years and sources to filter by.
            PageKind::Home
            | PageKind::List(_)
            | PageKind::Year(..)
            | PageKind::Search
            | PageKind::NotFound => false,
        };
        match old_slot.html.get() {
            Some(html) if keep => {
                let _ = slot.html.set(html.clone());
            }
            _ if keep => {}
            _ => dirty += 1,
        }
    }
    (dirty, false)
}

/// The entities whose files changed.
fn changed_entities(site: &Site, changes: &Changes) -> FxHashSet<EntityRef> {
    let mut changed = FxHashSet::default();
    for kind in crate::model::Kind::ALL {
        for e in site.all(kind) {
            if changes.files.contains(&site.common(e).file) {
                changed.insert(e);
            }
        }
    }
    changed
}

/// Every entity linked with one of `entities`, either way.
fn neighbours(site: &Site, entities: &FxHashSet<EntityRef>) -> FxHashSet<EntityRef> {
    let mut found = FxHashSet::default();
    for (to, links) in &site.backlinks {
        let to_changed = entities.contains(to);
        for link in links.iter() {
            if to_changed {
                found.insert(link.from);
            } else if entities.contains(&link.from) {
                found.insert(*to);
            }
        }
    }
    found
}

/// Static files added, removed or changed.
fn changed_statics<'a>(old: &'a Theme, new: &'a Theme) -> impl Iterator<Item = &'a String> {
    let changed = new
        .statics
        .iter()
        .filter(|(path, bytes)| old.statics.get(*path) != Some(bytes))
        .map(|(path, _)| path);
    let removed = old
        .statics
        .keys()
        .filter(|path| !new.statics.contains_key(*path));
    changed.chain(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    const BASE_URL: &str = "http://127.0.0.1:1/";

    fn options() -> BuildOptions {
        BuildOptions {
            drafts: false,
            base_url: None,
            offline: Some(false),
            inject: Some("<script>reload</script>\n".into()),
        }
    }

    /// What a full build writes now, or its rendered diagnostics.
    fn full_build(root: &Path) -> Result<Output, String> {
        let opts = BuildOptions {
            base_url: Some(BASE_URL.into()),
            ..options()
        };
        let built = crate::build(root, &opts).unwrap();
        built
            .output
            .ok_or_else(|| built.diagnostics.render(&built.sources))
    }

    struct Bench {
        _dir: tempfile::TempDir,
        root: PathBuf,
        engine: Incremental,
    }

    impl Bench {
        fn new() -> Bench {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("site");
            copy_dir(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/full"),
                &root,
            );
            let engine = Incremental::new(&root, options());
            Bench {
                _dir: dir,
                root,
                engine,
            }
        }

        /// Change a file as an editor would and tell the engine, as the watcher would.
        fn edit(&mut self, rel: &str, change: impl FnOnce(String) -> String) {
            let path = self.root.join(rel);
            let text = fs::read_to_string(&path).unwrap_or_default();
            fs::write(&path, change(text)).unwrap();
            self.engine.changed(Some(&path));
        }

        /// Replace `from` (which must be there) with `to` in the file `rel`.
        fn replace(&mut self, rel: &str, from: &str, to: &str) {
            self.edit(rel, |t| {
                assert!(t.contains(from), "{rel} holds no {from:?}");
                t.replace(from, to)
            });
        }

        fn remove(&mut self, rel: &str) {
            let path = self.root.join(rel);
            fs::remove_file(&path).unwrap();
            self.engine.changed(Some(&path));
        }

        /// Rebuild and check that the result is exactly a full build's; the dirty count.
        fn check(&mut self, step: &str) -> usize {
            let outcome = self.engine.rebuild(BASE_URL.into()).unwrap();
            let full = full_build(&self.root);
            match (outcome, full) {
                (
                    Outcome::Built {
                        generation, dirty, ..
                    },
                    Ok(full),
                ) => {
                    let served = generation.output().unwrap();
                    let paths = |o: &Output| o.files.keys().cloned().collect::<Vec<_>>();
                    assert_eq!(paths(&served), paths(&full), "{step}: the files differ");
                    for (path, bytes) in &full.files {
                        assert!(
                            served.files[path] == *bytes,
                            "{step}: {path} differs from a full build"
                        );
                    }
                    dirty
                }
                (
                    Outcome::Failed {
                        diagnostics,
                        sources,
                    },
                    Err(full),
                ) => {
                    assert_eq!(diagnostics.render(&sources), full, "{step}");
                    0
                }
                (Outcome::Built { .. }, Err(full)) => {
                    panic!("{step}: built, but a build says {full}")
                }
                (
                    Outcome::Failed {
                        diagnostics,
                        sources,
                    },
                    Ok(_),
                ) => panic!(
                    "{step}: failed, but a build succeeds: {}",
                    diagnostics.render(&sources)
                ),
            }
        }
    }

    #[test]
    fn every_rebuild_equals_a_full_build() {
        let mut b = Bench::new();
        let all = b.check("first build");
        assert!(all > 20);
        b.check("nothing changed");
        b.replace(
            "content/articles/reform-press-conference.md",
            "spoke again later",
            "spoke again later about Li Wei",
        );
        let dirty = b.check("an article mentions a person");
        assert!(
            dirty < all,
            "an article edit re-renders {dirty} of {all} pages"
        );
        b.replace(
            "content/articles/reform-press-conference.md",
            " about Li Wei",
            "",
        );
        b.check("the mention is gone again");
        b.replace(
            "content/people/li-wei.yaml",
            "A deputy director.",
            "A deputy director of [[reform-office]].",
        );
        b.check("a person's summary links an organization");
        b.replace("content/people/li-wei.yaml", "Li Wei", "Li Wei-ming");
        b.check("a person's name");
        b.replace(
            "content/articles/reform-press-conference.md",
            "Secretary Yuan Jiajun chaired the session",
            "That day Secretary Yuan Jiajun chaired the session",
        );
        b.check("a quoted paragraph moves the quote within it");
        b.replace(
            "content/articles/reform-press-conference.md",
            "which approved a critical proposal",
            "which approved a proposal",
        );
        b.check("a quote no longer in its paragraph");
        b.replace(
            "content/articles/reform-press-conference.md",
            "which approved a proposal",
            "which approved a critical proposal",
        );
        b.check("the quote back");
        let commentary =
            fs::read_to_string(b.root.join("content/articles/undated-commentary.md")).unwrap();
        b.edit("content/articles/undated-commentary.md", |t| {
            let body = t.rsplit("---\n").next().unwrap().to_string();
            t.replace(&body, "")
        });
        b.check("a cited paragraph gone");
        b.edit("content/articles/undated-commentary.md", |_| commentary);
        b.check("the cited paragraph back");
        b.replace(
            "content/articles/reform-press-conference.md",
            "published: 2023-12-27",
            "published: 2021-01-02",
        );
        b.check("an article's date (the order of backlinks)");
        b.replace(
            "content/articles/machine-translation.md",
            "meetings: [mobilization-meeting]",
            "meetings: []",
        );
        b.check("an article no longer reports on a meeting");
        b.replace(
            "content/articles/machine-translation.md",
            "meetings: []",
            "meetings: [mobilization-meeting]",
        );
        b.check("the article reports on it again");
        b.replace(
            "content/meetings/fourth-plenary.yaml",
            "date: 2023-12-25",
            "date: 2019-12-25",
        );
        b.check("a meeting's date");
        b.replace(
            "content/organizations/reform-office.yaml",
            "parent: cq-committee",
            "parent: cpc-central-committee",
        );
        b.check("an organization's parent");
        b.replace(
            "content/topics/soe-reform.yaml",
            "parent: three-attacks",
            "parent: zone-reform",
        );
        b.check("a topic's parent");
        b.replace(
            "content/topics/zone-reform.yaml",
            "Merge zones",
            "Merge the zones",
        );
        b.check("a topic's target");
        b.edit("content/meetings/fourth-plenary.yaml", |t| {
            t + "\nnot: [valid\n"
        });
        b.check("a broken meeting");
        b.replace(
            "content/meetings/fourth-plenary.yaml",
            "\nnot: [valid\n",
            "",
        );
        b.check("the meeting fixed");
        b.edit("content/articles/new-one.md", |_| {
            "---\ntitle: A new one\nsource: Somewhere\nlanguage: en\n---\nYuan Jiajun again.\n"
                .into()
        });
        b.check("an article added");
        b.remove("content/articles/new-one.md");
        b.check("the article removed");
        b.replace("templates/404.html", "Lost in the fixture", "Lost");
        b.check("a template");
        b.replace("site.toml", "[extra]", "[extra]\nadded = 1");
        b.check("site.toml");
        b.edit("content/articles/reform-press-conference.md", |t| t);
        assert_eq!(b.check("saved with the same bytes"), 0);
    }
}
