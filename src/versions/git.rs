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
    /// Path (relative to the prefix asked for) → committer time (seconds since epoch) of the newest commit on the first-parent chain that changed it.
    pub times: HashMap<String, i64>,
    /// The walk reached a shallow-clone boundary with wanted paths still unattributed (those paths are absent from `times`).
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
    /// The repository containing `dir` (searching upwards like git does), or None when there is none.
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

    /// Resolves a tag, branch, full ref name (refs/...), or any revision git accepts (e.g. a hex id, `HEAD~1`) to a commit; annotated tags are peeled to their commit.
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

    /// Tags whose short name matches `pattern` (a glob where `*` matches any run of characters, nothing else is special), each with its commit (annotated tags peeled; tags not pointing at commits skipped), sorted by commit time, newest first, ties by name.
    pub fn tags(&self, pattern: &str) -> anyhow::Result<Vec<(String, Commit)>> {
        let repo = self.local();
        let mut found = Vec::new();
        for (name, id) in tag_targets(&repo)? {
            if !glob_matches(pattern, &name) {
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

    /// The bytes of one file at `path` ("/"-separated, from the repository root) in the commit's tree; None when absent or not a regular/executable file (a folder, a symlink, a submodule).
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

    /// Every regular (or executable) file under the folder `prefix` ("handbook/" or "" for the whole tree; with or without trailing slash) in the commit's tree, keyed by its path relative to the prefix, with its bytes. Symlinks and submodules are skipped. Ok(None) when the prefix folder does not exist in that tree.
    ///
    /// File names that are not UTF-8 are converted lossily.
    pub fn files(
        &self,
        commit: &Commit,
        prefix: &str,
    ) -> anyhow::Result<Option<BTreeMap<String, Vec<u8>>>> {
        let repo = self.cached();
        let Some(folder) = folder_tree(&repo, commit, prefix)? else {
            return Ok(None);
        };
        let mut files = BTreeMap::new();
        let mut dir = String::new();
        collect_files(&repo, folder, &mut dir, &mut files)?;
        Ok(Some(files))
    }

    /// For each of `wanted` (paths relative to `prefix`), when it last changed: walk the first-parent chain from `commit` newest first; for each commit compare its tree with its first parent's tree, descending ONLY into subtrees whose ids differ (and only under `prefix`), and attribute every wanted path that differs (added or modified; compare blob ids) and is not yet attributed to that commit's committer time. A root commit (no parents) attributes all remaining wanted paths present in its tree. If a parent is missing from the object store (shallow boundary — check `is_shallow()` / missing object), stop and set `truncated` if any wanted path is left. Stop early once every wanted path is attributed. Wanted paths never found are just absent.
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

/// Whether `name` matches `pattern`, where `*` matches any run of characters (even none).
fn glob_matches(pattern: &str, name: &str) -> bool {
    let mut pieces = pattern.split('*');
    let Some(first) = pieces.next() else {
        return name.is_empty();
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let middle: Vec<&str> = pieces.collect();
    let Some((last, middle)) = middle.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
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

/// Adds every regular or executable file under `tree` to `files`, keyed by `dir` + its path.
fn collect_files(
    repo: &gix::Repository,
    tree: gix::Tree<'_>,
    dir: &mut String,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> anyhow::Result<()> {
    let decoded = tree
        .decode()
        .with_context(|| format!("decoding the tree of folder '{dir}' ({})", tree.id))?;
    let len = dir.len();
    for entry in decoded.entries {
        dir.push_str(&entry.filename.to_str_lossy());
        let id = entry.oid.to_owned();
        if entry.mode.is_blob() {
            let bytes = read_blob(repo, id, dir)?;
            files.insert(dir.clone(), bytes);
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

    /// Settles the file at `self.path`: with the current time when `changed`, without one when it was removed.
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

/// The entries of two name-sorted lists paired by name: each name with its node in `new` and in `old`.
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
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    /// 2021-01-01T00:00:00Z in seconds since the epoch.
    const JAN_1: i64 = 1_609_459_200;

    /// The committer time of a commit made by `git` on January `day`, 2021.
    fn day(day: i64) -> i64 {
        JAN_1 + (day - 1) * 86_400
    }

    /// A `git` command in `dir` with a fixed identity, dates on January `day`, and no outside config.
    fn git_command(dir: &Path, day: u32) -> Command {
        let date = format!("2021-01-{day:02}T00:00:00Z");
        let mut command = Command::new("git");
        command
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@e"])
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgSign=false",
            ])
            .args(["-c", "tag.gpgSign=false", "-c", "core.autocrlf=false"])
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
        command
    }

    /// Runs `git args` in `dir` on January `day`, giving its trimmed output.
    fn git(dir: &Path, day: u32, args: &[&str]) -> String {
        let output = git_command(dir, day).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }

    /// Writes `contents` to `path` under `root`, making folders as needed.
    fn write(root: &Path, path: &str, contents: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// Commits everything in the work tree on January `day`.
    fn commit_all(root: &Path, day: u32, message: &str) {
        git(root, day, &["add", "-A"]);
        git(root, day, &["commit", "-q", "-m", message]);
    }

    /// Paths as owned strings.
    fn strings(paths: &[&str]) -> Vec<String> {
        paths.iter().map(ToString::to_string).collect()
    }

    /// A repository with a history exercising tags, branches, renames, removals and a merge:
    ///
    /// - day 1 (tag `edition-1`): `handbook/{a,b,old,gone}.md`, `handbook/sub/c.md`, an
    ///   executable `handbook/run.sh`, a symlink `handbook/link.md`, `README`
    /// - day 2 (annotated tag `edition-2`): `a.md` changed
    /// - day 3: `old.md` renamed to `new.md`, `gone.md` removed
    /// - day 4, on branch `side`: `sub/c.md` changed
    /// - day 5, on `main`: `README` changed
    /// - day 6 (tags `edition-3`, `edition-3a`, `other-1`): `side` merged into `main`
    ///
    /// plus `blobtag` (a blob) and `treetag` (a tree).
    fn handbook_repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, 1, &["init", "-q"]);
        for (path, contents) in [
            ("handbook/a.md", "a1"),
            ("handbook/b.md", "b1"),
            ("handbook/old.md", "old"),
            ("handbook/gone.md", "gone"),
            ("handbook/sub/c.md", "c1"),
            ("handbook/run.sh", "#!/bin/sh\n"),
            ("README", "r1"),
        ] {
            write(root, path, contents);
        }
        git(root, 1, &["add", "-A"]);
        git(root, 1, &["update-index", "--chmod=+x", "handbook/run.sh"]);
        std::os::unix::fs::symlink("a.md", root.join("handbook/link.md")).unwrap();
        commit_all(root, 1, "one");
        git(root, 1, &["tag", "edition-1"]);
        write(root, "handbook/a.md", "a2");
        commit_all(root, 2, "two");
        git(root, 2, &["tag", "-a", "edition-2", "-m", "second edition"]);
        git(root, 3, &["mv", "handbook/old.md", "handbook/new.md"]);
        git(root, 3, &["rm", "-q", "handbook/gone.md"]);
        commit_all(root, 3, "three");
        git(root, 4, &["checkout", "-q", "-b", "side"]);
        write(root, "handbook/sub/c.md", "c2");
        commit_all(root, 4, "four, on side");
        git(root, 5, &["checkout", "-q", "main"]);
        write(root, "README", "r2");
        commit_all(root, 5, "five");
        git(
            root,
            6,
            &["merge", "-q", "--no-ff", "-m", "six, merge", "side"],
        );
        for tag in ["edition-3a", "edition-3", "other-1"] {
            git(root, 6, &["tag", tag]);
        }
        let blob = git(root, 6, &["hash-object", "-w", "README"]);
        git(root, 6, &["tag", "blobtag", &blob]);
        git(root, 6, &["tag", "treetag", "HEAD^{tree}"]);
        dir
    }

    #[test]
    fn repo_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Repo>();
    }

    #[test]
    fn discover_finds_the_repository_upwards_and_none_elsewhere() {
        let dir = handbook_repo();
        let repo = Repo::discover(&dir.path().join("handbook/sub")).unwrap();
        assert_eq!(
            repo.workdir(),
            Some(dir.path().canonicalize().unwrap().as_path())
        );
        assert!(!repo.is_shallow());
        let empty = tempfile::tempdir().unwrap();
        assert!(Repo::discover(empty.path()).is_none());
    }

    #[test]
    fn a_fresh_repository_has_no_head_and_no_tags() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), 1, &["init", "-q"]);
        let repo = Repo::discover(dir.path()).unwrap();
        assert_eq!(repo.head(), None);
        assert_eq!(repo.commit("HEAD"), Err(RefProblem::NotFound));
        assert!(repo.tags("*").unwrap().is_empty());
    }

    #[test]
    fn names_resolve_to_commits() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.head().unwrap();
        assert_eq!(head.time, day(6));
        assert_eq!(
            head.id.to_string(),
            git(dir.path(), 6, &["rev-parse", "HEAD"])
        );
        assert_eq!(repo.commit("edition-1").unwrap().time, day(1));
        let annotated = repo.commit("edition-2").unwrap();
        assert_eq!(
            annotated.id.to_string(),
            git(dir.path(), 6, &["rev-parse", "edition-2^{commit}"])
        );
        assert_eq!(annotated.time, day(2));
        assert_eq!(repo.commit("refs/tags/edition-2"), Ok(annotated));
        assert_eq!(repo.commit("side").unwrap().time, day(4));
        assert_eq!(repo.commit("refs/heads/main"), Ok(head.clone()));
        assert_eq!(repo.commit(&head.id.to_string()), Ok(head));
        assert_eq!(repo.commit("HEAD~1").unwrap().time, day(5));
    }

    #[test]
    fn names_that_give_no_commit_say_why() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        assert_eq!(repo.commit("no-such-edition"), Err(RefProblem::NotFound));
        assert_eq!(repo.commit("refs/tags/nope"), Err(RefProblem::NotFound));
        assert_eq!(repo.commit("blobtag"), Err(RefProblem::NotACommit("blob")));
        assert_eq!(repo.commit("treetag"), Err(RefProblem::NotACommit("tree")));
    }

    #[test]
    fn tags_match_the_glob_newest_first() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        let tags = repo.tags("edition-*").unwrap();
        let names: Vec<&str> = tags.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["edition-3", "edition-3a", "edition-2", "edition-1"]);
        assert_eq!(tags[2].1, repo.commit("edition-2").unwrap());
        let all: Vec<String> = repo
            .tags("*")
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            all,
            [
                "edition-3",
                "edition-3a",
                "other-1",
                "edition-2",
                "edition-1"
            ]
        );
        assert!(repo.tags("edition").unwrap().is_empty());
        assert_eq!(repo.tags("*-1").unwrap().len(), 2);
    }

    #[test]
    fn glob_stars_match_any_run() {
        assert!(glob_matches("edition-*", "edition-2024"));
        assert!(glob_matches("edition-*", "edition-"));
        assert!(!glob_matches("edition-*", "editions"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("v*.*", "v1.2"));
        assert!(!glob_matches("v*.*", "v12"));
        assert!(glob_matches("*a*a", "banana"));
        assert!(!glob_matches("*ab*ba", "aba"));
        assert!(glob_matches("exact", "exact"));
        assert!(!glob_matches("exact", "exactly"));
        assert!(glob_matches("v?[1]", "v?[1]"));
    }

    #[test]
    fn files_lists_a_folder_of_a_commit() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.head().unwrap();
        let files = repo.files(&head, "handbook/").unwrap().unwrap();
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(names, ["a.md", "b.md", "new.md", "run.sh", "sub/c.md"]);
        assert_eq!(files["a.md"], b"a2");
        assert_eq!(files["sub/c.md"], b"c2");
        assert_eq!(repo.files(&head, "handbook").unwrap(), Some(files));
        let first = repo.commit("edition-1").unwrap();
        let old = repo.files(&first, "handbook/sub/").unwrap().unwrap();
        assert_eq!(
            old.into_iter().collect::<Vec<_>>(),
            [("c.md".to_string(), b"c1".to_vec())]
        );
        let whole = repo.files(&head, "").unwrap().unwrap();
        assert_eq!(whole.len(), 6);
        assert_eq!(whole["README"], b"r2");
        assert_eq!(whole["handbook/sub/c.md"], b"c2");
        assert_eq!(repo.files(&head, "nope/").unwrap(), None);
        assert_eq!(repo.files(&head, "handbook/a.md").unwrap(), None);
        assert_eq!(repo.files(&first, "handbook/new.md/").unwrap(), None);
    }

    #[test]
    fn file_reads_one_regular_file() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.head().unwrap();
        let first = repo.commit("edition-1").unwrap();
        assert_eq!(
            repo.file(&head, "handbook/a.md").unwrap(),
            Some(b"a2".to_vec())
        );
        assert_eq!(
            repo.file(&first, "handbook/a.md").unwrap(),
            Some(b"a1".to_vec())
        );
        assert_eq!(repo.file(&head, "README").unwrap(), Some(b"r2".to_vec()));
        assert_eq!(
            repo.file(&head, "handbook/run.sh").unwrap(),
            Some(b"#!/bin/sh\n".to_vec())
        );
        assert_eq!(repo.file(&head, "handbook/old.md").unwrap(), None);
        assert_eq!(
            repo.file(&first, "handbook/old.md").unwrap(),
            Some(b"old".to_vec())
        );
        assert_eq!(repo.file(&head, "handbook/sub").unwrap(), None);
        assert_eq!(repo.file(&head, "handbook/link.md").unwrap(), None);
        assert_eq!(repo.file(&head, "handbook/missing.md").unwrap(), None);
        assert_eq!(repo.file(&head, "").unwrap(), None);
    }

    #[test]
    fn dates_attribute_each_file_to_its_last_change() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.head().unwrap();
        let wanted = strings(&[
            "a.md",
            "b.md",
            "sub/c.md",
            "new.md",
            "old.md",
            "gone.md",
            "missing.md",
            "run.sh",
        ]);
        let dates = repo.dates(&head, "handbook/", &wanted).unwrap();
        let expected: HashMap<String, i64> = [
            ("a.md", day(2)),
            ("b.md", day(1)),
            ("sub/c.md", day(6)),
            ("new.md", day(3)),
            ("run.sh", day(1)),
        ]
        .into_iter()
        .map(|(path, time)| (path.to_string(), time))
        .collect();
        assert_eq!(
            dates,
            Dates {
                times: expected,
                truncated: false
            }
        );
        assert_eq!(repo.dates(&head, "handbook", &wanted).unwrap(), dates);
    }

    #[test]
    fn dates_follow_the_commit_and_prefix_asked_for() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        let first = repo.commit("edition-1").unwrap();
        let wanted = strings(&["a.md", "old.md", "gone.md", "sub/c.md"]);
        let dates = repo.dates(&first, "handbook/", &wanted).unwrap();
        assert_eq!(dates.times.len(), 4);
        assert!(dates.times.values().all(|time| *time == day(1)));
        let head = repo.head().unwrap();
        let whole = repo
            .dates(
                &head,
                "",
                &strings(&["README", "handbook/a.md", "handbook"]),
            )
            .unwrap();
        assert_eq!(whole.times.len(), 2);
        assert_eq!(whole.times["README"], day(5));
        assert_eq!(whole.times["handbook/a.md"], day(2));
        let side = repo.commit("side").unwrap();
        let on_side = repo
            .dates(&side, "handbook/sub", &strings(&["c.md"]))
            .unwrap();
        assert_eq!(on_side.times["c.md"], day(4));
        assert_eq!(
            repo.dates(&head, "handbook/", &[]).unwrap(),
            Dates::default()
        );
    }

    #[test]
    fn dates_settle_removed_folders_and_ignore_mode_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, 1, &["init", "-q"]);
        write(root, "docs/x/y.md", "y");
        write(root, "docs/z.md", "z1");
        commit_all(root, 1, "one");
        git(root, 2, &["rm", "-q", "-r", "docs/x"]);
        commit_all(root, 2, "two: folder removed");
        write(root, "docs/z.md", "z2");
        commit_all(root, 3, "three");
        git(root, 4, &["update-index", "--chmod=+x", "docs/z.md"]);
        git(root, 4, &["commit", "-q", "-m", "four: mode only"]);
        let repo = Repo::discover(root).unwrap();
        let wanted = strings(&["x/y.md", "z.md"]);
        let dates = repo.dates(&repo.head().unwrap(), "docs/", &wanted).unwrap();
        let times = HashMap::from([("z.md".to_string(), day(3))]);
        assert_eq!(
            dates,
            Dates {
                times,
                truncated: false
            }
        );
        let first = repo.commit("HEAD~3").unwrap();
        let dates = repo.dates(&first, "docs/", &wanted).unwrap();
        assert_eq!(dates.times.len(), 2);
    }

    /// A repository where day 1 adds `a.md` and `b.md`, day 2 changes `a.md`, day 3 changes `b.md`.
    fn three_day_repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, 1, &["init", "-q"]);
        write(root, "docs/a.md", "a1");
        write(root, "docs/b.md", "b1");
        commit_all(root, 1, "one");
        write(root, "docs/a.md", "a2");
        commit_all(root, 2, "two");
        write(root, "docs/b.md", "b2");
        commit_all(root, 3, "three");
        dir
    }

    /// A shallow clone of `source` with the newest `depth` commits.
    fn shallow_clone(source: &Path, depth: u32) -> tempfile::TempDir {
        let dest = tempfile::tempdir().unwrap();
        let url = format!("file://{}", source.display());
        let into = dest.path().join("clone");
        let depth = depth.to_string();
        let into_str = into.to_str().unwrap();
        git(
            source,
            3,
            &["clone", "-q", "--depth", &depth, &url, into_str],
        );
        dest
    }

    #[test]
    fn dates_stop_at_a_shallow_boundary() {
        let source = three_day_repo();
        let full = Repo::discover(source.path()).unwrap();
        let wanted = strings(&["a.md", "b.md"]);
        let head = full.head().unwrap();
        let dates = full.dates(&head, "docs", &wanted).unwrap();
        assert_eq!(
            dates.times,
            HashMap::from([("a.md".into(), day(2)), ("b.md".into(), day(3))])
        );
        assert!(!dates.truncated);

        let one = shallow_clone(source.path(), 1);
        let repo = Repo::discover(&one.path().join("clone")).unwrap();
        assert!(repo.is_shallow());
        let head = repo.head().unwrap();
        let dates = repo.dates(&head, "docs/", &wanted).unwrap();
        assert_eq!(
            dates,
            Dates {
                times: HashMap::new(),
                truncated: true
            }
        );

        let two = shallow_clone(source.path(), 2);
        let repo = Repo::discover(&two.path().join("clone")).unwrap();
        let head = repo.head().unwrap();
        let dates = repo.dates(&head, "docs/", &wanted).unwrap();
        let times = HashMap::from([("b.md".to_string(), day(3))]);
        assert_eq!(
            dates,
            Dates {
                times: times.clone(),
                truncated: true
            }
        );
        let only_b = repo.dates(&head, "docs/", &strings(&["b.md"])).unwrap();
        assert_eq!(
            only_b,
            Dates {
                times,
                truncated: false
            }
        );
    }

    #[test]
    fn threads_share_one_repo() {
        let dir = handbook_repo();
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.head().unwrap();
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| repo.file(&head, "handbook/a.md").unwrap());
            let b = scope.spawn(|| repo.files(&head, "handbook/").unwrap().unwrap().len());
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!(a, Some(b"a2".to_vec()));
        assert_eq!(b, 5);
    }

    /// Writes a `git fast-import` stream of `commits` commits over `files` files in 100 folders:
    /// the first adds them all, each later one changes `per_commit` of them. Gives each file's
    /// expected last-change time.
    fn synthetic_history(
        out: &mut impl std::io::Write,
        files: usize,
        commits: usize,
        per_commit: usize,
    ) -> HashMap<String, i64> {
        let path = |file: usize| format!("d{:02}/f{file:05}.md", file % 100);
        let mut expected = HashMap::new();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for commit in 0..commits {
            let time = JAN_1 + i64::try_from(commit).unwrap() * 3_600;
            writeln!(
                out,
                "commit refs/heads/main\ncommitter t <t@e> {time} +0000\ndata 1\nc"
            )
            .unwrap();
            let touched: Vec<usize> = if commit == 0 {
                (0..files).collect()
            } else {
                (0..per_commit)
                    .map(|_| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        usize::try_from(seed >> 33).unwrap() % files
                    })
                    .collect()
            };
            for file in touched {
                let body = format!("file {file}, revision {commit}\n");
                write!(
                    out,
                    "M 100644 inline handbook/{}\ndata {}\n{body}",
                    path(file),
                    body.len()
                )
                .unwrap();
                expected.insert(path(file), time);
            }
        }
        expected
    }

    /// Times `dates` (and `files`) on 10,000 files over 300 commits, as `git fast-import` packed
    /// them and again after a repack; run with
    /// `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing; run in release mode"]
    fn dates_timing_on_a_large_history() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), 1, &["init", "-q"]);
        let mut import = git_command(dir.path(), 1)
            .args(["fast-import", "--quiet"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stream = Vec::new();
        let expected = synthetic_history(&mut stream, 10_000, 300, 20);
        import.stdin.take().unwrap().write_all(&stream).unwrap();
        assert!(import.wait().unwrap().success());
        let repo = Repo::discover(dir.path()).unwrap();
        let head = repo.commit("main").unwrap();

        let start = std::time::Instant::now();
        let files = repo.files(&head, "handbook/").unwrap().unwrap();
        let files_time = start.elapsed();
        let wanted: Vec<String> = files.into_keys().collect();
        let start = std::time::Instant::now();
        let dates = repo.dates(&head, "handbook/", &wanted).unwrap();
        let dates_time = start.elapsed();
        println!(
            "files: {} files in {files_time:?}; dates: {} files over 300 commits in {dates_time:?}",
            wanted.len(),
            dates.times.len()
        );
        assert_eq!(
            dates,
            Dates {
                times: expected,
                truncated: false
            }
        );
        git(dir.path(), 1, &["repack", "-adfq"]);
        let repacked = Repo::discover(dir.path()).unwrap();
        let start = std::time::Instant::now();
        let again = repacked.dates(&head, "handbook/", &wanted).unwrap();
        println!("dates after `git repack -adf`: {:?}", start.elapsed());
        assert_eq!(again, dates);
    }
}
