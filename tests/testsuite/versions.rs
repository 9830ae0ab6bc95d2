//! Versioned sites built from real git repositories made in temporary
//! folders: editions from tags, a branch and a snapshot folder beside the
//! working tree; the switcher across a renamed, a deleted and a kept page;
//! the banner, `latest/`, dates from history, the Changes page; and each way
//! a version can be misconfigured.

use crate::harness::HandbookTest;
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with a fixed identity and clock.
fn git(dir: &Path, date: &str, args: &[&str]) {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=Editor",
            "-c",
            "user.email=editor@example.org",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs (install git)");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Commits everything in the project at `date`.
fn commit(test: &HandbookTest, date: &str, message: &str) {
    git(test.root(), date, &["add", "-A"]);
    git(test.root(), date, &["commit", "-q", "-m", message]);
}

const QUORUM_2021: &str = "# A\n\nRules.\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — A tenth of members.\n>   - status: trial\n";
const QUORUM_2022: &str = "# A\n\nRules.\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — A fifth of members.\n>   - status: adopted\n";

const VERSIONS: &str = "title: Coop\nbase-url: https://coop.example\nversions:\n  default: edition-2022\n  editions:\n    - name: draft\n      working-tree: true\n    - tags: \"edition-*\"\n";

/// A repository with three commits: the 2021 edition (tagged), the 2022
/// edition (tagged: a page renamed, one deleted, one changed, a protocol
/// adopted), and a later change in the working tree's history.
fn history() -> HandbookTest {
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: Coop\n")
        .file(
            "handbook/SUMMARY.md",
            "# Summary\n\n* [Home](README.md)\n* [A](a.md)\n* [B](b.md)\n* [Old](old.md)\n* [Gone](gone.md)\n",
        )
        .file("handbook/README.md", "# Home\n\nWelcome.\n")
        .file("handbook/a.md", QUORUM_2021)
        .file("handbook/b.md", "# B\n\nFirst text.\n")
        .file("handbook/old.md", "# Old\n\nKept under a new name.\n")
        .file("handbook/gone.md", "# Gone\n\nDropped in 2022.\n");
    git(test.root(), "2021-01-01T12:00:00Z", &["init", "-q"]);
    commit(&test, "2021-01-01T12:00:00Z", "2021 edition");
    git(
        test.root(),
        "2021-01-01T12:00:00Z",
        &["tag", "edition-2021"],
    );
    std::fs::remove_file(test.root().join("handbook/old.md")).expect("rm");
    std::fs::remove_file(test.root().join("handbook/gone.md")).expect("rm");
    let test = test
        .file(
            "handbook/SUMMARY.md",
            "# Summary\n\n* [Home](README.md)\n* [A](a.md)\n* [B](b.md)\n* [New](new.md)\n",
        )
        .file("handbook/a.md", QUORUM_2022)
        .file("handbook/b.md", "# B\n\nSecond text.\n")
        .file(
            "handbook/new.md",
            "---\naliases: [old.md]\n---\n# New\n\nKept under a new name.\n",
        );
    commit(&test, "2022-06-01T12:00:00Z", "2022 edition");
    git(
        test.root(),
        "2022-06-01T12:00:00Z",
        &["tag", "-a", "-m", "Ratified", "edition-2022"],
    );
    let test = test
        .file("handbook.yaml", VERSIONS)
        .file("handbook/README.md", "# Home\n\nWelcome, again.\n");
    commit(&test, "2023-01-01T12:00:00Z", "draft");
    test.run(&["protocols"]).assert_success()
}

#[test]
fn tags_and_the_working_tree_build_side_by_side() {
    let test = history().build().assert_success();
    assert!(test.stderr().contains("in 3 versions"), "{}", test.stderr());
    let json: serde_json::Value =
        serde_json::from_str(&test.site_file("versions.json")).expect("json");
    let names: Vec<&str> = json["versions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["draft", "edition-2022", "edition-2021"]);
    assert_eq!(json["default"], "edition-2022");
    assert_eq!(json["versions"][1]["status"], "in-force");
    assert_eq!(json["versions"][2]["status"], "superseded");
    assert_eq!(json["versions"][2]["date"], "2021-01-01");
    assert_eq!(json["versions"][0]["status"], "draft");
    test.assert_page("edition-2021/b.html", &["First text."])
        .assert_page("edition-2022/b.html", &["Second text."])
        .assert_page("draft/index.html", &["Welcome, again."])
        .assert_page("index.html", &["url=latest/index.html"]);
}

#[test]
fn latest_is_the_default_edition_byte_for_byte_with_a_canonical_link() {
    let test = history().build().assert_success();
    for page in ["a.html", "new.html", "index.html", "protocols.html"] {
        assert_eq!(
            test.site_file(&format!("latest/{page}")),
            test.site_file(&format!("edition-2022/{page}")),
            "{page}"
        );
    }
    test.assert_page(
        "latest/a.html",
        &["<link rel=\"canonical\" href=\"https://coop.example/edition-2022/a.html\">"],
    )
    .assert_page(
        "404.html",
        &["<base href=\"/\">", "href=\"latest/static/handbook.css\""],
    )
    .assert_page(
        "sitemap.xml",
        &[
            "https://coop.example/edition-2021/gone.html",
            "https://coop.example/draft/a.html",
        ],
    )
    .refute_page("sitemap.xml", &["/latest/"]);
}

#[test]
fn the_switcher_follows_renamed_pages_and_falls_back_to_the_home_page() {
    let test = history().build().assert_success();
    // Present in every version: the same path.
    test.assert_page(
        "edition-2021/a.html",
        &[
            "href=\"../draft/a.html\"",
            "href=\"../edition-2022/a.html\"",
            "href=\"../edition-2021/a.html\" aria-current=\"page\"",
        ],
    )
    // Renamed: the new page declares the old path in `aliases`, both ways.
    .assert_page(
        "edition-2021/old.html",
        &["href=\"../edition-2022/new.html\">"],
    )
    .assert_page(
        "edition-2022/new.html",
        &["href=\"../edition-2021/old.html\">"],
    )
    // Missing: that version's home page, said so.
    .assert_page(
        "edition-2021/gone.html",
        &["href=\"../edition-2022/index.html\" title=\"This page is not in that edition"],
    );
}

#[test]
fn older_and_draft_editions_carry_a_banner_and_the_one_in_force_does_not() {
    let test = history().build().assert_success();
    test.assert_page(
        "edition-2021/a.html",
        &[
            "class=\"version-banner\"",
            "<strong>edition-2021</strong> edition of the handbook, which is <strong>superseded</strong>",
            "<a href=\"../edition-2022/a.html\">Read this page in the edition in force (edition-2022)</a>",
        ],
    )
    .assert_page("draft/a.html", &["which is <strong>draft</strong>"])
    .assert_page(
        "edition-2021/gone.html",
        &["<a href=\"../edition-2022/index.html\">Go to the edition in force"],
    )
    .refute_page("edition-2022/a.html", &["version-banner"]);
}

#[test]
fn last_updated_comes_from_each_versions_history_unless_the_page_says() {
    let test = history().file(
        "handbook/b.md",
        "---\nupdated: 2020-05-05\n---\n# B\n\nSecond text.\n",
    );
    commit(&test, "2024-02-02T12:00:00Z", "b dated by hand");
    let test = test.build().assert_success();
    test.assert_page("edition-2021/b.html", &["<time datetime=\"2021-01-01\">"])
        .assert_page("edition-2022/b.html", &["<time datetime=\"2022-06-01\">"])
        .assert_page(
            "edition-2022/index.html",
            &["<time datetime=\"2021-01-01\">"],
        )
        .assert_page("draft/index.html", &["<time datetime=\"2023-01-01\">"])
        .assert_page("draft/a.html", &["<time datetime=\"2022-06-01\">"])
        .assert_page("draft/b.html", &["<time datetime=\"2020-05-05\">"]);
}

#[test]
fn the_changes_page_lists_pages_and_protocols_changed_since_the_previous_edition() {
    let test = history().build().assert_success();
    let test = test
        .assert_page(
            "edition-2022/changes.html",
            &[
                "What changed from <strong>edition-2021</strong> to <strong>edition-2022</strong>",
                "1 page removed, 1 renamed, 2 changed; 1 protocol changed",
                "<code>old.md</code> → <a href=\"new.html\">New</a>",
                "Gone (<code>gone.md</code>)",
                "Status: trial → <strong>adopted</strong>",
                "Statement before: A tenth of members.",
                "Statement now: A fifth of members.",
                "<summary>B — 1 line added, 1 removed</summary>",
                // The diff is highlighted: deleted and inserted lines marked.
                "hl-deleted hl-diff\">-</span>First text.",
                "hl-inserted hl-diff\">+</span>Second text.",
            ],
        )
        .assert_page(
            "draft/changes.html",
            &["What changed from <strong>edition-2022</strong> to <strong>Draft</strong>"],
        )
        .refute_page("edition-2022/changes.html", &["Pages added"]);
    assert!(!test.root().join("site/edition-2021/changes.html").exists());
}

#[test]
fn a_branch_and_a_snapshot_folder_are_versions_too() {
    let test = history();
    git(
        test.root(),
        "2023-01-01T12:00:00Z",
        &["branch", "next", "edition-2021"],
    );
    let config = "title: Coop\nversions:\n  default: next\n  editions:\n    - name: next\n      ref: next\n    - name: trial\n      path: old/trial\n      date: 2020-02-02\n";
    let test = test
        .file("handbook.yaml", config)
        .file(
            "old/trial/SUMMARY.md",
            "# Summary\n\n* [Trial](README.md)\n",
        )
        .file("old/trial/README.md", "# Trial\n\nThe first try.\n")
        .build()
        .assert_success();
    let test = test
        .assert_page("next/b.html", &["First text."])
        .assert_page(
            "trial/index.html",
            &["The first try.", "which is <strong>superseded</strong>"],
        )
        .assert_page(
            "next/changes.html",
            &["What changed from <strong>trial</strong> to <strong>next</strong>"],
        );
    assert!(!test.root().join("site/draft").exists());
}

#[test]
fn versions_flag_builds_a_subset_and_names_unknown_ones() {
    let test = history()
        .run(&["build", "--versions", "edition-2022"])
        .assert_success();
    assert!(test.root().join("site/edition-2022/a.html").exists());
    assert!(test.root().join("site/latest/a.html").exists());
    assert!(!test.root().join("site/draft").exists());
    // Without the default version there is no latest/: the root leads to the first.
    history()
        .run(&["build", "--versions", "edition-2021,draft"])
        .assert_success()
        .assert_page("index.html", &["url=draft/index.html"]);
    history()
        .run(&["build", "--versions", "edition-2099"])
        .assert_exit(2)
        .assert_stderr("there is no version `edition-2099`; the versions are draft, edition-2022, edition-2021");
}

#[test]
fn a_missing_ref_or_a_ref_naming_a_blob_is_an_error_at_its_line() {
    let test = history();
    git(
        test.root(),
        "2023-01-01T12:00:00Z",
        &["tag", "a-blob", "HEAD:handbook/b.md"],
    );
    let config = "title: Coop\nversions:\n  default: draft\n  editions:\n    - name: draft\n      working-tree: true\n    - name: old\n      ref: edition-1999\n    - name: blob\n      ref: a-blob\n";
    test.file("handbook.yaml", config)
        .build()
        .assert_exit(2)
        .assert_stderr(
            "handbook.yaml:8:12: error: no branch, tag or commit `edition-1999` in the repository",
        )
        .assert_stderr("handbook.yaml:10:12: error: `a-blob` names a blob, not a commit");
}

#[test]
fn a_ref_without_a_handbook_is_an_error_naming_it() {
    let test = HandbookTest::empty().file("notes.txt", "not a handbook\n");
    git(test.root(), "2021-01-01T12:00:00Z", &["init", "-q"]);
    commit(&test, "2021-01-01T12:00:00Z", "unrelated");
    git(test.root(), "2021-01-01T12:00:00Z", &["tag", "empty"]);
    let config = "title: Coop\nversions:\n  default: draft\n  editions:\n    - name: draft\n      working-tree: true\n    - name: empty\n      ref: empty\n";
    test.file("handbook.yaml", config)
        .file("handbook/SUMMARY.md", "# Summary\n\n* [Home](README.md)\n")
        .file("handbook/README.md", "# Home\n")
        .build()
        .assert_exit(2)
        .assert_stderr(
            "`empty` holds no handbook: its tree has neither handbook.yaml nor handbook/SUMMARY.md",
        );
}

#[test]
fn a_shallow_clone_dates_what_it_can_and_warns() {
    let source = history();
    let clone = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", source.root().display());
    git(
        clone.path(),
        "2023-01-01T12:00:00Z",
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let root = clone.path().join("shallow");
    std::fs::write(root.join("handbook.yaml"), "title: Coop\n").expect("config");
    let output = Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["build"])
        .current_dir(&root)
        .output()
        .expect("run handbook");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "handbook.yaml: warning: this is a shallow clone: 4 pages have no date from the history"
        ),
        "{stderr}"
    );
    // What the tip commit changed cannot be told without its parent.
    let home = std::fs::read_to_string(root.join("site/index.html")).expect("home");
    assert!(!home.contains("Last updated"), "{home}");
}

#[test]
fn a_snapshot_folder_keeps_its_own_settings_but_not_its_versions() {
    let config = "title: Coop\nversions:\n  default: draft\n  editions:\n    - name: draft\n      working-tree: true\n    - name: old\n      path: old\n";
    // The snapshot was copied from a versioned project: its `versions:` names
    // folders that are not here, and must not matter.
    let old_config = "title: Old coop\nsource: pages\nversions:\n  default: x\n  editions:\n    - name: x\n      path: gone\n";
    HandbookTest::empty()
        .file("handbook.yaml", config)
        .file("handbook/SUMMARY.md", "# Summary\n\n* [Home](README.md)\n")
        .file("handbook/README.md", "# Home\n")
        .file("old/handbook.yaml", old_config)
        .file("old/pages/SUMMARY.md", "# Summary\n\n* [Home](README.md)\n")
        .file("old/pages/README.md", "# Home\n\nOld text.\n")
        .build()
        .assert_success()
        .assert_page(
            "old/index.html",
            &["Old text.", "<title>Home · Old coop</title>"],
        );
}

#[test]
fn problems_in_an_edition_from_git_are_labelled_as_git_show_takes_them() {
    let test = HandbookTest::empty()
        .file("proj/handbook.yaml", "title: Coop\n")
        .file(
            "proj/handbook/SUMMARY.md",
            "# Summary\n\n* [Home](README.md)\n",
        )
        .file(
            "proj/handbook/README.md",
            "# Home\n\nSee [nothing](missing.md).\n",
        );
    git(test.root(), "2021-01-01T12:00:00Z", &["init", "-q"]);
    commit(&test, "2021-01-01T12:00:00Z", "a broken link");
    git(test.root(), "2021-01-01T12:00:00Z", &["tag", "v1"]);
    let config =
        "title: Coop\nversions:\n  default: v1\n  editions:\n    - name: v1\n      ref: v1\n";
    let test = test
        .file("proj/handbook.yaml", config)
        // On disk the link is fixed since; the tag keeps it broken.
        .file("proj/handbook/README.md", "# Home\n\nFixed since.\n")
        .run(&["build", "--root", "proj"])
        .assert_exit(1)
        .assert_stderr("v1:proj/handbook/README.md:3:5: error:")
        // The snippet comes from the ref's own text, not from the disk.
        .assert_stderr("3 | See [nothing](missing.md).");
    assert!(
        !test.root().join("proj/site").exists(),
        "nothing is written"
    );
}

#[test]
fn not_found_pages_start_from_the_path_prefix_and_their_version() {
    let config = VERSIONS.replace("title: Coop\n", "title: Coop\npath-prefix: /hb/\n");
    history()
        .file("handbook.yaml", &config)
        .build()
        .assert_success()
        .assert_page(
            "404.html",
            &[
                "<base href=\"/hb/\">",
                "href=\"latest/static/handbook.css\"",
            ],
        )
        .assert_page(
            "edition-2021/404.html",
            &[
                "<base href=\"/hb/edition-2021/\">",
                "href=\"static/handbook.css\"",
            ],
        );
}

#[test]
fn tag_patterns_are_globs_checked_at_their_line_and_an_empty_match_is_told() {
    let config = |patterns: &[&str]| {
        let mut text = String::from(
            "title: Coop\nversions:\n  default: draft\n  editions:\n    - name: draft\n      working-tree: true\n",
        );
        for pattern in patterns {
            text.push_str(&format!("    - tags: \"{pattern}\"\n"));
        }
        text
    };
    // `?` and classes are glob syntax: both tags, and no others.
    let test = history().file(
        "handbook.yaml",
        &config(&["edition-202[1]", "edition-20?2"]),
    );
    let test = test.build().assert_success();
    let versions = test.site_file("versions.json");
    assert!(versions.contains("edition-2021") && versions.contains("edition-2022"));
    // A pattern that matches nothing is a warning at its line.
    let test = test
        .file("handbook.yaml", &config(&["release-*"]))
        .build()
        .assert_success()
        .assert_stderr("handbook.yaml:7:13")
        .assert_stderr("no tag matches `release-*`");
    // One that is no glob is an error at its line, and nothing is written.
    std::fs::remove_dir_all(test.root().join("site")).expect("remove the site");
    let test = test
        .file("handbook.yaml", &config(&["edition-[", "*"]))
        .build()
        .assert_exit(2)
        .assert_stderr("handbook.yaml:7:13")
        .assert_stderr("`edition-[` is not a tag pattern");
    assert!(!test.root().join("site").exists());
}

#[test]
fn a_symlink_in_an_edition_from_git_is_left_out_with_the_same_warning_as_on_disk() {
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: Coop\n")
        .file("handbook/SUMMARY.md", "# Summary\n\n* [Home](README.md)\n")
        .file("handbook/README.md", "# Home\n");
    std::os::unix::fs::symlink("README.md", test.root().join("handbook/copy.md")).unwrap();
    std::os::unix::fs::symlink("../..", test.root().join("handbook/.up")).unwrap();
    git(test.root(), "2021-01-01T12:00:00Z", &["init", "-q"]);
    commit(&test, "2021-01-01T12:00:00Z", "a linked page");
    git(test.root(), "2021-01-01T12:00:00Z", &["tag", "v1"]);
    let config =
        "title: Coop\nversions:\n  default: v1\n  editions:\n    - name: v1\n      ref: v1\n";
    let test = test.file("handbook.yaml", config).build().assert_stderr(
        "v1:handbook/copy.md: warning: left out of the site: it is a symbolic link in git",
    );
    assert!(!test.stderr().contains(".up"), "hidden entries stay silent");
    assert!(!test.root().join("site/copy.html").exists());
}
