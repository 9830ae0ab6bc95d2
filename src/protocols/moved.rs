//! A statement written on one page, shown on another: the register, the
//! code of practice and the constitution show each protocol's statement as
//! written, so its relative links and images (`c.md`, `../a.md#x`,
//! `#quorum`, `images/x.png`) would point elsewhere from there, or out of
//! the source folder. [`moved`] rewrites the destination of each inline
//! link and image to a page, file or anchor of the handbook so that it
//! points where it did on its own page. Links into spaces, to other sites
//! and from the source folder's root (`/a.md`, legacy paths) mean the same
//! on every page and stay as written; so does anything else.

use crate::model::path::{href, relative_url};
use crate::parse::{LinkTarget, link::parse_target, markdown_options};
use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};
use std::ops::Range;

/// `markdown` written on the page at `from` (a source path), as it is to
/// read on the page at `to`.
pub fn moved(markdown: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut done = 0;
    for (span, dest) in destinations(markdown) {
        let Some(new) = retarget(&dest, from, to) else {
            continue;
        };
        out.push_str(&markdown[done..span.start]);
        out.push_str(&format!("<{new}>"));
        done = span.end;
    }
    out.push_str(&markdown[done..]);
    out
}

/// Where the destination of each inline link and image is written, and
/// what it says, in source order.
fn destinations(markdown: &str) -> Vec<(Range<usize>, String)> {
    // Each link or image open around the event: inline or not, its
    // destination, and where its text ends so far.
    let mut open: Vec<(bool, String, usize)> = Vec::new();
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(
        markdown,
        markdown_options(&crate::config::Markdown::default()),
    )
    .into_offset_iter()
    {
        match event {
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) => {
                grow(&mut open, range.end);
                let text = range.start
                    + if markdown[range.start..].starts_with('!') {
                        2
                    } else {
                        1
                    };
                open.push((link_type == LinkType::Inline, dest_url.into_string(), text));
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some((true, dest, text_end)) = open.pop() {
                    found.extend(written_at(markdown, text_end, range.end).map(|s| (s, dest)));
                }
                grow(&mut open, range.end);
            }
            _ => grow(&mut open, range.end),
        }
    }
    found.sort_by_key(|(span, _)| span.start);
    found
}

/// The text of every open link reaches at least `to`.
fn grow(open: &mut [(bool, String, usize)], to: usize) {
    for (_, _, text_end) in open {
        *text_end = (*text_end).max(to);
    }
}

/// The destination of an inline link whose text ends at `text_end` and
/// which ends at `end`: after `](` and any blanks, `<…>`, or a run without
/// blanks and with balanced parentheses. `None` when it is not there as
/// expected, or empty.
fn written_at(markdown: &str, text_end: usize, end: usize) -> Option<Range<usize>> {
    let rest = markdown.get(text_end..end)?.strip_prefix("](")?;
    let start = end - rest.trim_start().len();
    let mut escaped = false;
    let mut depth = 0usize;
    let angled = rest.trim_start().starts_with('<');
    for (i, c) in markdown[start..end].char_indices() {
        let stop = match c {
            _ if escaped => false,
            '>' if angled => return Some(start..start + i + 1),
            _ if angled => false,
            '(' => {
                depth += 1;
                false
            }
            ')' if depth == 0 => true,
            ')' => {
                depth -= 1;
                false
            }
            c => c.is_whitespace(),
        };
        if stop {
            return (i > 0).then_some(start..start + i);
        }
        escaped = !escaped && c == '\\';
    }
    None
}

/// Where `dest`, written on the page at `from`, points as seen from the
/// page at `to`; `None` when it means the same there.
fn retarget(dest: &str, from: &str, to: &str) -> Option<String> {
    if dest.starts_with('/') || dest.contains(['<', '>', '\\', '\n']) {
        return None;
    }
    // What follows the path (`?x`, `#anchor`) is kept as written.
    let suffix = dest.find(['?', '#']).map_or("", |i| &dest[i..]);
    match parse_target(dest, from, &[]) {
        LinkTarget::Page { path, .. } | LinkTarget::Asset(path) => {
            Some(href(&relative_url(to, &path)) + suffix)
        }
        LinkTarget::Anchor(_) => Some(href(&relative_url(to, from)) + suffix),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::moved;

    #[test]
    fn relative_links_point_where_they_did() {
        let statement = "See [the rooms](rooms.md#booking), [up](../a.md) and ![map](img/m.png).";
        assert_eq!(
            moved(statement, "b/c/page.md", "protocols.md"),
            "See [the rooms](<b/c/rooms.md#booking>), [up](<b/a.md>) and ![map](<b/c/img/m.png>)."
        );
    }

    #[test]
    fn anchors_on_the_page_become_links_to_it() {
        assert_eq!(
            moved(
                "As [above](#quorum \"Quorum\").",
                "b/über uns.md",
                "x/code.md"
            ),
            "As [above](<../b/%C3%BCber%20uns.md#quorum> \"Quorum\")."
        );
    }

    #[test]
    fn links_that_mean_the_same_everywhere_stay_as_written() {
        let statement = "[f](space:forum/t/1) [w](https://e.org/a.md) [r](/a.md) [m](<mailto:x@y>) \
                         <https://e.org> [ref][r] `[c](c.md)`\n\n[r]: c.md";
        assert_eq!(moved(statement, "b/c.md", "protocols.md"), statement);
    }

    #[test]
    fn link_text_with_brackets_code_and_images_is_kept() {
        let statement = "[a `]` [![i](i.png)](x.md) (with (parens)) [b](<d e.md>) [c](f(1).md)";
        assert_eq!(
            moved(statement, "b/p.md", "protocols.md"),
            "[a `]` [![i](<b/i.png>)](<b/x.md>) (with (parens)) [b](<b/d%20e.md>) [c](<b/f%281%29.md>)"
        );
    }
}
