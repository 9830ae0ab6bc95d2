//! The repository's own example handbook: it builds with zero diagnostics,
//! and the seed page from the first handbook we serve comes out as published.

use crate::harness::{HandbookTest, repo_root};

const SEED: &str = "2-political-economy/commons-political-economy/provisioning-and-hosting.html";
/// The example's edition in force, the working tree.
const EDITION: &str = "2022/";

/// Markdown pages under `folder`, SUMMARY.md left out.
fn pages_in(folder: &std::path::Path) -> usize {
    walkdir::WalkDir::new(folder)
        .into_iter()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "md"))
        })
        .count()
        - 1
}

#[test]
fn the_example_builds_with_zero_diagnostics() {
    let test = HandbookTest::example().build().assert_success();
    let stderr = test.stderr();
    assert!(stderr.contains("0 error(s), 0 warning(s)"), "{stderr}");
    let sources = pages_in(&test.root().join("handbook"));
    assert!((15..=25).contains(&sources), "{sources} pages");
    let trial = pages_in(&test.root().join("editions/2021-trial/handbook"));
    let built = stderr
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<usize>().ok());
    // Each edition adds three protocol pages and the spaces page; the
    // edition in force also its Changes page.
    assert!(stderr.contains("in 2 versions"), "{stderr}");
    assert_eq!(
        built,
        Some(sources + 5 + trial + 4),
        "the pages, protocol pages, spaces and changes pages: {stderr}"
    );
}

#[test]
fn the_seed_page_is_the_export_as_it_was() {
    // tests/fixtures/seed/ holds the export exactly as GitBook gave it (seeds/001).
    let seed = std::fs::read_to_string(
        repo_root().join("tests/fixtures/seed/provisioning-and-hosting.export.md"),
    )
    .expect("the seed export");
    let page = std::fs::read_to_string(
        repo_root()
            .join("handbook")
            .join(SEED.replace(".html", ".md")),
    )
    .expect("seed page");
    let body = page
        .splitn(3, "---\n")
        .nth(2)
        .expect("front matter, then the export");
    assert_eq!(
        body, seed,
        "only front matter may be added to the seed page"
    );
}

#[test]
fn the_seed_page_reads_as_published() {
    HandbookTest::example()
        .build()
        .assert_success()
        .assert_page(
            &format!("{EDITION}{SEED}"),
            &[
                "<h1 id=\"provisioning-and-hosting\">Provisioning and hosting</h1>",
                "in <a href=\"../political-economy.html\">Political economy</a>, the phrase",
                "<time datetime=\"2021-07-19\">19 July 2021</time>",
                "Protocols to be derived from this section",
            ],
        )
        .refute_page(
            &format!("{EDITION}{SEED}"),
            &[
                "Agent Instructions",
                "?ask=",
                "Updated: 19jul2021",
                "gitbook.io",
            ],
        );
}

#[test]
fn the_example_declares_spaces_of_every_kind_and_links_them() {
    let test = HandbookTest::example().build().assert_success();
    let json: serde_json::Value =
        serde_json::from_str(&test.site_file(&format!("{EDITION}spaces.json"))).expect("json");
    let spaces = json["spaces"].as_array().expect("a list");
    assert!(spaces.len() >= 6, "{} spaces", spaces.len());
    for kind in ["platform", "media", "venue"] {
        assert!(spaces.iter().any(|s| s["kind"] == kind), "no {kind} space");
    }
    let linked = spaces
        .iter()
        .filter(|s| s["pages"].as_array().is_some_and(|p| !p.is_empty()))
        .count();
    assert_eq!(linked, spaces.len(), "every space is linked from a page");
}

#[test]
fn the_example_exercises_every_page_feature() {
    let test = HandbookTest::example().build().assert_success();
    let all: String = walkdir::WalkDir::new(test.root().join("site"))
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| std::fs::read_to_string(e.path()).expect("read"))
        .collect();
    for feature in [
        "class=\"admonition note\"",
        "class=\"admonition tip\"",
        "class=\"admonition important\"",
        "class=\"admonition warning\"",
        "class=\"admonition caution\"",
        "class=\"embed-card\"",
        "class=\"content-ref\"",
        "class=\"tabs\"",
        "<table>",
        "footnote-definition",
        "<del>",
        "type=\"checkbox\"",
        "data-lang=\"yaml\"",
        "data-lang=\"bash\"",
        "<img src=",
        "class=\"page-status\"",
        "Protocols derived here",
        "Protocols to be derived from this section",
        "class=\"nav-part\"",
        "class=\"space space-venue\"",
        "class=\"space space-platform\"",
        "Where this happens",
    ] {
        assert!(all.contains(feature), "no page shows {feature}");
    }
}

/// The `<main>` element of a built page of the edition in force.
fn main_of(test: &HandbookTest, page: &str) -> String {
    let html = test.site_file(&format!("{EDITION}{page}"));
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    html[start..end].to_string()
}

#[test]
fn representative_pages_read_as_snapshotted() {
    let test = HandbookTest::example().build().assert_success();
    for (name, page) in [
        // A GitBook hint and a protocol note on one page.
        (
            "example_hint_and_note_main",
            "4-assemblies-and-deliberations/commons-hour.html",
        ),
        ("example_register_main", "protocols.html"),
        ("example_spaces_main", "spaces.html"),
        ("example_changes_main", "changes.html"),
    ] {
        insta::assert_snapshot!(name, main_of(&test, page));
    }
}
