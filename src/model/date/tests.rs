//! Tests of the date forms: every form editors write, and the impossible
//! dates and other texts that are not dates.

use super::*;

fn date(year: u16, month: u8, day: u8) -> Option<Date> {
    Some(Date { year, month, day })
}

#[test]
fn parses_day_month_year_without_spaces() {
    assert_eq!(Date::parse("19jul2021"), date(2021, 7, 19));
}

#[test]
fn parses_day_month_year_with_spaces() {
    assert_eq!(Date::parse("19 jul 2021"), date(2021, 7, 19));
    assert_eq!(Date::parse("19  Jul   2021"), date(2021, 7, 19));
}

#[test]
fn parses_full_month_names_in_any_case() {
    assert_eq!(Date::parse("19 July 2021"), date(2021, 7, 19));
    assert_eq!(Date::parse("1 SEPTEMBER 2020"), date(2020, 9, 1));
    assert_eq!(Date::parse("3 february 2022"), date(2022, 2, 3));
}

#[test]
fn parses_sept() {
    assert_eq!(Date::parse("5sept2021"), date(2021, 9, 5));
    assert_eq!(Date::parse("5 SEPT 2021"), date(2021, 9, 5));
    assert_eq!(Date::parse("5 Sep 2021"), date(2021, 9, 5));
}

#[test]
fn parses_numeric_forms() {
    assert_eq!(Date::parse("2021 10 12"), date(2021, 10, 12));
    assert_eq!(Date::parse("2021-10-12"), date(2021, 10, 12));
    assert_eq!(Date::parse("2021/10/12"), date(2021, 10, 12));
    assert_eq!(Date::parse("2021 12 07"), date(2021, 12, 7));
    assert_eq!(Date::parse("2021-7-9"), date(2021, 7, 9));
}

#[test]
fn parses_timestamps_by_their_date_part() {
    assert_eq!(Date::parse("2021-10-12T08:00:00Z"), date(2021, 10, 12));
    assert_eq!(Date::parse("2021-10-12T08:00:00+02:00"), date(2021, 10, 12));
    assert_eq!(Date::parse("2021-10-12Tnoon"), None);
}

#[test]
fn trims_surrounding_whitespace() {
    assert_eq!(Date::parse("  19jul2021 \n"), date(2021, 7, 19));
}

#[test]
fn rejects_impossible_dates() {
    assert_eq!(Date::parse("30 feb 2021"), None);
    assert_eq!(Date::parse("2021-13-01"), None);
    assert_eq!(Date::parse("2021-00-01"), None);
    assert_eq!(Date::parse("2021-04-31"), None);
    assert_eq!(Date::parse("0 jul 2021"), None);
    assert_eq!(Date::parse("32jul2021"), None);
}

#[test]
fn knows_leap_years() {
    assert_eq!(Date::parse("29 feb 2020"), date(2020, 2, 29));
    assert_eq!(Date::parse("29 feb 2000"), date(2000, 2, 29));
    assert_eq!(Date::parse("29 feb 2021"), None);
    assert_eq!(Date::parse("29 feb 1900"), None);
}

#[test]
fn rejects_years_out_of_range() {
    assert_eq!(Date::parse("1899-12-31"), None);
    assert_eq!(Date::parse("2201-01-01"), None);
    assert_eq!(Date::parse("1900-01-01"), date(1900, 1, 1));
    assert_eq!(Date::parse("2200-12-31"), date(2200, 12, 31));
}

#[test]
fn rejects_other_forms() {
    for text in [
        "",
        "soon",
        "July 19 2021",
        "19/07/2021",
        "2021-10/12",
        "21 jul 021",
        "21 10 12",
        "19 jly 2021",
        "19 ju 2021",
        "2021-10-12 extra",
        "19jul2021x",
        "20211012",
        "2021--10-12",
        "١٩ jul 2021",
    ] {
        assert_eq!(Date::parse(text), None, "{text:?}");
    }
}

#[test]
fn formats_iso_and_display() {
    let d = Date {
        year: 2021,
        month: 7,
        day: 9,
    };
    assert_eq!(d.iso(), "2021-07-09");
    assert_eq!(d.display(), "9 July 2021");
    assert_eq!(d.to_string(), "2021-07-09");
}

#[test]
fn orders_chronologically() {
    assert!(Date::parse("2021-07-19") < Date::parse("1 jan 2022"));
    assert!(Date::parse("2021-07-19") > Date::parse("18jul2021"));
}

#[test]
fn iso_round_trips() {
    let d = Date {
        year: 2004,
        month: 2,
        day: 29,
    };
    assert_eq!(Date::parse(&d.iso()), Some(d));
}

#[test]
fn unix_times_become_utc_dates() {
    let date = |s| Date::from_unix(s).map(|d| d.iso());
    assert_eq!(date(0).as_deref(), Some("1970-01-01"));
    assert_eq!(date(951_782_400).as_deref(), Some("2000-02-29"));
    assert_eq!(date(1_677_628_799).as_deref(), Some("2023-02-28"));
    assert_eq!(date(1_677_628_800).as_deref(), Some("2023-03-01"));
    assert_eq!(date(-2_208_988_801), None);
}
