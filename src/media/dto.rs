//! Wire types of the media endpoints.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An accepted photo.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaView {
    /// Media id; the same bytes uploaded again by the same user give the same id.
    pub id: Uuid,
    /// Width in pixels as the photo is shown (EXIF orientation applied).
    pub width: u32,
    /// Height in pixels as the photo is shown.
    pub height: u32,
    /// Format sniffed from the bytes: `jpeg`, `png` or `webp`.
    pub format: String,
    /// Size of the uploaded file in bytes.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the uploaded file.
    pub sha256: String,
    /// 64-bit perceptual hash as 16 hex digits (a few differing bits: the same scene).
    pub phash: String,
    /// EXIF capture time: the camera's local clock, which records no time zone.
    #[schema(value_type = Option<String>, example = "2023-07-09T15:03:10")]
    pub taken_at: Option<NaiveDateTime>,
    /// EXIF GPS position (WGS-84), when the photo has a usable one.
    pub gps: Option<GpsView>,
    /// Signed links to the stored variants, valid for `media.signed_url_ttl_secs`.
    pub urls: MediaUrls,
}

/// A WGS-84 position in degrees.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct GpsView {
    /// Latitude, north positive.
    pub lat: f64,
    /// Longitude, east positive.
    pub lng: f64,
}

/// Signed, expiring links to a photo's variants (no login needed to follow them).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaUrls {
    /// Long edge at most 1600 px, JPEG, no metadata.
    pub display: String,
    /// Long edge at most 320 px, JPEG, no metadata.
    pub thumb: String,
    /// The uploaded file with its metadata removed, when `media.keep_original` was on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// Which stored variant to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaVariant {
    /// Long edge at most 1600 px.
    Display,
    /// Long edge at most 320 px.
    Thumb,
    /// The uploaded file without metadata (only when kept).
    Original,
}

impl MediaVariant {
    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaVariant::Display => "display",
            MediaVariant::Thumb => "thumb",
            MediaVariant::Original => "original",
        }
    }
}

/// `GET /media/{id}/{variant}` path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MediaPath {
    /// Media id.
    pub id: Uuid,
    /// `display`, `thumb` or `original`.
    pub variant: MediaVariant,
}

/// `GET /media/{id}/{variant}` query: the signature of a signed link (omit both to use a token).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    /// Expiry, seconds since the epoch.
    pub exp: Option<i64>,
    /// base64url HMAC-SHA256 over `{id}/{variant}/{exp}`.
    pub sig: Option<String>,
}

/// `POST /api/v1/media` as `multipart/form-data`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadMediaForm {
    /// The photo: JPEG, PNG or WebP (the format is read from the bytes, not the name).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// `POST /api/v1/media` as a raw body with `Content-Type: image/jpeg`, `image/png` or `image/webp`.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct RawImage(Vec<u8>);
