//! The site written last, as the next build finds it: for each file made
//! from keyed inputs (a rendered page, the files of a search index), its
//! key, its path under the output folder, and its size and modification
//! time when written, in `site.bin`. A build whose page has a key found here
//! links that file into the new site instead of rendering it again — once
//! the file is checked to be as it was written (same size and time), so a
//! site edited or removed by hand is made again, never trusted.
//!
//! The record's first record is the output folder; each one after it holds
//! one key with every file made from it, checked against its digest: a
//! damaged record loses that key whole (a search index is never taken with
//! a file missing), and a damaged first record or file loses everything.

use super::frame::{self, Kind, Writer};
use super::{Key, store};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The record's file in the cache folder.
pub(super) const FILE: &str = "site.bin";

/// The kind of `site.bin`.
const KIND: Kind = Kind(*b"site");

/// A file of the site as it was written.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
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
        let bytes = std::fs::read(dir.join(FILE)).unwrap_or_default();
        let records = frame::split(&bytes, KIND).unwrap_or_default();
        let Some((first, keys)) = records.split_first() else {
            return Self::default();
        };
        let recorded = first.check(&bytes, KIND).and_then(frame::decode::<PathBuf>);
        if recorded.as_deref() != Some(out) {
            return Self::default();
        }
        let by_key = keys
            .iter()
            .filter_map(|record| record.check(&bytes, KIND))
            .filter_map(frame::decode::<(Key, Vec<Entry>)>)
            .collect();
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
                path: (*path).to_string(),
                len,
                modified,
            });
            (*key, entry)
        })
        .collect();
    let mut by_key: BTreeMap<Key, Option<Vec<Entry>>> = BTreeMap::new();
    for (key, entry) in stamped {
        let entries = by_key.entry(key).or_insert_with(|| Some(Vec::new()));
        match (entries.as_mut(), entry) {
            (Some(entries), Some(entry)) => entries.push(entry),
            _ => *entries = None,
        }
    }
    let mut file = Writer::new(KIND, 64 * (by_key.len() + 1));
    file.value(&out);
    for (key, entries) in &by_key {
        if let Some(entries) = entries {
            file.value(&(key, entries));
        }
    }
    if let Some(bytes) = file.finish() {
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

    /// A record of a page (key 1) and a two-file index (key 9): its bytes.
    fn recorded(dir: &Path) -> Vec<u8> {
        let (cache, out) = (dir.join("cache"), dir.join("site"));
        for path in ["a.html", "search/meta.json", "search/w/0.json"] {
            crate::fs::write(&out.join(path), path).unwrap();
        }
        let files = [
            (Key(9), "search/meta.json"),
            (Key(1), "a.html"),
            (Key(9), "search/w/0.json"),
        ];
        record(&cache, (&out, &out), &files);
        std::fs::read(cache.join(FILE)).unwrap()
    }

    /// What a record of `bytes` gives: whether key 1 is found, and how many
    /// files of key 9.
    fn read(dir: &Path, bytes: &[u8]) -> (bool, Option<usize>) {
        let (cache, out) = (dir.join("cache"), dir.join("site"));
        std::fs::write(cache.join(FILE), bytes).unwrap();
        let previous = Previous::load(&cache, &out);
        let index = previous.all(Key(9)).map(|files| files.len());
        (previous.find(Key(1)).is_some(), index)
    }

    #[test]
    fn a_damaged_key_is_lost_whole_and_never_taken_in_part() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = recorded(dir.path());
        let read = |bytes: &[u8]| read(dir.path(), bytes);
        assert_eq!(read(&bytes), (true, Some(2)));
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1;
            let (page, index) = read(&flipped);
            assert!(!page || index.is_none(), "byte {at} flipped: nothing lost");
            assert!(index.is_none_or(|n| n == 2), "byte {at}: an index in part");
        }
    }

    #[test]
    fn a_cut_lengthened_or_recounted_record_is_wholly_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = recorded(dir.path());
        let read = |bytes: &[u8]| read(dir.path(), bytes);
        let nothing = (false, None);
        assert_eq!(read(&bytes[..bytes.len() - 1]), nothing, "cut");
        assert_eq!(read(&[&bytes[..], b"\0"].concat()), nothing, "trailing");
        let mut fewer = bytes.clone();
        fewer[12] -= 1; // the header's count of records
        assert_eq!(read(&fewer), nothing, "a lowered count");
    }
}
