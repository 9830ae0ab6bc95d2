//! Protocol derivation end to end: `handbook protocols` writes `protocols/`,
//! `--check`, `check` and `build` catch drift with a diff, ids survive edits
//! around them, the generated pages list what they should, and a snapshot
//! holds the example handbook's derived files.

use crate::harness::{HandbookTest, repo_root, tree};

const RULES: &str = "# Rules\n\nIntro.\n\n## Quorum\n\nA **quorum** needs a **third of members**.\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — A third of members must take part.\n>   - status: adopted\n>   - adopted: 2023-03-01 General Assembly\n> - **One vote each** — Every member has one vote.\n>   - kind: principle\n>   - status: adopted\n\n## Appeals\n\nAppeals go to the assembly.\n\n> Note: derive protocols:\n";

fn project() -> HandbookTest {
    HandbookTest::empty()
        .file("handbook.yaml", "title: Coop\n")
        .file(
            "handbook/SUMMARY.md",
            "- [Home](README.md)\n\n## Governance\n\n- [Rules](rules.md)\n",
        )
        .file("handbook/README.md", "# Home\n")
        .file("handbook/rules.md", RULES)
}

fn protocols_file(test: &HandbookTest, path: &str) -> String {
    std::fs::read_to_string(test.root().join("protocols").join(path)).expect("protocol file")
}

#[test]
fn protocols_writes_one_file_per_page_and_an_index() {
    let test = project().run(&["protocols"]).assert_success().assert_stderr(
        "1 page(s) with notes, 2 note(s): 2 protocol(s); 1 section(s) still to derive\n  by status: 2 adopted\n  by kind: 1 principle, 1 protocol\nprotocols/: 2 file(s) written, 0 removed",
    );
    let rules = protocols_file(&test, "rules.yaml");
    assert!(
        rules.starts_with(
            "# Derived by `handbook protocols` from the notes in handbook/rules.md.\n"
        ),
        "{rules}"
    );
    for expected in [
        "- id: rules/quorum\n  title: Quorum\n  statement: A third of members must take part.\n",
        "  status: adopted\n  adopted:\n    date: \"2023-03-01\"\n    by: General Assembly\n",
        "    chapter: Governance\n    section: Quorum\n    anchor: quorum\n    line: 11\n",
        "  key-terms:\n  - quorum\n  - third of members\n",
        "- id: rules/appeals\n  title: Appeals\n  kind: protocol\n  status: to-derive\n",
        "  excerpt: Appeals go to the assembly.\n",
    ] {
        assert!(rules.contains(expected), "missing {expected:?} in\n{rules}");
    }
    let index = protocols_file(&test, "index.yaml");
    assert!(index.contains("- id: rules/one-vote-each\n  title: One vote each\n  status: adopted\n  kind: principle\n"), "{index}");
    test.run(&["protocols", "--check"])
        .assert_success()
        .assert_stderr("protocols/ matches the notes");
}

#[test]
fn a_hand_edit_is_drift_for_check_protocols_check_and_build() {
    let test = project().run(&["protocols"]).assert_success();
    let file = test.root().join("protocols/rules.yaml");
    let edited = std::fs::read_to_string(&file)
        .expect("read")
        .replace("status: adopted", "status: superseded");
    std::fs::write(&file, edited).expect("edit by hand");
    let test = test
        .run(&["protocols", "--check"])
        .assert_exit(1)
        .assert_stderr(
            "protocols/rules.yaml: error: this file differs from what the handbook's notes derive",
        )
        .assert_stderr("    -  status: superseded\n    +  status: adopted\n");
    let test = test
        .check()
        .assert_exit(1)
        .assert_stderr("protocols/rules.yaml: error: this file differs");
    let test = test
        .build()
        .assert_success()
        .assert_stderr("protocols/rules.yaml: warning: this file differs");
    let test = test
        .file("handbook.yaml", "title: Coop\nprotocols:\n  drift: error\n")
        .build()
        .assert_exit(1)
        .assert_stderr("protocols/rules.yaml: error: this file differs");
    test.run(&["protocols"])
        .assert_success()
        .run(&["check"])
        .assert_success();
}

#[test]
fn a_page_whose_notes_are_gone_loses_its_file() {
    let test = project()
        .file("handbook/README.md", "# Home\n\n> Note: Derive protocols\n")
        .run(&["protocols"])
        .assert_success();
    assert!(test.root().join("protocols/README.yaml").is_file());
    let test = test
        .file("handbook/README.md", "# Home\n")
        .run(&["protocols", "--check"])
        .assert_exit(1);
    let test = test.assert_stderr(
        "protocols/README.yaml: error: this file is left over: no page derives it now",
    );
    let test = test
        .run(&["protocols"])
        .assert_success()
        .assert_stderr("1 file(s) written, 1 removed");
    assert!(!test.root().join("protocols/README.yaml").exists());
}

#[test]
fn ids_do_not_move_when_the_text_around_them_changes() {
    let first = project().run(&["protocols"]).assert_success();
    let moved = RULES
        .replace(
            "Intro.\n",
            "A much longer introduction.\n\nWith a second paragraph.\n",
        )
        .replace(
            "> - **Quorum**",
            "> - **One more** — Added first.\n> - **Quorum**",
        );
    let second = project()
        .file("handbook/rules.md", &moved)
        .run(&["protocols"])
        .assert_success();
    let ids = |test: &HandbookTest| -> Vec<String> {
        protocols_file(test, "index.yaml")
            .lines()
            .filter(|l| l.starts_with("- id: "))
            .map(str::to_string)
            .collect()
    };
    let (before, after) = (ids(&first), ids(&second));
    assert_eq!(
        after,
        [
            "- id: rules/one-more",
            "- id: rules/quorum",
            "- id: rules/one-vote-each",
            "- id: rules/appeals"
        ]
    );
    assert!(
        before.iter().all(|id| after.contains(id)),
        "{before:?} vs {after:?}"
    );
}

#[test]
fn notes_in_code_are_not_notes() {
    project()
        .file("handbook/rules.md", "# Rules\n\n```markdown\n> Note: Derive protocols\n> - **X** — y\n```\n\n`Note: Derive protocols`\n")
        .run(&["protocols"])
        .assert_success()
        .assert_stderr("0 page(s) with notes, 0 note(s): 0 protocol(s)");
}

#[test]
fn a_note_on_an_unlisted_page_is_derived_and_reported() {
    project()
        .file("handbook/orphan.md", "# Orphan\n\n> Note: Derive protocols\n>\n> - **Lost** — Nobody reads this.\n")
        .run(&["protocols"])
        .assert_success()
        .assert_stderr("handbook/orphan.md:3:1: warning: this protocol note is on a page that SUMMARY.md does not list")
        .assert_stderr("3 protocol(s)");
}

#[test]
fn a_broken_note_is_reported_without_drift_noise() {
    let test = project().run(&["protocols"]).assert_success();
    let test = test
        .file(
            "handbook/rules.md",
            &RULES.replace("status: adopted", "status: ratified"),
        )
        .build()
        .assert_exit(1);
    let stderr = test.stderr();
    assert!(stderr.contains("unknown status `ratified`"), "{stderr}");
    assert!(
        !stderr.contains("protocols/rules.yaml"),
        "drift reported for a broken note:\n{stderr}"
    );
}

#[test]
fn related_ids_must_name_protocols() {
    project()
        .file(
            "handbook/rules.md",
            &RULES.replace(
                ">   - kind: principle\n",
                ">   - kind: principle\n>   - related: rules/quorum, rules/quorom\n",
            ),
        )
        .run(&["protocols"])
        .assert_success()
        .assert_stderr("handbook/rules.md:14: warning: `related: rules/quorom` names no protocol")
        .assert_stderr("did you mean `rules/quorum`?");
}

#[test]
fn nothing_is_written_while_a_note_has_an_error() {
    let test = project().file(
        "handbook/rules.md",
        &RULES.replace("status: adopted", "status: ratified"),
    );
    let test = test
        .run(&["protocols"])
        .assert_exit(1)
        .assert_stderr("unknown status `ratified`");
    assert!(!test.root().join("protocols").exists());
}

#[test]
fn the_site_has_protocol_boxes_the_register_code_and_constitution() {
    let test = project().run(&["protocols"]).build().assert_success();
    let test = test
        .assert_page(
            "rules.html",
            &[
                "<li class=\"protocol\" id=\"rules/one-vote-each\"><p class=\"protocol-head\"><a class=\"protocol-title\" href=\"#rules/one-vote-each\">One vote each</a> <span class=\"badge status-adopted\">adopted</span> <span class=\"badge kind-principle\">principle</span>",
                "Protocols to be derived from this section",
            ],
        )
        .assert_page(
            "protocols.html",
            &[
                "<h2 id=\"chapter-governance\">Governance",
                "<h3 id=\"rules/quorum\">Quorum",
                "<a href=\"rules.html#quorum\">source: Rules › Quorum</a>",
                "<h2 id=\"hb-to-derive\">",
                "<a href=\"rules.html#appeals\">Rules › Appeals</a>",
            ],
        )
        .assert_page("code-of-practice.html", &["<h2 id=\"every\">In every space", "<strong>Quorum</strong> (protocol)"])
        .refute_page("code-of-practice.html", &["One vote each"])
        .assert_page("constitution.html", &["<ol>\n<li><strong>One vote each</strong>"]);
    let json: serde_json::Value =
        serde_json::from_str(&test.site_file("protocols.json")).expect("json");
    assert_eq!(json["protocols"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["protocols"][0]["id"], "rules/quorum");
}

#[test]
fn a_protocol_id_that_is_a_heading_id_leaves_the_anchor_to_the_heading() {
    let rules = RULES.replace(
        "> - **Quorum** — A third of members must take part.\n",
        "> - **Q** — A third.\n>   - id: quorum\n",
    );
    project()
        .file("handbook/rules.md", &rules)
        .file("handbook/README.md", "# Home\n\nSee [one vote](rules.md#rules/one-vote-each) and [quorum](rules.md#quorum).\n")
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page("rules.html", &["<h2 id=\"quorum\">", "<li class=\"protocol\"><p class=\"protocol-head\"><a class=\"protocol-title\" href=\"#quorum\">Q</a>"]);
}

#[test]
fn links_to_a_missing_protocol_anchor_are_broken() {
    project()
        .run(&["protocols"])
        .file("handbook/README.md", "# Home\n\n[x](rules.md#rules/nope)\n")
        .build()
        .assert_exit(1)
        .assert_stderr("`#rules/nope` is not a heading on `rules.md`");
}

/// A page in a folder whose protocol links a page beside it, an anchor of
/// its own, an image and a page one folder up.
fn project_with_a_page_in_a_folder(statement: &str) -> HandbookTest {
    let page = format!(
        "# Rooms\n\n## Booking\n\n> Note: Derive protocols\n> - **Book ahead** — {statement}\n>   - status: adopted\n>   - kind: principle\n"
    );
    HandbookTest::empty()
        .file("handbook.yaml", "title: Coop\n")
        .file(
            "handbook/SUMMARY.md",
            "- [Home](README.md)\n- [Spaces](spaces/README.md)\n  - [Rooms](spaces/rooms.md)\n",
        )
        .file("handbook/README.md", "# Home\n")
        .file("handbook/spaces/README.md", "# Spaces\n")
        .file("handbook/spaces/rooms.md", &page)
        .file("handbook/spaces/map.png", "png")
}

#[test]
fn a_statement_s_links_point_from_the_generated_pages_where_they_pointed() {
    let statement = "Ask in [the spaces](README.md), see [booking](#booking), ![map](map.png) and [home](../README.md).";
    let links = "<a href=\"spaces/index.html\">the spaces</a>, see <a href=\"spaces/rooms.html#booking\">booking</a>, <img src=\"spaces/map.png\" alt=\"map\" loading=\"lazy\"> and <a href=\"index.html\">home</a>";
    project_with_a_page_in_a_folder(statement)
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page("protocols.html", &[links])
        .assert_page("constitution.html", &[links])
        .assert_page(
            "spaces/rooms.html",
            &["<a href=\"index.html\">the spaces</a>"],
        );
}

#[test]
fn a_broken_link_in_a_statement_is_reported_once_at_its_page() {
    let test = project_with_a_page_in_a_folder("Ask in [the hall](hall.md).")
        .run(&["protocols"])
        .build()
        .assert_exit(1)
        .assert_stderr("handbook/spaces/rooms.md:6:29: error: link to `hall.md`: no such page");
    let stderr = test.stderr();
    assert_eq!(stderr.matches(": error:").count(), 1, "{stderr}");
    assert!(!stderr.contains("(generated)"), "{stderr}");
}

#[test]
fn chapters_of_one_title_have_their_own_anchors_in_the_register() {
    let note =
        |n: u32| format!("# P{n}\n\n> Note: Derive protocols\n> - **Rule {n}** — Keep rule {n}.\n");
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: Coop\n")
        .file(
            "handbook/SUMMARY.md",
            "## Overview\n\n- [P1](p1.md)\n\n## Rules\n\n- [P2](p2.md)\n\n## Overview\n\n- [P3](p3.md)\n",
        )
        .file("handbook/p1.md", &note(1))
        .file("handbook/p2.md", &note(2))
        .file("handbook/p3.md", &note(3))
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page(
            "protocols.html",
            &[
                "<h2 id=\"chapter-overview\">Overview",
                "<h2 id=\"chapter-rules\">Rules",
                "<h2 id=\"chapter-overview-1\">Overview",
            ],
        );
    let stderr = test.stderr();
    assert!(!stderr.contains("used twice"), "{stderr}");
}

#[test]
fn whom_written_two_ways_has_two_anchors_in_the_code_of_practice() {
    let page = "# A\n\n> Note: Derive protocols\n> - **R1** — One.\n>   - status: adopted\n>   - applies-to: circles\n> - **R2** — Two.\n>   - status: adopted\n>   - applies-to: Circles\n";
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: Coop\n")
        .file("handbook/README.md", page)
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page(
            "code-of-practice.html",
            &[
                "<h3 id=\"every-for-circles\">For Circles",
                "<h3 id=\"every-for-circles-1\">For circles",
            ],
        );
    let stderr = test.stderr();
    assert!(!stderr.contains("used twice"), "{stderr}");
}

#[test]
fn a_protocol_id_used_twice_is_said_once_at_the_second_note() {
    let page = "# A\n\n> Note: Derive protocols\n> - **Rule**: One.\n> - **Rule**: Two.\n";
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: Coop\n")
        .file("handbook/README.md", page)
        .build()
        .assert_exit(1)
        .assert_stderr(
            "handbook/README.md:5:3: error: protocol id `home/rule` is also used at handbook/README.md:4",
        );
    let stderr = test.stderr();
    assert!(!stderr.contains("(generated)"), "{stderr}");
}

#[test]
fn the_example_protocols_are_in_sync_and_snapshotted() {
    HandbookTest::example()
        .run(&["protocols", "--check"])
        .assert_success();
    let files = tree(&repo_root().join("protocols"));
    let all: String = files
        .iter()
        .map(|(path, bytes)| format!("=== {path}\n{}", String::from_utf8_lossy(bytes)))
        .collect();
    insta::assert_snapshot!("example_protocols", all);
}

#[test]
fn a_page_of_the_editor_s_own_at_a_generated_path_is_theirs_without_notes() {
    HandbookTest::fixture("valid/unlisted-page")
        .file(
            "handbook/SUMMARY.md",
            "- [Home](README.md)\n- [Constitution](constitution.md)\n- [Orphan](orphan.md)\n",
        )
        .file(
            "handbook/constitution.md",
            "# Our constitution\n\nWritten by hand.\n",
        )
        .build()
        .assert_success()
        .assert_page("constitution.html", &["Written by hand."]);
    project()
        .file("handbook/constitution.md", "# Ours\n")
        .run(&["protocols"])
        .build()
        .assert_exit(1)
        .assert_stderr("handbook/constitution.md: error: the build generates the page \"Constitution\" at `constitution.md`, where this page is")
        .assert_stderr("another `path:` under `protocols: constitution:` in handbook.yaml");
    // Placed there by the configuration: the error is at that key.
    project()
        .file(
            "handbook.yaml",
            "title: Coop\nprotocols:\n  register:\n    path: rules.md\n",
        )
        .run(&["protocols"])
        .build()
        .assert_exit(1)
        .assert_stderr("handbook.yaml:4:11: error: `protocols: register: path: rules.md` puts the generated page \"Protocols\" where the page handbook/rules.md is");
}

#[test]
fn note_items_in_odd_shapes() {
    let rules = "# Rules\n\n## Duties\n\n> Note: Derive protocols\n>\n> - **Members** must attend the assembly.\n> - **Quorum:** A third of members.\n> - **Two parts** — First paragraph.\n>\n>   Second paragraph.\n";
    let test = project()
        .file("handbook/rules.md", rules)
        .run(&["protocols"])
        .assert_success();
    let file = protocols_file(&test, "rules.yaml");
    assert!(file.contains("- id: rules/members-must-attend-the-assembly\n  statement: \"**Members** must attend the assembly.\""), "{file}");
    assert!(
        file.contains("- id: rules/quorum\n  title: Quorum\n  statement: A third of members.\n"),
        "{file}"
    );
    assert!(
        file.contains("statement: |-\n    First paragraph.\n\n    Second paragraph.\n"),
        "{file}"
    );
}

#[test]
fn a_note_with_only_text_is_still_to_derive() {
    project()
        .file("handbook/rules.md", "# Rules\n\n> Note: Derive protocols\n> We will write these after the assembly.\n")
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page("rules.html", &["Protocols to be derived from this section</p>\n<p>We will write these after the assembly.</p>"]);
}

#[test]
fn protocols_is_not_stopped_by_problems_on_pages_without_notes() {
    project()
        .file("handbook/README.md", "---\ntitel: Home\n---\n# Home\n")
        .run(&["protocols"])
        .assert_success()
        .assert_stderr("protocols/: 2 file(s) written");
}

#[test]
fn text_over_several_lines_stays_on_one_line_in_the_generated_pages() {
    // A title, a space and an adoption written over two lines: each generated
    // page still has the entry's heading with its anchor, and nothing breaks.
    let rules = "# Rules\n\n## Fair use\n\n> `Note: Derive protocols`\n>\n> - **Fair share\n>   of rooms** — No member books more\n>   than two rooms.\n>   - status: adopted\n>   - adopted: 2023-03-01 General\n>     Assembly\n";
    let test = project()
        .file("handbook/rules.md", rules)
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page(
            "protocols.html",
            &["<h3 id=\"rules/fair-share-of-rooms\">Fair share of rooms<"],
        )
        .assert_page(
            "code-of-practice.html",
            &["<strong>Fair share of rooms</strong>"],
        );
    assert!(!test.stderr().contains("error:"), "{}", test.stderr());
}

/// The generated pages are titled as SUMMARY.md lists them, everywhere a
/// title shows, and offer no "Edit this page": there is no file to edit.
#[test]
fn generated_pages_take_summarys_titles_and_have_nothing_to_edit() {
    let test = HandbookTest::example().build().assert_success();
    let pages = [
        ("protocols.html", "Register of protocols"),
        ("code-of-practice.html", "Code of practice"),
        ("constitution.html", "Constitution"),
        ("spaces.html", "Directory of spaces"),
        ("changes.html", "Changes since the trial edition"),
    ];
    let search: String = tree(&test.root().join("site/latest/search/d"))
        .into_iter()
        .map(|(_, bytes)| String::from_utf8(bytes).expect("search data is UTF-8"))
        .collect();
    for (page, title) in pages {
        let html = test.site_file(&format!("latest/{page}"));
        let head = format!("<title>{title} · meet.coop handbook</title>");
        assert!(html.contains(&head), "{page}: no {head}");
        let h1 = html
            .split("<h1")
            .nth(1)
            .and_then(|h| h.split("</h1>").next());
        assert!(
            h1.is_some_and(|h| h.ends_with(&format!(">{title}"))),
            "{page}: h1 {h1:?}"
        );
        let crumb = format!("<span aria-current=\"page\">{title}</span>");
        assert!(html.contains(&crumb), "{page}: no breadcrumb {crumb}");
        assert!(!html.contains("Edit this page"), "{page} offers an edit");
        assert!(
            search.contains(&format!("\"t\":\"{title}\"")),
            "search lacks {title:?}"
        );
    }
    // An editor's page keeps its edit link.
    let own = test.site_file("latest/contributing.html");
    assert!(own.contains("Edit this page"));
}
