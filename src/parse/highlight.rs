//! Code blocks → highlighted HTML with CSS classes, at build time.
//!
//! syntect's syntaxes load once, lazily, on the first code block, and are
//! shared read-only by every thread. Output uses `hl-` prefixed classes, so one
//! generated stylesheet ([`stylesheet`]) serves light and dark; an unknown
//! language gives escaped plain text, never an error. Blocks highlighted by
//! an earlier build come from a [`Kept`] the caller hands in (the build
//! cache), so this stage reads nothing itself.

use crate::html::escape;
use std::sync::OnceLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;

/// Highlighted code kept from earlier builds, asked before a block is
/// highlighted.
pub trait Kept: Sync {
    /// The HTML of `code` in `lang`: kept, or made by `make` (and kept).
    fn get_or_make(&self, lang: &str, code: &str, make: &mut dyn FnMut() -> String) -> String;
}

/// The [`Kept`] code parsing may use, if any. A memo, not an input: the
/// same page parses to the same value with or without it, so it hashes to
/// nothing and is no part of a parsed page's key.
#[derive(Clone, Copy, Default)]
pub struct Memo<'a>(pub Option<&'a dyn Kept>);

impl std::hash::Hash for Memo<'_> {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl std::fmt::Debug for Memo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Memo(kept)"
        } else {
            "Memo(none)"
        })
    }
}
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// `<pre class="code">` for `code` in language `lang` (an info-string token
/// such as `rust`, `yml`, `sh`; empty for none).
pub fn highlight(lang: &str, code: &str) -> String {
    let body = highlighted(lang, code).unwrap_or_else(|| escape(code));
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape(lang))
    };
    format!("<pre class=\"code hl-code\"{lang_attr}><code>{body}</code></pre>\n")
}

fn highlighted(lang: &str, code: &str) -> Option<String> {
    if lang.is_empty() {
        return None;
    }
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The highlighting stylesheet: the light theme by default, the dark one when
/// the reader's system or the theme toggle asks for dark.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let dark = css(DARK_THEME);
    format!(
        "/* Code highlighting: {LIGHT_THEME} (light), {DARK_THEME} (dark). Generated. */\n{}\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        css(LIGHT_THEME),
        scope(&dark, "html[data-theme=\"dark\"]"),
        scope(&dark, "html:not([data-theme=\"light\"])"),
    )
}

/// Prefixes every selector of a flat stylesheet with `scope`.
fn scope(css: &str, scope: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for rule in css.split_inclusive('}') {
        match rule.split_once('{') {
            Some((selectors, body)) if !selectors.trim().is_empty() => {
                let scoped: Vec<String> = selectors
                    .split(',')
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty() && !s.starts_with("/*"))
                    .map(|s| format!("{scope} {s}"))
                    .collect();
                if !scoped.is_empty() {
                    out.push_str(&scoped.join(", "));
                    out.push_str(" {");
                    out.push_str(body);
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes() {
        let html = highlight("rust", "fn main() {}\n");
        assert!(html.starts_with("<pre class=\"code hl-code\" data-lang=\"rust\"><code>"));
        assert!(html.contains("class=\"hl-"), "{html}");
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        let html = highlight("plantuml", "a -> <b>\n");
        assert_eq!(
            html,
            "<pre class=\"code hl-code\" data-lang=\"plantuml\"><code>a -&gt; &lt;b&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn stylesheet_covers_light_and_dark() {
        let css = stylesheet();
        assert!(css.contains(".hl-code"));
        assert!(css.contains("html[data-theme=\"dark\"] .hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
