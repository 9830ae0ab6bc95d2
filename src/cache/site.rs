//! The site written last, as the next build finds it: for each file made
//! from keyed inputs (a rendered page, the files of a search index), its
//! key, its path under the output folder, and its size and modification
//! time when written, in `site.bin`. A build whose page has a key found here
//! links that file into the new site instead of rendering it again — once
//! the file is checked to be as it was written (same size and time), so a
//! site edited or removed by hand is made again, never trusted.

use super::{Key, store};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The record's file in the cache folder.
pub(super) const FILE: &str = "site.bin";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    /// The output folder, as given to the build.
    out: PathBuf,
    files: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    key: Key,
    path: String,
    len: u64,
    modified: u128,
}

/// The previous site's keyed files, by key.
#[derive(Debug, Default)]
pub struct Previous {
    out: PathBuf,
    by_key: HashMap<Key, Vec<Entry>>,
}

impl Previous {
    /// What the last build into `out` recorded in the cache at `dir`
    /// (nothing when it wrote elsewhere, or when there is no record).
    pub fn load(dir: &Path, out: &Path) -> Self {
        let manifest: Manifest = std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .unwrap_or_default();
        if manifest.out != out {
            return Self::default();
        }
        let mut by_key: HashMap<Key, Vec<Entry>> = HashMap::new();
        for entry in manifest.files {
            by_key.entry(entry.key).or_default().push(entry);
        }
        Self {
            out: out.to_path_buf(),
            by_key,
        }
    }

    /// A file of the previous site made from `key`, still as it was written.
    pub fn find(&self, key: Key) -> Option<PathBuf> {
        self.by_key
            .get(&key)?
            .iter()
            .find_map(|entry| self.intact(entry))
    }

    /// Every file of the previous site made from `key` (by path under the
    /// output folder), when each is still as it was written.
    pub fn all(&self, key: Key) -> Option<Vec<(String, PathBuf)>> {
        self.by_key
            .get(&key)?
            .iter()
            .map(|entry| Some((entry.path.clone(), self.intact(entry)?)))
            .collect()
    }

    fn intact(&self, entry: &Entry) -> Option<PathBuf> {
        let path = self.out.join(&entry.path);
        let (len, modified) = stamp(&path)?;
        (len == entry.len && modified == entry.modified).then_some(path)
    }
}

/// A file's size and modification time.
fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some((meta.len(), since.as_nanos()))
}

/// Records the keyed files about to become the site in `out` (by path
/// under it), read where they are staged (`staged`: a rename keeps a file's
/// size and time), for the next build. A key one of whose files cannot be
/// read is left out whole.
pub fn record(dir: &Path, (out, staged): (&Path, &Path), files: &[(Key, &str)]) {
    let stamped: Vec<(Key, Option<Entry>)> = files
        .par_iter()
        .map(|(key, path)| {
            let entry = stamp(&staged.join(path)).map(|(len, modified)| Entry {
                key: *key,
                path: (*path).to_string(),
                len,
                modified,
            });
            (*key, entry)
        })
        .collect();
    let broken: std::collections::HashSet<Key> = stamped
        .iter()
        .filter(|(_, entry)| entry.is_none())
        .map(|(key, _)| *key)
        .collect();
    let files = stamped
        .into_iter()
        .filter(|(key, _)| !broken.contains(key))
        .filter_map(|(_, entry)| entry)
        .collect();
    let manifest = Manifest {
        out: out.to_path_buf(),
        files,
    };
    if let Ok(bytes) = postcard::to_stdvec(&manifest) {
        store(&dir.join(FILE), &bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_by_key_while_they_are_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, out) = (dir.path().join("cache"), dir.path().join("site"));
        std::fs::create_dir_all(out.join("search")).unwrap();
        for path in ["a.html", "b.html", "search/meta.json", "search/w/0.json"] {
            crate::fs::write(&out.join(path), path).unwrap();
        }
        let files = [
            (Key(1), "a.html"),
            (Key(2), "b.html"),
            (Key(9), "search/meta.json"),
            (Key(9), "search/w/0.json"),
        ];
        record(&cache, (&out, &out), &files);
        let previous = Previous::load(&cache, &out);
        assert_eq!(previous.find(Key(1)), Some(out.join("a.html")));
        assert_eq!(previous.find(Key(3)), None);
        assert_eq!(previous.all(Key(9)).map(|files| files.len()), Some(2));
        assert!(
            Previous::load(&cache, &dir.path().join("elsewhere"))
                .find(Key(1))
                .is_none()
        );

        std::fs::write(out.join("b.html"), "edited by hand").unwrap();
        std::fs::remove_file(out.join("search/w/0.json")).unwrap();
        let previous = Previous::load(&cache, &out);
        assert_eq!(previous.find(Key(2)), None, "changed since written");
        assert_eq!(previous.all(Key(9)), None, "one file of the index is gone");
    }
}
