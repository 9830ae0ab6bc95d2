//! Stage 7: the site's files → the output folder, atomically.
//!
//! Takes every file of the built site (pages, assets, theme files, sitemap)
//! and writes them into a staging folder beside the output folder ([`Staging`],
//! which rendered pages enter as each is rendered), then swaps it in, so
//! readers and a failed build never see a half-written site: until the swap
//! the previous site is untouched. On Linux the swap is one atomic exchange
//! (`renameat2` with `RENAME_EXCHANGE`): at every instant the output folder
//! holds the whole old site or the whole new one. Elsewhere, or on a file
//! system without the exchange, it is two renames, with a moment between
//! them without a site. A build stopped by a signal ([`remove_staging_on_signal`])
//! removes its staging folder first; one killed outright leaves it, marked,
//! for the next build to remove. Files the previous site
//! already holds (the build cache's) are hard-linked, not written; a site
//! whose every file is already in place is left as it is. The tool only ever
//! replaces a folder it made itself (it leaves a marker file in it), and
//! refuses outright output folders that would swallow the project, its
//! sources or the home folder.

pub mod carried;
pub mod layout;
pub mod sitemap;

pub use layout::{collisions, layout};

use crate::cache::Key;
use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The file that marks a folder as this tool's output.
pub const MARKER: &str = crate::fs::SITE_MARKER;

/// What the marker file says.
const MARKER_TEXT: &str =
    "This folder is made by `handbook build`; it is replaced on every build.\n";

/// What a file of the site is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Text made by the build.
    Text(String),
    /// Bytes made by the build or read from a version's tree (shared, so
    /// laying out an asset does not copy it).
    Bytes(bytes::Bytes),
    /// A file on disk, copied as it is.
    Copy(PathBuf),
    /// Text made from inputs with this key: the next build may reuse the file.
    Keyed(Key, String),
    /// The previous site's file made from inputs with this key: linked into
    /// the new site (copied where links are not possible), not written again.
    Kept(Key, PathBuf),
    /// Written into the staging folder already, at this path (and linked
    /// from it to any other place the layout puts it), made from inputs
    /// with this key when the build cache is on.
    Staged(Option<Key>, PathBuf),
    /// The same file as the one at this other path of the site (`latest/`
    /// beside its version's folder): a link to it.
    Same(String),
}

impl Contents {
    /// The key of the inputs the file was made from, if the build knows it.
    pub fn key(&self) -> Option<Key> {
        match self {
            Self::Keyed(key, _) | Self::Kept(key, _) => Some(*key),
            Self::Staged(key, _) => *key,
            Self::Text(_) | Self::Bytes(_) | Self::Copy(_) | Self::Same(_) => None,
        }
    }
}

/// One file of the site, at a `/`-separated path under the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Where it goes, relative to the output folder.
    pub path: String,
    /// What goes there.
    pub contents: Contents,
}

impl OutFile {
    /// A file of text made by the build.
    pub fn text(path: impl Into<String>, text: String) -> Self {
        Self {
            path: path.into(),
            contents: Contents::Text(text),
        }
    }
}

/// Refuses output folders that are not safe to replace: the project root, an
/// ancestor of it, the source folder or anything inside it, the home folder,
/// and an existing non-empty folder this tool did not make. Every check is
/// made on the folder the build will really replace: the path made absolute,
/// symlinks resolved and `..` applied (`nope/../foreign` is `foreign`, even
/// while `nope` does not exist), as [`Staging::open`] resolves it.
pub fn check_target(out: &Path, project_root: &Path, source: &Path) -> Result<()> {
    let out_abs = crate::fs::resolved(out)?;
    let root = crate::fs::resolved(project_root)?;
    let source = crate::fs::resolved(source)?;
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .map(|h| crate::fs::resolved(&h))
        .transpose()?;
    let shown = out.display();
    if root.starts_with(&out_abs) {
        bail!(
            "refusing to write the site to {shown}: it contains the project; choose a folder such as `site`"
        );
    }
    // A source folder that is the project root (a GitBook export, a Git
    // Sync repository) may hold the output: the walk leaves it out.
    if source.starts_with(&out_abs) || (out_abs.starts_with(&source) && source != root) {
        bail!(
            "refusing to write the site to {shown}: it is the source folder, contains it or is inside it"
        );
    }
    if home.is_some_and(|h| h.starts_with(&out_abs)) {
        bail!("refusing to write the site to {shown}: it is (or contains) the home folder");
    }
    let out = out_abs.as_path();
    if out.is_dir() && !out.join(MARKER).is_file() && !is_empty_dir(out)? {
        bail!(
            "refusing to replace {shown}: it exists and was not made by handbook (no {MARKER} file in it); \
             choose another output folder or empty this one"
        );
    }
    if out.exists() && !out.is_dir() {
        bail!("refusing to write the site to {shown}: it is a file");
    }
    Ok(())
}

/// Writes `files` as the new content of `out`, replacing its previous content
/// only once every file is written.
pub fn write(out: &Path, files: &[OutFile]) -> Result<()> {
    Staging::open(out)?.finish(files)
}

/// The folder a new site is written into, beside the output folder, before
/// it takes the output folder's place. Files may be put in while the site
/// is made (rendered pages, as each is rendered); [`Staging::finish`] writes
/// the rest and swaps it in. Dropped unfinished (an error), it is removed
/// and the previous site is as it was.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    old: PathBuf,
}

/// The staging folders of this process's builds, for a signal to remove;
/// held while a site is swapped in, so that no signal ends the process
/// between the two renames of the fallback.
static OPEN: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn open_stagings() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    OPEN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// From now on, SIGTERM, SIGINT or SIGHUP ends the process only once the
/// staging folders of its builds are removed (and after a swap under way),
/// with the usual exit status `128 + signal`.
#[cfg(unix)]
pub fn remove_staging_on_signal() -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])
        .context("listening for signals")?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // No write starts from now on; one under way may still make a
            // folder again (writes make their parents), so removal repeats
            // until the folder stays gone.
            STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
            let open = open_stagings();
            for staging in open.iter() {
                remove_for_good(staging);
            }
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

/// Set when a signal asks the build to stop: every write into a staging
/// folder fails from then on.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// An error once the build is asked to stop, so no write starts after it.
fn not_stopping() -> Result<()> {
    if STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
        anyhow::bail!("the build was asked to stop");
    }
    Ok(())
}

/// Removes `folder`, again while a write under way makes it anew.
#[cfg(unix)]
fn remove_for_good(folder: &Path) {
    let mut gone_twice = 0;
    for _ in 0..200 {
        let _ = std::fs::remove_dir_all(folder);
        if folder.exists() {
            gone_twice = 0;
        } else {
            gone_twice += 1;
            if gone_twice == 2 {
                return;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Elsewhere a signal ends the process as it would (a leftover staging
/// folder is removed by the next build).
#[cfg(not(unix))]
pub fn remove_staging_on_signal() -> Result<()> {
    Ok(())
}

impl crate::render::Sink for Staging {
    fn put(&self, path: &str, text: &str) -> Result<PathBuf> {
        Staging::put(self, path, text)
    }
}

impl Staging {
    /// An empty staging folder for `out`, leftovers of crashed builds removed.
    pub fn open(out: &Path) -> Result<Self> {
        // The folder replaced is the one [`check_target`] checked: `..`
        // applied and symlinks resolved, so a symlinked output folder
        // (`site -> /var/www/handbook`) is updated where it points, and the
        // link stays.
        let out = crate::fs::resolved(out)?;
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        crate::fs::create_dir_all(&parent)?;
        let name = out
            .file_name()
            .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
        let pid = std::process::id();
        remove_leftovers(&parent, &name)?;
        let staging = parent.join(format!(".{name}.new-{pid}"));
        let opened = Self {
            old: parent.join(format!(".{name}.old-{pid}")),
            staging,
            out,
        };
        open_stagings().push(opened.staging.clone());
        crate::fs::create_dir_all(&opened.staging)?;
        // Marked from the start, so a crash leaves a folder that a later
        // build knows as its own leftover.
        crate::fs::write(&opened.staging.join(MARKER), MARKER_TEXT)?;
        Ok(opened)
    }

    /// Where the file at `path` (under the output folder) is staged.
    pub fn path(&self, path: &str) -> PathBuf {
        self.staging.join(path)
    }

    /// Writes one file now, at `path` under the output folder; gives where
    /// it was staged (for [`Contents::Staged`]).
    pub fn put(&self, path: &str, text: &str) -> Result<PathBuf> {
        not_stopping()?;
        let target = self.path(path);
        crate::fs::write(&target, text)?;
        Ok(target)
    }

    /// Where the new site is being written.
    pub fn root(&self) -> &Path {
        &self.staging
    }

    /// Writes the remaining `files`, unless the output folder holds exactly
    /// these files already (a build with nothing changed). Gives whether
    /// the new site is to be swapped in.
    pub fn fill(&self, files: &[OutFile]) -> Result<bool> {
        if unchanged(&self.out, files) {
            return Ok(false);
        }
        write_all(&self.staging, files)?;
        Ok(true)
    }

    /// Puts the new site in place of the output folder. Whatever then is
    /// left at the staging path (the previous site, after an exchange; the
    /// new one, after a failure) is removed when `self` is dropped.
    pub fn swap(self) -> Result<()> {
        let _no_signal_now = open_stagings();
        swap(&self.out, &self.staging, &self.old)
    }

    /// [`Staging::fill`], then [`Staging::swap`] when there is anything new.
    pub fn finish(self, files: &[OutFile]) -> Result<()> {
        if self.fill(files)? {
            self.swap()?;
        }
        Ok(())
    }
}

/// Whether `out` holds exactly `files` and nothing else: every file is the
/// previous site's own at its path, or has the same bytes. Asked only when
/// the build cache found files to keep and made none anew: otherwise the
/// answer is no without reading anything.
fn unchanged(out: &Path, files: &[OutFile]) -> bool {
    let made = |file: &OutFile| matches!(file.contents, Contents::Keyed(..) | Contents::Staged(..));
    let kept = |file: &OutFile| matches!(file.contents, Contents::Kept(..));
    if !files.iter().any(kept) || files.iter().any(made) {
        return false;
    }
    let same = |file: &OutFile| {
        let target = out.join(&file.path);
        match &file.contents {
            Contents::Kept(_, from) => same_file::is_same_file(from, &target).unwrap_or(false),
            Contents::Same(other) => {
                same_file::is_same_file(out.join(other), &target).unwrap_or(false)
            }
            Contents::Text(text) => std::fs::read(&target).is_ok_and(|b| b == text.as_bytes()),
            Contents::Bytes(bytes) => std::fs::read(&target).is_ok_and(|b| b == bytes.as_ref()),
            Contents::Copy(from) => std::fs::read(&target)
                .is_ok_and(|b| std::fs::read(from).is_ok_and(|source| source == b)),
            Contents::Keyed(..) | Contents::Staged(..) => false,
        }
    };
    if !files.par_iter().all(same) {
        return false;
    }
    let on_disk = walkdir::WalkDir::new(out)
        .into_iter()
        .filter(|entry| entry.as_ref().map_or(true, |e| !e.file_type().is_dir()))
        .count();
    // The site's files and the marker, and nothing that is not a file.
    on_disk == files.len() + 1 && out.join(MARKER).is_file()
}

impl Drop for Staging {
    fn drop(&mut self) {
        let mut open = open_stagings();
        let _ = std::fs::remove_dir_all(&self.staging);
        open.retain(|staging| *staging != self.staging);
    }
}

/// Staging and old folders a crashed build left beside the output
/// (`.site.new-123`, `.site.old-123`). Another build may be writing its own
/// right now, so only those whose process is gone are removed (where the
/// system says which processes run), and only when they carry the marker
/// (or are empty): a folder that merely has such a name is never deleted.
fn remove_leftovers(parent: &Path, name: &str) -> Result<()> {
    let entries = std::fs::read_dir(parent)
        .with_context(|| format!("reading folder {}", parent.display()))?;
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let pid = [format!(".{name}.new-"), format!(".{name}.old-")]
            .iter()
            .find_map(|prefix| {
                file_name
                    .strip_prefix(prefix.as_str())
                    .and_then(|p| p.parse::<u32>().ok())
            });
        let path = entry.path();
        let ours = path.join(MARKER).is_file() || is_empty_dir(&path).unwrap_or(false);
        if pid.is_some_and(|pid| !process_runs(pid)) && ours {
            crate::fs::remove_dir_all(&path)?;
        }
    }
    Ok(())
}

/// Whether a process runs; `true` where that cannot be known, so nothing is removed.
fn process_runs(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

fn write_all(staging: &Path, files: &[OutFile]) -> Result<()> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| staging.join(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    not_stopping()?;
    dirs.iter().try_for_each(|d| crate::fs::create_dir_all(d))?;
    // Files the same as others are linked once those are written.
    let (same, own): (Vec<&OutFile>, Vec<&OutFile>) = files
        .iter()
        .partition(|f| matches!(f.contents, Contents::Same(_)));
    for files in [own, same] {
        files
            .par_iter()
            .try_for_each(|file| write_one(staging, file))?;
    }
    not_stopping()?;
    crate::fs::write(&staging.join(MARKER), MARKER_TEXT)
}

fn write_one(staging: &Path, file: &OutFile) -> Result<()> {
    not_stopping()?;
    let target = staging.join(&file.path);
    if !matches!(file.contents, Contents::Staged(..)) && target.exists() {
        // A file staged already may be a link to the previous site's:
        // writing through it would change that site.
        crate::fs::remove_file(&target)?;
    }
    match &file.contents {
        Contents::Text(text) | Contents::Keyed(_, text) => crate::fs::write(&target, text),
        Contents::Bytes(bytes) => crate::fs::write(&target, bytes),
        Contents::Copy(from) => crate::fs::copy(from, &target),
        Contents::Kept(_, from) => link(from, &target),
        Contents::Staged(_, at) if *at == target => Ok(()),
        Contents::Staged(_, at) => link(at, &target),
        Contents::Same(other) => link(&staging.join(other), &target),
    }
}

/// A hard link to the previous site's file (which the swap then removes
/// from the old folder only), or a copy where the file system has no links.
fn link(from: &Path, to: &Path) -> Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            crate::fs::remove_file(to)?;
            link(from, to)
        }
        Err(_) => crate::fs::copy(from, to),
    }
}

/// Puts `staging` in place of `out`: exchanged with the previous site in
/// one step where the system can (the previous site is then at `staging`),
/// else by two renames through `old`, the previous site restored when the
/// second fails.
fn swap(out: &Path, staging: &Path, old: &Path) -> Result<()> {
    if !out.exists() {
        return crate::fs::rename(staging, out);
    }
    let exchanged = exchange(out, staging)
        .with_context(|| format!("exchanging {} with {}", staging.display(), out.display()))?;
    if exchanged {
        return Ok(());
    }
    crate::fs::remove_dir_all(old)?;
    crate::fs::rename(out, old)?;
    if let Err(error) = crate::fs::rename(staging, out) {
        let _ = std::fs::rename(old, out);
        return Err(error);
    }
    crate::fs::remove_dir_all(old)
}

/// `a` and `b` exchanged atomically, both staying in place as names;
/// `false` when the system or the file system has no such exchange.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

fn is_empty_dir(path: &Path) -> Result<bool> {
    let mut entries =
        std::fs::read_dir(path).with_context(|| format!("reading folder {}", path.display()))?;
    Ok(entries.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &str, body: &str) -> OutFile {
        OutFile {
            path: path.into(),
            contents: Contents::Text(body.into()),
        }
    }

    #[test]
    fn writes_then_replaces_only_its_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        write(&out, &[text("a/b.html", "one")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/b.html")).unwrap(),
            "one"
        );
        assert!(out.join(MARKER).is_file());
        write(&out, &[text("c.html", "two")]).unwrap();
        assert!(!out.join("a/b.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["site"]);
    }

    #[test]
    fn a_swap_that_fails_at_once_leaves_the_site_and_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        write(&out, &[text("a.html", "old")]).unwrap();
        let mut staging = Staging::open(&out).unwrap();
        assert!(staging.fill(&[text("a.html", "new")]).unwrap());
        // A path ending in `..` cannot be renamed (EBUSY): the swap's first
        // step fails.
        staging.out = out.join("..");
        let staged = staging.root().to_path_buf();
        assert!(staging.swap().is_err());
        assert!(!staged.exists(), "the staging folder is removed");
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "old");
        assert!(!open_stagings().contains(&staged));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_new_site_is_exchanged_with_the_old_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        crate::fs::write(&a.join("x"), "in a").unwrap();
        crate::fs::write(&b.join("x"), "in b").unwrap();
        assert!(exchange(&a, &b).unwrap(), "this file system exchanges");
        assert_eq!(std::fs::read_to_string(a.join("x")).unwrap(), "in b");
        assert_eq!(std::fs::read_to_string(b.join("x")).unwrap(), "in a");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        write(&out, &[text("a.html", "old")]).unwrap();
        let missing = OutFile {
            path: "img.png".into(),
            contents: Contents::Copy(dir.path().join("nope.png")),
        };
        let err = write(&out, &[text("a.html", "new"), missing]).unwrap_err();
        assert!(format!("{err:#}").contains("nope.png"), "{err:#}");
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn leftovers_of_a_crashed_build_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let dead = dir.path().join(".site.new-4294967295");
        crate::fs::write(&dead.join("a.html"), "half").unwrap();
        crate::fs::write(&dead.join(MARKER), MARKER_TEXT).unwrap();
        // A folder that only has a leftover's name is someone's own.
        let named = dir.path().join(".site.old-4294967294");
        crate::fs::write(&named.join("keep.txt"), "mine").unwrap();
        // Process 1 always runs: its staging folder is another build's, in use.
        let alive = dir.path().join(".site.new-1");
        crate::fs::write(&alive.join("a.html"), "in progress").unwrap();
        write(&out, &[text("a.html", "whole")]).unwrap();
        assert!(!dead.exists());
        assert!(alive.exists(), "a running build's folder is left alone");
        assert!(
            named.join("keep.txt").exists(),
            "an unmarked folder is kept"
        );
    }

    #[test]
    fn a_missing_folder_and_dot_dot_lead_to_the_folder_checked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        let source = root.join("handbook");
        std::fs::create_dir_all(&source).unwrap();
        let foreign = dir.path().join("foreign");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
        for bad in [
            dir.path().join("nope/../foreign"),
            root.join("nope/../handbook"),
            root.join("nope/../../proj"),
            root.join("nope/a/../../handbook/site"),
            source.join("site"),
        ] {
            assert!(
                check_target(&bad, &root, &source).is_err(),
                "{}",
                bad.display()
            );
        }
        let fine = root.join("nope/../site");
        assert!(check_target(&fine, &root, &source).is_ok());
        write(&fine, &[text("a.html", "new")]).unwrap();
        assert!(root.join("site/a.html").is_file());
        assert!(foreign.join("keep.txt").is_file());
    }

    #[test]
    fn foreign_and_dangerous_targets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let source = root.join("handbook");
        std::fs::create_dir_all(&source).unwrap();
        let foreign = root.join("docs");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
        for bad in [
            root.to_path_buf(),
            root.join("."),
            source.clone(),
            foreign,
            root.join(".."),
        ] {
            assert!(
                check_target(&bad, root, &source).is_err(),
                "{}",
                bad.display()
            );
        }
        assert!(check_target(&root.join("site"), root, &source).is_ok());
        let home = PathBuf::from(std::env::var_os("HOME").unwrap());
        assert!(check_target(&home, &home.join("proj"), &home.join("proj/handbook")).is_err());
    }
}
