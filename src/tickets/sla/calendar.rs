//! The working-day calendar as data (holidays and make-up working days, 调休, loaded yearly by admins)
//! and China Standard Time (UTC+8) day boundaries.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Seconds east of UTC of China Standard Time; China has no daylight saving.
pub const CST_OFFSET_SECS: i32 = 8 * 3600;

const CST_OFFSET: TimeDelta = TimeDelta::seconds(CST_OFFSET_SECS as i64);

/// The calendar date in China of an instant (saturating at the last representable date).
pub fn cst_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.naive_utc().checked_add_signed(CST_OFFSET).map_or(NaiveDate::MAX, |local| local.date())
}

/// The instant a China calendar day ends (24:00 CST, i.e. 00:00 CST of the next day), as UTC.
pub fn cst_day_end(date: NaiveDate) -> Option<DateTime<Utc>> {
    let next = date.succ_opt()?.and_time(NaiveTime::MIN);
    next.checked_sub_signed(CST_OFFSET).map(|utc| utc.and_utc())
}

/// Calendar data that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date is listed both as a holiday and as a make-up working day.
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    Conflict(NaiveDate),
    /// A make-up working day (调休) falls on a weekday, which works anyway: most likely a typo.
    #[error("make-up working day {0} is not a Saturday or Sunday")]
    MakeupOnWeekday(NaiveDate),
}

/// The stored shape of a [`WorkCalendar`] (e.g. a YAML or JSON file admins load each year).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarData {
    /// Public holidays (法定节假日 and the days off around them), any weekday.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub makeup_workdays: Vec<NaiveDate>,
}

/// Which days are working days: Monday to Friday, less holidays, plus make-up weekend days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarData", into = "CalendarData")]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    makeup_workdays: BTreeSet<NaiveDate>,
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl WorkCalendar {
    /// Builds a calendar; refuses contradictory data.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        makeup_workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        let makeup_workdays: BTreeSet<NaiveDate> = makeup_workdays.into_iter().collect();
        if let Some(&date) = makeup_workdays.iter().find(|d| !is_weekend(**d)) {
            return Err(CalendarError::MakeupOnWeekday(date));
        }
        if let Some(&date) = holidays.intersection(&makeup_workdays).next() {
            return Err(CalendarError::Conflict(date));
        }
        Ok(WorkCalendar { holidays, makeup_workdays })
    }

    /// Whether people work on that day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.makeup_workdays.contains(&date) {
            return true;
        }
        !is_weekend(date) && !self.holidays.contains(&date)
    }

    /// The holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// The make-up working days, in date order.
    pub fn makeup_workdays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.makeup_workdays.iter().copied()
    }
}

impl TryFrom<CalendarData> for WorkCalendar {
    type Error = CalendarError;
    fn try_from(data: CalendarData) -> Result<Self, Self::Error> {
        WorkCalendar::new(data.holidays, data.makeup_workdays)
    }
}

impl From<WorkCalendar> for CalendarData {
    fn from(calendar: WorkCalendar) -> Self {
        CalendarData {
            holidays: calendar.holidays.into_iter().collect(),
            makeup_workdays: calendar.makeup_workdays.into_iter().collect(),
        }
    }
}
