//! Ticket lists and counts in the caller's scope. Query parameters are parsed into [`ListParams`] and
//! [`Filters`] at the edge (`params`; a bad value is refused naming the parameter); lists page by
//! keyset with an opaque cursor (the last row's sort key and id, so ties never skip or repeat a
//! ticket); counts are one GROUP BY over the same filters.

mod params;

use entity::{ticket, ticket_campaign, ticket_follower};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr, NullOrdering, Query, SimpleExpr},
    ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
};

pub use params::{Cursor, Filters, ListParams, Sort, DEFAULT_LIMIT, MAX_LIMIT, MAX_Q_CHARS};

use super::{
    access::Viewer,
    dto::{StatusCount, TicketCounts, TicketPage, TicketSummary},
    service::escalation,
    status::{HazardLevel, TicketStatus, Urgency},
};
use crate::{error::ApiError, state::AppState};

/// Characters of the description a list row shows.
pub const SUMMARY_CHARS: usize = 100;
/// The escape character of LIKE patterns built from search text.
const LIKE_ESCAPE: char = '!';

/// `text` as a LIKE pattern matching it anywhere, lower-cased, with `%`, `_` and the escape escaped.
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if c == '%' || c == '_' || c == LIKE_ESCAPE {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn lower_like(col: ticket::Column, pattern: &str) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape(LIKE_ESCAPE))
}

/// The tickets the caller may see that pass `f` (lists, counts, the ledger export and the map feed).
pub fn condition(viewer: &Viewer, f: &Filters) -> Condition {
    let mut c = Condition::all().add(viewer.visible());
    if !f.statuses.is_empty() {
        c = c.add(ticket::Column::Status.is_in(f.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(category) = &f.category {
        c = c.add(ticket::Column::Category.eq(category.as_str()));
    }
    if let Some(urgency) = f.urgency {
        c = c.add(ticket::Column::Urgency.eq(urgency.as_str()));
    }
    if let Some(department) = f.department_id {
        c = c.add(ticket::Column::DepartmentId.eq(department));
    }
    if let Some(region) = f.region_id {
        c = c.add(ticket::Column::RegionPath.like(format!("%/{region}/%")));
    }
    if let Some(grid) = f.grid_id {
        c = c.add(ticket::Column::GridId.eq(grid));
    }
    if let Some(overdue) = f.overdue {
        c = c.add(ticket::Column::Overdue.eq(overdue));
    }
    match f.pending {
        Some(true) => c = c.add(ticket::Column::PendingKind.is_not_null()),
        Some(false) => c = c.add(ticket::Column::PendingKind.is_null()),
        None => {}
    }
    if let Some(level) = f.hazard_level {
        c = c.add(ticket::Column::HazardLevel.eq(level.as_str()));
    }
    if let Some(campaign) = f.campaign_id {
        c = c.add(
            ticket::Column::Id.in_subquery(
                Query::select()
                    .column(ticket_campaign::Column::TicketId)
                    .from(ticket_campaign::Entity)
                    .and_where(ticket_campaign::Column::CampaignId.eq(campaign))
                    .to_owned(),
            ),
        );
    }
    if let Some(from) = f.from {
        c = c.add(ticket::Column::CreatedAt.gte(from));
    }
    if let Some(to) = f.to {
        c = c.add(ticket::Column::CreatedAt.lt(to));
    }
    if let Some(q) = &f.q {
        let pattern = contains_pattern(q);
        c = c.add(
            Condition::any()
                .add(lower_like(ticket::Column::Description, &pattern))
                .add(lower_like(ticket::Column::Number, &pattern))
                .add(lower_like(ticket::Column::Address, &pattern)),
        );
    }
    if f.mine {
        c = c.add(
            Condition::any().add(ticket::Column::ReporterId.eq(viewer.id)).add(
                ticket::Column::Id.in_subquery(
                    Query::select()
                        .column(ticket_follower::Column::TicketId)
                        .from(ticket_follower::Entity)
                        .and_where(ticket_follower::Column::UserId.eq(viewer.id))
                        .to_owned(),
                ),
            ),
        );
    }
    c
}

/// Rows after `cursor` in the order `sort`.
fn after(sort: Sort, cursor: &Cursor) -> Condition {
    use ticket::Column::{CreatedAt, DueAt, Id, Priority};
    let beyond = |key: SimpleExpr, tie: SimpleExpr, id: SimpleExpr| {
        Condition::any().add(key).add(Condition::all().add(tie).add(id))
    };
    match (sort, cursor.t, cursor.p) {
        (Sort::CreatedDesc, Some(t), _) => beyond(CreatedAt.lt(t), CreatedAt.eq(t), Id.lt(cursor.id)),
        (Sort::PriorityDesc, _, Some(p)) => beyond(Priority.lt(p), Priority.eq(p), Id.lt(cursor.id)),
        (Sort::DueAsc, Some(t), _) => beyond(DueAt.gt(t), DueAt.eq(t), Id.gt(cursor.id)).add(DueAt.is_null()),
        (Sort::DueAsc, None, _) => Condition::all().add(DueAt.is_null()).add(Id.gt(cursor.id)),
        // `Cursor::decode` admits no other combination.
        _ => Condition::all().add(Id.is_null()),
    }
}

fn summary(viewer: &Viewer, row: &ticket::Model) -> Result<TicketSummary, ApiError> {
    let status = TicketStatus::parse(&row.status).map_err(|e| ApiError::internal(e.into()))?;
    Ok(TicketSummary {
        id: row.id,
        number: row.number.clone(),
        status,
        status_label: label(viewer, status).to_owned(),
        category: row.category.clone(),
        urgency: Urgency::parse(&row.urgency).map_err(|e| ApiError::internal(e.into()))?,
        hazard_level: row
            .hazard_level
            .as_deref()
            .map(HazardLevel::parse)
            .transpose()
            .map_err(|e| ApiError::internal(e.into()))?,
        description: row.description.chars().take(SUMMARY_CHARS).collect(),
        address: row.address.clone(),
        reporter_id: viewer.sees_reporter(row).then_some(row.reporter_id),
        anonymous: row.anonymous,
        department_id: row.department_id,
        grid_worker_id: row.grid_worker_id,
        due_at: row.due_at,
        overdue: row.overdue,
        escalation_level: escalation(row.escalation_level),
        priority: row.priority,
        follower_count: row.follower_count,
        created_at: row.created_at,
    })
}

fn label(viewer: &Viewer, status: TicketStatus) -> &'static str {
    if viewer.is_staff() {
        status.staff_label()
    } else {
        status.resident_label()
    }
}

/// One page of the tickets the caller may see.
pub async fn list(state: &AppState, viewer: &Viewer, params: &ListParams) -> Result<TicketPage, ApiError> {
    let mut select = ticket::Entity::find().filter(condition(viewer, &params.filters));
    if let Some(cursor) = &params.cursor {
        select = select.filter(after(params.sort, cursor));
    }
    select = match params.sort {
        Sort::CreatedDesc => select.order_by_desc(ticket::Column::CreatedAt).order_by_desc(ticket::Column::Id),
        Sort::DueAsc => select
            .order_by_with_nulls(ticket::Column::DueAt, Order::Asc, NullOrdering::Last)
            .order_by_asc(ticket::Column::Id),
        Sort::PriorityDesc => select.order_by_desc(ticket::Column::Priority).order_by_desc(ticket::Column::Id),
    };
    let mut rows = select.limit(params.limit + 1).all(state.db()).await?;
    let more = rows.len() as u64 > params.limit;
    rows.truncate(usize::try_from(params.limit).unwrap_or(usize::MAX));
    let next_cursor = if more { rows.last().map(|r| Cursor::after(params.sort, r).encode()) } else { None };
    let items = rows.iter().map(|r| summary(viewer, r)).collect::<Result<_, _>>()?;
    Ok(TicketPage { items, next_cursor })
}

/// Counts per status, overdue and awaiting approval among the tickets the caller may see.
pub async fn counts(state: &AppState, viewer: &Viewer, filters: &Filters) -> Result<TicketCounts, ApiError> {
    let when = |cond: SimpleExpr| SimpleExpr::from(Func::count(Expr::case(cond, Expr::col(ticket::Column::Id))));
    let rows: Vec<(String, i64, i64, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Status)
        .column_as(ticket::Column::Id.count(), "n")
        .column_as(when(ticket::Column::Overdue.eq(true)), "overdue")
        .column_as(when(ticket::Column::PendingKind.is_not_null()), "pending")
        .filter(condition(viewer, filters))
        .group_by(ticket::Column::Status)
        .into_tuple()
        .all(state.db())
        .await?;
    let mut out = TicketCounts { statuses: Vec::new(), overdue: 0, pending_approval: 0, total: 0 };
    for status in TicketStatus::ALL {
        let count = rows.iter().filter(|r| r.0 == status.as_str()).map(|r| r.1).sum();
        out.statuses.push(StatusCount { status: *status, status_label: label(viewer, *status).to_owned(), count });
    }
    for (_, n, overdue, pending) in rows {
        out.total += n;
        out.overdue += overdue;
        out.pending_approval += pending;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(contains_pattern("50%_a!B"), "%50!%!_a!!b%");
        assert_eq!(contains_pattern("幸福路"), "%幸福路%");
    }
}
