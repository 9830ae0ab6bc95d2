//! Reading a git repository's object store, for building versions of a handbook from git refs.
//!
//! It takes a folder inside a repository and gives the commits that names (tags, branches, any
//! revision git accepts) point at, the tags matching a glob, the files of a folder in a commit's
//! tree, and per-file "last changed" times. Everything is read through `gix` from the object
//! store: no `git` process, no checkout, the work tree is never touched. [`Repo`] is opened once
//! and is `Send + Sync`, so threads may share it. [`Repo::dates`] answers for all wanted files in
//! one walk down the first-parent chain, descending only into subtrees whose ids differ, and says
//! so (`truncated`) when a shallow clone's boundary left some files without a date.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use gix::ObjectId;
use gix::bstr::ByteSlice as _;
use gix::objs::tree::EntryRef;

mod dates;
use dates::{Walk, read_commit};

/// Bytes of decoded objects kept in each thread-local handle's object cache.
const OBJECT_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// A commit a version is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The commit's id (hex via Display).
    pub id: gix::ObjectId,
    /// Committer time, seconds since the Unix epoch.
    pub time: i64,
}

/// Why a name does not give a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefProblem {
    /// No ref or revision of that name (or it could not be read).
    NotFound,
    /// It names an object that is not a commit (and does not peel to one), e.g. "blob" or "tree".
    NotACommit(&'static str),
}

/// Last-change times of files, from one walk over history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dates {
    /// Path (relative to the prefix asked for) → committer time (seconds since epoch) of the newest
    /// commit on the first-parent chain that changed it.
    pub times: HashMap<String, i64>,
    /// The walk reached a shallow-clone boundary with wanted paths still unattributed (those paths
    /// are absent from `times`).
    pub truncated: bool,
}

/// A repository opened once and shared by the threads that read it.
///
/// Each method makes its own thread-local handle (with an object cache), so `&Repo` may be
/// used from many threads at once.
pub struct Repo {
    /// The shared, thread-safe handle.
    inner: gix::ThreadSafeRepository,
    /// The absolute work tree root, None for a bare repository.
    workdir: Option<PathBuf>,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("git_dir", &self.inner.git_dir())
            .field("workdir", &self.workdir)
            .finish()
    }
}

impl Repo {
    /// The repository containing `dir` (searching upwards like git does), or None when there is
    /// none.
    pub fn discover(dir: &Path) -> Option<Repo> {
        let inner = gix::ThreadSafeRepository::discover(dir).ok()?;
        let workdir = inner.work_dir().map(absolute);
        Some(Repo { inner, workdir })
    }

    /// The work tree's root folder (absolute), None for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    /// Whether this is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.local().is_shallow().unwrap_or(false)
    }

    /// Resolves a tag, branch, full ref name (refs/...), or any revision git accepts (e.g. a hex
    /// id, `HEAD~1`) to a commit; annotated tags are peeled to their commit.
    pub fn commit(&self, name: &str) -> Result<Commit, RefProblem> {
        let repo = self.local();
        let id = repo
            .rev_parse_single(name)
            .map_err(|_| RefProblem::NotFound)?
            .detach();
        match peel_to_commit(&repo, id) {
            Ok(Ok(commit)) => Ok(commit),
            Ok(Err(kind)) => Err(RefProblem::NotACommit(kind)),
            Err(_) => Err(RefProblem::NotFound),
        }
    }

    /// HEAD's commit, None on an unborn branch.
    pub fn head(&self) -> Option<Commit> {
        let repo = self.local();
        let id = repo.head().ok()?.try_peel_to_id().ok()??.detach();
        peel_to_commit(&repo, id).ok()?.ok()
    }

    /// Tags whose short name `pattern` matches, each with its commit (annotated tags peeled;
    /// tags not pointing at commits skipped), sorted by commit time, newest first, ties by name.
    pub fn tags(&self, pattern: &globset::GlobMatcher) -> anyhow::Result<Vec<(String, Commit)>> {
        let repo = self.local();
        let mut found = Vec::new();
        for (name, id) in tag_targets(&repo)? {
            if !pattern.is_match(&name) {
                continue;
            }
            let peeled = peel_to_commit(&repo, id)
                .with_context(|| format!("reading the object tag {name} points at ({id})"))?;
            if let Ok(commit) = peeled {
                found.push((name, commit));
            }
        }
        found.sort_by(|(a_name, a), (b_name, b)| {
            b.time.cmp(&a.time).then_with(|| a_name.cmp(b_name))
        });
        Ok(found)
    }

    /// The bytes of one file at `path` ("/"-separated, from the repository root) in the commit's
    /// tree; None when absent or not a regular/executable file (a folder, a symlink, a submodule).
    pub fn file(&self, commit: &Commit, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let repo = self.local();
        let components = components(path);
        if components.is_empty() {
            return Ok(None);
        }
        let tree = root_tree(&repo, commit)?;
        let entry = tree
            .lookup_entry(components)
            .with_context(|| format!("looking up {path} in commit {}", commit.id))?;
        match entry {
            Some(entry) if entry.mode().is_blob() => {
                read_blob(&repo, entry.object_id(), path).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Every regular (or executable) file under the folder `prefix` ("handbook/" or "" for the
    /// whole tree; with or without trailing slash) in the commit's tree, keyed by its path relative
    /// to the prefix, with its blob's id (read it with [`Repo::blob`]: a version's files are read
    /// once each, when the load stage asks, never held twice). Symlinks and submodules are
    /// listed apart, with why they are left out. Ok(None) when the prefix folder does not
    /// exist in that tree.
    ///
    /// File names that are not UTF-8 are converted lossily.
    pub fn files(&self, commit: &Commit, prefix: &str) -> anyhow::Result<Option<FolderFiles>> {
        let repo = self.cached();
        let Some(folder) = folder_tree(&repo, commit, prefix)? else {
            return Ok(None);
        };
        let mut files = FolderFiles::default();
        let mut dir = String::new();
        collect_files(&repo, folder, &mut dir, &mut files)?;
        Ok(Some(files))
    }

    /// The bytes of the blob `id`, the file at `path`.
    pub fn blob(&self, id: ObjectId, path: &str) -> anyhow::Result<Vec<u8>> {
        read_blob(&self.local(), id, path)
    }

    /// The size in bytes of the blob `id`, the file at `path`, read from the
    /// object's header (the blob itself is not read).
    pub fn blob_size(&self, id: ObjectId, path: &str) -> anyhow::Result<u64> {
        let header = self
            .local()
            .find_header(id)
            .with_context(|| format!("reading the size of {path} ({id})"))?;
        Ok(header.size())
    }

    /// When each of `wanted` (paths relative to `prefix`) last changed, in one
    /// walk down the first-parent chain from `commit`, newest first. Each
    /// commit's tree is compared with its first parent's by id, descending only
    /// into folders under `prefix` whose ids differ; a wanted path that was
    /// added or modified there takes that commit's committer time. A root
    /// commit dates every wanted path still open that its tree holds. At a
    /// shallow clone's boundary (a parent listed as shallow or missing) the
    /// walk stops and `truncated` says some paths were left undated. The walk
    /// ends as soon as every wanted path is dated; paths never found are absent.
    ///
    /// A wanted path whose newest change on the chain is its removal (so it is not a file in
    /// `commit`'s tree) is settled there and stays absent, rather than taking the date of an
    /// older edit.
    pub fn dates(&self, commit: &Commit, prefix: &str, wanted: &[String]) -> anyhow::Result<Dates> {
        let repo = self.cached();
        let shallow: Vec<ObjectId> =
            match repo.shallow_commits().context("reading the shallow file")? {
                Some(commits) => commits.iter().copied().collect(),
                None => Vec::new(),
            };
        let mut walk = Walk::new(&repo, prefix, wanted);
        let mut current = read_commit(&repo, commit.id)?
            .with_context(|| format!("commit {} is not in the object store", commit.id))?;
        let mut truncated = false;
        while walk.remaining() > 0 {
            let parent = match current.parent {
                None => None,
                Some(_) if shallow.contains(&current.id) => {
                    truncated = true;
                    break;
                }
                Some(id) => match read_commit(&repo, id)? {
                    Some(parent) => Some(parent),
                    None => {
                        truncated = true;
                        break;
                    }
                },
            };
            walk.commit(&current, parent.as_ref())?;
            match parent {
                Some(parent) => current = parent,
                None => break,
            }
        }
        Ok(Dates {
            truncated: truncated && walk.remaining() > 0,
            times: walk.times,
        })
    }

    /// A thread-local handle without changes to its caches.
    fn local(&self) -> gix::Repository {
        self.inner.to_thread_local()
    }

    /// A thread-local handle with the object cache on, for reading many objects.
    fn cached(&self) -> gix::Repository {
        let mut repo = self.inner.to_thread_local();
        repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
        repo
    }
}

/// `path` made absolute (symlinks resolved when possible).
fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// The non-empty components of a "/"-separated path.
fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|part| !part.is_empty()).collect()
}

/// `prefix` as a folder path: "" for the root, otherwise "a/b/" (one trailing slash).
fn folder_prefix(prefix: &str) -> String {
    let parts = components(prefix);
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

/// The short name and direct target of every tag ref (symbolic tag refs are skipped).
fn tag_targets(repo: &gix::Repository) -> anyhow::Result<Vec<(String, ObjectId)>> {
    let platform = repo.references().context("reading the repository's refs")?;
    let mut targets = Vec::new();
    for reference in platform.tags().context("listing tags")? {
        let reference = reference.context("reading a tag ref")?;
        if let Some(id) = reference.try_id() {
            let name = reference.name().shorten().to_str_lossy().into_owned();
            targets.push((name, id.detach()));
        }
    }
    Ok(targets)
}

/// The name git gives an object kind.
fn kind_name(kind: gix::object::Kind) -> &'static str {
    match kind {
        gix::object::Kind::Blob => "blob",
        gix::object::Kind::Tree => "tree",
        gix::object::Kind::Commit => "commit",
        gix::object::Kind::Tag => "tag",
    }
}

/// The commit `id` names after peeling tags, or the kind of the object it peels to instead.
fn peel_to_commit(
    repo: &gix::Repository,
    id: ObjectId,
) -> anyhow::Result<Result<Commit, &'static str>> {
    let object = repo
        .find_object(id)
        .with_context(|| format!("reading object {id}"))?
        .peel_tags_to_end()
        .with_context(|| format!("peeling tag {id}"))?;
    if object.kind != gix::object::Kind::Commit {
        return Ok(Err(kind_name(object.kind)));
    }
    let commit = object.into_commit();
    let time = commit
        .time()
        .with_context(|| format!("reading the committer time of {}", commit.id))?;
    Ok(Ok(Commit {
        id: commit.id,
        time: time.seconds,
    }))
}

/// The root tree of `commit`.
fn root_tree<'r>(repo: &'r gix::Repository, commit: &Commit) -> anyhow::Result<gix::Tree<'r>> {
    repo.find_commit(commit.id)
        .with_context(|| format!("reading commit {}", commit.id))?
        .tree()
        .with_context(|| format!("reading the tree of commit {}", commit.id))
}

/// The tree of the folder `prefix` in `commit`, None when it is not a folder there.
fn folder_tree<'r>(
    repo: &'r gix::Repository,
    commit: &Commit,
    prefix: &str,
) -> anyhow::Result<Option<gix::Tree<'r>>> {
    let root = root_tree(repo, commit)?;
    let parts = components(prefix);
    if parts.is_empty() {
        return Ok(Some(root));
    }
    let entry = root
        .lookup_entry(parts)
        .with_context(|| format!("looking up {prefix} in commit {}", commit.id))?;
    let Some(entry) = entry.filter(|entry| entry.mode().is_tree()) else {
        return Ok(None);
    };
    let tree = repo
        .find_tree(entry.object_id())
        .with_context(|| format!("reading the tree of {prefix} in commit {}", commit.id))?;
    Ok(Some(tree))
}

/// The bytes of the blob `id`, found at `path`.
fn read_blob(repo: &gix::Repository, id: ObjectId, path: &str) -> anyhow::Result<Vec<u8>> {
    let mut blob = repo
        .find_blob(id)
        .with_context(|| format!("reading the contents of {path} ({id})"))?;
    Ok(blob.take_data())
}

/// The files of a folder in a commit: what an edition may publish, and what it may not.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FolderFiles {
    /// Every regular or executable file, keyed by its path, with its blob's id.
    pub blobs: BTreeMap<String, ObjectId>,
    /// Symlinks and submodules, with why they are left out.
    pub skipped: Vec<(String, &'static str)>,
}

/// Adds every regular or executable file under `tree` to `files`, keyed by `dir` + its path,
/// and every symlink or submodule to its skipped entries.
fn collect_files(
    repo: &gix::Repository,
    tree: gix::Tree<'_>,
    dir: &mut String,
    files: &mut FolderFiles,
) -> anyhow::Result<()> {
    let decoded = tree
        .decode()
        .with_context(|| format!("decoding the tree of folder '{dir}' ({})", tree.id))?;
    let len = dir.len();
    for entry in decoded.entries {
        dir.push_str(&entry.filename.to_str_lossy());
        let id = entry.oid.to_owned();
        if entry.mode.is_blob() {
            files.blobs.insert(dir.clone(), id);
        } else if entry.mode.is_link() {
            let why = "it is a symbolic link in git, and an edition built from git history \
                       publishes only what was committed as a file";
            files.skipped.push((dir.clone(), why));
        } else if entry.mode.is_commit() {
            let why = "it is a git submodule, whose files are not part of this commit";
            files.skipped.push((dir.clone(), why));
        } else if entry.mode.is_tree() {
            let sub = repo
                .find_tree(id)
                .with_context(|| format!("reading the tree of folder '{dir}' ({id})"))?;
            dir.push('/');
            collect_files(repo, sub, dir, files)?;
        }
        dir.truncate(len);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
