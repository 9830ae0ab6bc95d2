//! Another tool's configuration as a `handbook.yaml`: mdBook's `book.toml`
//! and GitBook Git Sync's `.gitbook.yaml` are translated into the text of the
//! `handbook.yaml` that says the same, which is then read like any other.
//! So `handbook import` (which writes that text) and a build straight from
//! the foreign file give the same site, by construction.
//!
//! Takes the foreign file's text; gives a [`Translation`]: the YAML, a map
//! from each of its lines back to the place in the foreign file the value
//! came from (so a bad value is reported where the user wrote it), and one
//! warning for each part that is not carried over.

use super::{Config, ConfigError};
use crate::diagnostic::Diagnostic;
use std::path::Path;

/// A foreign configuration, said as a `handbook.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translation {
    /// The file it came from, as the user sees it (`book.toml`).
    pub label: String,
    /// The same file's path.
    pub file: std::path::PathBuf,
    /// The `handbook.yaml` text.
    pub yaml: String,
    /// For a line of `yaml`, the line and column in the foreign file.
    places: Vec<(u32, (u32, u32))>,
    /// What is not carried over, one warning each, at its place.
    pub warnings: Vec<Diagnostic>,
    /// Values of the wrong type, reported with the configuration's own problems.
    pub(super) errors: Vec<Diagnostic>,
}

impl Translation {
    /// An empty translation of the file labelled `label`.
    pub(super) fn new(label: &str, heading: &str) -> Self {
        let mut translation = Self {
            label: label.to_string(),
            ..Self::default()
        };
        translation.comment(heading);
        translation
    }

    /// Reads the translated YAML as the configuration of `root`; a problem
    /// in it is reported at the foreign file's line.
    pub fn config(&self, root: &Path, output: Option<&Path>) -> Result<Config, ConfigError> {
        let read = super::from_text(&self.yaml, &self.label, root, output, true);
        let mut problems = self.errors.clone();
        match read {
            Ok(mut config) if problems.is_empty() => {
                config.warnings = self.warnings.clone();
                for redirect in &mut config.carried.redirects {
                    redirect.at = self.place(redirect.at.0);
                }
                config.carried.home_at = self.place(config.carried.home_at.0);
                return Ok(config.at(self.file.clone()));
            }
            Ok(_) => {}
            Err(ConfigError(found)) => problems.extend(found.into_iter().map(|d| self.placed(d))),
        }
        problems.sort();
        Err(ConfigError(problems))
    }

    fn placed(&self, mut problem: Diagnostic) -> Diagnostic {
        (problem.line, problem.column) = self.place(problem.line);
        problem
    }

    /// The foreign file's line and column of the value on YAML line `line`
    /// (`0:0`, the whole file, for a default the file does not state).
    fn place(&self, line: u32) -> (u32, u32) {
        self.places
            .iter()
            .find(|(l, _)| *l == line)
            .map_or((0, 0), |(_, at)| *at)
    }

    /// A warning about a part not carried over.
    pub(super) fn warn(&mut self, (line, column): (u32, u32), message: String, help: &str) {
        self.warnings
            .push(Diagnostic::warning(&self.label, line, column, message).with_help(help));
    }

    fn push_line(&mut self, line: String, at: Option<(u32, u32)>) {
        self.yaml.push_str(&line);
        self.yaml.push('\n');
        let number = self.yaml.lines().count() as u32;
        if let Some(at) = at {
            self.places.push((number, at));
        }
    }

    /// A `# comment` line.
    pub(super) fn comment(&mut self, text: &str) {
        self.push_line(format!("# {text}"), None);
    }

    /// The `source` key, and how protocols are kept: a book brought from
    /// mdBook or GitBook has no committed `protocols/` to compare with what
    /// its notes derive (`drift: off`; `handbook protocols` still writes
    /// them), and a source folder that is the project root keeps them in
    /// `.handbook/protocols` (out of the walk), so a page folder named
    /// `protocols/` stays the editor's.
    pub(super) fn source(&mut self, folder: &str, at: (u32, u32)) {
        self.text(0, "source", folder, at);
        self.open(0, "protocols");
        self.word(1, "drift", "off", (0, 0));
        if folder == "." {
            self.text(1, "folder", ".handbook/protocols", (0, 0));
        }
    }

    /// `key: "text"`, indented by `depth` levels.
    pub(super) fn text(&mut self, depth: usize, key: &str, value: &str, at: (u32, u32)) {
        self.push_line(
            format!("{}{key}: {}", indent(depth), quoted(value)),
            Some(at),
        );
    }

    /// `key: word` for a boolean or a keyword value.
    pub(super) fn word(&mut self, depth: usize, key: &str, value: &str, at: (u32, u32)) {
        self.push_line(format!("{}{key}: {value}", indent(depth)), Some(at));
    }

    /// `key:` opening a mapping or list below it.
    pub(super) fn open(&mut self, depth: usize, key: &str) {
        self.push_line(format!("{}{key}:", indent(depth)), None);
    }

    /// `"key": "text"` in a mapping of free keys.
    pub(super) fn entry(&mut self, depth: usize, key: &str, value: &str, at: (u32, u32)) {
        let line = format!("{}{}: {}", indent(depth), quoted(key), quoted(value));
        self.push_line(line, Some(at));
    }

    /// `- "text"` in a list.
    pub(super) fn item(&mut self, depth: usize, value: &str, at: (u32, u32)) {
        self.push_line(format!("{}- {}", indent(depth), quoted(value)), Some(at));
    }

    /// `key:` and one item per value, unless there are none.
    pub(super) fn list(&mut self, key: &str, values: &[(String, (u32, u32))]) {
        if values.is_empty() {
            return;
        }
        self.open(0, key);
        for (value, at) in values {
            self.item(1, value, *at);
        }
    }
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

/// A YAML double-quoted scalar: JSON's string syntax is a part of YAML's.
fn quoted(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub(super) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u32 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..].chars().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 10), (2, 4));
    }

    #[test]
    fn a_bad_value_is_reported_where_it_was_written() {
        let mut translation = Translation::new("book.toml", "test");
        translation.text(0, "language", "not a tag", (7, 12));
        let dir = tempfile::tempdir().unwrap();
        let error = translation.config(dir.path(), None).unwrap_err();
        assert_eq!(error.0[0].file, "book.toml");
        assert_eq!((error.0[0].line, error.0[0].column), (7, 12), "{error}");
    }

    #[test]
    fn text_is_quoted_so_any_value_survives() {
        let mut translation = Translation::new("book.toml", "test");
        translation.text(0, "title", "a: \"b\" # c\n", (1, 1));
        let dir = tempfile::tempdir().unwrap();
        let config = translation.config(dir.path(), None).unwrap();
        assert_eq!(config.site.title, "a: \"b\" # c\n");
    }
}
