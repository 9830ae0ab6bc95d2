//! GitBook Git Sync's `.gitbook.yaml` → a [`Translation`] into `handbook.yaml`.
//!
//! Takes the file's text; gives the translation, or the file's problem at its
//! line and column (a misspelt key with "did you mean"). `root:` is the
//! source folder (the repository itself when not given), `structure.readme`
//! the home page, `structure.summary` the SUMMARY file, and `redirects:` old
//! addresses that lead on to pages; GitBook keeps its files in
//! `.gitbook/assets/` under the root, which the walk reads as assets. Every
//! path in the file is relative to the root, as in GitBook.

use super::ConfigError;
use super::foreign::Translation;
use crate::yaml::{self, Spanned};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGitSync {
    root: Option<Spanned<String>>,
    #[serde(default)]
    structure: RawStructure,
    #[serde(default)]
    redirects: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStructure {
    readme: Option<Spanned<String>>,
    summary: Option<Spanned<String>>,
}

/// The translation of `.gitbook.yaml` text labelled `label`.
pub(super) fn translate(text: &str, label: &str) -> Result<Translation, ConfigError> {
    let raw: RawGitSync = match yaml::parse_each(text, label, 1) {
        (Some(raw), problems) if problems.is_empty() => raw,
        (_, problems) => return Err(ConfigError(problems)),
    };
    let mut out = Translation::new(label, "Translated from .gitbook.yaml by `handbook import`.");
    let (root, at) = raw.root.map_or_else(
        || (".".to_string(), (0, 0)),
        |r| (folder(&r.value), yaml::position(&r)),
    );
    out.source(&root, at);
    if let Some(summary) = &raw.structure.summary {
        out.text(
            0,
            "summary",
            summary.value.trim_start_matches("./"),
            yaml::position(summary),
        );
    }
    if let Some(readme) = &raw.structure.readme {
        out.text(
            0,
            "home",
            readme.value.trim_start_matches("./"),
            yaml::position(readme),
        );
    }
    if !raw.redirects.is_empty() {
        out.open(0, "redirects");
        for (from, to) in &raw.redirects {
            out.entry(1, from, &page_target(&to.value), yaml::position(to));
        }
    }
    Ok(out)
}

/// `./docs/` → `docs`; the repository itself → `.`.
fn folder(root: &str) -> String {
    let trimmed = root.trim().trim_start_matches("./").trim_matches('/');
    if trimmed.is_empty() {
        ".".into()
    } else {
        trimmed.to_string()
    }
}

/// A redirect's target: GitBook names a file (relative to the root); a
/// leading `./` or `/` is dropped.
fn page_target(to: &str) -> String {
    let to = to.trim();
    if to.contains("://") {
        return to.to_string();
    }
    to.trim_start_matches("./")
        .trim_start_matches('/')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn every_key_is_carried_over() {
        let text = "root: ./docs/\nstructure:\n  readme: intro.md\n  summary: toc/SUMMARY.md\nredirects:\n  old/page: ./new/page.md\n";
        let out = translate(text, ".gitbook.yaml").unwrap();
        for line in [
            "source: \"docs\"",
            "summary: \"toc/SUMMARY.md\"",
            "home: \"intro.md\"",
            "  \"old/page\": \"new/page.md\"",
        ] {
            assert!(out.yaml.lines().any(|l| l == line), "{line}\n{}", out.yaml);
        }
        let out = translate("", ".gitbook.yaml").unwrap();
        assert!(out.yaml.contains("source: \".\""), "{}", out.yaml);
    }

    #[test]
    fn a_misspelt_key_is_an_error_with_a_suggestion() {
        let error =
            translate("root: docs\nstructure:\n  sumary: S.md\n", ".gitbook.yaml").unwrap_err();
        assert_eq!(error.0[0].line, 3, "{error}");
        assert_eq!(error.0[0].help.as_deref(), Some("did you mean `summary`?"));
    }
}
