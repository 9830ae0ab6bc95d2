//! Files GitBook hosts, as the links stage finds them.
//!
//! Takes a page's [`LinkTarget::Hosted`] links (`/files/<id>`,
//! `.gitbook/assets/<name>`, `https://<space>.gitbook.io/…/files/<id>`) and
//! the assets of the source folder; gives each its local copy, or the
//! markup that keeps the page readable without it: an image's alt text as a
//! visible placeholder, or a link to where the file still lives (the
//! legacy site, or the GitBook URL as written). Guarantees: a missing
//! hosted file never fails the build; it is one warning per file for the
//! whole handbook, at its first reference, saying how to bring it in.
//!
//! A local copy is the asset at the path as written, else a file in a
//! `.gitbook/assets/` folder (any depth) whose name, or name without its
//! extension, is the id: `/files/abc123` finds `.gitbook/assets/abc123.png`.

use super::LinkIndex;
use crate::diagnostic::Diagnostic;
use crate::html::escape;
use crate::load::Asset;
use crate::model::path::{href, relative_url};
use crate::parse::link::ASSETS_FOLDER;
use crate::parse::{Link, LinkTarget, Page};
use std::collections::{BTreeMap, HashMap};

/// Hosted names (file name, and file name without extension) → the asset
/// in a `.gitbook/assets/` folder; the first by path wins a shared name.
pub(super) fn names(assets: &[Asset]) -> HashMap<String, String> {
    let mut sorted: Vec<&str> = assets
        .iter()
        .map(|a| a.path.as_str())
        .filter(|p| in_assets_folder(p))
        .collect();
    sorted.sort_unstable();
    let mut names = HashMap::new();
    for path in sorted {
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        for key in [name, stem] {
            names
                .entry(key.to_string())
                .or_insert_with(|| path.to_string());
        }
    }
    names
}

fn in_assets_folder(path: &str) -> bool {
    path.find(ASSETS_FOLDER)
        .is_some_and(|at| at == 0 || path[..at].ends_with('/'))
}

/// The local copy of a hosted file, by source path.
pub(super) fn local<'i>(index: &'i LinkIndex, name: &str, path: &str) -> Option<&'i str> {
    if let Some(found) = index.assets.get(path) {
        return Some(found.as_str());
    }
    index.hosted.get(name).map(String::as_str)
}

/// Where the reader finds a hosted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    /// The local copy, by URL relative to the page.
    Local(String),
    /// Where it lives on the web (the legacy site, or as written).
    Web(String),
    /// Nowhere: only the placeholder.
    Nowhere,
}

impl Place {
    /// Where a hosted `target` is, seen from `page`.
    pub(super) fn of(page: &Page, index: &LinkIndex, target: &LinkTarget) -> Self {
        let LinkTarget::Hosted { name, path, web } = target else {
            return Place::Nowhere;
        };
        match (local(index, name, path), web) {
            (Some(copy), _) => Place::Local(href(&relative_url(&page.url, copy))),
            (None, Some(web)) => Place::Web(web.clone()),
            (None, None) => Place::Nowhere,
        }
    }

    /// The URL a link to it takes, if any.
    pub(super) fn url(&self) -> Option<&str> {
        match self {
            Place::Local(url) | Place::Web(url) => Some(url),
            Place::Nowhere => None,
        }
    }
}

/// The URL a hosted file's slot in raw HTML (`<img src="/files/…">` in a
/// GitBook `<figure>`) takes: its place, else a small picture saying the
/// file was not exported, so the reader sees no broken-image icon.
pub(super) fn raw_url(place: &Place, name: &str) -> String {
    if let Some(url) = place.url() {
        return url.to_string();
    }
    let svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='360' height='48'>\
         <rect x='1' y='1' width='358' height='46' rx='6' fill='none' stroke='gray' stroke-dasharray='4'/>\
         <text x='12' y='29' font-family='sans-serif' font-size='14' fill='gray'>Not exported from GitBook: {}</text></svg>",
        escape(name)
    );
    let mut url = String::from("data:image/svg+xml,");
    for byte in svg.bytes() {
        if byte.is_ascii_alphanumeric() || b"=':/.,-".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// The markup that opens a hosted link (`<a …>`), or a hosted image's whole
/// element: the file itself when it is found, else a placeholder.
pub(super) fn element(link: &Link, place: &Place) -> String {
    let LinkTarget::Hosted { name, .. } = &link.target else {
        return String::new();
    };
    let Some(alt) = &link.alt else {
        return match place.url() {
            Some(url) => format!("<a href=\"{}\">", escape(url)),
            None => format!("<a class=\"hosted-missing\" title=\"{}\">", escape(MISSING)),
        };
    };
    let label = escape(if alt.trim().is_empty() { name } else { alt });
    match place {
        Place::Local(url) => format!(
            "<img src=\"{}\" alt=\"{}\" loading=\"lazy\">",
            escape(url),
            escape(alt)
        ),
        Place::Web(url) if !link.in_link => format!(
            "<a class=\"hosted-missing\" href=\"{}\" rel=\"noopener\" title=\"{}\">{label}</a>",
            escape(url),
            escape(ON_THE_WEB)
        ),
        Place::Web(_) | Place::Nowhere => format!(
            "<span class=\"hosted-missing\" role=\"img\" aria-label=\"{label}\" title=\"{}\">{label}</span>",
            escape(MISSING)
        ),
    }
}

const MISSING: &str = "This file is kept by GitBook and was not exported with the handbook";
const ON_THE_WEB: &str = "This image is not in the handbook: it opens where GitBook keeps it";

/// One warning per hosted file the handbook has no copy of, at its first
/// reference in page order. A file linked by its absolute GitBook URL is
/// left alone: it is read from there, as written.
pub fn missing(pages: &[Page], index: &LinkIndex) -> Vec<Diagnostic> {
    let mut found: BTreeMap<&str, (usize, &Page, &Link)> = BTreeMap::new();
    let mut order = Vec::new();
    for page in pages {
        for link in &page.links {
            let LinkTarget::Hosted { name, path, web } = &link.target else {
                continue;
            };
            let as_written = web.as_deref() == Some(link.raw.trim());
            if as_written || local(index, name, path).is_some() {
                continue;
            }
            let seen = found.entry(path.as_str()).or_insert_with(|| {
                order.push(path.as_str());
                (0, page, link)
            });
            seen.0 += 1;
        }
    }
    order
        .into_iter()
        .filter_map(|path| found.get(path))
        .map(|(count, page, link)| warning(page, link, *count))
        .collect()
}

fn warning(page: &Page, link: &Link, count: usize) -> Diagnostic {
    let LinkTarget::Hosted { name, web, path } = &link.target else {
        unreachable!("only hosted links are warned about");
    };
    let more = match count {
        1 => String::new(),
        n => format!(" (linked {n} times; this is the first)"),
    };
    let message = format!(
        "`{}` is a file GitBook hosts, and the handbook has no copy of it{more}",
        link.raw
    );
    let meanwhile = if web.is_some() {
        "until then the page links to it on the legacy site"
    } else {
        "until then the page shows its alt text in its place"
    };
    let save_as = if path.contains(ASSETS_FOLDER) {
        format!("`{path}`")
    } else {
        // An id has no extension; the file saved may keep its own.
        format!("`{ASSETS_FOLDER}{name}` (or `{name}.png`, `{name}.pdf`, …)")
    };
    let help = format!(
        "download it from GitBook and save it in the source folder as {save_as}; {meanwhile}"
    );
    let mut warning =
        Diagnostic::warning(&page.file, link.line, link.column, message).with_help(help);
    // A link in included text is reported at the included file's line.
    page.relocate(&mut warning);
    warning
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::AssetData;

    fn assets(paths: &[&str]) -> Vec<Asset> {
        paths
            .iter()
            .map(|p| Asset {
                path: p.to_string(),
                data: AssetData::Disk(p.into()),
            })
            .collect()
    }

    #[test]
    fn hosted_names_are_file_names_and_stems_in_assets_folders_only() {
        let names = names(&assets(&[
            "x/.gitbook/assets/b.png",
            ".gitbook/assets/b.jpg",
            ".gitbook/assets/abc123.png",
            "images/other.png",
            "my.gitbook/assets/no.png",
        ]));
        assert_eq!(
            names.get("abc123").map(String::as_str),
            Some(".gitbook/assets/abc123.png")
        );
        assert_eq!(
            names.get("abc123.png").map(String::as_str),
            Some(".gitbook/assets/abc123.png")
        );
        // Two files share the stem `b`: the first by path wins.
        assert_eq!(
            names.get("b").map(String::as_str),
            Some(".gitbook/assets/b.jpg")
        );
        assert_eq!(
            names.get("b.png").map(String::as_str),
            Some("x/.gitbook/assets/b.png")
        );
        assert!(!names.contains_key("other") && !names.contains_key("no"));
    }

    fn link(alt: Option<&str>, web: Option<&str>) -> Link {
        Link {
            raw: "/files/Q1".into(),
            target: LinkTarget::Hosted {
                name: "Q1".into(),
                path: "files/Q1".into(),
                web: web.map(Into::into),
            },
            line: 1,
            column: 1,
            auto_title: false,
            has_title: false,
            alt: alt.map(Into::into),
            in_link: false,
        }
    }

    #[test]
    fn elements_for_each_place() {
        let local = Place::Local(".gitbook/assets/Q1.png".into());
        let web = Place::Web("https://old.example/files/Q1".into());
        let image = link(Some("A \"chart\""), None);
        assert_eq!(
            element(&image, &local),
            "<img src=\".gitbook/assets/Q1.png\" alt=\"A &quot;chart&quot;\" loading=\"lazy\">"
        );
        assert!(element(&image, &web).starts_with(
            "<a class=\"hosted-missing\" href=\"https://old.example/files/Q1\" rel=\"noopener\""
        ));
        assert!(element(&image, &Place::Nowhere).ends_with(">A &quot;chart&quot;</span>"));
        let nested = Link {
            in_link: true,
            ..image.clone()
        };
        assert!(element(&nested, &web).starts_with("<span class=\"hosted-missing\""));
        // No alt text: the id stands in.
        assert!(element(&link(Some(" "), None), &Place::Nowhere).ends_with(">Q1</span>"));
        let attachment = link(None, None);
        assert_eq!(
            element(&attachment, &web),
            "<a href=\"https://old.example/files/Q1\">"
        );
        assert!(
            element(&attachment, &Place::Nowhere).starts_with("<a class=\"hosted-missing\" title=")
        );
    }

    #[test]
    fn raw_html_gets_a_picture_when_the_file_is_nowhere() {
        let url = raw_url(&Place::Nowhere, "a<b");
        assert!(url.starts_with("data:image/svg+xml,%3Csvg"), "{url}");
        assert!(url.contains("a%26lt%3Bb") && !url.contains(' '), "{url}");
        assert_eq!(
            raw_url(&Place::Web("https://x/f".into()), "f"),
            "https://x/f"
        );
    }
}
