//! Never-panics properties: whatever text an editor (or a broken export)
//! puts in a page, a SUMMARY, front matter or a link, the stages give values
//! and diagnostics, never a panic.

use handbook::load::SourcePage;
use handbook::parse::{Options, parse_page};
use proptest::prelude::*;

/// Text made of the pieces that steer the parsers, in any order.
fn handbook_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "# ",
        "## ",
        "> ",
        "- ",
        "  ",
        "* ",
        "1. ",
        "**",
        "`",
        "```",
        "\n",
        "\n\n",
        "[",
        "](",
        ")",
        "#",
        "{#x}",
        "Note: Derive protocols",
        "status: adopted",
        "id: x",
        "---\n",
        "{% hint %}",
        "{% endhint %}",
        "{% tabs %}",
        "{% tab title=\"a\" %}",
        "xxx",
        "[^1]",
        "[^1]: n",
        "<img src=\"a.png\">",
        "../",
        "README.md",
        "a.md",
        "\u{0}",
        "\u{FEFF}",
        "é",
        "|",
        "|---|",
        "&#x20;",
        "Updated: 19jul2021",
        "<!--",
        "-->",
    ]);
    prop::collection::vec(pieces, 0..80).prop_map(|parts| parts.concat())
}

fn page(text: String) -> SourcePage {
    SourcePage {
        path: "a/b.md".into(),
        file: "handbook/a/b.md".into(),
        text,
        summary_title: None,
        listed: true,
        includes: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_page_parses(text in handbook_text()) {
        let legacy = vec!["https://old.example/trial/".to_string()];
        let (parsed, _) = parse_page(&page(text), Options { legacy: &legacy, highlight: false, spaces: &[], highlights: None, markdown: &Default::default() });
        // Every slot in the body names a link that exists.
        let body = parsed.body.markup().unwrap().fill(|_| "");
        prop_assert!(!body.contains(char::from(0)), "a marker leaked into the body");
    }

    #[test]
    fn any_bytes_parse_as_a_page(text in "\\PC{0,400}") {
        let (_, _) = parse_page(&page(text), Options { legacy: &[], highlight: true, spaces: &[], highlights: None, markdown: &Default::default() });
    }

    #[test]
    fn any_summary_parses(text in handbook_text()) {
        let pages = ["README.md", "a.md"].iter().map(|s| s.to_string()).collect();
        let (_, problems) = handbook::load::summary::parse(&text, "SUMMARY.md", &pages);
        prop_assert!(problems.iter().all(|p| p.line as usize <= text.lines().count() + 1));
    }

    #[test]
    fn any_link_target_parses(raw in "\\PC{0,60}") {
        let _ = handbook::parse::link::parse_target(&raw, "a/b/c.md", &["https://old.example/x/".to_string()]);
    }

    #[test]
    fn any_front_matter_reads(yaml in "\\PC{0,200}") {
        let (_, _) = handbook::parse::front_matter::parse(&yaml, 2, "a.md");
    }
}
