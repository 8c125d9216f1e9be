//! The China calendar (UTC+08:00 all year; no daylight saving since 1991): months, ISO weeks that
//! start on Monday, days, and the buckets a period is cut into. Pure; `now` is an argument.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};

/// China time minus UTC, in hours.
pub const CHINA_UTC_OFFSET_HOURS: i64 = 8;
/// The offset as clients read it.
pub const CHINA_UTC_OFFSET: &str = "+08:00";

/// The China calendar day of an instant.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(CHINA_UTC_OFFSET_HOURS)).date_naive()
}

/// 00:00 China time on `day`, as an instant.
pub fn china_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() - Duration::hours(CHINA_UTC_OFFSET_HOURS)
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// `YYYY-MM` (years 2000–2100), or `None`.
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
        if !(2000..=2100).contains(&y) {
            return None;
        }
        NaiveDate::from_ymd_opt(y, m, 1).map(|first| Month { first })
    }

    /// The China month holding `t`.
    pub fn of(t: DateTime<Utc>) -> Month {
        Month::containing(china_date(t))
    }

    fn containing(day: NaiveDate) -> Month {
        Month { first: day.with_day(1).unwrap_or(day) }
    }

    /// The month before.
    pub fn previous(self) -> Month {
        Month::containing(self.first.pred_opt().unwrap_or(self.first))
    }

    /// The month after.
    pub fn next(self) -> Month {
        Month::containing(self.first + Duration::days(31))
    }

    /// Its first instant (00:00 China time on the 1st) and the next month's.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        (china_midnight(self.first), china_midnight(self.next().first))
    }

    /// `YYYY-MM`.
    pub fn key(self) -> String {
        self.first.format("%Y-%m").to_string()
    }
}

/// A time bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// China calendar day, key `YYYY-MM-DD`.
    Day,
    /// ISO week from Monday, key = the Monday `YYYY-MM-DD`, label `YYYY-Www`.
    Week,
    /// China calendar month, key `YYYY-MM`.
    Month,
}

impl Bucket {
    /// The first day of the bucket holding `day`.
    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => day,
            Bucket::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Bucket::Month => day.with_day(1).unwrap_or(day),
        }
    }

    fn after(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Duration::days(1),
            Bucket::Week => start + Duration::days(7),
            Bucket::Month => Month::containing(start).next().first,
        }
    }

    /// The key of the bucket starting on `start` (what the database groups by).
    pub fn key(self, start: NaiveDate) -> String {
        match self {
            Bucket::Day | Bucket::Week => start.format("%Y-%m-%d").to_string(),
            Bucket::Month => start.format("%Y-%m").to_string(),
        }
    }

    /// What a person reads for the bucket starting on `start`: the key, or `2026-W48` for weeks
    /// (the ISO week-numbering year, which near New Year differs from the calendar year).
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Bucket::Week => {
                let week = start.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Bucket::Day | Bucket::Month => self.key(start),
        }
    }

    /// The first days of the buckets that overlap `[from, to)`, oldest first, or `None` when there are
    /// more than `limit`.
    pub fn starts(self, from: DateTime<Utc>, to: DateTime<Utc>, limit: usize) -> Option<Vec<NaiveDate>> {
        let mut out = Vec::new();
        let mut start = self.start(china_date(from));
        while china_midnight(start) < to {
            if out.len() == limit {
                return None;
            }
            out.push(start);
            start = self.after(start);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn days_and_months_turn_at_midnight_china_time() {
        assert_eq!(china_date(at("2026-11-30T15:59:59Z")), day("2026-11-30"));
        assert_eq!(china_date(at("2026-11-30T16:00:00Z")), day("2026-12-01"));
        assert_eq!(china_midnight(day("2026-12-01")), at("2026-11-30T16:00:00Z"));
        let nov = Month::parse("2026-11").unwrap();
        assert_eq!(nov.bounds(), (at("2026-10-31T16:00:00Z"), at("2026-11-30T16:00:00Z")));
        assert_eq!(Month::of(at("2026-11-30T16:00:00Z")).key(), "2026-12");
        assert_eq!(Month::parse("2026-01").unwrap().previous().key(), "2025-12");
        assert_eq!(Month::parse("2026-12").unwrap().next().key(), "2027-01");
        assert_eq!(Month::parse("2024-03").unwrap().previous().key(), "2024-02");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "1999-12", "", "2026-00"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn weeks_start_on_monday_and_carry_their_iso_year() {
        // Sunday 2026-11-29 23:30 China time is in the week of Monday 11-23; 30 minutes later a new week.
        let sunday_late = at("2026-11-29T15:30:00Z");
        let starts = Bucket::Week.starts(sunday_late, at("2026-11-29T16:30:00Z"), 10).unwrap();
        assert_eq!(starts, [day("2026-11-23"), day("2026-11-30")]);
        assert_eq!(Bucket::Week.label(day("2026-11-23")), "2026-W48");
        assert_eq!(Bucket::Week.key(day("2026-11-23")), "2026-11-23");
        // 2026-12-28 is a Monday in ISO week 53 of 2026; 2027-01-01 is in it.
        assert_eq!(Bucket::Week.label(day("2026-12-28")), "2026-W53");
        assert_eq!(Bucket::Week.start(day("2027-01-01")), day("2026-12-28"));
        // 2024-12-30 (Monday) is ISO week 1 of 2025.
        assert_eq!(Bucket::Week.label(day("2024-12-30")), "2025-W01");
    }

    #[test]
    fn a_period_is_cut_into_every_bucket_it_touches() {
        let (from, to) = Month::parse("2026-11").unwrap().bounds();
        assert_eq!(Bucket::Day.starts(from, to, 100).unwrap().len(), 30);
        assert_eq!(
            Bucket::Month.starts(from, to, 100).unwrap().iter().map(|d| Bucket::Month.key(*d)).collect::<Vec<_>>(),
            ["2026-11"]
        );
        // 2026-11-01 is a Sunday: its week began on 10-26; the last week starts on 11-30.
        let weeks = Bucket::Week.starts(from, to, 100).unwrap();
        assert_eq!(
            (weeks.first().copied(), weeks.last().copied(), weeks.len()),
            (Some(day("2026-10-26")), Some(day("2026-11-30")), 6)
        );
        assert_eq!(Bucket::Day.starts(from, to, 29), None);
        let year = (Month::parse("2026-01").unwrap().bounds().0, to);
        assert_eq!(Bucket::Month.starts(year.0, year.1, 100).unwrap().len(), 11);
    }
}
