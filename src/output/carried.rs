//! The files a site carries over from mdBook's and GitBook's configuration:
//! a redirect page for each old address (`redirects:`), the extra
//! stylesheets and scripts (`additional-css:`, `additional-js:`) copied from
//! the project, and the checks that every redirect leads to a page that
//! exists and writes over nothing else, and that the home page exists.
//!
//! A redirect page is script-free — a `<meta http-equiv="refresh">`, a
//! `rel="canonical"` link and a visible link — so it works on any host and
//! from disk. A target page (`new.md`, `new.md#part`) becomes its URL as
//! seen from the old address; any other target is written as given.

use super::OutFile;
use crate::config::{Config, Redirect};
use crate::diagnostic::Diagnostic;
use crate::parse::Page;
use std::collections::HashSet;

/// The redirect pages and the copied extra files.
pub fn files(config: &Config, pages: &[Page]) -> Vec<OutFile> {
    let mut files: Vec<OutFile> = config
        .carried
        .redirects
        .iter()
        .filter_map(|r| {
            let (url, title) = target(r, pages)?;
            let page = super::layout::redirect_page(&url, &title, &config.site.language);
            Some(OutFile::text(r.from.clone(), page))
        })
        .collect();
    files.extend(
        config
            .carried
            .additional_css
            .iter()
            .chain(&config.carried.additional_js)
            .map(|file| OutFile {
                path: file.clone(),
                contents: super::Contents::Copy(config.root.join(file)),
            }),
    );
    files
}

/// Where a redirect leads, as seen from its old address, and the link's
/// text; `None` when it names a page that does not exist.
fn target(redirect: &Redirect, pages: &[Page]) -> Option<(String, String)> {
    let (path, anchor) = match redirect.to.split_once('#') {
        Some((path, anchor)) => (path, format!("#{anchor}")),
        None => (redirect.to.as_str(), String::new()),
    };
    if !path.ends_with(".md") {
        return Some((redirect.to.clone(), redirect.to.clone()));
    }
    let path = crate::model::path::normalise_target(path).ok()?;
    let page = pages.iter().find(|p| p.path == path)?;
    let url = crate::model::path::relative_url(&redirect.from, &page.url);
    Some((
        format!("{}{anchor}", crate::model::path::href(&url)),
        page.title.clone(),
    ))
}

/// A redirect to a page that does not exist, or whose old address is a
/// file the site already has (a page, an asset), is an error at its line
/// in the configuration file.
pub fn problems(config: &Config, pages: &[Page], assets: &[crate::load::Asset]) -> Vec<Diagnostic> {
    let label = config.label(&config.file);
    let taken: HashSet<&str> = assets
        .iter()
        .map(|a| a.path.as_str())
        .chain(pages.iter().map(|p| p.url.as_str()))
        .collect();
    let mut problems = Vec::new();
    if let Some(home) = &config.carried.home
        && !pages.iter().any(|p| &p.path == home)
    {
        let message = format!("the home page `{home}` is not a page here");
        let help = "name a markdown file of the source folder (GitBook's `structure.readme`)";
        let (line, column) = config.carried.home_at;
        problems.push(Diagnostic::error(&label, line, column, message).with_help(help));
    }
    for redirect in &config.carried.redirects {
        let (line, column) = redirect.at;
        if target(redirect, pages).is_none() {
            let message = format!(
                "the redirect from `{}` leads to `{}`, which is not a page here",
                redirect.from, redirect.to
            );
            let help = "name a page of the source folder, e.g. `new/page.md`, or a URL";
            problems.push(Diagnostic::error(&label, line, column, message).with_help(help));
        }
        if taken.contains(redirect.from.as_str()) {
            let message = format!(
                "the redirect from `{}` would write over a file of the site",
                redirect.from
            );
            let help =
                "a page or file is already at that address: remove the redirect or move the file";
            problems.push(Diagnostic::error(&label, line, column, message).with_help(help));
        }
    }
    problems
}
