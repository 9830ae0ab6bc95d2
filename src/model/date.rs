//! A calendar date as handbook authors write it, and as git records it.
//!
//! Takes short pieces of plain text (`19jul2021`, `19 July 2021`, `10dec21`,
//! `2021 10 12`, `2021-10-12`, an ISO timestamp) or a Unix time; gives a
//! [`Date`], or `None` when the text is not one of those forms. Guarantees:
//! every returned [`Date`] is a real calendar date between 1900 and 2200,
//! parsing never panics, and nothing here does I/O or depends on the clock.

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

#[cfg(test)]
mod tests;
