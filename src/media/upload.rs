//! Reading an upload off the wire: a `multipart/form-data` field `file`, or a raw `image/*` body.
//! The byte limit is enforced while streaming, so an oversized upload is refused (413) as soon as
//! it crosses the limit instead of after it has been buffered.

use actix_multipart::Multipart;
use actix_web::{http::header, http::StatusCode, web, HttpRequest};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};

use crate::error::ApiError;

/// Multipart framing (boundaries, part headers, small extra fields) allowed on top of the file.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// The uploaded file's bytes, at most `max_bytes` of them.
pub async fn read_upload(req: &HttpRequest, payload: web::Payload, max_bytes: usize) -> Result<Bytes, ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if essence == "multipart/form-data" {
        if declared.is_some_and(|n| n > max_bytes.saturating_add(MULTIPART_OVERHEAD)) {
            return Err(too_large(max_bytes));
        }
        return file_field(Multipart::new(req.headers(), payload), max_bytes).await;
    }
    if essence.starts_with("image/") {
        if declared.is_some_and(|n| n > max_bytes) {
            return Err(too_large(max_bytes));
        }
        let capacity = declared.unwrap_or(64 * 1024).min(max_bytes);
        return collect(payload, max_bytes, capacity, |e| ApiError::bad_request("invalid_body", e.to_string())).await;
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the photo as multipart/form-data (field `file`) or as a raw body with Content-Type image/jpeg, image/png or image/webp",
    ))
}

/// The `image_too_large` error for a body past the limit.
pub fn too_large(max_bytes: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "image_too_large",
        format!("the photo is larger than the limit of {max_bytes} bytes"),
    )
}

async fn file_field(mut form: Multipart, max_bytes: usize) -> Result<Bytes, ApiError> {
    let invalid = |e: actix_multipart::MultipartError| {
        ApiError::bad_request("invalid_multipart", format!("the multipart body is malformed: {e}"))
    };
    let mut other_bytes = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(invalid)?;
        if field.name() == Some("file") {
            return collect(field, max_bytes, 64 * 1024, invalid).await;
        }
        // Other fields are read and dropped, within the framing allowance.
        while let Some(chunk) = field.next().await {
            other_bytes = other_bytes.saturating_add(chunk.map_err(invalid)?.len());
            if other_bytes > MULTIPART_OVERHEAD {
                return Err(too_large(max_bytes));
            }
        }
    }
    Err(ApiError::bad_request("missing_file", "the multipart body has no `file` field"))
}

async fn collect<S, E>(
    mut stream: S,
    max_bytes: usize,
    capacity: usize,
    on_error: impl Fn(E) -> ApiError,
) -> Result<Bytes, ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut body = BytesMut::with_capacity(capacity);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(&on_error)?;
        if body.len().saturating_add(chunk.len()) > max_bytes {
            return Err(too_large(max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
