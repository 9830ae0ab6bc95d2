//! Spaces end to end: the three link forms render with the space's URL,
//! class and tooltip; plain links under a space's URL are recognised; front
//! matter `spaces:` gives a "Where this happens" block; the Spaces page lists
//! each space by kind with its backlinks and protocols; `spaces.json` too.

use crate::harness::HandbookTest;

const CONFIG: &str = "title: Coop\nspaces:\n  - id: forum\n    title: The forum\n    kind: media\n    url: https://forum.example\n    access: https://forum.example/signup\n    open-to: public\n  - id: assembly\n    title: General assembly\n    kind: venue\n    url: https://rooms.example/assembly\n    schedule: Every March\n  - id: rooms\n    title: Video rooms\n    kind: platform\n    url: https://rooms.example\n";

fn project() -> HandbookTest {
    HandbookTest::empty()
        .file("handbook.yaml", CONFIG)
        .file("handbook/SUMMARY.md", "- [Home](README.md)\n- [Meetings](meetings.md)\n")
        .file(
            "handbook/README.md",
            "# Home\n\nAsk on [the forum](space:forum), read [a thread](space:forum/t/handbook-trial/763), [sign up](space:forum?join \"Join us\"), or see [this post](https://forum.example/t/9).\n",
        )
        .file(
            "handbook/meetings.md",
            "---\nspaces: [assembly, rooms]\n---\n# Meetings\n\n> Note: Derive protocols\n>\n> - **Agenda first** — The agenda is posted a week ahead.\n>   - space: assembly\n>   - status: adopted\n",
        )
}

#[test]
fn the_three_link_forms_and_recognised_urls() {
    project().run(&["protocols"]).build().assert_success().assert_page(
        "index.html",
        &[
            "<a href=\"https://forum.example\" class=\"space space-media\" title=\"The forum\" rel=\"noopener\">the forum</a>",
            "<a href=\"https://forum.example/t/handbook-trial/763\" class=\"space space-media\" title=\"The forum\" rel=\"noopener\">a thread</a>",
            "<a href=\"https://forum.example/signup\" class=\"space space-media\" rel=\"noopener\" title=\"Join us\">sign up</a>",
            "<a href=\"https://forum.example/t/9\" class=\"space space-media\" title=\"The forum\" rel=\"noopener\">this post</a>",
        ],
    );
}

#[test]
fn front_matter_spaces_say_where_this_happens() {
    project().run(&["protocols"]).build().assert_success().assert_page(
        "meetings.html",
        &[
            "<h2 id=\"hb-where-label\">Where this happens</h2>",
            "<a class=\"space-name\" href=\"https://rooms.example/assembly\" rel=\"noopener\">General assembly</a> <span class=\"badge\">venue</span> <span class=\"space-when\">Every March</span>",
            "<a class=\"space-name\" href=\"https://rooms.example\" rel=\"noopener\">Video rooms</a>",
        ],
    );
}

#[test]
fn the_spaces_page_lists_kinds_backlinks_and_protocols() {
    let test = project().run(&["protocols"]).build().assert_success();
    let test = test.assert_page(
        "spaces.html",
        &[
            "<h2 id=\"hb-kind-platform\">Platform spaces",
            "<h3 id=\"forum\">The forum",
            "Open to everyone",
            "<a href=\"https://forum.example/signup\"",
            "<strong>Linked from:</strong> <a href=\"index.html\">Home</a></p>",
            "<h3 id=\"assembly\">General assembly",
            "<strong>When:</strong> Every March",
            "<strong>Linked from:</strong> <a href=\"meetings.html\">Meetings</a></p>",
            "<strong>Protocols:</strong> <a href=\"protocols.html#meetings/agenda-first\">Agenda first</a>",
        ],
    );
    // The platform section comes first, the venues last.
    let html = test.site_file("spaces.html");
    assert!(
        html.find("kind-platform") < html.find("kind-media")
            && html.find("kind-media") < html.find("kind-venue")
    );
    let test = test.assert_page("index.html", &["<a href=\"spaces.html\">Spaces</a>"]);
    let json: serde_json::Value =
        serde_json::from_str(&test.site_file("spaces.json")).expect("json");
    assert_eq!(json["spaces"][0]["id"], "forum");
    assert_eq!(
        json["spaces"][0]["pages"],
        serde_json::json!(["index.html"])
    );
    assert_eq!(json["spaces"][1]["open-to"], "members");
    assert_eq!(
        json["spaces"][1]["protocols"],
        serde_json::json!(["meetings/agenda-first"])
    );
}

#[test]
fn protocols_in_a_space_are_checked_and_grouped_by_its_kind() {
    let test = project().run(&["protocols"]).build().assert_success();
    test.assert_page(
        "code-of-practice.html",
        &[
            "<h2 id=\"venue\">In venue spaces",
            "<strong>Agenda first</strong>",
        ],
    );
    project()
        .file(
            "handbook/meetings.md",
            "# Meetings\n\n> Note: Derive protocols\n>\n> - **X** — Y.\n>   - space: asembly\n",
        )
        .run(&["protocols"])
        .assert_exit(1)
        .assert_stderr("handbook/meetings.md:6:5: error: unknown space `asembly`\n")
        .assert_stderr("did you mean `assembly`?");
}

#[test]
fn a_handbook_without_spaces_has_no_spaces_page() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .build()
        .assert_success();
    assert!(!test.root().join("site/spaces.html").exists());
    assert_eq!(test.site_file("spaces.json"), "{\n  \"spaces\": []\n}\n");
}

#[test]
fn space_link_forms_that_cannot_work_are_errors() {
    project()
        .file("handbook/README.md", "# Home\n\n[a](space:forum/t/1?join) [b](space:) [c](space:rooms?join)\n")
        .build()
        .assert_exit(1)
        .assert_stderr("handbook/README.md:3:1: error: `space:forum?join` is the access link; it takes no path")
        .assert_stderr("handbook/README.md:3:27: error: a space link needs a space id")
        .assert_stderr("handbook/README.md:3:39: error: space `rooms` has no access link");
}

#[test]
fn paths_go_before_a_space_url_s_query_and_join_is_any_case() {
    project()
        .file(
            "handbook.yaml",
            &CONFIG.replace(
                "url: https://rooms.example\n",
                "url: https://rooms.example/r?id=3\n",
            ),
        )
        .file(
            "handbook/README.md",
            "# Home\n\n[room](space:rooms/x) [join](space:forum?JOIN)\n",
        )
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page(
            "index.html",
            &[
                "href=\"https://rooms.example/r/x?id=3\"",
                "href=\"https://forum.example/signup\"",
            ],
        );
}

#[test]
fn access_links_on_the_spaces_page_belong_to_their_space() {
    let extra = "  - id: cloud\n    title: Cloud\n    kind: platform\n    url: https://cloud.example\n    access: https://forum.example/t/cloud-accounts\n";
    project()
        .file("handbook.yaml", &format!("{CONFIG}{extra}"))
        .run(&["protocols"])
        .build()
        .assert_success()
        .assert_page(
            "spaces.html",
            &["<a href=\"https://forum.example/t/cloud-accounts\" class=\"space space-platform\" title=\"Cloud\" rel=\"noopener\">Get access</a>"],
        );
}
