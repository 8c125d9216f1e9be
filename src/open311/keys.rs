//! API keys: made by admins (REST or `hazardline create-api-key`), shown once, kept as SHA-256.
//! Each key gets its own service account (role `resident`) that its requests are reported as, so
//! tickets, idempotency keys and rate limits are per key. A key is checked on every Open311 call
//! that carries it: unknown or disabled is 403, over `open311.requests_per_minute` is 429.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entity::{api_key, user, user_role};
use rand::RngCore;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    dto::{ApiKeyView, CreatedApiKeyView},
    format::Open311Error,
};
use crate::{
    auth::Role,
    error::{ApiError, FieldError},
    infra::rate_limit::Decision,
    state::AppState,
};

/// Every key starts with this, so a leaked one is recognisable in logs and scanners.
pub const KEY_PREFIX: &str = "hzk_";

/// A new random key: the prefix and 256 random bits in hex.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", hex::encode(bytes))
}

/// What is stored for a key.
pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn not_found() -> ApiError {
    ApiError::not_found("api_key_not_found", "no such API key")
}

/// Makes a key named `name` with its service account; the answer holds the key, this once.
pub async fn create(state: &AppState, name: &str, created_by: Option<Uuid>) -> Result<CreatedApiKeyView, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::validation(vec![FieldError::new("name", "invalid_name", "1–100 characters")]));
    }
    let key = generate();
    let now = state.clock().now();
    let txn = state.db().begin().await?;
    let account = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        phone: Set(None),
        display_name: Set(format!("Open311：{name}")),
        password_hash: Set(None),
        disabled: Set(false),
        locale: Set("zh-CN".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    user_role::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(account.id),
        role: Set(Role::Resident.as_str().to_owned()),
        department_id: Set(None),
        region_id: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let row = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        key_hash: Set(hash(&key)),
        prefix: Set(key.chars().take(KEY_PREFIX.len() + 6).collect()),
        user_id: Set(account.id),
        created_by: Set(created_by),
        disabled: Set(false),
        created_at: Set(now),
        last_used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(api_key.id = %row.id, user.id = %account.id, "API key created");
    Ok(CreatedApiKeyView { api_key: row.into(), key })
}

/// Every key, newest first.
pub async fn list(state: &AppState) -> Result<Vec<ApiKeyView>, ApiError> {
    let rows = api_key::Entity::find().order_by_desc(api_key::Column::Id).all(state.db()).await?;
    Ok(rows.into_iter().map(ApiKeyView::from).collect())
}

/// Disables a key for good (its tickets stay; the record stays for the history).
pub async fn disable(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    let row = api_key::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    if !row.disabled {
        let mut active: api_key::ActiveModel = row.into();
        active.disabled = Set(true);
        active.update(state.db()).await?;
        tracing::info!(api_key.id = %id, "API key disabled");
    }
    Ok(())
}

/// The caller behind a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The key.
    pub key_id: Uuid,
    /// Its service account.
    pub user_id: Uuid,
}

/// Checks a key and counts the request against its limit.
pub async fn authenticate(state: &AppState, key: &str) -> Result<Caller, Open311Error> {
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash(key.trim())))
        .one(state.db())
        .await?
        .filter(|k| !k.disabled)
        .ok_or_else(|| Open311Error::forbidden("api_key is invalid or disabled"))?;
    let limit = state.settings().open311.requests_per_minute;
    limited(state, &format!("open311:key:{}", row.id), limit).await?;
    let now = state.clock().now();
    touch(state, &row, now).await?;
    Ok(Caller { key_id: row.id, user_id: row.user_id })
}

/// Counts a keyless request against the client address's limit.
pub async fn count_anonymous(state: &AppState, client: &str) -> Result<(), Open311Error> {
    let limit = state.settings().open311.anonymous_requests_per_minute;
    limited(state, &format!("open311:ip:{client}"), limit).await
}

async fn limited(state: &AppState, key: &str, limit: u32) -> Result<(), Open311Error> {
    let decision = state.backends().limiter.hit(key, limit, Duration::from_secs(60)).await.map_err(ApiError::from)?;
    match decision {
        Decision::Allowed { .. } => Ok(()),
        Decision::Limited { retry_after_secs } => {
            let mut e = Open311Error::new(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests; try again in {retry_after_secs} s"),
            );
            e.retry_after = Some(retry_after_secs);
            Err(e)
        }
    }
}

/// Records use, at most once a minute per key (a write per request would be wasted).
async fn touch(state: &AppState, row: &api_key::Model, now: DateTime<Utc>) -> Result<(), Open311Error> {
    let fresh = row.last_used_at.is_some_and(|t| now.signed_duration_since(t) < TimeDelta::minutes(1));
    if !fresh {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_key::Column::Id.eq(row.id))
            .exec(state.db())
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_only_their_hash_is_kept() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert!(a.starts_with(KEY_PREFIX) && a.len() == KEY_PREFIX.len() + 64);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
        assert!(!hash(&a).contains(&a[KEY_PREFIX.len()..]));
    }
}
