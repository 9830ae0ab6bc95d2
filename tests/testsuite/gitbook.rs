//! GitBook exports as they are: every page header form read (date and
//! status shown, no raw quote left), the newer export's `llms.txt` header
//! and "Agent Instructions" footer dropped, hosted files found locally or
//! warned about once with a placeholder in their place, and links to output
//! names (`cli/index.html`) landing on their pages.

use crate::harness::HandbookTest;

/// Each header form of `tests/fixtures/gitbook-export`: page, date shown,
/// status shown (if any).
const FORMS: &[(&str, &str, Option<&str>)] = &[
    ("forms/quote.html", "19 July 2021", None),
    ("forms/two-digit-year.html", "10 December 2021", None),
    ("forms/space-colon.html", "7 December 2021", None),
    ("forms/emphasised.html", "11 October 2021", None),
    ("forms/strong.html", "11 October 2021", None),
    (
        "forms/date-then-status.html",
        "10 December 2021",
        Some("Incomplete - To be extended"),
    ),
    (
        "forms/status-then-date.html",
        "7 December 2021",
        Some("Incomplete topic, to be expanded"),
    ),
    (
        "forms/work-in-progress.html",
        "12 October 2021",
        Some("Work in progress"),
    ),
    ("forms/newer-export.html", "19 July 2021", None),
    ("forms/documentation-index.html", "11 October 2021", None),
];

const STATUS_ONLY: &[(&str, &str)] = &[
    (
        "forms/placeholder.html",
        "Placeholder: the circle writes this in spring",
    ),
    ("forms/to-be-added.html", "To be added"),
    ("forms/draft.html", "Draft"),
];

/// The page's `<main>`, where a raw header would show.
fn main_of(test: &HandbookTest, url: &str) -> String {
    let html = test.site_file(url);
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    html[start..end].to_string()
}

#[test]
fn every_header_form_builds_with_its_date_and_status_shown_and_no_raw_quote() {
    let test = HandbookTest::fixture("gitbook-export")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)");
    for (url, date, status) in FORMS {
        let main = main_of(&test, url);
        assert!(main.contains(&format!("{date}</time>")), "{url}: {main}");
        match status {
            Some(status) => assert!(
                main.contains(&format!("<strong>Status</strong> {status}</p>")),
                "{url}: {main}"
            ),
            None => assert!(!main.contains("page-status"), "{url}: {main}"),
        }
        for raw in [
            "<blockquote>",
            "Updated",
            "xxx",
            "llms.txt",
            "Agent Instructions",
            "If you need additional information",
            "Perform an HTTP GET request",
            "Use this file to discover all available pages",
        ] {
            assert!(!main.contains(raw), "{url} shows {raw:?}: {main}");
        }
    }
    for (url, status) in STATUS_ONLY {
        let main = main_of(&test, url);
        assert!(
            main.contains(&format!("<strong>Status</strong> {status}</p>")),
            "{url}: {main}"
        );
        assert!(!main.contains("<blockquote>"), "{url}: {main}");
    }
}

#[test]
fn hosted_files_with_a_local_copy_are_that_copy() {
    HandbookTest::fixture("gitbook-export")
        .build()
        .assert_success()
        .assert_page(
            "hosted.html",
            &[
                "<img src=\".gitbook/assets/abc123.png\" alt=\"The toolstack\" loading=\"lazy\">",
                "<a href=\".gitbook/assets/Q9minutes.pdf\">minutes</a>",
                "<a href=\".gitbook/assets/Q9minutes.pdf\">same minutes</a>",
            ],
        )
        .refute_page("hosted.html", &["hosted-missing", "/files/"]);
}

#[test]
fn links_to_output_names_land_on_their_pages_with_anchors_kept() {
    HandbookTest::fixture("gitbook-export")
        .build()
        .assert_success()
        .assert_page(
            "index.html",
            &[
                "<a href=\"cli/index.html\">command line</a>",
                "<a href=\"forms/index.html\">header forms</a>",
                "<a href=\"forms/quote.html#more\">one of them</a>",
            ],
        )
        .assert_page(
            "cli/index.html",
            &[
                "<a href=\"../index.html\">welcome page</a>",
                "<a href=\"../forms/emphasised.html\">emphasised date</a>",
            ],
        );
}

#[test]
fn output_names_reach_index_md_pages_and_html_files_of_the_source() {
    HandbookTest::empty()
        .file("handbook.yaml", "title: T\n")
        .file(
            "handbook/README.md",
            "# T\n\n[Guide](guide/index.html) and [raw](extra/page.html#top).\n",
        )
        .file("handbook/guide/index.md", "# Guide\n")
        .file(
            "handbook/extra/page.html",
            "<p>An HTML file of the source.</p>\n",
        )
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)")
        .assert_page(
            "index.html",
            &[
                "<a href=\"guide/index.html\">Guide</a>",
                "<a href=\"extra/page.html#top\">raw</a>",
            ],
        );
}

#[test]
fn an_html_link_naming_no_page_is_a_broken_link() {
    HandbookTest::empty()
        .file("handbook.yaml", "title: T\n")
        .file(
            "handbook/README.md",
            "# T\n\nSee [the guide](guide.html) and [x](a.html#nowhere).\n",
        )
        .file("handbook/guides.md", "# Guides\n")
        .file("handbook/a.md", "# A\n")
        .build()
        .assert_exit(1)
        .assert_stderr("handbook/README.md:3:5: error: link to `guide.html`: no such page")
        .assert_stderr("did you mean `guides.md`?")
        .assert_stderr("`#nowhere` is not a heading on `a.md`");
}

/// A page linking two missing hosted images (one three times, one from
/// another page too) and a missing attachment.
fn missing_hosted(config: &str) -> HandbookTest {
    HandbookTest::empty()
        .file("handbook.yaml", config)
        .file(
            "handbook/README.md",
            "# T\n\n![The toolstack](/files/gone1)\n\nAgain ![The toolstack](/files/gone1) and [notes](/files/gone2).\n\n![](../.gitbook/assets/lost.png)\n",
        )
        .file("handbook/b.md", "# B\n\n![Diagram](/files/gone1)\n")
        .build()
}

#[test]
fn a_missing_hosted_file_is_one_warning_with_its_place_and_a_placeholder() {
    let test = missing_hosted("title: T\n")
        .assert_success()
        .assert_stderr("0 error(s), 3 warning(s)")
        .assert_stderr(
            "handbook/README.md:3:1: warning: `/files/gone1` is a file GitBook hosts, and the handbook has no copy of it (linked 3 times; this is the first)",
        )
        .assert_stderr("save it in the source folder as `.gitbook/assets/gone1` (or `gone1.png`")
        .assert_stderr("handbook/README.md:5:42: warning: `/files/gone2`")
        .assert_stderr("until then the page shows its alt text in its place")
        .assert_page(
            "index.html",
            &[
                "<span class=\"hosted-missing\" role=\"img\" aria-label=\"The toolstack\"",
                ">The toolstack</span>",
                "<a class=\"hosted-missing\" title=\"This file is kept by GitBook and was not exported with the handbook\">notes</a>",
            ],
        )
        .assert_page("b.html", &[">Diagram</span>"])
        .refute_page("index.html", &["<img", "/files/"]);
    assert_eq!(test.stderr().matches("`/files/gone1`").count(), 1);
    assert!(
        test.stderr().contains("`.gitbook/assets/lost.png`"),
        "{}",
        test.stderr()
    );
}

#[test]
fn a_missing_hosted_file_links_to_the_legacy_site_when_one_is_configured() {
    missing_hosted("title: T\nlegacy-urls: [https://old.example/trial]\n")
        .assert_success()
        .assert_stderr("3 warning(s)")
        .assert_stderr("until then the page links to it on the legacy site")
        .assert_page(
            "index.html",
            &[
                "<a class=\"hosted-missing\" href=\"https://old.example/trial/files/gone1\" rel=\"noopener\"",
                ">The toolstack</a>",
                "<a href=\"https://old.example/trial/files/gone2\">notes</a>",
                // No legacy place for a lost `.gitbook/assets/` file.
                ">lost.png</span>",
            ],
        );
}

#[test]
fn hosted_files_linked_by_their_gitbook_url_stay_there_unless_copied() {
    HandbookTest::empty()
        .file("handbook.yaml", "title: T\n")
        .file(
            "handbook/README.md",
            "# T\n\n![a](https://x.gitbook.io/site/files/Far1)\n\n![b](https://x.gitbook.io/site/files/Near2)\n",
        )
        .file("handbook/.gitbook/assets/Near2.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)")
        .assert_page(
            "index.html",
            &[
                "href=\"https://x.gitbook.io/site/files/Far1\"",
                "<img src=\".gitbook/assets/Near2.svg\" alt=\"b\"",
            ],
        );
}

#[test]
fn a_missing_hosted_image_in_raw_html_shows_a_picture_saying_so() {
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: T\n")
        .file(
            "handbook/README.md",
            "# T\n\n<figure><img src=\"/files/Fig7\" alt=\"\"><figcaption><p>The stack</p></figcaption></figure>\n",
        )
        .build()
        .assert_success()
        .assert_stderr("handbook/README.md:3:19: warning: `/files/Fig7` is a file GitBook hosts")
        .assert_page("index.html", &["<img src=\"data:image/svg+xml,", "Not%20exported%20from%20GitBook:%20Fig7", "<figcaption><p>The stack</p>"]);
    assert!(!test.site_file("index.html").contains("/files/Fig7"));
}
