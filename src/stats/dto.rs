//! Wire types of the statistics endpoints. Every figure's definition is in its doc comment (and so in
//! the OpenAPI document); README's "Statistics" notes say the same in prose.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::rate::{Mean, Rate};

/// `GET /api/v1/stats`: the period, the filters and the breakdown. Every value arrives as text and is
/// parsed in `stats::params`; a bad value is a 422 naming the parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// A China calendar month `YYYY-MM` (instead of `from`/`to`).
    pub month: Option<String>,
    /// Reported at or after: a date `YYYY-MM-DD` (00:00 China time) or an RFC 3339 time. Without
    /// `month`, `from` and `to`: the current China month.
    pub from: Option<String>,
    /// Reported before (exclusive), as `from`; default now. `from=2026-11-01&to=2026-12-01` is November.
    pub to: Option<String>,
    /// A region and everything below it.
    #[param(value_type = Option<Uuid>)]
    pub region: Option<String>,
    /// The responsible department.
    #[param(value_type = Option<Uuid>)]
    pub department: Option<String>,
    /// A category code.
    pub category: Option<String>,
    /// `app`, `wechat`, `open311` or `staff`.
    pub channel: Option<String>,
    /// Only tickets tagged with this campaign (专项整治).
    pub campaign: Option<String>,
    /// Rows per `category`, `department`, `district`, `street`, `community`, `channel`, `day`, `week`
    /// or `month` (China time; weeks start on Monday). Without it: totals only.
    pub group_by: Option<String>,
}

/// `GET /api/v1/stats/rankings`: the month, what is ranked, the order and the statistics' filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankingsQuery {
    /// The China calendar month `YYYY-MM`; default the current one.
    pub month: Option<String>,
    /// `street` (default) or `department`.
    pub by: Option<String>,
    /// Entries sorted by `rectification_rate` (default), `on_time_rate` or `overdue` rank.
    pub order: Option<String>,
    /// A region and everything below it.
    #[param(value_type = Option<Uuid>)]
    pub region: Option<String>,
    /// The responsible department.
    #[param(value_type = Option<Uuid>)]
    pub department: Option<String>,
    /// A category code.
    pub category: Option<String>,
    /// `app`, `wechat`, `open311` or `staff`.
    pub channel: Option<String>,
    /// Only tickets tagged with this campaign (专项整治).
    pub campaign: Option<String>,
}

/// The period a figure covers: tickets reported in `[from, to)`, their status read at `as_of`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    /// First instant (inclusive).
    pub from: DateTime<Utc>,
    /// Last instant (exclusive).
    pub to: DateTime<Utc>,
    /// When the statuses were read (the time of the request).
    pub as_of: DateTime<Utc>,
    /// The offset days, weeks and months are cut at: always `+08:00` (China time).
    pub utc_offset: String,
}

/// Median and 90th percentile of the time from report to a step, over the verified hazards of the
/// period that reached it (the first time they did). Percentiles are by nearest rank: the smallest
/// duration that at least half (90 %) of the durations do not exceed (PostgreSQL `percentile_disc`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema, Default)]
pub struct StepTime {
    /// Tickets that reached the step.
    pub count: i64,
    /// Median, whole seconds; null when `count` is 0.
    pub median_secs: Option<i64>,
    /// 90th percentile, whole seconds; null when `count` is 0.
    pub p90_secs: Option<i64>,
}

/// Time from report to each step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema, Default)]
pub struct StepTimes {
    /// To verification: the first `confirm` or `resolve_on_spot` (核实确认).
    pub verify: StepTime,
    /// To the department accepting the rectification: the first `accept` into `rectifying` (签收).
    pub accept: StepTime,
    /// To the rectification reported done: the first `complete` (整改完成).
    pub rectify: StepTime,
    /// To close-out: the first move into `closed`, by `pass` or `resolve_on_spot` (销号).
    pub close: StepTime,
}

/// The figures of one set of tickets: those reported in the period (by report time) in the caller's
/// scope and filters. Statuses are read at `as_of`; a reopened ticket is one ticket, counted by its
/// status now. `reported` = `awaiting_verification` + `verified` + `rejected` + `recorded_in_error`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    /// Reports received (上报), not counting duplicates.
    pub reported: i64,
    /// Reports rejected as duplicates of another ticket (重复上报): outside every other figure.
    pub duplicates: i64,
    /// Not yet verified: `unrouted`, `assigned` or `verifying`.
    pub awaiting_verification: i64,
    /// Confirmed as hazards (确认隐患, "found"): now `confirmed`, `rectifying`, `awaiting_check` or
    /// `closed` (fixed on the spot included). Cancelled-as-error and rejected tickets are not.
    pub verified: i64,
    /// Rejected as not a hazard, invalid or withdrawn by the reporter (未受理).
    pub rejected: i64,
    /// Cancelled as recorded in error (申请销号, approved): never rectified, counted apart.
    pub recorded_in_error: i64,
    /// Verified and still open (正在整改): `confirmed`, `rectifying` or `awaiting_check`.
    pub rectifying: i64,
    /// Verified and closed out (已整改/销号), fixed on the spot included.
    pub closed: i64,
    /// Overdue (超期未整改): `confirmed` or `rectifying` with the deadline of the step passed at
    /// `as_of` (the rectification deadline in force, extensions included; or the department's
    /// acceptance deadline).
    pub overdue: i64,
    /// Tickets escalated (督办) at least once.
    pub escalated: i64,
    /// Escalation events (each climb of the 督办 level).
    pub escalations: i64,
    /// Rectification rate (整改完成率) = `closed` ÷ `verified`.
    pub rectification_rate: Rate,
    /// On-time rate (按期整改率) = rectified on time ÷ due. Due: verified hazards with a rectification
    /// deadline that has passed at `as_of` or that are already reported rectified (`awaiting_check`,
    /// `closed`). On time: reported rectified (their last `complete`) at or before the deadline in force
    /// (approved extensions included).
    pub on_time_rate: Rate,
    /// Satisfaction rate (满意率) = ratings of 4 or 5 ÷ ratings.
    pub satisfaction_rate: Rate,
    /// Average rating (1–5) = sum of ratings ÷ ratings.
    pub average_rating: Mean,
    /// Time from report to each step.
    pub step_times: StepTimes,
}

/// The figures of one group.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GroupFigures {
    /// The group: a category code, a department or region id, a channel, a day or week start
    /// (`YYYY-MM-DD`) or a month (`YYYY-MM`); null for tickets without one (no department, not
    /// located in a street…).
    pub key: Option<String>,
    /// Its name (category, department, region, `2026-W48` for a week); null when unknown.
    pub label: Option<String>,
    /// The figures.
    pub figures: Figures,
}

/// `GET /api/v1/stats`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsView {
    /// The period.
    pub period: PeriodView,
    /// The breakdown asked for, if any.
    pub group_by: Option<String>,
    /// All tickets of the period in scope.
    pub totals: Figures,
    /// One row per group with tickets (every day/week/month of the period, empty ones included),
    /// ordered by key (time) or by `reported`, most first.
    pub groups: Vec<GroupFigures>,
}

/// The ranks of an entry (1 = best; equal values share a rank; null when there is no value).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Ranks {
    /// By rectification rate, highest first.
    pub rectification_rate: Option<u32>,
    /// By on-time rate, highest first.
    pub on_time_rate: Option<u32>,
    /// By overdue count, fewest first.
    pub overdue: Option<u32>,
}

/// One month's ranked figures of an entry.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RankedFigures {
    /// Reports (duplicates excluded).
    pub reported: i64,
    /// Verified hazards.
    pub verified: i64,
    /// Closed out.
    pub closed: i64,
    /// Overdue at `as_of`.
    pub overdue: i64,
    /// `closed` ÷ `verified`.
    pub rectification_rate: Rate,
    /// Rectified on time ÷ due.
    pub on_time_rate: Rate,
    /// Ranks among the month's entries.
    pub ranks: Ranks,
}

/// Month-on-month change (环比): this month minus the previous.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct MonthOnMonth {
    /// Rectification rate change in percentage points; null unless both months have a rate.
    pub rectification_rate_points: Option<f64>,
    /// On-time rate change in percentage points; null unless both months have a rate.
    pub on_time_rate_points: Option<f64>,
    /// Overdue count change.
    pub overdue: i64,
    /// Places climbed in the rectification-rate ranking (positive: up); null unless ranked both months.
    pub rectification_rank_climbed: Option<i64>,
}

/// One street or department in the bulletin.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RankingEntry {
    /// Street (region) or department id.
    pub id: Uuid,
    /// Its name.
    pub name: Option<String>,
    /// The month.
    pub current: RankedFigures,
    /// The previous month.
    pub previous: RankedFigures,
    /// The change.
    pub change: MonthOnMonth,
}

/// `GET /api/v1/stats/rankings`: the monthly bulletin (定期通报).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingsView {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The month compared with.
    pub previous_month: String,
    /// `street` or `department`.
    pub by: String,
    /// The month's period.
    pub period: PeriodView,
    /// The previous month's period.
    pub previous_period: PeriodView,
    /// Every street (department) with tickets in either month, in the order asked for (unranked
    /// last, then by id). Tickets without a street (department) are not ranked.
    pub entries: Vec<RankingEntry>,
}
