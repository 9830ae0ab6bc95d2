//! pulldown-cmark's events as the walk reads them: by index, pulled from
//! the parser only as far as the walk has looked, and let go of once it
//! has gone past them.
//!
//! Takes the parser over one page; gives [`Events`], indexed as if every
//! event had been collected, which holds only the stretch from the oldest
//! event still wanted to the furthest one looked at. A page of a million
//! short lines is thus never a million events in memory at once: the walk
//! looks ahead only to the end of the construct in hand (a heading, a link,
//! the first paragraph of a quote) and releases what lies behind it. Plain
//! text the walk records of a paragraph or a bold phrase (a section's
//! excerpt and key terms) is gathered here as events arrive, instead of by
//! looking ahead to the construct's end, so a page-long paragraph is never
//! held as events either.

use pulldown_cmark::{DefaultBrokenLinkCallback, Event, OffsetIter};
use std::collections::VecDeque;
use std::ops::Range;

/// One event and the byte range of the walked text it comes from.
pub(super) type Spanned<'a> = (Event<'a>, Range<usize>);

/// The events of one page, read on demand.
pub(super) struct Events<'a> {
    parser: OffsetIter<'a, DefaultBrokenLinkCallback>,
    /// Events `base..base + held.len()`.
    held: VecDeque<Spanned<'a>>,
    base: usize,
    /// The parser has given its last event.
    exhausted: bool,
    /// Plain text being gathered, in the order it was asked for.
    gathering: VecDeque<Gathering>,
}

/// The plain text of one construct, gathered as its events arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Gathering {
    /// What the walk asked it for (a section's index and which text).
    pub(super) purpose: Purpose,
    /// Text and code, soft and hard breaks as `\n`.
    pub(super) text: String,
    /// Constructs open inside it, counting its own; 0 once it has ended.
    open: usize,
}

/// What gathered text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// A bold phrase: a key term of section N.
    Term(usize),
    /// A first paragraph: the excerpt of section N.
    Excerpt(usize),
}

impl<'a> Events<'a> {
    pub(super) fn new(parser: OffsetIter<'a, DefaultBrokenLinkCallback>) -> Self {
        Self {
            parser,
            held: VecDeque::new(),
            base: 0,
            exhausted: false,
            gathering: VecDeque::new(),
        }
    }

    /// Pulls events until event `index` is held; false when the page has
    /// fewer events.
    pub(super) fn fill(&mut self, index: usize) -> bool {
        while self.base + self.held.len() <= index {
            if self.exhausted {
                return false;
            }
            match self.parser.next() {
                Some(event) => {
                    feed(&mut self.gathering, &event.0);
                    self.held.push_back(event);
                }
                None => self.exhausted = true,
            }
        }
        true
    }

    /// Event `index`, when it has been pulled and not released.
    pub(super) fn get(&self, index: usize) -> Option<&Spanned<'a>> {
        self.held.get(index.checked_sub(self.base)?)
    }

    /// The index of the last event pulled so far (0 before any).
    pub(super) fn last(&self) -> usize {
        (self.base + self.held.len()).saturating_sub(1)
    }

    /// Lets go of the events before `index`: the walk never reads them again.
    pub(super) fn release(&mut self, index: usize) {
        let drop = index.saturating_sub(self.base).min(self.held.len());
        self.held.drain(..drop);
        self.base += drop;
    }

    /// Starts gathering the plain text of the construct that event `start`
    /// opens, from what is already held and then as events arrive.
    pub(super) fn gather(&mut self, start: usize, purpose: Purpose) {
        let mut gathering = Gathering {
            purpose,
            text: String::new(),
            open: 1,
        };
        let held = start.saturating_sub(self.base) + 1;
        for (event, _) in self.held.iter().skip(held) {
            if gathering.open == 0 {
                break;
            }
            add(&mut gathering, event);
        }
        self.gathering.push_back(gathering);
    }

    /// Whether a first paragraph of section `section` is being gathered.
    pub(super) fn gathering_excerpt(&self, section: usize) -> bool {
        self.gathering
            .iter()
            .any(|g| g.purpose == Purpose::Excerpt(section))
    }

    /// The texts gathered to the end of their construct, in the order they
    /// were asked for (one still open holds back those asked for after it).
    pub(super) fn gathered(&mut self) -> Vec<Gathering> {
        let done = self.gathering.iter().take_while(|g| g.open == 0).count();
        self.gathering.drain(..done).collect()
    }
}

impl<'a> std::ops::Index<usize> for Events<'a> {
    type Output = Spanned<'a>;

    fn index(&self, index: usize) -> &Self::Output {
        self.get(index)
            .expect("the walk reads only events it has pulled and not released")
    }
}

impl std::ops::IndexMut<usize> for Events<'_> {
    fn index_mut(&mut self, index: usize) -> &mut Self::Output {
        let at = index
            .checked_sub(self.base)
            .filter(|&at| at < self.held.len())
            .expect("the walk changes only events it has pulled and not released");
        &mut self.held[at]
    }
}

/// Gives a newly pulled event to every gathering still open.
fn feed(gathering: &mut VecDeque<Gathering>, event: &Event<'_>) {
    for g in gathering.iter_mut().filter(|g| g.open > 0) {
        add(g, event);
    }
}

/// One event of a construct's content, as plain text (the walk's
/// `plain_text`: text and code as written, breaks as `\n`).
fn add(gathering: &mut Gathering, event: &Event<'_>) {
    match event {
        Event::Start(_) => gathering.open += 1,
        Event::End(_) => gathering.open -= 1,
        Event::Text(t) | Event::Code(t) => gathering.text.push_str(t),
        Event::SoftBreak | Event::HardBreak => gathering.text.push('\n'),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Parser, Tag};

    fn events(text: &str) -> Events<'_> {
        Events::new(Parser::new(text).into_offset_iter())
    }

    #[test]
    fn events_are_pulled_as_far_as_asked() {
        let mut events = events("a\nb\n");
        assert!(events.get(0).is_none());
        assert!(events.fill(1));
        assert!(matches!(events[0].0, Event::Start(Tag::Paragraph)));
        assert!(matches!(events[1].0, Event::Text(_)));
        assert_eq!(events.last(), 1);
        // Paragraph, a, soft break, b, end of paragraph.
        assert!(events.fill(4));
        assert!(!events.fill(5));
        assert_eq!(events.last(), 4);
    }

    #[test]
    fn released_events_are_gone_and_later_ones_keep_their_index() {
        let mut events = events("a\nb\n");
        events.fill(4);
        events.release(3);
        assert!(events.get(2).is_none());
        assert_eq!(events[3].1, 2..3);
        events.release(100);
        assert!(events.get(4).is_none());
        assert!(!events.fill(5));
    }

    #[test]
    fn text_is_gathered_from_held_and_later_events_in_order() {
        let mut events = events("**one** and **two**\n\nnext\n");
        // Paragraph, strong, "one", end strong, " and ", strong.
        events.fill(5);
        events.gather(0, Purpose::Excerpt(0));
        events.gather(1, Purpose::Term(0));
        events.gather(5, Purpose::Term(0));
        assert!(events.gathering_excerpt(0));
        let done: Vec<_> = events.gathered().into_iter().map(|g| g.text).collect();
        assert!(done.is_empty(), "the paragraph is still open: {done:?}");
        events.fill(20);
        let done: Vec<_> = events.gathered().into_iter().map(|g| g.text).collect();
        assert_eq!(done, ["one and two", "one", "two"]);
        assert!(!events.gathering_excerpt(0));
    }

    #[test]
    fn breaks_are_newlines_in_gathered_text() {
        let mut events = events("a  \nb\nc `d`\n");
        events.fill(0);
        events.gather(0, Purpose::Excerpt(3));
        events.fill(100);
        let done = events.gathered();
        assert_eq!(done[0].text, "a\nb\nc d");
        assert_eq!(done[0].purpose, Purpose::Excerpt(3));
    }
}
