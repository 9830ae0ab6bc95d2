//! The walker's handling of blockquotes: GitBook's `Updated:` and status
//! lines at the top of a page become the page's metadata, a quote opening
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
    /// A quote is GitBook's `Updated:` or status line, a protocol note, or
    /// a quote (an alert when it has a kind), walked to its end.
    pub(super) fn on_blockquote(&mut self, start: usize, kind: Option<BlockQuoteKind>) -> usize {
        // GitBook puts its `Updated:` and status lines at the top: later
        // in the page such a quote is the author's text, and stays.
        let at_top = self.section.is_none() && self.depth == 1;
        let may_be_meta = kind.is_none() && at_top;
        if let Some((p_start, p_end, text)) = self.opening(start, may_be_meta) {
            let only_child =
                self.events.fill(p_end + 1) && matches!(self.events[p_end + 1].0, Event::End(_));
            if may_be_meta
                && only_child
                && let Some(meta) = parse_meta_line(text.trim())
            {
                self.record_meta(meta);
                return p_end + 2;
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
            None => {
                self.out.push(self.events[start].0.clone());
                let end = self.run_to_close(start + 1);
                self.out.push(Event::End(TagEnd::BlockQuote(None)));
                end
            }
        };
        end + 1
    }

    /// The quote at `start`'s first child, when it is a paragraph that may
    /// make the quote a meta line (when `may_be_meta`) or a protocol note:
    /// the paragraph's start and end, and its plain text. Looks no further
    /// ahead than it takes to rule both out.
    fn opening(&mut self, start: usize, may_be_meta: bool) -> Option<(usize, usize, String)> {
        let p_start = start + 1;
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

    fn record_meta(&mut self, meta: MetaLine) {
        let seen = &mut self.walked.meta;
        seen.updated = seen.updated.or(meta.updated);
        if seen.status.is_none() {
            seen.status = meta.status;
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
