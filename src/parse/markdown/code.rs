//! What a code block's info string says, and the lines it shows.
//!
//! Takes a fenced block's info string (`rust,editable`, `python
//! hidelines=~`, `noplayground`) and the project's hidden-line prefixes;
//! gives the language to highlight — the first word, or Rust when the
//! first word is one of rustdoc's or mdBook's attributes, which are never
//! languages — and which lines are hidden. Hidden lines are left out of the
//! shown code, as mdBook shows them before a reader asks for the rest: in
//! Rust, a line whose first non-blank character is `#` followed by a space,
//! the end of the line or anything but `[`, `!` and `#` (`##` shows as `#`);
//! in other languages, a line that starts with the configured prefix.

use std::collections::BTreeMap;

/// Attributes rustdoc and mdBook read from a Rust block's info string.
const RUST_ATTRIBUTES: &[&str] = &[
    "ignore",
    "should_panic",
    "no_run",
    "compile_fail",
    "editable",
    "noplayground",
    "noplaypen",
    "mdbook-runnable",
    "test_harness",
    "allow_fail",
    "edition2015",
    "edition2018",
    "edition2021",
    "edition2024",
];

/// How a block hides lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Hide {
    /// Rust's `# ` lines.
    Rust,
    /// Lines starting with this prefix.
    Prefix(String),
}

/// The language to highlight and how lines are hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Info {
    pub(super) lang: String,
    pub(super) hide: Option<Hide>,
}

/// Reads an info string with the project's `hidelines` prefixes.
pub(super) fn info(text: &str, hidelines: &BTreeMap<String, String>) -> Info {
    let words: Vec<&str> = text
        .split([',', ' ', '\t', '{', '}'])
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first().copied().unwrap_or("");
    let lang = if RUST_ATTRIBUTES.contains(&first) || first.starts_with("hidelines=") {
        "rust"
    } else {
        first
    };
    let own = words.iter().find_map(|w| w.strip_prefix("hidelines="));
    let hide = match (own, lang) {
        (Some(prefix), _) if !prefix.is_empty() => Some(Hide::Prefix(prefix.to_string())),
        (_, "rust") => Some(Hide::Rust),
        (_, lang) => hidelines.get(lang).map(|p| Hide::Prefix(p.clone())),
    };
    Info {
        lang: lang.to_string(),
        hide,
    }
}

/// The code without its hidden lines.
pub(super) fn shown(code: &str, hide: &Hide) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        match hide {
            Hide::Rust => match trimmed.strip_prefix('#') {
                Some(rest) if rest.starts_with('#') => {
                    out.push_str(indent);
                    out.push_str(rest);
                }
                Some(rest) if rest.starts_with(['[', '!']) => out.push_str(line),
                Some(_) => {}
                None => out.push_str(line),
            },
            Hide::Prefix(prefix) if trimmed.starts_with(prefix.as_str()) => {}
            Hide::Prefix(_) => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(text: &str) -> String {
        info(text, &BTreeMap::new()).lang
    }

    #[test]
    fn the_language_is_the_first_word_and_attributes_mean_rust() {
        assert_eq!(lang("rust,editable"), "rust");
        assert_eq!(lang("rust,ignore"), "rust");
        assert_eq!(lang("noplayground"), "rust");
        assert_eq!(lang("should_panic"), "rust");
        assert_eq!(lang("python hidelines=~"), "python");
        assert_eq!(lang("toml"), "toml");
        assert_eq!(lang(""), "");
    }

    #[test]
    fn rust_hides_hash_lines_and_keeps_attributes() {
        let code = "# use x;\n#\n#[derive(Debug)]\n#![allow(x)]\nfn main() {\n    # hidden();\n    ##[shown]\n}\n";
        let hide = info("rust", &BTreeMap::new()).hide.unwrap();
        assert_eq!(
            shown(code, &hide),
            "#[derive(Debug)]\n#![allow(x)]\nfn main() {\n    #[shown]\n}\n"
        );
    }

    #[test]
    fn other_languages_hide_their_configured_or_own_prefix() {
        let prefixes = BTreeMap::from([("python".to_string(), "~".to_string())]);
        let hide = info("python", &prefixes).hide.unwrap();
        assert_eq!(shown("~import os\nprint(1)\n", &hide), "print(1)\n");
        let own = info("sh,hidelines=!!", &prefixes).hide.unwrap();
        assert_eq!(shown("!!set -e\necho\n", &own), "echo\n");
        assert_eq!(info("sh", &prefixes).hide, None);
    }
}
