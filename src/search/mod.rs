//! Stage 6: a version's pages → its search index, files under `search/`.
//!
//! Takes the parsed pages (their body HTML, title and headings) and each
//! page's breadcrumb titles. [`documents`] splits every page into sections
//! at its headings (`text.rs`); [`index`] counts and scores the words of
//! every section (`count.rs`; `words.rs`: Unicode words, folded, stemmed
//! for the configured language only) and writes a chunked index
//! (`chunks.rs`): a small
//! `meta.json`, the folded forms in sorted chunks, each stem's postings in
//! chunks, and one document per page with its sections' text for excerpts.
//! A query downloads the meta, the chunks its words fall in and the
//! documents of its first results, however large the handbook.
//!
//! Guarantees: the same pages give byte-identical files; nothing here is
//! HTML (the browser shows every string as text); a page's entries are
//! `page << 14 | section`: at most 16,384 sections a page (later headings
//! fold into the last) and 262,144 pages a version (later pages are not
//! indexed).

mod chunks;
mod count;
mod text;
mod words;

use crate::parse::{Body, Heading, Page};
use crate::render::nav::Navigation;
pub use chunks::index;
use rayon::prelude::*;

/// Where a version's search files go, under its folder.
pub const FOLDER: &str = "search";

/// An entry is `page << SECTION_BITS | section`.
pub(crate) const SECTION_BITS: u32 = 14;

/// The most sections a page has in the index; the rest join the last.
pub(crate) const MAX_SECTIONS: usize = 1 << SECTION_BITS;

/// The most pages a version's index holds (entries are 32 bits).
pub(crate) const MAX_PAGES: usize = 1 << (32 - SECTION_BITS);

/// One page as the index and the results see it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Document {
    /// Its URL relative to the version's root, percent-encoded.
    pub url: String,
    /// The page's title.
    pub title: String,
    /// Titles of the pages above it in the navigation.
    pub crumbs: Vec<String>,
    /// Its sections in order; the first is the text before any heading.
    pub sections: Vec<Section>,
}

/// A part of a page a result links to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Section {
    /// The heading's id (the result links to `page#anchor`).
    pub anchor: Option<String>,
    /// The heading as plain text; empty for the first section.
    pub heading: String,
    /// The section's text.
    pub text: String,
}

/// Everything one page's document is made from, and nothing else: the
/// build cache's key of a search index is the hash of these values, so
/// what the index reads and what its key covers cannot part.
#[derive(Debug, Clone, Hash)]
pub struct Source<'p> {
    url: &'p str,
    title: &'p str,
    titles: Titles<'p>,
    body: &'p Body,
    crumbs: Vec<String>,
}

impl<'p> Source<'p> {
    /// Page `i`'s document source, with its breadcrumb from the navigation.
    pub fn of(pages: &'p [Page], i: usize, navigation: &Navigation) -> Self {
        let (page, crumbs) = (&pages[i], navigation.crumbs(i, pages));
        Self {
            url: &page.url,
            title: &page.title,
            titles: Titles::of(&page.headings),
            body: &page.body,
            crumbs,
        }
    }
}

/// Each page's place among the searched pages (`None` for the not-found
/// page, `404.md`, which is no answer to a search): where its document is
/// in [`sources`] and [`documents`].
pub fn slots(pages: &[Page]) -> Vec<Option<usize>> {
    let mut next = 0;
    pages
        .iter()
        .map(|page| {
            (page.path != crate::load::NOT_FOUND_PAGE).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// Every searched page's document source, in the pages' order, made in parallel.
pub fn sources<'p>(pages: &'p [Page], navigation: &Navigation) -> Vec<Source<'p>> {
    let slots = slots(pages);
    (0..pages.len())
        .into_par_iter()
        .filter(|&i| slots[i].is_some())
        .map(|i| Source::of(pages, i, navigation))
        .collect()
}

/// The documents of `sources`, in order, made in parallel; fails only when
/// a body kept in the build cache cannot be read.
pub fn documents(sources: Vec<Source<'_>>) -> anyhow::Result<Vec<Document>> {
    sources.into_par_iter().map(document).collect()
}

/// One page's document: its body split at headings with ids, each heading
/// named as the parse stage read it (without the theme's `#` link).
pub fn document(source: Source<'_>) -> anyhow::Result<Document> {
    let titles = source.titles;
    let mut sections: Vec<Section> = Vec::new();
    text::each_section(crate::cache::pages::markup(source.body)?.html(), |s| {
        let heading = s
            .anchor
            .as_deref()
            .and_then(|id| titles.get(id))
            .map_or(s.heading, str::to_string);
        if sections.len() < MAX_SECTIONS {
            sections.push(Section {
                heading,
                anchor: s.anchor,
                text: s.text,
            });
        } else if let Some(last) = sections.last_mut() {
            // Later sections' words join the last one's, as they come.
            for piece in [heading, s.text].iter().filter(|p| !p.is_empty()) {
                if !last.text.is_empty() {
                    last.text.push(' ');
                }
                last.text.push_str(piece);
            }
        }
    });
    Ok(Document {
        url: crate::model::path::href(source.url),
        title: source.title.to_string(),
        crumbs: source.crumbs,
        sections,
    })
}

/// A page's heading titles by id, the first heading of an id winning;
/// sorted, not hashed (a page of many headings looks them all up).
#[derive(Debug, Clone, Hash)]
struct Titles<'p>(Vec<(&'p str, &'p str)>);

impl<'p> Titles<'p> {
    fn of(headings: &'p [Heading]) -> Self {
        let mut titles: Vec<(&str, &str)> = headings
            .iter()
            .map(|h| (h.id.as_str(), h.title.as_str()))
            .collect();
        // Stable: of equal ids the first heading stays first.
        titles.sort_by_key(|&(id, _)| id);
        Self(titles)
    }

    fn get(&self, id: &str) -> Option<&'p str> {
        let at = self.0.partition_point(|&(other, _)| other < id);
        self.0
            .get(at)
            .filter(|(other, _)| *other == id)
            .map(|&(_, title)| title)
    }
}
