//! mdBook's `{{#…}}` directives read from text, and the lines of a file
//! they select.
//!
//! Takes a line of page text; gives each directive in it ([`find`]) as a
//! [`Directive`] — which form, the file, what part of it — or the problem
//! with it, at its byte offset. [`select`] then cuts the chosen lines out of
//! the included file's text: a line range (1-based, inclusive, as mdBook
//! counts), the lines between `ANCHOR: name` and `ANCHOR_END: name` (in any
//! comment syntax: only the words are looked for, and every anchor's own
//! marker line is left out), and for `rustdoc_include` the rest of the file
//! as hidden `# ` lines. Pure: no file is read here.

use std::ops::Range;

/// What a directive asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Directive {
    /// `{{#include file…}}`: the selected lines as they are.
    Include { file: String, part: Part },
    /// `{{#rustdoc_include file…}}`: the selected lines, the others as hidden lines.
    Rustdoc { file: String, part: Part },
    /// `{{#playground file attrs…}}`: a Rust code block of the whole file.
    Playground { file: String, attrs: Vec<String> },
    /// `{{#title …}}`: the page's `<title>`.
    Title(String),
    /// `\{{#…}}`: the directive's text, shown as written without the backslash.
    Escaped(String),
}

/// Which lines of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// All of it.
    Whole,
    /// Lines from `start` (1-based) to `end` (inclusive; `None`: to the last).
    Lines { start: usize, end: Option<usize> },
    /// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
    Anchor(String),
}

/// One `{{#…}}` found on a line: its byte range there and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) range: Range<usize>,
    pub(crate) directive: Result<Directive, String>,
}

/// Every directive on `line`, in order. A `{{#name …}}` of a kind mdBook
/// does not know is left as text, as mdBook leaves it.
pub(crate) fn find(line: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find("{{").map(|at| from + at) {
        let Some(close) = line[at..].find("}}").map(|c| at + c + 2) else {
            break;
        };
        let inner = &line[at + 2..close - 2];
        let escaped = at > 0 && line.as_bytes()[at - 1] == b'\\';
        let directive = if inner.trim_start().starts_with('#') && escaped {
            Some(Ok(Directive::Escaped(line[at..close].to_string())))
        } else {
            parse(inner)
        };
        match directive {
            Some(directive) => {
                let start = if escaped { at - 1 } else { at };
                found.push(Found {
                    range: start..close,
                    directive,
                });
                from = close;
            }
            None => from = at + 2,
        }
    }
    found
}

/// The directive between `{{` and `}}`, when it is one mdBook knows.
fn parse(inner: &str) -> Option<Result<Directive, String>> {
    let rest = inner.trim_start().strip_prefix('#')?;
    let name_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, args) = rest.split_at(name_end);
    let args = args.trim();
    let needs_file = || format!("`{{{{#{name}}}}}` needs a file name");
    Some(match name {
        "include" | "rustdoc_include" if args.is_empty() => Err(needs_file()),
        "include" | "rustdoc_include" => {
            let (file, part) = match args.split_once(':') {
                Some((file, part)) => (file, part_of(part)),
                None => (args, Ok(Part::Whole)),
            };
            let file = file.trim().to_string();
            part.map(|part| {
                if name == "include" {
                    Directive::Include { file, part }
                } else {
                    Directive::Rustdoc { file, part }
                }
            })
        }
        "playground" | "playpen" if args.is_empty() => Err(needs_file()),
        "playground" | "playpen" => {
            let mut words = args.split_whitespace().map(str::to_string);
            let file = words.next().unwrap_or_default();
            Ok(Directive::Playground {
                file,
                attrs: words.collect(),
            })
        }
        "title" if args.is_empty() => {
            Err("`{{#title}}` needs the title to give the page".to_string())
        }
        "title" => Ok(Directive::Title(args.to_string())),
        _ => return None,
    })
}

/// What follows the file name's `:`: `10:20`, `10:`, `:20`, `10` or an anchor.
fn part_of(text: &str) -> Result<Part, String> {
    let text = text.trim();
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let bad = || {
        format!(
            "`{text}` is not a line range or an anchor name: write `START:END`, `START:`, `:END`, `LINE` (lines count from 1) or an anchor's name"
        )
    };
    let Some((start, end)) = text.split_once(':') else {
        if is_number(text) {
            let line = line_number(text).ok_or_else(bad)?;
            return Ok(Part::Lines {
                start: line,
                end: Some(line),
            });
        }
        let anchor_chars = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
        if !text.is_empty() && text.chars().all(anchor_chars) {
            return Ok(Part::Anchor(text.to_string()));
        }
        return Err(bad());
    };
    let (start, end) = (start.trim(), end.trim());
    let start = match start {
        "" => 1,
        s if is_number(s) => line_number(s).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    let end = match end {
        "" => None,
        e if is_number(e) => Some(line_number(e).ok_or_else(bad)?),
        _ => return Err(bad()),
    };
    if end.is_some_and(|end| end < start) {
        return Err(format!(
            "the line range `{text}` ends before it starts: write the first line, then the last"
        ));
    }
    Ok(Part::Lines { start, end })
}

/// A 1-based line number (0 is not one).
fn line_number(text: &str) -> Option<usize> {
    text.parse().ok().filter(|&n| n > 0)
}

/// Why [`select`] found no lines to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Missing {
    /// No `ANCHOR: name` in the file; the anchors it has.
    Anchor(Vec<String>),
}

/// The lines of `text` that `part` names, each with its 1-based line in
/// the file; with `hide_rest` (rustdoc_include) the other lines too, each
/// as a hidden `# ` line. Lines past the end of the file are not there.
pub(crate) fn select(
    text: &str,
    part: &Part,
    hide_rest: bool,
) -> Result<Vec<(String, usize)>, Missing> {
    let lines: Vec<&str> = text.lines().collect();
    let chosen = |n: usize| -> bool {
        match part {
            Part::Whole => true,
            Part::Lines { start, end } => n >= *start && end.is_none_or(|end| n <= end),
            Part::Anchor(_) => false,
        }
    };
    let inside = match part {
        Part::Anchor(name) => Some(anchor_lines(&lines, name)?),
        _ => None,
    };
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        let is_marker = inside.is_some() && marker(line).is_some();
        if is_marker {
            continue;
        }
        let take = inside
            .as_ref()
            .map_or_else(|| chosen(n), |r| r.contains(&n));
        if take {
            out.push((line.to_string(), n));
        } else if hide_rest {
            out.push((hidden(line), n));
        }
    }
    Ok(out)
}

/// A line hidden from shown Rust code (`#` alone for an empty line).
fn hidden(line: &str) -> String {
    if line.is_empty() {
        "#".to_string()
    } else {
        format!("# {line}")
    }
}

/// The 1-based lines strictly between `ANCHOR: name` and its
/// `ANCHOR_END: name` (or the end of the file, as mdBook reads an anchor
/// left open).
fn anchor_lines(lines: &[&str], name: &str) -> Result<Range<usize>, Missing> {
    let start = lines
        .iter()
        .position(|l| marker(l) == Some((false, name)))
        .ok_or_else(|| Missing::Anchor(anchors(lines)))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| marker(l) == Some((true, name)))
        .map_or(lines.len(), |at| start + 1 + at);
    Ok(start + 2..end + 1)
}

/// The anchors a file opens, in order, once each.
fn anchors(lines: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in lines {
        if let Some((false, name)) = marker(line)
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_string());
        }
    }
    names
}

/// Whether `line` is an anchor marker: (whether it ends the anchor, its name).
fn marker(line: &str) -> Option<(bool, &str)> {
    let (end, after) = if let Some(at) = line.find("ANCHOR_END:") {
        (true, &line[at + "ANCHOR_END:".len()..])
    } else {
        let at = line.find("ANCHOR:")?;
        (false, &line[at + "ANCHOR:".len()..])
    };
    let after = after.trim_start();
    let len = after
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(after.len());
    (len > 0).then(|| (end, &after[..len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<Directive, String> {
        let found = find(line);
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].directive.clone()
    }

    fn include(file: &str, part: Part) -> Result<Directive, String> {
        Ok(Directive::Include {
            file: file.to_string(),
            part,
        })
    }

    #[test]
    fn every_form_of_include_is_read() {
        let lines = |start, end| Part::Lines { start, end };
        assert_eq!(one("{{#include a.rs}}"), include("a.rs", Part::Whole));
        assert_eq!(
            one("{{ #include a.rs:10:20 }}"),
            include("a.rs", lines(10, Some(20)))
        );
        assert_eq!(
            one("{{#include a.rs:10:}}"),
            include("a.rs", lines(10, None))
        );
        assert_eq!(
            one("{{#include a.rs::20}}"),
            include("a.rs", lines(1, Some(20)))
        );
        assert_eq!(
            one("{{#include a.rs:7}}"),
            include("a.rs", lines(7, Some(7)))
        );
        let anchor = include("a.rs", Part::Anchor("main-part".into()));
        assert_eq!(one("{{#include a.rs:main-part}}"), anchor);
        assert!(matches!(
            one("{{#rustdoc_include a.rs:2}}"),
            Ok(Directive::Rustdoc { .. })
        ));
        assert_eq!(
            one("{{#playground a.rs editable ignore}}"),
            Ok(Directive::Playground {
                file: "a.rs".into(),
                attrs: vec!["editable".into(), "ignore".into()]
            })
        );
        assert_eq!(
            one("{{#title A page}}"),
            Ok(Directive::Title("A page".into()))
        );
    }

    #[test]
    fn an_escaped_or_unknown_directive_is_text() {
        let found = find(r"see \{{#include a.rs}} and {{#unknown x}} and {{ x }}");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].directive,
            Ok(Directive::Escaped("{{#include a.rs}}".into()))
        );
        assert_eq!(found[0].range, 4..22);
    }

    #[test]
    fn bad_ranges_are_refused_with_what_to_write() {
        for bad in ["a.rs:20:10", "a.rs:x:2", "a.rs:1:y", "a.rs:0", "a.rs:a b"] {
            let found = one(&format!("{{{{#include {bad}}}}}"));
            assert!(found.is_err(), "{bad}: {found:?}");
        }
        assert!(
            one("{{#include a.rs:20:10}}")
                .unwrap_err()
                .contains("ends before")
        );
        assert!(one("{{#include }}").unwrap_err().contains("needs a file"));
        assert!(one("{{#title }}").unwrap_err().contains("needs the title"));
    }

    const FILE: &str = "// ANCHOR: all\nuse x;\n// ANCHOR: main\nfn main() {\n    // ANCHOR_END: inner\n}\n// ANCHOR_END: main\n// ANCHOR_END: all\n";

    fn texts(selected: Vec<(String, usize)>) -> Vec<String> {
        selected.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn an_anchor_gives_its_lines_without_any_marker_line() {
        let main = select(FILE, &Part::Anchor("main".into()), false).unwrap();
        assert_eq!(main, vec![("fn main() {".into(), 4), ("}".into(), 6)]);
        let all = texts(select(FILE, &Part::Anchor("all".into()), false).unwrap());
        assert_eq!(all, ["use x;", "fn main() {", "}"]);
        assert_eq!(
            select(FILE, &Part::Anchor("nope".into()), false),
            Err(Missing::Anchor(vec!["all".into(), "main".into()]))
        );
    }

    #[test]
    fn ranges_count_from_one_and_stop_at_the_end() {
        let text = "a\nb\nc\n";
        let part = |start, end| Part::Lines { start, end };
        assert_eq!(
            texts(select(text, &part(2, Some(3)), false).unwrap()),
            ["b", "c"]
        );
        assert_eq!(
            texts(select(text, &part(2, None), false).unwrap()),
            ["b", "c"]
        );
        assert_eq!(
            texts(select(text, &part(1, Some(9)), false).unwrap()),
            ["a", "b", "c"]
        );
        assert!(select(text, &part(5, None), false).unwrap().is_empty());
    }

    #[test]
    fn rustdoc_include_hides_the_rest() {
        let text = "use x;\n\nfn main() {}\n";
        let shown = select(
            text,
            &Part::Lines {
                start: 3,
                end: None,
            },
            true,
        )
        .unwrap();
        assert_eq!(texts(shown), ["# use x;", "#", "fn main() {}"]);
    }
}
