//! Stage 1: `handbook.yaml` → [`Config`].
//!
//! Takes the project root and the configuration file (both as the user named
//! them), gives a validated [`Config`] with absolute folders, or a
//! [`ConfigError`] holding every problem found, each at its line and column, a
//! misspelt key with a suggestion. Keys are kebab-case and unknown keys are
//! errors, so a typo never silently falls back to a default.

mod check;
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
use check::{Checker, is_web_url, validate};
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
    let (raw, shape) = yaml::parse_each::<RawConfig>(text, label, 1);
    let Some(mut raw) = raw else {
        return Err(ConfigError(shape));
    };
    if !project {
        raw.versions = None;
    }
    let mut problems: Diagnostics = shape.into_iter().collect();
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
