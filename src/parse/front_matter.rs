//! Optional YAML front matter between `---` lines at the top of a page →
//! [`FrontMatter`]. Errors are reported at the line and column in the page
//! itself (the block's offset is added), and a bad `updated` date at its value.

use super::dates::Date;
use crate::diagnostic::Diagnostic;
use crate::yaml::{self, Spanned};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a page's front matter may say.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FrontMatter {
    /// Overrides the title from the page's H1.
    pub title: Option<String>,
    /// One sentence for `<meta name="description">`.
    pub description: Option<String>,
    /// The date the page was last updated; beats an `Updated:` line.
    pub updated: Option<Spanned<String>>,
    /// Built, but left out of the navigation and previous/next.
    #[serde(default)]
    pub hidden: bool,
    /// A visible page status ("Placeholder", "Draft").
    pub status: Option<String>,
    /// The spaces where what the page describes happens (ids from the configuration).
    #[serde(default)]
    pub spaces: Vec<Spanned<String>>,
    /// Paths this page had in earlier editions (`old/name.md`): the version
    /// switcher and the Changes page follow a renamed page through them.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Free keys for themes.
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A page split into its front matter (if any) and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, and the page line it starts on.
    pub yaml: Option<(&'a str, u32)>,
    /// The markdown after the closing fence.
    pub body: &'a str,
    /// The page line on which the body starts.
    pub body_line: u32,
}

/// Splits off a front-matter block: the page's first line is `---` and a later
/// line is `---` or `...`. Anything else is all body.
pub fn split(text: &str) -> Split<'_> {
    let whole = Split {
        yaml: None,
        body: text,
        body_line: 1,
    };
    // The opening fence may carry trailing spaces, as the closing one may.
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return whole;
    }
    let rest = &text[first_end..];
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        if matches!(line.trim_end(), "---" | "...") {
            let body = &rest[offset + line.len()..];
            return Split {
                yaml: Some((&rest[..offset], 2)),
                body,
                body_line: index as u32 + 3,
            };
        }
        offset += line.len();
    }
    whole
}

/// Reads the front matter of `file` with every problem in it; a key whose
/// value is wrong takes its default and the others keep theirs (all take
/// defaults when the YAML itself is broken).
pub fn parse(yaml_text: &str, first_line: u32, file: &str) -> (FrontMatter, Vec<Diagnostic>) {
    let (front, problems) = yaml::parse_each::<FrontMatter>(yaml_text, file, first_line);
    (front.unwrap_or_default(), problems)
}

/// The `updated` date, or a diagnostic at the value when it is not a date.
pub fn updated(
    front: &FrontMatter,
    first_line: u32,
    file: &str,
) -> Result<Option<Date>, Diagnostic> {
    let Some(value) = &front.updated else {
        return Ok(None);
    };
    Date::parse(&value.value).map(Some).ok_or_else(|| {
        let (line, column) = yaml::position(value);
        Diagnostic::error(
            file,
            first_line + line - 1,
            column,
            format!("`{}` is not a date", value.value),
        )
        .with_help("write dates as `2023-03-14`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_keeps_body_lines() {
        let s = split("---\ntitle: A\n---\n# A\n");
        assert_eq!(s.yaml, Some(("title: A\n", 2)));
        assert_eq!((s.body, s.body_line), ("# A\n", 4));
    }

    #[test]
    fn fences_may_carry_trailing_spaces() {
        let s = split("--- \r\ntitle: A\n---  \n# A\n");
        assert_eq!((s.yaml, s.body), (Some(("title: A\n", 2)), "# A\n"));
    }

    #[test]
    fn no_closing_fence_means_no_front_matter() {
        let s = split("---\ntitle: A\n# A\n");
        assert_eq!((s.yaml, s.body_line), (None, 1));
    }

    #[test]
    fn a_rule_later_in_the_page_is_not_front_matter() {
        assert_eq!(split("# A\n---\n").yaml, None);
    }

    #[test]
    fn yaml_errors_point_into_the_page() {
        let (front, problems) = parse("title: A\ntitel: B\nupdated: [x]\n", 2, "h/a.md");
        assert_eq!(problems.len(), 2, "every problem: {problems:#?}");
        assert_eq!(front.title.as_deref(), Some("A"), "the good keys are kept");
        let d = &problems[0];
        assert_eq!(d.headline(), "h/a.md:3:1: error: unknown key `titel`");
        assert_eq!(d.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn bad_dates_point_at_the_value() {
        let (front, _) = parse("title: A\nupdated: soon\n", 2, "a.md");
        let d = updated(&front, 2, "a.md").unwrap_err();
        assert_eq!((d.line, d.column), (3, 10));
        let (front, _) = parse("updated: 2023-03-14\n", 2, "a.md");
        assert_eq!(
            updated(&front, 2, "a.md").unwrap().unwrap().iso(),
            "2023-03-14"
        );
    }

    #[test]
    fn extra_keys_are_free() {
        let (front, problems) = parse("extra:\n  owner: circle\n  n: 3\n", 2, "a.md");
        assert!(problems.is_empty());
        assert_eq!(front.extra["owner"], serde_json::json!("circle"));
    }
}
