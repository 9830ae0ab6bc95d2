//! Stage 0 of a versioned build: the configuration's `versions:` → a
//! [`Plan`] of [`Version`]s, each opened into a [`Source`] the pipeline reads.
//!
//! Takes the validated configuration; expands tag patterns against the
//! repository, resolves every ref to a commit, checks names, duplicates and the
//! default, and fills each version's label, date and status. Every problem is
//! reported at its line in the configuration, together (a [`ConfigError`]).
//! Opening a version gives its own configuration (its `handbook.yaml`, read
//! from the ref or the folder) and a [`SourceTree`]: the working tree and
//! folders on disk, refs from git's object store without a checkout. The
//! later stages never learn which kind they read. A project without
//! `versions:` is one unversioned edition: the working tree.

pub mod changes;
pub mod git;
mod source;
pub mod switch;

pub use source::{GitTree, History, Source, working_tree};

use crate::config::{Config, ConfigError, EditionSource, VersionStatus};
use crate::diagnostic::Diagnostic;
use crate::model::Date;
use anyhow::{Result, bail};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One edition to build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The URL segment (`2023`); empty for an unversioned site.
    pub name: String,
    /// What readers see ("2023 edition").
    pub label: String,
    /// When it was adopted, or its commit's date.
    #[serde(serialize_with = "iso_date")]
    pub date: Option<Date>,
    /// Draft, in force, superseded or archived.
    pub status: VersionStatus,
    /// One line about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whether `latest/` shows it.
    pub default: bool,
    /// Where its files are.
    #[serde(skip)]
    pub origin: Origin,
}

fn iso_date<S: serde::Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.iso()),
        None => s.serialize_none(),
    }
}

/// Where a version's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The files on disk now.
    WorkingTree,
    /// A commit, named as the configuration named it.
    Ref {
        /// The ref as written (`edition-2023`).
        name: String,
        /// The commit it resolved to.
        commit: git::Commit,
    },
    /// A snapshot folder.
    Folder(PathBuf),
}

/// The versions to build, newest first, and the repository they come from.
pub struct Plan {
    /// Every version, in the configuration's order (tags newest first).
    pub versions: Vec<Version>,
    /// Whether the site is versioned (`site/<name>/…`), or one edition at the root.
    pub versioned: bool,
    /// The repository holding the project, when there is one.
    pub repo: Option<Arc<git::Repo>>,
    /// What the configuration asked for that made nothing (a tag pattern
    /// that matches no tag), for the build's report.
    pub warnings: Vec<Diagnostic>,
}

/// Plans the build: every configured version, or only those named in `only`.
pub fn plan(config: &Config, only: Option<&[String]>) -> Result<Plan> {
    let repo = git::Repo::discover(&config.root).map(Arc::new);
    let Some(spec) = &config.versions else {
        let version = Version {
            name: String::new(),
            label: String::new(),
            date: None,
            status: VersionStatus::InForce,
            note: None,
            default: true,
            origin: Origin::WorkingTree,
        };
        return Ok(Plan {
            versions: vec![version],
            versioned: false,
            repo,
            warnings: Vec::new(),
        });
    };
    let label = config.label(&config.file);
    let mut problems = Vec::new();
    let mut versions = Vec::new();
    let mut warnings = Vec::new();
    for edition in &spec.editions {
        match expand(edition, repo.as_deref(), &label) {
            Ok(found) if found.is_empty() => warnings.push(no_tags(edition, &label)),
            Ok(found) => versions.extend(found),
            Err(mut more) => problems.append(&mut more),
        }
    }
    problems.extend(duplicates(&versions, &label));
    if problems.is_empty() {
        problems.extend(choose_default(&mut versions, spec, &label));
        problems.extend(conflicts(&versions, &label));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|d| (d.line, d.column));
        return Err(ConfigError(problems).into());
    }
    let mut versions = finish(versions);
    if let Some(only) = only {
        versions = subset(versions, only)?;
    }
    Ok(Plan {
        versions,
        versioned: true,
        repo,
        warnings,
    })
}

/// The warning for a tag pattern that matched no tag: its editions are
/// missing from the site.
fn no_tags(edition: &crate::config::Edition, label: &str) -> Diagnostic {
    let (line, column) = edition.at;
    let pattern = match &edition.source {
        EditionSource::Tags(pattern) => pattern.as_str(),
        _ => "",
    };
    Diagnostic::warning(
        label,
        line,
        column,
        format!("no tag matches `{pattern}`: this entry adds no edition"),
    )
    .with_help("list the tags with `git tag --list`, or fetch them with `git fetch --tags`")
}

/// One configured edition as versions (several for a tag pattern).
fn expand(
    edition: &crate::config::Edition,
    repo: Option<&git::Repo>,
    label: &str,
) -> Result<Vec<Found>, Vec<Diagnostic>> {
    let expander = Expander {
        edition,
        repo,
        label,
    };
    let named = edition.name.clone().unwrap_or_default();
    match &edition.source {
        EditionSource::WorkingTree => Ok(vec![expander.found(Version {
            label: edition.label.clone().unwrap_or_else(|| "Draft".into()),
            status: edition.status.unwrap_or(VersionStatus::Draft),
            ..expander.version(named, Origin::WorkingTree)
        })]),
        EditionSource::Folder(path) => {
            let origin = Origin::Folder(path.clone());
            Ok(vec![expander.found(expander.version(named, origin))])
        }
        EditionSource::Ref(name) => {
            let commit = expander.resolve(name)?;
            Ok(vec![expander.at_commit(named, name, commit)])
        }
        EditionSource::Tags(pattern) => expander.tags(pattern),
    }
}

/// Turns one configured edition into versions, its problems at its line.
struct Expander<'a> {
    edition: &'a crate::config::Edition,
    repo: Option<&'a git::Repo>,
    label: &'a str,
}

impl Expander<'_> {
    fn fail(&self, message: String, help: &str) -> Vec<Diagnostic> {
        let (line, column) = self.edition.at;
        vec![Diagnostic::error(self.label, line, column, message).with_help(help)]
    }

    fn found(&self, version: Version) -> Found {
        Found {
            version,
            at: self.edition.name_at,
            status_given: self.edition.status.is_some(),
        }
    }

    fn version(&self, name: String, origin: Origin) -> Version {
        Version {
            label: self.edition.label.clone().unwrap_or_default(),
            name,
            date: self.edition.date,
            status: self.edition.status.unwrap_or(VersionStatus::Superseded),
            note: self.edition.note.clone(),
            default: false,
            origin,
        }
    }

    /// A version from a commit, dated by it unless the configuration says.
    fn at_commit(&self, name: String, reference: &str, commit: git::Commit) -> Found {
        let date = Date::from_unix(commit.time);
        let origin = Origin::Ref {
            name: reference.to_string(),
            commit,
        };
        let mut made = self.version(name, origin);
        made.date = made.date.or(date);
        if made.label.is_empty() {
            made.label = reference.to_string();
        }
        self.found(made)
    }

    fn repo(&self, what: &str) -> Result<&git::Repo, Vec<Diagnostic>> {
        self.repo.ok_or_else(|| {
            self.fail(
                format!("there is no git repository to read {what} from"),
                "versions from git need the project to be in a git repository; \
                 use `path:` for a snapshot folder instead",
            )
        })
    }

    fn resolve(&self, name: &str) -> Result<git::Commit, Vec<Diagnostic>> {
        let repo = self.repo(&format!("`{name}`"))?;
        repo.commit(name).map_err(|problem| match problem {
            git::RefProblem::NotFound => self.fail(
                format!("no branch, tag or commit `{name}` in the repository"),
                "create the tag (`git tag NAME COMMIT`), or fetch it (`git fetch --tags`)",
            ),
            git::RefProblem::NotACommit(kind) => self.fail(
                format!("`{name}` names a {kind}, not a commit"),
                "name a branch, a tag of a commit, or a commit",
            ),
        })
    }

    fn tags(&self, pattern: &str) -> Result<Vec<Found>, Vec<Diagnostic>> {
        let repo = self.repo(&format!("tags `{pattern}`"))?;
        // The configuration refused patterns that are not globs.
        let matcher = crate::config::tag_pattern(pattern)
            .map_err(|e| self.fail(e.to_string(), "correct the pattern"))?;
        let tags = repo
            .tags(&matcher)
            .map_err(|e| self.fail(format!("{e:#}"), "check the repository"))?;
        let mut all = Vec::new();
        let mut problems = Vec::new();
        for (tag, commit) in tags {
            let name = tag_name(&tag);
            if crate::config::valid_name(&name) {
                all.push(self.at_commit(name, &tag, commit));
            } else {
                problems.extend(self.fail(
                    format!("tag `{tag}` makes no version name"),
                    "name edition tags with lowercase letters, digits, `.`, `-` and `_`",
                ));
            }
        }
        if problems.is_empty() {
            Ok(all)
        } else {
            Err(problems)
        }
    }
}

/// A tag as a version name: lowercased, `/` and spaces as `-`.
fn tag_name(tag: &str) -> String {
    tag.chars()
        .map(|c| match c {
            '/' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn duplicates(versions: &[Found], label: &str) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut problems = Vec::new();
    for Found {
        version,
        at: (line, column),
        ..
    } in versions
    {
        if let Some(&first) = seen.get(version.name.as_str()) {
            let message = format!(
                "two versions are named `{}` (the first at line {first})",
                version.name
            );
            problems.push(
                Diagnostic::error(label, *line, *column, message)
                    .with_help("give each edition its own `name`"),
            );
        } else {
            seen.insert(&version.name, *line);
        }
    }
    problems
}

/// Marks the default version: the one `default` names, else the only one in force.
fn choose_default(
    versions: &mut [Found],
    spec: &crate::config::Versions,
    label: &str,
) -> Option<Diagnostic> {
    let (line, column) = spec.default_at;
    let index = match &spec.default {
        Some(name) => versions
            .iter()
            .position(|f| &f.version.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = versions.iter().map(|f| f.version.name.as_str()).collect();
                let known = crate::yaml::suggest(name, &names, "version");
                Diagnostic::error(label, line, column, format!("there is no version `{name}`"))
                    .with_help(known)
            }),
        None => {
            let in_force: Vec<usize> = (0..versions.len())
                .filter(|&i| versions[i].version.status == VersionStatus::InForce)
                .collect();
            match in_force.as_slice() {
                [one] => Ok(*one),
                _ => Err(Diagnostic::error(label, line, column, "no default version")
                    .with_help("add `default: NAME` under `versions`: the edition in force, which `latest/` shows")),
            }
        }
    };
    match index {
        Ok(i) => {
            versions[i].version.default = true;
            None
        }
        Err(problem) => Some(problem),
    }
}

/// Only the default edition may be written `in-force`, and the working tree
/// is one edition at most.
fn conflicts(versions: &[Found], label: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut working_tree = None;
    for found in versions {
        let (line, column) = found.at;
        let version = &found.version;
        if found.status_given && version.status == VersionStatus::InForce && !version.default {
            let message = format!(
                "`{}` is in force, but it is not the default edition",
                version.name
            );
            problems.push(Diagnostic::error(label, line, column, message).with_help(
                "one edition is in force: make this one the `default`, or mark it `superseded` or `archived`",
            ));
        }
        if version.origin == Origin::WorkingTree {
            if let Some(first) = working_tree {
                let message = format!("the working tree is already the edition `{first}`");
                problems.push(
                    Diagnostic::error(label, line, column, message)
                        .with_help("list `working-tree: true` once"),
                );
            }
            working_tree.get_or_insert(version.name.as_str());
        }
    }
    problems
}

/// A version found in the configuration, with what it said of it.
struct Found {
    version: Version,
    /// Where its edition's name was written.
    at: (u32, u32),
    /// Whether the edition gave its status (else it follows from its place).
    status_given: bool,
}

/// Labels and statuses not given: the name, and "in force" for the default.
fn finish(found: Vec<Found>) -> Vec<Version> {
    found
        .into_iter()
        .map(
            |Found {
                 mut version,
                 status_given,
                 ..
             }| {
                if version.label.is_empty() {
                    version.label.clone_from(&version.name);
                }
                if version.default && !status_given {
                    version.status = VersionStatus::InForce;
                }
                version
            },
        )
        .collect()
}

/// Only the versions named, in plan order; naming an unknown one is an error.
fn subset(versions: Vec<Version>, only: &[String]) -> Result<Vec<Version>> {
    for name in only {
        if !versions.iter().any(|v| &v.name == name) {
            let names: Vec<&str> = versions.iter().map(|v| v.name.as_str()).collect();
            bail!(
                "--versions: there is no version `{name}`; the versions are {}",
                names.join(", ")
            );
        }
    }
    Ok(versions
        .into_iter()
        .filter(|v| only.contains(&v.name))
        .collect())
}

/// The folder holding a copy of the default version's files.
pub const LATEST: &str = "latest/";

/// The folder a version's files go in, in a versioned site: `NAME/`.
pub fn folder(name: &str) -> String {
    format!("{name}/")
}

/// Of `versions`, the one the site's root leads to, by index, and its
/// folder there: the default one under [`LATEST`]; the first one built when
/// `--versions` left the default out; `None` when there is none.
pub fn lead(versions: &[Version]) -> Option<(usize, String)> {
    match versions.iter().position(|v| v.default) {
        Some(i) => Some((i, LATEST.to_string())),
        None => versions.first().map(|v| (0, folder(&v.name))),
    }
}

impl Plan {
    /// [`lead`] of the plan's versions; the first and no folder when there
    /// is none.
    pub fn lead(&self) -> (usize, String) {
        lead(&self.versions).unwrap_or_default()
    }
}
