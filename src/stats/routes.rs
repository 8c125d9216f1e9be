//! HTTP: the statistics and the monthly bulletin (staff only).

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{RankingsQuery, RankingsView, StatsQuery, StatsView},
    params::{RankingsParams, StatsParams},
    service,
};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    state::AppState,
    tickets::routes::viewer,
};

/// Mounts the statistics endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_stats).service(get_rankings);
}

/// Figures of the tickets reported in a period (by report time, China time +08:00) that the caller
/// handles (department staff: their departments'; grid workers: their grids'; dispatchers: their
/// region's subtree; admins: all), in total and per group. Computed from the tickets and their
/// history at the time of the request; every rate carries its numerator and denominator, rounded
/// half up to two decimals. Definitions: see each field of `Figures`.
#[utoipa::path(
    tag = "stats",
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures", body = StatsView),
        (status = 400, description = "`invalid_query`: an unknown or repeated parameter", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a bad value, naming the parameter", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/stats")]
pub(super) async fn get_stats(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    service::ensure_staff(&viewer)?;
    let params = StatsParams::parse(q.into_inner(), state.clock().now())?;
    Ok(HttpResponse::Ok().json(service::stats(&state, &viewer, &params).await?))
}

/// The monthly bulletin (定期通报): streets or departments ranked by rectification rate, on-time rate
/// (highest first) and overdue count (fewest first) for the tickets reported in the month, with the
/// previous month and the month-on-month change (环比). Same scope and definitions as `/stats`;
/// equal values share a rank (1, 2, 2, 4) and a rate with no denominator is not ranked.
#[utoipa::path(
    tag = "stats",
    params(RankingsQuery),
    responses(
        (status = 200, description = "The bulletin", body = RankingsView),
        (status = 400, description = "`invalid_query`: an unknown or repeated parameter", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: a bad value, naming the parameter", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/stats/rankings")]
pub(super) async fn get_rankings(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<RankingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    service::ensure_staff(&viewer)?;
    let params = RankingsParams::parse(q.into_inner(), state.clock().now())?;
    Ok(HttpResponse::Ok().json(service::rankings(&state, &viewer, &params).await?))
}
