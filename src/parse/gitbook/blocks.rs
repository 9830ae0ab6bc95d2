//! Rewriting GitBook's block tags into CommonMark + GFM and small HTML blocks.
//!
//! Takes the classified lines of a page body and the range left once GitBook's
//! header and footer are cut off; gives the [`Preprocessed`] page: `{% hint %}`
//! as a GFM alert, `{% embed %}` as a link card, `{% content-ref %}` and
//! `{% tabs %}`/`{% tab %}` as HTML wrappers around ordinary markdown,
//! `{% code %}` dropped, spacer lines blanked, each output line mapped to its
//! source line and shift. Guarantees: fenced lines pass through untouched,
//! every malformed, stray, unclosed or unsupported tag becomes a [`Problem`]
//! (never an error), text put into HTML is escaped, and nesting is cut off at
//! [`MAX_DEPTH`] so no input can exhaust the stack.

use super::edges::{is_spacer_line, quote_marker_len};
use super::tags::Tag;
use super::{LineMap, Preprocessed, Problem, Source, column_at, is_blank};
use crate::html;
use std::ops::Range;

/// Rewrites `lines[keep]`; `first_line` is the 1-based source line of
/// `lines[0]`, and `trailing_newline` whether the text should end in `\n`.
pub(super) fn rewrite(
    lines: &[Source<'_>],
    keep: Range<usize>,
    first_line: u32,
    trailing_newline: bool,
) -> Preprocessed {
    let mut rewriter = Rewriter {
        lines,
        pos: keep.start,
        end: keep.end,
        out: Vec::new(),
        problems: Vec::new(),
        first_line,
        stack: Vec::new(),
    };
    rewriter.run_block();
    rewriter.finish(trailing_newline)
}

/// 1-based character column of the first non-blank character of `line`.
fn indent_column(line: &str) -> u32 {
    column_at(line, line.len() - line.trim_start().len())
}

/// `[rel](rel)`, written so that any path survives as one link.
fn markdown_link(rel: &str) -> String {
    let mut label = String::with_capacity(rel.len());
    for c in rel.chars() {
        if matches!(c, '\\' | '[' | ']') {
            label.push('\\');
        }
        label.push(c);
    }
    let needs_brackets = rel.contains(|c: char| c.is_whitespace() || "()<>".contains(c));
    if needs_brackets {
        let dest = rel.replace('<', "%3C").replace('>', "%3E");
        format!("[{label}](<{dest}>)")
    } else {
        format!("[{label}]({rel})")
    }
}

fn is_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://"]
        .iter()
        .any(|scheme| lower.len() > scheme.len() && lower.starts_with(scheme))
}

/// Blocks deeper than this are reported and shown as text, which bounds the
/// recursion whatever the input.
const MAX_DEPTH: usize = 32;

/// The GitBook blocks that enclose other lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Hint,
    /// A hint inside a hint: its tags are dropped, its lines kept.
    NestedHint,
    Tabs,
    Tab,
    ContentRef,
}

impl Block {
    fn opener(self) -> &'static str {
        match self {
            Block::Hint | Block::NestedHint => "hint",
            Block::Tabs => "tabs",
            Block::Tab => "tab",
            Block::ContentRef => "content-ref",
        }
    }

    fn closer(self) -> &'static str {
        match self {
            Block::Hint | Block::NestedHint => "endhint",
            Block::Tabs => "endtabs",
            Block::Tab => "endtab",
            Block::ContentRef => "endcontent-ref",
        }
    }
}

/// Why a block's scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Its own closing tag, on this line.
    Closed(usize),
    /// A closing tag of an enclosing block (not consumed), or a `{% tab %}`
    /// starting the next tab: this block was left open.
    Interrupted,
    /// The end of the body.
    End,
}

/// One output line and the source line (index into the body) it stands for.
struct Out {
    text: String,
    source: usize,
    shift: i32,
}

/// A recursive-descent pass over the classified lines; each GitBook block
/// scans its own content with `run_block` and then wraps what it produced.
struct Rewriter<'s, 'a> {
    lines: &'s [Source<'a>],
    pos: usize,
    end: usize,
    out: Vec<Out>,
    problems: Vec<Problem>,
    first_line: u32,
    stack: Vec<Block>,
}

impl<'s, 'a> Rewriter<'s, 'a> {
    fn finish(self, trailing_newline: bool) -> Preprocessed {
        let mut text = self
            .out
            .iter()
            .map(|line| line.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if trailing_newline && !self.out.is_empty() {
            text.push('\n');
        }
        let entries = self
            .out
            .iter()
            .map(|line| (self.source_line(line.source), line.shift))
            .collect();
        Preprocessed {
            text,
            lines: LineMap {
                first_line: self.first_line,
                entries,
            },
            problems: self.problems,
        }
    }

    fn source_line(&self, index: usize) -> u32 {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        self.first_line.saturating_add(index)
    }

    fn push(&mut self, text: impl Into<String>, source: usize, shift: i32) {
        self.out.push(Out {
            text: text.into(),
            source,
            shift,
        });
    }

    fn push_all(&mut self, source: usize, texts: &[&str]) {
        for text in texts {
            self.push(*text, source, 0);
        }
    }

    fn problem(&mut self, index: usize, column: u32, message: String) {
        let line = self.source_line(index);
        self.problems.push(Problem {
            line,
            column,
            message,
        });
    }

    /// Scans lines until the end of the body or a tag that ends the innermost
    /// open block.
    fn run_block(&mut self) -> Stop {
        let lines = self.lines;
        while self.pos < self.end {
            let index = self.pos;
            match &lines[index].tag {
                Some(tag) => {
                    if let Some(stop) = self.tag_line(index, tag) {
                        return stop;
                    }
                }
                None => self.text_line(index),
            }
        }
        Stop::End
    }

    fn text_line(&mut self, index: usize) {
        let line = &self.lines[index];
        if self.stack.last() == Some(&Block::Tabs) && !is_blank(line.text) {
            let message = "text inside `{% tabs %}` must be inside a `{% tab %}`".to_string();
            self.problem(index, indent_column(line.text), message);
        }
        let text = if !line.fenced && is_spacer_line(line.text) {
            ""
        } else {
            line.text
        };
        self.push(text, index, 0);
        self.pos = index + 1;
    }

    fn tag_line(&mut self, index: usize, tag: &'s Tag<'a>) -> Option<Stop> {
        let opens = matches!(tag.name, "hint" | "tabs" | "tab" | "content-ref");
        if opens && self.stack.len() >= MAX_DEPTH {
            let message = format!(
                "`{{% {} %}}` is nested too deeply; it is shown as text",
                tag.name
            );
            self.problem(index, tag.column, message);
            self.push(self.lines[index].text, index, 0);
            self.pos = index + 1;
            return None;
        }
        match tag.name {
            "endhint" | "endtab" | "endtabs" | "endcontent-ref" => return self.closer(index, tag),
            "tab" if self.stack.last() == Some(&Block::Tab) => return Some(Stop::Interrupted),
            "hint" if self.stack.contains(&Block::Hint) => self.nested_hint(index, tag),
            "hint" => self.hint(index, tag),
            "tabs" => self.tabs(index),
            "tab" => self.tab(index, tag),
            "content-ref" => self.content_ref(index, tag),
            "embed" => self.embed(index, tag),
            // GitBook wraps fenced code in these; the fence alone renders the same.
            "code" | "endcode" => self.pos = index + 1,
            "endembed" => self.stray(index, tag),
            _ => self.unsupported(index, tag),
        }
        None
    }

    fn closer(&mut self, index: usize, tag: &Tag<'_>) -> Option<Stop> {
        if self.stack.last().is_some_and(|b| b.closer() == tag.name) {
            return Some(Stop::Closed(index));
        }
        if self.stack.iter().any(|b| b.closer() == tag.name) {
            return Some(Stop::Interrupted);
        }
        self.stray(index, tag);
        None
    }

    fn stray(&mut self, index: usize, tag: &Tag<'_>) {
        let opener = tag.name.strip_prefix("end").unwrap_or(tag.name);
        let message = format!(
            "`{{% {} %}}` has no matching `{{% {opener} %}}`; it is dropped",
            tag.name
        );
        self.problem(index, tag.column, message);
        self.pos = index + 1;
    }

    fn unsupported(&mut self, index: usize, tag: &Tag<'_>) {
        // Reporting the opening tag is enough; its end tag would repeat it.
        if !tag.name.starts_with("end") {
            let message = format!(
                "unsupported GitBook block `{{% {} %}}`; it is shown as text",
                tag.name
            );
            self.problem(index, tag.column, message);
        }
        self.push(self.lines[index].text, index, 0);
        self.pos = index + 1;
    }

    /// Scans the content of the block opened on line `open`.
    fn inner(&mut self, open: usize, block: Block) -> Stop {
        self.pos = open + 1;
        self.stack.push(block);
        let stop = self.run_block();
        self.stack.pop();
        stop
    }

    /// Ends the block opened on line `open`: reports it when left open and
    /// emits `closing`, mapped to the closing tag (or the block's last line).
    fn close(&mut self, open: usize, block: Block, stop: Stop, closing: &[&str]) {
        let at = match stop {
            Stop::Closed(line) => {
                self.pos = line + 1;
                line
            }
            Stop::Interrupted | Stop::End => {
                let message = format!(
                    "`{{% {} %}}` is never closed; add `{{% {} %}}`",
                    block.opener(),
                    block.closer()
                );
                let column = self.lines[open].tag.as_ref().map_or(1, |tag| tag.column);
                self.problem(open, column, message);
                self.out.last().map_or(open, |line| line.source)
            }
        };
        self.push_all(at, closing);
    }

    fn hint(&mut self, index: usize, tag: &Tag<'_>) {
        let kind = self.alert_kind(index, tag);
        let head = self.out.len();
        self.push(format!("> [!{kind}]"), index, 0);
        let stop = self.inner(index, Block::Hint);
        let content_end = match stop {
            Stop::Closed(line) => line,
            Stop::Interrupted | Stop::End => self.pos,
        };
        let flatten = all_quoted(&self.lines[index + 1..content_end]);
        for line in &mut self.out[head + 1..] {
            quote(line, flatten);
        }
        // A blank line for the end tag keeps the next paragraph from being
        // swallowed into the alert as a lazy continuation line.
        self.close(index, Block::Hint, stop, &[""]);
    }

    fn alert_kind(&mut self, index: usize, tag: &Tag<'_>) -> &'static str {
        let Some(style) = tag.attr("style") else {
            return "NOTE";
        };
        match style.value.to_ascii_lowercase().as_str() {
            "info" => "NOTE",
            "success" => "TIP",
            "warning" => "WARNING",
            "danger" => "CAUTION",
            _ => {
                let message = format!(
                    "unknown hint style `{}`; use info, success, warning or danger",
                    style.value
                );
                self.problem(index, style.column, message);
                "NOTE"
            }
        }
    }

    fn nested_hint(&mut self, index: usize, tag: &Tag<'_>) {
        let message = "a `{% hint %}` inside another hint is not supported; its tags are dropped";
        self.problem(index, tag.column, message.to_string());
        if let Stop::Closed(line) = self.inner(index, Block::NestedHint) {
            self.pos = line + 1;
        }
    }

    fn tabs(&mut self, index: usize) {
        self.push_all(index, &["<div class=\"tabs\">", ""]);
        let stop = self.inner(index, Block::Tabs);
        self.close(index, Block::Tabs, stop, &["</div>", ""]);
    }

    fn tab(&mut self, index: usize, tag: &Tag<'_>) {
        if self.stack.last() != Some(&Block::Tabs) {
            let message =
                "`{% tab %}` outside `{% tabs %}`; wrap the tabs in `{% tabs %}` … `{% endtabs %}`";
            self.problem(index, tag.column, message.to_string());
        }
        let title = match tag.attr("title") {
            Some(title) => html::escape(title.value),
            None => {
                let message = "`{% tab %}` has no title; add title=\"…\"".to_string();
                self.problem(index, tag.column, message);
                String::new()
            }
        };
        self.push_all(index, &["<section class=\"tab\">", ""]);
        self.push(format!("<p class=\"tab-title\">{title}</p>"), index, 0);
        self.push("", index, 0);
        let stop = self.inner(index, Block::Tab);
        self.close(index, Block::Tab, stop, &["", "</section>", ""]);
    }

    fn content_ref(&mut self, index: usize, tag: &Tag<'_>) {
        let url = tag.attr("url").map(|attr| attr.value);
        if url.is_none() {
            let message = "`{% content-ref %}` has no url; add url=\"page.md\"".to_string();
            self.problem(index, tag.column, message);
        }
        self.push_all(index, &["<div class=\"content-ref\">", ""]);
        let head = self.out.len();
        let stop = self.inner(index, Block::ContentRef);
        self.trim_blank_lines(head);
        if let (true, Some(url)) = (self.out.len() == head, url) {
            self.push(markdown_link(url), index, 0);
        }
        self.close(index, Block::ContentRef, stop, &["", "</div>", ""]);
    }

    /// Drops blank lines at both ends of `out[head..]`.
    fn trim_blank_lines(&mut self, head: usize) {
        while self.out.len() > head && self.out.last().is_some_and(|l| is_blank(&l.text)) {
            self.out.pop();
        }
        let leading = self.out[head..]
            .iter()
            .take_while(|line| is_blank(&line.text))
            .count();
        self.out.drain(head..head + leading);
    }

    fn embed(&mut self, index: usize, tag: &Tag<'_>) {
        let (caption, last) = self.embed_extent(index);
        let html = match tag.attr("url") {
            None => {
                let message = "`{% embed %}` has no url; add url=\"https://…\"".to_string();
                self.problem(index, tag.column, message);
                None
            }
            Some(url) => {
                let label = html::escape(caption.as_deref().unwrap_or(url.value));
                if is_http(url.value) {
                    let href = html::escape(url.value);
                    Some(format!(
                        "<div class=\"embed-card\"><a href=\"{href}\" rel=\"noopener\">{label}</a></div>"
                    ))
                } else {
                    let message = "embed url must be http(s)".to_string();
                    self.problem(index, url.column, message);
                    Some(format!("<div class=\"embed-card\">{label}</div>"))
                }
            }
        };
        if let Some(html) = html {
            self.push(html, index, 0);
        }
        self.push("", last, 0);
        self.pos = last + 1;
    }

    /// The caption and last line of an embed: through a `{% endembed %}`
    /// within the next five lines, or just the tag when there is none.
    fn embed_extent(&self, index: usize) -> (Option<String>, usize) {
        let mut caption: Vec<&str> = Vec::new();
        for next in index + 1..(index + 6).min(self.end) {
            let line = &self.lines[next];
            if line.fenced {
                break;
            }
            match &line.tag {
                Some(tag) if tag.name == "endembed" => {
                    let caption = (!caption.is_empty()).then(|| caption.join(" "));
                    return (caption, next);
                }
                Some(_) => break,
                None if !is_blank(line.text) => caption.push(line.text.trim()),
                None => {}
            }
        }
        (None, index)
    }
}

/// Whether a hint only wraps a quotation (every non-blank line starts with
/// `>`), in which case the quote markers are folded into the alert's.
fn all_quoted(lines: &[Source<'_>]) -> bool {
    let mut non_blank = lines.iter().filter(|line| !is_blank(line.text)).peekable();
    non_blank.peek().is_some() && non_blank.all(|line| quote_marker_len(line.text).is_some())
}

/// Puts one hint content line into the alert's blockquote.
fn quote(line: &mut Out, flatten: bool) {
    if flatten {
        if let Some(len) = quote_marker_len(&line.text) {
            line.text.drain(..len);
            line.shift -= i32::try_from(len).unwrap_or(0);
        }
    }
    if is_blank(&line.text) {
        line.text = ">".to_string();
        line.shift += 1;
    } else {
        line.text.insert_str(0, "> ");
        line.shift += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{map, messages, text};
    use super::super::{Problem, preprocess};
    use super::*;

    // --- hints ------------------------------------------------------------------

    #[test]
    fn hint_styles_map_to_alert_kinds() {
        for (style, kind) in [
            ("info", "NOTE"),
            ("success", "TIP"),
            ("warning", "WARNING"),
            ("danger", "CAUTION"),
            ("Danger", "CAUTION"),
        ] {
            let body = format!("{{% hint style=\"{style}\" %}}\nx\n{{% endhint %}}\n");
            assert_eq!(text(&body), format!("> [!{kind}]\n> x\n\n"), "{style}");
        }
    }

    #[test]
    fn hint_without_style_is_a_note() {
        assert_eq!(text("{% hint %}\nx\n{% endhint %}"), "> [!NOTE]\n> x\n");
        assert!(messages("{% hint %}\nx\n{% endhint %}").is_empty());
    }

    #[test]
    fn unknown_hint_style_is_a_note_and_a_problem() {
        let out = preprocess("{% hint style=\"tip\" %}\nx\n{% endhint %}\n", 10);
        assert_eq!(out.text, "> [!NOTE]\n> x\n\n");
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 10,
                column: 16,
                message: "unknown hint style `tip`; use info, success, warning or danger".into(),
            }]
        );
    }

    #[test]
    fn hint_tags_may_be_indented_and_single_quoted() {
        let body = "  {% hint style='warning' %}\nx\n   {% endhint %}  \n";
        assert_eq!(text(body), "> [!WARNING]\n> x\n\n");
    }

    #[test]
    fn hint_content_is_mapped_with_a_shift() {
        let body = "intro\n{% hint style=\"info\" %}\nfirst\n\nsecond\n{% endhint %}\nafter\n";
        let out = preprocess(body, 1);
        assert_eq!(
            out.text,
            "intro\n> [!NOTE]\n> first\n>\n> second\n\nafter\n"
        );
        assert_eq!(
            out.lines.entries,
            vec![(1, 0), (2, 0), (3, 2), (4, 1), (5, 2), (6, 0), (7, 0)]
        );
        assert_eq!(out.lines.source_position(3, 5), (3, 3));
    }

    #[test]
    fn text_after_a_hint_is_not_swallowed() {
        assert_eq!(
            text("{% hint %}\nin\n{% endhint %}\nout\n"),
            "> [!NOTE]\n> in\n\nout\n"
        );
    }

    #[test]
    fn hint_wrapping_a_quote_is_flattened() {
        let body = "{% hint style=\"info\" %}\n> `Note: Derive protocols`\n>\n> - **A** — b\n{% endhint %}\n";
        let out = preprocess(body, 1);
        assert_eq!(
            out.text,
            "> [!NOTE]\n> `Note: Derive protocols`\n>\n> - **A** — b\n\n"
        );
        assert_eq!(
            out.lines.entries,
            vec![(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]
        );
    }

    #[test]
    fn hint_with_some_quoted_lines_is_not_flattened() {
        let body = "{% hint %}\n> quoted\nplain\n{% endhint %}\n";
        assert_eq!(text(body), "> [!NOTE]\n> > quoted\n> plain\n\n");
    }

    #[test]
    fn fenced_code_inside_a_hint_is_quoted_but_not_rewritten() {
        let body = "{% hint %}\n```\n{% endhint %}\n```\n{% endhint %}\n";
        assert_eq!(text(body), "> [!NOTE]\n> ```\n> {% endhint %}\n> ```\n\n");
    }

    #[test]
    fn nested_hint_tags_are_dropped_and_reported() {
        let body =
            "{% hint %}\na\n{% hint style=\"danger\" %}\nb\n{% endhint %}\nc\n{% endhint %}\nd\n";
        let out = preprocess(body, 1);
        assert_eq!(out.text, "> [!NOTE]\n> a\n> b\n> c\n\nd\n");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 3);
        assert!(out.problems[0].message.contains("inside another hint"));
    }

    #[test]
    fn unclosed_hint_runs_to_the_end_and_is_reported() {
        let out = preprocess("a\n {% hint %}\nb\n", 4);
        assert_eq!(out.text, "a\n> [!NOTE]\n> b\n\n");
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 5,
                column: 2,
                message: "`{% hint %}` is never closed; add `{% endhint %}`".into(),
            }]
        );
    }

    #[test]
    fn stray_endhint_is_dropped_and_reported() {
        let out = preprocess("a\n{% endhint %}\nb\n", 1);
        assert_eq!(out.text, "a\nb\n");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 2);
        assert_eq!(
            out.problems[0].message,
            "`{% endhint %}` has no matching `{% hint %}`; it is dropped"
        );
    }

    #[test]
    fn spacer_lines_inside_hints_become_empty_quote_lines() {
        assert_eq!(
            text("{% hint %}\na\n&#x20;\nb\n{% endhint %}\n"),
            "> [!NOTE]\n> a\n>\n> b\n\n"
        );
    }

    // --- embeds -----------------------------------------------------------------

    #[test]
    fn self_closing_embed_becomes_a_card() {
        let out = preprocess(
            "{% embed url=\"https://example.org/v?a=1&b=2\" %}\nText\n",
            1,
        );
        assert_eq!(
            out.text,
            "<div class=\"embed-card\"><a href=\"https://example.org/v?a=1&amp;b=2\" rel=\"noopener\">https://example.org/v?a=1&amp;b=2</a></div>\n\nText\n"
        );
        assert_eq!(out.lines.entries, vec![(1, 0), (1, 0), (2, 0)]);
    }

    #[test]
    fn embed_with_end_tag_is_consumed() {
        let out = preprocess("{% embed url=\"https://a.org\" %}\n{% endembed %}\nx\n", 1);
        assert_eq!(
            out.text,
            "<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">https://a.org</a></div>\n\nx\n"
        );
        assert_eq!(out.lines.entries, vec![(1, 0), (2, 0), (3, 0)]);
    }

    #[test]
    fn embed_caption_becomes_the_link_text() {
        let body = "{% embed url=\"https://a.org\" %}\nOur <b>talk</b> & 'Q'\n{% endembed %}\n";
        assert_eq!(
            text(body),
            "<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">Our &lt;b&gt;talk&lt;/b&gt; &amp; &#39;Q&#39;</a></div>\n\n"
        );
    }

    #[test]
    fn embed_end_tag_too_far_away_is_not_consumed() {
        let body = "{% embed url=\"https://a.org\" %}\n1\n2\n3\n4\n5\n{% endembed %}\n";
        let out = preprocess(body, 1);
        assert!(out.text.starts_with("<div class=\"embed-card\"><a href=\"https://a.org\" rel=\"noopener\">https://a.org</a></div>\n\n1\n"));
        assert!(!out.text.contains("endembed"));
        assert_eq!(out.problems.len(), 1, "the far end tag is stray");
    }

    #[test]
    fn embed_url_is_escaped_in_the_attribute() {
        let body = "{% embed url='https://a.org/\"x\"' %}\n";
        assert!(text(body).contains("href=\"https://a.org/&quot;x&quot;\""));
    }

    #[test]
    fn embed_without_url_is_a_problem() {
        let out = preprocess("{% embed %}\nx\n", 1);
        assert_eq!(out.text, "\nx\n");
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].message.contains("has no url"));
    }

    #[test]
    fn non_http_embed_is_text_and_a_problem() {
        let out = preprocess("{% embed url=\"javascript:alert('x')\" %}\n", 1);
        assert_eq!(
            out.text,
            "<div class=\"embed-card\">javascript:alert(&#39;x&#39;)</div>\n\n"
        );
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 1,
                column: 15,
                message: "embed url must be http(s)".into()
            }]
        );
    }

    // --- content-ref --------------------------------------------------------------

    #[test]
    fn content_ref_export_form_keeps_the_link() {
        let body = "{% content-ref url=\"governance.md\" %}\n[governance.md](governance.md)\n{% endcontent-ref %}\nNext\n";
        let out = preprocess(body, 1);
        assert_eq!(
            out.text,
            "<div class=\"content-ref\">\n\n[governance.md](governance.md)\n\n</div>\n\nNext\n"
        );
        assert_eq!(
            out.lines.entries,
            vec![(1, 0), (1, 0), (2, 0), (3, 0), (3, 0), (3, 0), (4, 0)]
        );
        assert!(out.problems.is_empty());
    }

    #[test]
    fn content_ref_without_inner_line_links_its_url() {
        assert_eq!(
            text("{% content-ref url=\"a b.md\" %}\n\n{% endcontent-ref %}\n"),
            "<div class=\"content-ref\">\n\n[a b.md](<a b.md>)\n\n</div>\n\n"
        );
        assert_eq!(
            text("{% content-ref url=\"x/[y].md\" %}\n{% endcontent-ref %}\n"),
            "<div class=\"content-ref\">\n\n[x/\\[y\\].md](x/[y].md)\n\n</div>\n\n"
        );
    }

    #[test]
    fn unclosed_content_ref_is_a_problem() {
        let out = preprocess("{% content-ref url=\"a.md\" %}\n[a](a.md)\n", 1);
        assert_eq!(
            out.text,
            "<div class=\"content-ref\">\n\n[a](a.md)\n\n</div>\n\n"
        );
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].message.contains("`{% endcontent-ref %}`"));
    }

    #[test]
    fn content_ref_without_url_is_a_problem() {
        let out = preprocess("{% content-ref %}\n{% endcontent-ref %}\n", 1);
        assert_eq!(out.text, "<div class=\"content-ref\">\n\n\n</div>\n\n");
        assert_eq!(out.problems.len(), 1);
    }

    // --- tabs -----------------------------------------------------------------------

    const TABS: &str = "{% tabs %}\n{% tab title=\"One & <two>\" %}\n**a**\n{% endtab %}\n\n{% tab title=\"B\" %}\nb\n{% endtab %}\n{% endtabs %}\n";

    #[test]
    fn tabs_become_sections() {
        assert_eq!(
            text(TABS),
            "<div class=\"tabs\">\n\n\
             <section class=\"tab\">\n\n<p class=\"tab-title\">One &amp; &lt;two&gt;</p>\n\n**a**\n\n</section>\n\n\
             \n\
             <section class=\"tab\">\n\n<p class=\"tab-title\">B</p>\n\nb\n\n</section>\n\n\
             </div>\n\n"
        );
        assert!(messages(TABS).is_empty());
    }

    #[test]
    fn tab_lines_map_to_their_tags() {
        let entries = map(TABS);
        assert_eq!(entries[0], (1, 0));
        assert_eq!(entries[2..6], [(2, 0); 4]);
        assert_eq!(entries[6], (3, 0));
        assert_eq!(entries[7..10], [(4, 0); 3]);
        assert_eq!(entries[entries.len() - 2..], [(9, 0); 2]);
    }

    #[test]
    fn missing_endtab_is_reported_and_the_next_tab_starts() {
        let body = "{% tabs %}\n{% tab title=\"A\" %}\na\n{% tab title=\"B\" %}\nb\n{% endtab %}\n{% endtabs %}\n";
        let out = preprocess(body, 1);
        assert_eq!(out.text.matches("<section class=\"tab\">").count(), 2);
        assert_eq!(out.text.matches("</section>").count(), 2);
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 2,
                column: 1,
                message: "`{% tab %}` is never closed; add `{% endtab %}`".into()
            }]
        );
    }

    #[test]
    fn endtabs_closes_an_open_tab_with_a_problem() {
        let body = "{% tabs %}\n{% tab title=\"A\" %}\na\n{% endtabs %}\nafter\n";
        let out = preprocess(body, 1);
        assert!(out.text.ends_with("a\n\n</section>\n\n</div>\n\nafter\n"));
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn unclosed_tabs_are_reported() {
        let out = preprocess("{% tabs %}\n{% tab title=\"A\" %}\na\n", 1);
        assert!(out.text.ends_with("</section>\n\n</div>\n\n"));
        let lines: Vec<u32> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 1]);
    }

    #[test]
    fn text_between_tabs_is_a_problem() {
        let messages = messages("{% tabs %}\n stray\n{% endtabs %}\n");
        assert_eq!(
            messages,
            vec!["text inside `{% tabs %}` must be inside a `{% tab %}`"]
        );
    }

    #[test]
    fn tab_outside_tabs_and_without_title_are_problems() {
        let out = preprocess("{% tab %}\nx\n{% endtab %}\n", 1);
        assert!(out.text.contains("<p class=\"tab-title\"></p>"));
        assert_eq!(out.problems.len(), 2);
    }

    #[test]
    fn hints_inside_tabs_are_rewritten() {
        let body = "{% tabs %}\n{% tab title=\"A\" %}\n{% hint style=\"success\" %}\nx\n{% endhint %}\n{% endtab %}\n{% endtabs %}\n";
        assert!(text(body).contains("\n> [!TIP]\n> x\n\n"));
        assert!(messages(body).is_empty());
    }

    #[test]
    fn deep_nesting_is_cut_off() {
        let body = "{% tabs %}\n".repeat(40);
        let out = preprocess(&body, 1);
        assert_eq!(out.text.matches("{% tabs %}").count(), 40 - MAX_DEPTH);
        assert!(
            out.problems
                .iter()
                .any(|p| p.message.contains("nested too deeply"))
        );
    }

    // --- other tags -------------------------------------------------------------------

    #[test]
    fn code_tags_are_dropped() {
        let body =
            "{% code title=\"a.sh\" lineNumbers=\"true\" %}\n```sh\nls\n```\n{% endcode %}\n";
        let out = preprocess(body, 1);
        assert_eq!(out.text, "```sh\nls\n```\n");
        assert_eq!(out.lines.entries, vec![(2, 0), (3, 0), (4, 0)]);
        assert!(out.problems.is_empty());
    }

    #[test]
    fn unsupported_blocks_are_kept_and_reported_once() {
        let body = "{% swagger method=\"get\" %}\nx\n{% endswagger %}\n";
        let out = preprocess(body, 2);
        assert_eq!(out.text, body);
        assert_eq!(
            out.problems,
            vec![Problem {
                line: 2,
                column: 1,
                message: "unsupported GitBook block `{% swagger %}`; it is shown as text".into()
            }]
        );
    }

    #[test]
    fn file_tag_is_unsupported() {
        assert_eq!(
            messages("{% file src=\"a.pdf\" %}\n"),
            vec!["unsupported GitBook block `{% file %}`; it is shown as text"]
        );
    }

    #[test]
    fn stray_endembed_is_dropped() {
        assert_eq!(text("a\n\n{% endembed %}\n"), "a\n\n");
    }
}
