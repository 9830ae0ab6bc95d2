//! Where the walk's output events go on their way to HTML.
//!
//! Takes the events the walk gives, in order; gives the page's HTML, made by
//! one run of pulldown-cmark's HTML writer over all of them. A page of
//! ordinary size collects its events and writes them at the end; a long page
//! sends them, a batch at a time, to a thread that writes them as they come,
//! so its events are never all in memory at once (the writer keeps state
//! across events, tables' column alignment for one, so it must see them in
//! one run). Both give the same HTML for the same events.

use pulldown_cmark::Event;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Walked text from this many bytes on is written while it is walked.
pub(super) const STREAM_FROM: usize = 64 * 1024;

/// Events sent to the writer at a time.
const BATCH: usize = 1024;

/// Batches waiting for the writer: beyond these the walk waits for it.
const QUEUED: usize = 4;

/// The walk's output.
pub(super) enum Sink<'a> {
    /// Collected until the walk is done.
    Held(Vec<Event<'a>>),
    /// Sent in batches to the writer thread.
    Streamed {
        batch: Vec<Event<'a>>,
        to: SyncSender<Vec<Event<'a>>>,
    },
    /// Thrown away (markup the page does not keep, such as a lifted title).
    Discard,
}

impl<'a> Sink<'a> {
    /// Adds one event.
    pub(super) fn push(&mut self, event: Event<'a>) {
        match self {
            Sink::Held(events) => events.push(event),
            Sink::Streamed { batch, to } => {
                batch.push(event);
                if batch.len() >= BATCH {
                    // A writer that stopped has panicked; joining it says so.
                    let _ = to.send(std::mem::replace(batch, Vec::with_capacity(BATCH)));
                }
            }
            Sink::Discard => {}
        }
    }

    /// Sends what is left of a streamed sink; gives a held sink's events.
    fn finish(self) -> Vec<Event<'a>> {
        match self {
            Sink::Held(events) => events,
            Sink::Streamed { batch, to } => {
                let _ = to.send(batch);
                Vec::new()
            }
            Sink::Discard => Vec::new(),
        }
    }
}

/// Runs `walk` with a sink, streamed when `len` (the walked text's length)
/// is at least [`STREAM_FROM`]; gives the HTML of what it pushed, and what
/// `walk` gave.
pub(super) fn render<'a, T>(
    len: usize,
    walk: impl FnOnce(Sink<'a>) -> (Sink<'a>, T),
) -> (String, T) {
    if len < STREAM_FROM {
        let (sink, walked) = walk(Sink::Held(Vec::new()));
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, sink.finish().into_iter());
        return (html, walked);
    }
    let (to, from) = sync_channel(QUEUED);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || write(from));
        let (sink, walked) = walk(Sink::Streamed {
            batch: Vec::with_capacity(BATCH),
            to,
        });
        sink.finish();
        match writer.join() {
            Ok(html) => (html, walked),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The writer thread: every batch until the walk drops its sender.
fn write(batches: Receiver<Vec<Event<'_>>>) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, batches.into_iter().flatten());
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn rendered(text: &str, len: usize) -> String {
        render(len, |mut sink| {
            for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
                sink.push(event);
            }
            (sink, ())
        })
        .0
    }

    #[test]
    fn streamed_and_held_events_make_the_same_html() {
        // A table longer than a batch: the writer's column alignment must
        // carry over from batch to batch.
        let mut text = String::from("| a | b |\n|:--|--:|\n");
        for n in 0..2000 {
            text.push_str(&format!("| {n} | *{n}* |\n"));
        }
        text.push_str("\nafter\n");
        let held = rendered(&text, 0);
        assert!(held.contains("<td style=\"text-align: right\"><em>1999</em></td>"));
        assert_eq!(rendered(&text, STREAM_FROM), held);
    }

    #[test]
    fn discarded_events_make_no_html() {
        let (html, ()) = render(STREAM_FROM, |mut sink| {
            sink.push(Event::Text("kept".into()));
            let mut discard = Sink::Discard;
            discard.push(Event::Text("dropped".into()));
            (sink, ())
        });
        assert_eq!(html, "kept");
    }
}
