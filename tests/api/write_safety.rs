//! Ticket numbers and idempotency keys on the real database (SQLite or PostgreSQL).

use std::{collections::BTreeSet, sync::Arc};

use chrono::{DateTime, Utc};
use hazardline::{
    auth::Role,
    clock::SystemClock,
    idempotency::{self, Begin, IdempotencyKey},
    state::AppState,
    tickets::number::allocate,
};
use secrecy::SecretString;

use crate::helpers::{test_settings, DbGuard};

async fn state() -> (AppState, DbGuard) {
    let db = DbGuard::fresh().await;
    let mut settings = test_settings();
    settings.database.url = SecretString::from(db.url.clone());
    let (state, _) = hazardline::startup::build_state(settings, Arc::new(SystemClock)).await.unwrap();
    (state, db)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn concurrent_allocations_get_distinct_consecutive_numbers_per_china_day() {
    let (state, _db) = state().await;
    let now = at("2026-11-23T02:00:00Z");
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let db = state.db().clone();
            tokio::spawn(async move { allocate(&db, now).await.unwrap().as_str().to_owned() })
        })
        .collect();
    let mut numbers = BTreeSet::new();
    for t in tasks {
        numbers.insert(t.await.unwrap());
    }
    let expected: BTreeSet<String> = (1..=25).map(|n| format!("YH20261123{n:04}")).collect();
    assert_eq!(numbers, expected);
    // 16:30 UTC is already the next day in China: its own sequence.
    assert_eq!(allocate(state.db(), at("2026-11-23T16:30:00Z")).await.unwrap().as_str(), "YH202611240001");
}

#[tokio::test]
async fn a_number_taken_in_a_rolled_back_transaction_is_handed_out_again() {
    use sea_orm::TransactionTrait;
    let (state, _db) = state().await;
    let now = at("2026-11-23T02:00:00Z");
    let txn = state.db().begin().await.unwrap();
    assert_eq!(allocate(&txn, now).await.unwrap().as_str(), "YH202611230001");
    txn.rollback().await.unwrap();
    assert_eq!(allocate(state.db(), now).await.unwrap().as_str(), "YH202611230001");
}

#[tokio::test]
async fn a_retried_request_gets_the_first_answer_and_a_reused_key_is_refused() {
    let (state, _db) = state().await;
    let user =
        hazardline::auth::service::create_user(&state, "13800138500", "居民", None, Role::Resident).await.unwrap().id;
    let key = IdempotencyKey::parse("retry-1").unwrap();
    let hash = idempotency::fingerprint("POST", "/api/v1/tickets", br#"{"a":1}"#);
    let now = Utc::now();

    assert_eq!(idempotency::begin(state.db(), user, &key, &hash, now).await.unwrap(), Begin::Fresh);
    // A retry racing the first request is told to wait.
    let busy = idempotency::begin(state.db(), user, &key, &hash, now).await.unwrap_err();
    assert_eq!((busy.status().as_u16(), busy.code()), (409, "request_in_progress"));

    idempotency::complete(state.db(), user, &key, 201, r#"{"id":"t1"}"#, now).await.unwrap();
    let replay = idempotency::begin(state.db(), user, &key, &hash, now).await.unwrap();
    assert_eq!(replay, Begin::Replay { status: 201, body: r#"{"id":"t1"}"#.into() });

    let other = idempotency::fingerprint("POST", "/api/v1/tickets", br#"{"a":2}"#);
    let reused = idempotency::begin(state.db(), user, &key, &other, now).await.unwrap_err();
    assert_eq!(reused.code(), "idempotency_key_reused");

    // Keys are per user.
    let someone =
        hazardline::auth::service::create_user(&state, "13800138501", "居民", None, Role::Resident).await.unwrap().id;
    assert_eq!(idempotency::begin(state.db(), someone, &key, &other, now).await.unwrap(), Begin::Fresh);
}

#[tokio::test]
async fn a_failed_request_releases_its_key_and_old_keys_are_purged() {
    let (state, _db) = state().await;
    let user =
        hazardline::auth::service::create_user(&state, "13800138502", "居民", None, Role::Resident).await.unwrap().id;
    let key = IdempotencyKey::parse("k").unwrap();
    let now = at("2026-11-23T02:00:00Z");
    assert_eq!(idempotency::begin(state.db(), user, &key, "h", now).await.unwrap(), Begin::Fresh);
    idempotency::abandon(state.db(), user, &key).await.unwrap();
    assert_eq!(idempotency::begin(state.db(), user, &key, "h", now).await.unwrap(), Begin::Fresh);
    idempotency::complete(state.db(), user, &key, 200, "{}", now).await.unwrap();
    // A completed key is not released by abandon.
    idempotency::abandon(state.db(), user, &key).await.unwrap();
    assert!(matches!(idempotency::begin(state.db(), user, &key, "h", now).await.unwrap(), Begin::Replay { .. }));
    assert_eq!(idempotency::purge_before(state.db(), at("2026-11-24T02:00:01Z")).await.unwrap(), 1);
    assert_eq!(idempotency::begin(state.db(), user, &key, "h", now).await.unwrap(), Begin::Fresh);
}
