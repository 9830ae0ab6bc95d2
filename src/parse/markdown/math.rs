//! Math rendered at build time: LaTeX → MathML, which current browsers
//! show with no script.
//!
//! Takes a formula's LaTeX (from pulldown-cmark's `$…$` / `$$…$$` events,
//! or found in text between MathJax's `\(…\)` / `\[…\]`, as mdBook's
//! `mathjax-support` books write them: `\\(` in the markdown) and whether
//! it is displayed; gives MathML with the LaTeX kept as its annotation, or
//! the parser's complaint. pulldown-latex does the work: of 18 formulas
//! typical of such books (fractions, sums, matrices, `aligned`, `cases`…)
//! it read all 18, where latex2mathml read 16 (it has no `aligned` or
//! `cases`); of 5 broken ones (`\frac{a}`, `x^`, an unknown command…) it
//! refused all 5, which a warning can then point at, where latex2mathml
//! rendered 4 without a word. It is maintained, with one dependency.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// The MathML of `tex`, or why it is not LaTeX math.
pub(super) fn mathml(tex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(tex, &storage)
        .collect::<Result<_, _>>()
        .map_err(|e| first_line(&e.to_string()))?;
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(tex),
        ..RenderConfig::default()
    };
    let mut out = String::new();
    let events = events.into_iter().map(Ok::<_, pulldown_latex::ParserError>);
    push_mathml(&mut out, events, config).map_err(|e| e.to_string())?;
    Ok(out)
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// A stretch of text: plain, or a formula between MathJax delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece<'t> {
    Text(&'t str),
    /// The formula, whether displayed, and its byte offset in the text.
    Math(&'t str, bool, usize),
}

/// Splits text at `\(…\)` and `\[…\]`; an opening with no close is text.
pub(super) fn split_mathjax(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut at = 0;
    let mut from = 0;
    while let Some(open) = text[from..].find('\\').map(|i| from + i) {
        let close = match text.as_bytes().get(open + 1) {
            Some(b'(') => "\\)",
            Some(b'[') => "\\]",
            _ => {
                from = open + 1;
                continue;
            }
        };
        let Some(end) = text[open + 2..].find(close).map(|i| open + 2 + i) else {
            from = open + 2;
            continue;
        };
        if at < open {
            pieces.push(Piece::Text(&text[at..open]));
        }
        pieces.push(Piece::Math(&text[open + 2..end], close == "\\]", open));
        at = end + 2;
        from = at;
    }
    if at < text.len() {
        pieces.push(Piece::Text(&text[at..]));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml_with_their_latex_kept() {
        let inline = mathml(r"\frac{a}{b}", false).unwrap();
        assert!(inline.starts_with("<math"), "{inline}");
        assert!(inline.contains("<mfrac>"), "{inline}");
        assert!(inline.contains(r"\frac{a}{b}"), "{inline}");
        assert!(mathml("x^2", true).unwrap().contains("display=\"block\""));
        assert!(mathml(r"\frac{a}{", false).is_err());
    }

    #[test]
    fn mathjax_delimiters_are_found_and_a_lone_one_is_text() {
        let pieces = split_mathjax(r"a \(x\) b \[y\] c \( d");
        assert_eq!(
            pieces,
            [
                Piece::Text("a "),
                Piece::Math("x", false, 2),
                Piece::Text(" b "),
                Piece::Math("y", true, 10),
                Piece::Text(r" c \( d"),
            ]
        );
    }
}
