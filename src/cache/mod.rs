//! The build cache: what earlier builds made, kept on disk in the project's
//! `.handbook-cache/` folder, so that a build makes again only what its
//! inputs changed.
//!
//! Takes [`Key`]s — 128-bit fingerprints of everything an output is made
//! from — and gives back what was kept under them: parsed pages
//! ([`pages`]), highlighted code ([`highlight`]), and the files of the site
//! written last ([`site`]: where each rendered page and search file already
//! is, to link instead of rendering it again). Every key is salted with the
//! program's own identity (version and executable), so a new build of
//! `handbook` never reads an older one's entries. Every file is laid out by
//! [`frame`]: each record beside a digest of its bytes, checked when it is
//! read, so a damaged byte is never trusted. The cache only ever saves
//! time: an entry that cannot be read or does not match its digest is a
//! miss, one that cannot be written is skipped, and deleting the folder is
//! always safe.

mod frame;
pub mod highlight;
pub mod pages;
pub mod site;

use serde::Serialize;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use xxhash_rust::xxh3::Xxh3;

/// The cache's folder in the project root.
pub const FOLDER: &str = ".handbook-cache";

/// Changes whenever what the cache holds changes shape: it is in every
/// file's header (a file of another format is not read) and in every key.
const FORMAT: u32 = 2;

pub use crate::model::key::Key;

/// A 128-bit hasher (XXH3) that `#[derive(Hash)]` types and serialized
/// values feed, seeded with the program's identity.
pub struct Fingerprint(Xxh3);

impl Fingerprint {
    /// A hasher that has seen the program's identity.
    pub fn new() -> Self {
        let mut hasher = Xxh3::new();
        hasher.update(&salt().to_le_bytes());
        Self(hasher)
    }

    /// The fingerprint of everything written.
    pub fn key(&self) -> Key {
        Key(self.0.digest128())
    }
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0.digest()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl std::io::Write for Fingerprint {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The key of a value that hashes.
pub fn key_of(value: &impl Hash) -> Key {
    let mut hasher = Fingerprint::new();
    value.hash(&mut hasher);
    hasher.key()
}

/// The key of a value as it serializes to JSON (a template's whole
/// context, as the template engine receives it): every field it would hand
/// on is in the key, with its type (`1`, `true` and `"1"` differ). `None`
/// when the value does not serialize: then nothing may be reused.
pub fn key_of_serialized(value: &impl Serialize) -> Option<Key> {
    let mut hasher = Fingerprint::new();
    // JSON comes in many small writes: the hasher takes them in blocks.
    let mut buffered = std::io::BufWriter::with_capacity(16 * 1024, &mut hasher);
    serde_json::to_writer(&mut buffered, value).ok()?;
    std::io::Write::flush(&mut buffered).ok()?;
    drop(buffered);
    Some(hasher.key())
}

/// The program's identity: the cache format, the version, and the
/// executable's size and modification time (a rebuilt binary reads none of
/// the old entries).
fn salt() -> u128 {
    static SALT: OnceLock<u128> = OnceLock::new();
    *SALT.get_or_init(|| {
        let mut hasher = Xxh3::new();
        hasher.update(&FORMAT.to_le_bytes());
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        let exe = std::env::current_exe().and_then(std::fs::metadata);
        if let Ok(meta) = exe {
            hasher.update(&meta.len().to_le_bytes());
            let modified = meta.modified().ok();
            let since = modified.and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok());
            hasher.update(&since.unwrap_or_default().as_nanos().to_le_bytes());
        }
        hasher.digest128()
    })
}

/// A file of the build cache that does not hold what its entry says (cut,
/// emptied, removed during the build): the build is made again without the
/// cache's contents.
#[derive(Debug)]
pub struct Damaged(pub PathBuf);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the build cache's {} is damaged", self.0.display())
    }
}

impl std::error::Error for Damaged {}

/// Whether `error` comes from a damaged build cache.
pub fn damaged(error: &anyhow::Error) -> bool {
    error.chain().any(|e| e.is::<Damaged>())
}

/// Removes the build cache that `error` found damaged (the whole folder:
/// the next build makes everything afresh).
pub fn clear(error: &anyhow::Error) {
    let folder = error
        .chain()
        .find_map(|e| e.downcast_ref::<Damaged>())
        .and_then(|damaged| {
            damaged
                .0
                .ancestors()
                .find(|a| a.file_name().is_some_and(|n| n == FOLDER))
                .map(Path::to_path_buf)
        });
    if let Some(folder) = folder {
        let _ = std::fs::remove_dir_all(folder);
    }
}

/// The project's cache folder locked for this process until the returned
/// file is dropped: another build using it waits. `None` when the folder
/// cannot be made or locked (the build goes on without the cache).
fn lock(dir: &Path) -> Option<std::fs::File> {
    std::fs::create_dir_all(dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("lock"))
        .ok()?;
    file.lock().ok()?;
    Some(file)
}

/// After a build without the cache replaced the site, the record of the
/// site written last (if the project has a cache) no longer describes it:
/// it is removed.
pub fn forget_site(root: &Path) {
    let dir = root.join(FOLDER);
    if dir.is_dir() && lock(&dir).is_some() {
        let _ = std::fs::remove_file(dir.join(site::FILE));
    }
}

/// The cache of one project, held (locked) by one build at a time.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// Parsed pages.
    pub pages: pages::Pages,
    /// Highlighted code blocks.
    pub highlights: highlight::Highlights,
    /// Held while the build runs.
    _lock: std::fs::File,
}

impl Cache {
    /// The cache in `root`'s cache folder, locked (waiting for another
    /// build that holds it); nothing is read until asked for. `None` when
    /// the folder cannot be made or locked.
    pub fn open(root: &Path) -> Option<Self> {
        let dir = root.join(FOLDER);
        let lock = lock(&dir)?;
        Some(Self {
            pages: pages::Pages::new(dir.join("pages")),
            highlights: highlight::Highlights::new(dir.join("highlight.bin")),
            dir,
            _lock: lock,
        })
    }

    /// The cache's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Keeps what this build made for the next one: new highlighted code;
    /// and, when the build read every version (`complete`), forgets the
    /// pages it did not use.
    pub fn save(&self, complete: bool) {
        let every_page_parsed = self.pages.hits() == 0;
        self.highlights.save(every_page_parsed);
        self.pages.save(complete);
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a
/// reader never sees half an entry; gives whether it was written. A failure
/// only costs a later build the entry.
fn store(path: &Path, bytes: &[u8]) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    if std::fs::create_dir_all(parent).is_err() {
        return false;
    }
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let write = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = parent.join(format!(".{name}.{}-{write}", std::process::id()));
    if std::fs::write(&temporary, bytes).is_err() {
        return false;
    }
    let renamed = std::fs::rename(&temporary, path).is_ok();
    if !renamed {
        let _ = std::fs::remove_file(&temporary);
    }
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_every_part() {
        assert_eq!(key_of(&("a", 1)), key_of(&("a", 1)));
        assert_ne!(key_of(&("a", 1)), key_of(&("a", 2)));
        assert_ne!(key_of(&("ab", "")), key_of(&("a", "b")));
        assert_eq!(Key(255).hex(), format!("{}ff", "0".repeat(30)));
    }

    #[test]
    fn serialized_keys_see_every_field() {
        #[derive(Serialize)]
        struct Context<'a> {
            title: &'a str,
            body: String,
        }
        let one = Context {
            title: "A",
            body: "x".into(),
        };
        let other = Context {
            title: "A",
            body: "y".into(),
        };
        assert_ne!(key_of_serialized(&one), key_of_serialized(&other));
        assert_eq!(
            key_of_serialized(&one),
            key_of_serialized(&Context {
                title: "A",
                body: "x".into()
            })
        );
        // Front matter values of different types are different inputs.
        let values = [
            serde_json::json!(1),
            serde_json::json!(-1),
            serde_json::json!(true),
            serde_json::json!(0),
            serde_json::json!(false),
            serde_json::json!(""),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!(null),
            serde_json::json!([null, 1]),
            serde_json::json!([1, null]),
        ];
        let keys: std::collections::HashSet<_> = values.iter().map(key_of_serialized).collect();
        assert_eq!(keys.len(), values.len());
    }
}
