//! The walk behind [`Repo::dates`](super::Repo::dates): down the
//! first-parent chain, one commit at a time, comparing each commit's tree
//! with its parent's and descending only into folders whose ids differ, so
//! that a wanted path is dated by the newest commit that added or changed it
//! and the walk's cost follows what changed, not the size of the tree.

use super::*;

/// What `dates` needs of one commit.
pub(super) struct CommitInfo {
    /// The commit's id.
    pub(super) id: ObjectId,
    /// Its root tree.
    tree: ObjectId,
    /// Its first parent, if any.
    pub(super) parent: Option<ObjectId>,
    /// Its committer time, seconds since the epoch.
    time: i64,
}

/// The commit `id`, or None when it is not in the object store (beyond a shallow boundary).
pub(super) fn read_commit(
    repo: &gix::Repository,
    id: ObjectId,
) -> anyhow::Result<Option<CommitInfo>> {
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
    pub(super) fn new(prefix: &str, wanted: &[String]) -> Wanted {
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
pub(super) struct Walk<'r, 'w> {
    /// The repository read.
    repo: &'r gix::Repository,
    /// The paths not yet settled.
    wanted: Wanted,
    /// Caller's path → time, for the paths attributed so far.
    pub(super) times: HashMap<String, i64>,
    /// The caller's wanted paths, by index.
    names: &'w [String],
    /// The folder being compared ("" or "a/b/").
    path: Vec<u8>,
    /// The committer time of the commit being compared.
    time: i64,
}

impl<'r, 'w> Walk<'r, 'w> {
    /// How many wanted paths are still undated.
    pub(super) fn remaining(&self) -> usize {
        self.wanted.remaining
    }

    /// A walk for the paths `names` (relative to `prefix`), nothing attributed yet.
    pub(super) fn new(
        repo: &'r gix::Repository,
        prefix: &str,
        names: &'w [String],
    ) -> Walk<'r, 'w> {
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
    pub(super) fn commit(
        &mut self,
        commit: &CommitInfo,
        parent: Option<&CommitInfo>,
    ) -> anyhow::Result<()> {
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
