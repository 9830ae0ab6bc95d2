//! One version through the pipeline: [`open`] reads, parses, derives and
//! dates it (an [`Edition`]); [`add_changes_pages`] gives each edition its
//! Changes page against the next; [`finish`] checks its links, renders it
//! with the version switcher and lays out its files ([`Finished`]); [`gather`]
//! puts the versions' results together for the report. `build` in `lib.rs`
//! runs these over every version in parallel.

use super::*;

/// Every version's diagnostics, page and to-do counts, sites and texts, together.
pub(super) type Gathered = (
    Diagnostics,
    usize,
    usize,
    Vec<Option<output::layout::VersionSite>>,
    BTreeMap<String, String>,
);

/// The versions' results, in plan order, as one.
pub(super) fn gather(finished: Vec<Finished>) -> Gathered {
    let mut diagnostics = Diagnostics::new();
    let (mut pages, mut todos) = (0, 0);
    let mut sites = Vec::new();
    let mut texts = BTreeMap::new();
    for done in finished {
        diagnostics.extend(done.diagnostics);
        pages += done.pages;
        todos += done.todos;
        sites.push(done.site);
        texts.extend(done.texts);
    }
    (diagnostics, pages, todos, sites, texts)
}

/// One version read, parsed, its protocols derived and its pages dated.
pub(super) struct Edition {
    version: versions::Version,
    config: config::Config,
    prepared: Prepared,
}

impl Edition {
    /// The edition as the Changes page compares it.
    fn side(&self) -> versions::changes::Side<'_> {
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
    step: &(dyn Fn(&str) + Sync),
) -> Result<Edition> {
    let source = plan.open(version, project)?;
    let mut prepared = prepare(&source.config, source.tree.as_ref(), true, step)?;
    if let Some(history) = &source.history {
        date_pages(history, &source.config, &mut prepared)?;
    }
    Ok(Edition {
        version: version.clone(),
        config: source.config,
        prepared,
    })
}

/// "Last updated" from git for the pages that do not say it themselves.
/// Protocol records keep only the dates pages state, so `protocols/` does
/// not drift with every commit.
fn date_pages(
    history: &versions::History,
    config: &config::Config,
    prepared: &mut Prepared,
) -> Result<()> {
    let paths: Vec<String> = prepared
        .handbook
        .pages
        .iter()
        .map(|p| p.path.clone())
        .collect();
    let (dates, undated) = history.dates(&paths)?;
    for page in &mut prepared.pages {
        if page.updated.is_none() {
            page.updated = dates.get(&page.path).copied();
        }
    }
    if undated > 0 {
        let message =
            format!("this is a shallow clone: {undated} pages have no date from the history");
        prepared.diagnostics.push(
            Diagnostic::warning(config.label(&config.file), 0, 0, message).with_help(
                "fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in CI) to date every page",
            ),
        );
    }
    Ok(())
}

/// Each version but the oldest gets a Changes page against the one after it.
pub(super) fn add_changes_pages(editions: &mut [Edition], project: &config::Config) {
    let Some(spec) = project.versions.as_ref().map(|v| v.changes_page.clone()) else {
        return;
    };
    let made: Vec<String> = editions
        .windows(2)
        .map(|pair| {
            let register = &pair[0].config.protocols.register;
            versions::changes::page(pair[1].side(), pair[0].side(), &spec, register)
        })
        .collect();
    for (edition, markdown) in editions.iter_mut().zip(made) {
        let prepared = &mut edition.prepared;
        let page = generated_page(&edition.config, &spec, markdown);
        prepared.diagnostics.extend(clashes(
            &prepared.handbook,
            std::slice::from_ref(&page),
            "versions: changes-page:",
        ));
        if prepared.pages.iter().any(|p| p.path == spec.path) {
            continue;
        }
        prepared
            .handbook
            .summary
            .append_missing(&[(spec.path.as_str(), spec.title.as_str())]);
        let space_urls = space_urls(&edition.config);
        let options = parse_options(&edition.config, &space_urls, true);
        let parsed = parse_all(&[page], options, &mut prepared.diagnostics);
        prepared.pages.extend(parsed);
    }
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
pub(super) struct Finished {
    diagnostics: Diagnostics,
    pages: usize,
    todos: usize,
    /// Its files, when they are to be written and nothing failed.
    site: Option<output::layout::VersionSite>,
    /// Texts of its pages with diagnostics, when they are not on disk.
    texts: Vec<(String, String)>,
}

/// Links checked, pages rendered and laid out: one version's site.
pub(super) fn finish(
    edition: Edition,
    renderer: &render::Renderer,
    version: Option<(&versions::switch::Switcher, usize)>,
    root_404: Option<&str>,
    write: bool,
) -> Result<Finished> {
    let Edition {
        version: about,
        config,
        prepared,
    } = edition;
    let Prepared {
        handbook,
        pages,
        records,
        mut diagnostics,
    } = prepared;
    // Records of broken notes are incomplete: their drift would only be noise.
    // Only the working tree's protocols/ is the editor's to keep in step.
    if !diagnostics.has_errors() && about.origin == versions::Origin::WorkingTree {
        diagnostics.extend(protocol_drift(
            &config,
            &records,
            drift_level(&config, write),
        )?);
    }
    let index = links::LinkIndex::new(&pages, &handbook.assets, &config.spaces);
    let resolved = resolve_all(&pages, &index, config.broken_links, &mut diagnostics);
    let todos = todo_warnings(&pages, &mut diagnostics, !write);
    let navigation = render::nav::Navigation::new(&handbook.summary, &pages);
    let renderer = renderer.for_version(&config, &about.name);
    let rendered = renderer.render_site(&pages, &resolved, &navigation, version)?;
    diagnostics.extend(output::collisions(
        &pages,
        &handbook.assets,
        &rendered.statics,
        &config.source_label(),
    ));
    let site = if write && !diagnostics.has_errors() {
        let data = data_files(&config, &records, &pages)?;
        let root_not_found = root_404
            .map(|root| renderer.render_not_found_at(navigation.top_level(&pages), root.into()))
            .transpose()?;
        let files = output::layout(
            &config,
            rendered,
            &pages,
            &handbook.assets,
            data,
            version.is_none(),
        );
        Some(output::layout::VersionSite {
            files,
            pages: output::layout::sitemap_entries(&pages),
            root_not_found,
        })
    } else {
        None
    };
    let texts = texts_with_problems(&about.origin, &handbook.pages, &diagnostics);
    Ok(Finished {
        diagnostics,
        pages: pages.len(),
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

/// How drift is reported: as configured by `build`, always an error by `check`.
fn drift_level(config: &config::Config, write: bool) -> diagnostic::Severity {
    if write {
        config.protocols.drift
    } else {
        diagnostic::Severity::Error
    }
}
