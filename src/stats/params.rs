//! Parsing a statistics request: the period, the filters, the breakdown and the ranking, from query
//! text into types, or a 422 (`validation_failed`) naming the parameter. Pure; `now` is an argument.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    dto::{RankingsQuery, StatsQuery},
    period::{china_midnight, Bucket, Month},
};
use crate::{
    error::{ApiError, FieldError},
    tickets::dto::Channel,
};

/// The most time buckets one answer holds (two years of days).
pub const MAX_BUCKETS: usize = 731;

/// What the statistics are restricted to, besides the caller's scope and the period. One field and
/// one condition (`query::filter_condition`) per filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsFilters {
    /// A region and its subtree.
    pub region: Option<Uuid>,
    /// Responsible department.
    pub department: Option<Uuid>,
    /// Category code.
    pub category: Option<String>,
    /// Report channel.
    pub channel: Option<Channel>,
    /// Tagged with this campaign.
    pub campaign: Option<Uuid>,
}

/// A breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// Category code.
    Category,
    /// Responsible department.
    Department,
    /// District (the first region of the path).
    District,
    /// Street or township (the second).
    Street,
    /// Community or village (the third).
    Community,
    /// Report channel.
    Channel,
    /// A China-time bucket.
    Time(Bucket),
}

impl GroupBy {
    /// Every breakdown, by name.
    pub const NAMES: [(&'static str, GroupBy); 9] = [
        ("category", GroupBy::Category),
        ("department", GroupBy::Department),
        ("district", GroupBy::District),
        ("street", GroupBy::Street),
        ("community", GroupBy::Community),
        ("channel", GroupBy::Channel),
        ("day", GroupBy::Time(Bucket::Day)),
        ("week", GroupBy::Time(Bucket::Week)),
        ("month", GroupBy::Time(Bucket::Month)),
    ];

    /// The name.
    pub fn as_str(self) -> &'static str {
        GroupBy::NAMES.iter().find(|(_, g)| *g == self).map_or("", |(n, _)| n)
    }
}

/// A parsed statistics request.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsParams {
    /// Reported at or after.
    pub from: DateTime<Utc>,
    /// Reported before.
    pub to: DateTime<Utc>,
    /// Filters.
    pub filters: StatsFilters,
    /// Breakdown, if any.
    pub group_by: Option<GroupBy>,
}

/// What the bulletin ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankBy {
    /// Streets (townships).
    Street,
    /// Responsible departments.
    Department,
}

impl RankBy {
    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            RankBy::Street => "street",
            RankBy::Department => "department",
        }
    }
}

/// The ranking entries are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RankOrder {
    /// Rectification rate rank.
    #[default]
    RectificationRate,
    /// On-time rate rank.
    OnTimeRate,
    /// Overdue rank.
    Overdue,
}

/// A parsed rankings request.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingsParams {
    /// The month.
    pub month: Month,
    /// Streets or departments.
    pub by: RankBy,
    /// Sort order of the entries.
    pub order: RankOrder,
    /// Filters.
    pub filters: StatsFilters,
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, "invalid", message)])
}

fn text(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Err(bad(field, "empty value")),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

fn uuid(field: &str, value: Option<String>) -> Result<Option<Uuid>, ApiError> {
    text(field, value)?.map(|v| v.parse().map_err(|_| bad(field, "not a UUID"))).transpose()
}

fn month(field: &str, value: Option<String>) -> Result<Option<Month>, ApiError> {
    text(field, value)?.map(|v| Month::parse(&v).ok_or_else(|| bad(field, "expected a month YYYY-MM"))).transpose()
}

/// A date (00:00 China time) or an RFC 3339 time.
fn instant(field: &str, value: Option<String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    text(field, value)?
        .map(|v| {
            if let Ok(day) = NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                return Ok(china_midnight(day));
            }
            // An unencoded `+08:00` arrives as ` 08:00`.
            DateTime::parse_from_rfc3339(&v)
                .or_else(|_| DateTime::parse_from_rfc3339(&v.replace(' ', "+")))
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| bad(field, "expected a date YYYY-MM-DD or an RFC 3339 time"))
        })
        .transpose()
}

fn filters(
    region: Option<String>,
    department: Option<String>,
    category: Option<String>,
    channel: Option<String>,
    campaign: Option<String>,
) -> Result<StatsFilters, ApiError> {
    let channel = text("channel", channel)?
        .map(|c| match c.as_str() {
            "app" => Ok(Channel::App),
            "wechat" => Ok(Channel::Wechat),
            "open311" => Ok(Channel::Open311),
            "staff" => Ok(Channel::Staff),
            _ => Err(bad("channel", "expected `app`, `wechat`, `open311` or `staff`")),
        })
        .transpose()?;
    Ok(StatsFilters {
        region: uuid("region", region)?,
        department: uuid("department", department)?,
        category: text("category", category)?,
        channel,
        campaign: uuid("campaign", campaign)?,
    })
}

impl StatsParams {
    /// Parses a request made at `now`.
    pub fn parse(raw: StatsQuery, now: DateTime<Utc>) -> Result<StatsParams, ApiError> {
        let month = month("month", raw.month)?;
        let from = instant("from", raw.from)?;
        let to = instant("to", raw.to)?;
        let (from, to) = match (month, from, to) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(bad("month", "give `month` or `from`/`to`, not both"))
            }
            (Some(m), None, None) => m.bounds(),
            (None, Some(from), to) => (from, to.unwrap_or(now)),
            (None, None, Some(_)) => return Err(bad("from", "`to` needs a `from`")),
            (None, None, None) => Month::of(now).bounds(),
        };
        if from >= to {
            return Err(bad("to", "`to` must be after `from`"));
        }
        let group_by = text("group_by", raw.group_by)?
            .map(|g| {
                GroupBy::NAMES.iter().find(|(n, _)| *n == g).map(|(_, v)| *v).ok_or_else(|| {
                    bad(
                        "group_by",
                        "expected category, department, district, street, community, channel, day, week or month",
                    )
                })
            })
            .transpose()?;
        if let Some(GroupBy::Time(bucket)) = group_by {
            if bucket.starts(from, to, MAX_BUCKETS).is_none() {
                return Err(bad(
                    "group_by",
                    format!("more than {MAX_BUCKETS} buckets: choose a shorter period or a longer bucket"),
                ));
            }
        }
        Ok(StatsParams {
            from,
            to,
            filters: filters(raw.region, raw.department, raw.category, raw.channel, raw.campaign)?,
            group_by,
        })
    }
}

impl RankingsParams {
    /// Parses a request made at `now`.
    pub fn parse(raw: RankingsQuery, now: DateTime<Utc>) -> Result<RankingsParams, ApiError> {
        let by = match text("by", raw.by)?.as_deref() {
            None | Some("street") => RankBy::Street,
            Some("department") => RankBy::Department,
            Some(_) => return Err(bad("by", "expected `street` or `department`")),
        };
        let order = match text("order", raw.order)?.as_deref() {
            None | Some("rectification_rate") => RankOrder::RectificationRate,
            Some("on_time_rate") => RankOrder::OnTimeRate,
            Some("overdue") => RankOrder::Overdue,
            Some(_) => return Err(bad("order", "expected `rectification_rate`, `on_time_rate` or `overdue`")),
        };
        Ok(RankingsParams {
            month: month("month", raw.month)?.unwrap_or_else(|| Month::of(now)),
            by,
            order,
            filters: filters(raw.region, raw.department, raw.category, raw.channel, raw.campaign)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00").unwrap().with_timezone(&Utc)
    }

    fn field_of(e: &ApiError) -> String {
        assert_eq!((e.code(), e.status().as_u16()), ("validation_failed", 422));
        e.to_string().split(':').next().unwrap().to_owned()
    }

    #[test]
    fn the_period_defaults_to_this_china_month_and_dates_start_at_china_midnight() {
        let p = StatsParams::parse(StatsQuery::default(), now()).unwrap();
        assert_eq!((p.from, p.to), Month::parse("2026-11").unwrap().bounds());
        let p = StatsParams::parse(
            StatsQuery { from: Some("2026-11-01".into()), to: Some("2026-11-08".into()), ..Default::default() },
            now(),
        )
        .unwrap();
        assert_eq!(p.from.to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(p.to.to_rfc3339(), "2026-11-07T16:00:00+00:00");
        let p = StatsParams::parse(
            StatsQuery {
                from: Some("2026-11-20T00:00:00 08:00".into()),
                group_by: Some("week".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
        assert_eq!((p.to, p.group_by), (now(), Some(GroupBy::Time(Bucket::Week))));
    }

    #[test]
    fn bad_values_are_refused_naming_their_parameter() {
        let cases = [
            (StatsQuery { month: Some("2026-13".into()), ..Default::default() }, "month"),
            (
                StatsQuery { month: Some("2026-11".into()), from: Some("2026-11-01".into()), ..Default::default() },
                "month",
            ),
            (StatsQuery { from: Some("yesterday".into()), ..Default::default() }, "from"),
            (StatsQuery { to: Some("2026-11-01".into()), ..Default::default() }, "from"),
            (StatsQuery { from: Some("2026-11-02".into()), to: Some("2026-11-01".into()), ..Default::default() }, "to"),
            (StatsQuery { region: Some("x".into()), ..Default::default() }, "region"),
            (StatsQuery { department: Some("".into()), ..Default::default() }, "department"),
            (StatsQuery { channel: Some("fax".into()), ..Default::default() }, "channel"),
            (StatsQuery { group_by: Some("grid".into()), ..Default::default() }, "group_by"),
            (
                StatsQuery { from: Some("2020-01-01".into()), group_by: Some("day".into()), ..Default::default() },
                "group_by",
            ),
        ];
        for (raw, field) in cases {
            assert_eq!(field_of(&StatsParams::parse(raw, now()).unwrap_err()), field);
        }
        let rankings = [
            (RankingsQuery { month: Some("11".into()), ..Default::default() }, "month"),
            (RankingsQuery { by: Some("grid".into()), ..Default::default() }, "by"),
            (RankingsQuery { order: Some("name".into()), ..Default::default() }, "order"),
        ];
        for (raw, field) in rankings {
            assert_eq!(field_of(&RankingsParams::parse(raw, now()).unwrap_err()), field);
        }
        let ok = RankingsParams::parse(RankingsQuery::default(), now()).unwrap();
        assert_eq!((ok.month.key(), ok.by, ok.order), ("2026-11".into(), RankBy::Street, RankOrder::RectificationRate));
    }
}
