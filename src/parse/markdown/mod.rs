//! The event walk: preprocessed markdown → HTML body with link slots, plus the
//! headings, links, notes, to-do markers and metadata lines found on the way.
//!
//! pulldown-cmark's events are read by index through [`Events`], which pulls
//! them from the parser as far as the walk looks and lets go of those it has
//! passed; [`Walker::run`] goes over a range of them and dispatches each
//! construct to a small handler (`on_heading`, `on_link`, `on_code_block`,
//! `on_blockquote`, …) that may look ahead to the construct's end. Quotes,
//! code blocks and footnotes are walked to their end without looking ahead,
//! and the output goes to a [`Sink`] that writes a long page's HTML as it
//! comes, so memory follows the largest heading, link or note, not the page.
//! `code` reads info strings and hides mdBook's hidden lines; `math` turns
//! formulas (when the project's `markdown.math` asks) into MathML.
//! Link destinations become NUL-delimited slots (`\0N\0`) that the render
//! stage fills with resolved URLs: NUL cannot come from the page, because
//! [`super::parse_page`] replaces it before parsing.

use super::dates::MetaLine;
use super::gitbook::LineMap;
use super::highlight::highlight;
use super::notes::Slugger;
use super::{Heading, Link, Note, Section, SectionText};
use crate::diagnostic::Diagnostic;
use crate::html::escape;
use crate::load::summary::LineIndex;
use events::{Events, Purpose};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use sink::Sink;
use std::ops::Range;

mod code;
mod events;
mod heading;
mod links;
mod math;
mod note;
mod quote;
mod sink;

/// What one page's walk gives.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub(crate) html: String,
    pub(crate) headings: Vec<Heading>,
    pub(crate) links: Vec<Link>,
    pub(crate) notes: Vec<Note>,
    pub(crate) todos: Vec<(u32, u32)>,
    pub(crate) meta: MetaLine,
    pub(crate) h1: Option<String>,
    /// The id of the page's leading H1 when it was lifted out of the body,
    /// so the theme can show it as the title with the status beneath it.
    pub(crate) title_id: Option<String>,
    pub(crate) problems: Vec<Diagnostic>,
    /// Per section (the first is the text before any `##` heading): its bold
    /// phrases and first paragraph, for protocol records.
    pub(crate) sections: Vec<SectionText>,
}

/// What the walk needs to know about the page.
pub(crate) struct Input<'i> {
    pub(crate) text: &'i str,
    pub(crate) lines: &'i LineMap,
    pub(crate) file: &'i str,
    pub(crate) page_path: &'i str,
    pub(crate) legacy: &'i [String],
    /// Highlight code blocks, or leave them as escaped text.
    pub(crate) highlight: bool,
    /// Code highlighted by earlier builds.
    pub(crate) highlights: Option<&'i dyn crate::parse::highlight::Kept>,
    /// Declared spaces as (id, URL).
    pub(crate) spaces: &'i [(String, String)],
    /// The front matter title: a leading H1 that says something else stays in the body.
    pub(crate) front_title: Option<&'i str>,
    /// The markdown extensions the project turned on.
    pub(crate) markdown: &'i crate::config::Markdown,
}

/// How many constructs deep the walk handles quotes, links and headings.
const MAX_DEPTH: usize = 64;

/// CommonMark with GitHub's extensions, heading attributes and definition
/// lists for every handbook (a line that opens with `: ` under a line of
/// text is a definition in mdBook, and rare in other prose); smart
/// punctuation and dollar math only when the project asks.
pub(crate) fn options(markdown: &crate::config::Markdown) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST;
    if markdown.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    if markdown.math == crate::config::Math::Dollars {
        options |= Options::ENABLE_MATH;
    }
    options
}

/// Walks one page body.
pub(crate) fn walk(input: &Input<'_>) -> Walked {
    walk_with(input, input.text.len())
}

/// Walks one page body, its HTML written as it comes when `len` is at
/// least [`sink::STREAM_FROM`] (tests pass their own to take either way).
fn walk_with(input: &Input<'_>, len: usize) -> Walked {
    let parser = Parser::new_ext(input.text, options(input.markdown)).into_offset_iter();
    let (html, mut walked) = sink::render(len, |out| {
        let mut walker = Walker {
            input,
            index: LineIndex::new(input.text),
            events: Events::new(parser),
            out,
            slugger: Slugger::default(),
            section: None,
            in_note: false,
            depth: 0,
            footnotes: std::collections::HashMap::new(),
            top_level: false,
            body_begun: false,
            in_link: 0,
            walked: Walked {
                sections: vec![SectionText::default()],
                ..Walked::default()
            },
        };
        walker.run_to_close(0);
        walker.take_gathered();
        (walker.out, walker.walked)
    });
    walked.html = without_inline_styles(html);
    // The page keeps these for the whole build: no room to spare.
    walked.headings.shrink_to_fit();
    walked.links.shrink_to_fit();
    walked.todos.shrink_to_fit();
    walked
}

/// GFM column alignment comes out of pulldown-cmark as `style` attributes,
/// which a strict Content-Security-Policy blocks; the theme styles classes.
fn without_inline_styles(html: String) -> String {
    if !html.contains(" style=\"text-align: ") {
        return html;
    }
    ["left", "center", "right"].iter().fold(html, |html, side| {
        html.replace(
            &format!(" style=\"text-align: {side}\""),
            &format!(" class=\"align-{side}\""),
        )
    })
}

struct Walker<'a, 'i> {
    input: &'i Input<'i>,
    index: LineIndex,
    events: Events<'a>,
    out: Sink<'a>,
    slugger: Slugger,
    /// The heading (level ≥ 2) a note found now belongs to.
    section: Option<Section>,
    /// Inside a note: its bold titles are not the section's key terms.
    in_note: bool,
    /// How deep `run` is nested; past [`MAX_DEPTH`] constructs pass through as they are.
    depth: usize,
    /// Footnote numbers by label, in order of first mention.
    footnotes: std::collections::HashMap<String, usize>,
    /// The event being dispatched is a block of the page itself, in no
    /// list, quote or other block.
    top_level: bool,
    /// A paragraph of the page's text has come: header lines come before.
    body_begun: bool,
    /// How many links the walk is inside.
    in_link: usize,
    walked: Walked,
}

/// How far a run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// To this event, not included.
    At(usize),
    /// To the `End` of the construct the run is inside (or the last event):
    /// the first `End` no `Start` of the run opened.
    Close,
}

/// Whether a handler takes the construct `tag` opens whole (the others
/// pass through the run, their `End` later in the same run).
fn has_handler(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Heading { .. }
            | Tag::CodeBlock(_)
            | Tag::BlockQuote(_)
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::FootnoteDefinition(_)
    )
}

impl<'a> Walker<'a, '_> {
    /// Processes events `from..to`, dispatching constructs to their handlers.
    fn run(&mut self, from: usize, to: usize) {
        self.run_until(from, Until::At(to));
    }

    /// Processes events from `from` to the end of the construct they are
    /// in; gives the index of its `End`.
    fn run_to_close(&mut self, from: usize) -> usize {
        self.run_until(from, Until::Close)
    }

    fn run_until(&mut self, from: usize, until: Until) -> usize {
        if self.depth >= MAX_DEPTH {
            // A crafted page nesting thousands of quotes must not overflow the
            // stack: this deep, events are rendered as pulldown-cmark gives them.
            let to = match until {
                Until::At(to) => to,
                Until::Close => self.close_of(from),
            };
            for i in from..to {
                let event = self.events[i].0.clone();
                self.out.push(event);
            }
            return to;
        }
        self.depth += 1;
        let stop = self.run_events(from, until);
        self.depth -= 1;
        stop
    }

    /// Walks forward from `from`: nothing before an event is read once the
    /// walk is at it, so those events are let go of.
    fn run_events(&mut self, from: usize, until: Until) -> usize {
        let mut i = from;
        let mut open = 0usize;
        loop {
            if until.is_at(i) || !self.events.fill(i) {
                return i;
            }
            self.events.release(i);
            self.top_level = self.depth == 1 && open == 0;
            let opens = match &self.events[i].0 {
                Event::End(_) if open == 0 && until == Until::Close => return i,
                Event::End(_) => {
                    open = open.saturating_sub(1);
                    false
                }
                Event::Start(tag) => !has_handler(tag),
                _ => false,
            };
            let next = self.dispatch(i);
            // A construct left to the run opens one more level, unless its
            // handler took it whole after all (a header paragraph).
            if opens && next == i + 1 {
                open += 1;
            }
            i = next;
        }
    }

    /// Handles the event at `i` (and, for a construct with a handler, all
    /// of it); gives the index of the next event to handle.
    fn dispatch(&mut self, i: usize) -> usize {
        let (event, range) = self.events[i].clone();
        match event {
            Event::Start(Tag::Heading { .. }) => self.on_heading(i),
            Event::Start(Tag::CodeBlock(_)) => self.on_code_block(i),
            Event::Start(Tag::BlockQuote(kind)) => self.on_blockquote(i, kind),
            Event::Start(Tag::Link { .. }) => self.on_link(i),
            Event::Start(Tag::Image { .. }) => self.on_image(i),
            Event::FootnoteReference(label) => {
                self.on_footnote_reference(&label);
                i + 1
            }
            Event::Start(Tag::FootnoteDefinition(_)) => self.on_footnote_definition(i),
            Event::Html(text) | Event::InlineHtml(text) => {
                let rewritten = self.on_raw_html(&text, range.start);
                self.out.push(html(rewritten));
                i + 1
            }
            Event::Start(Tag::Paragraph) if self.top_level && !self.body_begun => {
                self.on_header_paragraph(i).unwrap_or_else(|| {
                    self.body_begun = true;
                    self.record_section_text(i);
                    self.out.push(event);
                    i + 1
                })
            }
            Event::Start(Tag::Strong) | Event::Start(Tag::Paragraph) => {
                self.record_section_text(i);
                self.out.push(event);
                i + 1
            }
            Event::Text(_) if self.input.markdown.math == crate::config::Math::Mathjax => {
                self.on_mathjax_text(i)
            }
            Event::Text(text) => {
                self.on_text(&text, &range);
                self.out.push(Event::Text(text));
                i + 1
            }
            Event::InlineMath(tex) => {
                self.on_math(&tex, false, range.start);
                i + 1
            }
            Event::DisplayMath(tex) => {
                self.on_math(&tex, true, range.start);
                i + 1
            }
            other => {
                self.out.push(other);
                i + 1
            }
        }
    }

    /// The index of the `End` matching the `Start` at `start`, pulling the
    /// events up to it.
    fn end_of(&mut self, start: usize) -> usize {
        let mut depth = 0usize;
        let mut i = start;
        while self.events.fill(i) {
            match self.events[i].0 {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.events.last()
    }

    /// The index of the first `End` from `from` that no `Start` after
    /// `from` opened: where the construct `from` is inside ends.
    fn close_of(&mut self, from: usize) -> usize {
        let mut open = 0usize;
        let mut i = from;
        while self.events.fill(i) {
            match self.events[i].0 {
                Event::Start(_) => open += 1,
                Event::End(_) if open == 0 => return i,
                Event::End(_) => open -= 1,
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// Plain text of events `from..to` (soft breaks as `\n`); they are pulled.
    fn plain_text(&self, from: usize, to: usize) -> String {
        let mut text = String::new();
        for i in from..to {
            match &self.events[i].0 {
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::SoftBreak | Event::HardBreak => text.push('\n'),
                _ => {}
            }
        }
        text
    }

    /// The 1-based source (line, column) of a byte offset in the walked text.
    fn position(&self, offset: usize) -> (u32, u32) {
        let (line, column) = self.index.position(self.input.text, offset);
        self.input.lines.source_position(line, column)
    }

    /// A code block is read to its end as its events come (it holds only
    /// text), and highlighted whole.
    fn on_code_block(&mut self, start: usize) -> usize {
        let info = match &self.events[start].0 {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info))) => {
                code::info(info, &self.input.markdown.hidelines)
            }
            _ => code::info("", &self.input.markdown.hidelines),
        };
        let lang = info.lang;
        let mut code = String::new();
        let mut i = start + 1;
        while self.events.fill(i) {
            match &self.events[i].0 {
                Event::End(_) => break,
                Event::Text(t) | Event::Code(t) => code.push_str(t),
                Event::SoftBreak | Event::HardBreak => code.push('\n'),
                _ => {}
            }
            self.events.release(i);
            i += 1;
        }
        if let Some(hide) = &info.hide {
            code = code::shown(&code, hide);
        }
        let block = match (self.input.highlight, self.input.highlights) {
            (true, Some(kept)) => kept.get_or_make(&lang, &code, &mut || highlight(&lang, &code)),
            (true, None) => highlight(&lang, &code),
            (false, _) => highlight("", &code),
        };
        self.out.push(html(block));
        i + 1
    }

    /// A formula as MathML; one that is not LaTeX is a warning at its
    /// place, and is shown as written, as code.
    fn on_math(&mut self, tex: &str, display: bool, offset: usize) {
        match math::mathml(tex, display) {
            Ok(mathml) => self.out.push(html(mathml)),
            Err(why) => {
                let (line, column) = self.position(offset);
                let message = format!("this formula is not LaTeX math the build can read: {why}");
                let help = "fix the formula; until then it is shown as written";
                let d = Diagnostic::warning(self.input.file, line, column, message).with_help(help);
                self.walked.problems.push(d);
                let shown = format!("<code class=\"math-error\">{}</code>", escape(tex));
                self.out.push(html(shown));
            }
        }
    }

    /// A run of text (with its soft breaks) in which MathJax's `\(…\)` and
    /// `\[…\]` are math; gives the index of the event after the run.
    fn on_mathjax_text(&mut self, start: usize) -> usize {
        let mut text = String::new();
        // Where each text event starts: in `text`, and in the walked text.
        let mut starts = Vec::new();
        let mut i = start;
        while self.events.fill(i) {
            let (event, range) = self.events[i].clone();
            match event {
                Event::Text(t) => {
                    self.on_text(&t, &range);
                    starts.push((text.len(), range.start));
                    text.push_str(&t);
                }
                Event::SoftBreak => text.push('\n'),
                _ => break,
            }
            i += 1;
        }
        for piece in math::split_mathjax(&text) {
            match piece {
                math::Piece::Text(t) => self.out.push(Event::Text(CowStr::from(t.to_string()))),
                math::Piece::Math(tex, display, at) => {
                    let event = starts.partition_point(|s| s.0 <= at).saturating_sub(1);
                    let (from, source) = starts.get(event).copied().unwrap_or_default();
                    let mut offset = source + (at - from);
                    // `\\(` in the page is an escape: its text starts at the second `\`.
                    if self
                        .input
                        .text
                        .get(..offset)
                        .is_some_and(|t| t.ends_with('\\'))
                    {
                        offset -= 1;
                    }
                    self.on_math(tex, display, offset);
                }
            }
        }
        i
    }

    /// Counts `xxx` to-do markers (a word of its own, any case).
    fn on_text(&mut self, text: &str, range: &Range<usize>) {
        if !text.to_ascii_lowercase().contains("xxx") {
            return;
        }
        let source = &self.input.text[range.clone()];
        for (at, _) in source.to_ascii_lowercase().match_indices("xxx") {
            let before = source[..at].chars().next_back();
            let after = source[at + 3..].chars().next();
            if !before.is_some_and(char::is_alphanumeric)
                && !after.is_some_and(char::is_alphanumeric)
            {
                let position = self.position(range.start + at);
                self.walked.todos.push(position);
            }
        }
    }
}

impl Until {
    /// Whether a run that has come to event `i` is done by its bound.
    fn is_at(self, i: usize) -> bool {
        matches!(self, Until::At(to) if i >= to)
    }
}

fn html<'a>(text: String) -> Event<'a> {
    Event::Html(CowStr::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with every construct the walk handles, some of them long.
    fn page() -> String {
        let mut page = String::from(
            "# T\n\n> Updated: 19jul2021\n\nSome **bold** [link](b.md) xxx.\n\n\
             > quote\n> on\n\n> [!NOTE]\n> alert\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n\
             ```rust\nfn x() {}\n```\n\nNote[^1].\n\n[^1]: Foot\n    note.\n\n\
             > `Note: Derive protocols`\n>\n> - **Quorum** — Half.\n>   - status: adopted\n\n\
             Setext\n===\n\n<img src=\"c.png\">\n\n## Long\n\n",
        );
        for n in 0..3000 {
            page.push_str(&format!("> line {n} with [a](x{n}.md)\n"));
        }
        page.push_str("\n| a | b |\n|:-|-:|\n");
        for n in 0..3000 {
            page.push_str(&format!("| {n} | **{n}** |\n"));
        }
        page
    }

    fn walked(text: &str, len: usize) -> String {
        let pre = crate::parse::gitbook::preprocess(text, 1);
        let input = Input {
            text: &pre.text,
            lines: &pre.lines,
            file: "handbook/a.md",
            page_path: "a.md",
            legacy: &[],
            highlight: true,
            highlights: None,
            spaces: &[],
            front_title: None,
            markdown: &crate::config::Markdown::default(),
        };
        format!("{:?}", walk_with(&input, len))
    }

    #[test]
    fn a_page_written_while_walked_comes_out_as_one_written_after() {
        let text = page();
        assert!(text.len() > sink::STREAM_FROM);
        let held = walked(&text, 0);
        assert!(
            held.contains("text-align") || held.contains("align-right"),
            "{held}"
        );
        assert!(held.contains("x2999.md") && held.contains("Quorum"));
        assert_eq!(walked(&text, text.len()), held);
    }
}
