//! Projects configured for another tool, built with no `handbook.yaml`: an
//! mdBook book (`book.toml`), a GitBook Git Sync repository
//! (`.gitbook.yaml`) and a plain GitBook export; what is not carried over
//! is one warning each, a bad file an error at its line with nothing
//! written; `handbook import` writes the same configuration as YAML.

use crate::harness::{HandbookTest, tree};

/// A built file of the mdBook fixture (its build-dir is `book/`).
fn book_file(test: &HandbookTest, path: &str) -> String {
    let file = test.root().join("book").join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn assert_has(html: &str, texts: &[&str]) {
    for text in texts {
        assert!(html.contains(text), "lacks {text:?}:\n{html}");
    }
}

#[test]
fn an_mdbook_book_builds_with_every_key_of_book_toml() {
    let test = HandbookTest::fixture("mdbook-book")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)");
    let page = book_file(&test, "chapter/section.html");
    assert_has(
        &page,
        &[
            "<html lang=\"en-GB\">",
            "<title>Section · Field guide</title>",
            "<meta name=\"description\" content=\"A small book for the tests.\">",
            "<meta name=\"author\" content=\"Ada, Grace\">",
            "<link rel=\"stylesheet\" href=\"../theme/extra.css\">",
            "<script src=\"../theme/extra.js\"></script>",
            "<a class=\"repository-link\" href=\"https://git.example/coop/guide\"",
            "href=\"https://git.example/coop/guide/edit/main/src/chapter/section.md\"",
        ],
    );
    assert_eq!(
        book_file(&test, "theme/extra.css"),
        ".extra { color: teal; }\n"
    );
    assert!(test.root().join("book/theme/extra.js").is_file());
    // The 404 page's links start from site-url.
    assert_has(&book_file(&test, "404.html"), &["<base href=\"/guide/\">"]);
}

#[test]
fn redirects_are_script_free_pages_with_a_canonical_link() {
    let test = HandbookTest::fixture("mdbook-book")
        .build()
        .assert_success();
    assert_has(
        &book_file(&test, "old/start.html"),
        &[
            "<meta http-equiv=\"refresh\" content=\"0; url=../intro.html\">",
            "<link rel=\"canonical\" href=\"../intro.html\">",
            "<a href=\"../intro.html\">",
        ],
    );
    assert_has(
        &book_file(&test, "moved.html"),
        &["content=\"0; url=https://example.org/elsewhere\""],
    );
}

#[test]
fn src_404_md_is_the_not_found_page_not_a_collision() {
    let test = HandbookTest::fixture("mdbook-book")
        .build()
        .assert_success();
    let stderr = test.stderr();
    assert!(!stderr.contains("not listed"), "{stderr}");
    assert_has(
        &book_file(&test, "404.html"),
        &["Lost in the field", "href=\"intro.html\""],
    );
    let search = crate::harness::tree(&test.root().join("book/search"));
    assert!(!search.is_empty());
    for (file, bytes) in search {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("404.html") && !text.contains("Lost in the field"),
            "{file}"
        );
    }
    // A handbook without one keeps the built-in page.
    let test = HandbookTest::fixture("gitsync-repo")
        .build()
        .assert_success();
    assert_has(&test.site_file("404.html"), &["Page not found"]);
}

#[test]
fn a_git_sync_repository_builds_from_gitbook_yaml() {
    let test = HandbookTest::fixture("gitsync-repo")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)")
        // structure.readme is the home page; structure.summary the contents.
        .assert_page("index.html", &["url=welcome.html"])
        .assert_page("welcome.html", &["href=\"guide.html\">Guide</a>"])
        .assert_page("guide.html", &["src=\".gitbook/assets/logo.svg\""])
        .assert_page("old/welcome/index.html", &["url=../../welcome.html"])
        .assert_page("guides/first/index.html", &["url=../../guide.html"]);
    assert!(test.root().join("site/.gitbook/assets/logo.svg").is_file());
    assert!(!test.root().join("site/contents.html").exists());
}

#[test]
fn a_git_sync_repository_at_its_root_builds_twice_without_taking_in_its_site() {
    let test = HandbookTest::empty()
        .file(".gitbook.yaml", "structure:\n  readme: README.md\n")
        .file("README.md", "# Home\n\n![Mark](.gitbook/assets/mark.svg)\n")
        .file("SUMMARY.md", "# Summary\n\n* [Home](README.md)\n")
        .file(
            ".gitbook/assets/mark.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        )
        .build()
        .assert_success()
        .build()
        .assert_success()
        .assert_stderr("0 warning(s)");
    assert!(test.root().join("site/.gitbook/assets/mark.svg").is_file());
    assert!(!test.root().join("site/site").exists());
}

#[test]
fn a_gitbook_export_builds_with_the_defaults() {
    HandbookTest::empty()
        .file(
            "SUMMARY.md",
            "# Summary\n\n* [Home](README.md)\n* [Rules](rules.md)\n",
        )
        .file("README.md", "# Home\n\nSee [the rules](rules.md).\n")
        .file("rules.md", "# Rules\n\nOne rule.\n")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)")
        .assert_page("index.html", &["href=\"rules.html\""]);
}

#[test]
fn an_export_keeps_its_protocols_folder_as_pages() {
    HandbookTest::empty()
        .file(
            "SUMMARY.md",
            "# Summary\n\n* [Home](README.md)\n* [Decide](protocols/decide.md)\n",
        )
        .file("README.md", "# Home\n")
        .file("protocols/decide.md", "# Decide\n\nHow we decide.\n")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)")
        .assert_page("protocols/decide.html", &["How we decide."]);
}

#[test]
fn a_folder_with_nothing_recognisable_is_told_the_three_forms() {
    let test = HandbookTest::empty()
        .file("notes.txt", "x\n")
        .build()
        .assert_exit(2);
    test.assert_stderr("no configuration file here")
        .assert_stderr("book.toml")
        .assert_stderr(".gitbook.yaml")
        .assert_stderr("SUMMARY.md / README.md");
}

/// The mdBook fixture with its `book.toml` replaced by `text`.
fn with_book_toml(text: &str) -> HandbookTest {
    HandbookTest::fixture("mdbook-book").file("book.toml", text)
}

#[test]
fn malformed_toml_is_an_error_at_line_and_column_and_nothing_is_written() {
    let test = with_book_toml("[book]\ntitle = \"Field guide\nsrc = \"src\"\n")
        .build()
        .assert_exit(2)
        .assert_stderr("book.toml:2:21: error: book.toml is not valid TOML");
    assert!(!test.root().join("book").exists());
}

#[test]
fn every_bad_value_is_an_error_at_its_place_in_one_run() {
    let text = "[book]\nsrc = 3\nlanguage = \"e\"\n[output.html]\nadditional-css = [\"missing.css\"]\n\
                [output.html.redirect]\n\"/a.html\" = \"missing.md\"\n";
    let test = with_book_toml(text)
        .build()
        .assert_exit(2)
        .assert_stderr("book.toml:2:7: error: `src` must be a string")
        .assert_stderr("book.toml:3:12: error: language `e` is not a language tag")
        .assert_stderr("book.toml:5:19: error: there is no file `missing.css` in the project");
    assert!(!test.root().join("book").exists());
    // With the file right, the redirect to a page that is not there is next.
    let text =
        "[output.html.redirect]\n\"/a.html\" = \"missing.md\"\n\"/intro.html\" = \"x.html\"\n";
    let test = with_book_toml(text)
        .build()
        .assert_exit(1)
        .assert_stderr("book.toml:2:13: error: the redirect from `a.html` leads to `missing.md`")
        .assert_stderr(
            "book.toml:3:17: error: the redirect from `intro.html` would write over a file",
        );
    assert!(!test.root().join("book").exists());
}

#[test]
fn an_unsupported_table_is_one_warning_naming_it_and_its_line() {
    let text = "[book]\ntitle = \"T\"\n[preprocessor.katex]\nafter = [\"links\"]\nrenderer = [\"html\"]\n\
                [output.pdf]\n[output.html.playground]\nrunnable = false\neditable = true\n\
                [output.linkcheck]\nfollow-web-links = true\n";
    let test = with_book_toml(text).build().assert_success();
    let stderr = test.stderr();
    for (head, count) in [
        (
            "book.toml:3:15: warning: `[preprocessor.katex]` is not run",
            1,
        ),
        ("book.toml:6:9: warning: `[output.pdf]` is not supported", 1),
        (
            "book.toml:7:14: warning: `playground` in [output.html] is not supported",
            1,
        ),
        (
            "book.toml:10:9: warning: `[output.linkcheck]` is not supported",
            1,
        ),
    ] {
        assert_eq!(stderr.matches(head).count(), count, "{head}:\n{stderr}");
    }
    assert!(stderr.contains("4 warning(s)"), "{stderr}");
}

#[test]
fn a_misspelt_key_is_a_warning_with_a_suggestion() {
    with_book_toml("[book]\ntitel = \"T\"\n[output.html]\nsmart-punctation = true\n")
        .build()
        .assert_success()
        .assert_stderr("book.toml:2:1: warning: unknown key `titel` in [book], left out")
        .assert_stderr("did you mean `title`?")
        .assert_stderr("book.toml:4:1: warning: unknown key `smart-punctation` in [output.html]")
        .assert_stderr("did you mean `smart-punctuation`?");
}

#[test]
fn a_bad_gitbook_yaml_is_an_error_at_its_line_and_nothing_is_written() {
    let test = HandbookTest::fixture("gitsync-repo")
        .file(
            ".gitbook.yaml",
            "root: ./docs/\nstructure:\n  sumary: contents.md\n",
        )
        .build()
        .assert_exit(2)
        .assert_stderr(".gitbook.yaml:3:3: error: unknown key `sumary`")
        .assert_stderr("did you mean `summary`?");
    assert!(!test.root().join("site").exists());
    let test = HandbookTest::fixture("gitsync-repo")
        .file(
            ".gitbook.yaml",
            "root: ../elsewhere\nstructure:\n  readme: nowhere.md\n",
        )
        .build()
        .assert_exit(2)
        .assert_stderr(
            ".gitbook.yaml:1:7: error: `../elsewhere` must be a folder inside the project",
        );
    assert!(!test.root().join("site").exists());
}

#[test]
fn import_then_build_gives_the_same_site_as_building_directly() {
    let direct = HandbookTest::fixture("mdbook-book")
        .build()
        .assert_success();
    let new = tempfile::tempdir().expect("temp dir");
    let out = new.path().join("guide");
    let out_arg = out.to_string_lossy().into_owned();
    let imported = HandbookTest::fixture("mdbook-book")
        .run(&["import", ".", "--out", &out_arg])
        .assert_success();
    let yaml = std::fs::read_to_string(out.join("handbook.yaml")).expect("handbook.yaml");
    for line in [
        "path-prefix: \"/guide/\"",
        "  smart-punctuation: true",
        "  math: mathjax",
        "    \"python\": \"~\"",
    ] {
        assert!(yaml.lines().any(|l| l == line), "{line}:\n{yaml}");
    }
    let built = crate::harness::handbook(&out, &["build"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert_eq!(tree(&direct.root().join("book")), tree(&out.join("book")));
    // Never over an existing handbook.yaml.
    imported
        .run(&["import", ".", "--out", &out_arg])
        .assert_exit(2)
        .assert_stderr("exists; import never overwrites it");
    assert_eq!(
        std::fs::read_to_string(out.join("handbook.yaml")).expect("kept"),
        yaml
    );
}

#[test]
fn import_says_what_it_could_not_carry_over_and_writes_nothing_on_error() {
    let test = with_book_toml("[book]\ntitle = \"T\"\n[output.pdf]\n")
        .run(&["import", "."])
        .assert_success();
    let stdout = test.stdout();
    assert!(
        stdout.contains("not carried over: book.toml:3:9: `[output.pdf]` is not supported"),
        "{stdout}"
    );
    assert!(test.root().join("handbook.yaml").is_file());
    let test = with_book_toml("[book]\nsrc = 3\n")
        .run(&["import", "."])
        .assert_exit(2);
    assert!(!test.root().join("handbook.yaml").exists());
}

#[test]
fn a_git_sync_repository_imports_to_the_same_site() {
    let direct = HandbookTest::fixture("gitsync-repo")
        .build()
        .assert_success();
    let new = tempfile::tempdir().expect("temp dir");
    let out = new.path().join("handbook");
    let out_arg = out.to_string_lossy().into_owned();
    HandbookTest::fixture("gitsync-repo")
        .run(&["import", ".", "--out", &out_arg])
        .assert_success();
    let yaml = std::fs::read_to_string(out.join("handbook.yaml")).expect("handbook.yaml");
    assert!(yaml.contains("summary: \"contents.md\""), "{yaml}");
    let built = crate::harness::handbook(&out, &["build"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert_eq!(tree(&direct.root().join("site")), tree(&out.join("site")));
}

#[test]
fn mdbook_templates_in_theme_are_one_warning() {
    HandbookTest::fixture("mdbook-book")
        .file("theme/index.hbs", "<html>{{ content }}</html>\n")
        .build()
        .assert_success()
        .assert_stderr("book.toml: warning: mdBook's templates in theme/ are not used: index.hbs")
        .assert_stderr("1 warning(s)");
}

#[test]
fn a_book_toml_named_with_config_is_read_as_one() {
    let test = HandbookTest::fixture("mdbook-book");
    std::fs::rename(
        test.root().join("book.toml"),
        test.root().join("guide.toml"),
    )
    .expect("move");
    let test = test
        .file(
            "conf/book.toml",
            "[book]\ntitle = \"Elsewhere\"\nsrc = \"src\"\n",
        )
        .run(&["build", "--config", "conf/book.toml"])
        .assert_success();
    assert_has(
        &book_file(&test, "intro.html"),
        &["Introduction · Elsewhere"],
    );
}

#[test]
fn a_gitbook_export_imports_to_a_handbook_yaml_of_defaults() {
    let test = HandbookTest::empty()
        .file("SUMMARY.md", "# Summary\n\n* [Home](README.md)\n")
        .file("README.md", "# Home\n")
        .run(&["import", "."])
        .assert_success();
    let yaml = std::fs::read_to_string(test.root().join("handbook.yaml")).expect("written");
    assert!(yaml.lines().any(|l| l == "source: \".\""), "{yaml}");
    test.build()
        .assert_success()
        .assert_page("index.html", &["<h1 id=\"home\">Home</h1>"]);
}

#[test]
fn a_book_with_protocol_notes_derives_them_without_asking_for_committed_files() {
    // A book brought from mdBook or GitBook never ran `handbook protocols`:
    // its notes still give the generated pages, and neither build nor check
    // reports the protocols/ files it does not keep.
    let note = "# Rules\n\n## Quorum\n\n> `Note: Derive protocols`\n>\n> - **Quorum** — A third of members must take part.\n>   - status: adopted\n";
    for (config, file, summary, out) in [
        (
            "book.toml",
            "[book]\ntitle = \"Guide\"\n",
            "src/SUMMARY.md",
            "book",
        ),
        (
            ".gitbook.yaml",
            "root: ./docs/\n",
            "docs/SUMMARY.md",
            "site",
        ),
    ] {
        let folder = summary.trim_end_matches("SUMMARY.md");
        let test = HandbookTest::empty()
            .file(config, file)
            .file(summary, "# Summary\n\n- [Rules](rules.md)\n")
            .file(&format!("{folder}rules.md"), note)
            .build()
            .assert_success()
            .assert_stderr("0 error(s), 0 warning(s)");
        let register = std::fs::read_to_string(test.root().join(out).join("protocols.html"))
            .unwrap_or_else(|e| panic!("{config}: the register: {e}"));
        assert!(
            register.contains("A third of members must take part."),
            "{config}"
        );
        test.check().assert_success();
    }
}

#[test]
fn a_home_page_that_is_not_there_is_an_error_at_its_line() {
    let test = HandbookTest::fixture("gitsync-repo")
        .file(
            ".gitbook.yaml",
            "root: ./docs/\n\nstructure:\n  readme: gone.md\n  summary: contents.md\n",
        )
        .build()
        .assert_exit(1)
        .assert_stderr(".gitbook.yaml:4:11: error: the home page `gone.md` is not a page here");
    assert!(!test.root().join("site").exists());
}

#[test]
fn chapters_are_numbered_as_in_mdbook_unless_no_section_label_is_set() {
    let summary = "# Summary\n\n[Introduction](intro.md)\n\n- [Chapter](chapter/README.md)\n  \
                   - [Section](chapter/section.md)\n  - [Planned]()\n\n# Part two\n\n\
                   - [Secret](secret.md)\n- [Later](later.md)\n\n---\n\n[Credits](credits.md)\n";
    let test = with_book_toml("[book]\ntitle = \"T\"\n")
        .file("src/SUMMARY.md", summary)
        .file("src/secret.md", "---\nhidden: true\n---\n# Secret\n")
        .file("src/later.md", "# Later\n")
        .file("src/credits.md", "# Credits\n")
        .build()
        .assert_success()
        .assert_stderr("0 error(s), 0 warning(s)");
    let num = |n: &str| format!("<span class=\"nav-num\">{n}</span> ");
    let section = book_file(&test, "chapter/section.html");
    for (number, title) in [("1.", "Chapter"), ("1.1.", "Section"), ("1.2.", "Planned")] {
        assert!(
            section.contains(&format!("{}{title}", num(number))),
            "{number} {title}:\n{section}"
        );
    }
    // Numbers run on across parts; a hidden page takes none, nor do
    // bare-link chapters.
    assert!(book_file(&test, "later.html").contains(&format!("{}Later", num("2."))));
    let intro = book_file(&test, "intro.html");
    assert!(intro.contains(">Introduction</a>") && intro.contains(">Credits</a>"));
    let tree = book_file(&test, "navigation.js");
    assert!(
        tree.contains("\"n\":\"1.1.\""),
        "the script's tree carries the numbers: {tree}"
    );
    // The fixture's book.toml says `no-section-label = true`.
    let plain = HandbookTest::fixture("mdbook-book")
        .build()
        .assert_success();
    assert!(!book_file(&plain, "chapter/section.html").contains("nav-num"));
}
