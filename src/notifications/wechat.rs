//! WeChat official account delivery: the [`Channel`] that pushes ticket notices to residents bound
//! to an openid, and the send queue (`wechat_outbox`) for customer-service messages that are not
//! tied to a ticket notice (the bot's answer to a photo, finished after the passive reply).
//!
//! Notices: the ticket outbox is already durable and retried (a retryable failure here reschedules
//! the row), so the channel calls WeChat directly: a template message when
//! `wechat.status_template_id` is set and the notice is a status change, a customer-service text
//! otherwise. Users without a binding are not WeChat users: nothing to do.
//!
//! The send queue: a row is written first, then sent; a failure is retried with the notification
//! backoff until `wechat.send_max_attempts`, then dead-lettered with the error. Each row is claimed
//! by a conditional update (still pending, same attempt count), so two instances never both send it.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use entity::{wechat_binding, wechat_outbox};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    channel::{Channel, DeliveryError},
    Notice,
};
use crate::{
    state::AppState,
    tickets::workflow::NoticeKind,
    wechat::{client::errcode_meaning, WechatApiError, WechatClient},
};

/// Most characters of one customer-service text (WeChat's limit is 2048 bytes of content).
const MAX_TEXT_BYTES: usize = 2000;
/// Rows sent per pass.
const BATCH: u64 = 50;
/// How long a claimed row is hidden from other passes while it is being sent.
const LEASE_SECS: i64 = 60;

/// Pushes notices to residents' WeChat.
pub struct WechatChannel {
    db: DatabaseConnection,
    client: WechatClient,
    app_id: String,
    template_id: Option<String>,
}

/// Registers the WeChat channel when the official account is configured.
pub fn register(state: &AppState) {
    let settings = &state.settings().wechat;
    if settings.app_id.is_empty() {
        return;
    }
    let template_id = Some(settings.status_template_id.clone()).filter(|t| !t.is_empty());
    state.channels().register(Arc::new(WechatChannel {
        db: state.db().clone(),
        client: state.wechat().clone(),
        app_id: settings.app_id.clone(),
        template_id,
    }));
}

/// The openid of `user` on the official account, if bound.
pub async fn openid_of(db: &DatabaseConnection, app_id: &str, user: Uuid) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(wechat_binding::Entity::find()
        .filter(wechat_binding::Column::AppId.eq(app_id))
        .filter(wechat_binding::Column::UserId.eq(user))
        .order_by_asc(wechat_binding::Column::CreatedAt)
        .one(db)
        .await?
        .map(|b| b.openid))
}

/// The JSON of a customer-service text message.
pub fn custom_text(openid: &str, text: &str) -> serde_json::Value {
    json!({"touser": openid, "msgtype": "text", "text": {"content": crate::wechat::protocol::clip(text, MAX_TEXT_BYTES)}})
}

fn delivery_error(e: WechatApiError) -> DeliveryError {
    let text = match &e {
        WechatApiError::Api { errcode, errmsg } => format!("{errcode} {errmsg} ({})", errcode_meaning(*errcode)),
        other => other.to_string(),
    };
    if e.is_retryable() {
        DeliveryError::Retryable(text)
    } else {
        DeliveryError::Permanent(text)
    }
}

#[async_trait]
impl Channel for WechatChannel {
    fn name(&self) -> &'static str {
        "wechat"
    }

    async fn deliver(&self, user: Uuid, notice: &Notice) -> Result<(), DeliveryError> {
        let openid =
            openid_of(&self.db, &self.app_id, user).await.map_err(|e| DeliveryError::Retryable(e.to_string()))?;
        let Some(openid) = openid else { return Ok(()) };
        let message = match (&self.template_id, notice.kind) {
            (Some(template), NoticeKind::StatusChanged | NoticeKind::Received) => {
                let status = notice.payload.status.map(|s| s.resident_label().to_owned()).unwrap_or_default();
                json!({
                    "touser": openid,
                    "template_id": template,
                    "data": {
                        "number": {"value": notice.payload.number},
                        "status": {"value": status},
                        "remark": {"value": crate::wechat::protocol::clip(&notice.text, 200)},
                    },
                })
            }
            _ => custom_text(&openid, &notice.text),
        };
        let sent = if message.get("template_id").is_some() {
            self.client.send_template(&message).await
        } else {
            self.client.send_custom(&message).await
        };
        sent.map_err(delivery_error)
    }
}

/// Queues a customer-service message (`kind` `custom`) to `openid`; send it with [`deliver_pending`].
pub async fn enqueue(state: &AppState, openid: &str, message: &serde_json::Value) -> Result<Uuid, sea_orm::DbErr> {
    let now = state.clock().now();
    let id = Uuid::now_v7();
    wechat_outbox::ActiveModel {
        id: Set(id),
        app_id: Set(state.settings().wechat.app_id.clone()),
        openid: Set(openid.to_owned()),
        kind: Set("custom".to_owned()),
        body: Set(message.to_string()),
        attempts: Set(0),
        created_at: Set(now),
        available_at: Set(now),
        delivered_at: Set(None),
        dead_at: Set(None),
        last_error: Set(None),
    }
    .insert(state.db())
    .await?;
    Ok(id)
}

/// Sends every queued message due now; returns how many rows were handled.
pub async fn deliver_pending(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock().now();
    let rows = wechat_outbox::Entity::find()
        .filter(wechat_outbox::Column::DeliveredAt.is_null())
        .filter(wechat_outbox::Column::DeadAt.is_null())
        .filter(wechat_outbox::Column::AvailableAt.lte(now))
        .order_by_asc(wechat_outbox::Column::Id)
        .limit(BATCH)
        .all(state.db())
        .await?;
    let mut handled = 0;
    for row in rows {
        if !claim(state.db(), &row, now).await? {
            continue;
        }
        handled += 1;
        let outcome = match serde_json::from_str::<serde_json::Value>(&row.body) {
            Ok(body) if row.kind == "template" => state.wechat().send_template(&body).await.map_err(delivery_error),
            Ok(body) => state.wechat().send_custom(&body).await.map_err(delivery_error),
            Err(e) => Err(DeliveryError::Permanent(format!("unreadable body: {e}"))),
        };
        finish(state, &row, state.clock().now(), outcome).await?;
    }
    Ok(handled)
}

async fn claim(
    db: &DatabaseConnection,
    row: &wechat_outbox::Model,
    now: DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let lease = now.checked_add_signed(TimeDelta::seconds(LEASE_SECS)).unwrap_or(now);
    let claimed = wechat_outbox::Entity::update_many()
        .col_expr(wechat_outbox::Column::AvailableAt, Expr::value(lease))
        .filter(wechat_outbox::Column::Id.eq(row.id))
        .filter(wechat_outbox::Column::Attempts.eq(row.attempts))
        .filter(wechat_outbox::Column::DeliveredAt.is_null())
        .filter(wechat_outbox::Column::DeadAt.is_null())
        .filter(wechat_outbox::Column::AvailableAt.lte(now))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

async fn finish(
    state: &AppState,
    row: &wechat_outbox::Model,
    now: DateTime<Utc>,
    outcome: Result<(), DeliveryError>,
) -> Result<(), sea_orm::DbErr> {
    let attempts = row.attempts.saturating_add(1);
    let mut update =
        wechat_outbox::Entity::update_many().col_expr(wechat_outbox::Column::Attempts, Expr::value(attempts));
    match outcome {
        Ok(()) => {
            update = update
                .col_expr(wechat_outbox::Column::DeliveredAt, Expr::value(Some(now)))
                .col_expr(wechat_outbox::Column::LastError, Expr::value(Option::<String>::None));
        }
        Err(e) => {
            let max = state.settings().wechat.send_max_attempts;
            let dead = matches!(e, DeliveryError::Permanent(_)) || u32::try_from(attempts).unwrap_or(u32::MAX) >= max;
            update = update.col_expr(wechat_outbox::Column::LastError, Expr::value(Some(e.to_string())));
            if dead {
                tracing::warn!(wechat_outbox.id = %row.id, attempts, error = %e, "WeChat message dead-lettered");
                update = update.col_expr(wechat_outbox::Column::DeadAt, Expr::value(Some(now)));
            } else {
                let wait = super::worker::backoff(&state.settings().notifications, attempts);
                let at = now.checked_add_signed(wait).unwrap_or(now);
                update = update.col_expr(wechat_outbox::Column::AvailableAt, Expr::value(at));
            }
        }
    }
    update.filter(wechat_outbox::Column::Id.eq(row.id)).exec(state.db()).await?;
    Ok(())
}

/// Sends queued messages every `notifications.poll_interval_ms`, forever.
pub async fn run(state: AppState) {
    let period = Duration::from_millis(state.settings().notifications.poll_interval_ms.max(1));
    loop {
        if let Err(e) = deliver_pending(&state).await {
            tracing::error!(error = %format!("{e:#}"), "WeChat send queue pass failed");
        }
        tokio::time::sleep(period).await;
    }
}
