//! The pages the build makes itself, as markdown that then parses like any
//! page: the protocols derived from the notes ([`derive`]), the register,
//! code of practice and constitution, the Spaces page ([`generated_sources`]),
//! where they go in the SUMMARY (the caller places them: nothing here
//! changes the loaded handbook), and their clashes with the editor's pages.

use crate::diagnostic::Diagnostic;
use crate::{config, load, parse, protocols, spaces};
use std::collections::HashMap;

/// The protocols derived from the editor's pages, and the pages made from
/// them and from the spaces.
pub(crate) struct Generated {
    pub(crate) records: Vec<protocols::ProtocolRecord>,
    /// Register, code of practice, constitution, Spaces page: those the
    /// editor's own pages do not replace.
    pub(crate) sources: Vec<load::SourcePage>,
    pub(crate) derived: Vec<Diagnostic>,
    pub(crate) clashes: Vec<Diagnostic>,
    /// The generated pages' (path, title) in the order they go at the
    /// SUMMARY's end where it does not list them.
    pub(crate) placed: Vec<(String, String)>,
}

/// The generated pages' sources, their clashes with the editor's pages, and
/// where they go in the SUMMARY.
pub(crate) struct Sources {
    /// Those the editor's own pages do not replace.
    pub(crate) pages: Vec<load::SourcePage>,
    pub(crate) clashes: Vec<Diagnostic>,
    /// (path, title) of every page made, to place at the SUMMARY's end.
    pub(crate) placed: Vec<(String, String)>,
}

/// Derives the protocols from `pages` (the editor's, parsed) and makes the
/// generated pages' markdown, placing them in the SUMMARY.
pub(crate) fn generate(
    config: &config::Config,
    handbook: &load::Handbook,
    pages: &[parse::Page],
) -> Generated {
    let (records, derived) = derive(config, handbook, pages);
    let made = generated_sources(config, handbook, pages, &records);
    Generated {
        records,
        sources: made.pages,
        derived,
        clashes: made.clashes,
        placed: made.placed,
    }
}

/// The protocol records of the editor's pages, and their problems.
pub(crate) fn derive(
    config: &config::Config,
    handbook: &load::Handbook,
    pages: &[parse::Page],
) -> (Vec<protocols::ProtocolRecord>, Vec<Diagnostic>) {
    let space_ids = config.spaces.iter().map(|s| s.id.clone()).collect();
    let (records, mut problems) = protocols::derive(
        pages,
        &protocols::Context::new(&handbook.summary, &space_ids),
    );
    // A note in included text is reported at the included file's line.
    let including: HashMap<&str, &parse::Page> = pages
        .iter()
        .filter(|p| !p.includes.is_empty())
        .map(|p| (p.file.as_str(), p))
        .collect();
    for problem in &mut problems {
        if let Some(page) = including.get(problem.file.as_str()) {
            page.relocate(problem);
        }
    }
    (records, problems)
}

/// The register, code of practice, constitution and Spaces page made from
/// the records and pages (those the editor's own pages do not replace), and
/// the clashes with the editor's pages.
pub(crate) fn generated_sources(
    config: &config::Config,
    handbook: &load::Handbook,
    pages: &[parse::Page],
    records: &[protocols::ProtocolRecord],
) -> Sources {
    let p = &config.protocols;
    let listed = |spec| as_listed(&handbook.summary, spec);
    let specs = [
        listed(&p.register),
        listed(&p.code_of_practice),
        listed(&p.constitution),
        listed(&config.spaces_page),
    ];
    let [register, code, constitution, spaces] = &specs;
    let mut sources = protocol_pages(config, records, handbook, [register, code, constitution]);
    let spaces_page = spaces_page(config, pages, records, handbook, [spaces, register]);
    // A clash names the page as configured: the SUMMARY's entry at that
    // path is the editor's own page.
    let specs = [
        &p.register,
        &p.code_of_practice,
        &p.constitution,
        &config.spaces_page,
    ];
    let mut clashing = clashes(handbook, &sources, &specs, config);
    clashing.extend(clashes(handbook, spaces_page.as_slice(), &specs, config));
    sources.extend(spaces_page);
    let placed = sources
        .iter()
        .map(|g| (g.path.clone(), g.summary_title.clone().unwrap_or_default()))
        .collect();
    sources.retain(|g| !handbook.pages.iter().any(|p| p.path == g.path));
    Sources {
        pages: sources,
        clashes: clashing,
        placed,
    }
}

/// `spec` with the title SUMMARY.md gives its page, when it lists it: the
/// link text is the title the editor chose, for the sidebar, the heading,
/// the `<title>`, the breadcrumbs and search alike.
pub(crate) fn as_listed(
    summary: &load::Summary,
    spec: &crate::model::PageSpec,
) -> crate::model::PageSpec {
    let chapters = summary.chapters();
    let entry = chapters
        .iter()
        .find(|c| c.path.as_deref() == Some(spec.path.as_str()));
    match entry {
        Some(chapter) if !chapter.title.trim().is_empty() => crate::model::PageSpec {
            title: chapter.title.clone(),
            ..spec.clone()
        },
        _ => spec.clone(),
    }
}

/// The pages the build may generate: register, code of practice,
/// constitution, spaces, and changes (in a versioned site).
pub(crate) fn generated_specs(config: &config::Config) -> Vec<&crate::model::PageSpec> {
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
pub(crate) fn generated_page(
    config: &config::Config,
    spec: &crate::model::PageSpec,
    markdown: String,
) -> load::SourcePage {
    load::SourcePage {
        file: format!(
            "{}{}{}",
            config.source_label(),
            spec.path,
            load::GENERATED_LABEL
        ),
        summary_title: Some(spec.title.clone()),
        path: spec.path.clone(),
        text: markdown,
        listed: true,
        includes: Default::default(),
    }
}

/// Whether SUMMARY.md lists a generated page itself.
pub(crate) fn summary_lists(handbook: &load::Handbook, spec: &crate::model::PageSpec) -> bool {
    // A page of the editor's own at that path is theirs, not a request.
    let own = handbook.pages.iter().any(|p| p.path == spec.path);
    !own && handbook
        .summary
        .chapters()
        .iter()
        .any(|c| c.path.as_deref() == Some(spec.path.as_str()))
}

/// A generated page may not replace a page of the editor's: an error for
/// each of `made` at an editor's page's path. Where the configuration put
/// the generated page there, the error is at that `path:` key; else it is
/// at the page, naming the key that moves the generated one.
pub(crate) fn clashes(
    handbook: &load::Handbook,
    made: &[load::SourcePage],
    specs: &[&crate::model::PageSpec],
    config: &config::Config,
) -> Vec<Diagnostic> {
    made.iter()
        .filter_map(|g| {
            let page = handbook.pages.iter().find(|p| p.path == g.path)?;
            let spec = specs.iter().find(|s| s.path == g.path)?;
            Some(clash(page, spec, config))
        })
        .collect()
}

fn clash(
    page: &load::SourcePage,
    spec: &crate::model::PageSpec,
    config: &config::Config,
) -> Diagnostic {
    let config_file = config.label(&config.file);
    let (title, key, path) = (&spec.title, &spec.key, &spec.path);
    match spec.path_at {
        Some((line, column)) => Diagnostic::error(
            config_file,
            line,
            column,
            format!(
                "`{key} path: {path}` puts the generated page \"{title}\" where the page {} is",
                page.file
            ),
        )
        .with_help("choose a path no page of the handbook has"),
        None => Diagnostic::error(
            &page.file,
            0,
            0,
            format!("the build generates the page \"{title}\" at `{path}`, where this page is"),
        )
        .with_help(format!(
            "rename this file, or give the generated page another `path:` under `{key}` in {config_file}"
        )),
    }
}

/// The Spaces page, when spaces are declared (or SUMMARY lists it).
pub(crate) fn spaces_page(
    config: &config::Config,
    pages: &[parse::Page],
    records: &[protocols::ProtocolRecord],
    handbook: &load::Handbook,
    [spec, register]: [&crate::model::PageSpec; 2],
) -> Option<load::SourcePage> {
    if config.spaces.is_empty() && !summary_lists(handbook, spec) {
        return None;
    }
    let markdown = spaces::page(&config.spaces, pages, records, spec, register);
    Some(generated_page(config, spec, markdown))
}

/// The register, code of practice and constitution as source pages. A
/// handbook without notes gets none, unless SUMMARY asks for them.
pub(crate) fn protocol_pages(
    config: &config::Config,
    records: &[protocols::ProtocolRecord],
    handbook: &load::Handbook,
    specs: [&crate::model::PageSpec; 3],
) -> Vec<load::SourcePage> {
    if records.is_empty() && !specs.iter().any(|s| summary_lists(handbook, s)) {
        return Vec::new();
    }
    let kinds = config
        .spaces
        .iter()
        .map(|s| (s.id.clone(), s.kind.as_str().to_string()))
        .collect();
    let made = protocols::pages::generate(records, specs, &kinds);
    made.into_iter()
        .map(|g| generated_page(config, &g.spec, g.markdown))
        .collect()
}
