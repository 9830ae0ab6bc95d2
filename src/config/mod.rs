//! Stage 1: `handbook.yaml` → [`Config`].
//!
//! Takes the project root and the configuration file (both as the user named
//! them), gives a validated [`Config`] with absolute folders, or a
//! [`ConfigError`] holding every problem found, each at its line and column, a
//! misspelt key with a suggestion. Keys are kebab-case and unknown keys are
//! errors, so a typo never silently falls back to a default.

mod discover;
mod extras;
pub mod foreign;
mod gitsync;
mod markdown;
mod mdbook;
mod spaces;
mod versions;

pub use discover::{BOOK_TOML, GITBOOK_YAML, translation};
pub use extras::{Carried, Redirect, SUMMARY_FILE};
pub use markdown::{Markdown, Math};
pub use spaces::{OpenTo, Space, SpaceKind};
pub use versions::{Edition, EditionSource, VersionStatus, Versions, tag_pattern, valid_name};

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::model::PageSpec;
use crate::yaml::{self, Spanned};
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};

/// The configuration file's default name in the project root.
pub const FILE_NAME: &str = "handbook.yaml";

/// What the site is: title, language and where it will be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The handbook's title (header, `<title>`).
    pub title: String,
    /// One sentence about the handbook (`<meta name="description">`).
    pub description: String,
    /// BCP 47 language tag for `<html lang>`.
    pub language: String,
    /// Absolute origin the site is published at, without the prefix
    /// (`https://handbook.example.org`); `None` skips `sitemap.xml`.
    pub base_url: Option<String>,
    /// The path the site lives under, starting and ending with `/`.
    pub path_prefix: String,
}

/// The validated configuration of one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The project root as the user named it (used to print paths as they see them).
    pub root: PathBuf,
    /// The configuration file.
    pub file: PathBuf,
    /// The source folder (SUMMARY.md and pages), under `root`.
    pub source_dir: PathBuf,
    /// The output folder this tool owns.
    pub output_dir: PathBuf,
    /// The theme's name; `themes/<name>/` under the root overrides the built-in files.
    pub theme: String,
    /// Site-wide facts.
    pub site: Site,
    /// URL prefixes of an old published site that map onto pages here.
    pub legacy_urls: Vec<String>,
    /// Template of the "edit this page" link; `{path}` is the page's path from the root.
    pub edit_url: Option<String>,
    /// How broken internal links are reported.
    pub broken_links: Severity,
    /// Whether the site has a search box and index (`search: false` leaves both out).
    pub search: bool,
    /// Where protocols are written and how their pages are named.
    pub protocols: Protocols,
    /// The organisation's spaces, in the order declared.
    pub spaces: Vec<Space>,
    /// The generated spaces page.
    pub spaces_page: PageSpec,
    /// The editions published side by side; `None` publishes one, unversioned.
    pub versions: Option<Versions>,
    /// The markdown extensions turned on.
    pub markdown: Markdown,
    /// Put before every file label: a git ref's `edition-2023:`, so a problem
    /// in a version read from git names it as `git show` would.
    pub label_prefix: String,
    /// The keys carried over from mdBook's and GitBook's configuration.
    pub carried: Carried,
    /// Warnings about the configuration (parts of a `book.toml` not carried over).
    pub warnings: Vec<Diagnostic>,
}

/// The `protocols:` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocols {
    /// The folder derived protocol files are written to (`protocols/`).
    pub folder: PathBuf,
    /// How `build` and `check` report a `protocols/` folder out of step with
    /// the notes; `None` (`drift: off`) when the project keeps no derived
    /// files to compare (as a book brought from mdBook or GitBook).
    pub drift: Option<Severity>,
    /// The register page.
    pub register: PageSpec,
    /// The code of practice page.
    pub code_of_practice: PageSpec,
    /// The constitution page.
    pub constitution: PageSpec,
}

/// Every problem in a configuration file; an environment failure for the CLI (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub Vec<Diagnostic>);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.0.iter().map(Diagnostic::headline).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    title: Option<String>,
    #[serde(default)]
    description: String,
    language: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    path_prefix: Option<Spanned<String>>,
    source: Option<Spanned<String>>,
    output: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    #[serde(default)]
    legacy_urls: Vec<Spanned<String>>,
    edit_url: Option<Spanned<String>>,
    broken_links: Option<LinkLevel>,
    search: Option<bool>,
    #[serde(default)]
    protocols: RawProtocols,
    #[serde(default)]
    spaces: Vec<spaces::RawSpace>,
    spaces_page: Option<RawPage>,
    versions: Option<Spanned<versions::RawVersions>>,
    #[serde(default)]
    markdown: markdown::RawMarkdown,
    summary: Option<Spanned<String>>,
    home: Option<Spanned<String>>,
    #[serde(default)]
    redirects: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    additional_css: Vec<Spanned<String>>,
    #[serde(default)]
    additional_js: Vec<Spanned<String>>,
    repository_url: Option<Spanned<String>>,
    #[serde(default)]
    authors: Vec<String>,
    section_numbers: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawProtocols {
    folder: Option<Spanned<String>>,
    drift: Option<DriftLevel>,
    register: Option<RawPage>,
    code_of_practice: Option<RawPage>,
    constitution: Option<RawPage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPage {
    title: Option<String>,
    path: Option<Spanned<String>>,
}

/// `protocols: drift:` — a level, or `off`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum DriftLevel {
    Error,
    Warn,
    Off,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum LinkLevel {
    Error,
    Warn,
}

/// Reads and validates the configuration. `root` is the project folder,
/// `file` the configuration file (`root/handbook.yaml` when `None`), `output`
/// an override of the output folder (the CLI's `--out`).
pub fn load(root: &Path, file: Option<&Path>, output: Option<&Path>) -> anyhow::Result<Config> {
    let path = file.map_or_else(|| root.join(FILE_NAME), Path::to_path_buf);
    let label = display_path(&path);
    let foreign = match file {
        None if !path.is_file() => discover::translation(root)?,
        Some(given) if given.is_file() => discover::read(root, given)?,
        _ => None,
    };
    if let Some(found) = foreign {
        return Ok(found.config(root, output)?);
    }
    if !path.is_file() {
        let d = Diagnostic::error(&label, 0, 0, "no configuration file here").with_help(
            "a project has a handbook.yaml, an mdBook book.toml, a GitBook .gitbook.yaml, \
             or SUMMARY.md / README.md at its top (a GitBook export); \
             run `handbook new DIR` to start one, or pass --root or --config",
        );
        return Err(ConfigError(vec![d]).into());
    }
    let text = text_of(crate::fs::read(&path)?, &label)?;
    Ok(from_text(&text, &label, root, output, true)?.at(path))
}

/// A configuration file's bytes as text; invalid UTF-8 is a configuration
/// error at its first bad byte.
pub fn text_of(bytes: Vec<u8>, label: &str) -> Result<String, ConfigError> {
    match crate::diagnostic::utf8_text(bytes, label) {
        (text, None) => Ok(text),
        (_, Some(problem)) => Err(ConfigError(vec![problem])),
    }
}

/// Validates configuration `text` read from `label` (a file, or a file in a
/// git ref); `root` is the project folder the paths in it are relative to.
/// A version read from git ignores its own `versions:` (`project` false):
/// only the project's configuration says which versions there are.
pub fn from_text(
    text: &str,
    label: &str,
    root: &Path,
    output: Option<&Path>,
    project: bool,
) -> Result<Config, ConfigError> {
    let mut raw: RawConfig = yaml::parse(text, label, 1).map_err(|d| ConfigError(vec![d]))?;
    if !project {
        raw.versions = None;
    }
    let mut problems = Diagnostics::new();
    // The project's own source folder is on disk (a version's is in git).
    let source_key = raw.source.as_ref().filter(|_| project).map(yaml::position);
    let config = validate(raw, root, output, label, &mut problems);
    if let Some((line, column)) = source_key
        && problems.is_empty()
        && !config.source_dir.is_dir()
    {
        let message = format!("the source folder {} does not exist", config.source_label());
        let help = "create it, or set `source` to the folder that holds SUMMARY.md and the pages";
        problems.push(Diagnostic::error(label, line, column, message).with_help(help));
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError(problems.sorted()))
    }
}

fn validate(
    mut raw: RawConfig,
    root: &Path,
    output: Option<&Path>,
    label: &str,
    problems: &mut Diagnostics,
) -> Config {
    let carried = extras::RawExtras::take(&mut raw);
    let mut check = Checker { label, problems };
    let source = raw
        .source
        .map_or_else(|| "handbook".into(), |s| check.relative_dir(s));
    let output_dir = output.map_or_else(
        || {
            root.join(
                raw.output
                    .map_or_else(|| "site".into(), |s| check.relative_dir(s)),
            )
        },
        Path::to_path_buf,
    );
    let (base_url, path_prefix) = check.origin_and_prefix(raw.base_url, raw.path_prefix);
    let theme = raw
        .theme
        .map_or_else(|| "default".into(), |t| check.theme(t));
    let versions = raw.versions.map(|v| check.versions(v, root, &output_dir));
    Config {
        root: root.to_path_buf(),
        file: root.join(FILE_NAME),
        source_dir: root.join(source),
        output_dir,
        theme,
        site: Site {
            title: raw.title.unwrap_or_else(|| "Handbook".into()),
            description: raw.description,
            language: raw
                .language
                .map_or_else(|| "en".into(), |l| check.language(l)),
            base_url,
            path_prefix,
        },
        legacy_urls: raw
            .legacy_urls
            .into_iter()
            .map(|u| check.legacy_url(u))
            .collect(),
        edit_url: raw.edit_url.map(|u| check.edit_url(u)),
        broken_links: level(raw.broken_links, Severity::Error),
        search: raw.search.unwrap_or(true),
        protocols: check.protocols(raw.protocols, root),
        spaces: check.spaces(raw.spaces),
        spaces_page: check.page(raw.spaces_page, ("spaces-page:", "Spaces"), "spaces.md"),
        versions,
        markdown: check.markdown(raw.markdown),
        label_prefix: String::new(),
        carried: check.carried(carried, root),
        warnings: Vec::new(),
    }
}

fn level(given: Option<LinkLevel>, default: Severity) -> Severity {
    match given {
        Some(LinkLevel::Warn) => Severity::Warning,
        Some(LinkLevel::Error) => Severity::Error,
        None => default,
    }
}

/// Semantic checks of single values, each reported at the value's position.
struct Checker<'a> {
    label: &'a str,
    problems: &'a mut Diagnostics,
}

impl Checker<'_> {
    fn fail(&mut self, at: &Spanned<String>, message: String, help: &str) {
        self.fail_at(yaml::position(at), message, help);
    }

    fn fail_at(&mut self, (line, column): (u32, u32), message: String, help: &str) {
        self.problems
            .push(Diagnostic::error(self.label, line, column, message).with_help(help));
    }

    fn relative_dir(&mut self, value: Spanned<String>) -> String {
        let path = Path::new(&value.value);
        let inside = path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if value.value.is_empty() || !inside {
            let message = format!("`{}` must be a folder inside the project", value.value);
            self.fail(
                &value,
                message,
                "use a relative path such as `handbook` or `site`",
            );
        }
        value.value
    }

    fn base_url(&mut self, value: Spanned<String>) -> String {
        let url = value.value.as_str();
        if !is_web_url(url) || url.contains(['?', '#']) {
            let message = format!("base-url `{url}` is not an absolute http(s) URL");
            self.fail(
                &value,
                message,
                "write it as `https://handbook.example.org`",
            );
        }
        value.value
    }

    /// The site's origin and path prefix. A path written in `base-url`
    /// (`https://coop.org/handbook`) is the prefix when `path-prefix` is not
    /// set; saying it in both places would double it, so that is an error.
    fn origin_and_prefix(
        &mut self,
        base: Option<Spanned<String>>,
        prefix: Option<Spanned<String>>,
    ) -> (Option<String>, String) {
        let Some(base) = base else {
            return (
                None,
                prefix.map_or_else(|| "/".into(), |p| self.path_prefix(p)),
            );
        };
        let url = self.base_url(base.clone());
        let after_scheme = url.find("://").map_or(0, |i| i + 3);
        let (origin, path) = match url[after_scheme..].find('/') {
            Some(i) => url.split_at(after_scheme + i),
            None => (url.as_str(), ""),
        };
        let path = path.trim_end_matches('/');
        match prefix {
            Some(given) if !path.is_empty() => {
                let message = format!("base-url `{url}` has a path, and path-prefix gives one too");
                self.fail(
                    &base,
                    message,
                    "give the origin in base-url and the path in path-prefix",
                );
                (Some(origin.to_string()), self.path_prefix(given))
            }
            Some(given) => (Some(origin.to_string()), self.path_prefix(given)),
            None => (Some(origin.to_string()), format!("{path}/")),
        }
    }

    fn path_prefix(&mut self, value: Spanned<String>) -> String {
        let prefix = value.value.trim();
        if !prefix.starts_with('/')
            || prefix.contains(['?', '#', ' ', '\\'])
            || prefix.contains("//")
        {
            let message =
                format!("path-prefix `{prefix}` must be an absolute path such as `/handbook/`");
            self.fail(
                &value,
                message,
                "start it with `/`; the site's pages live under it",
            );
            return "/".into();
        }
        if prefix.ends_with('/') {
            prefix.to_string()
        } else {
            format!("{prefix}/")
        }
    }

    fn theme(&mut self, value: Spanned<String>) -> String {
        let ok = !value.value.is_empty()
            && value
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            let message = format!("theme `{}` is not a folder name", value.value);
            self.fail(
                &value,
                message,
                "name a folder under themes/, e.g. `default`",
            );
        }
        value.value
    }

    fn language(&mut self, value: Spanned<String>) -> String {
        // BCP 47's shape: a primary subtag of letters (2 to 8, or the `x`
        // and `i` prefixes), then subtags of 1 to 8 letters or digits.
        let mut parts = value.value.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok = primary.chars().all(|c| c.is_ascii_alphabetic())
            && ((2..=8).contains(&primary.len()) || matches!(primary, "x" | "i" | "X" | "I"));
        let ok = primary_ok
            && parts.all(|part| {
                (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if !ok {
            let message = format!("language `{}` is not a language tag", value.value);
            self.fail(&value, message, "use a tag such as `en`, `es` or `pt-BR`");
        }
        value.value
    }

    fn legacy_url(&mut self, value: Spanned<String>) -> String {
        let url = value.value.as_str();
        if !is_web_url(url) {
            let message = format!("legacy URL `{url}` is not an absolute http(s) URL");
            self.fail(
                &value,
                message,
                "give the old site's address, e.g. `https://x.gitbook.io/handbook/`",
            );
        }
        let url = value.value.trim_end_matches('/');
        format!("{url}/")
    }

    fn protocols(&mut self, raw: RawProtocols, root: &Path) -> Protocols {
        let folder = raw
            .folder
            .map_or_else(|| "protocols".into(), |f| self.relative_dir(f));
        Protocols {
            folder: root.join(folder),
            drift: match raw.drift {
                Some(DriftLevel::Off) => None,
                Some(DriftLevel::Error) => Some(Severity::Error),
                Some(DriftLevel::Warn) | None => Some(Severity::Warning),
            },
            register: self.page(
                raw.register,
                ("protocols: register:", "Protocols"),
                "protocols.md",
            ),
            code_of_practice: self.page(
                raw.code_of_practice,
                ("protocols: code-of-practice:", "Code of practice"),
                "code-of-practice.md",
            ),
            constitution: self.page(
                raw.constitution,
                ("protocols: constitution:", "Constitution"),
                "constitution.md",
            ),
        }
    }

    /// A generated page's place: `key` the section that sets it, `title`
    /// and `path` its defaults.
    fn page(&mut self, raw: Option<RawPage>, (key, title): (&str, &str), path: &str) -> PageSpec {
        let raw = raw.unwrap_or(RawPage {
            title: None,
            path: None,
        });
        let path_at = raw.path.as_ref().map(yaml::position);
        let path = match raw.path {
            Some(given) => match crate::model::path::normalise_target(&given.value) {
                Ok(normal) => normal,
                Err(message) => {
                    self.fail(
                        &given,
                        message,
                        "name a page path in the source folder, e.g. `protocols.md`",
                    );
                    path.to_string()
                }
            },
            None => path.to_string(),
        };
        PageSpec {
            path,
            title: raw.title.unwrap_or_else(|| title.to_string()),
            key: key.to_string(),
            path_at,
        }
    }

    fn edit_url(&mut self, value: Spanned<String>) -> String {
        // Every page links to it: nothing but a web address may get there.
        if !is_web_url(&value.value) {
            let message = format!("edit-url `{}` is not an absolute http(s) URL", value.value);
            self.fail(
                &value,
                message,
                "e.g. `https://git.example.org/coop/handbook/edit/main/{path}`",
            );
        } else if !value.value.contains("{path}") {
            let message = "edit-url has no `{path}` placeholder".to_string();
            self.fail(
                &value,
                message,
                "e.g. `https://git.example.org/coop/handbook/edit/main/{path}`",
            );
        }
        value.value
    }
}

/// `http://` or `https://` and a host: the one test every URL in the
/// configuration must pass.
fn is_web_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.contains(|c: char| c.is_whitespace() || c.is_control())
    })
}

/// A path as the user would type it: without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./")
        .map_or_else(|| text.clone(), str::to_string)
}

impl Config {
    /// The same configuration, read from `file`.
    pub fn at(mut self, file: PathBuf) -> Self {
        self.file = file;
        self
    }

    /// A file under the root as the editor sees it (`handbook/a.md`, or
    /// `../coop/handbook/a.md` when the root was given as `../coop`); in a
    /// version read from git, `edition-2023:handbook/a.md`.
    pub fn label(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        if self.label_prefix.is_empty() {
            display_path(&self.root.join(relative))
        } else {
            format!("{}{}", self.label_prefix, display_path(relative))
        }
    }

    /// The source folder relative to the project root, e.g. `handbook/`
    /// (empty when the root is the source): the same wherever the tool runs.
    pub fn source_prefix(&self) -> String {
        let source = self
            .source_dir
            .strip_prefix(&self.root)
            .unwrap_or(&self.source_dir);
        let prefix = display_path(source);
        if prefix.is_empty() || prefix.ends_with('/') {
            prefix
        } else {
            format!("{prefix}/")
        }
    }

    /// The source folder as a label prefix, e.g. `handbook/`.
    pub fn source_label(&self) -> String {
        let label = self.label(&self.source_dir);
        if label.is_empty() || label.ends_with(['/', ':']) {
            label
        } else {
            format!("{label}/")
        }
    }
}

#[cfg(test)]
mod tests;
