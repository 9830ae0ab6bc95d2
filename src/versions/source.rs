//! Opening one planned version: its configuration, its files and its history.
//!
//! Takes a [`Version`] of the [`Plan`] and the project's configuration, gives
//! a [`Source`]: the version's own configuration (its `handbook.yaml`, read
//! from the ref or the folder, with the project's site-wide settings), a
//! [`SourceTree`] (the working tree and folders on disk; refs held in memory
//! from git's object store, without a checkout) and the [`History`] that dates
//! its pages. Labels of files read from git take the `git show` form
//! (`edition-2023:handbook/page.md`), with the project's folder in the
//! repository when it is not the repository's root.

use super::{Origin, Plan, Version, git};
use crate::config::{Config, EditionSource};
use crate::load::source::{DirTree, Listing, SourceTree};
use crate::model::Date;
use anyhow::{Result, bail};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

impl Plan {
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
                let label = format!("{label_prefix}{config_path}");
                let text = crate::config::text_of(bytes, &label)?;
                let own = crate::config::from_text(&text, &label, &project.root, None, false)?;
                (own, true)
            }
            None => (project.clone(), false),
        };
        let mut config = shared_settings(config, project);
        config.label_prefix = label_prefix;
        let prefix = in_repo(&config.source_dir)?;
        let files = repo.files(commit, &prefix)?.unwrap_or_default();
        if !has_config && !files.blobs.contains_key(crate::config::SUMMARY_FILE) {
            bail!(
                "`{name}` holds no handbook: its tree has neither {config_path} nor {prefix}{}",
                crate::config::SUMMARY_FILE
            );
        }
        if files.blobs.is_empty() {
            bail!("`{name}` holds no handbook: its tree has no source folder `{prefix}`");
        }
        let excluded = own_paths(&config, project);
        Ok(Source {
            tree: Box::new(GitTree::new(Arc::clone(repo), files, &excluded)),
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
    let label = crate::config::display_path(&file);
    let text = crate::config::text_of(crate::fs::read(&file)?, &label)?;
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

/// A version's source folder read from a commit: its files' blob ids, each
/// blob read from git's object store when the load stage asks for it (so a
/// file is in memory once, as the load stage's copy); hidden files left out
/// as on disk (except GitBook's `.gitbook/`).
pub struct GitTree {
    repo: Arc<git::Repo>,
    files: BTreeMap<String, gix::ObjectId>,
    skipped: Vec<(String, &'static str)>,
}

impl GitTree {
    /// The tree of `files` in `repo`, without hidden files and the `excluded` paths
    /// (symlinks and submodules among them are not reported either).
    pub fn new(repo: Arc<git::Repo>, files: git::FolderFiles, excluded: &[String]) -> Self {
        let kept = |path: &str| {
            let hidden = path
                .split('/')
                .any(|part| part.starts_with('.') && part != ".gitbook");
            let own = excluded
                .iter()
                .any(|e| path == e || path.starts_with(&format!("{e}/")));
            !hidden && !own
        };
        let git::FolderFiles {
            mut blobs,
            mut skipped,
        } = files;
        blobs.retain(|path, _| kept(path));
        skipped.retain(|(path, _)| kept(path));
        skipped.sort();
        Self {
            repo,
            files: blobs,
            skipped,
        }
    }

    fn id(&self, path: &str) -> Result<gix::ObjectId> {
        match self.files.get(path) {
            Some(id) => Ok(*id),
            None => bail!("{path} is not in this version"),
        }
    }
}

impl SourceTree for GitTree {
    fn files(&self) -> Result<Listing> {
        Ok(Listing {
            files: self.files.keys().cloned().collect(),
            skipped: self.skipped.clone(),
        })
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        self.repo.blob(self.id(path)?, path)
    }

    fn size(&self, path: &str) -> Result<u64> {
        self.repo.blob_size(self.id(path)?, path)
    }

    fn disk_path(&self, _path: &str) -> Option<PathBuf> {
        None
    }
}
