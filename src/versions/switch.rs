//! The version switcher and the banner of older editions.
//!
//! Takes every version with its parsed pages, gives a [`Switcher`] that, for
//! any page of one version, finds the same page in each other version: the
//! same path; else a page there whose front matter `aliases` names this
//! page's path (renamed since); else the page this one's `aliases` names
//! (renamed before); else that version's home page, marked as not found. It
//! gives the page's template a [`VersionContext`]: links relative to the page,
//! so a version's pages work under `latest/` byte for byte, and the canonical
//! address (always the versioned one).

use super::Version;
use crate::model::path::href;
use crate::parse::Page;
use serde::Serialize;
use std::collections::HashMap;

/// One version's pages by path and by the old paths they declare.
#[derive(Debug, Clone)]
struct PageMap {
    by_path: HashMap<String, String>,
    by_alias: HashMap<String, String>,
    home: String,
}

impl PageMap {
    fn new(pages: &[Page]) -> Self {
        let by_path = pages
            .iter()
            .map(|p| (p.path.clone(), p.url.clone()))
            .collect();
        let by_alias = pages
            .iter()
            .flat_map(|p| p.aliases.iter().map(|a| (a.clone(), p.url.clone())))
            .collect();
        let home = pages
            .iter()
            .find(|p| p.url == "index.html")
            .or_else(|| pages.iter().find(|p| p.listed && !p.hidden))
            .map_or_else(|| "index.html".into(), |p| p.url.clone());
        Self {
            by_path,
            by_alias,
            home,
        }
    }

    /// The URL of `page` here, and whether it is that page (not the home page).
    fn find(&self, page: &Page) -> (&str, bool) {
        let found = self
            .by_path
            .get(&page.path)
            .or_else(|| self.by_alias.get(&page.path))
            .or_else(|| page.aliases.iter().find_map(|a| self.by_path.get(a)));
        match found {
            Some(url) => (url, true),
            None => (&self.home, false),
        }
    }
}

/// Every version's page map, built once per build.
#[derive(Debug, Clone)]
pub struct Switcher {
    versions: Vec<Version>,
    maps: Vec<PageMap>,
    /// The site's absolute address and prefix, for canonical links.
    origin: Option<String>,
}

/// One entry of the switcher.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SwitchLink {
    /// The version's label.
    pub label: String,
    /// Its status, as readers see it.
    pub status: &'static str,
    /// The same page there (or its home page), relative to the current page.
    pub url: String,
    /// Whether the page exists there (else `url` is the home page).
    pub found: bool,
    /// Whether this is the version being read.
    pub current: bool,
}

/// What a page's template knows of its version.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct VersionContext {
    /// The version's name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// Its status, as readers see it.
    pub status: &'static str,
    /// Its note.
    pub note: Option<String>,
    /// Its date (ISO).
    pub date: Option<String>,
    /// Whether it is the edition in force (no banner).
    pub is_default: bool,
    /// This page's versioned address.
    pub canonical: String,
    /// Every version, newest first.
    pub links: Vec<SwitchLink>,
    /// For other versions than the default: the same page in the default one.
    pub in_force: Option<SwitchLink>,
}

impl Switcher {
    /// Maps `pages[i]` of `versions[i]`; `origin` is the base URL and path
    /// prefix (`https://coop.org/handbook/`), when known.
    pub fn new(versions: &[Version], pages: &[&[Page]], origin: Option<String>) -> Self {
        Self {
            versions: versions.to_vec(),
            maps: pages.iter().map(|p| PageMap::new(p)).collect(),
            origin,
        }
    }

    /// Maps version `i`'s pages again (the dev server, after pages of the
    /// working tree were added, removed or given other aliases).
    pub fn remap(&mut self, i: usize, pages: &[Page]) {
        self.maps[i] = PageMap::new(pages);
    }

    /// The context of `page` in version `current`; `to_root` leads from
    /// the page to the site's root (`../../` for `2023/a/b.html`).
    pub fn context(&self, current: usize, page: &Page, to_root: &str) -> VersionContext {
        let version = &self.versions[current];
        let links: Vec<SwitchLink> = self
            .versions
            .iter()
            .zip(&self.maps)
            .enumerate()
            .map(|(i, (other, map))| {
                let (url, found) = map.find(page);
                SwitchLink {
                    label: other.label.clone(),
                    status: other.status.label(),
                    url: format!("{to_root}{}/{}", href(&other.name), href(url)),
                    found,
                    current: i == current,
                }
            })
            .collect();
        let in_force = if version.default {
            None
        } else {
            self.versions
                .iter()
                .position(|v| v.default)
                .map(|d| links[d].clone())
        };
        let versioned = format!("{}/{}", href(&version.name), href(&page.url));
        let canonical = match &self.origin {
            Some(origin) => format!("{origin}{versioned}"),
            None => format!("{to_root}{versioned}"),
        };
        VersionContext {
            name: version.name.clone(),
            label: version.label.clone(),
            status: version.status.label(),
            note: version.note.clone(),
            date: version.date.map(|d| d.iso()),
            is_default: version.default,
            canonical,
            links,
            in_force,
        }
    }
}
