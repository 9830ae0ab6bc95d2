//! Unit tests of `summary.rs`: text in, values and problems out.

use super::*;

fn pages(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

fn chapter(
    title: &str,
    path: Option<&str>,
    line: u32,
    column: u32,
    children: Vec<Chapter>,
) -> Chapter {
    Chapter {
        title: title.into(),
        path: path.map(Into::into),
        line,
        column,
        children,
        numbered: true,
    }
}

#[test]
fn parts_nesting_drafts_prefix_and_suffix() {
    let text = "# Summary\n\n* [Welcome](README.md)\n\n## 1 Principles\n\n* [Principles](p/README.md)\n  - [Spaces](p/spaces.md)\n    * [Deep](p/deep.md)\n  - [Stack]()\n\n---\n\n* [Contributing](contributing.md)\n";
    let all = pages(&[
        "README.md",
        "p/README.md",
        "p/spaces.md",
        "p/deep.md",
        "contributing.md",
    ]);
    let (summary, problems) = parse(text, "SUMMARY.md", &all);
    assert!(problems.is_empty(), "{problems:?}");
    let deep = chapter("Deep", Some("p/deep.md"), 9, 7, vec![]);
    let spaces = chapter("Spaces", Some("p/spaces.md"), 8, 5, vec![deep]);
    let principles = chapter(
        "Principles",
        Some("p/README.md"),
        7,
        3,
        vec![spaces, chapter("Stack", None, 10, 5, vec![])],
    );
    assert_eq!(
        summary.items,
        vec![
            SummaryItem::Chapter(chapter("Welcome", Some("README.md"), 3, 3, vec![])),
            SummaryItem::Part("1 Principles".into()),
            SummaryItem::Chapter(principles),
            SummaryItem::Separator,
            SummaryItem::Chapter(chapter(
                "Contributing",
                Some("contributing.md"),
                14,
                3,
                vec![]
            )),
        ]
    );
}

#[test]
fn mdbook_prefix_and_suffix_chapters_are_bare_links() {
    let text =
        "# Summary\n\n[Introduction](README.md)\n\n- [A](a.md)\n\n---\n\n[Credits](credits.md)\n";
    let (summary, problems) = parse(text, "S.md", &pages(&["README.md", "a.md", "credits.md"]));
    assert!(problems.is_empty(), "{problems:?}");
    let titles: Vec<&str> = summary
        .chapters()
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(titles, ["Introduction", "A", "Credits"]);
    assert_eq!(summary.items[2], SummaryItem::Separator);
    let numbered: Vec<bool> = summary.chapters().iter().map(|c| c.numbered).collect();
    assert_eq!(
        numbered,
        [false, true, false],
        "only list entries are numbered"
    );
}

#[test]
fn a_paragraph_with_text_besides_links_is_not_chapters() {
    let (_, problems) = parse("[A](a.md) and more\n", "S.md", &pages(&["a.md"]));
    assert_eq!(problems.len(), 1, "{problems:?}");
}

#[test]
fn comments_are_not_entries_nor_the_title() {
    let text = "<!-- made by a tool -->\n# Summary\n\n- [A](a.md)\n<!-- end -->\n";
    let (summary, problems) = parse(text, "S.md", &pages(&["a.md"]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(summary.items.len(), 1, "{:?}", summary.items);
}

#[test]
fn missing_file_is_reported_at_its_line_with_a_suggestion() {
    let (_, problems) = parse(
        "- [A](a.md)\n- [B](spaces.md)\n",
        "S.md",
        &pages(&["a.md", "space.md"]),
    );
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].headline(),
        "S.md:2:3: error: `spaces.md` does not exist"
    );
    assert_eq!(
        problems[0].help.as_deref(),
        Some("did you mean `space.md`?")
    );
}

#[test]
fn a_page_listed_twice_names_the_first_line() {
    let (_, problems) = parse(
        "- [A](a.md)\n- [Again](./a.md)\n",
        "S.md",
        &pages(&["a.md"]),
    );
    assert_eq!(
        problems[0].headline(),
        "S.md:2:3: error: `a.md` is listed twice (first at line 1)"
    );
}

#[test]
fn targets_outside_the_source_folder_are_refused() {
    let text =
        "- [A](../secret.md)\n- [B](https://x.org/a.md)\n- [C](/etc/passwd)\n- [D](pic.png)\n";
    let (_, problems) = parse(text, "S.md", &pages(&[]));
    let lines: Vec<_> = problems
        .iter()
        .map(|p| (p.line, p.message.clone()))
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].1.contains("outside the source folder"));
    assert!(lines[3].1.contains("not a markdown page"));
}

#[test]
fn an_entry_that_is_not_a_link_is_an_error() {
    let (_, problems) = parse("- [A](a.md)\n- Just text\n", "S.md", &pages(&["a.md"]));
    assert_eq!(
        problems[0].headline(),
        "S.md:2:1: error: this SUMMARY entry is not a link"
    );
}

#[test]
fn over_indented_entries_are_malformed_nesting() {
    let text = "- [A](a.md)\n\n        - [B](b.md)\n";
    let (_, problems) = parse(text, "S.md", &pages(&["a.md", "b.md"]));
    assert!(
        problems.iter().any(|p| p.message.contains("read as code")),
        "{problems:?}"
    );
}

#[test]
fn stray_paragraph_is_reported() {
    let (_, problems) = parse(
        "Some words here.\n\n- [A](a.md)\n",
        "S.md",
        &pages(&["a.md"]),
    );
    assert_eq!(problems[0].line, 1);
}

#[test]
fn line_index_gives_character_columns() {
    let text = "ab\nçd x\n";
    let index = LineIndex::new(text);
    assert_eq!(index.position(text, 0), (1, 1));
    assert_eq!(index.position(text, text.find('x').unwrap()), (2, 4));
}

#[test]
fn an_entry_for_a_file_left_out_says_why_not_that_it_is_missing() {
    let left_out = BTreeMap::from([(
        "README.md".to_string(),
        "it is a link to a place outside the project",
    )]);
    let (_, problems) = parse_listing(
        "- [Home](README.md)\n- [A](a.md)\n",
        "S.md",
        &pages(&["a.md"]),
        &left_out,
    );
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].headline(),
        "S.md:1:3: error: `README.md` is left out of the site: it is a link to a place outside the project"
    );
}
