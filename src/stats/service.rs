//! The statistics use cases: the figures of a period with a breakdown, and the monthly bulletin with
//! its rankings and month-on-month change. Staff only; each reads the tickets the caller handles.

use std::collections::{HashMap, HashSet};

use entity::{category, department, region};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    dto::{
        Figures, GroupFigures, MonthOnMonth, PeriodView, RankedFigures, RankingEntry, RankingsView, Ranks, StatsView,
        StepTime, StepTimes,
    },
    params::{GroupBy, RankBy, RankOrder, RankingsParams, StatsParams, MAX_BUCKETS},
    period::CHINA_UTC_OFFSET,
    query::{self, Cohort, Counts, Step, StepRow},
    ranking::{climbed, ranks},
    rate::{Mean, Rate},
};
use crate::{error::ApiError, state::AppState, tickets::access::Viewer};

/// Refuses callers who are not staff (residents see their own tickets in the ticket list instead).
pub fn ensure_staff(viewer: &Viewer) -> Result<(), ApiError> {
    if viewer.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden("statistics are for staff"))
    }
}

fn figures(c: &Counts, steps: StepTimes) -> Figures {
    Figures {
        reported: c.reported,
        duplicates: c.duplicates,
        awaiting_verification: c.awaiting_verification,
        verified: c.verified,
        rejected: c.rejected,
        recorded_in_error: c.recorded_in_error,
        rectifying: c.rectifying,
        closed: c.closed,
        overdue: c.overdue,
        escalated: c.escalated,
        escalations: c.escalations,
        rectification_rate: Rate::new(c.closed, c.verified),
        on_time_rate: Rate::new(c.on_time, c.due),
        satisfaction_rate: Rate::new(c.satisfied, c.rated),
        average_rating: Mean::new(c.rating_sum, c.rated),
        step_times: steps,
    }
}

/// The step times of the rows matching `pick`.
fn step_times<'a>(rows: impl Iterator<Item = &'a StepRow>) -> StepTimes {
    let mut out = StepTimes::default();
    for row in rows {
        let time = StepTime { count: row.count, median_secs: row.median, p90_secs: row.p90 };
        match row.step {
            Step::Verify => out.verify = time,
            Step::Accept => out.accept = time,
            Step::Rectify => out.rectify = time,
            Step::Close => out.close = time,
        }
    }
    out
}

fn period(
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    as_of: chrono::DateTime<chrono::Utc>,
) -> PeriodView {
    PeriodView { from, to, as_of, utc_offset: CHINA_UTC_OFFSET.to_owned() }
}

fn channel_label(key: &str) -> Option<&'static str> {
    match key {
        "app" => Some("App/小程序"),
        "wechat" => Some("微信公众号"),
        "open311" => Some("Open311"),
        "staff" => Some("工作人员录入"),
        _ => None,
    }
}

fn ids(keys: &[&str]) -> Vec<Uuid> {
    keys.iter().filter_map(|k| k.parse().ok()).collect()
}

async fn region_names(state: &AppState, ids: Vec<Uuid>) -> Result<HashMap<String, String>, DbErr> {
    let rows = region::Entity::find().filter(region::Column::Id.is_in(ids)).all(state.db()).await?;
    Ok(rows.into_iter().map(|r| (r.id.to_string(), r.name)).collect())
}

async fn department_names(state: &AppState, ids: Vec<Uuid>) -> Result<HashMap<String, String>, DbErr> {
    let rows = department::Entity::find().filter(department::Column::Id.is_in(ids)).all(state.db()).await?;
    Ok(rows.into_iter().map(|d| (d.id.to_string(), d.name)).collect())
}

/// The names of the group keys.
async fn labels(state: &AppState, group: GroupBy, keys: &[&str]) -> Result<HashMap<String, String>, DbErr> {
    match group {
        GroupBy::Category => {
            let codes: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
            let rows = category::Entity::find().filter(category::Column::Code.is_in(codes)).all(state.db()).await?;
            Ok(rows.into_iter().map(|c| (c.code, c.name_zh)).collect())
        }
        GroupBy::Department => department_names(state, ids(keys)).await,
        GroupBy::District | GroupBy::Street | GroupBy::Community => region_names(state, ids(keys)).await,
        GroupBy::Channel => {
            Ok(keys.iter().filter_map(|k| channel_label(k).map(|l| ((*k).to_owned(), l.to_owned()))).collect())
        }
        GroupBy::Time(_) => Ok(HashMap::new()),
    }
}

/// The figures of the tickets reported in the period, in total and per group.
pub async fn stats(state: &AppState, viewer: &Viewer, params: &StatsParams) -> Result<StatsView, ApiError> {
    let as_of = state.clock().now();
    let cohort =
        Cohort { viewer, filters: &params.filters, from: params.from, to: params.to, as_of, group_by: params.group_by };
    let db = state.db();
    let (counts, steps) = tokio::try_join!(query::counts(db, &cohort), query::step_times(db, &cohort))?;
    let mut total = Counts::default();
    for (_, c) in &counts {
        total.add(c);
    }
    let totals = figures(&total, step_times(steps.iter().filter(|s| s.total)));
    let group_of = |key: &Option<String>| {
        let c = counts.iter().find(|(k, _)| k == key).map(|(_, c)| *c).unwrap_or_default();
        figures(&c, step_times(steps.iter().filter(|s| !s.total && &s.key == key)))
    };
    let groups = match params.group_by {
        None => Vec::new(),
        Some(GroupBy::Time(bucket)) => {
            let starts = bucket.starts(params.from, params.to, MAX_BUCKETS).unwrap_or_default();
            starts
                .into_iter()
                .map(|start| {
                    let key = Some(bucket.key(start));
                    GroupFigures { figures: group_of(&key), label: Some(bucket.label(start)), key }
                })
                .collect()
        }
        Some(group) => {
            let keys: Vec<&str> = counts.iter().filter_map(|(k, _)| k.as_deref()).collect();
            let names = labels(state, group, &keys).await?;
            let mut rows: Vec<GroupFigures> = counts
                .iter()
                .map(|(key, _)| GroupFigures {
                    key: key.clone(),
                    label: key.as_ref().and_then(|k| names.get(k).cloned()),
                    figures: group_of(key),
                })
                .collect();
            rows.sort_by(|a, b| {
                let total = |g: &GroupFigures| g.figures.reported + g.figures.duplicates;
                total(b).cmp(&total(a)).then_with(|| a.key.cmp(&b.key))
            });
            rows
        }
    };
    Ok(StatsView {
        period: period(params.from, params.to, as_of),
        group_by: params.group_by.map(|g| g.as_str().to_owned()),
        totals,
        groups,
    })
}

/// One month's figures per entry id, ranked among the entries that had reports that month.
fn ranked(ids: &[Uuid], rows: &[(Option<String>, Counts)]) -> Vec<RankedFigures> {
    let counts: Vec<Counts> = ids
        .iter()
        .map(|id| {
            let key = Some(id.to_string());
            rows.iter().find(|(k, _)| *k == key).map(|(_, c)| *c).unwrap_or_default()
        })
        .collect();
    let rectification: Vec<Rate> = counts.iter().map(|c| Rate::new(c.closed, c.verified)).collect();
    let on_time: Vec<Rate> = counts.iter().map(|c| Rate::new(c.on_time, c.due)).collect();
    let overdue: Vec<Option<i64>> = counts.iter().map(|c| (c.reported > 0).then_some(c.overdue)).collect();
    let by_rectification = ranks(&rectification, |a, b| b.cmp_value(a));
    let by_on_time = ranks(&on_time, |a, b| b.cmp_value(a));
    let by_overdue = ranks(&overdue, |a, b| Some(a.as_ref()?.cmp(b.as_ref()?)));
    counts
        .iter()
        .enumerate()
        .map(|(i, c)| RankedFigures {
            reported: c.reported,
            verified: c.verified,
            closed: c.closed,
            overdue: c.overdue,
            rectification_rate: Rate::new(c.closed, c.verified),
            on_time_rate: Rate::new(c.on_time, c.due),
            ranks: Ranks {
                rectification_rate: by_rectification.get(i).copied().flatten(),
                on_time_rate: by_on_time.get(i).copied().flatten(),
                overdue: by_overdue.get(i).copied().flatten(),
            },
        })
        .collect()
}

/// The monthly bulletin: each street (department) with its rates, overdue count and ranks in the
/// month and the month before, and the change.
pub async fn rankings(state: &AppState, viewer: &Viewer, params: &RankingsParams) -> Result<RankingsView, ApiError> {
    let as_of = state.clock().now();
    let group_by = Some(match params.by {
        RankBy::Street => GroupBy::Street,
        RankBy::Department => GroupBy::Department,
    });
    let previous_month = params.month.previous();
    let (from, to) = params.month.bounds();
    let (prev_from, prev_to) = previous_month.bounds();
    let filters = &params.filters;
    let now = Cohort { viewer, filters, from, to, as_of, group_by };
    let before = Cohort { viewer, filters, from: prev_from, to: prev_to, as_of, group_by };
    let db = state.db();
    let (now_rows, before_rows) = tokio::try_join!(query::counts(db, &now), query::counts(db, &before))?;
    let mut seen = HashSet::new();
    let ids: Vec<Uuid> = now_rows
        .iter()
        .chain(&before_rows)
        .filter_map(|(k, _)| k.as_deref()?.parse().ok())
        .filter(|id| seen.insert(*id))
        .collect();
    let names = match params.by {
        RankBy::Street => region_names(state, ids.clone()).await?,
        RankBy::Department => department_names(state, ids.clone()).await?,
    };
    let current = ranked(&ids, &now_rows);
    let previous = ranked(&ids, &before_rows);
    let mut entries: Vec<RankingEntry> = ids
        .iter()
        .zip(current.into_iter().zip(previous))
        .map(|(id, (current, previous))| RankingEntry {
            id: *id,
            name: names.get(&id.to_string()).cloned(),
            change: MonthOnMonth {
                rectification_rate_points: current.rectification_rate.points_since(&previous.rectification_rate),
                on_time_rate_points: current.on_time_rate.points_since(&previous.on_time_rate),
                overdue: current.overdue - previous.overdue,
                rectification_rank_climbed: climbed(
                    current.ranks.rectification_rate,
                    previous.ranks.rectification_rate,
                ),
            },
            current,
            previous,
        })
        .collect();
    let rank_of = |e: &RankingEntry| match params.order {
        RankOrder::RectificationRate => e.current.ranks.rectification_rate,
        RankOrder::OnTimeRate => e.current.ranks.on_time_rate,
        RankOrder::Overdue => e.current.ranks.overdue,
    };
    entries.sort_by_key(|e| (rank_of(e).is_none(), rank_of(e), e.id));
    Ok(RankingsView {
        month: params.month.key(),
        previous_month: previous_month.key(),
        by: params.by.as_str().to_owned(),
        period: period(from, to, as_of),
        previous_period: period(prev_from, prev_to, as_of),
        entries,
    })
}
