//! Delivering webhooks: [`deliver_due`] takes the deliveries due now, leases each with a conditional
//! update (so two instances never send the same attempt; a lease that expires with its instance is
//! taken over), POSTs the stored body signed with the endpoint's secret, and records the attempt:
//! 2xx is delivered; anything else (another status, a timeout, a refused connection) is retried
//! after `backoff_base_secs · 2^(attempts−1)` (capped), and given up after `webhooks.max_attempts`.
//! No transaction is held open while a receiver is called. Delivery is at least once: receivers
//! drop repeats by the body's `id` (or the `X-Hazardline-Delivery` header).

use std::{sync::OnceLock, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use entity::{webhook_attempt, webhook_delivery, webhook_endpoint};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use super::signature;
use crate::{config::WebhookSettings, state::AppState};

/// How long a worker holds a delivery while sending (longer than any timeout allowed).
const LEASE_SECS: i64 = 600;
/// Longest error text kept per attempt.
const MAX_ERROR_CHARS: usize = 500;

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hazardline-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// One pass: sends every delivery due now; returns how many attempts were made.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let settings = state.settings().webhooks.clone();
    let now = state.clock().now();
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::DeliveredAt.is_null())
        .filter(webhook_delivery::Column::DeadAt.is_null())
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(webhook_delivery::Column::ClaimedUntil.is_null())
                .add(webhook_delivery::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(settings.batch_size)
        .all(state.db())
        .await?;
    let mut attempts = 0;
    for row in due {
        if !claim(state, &row, now).await? {
            continue;
        }
        attempt(state, &settings, row).await?;
        attempts += 1;
    }
    Ok(attempts)
}

/// Leases a row if it is still as read; false when another worker took it meanwhile.
async fn claim(state: &AppState, row: &webhook_delivery::Model, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let until = now.checked_add_signed(TimeDelta::seconds(LEASE_SECS)).unwrap_or(now);
    let claimed = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::ClaimedUntil, Expr::value(Some(until)))
        .filter(webhook_delivery::Column::Id.eq(row.id))
        .filter(webhook_delivery::Column::Attempts.eq(row.attempts))
        .filter(webhook_delivery::Column::DeliveredAt.is_null())
        .filter(webhook_delivery::Column::DeadAt.is_null())
        .filter(
            Condition::any()
                .add(webhook_delivery::Column::ClaimedUntil.is_null())
                .add(webhook_delivery::Column::ClaimedUntil.lt(now)),
        )
        .exec(state.db())
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Sends one claimed delivery and records the outcome.
async fn attempt(state: &AppState, settings: &WebhookSettings, row: webhook_delivery::Model) -> anyhow::Result<()> {
    let endpoint = webhook_endpoint::Entity::find_by_id(row.endpoint_id).one(state.db()).await?;
    let sent_at = state.clock().now();
    let started = std::time::Instant::now();
    let outcome = match endpoint.as_ref().filter(|e| e.active) {
        None => Outcome::GiveUp("endpoint disabled".to_owned()),
        Some(endpoint) => send(settings, endpoint, &row, sent_at).await,
    };
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    record(state, settings, &row, outcome, sent_at, duration_ms).await
}

/// What one attempt came to.
enum Outcome {
    /// The receiver answered 2xx.
    Delivered(u16),
    /// Worth another try: the status (if any) and why.
    Failed(Option<u16>, String),
    /// Not worth another try.
    GiveUp(String),
}

async fn send(
    settings: &WebhookSettings,
    endpoint: &webhook_endpoint::Model,
    row: &webhook_delivery::Model,
    at: DateTime<Utc>,
) -> Outcome {
    let signature = signature::sign(&endpoint.secret, at.timestamp(), row.body.as_bytes());
    let res = client()
        .post(&endpoint.url)
        .timeout(Duration::from_secs(settings.timeout_secs))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(signature::HEADER, signature)
        .header("X-Hazardline-Event", &row.kind)
        .header("X-Hazardline-Delivery", row.id.to_string())
        .body(row.body.clone())
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => Outcome::Delivered(r.status().as_u16()),
        Ok(r) => {
            let status = r.status().as_u16();
            let text: String = r.text().await.unwrap_or_default().chars().take(200).collect();
            Outcome::Failed(Some(status), format!("HTTP {status}: {text}"))
        }
        Err(e) => Outcome::Failed(None, format!("{e}")),
    }
}

async fn record(
    state: &AppState,
    settings: &WebhookSettings,
    row: &webhook_delivery::Model,
    outcome: Outcome,
    at: DateTime<Utc>,
    duration_ms: i64,
) -> anyhow::Result<()> {
    let attempts = row.attempts.saturating_add(1);
    let (status, error) = match &outcome {
        Outcome::Delivered(s) => (Some(i32::from(*s)), None),
        Outcome::Failed(s, e) => (s.map(i32::from), Some(e.chars().take(MAX_ERROR_CHARS).collect::<String>())),
        Outcome::GiveUp(e) => (None, Some(e.clone())),
    };
    let mut update = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(webhook_delivery::Column::StatusCode, Expr::value(status))
        .col_expr(webhook_delivery::Column::LastError, Expr::value(error.clone()))
        .col_expr(webhook_delivery::Column::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None));
    match outcome {
        Outcome::Delivered(_) => {
            update = update.col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(Some(at)));
        }
        Outcome::GiveUp(_) => update = update.col_expr(webhook_delivery::Column::DeadAt, Expr::value(Some(at))),
        Outcome::Failed(..) if u32::try_from(attempts).unwrap_or(u32::MAX) >= settings.max_attempts => {
            tracing::warn!(webhook.delivery = %row.id, attempts, "webhook delivery given up");
            update = update.col_expr(webhook_delivery::Column::DeadAt, Expr::value(Some(at)));
        }
        Outcome::Failed(..) => {
            let next = at.checked_add_signed(backoff(settings, attempts)).unwrap_or(at);
            update = update.col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next));
        }
    }
    // The outcome and its log line together, or neither (the lease then expires and it is retried).
    let txn = state.db().begin().await?;
    update.filter(webhook_delivery::Column::Id.eq(row.id)).exec(&txn).await?;
    webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(row.id),
        attempt: Set(attempts),
        at: Set(at),
        status_code: Set(status),
        error: Set(error),
        duration_ms: Set(duration_ms),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The wait before attempt `attempts + 1`: `base · 2^(attempts − 1)`, at most `backoff_max_secs`.
pub fn backoff(settings: &WebhookSettings, attempts: i32) -> TimeDelta {
    let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(30);
    let secs = settings.backoff_base_secs.saturating_mul(1u64 << exp).min(settings.backoff_max_secs);
    TimeDelta::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Runs passes every `webhooks.poll_interval_ms` (at once again while full batches keep coming); forever.
pub async fn run(state: AppState) {
    let period = Duration::from_millis(state.settings().webhooks.poll_interval_ms.max(1));
    let batch = state.settings().webhooks.batch_size;
    loop {
        match deliver_due(&state).await {
            Ok(n) if n as u64 >= batch => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "webhook delivery pass failed"),
        }
        tokio::time::sleep(period).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = WebhookSettings {
            enabled: true,
            poll_interval_ms: 1000,
            batch_size: 10,
            timeout_secs: 5,
            max_attempts: 10,
            backoff_base_secs: 30,
            backoff_max_secs: 600,
        };
        let waits: Vec<i64> = (1..=7).map(|a| backoff(&s, a).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 600, 600]);
    }
}
