//! HTTP: `POST /api/v1/intake/understand`.

use actix_web::{post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{UnderstandRequest, UnderstandingView},
    understand,
};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
};

/// Mounts the intake endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(understand_message);
}

/// What the intake understands of a message: ranked categories with scores, urgency with its
/// cues and the numbers to call, place phrases and the regions they name. The same code the
/// intake bot runs; staff tools use it to pre-fill tickets.
#[utoipa::path(
    tag = "intake",
    request_body = UnderstandRequest,
    responses(
        (status = 200, description = "The understanding", body = UnderstandingView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`text` blank or longer than the description limit", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/intake/understand")]
async fn understand_message(
    state: web::Data<AppState>,
    _user: CurrentUser,
    body: ApiJson<UnderstandRequest>,
) -> Result<HttpResponse, ApiError> {
    let view = understand::understand_text(&state, body.into_inner().text).await?;
    Ok(HttpResponse::Ok().json(view))
}
