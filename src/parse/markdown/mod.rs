//! The event walk: preprocessed markdown → HTML body with link slots, plus the
//! headings, links, notes, to-do markers and metadata lines found on the way.
//!
//! pulldown-cmark's events are collected once; [`Walker::run`] goes over a range
//! of them and dispatches each construct to a small handler (`on_heading`,
//! `on_link`, `on_code_block`, `on_blockquote`, …) that may look ahead to the
//! construct's end. Link destinations become NUL-delimited slots (`\0N\0`) that
//! the render stage fills with resolved URLs: NUL cannot come from the page,
//! because [`super::parse_page`] replaces it before parsing.

use super::dates::{MetaLine, parse_meta_line};
use super::gitbook::LineMap;
use super::highlight::highlight;
use super::notes::{Slugger, is_note_tag};
use super::{Heading, Link, Note, Section, SectionText};
use crate::diagnostic::Diagnostic;
use crate::html::escape;
use crate::load::summary::LineIndex;
use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

mod links;
mod note;

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
    pub(crate) highlights: Option<&'i crate::cache::highlight::Highlights>,
    /// Declared spaces as (id, URL).
    pub(crate) spaces: &'i [(String, String)],
    /// The front matter title: a leading H1 that says something else stays in the body.
    pub(crate) front_title: Option<&'i str>,
}

/// How many constructs deep the walk handles quotes, links and headings.
const MAX_DEPTH: usize = 64;

/// The markdown extensions pages are read with.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Walks one page body.
pub(crate) fn walk(input: &Input<'_>) -> Walked {
    let events: Vec<_> = Parser::new_ext(input.text, options())
        .into_offset_iter()
        .collect();
    let mut walker = Walker {
        input,
        index: LineIndex::new(input.text),
        events,
        out: Vec::new(),
        slugger: Slugger::default(),
        section: None,
        in_note: false,
        depth: 0,
        footnotes: std::collections::HashMap::new(),
        walked: Walked {
            sections: vec![SectionText::default()],
            ..Walked::default()
        },
    };
    walker.run(0, walker.events.len());
    let mut walked = walker.walked;
    pulldown_cmark::html::push_html(&mut walked.html, walker.out.into_iter());
    walked.html = without_inline_styles(walked.html);
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
    events: Vec<(Event<'a>, Range<usize>)>,
    out: Vec<Event<'a>>,
    slugger: Slugger,
    /// The heading (level ≥ 2) a note found now belongs to.
    section: Option<Section>,
    /// Inside a note: its bold titles are not the section's key terms.
    in_note: bool,
    /// How deep `run` is nested; past [`MAX_DEPTH`] constructs pass through as they are.
    depth: usize,
    /// Footnote numbers by label, in order of first mention.
    footnotes: std::collections::HashMap<String, usize>,
    walked: Walked,
}

impl<'a> Walker<'a, '_> {
    /// Processes events `from..to`, dispatching constructs to their handlers.
    fn run(&mut self, from: usize, to: usize) {
        if self.depth >= MAX_DEPTH {
            // A crafted page nesting thousands of quotes must not overflow the
            // stack: this deep, events are rendered as pulldown-cmark gives them.
            let events = self.events[from..to].iter().map(|(event, _)| event.clone());
            self.out.extend(events);
            return;
        }
        self.depth += 1;
        self.run_events(from, to);
        self.depth -= 1;
    }

    fn run_events(&mut self, from: usize, to: usize) {
        let mut i = from;
        while i < to {
            let (event, range) = self.events[i].clone();
            i = match event {
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
                Event::Start(Tag::Strong) | Event::Start(Tag::Paragraph) => {
                    self.record_section_text(i);
                    self.out.push(event);
                    i + 1
                }
                Event::Text(text) => {
                    self.on_text(&text, &range);
                    self.out.push(Event::Text(text));
                    i + 1
                }
                other => {
                    self.out.push(other);
                    i + 1
                }
            };
        }
    }

    /// The index of the `End` matching the `Start` at `start`.
    fn end_of(&self, start: usize) -> usize {
        let mut depth = 0usize;
        for (i, (event, _)) in self.events.iter().enumerate().skip(start) {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        self.events.len().saturating_sub(1)
    }

    /// Plain text of events `from..to` (soft breaks as `\n`).
    fn plain_text(&self, from: usize, to: usize) -> String {
        let mut text = String::new();
        for (event, _) in &self.events[from..to] {
            match event {
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

    fn on_heading(&mut self, start: usize) -> usize {
        let end = self.end_of(start);
        let Event::Start(Tag::Heading {
            level, id, classes, ..
        }) = &self.events[start].0
        else {
            return start + 1;
        };
        let (level, explicit, classes) = (*level as u8, id.clone(), classes.clone());
        let title = self
            .plain_text(start + 1, end)
            .replace('\n', " ")
            .trim()
            .to_string();
        let (line, column) = self.position(self.events[start].1.start);
        let id = self.heading_id(explicit.as_deref(), &title, line, column);
        let heading = Heading {
            level,
            id: id.clone(),
            title: title.clone(),
            line,
        };
        if level == 1 && self.walked.h1.is_none() {
            self.walked.h1 = Some(title.clone());
            if start == 0 && self.input.front_title.is_none_or(|t| t == title) {
                return self.lift_title(start, end, heading);
            }
        }
        if level >= 2 {
            self.section = Some(Section {
                title,
                anchor: id.clone(),
            });
            self.walked.sections.push(SectionText {
                anchor: Some(id.clone()),
                ..SectionText::default()
            });
        }
        let class = if classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape(&classes.join(" ")))
        };
        self.out
            .push(html(format!("<h{level} id=\"{}\"{class}>", escape(&id))));
        self.run(start + 1, end);
        let anchor = if level == 1 {
            String::new()
        } else {
            format!(
                "<a class=\"heading-anchor\" href=\"#{0}\" aria-label=\"Link to this section\">#</a>",
                escape(&id)
            )
        };
        self.out.push(html(format!("{anchor}</h{level}>\n")));
        self.walked.headings.push(heading);
        end + 1
    }

    /// The page's leading H1 is its title: the theme shows it, with the page
    /// status beneath. Its links and markers are still checked; its markup is
    /// not kept.
    fn lift_title(&mut self, start: usize, end: usize, heading: Heading) -> usize {
        let kept = self.out.len();
        self.run(start + 1, end);
        self.out.truncate(kept);
        self.walked.title_id = Some(heading.id.clone());
        self.walked.headings.push(heading);
        end + 1
    }

    /// The author's `{#id}` (warned when taken twice), else a unique slug.
    fn heading_id(
        &mut self,
        explicit: Option<&str>,
        title: &str,
        line: u32,
        column: u32,
    ) -> String {
        let Some(id) = explicit else {
            return self.slugger.slug(title);
        };
        if !self.slugger.reserve(id) {
            let message = format!("heading id `{id}` is used twice on this page");
            let d = Diagnostic::warning(self.input.file, line, column, message)
                .with_help("links to it land on the first; give each heading its own id");
            self.walked.problems.push(d);
        }
        id.to_string()
    }

    /// Bold phrases are the section's key terms; its first paragraph its excerpt.
    fn record_section_text(&mut self, start: usize) {
        let Some(section) = self.walked.sections.last() else {
            return;
        };
        let wanted = match self.events[start].0 {
            Event::Start(Tag::Strong) => true,
            // Only a section's first paragraph is its excerpt: no text for the others.
            Event::Start(Tag::Paragraph) => section.excerpt.is_none(),
            _ => false,
        };
        if self.in_note || !wanted {
            return;
        }
        let text = self
            .plain_text(start + 1, self.end_of(start))
            .replace('\n', " ");
        let text = text.trim();
        let Some(section) = self.walked.sections.last_mut() else {
            return;
        };
        if text.is_empty() {
            return;
        }
        match self.events[start].0 {
            Event::Start(Tag::Strong) if !section.terms.iter().any(|t| t == text) => {
                section.terms.push(text.to_string())
            }
            Event::Start(Tag::Paragraph) => section.excerpt = Some(text.to_string()),
            _ => {}
        }
    }

    fn on_code_block(&mut self, start: usize) -> usize {
        let end = self.end_of(start);
        let lang = match &self.events[start].0 {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info))) => {
                info.split([' ', ',', '{']).next().unwrap_or("").to_string()
            }
            _ => String::new(),
        };
        let code = self.plain_text(start + 1, end);
        let block = match (self.input.highlight, self.input.highlights) {
            (true, Some(kept)) => kept.get_or_make(&lang, &code, || highlight(&lang, &code)),
            (true, None) => highlight(&lang, &code),
            (false, _) => highlight("", &code),
        };
        self.out.push(html(block));
        end + 1
    }

    fn on_blockquote(&mut self, start: usize, kind: Option<BlockQuoteKind>) -> usize {
        let end = self.end_of(start);
        let first = self.first_paragraph(start);
        if let Some((p_start, p_end)) = first {
            let text = self.plain_text(p_start + 1, p_end);
            let only_child = p_end + 1 == end;
            // GitBook puts its `Updated:` and status lines at the top: later
            // in the page such a quote is the author's text, and stays.
            let at_top = self.section.is_none() && self.depth == 1;
            if kind.is_none()
                && only_child
                && at_top
                && let Some(meta) = parse_meta_line(text.trim())
            {
                self.record_meta(meta);
                return end + 1;
            }
            if is_note_tag(text.lines().next().unwrap_or("")) {
                self.on_note(start, end, p_start, p_end);
                return end + 1;
            }
        }
        match kind {
            Some(kind) => {
                let (class, title) = alert_names(kind);
                self.out.push(html(format!(
                    "<aside class=\"admonition {class}\" role=\"note\"><p class=\"admonition-title\">{title}</p>\n"
                )));
                self.run(start + 1, end);
                self.out.push(html("</aside>\n".into()));
            }
            None => {
                self.out.push(self.events[start].0.clone());
                self.run(start + 1, end);
                self.out.push(Event::End(TagEnd::BlockQuote(None)));
            }
        }
        end + 1
    }

    /// The first child of the blockquote at `start`, when it is a paragraph.
    fn first_paragraph(&self, start: usize) -> Option<(usize, usize)> {
        matches!(
            self.events.get(start + 1),
            Some((Event::Start(Tag::Paragraph), _))
        )
        .then(|| (start + 1, self.end_of(start + 1)))
    }

    fn record_meta(&mut self, meta: MetaLine) {
        let seen = &mut self.walked.meta;
        seen.updated = seen.updated.or(meta.updated);
        if seen.status.is_none() {
            seen.status = meta.status;
        }
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

fn html<'a>(text: String) -> Event<'a> {
    Event::Html(CowStr::from(text))
}

fn alert_names(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}
