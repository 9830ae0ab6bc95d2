//! Where a version's files come from. A [`SourceTree`] lists and reads the
//! files of one source folder by `/`-separated relative path; [`DirTree`] reads
//! the working tree. Git refs and snapshot folders (the versions stage) are other
//! implementations of the same trait, so nothing after `load` knows which one
//! it is reading.
//!
//! The walk is sorted (deterministic), skips hidden files and folders except
//! GitBook's `.gitbook/` (where exports keep their images), leaves out folders
//! the project itself makes (the output, `protocols/`, `themes/`) when the
//! source folder is the project root, and never follows a symbolic link out
//! of the project or round a loop. Where a link leads is checked as the real
//! path it reaches, however many links deep: nothing under a hidden folder of
//! the project (`.git`, the cache), under a folder the project keeps apart
//! (the output, `protocols/`, `themes/`, editions) or above the source folder
//! (which would take the output in again) is listed. Such entries are listed
//! as skipped, for a warning, not published.

use anyhow::Result;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// What a walk found: the files, and the entries it would not follow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Every file, as sorted `/`-separated paths relative to the source folder.
    pub files: Vec<String>,
    /// Entries left out, with why (a link leading out of the project, a loop).
    pub skipped: Vec<(String, &'static str)>,
}

/// One version's source folder.
pub trait SourceTree: Sync {
    /// Every file of the tree.
    fn files(&self) -> Result<Listing>;

    /// The bytes of one file named by a path from [`SourceTree::files`].
    fn read(&self, path: &str) -> Result<Vec<u8>>;

    /// The size in bytes of one file named by a path from
    /// [`SourceTree::files`], found without reading it.
    fn size(&self, path: &str) -> Result<u64>;

    /// Where the file lives on disk, when it does (assets are then copied, not read).
    fn disk_path(&self, path: &str) -> Option<PathBuf>;
}

/// The source folder in the working tree.
#[derive(Debug, Clone)]
pub struct DirTree {
    root: PathBuf,
    /// Symbolic links may lead anywhere inside this folder, nowhere else.
    within: PathBuf,
    /// Paths relative to `root` the walk leaves out.
    excluded: Vec<String>,
    /// The same folders as real paths, wherever they are: no link leads in.
    kept_apart: Vec<PathBuf>,
    /// The source folder's real path: no link may lead to it or above it.
    source_real: Option<PathBuf>,
}

/// What a walk has seen so far: the entries it left out, and the links it
/// followed (as relative path and real target), to tell where an entry
/// below a link really is.
#[derive(Default)]
struct Walk {
    skipped: Vec<(String, &'static str)>,
    links: Vec<(String, PathBuf)>,
}

impl DirTree {
    /// A tree rooted at `root`, whose links may not leave it.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            within: root.to_path_buf(),
            excluded: Vec::new(),
            kept_apart: Vec::new(),
            source_real: None,
        }
    }

    /// A project's source folder: links may lead anywhere in `project`, and
    /// the folders in `exclude` that lie inside the source are left out.
    pub fn in_project(source: &Path, project: &Path, exclude: &[&Path]) -> Result<Self> {
        let source_abs = crate::fs::resolved(source)?;
        let kept_apart: Vec<PathBuf> = exclude
            .iter()
            .filter_map(|path| crate::fs::resolved(path).ok())
            .collect();
        let excluded = kept_apart
            .iter()
            .filter_map(|path| {
                path.strip_prefix(&source_abs)
                    .ok()
                    .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            })
            .filter(|rel| !rel.is_empty())
            .collect();
        Ok(Self {
            root: source.to_path_buf(),
            within: crate::fs::resolved(project)?,
            excluded,
            kept_apart,
            source_real: Some(source_abs),
        })
    }

    /// Whether the walk enters `entry`; records why not when it is a link
    /// (or lies below one) that leads where pages may not come from.
    fn admit(&self, entry: &walkdir::DirEntry, walk: &RefCell<Walk>) -> bool {
        if entry.depth() == 0 {
            return true;
        }
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') && name != ".gitbook" {
            return false;
        }
        let relative = self.relative(entry.path());
        if self.excluded.contains(&relative) {
            return false;
        }
        let mut walk = walk.borrow_mut();
        if entry.file_type().is_dir() && entry.path().join(crate::fs::SITE_MARKER).is_file() {
            let why =
                "it is a site handbook built (it holds .handbook-site), never taken in as pages";
            walk.skipped.push((relative, why));
            return false;
        }
        let Some(real) = walk.real_path(entry, &relative) else {
            return true;
        };
        if let Err(reason) = self.may_lead_to(real.as_deref()) {
            walk.skipped.push((relative, reason));
            return false;
        }
        if let (true, Some(real)) = (entry.path_is_symlink(), real) {
            walk.links.push((relative, real));
        }
        true
    }

    /// Whether a link (or an entry below one) may lead to `real` (`None`:
    /// it leads nowhere); why not.
    fn may_lead_to(&self, real: Option<&Path>) -> Result<(), &'static str> {
        let Some(real) = real else {
            return Err(DANGLING);
        };
        if !real.starts_with(&self.within) {
            return Err("it is a link to a place outside the project");
        }
        if self
            .source_real
            .as_deref()
            .is_some_and(|source| source.starts_with(real))
        {
            return Err("it is a link to the source folder or a folder above it, \
                        which holds the built site; link to the folder you mean");
        }
        if self.kept_apart.iter().any(|apart| real.starts_with(apart)) {
            return Err(
                "it is a link into a folder handbook keeps apart from the pages \
                        (the output, protocols, themes, an edition or the configuration)",
            );
        }
        let hidden = real
            .strip_prefix(&self.within)
            .unwrap_or(real)
            .components()
            .any(|part| {
                let part = part.as_os_str().to_string_lossy();
                part.starts_with('.') && part != ".gitbook"
            });
        if hidden {
            return Err(
                "it is a link into a hidden folder (such as .git or the cache), \
                        which is never published",
            );
        }
        Ok(())
    }

    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

/// Why a link whose target is missing is left out.
const DANGLING: &str = "it is a link to something that does not exist";

/// Whether `path` is a link whose target does not exist.
fn is_dangling(path: &Path) -> bool {
    path.symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
        && !path.exists()
}

impl Walk {
    /// Where `entry` really is when the walk reached it through a link (the
    /// entry itself or a folder above it): `Some(None)` when a link leads
    /// nowhere, `None` when no link is on the way (its path is real).
    fn real_path(&self, entry: &walkdir::DirEntry, relative: &str) -> Option<Option<PathBuf>> {
        if entry.path_is_symlink() {
            return Some(entry.path().canonicalize().ok());
        }
        // The deepest link above the entry: links below it were followed
        // later, and the walk is depth first.
        self.links.iter().rev().find_map(|(link, target)| {
            let below = relative.strip_prefix(link.as_str())?.strip_prefix('/')?;
            Some(Some(target.join(below)))
        })
    }
}

impl SourceTree for DirTree {
    fn files(&self) -> Result<Listing> {
        let walk = RefCell::new(Walk::default());
        let mut files = Vec::new();
        let walker = walkdir::WalkDir::new(&self.root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| self.admit(e, &walk));
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() => files.push(self.relative(entry.path())),
                Ok(_) => {}
                Err(e) if e.loop_ancestor().is_some() => {
                    let path = e.path().map(|p| self.relative(p)).unwrap_or_default();
                    walk.borrow_mut()
                        .skipped
                        .push((path, "it is a link that loops back to a folder above it"));
                }
                Err(e) if e.path().is_some_and(is_dangling) => {
                    let path = e.path().map(|p| self.relative(p)).unwrap_or_default();
                    walk.borrow_mut().skipped.push((path, DANGLING));
                }
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| self.root.clone());
                    anyhow::bail!("reading folder {}: {e}", path.display());
                }
            }
        }
        files.sort();
        let mut skipped = walk.into_inner().skipped;
        skipped.sort();
        Ok(Listing { files, skipped })
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        crate::fs::read(&self.root.join(path))
    }

    fn size(&self, path: &str) -> Result<u64> {
        crate::fs::size(&self.root.join(path))
    }

    fn disk_path(&self, path: &str) -> Option<PathBuf> {
        Some(self.root.join(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_folders_are_skipped_but_gitbook_assets_are_read() {
        let dir = tempfile::tempdir().unwrap();
        for path in [
            "a.md",
            ".git/config",
            ".gitbook/assets/x.png",
            "b/.hidden.md",
        ] {
            crate::fs::write(&dir.path().join(path), "x").unwrap();
        }
        let listing = DirTree::new(dir.path()).files().unwrap();
        assert_eq!(listing.files, [".gitbook/assets/x.png", "a.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_project_and_loops_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "s").unwrap();
        let source = dir.path().join("handbook");
        crate::fs::write(&source.join("a.md"), "x").unwrap();
        crate::fs::write(&dir.path().join("shared/logo.svg"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), source.join("ext")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("shared"), source.join("shared")).unwrap();
        std::os::unix::fs::symlink(&source, source.join("loop")).unwrap();
        let listing = DirTree::in_project(&source, dir.path(), &[])
            .unwrap()
            .files()
            .unwrap();
        assert_eq!(listing.files, ["a.md", "shared/logo.svg"]);
        let skipped: Vec<&str> = listing.skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(skipped, ["ext", "loop"]);
    }

    #[test]
    fn the_project_s_own_folders_are_left_out_of_a_root_source() {
        let dir = tempfile::tempdir().unwrap();
        for path in [
            "SUMMARY.md",
            "site/index.html",
            "protocols/a.yaml",
            "themes/x/t.html",
            "docs/a.md",
        ] {
            crate::fs::write(&dir.path().join(path), "x").unwrap();
        }
        let root = dir.path();
        let exclude = [
            root.join("site"),
            root.join("protocols"),
            root.join("themes"),
        ];
        let exclude: Vec<&Path> = exclude.iter().map(PathBuf::as_path).collect();
        let listing = DirTree::in_project(root, root, &exclude)
            .unwrap()
            .files()
            .unwrap();
        assert_eq!(listing.files, ["SUMMARY.md", "docs/a.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn links_into_hidden_or_kept_apart_folders_or_above_the_source_are_skipped() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let source = root.join("handbook");
        for path in [
            "handbook/a.md",
            ".git/config",
            ".handbook-cache/pages.bin",
            "site/index.html",
            "shared/logo.svg",
            "shared/.private/key.txt",
        ] {
            crate::fs::write(&root.join(path), "x").unwrap();
        }
        symlink(root.join(".git"), source.join("g")).unwrap();
        symlink(root.join(".git/config"), source.join("config")).unwrap();
        symlink(root.join(".handbook-cache"), source.join("c")).unwrap();
        symlink(root, source.join("up")).unwrap();
        symlink(root.join("site"), source.join("out")).unwrap();
        // Followed, but what lies below it is checked where it really is.
        symlink(root.join("shared"), source.join("shared")).unwrap();
        symlink(root.join("shared/.private"), root.join("shared/open")).unwrap();
        let site = root.join("site");
        let listing = DirTree::in_project(&source, root, &[site.as_path()])
            .unwrap()
            .files()
            .unwrap();
        assert_eq!(listing.files, ["a.md", "shared/logo.svg"]);
        let skipped: Vec<&str> = listing.skipped.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(skipped, ["c", "config", "g", "out", "shared/open", "up"]);
        let why = |path: &str| listing.skipped.iter().find(|(p, _)| p == path).unwrap().1;
        assert!(why("g").contains("hidden folder"), "{}", why("g"));
        assert!(why("up").contains("above it"), "{}", why("up"));
        assert!(why("out").contains("keeps apart"), "{}", why("out"));
    }
}

#[cfg(all(test, unix))]
mod link_tests {
    use super::{DirTree, SourceTree};
    use std::os::unix::fs::symlink;

    #[test]
    fn a_link_to_nothing_is_left_out_with_why_not_a_failed_build() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("handbook");
        crate::fs::write(&source.join("a.md"), "x").unwrap();
        symlink("gone", source.join("page.md")).unwrap();
        symlink("../missing-folder", source.join("folder")).unwrap();
        let listing = DirTree::in_project(&source, dir.path(), &[])
            .unwrap()
            .files()
            .unwrap();
        assert_eq!(listing.files, ["a.md"]);
        let skipped: Vec<(&str, &str)> = listing
            .skipped
            .iter()
            .map(|(p, why)| (p.as_str(), *why))
            .collect();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        for (_, why) in &skipped {
            assert!(why.contains("does not exist"), "{why}");
        }
    }

    #[test]
    fn a_link_to_a_site_handbook_built_is_left_out_wherever_the_site_is() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let source = root.join("handbook");
        crate::fs::write(&source.join("a.md"), "x").unwrap();
        // An older site, not the output folder of this build.
        crate::fs::write(&root.join("old-site/index.html"), "x").unwrap();
        crate::fs::write(
            &root.join(format!("old-site/{}", crate::fs::SITE_MARKER)),
            "x",
        )
        .unwrap();
        symlink("../old-site", source.join("old")).unwrap();
        let listing = DirTree::in_project(&source, root, &[])
            .unwrap()
            .files()
            .unwrap();
        assert_eq!(listing.files, ["a.md"]);
        assert_eq!(listing.skipped.len(), 1, "{:?}", listing.skipped);
        assert!(
            listing.skipped[0].1.contains("site"),
            "{:?}",
            listing.skipped
        );
    }
}
