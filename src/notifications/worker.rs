//! The outbox worker: claims due rows, writes each as a system message in the ticket's thread and
//! pushes it through the external channels, in one transaction per claim, then publishes the chat
//! events. Every instance runs [`run`]; each row is handled once.
//!
//! On PostgreSQL a batch is claimed with `FOR UPDATE SKIP LOCKED` and handled in that transaction.
//! On SQLite a pass runs under the distributed lock [`LOCK_NAME`], and each row's transaction starts
//! with a conditional claim (still undelivered, same attempt count), which is the last guard when
//! the lock is not shared. The thread message is keyed by the row (`client_msg_id = outbox:<id>`),
//! so a retry after a failed push never writes it twice. External pushes are at least once: a
//! retryable failure reschedules the row (`available_at = now + base·2^attempts`, capped) and
//! retries every push of it; after `notifications.max_attempts` the row is dead-lettered.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entity::{message, outbox, ticket};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType},
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, TransactionTrait,
};
use uuid::Uuid;

use super::{
    audience,
    channel::DeliveryError,
    prefs::{self, should_push},
    texts::{self, Payload},
    Notice, WAKE_TOPIC,
};
use crate::{
    chat::{
        dto::{Content, ServerEvent, Visibility},
        service::{self as chat, message_view},
    },
    config::NotificationSettings,
    state::AppState,
    tickets::{
        status::{TicketStatus, Urgency},
        store::WEBHOOK_AUDIENCE,
        workflow::NoticeKind,
    },
};

/// Name of the distributed lock taken around a pass where rows cannot be claimed (SQLite).
pub const LOCK_NAME: &str = "notifications:outbox";
/// The lock outlives any sane pass; an overlapping pass is made harmless by the conditional claim.
const LOCK_TTL: Duration = Duration::from_secs(300);

/// What to publish once a row's transaction has committed.
struct After {
    /// A thread message written for the row.
    message: Option<message::Model>,
    /// The `ticket_status` event and who gets it (preferences applied).
    status: Option<(Vec<Uuid>, ServerEvent)>,
}

/// One pass: handles every row due now; returns how many rows this call handled (delivered,
/// rescheduled or dead-lettered).
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    if state.db().get_database_backend() == DatabaseBackend::Postgres {
        return deliver_claiming(state).await;
    }
    let Some(guard) = state.backends().locks.try_acquire(LOCK_NAME, LOCK_TTL).await? else {
        return Ok(0);
    };
    let result = deliver_under_lock(state).await;
    if let Err(e) = state.backends().locks.release(guard).await {
        tracing::warn!(error = %format!("{e:#}"), "releasing the outbox lock failed");
    }
    result
}

/// Runs passes every `notifications.poll_interval_ms`, at once after a wake-up on the bus and
/// again without waiting while full batches keep coming; forever.
pub async fn run(state: AppState) {
    let settings = state.settings().notifications.clone();
    let period = Duration::from_millis(settings.poll_interval_ms.max(1));
    let mut wake = match state.backends().bus.subscribe(WAKE_TOPIC).await {
        Ok(rx) => Some(rx),
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "no outbox wake-ups; polling only");
            None
        }
    };
    loop {
        let handled = match deliver_due(&state).await {
            Ok(n) => {
                if n > 0 {
                    tracing::debug!(rows = n, "outbox rows handled");
                }
                n
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "outbox delivery pass failed");
                0
            }
        };
        if handled as u64 >= settings.batch_size {
            continue;
        }
        match wake.as_mut() {
            Some(rx) => {
                tokio::select! {
                    () = tokio::time::sleep(period) => {}
                    r = rx.recv() => if let Err(tokio::sync::broadcast::error::RecvError::Closed) = r { wake = None },
                }
            }
            None => tokio::time::sleep(period).await,
        }
    }
}

/// Rows due at `now`, oldest first.
fn due(now: DateTime<Utc>, batch: u64) -> Select<outbox::Entity> {
    outbox::Entity::find()
        .filter(outbox::Column::DeliveredAt.is_null())
        .filter(outbox::Column::DeadAt.is_null())
        .filter(outbox::Column::AvailableAt.lte(now))
        .order_by_asc(outbox::Column::Id)
        .limit(batch)
}

/// PostgreSQL: claim a batch with `FOR UPDATE SKIP LOCKED` and handle it in the same transaction.
async fn deliver_claiming(state: &AppState) -> anyhow::Result<usize> {
    let batch = state.settings().notifications.batch_size;
    let mut handled = 0;
    loop {
        let now = state.clock().now();
        let txn = state.db().begin().await?;
        let rows = due(now, batch).lock_with_behavior(LockType::Update, LockBehavior::SkipLocked).all(&txn).await?;
        let mut after = Vec::with_capacity(rows.len());
        for row in &rows {
            after.push(guarded(state, &txn, row, now).await?);
        }
        txn.commit().await?;
        handled += rows.len();
        publish(state, after).await;
        if (rows.len() as u64) < batch {
            return Ok(handled);
        }
    }
}

/// SQLite, under the lock: read a batch, then handle each row in its own transaction that starts
/// with the conditional claim (a write first, so a concurrent writer is waited for).
async fn deliver_under_lock(state: &AppState) -> anyhow::Result<usize> {
    let batch = state.settings().notifications.batch_size;
    let pass = Uuid::now_v7();
    let mut handled = 0;
    loop {
        let now = state.clock().now();
        let rows = due(now, batch).all(state.db()).await?;
        let mut progress = 0;
        for row in &rows {
            let txn = state.db().begin().await?;
            if !claim(&txn, row, pass, now).await? {
                txn.rollback().await?;
                continue;
            }
            let after = guarded(state, &txn, row, now).await?;
            txn.commit().await?;
            progress += 1;
            publish(state, vec![after]).await;
        }
        handled += progress;
        if (rows.len() as u64) < batch || progress == 0 {
            return Ok(handled);
        }
    }
}

/// Marks a row claimed by this pass if it is still as read; false when someone handled it meanwhile.
async fn claim<C: ConnectionTrait>(db: &C, row: &outbox::Model, pass: Uuid, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let until = now.checked_add_signed(TimeDelta::seconds(300)).unwrap_or(now);
    let claimed = outbox::Entity::update_many()
        .col_expr(outbox::Column::ClaimedBy, Expr::value(Some(pass)))
        .col_expr(outbox::Column::ClaimedUntil, Expr::value(Some(until)))
        .filter(outbox::Column::Id.eq(row.id))
        .filter(outbox::Column::DeliveredAt.is_null())
        .filter(outbox::Column::DeadAt.is_null())
        .filter(outbox::Column::Attempts.eq(row.attempts))
        .filter(outbox::Column::AvailableAt.lte(now))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// [`handle`] under a savepoint: a row that fails with a database error is rolled back alone and
/// rescheduled like a failed push, so one bad row never stalls the outbox.
async fn guarded(
    state: &AppState,
    txn: &DatabaseTransaction,
    row: &outbox::Model,
    now: DateTime<Utc>,
) -> Result<After, DbErr> {
    let savepoint = txn.begin().await?;
    match handle(state, &savepoint, row, now).await {
        Ok(after) => {
            savepoint.commit().await?;
            Ok(after)
        }
        Err(e) => {
            savepoint.rollback().await?;
            tracing::error!(outbox.id = %row.id, error = %e, "outbox row failed; rescheduled");
            let settings = &state.settings().notifications;
            finish(txn, row, now, Err(format!("database: {e}")), settings, false).await?;
            Ok(After { message: None, status: None })
        }
    }
}

/// Publishes what committed rows produced (chat `message` and `ticket_status` events).
async fn publish(state: &AppState, after: Vec<After>) {
    for a in after {
        if let Some(m) = a.message {
            match chat::recipients(state.db(), &m).await {
                Ok(to) => chat::publish(state, to, ServerEvent::Message { message: message_view(&m) }).await,
                Err(e) => tracing::warn!(error = %e, "no recipients for a system message; clients catch up"),
            }
        }
        if let Some((to, event)) = a.status {
            chat::publish(state, to, event).await;
        }
    }
}

/// The kind of a stored row (`None` for a name this version does not know).
fn kind_of(row: &outbox::Model) -> Option<NoticeKind> {
    serde_json::from_value(serde_json::Value::String(row.kind.clone())).ok()
}

/// Handles one claimed row inside `db`'s transaction: the thread message (once), the pushes, and
/// the row's outcome.
async fn handle<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    row: &outbox::Model,
    now: DateTime<Utc>,
) -> Result<After, DbErr> {
    let none = After { message: None, status: None };
    let settings = &state.settings().notifications;
    if row.audience == WEBHOOK_AUDIENCE {
        // Every ticket event has one such row: it becomes one delivery per subscribed endpoint.
        crate::webhooks::fanout::fan_out(db, row, now).await?;
        finish(db, row, now, Ok(()), settings, false).await?;
        return Ok(none);
    }
    let Some(kind) = kind_of(row) else {
        tracing::warn!(outbox.id = %row.id, kind = %row.kind, "outbox row of an unknown kind dead-lettered");
        finish(db, row, now, Err(format!("unknown kind `{}`", row.kind)), settings, true).await?;
        return Ok(none);
    };
    let ticket = match row.ticket_id {
        Some(id) => ticket::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let Some(ticket) = ticket else {
        finish(db, row, now, Ok(()), settings, false).await?;
        return Ok(none);
    };
    let payload: Payload = serde_json::from_str(&row.payload).unwrap_or_default();
    let urgency = payload.urgency.or_else(|| Urgency::parse(&ticket.urgency).ok()).unwrap_or(Urgency::Normal);
    let status = payload.status.or_else(|| TicketStatus::parse(&ticket.status).ok());
    let resident = matches!(row.audience.as_str(), "reporter" | "followers");
    let (thread_text, push_text) = match row.audience.as_str() {
        "reporter" => {
            let text = texts::resident_text(kind, &payload);
            (text.clone().map(|t| (t, Visibility::All)), text)
        }
        // The reporter's row writes the thread message; followers read it there and get a push.
        // Without a reporter's row (staff replying on their own report) the followers' row writes it.
        "followers" => {
            let thread = if audience::has_reporter_sibling(db, row).await? {
                None
            } else {
                texts::resident_text(kind, &payload).map(|t| (t, Visibility::All))
            };
            (thread, texts::follower_text(kind, &payload))
        }
        _ => {
            let text = texts::staff_text(kind, &payload);
            (Some((text.clone(), Visibility::Staff)), Some(text))
        }
    };

    let conversation = chat::ticket_conversation(db, &ticket, now).await?;
    chat::sync_ticket_members(db, conversation.id, &ticket, now).await?;
    let mut written = None;
    if let Some((text, visibility)) = thread_text {
        let key = format!("outbox:{}", row.id);
        let exists = message::Entity::find()
            .filter(message::Column::ConversationId.eq(conversation.id))
            .filter(message::Column::ClientMsgId.eq(key.as_str()))
            .one(db)
            .await?
            .is_some();
        if !exists {
            let content =
                Content::System { text, ticket_id: Some(ticket.id), status: status.map(|s| s.as_str().to_owned()) };
            written = Some(chat::append(db, conversation.id, None, Some(&key), &content, visibility, now).await?);
        }
    }

    let mut pushed = Vec::new();
    for user in audience::audience_users(db, row, &ticket).await? {
        if should_push(kind, urgency, now, &prefs::load(db, user).await?) {
            pushed.push(user);
        }
    }
    let mut outcome = Ok(());
    if let Some(text) = push_text {
        let notice = Notice { id: row.id, ticket_id: Some(ticket.id), kind, urgency, text, payload: payload.clone() };
        for channel in state.channels().all() {
            for user in &pushed {
                match channel.deliver(*user, &notice).await {
                    Ok(()) => {}
                    Err(DeliveryError::Permanent(e)) => {
                        tracing::warn!(outbox.id = %row.id, user.id = %user, channel = channel.name(), error = %e, "push dropped");
                    }
                    Err(DeliveryError::Retryable(e)) => outcome = Err(format!("{}: {e}", channel.name())),
                }
            }
        }
    }
    finish(db, row, now, outcome, settings, false).await?;

    // The status push goes out the first time the row is handled, to whoever wants pushes now.
    let status_event = match (resident && row.attempts == 0 && is_status_notice(kind), status) {
        (true, Some(s)) if !pushed.is_empty() => Some((
            pushed,
            ServerEvent::TicketStatus {
                ticket_id: ticket.id,
                number: ticket.number.clone(),
                status: s.as_str().to_owned(),
                status_label: s.resident_label().to_owned(),
            },
        )),
        _ => None,
    };
    Ok(After { message: written, status: status_event })
}

fn is_status_notice(kind: NoticeKind) -> bool {
    matches!(kind, NoticeKind::StatusChanged | NoticeKind::Received)
}

/// Records a row's outcome: delivered, rescheduled with backoff, or dead (after the last attempt,
/// or at once when `dead`).
async fn finish<C: ConnectionTrait>(
    db: &C,
    row: &outbox::Model,
    now: DateTime<Utc>,
    outcome: Result<(), String>,
    settings: &NotificationSettings,
    dead: bool,
) -> Result<(), DbErr> {
    let attempts = row.attempts.saturating_add(1);
    let mut update = outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(outbox::Column::ClaimedBy, Expr::value(Option::<Uuid>::None))
        .col_expr(outbox::Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None));
    match outcome {
        Ok(()) => {
            update = update
                .col_expr(outbox::Column::DeliveredAt, Expr::value(Some(now)))
                .col_expr(outbox::Column::LastError, Expr::value(Option::<String>::None));
        }
        Err(error) => {
            update = update.col_expr(outbox::Column::LastError, Expr::value(Some(error.clone())));
            if dead || u32::try_from(attempts).unwrap_or(u32::MAX) >= settings.max_attempts {
                tracing::warn!(outbox.id = %row.id, attempts, error = %error, "outbox row dead-lettered");
                update = update.col_expr(outbox::Column::DeadAt, Expr::value(Some(now)));
            } else {
                let at = now.checked_add_signed(backoff(settings, attempts)).unwrap_or(now);
                update = update.col_expr(outbox::Column::AvailableAt, Expr::value(at));
            }
        }
    }
    update.filter(outbox::Column::Id.eq(row.id)).exec(db).await?;
    Ok(())
}

/// The wait before attempt `attempts + 1`: `base · 2^(attempts − 1)`, at most `backoff_max_secs`.
pub fn backoff(settings: &NotificationSettings, attempts: i32) -> TimeDelta {
    let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
    let secs = settings.backoff_base_secs.saturating_mul(1u64 << exp).min(settings.backoff_max_secs);
    TimeDelta::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = NotificationSettings {
            enabled: true,
            poll_interval_ms: 1000,
            batch_size: 100,
            max_attempts: 8,
            backoff_base_secs: 10,
            backoff_max_secs: 300,
        };
        let waits: Vec<i64> = (1..=7).map(|a| backoff(&s, a).num_seconds()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(backoff(&s, i32::MAX).num_seconds(), 300);
    }
}
