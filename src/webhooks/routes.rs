//! HTTP: webhook endpoints and their delivery log (admins).

use actix_web::{get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    dto::{
        CreateWebhookRequest, CreatedWebhookView, DeliveryView, ListDeliveriesQuery, UpdateWebhookRequest, WebhookView,
    },
    service,
};
use crate::{
    auth::{CurrentUser, Role},
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
};

/// Mounts the webhook endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks).service(create_webhook).service(update_webhook).service(list_webhook_deliveries);
}

/// Registered webhook endpoints, newest first (admins).
#[utoipa::path(
    tag = "webhooks",
    responses(
        (status = 200, description = "Endpoints (secrets are never listed)", body = [WebhookView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhooks")]
async fn list_webhooks(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(service::list(&state).await?))
}

/// Register an endpoint for ticket events (admins); the answer shows the signing secret once.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "Registered; `secret` is not shown again", body = CreatedWebhookView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_url`, `invalid_event_kind` or `invalid_secret`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhooks")]
async fn create_webhook(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(service::register(&state, user.id, body.into_inner()).await?))
}

/// Disable (or re-enable) an endpoint, or change its event kinds (admins).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "Updated", body = WebhookView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_event_kind`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/webhooks/{id}")]
async fn update_webhook(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(service::update(&state, *id, body.into_inner()).await?))
}

/// An endpoint's delivery log: each event sent to it, with every attempt (admins).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "Endpoint id"), ListDeliveriesQuery),
    responses(
        (status = 200, description = "Deliveries, newest first", body = [DeliveryView]),
        (status = 400, description = "`invalid_query`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`webhook_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhooks/{id}/deliveries")]
async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    q: web::Query<ListDeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(service::deliveries(&state, *id, &q).await?))
}
