//! HTTP: campaigns (专项整治).

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{CampaignPath, CampaignView, CreateCampaignRequest, UpdateCampaignRequest},
    service,
};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
    tickets::routes::{respond, retry_of, viewer},
};

/// Mounts the campaign endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_campaigns).service(create_campaign).service(get_campaign).service(update_campaign);
}

/// Every campaign, newest window first, with how many tickets each holds (staff).
#[utoipa::path(
    tag = "campaigns",
    responses(
        (status = 200, description = "The campaigns", body = [CampaignView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: residents", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/campaigns")]
async fn list_campaigns(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::list(&state, &viewer).await?))
}

/// Start a campaign: a name, a time window, the categories it focuses on and the regions it
/// targets. Tickets reported inside the window in one of the categories under one of the regions
/// are tagged, including those reported before the campaign was entered. Dispatchers (within their
/// region scope) and admins. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "campaigns",
    params(("Idempotency-Key" = Option<String>, Header, description = "1–64 letters, digits, - _ . : ; kept a day")),
    request_body = CreateCampaignRequest,
    responses(
        (status = 201, description = "Created, with its tickets counted", body = CampaignView),
        (status = 400, description = "`invalid_json` or `invalid_idempotency_key`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not a dispatcher or admin, or a region outside the dispatcher's scope", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A bad field (`name`, `ends_at`, `categories`, `regions`, unknown codes or ids) or `idempotency_key_reused`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/campaigns")]
async fn create_campaign(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: ApiJson<CreateCampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    let retry = retry_of(&req, body.bytes())?;
    let viewer = viewer(&state, &user).await?;
    Ok(respond(service::create(&state, &viewer, body.into_inner(), retry.as_ref()).await?))
}

/// One campaign (staff).
#[utoipa::path(
    tag = "campaigns",
    params(CampaignPath),
    responses(
        (status = 200, description = "The campaign", body = CampaignView),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: residents", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`campaign_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/campaigns/{id}")]
async fn get_campaign(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<CampaignPath>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::get(&state, &viewer, path.id).await?))
}

/// Change a campaign (only the fields given); its tickets are tagged again for the new window,
/// categories and regions. Dispatchers within their scope (old and new regions) and admins.
#[utoipa::path(
    tag = "campaigns",
    params(CampaignPath),
    request_body = UpdateCampaignRequest,
    responses(
        (status = 200, description = "The campaign after the change", body = CampaignView),
        (status = 400, description = "`invalid_json`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`campaign_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A bad field", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/campaigns/{id}")]
async fn update_campaign(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<CampaignPath>,
    body: ApiJson<UpdateCampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::update(&state, &viewer, path.id, body.into_inner()).await?))
}
