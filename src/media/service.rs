//! Media use cases that write: accept an upload (process off the request threads, dedupe, store,
//! record) and attach a photo to what uses it. Serving is in [`super::query`].

use actix_web::http::StatusCode;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use entity::media;
use sea_orm::{ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter};
use secrecy::ExposeSecret;
use uuid::Uuid;

use super::{
    dto::MediaView,
    pool::{Admission, DecodePool},
    process,
    query::view,
    signing::UrlSigner,
    strip::strip_metadata,
    ImageFormat, MediaError, MediaLimits, Processed,
};
use crate::{
    auth::jwt::JwtKeys, config::MediaSettings, error::ApiError, infra::db::is_unique_violation, state::AppState,
};

/// Seconds a client is asked to wait when every decoder and queue place is taken.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// What the media use cases hold beyond the database and blob store (built once at start-up).
#[derive(Clone)]
pub struct MediaContext {
    /// The bounded decoding pool.
    pub pool: DecodePool,
    /// Signs and checks media URLs.
    pub signer: UrlSigner,
    /// Limits applied to every upload.
    pub limits: MediaLimits,
}

impl MediaContext {
    /// From `media.*`; the URL key is `media.url_secret`, or derived from the JWT key when empty.
    pub fn from_settings(settings: &MediaSettings, jwt: &JwtKeys) -> anyhow::Result<Self> {
        let key = match settings.url_secret.expose_secret() {
            "" => jwt.derive_key("hazardline media url v1"),
            secret => secret.as_bytes().to_vec(),
        };
        Ok(Self {
            pool: DecodePool::new(settings.worker_count(), settings.queue),
            signer: UrlSigner::new(&key, settings.signed_url_ttl_secs)?,
            limits: MediaLimits {
                max_bytes: settings.max_bytes,
                max_pixels: settings.max_pixels,
                max_decode_bytes: settings.max_decode_bytes,
                max_metadata_bytes: settings.max_metadata_bytes,
            },
        })
    }
}

/// A place in the decoding pool, or 503 `media_busy` with `Retry-After`.
pub fn admit(state: &AppState) -> Result<Admission, ApiError> {
    state.media().pool.try_admit().ok_or_else(|| {
        ApiError::unavailable("media_busy", "too many photos are being processed; try again shortly")
            .with_retry_after(BUSY_RETRY_AFTER_SECS)
    })
}

/// The outcome of an upload.
#[derive(Debug)]
pub struct Uploaded {
    /// The stored photo.
    pub view: MediaView,
    /// False when the uploader had already sent the same bytes (the earlier photo is returned).
    pub created: bool,
}

/// Processes `bytes` on the pool, then stores the variants and records the photo for `uploader`.
pub async fn upload(
    state: &AppState,
    uploader: Uuid,
    admission: Admission,
    bytes: Bytes,
) -> Result<Uploaded, ApiError> {
    let ctx = state.media();
    let limits = ctx.limits.clone();
    let keep_original = state.settings().media.keep_original;
    let (processed, original) = ctx
        .pool
        .run(admission, move || {
            let processed = process(&bytes, &limits)?;
            let original = keep_original.then(|| strip_metadata(processed.format, &bytes)).flatten();
            Ok::<_, MediaError>((processed, original))
        })
        .await?
        .map_err(media_error)?;
    if let Some(existing) = find_by_hash(state, uploader, &processed.sha256).await? {
        return Ok(Uploaded { view: view(state, &existing), created: false });
    }
    let id = Uuid::now_v7();
    let stored = store_variants(state, id, &processed, original).await?;
    let row = new_row(id, uploader, &processed, &stored, state.clock().now());
    match media::Entity::insert(row).exec_without_returning(state.db()).await {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            // The same bytes raced in from the same uploader: keep the first, drop ours.
            let _ = delete_blobs(state, &stored.keys()).await;
            let existing = find_by_hash(state, uploader, &processed.sha256)
                .await?
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("duplicate media vanished")))?;
            return Ok(Uploaded { view: view(state, &existing), created: false });
        }
        Err(e) => {
            let _ = delete_blobs(state, &stored.keys()).await;
            return Err(e.into());
        }
    }
    let model = media::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("inserted media {id} not found")))?;
    tracing::info!(media.id = %id, user.id = %uploader, bytes = processed.bytes, "photo stored");
    Ok(Uploaded { view: view(state, &model), created: true })
}

/// What a photo is attached to.
#[derive(Debug, Clone, Copy)]
pub enum Attachment {
    /// A ticket.
    Ticket(Uuid),
    /// A chat message.
    Message(Uuid),
}

/// Records that `target` uses photo `id` (which keeps it from garbage collection). Attach within
/// `media.gc_after_hours` of the upload.
pub async fn attach(state: &AppState, id: Uuid, target: Attachment) -> Result<(), ApiError> {
    let mut row = media::ActiveModel { id: Set(id), ..Default::default() };
    match target {
        Attachment::Ticket(t) => row.ticket_id = Set(Some(t)),
        Attachment::Message(m) => row.message_id = Set(Some(m)),
    }
    match media::Entity::update(row).exec(state.db()).await {
        Ok(_) => Ok(()),
        Err(DbErr::RecordNotUpdated) => Err(ApiError::not_found("media_not_found", "no such photo")),
        Err(e) => Err(e.into()),
    }
}

/// The API error for a refused or failed image.
pub fn media_error(e: MediaError) -> ApiError {
    let status = match &e {
        MediaError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        MediaError::UnsupportedFormat | MediaError::HeicNotSupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        MediaError::TooManyPixels { .. }
        | MediaError::Corrupt(_)
        | MediaError::DecodeLimit(_)
        | MediaError::MetadataTooLarge { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        MediaError::Internal(_) => return ApiError::internal(anyhow::Error::new(e).context("processing a photo")),
    };
    let detail = match &e {
        MediaError::HeicNotSupported => "暂不支持 HEIC/HEIF 格式的照片，请改用 JPEG 发送（iPhone：设置 → 相机 → 格式 → 兼容性最佳）。\
             HEIC/HEIF photos are not supported: please send JPEG (on iPhone: Settings → Camera → Formats → Most Compatible)."
            .to_owned(),
        MediaError::UnsupportedFormat => "this is not a JPEG, PNG or WebP photo".to_owned(),
        other => other.to_string(),
    };
    ApiError::new(status, e.code(), detail)
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::Webp => "webp",
    }
}

async fn find_by_hash(state: &AppState, uploader: Uuid, sha256: &str) -> Result<Option<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::UploaderId.eq(uploader))
        .filter(media::Column::Sha256.eq(sha256))
        .one(state.db())
        .await
}

/// Keys and digests of what one upload wrote to the blob store.
struct Stored {
    display: (String, usize, String),
    thumb: (String, usize, String),
    original: Option<(String, usize, String)>,
}

impl Stored {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![self.display.0.clone(), self.thumb.0.clone()];
        keys.extend(self.original.as_ref().map(|o| o.0.clone()));
        keys
    }
}

async fn store_variants(
    state: &AppState,
    id: Uuid,
    p: &Processed,
    original: Option<Vec<u8>>,
) -> Result<Stored, ApiError> {
    // Keys come from the generated id only; nothing the client sent is part of them.
    let mut parts = vec![
        (format!("media/{id}/display.jpg"), Bytes::from(p.display.jpeg.clone()), "image/jpeg"),
        (format!("media/{id}/thumb.jpg"), Bytes::from(p.thumb.jpeg.clone()), "image/jpeg"),
    ];
    if let Some(bytes) = original {
        let ext = format_name(p.format).replace("jpeg", "jpg");
        parts.push((format!("media/{id}/original.{ext}"), Bytes::from(bytes), p.format.mime()));
    }
    let mut written = Vec::new();
    let mut described = Vec::new();
    for (key, bytes, content_type) in parts {
        if let Err(e) = state.blobs().put(&key, bytes.clone(), content_type).await {
            let _ = delete_blobs(state, &written).await;
            return Err(ApiError::internal(e.context("storing a photo")));
        }
        written.push(key.clone());
        described.push((key, bytes.len(), process::sha256_hex(&bytes)));
    }
    let mut described = described.into_iter();
    let (Some(display), Some(thumb)) = (described.next(), described.next()) else {
        return Err(ApiError::internal(anyhow::anyhow!("variants missing after store")));
    };
    Ok(Stored { display, thumb, original: described.next() })
}

/// Removes every key it can; false when one could not be removed (logged).
pub(crate) async fn delete_blobs(state: &AppState, keys: &[String]) -> bool {
    let mut all = true;
    for key in keys {
        if let Err(e) = state.blobs().delete(key).await {
            tracing::warn!(error = %format!("{e:#}"), "could not delete a media blob");
            all = false;
        }
    }
    all
}

fn size(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn new_row(id: Uuid, uploader: Uuid, p: &Processed, s: &Stored, now: DateTime<Utc>) -> media::ActiveModel {
    media::ActiveModel {
        id: Set(id),
        uploader_id: Set(uploader),
        sha256: Set(p.sha256.clone()),
        // The hash's 64 bits, reinterpreted: databases have no unsigned 64-bit integer.
        phash: Set(i64::from_ne_bytes(p.phash.to_ne_bytes())),
        format: Set(format_name(p.format).to_owned()),
        width: Set(i32::try_from(p.width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(p.height).unwrap_or(i32::MAX)),
        bytes: Set(size(p.bytes)),
        taken_at: Set(p.taken_at),
        gps_lat: Set(p.gps.map(|g| g.lat)),
        gps_lng: Set(p.gps.map(|g| g.lng)),
        display_key: Set(s.display.0.clone()),
        display_bytes: Set(size(s.display.1)),
        display_sha256: Set(s.display.2.clone()),
        thumb_key: Set(s.thumb.0.clone()),
        thumb_bytes: Set(size(s.thumb.1)),
        thumb_sha256: Set(s.thumb.2.clone()),
        original_key: Set(s.original.as_ref().map(|o| o.0.clone())),
        original_bytes: Set(s.original.as_ref().map(|o| size(o.1))),
        original_sha256: Set(s.original.as_ref().map(|o| o.2.clone())),
        ticket_id: Set(None),
        message_id: Set(None),
        created_at: Set(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_never_a_server_error() {
        let all = [
            MediaError::TooLarge { bytes: 2, limit: 1 },
            MediaError::TooManyPixels { width: 2, height: 2, limit: 1 },
            MediaError::UnsupportedFormat,
            MediaError::HeicNotSupported,
            MediaError::Corrupt("x".into()),
            MediaError::DecodeLimit("x".into()),
            MediaError::MetadataTooLarge { limit: 1 },
        ];
        for e in all {
            let code = e.code();
            let api = media_error(e);
            assert!(api.status().is_client_error(), "{code}");
            assert_eq!(api.code(), code);
        }
        let heic = media_error(MediaError::HeicNotSupported);
        assert_eq!(heic.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(heic.to_string().contains("JPEG") && heic.to_string().contains("请改用 JPEG"));
        assert!(media_error(MediaError::Internal("x".into())).status().is_server_error());
    }
}
