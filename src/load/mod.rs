//! Stage 2: a version's source tree → [`Handbook`].
//!
//! Takes the [`Config`] and a [`SourceTree`]; gives the table of contents, every
//! markdown page's text (SUMMARY order first, then pages SUMMARY does not list,
//! sorted) and the other files as assets, plus diagnostics for SUMMARY problems
//! and one warning naming the unlisted pages. Without a SUMMARY.md the table of
//! contents comes from the folders, sorted, a folder's README.md as its page.
//! Pages are read in parallel; nothing here parses markdown beyond SUMMARY.
//! mdBook's `{{#include}}` and its kin are done here ([`include`]), so a
//! page's text is whole before it is parsed (and parsing stays pure);
//! markdown files that pages include and SUMMARY does not list are parts of
//! those pages, not pages.
//! A page larger than [`MAX_PAGE_BYTES`] is not read: it is an error at its
//! first line, and the page stays in the handbook empty (so SUMMARY and the
//! links to it still find it), which bounds what any one page costs a build.

pub(crate) mod folders;
pub mod include;
pub mod source;
pub mod summary;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics};
use anyhow::Result;
use rayon::prelude::*;
use source::SourceTree;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
pub use summary::{Chapter, Summary, SummaryItem};

/// The page that is the site's not-found page (`404.html`), as in mdBook.
pub const NOT_FOUND_PAGE: &str = "404.md";

/// What ends the file label of a page the build generates (the register,
/// the Spaces page …): it names no file on disk.
pub const GENERATED_LABEL: &str = " (generated)";

/// Whether the page labelled `file` is one the build generated.
pub fn is_generated(file: &str) -> bool {
    file.ends_with(GENERATED_LABEL)
}

/// The most bytes a page may have: 4 MiB, far more than pages have (the
/// example handbook's longest is 4 kB, the 1,000-page benchmark corpus's
/// 110 kB; a 4 MiB page is a long novel), and small enough that parsing one
/// (pulldown-cmark's tree of a page of very short lines alone takes about
/// fifty times its size) never takes a machine's memory. Past it the page
/// is an error, and is not read.
pub const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// Everything one version of the handbook is made of.
#[derive(Debug, Clone)]
pub struct Handbook {
    /// The table of contents.
    pub summary: Summary,
    /// Markdown pages: listed ones in SUMMARY order, then unlisted ones sorted.
    pub pages: Vec<SourcePage>,
    /// Images and other files, copied as they are.
    pub assets: Vec<Asset>,
}

/// One markdown file as read from the source tree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourcePage {
    /// Path in the source folder, `/`-separated: the page's identity.
    pub path: String,
    /// The file as the editor sees it, for diagnostics (`handbook/a.md`).
    pub file: String,
    /// The text (invalid UTF-8 replaced, reported as a diagnostic).
    pub text: String,
    /// The navigation label SUMMARY gives it, when listed.
    pub summary_title: Option<String>,
    /// Whether SUMMARY lists it (unlisted pages are built but not in the navigation).
    pub listed: bool,
    /// What its mdBook `{{#…}}` directives gave (`text` is already expanded).
    pub includes: include::Includes,
}

/// A file that is not a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Path in the source folder.
    pub path: String,
    /// Where its bytes are.
    pub data: AssetData,
}

/// Where an asset's bytes are: on disk (copied without reading), or read from
/// a tree that is not on disk (a git ref).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetData {
    /// A file in the working tree.
    Disk(PathBuf),
    /// Bytes read from the source tree (shared with the site's file, not copied).
    Bytes(bytes::Bytes),
}

/// Loads one version's handbook. `generated` names the pages the build may
/// make itself (the protocols register…): SUMMARY may list them.
pub fn load(
    config: &Config,
    tree: &dyn SourceTree,
    generated: &[&str],
) -> Result<(Handbook, Diagnostics)> {
    let listing = tree.files()?;
    let files = listing.files;
    let source_label = config.source_label();
    // The SUMMARY file's name is SUMMARY.md unless the configuration says
    // otherwise (GitBook's `structure.summary`).
    let summary_file = config.carried.summary_file.as_str();
    let has_summary = files.iter().any(|f| f == summary_file);
    let (markdown, assets): (Vec<String>, Vec<String>) = files
        .into_iter()
        .filter(|f| f != summary_file)
        .partition(|f| f.ends_with(".md"));
    let mut diagnostics = Diagnostics::new();
    let left_out: BTreeMap<String, &str> = listing
        .skipped
        .iter()
        .map(|(path, why)| (path.clone(), *why))
        .collect();
    for (path, why) in listing.skipped {
        diagnostics.push(left_out_warning(&source_label, &path, why));
    }
    let (texts, includes) = read_expanded(config, tree, &markdown, &mut diagnostics)?;
    let mut existing: BTreeSet<String> = markdown.iter().cloned().collect();
    // SUMMARY may list pages the build generates; whether one clashes with a
    // source page is known only once the build decides to generate it.
    existing.extend(generated.iter().map(|p| p.to_string()));
    let summary = if has_summary {
        let bytes = tree.read(summary_file)?;
        let label = format!("{source_label}{summary_file}");
        let (text, problem) = crate::diagnostic::utf8_text(bytes, &label);
        diagnostics.extend(problem);
        let (summary, problems) =
            summary::parse_listing(&without_bom(text), &label, &existing, &left_out);
        diagnostics.extend(problems);
        summary
    } else {
        folders::summary(&markdown, &texts)
    };
    let labels = (source_label.as_str(), summary_file);
    let pages = pages_of(
        &summary,
        (markdown, texts),
        includes,
        labels,
        &mut diagnostics,
    );
    let assets = assets
        .into_iter()
        .map(|path| {
            let data = match tree.disk_path(&path) {
                Some(disk) => AssetData::Disk(disk),
                None => AssetData::Bytes(tree.read(&path)?.into()),
            };
            Ok(Asset { path, data })
        })
        .collect::<Result<_>>()?;
    Ok((
        Handbook {
            summary,
            pages,
            assets,
        },
        diagnostics,
    ))
}

/// The warning for an entry the walk would not follow.
fn left_out_warning(source_label: &str, path: &str, why: &str) -> Diagnostic {
    let message = format!("left out of the site: {why}");
    let help = "copy what it points at into the source folder if it belongs in the handbook";
    Diagnostic::warning(format!("{source_label}{path}"), 0, 0, message).with_help(help)
}

/// Every page's text, its mdBook directives done, and what they gave.
fn read_expanded(
    config: &Config,
    tree: &dyn SourceTree,
    paths: &[String],
    diagnostics: &mut Diagnostics,
) -> Result<(HashMap<String, String>, HashMap<String, include::Includes>)> {
    let mut texts = read_pages(tree, paths, &config.source_label(), diagnostics)?;
    let (includes, problems) = include::expand_all(config, tree, &mut texts);
    diagnostics.extend(problems);
    Ok((texts, includes))
}

fn read_pages(
    tree: &dyn SourceTree,
    paths: &[String],
    source_label: &str,
    diagnostics: &mut Diagnostics,
) -> Result<HashMap<String, String>> {
    let read: Vec<(String, Result<Vec<u8>, u64>)> = paths
        .par_iter()
        .map(|path| Ok((path.clone(), read_page(tree, path)?)))
        .collect::<Result<_>>()?;
    let mut texts = HashMap::with_capacity(read.len());
    for (path, bytes) in read {
        let file = format!("{source_label}{path}");
        let text = match bytes {
            Ok(bytes) => {
                let (text, problem) = crate::diagnostic::utf8_text(bytes, &file);
                diagnostics.extend(problem);
                text
            }
            Err(size) => {
                diagnostics.push(too_large(file, size));
                String::new()
            }
        };
        texts.insert(path, without_bom(text));
    }
    Ok(texts)
}

/// A page's bytes, or its size when it is larger than a page may be (then
/// it is not read).
fn read_page(tree: &dyn SourceTree, path: &str) -> Result<Result<Vec<u8>, u64>> {
    let size = tree.size(path)?;
    if size > MAX_PAGE_BYTES {
        return Ok(Err(size));
    }
    let bytes = tree.read(path)?;
    // The file may have grown since its size was read.
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    Ok(if read > MAX_PAGE_BYTES {
        Err(read)
    } else {
        Ok(bytes)
    })
}

/// The error for a page of `size` bytes, over [`MAX_PAGE_BYTES`].
fn too_large(file: String, size: u64) -> Diagnostic {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let message = format!(
        "this page is {size} bytes ({:.1} MiB); a page may have at most {MAX_PAGE_BYTES} bytes ({} MiB), so it was not read",
        mib(size),
        mib(MAX_PAGE_BYTES)
    );
    Diagnostic::error(file, 1, 1, message)
        .with_help("split it into several pages and list each in SUMMARY.md")
}

/// The pages in order, each with what its directives gave, without the parts.
fn pages_of(
    summary: &Summary,
    (markdown, texts): (Vec<String>, HashMap<String, String>),
    mut includes: HashMap<String, include::Includes>,
    labels: (&str, &str),
    diagnostics: &mut Diagnostics,
) -> Vec<SourcePage> {
    let (markdown, texts) = without_parts(summary, markdown, texts, &includes, labels.0);
    let mut pages = order_pages(summary, markdown, texts, labels, diagnostics);
    for page in &mut pages {
        page.includes = includes.remove(&page.path).unwrap_or_default();
    }
    pages
}

/// The pages without the parts: markdown files that a page includes and
/// SUMMARY does not list are part of that page, not pages of their own
/// (as in mdBook, where only the SUMMARY's chapters are built).
fn without_parts(
    summary: &Summary,
    markdown: Vec<String>,
    mut texts: HashMap<String, String>,
    includes: &HashMap<String, include::Includes>,
    source_label: &str,
) -> (Vec<String>, HashMap<String, String>) {
    let listed: BTreeSet<&str> = summary
        .chapters()
        .iter()
        .filter_map(|c| c.path.as_deref())
        .collect();
    let parts: BTreeSet<&str> = includes
        .values()
        .flat_map(|i| i.origins.included())
        .filter_map(|label| label.strip_prefix(source_label))
        .filter(|path| !listed.contains(path))
        .collect();
    if parts.is_empty() {
        return (markdown, texts);
    }
    texts.retain(|path, _| !parts.contains(path.as_str()));
    let markdown = markdown
        .into_iter()
        .filter(|path| !parts.contains(path.as_str()))
        .collect();
    (markdown, texts)
}

/// Editors on Windows save UTF-8 with a byte-order mark; it is not content
/// (and would hide a page's front matter).
pub(crate) fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

impl Summary {
    /// The SUMMARY with entries for `pages` (path, title) that it does not
    /// list, after the last entry: generated pages find a place even when
    /// the editor did not choose one.
    pub fn placing<S: AsRef<str>>(mut self, pages: &[(S, S)]) -> Self {
        let listed: BTreeSet<String> = self
            .chapters()
            .iter()
            .filter_map(|c| c.path.clone())
            .collect();
        for (path, title) in pages {
            let (path, title) = (path.as_ref(), title.as_ref());
            if !listed.contains(path) {
                let chapter = Chapter {
                    title: title.to_string(),
                    path: Some(path.to_string()),
                    line: 0,
                    column: 0,
                    children: Vec::new(),
                    numbered: false,
                };
                self.items.push(SummaryItem::Chapter(chapter));
            }
        }
        self
    }
}

/// Listed pages in SUMMARY order, then the others sorted, with one warning
/// naming the unlisted ones.
fn order_pages(
    summary: &Summary,
    markdown: Vec<String>,
    mut texts: HashMap<String, String>,
    (source_label, summary_file): (&str, &str),
    diagnostics: &mut Diagnostics,
) -> Vec<SourcePage> {
    let page = |path: &str, text: String, title: Option<&str>| SourcePage {
        path: path.to_string(),
        file: format!("{source_label}{path}"),
        text,
        summary_title: title.map(str::to_string),
        listed: title.is_some(),
        includes: include::Includes::default(),
    };
    let mut pages = Vec::with_capacity(markdown.len());
    for chapter in summary.chapters() {
        let Some(path) = &chapter.path else { continue };
        if let Some(text) = texts.remove(path) {
            pages.push(page(path, text, Some(&chapter.title)));
        }
    }
    let unlisted: Vec<&str> = markdown
        .iter()
        .filter(|p| texts.contains_key(*p))
        .map(String::as_str)
        // mdBook's 404 page is never listed: it is the site's not-found page.
        .filter(|p| *p != NOT_FOUND_PAGE)
        .collect();
    if !unlisted.is_empty() {
        let message = format!(
            "{} page(s) are not listed in {summary_file}: {}",
            unlisted.len(),
            unlisted.join(", ")
        );
        let help = format!(
            "add them to {summary_file}; until then they are built but not in the navigation"
        );
        let file = format!("{source_label}{summary_file}");
        diagnostics.push(Diagnostic::warning(file, 0, 0, message).with_help(help));
    }
    for path in &markdown {
        if let Some(text) = texts.remove(path) {
            pages.push(page(path, text, None));
        }
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_not_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("handbook.yaml"), "title: T\n").unwrap();
        crate::fs::write(
            &root.join("handbook/SUMMARY.md"),
            "\u{FEFF}# Summary\n\n- [A](a.md)\n",
        )
        .unwrap();
        crate::fs::write(
            &root.join("handbook/a.md"),
            "\u{FEFF}---\ntitle: A\n---\n# A\n",
        )
        .unwrap();
        let config = crate::config::load(root, None, None).unwrap();
        let (handbook, problems) =
            load(&config, &source::DirTree::new(&config.source_dir), &[]).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(handbook.summary.chapters().len(), 1);
        assert!(
            handbook.pages[0].text.starts_with("---\n"),
            "{:?}",
            handbook.pages[0].text
        );
    }
}
