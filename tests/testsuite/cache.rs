//! The build cache (`.handbook-cache/`): a second build reuses what the
//! first made — pages are not parsed again, unchanged rendered files are
//! linked from the previous site, and a site with nothing to change is left
//! in place — and whatever changes, and whatever damage the cache's files
//! took (a flipped byte anywhere, a file cut or lengthened), a build with the
//! cache writes the very site a build without it writes, and says the same.

use super::harness::{HandbookTest, handbook, tree};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A build without any cache of the project as it is now, into a folder
/// of its own: how it went, and the site it made.
fn build_fresh(test: &HandbookTest) -> (std::process::Output, Vec<(String, Vec<u8>)>) {
    let out = tempfile::tempdir().expect("temp dir");
    let fresh = out.path().join("fresh");
    let output = handbook(
        test.root(),
        &[
            "build",
            "--no-cache",
            "--out",
            fresh.to_str().expect("utf-8"),
        ],
    );
    (output, tree(&fresh))
}

/// The site a build without any cache makes of the project as it is now.
fn fresh_site(test: &HandbookTest) -> Vec<(String, Vec<u8>)> {
    let (output, site) = build_fresh(test);
    assert!(output.status.success(), "{output:?}");
    site
}

/// Builds with the cache and asserts the site is the one a fresh build makes.
fn build_matches_fresh(test: HandbookTest, after: &str) -> HandbookTest {
    let test = test.build().assert_success();
    let site = tree(&test.root().join("site"));
    let fresh = fresh_site(&test);
    let paths = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&site), paths(&fresh), "after {after}: the same files");
    for ((path, cached), (_, made)) in site.iter().zip(&fresh) {
        assert!(
            cached == made,
            "after {after}: {path} differs from a fresh build:\n{}",
            String::from_utf8_lossy(cached)
        );
    }
    test
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .ino()
}

fn edit(test: HandbookTest, path: &str, from: &str, to: &str) -> HandbookTest {
    let file = test.root().join(path);
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains(from), "{path} lacks {from:?}");
    let edited = text.replacen(from, to, 1);
    test.file(path, &edited)
}

#[test]
fn a_second_build_links_unchanged_files_and_writes_the_same_site() {
    let test = HandbookTest::example().build().assert_success();
    let cache = test.root().join(".handbook-cache");
    let kept = std::fs::read_dir(cache.join("pages/bodies"))
        .expect("pages kept")
        .count();
    assert!(kept > 20, "every page is kept: {kept}");
    let page = test.root().join("site/2022/1-principles/commoning.html");
    let index = test.root().join("site/2022/search/meta.json");
    let page_inode = inode(&page);
    let first = tree(&test.root().join("site"));

    // A change reaches one page: the others are linked from the previous site.
    let test = edit(
        test,
        "handbook/contributing.md",
        "\n\n",
        "\n\nOne more line.\n\n",
    );
    let test = test.build().assert_success();
    assert_eq!(inode(&page), page_inode, "the page was linked, not written");
    assert_ne!(tree(&test.root().join("site")), first);
    let (site, index_inode) = (inode(&test.root().join("site")), inode(&index));

    // Nothing changed: the site is left as it is.
    let second = tree(&test.root().join("site"));
    let test = test.build().assert_success();
    assert_eq!(tree(&test.root().join("site")), second);
    assert_eq!(
        inode(&test.root().join("site")),
        site,
        "the folder was not replaced"
    );
    assert_eq!(inode(&index), index_inode, "the index was linked, not made");
    assert_eq!(second, fresh_site(&test));
}

#[test]
fn every_kind_of_change_gives_the_site_a_fresh_build_gives() {
    let test = HandbookTest::example().build().assert_success();
    let page = "handbook/1-principles/commoning.md";
    let test = edit(test, page, "Commoning", "Commoning together");
    let test = build_matches_fresh(test, "a page's title (its neighbours' navigation)");
    let test = edit(
        test,
        page,
        "\n\n",
        "\n\nA new first sentence about **sweat equity**.\n\n",
    );
    let test = build_matches_fresh(test, "a page's text");
    let code = "\n```toml\n[rooms]\nopen = true\n```\n";
    let test = test.file(
        "handbook/8-terminology/floss.md",
        &format!("# FLOSS\n{code}"),
    );
    let test = build_matches_fresh(test, "a new code block");
    let test = edit(
        test,
        "handbook.yaml",
        "title: meet.coop handbook",
        "title: Our handbook",
    );
    let test = build_matches_fresh(test, "the configuration");
    let template = std::fs::read_to_string(
        super::harness::repo_root().join("themes/default/templates/page.html"),
    )
    .expect("default page template");
    let test = edit(test, "handbook.yaml", "theme: default", "theme: ours").file(
        "themes/ours/templates/page.html",
        &template.replacen("<div class=\"page\">", "<div class=\"page ours\">", 1),
    );
    assert!(
        std::fs::read_to_string(test.root().join("themes/ours/templates/page.html"))
            .expect("template")
            .contains("page ours")
    );
    let test = build_matches_fresh(test, "a theme template");
    let summary = "handbook/SUMMARY.md";
    let text = std::fs::read_to_string(test.root().join(summary)).expect("summary");
    let test = test.file(summary, &text.replacen("[", "[The ", 1));
    build_matches_fresh(test, "the SUMMARY");
}

#[test]
fn a_site_file_changed_by_hand_is_made_again() {
    let test = HandbookTest::example().build().assert_success();
    let page = test.root().join("site/2022/1-principles/commoning.html");
    std::fs::write(&page, "edited on the server").expect("write");
    let test = build_matches_fresh(test, "a page edited in the site");
    let gone = test.root().join("site/2022/search/meta.json");
    std::fs::remove_file(&gone).expect("remove");
    let test = build_matches_fresh(test, "an index file removed from the site");
    std::fs::write(test.root().join("site/2022/extra.html"), "added").expect("write");
    build_matches_fresh(test, "a file added to the site");
}

#[test]
fn a_damaged_cache_is_read_as_empty() {
    let test = HandbookTest::example().build().assert_success();
    let cache = test.root().join(".handbook-cache");
    for entry in walkdir::WalkDir::new(&cache) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            std::fs::write(entry.path(), b"\x07damaged").expect("damage");
        }
    }
    let test = edit(test, "handbook/README.md", "\n\n", "\n\nWelcome.\n\n");
    build_matches_fresh(test, "every cache file damaged");
}

#[test]
fn a_body_emptied_in_the_cache_is_noticed_and_the_site_made_afresh() {
    let test = HandbookTest::example().build().assert_success();
    let bodies = test.root().join(".handbook-cache/pages/bodies");
    for entry in std::fs::read_dir(&bodies).expect("bodies") {
        let path = entry.expect("entry").path();
        let length = std::fs::metadata(&path).expect("body").len();
        // Cut to zeros in place, as a crash can leave a file: same length.
        std::fs::write(&path, vec![0u8; usize::try_from(length).expect("size")]).expect("zero");
    }
    // A new title reaches every page: each must be rendered, its body read.
    let test = edit(
        test,
        "handbook.yaml",
        "title: meet.coop handbook",
        "title: Our handbook",
    );
    build_matches_fresh(test, "every body emptied");
}

#[test]
fn no_cache_neither_reads_nor_keeps_one() {
    let test = HandbookTest::example()
        .run(&["build", "--no-cache"])
        .assert_success();
    assert!(!test.root().join(".handbook-cache").exists());
}

#[test]
fn a_build_without_the_cache_forgets_the_site_the_cache_recorded() {
    let test = HandbookTest::example().build().assert_success();
    let record = test.root().join(".handbook-cache/site.bin");
    assert!(record.is_file());
    let test = edit(test, "handbook/README.md", "\n\n", "\n\nWelcome.\n\n")
        .run(&["build", "--no-cache"])
        .assert_success();
    assert!(!record.exists(), "it describes a site that is gone");
    let test = edit(test, "handbook/README.md", "\n\nWelcome.\n\n", "\n\n");
    build_matches_fresh(test, "a build without the cache in between");
}

/// The site and cache a build left, to put back before each damage: the
/// site's files hard-linked, so each keeps its modification time, which the
/// record of the site trusts it by (a build never writes a file of the site
/// in place: it writes anew or links into a staging folder); the cache's
/// files as bytes.
struct Snapshot {
    site: tempfile::TempDir,
    /// Each path under the cache folder, with its bytes (none: a folder).
    cache: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Snapshot {
    fn take(root: &Path) -> Self {
        let site = tempfile::tempdir().expect("temp dir");
        link_tree(&root.join("site"), site.path());
        let folder = root.join(".handbook-cache");
        let cache = walkdir::WalkDir::new(&folder)
            .into_iter()
            .map(|entry| entry.expect("walk"))
            .map(|entry| {
                let path = entry.path().strip_prefix(&folder).expect("inside");
                let bytes = entry
                    .file_type()
                    .is_file()
                    .then(|| std::fs::read(entry.path()));
                (path.to_path_buf(), bytes.map(|b| b.expect("read")))
            })
            .collect();
        Self { site, cache }
    }

    fn restore(&self, root: &Path) {
        let (site, folder) = (root.join("site"), root.join(".handbook-cache"));
        for gone in [&site, &folder] {
            std::fs::remove_dir_all(gone).expect("remove");
        }
        link_tree(self.site.path(), &site);
        for (path, bytes) in &self.cache {
            match bytes {
                None => std::fs::create_dir_all(folder.join(path)).expect("mkdir"),
                Some(bytes) => std::fs::write(folder.join(path), bytes).expect("write"),
            }
        }
    }

    /// The bytes of the cache's `file`.
    fn file(&self, file: &Path) -> &[u8] {
        self.cache
            .iter()
            .find(|(path, _)| path == file)
            .and_then(|(_, bytes)| bytes.as_deref())
            .unwrap_or_else(|| panic!("no cache file {}", file.display()))
    }

    /// The largest file in the cache's `folder`.
    fn largest(&self, folder: &str) -> PathBuf {
        let files = self
            .cache
            .iter()
            .filter(|(path, _)| path.starts_with(folder));
        let sized = files.filter_map(|(path, bytes)| Some((bytes.as_ref()?.len(), path)));
        sized.max().expect("a file").1.clone()
    }
}

/// Hard-links every file under `from` into the same place under `to`.
fn link_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::hard_link(entry.path(), &target).expect("link");
        }
    }
}

/// What a build says, without its timing and output folder.
fn outcome(output: &std::process::Output) -> (Option<i32>, String) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said = stderr
        .lines()
        .map(|line| match line.strip_prefix("Built ") {
            Some(built) => built.split_once(": ").map_or(built, |(_, tail)| tail),
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    (output.status.code(), said)
}

/// A project built with its cache, then changed so that the next build
/// reads the records of the cache file to damage; with what a build without
/// any cache makes of it and says.
struct Damageable {
    test: HandbookTest,
    kept: Snapshot,
    fresh: Vec<(String, Vec<u8>)>,
    said: (Option<i32>, String),
}

impl Damageable {
    fn new(change: fn(HandbookTest) -> HandbookTest) -> Self {
        let test = HandbookTest::example().build().assert_success();
        let kept = Snapshot::take(test.root());
        let test = change(test);
        let (output, fresh) = build_fresh(&test);
        Self {
            said: outcome(&output),
            fresh,
            kept,
            test,
        }
    }

    /// Builds with the cache's `file` damaged by `damage` (and `removed`
    /// removed), and gives what differs from the build without a cache.
    fn trial(&self, file: &Path, removed: Option<&str>, damage: &Damage) -> Option<String> {
        let root = self.test.root();
        self.kept.restore(root);
        let cache = root.join(".handbook-cache");
        if let Some(removed) = removed {
            std::fs::remove_file(cache.join(removed)).expect("remove");
        }
        let bytes = damage.apply(self.kept.file(file).to_vec());
        std::fs::write(cache.join(file), bytes).expect("damage");
        let said = outcome(&handbook(root, &["build"]));
        if said != self.said {
            return Some(format!("said {said:?}, not {:?}", self.said));
        }
        let site = tree(&root.join("site"));
        let paths =
            |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        if paths(&site) != paths(&self.fresh) {
            return Some(format!("files {:?}", paths(&site)));
        }
        site.iter()
            .zip(&self.fresh)
            .find(|(cached, made)| cached.1 != made.1)
            .map(|(cached, _)| format!("{} differs", cached.0))
    }
}

/// One way a cache file is damaged.
#[derive(Debug)]
enum Damage {
    /// The lowest bit of the byte at this position flipped (a count off by
    /// one, a letter changed into its neighbour).
    Flip(usize),
    /// Cut to this length.
    Cut(usize),
    /// A byte added at the end.
    Append,
}

impl Damage {
    fn apply(&self, mut bytes: Vec<u8>) -> Vec<u8> {
        match *self {
            Damage::Flip(at) => bytes[at] ^= 1,
            Damage::Cut(length) => bytes.truncate(length),
            Damage::Append => bytes.push(0),
        }
        bytes
    }

    /// The damages tried on a file of `length` bytes: flips in the header
    /// and the first record's head, at evenly spread places and at the end;
    /// cut by one byte and by half; one byte appended.
    fn all(length: usize) -> Vec<Damage> {
        // Magic, kind, format, count; the first record's length, digest, bytes.
        let mut places: Vec<usize> = [0, 4, 8, 12, 16, 20, 28]
            .into_iter()
            .chain((1..6).map(|sixth| length * sixth / 6))
            .chain([length - 1])
            .filter(|&at| at < length)
            .collect();
        places.sort_unstable();
        places.dedup();
        let mut damages: Vec<Damage> = places.into_iter().map(Damage::Flip).collect();
        damages.extend([
            Damage::Cut(length - 1),
            Damage::Cut(length / 2),
            Damage::Append,
        ]);
        damages
    }
}

/// A kind of cache file, and how a build is made to read all of it.
struct Kind {
    /// The file (or the largest file in the folder) under the cache.
    file: &'static str,
    /// Removed with the damage, so that the build reads every record.
    removed: Option<&'static str>,
    /// What changes in the project after the cache was written.
    change: fn(HandbookTest) -> HandbookTest,
}

/// A page's text changed: that page is parsed again (its code blocks looked
/// up), the others come from the pack and are linked from the site; the
/// edition without the change keeps its search index.
fn change_a_page(test: HandbookTest) -> HandbookTest {
    let page = "handbook/4-assemblies-and-deliberations/circles.md";
    edit(test, page, "At present", "Today")
}

/// The site's title changed: every page is rendered again from its kept
/// body; the search indexes are kept.
fn change_the_title(test: HandbookTest) -> HandbookTest {
    let (from, to) = ("title: meet.coop handbook", "title: Our handbook");
    edit(test, "handbook.yaml", from, to)
}

/// Every damage of one kind of file: how many were tried, and those after
/// which the build differed from one without the cache.
fn damage_every_way(kind: &Kind) -> (usize, Vec<String>) {
    let project = Damageable::new(kind.change);
    let file = match kind.file.strip_suffix('/') {
        Some(folder) => project.kept.largest(folder),
        None => PathBuf::from(kind.file),
    };
    let damages = Damage::all(project.kept.file(&file).len());
    let failures = damages
        .iter()
        .filter_map(|damage| {
            let difference = project.trial(&file, kind.removed, damage)?;
            Some(format!("{} {damage:?}: {difference}", file.display()))
        })
        .collect();
    (damages.len(), failures)
}

#[test]
fn damage_anywhere_in_any_cache_file_leaves_the_site_a_build_without_it_makes() {
    let started = std::time::Instant::now();
    let kinds = [
        Kind {
            file: "highlight.bin",
            // Without the pack every page is parsed: every block looked up.
            removed: Some("pages/pages.bin"),
            change: change_a_page,
        },
        Kind {
            file: "pages/pages.bin",
            removed: None,
            change: change_a_page,
        },
        Kind {
            file: "pages/bodies/",
            removed: None,
            change: change_the_title,
        },
        Kind {
            file: "site.bin",
            removed: None,
            change: change_a_page,
        },
    ];
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let runs: Vec<_> = kinds
            .iter()
            .map(|kind| scope.spawn(|| damage_every_way(kind)))
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("trials"))
            .collect()
    });
    let trials: usize = results.iter().map(|(tried, _)| tried).sum();
    let failures: Vec<String> = results.into_iter().flat_map(|(_, failed)| failed).collect();
    assert!(
        failures.is_empty(),
        "{} of {trials} damaged caches changed the build:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{trials} damaged caches in {:?}", started.elapsed());
}
