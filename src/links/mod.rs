//! Stage 4: a [`Page`]'s links + the [`LinkIndex`] of the whole handbook →
//! [`Resolved`] URLs and diagnostics.
//!
//! Every internal link, image and anchor is checked against the pages that
//! exist, their heading ids and the assets; a broken one is a diagnostic at its
//! file:line:col with a "did you mean" when a near name exists (a generated
//! page's, copied from a statement, at the statement's own page). URLs come out
//! relative to the linking page, so the site works under any path prefix and
//! from disk. External links are left as written and not fetched. A link to
//! an output name (`cli/index.html`) lands on the page written there; a
//! GitBook-hosted file is its local copy or a placeholder ([`hosted`]), never
//! a broken link.

use crate::config::Space;
use crate::diagnostic::{Diagnostic, Severity};
use crate::html::escape;
use crate::load::Asset;
use crate::model::path::{href, relative_url};
use crate::parse::{Link, LinkTarget, Page, Slot};
use std::collections::{HashMap, HashSet};

mod hosted;

pub use hosted::missing as missing_hosted;

/// What links can land on: pages with their anchors, and assets. It owns
/// its entries, so the dev server keeps one and updates a page's entry when
/// the page is parsed again ([`LinkIndex::update`]).
#[derive(Debug, Default)]
pub struct LinkIndex {
    pages: HashMap<String, PageEntry>,
    assets: HashSet<String>,
    spaces: HashMap<String, Space>,
    /// Files in `.gitbook/assets/` folders by hosted name (see [`hosted`]).
    hosted: HashMap<String, String>,
}

#[derive(Debug, PartialEq, Eq)]
struct PageEntry {
    url: String,
    title: String,
    anchors: HashSet<String>,
}

impl PageEntry {
    fn of(page: &Page) -> Self {
        Self {
            url: page.url.clone(),
            title: page.title.clone(),
            anchors: page.anchors().map(str::to_string).collect(),
        }
    }
}

impl LinkIndex {
    /// Indexes every page's URL, title and heading ids, and every asset.
    pub fn new(pages: &[Page], assets: &[Asset], spaces: &[Space]) -> Self {
        Self {
            pages: pages
                .iter()
                .map(|p| (p.path.clone(), PageEntry::of(p)))
                .collect(),
            assets: assets.iter().map(|a| a.path.clone()).collect(),
            spaces: spaces.iter().map(|s| (s.id.clone(), s.clone())).collect(),
            hosted: hosted::names(assets),
        }
    }

    /// Replaces the entry of a page already indexed; says whether what links
    /// to it see (URL, title, anchors) changed.
    pub fn update(&mut self, page: &Page) -> bool {
        let entry = PageEntry::of(page);
        match self.pages.get_mut(&page.path) {
            Some(old) if *old == entry => false,
            Some(old) => {
                *old = entry;
                true
            }
            None => {
                self.pages.insert(page.path.clone(), entry);
                true
            }
        }
    }

    fn page(&self, path: &str) -> Option<&PageEntry> {
        self.pages.get(path)
    }
}

/// The page paths whose index entries resolving `page`'s links reads: what
/// it must be resolved again after (the dev server's dependency edges).
pub fn reads(page: &Page) -> impl Iterator<Item = String> + '_ {
    page.links.iter().flat_map(move |link| match &link.target {
        LinkTarget::Anchor(_) => vec![page.path.clone()],
        LinkTarget::Page { path, fallback, .. } => std::iter::once(path.clone())
            .chain(fallback.clone())
            .collect(),
        LinkTarget::Asset(path) => vec![format!("{path}/README.md"), format!("{path}.md")],
        LinkTarget::Output { path, .. } => output_sources(path),
        _ => Vec::new(),
    })
}

/// One page's links, resolved in order: escaped URLs relative to the page, and
/// the target page's title where the link asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Resolved {
    /// One per link, ready for an HTML attribute.
    pub hrefs: Vec<String>,
    /// One per link: the target page's escaped title, for auto-titled links.
    pub titles: Vec<String>,
    /// One per link: attributes it adds (a space's class, tooltip and `rel`).
    pub attrs: Vec<String>,
    /// One per link: the element a hosted file's link or image opens with
    /// (empty for the others).
    pub elements: Vec<String>,
}

impl Resolved {
    /// What goes into a body slot.
    pub fn slot(&self, slot: Slot) -> &str {
        match slot {
            Slot::Href(n) => self.hrefs.get(n).map_or("", String::as_str),
            Slot::Title(n) => self.titles.get(n).map_or("", String::as_str),
            Slot::Attrs(n) => self.attrs.get(n).map_or("", String::as_str),
            Slot::Element(n) => self.elements.get(n).map_or("", String::as_str),
        }
    }
}

/// Resolves `page`'s links; broken ones get `level` (error, or warning when
/// the configuration lowers it), each placed where its text was written. A generated page's links are resolved, and
/// their problems left to the pages its statements come from.
pub fn resolve(page: &Page, index: &LinkIndex, level: Severity) -> (Resolved, Vec<Diagnostic>) {
    let mut resolved = Resolved::default();
    let mut problems = Vec::new();
    for link in &page.links {
        let attrs = match &link.target {
            LinkTarget::Space { id, .. } => index
                .spaces
                .get(id.as_str())
                .map_or_else(String::new, |s| space_attrs(s, link)),
            _ => String::new(),
        };
        let (href, title) = match resolve_one(page, link, index) {
            Ok(found) => found,
            Err((message, help)) => {
                let mut d = Diagnostic::error(&page.file, link.line, link.column, message);
                // A broken page link may be lowered to a warning; an unknown space may not.
                if !matches!(link.target, LinkTarget::Space { .. }) {
                    d.severity = level;
                }
                problems.push(match help {
                    Some(help) => d.with_help(help),
                    None => d,
                });
                (link.raw.clone(), link.raw.clone())
            }
        };
        resolved.hrefs.push(escape(&href));
        resolved.titles.push(escape(&title));
        resolved.attrs.push(attrs);
        resolved.elements.push(match &link.target {
            LinkTarget::Hosted { .. } => {
                hosted::element(link, &hosted::Place::of(page, index, &link.target))
            }
            _ => String::new(),
        });
    }
    problems.extend(front_matter_spaces(page, index));
    if crate::load::is_generated(&page.file) {
        // A generated page shows statements written on other pages, their
        // links moved to it: each broken one is reported where it is
        // written, not again at a place in no file.
        problems.clear();
    }
    // A link in included text is reported at the included file's line.
    problems.iter_mut().for_each(|d| page.relocate(d));
    (resolved, problems)
}

type Found = (String, String);
type Broken = (String, Option<String>);

fn resolve_one(page: &Page, link: &Link, index: &LinkIndex) -> Result<Found, Broken> {
    match &link.target {
        LinkTarget::Anchor(anchor) => {
            check_anchor(index.page(&page.path), anchor, "this page")?;
            Ok((format!("#{anchor}"), page.title.clone()))
        }
        LinkTarget::Page {
            path,
            fallback,
            anchor,
        } => {
            let sources: Vec<&String> = [Some(path), fallback.as_ref()]
                .into_iter()
                .flatten()
                .collect();
            to_page(page, link, index, &sources, anchor.as_deref())
        }
        LinkTarget::Output { path, anchor } => {
            let fragment = anchor
                .as_ref()
                .map_or_else(String::new, |a| format!("#{a}"));
            if index.assets.contains(path.as_str()) {
                return Ok((
                    format!("{}{fragment}", href(&relative_url(&page.url, path))),
                    path.clone(),
                ));
            }
            let sources = output_sources(path);
            let sources: Vec<&String> = sources.iter().collect();
            to_page(page, link, index, &sources, anchor.as_deref())
        }
        LinkTarget::Hosted { name, .. } => {
            // Only raw HTML puts this URL in the page; markdown takes the element.
            let place = hosted::Place::of(page, index, &link.target);
            Ok((hosted::raw_url(&place, name), name.clone()))
        }
        LinkTarget::Asset(path) => {
            if index.assets.contains(path.as_str()) {
                return Ok((href(&relative_url(&page.url, path)), path.clone()));
            }
            // A folder or page named without `.md`: `../members` → its README.
            let as_page = [format!("{path}/README.md"), format!("{path}.md")];
            if let Some(entry) = as_page.iter().find_map(|p| index.page(p)) {
                return Ok((
                    href(&relative_url(&page.url, &entry.url)),
                    entry.title.clone(),
                ));
            }
            let help = near_page(page, path, index.assets.iter().map(String::as_str));
            Err((
                format!("link to `{}`: no such file in the source folder", link.raw),
                help,
            ))
        }
        LinkTarget::Space { id, path, join } => resolve_space(id, path, *join, index),
        LinkTarget::Outside => Err((
            format!("link to `{}` points outside the source folder", link.raw),
            Some("copy the file into the source folder and link it there".into()),
        )),
        LinkTarget::External => Ok((link.raw.clone(), link.raw.clone())),
    }
}

/// The first of `sources` that is a page, with the anchor checked on it.
fn to_page(
    page: &Page,
    link: &Link,
    index: &LinkIndex,
    sources: &[&String],
    anchor: Option<&str>,
) -> Result<Found, Broken> {
    let found = sources
        .iter()
        .find_map(|p| index.page(p).map(|entry| (p, entry)));
    let Some((target_path, entry)) = found else {
        let first = sources.first().map_or("", |p| p.as_str());
        return Err((
            format!("link to `{}`: no such page", link.raw),
            near_page(page, first, index.pages.keys().map(String::as_str)),
        ));
    };
    if let Some(anchor) = anchor {
        check_anchor(Some(entry), anchor, &format!("`{target_path}`"))?;
    }
    let fragment = anchor.map_or_else(String::new, |a| format!("#{a}"));
    Ok((
        format!("{}{fragment}", href(&relative_url(&page.url, &entry.url))),
        entry.title.clone(),
    ))
}

/// The pages whose output `path` is: `cli/index.html` is written from
/// `cli/README.md` or `cli/index.md`, `page.html` from `page.md`.
fn output_sources(path: &str) -> Vec<String> {
    let stem = path.strip_suffix(".html").unwrap_or(path);
    match stem.strip_suffix("index") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => {
            vec![format!("{folder}README.md"), format!("{folder}index.md")]
        }
        _ => vec![format!("{stem}.md")],
    }
}

/// A space's URL (with `path` appended), or its access link for `?join`.
fn resolve_space(id: &str, path: &str, join: bool, index: &LinkIndex) -> Result<Found, Broken> {
    if id.is_empty() {
        return Err((
            "a space link needs a space id".into(),
            Some("write `space:forum`, `space:forum/t/123` or `space:forum?join`".into()),
        ));
    }
    let Some(space) = index.spaces.get(id) else {
        return Err((format!("unknown space `{id}`"), Some(space_hint(id, index))));
    };
    match (join, &space.access) {
        (true, _) if !path.is_empty() => Err((
            format!("`space:{id}?join` is the access link; it takes no path"),
            Some(format!(
                "link `space:{id}{path}` to open that place, or `space:{id}?join` for access"
            )),
        )),
        (true, Some(access)) => Ok((access.clone(), space.title.clone())),
        (true, None) => Err((
            format!("space `{id}` has no access link"),
            Some(format!(
                "add `access:` to space `{id}` in the configuration, or link `space:{id}`"
            )),
        )),
        (false, _) => Ok((with_path(&space.url, path), space.title.clone())),
    }
}

/// `https://meet.x/room?id=3` + `/x` → `https://meet.x/room/x?id=3`: the
/// path goes before the URL's own query and fragment.
fn with_path(url: &str, path: &str) -> String {
    let split = url.find(['?', '#']).unwrap_or(url.len());
    format!("{}{path}{}", &url[..split], &url[split..])
}

/// ` class="space space-venue" title="General assembly" rel="noopener"`; an
/// author's own `"title"` stays the tooltip.
fn space_attrs(space: &Space, link: &Link) -> String {
    let title = if link.has_title {
        String::new()
    } else {
        format!(" title=\"{}\"", escape(&space.title))
    };
    format!(
        " class=\"space space-{}\"{title} rel=\"noopener\"",
        space.kind.as_str()
    )
}

fn space_hint(id: &str, index: &LinkIndex) -> String {
    let mut known: Vec<&str> = index.spaces.keys().map(String::as_str).collect();
    known.sort_unstable();
    if known.is_empty() {
        return "no spaces are declared; declare them under `spaces:` in the configuration".into();
    }
    crate::yaml::suggest(id, &known, "space")
}

/// The `spaces:` a page's front matter lists must be declared.
fn front_matter_spaces(page: &Page, index: &LinkIndex) -> Vec<Diagnostic> {
    page.spaces
        .iter()
        .filter(|(id, _, _)| !index.spaces.contains_key(id.as_str()))
        .map(|(id, line, column)| {
            Diagnostic::error(&page.file, *line, *column, format!("unknown space `{id}`"))
                .with_help(space_hint(id, index))
        })
        .collect()
}

fn check_anchor(entry: Option<&PageEntry>, anchor: &str, place: &str) -> Result<(), Broken> {
    let Some(entry) = entry else { return Ok(()) };
    if entry.anchors.contains(anchor) {
        return Ok(());
    }
    let help = near(anchor, entry.anchors.iter().map(String::as_str)).or_else(|| {
        let mut ids: Vec<&str> = entry.anchors.iter().map(String::as_str).collect();
        ids.sort_unstable();
        (!ids.is_empty()).then(|| format!("its headings' ids are: {}", ids.join(", ")))
    });
    Err((format!("`#{anchor}` is not a heading on {place}"), help))
}

/// "did you mean" for a page or file, written as the linking page would
/// write it (relative to its folder).
fn near_page<'a>(page: &Page, given: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    let best = crate::yaml::closest(given, known)?;
    Some(format!(
        "did you mean `{}`?",
        relative_url(&page.path, best)
    ))
}

fn near<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    crate::yaml::closest(given, known).map(|k| format!("did you mean `{k}`?"))
}

/// The relative path from a page to the site root: `""` or `"../../"`.
pub fn root_of(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_paths_go_before_the_space_url_s_query() {
        assert_eq!(
            with_path("https://meet.x/room?id=3", "/x"),
            "https://meet.x/room/x?id=3"
        );
        assert_eq!(with_path("https://forum.x", "/t/1"), "https://forum.x/t/1");
    }

    #[test]
    fn output_names_come_from_their_pages() {
        assert_eq!(
            output_sources("cli/index.html"),
            ["cli/README.md", "cli/index.md"]
        );
        assert_eq!(output_sources("index.html"), ["README.md", "index.md"]);
        assert_eq!(output_sources("a/page.html"), ["a/page.md"]);
        assert_eq!(output_sources("a/reindex.html"), ["a/reindex.md"]);
    }

    #[test]
    fn root_is_one_step_up_per_folder() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("a/b/c.html"), "../../");
    }
}
