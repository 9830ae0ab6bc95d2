//! Every `tests/fixtures/invalid/<case>/` fails with exactly the diagnostics
//! its `expected.txt` names (each line must appear in stderr, and no other
//! error headline may), exits 1 (or the code in `exit-code`), and writes nothing.

use crate::harness::{HandbookTest, fixtures};

/// One test per fixture folder, named after it, so each runs alone
/// (`cargo test invalid::broken_anchor`) and a failure names its case.
macro_rules! invalid_cases {
    ($($name:ident: $folder:literal,)*) => {
        $(
            #[test]
            fn $name() {
                if let Err(failure) = check_case($folder) {
                    panic!("{failure}");
                }
            }
        )*

        /// Every fixture folder, as listed above.
        const LISTED: &[&str] = &[$($folder),*];
    };
}

invalid_cases! {
    broken_anchor: "broken-anchor",
    broken_image: "broken-image",
    broken_page_link: "broken-page-link",
    config_bad_value: "config-bad-value",
    config_unknown_key: "config-unknown-key",
    config_wrong_type: "config-wrong-type",
    front_matter_bad_date: "front-matter-bad-date",
    front_matter_syntax: "front-matter-syntax",
    front_matter_unknown_key: "front-matter-unknown-key",
    legacy_link_to_missing_page: "legacy-link-to-missing-page",
    link_outside_source: "link-outside-source",
    not_utf8_config: "not-utf8-config",
    not_utf8_page: "not-utf8-page",
    not_utf8_summary: "not-utf8-summary",
    output_collision: "output-collision",
    protocol_bad_date: "protocol-bad-date",
    protocol_bad_id: "protocol-bad-id",
    protocol_bad_kind: "protocol-bad-kind",
    protocol_bad_status: "protocol-bad-status",
    protocol_duplicate_id: "protocol-duplicate-id",
    protocol_empty_statement: "protocol-empty-statement",
    protocol_field_without_protocol: "protocol-field-without-protocol",
    protocol_nested_too_deep: "protocol-nested-too-deep",
    protocol_not_key_value: "protocol-not-key-value",
    protocol_unknown_key: "protocol-unknown-key",
    protocol_unknown_space: "protocol-unknown-space",
    space_bad_access: "space-bad-access",
    space_duplicate_id: "space-duplicate-id",
    space_join_without_access: "space-join-without-access",
    space_malformed_url: "space-malformed-url",
    space_missing_url: "space-missing-url",
    space_schedule_not_venue: "space-schedule-not-venue",
    space_unknown_in_front_matter: "space-unknown-in-front-matter",
    space_unknown_in_link: "space-unknown-in-link",
    space_unknown_kind: "space-unknown-kind",
    summary_listed_twice: "summary-listed-twice",
    summary_malformed_nesting: "summary-malformed-nesting",
    summary_missing_file: "summary-missing-file",
    summary_not_a_link: "summary-not-a-link",
    summary_outside_source: "summary-outside-source",
    versions_bad_folder: "versions-bad-folder",
    versions_bad_name: "versions-bad-name",
    versions_conflicts: "versions-conflicts",
    versions_duplicate_name: "versions-duplicate-name",
    versions_no_default: "versions-no-default",
    versions_ref_without_git: "versions-ref-without-git",
    versions_sources: "versions-sources",
    versions_unknown_default: "versions-unknown-default",
}

#[test]
fn every_invalid_fixture_folder_has_its_test() {
    let mut folders: Vec<String> = std::fs::read_dir(fixtures().join("invalid"))
        .expect("invalid fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(folders, LISTED, "list each folder in `invalid_cases!`");
}

fn check_case(case: &str) -> Result<(), String> {
    let dir = fixtures().join("invalid").join(case);
    let expected =
        std::fs::read_to_string(dir.join("expected.txt")).map_err(|e| format!("{case}: {e}"))?;
    let code: i32 =
        std::fs::read_to_string(dir.join("exit-code")).map_or(1, |c| c.trim().parse().unwrap_or(1));
    let test = HandbookTest::fixture(&format!("invalid/{case}")).build();
    let stderr = test.stderr();
    let fail = |why: &str| Err(format!("{case}: {why}\n--- stderr ---\n{stderr}"));
    if test.exit_code() != Some(code) {
        return fail(&format!("expected exit code {code}"));
    }
    for line in expected.lines().filter(|l| !l.is_empty()) {
        if !stderr.contains(line) {
            return fail(&format!("missing {line:?}"));
        }
    }
    let expected_errors = expected.lines().filter(|l| l.contains(": error:")).count();
    let reported_errors = stderr.lines().filter(|l| l.contains(": error:")).count();
    if expected_errors != reported_errors {
        return fail(&format!(
            "expected {expected_errors} error(s), got {reported_errors}"
        ));
    }
    if test.root().join("site").exists() {
        return fail("a failed build wrote site/");
    }
    Ok(())
}
