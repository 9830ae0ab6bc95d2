//! Building valid fixtures: navigation, folder-derived tables of contents,
//! unlisted pages, determinism, atomic output and refusal of foreign folders.

use crate::harness::{HandbookTest, repo_root, tree};

#[test]
fn navigation_has_parts_nesting_breadcrumbs_and_reading_order() {
    let test = HandbookTest::fixture("valid/navigation")
        .build()
        .assert_success();
    let test = test.assert_page(
        "ch/section.html",
        &[
            "<span>Part one</span>",
            "aria-current=\"page\">Section</a>",
            "<a href=\"../ch/deep.html\">Deep</a>",
            "<span class=\"nav-draft\">Planned</span>",
            "<a href=\"../index.html\">Welcome</a>",
            "href=\"../ch/index.html\" rel=\"prev\"",
            "href=\"../ch/deep.html\" rel=\"next\"",
            "<a href=\"#first\">First</a>",
            "<a href=\"#sub\">Sub</a>",
            "href=\"https://git.example/edit/handbook/ch/section.md\"",
        ],
    );
    // Breadcrumbs: the part, then the chapter; the page itself is the last crumb.
    let html = test.site_file("ch/section.html");
    let crumbs = &html[html.find("aria-label=\"Breadcrumb\"").expect("breadcrumbs")..];
    let part = crumbs.find("Part one").expect("part crumb");
    let chapter = crumbs.find("Chapter</a>").expect("chapter crumb");
    assert!(part < chapter, "{crumbs}");
}

#[test]
fn hidden_pages_are_built_but_not_navigated_to() {
    HandbookTest::fixture("valid/navigation")
        .build()
        .assert_success()
        .assert_page("hidden.html", &["<h1 id=\"hidden\">Hidden</h1>"])
        .refute_page("ch/deep.html", &["hidden.html"])
        .assert_page("ch/deep.html", &["href=\"../suffix.html\" rel=\"next\""]);
}

#[test]
fn a_handbook_with_no_page_in_its_navigation_still_has_a_front_page() {
    let hidden = "---\nhidden: true\n---\n# Draft\n";
    HandbookTest::empty()
        .file("handbook.yaml", "title: T\n")
        .file("handbook/drafts/one.md", hidden)
        .file("handbook/drafts/two.md", hidden)
        .build()
        .assert_success()
        .assert_page("index.html", &["url=drafts/one.html"]);
    HandbookTest::empty()
        .file("handbook.yaml", "title: T\n")
        .file("handbook/SUMMARY.md", "- [Soon]()\n")
        .file("handbook/hidden.md", hidden)
        .file("handbook/left-out.md", "# Left out\n")
        .build()
        .assert_success()
        .assert_page("index.html", &["url=left-out.html"]);
}

#[test]
fn a_page_sidebar_holds_its_own_part_and_the_full_tree_ships_once() {
    let test = HandbookTest::fixture("valid/navigation")
        .build()
        .assert_success();
    // Outside every part: parts collapse to a link to their first page.
    let test = test
        .assert_page(
            "suffix.html",
            &["<li class=\"nav-part\"><a href=\"ch/index.html\">Part one</a>"],
        )
        .refute_page("suffix.html", &["ch/section.html"]);
    // Inside a part: its heading and chapters, the page's branch open, and the
    // chapters outside any part.
    let test = test
        .assert_page(
            "ch/deep.html",
            &[
                "<li class=\"nav-part\"><span>Part one</span>",
                "aria-current=\"page\">Deep</a>",
                "../suffix.html\">Suffix</a>",
            ],
        )
        .assert_page(
            "navigation.js",
            &[
                "window.HANDBOOK_NAV = [",
                "\"u\":\"ch/deep.html\"",
                "\"k\":\"d\"",
            ],
        );
    let script = test.site_file("navigation.js");
    assert!(!script.contains("hidden.html"), "{script}");
}

#[test]
fn sitemap_404_and_nojekyll_are_written() {
    let test = HandbookTest::fixture("valid/navigation")
        .build()
        .assert_success();
    let sitemap = test.site_file("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://e.org/handbook/ch/section.html</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("hidden.html"), "{sitemap}");
    test.assert_page(
        "404.html",
        &["<base href=\"/handbook/\">", "href=\"static/handbook.css\""],
    );
    assert!(
        HandbookTest::fixture("valid/navigation")
            .build()
            .root()
            .join("site/.nojekyll")
            .is_file()
    );
}

#[test]
fn without_summary_the_folders_make_the_table_of_contents() {
    HandbookTest::fixture("valid/no-summary")
        .build()
        .assert_success()
        .assert_page(
            "index.html",
            &[
                "<a href=\"a.html\">Alpha</a>",
                "<a href=\"b-dir/index.html\">Bees</a>",
            ],
        )
        .assert_page(
            "b-dir/x.html",
            &[
                "<a href=\"../index.html\">home</a>",
                "aria-current=\"page\">Ex</a>",
            ],
        );
}

#[test]
fn unlisted_pages_are_one_warning_and_still_built() {
    HandbookTest::fixture("valid/unlisted-page")
        .build()
        .assert_success()
        .assert_stderr(
            "handbook/SUMMARY.md: warning: 1 page(s) are not listed in SUMMARY.md: orphan.md",
        )
        .assert_page("index.html", &["<a href=\"orphan.html\">orphan</a>"])
        .assert_page("orphan.html", &["<h1 id=\"orphan\">Orphan</h1>"]);
}

#[test]
fn two_builds_are_byte_identical() {
    let first = HandbookTest::example().build().assert_success();
    let second = HandbookTest::example().build().assert_success();
    let (a, b) = (
        tree(&first.root().join("site")),
        tree(&second.root().join("site")),
    );
    assert!(a.len() > 30, "{} files", a.len());
    assert!(a == b, "the two builds differ");
}

#[test]
fn a_failed_build_leaves_the_previous_site_exactly_as_it_was() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .build()
        .assert_success();
    let before = tree(&test.root().join("site"));
    let test = test
        .file("handbook/README.md", "# Home\n\n[broken](nowhere.md)\n")
        .build()
        .assert_exit(1);
    let test = test.assert_stderr("nothing was written");
    assert_previous_site_intact(&test, &before);
}

#[test]
fn a_rebuild_replaces_the_previous_output() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .build()
        .assert_success();
    std::fs::remove_file(test.root().join("handbook/orphan.md")).expect("remove");
    let test = test
        .file("handbook/README.md", "# Home\n")
        .build()
        .assert_success();
    assert!(!test.root().join("site/orphan.html").exists());
}

#[test]
fn foreign_and_dangerous_output_folders_are_refused() {
    let test = HandbookTest::fixture("valid/unlisted-page").file("docs/keep.txt", "mine");
    // `nope` does not exist: `..` must still be applied before the checks.
    let outs = [
        ".",
        "handbook",
        "docs",
        "..",
        "nope/../docs",
        "nope/../handbook",
        "nope/../../{root}",
        "handbook/site",
    ];
    for out in outs {
        let test = HandbookTest::fixture("valid/unlisted-page").file("docs/keep.txt", "mine");
        let root = test.root().file_name().expect("named").to_string_lossy();
        let out = out.replace("{root}", &root);
        let test = test
            .run(&["build", "--out", &out])
            .assert_exit(2)
            .assert_stderr("refusing");
        assert_eq!(
            std::fs::read_to_string(test.root().join("docs/keep.txt")).expect("kept"),
            "mine"
        );
        assert!(test.root().join("handbook/README.md").is_file());
    }
    let home = std::env::var("HOME").expect("HOME");
    test.run(&["build", "--out", &home])
        .assert_exit(2)
        .assert_stderr("refusing");
}

#[cfg(unix)]
#[test]
fn links_to_hidden_folders_or_the_project_root_publish_nothing_of_theirs() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .file(".git/config", "[http] extraheader = AUTHORIZATION: token")
        .file("handbook/.keep", "");
    let source = test.root().join("handbook");
    std::os::unix::fs::symlink("../.git", source.join("g")).expect("link");
    std::os::unix::fs::symlink("..", source.join("up")).expect("link");
    let site_files = |test: &HandbookTest| {
        walkdir::WalkDir::new(test.root().join("site"))
            .into_iter()
            .count()
    };
    let test = test
        .run(&["build"])
        .assert_success()
        .assert_stderr("hidden folder")
        .assert_stderr("above it");
    let first = site_files(&test);
    assert!(!test.root().join("site/g").exists());
    assert!(!test.root().join("site/up").exists());
    // The site does not take itself in: the second build is the same size.
    let test = test.run(&["build"]).assert_success();
    assert_eq!(site_files(&test), first);
}

#[test]
fn an_empty_folder_may_be_the_output() {
    let test = HandbookTest::fixture("valid/unlisted-page").file("public/.keep", "");
    std::fs::remove_file(test.root().join("public/.keep")).expect("empty it");
    test.run(&["build", "--out", "public"])
        .assert_success()
        .assert_stderr("into public");
}

#[test]
fn broken_links_can_be_lowered_to_warnings() {
    HandbookTest::fixture("invalid/broken-page-link")
        .file("handbook.yaml", "title: Fixture\nbroken-links: warn\n")
        .build()
        .assert_success()
        .assert_stderr("handbook/rules.md:3:5: warning: link to `assembly.md`: no such page");
}

#[test]
fn every_broken_link_is_reported_in_one_run() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .file(
            "handbook/README.md",
            "# Home\n\n[a](a.md) [b](b.md)\n\n[c](#nope)\n",
        )
        .file("handbook/orphan.md", "# Orphan\n\n![x](x.png)\n")
        .build()
        .assert_exit(1);
    let errors = test
        .stderr()
        .lines()
        .filter(|l| l.contains(": error:"))
        .count();
    assert_eq!(errors, 4, "{}", test.stderr());
}

#[test]
fn a_project_theme_overrides_the_default_file_by_file() {
    HandbookTest::fixture("valid/unlisted-page")
        .file("handbook.yaml", "title: Fixture\ntheme: coop\n")
        .file(
            "themes/coop/static/handbook.css",
            "body { color: rebeccapurple }\n",
        )
        .file("themes/coop/static/extra.js", "// extra\n")
        .build()
        .assert_success()
        .assert_page("static/handbook.css", &["rebeccapurple"])
        .assert_page("static/extra.js", &["// extra"])
        .assert_page("static/handbook.js", &["tablist"]);
}

#[test]
fn a_template_error_is_an_environment_failure_naming_the_template() {
    HandbookTest::fixture("valid/unlisted-page")
        .file(
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}{% block content %}{{ page.title\n",
        )
        .build()
        .assert_exit(2)
        .assert_stderr("page.html");
}

#[test]
fn a_page_that_fails_to_render_leaves_the_previous_site_and_no_staging_folder() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .build()
        .assert_success();
    let before = tree(&test.root().join("site"));
    let template = std::fs::read_to_string(repo_root().join("themes/default/templates/page.html"))
        .expect("default page template");
    // Every other page renders (and is staged) before or after this one fails.
    let failing = template.replacen(
        "{% block content %}",
        "{% block content %}{% if page.path == \"orphan.md\" %}{{ nothing.here }}{% endif %}",
        1,
    );
    assert_ne!(failing, template);
    let test = test
        .file("themes/default/templates/page.html", &failing)
        .build()
        .assert_exit(2)
        .assert_stderr("orphan.md");
    assert_previous_site_intact(&test, &before);
}

#[test]
fn titles_and_text_reach_pages_escaped() {
    HandbookTest::fixture("valid/unlisted-page")
        .file("handbook/SUMMARY.md", "- [Home <b>bold</b>](README.md)\n- [Orphan](orphan.md)\n")
        .file(
            "handbook/README.md",
            "---\ntitle: \"<img src=x onerror=alert(1)>\"\ndescription: 'say \"hi\" <now>'\n---\nText.\n",
        )
        .build()
        .assert_success()
        .assert_page(
            "index.html",
            &["<title>&lt;img src=x onerror=alert(1)&gt; · Fixture</title>", "content=\"say &quot;hi&quot; &lt;now&gt;\""],
        )
        .refute_page("index.html", &["<img src=x"])
        .assert_page("navigation.js", &["\"t\":\"Home bold\""]);
}

/// A handbook of `parts` parts, each with a chapter and two pages.
fn many_parts(parts: usize) -> HandbookTest {
    let mut summary = String::from("# Summary\n\n- [Home](README.md)\n");
    let mut test = HandbookTest::empty()
        .file("handbook.yaml", "title: Big\n")
        .file("handbook/README.md", "# Home\n");
    for p in 0..parts {
        summary.push_str(&format!(
            "\n## Part {p}\n\n- [Chapter {p}](p{p}/README.md)\n  - [Page {p}](p{p}/page.md)\n"
        ));
        test = test.file(
            &format!("handbook/p{p}/README.md"),
            &format!("# Chapter {p}\n"),
        );
        test = test.file(
            &format!("handbook/p{p}/page.md"),
            &format!("# Page {p}\n\nText.\n"),
        );
    }
    test.file("handbook/SUMMARY.md", &summary)
}

#[test]
fn a_page_does_not_grow_with_the_rest_of_the_book() {
    let large = many_parts(60).build().assert_success();
    let larger = many_parts(120).build().assert_success();
    let (a, b) = (
        large.site_file("p1/page.html"),
        larger.site_file("p1/page.html"),
    );
    assert!(!b.contains("p40/"), "a page lists far-away parts' pages");
    assert!(
        b.len() <= a.len() + 8,
        "page grew from {} to {} bytes",
        a.len(),
        b.len()
    );
    assert!(b.contains("<li class=\"nav-more\">97 more</li>"), "{b}");
    assert!(
        larger
            .site_file("navigation.js")
            .contains("\"u\":\"p119/page.html\"")
    );
}

/// A book of `chapters` top-level chapters and no parts, as mdBook writes them.
fn flat(chapters: usize) -> HandbookTest {
    let mut summary = String::from("# Summary\n\n");
    let mut test = HandbookTest::empty().file("handbook.yaml", "title: Flat\n");
    for c in 0..chapters {
        summary.push_str(&format!("- [Chapter {c}](c{c}.md)\n"));
        test = test.file(&format!("handbook/c{c}.md"), &format!("# Chapter {c}\n"));
    }
    test.file("handbook/SUMMARY.md", &summary)
}

#[test]
fn a_flat_book_s_pages_do_not_grow_either() {
    let (a, b) = (
        flat(100).build().assert_success(),
        flat(400).build().assert_success(),
    );
    let (a, b) = (a.site_file("c50.html"), b.site_file("c50.html"));
    assert!(
        b.len() <= a.len() + 8,
        "page grew from {} to {} bytes",
        a.len(),
        b.len()
    );
    assert!(
        b.contains("c38.html") && b.contains("c62.html") && !b.contains("c63.html"),
        "a window around the page"
    );
}

#[test]
fn summary_nesting_renders_at_any_depth() {
    let mut summary = String::new();
    let mut test = HandbookTest::empty().file("handbook.yaml", "title: Deep\n");
    for d in 0..30 {
        summary.push_str(&format!("{}- [Level {d}](l{d}.md)\n", "  ".repeat(d)));
        test = test.file(&format!("handbook/l{d}.md"), &format!("# Level {d}\n"));
    }
    test.file("handbook/SUMMARY.md", &summary)
        .build()
        .assert_success()
        .assert_page("l29.html", &["aria-current=\"page\">Level 29</a>"]);
}

/// The site is as it was before the failed build, and no staging or old
/// folder (`.site.new-*`, `.site.old-*`) is left beside it.
fn assert_previous_site_intact(test: &HandbookTest, before: &[(String, Vec<u8>)]) {
    assert!(
        before == tree(&test.root().join("site")).as_slice(),
        "the previous site changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(test.root())
        .expect("root")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".site"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

/// The most bytes a page may have (`load::MAX_PAGE_BYTES`).
const PAGE_LIMIT: usize = 4 * 1024 * 1024;

/// A page of exactly `len` bytes whose bulk is an HTML comment: cheap to
/// build however long (few events, no words to index).
fn page_of(len: usize) -> String {
    let (head, tail) = ("# Long\n\n<!--\n", "-->\n");
    let line = format!("{}\n", "x".repeat(1023));
    let mut page = String::from(head);
    while page.len() + line.len() + tail.len() <= len {
        page.push_str(&line);
    }
    page.push_str(&"y".repeat(len - page.len() - tail.len()));
    page.push_str(tail);
    assert_eq!(page.len(), len);
    page
}

#[test]
fn a_page_over_the_size_limit_is_an_error_at_its_first_line_and_is_not_built() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .file(
            "handbook/SUMMARY.md",
            "- [Home](README.md)\n- [Long](long.md)\n- [Orphan](orphan.md)\n",
        )
        .file(
            "handbook/README.md",
            "# Home\n\nSee [the long page](long.md).\n",
        )
        .file("handbook/long.md", &page_of(PAGE_LIMIT + 1))
        .build()
        .assert_exit(1)
        .assert_stderr(
            "handbook/long.md:1:1: error: this page is 4194305 bytes (4.0 MiB); \
             a page may have at most 4194304 bytes (4 MiB), so it was not read",
        )
        .assert_stderr("help: split it into several pages and list each in SUMMARY.md")
        .assert_stderr("nothing was written");
    // The page stays listed and linkable: its size is the only problem.
    let errors = test
        .stderr()
        .lines()
        .filter(|l| l.contains(": error:"))
        .count();
    assert_eq!(errors, 1, "{}", test.stderr());
    assert!(!test.root().join("site").exists());
}

#[test]
fn a_page_at_the_size_limit_is_built() {
    HandbookTest::fixture("valid/unlisted-page")
        .file(
            "handbook/SUMMARY.md",
            "- [Home](README.md)\n- [Long](long.md)\n- [Orphan](orphan.md)\n",
        )
        .file("handbook/long.md", &page_of(PAGE_LIMIT))
        .build()
        .assert_success()
        .assert_page("long.html", &["<!--\nxxx"]);
}
