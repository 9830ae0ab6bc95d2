//! Filesystem calls that never lose the path: every I/O error leaving this
//! module says which file or folder it was about, so an environment failure
//! reads "writing site/a.html: No space left on device", not just the errno.

use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};

/// The file handbook puts in every site it writes, so a folder can be told
/// to be one of its sites: the output stage replaces only such folders, and
/// the walk of a source folder never takes one in as pages.
pub const SITE_MARKER: &str = ".handbook-site";

/// Reads a UTF-8 text file.
pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Reads a file's bytes.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// A file's size in bytes (a link's target's), without reading it.
pub fn size(path: &Path) -> Result<u64> {
    let metadata = std::fs::metadata(path)
        .with_context(|| format!("reading the size of {}", path.display()))?;
    Ok(metadata.len())
}

/// Writes a file, creating its parent folders.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

/// Creates a folder and its parents.
pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("creating folder {}", path.display()))
}

/// Removes a folder and everything in it; a missing folder is not an error.
pub fn remove_dir_all(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing folder {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Removes a file; one already gone is fine.
pub fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Renames a file or folder.
pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to)
        .with_context(|| format!("renaming {} to {}", from.display(), to.display()))
}

/// Copies a file, creating the destination's parent folders.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        create_dir_all(parent)?;
    }
    std::fs::copy(from, to)
        .map(drop)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))
}

/// The absolute, symlink-resolved form of a path that may not exist yet:
/// the folder that writing to `path` reaches once its missing folders are
/// made. Component by component, each existing prefix is resolved (so `..`
/// after a symlink leaves where the link points, as the system does) and
/// `..` after a missing folder undoes it (`nope/../site` is `site`).
pub fn resolved(path: &Path) -> Result<PathBuf> {
    let path =
        std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))?;
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                resolved.pop();
            }
            std::path::Component::CurDir => {}
            other => {
                resolved.push(other);
                if let Ok(real) = resolved.canonicalize() {
                    resolved = real;
                }
            }
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn resolved_applies_dot_dot_after_missing_folders_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("real/inner")).unwrap();
        std::os::unix::fs::symlink(base.join("real/inner"), base.join("link")).unwrap();
        let cases = [
            ("nope/../site", base.join("site")),
            ("nope/deeper/../../real", base.join("real")),
            ("./real/./inner/..", base.join("real")),
            // `..` after a link leaves where the link points, as the system does.
            ("link/../x", base.join("real/x")),
            ("link/nope/../y", base.join("real/inner/y")),
        ];
        for (path, want) in cases {
            assert_eq!(resolved(&base.join(path)).unwrap(), want, "{path}");
        }
    }
}
