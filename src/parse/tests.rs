//! Unit tests of the parse stage: one page's text in, a [`Page`] out.

use super::*;

fn source(path: &str, text: &str) -> SourcePage {
    SourcePage {
        path: path.into(),
        file: format!("handbook/{path}"),
        text: text.into(),
        summary_title: Some("From summary".into()),
        listed: true,
        includes: Default::default(),
    }
}

fn parse(text: &str) -> (Page, Vec<Diagnostic>) {
    let legacy = vec!["https://old.example/trial/".to_string()];
    let spaces = vec![("forum".to_string(), "https://forum.example".to_string())];
    parse_page(
        &source("a/page.md", text),
        Options {
            legacy: &legacy,
            highlight: true,
            spaces: &spaces,
            highlights: Default::default(),
            markdown: &crate::config::Markdown::default(),
        },
    )
}

fn html(page: &Page) -> String {
    page.body.here_markup().unwrap().fill(|slot| match slot {
        Slot::Href(_) => "HREF",
        Slot::Title(_) => "TITLE",
        Slot::Attrs(_) => "",
        Slot::Element(_) => "ELEMENT",
    })
}

#[test]
fn title_comes_from_front_matter_then_h1_then_summary() {
    assert_eq!(
        parse("---\ntitle: Front\n---\n# Heading\n").0.title,
        "Front"
    );
    assert_eq!(parse("# Heading\n").0.title, "Heading");
    let (page, _) = parse("No heading.\n");
    assert_eq!((page.title.as_str(), page.has_h1), ("From summary", false));
}

#[test]
fn updated_line_becomes_the_date_and_is_not_content() {
    let (page, problems) = parse("# T\n\n> Updated: 19jul2021\n\nText.\n");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(page.updated.map(|d| d.iso()).as_deref(), Some("2021-07-19"));
    assert!(!html(&page).contains("Updated"), "{}", html(&page));
}

#[test]
fn front_matter_date_beats_the_updated_line() {
    let (page, _) = parse("---\nupdated: 2023-03-14\n---\n# T\n\n> Updated 2021 12 07\n");
    assert_eq!(page.updated.map(|d| d.iso()).as_deref(), Some("2023-03-14"));
}

#[test]
fn status_lines_become_the_page_status() {
    let (page, _) = parse("# T\n\n> Placeholder: to be expanded\n");
    assert_eq!(page.status.as_deref(), Some("Placeholder: to be expanded"));
    let (page, _) = parse("# T\n\n> Work in progress. Updated: 2021 10 12\n");
    assert_eq!(page.status.as_deref(), Some("Work in progress"));
    assert_eq!(page.updated.map(|d| d.iso()).as_deref(), Some("2021-10-12"));
}

#[test]
fn ordinary_quotes_stay_quotes() {
    let (page, _) = parse("> Commoning is a practice.\n");
    assert!(html(&page).contains("<blockquote>"), "{}", html(&page));
    assert_eq!(page.status, None);
}

#[test]
fn headings_get_unique_ids_and_custom_ids_are_honoured() {
    let (page, _) = parse("# Title\n\n## Quorum and voting {#quorum}\n\n## Notes\n\n## Notes\n");
    let ids: Vec<&str> = page.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["title", "quorum", "notes", "notes-1"]);
    assert!(html(&page).contains(
        "<h2 id=\"quorum\">Quorum and voting<a class=\"heading-anchor\" href=\"#quorum\""
    ));
}

#[test]
fn duplicate_custom_ids_are_warned() {
    let (_, problems) = parse("## A {#x}\n\n## B {#x}\n");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
}

#[test]
fn links_are_parsed_once_with_their_place() {
    let (page, _) = parse("# T\n\nSee [the assembly](../b/ga.md#quorum) and [x](https://e.org).\n");
    assert_eq!(page.links.len(), 1, "external links are not slots");
    let link = &page.links[0];
    assert_eq!(
        link.target,
        LinkTarget::Page {
            path: "b/ga.md".into(),
            fallback: None,
            anchor: Some("quorum".into())
        }
    );
    assert_eq!((link.line, link.column), (3, 5));
    assert!(html(&page).contains("<a href=\"HREF\">the assembly</a>"));
    assert!(html(&page).contains("<a href=\"https://e.org\" rel=\"noopener\">x</a>"));
}

#[test]
fn link_positions_survive_front_matter() {
    let (page, _) = parse("---\ntitle: T\n---\n\n[x](y.md)\n");
    assert_eq!((page.links[0].line, page.links[0].column), (5, 1));
}

#[test]
fn a_link_whose_text_is_its_target_shows_the_target_title() {
    let (page, _) =
        parse("{% content-ref url=\"ga.md\" %}\n[ga.md](ga.md)\n{% endcontent-ref %}\n");
    assert!(page.links[0].auto_title);
    assert!(
        html(&page).contains("<div class=\"content-ref\">"),
        "{}",
        html(&page)
    );
    assert!(
        html(&page).contains("<a href=\"HREF\">TITLE</a>"),
        "{}",
        html(&page)
    );
}

#[test]
fn images_are_slots_with_escaped_alt_text() {
    let (page, _) = parse("![A &amp; \"B\"](../images/x.svg)\n");
    assert_eq!(
        page.links[0].target,
        LinkTarget::Asset("images/x.svg".into())
    );
    assert!(
        html(&page).contains("<img src=\"HREF\" alt=\"A &amp; &quot;B&quot;\" loading=\"lazy\">")
    );
}

#[test]
fn github_alerts_and_gitbook_hints_become_admonitions() {
    let (page, _) = parse(
        "> [!WARNING]\n> Mind the gap.\n\n{% hint style=\"success\" %}\nWell done.\n{% endhint %}\n",
    );
    let body = html(&page);
    assert!(body.contains("<aside class=\"admonition warning\" role=\"note\"><p class=\"admonition-title\">Warning</p>"));
    assert!(body.contains("<aside class=\"admonition tip\""), "{body}");
    assert!(body.contains("<p>Well done.</p>"), "{body}");
}

#[test]
fn embeds_are_link_cards_not_iframes() {
    let (page, _) = parse("{% embed url=\"https://video.example/v/1\" %}\n");
    let body = html(&page);
    assert!(
        body.contains(
            "<div class=\"embed-card\"><a href=\"https://video.example/v/1\" rel=\"noopener\">"
        ),
        "{body}"
    );
    assert!(!body.contains("iframe"));
}

#[test]
fn tabs_read_without_javascript() {
    let text = "{% tabs %}\n{% tab title=\"One\" %}\nFirst *tab*.\n{% endtab %}\n{% tab title=\"Two\" %}\nSecond.\n{% endtab %}\n{% endtabs %}\n";
    let body = html(&parse(text).0);
    assert!(body.contains("<div class=\"tabs\">"), "{body}");
    assert!(body.contains("<p class=\"tab-title\">One</p>"), "{body}");
    assert!(body.contains("<p>First <em>tab</em>.</p>"), "{body}");
}

#[test]
fn unsupported_gitbook_blocks_are_warned_at_their_line() {
    let (_, problems) = parse("# T\n\n{% swagger src=\"x\" %}\n");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
    assert_eq!(problems[0].severity, crate::diagnostic::Severity::Warning);
}

#[test]
fn the_agent_instructions_footer_is_dropped() {
    let text =
        "# T\n\nBody.\n\n---\n\n# Agent Instructions: Querying This Documentation\n\nGET x\n";
    let (page, _) = parse(text);
    assert!(!html(&page).contains("Agent"), "{}", html(&page));
    assert_eq!(page.headings.len(), 1);
}

#[test]
fn notes_belong_to_their_section_or_the_page() {
    let text = "# Page\n\n> `Note: Derive protocols`\n\n## Rooms\n\n> Note: derive protocols:\n>\n> - **Fair share** — Two rooms each.\n";
    let (page, _) = parse(text);
    assert_eq!(page.notes.len(), 2);
    assert_eq!(
        (
            page.notes[0].section.as_ref(),
            page.notes[0].bare,
            page.notes[0].line
        ),
        (None, true, 3)
    );
    let rooms = page.notes[1]
        .section
        .as_ref()
        .map(|s| (s.title.as_str(), s.anchor.as_str()));
    assert_eq!(
        (rooms, page.notes[1].bare),
        (Some(("Rooms", "rooms")), false)
    );
    let body = html(&page);
    assert!(body.contains("Protocols to be derived from this section"));
    assert!(
        body.contains("Protocols derived here</p>\n<ul class=\"protocols\">"),
        "{body}"
    );
    assert!(
        body.contains("<li class=\"protocol\" id=\"a/page/fair-share\">"),
        "{body}"
    );
    assert!(
        body.contains("<p class=\"protocol-statement\">Two rooms each.</p>"),
        "{body}"
    );
    assert!(
        !body.contains("derive protocols:"),
        "the tag line is not content: {body}"
    );
}

#[test]
fn a_note_inside_a_hint_is_a_note() {
    let text = "## Rooms\n\n{% hint style=\"info\" %}\n> Note: Derive protocols\n> - **X** — y\n>   - status: trial\n{% endhint %}\n";
    let (page, _) = parse(text);
    assert_eq!(page.notes.len(), 1, "{}", html(&page));
    let note = &page.notes[0];
    assert_eq!(
        note.section.as_ref().map(|s| s.anchor.as_str()),
        Some("rooms")
    );
    let item = &note.items[0];
    assert_eq!(
        (item.title.as_deref(), item.statement.as_str()),
        (Some("X"), "y")
    );
    assert_eq!(
        (
            item.fields[0].key.as_str(),
            item.fields[0].value.as_str(),
            item.fields[0].line
        ),
        ("status", "trial", 6)
    );
    assert!(
        !html(&page).contains("admonition"),
        "a note, not an admonition: {}",
        html(&page)
    );
}

#[test]
fn code_is_never_a_note_nor_a_todo() {
    let text = "```text\n> Note: Derive protocols\nxxx\n```\n\nInline `xxx` and `Note: Derive protocols`.\n";
    let (page, _) = parse(text);
    assert!(page.notes.is_empty());
    assert!(page.todos.is_empty());
}

#[test]
fn todo_markers_are_words_of_their_own() {
    let (page, _) = parse("# T\n\nThe quorum is xxx; XXX later; not xxxl.\n");
    assert_eq!(page.todos, [(3, 15), (3, 20)]);
}

#[test]
fn code_blocks_are_highlighted_or_escaped() {
    let body = html(&parse("```yaml\nkey: <v>\n```\n\n```plantuml\n<a>\n```\n").0);
    assert!(
        body.contains("data-lang=\"yaml\" tabindex=\"0\"><code><span class=\"hl-"),
        "{body}"
    );
    assert!(
        body.contains("data-lang=\"plantuml\" tabindex=\"0\"><code>&lt;a&gt;"),
        "{body}"
    );
}

#[test]
fn gfm_tables_footnotes_strikethrough_and_tasks() {
    let text =
        "| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1] ~~old~~\n\n- [x] done\n\n[^1]: Footnote.\n";
    let body = html(&parse(text).0);
    for expected in [
        "<table>",
        "footnote-reference",
        "<del>old</del>",
        "type=\"checkbox\"",
    ] {
        assert!(body.contains(expected), "{expected} missing: {body}");
    }
}

#[test]
fn raw_nul_cannot_forge_a_slot() {
    let (page, _) = parse("a\0 1\0 b\n");
    assert!(!html(&page).contains("HREF"));
}

#[test]
fn page_urls_are_clean_and_readmes_are_indexes() {
    assert_eq!(page_url("README.md"), "index.html");
    assert_eq!(page_url("a/README.md"), "a/index.html");
    assert_eq!(page_url("a/b.md"), "a/b.html");
    assert_eq!(page_url("NOTREADME.md"), "NOTREADME.html");
}

#[test]
fn bad_front_matter_is_reported_in_the_page_and_the_page_still_builds() {
    let (page, problems) = parse("---\ntitle: T\nhiden: true\n---\n# Body\n");
    assert_eq!(
        problems[0].headline(),
        "handbook/a/page.md:3:1: error: unknown key `hiden`"
    );
    assert_eq!(problems[0].help.as_deref(), Some("did you mean `hidden`?"));
    assert_eq!(page.title, "T", "the keys that are right still count");
}

#[test]
fn table_alignment_uses_classes_not_inline_styles() {
    let body = html(&parse("| a | b |\n|:-:|--:|\n| 1 | 2 |\n").0);
    assert!(body.contains("<th class=\"align-center\">a</th>"), "{body}");
    assert!(body.contains("<td class=\"align-right\">2</td>"), "{body}");
    assert!(!body.contains("style="), "{body}");
}

#[test]
fn raw_html_images_and_links_are_checked_links() {
    let text = "<figure><img src=\"../.gitbook/assets/image (1).png\" alt=\"\"><figcaption></figcaption></figure>\n\nSee <a href='other.md#x'>other</a> and <a href=\"https://e.org\">e</a>.\n";
    let (page, _) = parse(text);
    let targets: Vec<&LinkTarget> = page.links.iter().map(|l| &l.target).collect();
    assert_eq!(
        targets,
        [
            &LinkTarget::Hosted {
                name: "image (1).png".into(),
                path: ".gitbook/assets/image (1).png".into(),
                web: None
            },
            &LinkTarget::Page {
                path: "a/other.md".into(),
                fallback: None,
                anchor: Some("x".into())
            }
        ]
    );
    let body = html(&page);
    assert!(body.contains("<img src=\"HREF\" alt=\"\">"), "{body}");
    assert!(body.contains("<a href='HREF'>other</a>"), "{body}");
    assert!(body.contains("<a href=\"https://e.org\">e</a>"), "{body}");
    assert_eq!(page.links[0].line, 1);
}

#[test]
fn footnotes_have_their_own_ids_and_link_back() {
    let body = html(&parse("## 1\n\nText[^1] and again[^1].\n\n[^1]: The note.\n").0);
    assert!(
        body.contains(
            "<sup class=\"footnote-reference\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup>"
        ),
        "{body}"
    );
    assert!(
        body.contains("<sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup>"),
        "{body}"
    );
    assert!(
        body.contains("<div class=\"footnote-definition\" id=\"fn-1\">"),
        "{body}"
    );
    assert!(body.contains("href=\"#fnref-1\""), "{body}");
    assert_eq!(
        body.matches("id=\"1\"").count(),
        1,
        "only the heading: {body}"
    );
}

#[test]
fn status_lines_count_only_at_the_top_of_the_page() {
    let (page, _) = parse("# T\n\n## Later\n\n> To be added\n");
    assert_eq!(page.status, None);
    assert!(html(&page).contains("<blockquote>"), "{}", html(&page));
}

#[test]
fn space_links_get_an_attribute_slot_and_plain_forum_links_are_recognised() {
    let (page, _) =
        parse("[the forum](space:forum \"Ours\") and [a thread](https://forum.example/t/1).\n");
    let targets: Vec<&LinkTarget> = page.links.iter().map(|l| &l.target).collect();
    assert!(matches!(targets[0], LinkTarget::Space { id, join: false, .. } if id == "forum"));
    assert!(
        matches!(targets[1], LinkTarget::Space { id, path, .. } if id == "forum" && path == "/t/1")
    );
    assert!(page.links[0].has_title && !page.links[1].has_title);
    let body = page.body.here_markup().unwrap().fill(|slot| match slot {
        Slot::Attrs(_) => " class=\"space\"",
        _ => "X",
    });
    assert!(
        body.contains("<a href=\"X\" class=\"space\" title=\"Ours\">the forum</a>"),
        "{body}"
    );
}

#[test]
fn front_matter_spaces_keep_their_place() {
    let (page, _) = parse("---\ntitle: T\nspaces: [forum, assembly]\n---\nText.\n");
    assert_eq!(
        page.spaces,
        [
            ("forum".to_string(), 3, 10),
            ("assembly".to_string(), 3, 17)
        ]
    );
}

#[test]
fn a_section_keeps_its_bold_terms_once_each_and_its_first_paragraph() {
    let (page, _) = parse(
        "Intro with **one**, *x* and **two**.\n\nLater **one** and **three**.\n\n\
         ## Votes\n\n![](a.png)\n\nFirst **real** paragraph\nover two lines.\n\nSecond.\n",
    );
    let sections: Vec<_> = page
        .sections
        .iter()
        .map(|s| (s.anchor.as_deref(), s.terms.clone(), s.excerpt.as_deref()))
        .collect();
    assert_eq!(
        sections,
        [
            (
                None,
                vec!["one".to_string(), "two".into(), "three".into()],
                Some("Intro with one, x and two."),
            ),
            (
                Some("votes"),
                vec!["real".to_string()],
                // A paragraph with no text is not the excerpt: the next one is.
                Some("First real paragraph over two lines."),
            ),
        ]
    );
}

#[test]
fn bold_inside_bold_and_in_notes_is_recorded_as_before() {
    let (page, _) =
        parse("**outer **inner** end**\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — Half.\n");
    assert_eq!(page.sections[0].terms, ["outer inner end", "inner"]);
    assert_eq!(page.sections[0].excerpt.as_deref(), Some("outer inner end"));
}

fn header(page: &Page) -> (Option<String>, Option<&str>) {
    (page.updated.map(|d| d.iso()), page.status.as_deref())
}

#[test]
fn one_header_quote_holds_the_date_and_the_status_in_either_order() {
    let date_first = "# T\n\n> Updated: 10dec21\n>\n> Incomplete - To be extended xxx\n\nText.\n";
    let status_first = "# T\n\n> Incomplete topic, to be expanded xxx\n>\n> Updated : 07dec2021\n";
    for (text, expected) in [
        (date_first, ("2021-12-10", "Incomplete - To be extended")),
        (
            status_first,
            ("2021-12-07", "Incomplete topic, to be expanded"),
        ),
    ] {
        let (page, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        let (date, status) = expected;
        assert_eq!(header(&page), (Some(date.to_string()), Some(status)));
        let body = html(&page);
        assert!(
            !body.contains("blockquote") && !body.contains("pdated"),
            "{body}"
        );
        assert_eq!(page.todos.len(), 1, "the xxx marker is still a to-do");
    }
}

#[test]
fn a_header_quote_keeps_the_prose_after_its_lines_as_a_quote() {
    let (page, _) = parse("# T\n\n> Draft\n>\n> Comments welcome on the forum.\n");
    assert_eq!(header(&page), (None, Some("Draft")));
    let body = html(&page);
    assert!(
        body.contains("<blockquote>\n<p>Comments welcome") && !body.contains("Draft"),
        "{body}"
    );
}

#[test]
fn an_emphasised_top_paragraph_is_a_header_line() {
    for text in [
        "# T\n\n*Updated 2021 10 11*\n\nText.\n",
        "# T\n\n**Updated:** 11 Oct 2021\n\nText.\n",
        "# T\n\n_Work in progress_\n\n*Updated 11oct21*\n\nText.\n",
    ] {
        let (page, _) = parse(text);
        assert_eq!(
            header(&page).0.as_deref(),
            Some("2021-10-11"),
            "{text} {:?}",
            html(&page)
        );
        let body = html(&page);
        assert!(
            !body.contains("pdated") && body.contains("<p>Text.</p>"),
            "{body}"
        );
    }
}

#[test]
fn emphasis_after_the_text_has_begun_or_in_prose_is_kept() {
    let (page, _) = parse("# T\n\nText.\n\n*Updated 2021 10 11*\n");
    assert_eq!(header(&page), (None, None));
    assert!(html(&page).contains("<em>Updated 2021 10 11</em>"));
    let (page, _) = parse("# T\n\n*Draft* proposals need two readers.\n");
    assert_eq!(header(&page), (None, None));
    assert!(html(&page).contains("<em>Draft</em> proposals"));
    let (page, _) = parse("# T\n\n*Commoning* is a practice.\n");
    assert_eq!(header(&page), (None, None));
    assert!(html(&page).contains("<em>Commoning</em>"));
    let (page, _) = parse("- *Updated 2021 10 11*\n\n  more\n");
    assert_eq!(header(&page), (None, None));
}

#[test]
fn hosted_images_and_links_are_elements_the_links_stage_writes() {
    let (page, problems) =
        parse("![The toolstack](/files/abc123)\n\nSee [the minutes](/files/q9 \"t\").\n");
    assert!(problems.is_empty(), "{problems:?}");
    let body = page.body.here_markup().expect("in memory").clone();
    let marked = body.fill(|slot| match slot {
        Slot::Element(_) => "ELEMENT",
        _ => "OTHER",
    });
    assert!(marked.contains("<p>ELEMENT</p>"), "{marked}");
    assert!(marked.contains("See ELEMENTthe minutes</a>."), "{marked}");
    assert_eq!(page.links[0].alt.as_deref(), Some("The toolstack"));
    assert_eq!(page.links[1].alt, None);
    assert!(matches!(&page.links[0].target, LinkTarget::Hosted { name, .. } if name == "abc123"));
}

#[test]
fn a_hosted_image_inside_a_link_knows_it() {
    let (page, _) = parse("[![Logo](/files/L1)](https://meet.coop) ![Logo](/files/L1)\n");
    let nested: Vec<bool> = page.links.iter().map(|l| l.in_link).collect();
    assert_eq!(nested, [true, false]);
}

#[test]
fn a_header_quote_may_go_on_as_a_protocol_note() {
    let text = "# T\n\n> Updated: 19jul2021\n>\n> `Note: Derive protocols`\n>\n> - **Quorum** — Half the members.\n";
    let (page, problems) = parse(text);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(header(&page).0.as_deref(), Some("2021-07-19"));
    assert_eq!(page.notes.len(), 1);
    assert_eq!(page.notes[0].items.len(), 1);
    assert!(html(&page).contains("protocol-note"), "{}", html(&page));
}

/// A memo that keeps nothing.
struct Nothing;

impl highlight::Kept for Nothing {
    fn get_or_make(&self, _: &str, _: &str, make: &mut dyn FnMut() -> String) -> String {
        make()
    }
}

#[test]
fn every_option_but_the_memo_changes_a_parsed_page_s_key() {
    use crate::model::key::digest_of;
    let legacy = vec!["https://old.example/".to_string()];
    let spaces = vec![("forum".to_string(), "https://forum.example".to_string())];
    let plain = crate::config::Markdown::default();
    let smart = crate::config::Markdown {
        smart_punctuation: true,
        ..Default::default()
    };
    let math = crate::config::Markdown {
        math: crate::config::Math::Dollars,
        ..Default::default()
    };
    let hidden = crate::config::Markdown {
        hidelines: [("python".to_string(), "~".to_string())].into(),
        ..Default::default()
    };
    let base = Options {
        legacy: &[],
        highlight: true,
        spaces: &[],
        highlights: Default::default(),
        markdown: &plain,
    };
    let changed = [
        Options {
            legacy: &legacy,
            ..base
        },
        Options {
            highlight: false,
            ..base
        },
        Options {
            spaces: &spaces,
            ..base
        },
        Options {
            markdown: &smart,
            ..base
        },
        Options {
            markdown: &math,
            ..base
        },
        Options {
            markdown: &hidden,
            ..base
        },
    ];
    let key = digest_of(&base);
    for options in changed {
        assert_ne!(digest_of(&options), key, "{options:?}");
    }
    let memo = Options {
        highlights: highlight::Memo(Some(&Nothing)),
        ..base
    };
    assert_eq!(digest_of(&memo), key, "the memo is no input");
}
