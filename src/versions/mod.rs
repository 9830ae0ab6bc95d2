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
pub mod switch;

use crate::config::{Config, ConfigError, EditionSource, VersionStatus};
use crate::diagnostic::Diagnostic;
use crate::load::source::{DirTree, Listing, SourceTree};
use crate::parse::dates::Date;
use anyhow::{Result, bail};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
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
}

/// What the pipeline reads for one version.
pub struct Source {
    /// The version's own configuration (site-wide settings from the project's).
    pub config: Config,
    /// Its files.
    pub tree: Box<dyn SourceTree>,
    /// Where its "last updated" dates come from, when from git.
    pub history: Option<History>,
}

/// A commit whose history dates a version's pages.
pub struct History {
    repo: Arc<git::Repo>,
    commit: git::Commit,
    /// The source folder's path in the repository (`handbook/`).
    prefix: String,
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
        });
    };
    let label = config.label(&config.file);
    let mut problems = Vec::new();
    let mut versions = Vec::new();
    for edition in &spec.editions {
        match expand(edition, repo.as_deref(), &label) {
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
    })
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
        let tags = repo
            .tags(pattern)
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

impl Plan {
    /// The version the site's root leads to, by index, and its folder there:
    /// the default one under `latest/`; the first one built when `--versions`
    /// left the default out.
    pub fn lead(&self) -> (usize, String) {
        match self.versions.iter().position(|v| v.default) {
            Some(i) => (i, "latest/".into()),
            None => (
                0,
                self.versions
                    .first()
                    .map_or_else(String::new, |v| format!("{}/", v.name)),
            ),
        }
    }

    /// Opens one version: its configuration, its files and its history.
    /// `project` is the project's own configuration, whose site-wide settings
    /// (address, theme, output) every version shares.
    pub fn open(&self, version: &Version, project: &Config) -> Result<Source> {
        match &version.origin {
            Origin::WorkingTree => Ok(Source {
                tree: Box::new(working_tree(project)?),
                history: self.worktree_history(project),
                config: project.clone(),
            }),
            Origin::Folder(folder) => {
                let config = if folder.join(crate::config::FILE_NAME).is_file() {
                    shared_settings(folder_config(folder)?, project)
                } else {
                    let mut own = shared_settings(project.clone(), project);
                    own.source_dir.clone_from(folder);
                    own
                };
                Ok(Source {
                    tree: Box::new(working_tree(&config)?),
                    history: None,
                    config,
                })
            }
            Origin::Ref { name, commit } => self.open_ref(name, commit, project),
        }
    }

    fn open_ref(&self, name: &str, commit: &git::Commit, project: &Config) -> Result<Source> {
        let Some(repo) = &self.repo else {
            bail!("`{name}` cannot be read: there is no git repository");
        };
        let in_repo = |path: &Path| repo_path(repo, path);
        let config_path = in_repo(&project.file)?;
        // `edition-2023:proj/` when the project is a folder of the repository:
        // labels then read as `git show` takes them.
        let root_in_repo = repo_path(repo, &project.root)?;
        let label_prefix = format!("{name}:{root_in_repo}");
        let (config, has_config) = match repo.file(commit, &config_path)? {
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let label = format!("{label_prefix}{config_path}");
                let own = crate::config::from_text(&text, &label, &project.root, None, false)?;
                (own, true)
            }
            None => (project.clone(), false),
        };
        let mut config = shared_settings(config, project);
        config.label_prefix = label_prefix;
        let prefix = in_repo(&config.source_dir)?;
        let files = repo.files(commit, &prefix)?.unwrap_or_default();
        if !has_config && !files.contains_key(crate::load::SUMMARY_FILE) {
            bail!(
                "`{name}` holds no handbook: its tree has neither {config_path} nor {prefix}{}",
                crate::load::SUMMARY_FILE
            );
        }
        if files.is_empty() {
            bail!("`{name}` holds no handbook: its tree has no source folder `{prefix}`");
        }
        let excluded = own_paths(&config, project);
        Ok(Source {
            tree: Box::new(GitTree::new(files, &excluded)),
            history: Some(History {
                repo: Arc::clone(repo),
                commit: commit.clone(),
                prefix,
            }),
            config,
        })
    }

    fn worktree_history(&self, project: &Config) -> Option<History> {
        let repo = self.repo.as_ref()?;
        let commit = repo.head()?;
        let prefix = repo_path(repo, &project.source_dir).ok()?;
        Some(History {
            repo: Arc::clone(repo),
            commit,
            prefix,
        })
    }
}

/// A snapshot folder's own configuration; its `versions:`, if it has one,
/// is not the project's and is ignored.
fn folder_config(folder: &Path) -> Result<Config> {
    let file = folder.join(crate::config::FILE_NAME);
    let text = crate::fs::read_to_string(&file)?;
    let label = crate::config::display_path(&file);
    Ok(crate::config::from_text(&text, &label, folder, None, false)?.at(file))
}

/// A version's configuration with the project's site-wide settings: one
/// address, one theme, one output folder for every edition. Only the working
/// tree is editable, so only it keeps the "edit this page" link.
fn shared_settings(mut own: Config, project: &Config) -> Config {
    own.site.base_url.clone_from(&project.site.base_url);
    own.site.path_prefix.clone_from(&project.site.path_prefix);
    own.site.language.clone_from(&project.site.language);
    own.theme.clone_from(&project.theme);
    own.output_dir.clone_from(&project.output_dir);
    own.versions.clone_from(&project.versions);
    own.edit_url = None;
    own
}

/// The working tree's source folder (or a snapshot folder's), leaving out
/// what the project makes itself when the source is the project root.
pub fn working_tree(config: &Config) -> Result<DirTree> {
    if !config.source_dir.is_dir() {
        bail!(
            "the source folder {} does not exist; set `source` in the configuration",
            config.source_label()
        );
    }
    let mut own = vec![
        config.output_dir.clone(),
        config.protocols.folder.clone(),
        config.root.join("themes"),
        config.file.clone(),
    ];
    own.extend(edition_folders(config));
    let own: Vec<&Path> = own.iter().map(PathBuf::as_path).collect();
    DirTree::in_project(&config.source_dir, &config.root, &own)
}

fn edition_folders(config: &Config) -> Vec<PathBuf> {
    let Some(versions) = &config.versions else {
        return Vec::new();
    };
    versions
        .editions
        .iter()
        .filter_map(|e| match &e.source {
            EditionSource::Folder(path) => Some(path.clone()),
            _ => None,
        })
        .collect()
}

/// The project's own files and folders, relative to a version's source
/// folder: not pages when the source is the project root.
fn own_paths(config: &Config, project: &Config) -> Vec<String> {
    let mut own = vec![
        project.output_dir.clone(),
        config.protocols.folder.clone(),
        project.root.join("themes"),
        project.file.clone(),
    ];
    own.extend(edition_folders(project));
    own.iter()
        .filter_map(|p| p.strip_prefix(&config.source_dir).ok())
        .map(crate::config::display_path)
        .filter(|p| !p.is_empty())
        .collect()
}

/// A path on disk as a `/`-separated path in the repository (`handbook/`
/// for a folder, with its slash; empty for the repository's root).
fn repo_path(repo: &git::Repo, path: &Path) -> Result<String> {
    let Some(workdir) = repo.workdir() else {
        bail!("the repository is bare; versions from git need a work tree");
    };
    let absolute = match crate::fs::resolved(path) {
        Ok(resolved) => resolved,
        Err(_) => crate::fs::resolved(path.parent().unwrap_or(path))?
            .join(path.file_name().unwrap_or_default()),
    };
    let workdir = crate::fs::resolved(workdir)?;
    let Ok(relative) = absolute.strip_prefix(&workdir) else {
        bail!("{} is outside the git repository", absolute.display());
    };
    let text = crate::config::display_path(relative);
    Ok(if absolute.is_dir() && !text.is_empty() {
        format!("{text}/")
    } else {
        text
    })
}

impl History {
    /// The date each of `pages` (source paths) last changed, and how many
    /// the history could not date because the clone is shallow.
    pub fn dates(&self, pages: &[String]) -> Result<(HashMap<String, Date>, usize)> {
        let found = self.repo.dates(&self.commit, &self.prefix, pages)?;
        let dates: HashMap<String, Date> = found
            .times
            .into_iter()
            .filter_map(|(path, time)| Some((path, Date::from_unix(time)?)))
            .collect();
        let undated = if found.truncated {
            pages.iter().filter(|p| !dates.contains_key(*p)).count()
        } else {
            0
        };
        Ok((dates, undated))
    }
}

/// A version's source folder read from a commit: the files held in memory,
/// hidden ones left out as on disk (except GitBook's `.gitbook/`).
pub struct GitTree {
    files: BTreeMap<String, Vec<u8>>,
}

impl GitTree {
    /// The tree of `files`, without hidden files and the `excluded` paths.
    pub fn new(mut files: BTreeMap<String, Vec<u8>>, excluded: &[String]) -> Self {
        files.retain(|path, _| {
            let hidden = path
                .split('/')
                .any(|part| part.starts_with('.') && part != ".gitbook");
            let own = excluded
                .iter()
                .any(|e| path == e || path.starts_with(&format!("{e}/")));
            !hidden && !own
        });
        Self { files }
    }
}

impl SourceTree for GitTree {
    fn files(&self) -> Result<Listing> {
        Ok(Listing {
            files: self.files.keys().cloned().collect(),
            skipped: Vec::new(),
        })
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        match self.files.get(path) {
            Some(bytes) => Ok(bytes.clone()),
            None => bail!("{path} is not in this version"),
        }
    }

    fn disk_path(&self, _path: &str) -> Option<PathBuf> {
        None
    }
}
