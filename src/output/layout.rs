//! Where each file of a built site goes: pages at their URLs, the theme's
//! static files under `static/`, assets at their source paths, the 404 page,
//! `navigation.js` (the complete sidebar tree, shared by every page),
//! `protocols.json` and `spaces.json` (for bots and other tools), the
//! search index under `search/`,
//! `sitemap.xml` (when a base URL is configured), `.nojekyll` so GitHub Pages
//! serves folders starting with `_`, and an `index.html` that leads to the
//! first page when the handbook has no root README.md.

use super::sitemap::{Entry, sitemap};
use super::{Contents, OutFile};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::html::escape;
use crate::load::{Asset, AssetData};
use crate::parse::Page;
use crate::render::{Html, RenderedSite};
use crate::versions::Version;
use std::collections::HashMap;

/// The list of files making up one version's site, sorted by path: its
/// rendered pages and statics, its assets and the files made from the whole
/// version (see [`whole_site_files`]).
pub fn layout(site: RenderedSite, assets: &[Asset], whole: Vec<OutFile>) -> Vec<OutFile> {
    let mut files: Vec<OutFile> = Vec::with_capacity(site.pages.len() + assets.len() + 8);
    files.extend(site.pages.into_iter().map(|p| OutFile {
        path: p.url,
        contents: match (p.key, p.html) {
            (Some(key), Html::Made(text)) => Contents::Keyed(key, text),
            (None, Html::Made(text)) => Contents::Text(text),
            (Some(key), Html::Kept(file)) => Contents::Kept(key, file),
            (None, Html::Kept(file)) => Contents::Copy(file),
            (key, Html::Staged(file)) => Contents::Staged(key, file),
        },
    }));
    files.extend(site.statics.into_iter().map(|(path, bytes)| OutFile {
        path,
        contents: Contents::Bytes(bytes.into()),
    }));
    files.extend(assets.iter().map(|asset| OutFile {
        path: asset.path.clone(),
        contents: match &asset.data {
            AssetData::Disk(path) => Contents::Copy(path.clone()),
            AssetData::Bytes(bytes) => Contents::Bytes(bytes.clone()),
        },
    }));
    files.extend(whole);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    files
}

/// What the files made from the whole version (not one page) are made of.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The rendered not-found page.
    pub not_found: String,
    /// The navigation tree script.
    pub navigation: String,
    /// `protocols.json`, `spaces.json` and the search index.
    pub data: Vec<OutFile>,
}

/// The files made from the whole version rather than from one page: the
/// 404 page, `navigation.js`, the data files, `.nojekyll`, the `index.html`
/// redirect when no page is the home page (to the first page in the
/// navigation, or the first page when none is), and `sitemap.xml`. The dev server
/// makes these again after an edit; pages it renders alone.
pub fn whole_site_files(
    config: &Config,
    pages: &[Page],
    shared: Shared,
    root_files: bool,
) -> Vec<OutFile> {
    let mut files = vec![OutFile::text("navigation.js", shared.navigation)];
    // A page `404.md` (mdBook's) is the not-found page itself.
    if !pages.iter().any(|p| p.path == crate::load::NOT_FOUND_PAGE) {
        files.push(OutFile::text("404.html", shared.not_found));
    }
    files.extend(shared.data);
    files.extend(super::carried::files(config, pages));
    if root_files {
        files.push(OutFile::text(".nojekyll", String::new()));
    }
    // The home page GitBook's `structure.readme` names, else the first
    // page of the navigation; when none is in it (every page hidden or left
    // out of SUMMARY.md), the first visible one, else the first one: the
    // site's root never answers "not found".
    let home = config
        .carried
        .home
        .as_ref()
        .and_then(|home| pages.iter().find(|p| &p.path == home));
    let first = home
        .or_else(|| pages.iter().find(|p| p.listed && !p.hidden))
        .or_else(|| pages.iter().find(|p| !p.hidden))
        .or_else(|| pages.first());
    if !pages.iter().any(|p| p.url == "index.html")
        && let Some(first) = first
    {
        files.push(OutFile::text(
            "index.html",
            redirect(&first.url, &first.title, &config.site.language),
        ));
    }
    if let (Some(base), true) = (&config.site.base_url, root_files) {
        files.push(OutFile::text(
            "sitemap.xml",
            sitemap(base, &config.site.path_prefix, &sitemap_entries(pages)),
        ));
    }
    files
}

/// The pages a sitemap lists: those in the navigation.
pub fn sitemap_entries(pages: &[Page]) -> Vec<Entry> {
    pages
        .iter()
        .filter(|p| p.listed && !p.hidden)
        .map(|p| Entry {
            url: p.url.clone(),
            updated: p.updated.map(|d| d.iso()),
        })
        .collect()
}

/// One version's site, laid out as if it were the whole site.
#[derive(Debug, Clone)]
pub struct VersionSite {
    /// Its files, by path in its folder.
    pub files: Vec<OutFile>,
    /// Its sitemap entries, by URL in its folder.
    pub pages: Vec<Entry>,
    /// For the default version: the not-found page of the site's root.
    pub root_not_found: Option<String>,
}

/// A versioned site: each version in its folder, the default one again
/// under `latest/` (its pages name the versioned address as canonical, so
/// the copy is byte for byte the same), and at the root an `index.html`
/// leading to `latest/`, `versions.json`, the not-found page, `.nojekyll`
/// and one `sitemap.xml` of every version's pages. `sites` are in the order
/// of `versions`, `None` where a version was not laid out.
pub fn versioned(
    config: &Config,
    versions: &[Version],
    sites: Vec<Option<VersionSite>>,
) -> anyhow::Result<Vec<OutFile>> {
    let mut files = Vec::new();
    let mut entries = Vec::new();
    for (version, site) in versions.iter().zip(sites) {
        let Some(site) = site else { continue };
        let folder = crate::versions::folder(&version.name);
        if version.default {
            files.extend(site.files.iter().map(|f| OutFile {
                path: format!("{}{}", crate::versions::LATEST, f.path),
                contents: Contents::Same(format!("{folder}{}", f.path)),
            }));
        }
        if let Some(not_found) = &site.root_not_found {
            files.push(OutFile::text("404.html", not_found.clone()));
        }
        entries.extend(site.pages.into_iter().map(|e| Entry {
            url: format!("{folder}{}", e.url),
            ..e
        }));
        files.extend(in_folder(&site.files, &folder));
    }
    // `latest/` when the default version was built (`--versions` may leave it out).
    if let Some((i, folder)) = crate::versions::lead(versions) {
        let version = &versions[i];
        let target = format!("{folder}index.html");
        let title = format!("{} ({})", config.site.title, version.label);
        files.push(OutFile::text(
            "index.html",
            redirect(&target, &title, &config.site.language),
        ));
    }
    files.push(OutFile::text("versions.json", versions_json(versions)?));
    files.push(OutFile::text(".nojekyll", String::new()));
    if let Some(base) = &config.site.base_url {
        files.push(OutFile::text(
            "sitemap.xml",
            sitemap(base, &config.site.path_prefix, &entries),
        ));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn in_folder<'a>(files: &'a [OutFile], folder: &'a str) -> impl Iterator<Item = OutFile> + 'a {
    files.iter().map(move |f| OutFile {
        path: format!("{folder}{}", f.path),
        contents: f.contents.clone(),
    })
}

/// `versions.json`: every version for tools and scripts, newest first.
fn versions_json(versions: &[Version]) -> anyhow::Result<String> {
    let listed: Vec<serde_json::Value> = versions
        .iter()
        .map(|v| {
            let mut value = serde_json::to_value(v)?;
            value["url"] = format!("{}/", crate::model::path::href(&v.name)).into();
            Ok(value)
        })
        .collect::<anyhow::Result<_>>()?;
    let default = versions.iter().find(|v| v.default).map(|v| v.name.clone());
    let json = serde_json::json!({ "default": default, "versions": listed });
    Ok(serde_json::to_string_pretty(&json)? + "\n")
}

/// Files the build writes itself, besides pages, assets and theme files.
const BUILD_FILES: [&str; 7] = [
    "404.html",
    "navigation.js",
    "protocols.json",
    "spaces.json",
    "sitemap.xml",
    ".nojekyll",
    super::MARKER,
];

/// Two sources that would land on one output path — `index.md` and
/// `README.md`, an asset `a.html` and a page `a.md`, a page `404.md`, a file
/// under `static/` that the theme has too — are an error naming both, never
/// a silent overwrite.
pub fn collisions(
    pages: &[Page],
    assets: &[Asset],
    statics: &[(String, Vec<u8>)],
    source_label: &str,
) -> Vec<Diagnostic> {
    let mut taken: HashMap<String, String> = HashMap::new();
    for path in BUILD_FILES {
        taken.insert(path.to_string(), "the build itself".to_string());
    }
    for (path, _) in statics {
        taken.insert(path.clone(), "the theme".to_string());
    }
    let mut problems = Vec::new();
    let sources = pages.iter().map(|p| (p.url.clone(), p.file.clone())).chain(
        assets
            .iter()
            .map(|a| (a.path.clone(), format!("{source_label}{}", a.path))),
    );
    for (out, file) in sources {
        // mdBook's `404.md` is the not-found page: it takes the build's place.
        if out == "404.html" && file.ends_with(crate::load::NOT_FOUND_PAGE) {
            continue;
        }
        if let Some(first) = taken.get(&out) {
            let message =
                format!("this file would be written to `{out}`, which already comes from {first}");
            problems.push(
                Diagnostic::error(&file, 0, 0, message).with_help("rename or move one of them"),
            );
        } else {
            taken.insert(out, file);
        }
    }
    problems
}

/// A script-free redirect page to a site-relative path: works on any host and from disk.
fn redirect(url: &str, title: &str, lang: &str) -> String {
    redirect_page(&crate::model::path::href(url), title, lang)
}

/// A script-free redirect page to `url`, written as given (a URL).
pub fn redirect_page(url: &str, title: &str, lang: &str) -> String {
    let (url, title, lang) = (escape(url), escape(title), escape(lang));
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta http-equiv=\"refresh\" content=\"0; url={url}\"><link rel=\"canonical\" href=\"{url}\"></head>\
         <body><p><a href=\"{url}\">{title}</a></p></body></html>\n"
    )
}
