//! An opened [`Edition`] shown: its links checked ([`Linked`]), its
//! navigation made, its pages rendered and searched ([`show`] gives a
//! [`Shown`]), and its files laid out ([`lay_out`]). The files made from the
//! whole edition rather than one page are declared once, in [`whole_files`]:
//! a build makes them there, and the dev server makes them there again after
//! an edit. Nothing here writes a file but the renderer's sink (the output
//! stage's staging folder).

use super::Edition;
use crate::diagnostic::{Diagnostic, Severity};
use crate::render::nav::Navigation;
use crate::{indexed, links, output, render, search};
use anyhow::Result;
use rayon::prelude::*;

/// An edition's links: its index, each page's links resolved with their
/// problems, and the GitBook-hosted files that have no local copy.
pub(crate) struct Linked {
    pub(crate) index: links::LinkIndex,
    /// Each page's links, in page order.
    pub(crate) resolved: Vec<links::Resolved>,
    /// Each page's link problems, in page order.
    pub(crate) problems: Vec<Vec<Diagnostic>>,
    /// One warning per hosted file with no local copy, for all pages.
    pub(crate) hosted: Vec<Diagnostic>,
}

impl Linked {
    /// Every page's links resolved against the edition's index.
    pub(crate) fn new(edition: &Edition) -> Self {
        let p = &edition.prepared;
        let index = links::LinkIndex::new(&p.pages, &p.handbook.assets, &edition.config.spaces);
        let level = edition.config.broken_links;
        let (resolved, problems) = p
            .pages
            .par_iter()
            .map(|page| links::resolve(page, &index, level))
            .unzip();
        let hosted = links::missing_hosted(&p.pages, &index);
        Self {
            index,
            resolved,
            problems,
            hosted,
        }
    }

    /// Every link problem, page by page, then the hosted files'.
    pub(crate) fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.problems.iter().flatten().chain(&self.hosted)
    }
}

/// How an edition is shown.
#[derive(Clone, Copy)]
pub(crate) struct Show<'a> {
    /// The project's renderer (made for the edition's folder here).
    pub(crate) renderer: &'a render::Renderer,
    pub(crate) target: super::Target<'a>,
    /// The run writes a site: pages go into the staging folder and the
    /// search index is made, when the edition is free of errors.
    pub(crate) write: bool,
    /// Keep each page's search document and make the index from them,
    /// errors or not (the dev server remakes the index after edits).
    pub(crate) documents: bool,
    /// Compare `protocols/` with the records, at this level, beside the links.
    pub(crate) drift: Option<Severity>,
}

/// An edition shown: what a build lays out and the dev server keeps.
pub(crate) struct Shown {
    pub(crate) linked: Linked,
    pub(crate) navigation: Navigation,
    /// The renderer of the edition's folder.
    pub(crate) renderer: render::Renderer,
    pub(crate) rendered: render::RenderedSite,
    /// Each searched page's document (when asked for).
    pub(crate) documents: Vec<search::Document>,
    /// The [`whole_files`], the search index among them (none when the
    /// edition is not to be laid out).
    pub(crate) whole: Vec<output::OutFile>,
    /// Where the files go: output paths taken twice, redirects and the
    /// home page of the carried configuration.
    pub(crate) placed: Vec<Diagnostic>,
    /// `protocols/` out of step with the records (when compared).
    pub(crate) drift: Vec<Diagnostic>,
}

impl Shown {
    /// Whether showing the edition found an error.
    pub(crate) fn has_errors(&self) -> bool {
        let all = self.linked.diagnostics().chain(&self.placed);
        all.chain(&self.drift).any(Diagnostic::is_error)
    }
}

/// Links checked (and `protocols/` compared, when asked, at the same time),
/// pages rendered and the search index made beside them.
pub(crate) fn show(edition: &Edition, how: Show<'_>) -> Result<Shown> {
    let (config, p) = (&edition.config, &edition.prepared);
    let (drift, linked) = rayon::join(
        || {
            how.drift
                .map(|level| crate::protocol_drift(config, &p.records, Some(level)))
                .transpose()
        },
        || Linked::new(edition),
    );
    let drift = drift?.unwrap_or_default();
    let mut placed = output::carried::problems(config, &p.pages, &p.handbook.assets);
    let navigation = Navigation::new(
        &p.handbook.summary,
        &p.pages,
        config.carried.section_numbers,
    );
    let renderer = how.renderer.for_version(config, &edition.version.name);
    let mut shown = Shown {
        linked,
        navigation,
        renderer,
        rendered: render::RenderedSite::default(),
        documents: Vec::new(),
        whole: Vec::new(),
        placed: Vec::new(),
        drift,
    };
    let clean = !p.problems.has_errors() && !shown.has_errors();
    let wanted = how.write && clean && !placed.iter().any(Diagnostic::is_error);
    let (rendered, searched) = render_and_index(edition, &shown, how, wanted);
    shown.rendered = rendered?;
    (shown.documents, shown.whole) = searched?;
    placed.extend(output::collisions(
        &p.pages,
        &p.handbook.assets,
        &shown.rendered.statics,
        &config.source_label(),
    ));
    shown.placed = placed;
    Ok(shown)
}

/// Each searched page's document, and the whole-edition files.
type Searched = (Vec<search::Document>, Vec<output::OutFile>);

/// The pages rendered, and beside them the search index and the other
/// whole-edition files made: each side has steps that run on one thread,
/// which the other's work fills.
fn render_and_index(
    edition: &Edition,
    shown: &Shown,
    how: Show<'_>,
    wanted: bool,
) -> (Result<render::RenderedSite>, Result<Searched>) {
    let (config, pages) = (&edition.config, &edition.prepared.pages);
    let target = how.target;
    // Pages go into the version's folder of a versioned site.
    let folder = if target.version.is_some() {
        crate::versions::folder(&edition.version.name)
    } else {
        String::new()
    };
    let output = render::Output {
        reuse: target.reuse,
        into: target
            .staging
            .filter(|_| wanted)
            .map(|s| (s as &dyn render::Sink, folder.as_str())),
    };
    let navigation = &shown.navigation;
    rayon::join(
        || {
            let resolved = &shown.linked.resolved;
            let version = (target.version, output);
            shown
                .renderer
                .render_site(pages, resolved, navigation, version)
        },
        || {
            let (documents, search) = if how.documents {
                let documents = documents(config, pages, navigation)?;
                let files = indexed::search_files(config, &documents);
                (documents, files)
            } else if wanted {
                let files = indexed::search_index(config, pages, navigation, target.reuse)?;
                (Vec::new(), files)
            } else {
                return Ok((Vec::new(), Vec::new()));
            };
            let root_files = target.version.is_none();
            let renderer = &shown.renderer;
            let whole = whole_files(edition, renderer, navigation, search, root_files)?;
            Ok((documents, whole))
        },
    )
}

/// Each searched page's document (none when search is off).
fn documents(
    config: &crate::config::Config,
    pages: &[crate::parse::Page],
    navigation: &Navigation,
) -> Result<Vec<search::Document>> {
    if config.search {
        search::documents(search::sources(pages, navigation))
    } else {
        Ok(Vec::new())
    }
}

/// The files made from the whole edition rather than from one page: the
/// data files for bots (`protocols.json`, `spaces.json`), the search index
/// (made beside the pages, handed in), and what the output stage lays out
/// from the whole version (the 404 page, `navigation.js`, redirects, the
/// sitemap …). A new whole-edition file is declared here and nowhere else:
/// a build and the dev server both make them through this.
pub(crate) fn whole_files(
    edition: &Edition,
    renderer: &render::Renderer,
    navigation: &Navigation,
    search: Vec<output::OutFile>,
    root_files: bool,
) -> Result<Vec<output::OutFile>> {
    let (config, p) = (&edition.config, &edition.prepared);
    let mut data = data_files(config, &p.records, &p.pages)?;
    data.extend(search);
    let shared = output::layout::Shared {
        not_found: renderer.render_not_found(navigation.top_level(&p.pages))?,
        navigation: navigation.script(&p.pages),
        data,
    };
    Ok(output::layout::whole_site_files(
        config, &p.pages, shared, root_files,
    ))
}

/// `protocols.json` and `spaces.json`, for bots and other tools.
fn data_files(
    config: &crate::config::Config,
    records: &[crate::protocols::ProtocolRecord],
    pages: &[crate::parse::Page],
) -> Result<Vec<output::OutFile>> {
    let protocols =
        serde_json::to_string_pretty(&serde_json::json!({ "protocols": records }))? + "\n";
    Ok(vec![
        output::OutFile::text("protocols.json", protocols),
        output::OutFile::text(
            "spaces.json",
            crate::spaces::json(&config.spaces, pages, records)?,
        ),
    ])
}

/// Every file of the edition laid out: its pages, statics and assets, and
/// the [`whole_files`].
pub(crate) fn lay_out(edition: &Edition, shown: &mut Shown) -> Vec<output::OutFile> {
    let whole = std::mem::take(&mut shown.whole);
    let rendered = std::mem::take(&mut shown.rendered);
    output::layout(rendered, &edition.prepared.handbook.assets, whole)
}
