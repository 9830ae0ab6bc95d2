//! The walker's handling of "Derive protocols" notes: the list items after the
//! tag line become [`NoteItem`]s — a bold title and its statement (`**Title** —
//! statement`, or a plain statement), and the nested `key: value` lines as raw
//! [`Field`]s, each with its source position — and the note renders as a
//! "Protocols derived here" box with a permalink per protocol. Values are kept
//! as written; the protocols stage validates them.

use super::{Walker, html};
use crate::html::escape;
use crate::model::protocol::{Kind, Status, derived_id};
use crate::parse::{Field, Note, NoteItem};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Separators between a bold title and its statement.
const SEPARATORS: [&str; 4] = ["—", "–", "-", ":"];

impl Walker<'_, '_> {
    /// A note blockquote `start..end` whose first paragraph `p_start..=p_end`
    /// begins with the tag line.
    pub(super) fn on_note(&mut self, start: usize, end: usize, p_start: usize, p_end: usize) {
        let (line, column) = self.position(self.events[start].1.start);
        let tag_break = (p_start + 1..p_end)
            .find(|&i| matches!(self.events[i].0, Event::SoftBreak | Event::HardBreak));
        let title = if !self.has_list(p_end + 1, end) {
            "Protocols to be derived from this section"
        } else {
            "Protocols derived here"
        };
        self.out.push(html(format!(
            "<aside class=\"protocol-note\" role=\"note\"><p class=\"protocol-note-title\">{title}</p>\n"
        )));
        self.in_note = true;
        if let Some(after) = tag_break {
            self.out.push(Event::Start(Tag::Paragraph));
            self.run(after + 1, p_end);
            self.out.push(Event::End(TagEnd::Paragraph));
        }
        let mut items = Vec::new();
        let mut i = p_end + 1;
        while i < end {
            i = match self.events[i].0 {
                Event::Start(Tag::List(_)) => self.protocol_list(i, &mut items),
                _ => {
                    let block_end = self.end_of(i);
                    self.run(i, block_end + 1);
                    block_end + 1
                }
            };
        }
        self.in_note = false;
        self.out.push(html("</aside>\n".into()));
        let section = self.section.clone();
        self.walked.notes.push(Note {
            line,
            column,
            section,
            bare: items.is_empty(),
            items,
        });
    }

    /// Whether a list sits among the blocks `from..to` (a note's items).
    fn has_list(&mut self, from: usize, to: usize) -> bool {
        let mut i = from;
        while i < to {
            if matches!(self.events[i].0, Event::Start(Tag::List(_))) {
                return true;
            }
            i = self.end_of(i) + 1;
        }
        false
    }

    /// A list of protocol items: each becomes a `NoteItem` and a rendered entry.
    fn protocol_list(&mut self, start: usize, items: &mut Vec<NoteItem>) -> usize {
        let end = self.end_of(start);
        self.out.push(html("<ul class=\"protocols\">\n".into()));
        let mut i = start + 1;
        while i < end {
            let item_end = self.end_of(i);
            if matches!(self.events[i].0, Event::Start(Tag::Item)) {
                let item = self.protocol_item(i, item_end);
                items.push(item);
            }
            i = item_end + 1;
        }
        self.out.push(html("</ul>\n".into()));
        end + 1
    }

    /// One item: its inline content (title and statement), then any nested
    /// list of fields and further paragraphs.
    fn protocol_item(&mut self, start: usize, end: usize) -> NoteItem {
        let (line, column) = self.position(self.events[start].1.start);
        let (inline_from, inline_to, mut next) = self.inline_span(start + 1, end);
        let (title, statement_from) = self.title_of(inline_from, inline_to);
        let mut fields = Vec::new();
        let mut extra = Vec::new();
        while next < end {
            let block_end = self.end_of(next);
            if matches!(self.events[next].0, Event::Start(Tag::List(_))) {
                self.fields(next, block_end, &mut fields);
            } else {
                extra.push((next, block_end + 1));
            }
            next = block_end + 1;
        }
        let mut statement = self.markdown_of(statement_from, inline_to);
        for &(from, to) in &extra {
            statement.push_str(&format!("\n\n{}", self.markdown_of(from, to)));
        }
        let mut statement_text = self
            .plain_text(statement_from, inline_to)
            .replace('\n', " ")
            .trim()
            .to_string();
        for &(from, to) in &extra {
            statement_text.push_str(&format!("\n\n{}", self.plain_text(from, to).trim()));
        }
        let explicit = fields
            .iter()
            .find(|f| f.key == "id")
            .map(|f| f.value.clone());
        let id = explicit
            .unwrap_or_else(|| derived_id(self.input.page_path, title.as_deref(), &statement_text));
        let item = NoteItem {
            id,
            title,
            statement,
            statement_text,
            fields,
            line,
            column,
        };
        self.render_item(&item, (statement_from, inline_to), &extra);
        item
    }

    /// The inline events of an item from `from`: inside its first paragraph
    /// (loose lists) or up to its first block (tight lists). Gives the span
    /// and the index of the first block after it.
    fn inline_span(&mut self, from: usize, end: usize) -> (usize, usize, usize) {
        if matches!(
            self.events.get(from),
            Some((Event::Start(Tag::Paragraph), _))
        ) {
            let p_end = self.end_of(from);
            return (from + 1, p_end, p_end + 1);
        }
        let to = (from..end)
            .find(|&i| {
                matches!(
                    self.events[i].0,
                    Event::Start(
                        Tag::List(_) | Tag::Paragraph | Tag::CodeBlock(_) | Tag::BlockQuote(_)
                    )
                )
            })
            .unwrap_or(end);
        (from, to, to)
    }

    /// A leading bold title and where the statement starts after it; the
    /// separator (`—`, `–`, `-` or `:`) is cut from the statement's first text.
    fn title_of(&mut self, from: usize, to: usize) -> (Option<String>, usize) {
        if from >= to || !matches!(self.events[from].0, Event::Start(Tag::Strong)) {
            return (None, from);
        }
        let strong_end = self.end_of(from);
        let bold = self.plain_text(from + 1, strong_end);
        let after = strong_end + 1;
        let next = match self.events.get(after) {
            Some((Event::Text(text), _)) if after < to => Some(text.trim_start().to_string()),
            _ => None,
        };
        // `**Title** — statement`, `**Title:** statement`, or a bold title
        // alone; but `**Members** must attend` is a statement that starts in bold.
        let separated = next
            .as_deref()
            .is_none_or(|t| SEPARATORS.iter().any(|s| t.starts_with(s)));
        if !(separated || bold.trim_end().ends_with(':')) {
            return (None, from);
        }
        let title = bold.trim().trim_end_matches(':').trim().to_string();
        if let Some((Event::Text(text), range)) = self.events.get(after).cloned() {
            let trimmed = text.trim_start();
            let cut = SEPARATORS
                .iter()
                .find_map(|s| trimmed.strip_prefix(s))
                .unwrap_or(trimmed)
                .trim_start();
            let skipped = text.len() - cut.len();
            self.events[after] = (
                Event::Text(CowStr::from(cut.to_string())),
                range.start + skipped..range.end,
            );
        }
        (Some(title), after)
    }

    /// The statement as written: the source text of events `from..to`, with
    /// the blockquote and list indentation of continuation lines removed.
    fn markdown_of(&self, from: usize, to: usize) -> String {
        let (Some(first), Some(last)) = (
            self.events.get(from),
            to.checked_sub(1).and_then(|t| self.events.get(t)),
        ) else {
            return String::new();
        };
        if from >= to {
            return String::new();
        }
        let source = self.input.text.get(first.1.start..last.1.end).unwrap_or("");
        let lines: Vec<&str> = source
            .lines()
            .enumerate()
            .map(|(n, l)| {
                if n == 0 {
                    l
                } else {
                    l.trim_start().trim_start_matches('>').trim_start()
                }
            })
            .collect();
        lines.join("\n").trim().to_string()
    }

    /// The `key: value` lines of a nested list.
    fn fields(&mut self, start: usize, end: usize, fields: &mut Vec<Field>) {
        let mut i = start + 1;
        while i < end {
            let item_end = self.end_of(i);
            let (line, column) = self.position(self.events[i].1.start);
            let (from, to, rest) = self.inline_span(i + 1, item_end);
            let text = self.plain_text(from, to).replace('\n', " ");
            if rest < item_end {
                let message = "lists nested under a protocol's fields are not read";
                let help = "a protocol's `key: value` lines sit one level under it; write lists as `related: a, b`";
                self.problem(line, column, message, help);
            }
            match text.split_once(':') {
                Some((key, value)) => fields.push(Field {
                    key: key.trim().to_string(),
                    value: value.trim().to_string(),
                    line,
                    column,
                }),
                None => self.problem(
                    line,
                    column,
                    &format!("`{}` is not a `key: value` line", text.trim()),
                    "write fields as `status: adopted`",
                ),
            }
            i = item_end + 1;
        }
    }

    fn problem(&mut self, line: u32, column: u32, message: &str, help: &str) {
        let d = crate::diagnostic::Diagnostic::error(self.input.file, line, column, message)
            .with_help(help);
        self.walked.problems.push(d);
    }

    /// Renders one protocol: a permalinked title, status and kind badges, the statement.
    fn render_item(
        &mut self,
        item: &NoteItem,
        statement: (usize, usize),
        extra: &[(usize, usize)],
    ) {
        let field = |key: &str| {
            item.fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.value.as_str())
        };
        let status = field("status").unwrap_or(Status::Candidate.as_str());
        let kind = field("kind").unwrap_or(Kind::Protocol.as_str());
        let (id, status, kind) = (escape(&item.id), escape(status), escape(kind));
        let label = item
            .title
            .as_deref()
            .map_or_else(|| "#".to_string(), escape);
        self.out.push(html(format!(
            "<li class=\"protocol\"\0i{id}\0><p class=\"protocol-head\"><a class=\"protocol-title\" href=\"#{id}\">{label}</a> \
             <span class=\"badge status-{status}\">{status}</span> <span class=\"badge kind-{kind}\">{kind}</span></p>\n\
             <p class=\"protocol-statement\">"
        )));
        self.run(statement.0, statement.1);
        self.out.push(html("</p>\n".into()));
        for &(from, to) in extra {
            self.run(from, to);
        }
        self.out.push(html("</li>\n".into()));
    }
}
