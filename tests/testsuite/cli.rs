//! The command line: exit codes, messages, `--help`, `--version`, `--quiet`,
//! `--root` and `--config`, `check` writing nothing, and `new`.

use crate::harness::{HandbookTest, handbook};

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = handbook(dir.path(), &["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for word in ["build", "check", "new"] {
        assert!(text.contains(word), "{text}");
    }
    let out = handbook(dir.path(), &["build", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("--out <DIR>"));
    let out = handbook(dir.path(), &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        concat!("handbook ", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    assert_eq!(
        handbook(dir.path(), &["build", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(handbook(dir.path(), &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_missing_configuration_says_what_to_do() {
    HandbookTest::empty()
        .build()
        .assert_exit(2)
        .assert_stderr("handbook.yaml: error: no configuration file here")
        .assert_stderr("handbook new");
}

#[test]
fn a_missing_source_folder_is_an_environment_failure() {
    HandbookTest::empty()
        .file("handbook.yaml", "title: T\nsource: pages\n")
        .build()
        .assert_exit(2)
        .assert_stderr("handbook.yaml:2:9: error: the source folder pages/ does not exist");
}

#[test]
fn content_errors_exit_1_with_the_editor_form_and_a_snippet() {
    HandbookTest::fixture("invalid/broken-anchor")
        .build()
        .assert_exit(1)
        .assert_stderr("handbook/rules.md:7:5: error: `#quorum` is not a heading on `README.md`\n7 | See [quorum]")
        .assert_stderr("  = help: ")
        .assert_stderr("Build failed after");
}

#[test]
fn the_last_line_counts_pages_and_time() {
    let test = HandbookTest::fixture("valid/navigation")
        .build()
        .assert_success();
    let stderr = test.stderr();
    let last = stderr.lines().last().expect("a last line");
    assert!(last.starts_with("Built 6 pages in "), "{last}");
    let time = last
        .split(" in ")
        .nth(1)
        .and_then(|t| t.split(" into site").next());
    let unit = time.and_then(|t| t.split(' ').nth(1));
    assert!(matches!(unit, Some("µs" | "ms" | "s")), "{last}");
}

#[test]
fn quiet_prints_only_diagnostics() {
    let test = HandbookTest::fixture("valid/navigation")
        .run(&["build", "--quiet"])
        .assert_success();
    assert_eq!(test.stderr(), "");
    HandbookTest::fixture("invalid/broken-anchor")
        .run(&["build", "-q"])
        .assert_exit(1)
        .assert_stderr("error: `#quorum`");
}

#[test]
fn no_colour_without_a_terminal() {
    let test = HandbookTest::fixture("invalid/broken-anchor")
        .build()
        .assert_exit(1);
    assert!(!test.stderr().contains('\u{1b}'), "{}", test.stderr());
}

#[test]
fn check_writes_nothing_and_lists_todo_markers() {
    let test = HandbookTest::fixture("valid/unlisted-page")
        .file(
            "handbook/README.md",
            "# Home\n\nThe quorum is xxx.\n\n[o](orphan.md)\n",
        )
        .check()
        .assert_success()
        .assert_stderr("handbook/README.md:3:15: warning: to-do marker `xxx`")
        .assert_stderr("Checked 2 pages");
    assert!(!test.root().join("site").exists());
    let test = test
        .build()
        .assert_success()
        .assert_stderr("1 to-do marker(s), listed by `handbook check`");
    assert!(
        !test.stderr().contains("warning: to-do"),
        "build only counts them"
    );
}

#[test]
fn check_fails_on_content_errors() {
    HandbookTest::fixture("invalid/broken-image")
        .check()
        .assert_exit(1)
        .assert_stderr("no such file");
}

#[test]
fn root_and_config_build_a_project_anywhere() {
    let project = HandbookTest::fixture("valid/navigation");
    let elsewhere = tempfile::tempdir().expect("tmp");
    let root = project.root().to_string_lossy().into_owned();
    let out = handbook(elsewhere.path(), &["build", "--root", &root]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(project.root().join("site/index.html").is_file());
    std::fs::rename(
        project.root().join("handbook.yaml"),
        project.root().join("other.yaml"),
    )
    .expect("rename");
    let config = project
        .root()
        .join("other.yaml")
        .to_string_lossy()
        .into_owned();
    let out = handbook(
        elsewhere.path(),
        &["check", "--root", &root, "--config", &config],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn diagnostics_name_files_as_seen_from_where_the_command_ran() {
    let project = HandbookTest::fixture("invalid/broken-anchor");
    let parent = project.root().parent().expect("parent");
    let name = project
        .root()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let out = handbook(parent, &["build", "--root", &name]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{name}/handbook/rules.md:7:5: error:")),
        "{stderr}"
    );
}

#[test]
fn new_scaffolds_a_project_that_builds_at_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = handbook(dir.path(), &["new", "coop-handbook"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = dir.path().join("coop-handbook");
    let readme = std::fs::read_to_string(project.join("handbook/README.md")).expect("README");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let seconds = i64::try_from(now.expect("after 1970").as_secs()).expect("seconds");
    let today = handbook::model::Date::from_unix(seconds)
        .expect("today")
        .iso();
    assert!(
        readme.contains(&format!("> Updated: {today}\n")),
        "{readme}"
    );
    let out = handbook(&project, &["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("0 error(s), 0 warning(s)"), "{stderr}");
    let index = std::fs::read_to_string(project.join("site/index.html")).expect("index");
    assert!(
        index.contains("coop handbook"),
        "title from the folder name"
    );
    assert!(
        project
            .join("site/governance/general-assembly.html")
            .is_file()
    );
}

#[test]
fn new_refuses_a_folder_with_files() {
    let test = HandbookTest::empty().file("keep.txt", "mine");
    let out = handbook(test.root(), &["new", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has files"));
    assert_eq!(
        std::fs::read_to_string(test.root().join("keep.txt")).expect("kept"),
        "mine"
    );
}

#[test]
fn diagnostics_are_styled_only_where_asked() {
    let test = HandbookTest::empty()
        .file("handbook.yaml", "title: T\n")
        .file("handbook/SUMMARY.md", "# Summary\n\n- [A](a.md)\n")
        .file("handbook/a.md", "# A\n\nSee [gone](gone.md).\n");
    let run = |env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"));
        command
            .args(["check"])
            .current_dir(test.root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("run handbook");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let piped = run(&[]);
    assert!(piped.contains("handbook/a.md:3:5: error:"), "{piped}");
    assert!(
        !piped.contains('\u{1b}'),
        "no styles into a pipe: {piped:?}"
    );
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\u{1b}[1;31merror:"), "{forced:?}");
    let refused = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!refused.contains('\u{1b}'), "NO_COLOR wins: {refused:?}");
}
