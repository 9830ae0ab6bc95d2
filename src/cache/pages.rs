//! Parsed pages kept between builds: each page's [`Page`] and its parse
//! problems, in `pages/<key>.bin`, where the key is that of the page's
//! source (path, text, SUMMARY title) and the parse options. A page whose
//! key is found is not parsed again. The file holds the page with its body
//! as a digest, then the body's markup, which is read only when the page is
//! rendered or indexed (`Body::markup`). Entries no build used are removed
//! when a build read every version.

use super::{Key, store};
use crate::diagnostic::Diagnostic;
use crate::parse::{Body, Markup, Page};
use anyhow::{Context as _, Result};
use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A page as parsing gave it.
pub type Parsed = (Page, Vec<Diagnostic>);

/// The parsed pages of earlier builds.
#[derive(Debug)]
pub struct Pages {
    dir: PathBuf,
    used: Mutex<HashSet<Key>>,
    hits: AtomicUsize,
}

impl Pages {
    pub(super) fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            used: Mutex::default(),
            hits: AtomicUsize::new(0),
        }
    }

    fn path(&self, key: Key) -> PathBuf {
        self.dir.join(format!("{}.bin", key.hex()))
    }

    fn mark(&self, key: Key) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
    }

    /// The page parsed before under `key`, if it was kept and reads back;
    /// its body stays in the file until asked for.
    pub fn get(&self, key: Key) -> Option<Parsed> {
        self.mark(key);
        let path = self.path(key);
        let mut file = std::fs::File::open(&path).ok()?;
        let mut length = [0; 4];
        file.read_exact(&mut length).ok()?;
        let length = u32::from_le_bytes(length);
        let mut page = vec![0; usize::try_from(length).ok()?];
        file.read_exact(&mut page).ok()?;
        let (mut page, problems): Parsed = postcard::from_bytes(&page).ok()?;
        page.body = Body::kept(page.body.digest(), path, 4 + u64::from(length));
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some((page, problems))
    }

    /// Keeps a page just parsed under `key`.
    pub fn put(&self, key: Key, parsed: &Parsed) {
        let Some(markup) = parsed.0.body.here_markup() else {
            return;
        };
        let (Ok(page), Ok(markup)) = (postcard::to_stdvec(parsed), postcard::to_stdvec(markup))
        else {
            return;
        };
        let Ok(length) = u32::try_from(page.len()) else {
            return;
        };
        let mut bytes = Vec::with_capacity(4 + page.len() + markup.len());
        bytes.extend(length.to_le_bytes());
        bytes.extend(page);
        bytes.extend(markup);
        store(&self.path(key), &bytes);
    }

    /// How many pages came from the cache.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// Removes the entries this build did not use.
    pub(super) fn prune(&self) {
        let Ok(used) = self.used.lock() else { return };
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let wanted: HashSet<String> = used.iter().map(|k| format!("{}.bin", k.hex())).collect();
        for entry in entries.flatten() {
            if !wanted.contains(entry.file_name().to_string_lossy().as_ref()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A kept body's markup: `file` from byte `offset` on.
pub(crate) fn read_markup(file: &Path, offset: u64) -> Result<Markup> {
    let read = || -> Result<Markup> {
        let mut opened = std::fs::File::open(file)?;
        opened.seek(SeekFrom::Start(offset))?;
        let mut bytes = Vec::new();
        opened.read_to_end(&mut bytes)?;
        Ok(postcard::from_bytes(&bytes)?)
    };
    read().with_context(|| {
        format!(
            "reading a page kept in the build cache, {} (remove the cache folder and build again)",
            file.display()
        )
    })
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
        };
        let options = crate::parse::Options {
            legacy: &[],
            highlight: false,
            spaces: &[],
            highlights: None,
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
        pages.put(Key(1), &page);
        pages.put(Key(2), &parsed("# B\n"));
        let back = pages.get(Key(1)).expect("kept");
        assert_eq!(back.0.body, page.0.body, "the same digest");
        assert!(
            back.0.body.here_markup().is_none(),
            "the body stays in the file"
        );
        assert_eq!(
            back.0.body.markup().unwrap().into_owned(),
            page.0.body.markup().unwrap().into_owned()
        );
        assert_eq!(format!("{:?}", back.0.links), format!("{:?}", page.0.links));
        assert_eq!(back.0.extra, page.0.extra);
        assert_eq!(back.1, page.1);
        assert!(pages.get(Key(3)).is_none());
        assert_eq!(pages.hits(), 1);
        pages.prune();
        assert!(pages.path(Key(1)).is_file());
        assert!(!pages.path(Key(2)).exists(), "not used by this build");
    }

    #[test]
    fn unreadable_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let pages = Pages::new(dir.path().join("pages"));
        std::fs::create_dir_all(&pages.dir).unwrap();
        std::fs::write(pages.path(Key(7)), b"not postcard").unwrap();
        assert!(pages.get(Key(7)).is_none());
    }
}
