//! An edit of pages on a live edition: each page read and parsed again, the
//! protocols derived again when it holds notes, and the pages that read what
//! changed made again; or the reason the edit needs a rebuild of the edition
//! instead.

use super::{Edited, Live};
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::parse::Page;
use anyhow::Result;
use std::collections::BTreeSet;

impl Live {
    /// Takes the edits of `paths` (pages of the source folder, by path):
    /// the pages again, the protocols derived again when they hold notes
    /// (so the edit's problems are all known), and the pages whose links
    /// read them. What is made from the whole edition (generated pages,
    /// data files, search, `protocols/`) is left to [`Live::settle`].
    pub(crate) fn edit(&mut self, paths: &BTreeSet<String>) -> Result<Edited> {
        let mut parsed = BTreeSet::new();
        let mut notes = false;
        for path in paths {
            match self.reparse(path)? {
                Reparsed::Same => {}
                Reparsed::Changed { at, notes: held } => {
                    parsed.insert(at);
                    notes |= held;
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
        // The protocols are made from the notes: derived again at once, so
        // that the edit's problems are all known before it is judged.
        let ids_changed = notes && self.derive_again();
        self.unsettled = true;
        let count = parsed.len();
        let (mut rendered, moved) = self.refresh(parsed)?;
        // The generated pages link to the notes' sections and hold the
        // protocols' anchors: when either moved, they are made at once.
        if ids_changed || moved {
            match self.make_generated(false)? {
                Some((_, more)) => rendered += more,
                None => {
                    let why = "the generated pages changed".to_string();
                    return Ok(Edited::Restructure(why));
                }
            }
        }
        Ok(Edited::Done {
            parsed: count,
            rendered,
        })
    }

    /// The pages (by path) that include any of the `changed` files.
    pub(crate) fn including(&self, changed: &[std::path::PathBuf]) -> BTreeSet<String> {
        let changed: Vec<std::path::PathBuf> = changed.iter().map(|p| real(p)).collect();
        let pages = &self.edition.prepared.handbook.pages;
        pages
            .iter()
            .filter(|page| {
                let included = page.includes.origins.included().iter();
                included
                    .map(|f| real(std::path::Path::new(f)))
                    .any(|f| changed.contains(&f))
            })
            .map(|page| page.path.clone())
            .collect()
    }

    /// Every file a page includes, on disk.
    pub(crate) fn included_files(&self) -> BTreeSet<std::path::PathBuf> {
        let pages = &self.edition.prepared.handbook.pages;
        pages
            .iter()
            .flat_map(|page| page.includes.origins.included())
            .map(|f| real(std::path::Path::new(f)))
            .collect()
    }

    /// Reads and parses one page again.
    fn reparse(&mut self, path: &str) -> Result<Reparsed> {
        let p = &self.edition.prepared;
        let Some(i) = p.handbook.pages.iter().position(|s| s.path == path) else {
            return Ok(Reparsed::Restructure(format!("`{path}` is new")));
        };
        let file = self.edition.config.source_dir.join(path);
        let text = match read_page(&file, path) {
            Ok(text) => text,
            Err(why) => return Ok(Reparsed::Restructure(why)),
        };
        let source = &p.handbook.pages[i];
        if !source.includes.is_empty() || text.contains("{{") {
            // Its text is made with other files at load: the rebuild
            // reads them again, and parses only the pages that changed.
            return Ok(Reparsed::Restructure(format!(
                "`{path}` has mdBook directives"
            )));
        }
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
        let config = &self.edition.config;
        let no_summary = !config
            .source_dir
            .join(&config.carried.summary_file)
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
        let notes = !old.notes.is_empty() || !page.notes.is_empty();
        let entry =
            |page: &Page| crate::output::layout::sitemap_entries(std::slice::from_ref(page));
        self.dates_changed |= entry(old) != entry(&page);
        self.replace(i, page, problems);
        self.edition.prepared.handbook.pages[i] = source;
        Ok(Reparsed::Changed { at: i, notes })
    }

    /// Parses a page as the build does, dating it from the history when it
    /// states no date (and noting that it is dated so).
    pub(super) fn parse(&mut self, source: &load::SourcePage) -> (Page, Vec<Diagnostic>) {
        let config = &self.edition.config;
        let space_urls = crate::space_urls(config);
        let options = crate::parse_options(config, &space_urls, true, None);
        let (mut page, problems) = crate::parse::parse_page(source, options);
        let edition = &mut self.edition;
        edition.dated.remove(&page.path);
        let dated = crate::edition::date_pages(std::slice::from_mut(&mut page), &edition.dates);
        edition.dated.extend(dated);
        (page, problems)
    }

    /// Puts page `i` in place, its link reads updated.
    pub(super) fn replace(&mut self, i: usize, page: Page, problems: Vec<Diagnostic>) {
        self.remove_reads(i);
        self.edition.prepared.pages[i] = page;
        self.edition.prepared.problems.parsed[i] = problems;
        self.add_reads(i);
    }
}

/// What reading a page again found.
enum Reparsed {
    Same,
    /// Page `at` changed; `notes`: it holds notes, or held them.
    Changed {
        at: usize,
        notes: bool,
    },
    Restructure(String),
}

/// A page's text read again, or why the edition must be read again whole:
/// a link may lead out of the project and too large a page is not read
/// (the load stage decides and reports), and a page gone or not UTF-8 is a
/// problem of the edition's.
fn read_page(file: &std::path::Path, path: &str) -> Result<String, String> {
    if file
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(format!("`{path}` is a link"));
    }
    if file
        .metadata()
        .is_ok_and(|m| m.len() > load::MAX_PAGE_BYTES)
    {
        return Err(format!("`{path}` is larger than a page may be"));
    }
    let Ok(bytes) = std::fs::read(file) else {
        return Err(format!("`{path}` was removed"));
    };
    String::from_utf8(bytes)
        .map(load::without_bom)
        .map_err(|_| format!("`{path}` is not UTF-8"))
}

/// A path with `..` and links resolved, as far as it exists (an included
/// file is named as the editor sees it, the watcher's paths are absolute).
fn real(path: &std::path::Path) -> std::path::PathBuf {
    crate::fs::resolved(path).unwrap_or_else(|_| path.to_path_buf())
}
