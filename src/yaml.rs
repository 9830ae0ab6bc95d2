//! The one place YAML is read: configuration and front matter go through
//! [`parse_each`], which turns every YAML or shape error into a [`Diagnostic`]
//! at the file's own line and column (front matter passes the line its block
//! starts on), with "did you mean" for a misspelt key or value, and reads on
//! past a wrong entry so that all of them are reported together.
//!
//! The reader is serde-saphyr: pure Rust, a location on every error, and
//! budgets against alias bombs. Swapping it means changing this file only.

use crate::diagnostic::Diagnostic;
use serde::de::DeserializeOwned;

/// A value with the place it was written, for checks made after parsing.
pub use serde_saphyr::Spanned;

/// The 1-based line and column where a spanned value was written.
pub fn position<T>(value: &Spanned<T>) -> (u32, u32) {
    (
        value.referenced.line() as u32,
        value.referenced.column() as u32,
    )
}

/// Deserializes `text` into `T`, reporting every shape problem at once, as
/// pages do. `first_line` is the 1-based line of `file` on which `text`
/// starts; an empty document is read as an empty mapping. After a wrong
/// value, type or key, the
/// top-level entry holding it is set aside (its lines blanked, so every other
/// place keeps its line) and the rest is read again. Gives the value read
/// from what was left (`None` when nothing could be read) and the problems
/// in the order found. A syntax error ends the reading: what follows it
/// cannot be trusted.
pub fn parse_each<T: DeserializeOwned>(
    text: &str,
    file: &str,
    first_line: u32,
) -> (Option<T>, Vec<Diagnostic>) {
    let mut text = text.to_string();
    let mut problems = Vec::new();
    loop {
        let source = if text.trim().is_empty() { "{}" } else { &text };
        let error = match serde_saphyr::from_str(source) {
            Ok(value) => return (Some(value), problems),
            Err(error) => error,
        };
        problems.push(to_diagnostic(&error, file, first_line));
        let line = error.location().map_or(0, |l| l.line() as usize);
        let Some(rest) = (if recoverable(original(&error)) {
            without_entry_at(&text, line)
        } else {
            None
        }) else {
            return (None, problems);
        };
        text = rest;
    }
}

/// Whether reading can go on past `error`: a wrong value, type or key in a
/// document that is otherwise well formed.
fn recoverable(error: &serde_saphyr::Error) -> bool {
    use serde_saphyr::Error as E;
    matches!(
        error,
        E::Unexpected { .. }
            | E::SerdeInvalidType { .. }
            | E::SerdeInvalidValue { .. }
            | E::SerdeInvalidLength { .. }
            | E::SerdeUnknownVariant { .. }
            | E::SerdeUnknownField { .. }
            | E::SerdeMissingField { .. }
            | E::DuplicateMappingKey { .. }
            | E::InvalidBooleanStrict { .. }
            | E::InvalidScalar { .. }
            | E::NullIntoString { .. }
            | E::Message { .. }
    )
}

/// `text` with the top-level entry that holds 1-based `line` blanked: from
/// the last line at or before it that starts a key in the first column to
/// the next such line. `None` when no entry holds it.
fn without_entry_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let starts_entry = |l: &&str| {
        l.starts_with(|c: char| !c.is_whitespace() && !matches!(c, '#' | '-' | '}' | ']'))
    };
    let index = line.checked_sub(1).filter(|&i| i < lines.len())?;
    let first = (0..=index).rev().find(|&i| starts_entry(&lines[i]))?;
    let end = (first + 1..lines.len())
        .find(|&i| starts_entry(&lines[i]))
        .unwrap_or(lines.len());
    let kept: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| if (first..end).contains(&i) { "" } else { l })
        .collect();
    Some(kept.join("\n"))
}

fn to_diagnostic(error: &serde_saphyr::Error, file: &str, first_line: u32) -> Diagnostic {
    let (line, column) = error
        .location()
        .map_or((1, 1), |l| (l.line() as u32, l.column() as u32));
    let inner = original(error);
    let (message, help) = match inner {
        serde_saphyr::Error::SerdeUnknownField {
            field, expected, ..
        } => (
            format!("unknown key `{field}`"),
            Some(suggest(field, expected, "key")),
        ),
        serde_saphyr::Error::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            format!("unknown value `{variant}`"),
            Some(suggest(variant, expected, "value")),
        ),
        serde_saphyr::Error::Budget { breach, .. } => budget_words(breach),
        other => plain_words(
            &strip_position(&other.to_string()),
            error.location().map_or(1, |l| l.line()),
        ),
    };
    let diagnostic = Diagnostic::error(file, first_line + line - 1, column, message);
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// The error itself, without the reader's wrappers (a source snippet, the
/// alias through which the value was reached).
fn original(mut error: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::AliasError { error: inner, .. }
    | serde_saphyr::Error::WithSnippet { error: inner, .. } = error
    {
        error = inner;
    }
    error
}

/// Which of the reader's limits against oversized or self-multiplying YAML
/// (an "alias bomb") the text went past, in an editor's words.
fn budget_words(breach: &serde_saphyr::budget::BudgetBreach) -> (String, Option<String>) {
    use serde_saphyr::budget::BudgetBreach as Breach;
    let limits = serde_saphyr::Budget::default();
    let said = match breach {
        Breach::Nodes { .. } => format!(
            "this YAML expands to more than {} values (aliases repeating an anchor?)",
            limits.max_nodes
        ),
        Breach::Events { .. } => format!(
            "this YAML expands to more than {} parts (aliases repeating an anchor?)",
            limits.max_events
        ),
        Breach::Aliases { .. } => format!(
            "this YAML has more than {} aliases (`*name`)",
            limits.max_aliases
        ),
        Breach::Anchors { .. } => format!(
            "this YAML has more than {} anchors (`&name`)",
            limits.max_anchors
        ),
        Breach::AliasAnchorRatio { aliases, anchors } => format!(
            "this YAML repeats its anchors too often ({aliases} aliases of {anchors} anchors)"
        ),
        Breach::Depth { .. } => format!("this YAML nests deeper than {} levels", limits.max_depth),
        Breach::Documents { .. } => format!(
            "this YAML has more than {} documents (`---` lines)",
            limits.max_documents
        ),
        Breach::MergeKeys { .. } => format!(
            "this YAML has more than {} merge keys (`<<`)",
            limits.max_merge_keys
        ),
        Breach::ScalarBytes { .. } => format!(
            "this YAML's text is longer than {} MiB",
            limits.max_total_scalar_bytes >> 20
        ),
        _ => "this YAML is too large or too deeply nested to read".to_string(),
    };
    let help = "configuration and front matter are short: write the values out, \
                without aliases (`*name`) that repeat large anchors";
    (said, Some(help.to_string()))
}

/// The reader's words for common shape errors, in an editor's words.
fn plain_words(message: &str, line: u64) -> (String, Option<String>) {
    if let Some(key) = message
        .strip_prefix("missing field `")
        .and_then(|k| k.strip_suffix('`'))
    {
        return (
            format!("`{key}` is missing here"),
            Some(format!("add `{key}: …`")),
        );
    }
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key);
        return (
            format!("`{key}` is set twice"),
            Some("keep one of them".into()),
        );
    }
    let (said, help) = match message {
        "expected string scalar" => (
            "expected text here",
            "write a plain value; quote it if it starts with `[`, `{`, `*` or `&`",
        ),
        "expected sequence start" => (
            "expected a list here",
            "write one `- item` per line below the key, or `[a, b]`",
        ),
        "expected mapping start" | "expected mapping" if line <= 1 => (
            "expected `key: value` lines",
            "the file is a list of keys and values, such as `title: Our handbook`",
        ),
        "expected mapping start" | "expected mapping" => (
            "expected keys and values here",
            "indent `key: value` lines under this key",
        ),
        _ => return (message.to_string(), None),
    };
    (said.to_string(), Some(help.to_string()))
}

/// serde-saphyr appends " at line L, column C" to its messages; the diagnostic
/// carries the position itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// "did you mean `title`?" when a known name is close, else the list of names.
pub fn suggest(given: &str, known: &[&str], what: &str) -> String {
    match closest(given, known.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if known.is_empty() => format!("no {what} is allowed here"),
        None => format!("expected one of: {}", known.join(", ")),
    }
}

/// The known name nearest to `given`, if it is near enough to be a typo.
pub fn closest<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim::jaro_winkler(given, k), k))
        .filter(|(score, _)| *score > 0.8)
        // Ties go to the name first in order, so the hint never depends on hashing.
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// The value, or the first problem.
    fn parse<T: DeserializeOwned>(text: &str, file: &str, line: u32) -> Result<T, Diagnostic> {
        match parse_each(text, file, line) {
            (Some(value), problems) if problems.is_empty() => Ok(value),
            (_, problems) => Err(problems.into_iter().next().expect("a problem")),
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Sample {
        title: Option<String>,
        base_url: Option<String>,
        count: Option<u32>,
    }

    #[test]
    fn every_wrong_entry_is_reported_and_the_rest_is_read() {
        let text = "title: a\nbase-ulr: x\ncount: many\n# note\ncount2:\n  - 1\nbase-url: b\n";
        let (value, problems) = parse_each::<Sample>(text, "handbook.yaml", 1);
        let found: Vec<String> = problems.iter().map(Diagnostic::headline).collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("handbook.yaml:2:1: error: unknown key `base-ulr`"));
        assert!(found[1].starts_with("handbook.yaml:3:8: "), "{}", found[1]);
        assert!(found[2].starts_with("handbook.yaml:5:1: error: unknown key `count2`"));
        let expected = Sample {
            title: Some("a".into()),
            base_url: Some("b".into()),
            count: None,
        };
        assert_eq!(value, Some(expected), "what was right is kept");
    }

    #[test]
    fn a_syntax_error_ends_the_reading() {
        let (value, problems) =
            parse_each::<Sample>("title: \"a\ncount: many\n", "handbook.yaml", 1);
        assert_eq!(value, None);
        assert_eq!(problems.len(), 1, "{problems:#?}");
    }

    #[test]
    fn a_well_formed_document_has_no_problems() {
        let (value, problems) = parse_each::<Sample>("", "a.md", 2);
        assert!(problems.is_empty());
        assert_eq!(value.map(|v| v.title), Some(None));
    }

    #[test]
    fn misspelt_key_is_located_and_suggested() {
        let err = parse::<Sample>("title: a\nbase-ulr: x\n", "handbook.yaml", 1).unwrap_err();
        assert_eq!(
            err.headline(),
            "handbook.yaml:2:1: error: unknown key `base-ulr`"
        );
        assert_eq!(err.help.as_deref(), Some("did you mean `base-url`?"));
    }

    #[test]
    fn wrong_type_is_located_with_the_offset() {
        let err = parse::<Sample>("count: many\n", "a.md", 2).unwrap_err();
        assert_eq!((err.line, err.column), (2, 8));
        assert!(err.message.contains("u32"), "{}", err.message);
    }

    #[test]
    fn syntax_error_is_located() {
        let err = parse::<Sample>("title: [a\n", "a.md", 1).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(!err.message.contains(" at line "), "{}", err.message);
    }

    #[test]
    fn empty_document_is_an_empty_mapping() {
        let s: Sample = parse("\n", "a.md", 1).unwrap();
        assert_eq!(
            s,
            Sample {
                title: None,
                base_url: None,
                count: None
            }
        );
    }

    #[test]
    fn ties_go_to_the_first_name_whatever_the_order() {
        let a = closest("alpha3", ["alpha2", "alpha1", "alpha4"].into_iter());
        let b = closest("alpha3", ["alpha4", "alpha1", "alpha2"].into_iter());
        assert_eq!((a, b), (Some("alpha1"), Some("alpha1")));
    }

    #[test]
    fn far_names_list_the_choices() {
        assert_eq!(
            suggest("zzz", &["title", "hidden"], "key"),
            "expected one of: title, hidden"
        );
    }

    #[test]
    fn an_alias_bomb_is_told_in_plain_words_at_its_line() {
        let mut bomb = String::from("title: x\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
        for (n, previous) in ["b", "c", "d", "e", "f", "g"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f"])
        {
            bomb.push_str(&format!("{n}: &{n} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
        }
        let problem = parse::<serde_json::Value>(&bomb, "handbook.yaml", 1).unwrap_err();
        assert!(
            problem.message.starts_with("this YAML "),
            "{}",
            problem.message
        );
        assert!(!problem.message.contains("breach"), "{}", problem.message);
        assert!(problem.line >= 2, "{problem:?}");
    }
}
