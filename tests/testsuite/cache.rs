//! The build cache (`.handbook-cache/`): a second build reuses what the
//! first made — pages are not parsed again, unchanged rendered files are
//! linked from the previous site, and a site with nothing to change is left
//! in place — and whatever changes, a build with the cache writes the very
//! site a build without it writes.

use super::harness::{HandbookTest, handbook, tree};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The site a build without any cache makes of the project as it is now.
fn fresh_site(test: &HandbookTest) -> Vec<(String, Vec<u8>)> {
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
    assert!(output.status.success(), "{output:?}");
    tree(&fresh)
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
