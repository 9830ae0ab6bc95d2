//! mdBook's `book.toml` → a [`Translation`] into `handbook.yaml`.
//!
//! Takes the file's text; gives the translation, or every TOML syntax error
//! at its line and column. What `handbook.yaml` can say is carried over:
//! `[book]` title, description, authors, language and src, `[build]
//! build-dir`, and from `[output.html]` site-url, git-repository-url,
//! edit-url-template, additional-css/js, smart-punctuation (and the older
//! curly-quotes), mathjax-support, no-section-label (chapter numbers are
//! on unless it is true), redirect, search.enable and `code.hidelines`. A table or key that mdBook knows and we do not support
//! gets one warning naming it at its line; an unknown key gets one warning
//! with "did you mean". Neither ever fails the build: mdBook itself ignores
//! keys it does not know, so the book still builds as its authors expect.

use super::ConfigError;
use super::foreign::{Translation, line_column};
use crate::diagnostic::Diagnostic;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The translation of `book.toml` text labelled `label`.
pub(super) fn translate(text: &str, label: &str) -> Result<Translation, ConfigError> {
    let (document, errors) = DeTable::parse_recoverable(text);
    let mut reader = Reader {
        text,
        out: Translation::new(label, "Translated from book.toml by `handbook import`."),
        errors: Vec::new(),
        book: Book::default(),
    };
    for error in errors {
        let at = error.span().map_or((1, 1), |s| line_column(text, s.start));
        let message = error
            .message()
            .lines()
            .next()
            .unwrap_or("bad TOML")
            .to_string();
        reader.error(at, format!("book.toml is not valid TOML: {message}"));
    }
    if !reader.errors.is_empty() {
        return Err(ConfigError(reader.errors));
    }
    // Values of the wrong type are reported with the others the
    // configuration has, all in one run.
    reader.document(document.get_ref());
    let mut out = reader.book.write(reader.out);
    out.errors = reader.errors;
    out.warnings.sort();
    Ok(out)
}

/// A value and where it was written.
type At<T> = (T, (u32, u32));

/// What `book.toml` says that `handbook.yaml` can say too.
#[derive(Default)]
struct Book {
    title: Option<At<String>>,
    description: Option<At<String>>,
    authors: Vec<At<String>>,
    language: Option<At<String>>,
    src: Option<At<String>>,
    build_dir: Option<At<String>>,
    site_url: Option<At<String>>,
    repository: Option<At<String>>,
    edit_url: Option<At<String>>,
    css: Vec<At<String>>,
    js: Vec<At<String>>,
    smart: Option<At<bool>>,
    mathjax: Option<At<bool>>,
    search: Option<At<bool>>,
    no_numbers: Option<At<bool>>,
    redirects: Vec<(String, At<String>)>,
    hidelines: Vec<(String, At<String>)>,
}

/// Tables under `[output.html]` and keys of the tables we read that mdBook
/// knows and we leave out: (name, why).
const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "text-direction",
        "pages are laid out in the language's usual direction",
    ),
    (
        "theme",
        "mdBook's theme folder does not apply; see `themes/` in the README",
    ),
    (
        "cname",
        "write the CNAME file into the source folder, it is copied as it is",
    ),
    ("print", "there is no print-all page"),
    ("fold", "the sidebar shows the whole table of contents"),
    ("playground", "code blocks are not runnable"),
    (
        "sidebar-header-nav",
        "the page's headings are listed beside it instead",
    ),
    ("input-404", "the 404 page is `404.md` in the source folder"),
];

/// Keys mdBook knows that change nothing here (they tune mdBook's own
/// machinery): read without a word.
const QUIET: &[&str] = &[
    "multilingual",
    "create-missing",
    "use-default-preprocessors",
    "extra-watch-dirs",
    "git-repository-icon",
    "copy-fonts",
    "live-reload-endpoint",
    "hash-files",
    "default-theme",
    "preferred-dark-theme",
];

struct Reader<'t> {
    text: &'t str,
    out: Translation,
    errors: Vec<Diagnostic>,
    book: Book,
}

type Table<'i> = DeTable<'i>;
type Value<'i> = Spanned<DeValue<'i>>;

impl Reader<'_> {
    fn at<T>(&self, value: &Spanned<T>) -> (u32, u32) {
        line_column(self.text, value.span().start)
    }

    fn error(&mut self, (line, column): (u32, u32), message: String) {
        let label = self.out.label.clone();
        self.errors.push(
            Diagnostic::error(label, line, column, message)
                .with_help("see mdBook's documentation of book.toml for the value's form"),
        );
    }

    fn document(&mut self, document: &Table<'_>) {
        for (key, value) in document {
            match key.get_ref().as_ref() {
                "book" => self.each_key(value, "[book]", Self::book_key),
                "build" => self.each_key(value, "[build]", Self::build_key),
                "output" => self.each_key(value, "[output]", Self::output_key),
                "preprocessor" => self.each_key(value, "[preprocessor]", Self::preprocessor),
                "rust" => {}
                other => self.unknown(key, &format!("table `[{other}]`"), TOP),
            }
        }
    }

    /// Calls `on` for every key of the table `value`, named `name`.
    fn each_key<'i>(
        &mut self,
        value: &Value<'i>,
        name: &str,
        on: fn(&mut Self, &Spanned<std::borrow::Cow<'i, str>>, &Value<'i>),
    ) {
        match value.get_ref() {
            DeValue::Table(table) => {
                for (key, value) in table {
                    on(self, key, value);
                }
            }
            _ => self.error(self.at(value), format!("{name} must be a table")),
        }
    }

    fn book_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) {
        match key.get_ref().as_ref() {
            "title" => self.book.title = self.string(value, "title"),
            "description" => self.book.description = self.string(value, "description"),
            "authors" => self.book.authors = self.strings(value, "authors"),
            "language" => self.book.language = self.string(value, "language"),
            "src" => self.book.src = self.string(value, "src"),
            _ => self.other_key(key, "[book]", BOOK),
        }
    }

    fn build_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) {
        match key.get_ref().as_ref() {
            "build-dir" => self.book.build_dir = self.string(value, "build-dir"),
            _ => self.other_key(key, "[build]", BUILD),
        }
    }

    fn output_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) {
        match key.get_ref().as_ref() {
            "html" => self.each_key(value, "[output.html]", Self::html_key),
            other => {
                let message = format!(
                    "`[output.{other}]` is not supported: this tool makes the HTML site only"
                );
                self.out.warn(
                    self.at(key),
                    message,
                    "the table is left out; remove it, or keep building that output with mdBook",
                );
            }
        }
    }

    fn preprocessor(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, _: &Value<'_>) {
        let name = key.get_ref().as_ref();
        if !matches!(name, "links" | "index") {
            let message = format!(
                "`[preprocessor.{name}]` is not run: this tool runs no mdBook preprocessors"
            );
            self.out.warn(self.at(key), message, "the page text is built as written; `{{#include}}` and the other links forms are built in");
        }
    }

    fn html_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) {
        match key.get_ref().as_ref() {
            "site-url" => self.book.site_url = self.string(value, "site-url"),
            "git-repository-url" => self.book.repository = self.string(value, "git-repository-url"),
            "edit-url-template" => self.book.edit_url = self.string(value, "edit-url-template"),
            "additional-css" => self.book.css = self.strings(value, "additional-css"),
            "additional-js" => self.book.js = self.strings(value, "additional-js"),
            "smart-punctuation" | "curly-quotes" => self.book.smart = self.boolean(value, key),
            "mathjax-support" => self.book.mathjax = self.boolean(value, key),
            "no-section-label" => self.book.no_numbers = self.boolean(value, key),
            "redirect" => self.book.redirects = self.string_map(value, "[output.html.redirect]"),
            "code" => self.each_key(value, "[output.html.code]", Self::code_key),
            "search" => self.each_key(value, "[output.html.search]", Self::search_key),
            _ => self.other_key(key, "[output.html]", HTML),
        }
    }

    fn code_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) {
        match key.get_ref().as_ref() {
            "hidelines" => {
                self.book.hidelines = self.string_map(value, "[output.html.code.hidelines]");
            }
            _ => self.other_key(key, "[output.html.code]", &["hidelines"]),
        }
    }

    fn search_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Value<'_>) {
        // The other keys tune mdBook's search engine, which is not used here.
        if key.get_ref().as_ref() == "enable" {
            self.book.search = self.boolean(value, key);
        }
    }

    /// A key of a table we read that is not carried over: quiet, one
    /// warning that it is not supported, or unknown with a suggestion.
    fn other_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, table: &str, known: &[&str]) {
        let name = key.get_ref().as_ref();
        if QUIET.contains(&name) {
            return;
        }
        if let Some((_, why)) = UNSUPPORTED.iter().find(|(n, _)| *n == name) {
            let message = format!("`{name}` in {table} is not supported: {why}");
            self.out.warn(
                self.at(key),
                message,
                "it is left out; the rest of book.toml is used",
            );
            return;
        }
        self.unknown(key, &format!("key `{name}` in {table}"), known);
    }

    fn unknown(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, what: &str, known: &[&str]) {
        let help = crate::yaml::suggest(key.get_ref(), known, "key");
        let message = format!("unknown {what}, left out");
        self.out.warn(self.at(key), message, &help);
    }

    fn string(&mut self, value: &Value<'_>, key: &str) -> Option<At<String>> {
        match value.get_ref().as_str() {
            Some(text) => Some((text.to_string(), self.at(value))),
            None => {
                self.error(self.at(value), format!("`{key}` must be a string"));
                None
            }
        }
    }

    fn strings(&mut self, value: &Value<'_>, key: &str) -> Vec<At<String>> {
        match value.get_ref().as_array() {
            Some(items) => items.iter().filter_map(|v| self.string(v, key)).collect(),
            None => {
                self.error(self.at(value), format!("`{key}` must be a list of strings"));
                Vec::new()
            }
        }
    }

    fn boolean(
        &mut self,
        value: &Value<'_>,
        key: &Spanned<std::borrow::Cow<'_, str>>,
    ) -> Option<At<bool>> {
        match value.get_ref().as_bool() {
            Some(flag) => Some((flag, self.at(value))),
            None => {
                let message = format!("`{}` must be true or false", key.get_ref());
                self.error(self.at(value), message);
                None
            }
        }
    }

    fn string_map(&mut self, value: &Value<'_>, table: &str) -> Vec<(String, At<String>)> {
        let Some(map) = value.get_ref().as_table() else {
            self.error(self.at(value), format!("{table} must be a table"));
            return Vec::new();
        };
        map.iter()
            .filter_map(|(k, v)| Some((k.get_ref().to_string(), self.string(v, k.get_ref())?)))
            .collect()
    }
}

const TOP: &[&str] = &["book", "build", "output", "preprocessor", "rust"];
const BOOK: &[&str] = &[
    "title",
    "description",
    "authors",
    "language",
    "src",
    "text-direction",
    "multilingual",
];
const BUILD: &[&str] = &[
    "build-dir",
    "create-missing",
    "use-default-preprocessors",
    "extra-watch-dirs",
];
const HTML: &[&str] = &[
    "site-url",
    "git-repository-url",
    "edit-url-template",
    "additional-css",
    "additional-js",
    "no-section-label",
    "smart-punctuation",
    "curly-quotes",
    "mathjax-support",
    "redirect",
    "code",
    "search",
    "theme",
    "cname",
    "print",
    "fold",
    "playground",
    "sidebar-header-nav",
    "input-404",
    "git-repository-icon",
    "copy-fonts",
    "live-reload-endpoint",
    "hash-files",
    "default-theme",
    "preferred-dark-theme",
];

impl Book {
    /// The `handbook.yaml` text saying the same.
    fn write(self, mut out: Translation) -> Translation {
        let nowhere = (0, 0);
        for (key, value) in [
            ("title", &self.title),
            ("description", &self.description),
            ("language", &self.language),
        ] {
            if let Some((text, at)) = value {
                out.text(0, key, text, *at);
            }
        }
        out.list("authors", &self.authors);
        let (src, at) = self.src.unwrap_or_else(|| ("src".into(), nowhere));
        out.source(&src, at);
        let (build, at) = self.build_dir.unwrap_or_else(|| ("book".into(), nowhere));
        out.text(0, "output", &build, at);
        for (key, value) in [
            ("path-prefix", &self.site_url),
            ("repository-url", &self.repository),
            ("edit-url", &self.edit_url),
        ] {
            if let Some((text, at)) = value {
                out.text(0, key, text, *at);
            }
        }
        if let Some((false, at)) = self.search {
            out.word(0, "search", "false", at);
        }
        // mdBook numbers chapters unless told not to.
        if !matches!(self.no_numbers, Some((true, _))) {
            let at = self.no_numbers.map_or(nowhere, |(_, at)| at);
            out.word(0, "section-numbers", "true", at);
        }
        out.list("additional-css", &self.css);
        out.list("additional-js", &self.js);
        if !self.redirects.is_empty() {
            out.open(0, "redirects");
            for (from, (to, at)) in &self.redirects {
                out.entry(1, from, to, *at);
            }
        }
        write_markdown(&mut out, self.smart, self.mathjax, &self.hidelines);
        out
    }
}

/// The `markdown:` section, when anything in it is on.
fn write_markdown(
    out: &mut Translation,
    smart: Option<At<bool>>,
    mathjax: Option<At<bool>>,
    hidelines: &[(String, At<String>)],
) {
    let smart = smart.filter(|(on, _)| *on);
    let mathjax = mathjax.filter(|(on, _)| *on);
    if smart.is_none() && mathjax.is_none() && hidelines.is_empty() {
        return;
    }
    out.open(0, "markdown");
    if let Some((_, at)) = smart {
        out.word(1, "smart-punctuation", "true", at);
    }
    if let Some((_, at)) = mathjax {
        out.word(1, "math", "mathjax", at);
    }
    if !hidelines.is_empty() {
        out.open(1, "hidelines");
        for (language, (prefix, at)) in hidelines {
            out.entry(2, language, prefix, *at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn every_key_carried_over_is_said_in_yaml() {
        let text = "[book]\ntitle = \"T\"\nauthors = [\"A\"]\nsrc = \"pages\"\n[build]\nbuild-dir = \"out\"\n\
                    [output.html]\nsite-url = \"/t/\"\nsmart-punctuation = true\nmathjax-support = true\n\
                    [output.html.code.hidelines]\npython = \"~\"\n[output.html.search]\nenable = false\n";
        let out = translate(text, "book.toml").unwrap();
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        for line in [
            "title: \"T\"",
            "source: \"pages\"",
            "output: \"out\"",
            "path-prefix: \"/t/\"",
            "  smart-punctuation: true",
            "  math: mathjax",
            "    \"python\": \"~\"",
            "  - \"A\"",
            "search: false",
        ] {
            assert!(out.yaml.lines().any(|l| l == line), "{line}\n{}", out.yaml);
        }
    }

    #[test]
    fn what_is_not_carried_over_is_one_warning_at_its_line() {
        let text = "[book]\ntitel = \"T\"\n[preprocessor.katex]\nx = 1\n[output.pdf]\n[output.html]\nfold.enable = true\n";
        let out = translate(text, "book.toml").unwrap();
        let places: Vec<(u32, &str)> = out
            .warnings
            .iter()
            .map(|w| (w.line, w.help.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(places.len(), 4, "{places:?}");
        assert_eq!(places[0], (2, "did you mean `title`?"));
        assert_eq!((places[1].0, places[2].0, places[3].0), (3, 5, 7));
    }

    #[test]
    fn malformed_toml_is_an_error_at_line_and_column() {
        let error = translate("[book]\ntitle = \"T\nsrc = 3\n", "book.toml").unwrap_err();
        assert_eq!(error.0[0].line, 2, "{error}");
        assert!(error.0[0].column > 1, "{error}");
        let dir = tempfile::tempdir().unwrap();
        let out = translate("[book]\nsrc = 3\nlanguage = \"e\"\n", "book.toml").unwrap();
        let error = out.config(dir.path(), None).unwrap_err();
        let places: Vec<(u32, u32)> = error.0.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(places, [(2, 7), (3, 12)], "{error}");
    }
}
