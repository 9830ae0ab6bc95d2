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
        while walk.wanted.remaining > 0 {
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
            truncated: truncated && walk.wanted.remaining > 0,
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

/// What `dates` needs of one commit.
struct CommitInfo {
    /// The commit's id.
    id: ObjectId,
    /// Its root tree.
    tree: ObjectId,
    /// Its first parent, if any.
    parent: Option<ObjectId>,
    /// Its committer time, seconds since the epoch.
    time: i64,
}

/// The commit `id`, or None when it is not in the object store (beyond a shallow boundary).
fn read_commit(repo: &gix::Repository, id: ObjectId) -> anyhow::Result<Option<CommitInfo>> {
    let Some(object) = repo
        .try_find_object(id)
        .with_context(|| format!("looking for commit {id}"))?
    else {
        return Ok(None);
    };
    let commit = object
        .try_into_commit()
        .with_context(|| format!("object {id} is not a commit"))?;
    let decoded = commit
        .decode()
        .with_context(|| format!("decoding commit {id}"))?;
    let time = decoded
        .time()
        .with_context(|| format!("reading the committer time of {id}"))?;
    Ok(Some(CommitInfo {
        id,
        tree: decoded.tree(),
        parent: decoded.parents().next(),
        time: time.seconds,
    }))
}

/// The wanted paths not yet settled, as full paths from the repository root.
struct Wanted {
    /// Full path → index into the caller's `wanted`.
    files: HashMap<Vec<u8>, usize>,
    /// Folder path ("" or "a/b/") → how many unsettled files lie below it.
    dirs: HashMap<Vec<u8>, usize>,
    /// How many files are unsettled.
    remaining: usize,
}

impl Wanted {
    /// The paths of `wanted` (relative to `prefix`), all unsettled.
    fn new(prefix: &str, wanted: &[String]) -> Wanted {
        let prefix = folder_prefix(prefix);
        let mut this = Wanted {
            files: HashMap::with_capacity(wanted.len()),
            dirs: HashMap::new(),
            remaining: 0,
        };
        for (index, path) in wanted.iter().enumerate() {
            let full = format!("{prefix}{}", components(path).join("/")).into_bytes();
            if full.len() == prefix.len() || this.files.contains_key(&full) {
                continue;
            }
            for dir in folders_of(&full) {
                *this.dirs.entry(dir.to_vec()).or_insert(0) += 1;
            }
            this.files.insert(full, index);
            this.remaining += 1;
        }
        this
    }

    /// Whether any unsettled file lies below the folder `dir` ("" or "a/b/").
    fn wants_dir(&self, dir: &[u8]) -> bool {
        self.dirs.get(dir).is_some_and(|count| *count > 0)
    }

    /// Settles `path` if it is wanted and unsettled, giving its index into the caller's `wanted`.
    fn take(&mut self, path: &[u8]) -> Option<usize> {
        let index = self.files.remove(path)?;
        for dir in folders_of(path) {
            if let Some(count) = self.dirs.get_mut(dir) {
                *count = count.saturating_sub(1);
            }
        }
        self.remaining -= 1;
        Some(index)
    }
}

/// The folders holding `path`, from the root (""), each with a trailing slash.
fn folders_of(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::once(0)
        .chain(
            path.iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'/')
                .map(|(at, _)| at + 1),
        )
        .map(move |end| &path[..end])
}

/// What a tree entry is, as far as `dates` cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node<'a> {
    /// Nothing of that name.
    Absent,
    /// A regular or executable file with this blob.
    File(&'a gix::oid),
    /// A folder with this tree.
    Folder(&'a gix::oid),
    /// A symlink or submodule.
    Other,
}

impl<'a> Node<'a> {
    /// The node of `entry`.
    fn of(entry: &EntryRef<'a>) -> Node<'a> {
        if entry.mode.is_blob() {
            Node::File(entry.oid)
        } else if entry.mode.is_tree() {
            Node::Folder(entry.oid)
        } else {
            Node::Other
        }
    }

    /// The folder's tree, if this is a folder.
    fn folder(self) -> Option<ObjectId> {
        match self {
            Node::Folder(id) => Some(id.to_owned()),
            _ => None,
        }
    }
}

/// The state of one `dates` walk.
struct Walk<'r, 'w> {
    /// The repository read.
    repo: &'r gix::Repository,
    /// The paths not yet settled.
    wanted: Wanted,
    /// Caller's path → time, for the paths attributed so far.
    times: HashMap<String, i64>,
    /// The caller's wanted paths, by index.
    names: &'w [String],
    /// The folder being compared ("" or "a/b/").
    path: Vec<u8>,
    /// The committer time of the commit being compared.
    time: i64,
}

impl<'r, 'w> Walk<'r, 'w> {
    /// A walk for the paths `names` (relative to `prefix`), nothing attributed yet.
    fn new(repo: &'r gix::Repository, prefix: &str, names: &'w [String]) -> Walk<'r, 'w> {
        let wanted = Wanted::new(prefix, names);
        Walk {
            repo,
            times: HashMap::with_capacity(wanted.remaining),
            wanted,
            names,
            path: Vec::new(),
            time: 0,
        }
    }

    /// Attributes what `commit` changed against `parent` (None for a root commit).
    fn commit(&mut self, commit: &CommitInfo, parent: Option<&CommitInfo>) -> anyhow::Result<()> {
        let old = parent.map(|parent| parent.tree);
        if old == Some(commit.tree) {
            return Ok(());
        }
        self.time = commit.time;
        self.path.clear();
        self.compare(Some(commit.tree), old)
            .with_context(|| format!("comparing commit {} with its first parent", commit.id))
    }

    /// Compares the folder at `self.path` in the new tree with the old one (either may be absent).
    fn compare(&mut self, new: Option<ObjectId>, old: Option<ObjectId>) -> anyhow::Result<()> {
        let new_tree = self.read_tree(new)?;
        let old_tree = self.read_tree(old)?;
        let new_entries = sorted_entries(new_tree.as_ref())?;
        let old_entries = sorted_entries(old_tree.as_ref())?;
        for (name, new_node, old_node) in paired(&new_entries, &old_entries) {
            if self.wanted.remaining == 0 {
                break;
            }
            if new_node != old_node {
                self.entry(name, new_node, old_node)?;
            }
        }
        Ok(())
    }

    /// Settles the entry `name` of the current folder, which is `new` now and was `old`.
    fn entry(&mut self, name: &[u8], new: Node<'_>, old: Node<'_>) -> anyhow::Result<()> {
        let len = self.path.len();
        self.path.extend_from_slice(name);
        match (new, old) {
            (Node::File(a), Node::File(b)) if a == b => {}
            (Node::File(_), _) => self.settle(true),
            (_, Node::File(_)) => self.settle(false),
            _ => {}
        }
        let (new_folder, old_folder) = (new.folder(), old.folder());
        if new_folder.is_some() || old_folder.is_some() {
            self.path.push(b'/');
            if self.wanted.wants_dir(&self.path) {
                self.compare(new_folder, old_folder)?;
            }
        }
        self.path.truncate(len);
        Ok(())
    }

    /// Settles the file at `self.path`: with the current time when `changed`, without one when it
    /// was removed.
    fn settle(&mut self, changed: bool) {
        if let Some(index) = self.wanted.take(&self.path)
            && changed
        {
            self.times.insert(self.name(index), self.time);
        }
    }

    /// The caller's path for the wanted index `index`.
    fn name(&self, index: usize) -> String {
        self.names.get(index).cloned().unwrap_or_default()
    }

    /// The tree `id`, if any.
    fn read_tree(&self, id: Option<ObjectId>) -> anyhow::Result<Option<gix::Tree<'r>>> {
        let Some(id) = id else { return Ok(None) };
        let tree = self.repo.find_tree(id).with_context(|| {
            let path = self.path.to_str_lossy();
            format!("reading the tree of folder '{path}' ({id})")
        })?;
        Ok(Some(tree))
    }
}

/// The entries of two name-sorted lists paired by name: each name with its node in `new` and in
/// `old`.
fn paired<'a>(
    new: &'a [EntryRef<'a>],
    old: &'a [EntryRef<'a>],
) -> impl Iterator<Item = (&'a [u8], Node<'a>, Node<'a>)> {
    let (mut new, mut old) = (new.iter().peekable(), old.iter().peekable());
    std::iter::from_fn(move || {
        let order = match (new.peek(), old.peek()) {
            (None, None) => return None,
            (Some(a), Some(b)) => a.filename.cmp(b.filename),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
        };
        let new = new.next_if(|_| order.is_le());
        let old = old.next_if(|_| order.is_ge());
        let name = new.or(old).map_or(&[][..], |entry| entry.filename.as_ref());
        Some((
            name,
            new.map_or(Node::Absent, Node::of),
            old.map_or(Node::Absent, Node::of),
        ))
    })
}

/// The entries of `tree` sorted by name (none for no tree).
fn sorted_entries<'t>(tree: Option<&'t gix::Tree<'_>>) -> anyhow::Result<Vec<EntryRef<'t>>> {
    let Some(tree) = tree else {
        return Ok(Vec::new());
    };
    let mut entries = tree
        .decode()
        .with_context(|| format!("decoding tree {}", tree.id))?
        .entries;
    entries.sort_unstable_by(|a, b| a.filename.cmp(b.filename));
    Ok(entries)
}

#[cfg(test)]
mod tests;
