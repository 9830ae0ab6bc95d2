//! The `versions:` section: the editions the site publishes side by side.
//!
//! Takes the section as written, gives [`Versions`]: each edition with its one
//! source (the working tree, a git ref, every tag matching a pattern, or a
//! snapshot folder), its label, date, status and note, and the place it was
//! written so the versions stage can report a missing ref at its line. What
//! can be checked without git is checked here, each problem at its value: a
//! bad name, no source or two, a folder that is missing, outside the project
//! or inside the output folder, a bad date. Names made from tags, duplicates
//! and the default are checked once the tags are known (the versions stage).

use super::{Checker, RawPage};
use crate::model::Date;
use crate::model::PageSpec;
use crate::yaml::{self, Spanned};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionStatus {
    /// Being written; not yet adopted.
    Draft,
    /// The edition members are bound by.
    InForce,
    /// Replaced by a later edition.
    Superseded,
    /// Kept for the record.
    Archived,
}

impl VersionStatus {
    /// The status as readers see it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InForce => "in force",
            Self::Superseded => "superseded",
            Self::Archived => "archived",
        }
    }
}

/// Where one edition's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditionSource {
    /// The files on disk now.
    WorkingTree,
    /// A branch, tag or other revision, read from the object store.
    Ref(String),
    /// One edition per tag matching this pattern (`*` matches any run).
    Tags(String),
    /// A folder holding an older edition (a project root or a source folder).
    Folder(PathBuf),
}

/// One entry of `versions.editions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// The URL segment; `None` for a tag pattern, whose tags name their editions.
    pub name: Option<String>,
    /// Where its files are.
    pub source: EditionSource,
    /// What readers see; the name (or "Draft" for the working tree) when unset.
    pub label: Option<String>,
    /// When it was adopted; a ref's commit date when unset.
    pub date: Option<Date>,
    /// Its status; derived from its place when unset.
    pub status: Option<VersionStatus>,
    /// One line about it ("Ratified by the General Assembly of 2023-03-01").
    pub note: Option<String>,
    /// Line and column of its source value in the configuration.
    pub at: (u32, u32),
    /// Line and column of its name (of its source, for a tag pattern).
    pub name_at: (u32, u32),
}

/// The validated `versions:` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// The default edition's name, when given.
    pub default: Option<String>,
    /// Line and column of `default` (or of the section, when it is not given).
    pub default_at: (u32, u32),
    /// The editions in the order written: newest first.
    pub editions: Vec<Edition>,
    /// The generated page of changes against the previous edition.
    pub changes_page: PageSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawVersions {
    default: Option<Spanned<String>>,
    #[serde(default)]
    editions: Vec<RawEdition>,
    changes_page: Option<RawPage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEdition {
    name: Option<Spanned<String>>,
    #[serde(rename = "ref")]
    git_ref: Option<Spanned<String>>,
    tags: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    working_tree: Option<Spanned<bool>>,
    label: Option<String>,
    date: Option<Spanned<String>>,
    status: Option<VersionStatus>,
    note: Option<String>,
}

/// Names a version may not take: they are the site's own top-level files.
const RESERVED: [&str; 1] = ["latest"];

/// Whether `name` can be a version's URL segment: lowercase letters, digits,
/// `.`, `-`, `_`, starting with a letter or digit, not a reserved name, and
/// not looking like a file the site root holds (`index.html`).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && !RESERVED.contains(&name)
        && ![".html", ".json", ".xml", ".js", ".txt"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

impl Checker<'_> {
    /// Validates the section; `at` is where `versions:` was written.
    pub(super) fn versions(
        &mut self,
        raw: Spanned<RawVersions>,
        root: &Path,
        output: &Path,
    ) -> Versions {
        let at = yaml::position(&raw);
        let raw = raw.value;
        if raw.editions.is_empty() {
            self.fail_at(
                at,
                "`versions` lists no editions".into(),
                "add `editions:`, e.g. `- { name: draft, working-tree: true }`",
            );
        }
        let editions = raw
            .editions
            .into_iter()
            .filter_map(|e| self.edition(e, at, root, output))
            .collect();
        Versions {
            default_at: raw.default.as_ref().map_or(at, yaml::position),
            default: raw.default.map(|d| d.value),
            editions,
            changes_page: self.page(
                raw.changes_page,
                ("versions: changes-page:", "Changes"),
                "changes.md",
            ),
        }
    }

    fn edition(
        &mut self,
        raw: RawEdition,
        section: (u32, u32),
        root: &Path,
        output: &Path,
    ) -> Option<Edition> {
        let (source, at) = self.edition_source(&raw, section, root, output)?;
        let name = match (&raw.name, &source) {
            (Some(name), EditionSource::Tags(_)) => {
                self.fail(
                    name,
                    "an edition made from `tags` takes its names from the tags".into(),
                    "remove `name`, or name one tag with `ref`",
                );
                return None;
            }
            (Some(name), _) => Some(self.version_name(name)?),
            (None, EditionSource::Tags(_)) => None,
            (None, _) => {
                self.fail_at(
                    at,
                    "this edition has no `name`".into(),
                    "add `name:`, the edition's URL segment, e.g. `2023`",
                );
                return None;
            }
        };
        let date = raw.date.as_ref().and_then(|d| self.date(d));
        Some(Edition {
            name_at: raw.name.as_ref().map_or(at, yaml::position),
            name,
            source,
            label: raw.label,
            date,
            status: raw.status,
            note: raw.note,
            at,
        })
    }

    /// The edition's one source, with where it was written.
    fn edition_source(
        &mut self,
        raw: &RawEdition,
        section: (u32, u32),
        root: &Path,
        output: &Path,
    ) -> Option<(EditionSource, (u32, u32))> {
        let mut given = Vec::new();
        if let Some(flag) = raw.working_tree.as_ref().filter(|f| f.value) {
            given.push((EditionSource::WorkingTree, yaml::position(flag)));
        }
        if let Some(name) = &raw.git_ref {
            given.push((EditionSource::Ref(name.value.clone()), yaml::position(name)));
        }
        if let Some(pattern) = &raw.tags {
            if let Err(error) = tag_pattern(&pattern.value) {
                self.fail(
                    pattern,
                    format!("`{}` is not a tag pattern: {}", pattern.value, error.kind()),
                    "`*` matches any run of characters, `?` one, `[abc]` one of those; \
                     write a special character itself as `[*]` or `\\*`",
                );
                return None;
            }
            given.push((
                EditionSource::Tags(pattern.value.clone()),
                yaml::position(pattern),
            ));
        }
        if let Some(path) = &raw.path {
            let folder = self.edition_folder(path, root, output)?;
            given.push((EditionSource::Folder(folder), yaml::position(path)));
        }
        let at = raw.name.as_ref().map_or(section, yaml::position);
        match given.len() {
            1 => given.pop(),
            0 => {
                self.fail_at(
                    at,
                    "this edition says nowhere its files come from".into(),
                    "give one of `working-tree: true`, `ref`, `tags` or `path`",
                );
                None
            }
            _ => {
                self.fail_at(
                    given[1].1,
                    "this edition has more than one source".into(),
                    "give exactly one of `working-tree`, `ref`, `tags` or `path`",
                );
                None
            }
        }
    }

    fn version_name(&mut self, name: &Spanned<String>) -> Option<String> {
        if valid_name(&name.value) {
            return Some(name.value.clone());
        }
        let message = format!("`{}` cannot be a version name", name.value);
        self.fail(
            name,
            message,
            "use lowercase letters, digits, `.`, `-` and `_` (not `latest`), e.g. `2023` or `2021-trial`",
        );
        None
    }

    fn edition_folder(
        &mut self,
        path: &Spanned<String>,
        root: &Path,
        output: &Path,
    ) -> Option<PathBuf> {
        let before = self.problems.len();
        let relative = self.relative_dir(path.clone());
        if self.problems.len() > before {
            return None;
        }
        let folder = root.join(relative);
        if !folder.is_dir() {
            let message = format!("there is no folder `{}` for this edition", path.value);
            self.fail(path, message, "give a folder relative to the project root");
            return None;
        }
        let inside_output = match (
            crate::fs::resolved(&folder),
            crate::fs::resolved(output).ok(),
        ) {
            (Ok(folder), Some(output)) => folder.starts_with(output),
            _ => false,
        };
        if inside_output {
            let message = format!(
                "the edition folder `{}` is inside the output folder",
                path.value
            );
            self.fail(
                path,
                message,
                "the build replaces the output folder; keep editions elsewhere",
            );
            return None;
        }
        Some(folder)
    }

    fn date(&mut self, value: &Spanned<String>) -> Option<Date> {
        let date = Date::parse(&value.value);
        if date.is_none() {
            let message = format!("`{}` is not a date", value.value);
            self.fail(value, message, "write it as `2023-03-01`");
        }
        date
    }
}

/// The matcher of a `tags:` pattern: a glob over a tag's short name, where
/// `*` also matches `/` (`release/*` and `*` both match `release/2024`).
pub fn tag_pattern(pattern: &str) -> Result<globset::GlobMatcher, globset::Error> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|glob| glob.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::{tag_pattern, valid_name};

    #[test]
    fn names_are_url_segments_that_cannot_shadow_site_files() {
        for good in ["2023", "2021-trial", "v1.2", "edition_3"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            "Latest",
            "latest",
            "a/b",
            "-x",
            ".x",
            "index.html",
            "x y",
            "ä",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn tag_patterns_are_globs_over_the_whole_name() {
        let matches = |glob: &str, tag: &str| tag_pattern(glob).unwrap().is_match(tag);
        for (glob, tag, wanted) in [
            ("edition-*", "edition-2024", true),
            ("edition-*", "edition-", true),
            ("edition-*", "editions", false),
            ("*", "release/2024", true),
            ("release/*", "release/2024", true),
            ("v*.*", "v1.2", true),
            ("v*.*", "v12", false),
            ("*ab*ba", "aba", false),
            ("exact", "exactly", false),
            ("v?", "v1", true),
            ("v?", "v12", false),
            ("v[12]", "v2", true),
            ("v[!12]", "v2", false),
            ("v[*]", "v*", true),
            ("v[*]", "v1", false),
        ] {
            assert_eq!(matches(glob, tag), wanted, "{glob} on {tag}");
        }
        for bad in ["[", "edition-[a", "{a,b"] {
            assert!(tag_pattern(bad).is_err(), "{bad}");
        }
    }
}
