//! Dates and status lines as handbook authors write them.
//!
//! Takes short pieces of plain text: a date in one of the forms real GitBook
//! exports use (`19jul2021`, `19 July 2021`, `2021 10 12`, `2021-10-12`, ...) or
//! the text of a one-paragraph blockquote at the top of a page
//! (`Updated: 19jul2021`, `Placeholder: to be expanded`). Gives a [`Date`] or a
//! [`MetaLine`], or `None` when the text is not one of those forms. Guarantees:
//! every returned [`Date`] is a real calendar date between 1900 and 2200, parsing
//! never panics, and nothing here does I/O or depends on the clock.

use std::fmt;

/// A calendar date as written in a handbook (no time zone, no time).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Date {
    /// The year, 1900 to 2200.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, 1 to 31 (never past the month's end).
    pub day: u8,
}

/// Full English month names; the index is the month number minus one.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Parses the forms real exports use: "19jul2021", "19 jul 2021", "19 July 2021",
    /// "10dec21" (a two-digit year is 20YY), "2021 10 12", "2021-10-12",
    /// "2021/10/12", "2021-10-12T08:00:00Z" (date part only). Month names any
    /// case, 3 letters or full (also "sept"). Returns `None`
    /// for anything else or an impossible date (Feb 30, month 13, a year before
    /// 1900 or after 2200).
    pub fn parse(text: &str) -> Option<Date> {
        let text = without_time(text.trim());
        parse_numeric(text).or_else(|| parse_day_month_year(text))
    }

    /// The ISO 8601 form, "2021-07-19".
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The form readers see, "19 July 2021".
    pub fn display(&self) -> String {
        let month = MONTHS
            .get(usize::from(self.month).wrapping_sub(1))
            .copied()
            .unwrap_or("?");
        format!("{} {} {}", self.day, month, self.year)
    }

    /// The UTC calendar date of a Unix time (seconds), as git records commits;
    /// `None` outside the supported years.
    pub fn from_unix(seconds: i64) -> Option<Date> {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let days = seconds.div_euclid(86_400) + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Self::checked(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// A date only if it exists in the calendar and lies in the supported years.
    fn checked(year: u16, month: u8, day: u8) -> Option<Date> {
        let ok = (1900..=2200).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        ok.then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    /// Same as [`Date::iso`], so dates sort and diff well wherever they are printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// Drops the time of an ISO timestamp; the guard on both halves keeps month
/// names containing a `T` ("19 SEPT 2021") from being cut.
fn without_time(text: &str) -> &str {
    let Some((date, time)) = text.split_once(['T', 't']) else {
        return text;
    };
    let iso_date = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let time_like = time.starts_with(|c: char| c.is_ascii_digit())
        && time
            .chars()
            .all(|c| c.is_ascii_digit() || ":.+-Zz".contains(c));
    if iso_date && time_like { date } else { text }
}

/// "2021 10 12", "2021-10-12", "2021/10/12": year first, one separator kind.
fn parse_numeric(text: &str) -> Option<Date> {
    let sep = text.chars().find(|c| !c.is_ascii_digit())?;
    let parts: Vec<&str> = match sep {
        ' ' => text.split_whitespace().collect(),
        '-' | '/' => text.split(sep).collect(),
        _ => return None,
    };
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2)) {
        return None;
    }
    Date::checked(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// "19jul2021", "19 jul 2021", "19 July 2021": day, month name, year.
fn parse_day_month_year(text: &str) -> Option<Date> {
    let (day, rest) = split_run(text, |c| c.is_ascii_digit());
    let (month, year) = split_run(rest.trim_start(), |c| c.is_ascii_alphabetic());
    let year = year.trim_start();
    let day_ok = (1..=2).contains(&day.len());
    let year_ok = matches!(year.len(), 2 | 4) && year.bytes().all(|b| b.is_ascii_digit());
    if !(day_ok && year_ok) {
        return None;
    }
    // Editors who write `10dec21` mean this century.
    let century = if year.len() == 2 { 2000 } else { 0 };
    let year = century + year.parse::<u16>().ok()?;
    Date::checked(year, month_number(month)?, day.parse().ok()?)
}

/// Splits off the longest prefix whose characters all satisfy `pred`.
fn split_run(text: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    let end = text.find(|c: char| !pred(c)).unwrap_or(text.len());
    text.split_at(end)
}

fn month_number(name: &str) -> Option<u8> {
    let name = name.to_ascii_lowercase();
    if name == "sept" {
        return Some(9);
    }
    let index = MONTHS.iter().position(|full| {
        let full = full.to_ascii_lowercase();
        name == full || (name.len() == 3 && full.starts_with(&name))
    })?;
    u8::try_from(index + 1).ok()
}

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
