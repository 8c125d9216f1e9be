//! Safe retries for POSTs that create things: a client sends `Idempotency-Key`; the first request
//! with a key runs and its answer is saved (in the same transaction as its write, via
//! [`complete`]); a retry with the same key and the same request gets that answer again; the same
//! key with a different request is refused; a retry while the first is still running is told to
//! wait. Keys are per user and kept for a day.

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::idempotency_key;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;

/// Header carrying the key.
pub const HEADER: &str = "idempotency-key";

/// A client's key: 1–64 characters of letters, digits, `-`, `_`, `.`, `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Parses the header value.
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        let value = value.trim();
        let ok = (1..=64).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1–64 characters of letters, digits, - _ . :",
            ))
        }
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Fingerprint of a request: method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

/// What to do with a request carrying a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Begin {
    /// First time: run it, then [`complete`] (or [`abandon`] on failure).
    Fresh,
    /// Done before: answer this again.
    Replay {
        /// HTTP status of the first answer.
        status: u16,
        /// Body of the first answer.
        body: String,
    },
}

/// Claims `key` for this request, or finds the saved answer. Call it as the first statement of the
/// transaction that makes the request's changes and [`complete`] in the same transaction: a crash
/// before commit then leaves no claim behind, and a concurrent retry waits on the key's row lock
/// (PostgreSQL) or the write lock (SQLite) until the first commits, then replays its answer.
pub async fn begin<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    key: &IdempotencyKey,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<Begin, ApiError> {
    let claim = idempotency_key::ActiveModel {
        user_id: Set(user),
        key: Set(key.0.clone()),
        request_hash: Set(request_hash.to_owned()),
        response_status: Set(None),
        response_body: Set(None),
        created_at: Set(now),
        completed_at: Set(None),
    };
    // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL an error would
    // abort the caller's transaction.
    let inserted = idempotency_key::Entity::insert(claim)
        .on_conflict(
            OnConflict::columns([idempotency_key::Column::UserId, idempotency_key::Column::Key])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    if inserted == 1 {
        return Ok(Begin::Fresh);
    }
    let row = idempotency_key::Entity::find_by_id((user, key.0.clone()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("idempotency row vanished")))?;
    if row.request_hash != request_hash {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request; use a new key",
        ));
    }
    match (row.response_status, row.response_body) {
        (Some(status), Some(body)) => Ok(Begin::Replay { status: u16::try_from(status).unwrap_or(200), body }),
        _ => Err(ApiError::conflict(
            "request_in_progress",
            "the first request with this key is still running; retry shortly",
        )
        .with_retry_after(1)),
    }
}

/// Saves the answer; call it in the transaction that makes the request's changes.
pub async fn complete<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    key: &IdempotencyKey,
    status: u16,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::ResponseStatus, Expr::value(i32::from(status)))
        .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body.to_owned()))
        .col_expr(idempotency_key::Column::CompletedAt, Expr::value(now))
        .filter(idempotency_key::Column::UserId.eq(user))
        .filter(idempotency_key::Column::Key.eq(key.0.clone()))
        .exec(db)
        .await?;
    Ok(())
}

/// Releases a key whose request failed, so the client may retry it.
pub async fn abandon<C: ConnectionTrait>(db: &C, user: Uuid, key: &IdempotencyKey) -> Result<(), sea_orm::DbErr> {
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::UserId.eq(user))
        .filter(idempotency_key::Column::Key.eq(key.0.clone()))
        .filter(idempotency_key::Column::ResponseStatus.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets keys created before `cutoff`; returns how many.
pub async fn purge_before<C: ConnectionTrait>(db: &C, cutoff: DateTime<Utc>) -> Result<u64, sea_orm::DbErr> {
    let res =
        idempotency_key::Entity::delete_many().filter(idempotency_key::Column::CreatedAt.lt(cutoff)).exec(db).await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_and_plain() {
        assert!(IdempotencyKey::parse("3f1c-9a:b_c.d").is_ok());
        assert!(IdempotencyKey::parse(&"a".repeat(64)).is_ok());
        for bad in ["", " ", &"a".repeat(65), "a b", "键", "a/b"] {
            assert_eq!(IdempotencyKey::parse(bad).unwrap_err().code(), "invalid_idempotency_key", "{bad}");
        }
    }

    #[test]
    fn fingerprints_differ_by_method_path_and_body() {
        let a = fingerprint("POST", "/api/v1/tickets", b"{}");
        assert_eq!(a, fingerprint("POST", "/api/v1/tickets", b"{}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/tickets", b"{ }"));
        assert_ne!(a, fingerprint("PUT", "/api/v1/tickets", b"{}"));
        assert_ne!(a, fingerprint("POST", "/api/v1/media", b"{}"));
    }
}
