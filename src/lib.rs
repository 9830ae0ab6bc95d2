//! `handbook` builds an organisational handbook — markdown in git, GitBook /
//! mdBook conventions — into a static site.
//!
//! The build is a pipeline of stages, each a module with one entry point and
//! one output type, values flowing forward: [`config`] → [`load`] → [`parse`]
//! → [`links`] → [`render`] → [`output`]. [`build`] is the recipe. Content
//! problems are [`diagnostic::Diagnostic`] values collected from every stage
//! and reported together; environment failures (I/O, configuration, theme) are
//! `anyhow` errors that name their path. A build with content errors writes
//! nothing, and a failed write leaves the previous site as it was.

pub mod config;
pub mod diagnostic;
mod edition;
pub mod fs;
pub mod html;
pub mod links;
pub mod load;
pub mod new;
pub mod output;
pub mod parse;
pub mod protocols;
pub mod render;
pub mod serve;
pub mod spaces;
pub mod versions;
pub mod yaml;

use anyhow::Result;
use diagnostic::{Diagnostic, Diagnostics};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The project root.
    pub root: PathBuf,
    /// The configuration file, when not `root/handbook.yaml`.
    pub config: Option<PathBuf>,
    /// The output folder, overriding the configuration.
    pub out: Option<PathBuf>,
    /// Write the site (`build`), or only check everything (`check`).
    pub write: bool,
    /// Told each stage as it starts ("parsing 10000 pages"), for a terminal.
    pub progress: Option<fn(&str)>,
    /// Build only these versions (by name); all when `None`.
    pub versions: Option<Vec<String>>,
}

/// What a build or check did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Pages parsed and rendered, in every version.
    pub pages: usize,
    /// Versions built (1 for an unversioned site).
    pub versions: usize,
    /// Every content diagnostic, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
    /// `xxx` to-do markers found (listed as warnings by `check`).
    pub todos: usize,
    /// Where the site was written, when it was.
    pub written: Option<PathBuf>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// The text of each file with a diagnostic that is not on disk (a page
    /// of a version read from git), by its label, for the source snippet.
    pub texts: BTreeMap<String, String>,
}

impl Report {
    /// Whether any diagnostic is an error.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Builds (or checks) one project: the pipeline top to bottom, for every
/// version at once.
pub fn build(options: &BuildOptions) -> Result<Report> {
    let started = Instant::now();
    let config = config::load(
        &options.root,
        options.config.as_deref(),
        options.out.as_deref(),
    )?;
    if options.write {
        output::check_target(&config.output_dir, &config.root, &config.source_dir)?;
    }
    let renderer = render::Renderer::new(&config)?;
    let step = |stage: &str| {
        if let Some(report) = options.progress {
            report(stage);
        }
    };
    let plan = versions::plan(&config, options.versions.as_deref())?;
    let mut editions = plan
        .versions
        .par_iter()
        .map(|version| edition::open(&plan, version, &config, &step))
        .collect::<Result<Vec<_>>>()?;
    if plan.versioned {
        edition::add_changes_pages(&mut editions, &config);
    }
    let switcher = plan
        .versioned
        .then(|| edition::switcher(&editions, &config));
    // The version the site's root leads to (and whose 404 page it serves).
    let (lead, lead_folder) = plan.lead();
    let lead_root = format!("{}{lead_folder}", config.site.path_prefix);
    step("checking links and rendering");
    let finished = editions
        .into_par_iter()
        .enumerate()
        .map(|(i, edition)| {
            let version = switcher.as_ref().map(|s| (s, i));
            let root_404 = (plan.versioned && i == lead).then_some(lead_root.as_str());
            edition::finish(edition, &renderer, version, root_404, options.write)
        })
        .collect::<Result<Vec<_>>>()?;
    let (diagnostics, pages, todos, sites, texts) = edition::gather(finished);
    let failed = diagnostics.has_errors();
    if options.write && !failed {
        step("writing the site");
        let files = if plan.versioned {
            output::layout::versioned(&config, &plan.versions, sites)?
        } else {
            sites.into_iter().flatten().flat_map(|s| s.files).collect()
        };
        output::write(&config.output_dir, &files)?;
    }
    Ok(Report {
        pages,
        versions: plan.versions.len(),
        diagnostics: diagnostics.sorted(),
        todos,
        written: (options.write && !failed).then(|| config.output_dir.clone()),
        elapsed: started.elapsed(),
        texts,
    })
}

/// Every page's links resolved, in page order, their problems collected.
fn resolve_all(
    pages: &[parse::Page],
    index: &links::LinkIndex,
    level: diagnostic::Severity,
    diagnostics: &mut Diagnostics,
) -> Vec<links::Resolved> {
    let resolved: Vec<_> = pages
        .par_iter()
        .map(|page| links::resolve(page, index, level))
        .collect();
    let (resolved, problems): (Vec<_>, Vec<_>) = resolved.into_iter().unzip();
    diagnostics.extend(problems.into_iter().flatten());
    resolved
}

/// `protocols.json` and `spaces.json`, for bots and other tools.
fn data_files(
    config: &config::Config,
    records: &[protocols::ProtocolRecord],
    pages: &[parse::Page],
) -> Result<[(&'static str, String); 2]> {
    let protocols =
        serde_json::to_string_pretty(&serde_json::json!({ "protocols": records }))? + "\n";
    Ok([
        ("protocols.json", protocols),
        ("spaces.json", spaces::json(&config.spaces, pages, records)?),
    ])
}

/// A handbook read and parsed, its protocols derived and their pages made:
/// what `build`, `check`, `protocols` and the dev server share.
#[derive(Clone)]
struct Prepared {
    handbook: load::Handbook,
    /// The editor's pages (in `handbook.pages` order), then the generated ones.
    pages: Vec<parse::Page>,
    /// The sources of the generated pages, which end `pages`.
    generated: Vec<load::SourcePage>,
    records: Vec<protocols::ProtocolRecord>,
    problems: Problems,
}

/// An edition's content problems, kept by where they come from, so that the
/// dev server can replace one page's problems without redoing the others'.
#[derive(Debug, Clone, Default)]
struct Problems {
    /// From reading the sources, generated pages' clashes and the history:
    /// they change only when the handbook's structure does.
    fixed: Vec<Diagnostic>,
    /// Each page's parse problems, in page order.
    parsed: Vec<Vec<Diagnostic>>,
    /// From deriving the protocols.
    derived: Vec<Diagnostic>,
}

impl Problems {
    fn has_errors(&self) -> bool {
        self.iter().any(Diagnostic::is_error)
    }

    fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.fixed
            .iter()
            .chain(self.parsed.iter().flatten())
            .chain(&self.derived)
    }

    fn into_diagnostics(self) -> Diagnostics {
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
type ParseCache =
    std::collections::HashMap<String, (load::SourcePage, parse::Page, Vec<Diagnostic>)>;

/// `highlight` is off when only the protocols are wanted: it is most of parsing's cost.
fn prepare(
    config: &config::Config,
    tree: &dyn load::source::SourceTree,
    highlight: bool,
    mut cache: ParseCache,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Prepared> {
    let space_urls = space_urls(config);
    let options = parse_options(config, &space_urls, highlight);
    let generated: Vec<&str> = generated_specs(config)
        .iter()
        .map(|s| s.path.as_str())
        .collect();
    step("reading the sources");
    let (mut handbook, diagnostics) = load::load(config, tree, &generated)?;
    step(&format!("parsing {} pages", handbook.pages.len()));
    let (mut pages, parsed) = parse_each(&handbook.pages, options, &mut cache);
    let made = generate(config, &mut handbook, &pages);
    let (generated_pages, generated_problems) = parse_each(&made.sources, options, &mut cache);
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

/// The protocols derived from the editor's pages, and the pages made from
/// them and from the spaces.
struct Generated {
    records: Vec<protocols::ProtocolRecord>,
    /// Register, code of practice, constitution, Spaces page: those the
    /// editor's own pages do not replace.
    sources: Vec<load::SourcePage>,
    derived: Vec<Diagnostic>,
    clashes: Vec<Diagnostic>,
}

/// What the generated pages read from one page (for its protocols and its
/// links into spaces): when an edit leaves it equal, [`generate`] would give
/// the same records and pages. `None` for a page with neither.
#[derive(Debug, PartialEq)]
struct GenerationKey<'a> {
    notes: &'a [parse::Note],
    sections: &'a [parse::SectionText],
    title: &'a str,
    title_id: Option<&'a str>,
    updated: Option<parse::dates::Date>,
    listed: bool,
    spaces: Vec<&'a str>,
}

fn generation_key(page: &parse::Page) -> Option<GenerationKey<'_>> {
    let from_links = page.links.iter().filter_map(|l| match &l.target {
        parse::LinkTarget::Space { id, .. } => Some(id.as_str()),
        _ => None,
    });
    let spaces: Vec<&str> = from_links
        .chain(page.spaces.iter().map(|(id, _, _)| id.as_str()))
        .collect();
    if page.notes.is_empty() && spaces.is_empty() {
        return None;
    }
    Some(GenerationKey {
        notes: &page.notes,
        sections: if page.notes.is_empty() {
            &[]
        } else {
            &page.sections
        },
        title: &page.title,
        title_id: page.title_id.as_deref(),
        updated: page.updated,
        listed: page.listed,
        spaces,
    })
}

/// Derives the protocols from `pages` (the editor's, parsed) and makes the
/// generated pages' markdown, placing them in the SUMMARY.
fn generate(
    config: &config::Config,
    handbook: &mut load::Handbook,
    pages: &[parse::Page],
) -> Generated {
    let (records, derived) = derive(config, handbook, pages);
    let (sources, clashes) = generated_sources(config, handbook, pages, &records);
    Generated {
        records,
        sources,
        derived,
        clashes,
    }
}

/// The protocol records of the editor's pages, and their problems.
fn derive(
    config: &config::Config,
    handbook: &load::Handbook,
    pages: &[parse::Page],
) -> (Vec<protocols::ProtocolRecord>, Vec<Diagnostic>) {
    let space_ids = config.spaces.iter().map(|s| s.id.clone()).collect();
    protocols::derive(
        pages,
        &protocols::Context::new(&handbook.summary, &space_ids),
    )
}

/// The register, code of practice, constitution and Spaces page made from
/// the records and pages (those the editor's own pages do not replace), and
/// the clashes with the editor's pages.
fn generated_sources(
    config: &config::Config,
    handbook: &mut load::Handbook,
    pages: &[parse::Page],
    records: &[protocols::ProtocolRecord],
) -> (Vec<load::SourcePage>, Vec<Diagnostic>) {
    let mut sources = protocol_pages(config, records, handbook);
    let mut clashing = clashes(handbook, &sources, "protocols:");
    let spaces_page = spaces_page(config, pages, records, handbook);
    clashing.extend(clashes(handbook, spaces_page.as_slice(), "spaces-page:"));
    sources.extend(spaces_page);
    sources.retain(|g| !handbook.pages.iter().any(|p| p.path == g.path));
    (sources, clashing)
}

/// Each declared space as (id, URL), for recognising links into spaces.
fn space_urls(config: &config::Config) -> Vec<(String, String)> {
    config
        .spaces
        .iter()
        .map(|s| (s.id.clone(), s.url.clone()))
        .collect()
}

fn parse_options<'a>(
    config: &'a config::Config,
    space_urls: &'a [(String, String)],
    highlight: bool,
) -> parse::Options<'a> {
    parse::Options {
        legacy: &config.legacy_urls,
        highlight,
        spaces: space_urls,
    }
}

/// The pages the build may generate: register, code of practice,
/// constitution, spaces, and changes (in a versioned site).
fn generated_specs(config: &config::Config) -> Vec<&protocols::pages::PageSpec> {
    let p = &config.protocols;
    let mut specs = vec![
        &p.register,
        &p.code_of_practice,
        &p.constitution,
        &config.spaces_page,
    ];
    specs.extend(config.versions.as_ref().map(|v| &v.changes_page));
    specs
}

/// A generated page as a source page the pipeline parses like any other.
fn generated_page(
    config: &config::Config,
    spec: &protocols::pages::PageSpec,
    markdown: String,
) -> load::SourcePage {
    load::SourcePage {
        file: format!("{}{} (generated)", config.source_label(), spec.path),
        summary_title: Some(spec.title.clone()),
        path: spec.path.clone(),
        text: markdown,
        listed: true,
    }
}

/// Whether SUMMARY.md lists a generated page itself.
fn summary_lists(handbook: &load::Handbook, spec: &protocols::pages::PageSpec) -> bool {
    // A page of the editor's own at that path is theirs, not a request.
    let own = handbook.pages.iter().any(|p| p.path == spec.path);
    !own && handbook
        .summary
        .chapters()
        .iter()
        .any(|c| c.path.as_deref() == Some(spec.path.as_str()))
}

/// A generated page may not replace a page of the editor's: an error naming
/// the configuration key that moves it.
fn clashes(handbook: &load::Handbook, made: &[load::SourcePage], key: &str) -> Vec<Diagnostic> {
    made.iter()
        .filter_map(|g| handbook.pages.iter().find(|p| p.path == g.path))
        .map(|page| {
            let message = format!(
                "the build generates a page at `{}`, where this page is",
                page.path
            );
            let help = format!(
                "rename this file, or set another `path` under `{key}` in the configuration"
            );
            Diagnostic::error(&page.file, 0, 0, message).with_help(help)
        })
        .collect()
}

/// The Spaces page, when spaces are declared (or SUMMARY lists it).
fn spaces_page(
    config: &config::Config,
    pages: &[parse::Page],
    records: &[protocols::ProtocolRecord],
    handbook: &mut load::Handbook,
) -> Option<load::SourcePage> {
    let spec = &config.spaces_page;
    if config.spaces.is_empty() && !summary_lists(handbook, spec) {
        return None;
    }
    let markdown = spaces::page(
        &config.spaces,
        pages,
        records,
        spec,
        &config.protocols.register,
    );
    handbook
        .summary
        .append_missing(&[(spec.path.as_str(), spec.title.as_str())]);
    Some(generated_page(config, spec, markdown))
}

/// Every page parsed in parallel (order kept), with its own problems; pages
/// whose source the cache holds unchanged are moved out of it, not parsed.
fn parse_each(
    sources: &[load::SourcePage],
    options: parse::Options<'_>,
    cache: &mut ParseCache,
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
                .unwrap_or_else(|| parse::parse_page(source, options))
        })
        .unzip()
}

/// The register, code of practice and constitution as source pages, placed
/// in the SUMMARY (where the editor listed them, else at its end). A handbook
/// without notes gets none, unless SUMMARY asks for them.
fn protocol_pages(
    config: &config::Config,
    records: &[protocols::ProtocolRecord],
    handbook: &mut load::Handbook,
) -> Vec<load::SourcePage> {
    let p = &config.protocols;
    let specs = [&p.register, &p.code_of_practice, &p.constitution];
    if records.is_empty() && !specs.iter().any(|s| summary_lists(handbook, s)) {
        return Vec::new();
    }
    let kinds = config
        .spaces
        .iter()
        .map(|s| (s.id.clone(), s.kind.as_str().to_string()))
        .collect();
    let made = protocols::pages::generate(records, specs, &kinds);
    let placed: Vec<(&str, &str)> = made
        .iter()
        .map(|g| (g.spec.path.as_str(), g.spec.title.as_str()))
        .collect();
    handbook.summary.append_missing(&placed);
    made.into_iter()
        .map(|g| generated_page(config, &g.spec, g.markdown))
        .collect()
}

/// Diagnostics for each file of `protocols/` out of step with the notes.
fn protocol_drift(
    config: &config::Config,
    records: &[protocols::ProtocolRecord],
    severity: diagnostic::Severity,
) -> Result<Vec<Diagnostic>> {
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

/// What `handbook protocols` found and did.
#[derive(Debug, Clone)]
pub struct ProtocolsReport {
    /// Every derived record, in SUMMARY order.
    pub records: Vec<protocols::ProtocolRecord>,
    /// How many notes the pages hold.
    pub notes: usize,
    /// Content diagnostics (bad notes) and, with `--check`, drift.
    pub diagnostics: Vec<Diagnostic>,
    /// Files written and removed (0, 0 with `--check` or on errors).
    pub changed: (usize, usize),
    /// Wall time.
    pub elapsed: Duration,
}

/// Derives the protocols and writes `protocols/`, or with `check` only
/// compares it. Nothing is written when a note has an error.
pub fn protocols(options: &BuildOptions, check: bool) -> Result<ProtocolsReport> {
    let started = Instant::now();
    let config = config::load(&options.root, options.config.as_deref(), None)?;
    let Prepared {
        records,
        pages,
        problems,
        ..
    } = prepare(
        &config,
        &versions::working_tree(&config)?,
        false,
        ParseCache::new(),
        &|_| {},
    )?;
    let notes = pages.iter().map(|p| p.notes.len()).sum();
    // What this command reports and stops for: problems on pages with notes
    // (broken notes give incomplete records, neither compared nor written).
    // Problems on other pages are `build`'s and `check`'s business.
    let note_files: std::collections::HashSet<&str> = pages
        .iter()
        .filter(|p| !p.notes.is_empty())
        .map(|p| p.file.as_str())
        .collect();
    let mut diagnostics: Diagnostics = problems
        .into_diagnostics()
        .into_iter()
        .filter(|d| note_files.contains(d.file.as_str()))
        .collect();
    let mut changed = (0, 0);
    if !diagnostics.has_errors() {
        if check {
            diagnostics.extend(protocol_drift(
                &config,
                &records,
                diagnostic::Severity::Error,
            )?);
        } else {
            let expected = protocols::files::expected(&records, &config.source_prefix())?;
            changed = protocols::files::write(&config.protocols.folder, &expected)?;
        }
    }
    Ok(ProtocolsReport {
        records,
        notes,
        diagnostics: diagnostics.sorted(),
        changed,
        elapsed: started.elapsed(),
    })
}
/// Counts `xxx` markers; `check` lists each as a warning.
fn todo_warnings(pages: &[parse::Page], diagnostics: &mut Diagnostics, list: bool) -> usize {
    let mut count = 0;
    for page in pages {
        count += page.todos.len();
        if list {
            diagnostics.extend(page.todos.iter().map(|&(line, column)| {
                Diagnostic::warning(&page.file, line, column, "to-do marker `xxx`").with_help(
                    "replace it with the missing text, or leave it and let `check` remind you",
                )
            }));
        }
    }
    count
}
