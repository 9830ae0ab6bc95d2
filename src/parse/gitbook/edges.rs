//! What GitBook adds around a page, found so that it can be dropped.
//!
//! Takes the classified lines of one page body; gives where GitBook's appended
//! "Agent Instructions" footer starts, where its leading `llms.txt` header
//! ends, and which lines are only `&#x20;` spacers. Lines inside fenced code
//! never count as any of these, and a page without them is left whole: a
//! thematic break or blockquote is only taken for GitBook's when its text says
//! so.

use super::{Source, is_blank, strip_indent};

/// Where GitBook's appended footer starts, in either of its forms: a
/// thematic break followed (after blank lines) by an "Agent Instructions"
/// heading, or — without the break — the heading in its full wording,
/// "Agent Instructions: Querying This Documentation".
pub(super) fn footer_start(lines: &[Source<'_>]) -> Option<usize> {
    (0..lines.len()).find(|&i| {
        let ruled = !lines[i].fenced
            && is_thematic_break(lines[i].text)
            && lines[i + 1..]
                .iter()
                .find(|line| !is_blank(line.text))
                .is_some_and(|line| !line.fenced && is_agent_heading(line.text));
        ruled || (!lines[i].fenced && is_full_agent_heading(lines[i].text))
    })
}

/// The footer's heading as GitBook words it, which no editor's page does.
fn is_full_agent_heading(line: &str) -> bool {
    is_agent_heading(line)
        && line
            .to_ascii_lowercase()
            .trim_end()
            .ends_with("agent instructions: querying this documentation")
}

/// A CommonMark thematic break: three or more of one of `-`, `*`, `_`.
fn is_thematic_break(line: &str) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let mut marks = rest.chars().filter(|c| !c.is_whitespace());
    let Some(mark @ ('-' | '*' | '_')) = marks.next() else {
        return false;
    };
    let mut count = 1;
    for c in marks {
        if c != mark {
            return false;
        }
        count += 1;
    }
    count >= 3
}

/// An ATX heading whose text starts with "Agent Instructions", any case.
fn is_agent_heading(line: &str) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    let text = &rest[hashes..];
    (1..=6).contains(&hashes)
        && text.starts_with([' ', '\t'])
        && text
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("agent instructions")
}

/// The first line to keep: past a leading blockquote that points at
/// `llms.txt`, and past the blank lines around it.
pub(super) fn header_end(lines: &[Source<'_>]) -> usize {
    let Some(first) = lines.iter().position(|line| !is_blank(line.text)) else {
        return 0;
    };
    let quote_len = lines[first..]
        .iter()
        .take_while(|line| !line.fenced && quote_marker_len(line.text).is_some())
        .count();
    let quote = &lines[first..first + quote_len];
    let mentions = quote.iter().any(|line| {
        line.text
            .as_bytes()
            .windows(8)
            .any(|w| w.eq_ignore_ascii_case(b"llms.txt"))
    });
    if !mentions {
        return 0;
    }
    let after = first + quote_len;
    after
        + lines[after..]
            .iter()
            .take_while(|l| is_blank(l.text))
            .count()
}

/// Byte length of a blockquote marker (`>` with up to three spaces before and
/// one after), when the line starts with one.
pub(super) fn quote_marker_len(line: &str) -> Option<usize> {
    let rest = strip_indent(line)?;
    let after = rest.strip_prefix('>')?;
    let space = usize::from(after.starts_with(' '));
    Some(line.len() - after.len() + space)
}

/// A line holding only `&#x20;` spacers (GitBook's way of keeping an empty
/// paragraph), possibly with hard-break markers.
pub(super) fn is_spacer_line(line: &str) -> bool {
    // Most lines hold no entity at all: no copy for them.
    if !line.contains("&#") {
        return false;
    }
    let lower = line.to_ascii_lowercase();
    let mut rest = lower.trim();
    let mut seen = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("&#x20;") {
            seen = true;
            rest = after;
        } else if let Some(after) = ["<br>", "<br/>", "<br />", "\\"]
            .iter()
            .find_map(|mark| rest.strip_prefix(mark))
        {
            rest = after;
        } else {
            return false;
        }
        rest = rest.trim_start();
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::super::preprocess;
    use super::super::tests::text;

    // --- footer and header ----------------------------------------------------

    const FOOTER: &str = "---\n\n# Agent Instructions: Querying This Documentation\n\nAsk.\n";

    #[test]
    fn agent_footer_is_dropped_with_blank_lines_before() {
        let body = format!("Text.\n\n\n{FOOTER}");
        let out = preprocess(&body, 1);
        assert_eq!(out.text, "Text.\n");
        assert_eq!(out.lines.entries(), vec![(1, 0)]);
    }

    #[test]
    fn agent_footer_matches_any_level_and_case_and_stars() {
        assert_eq!(text("a\n\n***\n### agent INSTRUCTIONS\nb"), "a\n");
        assert_eq!(text("a\n---\n\n\n## Agent instructions for bots\n"), "a\n");
    }

    #[test]
    fn agent_footer_without_its_rule_is_dropped_in_its_full_wording() {
        let body = "Text.\n\n## Agent Instructions: Querying This Documentation\n\nAsk.\n";
        assert_eq!(text(body), "Text.\n");
        let other = "Text.\n\n## Agent instructions for the circle\n\nWrite.\n";
        assert_eq!(text(other), other);
    }

    #[test]
    fn other_sections_after_a_rule_are_kept() {
        let body = "a\n\n---\n\n# Agents of change\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn footer_inside_a_fence_is_kept() {
        let body = "```\n---\n# Agent Instructions\n```\n";
        assert_eq!(text(body), body);
    }

    #[test]
    fn llms_header_line_is_dropped() {
        let body = "> For the complete documentation index, see [llms.txt](https://x.gitbook.io/y/llms.txt)\n\n# Title\n";
        let out = preprocess(body, 3);
        assert_eq!(out.text, "# Title\n");
        assert_eq!(out.lines.entries(), vec![(5, 0)]);
    }

    #[test]
    fn llms_documentation_index_block_is_dropped() {
        let body = "\n> ## Documentation Index\n> Fetch the index at: https://x.gitbook.io/llms.txt\n> Use it.\n# Title\nText\n";
        assert_eq!(text(body), "# Title\nText\n");
    }

    #[test]
    fn quotes_without_llms_or_later_in_the_page_stay() {
        let first = "> Updated: 19jul2021\n\nText\n";
        assert_eq!(text(first), first);
        let later = "# T\n\n> see llms.txt\n";
        assert_eq!(text(later), later);
    }

    // --- spacers ----------------------------------------------------------------

    #[test]
    fn spacer_lines_become_blank() {
        for line in [
            "&#x20;",
            "  &#x20;&#x20; ",
            "&#x20;\\",
            "&#x20;<br>",
            "&#X20; <br />",
        ] {
            let body = format!("a\n{line}\nb\n");
            assert_eq!(text(&body), "a\n\nb\n", "{line:?}");
        }
    }

    #[test]
    fn spacers_inside_text_stay() {
        for line in ["a &#x20;", "&#x20;a", "\\", "<br>"] {
            let body = format!("{line}\n");
            assert_eq!(text(&body), body, "{line:?}");
        }
    }

    #[test]
    fn spacer_lines_inside_fences_stay() {
        let body = "```\n&#x20;\n```\n";
        assert_eq!(text(body), body);
    }
}
