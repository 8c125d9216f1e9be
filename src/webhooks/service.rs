//! Webhook use cases for admins: register an endpoint (the secret is shown once), list, change
//! (disable, resubscribe), and read an endpoint's delivery log.

use entity::{webhook_attempt, webhook_delivery, webhook_endpoint};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{
    dto::{
        CreateWebhookRequest, CreatedWebhookView, DeliveryState, DeliveryView, ListDeliveriesQuery,
        UpdateWebhookRequest, WebhookView,
    },
    kinds,
};
use crate::{
    error::{ApiError, FieldError},
    state::AppState,
};

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

fn not_found() -> ApiError {
    ApiError::not_found("webhook_not_found", "no such webhook endpoint")
}

/// Checks a receiver URL: absolute `http(s)` with a host, at most 2000 characters.
pub fn parse_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.len() > 2000 {
        return Err("at most 2000 characters".to_owned());
    }
    let url = url::Url::parse(text).map_err(|e| format!("not an absolute URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("must be an http:// or https:// URL with a host".to_owned());
    }
    Ok(url.to_string())
}

fn subscription(kinds: &[String]) -> Result<Vec<String>, ApiError> {
    kinds::parse_subscription(kinds).map_err(|m| invalid("event_kinds", "invalid_event_kind", m))
}

fn json(kinds: &[String]) -> String {
    serde_json::to_string(kinds).unwrap_or_else(|_| "[]".to_owned())
}

/// Registers an endpoint; the answer carries the secret, this once.
pub async fn register(
    state: &AppState,
    admin: Uuid,
    req: CreateWebhookRequest,
) -> Result<CreatedWebhookView, ApiError> {
    let url = parse_url(&req.url).map_err(|m| invalid("url", "invalid_url", m))?;
    let kinds = subscription(&req.event_kinds)?;
    let secret = match req.secret.map(|s| s.trim().to_owned()) {
        Some(s) if (16..=128).contains(&s.chars().count()) => s,
        Some(_) => return Err(invalid("secret", "invalid_secret", "16–128 characters")),
        None => {
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            format!("whsec_{}", hex::encode(bytes))
        }
    };
    let description = req.description.trim().chars().take(200).collect::<String>();
    let now = state.clock().now();
    let row = webhook_endpoint::ActiveModel {
        id: Set(Uuid::now_v7()),
        url: Set(url),
        secret: Set(secret.clone()),
        event_kinds: Set(json(&kinds)),
        description: Set(description),
        active: Set(true),
        created_by: Set(Some(admin)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(state.db())
    .await?;
    tracing::info!(webhook.id = %row.id, "webhook endpoint registered");
    Ok(CreatedWebhookView { webhook: row.into(), secret })
}

/// Every endpoint, newest first.
pub async fn list(state: &AppState) -> Result<Vec<WebhookView>, ApiError> {
    let rows = webhook_endpoint::Entity::find().order_by_desc(webhook_endpoint::Column::Id).all(state.db()).await?;
    Ok(rows.into_iter().map(WebhookView::from).collect())
}

/// Disables or re-enables an endpoint, or changes what it subscribes to.
pub async fn update(state: &AppState, id: Uuid, req: UpdateWebhookRequest) -> Result<WebhookView, ApiError> {
    let row = webhook_endpoint::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    let mut active: webhook_endpoint::ActiveModel = row.into();
    if let Some(kinds) = req.event_kinds {
        active.event_kinds = Set(json(&subscription(&kinds)?));
    }
    if let Some(on) = req.active {
        active.active = Set(on);
    }
    active.updated_at = Set(state.clock().now());
    Ok(active.update(state.db()).await?.into())
}

/// An endpoint's deliveries, newest first, each with its attempts.
pub async fn deliveries(state: &AppState, id: Uuid, q: &ListDeliveriesQuery) -> Result<Vec<DeliveryView>, ApiError> {
    webhook_endpoint::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", "limit must be between 1 and 500"));
    }
    let mut find = webhook_delivery::Entity::find().filter(webhook_delivery::Column::EndpointId.eq(id));
    find = match q.state {
        None => find,
        Some(DeliveryState::Delivered) => find.filter(webhook_delivery::Column::DeliveredAt.is_not_null()),
        Some(DeliveryState::Dead) => find.filter(webhook_delivery::Column::DeadAt.is_not_null()),
        Some(DeliveryState::Pending) => find
            .filter(webhook_delivery::Column::DeliveredAt.is_null())
            .filter(webhook_delivery::Column::DeadAt.is_null()),
    };
    let rows = find.order_by_desc(webhook_delivery::Column::Id).limit(limit).all(state.db()).await?;
    let attempts = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(rows.iter().map(|r| r.id)))
        .order_by_asc(webhook_attempt::Column::Attempt)
        .all(state.db())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let log = attempts.iter().filter(|a| a.delivery_id == r.id).cloned().collect();
            DeliveryView::new(r, log)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receiver_urls_are_absolute_http() {
        assert_eq!(parse_url(" https://gov.example/hook ").as_deref(), Ok("https://gov.example/hook"));
        assert!(parse_url("http://127.0.0.1:9000/x").is_ok());
        assert!(parse_url("ftp://gov.example/x").is_err());
        assert!(parse_url("/relative").is_err());
        assert!(parse_url(&format!("https://a.example/{}", "x".repeat(2000))).is_err());
    }
}
