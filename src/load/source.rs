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
//! of the project or round a loop: such entries are listed as skipped, for a
//! warning, not published.

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
}

impl DirTree {
    /// A tree rooted at `root`, whose links may not leave it.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            within: root.to_path_buf(),
            excluded: Vec::new(),
        }
    }

    /// A project's source folder: links may lead anywhere in `project`, and
    /// the folders in `exclude` that lie inside the source are left out.
    pub fn in_project(source: &Path, project: &Path, exclude: &[&Path]) -> Result<Self> {
        let source_abs = crate::fs::resolved(source)?;
        let excluded = exclude
            .iter()
            .filter_map(|path| crate::fs::resolved(path).ok())
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
        })
    }

    /// Whether the walk enters `entry`; records why not when it is a link
    /// that leads out of the project.
    fn admit(
        &self,
        entry: &walkdir::DirEntry,
        skipped: &RefCell<Vec<(String, &'static str)>>,
    ) -> bool {
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
        if entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|target| target.starts_with(&self.within));
            if !inside {
                skipped
                    .borrow_mut()
                    .push((relative, "it is a link to a place outside the project"));
                return false;
            }
        }
        true
    }

    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

impl SourceTree for DirTree {
    fn files(&self) -> Result<Listing> {
        let skipped = RefCell::new(Vec::new());
        let mut files = Vec::new();
        let walker = walkdir::WalkDir::new(&self.root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| self.admit(e, &skipped));
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() => files.push(self.relative(entry.path())),
                Ok(_) => {}
                Err(e) if e.loop_ancestor().is_some() => {
                    let path = e.path().map(|p| self.relative(p)).unwrap_or_default();
                    skipped
                        .borrow_mut()
                        .push((path, "it is a link that loops back to a folder above it"));
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
        let mut skipped = skipped.into_inner();
        skipped.sort();
        Ok(Listing { files, skipped })
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        crate::fs::read(&self.root.join(path))
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
}
