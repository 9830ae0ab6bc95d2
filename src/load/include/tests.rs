use super::*;

/// A repository with the book in `book/src/` and code beside it.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn expanded(dir: &tempfile::TempDir, page: &str, text: &str) -> Option<Expanded> {
    let reach = Reach::Disk {
        root: dir.path().canonicalize().unwrap(),
    };
    let cx = Context {
        reach: &reach,
        source_prefix: "book/src/".into(),
        source_label: "src/".into(),
        root_prefix: "book/".into(),
        root_label: String::new(),
    };
    expand(&cx, page, &format!("src/{page}"), text)
}

fn places(e: &Expanded) -> Vec<(String, u32)> {
    (1..=e.text.lines().count() as u32)
        .map(|n| {
            let (file, line) = e.origins.place(n).unwrap();
            (file.to_string(), line)
        })
        .collect()
}

const CODE: &str =
    "// ANCHOR: main\nfn main() {\n    run();\n}\n// ANCHOR_END: main\nfn run() {}\n";

#[test]
fn a_page_without_directives_is_left_alone() {
    let dir = repo(&[]);
    assert_eq!(expanded(&dir, "a.md", "# A\n\n{{ not one }}\n"), None);
}

#[test]
fn includes_are_expanded_with_each_line_traced_to_its_file() {
    let dir = repo(&[("book/examples/main.rs", CODE)]);
    let text = "# A\n\n```rust\n{{#include ../examples/main.rs:main}}\n```\nafter\n";
    let e = expanded(&dir, "a.md", text).unwrap();
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(
        e.text,
        "# A\n\n```rust\nfn main() {\n    run();\n}\n```\nafter\n"
    );
    let code = "examples/main.rs".to_string();
    let page = "src/a.md".to_string();
    assert_eq!(
        places(&e),
        [
            (page.clone(), 1),
            (page.clone(), 2),
            (page.clone(), 3),
            (code.clone(), 2),
            (code.clone(), 3),
            (code, 4),
            (page.clone(), 5),
            (page, 6)
        ]
    );
    assert_eq!(e.origins.included(), ["examples/main.rs"]);
}

#[test]
fn ranges_rustdoc_playground_title_and_escapes() {
    let dir = repo(&[("book/src/x.rs", "a\nb\nc\nd\n")]);
    let e = |text: &str| expanded(&dir, "a.md", text).unwrap().text;
    assert_eq!(e("{{#include x.rs:2:3}}\n"), "b\nc\n");
    assert_eq!(e("{{#include x.rs:3:}}\n"), "c\nd\n");
    assert_eq!(e("{{#include x.rs::2}}\n"), "a\nb\n");
    assert_eq!(e("{{#include x.rs}}\n"), "a\nb\nc\nd\n");
    assert_eq!(e("{{#rustdoc_include x.rs:2:2}}\n"), "# a\nb\n# c\n# d\n");
    assert_eq!(
        e("{{#playground x.rs editable}}\n"),
        "```rust,editable\na\nb\nc\nd\n```\n"
    );
    assert_eq!(
        e(r"Write `\{{#include x.rs}}`."),
        "Write `{{#include x.rs}}`."
    );
    let titled = expanded(&dir, "a.md", "{{#title A better title}}\n# A\n").unwrap();
    assert_eq!(titled.title.as_deref(), Some("A better title"));
    assert_eq!(titled.text, "\n# A\n");
}

#[test]
fn includes_nest_and_a_cycle_names_its_chain() {
    let dir = repo(&[
        ("book/src/b.md", "b says\n{{#include c.md}}\n"),
        ("book/src/c.md", "c says\n{{#include b.md}}\n"),
        ("book/src/d.md", "d\n"),
        ("book/src/parts/e.md", "{{#include ../d.md}}e\n"),
    ]);
    let nested = expanded(&dir, "a.md", "{{#include parts/e.md}}\n").unwrap();
    assert_eq!(nested.text, "de\n");
    let e = expanded(&dir, "a.md", "top\n{{#include b.md}}\n").unwrap();
    assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
    let problem = &e.problems[0];
    assert_eq!(
        (problem.file.as_str(), problem.line, problem.column),
        ("src/c.md", 2, 1)
    );
    assert!(
        problem.message.contains("src/b.md → src/c.md → src/b.md"),
        "{}",
        problem.message
    );
}

#[test]
fn every_bad_include_is_reported_at_its_place_in_one_run() {
    let dir = repo(&[
        ("book/src/x.rs", CODE),
        ("secret/.env", "k"),
        ("book/.git/x", "g"),
    ]);
    let text = "{{#include nope.rs}}\n  {{#include x.rs:20:10}}\n{{#include x.rs:mian}}\n\
                {{#include ../../../out.rs}}\n{{#include ../../secret/.env}}\n{{#include x.rs:1:x}}\n";
    let e = expanded(&dir, "a.md", text).unwrap();
    let found: Vec<(u32, u32, &str)> = e
        .problems
        .iter()
        .map(|p| (p.line, p.column, p.message.as_str()))
        .collect();
    assert_eq!(found.len(), 6, "{found:#?}");
    assert!(found[0].2.contains("no such file"), "{found:?}");
    assert_eq!((found[1].0, found[1].1), (2, 3));
    assert!(found[1].2.contains("ends before it starts"));
    assert!(found[2].2.contains("no anchor `mian`"));
    assert_eq!(
        e.problems[2]
            .help
            .as_deref()
            .map(|h| h.starts_with("did you mean `main`?")),
        Some(true)
    );
    assert!(found[3].2.contains("outside the repository"));
    assert!(found[4].2.contains("hidden folder"));
    assert!(found[5].2.contains("not a line range"));
    assert!(
        e.problems
            .iter()
            .all(|p| p.file == "src/a.md" && p.is_error())
    );
}

#[test]
fn a_diagnostic_in_included_text_moves_to_the_included_file() {
    let dir = repo(&[("book/src/part.md", "one\ntwo [x](nowhere.md)\n")]);
    let e = expanded(&dir, "a.md", "# A\n{{#include part.md}}\nthree\n").unwrap();
    let mut d = Diagnostic::error("src/a.md", 3, 5, "broken link");
    e.origins.relocate("src/a.md", &mut d);
    assert_eq!((d.file.as_str(), d.line), ("src/part.md", 2));
    let mut own = Diagnostic::error("src/a.md", 4, 2, "on the page");
    e.origins.relocate("src/a.md", &mut own);
    assert_eq!(
        (own.file.as_str(), own.line, own.column),
        ("src/a.md", 3, 2)
    );
}

#[test]
fn labels_outside_the_source_folder_are_tidy() {
    assert_eq!(tidy("../examples/a.rs"), "../examples/a.rs");
    assert_eq!(tidy("/tmp/book/../x.rs"), "/tmp/x.rs");
    assert_eq!(tidy("src/../examples/a.rs"), "examples/a.rs");
}

#[test]
fn inline_code_is_expanded_too_as_mdbook_does() {
    let dir = repo(&[("book/src/v.txt", "1.2.3\n")]);
    let e = expanded(&dir, "a.md", "Version `{{#include v.txt}}`.\n").unwrap();
    assert_eq!(e.text, "Version `1.2.3`.\n");
}

/// A source folder that is not on disk, as a git edition's.
struct Memory(Vec<(&'static str, &'static str)>);

impl crate::load::source::SourceTree for Memory {
    fn files(&self) -> anyhow::Result<crate::load::source::Listing> {
        let files = self.0.iter().map(|(p, _)| p.to_string()).collect();
        Ok(crate::load::source::Listing {
            files,
            skipped: Vec::new(),
        })
    }
    fn read(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let found = self.0.iter().find(|(p, _)| *p == path);
        found
            .map(|(_, t)| t.as_bytes().to_vec())
            .ok_or_else(|| anyhow::anyhow!("no {path}"))
    }
    fn size(&self, path: &str) -> anyhow::Result<u64> {
        Ok(self.read(path)?.len() as u64)
    }
    fn disk_path(&self, _path: &str) -> Option<std::path::PathBuf> {
        None
    }
}

#[test]
fn an_edition_read_from_git_includes_from_its_own_tree_only() {
    let tree = Memory(vec![("a.md", ""), ("code/x.rs", "fn x() {}\n")]);
    let reach = Reach::Tree { tree: &tree };
    let cx = Context {
        reach: &reach,
        source_prefix: String::new(),
        source_label: "v1:src/".into(),
        root_prefix: String::new(),
        root_label: "v1:".into(),
    };
    let text = "{{#include code/x.rs}}\n{{#include ../y.rs}}\n";
    let e = expand(&cx, "a.md", "v1:src/a.md", text).unwrap();
    assert!(e.text.starts_with("fn x() {}\n"), "{}", e.text);
    assert_eq!(e.origins.included(), ["v1:src/code/x.rs"]);
    assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
    assert!(e.problems[0].message.contains("outside the repository"));
}
