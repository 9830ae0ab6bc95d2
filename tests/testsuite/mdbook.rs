//! mdBook's markdown, end to end through `handbook build`: every
//! `{{#…}}` form of the links preprocessor (includes from beside the book,
//! line ranges, anchors, rustdoc_include, playground, title, escapes),
//! hidden code lines, mdBook info strings, smart punctuation, definition
//! lists, heading attributes and math as MathML; every bad include reported
//! at its place in one run; a diagnostic inside included text at the
//! included file's line; the build cache and the dev server following
//! included files.

use crate::harness::HandbookTest;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const CONFIG: &str = "title: T\nsource: src\n";

/// The `<main>` element of a built page.
fn main_of(test: &HandbookTest, url: &str) -> String {
    let html = test.site_file(url);
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    html[start..end].to_string()
}

/// The first `<pre>` block after `marker` in `html`.
fn after<'h>(html: &'h str, marker: &str) -> &'h str {
    let rest = &html[html.find(marker).expect("the marker") + marker.len()..];
    let start = rest.find("<pre").expect("a block after the marker");
    let end = rest[start..].find("</pre>").expect("its end") + start;
    &rest[start..end]
}

/// HTML as the reader sees it: tags left out, the escapes code uses decoded.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A project with the given pages, each listed in SUMMARY.md.
fn book(pages: &[(&str, &str)]) -> HandbookTest {
    let summary: String = pages
        .iter()
        .filter(|(path, _)| path.starts_with("src/") && path.ends_with(".md"))
        .map(|(path, _)| {
            let path = path.trim_start_matches("src/");
            format!("- [{path}]({path})\n")
        })
        .collect();
    let mut test = HandbookTest::empty()
        .file("handbook.yaml", CONFIG)
        .file("src/SUMMARY.md", &format!("# Summary\n\n{summary}"));
    for (path, text) in pages {
        test = test.file(path, text);
    }
    test
}

/// The code page: hidden lines left out, the others shown, an attribute
/// alone read as Rust.
#[track_caller]
fn assert_code_page(code: &str) {
    let shown = text_of(code.split("A playground").next().unwrap_or_default());
    for hidden in [
        "use std::collections::HashMap;",
        "let hidden = 1;",
        "fn hidden()",
        "import os",
        "println!(\"{out}\")",
    ] {
        assert!(!shown.contains(hidden), "{hidden} is hidden:\n{shown}");
    }
    for kept in [
        "let shown",
        "#[allow(unused)]",
        "fn shown_too() {}",
        "print(\"visible\")",
    ] {
        assert!(shown.contains(kept), "{kept} is shown:\n{shown}");
    }
    // `noplayground` alone names no language: the block is Rust.
    let attribute_alone = after(code, "An attribute alone means Rust:");
    assert!(
        attribute_alone.contains("data-lang=\"rust\""),
        "{attribute_alone}"
    );
}

#[test]
fn the_fixture_builds_without_a_diagnostic_and_its_pages_read_as_in_mdbook() {
    let test = HandbookTest::fixture("mdbook-markdown")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)");
    let includes = main_of(&test, "includes.html");
    assert!(includes.contains("A note included two levels deep."));
    assert!(includes.contains("<code>{{#include ../examples/hello.rs}}</code>"));
    assert!(includes.contains("<code>use std::fmt::Write;</code>"));
    let anchored = text_of(after(&includes, "An anchor:"));
    assert!(
        anchored.contains("let mut out = String::new();"),
        "{anchored}"
    );
    assert!(
        !anchored.contains("ANCHOR"),
        "anchor markers are left out: {anchored}"
    );
    let title = test.site_file("includes.html");
    assert!(title.contains("<title>Includes, as mdBook writes them</title>"));
    let code = main_of(&test, "code.html");
    assert_code_page(&code);
    let math = main_of(&test, "math.html");
    assert!(math.contains("<math display=\"inline\">") && math.contains("<mfrac>"));
    assert!(math.contains("<math display=\"block\">"));
    assert!(
        !test.site_file("math.html").contains("mathjax"),
        "no script, no CDN"
    );
    insta::assert_snapshot!("mdbook_includes_main", includes);
    insta::assert_snapshot!("mdbook_code_main", code);
    insta::assert_snapshot!("mdbook_math_main", math);
    // A part that a page includes and SUMMARY does not list is no page.
    assert!(!test.root().join("site/parts/shared.html").exists());
    test.assert_page(
        "extensions.html",
        &[
            "“Smart” quotes – and dashes…",
            "<dl>\n<dt>Term</dt>\n<dd>Its definition.</dd>",
            "<h2 id=\"custom-id\" class=\"special\">",
        ],
    );
}

#[test]
fn every_bad_include_is_an_error_at_its_place_and_nothing_is_written() {
    let page = "# A\n\n{{#include nope.rs}}\n\n```rust\n{{#include code.rs:20:10}}\n{{#include code.rs:x:2}}\n{{#include code.rs:mian}}\n```\n\n{{#include ../../outside.rs}}\n{{#include .hidden/key}}\n{{#include b.md}}\n";
    let test = book(&[
        ("src/a.md", page),
        (
            "src/code.rs",
            "// ANCHOR: main\nfn main() {}\n// ANCHOR_END: main\n",
        ),
        ("src/.hidden/key", "secret"),
        ("src/b.md", "{{#include c.md}}\n"),
        ("src/c.md", "{{#include b.md}}\n"),
    ])
    .build()
    .assert_exit(1)
    .assert_stderr("src/a.md:3:1: error: cannot include `nope.rs`: there is no such file")
    .assert_stderr("src/a.md:6:1: error: the line range `20:10` ends before it starts")
    .assert_stderr("src/a.md:7:1: error: `x:2` is not a line range or an anchor name")
    .assert_stderr("src/a.md:8:1: error: `code.rs` has no anchor `mian`")
    .assert_stderr("did you mean `main`?")
    .assert_stderr("src/a.md:11:1: error: `../../outside.rs` is outside the repository")
    .assert_stderr("src/a.md:12:1: error: cannot include `.hidden/key`: it is in a hidden folder")
    .assert_stderr("this include makes a cycle: src/b.md → src/c.md → src/b.md")
    .assert_stderr("nothing was written");
    assert!(!test.root().join("site").exists());
}

#[test]
fn a_problem_inside_included_text_is_reported_at_the_included_line() {
    book(&[
        ("src/a.md", "# A\n\nIntro.\n\n{{#include part.txt}}\n"),
        (
            "src/part.txt",
            "First line.\n\nA [broken](nowhere.md) link.\n",
        ),
    ])
    .build()
    .assert_exit(1)
    .assert_stderr("src/part.txt:3:3:")
    .assert_stderr("nowhere.md");
}

#[test]
fn a_missing_hosted_file_in_included_text_is_warned_of_at_the_included_line() {
    book(&[
        ("src/a.md", "# A\n\nIntro.\n\n{{#include part.txt}}\n"),
        ("src/part.txt", "First line.\n\n![Logo](/files/abc123)\n"),
    ])
    .build()
    .assert_success()
    .assert_stderr("src/part.txt:3:1: warning: `/files/abc123` is a file GitBook hosts");
}

#[test]
fn a_note_in_included_text_and_a_part_s_own_problem_are_reported_once_there() {
    let note = "## Voting\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — Half.\n>   - stauts: adopted\n";
    let test = book(&[(
        "src/a.md",
        "# A\n\n{{#include rules.txt}}\n\n{{#include part.md}}\n",
    )])
    .file("src/rules.txt", note)
    .file("src/part.md", "Part.\n\n{{#include gone.rs}}\n")
    .build()
    .assert_exit(1)
    .assert_stderr("src/rules.txt:6:")
    .assert_stderr("src/part.md:3:1: error: cannot include `gone.rs`");
    assert_eq!(
        test.stderr().matches("cannot include `gone.rs`").count(),
        1,
        "{}",
        test.stderr()
    );
    let note_problems = test
        .stderr()
        .lines()
        .filter(|l| l.starts_with("src/") && l.contains("stauts"))
        .count();
    assert_eq!(note_problems, 1, "{}", test.stderr());
}

#[test]
fn includes_reach_the_repository_beside_the_book_but_not_beyond_it() {
    let test = HandbookTest::empty()
        .file("repo/.git/HEAD", "ref: refs/heads/main\n")
        .file("repo/examples/a.rs", "fn beside() {}\n")
        .file("outside.rs", "fn outside() {}\n")
        .file("repo/book/handbook.yaml", CONFIG)
        .file("repo/book/src/SUMMARY.md", "# S\n\n- [A](a.md)\n")
        .file(
            "repo/book/src/a.md",
            "# A\n\n```rust\n{{#include ../../examples/a.rs}}\n```\n",
        );
    let out = crate::harness::handbook(&test.root().join("repo/book"), &["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(test.root().join("repo/book/site/a.html")).unwrap();
    assert!(page.contains("beside"), "{page}");
    std::fs::write(
        test.root().join("repo/book/src/a.md"),
        "# A\n\n{{#include ../../../outside.rs}}\n",
    )
    .unwrap();
    let out = crate::harness::handbook(&test.root().join("repo/book"), &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is outside the repository that holds the book"),
        "{stderr}"
    );
}

#[test]
fn dollar_math_renders_and_a_bad_formula_is_a_warning_shown_as_code() {
    book(&[(
        "src/a.md",
        "# A\n\nInline $x^2$ and\n\n$$\\frac{a}{b}$$\n\nBroken $\\frac{a}$ here.\n",
    )])
    .file(
        "handbook.yaml",
        "title: T\nsource: src\nmarkdown:\n  math: dollars\n",
    )
    .build()
    .assert_success()
    .assert_stderr("src/a.md:7:8: warning: this formula is not LaTeX math the build can read")
    .assert_page(
        "a.html",
        &[
            "<math display=\"inline\">",
            "<math display=\"block\">",
            "<code class=\"math-error\">\\frac{a}</code>",
        ],
    );
}

#[test]
fn a_bad_mathjax_formula_is_a_warning_at_the_formula() {
    book(&[(
        "src/a.md",
        "# A\n\nFine \\\\(x\\\\), then \\\\(\\frac{a}\\\\) here.\n",
    )])
    .file(
        "handbook.yaml",
        "title: T\nsource: src\nmarkdown:\n  math: mathjax\n",
    )
    .build()
    .assert_success()
    .assert_stderr("src/a.md:3:20: warning: this formula is not LaTeX math")
    .assert_page(
        "a.html",
        &["<code class=\"math-error\">\\frac{a}</code> here."],
    );
}

#[test]
fn without_the_markdown_section_quotes_dollars_and_mathjax_stay_text() {
    book(&[("src/a.md", "# A\n\n\"Plain\" $x$ and \\\\(y\\\\).\n")])
        .build()
        .assert_success()
        .assert_page("a.html", &["\"Plain\" $x$ and \\(y\\)."])
        .refute_page("a.html", &["<math"]);
}

#[test]
fn a_warm_build_follows_an_included_file_and_the_markdown_options() {
    let test = book(&[
        ("src/a.md", "# A\n\n{{#include part.md}}\n"),
        ("src/part.md", "\"Old\" words.\n"),
    ])
    .file(
        "handbook.yaml",
        "title: T\nsource: src\nmarkdown:\n  smart-punctuation: true\n",
    )
    .build()
    .assert_success()
    .assert_page("a.html", &["“Old” words."]);
    assert!(
        test.root().join(".handbook-cache").exists(),
        "the cache is on"
    );
    let test = test
        .file("src/part.md", "\"New\" words.\n")
        .build()
        .assert_success()
        .assert_page("a.html", &["“New” words."]);
    test.file("handbook.yaml", CONFIG)
        .build()
        .assert_success()
        .assert_page("a.html", &["\"New\" words."]);
}

/// `GET path` from the dev server, its body.
fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut body = String::new();
    stream.read_to_string(&mut body).expect("read");
    body
}

#[test]
fn serve_rebuilds_a_page_when_a_file_it_includes_changes() {
    let test = HandbookTest::empty()
        .file("book/handbook.yaml", CONFIG)
        .file("book/src/SUMMARY.md", "# S\n\n- [A](a.md)\n- [B](b.md)\n")
        .file(
            "book/src/a.md",
            "# A\n\n```rust\n{{#include ../../code/a.rs}}\n```\n",
        )
        .file("book/src/b.md", "# B\n")
        .file("code/a.rs", "fn before() {}\n");
    let options = handbook::serve::ServeOptions {
        project: handbook::BuildOptions {
            root: test.root().join("book"),
            ..handbook::BuildOptions::default()
        },
        bind: [127, 0, 0, 1].into(),
        port: 0,
        write_protocols: false,
    };
    // The repository is the temporary folder: make it one, so that the
    // include beside the book is inside it.
    std::fs::create_dir_all(test.root().join(".git")).unwrap();
    let server = handbook::serve::Server::start(&options, Box::new(|_| {})).expect("serve");
    let addr = server.addr();
    assert!(get(addr, "/a.html").contains("before"));
    std::fs::write(test.root().join("code/a.rs"), "fn after() {}\n").unwrap();
    let started = Instant::now();
    while !get(addr, "/a.html").contains("after") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the page was not rebuilt"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    server.stop();
}

#[test]
fn the_markdown_fixture_as_an_mdbook_book_gives_the_same_pages() {
    // The same book, once with handbook.yaml and once as mdBook keeps it:
    // book.toml's keys fill the same markdown options, so every page's
    // <main> is the same.
    let with_yaml = HandbookTest::fixture("mdbook-markdown")
        .build()
        .assert_success();
    let book_toml = "[book]\ntitle = \"Markdown book\"\nsrc = \"src\"\n\n[build]\nbuild-dir = \"site\"\n\n\
                     [output.html]\nsmart-punctuation = true\nmathjax-support = true\n\n\
                     [output.html.code.hidelines]\npython = \"~\"\n";
    let as_book = HandbookTest::fixture("mdbook-markdown").file("book.toml", book_toml);
    std::fs::remove_file(as_book.root().join("handbook.yaml")).expect("remove handbook.yaml");
    let as_book = as_book.build().assert_success();
    assert!(
        !as_book.stderr().contains("warning:"),
        "{}",
        as_book.stderr()
    );
    for page in ["includes.html", "code.html", "math.html", "extensions.html"] {
        assert_eq!(main_of(&as_book, page), main_of(&with_yaml, page), "{page}");
    }
}
