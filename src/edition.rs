//! One version through the pipeline: [`open`] reads, parses, derives and
//! dates it (an [`Edition`]); [`add_changes_pages`] gives each edition its
//! Changes page against the next; [`finish`] checks its links, renders it
//! with the version switcher and lays out its files ([`Finished`]); [`gather`]
//! puts the versions' results together for the report. `build` in `lib.rs`
//! runs these over every version in parallel.

use super::*;
use std::collections::HashMap;

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

/// One version opened and prepared, its pages dated from its history.
pub(super) fn open(
    plan: &versions::Plan,
    version: &versions::Version,
    project: &config::Config,
    kept: Option<&cache::Cache>,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Edition> {
    let source = plan.open(version, project)?;
    let mut prepared = prepare(
        &source.config,
        source.tree.as_ref(),
        true,
        (ParseCache::new(), kept),
        step,
    )?;
    let dates = match &source.history {
        Some(history) => history_dates(history, &source.config, &mut prepared)?,
        None => HashMap::new(),
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

/// Each version but the oldest gets a Changes page against the one after it.
pub(super) fn add_changes_pages(editions: &mut [Edition], project: &config::Config) {
    for i in 1..editions.len() {
        let (newer, older) = editions.split_at_mut(i);
        add_changes_page(&mut newer[i - 1], &older[0], project);
    }
}

/// The markdown of `newer`'s Changes page against `older`, when the project
/// has versions.
pub(crate) fn changes_markdown(
    newer: &Edition,
    older: &Edition,
    project: &config::Config,
) -> Option<String> {
    let spec = &project.versions.as_ref()?.changes_page;
    let register = &newer.config.protocols.register;
    Some(versions::changes::page(
        older.side(),
        newer.side(),
        spec,
        register,
    ))
}

/// Gives `newer` its Changes page against `older`, unless a page of the
/// editor's is at its path (an error).
pub(crate) fn add_changes_page(newer: &mut Edition, older: &Edition, project: &config::Config) {
    let (Some(markdown), Some(versions)) =
        (changes_markdown(newer, older, project), &project.versions)
    else {
        return;
    };
    let spec = &versions.changes_page;
    let page = generated_page(&newer.config, spec, markdown);
    let prepared = &mut newer.prepared;
    prepared.problems.fixed.extend(clashes(
        &prepared.handbook,
        std::slice::from_ref(&page),
        &[spec],
        project,
    ));
    if prepared.pages.iter().any(|p| p.path == spec.path) {
        return;
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
    edition: Edition,
    renderer: &render::Renderer,
    target: Target<'_>,
    root_404: Option<&str>,
    write: bool,
) -> Result<Finished> {
    let (version, about, config) = (target.version, edition.version, edition.config);
    let Prepared {
        handbook,
        pages,
        records,
        problems,
        ..
    } = edition.prepared;
    let mut diagnostics = problems.into_diagnostics();
    let compare = !diagnostics.has_errors() && about.origin == versions::Origin::WorkingTree;
    let (index, resolved) = check(
        (&config, &records),
        (&pages, &handbook.assets),
        Comparison { compare, write },
        &mut diagnostics,
    )?;
    let todos = todo_warnings(&pages, &mut diagnostics, !write);
    let navigation =
        render::nav::Navigation::new(&handbook.summary, &pages, config.carried.section_numbers);
    let renderer = renderer.for_version(&config, &about.name);
    let wanted = write && !diagnostics.has_errors();
    let (rendered, search) = render_and_index(
        (&renderer, &config),
        (&pages, &resolved, &navigation),
        (target, &about.name),
        wanted,
    );
    let rendered = rendered?;
    diagnostics.extend(output::collisions(
        &pages,
        &handbook.assets,
        &rendered.statics,
        &config.source_label(),
    ));
    let site = if write && !diagnostics.has_errors() {
        let mut data = data_files(&config, &records, &pages)?;
        data.extend(search.transpose()?.unwrap_or_default());
        let root_not_found = root_404
            .map(|root| renderer.render_not_found_at(navigation.top_level(&pages), root.into()))
            .transpose()?;
        let laid_out = (rendered, data, root_not_found);
        Some(version_site(
            &config,
            (&pages, &handbook.assets),
            laid_out,
            version.is_none(),
        ))
    } else {
        None
    };
    let texts = texts_with_problems(&about.origin, &handbook.pages, &diagnostics);
    let count = pages.len();
    // Freeing every page's parts takes a while: another thread does it
    // while the site is written.
    std::thread::spawn(move || drop((pages, handbook, index, resolved, navigation)));
    Ok(Finished {
        diagnostics,
        pages: count,
        todos,
        site,
        texts,
    })
}

/// Whether and how `protocols/` is compared with the records.
#[derive(Debug, Clone, Copy)]
struct Comparison {
    /// Compare at all (the working tree's edition, free of errors).
    compare: bool,
    /// The build writes the site (drift at its configured level), rather
    /// than `check` (drift is an error).
    write: bool,
}

/// The version's links checked and resolved, and — when `compare` —
/// `protocols/` compared with the records at the same time.
fn check(
    (config, records): (&config::Config, &[protocols::ProtocolRecord]),
    (pages, assets): (&[parse::Page], &[load::Asset]),
    comparison: Comparison,
    diagnostics: &mut Diagnostics,
) -> Result<(links::LinkIndex, Vec<links::Resolved>)> {
    let Comparison { compare, write } = comparison;
    let (drifted, (index, resolved, broken)) = rayon::join(
        || compare.then(|| drift(config, records, write)).transpose(),
        || {
            let index = links::LinkIndex::new(pages, assets, &config.spaces);
            let mut broken = Diagnostics::new();
            let resolved = resolve_all(pages, &index, config.broken_links, &mut broken);
            (index, resolved, broken)
        },
    );
    diagnostics.extend(drifted?.unwrap_or_default());
    diagnostics.extend(broken);
    diagnostics.extend(output::carried::problems(config, pages, assets));
    Ok((index, resolved))
}

/// One version's files laid out, with its sitemap entries and (for the
/// lead version) the not-found page of the site's root.
fn version_site(
    config: &config::Config,
    (pages, assets): (&[parse::Page], &[load::Asset]),
    (rendered, data, root_not_found): (render::RenderedSite, Vec<output::OutFile>, Option<String>),
    root_files: bool,
) -> output::layout::VersionSite {
    output::layout::VersionSite {
        files: output::layout(config, rendered, pages, assets, data, root_files),
        pages: output::layout::sitemap_entries(pages),
        root_not_found,
    }
}

/// The version's pages rendered and, when the site is to be written, its
/// search index made, side by side: each has steps that run on one thread,
/// which the other's work fills.
fn render_and_index(
    (renderer, config): (&render::Renderer, &config::Config),
    (pages, resolved, navigation): (&[parse::Page], &[links::Resolved], &render::nav::Navigation),
    (target, name): (Target<'_>, &str),
    wanted: bool,
) -> (
    Result<render::RenderedSite>,
    Option<Result<Vec<output::OutFile>>>,
) {
    // Pages go into the version's folder of a versioned site.
    let folder = if target.version.is_some() {
        versions::folder(name)
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
    rayon::join(
        || renderer.render_site(pages, resolved, navigation, (target.version, output)),
        || wanted.then(|| search_index(config, pages, navigation, target.reuse)),
    )
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

/// `protocols/` compared with the records. Records of broken notes are
/// incomplete (their drift would only be noise), and only the working
/// tree's `protocols/` is the editor's to keep in step: the caller asks
/// only then.
fn drift(
    config: &config::Config,
    records: &[protocols::ProtocolRecord],
    write: bool,
) -> Result<Vec<diagnostic::Diagnostic>> {
    protocol_drift(config, records, drift_level(config, write))
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
