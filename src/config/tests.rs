//! Tests of the configuration stage: defaults, every bad value at its line,
//! URL and language checks, sections and suggestions.

use super::*;

/// The configuration of a project whose `handbook.yaml` is `text`.
pub(crate) fn config_from(text: &str) -> Result<Config, ConfigError> {
    load_text(text)
}

fn load_text(text: &str) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
    load(dir.path(), None, None).map_err(|e| e.downcast::<ConfigError>().unwrap())
}

#[test]
fn defaults_fill_what_is_not_said() {
    let config = load_text("title: Coop handbook\n").unwrap();
    assert_eq!(config.site.title, "Coop handbook");
    assert_eq!(config.site.language, "en");
    assert_eq!(config.site.path_prefix, "/");
    assert!(config.source_dir.ends_with("handbook"));
    assert!(config.output_dir.ends_with("site"));
    assert_eq!(config.broken_links, Severity::Error);
}

#[test]
fn every_bad_value_is_reported_at_its_line() {
    let text = "title: x\nbase-url: ftp://x\npath-prefix: handbook\nsource: ../up\nedit-url: https://e/x\n";
    let err = load_text(text).unwrap_err();
    let lines: Vec<u32> = err.0.iter().map(|d| d.line).collect();
    assert_eq!(lines, [2, 3, 4, 5], "{err}");
}

#[test]
fn wrong_keys_types_and_values_are_reported_with_the_rest() {
    let text = "title: x\nlanguage: 5\nbroken-links: sometimes\nspaces:\n  - id: a\n    titel: A\n\
                search: maybe\nserach: true\nbase-url: ftp://x\n";
    let err = load_text(text).unwrap_err();
    let found: Vec<String> = err.0.iter().map(Diagnostic::headline).collect();
    let lines: Vec<u32> = err.0.iter().map(|d| d.line).collect();
    assert_eq!(lines, [2, 3, 6, 7, 8, 9], "{found:#?}");
    assert!(
        found[1].ends_with("unknown value `sometimes`"),
        "{found:#?}"
    );
    assert!(found[2].ends_with("unknown key `titel`"), "{found:#?}");
    assert!(found[4].ends_with("unknown key `serach`"), "{found:#?}");
}

#[test]
fn edit_url_must_be_a_web_address() {
    for bad in [
        "javascript:alert(document.domain)//{path}",
        "JAVASCRIPT:alert(1)//{path}",
        "data:text/html,x{path}",
        "//evil.example/{path}",
        "{path}",
        "https:///{path}",
        "https://e\u{0}x/{path}",
    ] {
        let text = format!("title: x\nedit-url: {bad:?}\n");
        let err = load_text(&text).unwrap_err();
        assert_eq!(err.0.len(), 1, "{bad}: {err}");
        assert_eq!(err.0[0].line, 2, "{bad}: {err}");
    }
    let config = load_text("edit-url: https://git.example.org/edit/{path}\n").unwrap();
    assert!(config.edit_url.is_some());
}

#[test]
fn language_must_be_a_language_tag() {
    for bad in ["123", "e", "en_GB", "-en", "en-", "toolongtag", "12-AB"] {
        let text = format!("title: x\nlanguage: {bad:?}\n");
        assert!(load_text(&text).is_err(), "{bad}");
    }
    assert!(load_text("title: x\nlanguage: 123\n").is_err());
    for good in ["en", "pt-BR", "zh-Hant-TW", "es-419", "x-private"] {
        let text = format!("title: x\nlanguage: {good}\n");
        assert!(load_text(&text).is_ok(), "{good}");
    }
}

#[test]
fn a_path_in_base_url_is_the_prefix_unless_both_say_one() {
    let config = load_text("base-url: https://coop.org/handbook/\n").unwrap();
    assert_eq!(config.site.base_url.as_deref(), Some("https://coop.org"));
    assert_eq!(config.site.path_prefix, "/handbook/");
    let err = load_text("base-url: https://coop.org/docs\npath-prefix: /docs/\n").unwrap_err();
    assert_eq!(err.0[0].line, 1);
}

#[test]
fn misspelt_key_gets_a_suggestion() {
    let err = load_text("title: x\nlegacy-url: []\n").unwrap_err();
    assert_eq!(err.0[0].line, 2);
    assert_eq!(
        err.0[0].help.as_deref(),
        Some("did you mean `legacy-urls`?")
    );
}

#[test]
fn wrong_type_is_an_error_with_position() {
    let err = load_text("title: x\nlegacy-urls: 3\n").unwrap_err();
    assert_eq!((err.0[0].line, err.0[0].column), (2, 14));
}

#[test]
fn prefix_and_legacy_urls_are_normalised() {
    let text = "path-prefix: /handbook\nlegacy-urls: [https://old.example/trial]\nbase-url: https://e.org/\n";
    let config = load_text(text).unwrap();
    assert_eq!(config.site.path_prefix, "/handbook/");
    assert_eq!(config.legacy_urls, ["https://old.example/trial/"]);
    assert_eq!(config.site.base_url.as_deref(), Some("https://e.org"));
}

#[test]
fn missing_file_says_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let err = load(dir.path(), None, None)
        .unwrap_err()
        .downcast::<ConfigError>()
        .unwrap();
    assert!(err.0[0].help.as_deref().unwrap().contains("handbook new"));
}
