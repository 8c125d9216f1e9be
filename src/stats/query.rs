//! The statistics SQL: one pass over the period's tickets (`c`), grouped in the database. The times
//! each ticket first reached each step and its escalation count are columns of the ticket row,
//! written with the events (`tickets::store::insert_event`), so no query reads `ticket_event`.
//! The counts are the same SQL on SQLite and PostgreSQL; only the expressions that cut time differ
//! (`Dialect`). The step times (median and p90, nearest rank) differ by backend: `percentile_disc`
//! in one pass on PostgreSQL, ROW_NUMBER over the ordered durations on SQLite, which has no
//! percentile aggregate.
//!
//! Which tickets: reported (`created_at`) in `[from, to)`, handled by the caller
//! (`Viewer::handled`), passing the filters. What each figure counts: see `COUNTS` and `dto::Figures`.

use chrono::{DateTime, Utc};
use entity::ticket;
use sea_orm::{
    sea_query::{Alias, Expr, Query},
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, QueryResult, Statement,
};
use uuid::Uuid;

use super::{
    params::{GroupBy, StatsFilters},
    period::Bucket,
};
use crate::tickets::access::Viewer;

/// The tickets one statistics query reads.
#[derive(Debug, Clone)]
pub struct Cohort<'a> {
    /// Whose scope.
    pub viewer: &'a Viewer,
    /// Filters.
    pub filters: &'a StatsFilters,
    /// Reported at or after.
    pub from: DateTime<Utc>,
    /// Reported before.
    pub to: DateTime<Utc>,
    /// Statuses are judged at this time (overdue, due).
    pub as_of: DateTime<Utc>,
    /// Breakdown.
    pub group_by: Option<GroupBy>,
}

/// The counts of one group (every field an integer the database summed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Non-duplicate reports.
    pub reported: i64,
    /// Duplicates.
    pub duplicates: i64,
    /// Unrouted, assigned or verifying.
    pub awaiting_verification: i64,
    /// Confirmed hazards.
    pub verified: i64,
    /// Not a hazard, invalid, withdrawn.
    pub rejected: i64,
    /// Cancelled as recorded in error.
    pub recorded_in_error: i64,
    /// Verified, not closed.
    pub rectifying: i64,
    /// Closed.
    pub closed: i64,
    /// Past the step deadline, not yet reported rectified.
    pub overdue: i64,
    /// On-time rate denominator.
    pub due: i64,
    /// On-time rate numerator.
    pub on_time: i64,
    /// Tickets escalated at least once.
    pub escalated: i64,
    /// Escalation events.
    pub escalations: i64,
    /// Rated tickets.
    pub rated: i64,
    /// Rated 4 or 5.
    pub satisfied: i64,
    /// Sum of ratings.
    pub rating_sum: i64,
}

impl Counts {
    /// Adds another group's counts (every count is a sum over tickets, so groups add up to totals).
    pub fn add(&mut self, o: &Counts) {
        let pairs = [
            (&mut self.reported, o.reported),
            (&mut self.duplicates, o.duplicates),
            (&mut self.awaiting_verification, o.awaiting_verification),
            (&mut self.verified, o.verified),
            (&mut self.rejected, o.rejected),
            (&mut self.recorded_in_error, o.recorded_in_error),
            (&mut self.rectifying, o.rectifying),
            (&mut self.closed, o.closed),
            (&mut self.overdue, o.overdue),
            (&mut self.due, o.due),
            (&mut self.on_time, o.on_time),
            (&mut self.escalated, o.escalated),
            (&mut self.escalations, o.escalations),
            (&mut self.rated, o.rated),
            (&mut self.satisfied, o.satisfied),
            (&mut self.rating_sum, o.rating_sum),
        ];
        for (mine, theirs) in pairs {
            *mine += theirs;
        }
    }
}

/// A step whose time from report is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// First `confirm` or `resolve_on_spot`.
    Verify,
    /// First `accept` into `rectifying`.
    Accept,
    /// First `complete`.
    Rectify,
    /// First move into `closed`.
    Close,
}

impl Step {
    const ALL: [(Step, &'static str, &'static str); 4] = [
        (Step::Verify, "verify", "first_verified_at"),
        (Step::Accept, "accept", "first_accepted_at"),
        (Step::Rectify, "rectify", "first_rectified_at"),
        (Step::Close, "close", "first_closed_at"),
    ];
}

/// Median and p90 of one step in one group (or the totals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// The group key; `None` for the null group and for totals.
    pub key: Option<String>,
    /// Whether this row is over all groups.
    pub total: bool,
    /// The step.
    pub step: Step,
    /// Tickets that reached it.
    pub count: i64,
    /// Median seconds (nearest rank).
    pub median: Option<i64>,
    /// 90th percentile seconds (nearest rank).
    pub p90: Option<i64>,
}

/// The verified statuses: confirmed as a hazard and not cancelled or rejected since.
const VERIFIED: &str = "('confirmed', 'rectifying', 'awaiting_check', 'closed')";

/// The counts, as (column, condition counted) pairs; each becomes `SUM(CASE WHEN cond THEN 1 ELSE 0 END)`.
const COUNTS: [(&str, &str); 15] = [
    ("reported", "COALESCE(c.rejection_kind, '') <> 'duplicate_of'"),
    ("duplicates", "c.rejection_kind = 'duplicate_of'"),
    ("awaiting_verification", "c.status IN ('unrouted', 'assigned', 'verifying')"),
    ("verified", "c.status IN ('confirmed', 'rectifying', 'awaiting_check', 'closed')"),
    ("rejected", "c.status = 'rejected' AND c.rejection_kind IN ('not_a_hazard', 'invalid', 'withdrawn')"),
    ("recorded_in_error", "c.rejection_kind = 'recorded_in_error'"),
    ("rectifying", "c.status IN ('confirmed', 'rectifying', 'awaiting_check')"),
    ("closed", "c.status = 'closed'"),
    // Not yet reported rectified, and the deadline of the step it waits on has passed.
    ("overdue", "c.status IN ('confirmed', 'rectifying') AND c.late = 1"),
    // Had a rectification deadline that has passed, or is already reported rectified.
    (
        "due",
        "c.status IN ('rectifying', 'awaiting_check', 'closed') AND c.rectification_deadline IS NOT NULL \
         AND (c.status IN ('awaiting_check', 'closed') OR c.deadline_passed = 1)",
    ),
    // Reported rectified (last time) by the deadline in force.
    (
        "on_time",
        "c.status IN ('awaiting_check', 'closed') AND c.rectification_deadline IS NOT NULL \
         AND COALESCE(c.last_rectified_at, c.closed_at) <= c.rectification_deadline",
    ),
    ("escalated", "COALESCE(c.rejection_kind, '') <> 'duplicate_of' AND c.escalation_count > 0"),
    ("rated", "COALESCE(c.rejection_kind, '') <> 'duplicate_of' AND c.rating IS NOT NULL"),
    ("satisfied", "COALESCE(c.rejection_kind, '') <> 'duplicate_of' AND c.rating >= 4"),
    // Summed, not counted: see `counts_sql`.
    ("escalations", ""),
];

/// What differs between the backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn of(backend: DatabaseBackend) -> Dialect {
        match backend {
            DatabaseBackend::Postgres => Dialect::Postgres,
            _ => Dialect::Sqlite,
        }
    }

    /// `created_at` as China local time, formatted (`pg` and `sqlite` are the two spellings of one format).
    fn china_time(self, pg: &str, sqlite: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("to_char((ticket.created_at AT TIME ZONE 'UTC') + INTERVAL '8 hours', '{pg}')")
            }
            Dialect::Sqlite => format!("strftime('{sqlite}', ticket.created_at, '+8 hours')"),
        }
    }

    /// The group key of a ticket.
    fn group_key(self, group: Option<GroupBy>) -> String {
        match group {
            None => "''".to_owned(),
            Some(GroupBy::Category) => "ticket.category".to_owned(),
            Some(GroupBy::Department) => "ticket.department_id".to_owned(),
            Some(GroupBy::Channel) => "ticket.channel".to_owned(),
            Some(GroupBy::District) => region_at(0),
            Some(GroupBy::Street) => region_at(1),
            Some(GroupBy::Community) => region_at(2),
            Some(GroupBy::Time(Bucket::Day)) => self.china_time("YYYY-MM-DD", "%Y-%m-%d"),
            Some(GroupBy::Time(Bucket::Month)) => self.china_time("YYYY-MM", "%Y-%m"),
            Some(GroupBy::Time(Bucket::Week)) => match self {
                Dialect::Postgres => "to_char(date_trunc('week', (ticket.created_at AT TIME ZONE 'UTC') \
                    + INTERVAL '8 hours'), 'YYYY-MM-DD')"
                    .to_owned(),
                // The next Sunday (or the day itself), six days back: the Monday.
                Dialect::Sqlite => "date(ticket.created_at, '+8 hours', 'weekday 0', '-6 days')".to_owned(),
            },
        }
    }
}

/// The id at `depth` (0 district, 1 street, 2 community) of the region path `/id/id/…/`: ids are
/// 36-character UUIDs, so the n-th starts at 2 + 37n. Null when the path is shorter.
fn region_at(depth: usize) -> String {
    let start = 2 + 37 * depth;
    format!("CASE WHEN length(ticket.region_path) >= {} THEN substr(ticket.region_path, {start}, 36) END", start + 36)
}

/// The filters as one condition on `ticket`: one line per filter.
pub fn filter_condition(f: &StatsFilters) -> Condition {
    Condition::all()
        .add_option(f.region.map(|r| ticket::Column::RegionPath.like(format!("%/{r}/%"))))
        .add_option(f.department.map(|d| ticket::Column::DepartmentId.eq(d)))
        .add_option(f.category.as_ref().map(|c| ticket::Column::Category.eq(c.as_str())))
        .add_option(f.channel.map(|c| ticket::Column::Channel.eq(c.as_str())))
        .add_option(f.campaign.map(|c| {
            ticket::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(entity::ticket_campaign::Column::TicketId)
                    .from(entity::ticket_campaign::Entity)
                    .and_where(entity::ticket_campaign::Column::CampaignId.eq(c))
                    .to_owned(),
            )
        }))
}

/// `WITH c AS (the cohort)` with the cohort's bound values.
fn with_cohort(cohort: &Cohort<'_>, backend: DatabaseBackend) -> Statement {
    use ticket::Column as T;
    let dialect = Dialect::of(backend);
    let mut select = Query::select();
    select.expr_as(Expr::col((ticket::Entity, T::Id)), Alias::new("id"));
    select.expr_as(Expr::cust(dialect.group_key(cohort.group_by)), Alias::new("g"));
    for col in [
        T::Status,
        T::RejectionKind,
        T::CreatedAt,
        T::RectificationDeadline,
        T::ClosedAt,
        T::Rating,
        T::FirstVerifiedAt,
        T::FirstAcceptedAt,
        T::FirstRectifiedAt,
        T::LastRectifiedAt,
        T::FirstClosedAt,
        T::EscalationCount,
    ] {
        select.column((ticket::Entity, col));
    }
    select
        .expr_as(Expr::case(Expr::col((ticket::Entity, T::DueAt)).lt(cohort.as_of), 1).finally(0), Alias::new("late"));
    select.expr_as(
        Expr::case(Expr::col((ticket::Entity, T::RectificationDeadline)).lt(cohort.as_of), 1).finally(0),
        Alias::new("deadline_passed"),
    );
    select.from(ticket::Entity).cond_where(
        Condition::all()
            .add(T::CreatedAt.gte(cohort.from))
            .add(T::CreatedAt.lt(cohort.to))
            .add(cohort.viewer.handled())
            .add(filter_condition(cohort.filters)),
    );
    let built = backend.build(&select);
    Statement { sql: format!("WITH c AS ({})", built.sql), values: built.values, db_backend: backend }
}

fn counts_sql() -> String {
    let mut cols = Vec::new();
    for (name, cond) in COUNTS {
        if name == "escalations" {
            cols.push(format!(
                "CAST(SUM(CASE WHEN COALESCE(c.rejection_kind, '') <> 'duplicate_of' THEN c.escalation_count ELSE 0 END) AS BIGINT) AS {name}"
            ));
        } else {
            cols.push(format!("CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT) AS {name}"));
        }
    }
    cols.push(
        "CAST(SUM(CASE WHEN COALESCE(c.rejection_kind, '') <> 'duplicate_of' THEN COALESCE(c.rating, 0) ELSE 0 END) AS BIGINT) AS rating_sum"
            .to_owned(),
    );
    format!("SELECT c.g AS g, {} FROM c GROUP BY c.g", cols.join(", "))
}

/// The group key of a result row: department ids are stored as UUIDs, the rest as text.
fn key_of(row: &QueryResult, group: Option<GroupBy>) -> Result<Option<String>, DbErr> {
    match group {
        None => Ok(None),
        Some(GroupBy::Department) => Ok(row.try_get::<Option<Uuid>>("", "g")?.map(|id| id.to_string())),
        Some(_) => row.try_get::<Option<String>>("", "g"),
    }
}

/// The counts per group (one row when there is no breakdown).
pub async fn counts<C: ConnectionTrait>(db: &C, cohort: &Cohort<'_>) -> Result<Vec<(Option<String>, Counts)>, DbErr> {
    let mut stmt = with_cohort(cohort, db.get_database_backend());
    stmt.sql.push(' ');
    stmt.sql.push_str(&counts_sql());
    let get =
        |row: &QueryResult, col: &str| -> Result<i64, DbErr> { Ok(row.try_get::<Option<i64>>("", col)?.unwrap_or(0)) };
    let mut out = Vec::new();
    for row in db.query_all(stmt).await? {
        let counts = Counts {
            reported: get(&row, "reported")?,
            duplicates: get(&row, "duplicates")?,
            awaiting_verification: get(&row, "awaiting_verification")?,
            verified: get(&row, "verified")?,
            rejected: get(&row, "rejected")?,
            recorded_in_error: get(&row, "recorded_in_error")?,
            rectifying: get(&row, "rectifying")?,
            closed: get(&row, "closed")?,
            overdue: get(&row, "overdue")?,
            due: get(&row, "due")?,
            on_time: get(&row, "on_time")?,
            escalated: get(&row, "escalated")?,
            escalations: get(&row, "escalations")?,
            rated: get(&row, "rated")?,
            satisfied: get(&row, "satisfied")?,
            rating_sum: get(&row, "rating_sum")?,
        };
        out.push((key_of(&row, cohort.group_by)?, counts));
    }
    Ok(out)
}

/// The step times on SQLite, which has no percentile aggregate: one row per (ticket, step) with its
/// duration, numbered within its group and overall by ROW_NUMBER, and the ranks picked out.
fn steps_sql_sqlite(grouped: bool) -> String {
    let durations: Vec<String> = Step::ALL
        .iter()
        .map(|(_, name, col)| {
            format!(
                "SELECT c.g AS g, '{name}' AS step, \
                 CAST(strftime('%s', c.{col}) AS INTEGER) - CAST(strftime('%s', c.created_at) AS INTEGER) AS secs \
                 FROM c WHERE c.status IN {VERIFIED} AND c.{col} IS NOT NULL"
            )
        })
        .collect();
    // Nearest rank: the k-th smallest of n with k = ceil(p·n): (n + 1) / 2 and (9n + 9) / 10.
    let pick = |rn: &str, n: &str| {
        format!(
            "CAST(MAX({n}) AS BIGINT) AS n, CAST(MIN(CASE WHEN {rn} = ({n} + 1) / 2 THEN secs END) AS BIGINT) AS p50, \
             CAST(MIN(CASE WHEN {rn} = (9 * {n} + 9) / 10 THEN secs END) AS BIGINT) AS p90"
        )
    };
    let totals = format!("SELECT NULL AS g, step, 1 AS total, {} FROM r GROUP BY step", pick("trn", "tn"));
    let groups = format!("SELECT g, step, 0 AS total, {} FROM r GROUP BY g, step", pick("rn", "n"));
    format!(
        ", d AS ({}), r AS (SELECT g, step, secs, \
         ROW_NUMBER() OVER (PARTITION BY g, step ORDER BY secs) AS rn, COUNT(*) OVER (PARTITION BY g, step) AS n, \
         ROW_NUMBER() OVER (PARTITION BY step ORDER BY secs) AS trn, COUNT(*) OVER (PARTITION BY step) AS tn \
         FROM d) {}",
        durations.join(" UNION ALL "),
        if grouped { format!("{groups} UNION ALL {totals}") } else { totals }
    )
}

/// The step times on PostgreSQL: one pass over the verified tickets of the cohort, one row per group
/// plus the totals (GROUPING SETS), each step's count and its `percentile_disc` at 0.5 and 0.9 —
/// nearest rank, the same ranks as the SQLite query (ceil(p·n), exact in float8 for any realistic
/// n). The durations are ordered as exact intervals and turned into whole seconds (floor) only in the
/// result, which is the same as flooring each, floor being monotonic: durations in `numeric`
/// seconds (`EXTRACT`) or truncated to the second (`date_trunc` on `timestamptz`) cost twice as much
/// to compute and order as the query's other work together (measured on the 1,000,000-ticket
/// benchmark). SQLite truncates each time to the second instead (`strftime('%s')`), so the two can
/// differ by one second when the stored times carry fractions of a second.
fn steps_sql_postgres(grouped: bool) -> String {
    let mut cols = vec![if grouped { "c.g AS g, GROUPING(c.g) AS total" } else { "NULL AS g, 1 AS total" }.to_owned()];
    for (_, name, col) in Step::ALL {
        let duration = format!("c.{col} - c.created_at");
        let at = |p: &str| {
            format!(
                "CAST(floor(EXTRACT(EPOCH FROM percentile_disc({p}) WITHIN GROUP (ORDER BY {duration}))) AS BIGINT)"
            )
        };
        cols.push(format!("COUNT({duration}) AS {name}_n, {} AS {name}_p50, {} AS {name}_p90", at("0.5"), at("0.9")));
    }
    let group_by = if grouped { " GROUP BY GROUPING SETS ((c.g), ())" } else { "" };
    format!(" SELECT {} FROM c WHERE c.status IN {VERIFIED}{group_by}", cols.join(", "))
}

/// Median and p90 time from report to each step, per group and over all groups.
pub async fn step_times<C: ConnectionTrait>(db: &C, cohort: &Cohort<'_>) -> Result<Vec<StepRow>, DbErr> {
    let backend = db.get_database_backend();
    let grouped = cohort.group_by.is_some();
    let mut stmt = with_cohort(cohort, backend);
    let mut out = Vec::new();
    match Dialect::of(backend) {
        Dialect::Postgres => {
            stmt.sql.push_str(&steps_sql_postgres(grouped));
            for row in db.query_all(stmt).await? {
                let total = row.try_get::<i32>("", "total")? == 1;
                let key = if total { None } else { key_of(&row, cohort.group_by)? };
                for (step, name, _) in Step::ALL {
                    out.push(StepRow {
                        key: key.clone(),
                        total,
                        step,
                        count: row.try_get::<Option<i64>>("", &format!("{name}_n"))?.unwrap_or(0),
                        median: row.try_get("", &format!("{name}_p50"))?,
                        p90: row.try_get("", &format!("{name}_p90"))?,
                    });
                }
            }
        }
        Dialect::Sqlite => {
            // The step CTEs continue the WITH list.
            stmt.sql.push_str(&steps_sql_sqlite(grouped));
            for row in db.query_all(stmt).await? {
                let name: String = row.try_get("", "step")?;
                let Some((step, _, _)) = Step::ALL.iter().find(|(_, n, _)| *n == name) else { continue };
                let total = row.try_get::<i32>("", "total")? == 1;
                out.push(StepRow {
                    key: if total { None } else { key_of(&row, cohort.group_by)? },
                    total,
                    step: *step,
                    count: row.try_get::<Option<i64>>("", "n")?.unwrap_or(0),
                    median: row.try_get("", "p50")?,
                    p90: row.try_get("", "p90")?,
                });
            }
        }
    }
    Ok(out)
}
