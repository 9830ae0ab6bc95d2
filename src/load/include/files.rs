//! Where an included file may come from, and reading it.
//!
//! Takes the folder that holds the book — the enclosing git work tree (the
//! first folder upwards with a `.git`), else the project root — and paths
//! relative to it. Gives a file's text, or why it may not be read: an
//! include reaches any file inside that folder and nothing beyond it (`..`
//! and symbolic links are resolved first), never a file in a dot-folder
//! (`.git`, the cache, an editor's secrets), and never one larger than a
//! page may be. In an edition read from git the files are the source
//! folder's, read from the same commit.

use super::super::MAX_PAGE_BYTES;
use super::super::source::SourceTree;
use std::path::{Path, PathBuf};

/// Where includes are read from.
pub(crate) enum Reach<'t> {
    /// The working tree: files on disk under `root` (its real path).
    Disk {
        /// The folder includes may not leave.
        root: PathBuf,
    },
    /// A tree that is not on disk: its own files only.
    Tree {
        /// The source folder's files.
        tree: &'t dyn SourceTree,
    },
}

/// The folder that holds the book: the enclosing git work tree, else `project`.
pub(crate) fn reach_root(project: &Path) -> PathBuf {
    let project = crate::fs::resolved(project).unwrap_or_else(|_| project.to_path_buf());
    project
        .ancestors()
        .find(|folder| folder.join(".git").exists())
        .unwrap_or(&project)
        .to_path_buf()
}

/// `path` with `.` and `a/..` taken out, `/`-separated; `None` when it
/// climbs above its start.
pub(crate) fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Whether a `/`-separated path passes through a dot-folder or is a dot-file.
pub(crate) fn is_hidden(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.'))
}

impl Reach<'_> {
    /// The text of the file at `path` (relative to the reach's root and
    /// already normalised), or why it cannot be included.
    pub(crate) fn read(&self, path: &str, source_prefix: &str) -> Result<String, String> {
        if is_hidden(path) {
            return Err("it is in a hidden folder, which an include never reads".to_string());
        }
        let bytes = match self {
            Reach::Disk { root } => read_disk(root, path)?,
            Reach::Tree { tree } => {
                let Some(inside) = path.strip_prefix(source_prefix) else {
                    return Err(
                        "an edition read from git includes only files of its source folder"
                            .to_string(),
                    );
                };
                if tree.size(inside).map_err(|_| no_such_file())? > MAX_PAGE_BYTES {
                    return Err(too_large());
                }
                tree.read(inside).map_err(|_| no_such_file())?
            }
        };
        String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
    }
}

fn no_such_file() -> String {
    "there is no such file".to_string()
}

fn too_large() -> String {
    format!("it has more than {MAX_PAGE_BYTES} bytes, more than a page may have")
}

/// A file under `root`, read only when its real path stays inside `root`
/// and out of dot-folders.
fn read_disk(root: &Path, path: &str) -> Result<Vec<u8>, String> {
    let real = root.join(path).canonicalize().map_err(|_| no_such_file())?;
    let Ok(inside) = real.strip_prefix(root) else {
        return Err(
            "it is a link to a place outside the repository that holds the book".to_string(),
        );
    };
    if is_hidden(&inside.to_string_lossy().replace('\\', "/")) {
        return Err("it is a link into a hidden folder, which an include never reads".to_string());
    }
    let meta = std::fs::metadata(&real).map_err(|_| no_such_file())?;
    if !meta.is_file() {
        return Err("it is a folder, not a file".to_string());
    }
    if meta.len() > MAX_PAGE_BYTES {
        return Err(too_large());
    }
    std::fs::read(&real).map_err(|e| format!("it could not be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_never_climb_out() {
        assert_eq!(normalise("src/./a/../b.rs").as_deref(), Some("src/b.rs"));
        assert_eq!(normalise("src/../../x"), None);
        assert!(is_hidden("src/.git/config") && !is_hidden("src/a.rs"));
    }

    #[test]
    fn disk_reads_stay_inside_the_root_and_out_of_dot_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".secret")).unwrap();
        std::fs::write(root.join("a.rs"), "fn a() {}\n").unwrap();
        std::fs::write(root.join(".secret/key"), "k").unwrap();
        std::fs::write(dir.path().join("outside.rs"), "x").unwrap();
        let root = root.canonicalize().unwrap();
        let reach = Reach::Disk { root: root.clone() };
        assert_eq!(reach.read("a.rs", "").unwrap(), "fn a() {}\n");
        assert!(
            reach
                .read(".secret/key", "")
                .unwrap_err()
                .contains("hidden")
        );
        assert!(
            reach
                .read("nope.rs", "")
                .unwrap_err()
                .contains("no such file")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("outside.rs"), root.join("out.rs")).unwrap();
            std::os::unix::fs::symlink(root.join(".secret/key"), root.join("key")).unwrap();
            assert!(reach.read("out.rs", "").unwrap_err().contains("outside"));
            assert!(reach.read("key", "").unwrap_err().contains("hidden"));
        }
    }
}
