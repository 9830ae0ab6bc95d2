//! GitBook export syntax rewritten into plain CommonMark + GFM.
//!
//! Takes the body of one page as GitBook exported it (front matter already
//! removed) and the source line the body starts on. Gives text that
//! pulldown-cmark renders without knowing GitBook: `{% hint %}` becomes a GFM
//! alert, `{% embed %}`, `{% content-ref %}` and `{% tabs %}` become small HTML
//! blocks around ordinary markdown, GitBook's appended "Agent Instructions"
//! footer and `llms.txt` header are dropped, `&#x20;` spacer lines become blank.
//! Alongside come a [`LineMap`] from every output line back to its source line
//! and column shift, and the [`Problem`]s found on the way.
//!
//! Guarantees: nothing inside a fenced code block is rewritten; text outside
//! the constructs above passes through byte for byte (with `\r\n` turned into
//! `\n`), so a page without them comes back unchanged with an identity map;
//! every output line maps to a line of the body; and no input makes it panic.
//!
//! This file holds the entry point and the line-level scan every stage works
//! on; `fences` tracks fenced code, `tags` reads `{% … %}` tags, `edges` finds
//! what GitBook adds around a page, and `blocks` rewrites the tag blocks.

mod blocks;
mod edges;
mod fences;
mod tags;

use edges::{footer_start, header_end};
use fences::Fences;
use tags::{Tag, parse_tag};

/// Source-line mapping: for each line of the output text (0-based index), the
/// 1-based line in the original file, and how many columns the output line is
/// shifted right relative to the source (e.g. 2 when "> " was prepended).
/// Kept as runs of lines that follow their source line by line with the same
/// shift, so a page GitBook syntax leaves alone is one run however long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMap {
    /// Where an empty output points: the line the body starts on.
    first_line: u32,
    /// In output order, each starting where the one before ends.
    runs: Vec<Run>,
    /// How many output lines are mapped.
    lines: usize,
}

/// Output lines from `start` on, mapped to `source`, `source + 1`, … with
/// the same shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    start: usize,
    source: u32,
    shift: i32,
}

impl LineMap {
    /// A map of no lines yet, for a body starting on `first_line`.
    fn new(first_line: u32) -> Self {
        Self {
            first_line,
            runs: Vec::new(),
            lines: 0,
        }
    }

    /// Maps the next output line to 1-based `source`, shifted by `shift`.
    fn push(&mut self, source: u32, shift: i32) {
        let follows = self.runs.last().is_some_and(|run| {
            let offset = u32::try_from(self.lines - run.start).ok();
            run.shift == shift && offset.and_then(|o| run.source.checked_add(o)) == Some(source)
        });
        if !follows {
            self.runs.push(Run {
                start: self.lines,
                source,
                shift,
            });
        }
        self.lines += 1;
    }

    /// Maps a 1-based (line, column) in the output text to the 1-based (line,
    /// column) in the source file. Lines past the end map to the last source
    /// line. Column never goes below 1.
    pub fn source_position(&self, line: u32, column: u32) -> (u32, u32) {
        let (source_line, shift) = match self.lines.checked_sub(1) {
            None => (self.first_line, 0),
            Some(last) => {
                let index = usize::try_from(line.saturating_sub(1))
                    .unwrap_or(usize::MAX)
                    .min(last);
                let run = self.runs[self.runs.partition_point(|r| r.start <= index) - 1];
                let offset = u32::try_from(index - run.start).unwrap_or(u32::MAX);
                (run.source.saturating_add(offset), run.shift)
            }
        };
        let column = (i64::from(column) - i64::from(shift)).max(1);
        (source_line, u32::try_from(column).unwrap_or(u32::MAX))
    }

    /// Every output line's (source line, shift), in order.
    #[cfg(test)]
    fn entries(&self) -> Vec<(u32, i32)> {
        let ends = self
            .runs
            .iter()
            .skip(1)
            .map(|r| r.start)
            .chain([self.lines]);
        self.runs
            .iter()
            .zip(ends)
            .flat_map(|(run, end)| {
                (0..end - run.start).map(move |k| (run.source + k as u32, run.shift))
            })
            .collect()
    }
}

/// A problem found while rewriting: 1-based source line and column, and a
/// message for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the source file.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// What is wrong and, where possible, what to write instead.
    pub message: String,
}

/// The result of preprocessing one page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preprocessed {
    /// CommonMark + GFM text, lines separated by `\n`.
    pub text: String,
    /// Where each line of `text` came from.
    pub lines: LineMap,
    /// Malformed or unsupported GitBook blocks, in the order they were found
    /// (a block left open is reported after what was found inside it).
    pub problems: Vec<Problem>,
}

/// `body` is the page text after front matter was removed; `first_line` is the
/// 1-based source line on which `body` starts (so front matter does not shift
/// reported lines).
pub fn preprocess(body: &str, first_line: u32) -> Preprocessed {
    let (lines, trailing_newline) = classify(body);
    let start = header_end(&lines);
    let footer = footer_start(&lines).map(|at| {
        let blank_before = lines[..at].iter().rev().take_while(|l| is_blank(l.text));
        at - blank_before.count()
    });
    let end = footer.unwrap_or(lines.len()).max(start);
    blocks::rewrite(
        &lines,
        start..end,
        first_line,
        trailing_newline || footer.is_some(),
    )
}

/// One source line with what the line-level scan found out about it.
/// Built once by `classify`; the other stages only read it.
struct Source<'a> {
    text: &'a str,
    /// Part of a fenced code block (fence lines included): never rewritten.
    fenced: bool,
    /// A `{% … %}` tag standing alone on the line, outside fences (boxed:
    /// few lines have one, and every line has this field).
    tag: Option<Box<Tag<'a>>>,
}

/// Splits on `\n`, dropping a `\r` before it, marks the fenced lines and
/// reads the tags that stand alone on a line; the final newline is reported
/// separately so that it can be given back exactly.
fn classify(body: &str) -> (Vec<Source<'_>>, bool) {
    if body.is_empty() {
        return (Vec::new(), false);
    }
    let trailing_newline = body.ends_with('\n');
    let body = body.strip_suffix('\n').unwrap_or(body);
    let mut fences = Fences::default();
    let lines = body
        .split('\n')
        .map(|line| {
            let text = line.strip_suffix('\r').unwrap_or(line);
            let fenced = fences.contains(text);
            let tag = if fenced { None } else { parse_tag(text) };
            Source {
                text,
                fenced,
                tag: tag.map(Box::new),
            }
        })
        .collect();
    (lines, trailing_newline)
}

/// The line without up to three spaces of indentation; `None` when it is
/// indented further (then it cannot open or close a fence, nor be a thematic
/// break, an ATX heading or a blockquote marker).
fn strip_indent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take_while(|&b| b == b' ').count();
    (spaces <= 3).then(|| &line[spaces..])
}

/// Whether the line holds only whitespace.
fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// 1-based character column of byte offset `at` in `line`.
fn column_at(line: &str, at: usize) -> u32 {
    let chars = line.get(..at).map_or(0, |head| head.chars().count());
    u32::try_from(chars + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn text(body: &str) -> String {
        preprocess(body, 1).text
    }

    pub(super) fn messages(body: &str) -> Vec<String> {
        preprocess(body, 1)
            .problems
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    pub(super) fn map(body: &str) -> Vec<(u32, i32)> {
        preprocess(body, 1).lines.entries()
    }

    // --- pass-through -------------------------------------------------------

    #[test]
    fn plain_markdown_is_unchanged_with_identity_map() {
        let body = "# Title\n\nSome *text* &#x20;here.\n\n> quote\n- item\n";
        let out = preprocess(body, 7);
        assert_eq!(out.text, body);
        assert_eq!(
            out.lines.entries(),
            vec![(7, 0), (8, 0), (9, 0), (10, 0), (11, 0), (12, 0)]
        );
        assert!(out.problems.is_empty());
    }

    #[test]
    fn missing_final_newline_stays_missing() {
        assert_eq!(text("a\nb"), "a\nb");
    }

    #[test]
    fn blank_lines_at_the_end_are_kept() {
        assert_eq!(text("a\n\n\n"), "a\n\n\n");
        assert_eq!(text("\n"), "\n");
    }

    #[test]
    fn empty_body_gives_empty_text() {
        let out = preprocess("", 5);
        assert_eq!(out.text, "");
        assert_eq!(out.lines.source_position(1, 1), (5, 1));
    }

    #[test]
    fn crlf_becomes_lf() {
        let out = preprocess("a\r\nb\r\n", 1);
        assert_eq!(out.text, "a\nb\n");
        assert_eq!(out.lines.entries(), vec![(1, 0), (2, 0)]);
    }

    #[test]
    fn lone_carriage_returns_are_kept() {
        assert_eq!(text("a\rb\n"), "a\rb\n");
    }

    // --- line map -----------------------------------------------------------------------

    #[test]
    fn source_position_subtracts_the_shift_and_clamps() {
        let mut map = LineMap::new(3);
        map.push(3, 0);
        map.push(4, 2);
        map.push(6, -3);
        assert_eq!(map.source_position(1, 4), (3, 4));
        assert_eq!(map.source_position(2, 5), (4, 3));
        assert_eq!(map.source_position(2, 1), (4, 1));
        assert_eq!(map.source_position(3, 1), (6, 4));
    }

    #[test]
    fn source_position_past_the_end_uses_the_last_line() {
        let map = preprocess("a\nb\n", 10).lines;
        assert_eq!(map.source_position(3, 1), (11, 1));
        assert_eq!(map.source_position(u32::MAX, 2), (11, 2));
        assert_eq!(map.source_position(0, 0), (10, 1));
    }

    // --- the seed and properties ------------------------------------------------------------

    /// The last 25 lines of the seed export (seeds/001, lines 11 to 35), with
    /// the three long paragraphs shortened.
    const SEED_TAIL: &str = "This is the sense, for example, in ‘Art of hosting’, and in other facilitative traditions.

For these reasons, we try to use ‘provisioning’ when we want to refer to our FLOSS ‘hosting’ practice.

Alongside that, we also host **media spaces** and **venue spaces**: text-chat forum threads, handbooks, assemblies.

> `Note: Derive protocols`


---

# Agent Instructions: Querying This Documentation

If you need additional information that is not directly available in this page, you can query the documentation dynamically by asking a question.

Perform an HTTP GET request on the current page URL with the `ask` query parameter:

```
GET https://meet-coop-1.gitbook.io/handbook-trial/2-political-economy/commons-political-economy/provisioning-and-hosting.md?ask=<question>
```

The question should be specific, self-contained, and written in natural language.
The response will contain a direct answer to the question and relevant excerpts and sources from the documentation.

Use this mechanism when the answer is not explicitly present in the current page, you need clarification or additional context, or you want to retrieve related documentation sections.
";

    #[test]
    fn seed_loses_its_footer_but_keeps_the_note() {
        assert_eq!(SEED_TAIL.lines().count(), 25);
        let out = preprocess(SEED_TAIL, 11);
        assert!(
            out.text
                .ends_with("assemblies.\n\n> `Note: Derive protocols`\n")
        );
        assert!(!out.text.contains("Agent Instructions"));
        assert!(!out.text.contains("GET https://"));
        let expected: Vec<(u32, i32)> = (11..=17).map(|line| (line, 0)).collect();
        assert_eq!(out.lines.entries(), expected);
        assert_eq!(out.lines.source_position(7, 3), (17, 3));
        assert!(out.problems.is_empty());
    }

    /// A small linear congruential generator, so the fuzz test is repeatable.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next()).unwrap_or(0) % n
        }
    }

    const PIECES: [&str; 24] = [
        "{% hint style=\"info\" %}\n",
        "{% endhint %}\n",
        "{% tabs %}\n",
        "{% tab title=\"t\" %}\n",
        "{% endtab %}\n",
        "{% endtabs %}\n",
        "{% content-ref url=\"a.md\" %}\n",
        "{% endcontent-ref %}\n",
        "{% embed url=\"https://x\" %}\n",
        "{% endembed %}\n",
        "{% code %}\n",
        "{% swagger %}\n",
        "```\n",
        "~~~~\n",
        "---\n",
        "# Agent Instructions\n",
        "> llms.txt\n",
        "> quoted\n",
        "&#x20;\n",
        "\n",
        "\r\n",
        "text ",
        "{% x a=\"",
        "é %}",
    ];

    fn check_invariants(body: &str) {
        let out = preprocess(body, 1);
        let source_lines = u32::try_from(body.split('\n').count()).unwrap_or(u32::MAX);
        let output_lines = out.text.split('\n').count();
        assert!(out.lines.entries().len() <= output_lines, "{body:?}");
        assert!(out.lines.entries().len() + 1 >= output_lines, "{body:?}");
        for (line, _) in out.lines.entries() {
            assert!((1..=source_lines).contains(&line), "{body:?}");
        }
        for problem in &out.problems {
            assert!((1..=source_lines).contains(&problem.line), "{body:?}");
            assert!(problem.column >= 1, "{body:?}");
        }
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let mut rng = Lcg(0x5eed);
        for _ in 0..2000 {
            let len = rng.below(200);
            let bytes: Vec<u8> = (0..len)
                .map(|_| match rng.below(4) {
                    0 => b"{%}\n>`~-#& "[rng.below(11)],
                    _ => u8::try_from(rng.below(256)).unwrap_or(0),
                })
                .collect();
            check_invariants(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn never_panics_on_random_gitbook_pieces() {
        let mut rng = Lcg(42);
        for _ in 0..3000 {
            let body: String = (0..rng.below(30))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            check_invariants(&body);
        }
    }

    #[test]
    fn bodies_without_gitbook_syntax_are_identity_mapped() {
        let mut rng = Lcg(7);
        let plain = [
            "# h\n",
            "text\n",
            "\n",
            "> q\n",
            "- i\n",
            "```\n",
            "    code\n",
            "a &#x20; b\n",
        ];
        for _ in 0..500 {
            let body: String = (0..rng.below(20))
                .map(|_| plain[rng.below(plain.len())])
                .collect();
            let out = preprocess(&body, 4);
            assert_eq!(out.text, body);
            let expected: Vec<(u32, i32)> = (0..body.lines().count())
                .map(|n| (4 + u32::try_from(n).unwrap_or(0), 0))
                .collect();
            assert_eq!(out.lines.entries(), expected, "{body:?}");
        }
    }
}
