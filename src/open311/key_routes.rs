//! HTTP: API keys for Open311 clients (admins).

use actix_web::{delete, get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    dto::{ApiKeyView, CreateApiKeyRequest, CreatedApiKeyView},
    keys,
};
use crate::{
    auth::{CurrentUser, Role},
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
};

/// Mounts the API-key endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_keys).service(create_api_key).service(delete_api_key);
}

/// Open311 API keys, newest first (admins; the keys themselves are never shown again).
#[utoipa::path(
    tag = "open311",
    responses(
        (status = 200, description = "Keys", body = [ApiKeyView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/api-keys")]
async fn list_api_keys(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(keys::list(&state).await?))
}

/// Make an API key for an Open311 client (admins); the answer shows the key this once.
#[utoipa::path(
    tag = "open311",
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "Created; `key` is not shown again", body = CreatedApiKeyView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_name`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api-keys")]
async fn create_api_key(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(keys::create(&state, &body.into_inner().name, Some(user.id)).await?))
}

/// Disable an API key for good (admins): its requests get 403 from now on.
#[utoipa::path(
    tag = "open311",
    params(("id" = Uuid, Path, description = "Key id")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`api_key_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/api-keys/{id}")]
async fn delete_api_key(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    keys::disable(&state, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
