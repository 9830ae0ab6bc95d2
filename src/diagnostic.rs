//! Content problems as values: a [`Diagnostic`] names a file as the editor sees
//! it, a 1-based line and column, a severity, a message and an optional hint.
//!
//! Every stage returns its diagnostics instead of stopping, so one run reports
//! every broken link, bad front matter and malformed SUMMARY entry together.
//! [`Diagnostics::sorted`] gives a deterministic order (file, line, column), and
//! [`render`] prints them as `path:line:col: error: message` with the source line
//! and a caret under the column, in colour only when asked to.

use std::fmt::Write as _;

/// How serious a diagnostic is: errors fail a build, warnings do not.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    /// Fails the build (exit code 1) unless configuration lowers it.
    Error,
    /// Reported, the build still succeeds.
    Warning,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One content problem at one place.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Diagnostic {
    /// The file as the editor sees it, relative to the project root (`handbook/a.md`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column in characters; 0 when unknown.
    pub column: u32,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it ("did you mean `forum`?"), when the tool can tell.
    pub help: Option<String>,
    /// More lines shown under it as they are (a diff).
    pub detail: Option<String>,
}

impl Diagnostic {
    /// An error at `file:line:column`.
    pub fn error(
        file: impl Into<String>,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, file.into(), line, column, message.into())
    }

    /// A warning at `file:line:column`.
    pub fn warning(
        file: impl Into<String>,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, file.into(), line, column, message.into())
    }

    fn new(severity: Severity, file: String, line: u32, column: u32, message: String) -> Self {
        Self {
            file,
            line,
            column,
            severity,
            message,
            help: None,
            detail: None,
        }
    }

    /// Adds a hint saying what to do.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds lines shown under the diagnostic as they are.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Whether this diagnostic fails a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col: severity: message`, the one-line form editors and CI parse.
    pub fn headline(&self) -> String {
        format!(
            "{}: {}: {}",
            self.place(),
            self.severity.label(),
            self.message
        )
    }

    /// `path:line:col`, as far as it is known.
    pub fn place(&self) -> String {
        let mut out = self.file.clone();
        if self.line > 0 {
            let _ = write!(out, ":{}", self.line);
            if self.column > 0 {
                let _ = write!(out, ":{}", self.column);
            }
        }
        out
    }
}

/// `bytes` as text. Valid UTF-8 is kept as it is; otherwise each invalid
/// byte becomes U+FFFD, and the error names the first one's line and column
/// in `file`.
pub fn utf8_text(bytes: Vec<u8>, file: &str) -> (String, Option<Diagnostic>) {
    let error = match String::from_utf8(bytes) {
        Ok(text) => return (text, None),
        Err(error) => error,
    };
    let at = error.utf8_error().valid_up_to();
    let bytes = error.as_bytes();
    let before = String::from_utf8_lossy(&bytes[..at]);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let message = format!(
        "this file is not valid UTF-8: the byte 0x{:02X} here is not part of a character; \
         invalid bytes are shown as �",
        bytes[at]
    );
    let diagnostic = Diagnostic::error(file, to_u32(line), to_u32(column), message)
        .with_help("save the file as UTF-8 (your editor's \"encoding\" setting)");
    (
        String::from_utf8_lossy(bytes).into_owned(),
        Some(diagnostic),
    )
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A bag of diagnostics collected across stages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Each diagnostic, in the order collected.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The diagnostics in report order: by file, line, column, then message;
    /// exact duplicates (the same link broken twice on one line) appear once.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort();
        self.0.dedup();
        self.0
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, iter: T) {
        self.0.extend(iter);
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Renders one diagnostic for a terminal: the headline, then the source line
/// with a caret under the column when `source_line` is known, then the hint.
/// `colour` adds ANSI styles (the CLI always asks, and writes through
/// anstream, which drops them where the terminal, `NO_COLOR` or
/// `CLICOLOR_FORCE` say so).
pub fn render(diagnostic: &Diagnostic, source_line: Option<&str>, colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let severity_style = match diagnostic.severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
    };
    let mut out = diagnostic.headline();
    if colour {
        let label = format!("{}:", diagnostic.severity.label());
        out = out.replacen(&label, &paint(severity_style, &label), 1);
    }
    out.push('\n');
    if let Some(text) = source_line.filter(|_| diagnostic.line > 0) {
        let number = diagnostic.line.to_string();
        let gutter = " ".repeat(number.len());
        let (shown, caret_at) = window(text.trim_end(), diagnostic.column as usize);
        let _ = writeln!(
            out,
            "{} {} {}",
            paint("34", &number),
            paint("34", "|"),
            shown
        );
        if diagnostic.column > 0 {
            let pad: String = shown
                .chars()
                .take(caret_at)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(
                out,
                "{gutter} {} {pad}{}",
                paint("34", "|"),
                paint(severity_style, "^")
            );
        }
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "  = help: {help}");
    }
    for line in diagnostic.detail.iter().flat_map(|d| d.lines()) {
        let _ = writeln!(out, "    {line}");
    }
    out
}

/// Long lines (a GitBook paragraph is one line) are cut to a window around
/// the column; gives the shown text and the caret's index in it.
fn window(text: &str, column: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    let chars: Vec<char> = text.chars().collect();
    let at = column.saturating_sub(1).min(chars.len());
    if chars.len() <= WIDTH {
        return (text.to_string(), at);
    }
    let start = at.saturating_sub(WIDTH / 2).min(chars.len() - WIDTH);
    let end = start + WIDTH;
    let mut shown: String = if start > 0 {
        "…".into()
    } else {
        String::new()
    };
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, at - start + usize::from(start > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_placed_at_its_first_bad_byte() {
        let (text, problem) = utf8_text(b"# T\n\nd\xC3\xA9j\xE0 vu\n\xFF".to_vec(), "a.md");
        assert_eq!(text, "# T\n\nd\u{e9}j\u{FFFD} vu\n\u{FFFD}");
        let problem = problem.expect("a problem");
        assert_eq!((problem.line, problem.column), (3, 4));
        assert!(problem.message.contains("0xE0"), "{}", problem.message);
        assert_eq!(utf8_text(b"fine".to_vec(), "a.md"), ("fine".into(), None));
    }

    #[test]
    fn headline_has_the_editor_form() {
        let d = Diagnostic::error("handbook/a.md", 3, 7, "broken link to `b.md`");
        assert_eq!(
            d.headline(),
            "handbook/a.md:3:7: error: broken link to `b.md`"
        );
    }

    #[test]
    fn headline_without_position_names_only_the_file() {
        let d = Diagnostic::warning("handbook/SUMMARY.md", 0, 0, "not listed");
        assert_eq!(d.headline(), "handbook/SUMMARY.md: warning: not listed");
    }

    #[test]
    fn render_points_at_the_column_and_gives_help() {
        let d = Diagnostic::error("a.md", 12, 5, "unknown key").with_help("did you mean `title`?");
        let text = render(&d, Some("the line here"), false);
        assert_eq!(
            text,
            "a.md:12:5: error: unknown key\n12 | the line here\n   |     ^\n  = help: did you mean `title`?\n"
        );
    }

    #[test]
    fn long_lines_are_windowed_around_the_column() {
        let line = format!("{}xxx{}", "a".repeat(300), "b".repeat(300));
        let d = Diagnostic::warning("a.md", 1, 301, "to-do");
        let text = render(&d, Some(&line), false);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].starts_with("1 | …a") && lines[1].ends_with("b…"),
            "{}",
            lines[1]
        );
        let caret = lines[2].chars().position(|c| c == '^').unwrap();
        let under: String = lines[1].chars().skip(caret).take(3).collect();
        assert_eq!(under, "xxx");
    }

    #[test]
    fn colour_is_only_added_when_asked() {
        let d = Diagnostic::error("a.md", 1, 1, "x");
        assert!(!render(&d, Some("y"), false).contains('\x1b'));
        assert!(render(&d, Some("y"), true).contains("\x1b[1;31merror:"));
    }

    #[test]
    fn sorted_orders_by_place_and_drops_duplicates() {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::error("b.md", 1, 1, "x"));
        all.push(Diagnostic::error("a.md", 9, 1, "x"));
        all.push(Diagnostic::error("a.md", 2, 1, "x"));
        all.push(Diagnostic::error("a.md", 2, 1, "x"));
        let places: Vec<_> = all.sorted().into_iter().map(|d| (d.file, d.line)).collect();
        assert_eq!(
            places,
            [("a.md".into(), 2), ("a.md".into(), 9), ("b.md".into(), 1)]
        );
    }
}
