//! The working tree's edition kept alive between saves: the engine's
//! output for it ([`Shown`]: links, navigation, search documents) held per
//! page, so that an edit redoes only what depends on it.
//!
//! [`Live::new`] shows an opened [`Edition`] as a build does
//! ([`show::show`]) and lays out its files with the same
//! [`show::whole_files`], keeping them in memory. [`Live::edit`] takes
//! changed page paths and parses those pages again; what each edit reaches
//! is found by comparing values before and after, never by a list of what
//! reads what: the pages whose links read a page's index entry are resolved
//! again when the entry changed, the protocols are derived again when the
//! page holds notes, and pages are rendered again when their page or links
//! changed. When the protocols' ids or an index entry changed, the generated
//! pages are made again at once (they link there); otherwise
//! [`Live::settle`] makes them, after the pages are served, with everything
//! else made from the whole edition: the generated and Changes pages (parsed
//! again only when their markdown changed), the whole-edition files, the
//! search index, and `protocols/` compared. A file is served anew only when
//! its bytes changed. When an edit changes the structure (a page's `hidden`
//! or `aliases`, the set of generated pages, a page that no longer reads as
//! UTF-8 or became a link), it answers [`Edited::Restructure`], and the
//! caller rebuilds the edition from [`Live::into_rebuild`], so unchanged
//! pages are not parsed again.
//!
//! `edit.rs` holds the edit of pages; `generated.rs` what is made from all
//! the pages (protocols, generated pages, `protocols/`).
//!
//! Guarantee: after any sequence of edits and a settle, the files equal
//! those of a Live made fresh from the same sources (tested after bursts of
//! edits).

use crate::diagnostic::Diagnostic;
use crate::edition::show::{self, Shown};
use crate::edition::{Edition, Target};
use crate::output::{Contents, OutFile, layout};
use crate::render::Renderer;
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
    /// The edition shown: its links, navigation, renderer, search
    /// documents and problems of placing and drift (its rendered pages
    /// and search files are in `files`).
    shown: Shown,
    /// The project's renderer (a rebuild starts from it).
    project_renderer: Renderer,
    /// The switcher over every version, and this one's place in it.
    switcher: Option<(Switcher, usize)>,
    /// The edition the Changes page compares with.
    older: Option<Edition>,
    /// The project's configuration (the Changes page's settings).
    project: config::Config,
    /// How many of `pages` are the editor's; the generated ones follow.
    own: usize,
    /// For each page path, the pages whose links read its index entry.
    readers: HashMap<String, BTreeSet<usize>>,
    /// An edit left the whole-edition work for [`Live::settle`].
    unsettled: bool,
    /// The records changed since `protocols/` was last compared.
    records_changed: bool,
    /// A page's sitemap entry changed (a versioned site's root sitemap lists it).
    dates_changed: bool,
    /// The version's files, by path in its folder.
    files: BTreeMap<String, Bytes>,
    /// The paths of the files made from the whole edition, as last made.
    whole: BTreeSet<String>,
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
    /// Shows `edition` as a build does and lays out its files, keeping
    /// what showing it made.
    pub(crate) fn new(edition: Edition, setting: Setting) -> Result<Self> {
        let version = setting.switcher.as_ref().map(|(s, i)| (s, *i));
        let how = show::Show {
            renderer: &setting.renderer,
            target: Target {
                version,
                reuse: None,
                staging: None,
            },
            write: true,
            documents: true,
            drift: None,
        };
        let shown = show::show(&edition, how)?;
        let pages = &edition.prepared.pages;
        let mut live = Self {
            own: pages.len() - edition.prepared.generated.len(),
            readers: HashMap::new(),
            unsettled: false,
            records_changed: false,
            dates_changed: false,
            files: setting.files,
            whole: BTreeSet::new(),
            changed: BTreeSet::new(),
            write_protocols: setting.write_protocols,
            project_renderer: setting.renderer,
            switcher: setting.switcher,
            older: setting.older,
            project: setting.project,
            shown,
            edition,
        };
        for i in 0..live.edition.prepared.pages.len() {
            live.add_reads(i);
        }
        live.sync_protocols()?;
        live.lay_out()?;
        Ok(live)
    }

    /// Every file, its place fixed: the first layout of the version.
    fn lay_out(&mut self) -> Result<()> {
        self.whole = self.shown.whole.iter().map(|f| f.path.clone()).collect();
        let files = show::lay_out(&self.edition, &mut self.shown);
        let made: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        self.remove_unless(|path| made.contains(path));
        for file in files {
            let bytes = contents(file.contents)?;
            self.put(file.path, bytes);
        }
        Ok(())
    }

    /// The files made from the whole edition, as a build makes them.
    fn whole_files(&self, search: Vec<OutFile>) -> Result<Vec<OutFile>> {
        let root_files = self.switcher.is_none();
        let shown = &self.shown;
        let (renderer, navigation) = (&shown.renderer, &shown.navigation);
        show::whole_files(&self.edition, renderer, navigation, search, root_files)
    }

    /// Removes the files whose paths `keep` refuses, noting them as changed.
    fn remove_unless(&mut self, keep: impl Fn(&str) -> bool) {
        let gone: Vec<String> = self
            .files
            .keys()
            .filter(|path| !keep(path))
            .cloned()
            .collect();
        for path in gone {
            self.files.remove(&path);
            self.changed.insert(path);
        }
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
        let linked = &mut self.shown.linked;
        let index = &linked.index;
        let done: Vec<(usize, (crate::links::Resolved, Vec<Diagnostic>))> = which
            .par_iter()
            .map(|&i| (i, crate::links::resolve(&pages[i], index, level)))
            .collect();
        let mut changed = BTreeSet::new();
        for (i, (resolved, problems)) in done {
            if linked.resolved[i] != resolved {
                changed.insert(i);
                linked.resolved[i] = resolved;
            }
            linked.problems[i] = problems;
        }
        linked.hosted = crate::links::missing_hosted(pages, &linked.index);
        changed
    }

    /// The edition's configuration.
    pub(crate) fn config(&self) -> &config::Config {
        &self.edition.config
    }

    /// The version's name (its folder), empty for an unversioned site.
    pub(crate) fn name(&self) -> &str {
        &self.edition.version.name
    }

    /// The version this is.
    pub(crate) fn version(&self) -> &crate::versions::Version {
        &self.edition.version
    }

    /// The version's files, by path in its folder.
    pub(crate) fn files(&self) -> &BTreeMap<String, Bytes> {
        &self.files
    }

    /// Every problem but drift: drift of `protocols/` never holds the
    /// edition's changes back (editors change notes before they run
    /// `handbook protocols`).
    fn problems(&self) -> impl Iterator<Item = &Diagnostic> {
        let p = &self.edition.prepared.problems;
        let shown = &self.shown;
        p.iter()
            .chain(shown.linked.diagnostics())
            .chain(&shown.placed)
    }

    /// The errors that hold the edition's changes back, sorted.
    pub(crate) fn holding(&self) -> Vec<Diagnostic> {
        let errors = self.problems().filter(|d| d.is_error()).cloned();
        errors.collect::<crate::diagnostic::Diagnostics>().sorted()
    }

    /// Every content problem, sorted by place.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        let all = self.problems().chain(&self.shown.drift).cloned();
        all.collect::<crate::diagnostic::Diagnostics>().sorted()
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
                renderer: self.project_renderer,
                switcher: self.switcher,
                older: self.older,
                project: self.project,
                write_protocols: self.write_protocols,
                files: self.files,
            },
        }
    }

    /// Does what the edits left: the generated and Changes pages made again
    /// (parsing and rendering those whose markdown changed), the search
    /// index and the whole-edition files, and `protocols/` compared (or
    /// written) when the records changed, which reads every protocol file.
    pub(crate) fn settle(&mut self) -> Result<Edited> {
        self.unsettled = false;
        let rendered = match self.make_generated(true)? {
            Some(rendered) => rendered,
            None => {
                return Ok(Edited::Restructure(
                    "the generated pages changed".to_string(),
                ));
            }
        };
        self.whole_again()?;
        if std::mem::take(&mut self.records_changed) {
            self.sync_protocols()?;
        }
        Ok(Edited::Done {
            parsed: rendered.0,
            rendered: rendered.1,
        })
    }

    /// Whether an edit left work for [`Live::settle`].
    pub(crate) fn unsettled(&self) -> bool {
        self.unsettled
    }

    /// Whether a page's sitemap entry changed since the last call.
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
            if self.shown.linked.index.update(page) {
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

    /// Renders `which` pages again into their files, and makes their
    /// search documents again.
    fn render(&mut self, which: &BTreeSet<usize>) -> Result<usize> {
        let pages = &self.edition.prepared.pages;
        let version = self.switcher.as_ref().map(|(s, i)| (s, *i));
        let shown = &self.shown;
        let done = which
            .par_iter()
            .map(|&i| {
                let nav = shown.navigation.for_page(i, pages);
                let resolved = &shown.linked.resolved[i];
                shown
                    .renderer
                    .render_page(&pages[i], resolved, nav, version)
            })
            .collect::<Result<Vec<_>>>()?;
        if self.edition.config.search {
            // The documents leave out the pages no search answers.
            let slots = crate::search::slots(pages);
            let made = which
                .par_iter()
                .filter_map(|&i| slots[i].map(|at| (i, at)))
                .map(|(i, at)| {
                    let source = crate::search::Source::of(pages, i, &shown.navigation);
                    Ok((at, crate::search::document(source)?))
                })
                .collect::<Result<Vec<_>>>()?;
            for (at, document) in made {
                self.shown.documents[at] = document;
            }
        }
        let count = done.len();
        for page in done {
            self.put(page.url, Bytes::from(page.html.into_text()?));
        }
        Ok(count)
    }

    /// The whole-edition files made again, the search index from the pages'
    /// documents (their breadcrumbs too: a title above them may have
    /// changed); those no longer made are removed.
    fn whole_again(&mut self) -> Result<()> {
        let pages = &self.edition.prepared.pages;
        let slots = crate::search::slots(pages);
        let searched = (0..pages.len()).filter(|&i| slots[i].is_some());
        let navigation = &self.shown.navigation;
        for (i, document) in searched.zip(self.shown.documents.iter_mut()) {
            document.crumbs = navigation.crumbs(i, pages);
        }
        let search = crate::indexed::search_files(&self.edition.config, &self.shown.documents);
        let files = self.whole_files(search)?;
        let made: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
        let before = std::mem::take(&mut self.whole);
        self.remove_unless(|path| !before.contains(path) || made.contains(path));
        self.whole = made;
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
    pub(crate) fn root_not_found(&self, root: (String, String)) -> Result<String> {
        let nav = self
            .shown
            .navigation
            .top_level(&self.edition.prepared.pages);
        self.shown.renderer.render_not_found_at(nav, root)
    }
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
