//! The working tree's edition kept alive between saves: every stage's output
//! held per page, so that an edit redoes only what depends on it.
//!
//! [`Live::new`] takes an opened [`Edition`] and finishes it like a build
//! does (links, navigation, rendering, layout), keeping the link index, who
//! reads whose index entry, each page's resolved links and problems, and the
//! site's files in memory. [`Live::edit`] takes changed page paths. It parses
//! those pages again. When what the generated pages read from a page changed
//! (`GenerationKey`), it derives the protocols again and parses again the
//! generated pages whose markdown changed. It resolves again the pages whose
//! links read a changed page's URL, title or anchors, renders the pages whose
//! inputs changed, and remakes the whole-site files when their inputs changed.
//! Comparing `protocols/` with the records is left to [`Live::settle`], after
//! the pages are served. When an edit changes the structure (a page's
//! `hidden` or `aliases`, the set of generated pages, a page that no longer
//! reads as UTF-8 or became a link), it answers [`Edited::Restructure`], and
//! the caller rebuilds the edition from [`Live::into_rebuild`], so unchanged
//! pages are not parsed again.
//!
//! `edit.rs` holds the edit of pages; `generated.rs` what is made from all
//! the pages (protocols, generated pages, `protocols/`).
//!
//! Guarantee: after any sequence of edits, the files equal those of a Live
//! made fresh from the same sources (tested after bursts of edits).

use crate::diagnostic::Diagnostic;
use crate::edition::Edition;
use crate::links::{LinkIndex, Resolved};
use crate::output::{Contents, OutFile, layout};
use crate::render::{Renderer, nav::Navigation};
use crate::versions::switch::Switcher;
use crate::{ParseCache, Prepared, config};
use anyhow::Result;
use bytes::Bytes;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod edit;
mod generated;

/// One edition's site as it stands, and how it got there.
pub(crate) struct Live {
    edition: Edition,
    renderer: Renderer,
    /// The switcher over every version, and this one's place in it.
    switcher: Option<(Switcher, usize)>,
    /// The edition the Changes page compares with.
    older: Option<Edition>,
    /// The project's configuration (the Changes page's settings).
    project: config::Config,
    /// How many of `pages` are the editor's; the generated ones follow.
    own: usize,
    index: LinkIndex,
    /// For each page path, the pages whose links read its index entry.
    readers: HashMap<String, BTreeSet<usize>>,
    resolved: Vec<Resolved>,
    /// Each page's link problems.
    linked: Vec<Vec<Diagnostic>>,
    /// GitBook-hosted files with no local copy: one warning each, for all pages.
    hosted: Vec<Diagnostic>,
    /// Output paths taken twice.
    collisions: Vec<Diagnostic>,
    /// `protocols/` out of step with the notes.
    drift: Vec<Diagnostic>,
    /// What the edits since the last [`Live::settle`] left for it.
    later: Later,
    /// A page's date changed (a versioned site's root sitemap lists it).
    dates_changed: bool,
    navigation: Navigation,
    navigation_script: String,
    /// Each page as the search index reads it (none when search is off).
    documents: Vec<crate::search::Document>,
    not_found: String,
    /// The version's files, by path in its folder.
    files: BTreeMap<String, Bytes>,
    /// Paths changed since the last [`Live::take_changed`].
    changed: BTreeSet<String>,
    write_protocols: bool,
}

/// What [`Live::edit`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Edited {
    /// Pages parsed again and pages rendered again.
    Done { parsed: usize, rendered: usize },
    /// The edit changed the structure: rebuild the edition.
    Restructure(String),
}

/// What a [`Live`] is made with besides its edition.
pub(crate) struct Setting {
    pub(crate) renderer: Renderer,
    pub(crate) switcher: Option<(Switcher, usize)>,
    pub(crate) older: Option<Edition>,
    pub(crate) project: config::Config,
    pub(crate) write_protocols: bool,
    /// The files served before (a rebuild's changes are counted against them).
    pub(crate) files: BTreeMap<String, Bytes>,
}

/// What a rebuild of the edition starts from.
pub(crate) struct Rebuild {
    /// Every page as parsed before, by path.
    pub(crate) cache: ParseCache,
    pub(crate) version: crate::versions::Version,
    /// The history's dates, by path.
    pub(crate) dates: HashMap<String, crate::model::Date>,
    pub(crate) setting: Setting,
}

impl Live {
    /// Finishes `edition` (links, navigation, rendering, layout) and keeps
    /// every stage's output.
    pub(crate) fn new(edition: Edition, setting: Setting) -> Result<Self> {
        let pages = &edition.prepared.pages;
        let own = pages.len() - edition.prepared.generated.len();
        let index = LinkIndex::new(
            pages,
            &edition.prepared.handbook.assets,
            &edition.config.spaces,
        );
        let navigation = Navigation::new(
            &edition.prepared.handbook.summary,
            pages,
            edition.config.carried.section_numbers,
        );
        let mut live = Self {
            renderer: setting.renderer.for_version(
                &edition.config,
                folder(&edition.version, setting.switcher.is_some()),
            ),
            switcher: setting.switcher,
            older: setting.older,
            project: setting.project,
            own,
            readers: HashMap::new(),
            resolved: vec![Resolved::default(); pages.len()],
            linked: vec![Vec::new(); pages.len()],
            hosted: Vec::new(),
            collisions: Vec::new(),
            drift: Vec::new(),
            later: Later::default(),
            dates_changed: false,
            navigation_script: navigation.script(pages),
            documents: Vec::new(),
            not_found: String::new(),
            navigation,
            index,
            files: setting.files,
            changed: BTreeSet::new(),
            write_protocols: setting.write_protocols,
            edition,
        };
        for i in 0..live.edition.prepared.pages.len() {
            live.add_reads(i);
        }
        let all: BTreeSet<usize> = (0..live.edition.prepared.pages.len()).collect();
        live.resolve(&all);
        live.not_found = live
            .renderer
            .render_not_found(live.navigation.top_level(&live.edition.prepared.pages))?;
        live.sync_protocols()?;
        live.lay_out()?;
        Ok(live)
    }

    /// Every file, its place fixed: the first layout of the version.
    fn lay_out(&mut self) -> Result<()> {
        let p = &self.edition.prepared;
        let config = &self.edition.config;
        // As in a build, the search index is made beside the pages.
        let (rendered, indexed) = rayon::join(
            || {
                self.renderer.render_site(
                    &p.pages,
                    &self.resolved,
                    &self.navigation,
                    (
                        self.switcher.as_ref().map(|(s, i)| (s, *i)),
                        crate::render::Output::default(),
                    ),
                )
            },
            || search_documents(config, &p.pages, &self.navigation),
        );
        let rendered = rendered?;
        let (documents, index) = indexed?;
        self.documents = documents;
        self.collisions = crate::output::collisions(
            &p.pages,
            &p.handbook.assets,
            &rendered.statics,
            &self.edition.config.source_label(),
        );
        let mut data = crate::data_files(&self.edition.config, &p.records, &p.pages)?;
        data.extend(
            index
                .into_iter()
                .map(|(path, json)| OutFile::text(path, json)),
        );
        let files = layout(
            &self.edition.config,
            rendered,
            &p.pages,
            &p.handbook.assets,
            data,
            self.switcher.is_none(),
        );
        let made: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
        let gone: Vec<String> = self
            .files
            .keys()
            .filter(|path| !made.contains(*path))
            .cloned()
            .collect();
        for path in gone {
            self.files.remove(&path);
            self.changed.insert(path);
        }
        for file in files {
            let bytes = contents(file.contents)?;
            self.put(file.path, bytes);
        }
        Ok(())
    }

    /// Stores a file, noting it as changed when its bytes differ.
    fn put(&mut self, path: String, bytes: Bytes) {
        if self.files.get(&path) != Some(&bytes) {
            self.changed.insert(path.clone());
            self.files.insert(path, bytes);
        }
    }

    /// Records which index entries page `i`'s links read.
    fn add_reads(&mut self, i: usize) {
        for path in crate::links::reads(&self.edition.prepared.pages[i]) {
            self.readers.entry(path).or_default().insert(i);
        }
    }

    fn remove_reads(&mut self, i: usize) {
        for path in crate::links::reads(&self.edition.prepared.pages[i]) {
            if let Some(set) = self.readers.get_mut(&path) {
                set.remove(&i);
            }
        }
    }

    /// Resolves the links of `which` pages again; gives those whose
    /// resolved links changed.
    fn resolve(&mut self, which: &BTreeSet<usize>) -> BTreeSet<usize> {
        let pages = &self.edition.prepared.pages;
        let level = self.edition.config.broken_links;
        let index = &self.index;
        let done: Vec<(usize, (Resolved, Vec<Diagnostic>))> = which
            .par_iter()
            .map(|&i| (i, crate::links::resolve(&pages[i], index, level)))
            .collect();
        let mut changed = BTreeSet::new();
        for (i, (resolved, problems)) in done {
            if self.resolved[i] != resolved {
                changed.insert(i);
                self.resolved[i] = resolved;
            }
            self.linked[i] = problems;
        }
        self.hosted = crate::links::missing_hosted(pages, index);
        changed
    }

    /// The edition's configuration.
    pub(crate) fn config(&self) -> &config::Config {
        &self.edition.config
    }

    /// The version's name (its folder), empty for an unversioned site.
    pub(crate) fn name(&self) -> &str {
        folder(&self.edition.version, self.switcher.is_some())
    }

    /// The version this is.
    pub(crate) fn version(&self) -> &crate::versions::Version {
        &self.edition.version
    }

    /// The version's files, by path in its folder.
    pub(crate) fn files(&self) -> &BTreeMap<String, Bytes> {
        &self.files
    }

    /// The errors that hold the edition's changes back, sorted. Drift of
    /// `protocols/` never does: editors change notes before they run
    /// `handbook protocols`.
    pub(crate) fn holding(&self) -> Vec<Diagnostic> {
        let p = &self.edition.prepared.problems;
        p.iter()
            .chain(self.linked.iter().flatten())
            .chain(&self.collisions)
            .filter(|d| d.is_error())
            .cloned()
            .collect::<crate::diagnostic::Diagnostics>()
            .sorted()
    }

    /// Whether a source-folder path is one of the edition's pages or
    /// assets, or a folder holding one.
    pub(crate) fn knows(&self, path: &str) -> bool {
        let handbook = &self.edition.prepared.handbook;
        let folder = format!("{path}/");
        let paths = handbook.pages.iter().map(|p| &p.path);
        let mut paths = paths.chain(handbook.assets.iter().map(|a| &a.path));
        paths.any(|p| p == path || p.starts_with(&folder))
    }

    /// The file paths changed since the last call.
    pub(crate) fn take_changed(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.changed)
    }

    /// Every content problem, sorted by place.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        let p = &self.edition.prepared.problems;
        p.iter()
            .chain(self.linked.iter().flatten())
            .chain(&self.hosted)
            .chain(&self.collisions)
            .chain(&self.drift)
            .cloned()
            .collect::<crate::diagnostic::Diagnostics>()
            .sorted()
    }

    /// What the edition's pages parsed to and the files it made, for a
    /// rebuild that parses only what changed.
    pub(crate) fn into_rebuild(self) -> Rebuild {
        let Edition {
            version,
            prepared,
            dates,
            dated,
            ..
        } = self.edition;
        let Prepared {
            handbook,
            mut pages,
            generated,
            problems,
            ..
        } = prepared;
        // As parsed: the rebuild derives from stated dates, then dates again.
        for page in pages.iter_mut().filter(|p| dated.contains(&p.path)) {
            page.updated = None;
        }
        let sources = handbook.pages.into_iter().chain(generated);
        let cache = sources
            .zip(pages)
            .zip(problems.parsed)
            .map(|((source, page), problems)| (source.path.clone(), (source, page, problems)))
            .collect();
        Rebuild {
            cache,
            version,
            dates,
            setting: Setting {
                renderer: self.renderer,
                switcher: self.switcher,
                older: self.older,
                project: self.project,
                write_protocols: self.write_protocols,
                files: self.files,
            },
        }
    }

    /// Does what the edits left: the generated pages made again (parsing
    /// and rendering those whose markdown changed), the whole-site files,
    /// and `protocols/` compared (or written), which reads every protocol
    /// file.
    pub(crate) fn settle(&mut self) -> Result<Edited> {
        let later = std::mem::take(&mut self.later);
        let mut made = Vec::new();
        if later.generated {
            match self.generated_again() {
                Some(sources) => made = sources,
                None => {
                    return Ok(Edited::Restructure(
                        "the generated pages changed".to_string(),
                    ));
                }
            }
        }
        if later.changes {
            made.extend(self.changes_page());
        }
        let Some(parsed) = self.take_generated(made) else {
            return Ok(Edited::Restructure(
                "the generated pages changed".to_string(),
            ));
        };
        let count = parsed.len();
        let (rendered, _) = self.refresh(parsed)?;
        if later.whole_site {
            self.whole_site()?;
        }
        if later.drift {
            self.sync_protocols()?;
        }
        if later.search {
            self.search_again();
        }
        Ok(Edited::Done {
            parsed: count,
            rendered,
        })
    }

    /// Whether an edit left work for [`Live::settle`].
    pub(crate) fn unsettled(&self) -> bool {
        self.later != Later::default()
    }

    /// Whether that work must be done before the edit is published.
    pub(crate) fn must_settle_now(&self) -> bool {
        self.later.now
    }

    /// Whether a page's date changed since the last call.
    pub(crate) fn take_dates_changed(&mut self) -> bool {
        std::mem::take(&mut self.dates_changed)
    }

    /// After pages were parsed again: the index, the links that read them,
    /// and the pages whose inputs changed. Gives how many were rendered,
    /// and whether any page's index entry (URL, title, anchors) changed.
    fn refresh(&mut self, parsed: BTreeSet<usize>) -> Result<(usize, bool)> {
        let mut to_resolve = parsed.clone();
        let mut moved = false;
        for &i in &parsed {
            let page = &self.edition.prepared.pages[i];
            if self.index.update(page) {
                moved = true;
                if let Some(readers) = self.readers.get(&page.path) {
                    to_resolve.extend(readers.iter().copied());
                }
            }
        }
        let mut to_render = self.resolve(&to_resolve);
        to_render.extend(parsed);
        Ok((self.render(&to_render)?, moved))
    }

    /// Renders `which` pages again into their files.
    fn render(&mut self, which: &BTreeSet<usize>) -> Result<usize> {
        let pages = &self.edition.prepared.pages;
        let version = self.switcher.as_ref().map(|(s, i)| (s, *i));
        let done = which
            .par_iter()
            .map(|&i| {
                let nav = self.navigation.for_page(i, pages);
                self.renderer
                    .render_page(&pages[i], &self.resolved[i], nav, version)
            })
            .collect::<Result<Vec<_>>>()?;
        if self.edition.config.search {
            // The documents leave out the pages no search answers.
            let slots = crate::search::slots(pages);
            let made = which
                .par_iter()
                .filter_map(|&i| slots[i].map(|at| (i, at)))
                .map(|(i, at)| {
                    let source = crate::search::Source::of(pages, i, &self.navigation);
                    Ok((at, crate::search::document(source)?))
                })
                .collect::<Result<Vec<_>>>()?;
            for (at, document) in made {
                self.documents[at] = document;
            }
        }
        let count = done.len();
        for page in done {
            self.put(page.url, Bytes::from(page.html.into_text()?));
        }
        Ok(count)
    }

    /// The search index made again from the pages' documents (their
    /// breadcrumbs too: a title above them may have changed); index files
    /// that are no longer made are removed.
    fn search_again(&mut self) {
        let pages = &self.edition.prepared.pages;
        let slots = crate::search::slots(pages);
        let searched = (0..pages.len()).filter(|&i| slots[i].is_some());
        for (i, document) in searched.zip(self.documents.iter_mut()) {
            document.crumbs = self.navigation.crumbs(i, pages);
        }
        let files = crate::search_files(&self.edition.config, &self.documents);
        let made: BTreeSet<&str> = files.iter().map(|(path, _)| path.as_str()).collect();
        let prefix = format!("{}/", crate::search::FOLDER);
        let gone: Vec<String> = self
            .files
            .keys()
            .filter(|path| path.starts_with(&prefix) && !made.contains(path.as_str()))
            .cloned()
            .collect();
        for path in gone {
            self.files.remove(&path);
            self.changed.insert(path);
        }
        for (path, body) in files {
            self.put(path, Bytes::from(body));
        }
    }

    /// The files made from the whole version: data, sitemap, redirect.
    fn whole_site(&mut self) -> Result<()> {
        let p = &self.edition.prepared;
        let shared = crate::output::layout::Shared {
            not_found: self.not_found.clone(),
            navigation: self.navigation_script.clone(),
            data: crate::data_files(&self.edition.config, &p.records, &p.pages)?,
        };
        let files = crate::output::layout::whole_site_files(
            &self.edition.config,
            &p.pages,
            shared,
            self.switcher.is_none(),
        );
        for file in files {
            let bytes = contents(file.contents)?;
            self.put(file.path, bytes);
        }
        Ok(())
    }

    /// The version laid out for a versioned site's first layout.
    pub(crate) fn version_site(&self, root_not_found: Option<String>) -> layout::VersionSite {
        let files = self
            .files
            .iter()
            .map(|(path, bytes)| OutFile {
                path: path.clone(),
                contents: Contents::Bytes(bytes.clone()),
            })
            .collect();
        layout::VersionSite {
            files,
            pages: layout::sitemap_entries(&self.edition.prepared.pages),
            root_not_found,
        }
    }

    /// The not-found page of a versioned site's root, leading into `root`.
    pub(crate) fn root_not_found(&self, root: String) -> Result<String> {
        let nav = self.navigation.top_level(&self.edition.prepared.pages);
        self.renderer.render_not_found_at(nav, root)
    }
}

/// Each page's search document, and the index files made of them.
type Indexed = (Vec<crate::search::Document>, Vec<(String, String)>);

/// Each page's search document and the index made of them (none when the
/// configuration turns search off).
fn search_documents(
    config: &crate::config::Config,
    pages: &[crate::parse::Page],
    navigation: &crate::render::nav::Navigation,
) -> Result<Indexed> {
    let documents = if config.search {
        crate::search::documents(crate::search::sources(pages, navigation))?
    } else {
        Vec::new()
    };
    let index = crate::search_files(config, &documents);
    Ok((documents, index))
}

/// What edits left for [`Live::settle`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Later {
    /// The protocol and Spaces pages are to be made again.
    generated: bool,
    /// The Changes page is to be made again.
    changes: bool,
    /// The whole-site files are to be made again.
    whole_site: bool,
    /// `protocols/` is to be compared (or written) again.
    drift: bool,
    /// The search index is to be made again.
    search: bool,
    /// The work must be done before the edit is published.
    now: bool,
}

/// The folder a version's pages go under: its name in a versioned site,
/// the root (empty) otherwise.
fn folder(version: &crate::versions::Version, versioned: bool) -> &str {
    if versioned { &version.name } else { "" }
}

/// A laid-out file's bytes, read from disk for copied assets. A file the
/// same as another has none of its own: the caller serves the other's.
pub(crate) fn contents(contents: Contents) -> Result<Bytes> {
    Ok(match contents {
        Contents::Same(other) => anyhow::bail!("a copy of {other} has no bytes of its own"),
        Contents::Text(text) | Contents::Keyed(_, text) => Bytes::from(text),
        Contents::Bytes(bytes) => bytes,
        Contents::Copy(path) | Contents::Kept(_, path) | Contents::Staged(_, path) => {
            Bytes::from(crate::fs::read(&path)?)
        }
    })
}
