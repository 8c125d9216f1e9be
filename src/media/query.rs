//! The read side of media: serving a stored variant to whoever may see it, and the wire view
//! of a photo with fresh signed links.

use actix_web::http::StatusCode;
use bytes::Bytes;
use entity::media;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{
    dto::{GpsView, MediaUrls, MediaVariant, MediaView},
    signing::SignatureError,
};
use crate::{auth::CurrentUser, error::ApiError, state::AppState};

/// How the caller of `GET /media/{id}/{variant}` proves access.
#[derive(Debug)]
pub enum Access {
    /// A signed link's `exp` and `sig`.
    Signed {
        /// Expiry, seconds since the epoch.
        exp: i64,
        /// The signature.
        sig: String,
    },
    /// A logged-in user: the uploader or staff may see it.
    User(CurrentUser),
}

/// A variant ready to send, or the news that the client's copy is current.
#[derive(Debug)]
pub enum Fetched {
    /// The client's `If-None-Match` matched.
    NotModified {
        /// Quoted ETag.
        etag: String,
    },
    /// The bytes.
    Body {
        /// Quoted ETag.
        etag: String,
        /// Media type of the bytes.
        content_type: &'static str,
        /// The stored bytes.
        bytes: Bytes,
    },
}

/// Checks access, then returns the variant's bytes unless the client's copy (`If-None-Match`) is current.
pub async fn fetch(
    state: &AppState,
    id: Uuid,
    variant: MediaVariant,
    access: Access,
    if_none_match: Option<&str>,
) -> Result<Fetched, ApiError> {
    let not_found = || ApiError::not_found("media_not_found", "no such photo");
    if let Access::Signed { exp, sig } = &access {
        state.media().signer.verify(id, variant.as_str(), *exp, sig, state.clock().now()).map_err(|e| match e {
            SignatureError::Expired => ApiError::new(StatusCode::FORBIDDEN, "media_url_expired", e.to_string()),
            SignatureError::Invalid => ApiError::new(StatusCode::FORBIDDEN, "media_url_invalid", e.to_string()),
        })?;
    }
    let row = media::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    if let Access::User(user) = &access {
        // Residents see their own photos only; a stranger learns nothing, not even that it exists.
        if user.id != row.uploader_id && !user.roles.iter().any(|r| r.is_staff()) {
            return Err(not_found());
        }
    }
    let (key, sha, content_type) = match variant {
        MediaVariant::Display => (Some(row.display_key), Some(row.display_sha256), "image/jpeg"),
        MediaVariant::Thumb => (Some(row.thumb_key), Some(row.thumb_sha256), "image/jpeg"),
        MediaVariant::Original => (row.original_key, row.original_sha256, format_mime(&row.format)),
    };
    let (Some(key), Some(sha)) = (key, sha) else {
        return Err(ApiError::not_found("media_variant_not_found", "this photo has no such variant"));
    };
    let etag = format!("\"{sha}\"");
    if if_none_match.is_some_and(|h| etag_matches(h, &etag)) {
        return Ok(Fetched::NotModified { etag });
    }
    let Some(bytes) = state.blobs().get(&key).await? else {
        tracing::warn!(media.id = %id, variant = variant.as_str(), "media row without its blob");
        return Err(not_found());
    };
    Ok(Fetched::Body { etag, content_type, bytes })
}

/// Whether an `If-None-Match` value names `etag` (or is `*`); weak validators compare equal.
pub fn etag_matches(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

fn format_mime(name: &str) -> &'static str {
    match name {
        "png" => "image/png",
        "webp" => "image/webp",
        _ => "image/jpeg",
    }
}

/// The signed path of one variant, e.g. `/media/{id}/thumb?exp=…&sig=…`.
pub fn signed_path(state: &AppState, id: Uuid, variant: MediaVariant) -> String {
    let (exp, sig) = state.media().signer.sign(id, variant.as_str(), state.clock().now());
    format!("/media/{id}/{}?exp={exp}&sig={sig}", variant.as_str())
}

/// The wire view of a stored photo, with fresh signed links.
pub fn view(state: &AppState, m: &media::Model) -> MediaView {
    let base = state.settings().server.public_url.trim_end_matches('/');
    let link = |v| format!("{base}{}", signed_path(state, m.id, v));
    MediaView {
        id: m.id,
        width: u32::try_from(m.width).unwrap_or(0),
        height: u32::try_from(m.height).unwrap_or(0),
        format: m.format.clone(),
        bytes: u64::try_from(m.bytes).unwrap_or(0),
        sha256: m.sha256.clone(),
        phash: format!("{:016x}", u64::from_ne_bytes(m.phash.to_ne_bytes())),
        taken_at: m.taken_at,
        gps: m.gps_lat.zip(m.gps_lng).map(|(lat, lng)| GpsView { lat, lng }),
        urls: MediaUrls {
            display: link(MediaVariant::Display),
            thumb: link(MediaVariant::Thumb),
            original: m.original_key.as_ref().map(|_| link(MediaVariant::Original)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let etag = "\"abc\"";
        for header in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            assert!(etag_matches(header, etag), "{header}");
        }
        for header in ["\"abcd\"", "abc", ""] {
            assert!(!etag_matches(header, etag), "{header}");
        }
    }
}
