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
//! Guarantee: after any sequence of edits, the files equal those of a Live
//! made fresh from the same sources (tested after bursts of edits).

use crate::diagnostic::Diagnostic;
use crate::edition::Edition;
use crate::links::{LinkIndex, Resolved};
use crate::output::{Contents, OutFile, layout};
use crate::parse::Page;
use crate::render::{Renderer, nav::Navigation};
use crate::versions::switch::Switcher;
use crate::{ParseCache, Prepared, config, load, protocols};
use anyhow::Result;
use bytes::Bytes;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    pub(crate) dates: HashMap<String, crate::parse::dates::Date>,
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
        let navigation = Navigation::new(&edition.prepared.handbook.summary, pages);
        let mut live = Self {
            renderer: setting
                .renderer
                .for_version(&edition.config, name(&edition, &setting)),
            switcher: setting.switcher,
            older: setting.older,
            project: setting.project,
            own,
            readers: HashMap::new(),
            resolved: vec![Resolved::default(); pages.len()],
            linked: vec![Vec::new(); pages.len()],
            collisions: Vec::new(),
            drift: Vec::new(),
            later: Later::default(),
            dates_changed: false,
            navigation_script: navigation.script(pages),
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
        let rendered = self.renderer.render_site(
            &p.pages,
            &self.resolved,
            &self.navigation,
            self.switcher.as_ref().map(|(s, i)| (s, *i)),
        )?;
        self.collisions = crate::output::collisions(
            &p.pages,
            &p.handbook.assets,
            &rendered.statics,
            &self.edition.config.source_label(),
        );
        let data = crate::data_files(&self.edition.config, &p.records, &p.pages)?;
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
        changed
    }

    /// The edition's configuration.
    pub(crate) fn config(&self) -> &config::Config {
        &self.edition.config
    }

    /// The version's name (its folder), empty for an unversioned site.
    pub(crate) fn name(&self) -> &str {
        if self.switcher.is_some() {
            &self.edition.version.name
        } else {
            ""
        }
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

    /// Takes the edits of `paths` (pages of the source folder, by path):
    /// the pages again, their protocols derived again when their notes
    /// changed (so the edit's problems are all known), and the pages whose
    /// links read them. What is made from the whole edition (generated
    /// pages, data files, `protocols/`) is left to [`Live::settle`].
    pub(crate) fn edit(&mut self, paths: &BTreeSet<String>) -> Result<Edited> {
        let mut parsed = BTreeSet::new();
        let mut reach = Reach::default();
        for path in paths {
            match self.reparse(path)? {
                Reparsed::Same => {}
                Reparsed::Changed(i, more) => {
                    parsed.insert(i);
                    reach.generated |= more.generated;
                    reach.whole_site |= more.whole_site;
                    reach.dated |= more.dated;
                }
                Reparsed::Restructure(why) => return Ok(Edited::Restructure(why)),
            }
        }
        if parsed.is_empty() {
            return Ok(Edited::Done {
                parsed: 0,
                rendered: 0,
            });
        }
        let ids_changed = reach.generated && self.derive_again();
        self.later.generated |= reach.generated;
        self.later.whole_site |= reach.generated || reach.whole_site;
        self.later.changes |= self.changes_path().is_some();
        self.dates_changed |= reach.dated;
        let count = parsed.len();
        let (rendered, moved) = self.refresh(parsed)?;
        // The generated pages link to the notes' sections and hold the
        // protocols' anchors: when either moved, they must be made before
        // the edit is judged.
        self.later.now |= reach.generated && (ids_changed || moved);
        Ok(Edited::Done {
            parsed: count,
            rendered,
        })
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

    /// Reads and parses one page again.
    fn reparse(&mut self, path: &str) -> Result<Reparsed> {
        let p = &self.edition.prepared;
        let Some(i) = p.handbook.pages.iter().position(|s| s.path == path) else {
            return Ok(Reparsed::Restructure(format!("`{path}` is new")));
        };
        let file = self.edition.config.source_dir.join(path);
        // A link may lead out of the project: the load stage decides.
        if file
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            return Ok(Reparsed::Restructure(format!("`{path}` is a link")));
        }
        let Ok(bytes) = std::fs::read(&file) else {
            return Ok(Reparsed::Restructure(format!("`{path}` was removed")));
        };
        let Ok(text) = String::from_utf8(bytes).map(load::without_bom) else {
            return Ok(Reparsed::Restructure(format!("`{path}` is not UTF-8")));
        };
        let source = &p.handbook.pages[i];
        if source.text == text {
            return Ok(Reparsed::Same);
        }
        if p.problems.fixed.iter().any(|d| d.file == source.file) {
            return Ok(Reparsed::Restructure(format!(
                "`{path}` had a reading problem"
            )));
        }
        // Without SUMMARY.md, a page's first heading is its title in the
        // navigation made from the folders.
        let no_summary = !self
            .edition
            .config
            .source_dir
            .join(load::SUMMARY_FILE)
            .exists();
        if no_summary
            && load::folders::title(path, &source.text) != load::folders::title(path, &text)
        {
            return Ok(Reparsed::Restructure(format!(
                "`{path}` changed its title in the navigation"
            )));
        }
        let source = load::SourcePage {
            text,
            ..source.clone()
        };
        let (page, problems) = self.parse(&source);
        let old = &self.edition.prepared.pages[i];
        if page.hidden != old.hidden || page.aliases != old.aliases {
            return Ok(Reparsed::Restructure(format!(
                "`{path}` changed its `hidden` or `aliases`"
            )));
        }
        let reach = Reach {
            generated: crate::generation_key(old) != crate::generation_key(&page),
            whole_site: old.updated != page.updated || old.title != page.title,
            dated: old.updated != page.updated,
        };
        self.replace(i, page, problems);
        self.edition.prepared.handbook.pages[i] = source;
        Ok(Reparsed::Changed(i, reach))
    }

    /// Parses a page as the build does, dating it from the history when it
    /// states no date (and noting that it is dated so).
    fn parse(&mut self, source: &load::SourcePage) -> (Page, Vec<Diagnostic>) {
        let config = &self.edition.config;
        let space_urls = crate::space_urls(config);
        let options = crate::parse_options(config, &space_urls, true);
        let (mut page, problems) = crate::parse::parse_page(source, options);
        let edition = &mut self.edition;
        edition.dated.remove(&page.path);
        let dated = crate::edition::date_pages(std::slice::from_mut(&mut page), &edition.dates);
        edition.dated.extend(dated);
        (page, problems)
    }

    /// Puts page `i` in place, its link reads updated.
    fn replace(&mut self, i: usize, page: Page, problems: Vec<Diagnostic>) {
        self.remove_reads(i);
        self.edition.prepared.pages[i] = page;
        self.edition.prepared.problems.parsed[i] = problems;
        self.add_reads(i);
    }

    /// Puts generated pages whose markdown changed in place, parsed;
    /// gives their indexes. `None` when one is not a generated page there
    /// was (a rebuild's business).
    fn take_generated(&mut self, made: Vec<load::SourcePage>) -> Option<BTreeSet<usize>> {
        let mut changed = BTreeSet::new();
        for source in made {
            let generated = &self.edition.prepared.generated;
            let j = generated.iter().position(|g| g.path == source.path)?;
            if generated[j] == source {
                continue;
            }
            let (page, problems) = self.parse(&source);
            let i = self.own + j;
            self.replace(i, page, problems);
            self.edition.prepared.generated[j] = source;
            changed.insert(i);
        }
        Some(changed)
    }

    /// The Changes page's path, in a versioned site with an older edition.
    fn changes_path(&self) -> Option<&str> {
        self.older.as_ref()?;
        let spec = &self.project.versions.as_ref()?.changes_page;
        Some(spec.path.as_str())
    }

    /// The protocols derived again from the editor's pages, with their
    /// problems; `protocols/` is to be compared again if they changed.
    /// Says whether their ids changed.
    fn derive_again(&mut self) -> bool {
        let prepared = &mut self.edition.prepared;
        let pages = &prepared.pages[..self.own];
        let (mut records, derived) = crate::derive(&self.edition.config, &prepared.handbook, pages);
        // Records keep only the dates pages state, as in a build.
        for record in &mut records {
            if self.edition.dated.contains(&record.source.page) {
                record.updated = None;
            }
        }
        prepared.problems.derived = derived;
        self.later.drift |= prepared.records != records;
        let ids = |records: &[protocols::ProtocolRecord]| -> Vec<String> {
            records.iter().map(|r| r.id.clone()).collect()
        };
        let ids_changed = ids(&prepared.records) != ids(&records);
        prepared.records = records;
        ids_changed
    }

    /// The protocol and Spaces pages' sources made again; `None` when they
    /// are not the pages there were.
    fn generated_again(&mut self) -> Option<Vec<load::SourcePage>> {
        let prepared = &mut self.edition.prepared;
        let (sources, _) = crate::generated_sources(
            &self.edition.config,
            &mut prepared.handbook,
            &prepared.pages[..self.own],
            &prepared.records,
        );
        let changes = self.changes_path();
        let before = self
            .edition
            .prepared
            .generated
            .iter()
            .map(|g| g.path.as_str());
        let before: Vec<&str> = before.filter(|&p| Some(p) != changes).collect();
        let same = sources.iter().map(|g| g.path.as_str()).eq(before);
        same.then_some(sources)
    }

    /// The Changes page's source made again from the pages as they are.
    fn changes_page(&self) -> Option<load::SourcePage> {
        let path = self.changes_path()?;
        let older = self.older.as_ref()?;
        let generated = &self.edition.prepared.generated;
        let current = generated.iter().find(|g| g.path == path)?;
        let markdown = crate::edition::changes_markdown(&self.edition, older, &self.project)?;
        Some(load::SourcePage {
            text: markdown,
            ..current.clone()
        })
    }

    /// Keeps `protocols/` and the edition's records in step: rewrites it
    /// (with `--write-protocols`, when no note has an error), else reports
    /// its drift as a build does.
    pub(crate) fn sync_protocols(&mut self) -> Result<()> {
        self.drift.clear();
        let p = &self.edition.prepared;
        if p.problems.has_errors()
            || self.edition.version.origin != crate::versions::Origin::WorkingTree
        {
            return Ok(());
        }
        let config = &self.edition.config;
        if self.write_protocols {
            let expected = protocols::files::expected(&p.records, &config.source_prefix())?;
            protocols::files::write(&config.protocols.folder, &expected)?;
        }
        self.drift = crate::protocol_drift(config, &p.records, config.protocols.drift)?;
        Ok(())
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
        let count = done.len();
        for page in done {
            self.put(page.url, Bytes::from(page.html));
        }
        Ok(count)
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
                contents: Contents::Bytes(bytes.to_vec()),
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

enum Reparsed {
    Same,
    Changed(usize, Reach),
    Restructure(String),
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
    /// The work must be done before the edit is published.
    now: bool,
}

/// What beyond its own file and the pages linking to it an edit reaches.
#[derive(Debug, Default, Clone, Copy)]
struct Reach {
    /// The protocols or the Spaces page (what `generate` reads changed).
    generated: bool,
    /// Files made from the whole version: the sitemap's dates, the redirect's title.
    whole_site: bool,
    /// The page's date changed.
    dated: bool,
}

/// The version name a renderer places pages under.
fn name<'a>(edition: &'a Edition, setting: &Setting) -> &'a str {
    if setting.switcher.is_some() {
        &edition.version.name
    } else {
        ""
    }
}

/// A laid-out file's bytes, read from disk for copied assets.
pub(crate) fn contents(contents: Contents) -> Result<Bytes> {
    Ok(match contents {
        Contents::Text(text) => Bytes::from(text),
        Contents::Bytes(bytes) => Bytes::from(bytes),
        Contents::Copy(path) => Bytes::from(crate::fs::read(&path)?),
    })
}
