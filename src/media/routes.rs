//! HTTP: `POST /api/v1/media` (upload) and `GET /media/{id}/{variant}` (private serving).

use actix_web::{
    get,
    http::header::{self, HeaderValue},
    http::StatusCode,
    post, web, HttpRequest, HttpResponse,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{MediaPath, MediaView, RawImage, SignedQuery, UploadMediaForm},
    query::{self, Access, Fetched},
    service,
    upload::read_upload,
};
use crate::{
    auth::{extract::authenticate, CurrentUser},
    error::{ApiError, ProblemDetails},
    state::AppState,
};

/// Mounts the upload endpoint (inside `/api/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_media);
}

/// Mounts the serving endpoint (at the root: links must work without an API prefix or a token).
pub fn configure_serving(cfg: &mut ServiceConfig) {
    cfg.service(get_media);
}

/// Upload a photo.
///
/// Send `multipart/form-data` with the field `file`, or the raw bytes with `Content-Type:
/// image/jpeg`, `image/png` or `image/webp`. The format is read from the bytes. The stored
/// variants are upright JPEGs without any metadata; GPS position and capture time are read from
/// EXIF first. The same bytes uploaded again by the same user return the first photo (200).
#[utoipa::path(
    tag = "media",
    request_body(
        description = "The photo",
        content(
            (UploadMediaForm = "multipart/form-data"),
            (RawImage = "image/jpeg"),
            (RawImage = "image/png"),
            (RawImage = "image/webp"),
        )
    ),
    responses(
        (status = 201, description = "Stored", body = MediaView),
        (status = 200, description = "The same bytes were uploaded before by this user: that photo", body = MediaView),
        (status = 400, description = "`invalid_multipart`, `missing_file` or `invalid_body`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`missing_token`, `invalid_token` or `token_expired`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "`image_too_large`: over `media.max_bytes` (refused while streaming)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type` (neither multipart nor image/*), `image_unsupported_format` (the bytes are not JPEG, PNG or WebP) or `image_heic_not_supported` (HEIC/HEIF: send JPEG; message in Chinese and English)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`image_too_many_pixels` (header declares more than `media.max_pixels`; nothing decoded), `image_corrupt`, `image_decode_limit` (decoder memory over `media.max_decode_bytes`) or `image_metadata_too_large` (compressed metadata bomb)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "`media_busy`: every decoder and queue place is taken; see Retry-After", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/media")]
async fn upload_media(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // A place in the pool first: a busy server refuses before reading megabytes it cannot process.
    let admission = service::admit(&state)?;
    let bytes = read_upload(&req, payload, state.settings().media.max_bytes).await?;
    let uploaded = service::upload(&state, user.id, admission, bytes).await?;
    let mut res = if uploaded.created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(res.json(uploaded.view))
}

/// Fetch a stored photo variant.
///
/// Photos are private. Either follow a signed link from the upload answer (`exp` and `sig`,
/// valid for `media.signed_url_ttl_secs`; the signature alone decides), or send a bearer token
/// of the uploader or of staff (any role but resident). Answers carry an `ETag` (the variant's
/// SHA-256) and honour `If-None-Match` with 304.
#[utoipa::path(
    tag = "media",
    params(MediaPath, SignedQuery),
    responses(
        (status = 200, description = "The image (`image/jpeg` for display and thumb)", content_type = "image/jpeg", body = RawImage),
        (status = 304, description = "`If-None-Match` matched the ETag"),
        (status = 401, description = "No signature and `missing_token`, `invalid_token` or `token_expired`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`media_url_invalid` (tampered or foreign signature) or `media_url_expired`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`media_not_found` (also for users who may not see it), `media_variant_not_found` (no original kept) or `invalid_path`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
#[get("/media/{id}/{variant}")]
async fn get_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<MediaPath>,
    query: web::Query<SignedQuery>,
) -> Result<HttpResponse, ApiError> {
    let access = match query.into_inner() {
        SignedQuery { exp: None, sig: None } => Access::User(authenticate(&req)?),
        SignedQuery { exp: Some(exp), sig: Some(sig) } => Access::Signed { exp, sig },
        _ => return Err(ApiError::new(StatusCode::FORBIDDEN, "media_url_invalid", "the photo link is not valid")),
    };
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let fetched = query::fetch(&state, path.id, path.variant, access, if_none_match).await?;
    let cache = format!("private, max-age={}", state.media().signer.ttl_secs());
    Ok(match fetched {
        Fetched::NotModified { etag } => HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish(),
        Fetched::Body { etag, content_type, bytes } => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
            .body(bytes),
    })
}
