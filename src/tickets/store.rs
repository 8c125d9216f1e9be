//! Storage of tickets: the row ↔ workflow state mapping, and the event and outbox rows a move writes.
//! Everything a move changes goes through [`save_move`], in the caller's transaction, so no ticket is
//! updated without its event.

use chrono::{DateTime, Utc};
use entity::{outbox, ticket, ticket_event};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    sla::{due_at, SlaPolicy, Step, WorkCalendar},
    status::{HazardLevel, RejectionReason, TicketStatus, Urgency},
    workflow::{Audience, Event, Limits, Notification, PendingRequest, TicketState, UnroutedReason},
};

/// The workflow fields that are not filtered on, kept as one JSON column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowBlob {
    /// Grid workers in the routing order.
    pub candidates: Vec<Uuid>,
    /// Who declined.
    pub declined: Vec<Uuid>,
    /// Why it is unrouted.
    pub unrouted_reason: Option<UnroutedReason>,
    /// The request waiting for a dispatcher.
    pub pending: Option<PendingRequest>,
    /// Why it was rejected.
    pub rejection: Option<RejectionReason>,
    /// Rectification limits in force.
    pub limits: Limits,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("stored ticket has a bad {what}: {e}"))
}

/// The workflow state of a stored ticket.
pub fn state_of(row: &ticket::Model) -> Result<TicketState, DbErr> {
    let blob: WorkflowBlob = serde_json::from_str(&row.workflow).map_err(|e| corrupt("workflow", e))?;
    Ok(TicketState {
        id: row.id,
        version: row.version,
        status: TicketStatus::parse(&row.status).map_err(|e| corrupt("status", e))?,
        urgency: Urgency::parse(&row.urgency).map_err(|e| corrupt("urgency", e))?,
        hazard_level: row
            .hazard_level
            .as_deref()
            .map(HazardLevel::parse)
            .transpose()
            .map_err(|e| corrupt("hazard level", e))?,
        reporter_id: row.reporter_id,
        department_id: row.department_id,
        grid_worker_id: row.grid_worker_id,
        candidates: blob.candidates,
        declined: blob.declined,
        unrouted_reason: blob.unrouted_reason,
        pending: blob.pending,
        rectification_deadline: row.rectification_deadline,
        closed_at: row.closed_at,
        rejection: blob.rejection,
        reopen_count: u32::try_from(row.reopen_count).unwrap_or(0),
        limits: blob.limits,
    })
}

/// The JSON column for a state.
pub fn workflow_json(state: &TicketState) -> String {
    let blob = WorkflowBlob {
        candidates: state.candidates.clone(),
        declined: state.declined.clone(),
        unrouted_reason: state.unrouted_reason,
        pending: state.pending.clone(),
        rejection: state.rejection,
        limits: state.limits,
    };
    serde_json::to_string(&blob).unwrap_or_else(|_| "{}".to_owned())
}

/// The deadline of the step a ticket in `state` waits on, started at `now`.
pub fn step_deadline(
    state: &TicketState,
    now: DateTime<Utc>,
    policy: &SlaPolicy,
    calendar: &WorkCalendar,
) -> Option<DateTime<Utc>> {
    if state.status == TicketStatus::Rectifying {
        if let Some(deadline) = state.rectification_deadline {
            return Some(deadline);
        }
    }
    let step = Step::for_status(state.status, state.urgency, state.hazard_level)?;
    due_at(step, now, policy, calendar).ok()
}

/// Desk priority: emergencies and major hazards first, then urgent ones, then by how many people
/// reported the same hazard.
pub fn priority(urgency: Urgency, level: Option<HazardLevel>, followers: i32) -> i32 {
    let urgency = match urgency {
        Urgency::Emergency => 10_000,
        Urgency::Urgent => 1_000,
        Urgency::Normal => 0,
    };
    let level = if level == Some(HazardLevel::Major) { 5_000 } else { 0 };
    urgency + level + followers.clamp(0, 999) * 10
}

/// Copies a state into a row; the step deadline restarts when the status or deadline changed.
pub fn write_state(
    row: &mut ticket::ActiveModel,
    before: Option<&ticket::Model>,
    state: &TicketState,
    now: DateTime<Utc>,
    policy: &SlaPolicy,
    calendar: &WorkCalendar,
) {
    let step_changed = before
        .is_none_or(|b| b.status != state.status.as_str() || b.rectification_deadline != state.rectification_deadline);
    row.version = Set(state.version);
    row.status = Set(state.status.as_str().to_owned());
    row.urgency = Set(state.urgency.as_str().to_owned());
    row.hazard_level = Set(state.hazard_level.map(|l| l.as_str().to_owned()));
    row.department_id = Set(state.department_id);
    row.grid_worker_id = Set(state.grid_worker_id);
    row.workflow = Set(workflow_json(state));
    row.pending_kind = Set(state.pending.as_ref().map(|p| p.kind.action().as_str().to_owned()));
    row.rejection_kind = Set(state.rejection.map(|r| r.as_str().to_owned()));
    row.duplicate_of = Set(match state.rejection {
        Some(RejectionReason::DuplicateOf { ticket_id }) => Some(ticket_id),
        _ => None,
    });
    row.rectification_deadline = Set(state.rectification_deadline);
    row.closed_at = Set(state.closed_at);
    row.reopen_count = Set(i32::try_from(state.reopen_count).unwrap_or(i32::MAX));
    row.priority = Set(priority(state.urgency, state.hazard_level, before.map_or(0, |b| b.follower_count)));
    row.updated_at = Set(now);
    if step_changed {
        row.step_started_at = Set(now);
        row.due_at = Set(step_deadline(state, now, policy, calendar));
        row.overdue = Set(false);
        row.escalation_level = Set(0);
        row.escalated_at = Set(None);
    }
}

/// The event row for a move.
pub fn event_row(id: Uuid, ticket_id: Uuid, version: i64, event: &Event) -> ticket_event::Model {
    ticket_event::Model {
        id,
        ticket_id,
        version,
        action: event.action.as_str().to_owned(),
        from_status: event.from.map(|s| s.as_str().to_owned()),
        to_status: event.to.as_str().to_owned(),
        actor_id: Some(event.actor_id),
        actor_role: event.actor_role.as_str().to_owned(),
        at: event.at,
        note: event.note.clone(),
        media: json(&event.media),
        deadline_from: event.deadline.and_then(|d| d.from),
        deadline_to: event.deadline.and_then(|d| d.to),
        detail: event.detail.as_ref().map(json),
        dropped_request: event.dropped_request.as_ref().map(json),
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// The stored audience name and id of a notification recipient.
pub fn audience_parts(to: Audience) -> (&'static str, Option<Uuid>) {
    match to {
        Audience::Reporter => ("reporter", None),
        Audience::Followers => ("followers", None),
        Audience::GridWorker(id) => ("grid_worker", Some(id)),
        Audience::Department(id) => ("department", Some(id)),
        Audience::Dispatchers => ("dispatchers", None),
        Audience::User(id) => ("user", Some(id)),
        Audience::DistrictOffice(id) => ("district_office", Some(id)),
    }
}

/// An outbox row for one notification about a ticket.
pub fn outbox_row(
    ticket_id: Uuid,
    event_id: Option<Uuid>,
    to: Audience,
    kind: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> outbox::ActiveModel {
    let (audience, audience_id) = audience_parts(to);
    outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(Some(ticket_id)),
        event_id: Set(event_id),
        audience: Set(audience.to_owned()),
        audience_id: Set(audience_id),
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_string()),
        created_at: Set(now),
        available_at: Set(now),
        delivered_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        dead_at: Set(None),
        claimed_by: Set(None),
        claimed_until: Set(None),
    }
}

/// Writes a move: the ticket row if its version is still `expected` (else `Ok(false)`), then its
/// event and outbox rows. Call inside a transaction.
pub async fn save_move<C: ConnectionTrait>(
    db: &C,
    before: &ticket::Model,
    row: ticket::ActiveModel,
    event: ticket_event::Model,
    notifications: &[Notification],
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = ticket::Entity::update_many()
        .set(row)
        .filter(ticket::Column::Id.eq(before.id))
        .filter(ticket::Column::Version.eq(before.version))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    insert_event_and_notices(db, before.id, event, notifications, payload, now).await?;
    Ok(true)
}

/// Inserts an event and the outbox rows for its notifications.
pub async fn insert_event_and_notices<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    event: ticket_event::Model,
    notifications: &[Notification],
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let event_id = event.id;
    insert_event(db, event).await?;
    insert_notices(db, ticket_id, event_id, notifications, payload, now).await
}

/// Audience of the outbox row every ticket event gets: the notifications worker hands it to the
/// webhook fan-out (`webhooks::fanout`), which writes one delivery per subscribed endpoint.
pub const WEBHOOK_AUDIENCE: &str = "webhook";

/// Inserts a ticket event and its `webhook` outbox row (kind `ticket.<action>`), in the caller's
/// transaction. Every event is written here, so every event reaches the webhooks exactly when it
/// commits.
pub async fn insert_event<C: ConnectionTrait>(db: &C, event: ticket_event::Model) -> Result<(), DbErr> {
    let row = outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(Some(event.ticket_id)),
        event_id: Set(Some(event.id)),
        audience: Set(WEBHOOK_AUDIENCE.to_owned()),
        audience_id: Set(None),
        kind: Set(format!("ticket.{}", event.action)),
        payload: Set("{}".to_owned()),
        created_at: Set(event.at),
        available_at: Set(event.at),
        delivered_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        dead_at: Set(None),
        claimed_by: Set(None),
        claimed_until: Set(None),
    };
    let milestone = Milestone::of(&event.action, &event.to_status);
    let (ticket_id, at) = (event.ticket_id, event.at);
    ticket_event::Entity::insert(event.into_active_model()).exec_without_returning(db).await?;
    outbox::Entity::insert(row).exec_without_returning(db).await?;
    if let Some(milestone) = milestone {
        record_milestone(db, ticket_id, milestone, at).await?;
    }
    Ok(())
}

/// A workflow step whose time is kept on the ticket row for the statistics (`stats::query`), which
/// would otherwise aggregate every ticket's events. The rules are those of the migration that added
/// the columns (`migration::BACKFILL_TICKET_MILESTONES`), which fills them for older tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Milestone {
    /// `confirm` or `resolve_on_spot`: verified (and, for the latter, closed).
    Verified { closed: bool },
    /// `accept` into `rectifying`.
    Accepted,
    /// `complete`: reported rectified.
    Rectified,
    /// `pass` into `closed`.
    Closed,
    /// `escalate`.
    Escalated,
}

impl Milestone {
    fn of(action: &str, to_status: &str) -> Option<Milestone> {
        match (action, to_status) {
            ("confirm", _) => Some(Milestone::Verified { closed: false }),
            ("resolve_on_spot", to) => Some(Milestone::Verified { closed: to == "closed" }),
            ("accept", "rectifying") => Some(Milestone::Accepted),
            ("complete", _) => Some(Milestone::Rectified),
            ("pass", "closed") => Some(Milestone::Closed),
            ("escalate", _) => Some(Milestone::Escalated),
            _ => None,
        }
    }
}

/// Sets `column` to `at` unless it already holds an earlier time (the first time the step was reached).
fn earliest(column: ticket::Column, at: DateTime<Utc>) -> (ticket::Column, sea_orm::sea_query::SimpleExpr) {
    let keep = Expr::col(column).is_not_null().and(Expr::col(column).lte(at));
    (column, Expr::case(keep, Expr::col(column)).finally(at).into())
}

/// Writes a milestone's time onto its ticket, in the event's transaction.
async fn record_milestone<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    milestone: Milestone,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    use ticket::Column as T;
    let mut sets = Vec::new();
    match milestone {
        Milestone::Verified { closed } => {
            sets.push(earliest(T::FirstVerifiedAt, at));
            if closed {
                sets.push(earliest(T::FirstClosedAt, at));
            }
        }
        Milestone::Accepted => sets.push(earliest(T::FirstAcceptedAt, at)),
        Milestone::Rectified => {
            sets.push(earliest(T::FirstRectifiedAt, at));
            // The latest report of rectification: a later one replaces an earlier.
            let keep = Expr::col(T::LastRectifiedAt).is_not_null().and(Expr::col(T::LastRectifiedAt).gte(at));
            sets.push((T::LastRectifiedAt, Expr::case(keep, Expr::col(T::LastRectifiedAt)).finally(at).into()));
        }
        Milestone::Closed => sets.push(earliest(T::FirstClosedAt, at)),
        Milestone::Escalated => sets.push((T::EscalationCount, Expr::col(T::EscalationCount).add(1))),
    }
    let mut update = ticket::Entity::update_many().filter(T::Id.eq(ticket_id));
    for (column, value) in sets {
        update = update.col_expr(column, value);
    }
    update.exec(db).await?;
    Ok(())
}

/// Inserts the outbox rows of an event's notifications (one statement; none when there are none).
pub async fn insert_notices<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    event_id: Uuid,
    notifications: &[Notification],
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if !notifications.is_empty() {
        let rows = notifications.iter().map(|n| {
            let kind =
                serde_json::to_value(n.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            outbox_row(ticket_id, Some(event_id), n.to, &kind, payload, now)
        });
        outbox::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Bumps a counter column without a version change (followers joining do not race staff's moves).
pub async fn add_followers<C: ConnectionTrait>(db: &C, ticket_id: Uuid, added: i32) -> Result<(), DbErr> {
    ticket::Entity::update_many()
        .col_expr(ticket::Column::FollowerCount, Expr::col(ticket::Column::FollowerCount).add(added))
        .col_expr(ticket::Column::Priority, Expr::col(ticket::Column::Priority).add(added.saturating_mul(10)))
        .filter(ticket::Column::Id.eq(ticket_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A row as an active model with nothing marked changed.
pub fn unchanged(row: &ticket::Model) -> ticket::ActiveModel {
    row.clone().into_active_model()
}
