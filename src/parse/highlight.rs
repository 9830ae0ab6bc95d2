//! Code blocks → highlighted HTML with CSS classes, at build time.
//!
//! syntect's syntaxes load once, lazily, on the first code block, and are
//! shared read-only by every thread. Output uses `hl-` prefixed classes, so one
//! generated stylesheet ([`stylesheet`]) serves light and dark; an unknown
//! language gives escaped plain text, never an error. Every token colour of
//! the stylesheet reaches 4.5:1 against its background in both schemes, and
//! print takes the light one. Blocks highlighted by
//! an earlier build come from a [`Kept`] the caller hands in (the build
//! cache), so this stage reads nothing itself.

use crate::html::escape;
use std::sync::OnceLock;
use syntect::highlighting::{Color, Theme, ThemeSet};
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
    // Focusable, so a block wider than the page scrolls from the keyboard.
    format!("<pre class=\"code hl-code\"{lang_attr} tabindex=\"0\"><code>{body}</code></pre>\n")
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

/// The highlighting stylesheet: the light theme by default and in print,
/// the dark one on screen when the reader's system or the theme toggle
/// asks for dark.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .map(|theme| legible(theme.clone()))
            .and_then(|theme| css_for_theme_with_class_style(&theme, CLASS_STYLE).ok())
            .map(|css| without_comments(&css))
            .unwrap_or_default()
    };
    let dark = css(DARK_THEME);
    format!(
        "/* Code highlighting: {LIGHT_THEME} (light), {DARK_THEME} (dark), their colours made legible. Generated. */\n{}\n@media screen {{\n{}}}\n@media screen and (prefers-color-scheme: dark) {{\n{}}}\n",
        css(LIGHT_THEME),
        scope(&dark, "html[data-theme=\"dark\"]"),
        scope(&dark, "html:not([data-theme=\"light\"])"),
    )
}

/// The contrast every token colour must reach against its background
/// (WCAG's AA level for text).
const LEGIBLE: f64 = 4.5;

/// `theme` with every foreground moved toward black (on a light
/// background) or white (on a dark one) until it reaches [`LEGIBLE`].
fn legible(mut theme: Theme) -> Theme {
    let white = Color::WHITE;
    let background = theme.settings.background.map_or(white, |b| over(b, white));
    if let Some(fg) = theme.settings.foreground {
        theme.settings.foreground = Some(readable(fg, background));
    }
    for item in &mut theme.scopes {
        let behind = item
            .style
            .background
            .map_or(background, |b| over(b, background));
        if let Some(fg) = item.style.foreground {
            item.style.foreground = Some(readable(fg, behind));
        }
    }
    theme
}

/// `fg` on `bg`, made opaque and moved in steps until it reads.
fn readable(fg: Color, bg: Color) -> Color {
    let start = over(fg, bg);
    let toward = if luminance(bg) > 0.18 {
        Color::BLACK
    } else {
        Color::WHITE
    };
    (0..=20)
        .map(|step| mix(start, toward, f64::from(step) / 20.0))
        .find(|c| contrast(*c, bg) >= LEGIBLE)
        .unwrap_or(toward)
}

/// `fg` with its alpha laid over the opaque `bg`.
fn over(fg: Color, bg: Color) -> Color {
    mix(bg, Color { a: 0xff, ..fg }, f64::from(fg.a) / 255.0)
}

/// The colour `t` of the way from `a` to `b`.
fn mix(a: Color, b: Color, t: f64) -> Color {
    let channel = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    Color {
        r: channel(a.r, b.r),
        g: channel(a.g, b.g),
        b: channel(a.b, b.b),
        a: 0xff,
    }
}

/// WCAG's relative luminance.
fn luminance(c: Color) -> f64 {
    let linear = |x: u8| {
        let x = f64::from(x) / 255.0;
        if x <= 0.04045 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
}

/// WCAG's contrast ratio of two opaque colours.
fn contrast(a: Color, b: Color) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// A stylesheet without its `/* … */` comments (syntect heads its output
/// with one, which would otherwise hide the first rule's selector).
fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
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
        assert!(
            html.starts_with(
                "<pre class=\"code hl-code\" data-lang=\"rust\" tabindex=\"0\"><code>"
            )
        );
        assert!(html.contains("class=\"hl-"), "{html}");
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        let html = highlight("plantuml", "a -> <b>\n");
        assert_eq!(
            html,
            "<pre class=\"code hl-code\" data-lang=\"plantuml\" tabindex=\"0\"><code>a -&gt; &lt;b&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn stylesheet_covers_light_and_dark() {
        let css = stylesheet();
        assert!(css.contains(".hl-code"));
        assert!(css.contains("html[data-theme=\"dark\"] .hl-"));
        assert!(css.contains("@media screen and (prefers-color-scheme: dark)"));
    }

    /// The rules of one scheme, as (selector, colour, background).
    fn rules(css: &str) -> Vec<(String, Option<Color>, Option<Color>)> {
        let hex = |body: &str, property: &str| {
            let at = body.find(&format!(" {property}: #"))? + property.len() + 4;
            let digits = body.get(at..at + 6)?;
            let value = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
            Some(Color {
                r: value(0)?,
                g: value(2)?,
                b: value(4)?,
                a: 0xff,
            })
        };
        css.split_inclusive('}')
            .filter_map(|rule| rule.split_once('{'))
            .map(|(selector, body)| {
                let body = format!(" {}", body.replace('\n', " "));
                (
                    selector.trim().to_string(),
                    hex(&body, "color"),
                    hex(&body, "background-color"),
                )
            })
            .collect()
    }

    #[test]
    fn every_token_colour_reads_on_its_background_in_both_schemes() {
        let css = stylesheet();
        let (light, rest) = css.split_once("@media screen {").expect("a screen block");
        let (dark, _) = rest
            .split_once("@media screen and")
            .expect("the system's dark");
        for (scheme, css) in [("light", light), ("dark", dark)] {
            let rules = rules(css);
            let code = rules.iter().find(|(s, ..)| s.ends_with(".hl-code"));
            let background = code.and_then(|(.., b)| *b);
            let background =
                background.unwrap_or_else(|| panic!("{scheme}: no .hl-code background"));
            let checked = rules.iter().filter_map(|(selector, fg, bg)| {
                Some((selector, (*fg)?, bg.unwrap_or(background)))
            });
            let mut count = 0;
            for (selector, fg, bg) in checked {
                let ratio = contrast(fg, bg);
                assert!(
                    ratio >= LEGIBLE,
                    "{scheme}: {selector} reads at {ratio:.2}:1"
                );
                count += 1;
            }
            assert!(count > 10, "{scheme}: only {count} colours");
        }
    }

    #[test]
    fn a_pale_colour_is_darkened_on_white_and_a_dark_one_lightened_on_black() {
        let grey = Color {
            r: 0x96,
            g: 0x98,
            b: 0x96,
            a: 0xff,
        };
        let on_white = readable(grey, Color::WHITE);
        assert!(contrast(on_white, Color::WHITE) >= LEGIBLE);
        assert!(on_white.r < grey.r);
        let on_black = readable(
            Color {
                r: 0x40,
                g: 0x40,
                b: 0x40,
                a: 0xff,
            },
            Color::BLACK,
        );
        assert!(contrast(on_black, Color::BLACK) >= LEGIBLE);
        assert!(on_black.r > 0x40);
        let legible = Color {
            r: 0x11,
            g: 0x11,
            b: 0x11,
            a: 0xff,
        };
        assert_eq!(readable(legible, Color::WHITE), legible, "left as it is");
    }
}
