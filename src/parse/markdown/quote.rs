//! The walker's handling of blockquotes: GitBook's `Updated:` and status
//! lines at the top of a page (a quote of one such line per paragraph, or
//! an emphasised paragraph) become the page's metadata, a quote opening
//! with the "Derive protocols" tag is a note (`note.rs`), a GitHub alert
//! becomes an admonition, and any other quote stays one. Only the quote's
//! first paragraph is looked at before deciding, and only as far as it may
//! still be a metadata line or a note tag; the quote is then walked to its
//! end as its events come.

use super::{Walker, html};
use crate::parse::dates::{MAX_META_CHARS, MetaLine, parse_meta_line};
use crate::parse::notes::{NOTE_TAG_MAX_ALPHANUMERIC, is_note_tag};
use pulldown_cmark::{BlockQuoteKind, Event, Tag, TagEnd};

impl Walker<'_, '_> {
    /// A quote is GitBook's page header (its `Updated:` and status lines),
    /// a protocol note, or a quote (an alert when it has a kind), walked to
    /// its end.
    pub(super) fn on_blockquote(&mut self, start: usize, kind: Option<BlockQuoteKind>) -> usize {
        // GitBook puts its `Updated:` and status lines at the top: later
        // in the page such a quote is the author's text, and stays.
        let at_top = self.section.is_none() && self.depth == 1;
        let may_be_meta = kind.is_none() && at_top;
        if let Some((p_start, p_end, text)) = self.opening(start + 1, may_be_meta) {
            if may_be_meta && let Some(meta) = parse_meta_line(text.trim()) {
                return self.on_header_quote(start, (p_start, p_end), meta);
            }
            if is_note_tag(text.lines().next().unwrap_or("")) {
                let end = self.end_of(start);
                self.on_note(start, end, p_start, p_end);
                return end + 1;
            }
        }
        let end = match kind {
            Some(kind) => {
                let (class, title) = alert_names(kind);
                self.out.push(html(format!(
                    "<aside class=\"admonition {class}\" role=\"note\"><p class=\"admonition-title\">{title}</p>\n"
                )));
                let end = self.run_to_close(start + 1);
                self.out.push(html("</aside>\n".into()));
                end
            }
            None => self.plain_quote(start, start + 1),
        };
        end + 1
    }

    /// A quote whose first paragraph is a header line: it and the header
    /// lines in the paragraphs after it (GitBook separates the Updated
    /// and status lines with a bare `>` line) are the page's metadata, and
    /// what follows them in the quote, if anything, stays a quote (or a
    /// protocol note, when it opens with the tag).
    fn on_header_quote(&mut self, start: usize, first: (usize, usize), meta: MetaLine) -> usize {
        let (mut p_start, mut p_end) = first;
        let mut meta = meta;
        loop {
            self.record_meta(meta, p_start, p_end);
            let next = p_end + 1;
            if !self.events.fill(next) || matches!(self.events[next].0, Event::End(_)) {
                return next + 1;
            }
            let Some((s, e, text)) = self.opening(next, true) else {
                return self.plain_quote(start, next) + 1;
            };
            let Some(found) = parse_meta_line(text.trim()) else {
                if is_note_tag(text.lines().next().unwrap_or("")) {
                    let end = self.end_of(start);
                    self.on_note(start, end, s, e);
                    return end + 1;
                }
                return self.plain_quote(start, next) + 1;
            };
            (p_start, p_end, meta) = (s, e, found);
        }
    }

    /// The quote opened at `start`, from its child at `from` to its end:
    /// gives the index of its `End`.
    fn plain_quote(&mut self, start: usize, from: usize) -> usize {
        self.out.push(self.events[start].0.clone());
        let end = self.run_to_close(from);
        self.out.push(Event::End(TagEnd::BlockQuote(None)));
        end
    }

    /// A top paragraph that opens with emphasis and reads as a header line
    /// (`*Updated 2021 10 11*`, `**Updated:** 19jul2021`, `*Draft*`; a
    /// status-only line must be emphasised whole) is metadata, as long as
    /// no other paragraph came before it: gives the index after it, or
    /// `None` when it is an ordinary paragraph.
    pub(super) fn on_header_paragraph(&mut self, start: usize) -> Option<usize> {
        let emphasised = self.events.fill(start + 1)
            && matches!(
                self.events[start + 1].0,
                Event::Start(Tag::Emphasis | Tag::Strong)
            );
        if !emphasised {
            return None;
        }
        let (p_start, p_end, text) = self.opening(start, true)?;
        let meta = parse_meta_line(text.trim())?;
        // A status word in emphasis may begin a sentence: a status-only line
        // is emphasised whole.
        let whole = self.end_of(start + 1) + 1 == p_end;
        if meta.updated.is_none() && !whole {
            return None;
        }
        self.record_meta(meta, p_start, p_end);
        Some(p_end + 1)
    }

    /// The event at `p_start`, when it is a paragraph that may make its
    /// quote a meta line (when `may_be_meta`) or a protocol note: the
    /// paragraph's start and end, and its plain text. Looks no further
    /// ahead than it takes to rule both out.
    fn opening(&mut self, p_start: usize, may_be_meta: bool) -> Option<(usize, usize, String)> {
        if !self.events.fill(p_start)
            || !matches!(self.events[p_start].0, Event::Start(Tag::Paragraph))
        {
            return None;
        }
        let mut opening = Opening::new(may_be_meta);
        let mut open = 0usize;
        let mut i = p_start + 1;
        while self.events.fill(i) {
            match &self.events[i].0 {
                Event::Start(_) => open += 1,
                Event::End(_) if open == 0 => return Some((p_start, i, opening.text)),
                Event::End(_) => open -= 1,
                Event::Text(t) | Event::Code(t) => opening.push(t),
                Event::SoftBreak | Event::HardBreak => opening.push("\n"),
                _ => {}
            }
            if !opening.may_matter() {
                return None;
            }
            i += 1;
        }
        None
    }

    /// Keeps what a header line says (the first date and status win),
    /// and the `xxx` markers in it (events `p_start..p_end`) as to-dos.
    fn record_meta(&mut self, meta: MetaLine, p_start: usize, p_end: usize) {
        self.walked.meta.merge(meta);
        for i in p_start..p_end {
            if let (Event::Text(text), range) = &self.events[i] {
                let (text, range) = (text.clone(), range.clone());
                self.on_text(&text, &range);
            }
        }
    }
}

/// A quote's first paragraph as far as it has been read, and whether it
/// may still be a meta line or a note tag.
struct Opening {
    text: String,
    /// Characters that are not whitespace: a meta line has few.
    significant: usize,
    may_be_meta: bool,
    /// Letters and digits of the first line while it goes on, then whether
    /// that line is the note tag.
    first_line: Result<bool, usize>,
}

impl Opening {
    fn new(may_be_meta: bool) -> Self {
        Self {
            text: String::new(),
            significant: 0,
            may_be_meta,
            first_line: Err(0),
        }
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        if self.may_be_meta {
            self.significant += text.chars().filter(|c| !c.is_whitespace()).count();
        }
        if let Err(letters) = self.first_line {
            let line = text.split('\n').next().unwrap_or("");
            let letters = letters + line.chars().filter(|c| c.is_alphanumeric()).count();
            self.first_line = if line.len() < text.len() {
                Ok(is_note_tag(self.text.lines().next().unwrap_or("")))
            } else {
                Err(letters)
            };
        }
    }

    /// Whether reading on may still find a meta line or a note: a meta
    /// line has at most [`MAX_META_CHARS`] characters once its whitespace
    /// is collapsed, and a note tag line at most
    /// [`NOTE_TAG_MAX_ALPHANUMERIC`] letters and digits.
    fn may_matter(&self) -> bool {
        let meta = self.may_be_meta && self.significant <= MAX_META_CHARS;
        let note = match self.first_line {
            Ok(tag) => tag,
            Err(letters) => letters <= NOTE_TAG_MAX_ALPHANUMERIC,
        };
        meta || note
    }
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
