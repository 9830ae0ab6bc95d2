//! Status lines and "Updated" lines as handbook authors write them.
//!
//! Takes the text of a one-paragraph blockquote or emphasised paragraph at the
//! top of a page (`Updated: 19jul2021`, `Placeholder: to be expanded`); gives a
//! [`MetaLine`], or `None` when the text is not one of those forms. The date in
//! it is read by [`Date::parse`]. Guarantees: parsing never panics, and nothing
//! here does I/O or depends on the clock.

pub use crate::model::Date;

/// What a GitBook metadata line says. Real exports put lines such as
/// `> Updated: 19jul2021`, `> Updated 2021 12 07`,
/// `> Work in progress. Updated: 2021 10 12`, `> Placeholder: to be expanded`,
/// `> Incomplete - To be extended xxx`, `> To be added` at the top of a page,
/// as a blockquote (one line per paragraph) or an emphasised paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetaLine {
    /// The date after "Updated", when the line has one.
    pub updated: Option<Date>,
    /// The page's status as the author wrote it ("Work in progress",
    /// "Placeholder: to be expanded"), when the line has one.
    pub status: Option<String>,
}

/// Lines longer than this are prose, not metadata.
pub(crate) const MAX_META_CHARS: usize = 160;

/// The words that, first on a line, name a page's status (compared in lower
/// case, as whole words). Multi-word entries are matched word by word.
const STATUS_WORDS: [&str; 14] = [
    "placeholder",
    "incomplete",
    "draft",
    "stub",
    "wip",
    "unfinished",
    "todo",
    "tbd",
    "work in progress",
    "in progress",
    "under construction",
    "coming soon",
    "needs work",
    "to do",
];

/// Participles that may follow "to be" without ending in "-ed".
const TO_BE_IRREGULAR: [&str; 4] = ["done", "written", "begun", "rewritten"];

/// Subjects of "This … is incomplete": the line speaks of the page.
const THIS_SUBJECTS: [&str; 5] = ["page", "topic", "section", "chapter", "article"];

/// Reads the plain text of a header line (a blockquote paragraph or an
/// emphasised paragraph at the top of a page, already stripped of `>` and
/// markup, may span lines joined by '\n') and says whether it is metadata.
/// The grammar is in the README ("Page header grammar"); in short:
///
/// - The text is short (≤ 160 characters once whitespace runs are single
///   spaces). `xxx` to-do markers (a word of its own, any case) are left out.
/// - An *updated* line: the word "updated" (any case, "Last updated" too),
///   optionally a `:` (spaces allowed before it) and "on", then a date
///   [`Date::parse`] reads, ending the text (a final `.` allowed). Text
///   before "Updated" is the status ("Work in progress. Updated: …").
/// - A *status* line: its first words name a status — one of
///   [`STATUS_WORDS`], "to be" and a participle ("To be added", "To be
///   extended"), or "This page/topic/section is" and one of those — and the
///   status is the whole text, without a trailing `.`.
/// - A text of several lines that is none of these whole may be one such
///   line per line (an Updated line and a status line without the bare `>`
///   between them); otherwise → `None`.
pub fn parse_meta_line(text: &str) -> Option<MetaLine> {
    parse_one(text).or_else(|| {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
        lines.peek()?;
        let mut merged = MetaLine::default();
        let mut count = 0;
        for line in lines {
            merged.merge(parse_one(line)?);
            count += 1;
        }
        (count > 1).then_some(merged)
    })
}

impl MetaLine {
    /// Takes what `other` says where `self` says nothing yet.
    pub fn merge(&mut self, other: MetaLine) {
        self.updated = self.updated.or(other.updated);
        if self.status.is_none() {
            self.status = other.status;
        }
    }
}

fn parse_one(text: &str) -> Option<MetaLine> {
    let words: Vec<&str> = text.split_whitespace().filter(|w| !is_todo(w)).collect();
    let text = words.join(" ");
    if text.is_empty() || text.chars().count() > MAX_META_CHARS {
        return None;
    }
    updated_line(&text).or_else(|| {
        status_only(&text).map(|status| MetaLine {
            updated: None,
            status: Some(status),
        })
    })
}

/// An `xxx` to-do marker, with the punctuation that may cling to it.
fn is_todo(word: &str) -> bool {
    word.trim_matches(|c: char| c.is_ascii_punctuation())
        .eq_ignore_ascii_case("xxx")
}

/// The last "updated" followed by a parseable date ending the text wins, so a
/// status that itself mentions the word does not hide the date.
fn updated_line(text: &str) -> Option<MetaLine> {
    const WORD: &str = "updated";
    let lower = text.to_ascii_lowercase();
    for (at, _) in lower.rmatch_indices(WORD) {
        let starts_word = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if !starts_word {
            continue;
        }
        let rest = text[at + WORD.len()..].trim_start();
        let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
        let rest = strip_word(rest, "on").unwrap_or(rest);
        if let Some(date) = Date::parse(rest.strip_suffix('.').unwrap_or(rest)) {
            return Some(MetaLine {
                updated: Some(date),
                status: status_before(&text[..at]),
            });
        }
    }
    None
}

/// `text` without its first word when that is `word` (any case).
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let head = text.get(..word.len())?;
    let rest = &text[word.len()..];
    (head.eq_ignore_ascii_case(word) && rest.starts_with(' ')).then(|| rest.trim_start())
}

fn status_before(prefix: &str) -> Option<String> {
    let is_trailing = |c: char| c.is_whitespace() || ".,;:-–—|".contains(c);
    let mut status = prefix.trim_end_matches(is_trailing);
    let lower = status.to_ascii_lowercase();
    if let Some(head) = lower.strip_suffix("last")
        && head
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    {
        status = status[..head.len()].trim_end_matches(is_trailing);
    }
    (!status.is_empty()).then(|| status.to_string())
}

/// The whole text, when its first words name a status.
fn status_only(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let rest = match words.as_slice() {
        ["this", subject, "is", rest @ ..] if THIS_SUBJECTS.contains(subject) => {
            rest.strip_prefix(&["a"]).unwrap_or(rest)
        }
        _ => &words[..],
    };
    names_status(rest).then(|| text.trim_end_matches('.').trim_end().to_string())
}

/// Whether `words` begin with a status word or "to be" and a participle.
fn names_status(words: &[&str]) -> bool {
    let listed = STATUS_WORDS.iter().any(|status| {
        let status: Vec<&str> = status.split(' ').collect();
        words.starts_with(&status)
    });
    let to_be = match words {
        ["to", "be", participle, ..] => {
            participle.len() > 3 && participle.ends_with("ed")
                || TO_BE_IRREGULAR.contains(participle)
        }
        _ => false,
    };
    listed || to_be
}

#[cfg(test)]
mod tests;
