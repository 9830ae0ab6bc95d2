//! Every `tests/fixtures/invalid/<case>/` fails with exactly the diagnostics
//! its `expected.txt` names (each line must appear in stderr, and no other
//! error headline may), exits 1 (or the code in `exit-code`), and writes nothing.

use crate::harness::{HandbookTest, fixtures};

#[test]
fn each_invalid_fixture_reports_its_diagnostic() {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("invalid"))
        .expect("invalid fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "fixtures went missing: {cases:?}");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check_case(case).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
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
