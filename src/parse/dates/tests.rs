//! Tests of the status and "Updated" line grammar: every form of the page
//! header GitBook exports, as a table, rejects included.

use super::*;

fn date(year: u16, month: u8, day: u8) -> Option<Date> {
    Some(Date { year, month, day })
}

fn meta(updated: Option<Date>, status: Option<&str>) -> Option<MetaLine> {
    Some(MetaLine {
        updated,
        status: status.map(str::to_string),
    })
}

#[test]
fn reads_updated_with_colon() {
    assert_eq!(
        parse_meta_line("Updated: 19jul2021"),
        meta(date(2021, 7, 19), None)
    );
}

#[test]
fn reads_updated_without_colon() {
    assert_eq!(
        parse_meta_line("Updated 2021 12 07"),
        meta(date(2021, 12, 7), None)
    );
    assert_eq!(
        parse_meta_line("updated 19 July 2021."),
        meta(date(2021, 7, 19), None)
    );
}

#[test]
fn text_before_updated_is_the_status() {
    assert_eq!(
        parse_meta_line("Work in progress. Updated: 2021 10 12"),
        meta(date(2021, 10, 12), Some("Work in progress"))
    );
    assert_eq!(
        parse_meta_line("Draft -- UPDATED 2021-10-12"),
        meta(date(2021, 10, 12), Some("Draft"))
    );
}

#[test]
fn last_updated_is_not_a_status() {
    assert_eq!(
        parse_meta_line("Last updated: 2021-10-12"),
        meta(date(2021, 10, 12), None)
    );
    assert_eq!(
        parse_meta_line("Work in progress, last updated 2021-10-12"),
        meta(date(2021, 10, 12), Some("Work in progress"))
    );
}

#[test]
fn updated_needs_a_date() {
    assert_eq!(parse_meta_line("Updated: soon"), None);
    assert_eq!(parse_meta_line("Updated: 2021-10-12 by Ann"), None);
    assert_eq!(parse_meta_line("Outdated 2021-10-12"), None);
}

#[test]
fn updated_may_span_lines() {
    assert_eq!(
        parse_meta_line("Work in progress.\nUpdated:\n2021 10 12"),
        meta(date(2021, 10, 12), Some("Work in progress"))
    );
}

#[test]
fn reads_status_only_lines() {
    let cases = [
        ("Placeholder: to be expanded", "Placeholder: to be expanded"),
        (
            "This topic is incomplete and needs contributions.",
            "This topic is incomplete and needs contributions",
        ),
        ("To be added", "To be added"),
        ("to be expanded.", "to be expanded"),
        ("Work in progress", "Work in progress"),
        ("Draft: needs review", "Draft: needs review"),
        ("Stub.", "Stub"),
    ];
    for (text, status) in cases {
        assert_eq!(parse_meta_line(text), meta(None, Some(status)), "{text:?}");
    }
}

#[test]
fn status_prefix_must_be_a_whole_word() {
    assert_eq!(parse_meta_line("Stubborn problems need care."), None);
    assert_eq!(parse_meta_line("Drafting is a skill."), None);
}

#[test]
fn status_whitespace_is_collapsed() {
    assert_eq!(
        parse_meta_line("Placeholder:\nto  be expanded"),
        meta(None, Some("Placeholder: to be expanded"))
    );
}

#[test]
fn ordinary_quotes_are_not_metadata() {
    assert_eq!(parse_meta_line("`Note: Derive protocols`"), None);
    assert_eq!(parse_meta_line("Be the change you want to see."), None);
    assert_eq!(parse_meta_line(""), None);
}

#[test]
fn long_text_is_not_metadata() {
    let long = format!("Work in progress. {} Updated: 2021-10-12", "x".repeat(150));
    assert_eq!(parse_meta_line(&long), None);
    let short = format!("Work in progress {}", "x".repeat(140));
    assert!(parse_meta_line(&short).is_some());
}

/// The page header grammar as the README states it, one row per form:
/// the text, then `Some((date, status))` it gives, or `None` (a reject).
#[allow(clippy::type_complexity)]
const GRAMMAR: &[(&str, Option<(Option<&str>, Option<&str>)>)] = &[
    // Updated lines, every date form.
    ("Updated: 19jul2021", Some((Some("2021-07-19"), None))),
    ("Updated 19 jul 2021", Some((Some("2021-07-19"), None))),
    ("Updated: 19 July 2021.", Some((Some("2021-07-19"), None))),
    ("Updated: 5sept2021", Some((Some("2021-09-05"), None))),
    ("Updated 10dec21", Some((Some("2021-12-10"), None))),
    ("Updated: 10 Dec 21", Some((Some("2021-12-10"), None))),
    ("Updated 2021 10 11", Some((Some("2021-10-11"), None))),
    ("Updated: 2021-10-11", Some((Some("2021-10-11"), None))),
    ("Updated: 2021/10/11", Some((Some("2021-10-11"), None))),
    ("Updated : 07dec2021", Some((Some("2021-12-07"), None))),
    ("UPDATED:07dec2021", Some((Some("2021-12-07"), None))),
    (
        "Updated on 7 December 2021",
        Some((Some("2021-12-07"), None)),
    ),
    ("Last updated: 2021-10-12", Some((Some("2021-10-12"), None))),
    ("Updated: 10dec21 xxx", Some((Some("2021-12-10"), None))),
    // A status before the date.
    (
        "Work in progress. Updated: 2021 10 12",
        Some((Some("2021-10-12"), Some("Work in progress"))),
    ),
    (
        "Draft - updated 10dec21",
        Some((Some("2021-12-10"), Some("Draft"))),
    ),
    // Status lines: the first words name a status.
    (
        "Incomplete - To be extended xxx",
        Some((None, Some("Incomplete - To be extended"))),
    ),
    (
        "Incomplete topic, to be expanded xxx",
        Some((None, Some("Incomplete topic, to be expanded"))),
    ),
    (
        "Placeholder: to be expanded",
        Some((None, Some("Placeholder: to be expanded"))),
    ),
    ("To be added", Some((None, Some("To be added")))),
    ("To be written.", Some((None, Some("To be written")))),
    ("Work in progress", Some((None, Some("Work in progress")))),
    ("Draft", Some((None, Some("Draft")))),
    ("WIP", Some((None, Some("WIP")))),
    ("xxx Stub", Some((None, Some("Stub")))),
    (
        "This topic is incomplete and needs contributions.",
        Some((
            None,
            Some("This topic is incomplete and needs contributions"),
        )),
    ),
    (
        "This page is a draft",
        Some((None, Some("This page is a draft"))),
    ),
    // Both, one per line (no bare `>` between them), either order.
    (
        "Updated: 19jul2021\nIncomplete - To be extended xxx",
        Some((Some("2021-07-19"), Some("Incomplete - To be extended"))),
    ),
    (
        "To be added\nUpdated 10dec21",
        Some((Some("2021-12-10"), Some("To be added"))),
    ),
    // Rejects.
    ("Updated: soon", None),
    ("Updated: 2021-10-12 by Ann", None),
    ("Updated 19/07/2021", None),
    ("Outdated 2021-10-12", None),
    ("Drafting is a skill.", None),
    ("Stubborn problems need care.", None),
    ("To be or not to be", None),
    ("To be honest, this works.", None),
    ("This person is incomplete", None),
    ("Be the change you want to see.", None),
    ("Updated: 19jul2021\nThe rest is prose.", None),
    ("xxx", None),
    ("", None),
];

#[test]
fn the_header_grammar_table() {
    for (text, expected) in GRAMMAR {
        let got = parse_meta_line(text).map(|m| (m.updated.map(|d| d.iso()), m.status));
        let expected =
            expected.map(|(date, status)| (date.map(str::to_string), status.map(str::to_string)));
        assert_eq!(got, expected, "{text:?}");
    }
}
