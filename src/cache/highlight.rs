//! Highlighted code kept between builds: each code block's HTML in
//! `highlight.bin`, by the key of its language and text. Read on the first
//! code block a build highlights, written back only when the build made a
//! block it did not find. A build that parsed every page keeps only the
//! blocks it used; one that took pages from the cache keeps every block, as
//! it cannot tell which the cached pages hold. Each block is a record of its
//! own (its key and HTML, in postcard) checked against its digest: a damaged
//! block is made again, the others are still found.

use super::frame::{self, Kind, Writer};
use super::{Key, key_of, store};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// The kind of `highlight.bin`.
const KIND: Kind = Kind(*b"hlit");

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
            let bytes = std::fs::read(&self.file).unwrap_or_default();
            frame::checked(&bytes, KIND)
                .filter_map(frame::decode::<(Key, String)>)
                .collect()
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
        let size = entries.iter().map(|(_, html)| html.len() + 32).sum();
        let mut file = Writer::new(KIND, size);
        for entry in &entries {
            file.value(entry);
        }
        if let Some(bytes) = file.finish() {
            store(&self.file, &bytes);
        }
    }
}

impl crate::parse::highlight::Kept for Highlights {
    fn get_or_make(&self, lang: &str, code: &str, make: &mut dyn FnMut() -> String) -> String {
        Highlights::get_or_make(self, lang, code, make)
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

    /// A file of three blocks (`a`, `b`, `c` in `text`), as a build keeps it.
    fn three_blocks(file: &std::path::Path) -> Vec<u8> {
        let made = Highlights::new(file.to_path_buf());
        for (code, html) in [("a", "<b>A</b>"), ("b", "<b>B</b>"), ("c", "<b>C</b>")] {
            made.get_or_make("text", code, || html.into());
        }
        made.save(true);
        std::fs::read(file).unwrap()
    }

    /// Which of the blocks `a`, `b`, `c` a build finds in `bytes`.
    fn found(file: &std::path::Path, bytes: &[u8]) -> Vec<&'static str> {
        std::fs::write(file, bytes).unwrap();
        let read = Highlights::new(file.to_path_buf());
        ["a", "b", "c"]
            .into_iter()
            .filter(|code| {
                let html = read.get_or_make("text", code, || "made".into());
                assert!(html == "made" || html == format!("<b>{}</b>", code.to_uppercase()));
                html != "made"
            })
            .collect()
    }

    #[test]
    fn a_damaged_block_is_made_again_and_the_others_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("highlight.bin");
        let bytes = three_blocks(&file);
        assert_eq!(found(&file, &bytes), ["a", "b", "c"]);
        let at = bytes.len() - 3; // in the last block's HTML
        let mut flipped = bytes.clone();
        flipped[at] ^= 1;
        assert_eq!(found(&file, &flipped).len(), 2, "one block is a miss");
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert!(found(&file, &flipped).len() < 3, "byte {at} flipped");
        }
    }

    #[test]
    fn a_cut_lengthened_or_recounted_file_is_wholly_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("highlight.bin");
        let bytes = three_blocks(&file);
        assert!(found(&file, &bytes[..bytes.len() - 1]).is_empty(), "cut");
        let mut longer = bytes.clone();
        longer.extend(b"\0");
        assert!(found(&file, &longer).is_empty(), "a trailing byte");
        let mut fewer = bytes.clone();
        fewer[12] -= 1; // the header's count of records
        assert!(found(&file, &fewer).is_empty(), "a lowered count");
    }
}
