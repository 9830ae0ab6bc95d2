//! Parsed pages kept between builds, by the key of each page's source
//! (path, text, SUMMARY title) and the parse options: a page whose key is
//! found is not parsed again. Every page's [`Page`] (its body as a digest)
//! and parse problems are packed in one file, `pages.bin`, read once; each
//! body's markup is in its own file, `bodies/<key>.bin`, read only when the
//! page is rendered or indexed (`Body::markup`), and checked by its length
//! before the page is taken. The pack is written again when a build parsed a
//! page; entries no build used are dropped when a build read every version.
//!
//! Nothing read is trusted unchecked: each page is a record of the pack
//! checked against its digest when the page is asked for (a damaged page is
//! parsed again), and a body is checked against its record's digest and the
//! page's digest of its markup when it is read (a damaged body is a
//! [`Damaged`] cache: the build starts again without it).

use super::frame::{self, Framed, Kind, Writer};
use super::{Damaged, Key, store};
use crate::diagnostic::Diagnostic;
use crate::parse::{Body, Held, Markup, Page};
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// A page as parsing gave it.
pub type Parsed = (Page, Vec<Diagnostic>);

/// A packed entry: the page and its problems (postcard), and the length of
/// its body's file.
type Entry = (Vec<u8>, u64);

/// The kind of `pages.bin`.
const PACK: Kind = Kind(*b"page");
/// The kind of a body's file.
const BODY: Kind = Kind(*b"body");
/// A packed record's key and body length, before the page.
const PAGE_HEAD: usize = 24;

/// The pack as read: its bytes, and where each key's record is in them.
#[derive(Debug, Default)]
struct Pack {
    bytes: Vec<u8>,
    entries: HashMap<Key, Framed>,
}

impl Pack {
    /// Files the records `key (16 bytes) · body length (8) · page`, all
    /// little-endian, by their key; nothing when the file is not whole.
    fn read(bytes: Vec<u8>) -> Self {
        let mut entries = HashMap::new();
        for record in frame::split(&bytes, PACK).unwrap_or_default() {
            // The key is checked with the rest of the record when it is read.
            let key = record.peek(&bytes, 16).and_then(|key| key.try_into().ok());
            if let Some(key) = key {
                entries.insert(Key(u128::from_le_bytes(key)), record);
            }
        }
        Self { bytes, entries }
    }

    fn write(entries: &[(Key, &[u8], u64)]) -> Option<Vec<u8>> {
        let size = entries.iter().map(|(_, page, _)| 36 + page.len()).sum();
        let mut file = Writer::new(PACK, size);
        for (key, page, body) in entries {
            file.raw(&[&key.0.to_le_bytes(), &body.to_le_bytes(), page]);
        }
        file.finish()
    }

    /// The page packed under `key` and its body's length, when its record
    /// is as written.
    fn get(&self, key: Key) -> Option<(&[u8], u64)> {
        let record = self.entries.get(&key)?.check(&self.bytes, PACK)?;
        let (head, page) = record.split_at_checked(PAGE_HEAD)?;
        let (written, body) = head.split_at(16);
        if u128::from_le_bytes(written.try_into().ok()?) != key.0 {
            return None;
        }
        Some((page, u64::from_le_bytes(body.try_into().ok()?)))
    }
}

/// The parsed pages of earlier builds.
#[derive(Debug)]
pub struct Pages {
    dir: PathBuf,
    packed: OnceLock<Pack>,
    made: Mutex<Vec<(Key, Entry)>>,
    used: Mutex<HashSet<Key>>,
    hits: AtomicUsize,
}

impl Pages {
    pub(super) fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            packed: OnceLock::new(),
            made: Mutex::default(),
            used: Mutex::default(),
            hits: AtomicUsize::new(0),
        }
    }

    fn pack(&self) -> PathBuf {
        self.dir.join("pages.bin")
    }

    fn body(&self, key: Key) -> PathBuf {
        self.dir.join("bodies").join(format!("{}.bin", key.hex()))
    }

    fn packed(&self) -> &Pack {
        self.packed
            .get_or_init(|| Pack::read(std::fs::read(self.pack()).unwrap_or_default()))
    }

    fn mark(&self, key: Key) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
    }

    /// The page parsed before under `key`, if it was kept, reads back and
    /// its body's file is whole; the body stays in its file until asked for.
    pub fn get(&self, key: Key) -> Option<Parsed> {
        self.mark(key);
        let (page, length) = self.packed().get(key)?;
        let body = self.body(key);
        if std::fs::metadata(&body).ok()?.len() != length {
            return None;
        }
        let (mut page, problems): Parsed = frame::decode(page)?;
        page.body = Body::kept(page.body.digest(), body);
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some((page, problems))
    }

    /// Keeps a page just parsed under `key`: its body's file now, the page
    /// in the pack when the build ends. Gives the page back with its body
    /// in that file (out of memory until it is rendered), or as it was when
    /// the file could not be written.
    pub fn keep(&self, key: Key, (page, problems): Parsed) -> Parsed {
        let Some(markup) = page.body.here_markup() else {
            return (page, problems);
        };
        let mut body = Writer::new(BODY, markup.html().len() + 64);
        body.value(markup);
        let Some(markup) = body.finish() else {
            return (page, problems);
        };
        let file = self.body(key);
        if !store(&file, &markup) {
            return (page, problems);
        }
        let mut parsed = (page, problems);
        if let (Ok(bytes), Ok(mut made)) = (postcard::to_stdvec(&parsed), self.made.lock()) {
            made.push((key, (bytes, markup.len() as u64)));
        }
        parsed.0.body = Body::kept(parsed.0.body.digest(), file);
        parsed
    }

    /// How many pages came from the cache.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// Writes the pack again when pages were parsed (or, `prune`, when
    /// some went unused), keeping with `prune` only the pages this build
    /// used and removing the other bodies.
    pub(super) fn save(&self, prune: bool) {
        let (Ok(made), Ok(used)) = (self.made.lock(), self.used.lock()) else {
            return;
        };
        let packed = self.packed();
        let unused = packed.entries.keys().any(|key| !used.contains(key));
        if made.is_empty() && !(prune && unused) {
            return;
        }
        let kept = packed
            .entries
            .keys()
            .filter(|key| !prune || used.contains(key))
            .filter_map(|&key| packed.get(key).map(|(page, body)| (key, page, body)));
        let mut entries: Vec<(Key, &[u8], u64)> = made
            .iter()
            .map(|(key, (page, body))| (*key, page.as_slice(), *body))
            .chain(kept)
            .collect();
        entries.sort_by_key(|(key, _, _)| *key);
        entries.dedup_by_key(|(key, _, _)| *key);
        if let Some(bytes) = Pack::write(&entries) {
            store(&self.pack(), &bytes);
        }
        if prune {
            self.remove_bodies(&used);
        }
    }

    fn remove_bodies(&self, used: &HashSet<Key>) {
        let Ok(files) = std::fs::read_dir(self.dir.join("bodies")) else {
            return;
        };
        let wanted: HashSet<String> = used.iter().map(|k| format!("{}.bin", k.hex())).collect();
        for file in files.flatten() {
            if !wanted.contains(file.file_name().to_string_lossy().as_ref()) {
                let _ = std::fs::remove_file(file.path());
            }
        }
    }
}

/// A kept body's markup, read from `file` (one record, checked against its
/// digest) and checked against the page's `digest` of it (so it is this
/// page's body); a file that does not hold it is a [`Damaged`] cache.
fn read_markup(file: &Path, digest: Key) -> Result<Markup> {
    let markup = std::fs::read(file)
        .ok()
        .and_then(|bytes| only_record(&bytes).and_then(frame::decode::<Markup>))
        .filter(|markup| crate::model::key::digest_of(markup) == digest);
    markup.ok_or_else(|| anyhow::Error::new(Damaged(file.to_path_buf())))
}

/// A page body's markup: the body's own, or read from the build cache
/// when the body is kept there.
pub fn markup(body: &Body) -> Result<std::borrow::Cow<'_, Markup>> {
    match body.held() {
        Held::Here(markup) => Ok(std::borrow::Cow::Borrowed(markup)),
        Held::Kept(file) => read_markup(file, body.digest()).map(std::borrow::Cow::Owned),
    }
}

/// The one record of a body's file, when it is as written.
fn only_record(file: &[u8]) -> Option<&[u8]> {
    match frame::split(file, BODY)?.as_slice() {
        [record] => record.check(file, BODY),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourcePage;

    fn parsed(text: &str) -> Parsed {
        let source = SourcePage {
            path: "a.md".into(),
            file: "handbook/a.md".into(),
            text: text.into(),
            summary_title: None,
            listed: true,
            includes: Default::default(),
        };
        let options = crate::parse::Options {
            legacy: &[],
            highlight: false,
            spaces: &[],
            highlights: Default::default(),
            markdown: &Default::default(),
        };
        crate::parse::parse_page(&source, options)
    }

    #[test]
    fn pages_read_back_as_parsed_and_unused_ones_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let pages = Pages::new(dir.path().join("pages"));
        let page = parsed(
            "---\nowner: circle\n---\n# A\n\nSee [b](b.md). xxx\n\n```rust\nfn a() {}\n```\n",
        );
        let first = Pages::new(dir.path().join("pages"));
        let page = first.keep(Key(1), page);
        first.keep(Key(2), parsed("# B\n"));
        first.save(false);
        let back = pages.get(Key(1)).expect("kept");
        assert_eq!(back.0.body, page.0.body, "the same digest");
        assert!(
            back.0.body.here_markup().is_none(),
            "the body stays in the file"
        );
        assert_eq!(
            markup(&back.0.body).unwrap().into_owned(),
            markup(&page.0.body).unwrap().into_owned()
        );
        assert_eq!(format!("{:?}", back.0.links), format!("{:?}", page.0.links));
        assert_eq!(back.0.extra, page.0.extra);
        assert_eq!(back.1, page.1);
        assert!(pages.get(Key(3)).is_none());
        assert_eq!(pages.hits(), 1);
        pages.save(true);
        assert!(pages.body(Key(1)).is_file());
        assert!(!pages.body(Key(2)).exists(), "not used by this build");
        let third = Pages::new(dir.path().join("pages"));
        assert!(third.get(Key(2)).is_none(), "dropped from the pack");
        assert!(third.get(Key(1)).is_some());
    }

    #[test]
    fn unreadable_entries_and_changed_bodies_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let first = Pages::new(dir.path().join("pages"));
        first.keep(Key(7), parsed("# A\n\nText.\n"));
        first.save(true);
        std::fs::write(first.body(Key(7)), b"cut").unwrap();
        assert!(Pages::new(dir.path().join("pages")).get(Key(7)).is_none());
        std::fs::write(first.pack(), b"not postcard").unwrap();
        assert!(Pages::new(dir.path().join("pages")).get(Key(7)).is_none());
    }

    /// A pack of two pages (keys 1 and 2) as a build leaves it: its bytes.
    fn two_pages(dir: &Path) -> Vec<u8> {
        let pages = Pages::new(dir.join("pages"));
        pages.keep(Key(1), parsed("# One\n\nText.\n"));
        pages.keep(Key(2), parsed("# Two\n\n```rust\nfn b() {}\n```\n"));
        pages.save(false);
        std::fs::read(pages.pack()).unwrap()
    }

    /// The titles of the pages (keys 1 and 2) a build finds in `pack`.
    fn titles(dir: &Path, pack: &[u8]) -> Vec<String> {
        let pages = Pages::new(dir.join("pages"));
        std::fs::write(pages.pack(), pack).unwrap();
        [Key(1), Key(2)]
            .into_iter()
            .filter_map(|key| pages.get(key))
            .map(|(page, _)| page.title)
            .collect()
    }

    #[test]
    fn a_damaged_page_in_the_pack_is_a_miss_and_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let pack = two_pages(dir.path());
        assert_eq!(titles(dir.path(), &pack), ["One", "Two"]);
        let title = pack.windows(3).position(|w| w == b"One").unwrap();
        let mut renamed = pack.clone();
        renamed[title] ^= 1; // "Nne"
        assert_eq!(titles(dir.path(), &renamed), ["Two"]);
        for at in 0..pack.len() {
            let mut flipped = pack.clone();
            flipped[at] ^= 1;
            let read = titles(dir.path(), &flipped);
            assert!(read.len() < 2, "byte {at} flipped: {read:?}");
            assert!(read.iter().all(|t| t == "One" || t == "Two"));
        }
    }

    #[test]
    fn a_cut_lengthened_or_recounted_pack_is_wholly_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let pack = two_pages(dir.path());
        assert!(titles(dir.path(), &pack[..pack.len() - 1]).is_empty());
        assert!(titles(dir.path(), &[&pack[..], b"\0"].concat()).is_empty());
        let mut fewer = pack.clone();
        fewer[12] -= 1; // the header's count of records
        assert!(titles(dir.path(), &fewer).is_empty());
    }

    #[test]
    fn a_damaged_body_is_never_read() {
        let dir = tempfile::tempdir().unwrap();
        two_pages(dir.path());
        let pages = Pages::new(dir.path().join("pages"));
        let (page, _) = pages.get(Key(2)).unwrap();
        let file = pages.body(Key(2));
        let body = std::fs::read(&file).unwrap();
        let read = |bytes: &[u8]| {
            std::fs::write(&file, bytes).unwrap();
            read_markup(&file, page.body.digest()).map(|m| m.html().to_string())
        };
        assert!(read(&body).unwrap().contains("fn b()"));
        for at in 0..body.len() {
            let mut flipped = body.clone();
            flipped[at] ^= 1;
            let error = read(&flipped).expect_err(&format!("byte {at} flipped"));
            assert!(super::super::damaged(&error));
        }
        assert!(read(&body[..body.len() - 1]).is_err(), "cut");
        assert!(
            read(&[&body[..], b"\0"].concat()).is_err(),
            "a trailing byte"
        );
        let (other, _) = pages.get(Key(1)).unwrap();
        std::fs::write(&file, &body).unwrap();
        assert!(
            read_markup(&file, other.body.digest()).is_err(),
            "another page's body"
        );
    }
}
