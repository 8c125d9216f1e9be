//! Notification preferences: muted kinds and quiet hours, the pure rule [`should_push`], and their
//! storage in `notification_pref`. Preferences only ever hold back pushes (WeChat, the WebSocket
//! `ticket_status` event); the thread's system message is always recorded, so no history is lost.

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use entity::notification_pref;
use sea_orm::{sea_query::OnConflict, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use crate::tickets::{status::Urgency, workflow::NoticeKind};

/// A time of day in China time (`HH:MM`), as minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay(u16);

/// A time of day that is not `HH:MM` between 00:00 and 23:59.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time of day like 22:00")]
pub struct BadTime(pub String);

impl TimeOfDay {
    /// Parses `HH:MM` (24-hour clock, two digits each).
    pub fn parse(text: &str) -> Result<Self, BadTime> {
        let bad = || BadTime(text.to_owned());
        let (h, m) = text.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(TimeOfDay(h * 60 + m))
    }

    /// The time of day of an instant in China (UTC+8).
    pub fn in_china(at: DateTime<Utc>) -> Self {
        let t = at.checked_add_signed(TimeDelta::hours(8)).unwrap_or(at);
        // hour ≤ 23 and minute ≤ 59, so this fits.
        TimeOfDay(u16::try_from(t.hour() * 60 + t.minute()).unwrap_or(0))
    }
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Quiet hours: from `start` up to (not including) `end`, wrapping past midnight when `end < start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// When quiet starts.
    pub start: TimeOfDay,
    /// When it ends.
    pub end: TimeOfDay,
}

impl QuietHours {
    /// Whether `at` falls inside (equal start and end mean no quiet hours).
    pub fn contains(&self, at: TimeOfDay) -> bool {
        if self.start <= self.end {
            self.start <= at && at < self.end
        } else {
            at >= self.start || at < self.end
        }
    }
}

/// One user's preferences (the default: nothing muted, no quiet hours).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefs {
    /// Kinds never pushed.
    pub muted: Vec<NoticeKind>,
    /// When only urgent notices are pushed.
    pub quiet_hours: Option<QuietHours>,
}

/// Whether a notice is pushed now: an emergency always is; a muted kind never is; urgent tickets and
/// escalations (督办) go through quiet hours; anything else waits for the thread during them.
pub fn should_push(kind: NoticeKind, urgency: Urgency, now: DateTime<Utc>, prefs: &Prefs) -> bool {
    if kind == NoticeKind::Emergency {
        return true;
    }
    if prefs.muted.contains(&kind) {
        return false;
    }
    let pressing = urgency != Urgency::Normal
        || matches!(kind, NoticeKind::EscalatedToDispatcher | NoticeKind::EscalatedToDistrict);
    pressing || !prefs.quiet_hours.is_some_and(|q| q.contains(TimeOfDay::in_china(now)))
}

/// Stored kind names, skipping names this version does not know.
fn parse_kinds(json: &str) -> Vec<NoticeKind> {
    serde_json::from_str::<Vec<serde_json::Value>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// A stored row as preferences (unparseable parts read as unset).
pub fn from_row(row: &notification_pref::Model) -> Prefs {
    let time = |t: &Option<String>| t.as_deref().and_then(|t| TimeOfDay::parse(t).ok());
    let quiet_hours = match (time(&row.quiet_start), time(&row.quiet_end)) {
        (Some(start), Some(end)) => Some(QuietHours { start, end }),
        _ => None,
    };
    Prefs { muted: parse_kinds(&row.muted), quiet_hours }
}

/// A user's preferences (the default when they never set any).
pub async fn load<C: ConnectionTrait>(db: &C, user: Uuid) -> Result<Prefs, DbErr> {
    Ok(notification_pref::Entity::find_by_id(user).one(db).await?.map(|r| from_row(&r)).unwrap_or_default())
}

/// Replaces a user's preferences.
pub async fn save<C: ConnectionTrait>(db: &C, user: Uuid, prefs: &Prefs, now: DateTime<Utc>) -> Result<(), DbErr> {
    let muted = serde_json::to_string(&prefs.muted).map_err(|e| DbErr::Custom(e.to_string()))?;
    let row = notification_pref::ActiveModel {
        user_id: Set(user),
        muted: Set(muted),
        quiet_start: Set(prefs.quiet_hours.map(|q| q.start.to_string())),
        quiet_end: Set(prefs.quiet_hours.map(|q| q.end.to_string())),
        updated_at: Set(now),
    };
    notification_pref::Entity::insert(row)
        .on_conflict(
            OnConflict::column(notification_pref::Column::UserId)
                .update_columns([
                    notification_pref::Column::Muted,
                    notification_pref::Column::QuietStart,
                    notification_pref::Column::QuietEnd,
                    notification_pref::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// An instant at `h:m` China time.
    fn china(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap()
            + TimeDelta::hours(i64::from(h) - 8)
            + TimeDelta::minutes(i64::from(m))
    }

    fn night() -> Prefs {
        let quiet = QuietHours { start: TimeOfDay::parse("22:00").unwrap(), end: TimeOfDay::parse("07:00").unwrap() };
        Prefs { muted: vec![], quiet_hours: Some(quiet) }
    }

    #[test]
    fn times_of_day_parse_only_as_hh_mm() {
        assert_eq!(TimeOfDay::parse("07:05").unwrap().to_string(), "07:05");
        assert_eq!(TimeOfDay::parse("23:59").unwrap(), TimeOfDay(23 * 60 + 59));
        for bad in ["24:00", "7:00", "07:60", "0700", "", "ab:cd", "07:00:00", "-1:00", "+7:00"] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(TimeOfDay::in_china(china(18, 30)).to_string(), "18:30");
    }

    #[test]
    fn quiet_hours_may_span_midnight() {
        let q = night().quiet_hours.unwrap();
        for (h, m, inside) in
            [(21, 59, false), (22, 0, true), (23, 30, true), (3, 0, true), (6, 59, true), (7, 0, false)]
        {
            assert_eq!(q.contains(TimeOfDay::in_china(china(h, m))), inside, "{h}:{m}");
        }
        let day = QuietHours { start: TimeOfDay::parse("12:00").unwrap(), end: TimeOfDay::parse("14:00").unwrap() };
        assert!(day.contains(TimeOfDay::parse("13:00").unwrap()) && !day.contains(TimeOfDay::parse("14:00").unwrap()));
        let none = QuietHours { start: TimeOfDay(600), end: TimeOfDay(600) };
        assert!(!none.contains(TimeOfDay(600)));
    }

    #[test]
    fn quiet_hours_hold_normal_pushes_but_not_urgent_ones_or_escalations() {
        let p = night();
        let (late, noon) = (china(23, 0), china(12, 0));
        assert!(!should_push(NoticeKind::StatusChanged, Urgency::Normal, late, &p));
        assert!(should_push(NoticeKind::StatusChanged, Urgency::Normal, noon, &p));
        assert!(should_push(NoticeKind::StatusChanged, Urgency::Urgent, late, &p));
        assert!(should_push(NoticeKind::StatusChanged, Urgency::Emergency, late, &p));
        assert!(should_push(NoticeKind::Emergency, Urgency::Normal, late, &p));
        assert!(should_push(NoticeKind::EscalatedToDispatcher, Urgency::Normal, late, &p));
        assert!(should_push(NoticeKind::EscalatedToDistrict, Urgency::Normal, late, &p));
        assert!(!should_push(NoticeKind::Overdue, Urgency::Normal, late, &p));
        assert!(should_push(NoticeKind::Reply, Urgency::Normal, noon, &Prefs::default()));
    }

    #[test]
    fn muted_kinds_are_never_pushed_except_emergencies() {
        let p = Prefs { muted: vec![NoticeKind::Reply, NoticeKind::Emergency], quiet_hours: None };
        assert!(!should_push(NoticeKind::Reply, Urgency::Emergency, china(12, 0), &p));
        assert!(should_push(NoticeKind::StatusChanged, Urgency::Normal, china(12, 0), &p));
        assert!(should_push(NoticeKind::Emergency, Urgency::Normal, china(12, 0), &p));
    }

    #[test]
    fn stored_rows_read_back_and_unknown_kinds_are_skipped() {
        let row = notification_pref::Model {
            user_id: Uuid::nil(),
            muted: r#"["reply","no_such_kind"]"#.into(),
            quiet_start: Some("22:00".into()),
            quiet_end: Some("07:00".into()),
            updated_at: Utc::now(),
        };
        assert_eq!(from_row(&row), Prefs { muted: vec![NoticeKind::Reply], ..night() });
        let broken = notification_pref::Model { quiet_end: Some("7".into()), muted: "x".into(), ..row };
        assert_eq!(from_row(&broken), Prefs::default());
    }
}
