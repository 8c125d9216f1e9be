//! Garbage collection: uploads never attached to a ticket or message are deleted after
//! `media.gc_after_hours`. The row goes first, and only while still unattached: that delete is the
//! claim, so a photo attached at the same moment keeps its row *and* its blobs. Its blobs are deleted
//! after; a blob that cannot be deleted is left behind and logged with its key (wasted storage,
//! never a ticket pointing at a missing photo). One instance at a time runs a pass, under the
//! distributed lock `media-gc`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::media;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::service::delete_blobs;
use crate::state::AppState;

/// Rows looked at per batch.
const BATCH: u64 = 200;
/// The lock outlives any sane pass; a pass that runs longer may overlap another, which is harmless.
const LOCK_TTL: Duration = Duration::from_secs(600);
/// Name of the distributed lock.
pub const LOCK_NAME: &str = "media-gc";

/// Deletes unattached uploads created before `now - media.gc_after_hours`; returns how many.
pub async fn collect_garbage_once(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let hours = i64::try_from(state.settings().media.gc_after_hours).unwrap_or(i64::MAX);
    let cutoff =
        chrono::Duration::try_hours(hours).and_then(|d| now.checked_sub_signed(d)).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let unattached = || {
        media::Entity::find()
            .filter(media::Column::TicketId.is_null())
            .filter(media::Column::MessageId.is_null())
            .filter(media::Column::CreatedAt.lt(cutoff))
    };
    let mut deleted = 0;
    loop {
        let rows = unattached().order_by_asc(media::Column::CreatedAt).limit(BATCH).all(state.db()).await?;
        let mut progress = 0;
        for row in &rows {
            // Only while still unattached: a photo attached meanwhile keeps its row and blobs.
            let gone = media::Entity::delete_many()
                .filter(media::Column::Id.eq(row.id))
                .filter(media::Column::TicketId.is_null())
                .filter(media::Column::MessageId.is_null())
                .exec(state.db())
                .await?;
            if gone.rows_affected == 0 {
                continue;
            }
            progress += gone.rows_affected;
            let mut keys = vec![row.display_key.clone(), row.thumb_key.clone()];
            keys.extend(row.original_key.clone());
            if !delete_blobs(state, &keys).await {
                tracing::warn!(media.id = %row.id, keys = ?keys, "photo collected but some blobs remain");
            }
        }
        deleted += progress;
        if (rows.len() as u64) < BATCH || progress == 0 {
            return Ok(deleted);
        }
    }
}

/// One pass under the lock; `None` when another instance holds it.
pub async fn run_pass(state: &AppState) -> anyhow::Result<Option<u64>> {
    let Some(guard) = state.backends().locks.try_acquire(LOCK_NAME, LOCK_TTL).await? else {
        return Ok(None);
    };
    let result = collect_garbage_once(state, state.clock().now()).await;
    if let Err(e) = state.backends().locks.release(guard).await {
        tracing::warn!(error = %format!("{e:#}"), "releasing the media GC lock failed");
    }
    result.map(Some)
}

/// Runs a pass every `media.gc_interval_secs` (the first one interval after start-up), forever.
pub async fn run(state: AppState) {
    let period = Duration::from_secs(state.settings().media.gc_interval_secs.max(1));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match run_pass(&state).await {
            Ok(Some(n)) if n > 0 => tracing::info!(deleted = n, "unattached photos collected"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "media garbage collection failed"),
        }
    }
}
