//! The escalation (督办) job: open tickets past their step's deadline climb escalation levels, each
//! climb recorded as a system `escalate` event with its notices in the outbox, in one transaction.
//!
//! Every instance runs [`run`]; each climb still happens exactly once. On PostgreSQL candidates are
//! claimed with `FOR UPDATE SKIP LOCKED`, a batch per transaction, so instances share the work. On
//! SQLite (one writer anyway) a pass runs under the distributed lock [`LOCK_NAME`]. On both, the
//! row is written only while its level, deadline, status and version are still the ones read, which
//! is the last guard. Escalation does not bump `version`, so it never turns a staff move into a
//! version conflict; a move that changes the step resets the level (see `store::write_state`).

use std::{sync::OnceLock, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use entity::{outbox, ticket, ticket_event};
use prometheus::{IntCounterVec, Opts};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType},
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, TransactionTrait,
};
use uuid::Uuid;

use super::{
    sla::{self, SlaPolicy},
    status::TicketStatus,
    store,
    workflow::{Audience, NoticeKind},
};
use crate::state::AppState;

/// Tickets claimed per transaction.
const BATCH: u64 = 100;
/// The lock outlives any sane pass; a pass that runs longer may overlap another, which the
/// conditional update makes harmless.
const LOCK_TTL: Duration = Duration::from_secs(300);
/// Name of the distributed lock taken around a pass where rows cannot be claimed (SQLite).
pub const LOCK_NAME: &str = "tickets:escalation";

/// Escalations performed by this process, by level reached (shared by every app built in it).
pub fn escalations_counter() -> Option<&'static IntCounterVec> {
    static COUNTER: OnceLock<Option<IntCounterVec>> = OnceLock::new();
    COUNTER
        .get_or_init(|| {
            IntCounterVec::new(
                Opts::new("ticket_escalations_total", "Tickets escalated (督办) by the level they reached"),
                &["level"],
            )
            .ok()
        })
        .as_ref()
}

/// One pass: raises every open, overdue ticket to the level its lateness calls for; returns how
/// many tickets were escalated by this call.
pub async fn sweep(state: &AppState) -> anyhow::Result<usize> {
    let (policy, _) = state.settings().tickets.policy()?;
    if state.db().get_database_backend() == DatabaseBackend::Postgres {
        return sweep_claiming(state, &policy).await;
    }
    let Some(guard) = state.backends().locks.try_acquire(LOCK_NAME, LOCK_TTL).await? else {
        return Ok(0);
    };
    let result = sweep_under_lock(state, &policy).await;
    if let Err(e) = state.backends().locks.release(guard).await {
        tracing::warn!(error = %format!("{e:#}"), "releasing the escalation lock failed");
    }
    result
}

/// Runs a pass every `tickets.escalation_interval_secs` (the first one interval after start-up), forever.
pub async fn run(state: AppState) {
    let period = Duration::from_secs(state.settings().tickets.escalation_interval_secs.max(1));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match sweep(&state).await {
            Ok(n) if n > 0 => tracing::info!(escalated = n, "overdue tickets escalated"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "ticket escalation sweep failed"),
        }
    }
}

/// PostgreSQL: claim a batch with `FOR UPDATE SKIP LOCKED` and escalate it in the same transaction.
async fn sweep_claiming(state: &AppState, policy: &SlaPolicy) -> anyhow::Result<usize> {
    let mut escalated = 0;
    loop {
        let now = state.clock().now();
        let txn = state.db().begin().await?;
        let rows =
            candidates(now, policy).lock_with_behavior(LockType::Update, LockBehavior::SkipLocked).all(&txn).await?;
        let mut raised = Vec::new();
        for row in &rows {
            if escalate(&txn, row, now, policy).await? {
                raised.push(row);
            }
        }
        txn.commit().await?;
        let progress = raised.len();
        for row in raised {
            super::live::changed(state, None, row, "escalate").await;
        }
        escalated += progress;
        if (rows.len() as u64) < BATCH || progress == 0 {
            return Ok(escalated);
        }
    }
}

/// SQLite, under the lock: read a batch, then escalate each ticket in its own transaction that
/// starts with the conditional update (a write first, so a concurrent writer is waited for rather
/// than failing a stale read snapshot).
async fn sweep_under_lock(state: &AppState, policy: &SlaPolicy) -> anyhow::Result<usize> {
    let mut escalated = 0;
    loop {
        let now = state.clock().now();
        let rows = candidates(now, policy).all(state.db()).await?;
        let mut progress = 0;
        for row in &rows {
            let txn = state.db().begin().await?;
            if escalate(&txn, row, now, policy).await? {
                txn.commit().await?;
                super::live::changed(state, None, row, "escalate").await;
                progress += 1;
            } else {
                txn.rollback().await?;
            }
        }
        escalated += progress;
        if (rows.len() as u64) < BATCH || progress == 0 {
            return Ok(escalated);
        }
    }
}

/// `now` minus `hours`, or the earliest instant when that underflows.
fn hours_before(now: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    now.checked_sub_signed(TimeDelta::hours(i64::from(hours))).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Open tickets whose stored level is below the one their lateness calls for, most overdue first.
/// (Mirrors [`sla::escalation_level`]: level n is due once `due_at` is before the n-th cutoff.)
fn candidates(now: DateTime<Utc>, policy: &SlaPolicy) -> Select<ticket::Entity> {
    let second = hours_before(now, policy.escalation.dispatcher_after_hours);
    let third = hours_before(second, policy.escalation.district_after_hours);
    let level = ticket::Column::EscalationLevel;
    let due = ticket::Column::DueAt;
    ticket::Entity::find()
        .filter(ticket::Column::Status.is_not_in([TicketStatus::Closed.as_str(), TicketStatus::Rejected.as_str()]))
        .filter(due.lt(now))
        .filter(
            Condition::any()
                .add(level.lt(1))
                .add(Condition::all().add(level.lt(2)).add(due.lt(second)))
                .add(Condition::all().add(level.lt(3)).add(due.lt(third))),
        )
        .order_by_asc(due)
        .order_by_asc(ticket::Column::Id)
        .limit(BATCH)
}

/// Raises one ticket's level if it is still as read, with its event and notices; false when there
/// was nothing to do or the row changed meanwhile. Call inside a transaction.
async fn escalate<C: ConnectionTrait>(
    db: &C,
    row: &ticket::Model,
    now: DateTime<Utc>,
    policy: &SlaPolicy,
) -> Result<bool, DbErr> {
    let Some(due) = row.due_at else { return Ok(false) };
    let Ok(status) = TicketStatus::parse(&row.status) else {
        tracing::warn!(ticket.id = %row.id, "ticket with an unknown status skipped by escalation");
        return Ok(false);
    };
    let from = u8::try_from(row.escalation_level).unwrap_or(0);
    let to = sla::escalation_level(due, now, policy).as_u8();
    if !status.is_open() || to <= from {
        return Ok(false);
    }
    let updated = ticket::Entity::update_many()
        .col_expr(ticket::Column::Overdue, Expr::value(true))
        .col_expr(ticket::Column::EscalationLevel, Expr::value(i16::from(to)))
        .col_expr(ticket::Column::EscalatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(row.id))
        .filter(ticket::Column::EscalationLevel.eq(row.escalation_level))
        .filter(ticket::Column::DueAt.eq(due))
        .filter(ticket::Column::Status.eq(row.status.as_str()))
        .filter(ticket::Column::Version.eq(row.version))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    let event = event_row(row, status, to, due, now);
    let event_id = event.id;
    store::insert_event(db, event).await?;
    let notices: Vec<outbox::ActiveModel> = (from + 1..=to)
        .flat_map(|level| {
            let payload = payload(row, status, level, due);
            let kind = kind_name(notice_kind(level));
            audiences(row, status, level)
                .into_iter()
                .map(move |to| store::outbox_row(row.id, Some(event_id), to, &kind, &payload, now))
        })
        .collect();
    if !notices.is_empty() {
        outbox::Entity::insert_many(notices).exec_without_returning(db).await?;
    }
    if let Some(counter) = escalations_counter() {
        counter.with_label_values(&[&to.to_string()]).inc();
    }
    tracing::info!(ticket.id = %row.id, from, to, "ticket escalated");
    Ok(true)
}

/// The history row of an escalation: a system event that changes neither status nor version.
fn event_row(
    row: &ticket::Model,
    status: TicketStatus,
    level: u8,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ticket_event::Model {
    ticket_event::Model {
        id: Uuid::now_v7(),
        ticket_id: row.id,
        version: row.version,
        action: "escalate".to_owned(),
        from_status: Some(status.as_str().to_owned()),
        to_status: status.as_str().to_owned(),
        actor_id: None,
        actor_role: "system".to_owned(),
        at: now,
        note: Some(format!("超期未处理，已督办（第{level}级）")),
        media: "[]".to_owned(),
        deadline_from: None,
        deadline_to: None,
        detail: Some(serde_json::json!({ "level": level, "due_at": due }).to_string()),
        dropped_request: None,
    }
}

/// What the notices of a level say.
fn notice_kind(level: u8) -> NoticeKind {
    match level {
        0 | 1 => NoticeKind::Overdue,
        2 => NoticeKind::EscalatedToDispatcher,
        _ => NoticeKind::EscalatedToDistrict,
    }
}

fn kind_name(kind: NoticeKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Who is told when a ticket reaches `level`: at 1 whoever holds the step (the grid worker on their
/// steps, the department on its own; the dispatchers when nobody does), at 2 the dispatchers and the
/// department, at 3 the district's safety office and the dispatchers.
pub fn audiences(row: &ticket::Model, status: TicketStatus, level: u8) -> Vec<Audience> {
    let worker = row.grid_worker_id.map(Audience::GridWorker);
    let department = row.department_id.map(Audience::Department);
    match level {
        0 => Vec::new(),
        1 => {
            let holder = match status {
                TicketStatus::Assigned | TicketStatus::Verifying | TicketStatus::AwaitingCheck => worker.or(department),
                _ => department,
            };
            vec![holder.unwrap_or(Audience::Dispatchers)]
        }
        2 => [Some(Audience::Dispatchers), department].into_iter().flatten().collect(),
        _ => [district_of(&row.region_path).map(Audience::DistrictOffice), Some(Audience::Dispatchers)]
            .into_iter()
            .flatten()
            .collect(),
    }
}

/// The district of a region path (`/district/street/community/grid/`): its first id.
fn district_of(region_path: &str) -> Option<Uuid> {
    region_path.split('/').find(|s| !s.is_empty()).and_then(|s| s.parse().ok())
}

fn payload(row: &ticket::Model, status: TicketStatus, level: u8, due: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!({
        "number": row.number,
        "category": row.category,
        "status": status,
        "status_label": status.resident_label(),
        "action": "escalate",
        "level": level,
        "due_at": due,
        "urgency": row.urgency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_district_is_the_first_id_of_the_region_path() {
        let (d, s) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(district_of(&format!("/{d}/{s}/")), Some(d));
        assert_eq!(district_of("/"), None);
        assert_eq!(district_of("/not-a-uuid/"), None);
    }

    #[test]
    fn each_level_tells_its_own_audience() {
        let (district, worker, dept) = (Uuid::from_u128(100), Uuid::from_u128(7), Uuid::from_u128(8));
        let mut row = crate::tickets::access::tests::row(&format!("/{district}/{}/", Uuid::from_u128(101)));
        assert_eq!(audiences(&row, TicketStatus::Assigned, 1), [Audience::Dispatchers], "nobody holds it");
        row.department_id = Some(dept);
        assert_eq!(audiences(&row, TicketStatus::Assigned, 1), [Audience::Department(dept)]);
        row.grid_worker_id = Some(worker);
        assert_eq!(audiences(&row, TicketStatus::Verifying, 1), [Audience::GridWorker(worker)]);
        assert_eq!(audiences(&row, TicketStatus::AwaitingCheck, 1), [Audience::GridWorker(worker)]);
        assert_eq!(audiences(&row, TicketStatus::Rectifying, 1), [Audience::Department(dept)]);
        assert_eq!(audiences(&row, TicketStatus::Rectifying, 2), [Audience::Dispatchers, Audience::Department(dept)]);
        assert_eq!(
            audiences(&row, TicketStatus::Confirmed, 3),
            [Audience::DistrictOffice(district), Audience::Dispatchers]
        );
        row.region_path = "/".into();
        assert_eq!(audiences(&row, TicketStatus::Confirmed, 3), [Audience::Dispatchers]);
        assert!(audiences(&row, TicketStatus::Confirmed, 0).is_empty());
    }

    #[test]
    fn each_level_has_its_notice_kind() {
        assert_eq!(notice_kind(1), NoticeKind::Overdue);
        assert_eq!(notice_kind(2), NoticeKind::EscalatedToDispatcher);
        assert_eq!(notice_kind(3), NoticeKind::EscalatedToDistrict);
        assert_eq!(kind_name(NoticeKind::EscalatedToDistrict), "escalated_to_district");
    }
}
