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
use std::borrow::Cow;
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
        text: String::new(),
        map: LineMap::new(first_line),
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

/// One output line and the source line (index into the body) it stands for;
/// most are a source line as it is.
struct Out<'a> {
    text: Cow<'a, str>,
    source: usize,
    shift: i32,
}

/// A recursive-descent pass over the classified lines; each GitBook block
/// scans its own content with `run_block` and then wraps what it produced.
/// Lines outside any block are final as soon as they are made: they go to
/// `text` and `map` at once, so `out` holds only the block being rewritten.
struct Rewriter<'s, 'a> {
    lines: &'s [Source<'a>],
    pos: usize,
    end: usize,
    out: Vec<Out<'a>>,
    /// The finished text, lines joined by `\n`.
    text: String,
    map: LineMap,
    problems: Vec<Problem>,
    first_line: u32,
    stack: Vec<Block>,
}

impl<'s, 'a> Rewriter<'s, 'a> {
    fn finish(mut self, trailing_newline: bool) -> Preprocessed {
        self.flush();
        if trailing_newline && self.map.lines > 0 {
            self.text.push('\n');
        }
        Preprocessed {
            text: self.text,
            lines: self.map,
            problems: self.problems,
        }
    }

    /// Moves the lines made so far into the finished text.
    fn flush(&mut self) {
        let first_line = self.first_line;
        for line in self.out.drain(..) {
            if self.map.lines > 0 {
                self.text.push('\n');
            }
            self.text.push_str(&line.text);
            let index = u32::try_from(line.source).unwrap_or(u32::MAX);
            self.map.push(first_line.saturating_add(index), line.shift);
        }
    }

    fn source_line(&self, index: usize) -> u32 {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        self.first_line.saturating_add(index)
    }

    fn push(&mut self, text: impl Into<Cow<'a, str>>, source: usize, shift: i32) {
        self.out.push(Out {
            text: text.into(),
            source,
            shift,
        });
    }

    fn push_all(&mut self, source: usize, texts: &[&'static str]) {
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
            if self.stack.is_empty() {
                self.flush();
            }
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
    fn close(&mut self, open: usize, block: Block, stop: Stop, closing: &[&'static str]) {
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
fn quote(line: &mut Out<'_>, flatten: bool) {
    if flatten && let Some(len) = quote_marker_len(&line.text) {
        line.text.to_mut().drain(..len);
        line.shift -= i32::try_from(len).unwrap_or(0);
    }
    if is_blank(&line.text) {
        line.text = Cow::Borrowed(">");
        line.shift += 1;
    } else {
        line.text.to_mut().insert_str(0, "> ");
        line.shift += 2;
    }
}

#[cfg(test)]
mod tests;
