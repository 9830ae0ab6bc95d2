//! The keys a handbook carries over from mdBook's `book.toml` and GitBook's
//! `.gitbook.yaml`: the SUMMARY file's name (`summary:`), the home page
//! (`home:`), the authors (`authors:`), redirects from old addresses (`redirects:`), extra stylesheets
//! and scripts (`additional-css:`, `additional-js:`) and the repository link
//! (`repository-url:`) and mdBook's chapter numbers (`section-numbers:`). Each value is checked at its line: a redirect's old
//! address is a path inside the site, its target a page (`.md`) or a URL; an
//! extra file is a file inside the project.

use super::{Checker, RawConfig};
use crate::yaml::{self, Spanned};
use std::collections::BTreeMap;
use std::path::{Component, Path};

/// The table of contents' file name in the source folder, unless `summary:` names another.
pub const SUMMARY_FILE: &str = "SUMMARY.md";

/// An old address of the site that leads on elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The file written, relative to the site root (`old/page.html`).
    pub from: String,
    /// Where it leads: a page in the source folder (ends in `.md`) or a URL
    /// (absolute, or relative to the old address as a browser reads it).
    pub to: String,
    /// Line and column of the target in the configuration file.
    pub at: (u32, u32),
}

/// The keys carried over from mdBook's `book.toml` and GitBook's `.gitbook.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    /// The table of contents file in the source folder (`SUMMARY.md`).
    pub summary_file: String,
    /// The page the site's `index.html` leads to when no page is at the
    /// root (GitBook's `structure.readme`), as a path in the source folder.
    pub home: Option<String>,
    /// Where the configuration names the home page (line, column).
    pub home_at: (u32, u32),
    /// Old addresses that lead on to a page or URL, sorted by old address.
    pub redirects: Vec<Redirect>,
    /// Stylesheets (project-relative files) copied into the site and linked from every page.
    pub additional_css: Vec<String>,
    /// Scripts (project-relative files) copied into the site and loaded by every page.
    pub additional_js: Vec<String>,
    /// The repository the handbook's source lives in, linked from the header.
    pub repository_url: Option<String>,
    /// The handbook's authors (`<meta name="author">`).
    pub authors: Vec<String>,
    /// Whether the sidebar numbers list entries `1.`, `1.1.` … as mdBook does.
    pub section_numbers: bool,
}

/// The raw values, as read.
pub(super) struct RawExtras {
    summary: Option<Spanned<String>>,
    home: Option<Spanned<String>>,
    redirects: BTreeMap<String, Spanned<String>>,
    additional_css: Vec<Spanned<String>>,
    additional_js: Vec<Spanned<String>>,
    repository_url: Option<Spanned<String>>,
    authors: Vec<String>,
    section_numbers: bool,
}

impl RawExtras {
    /// The carried-over keys, taken out of the whole file's values.
    pub(super) fn take(raw: &mut RawConfig) -> Self {
        Self {
            summary: raw.summary.take(),
            home: raw.home.take(),
            redirects: std::mem::take(&mut raw.redirects),
            additional_css: std::mem::take(&mut raw.additional_css),
            additional_js: std::mem::take(&mut raw.additional_js),
            repository_url: raw.repository_url.take(),
            authors: std::mem::take(&mut raw.authors),
            section_numbers: raw.section_numbers.unwrap_or(false),
        }
    }
}

impl Checker<'_> {
    /// The carried-over keys, checked.
    pub(super) fn carried(&mut self, raw: RawExtras, root: &Path) -> Carried {
        let summary_file = raw.summary.map_or_else(
            || SUMMARY_FILE.to_string(),
            |s| self.page_path(s, "name the SUMMARY file, e.g. `SUMMARY.md`"),
        );
        let home_at = raw.home.as_ref().map_or((0, 0), yaml::position);
        let home = raw
            .home
            .map(|h| self.page_path(h, "name the home page's file, e.g. `README.md`"));
        let redirects = raw
            .redirects
            .into_iter()
            .map(|(from, to)| self.redirect(from, to))
            .collect();
        let files = |check: &mut Self, list: Vec<Spanned<String>>| -> Vec<String> {
            list.into_iter()
                .map(|f| check.project_file(f, root))
                .collect()
        };
        Carried {
            summary_file,
            home,
            home_at,
            redirects,
            additional_css: files(self, raw.additional_css),
            additional_js: files(self, raw.additional_js),
            repository_url: raw.repository_url.map(|u| self.repository_url(u)),
            authors: raw.authors,
            section_numbers: raw.section_numbers,
        }
    }

    /// A markdown file's path inside the source folder, normalised.
    fn page_path(&mut self, value: Spanned<String>, help: &str) -> String {
        match crate::model::path::normalise_target(&value.value) {
            Ok(path) if path.ends_with(".md") => path,
            Ok(_) => {
                let message = format!("`{}` is not a markdown file", value.value);
                self.fail(&value, message, help);
                value.value
            }
            Err(message) => {
                self.fail(&value, message, help);
                value.value
            }
        }
    }

    /// One redirect; the old address `from` is made the file that is written.
    fn redirect(&mut self, from: String, to: Spanned<String>) -> Redirect {
        let at = yaml::position(&to);
        let file = redirect_file(&from);
        if file.is_none() {
            let message = format!("the old address `{from}` is not a path inside the site");
            self.fail(
                &to,
                message,
                "write it as `old/page.html` or `/old/page.html`",
            );
        }
        let target = to.value.trim();
        if target.is_empty() || target.contains(char::is_whitespace) {
            let message = format!("`{}` is not a page or URL to lead to", to.value);
            self.fail(&to, message, "give a page such as `new/page.md`, or a URL");
        }
        Redirect {
            from: file.unwrap_or_default(),
            to: target.to_string(),
            at,
        }
    }

    /// A file that must exist inside the project.
    fn project_file(&mut self, value: Spanned<String>, root: &Path) -> String {
        let path = Path::new(&value.value);
        let inside = !value.value.is_empty()
            && path
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            let message = format!("`{}` must be a file inside the project", value.value);
            self.fail(
                &value,
                message,
                "use a relative path such as `theme/custom.css`",
            );
        } else if !root.join(path).is_file() {
            let message = format!("there is no file `{}` in the project", value.value);
            self.fail(
                &value,
                message,
                "the path is relative to the project folder",
            );
        }
        value.value.trim_start_matches("./").to_string()
    }

    fn repository_url(&mut self, value: Spanned<String>) -> String {
        if !super::is_web_url(&value.value) {
            let message = format!(
                "repository URL `{}` is not an absolute http(s) URL",
                value.value
            );
            self.fail(&value, message, "e.g. `https://github.com/coop/handbook`");
        }
        value.value
    }
}

/// The file an old address is written to: `/a/b.html` → `a/b.html`, a
/// folder or extensionless address (`a/b`, GitBook's form) → `a/b/index.html`.
/// `None` when it leaves the site or is empty.
pub(super) fn redirect_file(from: &str) -> Option<String> {
    let path = from.trim().trim_start_matches('/');
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == ".." || *p == "." || p.contains('\\'))
    {
        return None;
    }
    let joined = parts.join("/");
    let last = parts.last().copied().unwrap_or_default();
    if path.ends_with('/') || !last.contains('.') {
        Some(format!("{joined}/index.html"))
    } else {
        Some(joined)
    }
}

#[cfg(test)]
mod tests {
    use super::redirect_file;
    use crate::config::tests::config_from;

    #[test]
    fn old_addresses_become_files_in_the_site() {
        assert_eq!(redirect_file("/a/b.html").as_deref(), Some("a/b.html"));
        assert_eq!(redirect_file("a/b").as_deref(), Some("a/b/index.html"));
        assert_eq!(redirect_file("a/b/").as_deref(), Some("a/b/index.html"));
        assert_eq!(redirect_file("../x.html"), None);
        assert_eq!(redirect_file("/"), None);
    }

    #[test]
    fn the_keys_are_read_and_checked_at_their_line() {
        let text = "summary: toc.md\nhome: intro.md\nredirects:\n  old.html: new.md\n";
        let config = config_from(text).unwrap();
        assert_eq!(config.carried.summary_file, "toc.md");
        assert_eq!(config.carried.home.as_deref(), Some("intro.md"));
        assert_eq!(config.carried.redirects[0].from, "old.html");
        assert_eq!(config.carried.redirects[0].at, (4, 13));
        let text = "summary: ../toc.md\nadditional-css: [missing.css]\nrepository-url: git@x\nredirects:\n  ../x: y.md\n";
        let error = config_from(text).unwrap_err();
        let lines: Vec<u32> = error.0.iter().map(|d| d.line).collect();
        assert_eq!(lines, [1, 2, 3, 5], "{error}");
    }
}
