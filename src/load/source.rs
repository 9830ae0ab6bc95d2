//! Where a version's files come from. A [`SourceTree`] lists and reads the
//! files of one source folder by `/`-separated relative path; [`DirTree`] reads
//! the working tree. Git refs and snapshot folders (the versions stage) are other
//! implementations of the same trait, so nothing after `load` knows which one
//! it is reading.

use anyhow::Result;
use std::path::{Path, PathBuf};

/// One version's source folder.
pub trait SourceTree: Sync {
    /// Every file, as sorted `/`-separated paths relative to the source folder.
    /// Hidden files and folders (starting with `.`) are skipped.
    fn files(&self) -> Result<Vec<String>>;

    /// The bytes of one file named by a path from [`SourceTree::files`].
    fn read(&self, path: &str) -> Result<Vec<u8>>;

    /// Where the file lives on disk, when it does (assets are then copied, not read).
    fn disk_path(&self, path: &str) -> Option<PathBuf>;
}

/// The source folder in the working tree.
#[derive(Debug, Clone)]
pub struct DirTree {
    root: PathBuf,
}

impl DirTree {
    /// A tree rooted at `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }
}

impl SourceTree for DirTree {
    fn files(&self) -> Result<Vec<String>> {
        let mut files = Vec::new();
        let walker = walkdir::WalkDir::new(&self.root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.map_err(|e| {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| self.root.clone());
                anyhow::anyhow!("reading folder {}: {e}", path.display())
            })?;
            if entry.file_type().is_file() {
                let relative = entry
                    .path()
                    .strip_prefix(&self.root)
                    .unwrap_or(entry.path());
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
        files.sort();
        Ok(files)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        crate::fs::read(&self.root.join(path))
    }

    fn disk_path(&self, path: &str) -> Option<PathBuf> {
        Some(self.root.join(path))
    }
}
