//! Highlighted code kept between builds: each code block's HTML in
//! `highlight.bin`, by the key of its language and text. Read on the first
//! code block a build highlights, written back only when the build made a
//! block it did not find. A build that parsed every page keeps only the
//! blocks it used; one that took pages from the cache keeps every block, as
//! it cannot tell which the cached pages hold.

use super::{Key, key_of, store};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// The highlighted code of earlier builds, and what this one made.
#[derive(Debug)]
pub struct Highlights {
    file: PathBuf,
    kept: OnceLock<HashMap<Key, String>>,
    made: Mutex<Vec<(Key, String)>>,
    used: Mutex<HashSet<Key>>,
}

impl Highlights {
    pub(super) fn new(file: PathBuf) -> Self {
        Self {
            file,
            kept: OnceLock::new(),
            made: Mutex::default(),
            used: Mutex::default(),
        }
    }

    fn kept(&self) -> &HashMap<Key, String> {
        self.kept.get_or_init(|| {
            std::fs::read(&self.file)
                .ok()
                .and_then(|bytes| postcard::from_bytes::<Vec<(Key, String)>>(&bytes).ok())
                .map(|entries| entries.into_iter().collect())
                .unwrap_or_default()
        })
    }

    /// The HTML of `code` in `lang`, from the cache or from `make`.
    pub fn get_or_make(&self, lang: &str, code: &str, make: impl FnOnce() -> String) -> String {
        let key = key_of(&(lang, code));
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
        if let Some(html) = self.kept().get(&key) {
            return html.clone();
        }
        let html = make();
        if let Ok(mut made) = self.made.lock() {
            made.push((key, html.clone()));
        }
        html
    }

    /// Writes the blocks back when this build made new ones; `prune` keeps
    /// only the blocks this build used.
    pub(super) fn save(&self, prune: bool) {
        let (Ok(made), Ok(used)) = (self.made.lock(), self.used.lock()) else {
            return;
        };
        if made.is_empty() {
            return;
        }
        let mut entries: Vec<(Key, &str)> = self
            .kept()
            .iter()
            .filter(|(key, _)| !prune || used.contains(key))
            .map(|(key, html)| (*key, html.as_str()))
            .chain(made.iter().map(|(key, html)| (*key, html.as_str())))
            .collect();
        entries.sort_unstable_by_key(|(key, _)| *key);
        entries.dedup_by_key(|(key, _)| *key);
        if let Ok(bytes) = postcard::to_stdvec(&entries) {
            store(&self.file, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_made_once_and_kept_for_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("highlight.bin");
        let first = Highlights::new(file.clone());
        assert_eq!(first.get_or_make("rust", "fn a() {}", || "A".into()), "A");
        assert_eq!(first.get_or_make("sh", "ls", || "B".into()), "B");
        first.save(true);
        let second = Highlights::new(file.clone());
        let again = second.get_or_make("rust", "fn a() {}", || panic!("made again"));
        assert_eq!(again, "A");
        assert_eq!(second.get_or_make("rust", "fn b() {}", || "C".into()), "C");
        second.save(false);
        let third = Highlights::new(file.clone());
        assert_eq!(third.get_or_make("sh", "ls", || "new".into()), "B", "kept");
        assert_eq!(third.get_or_make("yaml", "a: 1", || "D".into()), "D");
        third.save(true);
        let fourth = Highlights::new(file);
        assert_eq!(
            fourth.get_or_make("rust", "fn b() {}", || "gone".into()),
            "gone"
        );
    }
}
