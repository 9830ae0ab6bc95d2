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
pub mod fs;
pub mod links;
pub mod load;
pub mod new;
pub mod output;
pub mod parse;
pub mod render;
pub mod yaml;

use anyhow::{Result, bail};
use diagnostic::{Diagnostic, Diagnostics};
use rayon::prelude::*;
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
}

/// What a build or check did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Pages parsed and rendered.
    pub pages: usize,
    /// Every content diagnostic, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
    /// `xxx` to-do markers found (listed as warnings by `check`).
    pub todos: usize,
    /// Where the site was written, when it was.
    pub written: Option<PathBuf>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl Report {
    /// Whether any diagnostic is an error.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Builds (or checks) one project: the pipeline top to bottom.
pub fn build(options: &BuildOptions) -> Result<Report> {
    let started = Instant::now();
    let config = config::load(
        &options.root,
        options.config.as_deref(),
        options.out.as_deref(),
    )?;
    if !config.source_dir.is_dir() {
        bail!(
            "the source folder {} does not exist; set `source` in the configuration",
            config.source_label()
        );
    }
    if options.write {
        output::check_target(&config.output_dir, &config.root, &config.source_dir)?;
    }
    let renderer = render::Renderer::new(&config)?;
    let tree = load::source::DirTree::new(&config.source_dir);
    let step = |stage: &str| options.progress.inspect(|report| report(stage));
    step("reading the sources");
    let (handbook, mut diagnostics) = load::load(&config, &tree)?;
    step(&format!("parsing {} pages", handbook.pages.len()));
    let parsed: Vec<_> = handbook
        .pages
        .par_iter()
        .map(|page| parse::parse_page(page, &config.legacy_urls))
        .collect();
    let (pages, problems): (Vec<_>, Vec<_>) = parsed.into_iter().unzip();
    diagnostics.extend(problems.into_iter().flatten());
    step("checking links");
    let index = links::LinkIndex::new(&pages, &handbook.assets);
    let resolved: Vec<_> = pages
        .par_iter()
        .map(|page| links::resolve(page, &index, config.broken_links))
        .collect();
    let (resolved, problems): (Vec<_>, Vec<_>) = resolved.into_iter().unzip();
    diagnostics.extend(problems.into_iter().flatten());
    let todos = todo_warnings(&pages, &mut diagnostics, !options.write);
    step(&format!("rendering {} pages", pages.len()));
    let navigation = render::nav::Navigation::new(&handbook.summary, &pages);
    let rendered = renderer.render_site(&pages, &resolved, &navigation)?;
    let failed = diagnostics.has_errors();
    if options.write && !failed {
        step("writing the site");
        let files = output::layout(&config, rendered, &pages, &handbook.assets);
        output::write(&config.output_dir, &files)?;
    }
    Ok(Report {
        pages: pages.len(),
        diagnostics: diagnostics.sorted(),
        todos,
        written: (options.write && !failed).then(|| config.output_dir.clone()),
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
