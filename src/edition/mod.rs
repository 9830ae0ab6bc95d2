//! One version through the pipeline: [`open`] reads, parses, derives and
//! dates it (an [`Edition`]); [`with_changes_pages`] gives each edition its
//! Changes page against the next; [`finish`] checks its links, renders it
//! with the version switcher and lays out its files ([`Finished`]); [`gather`]
//! puts the versions' results together for the report. `build` in `lib.rs`
//! runs these over every version in parallel.

use super::*;
use crate::generated::as_listed;
use std::collections::HashMap;

pub(crate) mod show;

/// Every version's results, together.
#[derive(Default)]
pub(super) struct Gathered {
    /// Every version's diagnostics.
    pub(super) diagnostics: Diagnostics,
    /// Pages built, over all versions.
    pub(super) pages: usize,
    /// To-do markers found, over all versions.
    pub(super) todos: usize,
    /// Each version's site, in plan order (`None` when it is not written).
    pub(super) sites: Vec<Option<output::layout::VersionSite>>,
    /// The texts of the files the diagnostics point into.
    pub(super) texts: BTreeMap<String, String>,
}

/// The versions' results, in plan order, as one.
pub(super) fn gather(finished: Vec<Finished>) -> Gathered {
    let mut all = Gathered::default();
    for done in finished {
        all.diagnostics.extend(done.diagnostics);
        all.pages += done.pages;
        all.todos += done.todos;
        all.sites.push(done.site);
        all.texts.extend(done.texts);
    }
    all
}

/// One version read, parsed, its protocols derived and its pages dated.
#[derive(Clone)]
pub(crate) struct Edition {
    pub(crate) version: versions::Version,
    pub(crate) config: config::Config,
    pub(crate) prepared: Prepared,
    /// Each page's last change in the history, by path (for pages parsed again).
    pub(crate) dates: HashMap<String, crate::model::Date>,
    /// The pages whose date is the history's (they state none): their
    /// protocol records carry no date.
    pub(crate) dated: std::collections::HashSet<String>,
}

impl Edition {
    /// The edition as the Changes page compares it.
    pub(crate) fn side(&self) -> versions::changes::Side<'_> {
        versions::changes::Side {
            label: &self.version.label,
            sources: &self.prepared.handbook.pages,
            pages: &self.prepared.pages,
            records: &self.prepared.records,
        }
    }
}

/// What opening an edition may start from besides its sources.
#[derive(Default)]
pub(crate) struct Known<'a> {
    /// The build cache on disk.
    pub(crate) kept: Option<&'a cache::Cache>,
    /// Pages parsed before, by path (the dev server's, for a rebuild).
    pub(crate) parsed: ParseCache,
    /// The history's dates, by path, when read before.
    pub(crate) dates: Option<HashMap<String, crate::model::Date>>,
}

/// One version opened and prepared, its pages dated from its history.
pub(crate) fn open(
    Project {
        config: project,
        plan,
    }: Project<'_>,
    version: &versions::Version,
    known: Known<'_>,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Edition> {
    let source = plan.open(version, project)?;
    let tree = source.tree.as_ref();
    let mut prepared = prepare(&source.config, tree, true, (known.parsed, known.kept), step)?;
    let dates = match (known.dates, &source.history) {
        (Some(dates), _) => dates,
        (None, Some(history)) => history_dates(history, &source.config, &mut prepared)?,
        (None, None) => HashMap::new(),
    };
    let dated = date_pages(&mut prepared.pages, &dates);
    Ok(Edition {
        version: version.clone(),
        config: source.config,
        prepared,
        dates,
        dated,
    })
}

/// Each page's last change in the history, by path; warns of a shallow
/// clone's undated pages.
fn history_dates(
    history: &versions::History,
    config: &config::Config,
    prepared: &mut Prepared,
) -> Result<HashMap<String, crate::model::Date>> {
    let paths: Vec<String> = prepared
        .handbook
        .pages
        .iter()
        .map(|p| p.path.clone())
        .collect();
    let (dates, undated) = history.dates(&paths)?;
    if undated > 0 {
        let message =
            format!("this is a shallow clone: {undated} pages have no date from the history");
        prepared.problems.fixed.push(
            Diagnostic::warning(config.label(&config.file), 0, 0, message).with_help(
                "fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in CI) to date every page",
            ),
        );
    }
    Ok(dates.into_iter().collect())
}

/// "Last updated" from git for the pages that do not say it themselves;
/// gives their paths. Protocol records are derived before, and keep only
/// the dates pages state, so `protocols/` does not drift with every commit.
pub(crate) fn date_pages(
    pages: &mut [parse::Page],
    dates: &HashMap<String, crate::model::Date>,
) -> std::collections::HashSet<String> {
    let mut dated = std::collections::HashSet::new();
    for page in pages.iter_mut().filter(|p| p.updated.is_none()) {
        page.updated = dates.get(&page.path).copied();
        if page.updated.is_some() {
            dated.insert(page.path.clone());
        }
    }
    dated
}

/// The editions, each but the oldest with a Changes page against the one
/// after it (as opened: without its own Changes page).
pub(crate) fn with_changes_pages(editions: Vec<Edition>, project: &config::Config) -> Vec<Edition> {
    let markdown: Vec<Option<String>> = (0..editions.len())
        .map(|i| {
            let older = editions.get(i + 1)?;
            changes_markdown(&editions[i], older, project)
        })
        .collect();
    let each = editions.into_iter().zip(markdown);
    each.map(|(edition, markdown)| with_changes_page(edition, markdown, project))
        .collect()
}

/// The markdown of `newer`'s Changes page against `older`, when the project
/// has versions.
pub(crate) fn changes_markdown(
    newer: &Edition,
    older: &Edition,
    project: &config::Config,
) -> Option<String> {
    let summary = &newer.prepared.handbook.summary;
    let spec = as_listed(summary, &project.versions.as_ref()?.changes_page);
    let register = as_listed(summary, &newer.config.protocols.register);
    Some(versions::changes::page(
        older.side(),
        newer.side(),
        &spec,
        &register,
    ))
}

/// `newer` with its Changes page of `markdown` (see [`changes_markdown`]),
/// unless a page of the editor's is at its path (an error).
pub(crate) fn with_changes_page(
    mut newer: Edition,
    markdown: Option<String>,
    project: &config::Config,
) -> Edition {
    let (Some(markdown), Some(versions)) = (markdown, &project.versions) else {
        return newer;
    };
    let spec = &as_listed(&newer.prepared.handbook.summary, &versions.changes_page);
    let page = generated_page(&newer.config, spec, markdown);
    let prepared = &mut newer.prepared;
    prepared.problems.fixed.extend(clashes(
        &prepared.handbook,
        std::slice::from_ref(&page),
        &[spec],
        project,
    ));
    if prepared.pages.iter().any(|p| p.path == spec.path) {
        return newer;
    }
    let summary = std::mem::take(&mut prepared.handbook.summary);
    prepared.handbook.summary = summary.placing(&[(spec.path.as_str(), spec.title.as_str())]);
    let space_urls = space_urls(&newer.config);
    let options = parse_options(&newer.config, &space_urls, true, None);
    let (parsed, problems) = parse_each(
        std::slice::from_ref(&page),
        options,
        &mut ParseCache::new(),
        None,
    );
    prepared.generated.push(page);
    prepared.pages.extend(parsed);
    prepared.problems.parsed.extend(problems);
    newer
}

/// The switcher over every version's pages.
pub(super) fn switcher(
    editions: &[Edition],
    config: &config::Config,
) -> versions::switch::Switcher {
    let versions: Vec<versions::Version> = editions.iter().map(|e| e.version.clone()).collect();
    let pages: Vec<&[parse::Page]> = editions
        .iter()
        .map(|e| e.prepared.pages.as_slice())
        .collect();
    let origin = config
        .site
        .base_url
        .as_ref()
        .map(|base| format!("{base}{}", config.site.path_prefix));
    versions::switch::Switcher::new(&versions, &pages, origin)
}

/// What checking and rendering one version gave.
pub(crate) struct Finished {
    diagnostics: Diagnostics,
    pages: usize,
    todos: usize,
    /// Its files, when they are to be written and nothing failed.
    site: Option<output::layout::VersionSite>,
    /// Texts of its pages with diagnostics, when they are not on disk.
    texts: Vec<(String, String)>,
}

/// Where one version's finished pages go.
#[derive(Clone, Copy)]
pub(crate) struct Target<'a> {
    /// Its place among the versions (a versioned site).
    pub(crate) version: render::VersionOf<'a>,
    /// The previous site's files, with the build cache on.
    pub(crate) reuse: render::Reuse<'a>,
    /// The staging folder pages are written into as they are rendered.
    pub(crate) staging: Option<&'a output::Staging>,
}

/// Links checked, pages rendered and laid out: one version's site.
pub(super) fn finish(
    mut edition: Edition,
    renderer: &render::Renderer,
    target: Target<'_>,
    root_404: Option<(String, String)>,
    write: bool,
) -> Result<Finished> {
    let compare = !edition.prepared.problems.has_errors()
        && edition.version.origin == versions::Origin::WorkingTree;
    let how = show::Show {
        renderer,
        target,
        write,
        documents: false,
        drift: drift_level(&edition.config, write).filter(|_| compare),
    };
    let mut shown = show::show(&edition, how)?;
    let mut diagnostics = std::mem::take(&mut edition.prepared.problems).into_diagnostics();
    diagnostics.extend(shown.linked.diagnostics().cloned());
    diagnostics.extend(shown.placed.iter().chain(&shown.drift).cloned());
    let pages = &edition.prepared.pages;
    let todos = todo_warnings(pages, &mut diagnostics, !write);
    let site = if write && !diagnostics.has_errors() {
        let root_not_found = root_404
            .map(|root| {
                let top = shown.navigation.top_level(pages);
                shown.renderer.render_not_found_at(top, root)
            })
            .transpose()?;
        Some(output::layout::VersionSite {
            files: show::lay_out(&edition, &mut shown),
            pages: output::layout::sitemap_entries(pages),
            root_not_found,
        })
    } else {
        None
    };
    let texts = texts_with_problems(
        &edition.version.origin,
        &edition.prepared.handbook.pages,
        &diagnostics,
    );
    let count = pages.len();
    // Freeing every page's parts takes a while: another thread does it
    // while the site is written.
    std::thread::spawn(move || drop((edition, shown)));
    Ok(Finished {
        diagnostics,
        pages: count,
        todos,
        site,
        texts,
    })
}

/// The label and text of every page a diagnostic names, for a version whose
/// pages are not on disk (read from git).
fn texts_with_problems(
    origin: &versions::Origin,
    pages: &[load::SourcePage],
    diagnostics: &Diagnostics,
) -> Vec<(String, String)> {
    if !matches!(origin, versions::Origin::Ref { .. }) {
        return Vec::new();
    }
    let named: std::collections::HashSet<&str> =
        diagnostics.iter().map(|d| d.file.as_str()).collect();
    pages
        .iter()
        .filter(|p| named.contains(p.file.as_str()))
        .map(|p| (p.file.clone(), p.text.clone()))
        .collect()
}

/// How drift is reported: as configured by `build`, always an error by
/// `check`; not at all when the configuration turns it off.
fn drift_level(config: &config::Config, write: bool) -> Option<diagnostic::Severity> {
    let configured = config.protocols.drift?;
    Some(if write {
        configured
    } else {
        diagnostic::Severity::Error
    })
}

/// Counts `xxx` markers; `check` lists each as a warning.
fn todo_warnings(pages: &[parse::Page], diagnostics: &mut Diagnostics, list: bool) -> usize {
    let mut count = 0;
    for page in pages {
        count += page.todos.len();
        if list {
            diagnostics.extend(page.todos.iter().map(|&(line, column)| {
                let mut d = Diagnostic::warning(&page.file, line, column, "to-do marker `xxx`")
                    .with_help(
                        "replace it with the missing text, or leave it and let `check` remind you",
                    );
                page.relocate(&mut d);
                d
            }));
        }
    }
    count
}
