//! A handbook read and parsed, its protocols derived and their pages made
//! ([`prepare`] gives a [`Prepared`]): what `build`, `check`, `protocols`
//! and the dev server share. Pages come from the dev server's memory
//! ([`ParseCache`]), then the build cache, and are parsed only when in
//! neither; each page's problems are kept apart ([`Problems`]) so that the
//! dev server can replace one page's. Also here: the parse options of a
//! configuration, and the drift of `protocols/` as diagnostics.

use crate::diagnostic::{self, Diagnostic, Diagnostics};
use crate::generated::{generate, generated_specs};
use crate::{cache, config, load, parse, protocols};
use anyhow::Result;
use rayon::prelude::*;

/// A handbook read and parsed, its protocols derived and their pages made:
/// what `build`, `check`, `protocols` and the dev server share.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) handbook: load::Handbook,
    /// The editor's pages (in `handbook.pages` order), then the generated ones.
    pub(crate) pages: Vec<parse::Page>,
    /// The sources of the generated pages, which end `pages`.
    pub(crate) generated: Vec<load::SourcePage>,
    pub(crate) records: Vec<protocols::ProtocolRecord>,
    pub(crate) problems: Problems,
}

/// An edition's content problems, kept by where they come from, so that the
/// dev server can replace one page's problems without redoing the others'.
#[derive(Debug, Clone, Default)]
pub(crate) struct Problems {
    /// From reading the sources, generated pages' clashes and the history:
    /// they change only when the handbook's structure does.
    pub(crate) fixed: Vec<Diagnostic>,
    /// Each page's parse problems, in page order.
    pub(crate) parsed: Vec<Vec<Diagnostic>>,
    /// From deriving the protocols.
    pub(crate) derived: Vec<Diagnostic>,
}

impl Problems {
    pub(crate) fn has_errors(&self) -> bool {
        self.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.fixed
            .iter()
            .chain(self.parsed.iter().flatten())
            .chain(&self.derived)
    }

    pub(crate) fn into_diagnostics(self) -> Diagnostics {
        let parsed = self.parsed.into_iter().flatten();
        self.fixed
            .into_iter()
            .chain(parsed)
            .chain(self.derived)
            .collect()
    }
}

/// Pages parsed before, by path, with their problems: a page whose source is
/// unchanged is not parsed again (the dev server's rebuilds).
pub(crate) type ParseCache =
    std::collections::HashMap<String, (load::SourcePage, parse::Page, Vec<Diagnostic>)>;

/// `highlight` is off when only the protocols are wanted: it is most of parsing's cost.
/// Pages are taken from `cache` (the dev server's pages in memory), then
/// from `kept` (the build cache on disk), and parsed only when in neither.
pub(crate) fn prepare(
    config: &config::Config,
    tree: &dyn load::source::SourceTree,
    highlight: bool,
    (mut cache, kept): (ParseCache, Option<&cache::Cache>),
    step: &(dyn Fn(&str) + Sync),
) -> Result<Prepared> {
    let space_urls = space_urls(config);
    let highlights = kept.map(|k| &k.highlights);
    let options = parse_options(config, &space_urls, highlight, highlights);
    let generated: Vec<&str> = generated_specs(config)
        .iter()
        .map(|s| s.path.as_str())
        .collect();
    step("reading the sources");
    let (handbook, diagnostics) = load::load(config, tree, &generated)?;
    step(&format!("parsing {} pages", handbook.pages.len()));
    let kept = kept.map(|k| &k.pages);
    let (mut pages, parsed) = parse_each(&handbook.pages, options, &mut cache, kept);
    let made = generate(config, &handbook, &pages);
    // The generated pages take their places in the SUMMARY.
    let handbook = load::Handbook {
        summary: handbook.summary.placing(&made.placed),
        ..handbook
    };
    let (generated_pages, generated_problems) =
        parse_each(&made.sources, options, &mut cache, kept);
    pages.extend(generated_pages);
    let mut problems = Problems {
        fixed: diagnostics.into_iter().chain(made.clashes).collect(),
        parsed,
        derived: made.derived,
    };
    problems.parsed.extend(generated_problems);
    Ok(Prepared {
        handbook,
        pages,
        generated: made.sources,
        records: made.records,
        problems,
    })
}

/// Each declared space as (id, URL), for recognising links into spaces.
pub(crate) fn space_urls(config: &config::Config) -> Vec<(String, String)> {
    config
        .spaces
        .iter()
        .map(|s| (s.id.clone(), s.url.clone()))
        .collect()
}

pub(crate) fn parse_options<'a>(
    config: &'a config::Config,
    space_urls: &'a [(String, String)],
    highlight: bool,
    highlights: Option<&'a cache::highlight::Highlights>,
) -> parse::Options<'a> {
    parse::Options {
        legacy: &config.legacy_urls,
        highlight,
        spaces: space_urls,
        highlights: parse::highlight::Memo(
            highlights.map(|kept| kept as &dyn parse::highlight::Kept),
        ),
        markdown: &config.markdown,
    }
}

/// Every page parsed in parallel (order kept), with its own problems; pages
/// whose source the cache holds unchanged are moved out of it, and pages the
/// build cache kept (`kept`) are read from it, not parsed.
pub(crate) fn parse_each(
    sources: &[load::SourcePage],
    options: parse::Options<'_>,
    cache: &mut ParseCache,
    kept: Option<&cache::pages::Pages>,
) -> (Vec<parse::Page>, Vec<Vec<Diagnostic>>) {
    let mut cached: Vec<Option<(parse::Page, Vec<Diagnostic>)>> = sources
        .iter()
        .map(|source| match cache.remove(&source.path) {
            Some((old, page, problems)) if old == *source => Some((page, problems)),
            _ => None,
        })
        .collect();
    sources
        .par_iter()
        .zip(cached.par_iter_mut())
        .map(|(source, cached)| {
            cached
                .take()
                .unwrap_or_else(|| parse_kept(source, options, kept))
        })
        .unzip()
}

/// One page from the build cache, or parsed and kept there.
pub(crate) fn parse_kept(
    source: &load::SourcePage,
    options: parse::Options<'_>,
    kept: Option<&cache::pages::Pages>,
) -> (parse::Page, Vec<Diagnostic>) {
    let Some(kept) = kept else {
        return parse::parse_page(source, options);
    };
    let key = cache::key_of(&(source, options));
    kept.get(key)
        .unwrap_or_else(|| kept.keep(key, parse::parse_page(source, options)))
}

/// Diagnostics for each file of `protocols/` out of step with the notes,
/// at `severity`; none when it is `None` (drift is off).
pub(crate) fn protocol_drift(
    config: &config::Config,
    records: &[protocols::ProtocolRecord],
    severity: Option<diagnostic::Severity>,
) -> Result<Vec<Diagnostic>> {
    let Some(severity) = severity else {
        return Ok(Vec::new());
    };
    let expected = protocols::files::expected(records, &config.source_prefix())?;
    let drifts = protocols::files::check(&config.protocols.folder, &expected)?;
    let folder = config.label(&config.protocols.folder);
    Ok(drifts
        .into_iter()
        .map(|drift| {
            let message = format!("this file {}", drift.what);
            let mut d = Diagnostic::error(format!("{folder}/{}", drift.path), 0, 0, message)
                .with_help("run `handbook protocols` to rewrite protocols/ from the notes")
                .with_detail(drift.diff);
            d.severity = severity;
            d
        })
        .collect())
}
