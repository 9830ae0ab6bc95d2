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

pub mod cache;
pub mod config;
pub mod diagnostic;
mod edition;
pub mod fs;
mod generated;
pub mod html;
pub mod import;
mod indexed;
pub mod links;
pub mod load;
pub mod model;
pub mod new;
pub mod output;
pub mod parse;
mod prepared;
pub mod protocols;
pub mod render;
pub mod search;
pub mod serve;
pub mod spaces;
pub mod versions;
pub mod yaml;

use anyhow::Result;
use diagnostic::{Diagnostic, Diagnostics};
use generated::{clashes, derive, generated_page, generated_sources};
use prepared::{
    ParseCache, Prepared, parse_each, parse_options, prepare, protocol_drift, space_urls,
};
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
    /// Use and keep the build cache (`.handbook-cache/` in the project):
    /// pages, highlighted code and rendered files of earlier builds.
    pub cache: bool,
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
/// version at once. A build that finds its cache damaged removes it and
/// builds again.
pub fn build(options: &BuildOptions) -> Result<Report> {
    match build_once(options) {
        Err(error) if options.cache && cache::damaged(&error) => {
            cache::clear(&error);
            build_once(options)
        }
        done => done,
    }
}

fn build_once(options: &BuildOptions) -> Result<Report> {
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
    let (kept, previous) = open_cache(options, &config);
    let project = Project {
        config: &config,
        plan: &plan,
    };
    let editions = open_all(project, kept.as_ref(), &step)?;
    step("checking links and rendering");
    let staging = options
        .write
        .then(|| output::Staging::open(&config.output_dir))
        .transpose()?;
    let reuse = previous.as_ref();
    let switcher = plan
        .versioned
        .then(|| edition::switcher(&editions, &config));
    let finished = finish_all(
        editions.into_iter().enumerate().collect(),
        (project, switcher.as_ref()),
        &renderer,
        (reuse, staging.as_ref()),
        options.write,
    )?;
    let mut all = edition::gather(finished);
    all.diagnostics.extend(plan.warnings.iter().cloned());
    all.diagnostics.extend(config.warnings.iter().cloned());
    let failed = all.diagnostics.has_errors();
    if options.write && !failed {
        step("writing the site");
        if let Some(staging) = staging {
            write_site(project, all.sites, staging, kept.as_ref())?;
        }
    }
    if let Some(kept) = &kept {
        kept.save(options.versions.is_none());
    }
    Ok(Report {
        pages: all.pages,
        versions: plan.versions.len(),
        diagnostics: all.diagnostics.sorted(),
        todos: all.todos,
        written: (options.write && !failed).then(|| config.output_dir.clone()),
        elapsed: started.elapsed(),
        texts: all.texts,
    })
}

/// The build cache when it is on, and what it says of the site written
/// last (when this build writes one).
fn open_cache(
    options: &BuildOptions,
    config: &config::Config,
) -> (Option<cache::Cache>, Option<cache::site::Previous>) {
    let kept = options
        .cache
        .then(|| cache::Cache::open(&config.root))
        .flatten();
    let previous = kept
        .as_ref()
        .filter(|_| options.write)
        .map(|k| cache::site::Previous::load(k.dir(), &config.output_dir));
    (kept, previous)
}

/// The project's configuration and the versions it plans to build.
#[derive(Clone, Copy)]
struct Project<'a> {
    config: &'a config::Config,
    plan: &'a versions::Plan,
}

impl Project<'_> {
    /// For the edition at place `i`, when it is a versioned site's lead
    /// version (whose not-found page the site's root serves): the site's
    /// path (`/handbook/`) and the lead's folder in it (`latest/`).
    fn root_404(&self, i: usize) -> Option<(String, String)> {
        let (lead, folder) = self.plan.lead();
        let prefix = &self.config.site.path_prefix;
        let folder = format!(
            "{}/",
            crate::model::path::href(folder.trim_end_matches('/'))
        );
        (self.plan.versioned && i == lead).then(|| (prefix.clone(), folder))
    }
}

/// Every planned version opened in parallel (read, parsed, derived, dated),
/// each but the oldest with its Changes page.
fn open_all(
    project: Project<'_>,
    kept: Option<&cache::Cache>,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Vec<edition::Edition>> {
    let known = || edition::Known {
        kept,
        ..edition::Known::default()
    };
    let editions = (project.plan.versions.par_iter())
        .map(|version| edition::open(project, version, known(), step))
        .collect::<Result<Vec<_>>>()?;
    Ok(if project.plan.versioned {
        edition::with_changes_pages(editions, project.config)
    } else {
        editions
    })
}

/// Every version's links checked, pages rendered and files laid out, in
/// parallel, each with the version switcher over them all. Each edition
/// comes with its place in the plan (the dev server keeps one aside).
fn finish_all(
    editions: Vec<(usize, edition::Edition)>,
    (project, switcher): (Project<'_>, Option<&versions::switch::Switcher>),
    renderer: &render::Renderer,
    (reuse, staging): (render::Reuse<'_>, Option<&output::Staging>),
    write: bool,
) -> Result<Vec<edition::Finished>> {
    editions
        .into_par_iter()
        .map(|(i, edition)| {
            let target = edition::Target {
                version: switcher.map(|s| (s, i)),
                reuse,
                staging,
            };
            let root_404 = project.root_404(i);
            edition::finish(edition, renderer, target, root_404, write)
        })
        .collect()
}

/// Lays out every version's files and writes them; with the build cache
/// on, records which written files were made from which inputs.
fn write_site(
    Project { config, plan }: Project<'_>,
    sites: Vec<Option<output::layout::VersionSite>>,
    staging: output::Staging,
    kept: Option<&cache::Cache>,
) -> Result<()> {
    let files = if plan.versioned {
        output::layout::versioned(config, &plan.versions, sites)?
    } else {
        sites.into_iter().flatten().flat_map(|s| s.files).collect()
    };
    if !staging.fill(&files)? {
        return Ok(());
    }
    match kept {
        Some(kept) => {
            let keyed: Vec<(cache::Key, &str)> = files
                .iter()
                .filter_map(|f| Some((f.contents.key()?, f.path.as_str())))
                .collect();
            let places = (config.output_dir.as_path(), staging.root());
            cache::site::record(kept.dir(), places, &keyed);
        }
        None => cache::forget_site(&config.root),
    }
    staging.swap()
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
        (ParseCache::new(), None),
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
                Some(diagnostic::Severity::Error),
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
