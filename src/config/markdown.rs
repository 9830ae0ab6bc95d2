//! The `markdown:` section: the markdown extensions a handbook opts into
//! beyond CommonMark, GitHub tables and footnotes — smart punctuation, math
//! and the hidden-line prefixes of code blocks (mdBook's `hidelines`). Each
//! is off unless asked for, so a page means the same in every project that
//! does not ask.

use super::Checker;
use crate::yaml::Spanned;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The markdown extensions a project turns on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Markdown {
    /// Straight quotes, `--` and `...` become typographic ones.
    pub smart_punctuation: bool,
    /// Which math delimiters are read as math.
    pub math: Math,
    /// Per code-block language, the line prefix that hides a line from the
    /// shown code (`rust` hides `# ` lines whatever this says).
    pub hidelines: BTreeMap<String, String>,
}

/// Which delimiters mark math.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Math {
    /// No math: every delimiter is text.
    #[default]
    Off,
    /// MathJax's escaped delimiters, as mdBook's `mathjax-support` reads them:
    /// `\\( … \\)` inline and `\\[ … \\]` displayed.
    Mathjax,
    /// Dollars: `$…$` inline and `$$…$$` displayed.
    Dollars,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMarkdown {
    #[serde(default)]
    smart_punctuation: bool,
    #[serde(default)]
    math: Math,
    #[serde(default)]
    hidelines: BTreeMap<String, Spanned<String>>,
}

impl Checker<'_> {
    /// The section, each hidden-line prefix checked to be a non-empty single line.
    pub(super) fn markdown(&mut self, raw: RawMarkdown) -> Markdown {
        let mut hidelines = BTreeMap::new();
        for (language, prefix) in raw.hidelines {
            if prefix.value.is_empty() || prefix.value.contains(['\n', '\r']) {
                let message =
                    format!("the hidden-line prefix of `{language}` must be one non-empty line");
                self.fail(
                    &prefix,
                    message,
                    "write the characters that start a hidden line, e.g. \"~\"",
                );
            } else {
                hidelines.insert(language, prefix.value);
            }
        }
        Markdown {
            smart_punctuation: raw.smart_punctuation,
            math: raw.math,
            hidelines,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::config_from;

    #[test]
    fn every_extension_is_off_unless_asked_for() {
        let config = config_from("title: T\n").unwrap();
        assert_eq!(config.markdown, super::Markdown::default());
    }

    #[test]
    fn the_section_is_read_and_a_bad_prefix_is_refused_at_its_line() {
        let text = "markdown:\n  smart-punctuation: true\n  math: dollars\n  hidelines:\n    python: \"~\"\n";
        let config = config_from(text).unwrap();
        assert!(config.markdown.smart_punctuation);
        assert_eq!(config.markdown.math, super::Math::Dollars);
        assert_eq!(config.markdown.hidelines["python"], "~");
        let error = config_from("markdown:\n  hidelines:\n    python: \"\"\n").unwrap_err();
        assert_eq!((error.0[0].line, error.0[0].column), (3, 13), "{error}");
        let error = config_from("markdown:\n  math: latex\n").unwrap_err();
        assert_eq!(error.0[0].line, 2, "{error}");
    }
}
