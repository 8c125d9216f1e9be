//! HTTP: the ledger export (`/ledger.csv`, `/ledger.xlsx`) and the map feed (`/tickets.geojson`).

use actix_web::{get, http::header, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{LedgerQuery, MapFeed, MapQuery},
    feed::{self, MapParams},
    service::{self, LedgerFormat},
};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    state::AppState,
    tickets::{dto::ListTicketsQuery, query::ListParams, routes::viewer},
};

/// Mounts the export endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_ledger_csv).service(export_ledger_xlsx).service(get_ticket_map);
}

/// `attachment` with an ASCII fallback name and the Chinese one (RFC 6266 / RFC 5987).
fn disposition(format: LedgerFormat, today: &str) -> String {
    let ext = format.extension();
    // 隐患台账 percent-encoded as UTF-8.
    let chinese = "%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6";
    format!("attachment; filename=\"hazard-ledger-{today}.{ext}\"; filename*=UTF-8''{chinese}-{today}.{ext}")
}

async fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: LedgerQuery,
    format: LedgerFormat,
) -> Result<HttpResponse, ApiError> {
    let filters = ListParams::try_from(ListTicketsQuery::from(q))?.filters;
    let viewer = viewer(&state, &user).await?;
    service::require_staff(&viewer)?;
    let source = service::open(&state, &viewer, &filters).await?;
    let today = super::row::china(state.clock().now()).format("%Y%m%d").to_string();
    let mut res = HttpResponse::Ok();
    res.content_type(format.content_type())
        .insert_header((header::CONTENT_DISPOSITION, disposition(format, &today)))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(match format {
        LedgerFormat::Csv => res.streaming(service::csv_stream(source)),
        LedgerFormat::Xlsx => {
            let file = tempfile::tempfile().map_err(|e| ApiError::internal(e.into()))?;
            let (file, rows) = service::write(source, format, file, |_| {}).await?;
            tracing::info!(rows, "ledger exported as xlsx");
            res.streaming(service::file_stream(file))
        }
    })
}

/// The hazard ledger (隐患台账) as CSV for Excel: one row per ticket the caller may see (their
/// department's, grids' or region's) that passes the ticket list's filters, oldest first, with the
/// Chinese headers offices use. UTF-8 with a byte-order mark, RFC 4180, times `YYYY-MM-DD HH:MM` in
/// China time, empty cells for what is not known. Streamed: the size is not limited.
#[utoipa::path(
    tag = "ledger",
    params(LedgerQuery),
    responses(
        (status = 200, description = "The ledger", content_type = "text/csv; charset=utf-8", body = String),
        (status = 400, description = "`invalid_query`, naming the parameter", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: residents have no ledger", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/ledger.csv")]
async fn export_ledger_csv(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    export(state, user, q.into_inner(), LedgerFormat::Csv).await
}

/// The hazard ledger (隐患台账) as an Excel workbook: the same rows and columns as the CSV, times
/// as real Excel dates (`yyyy-mm-dd hh:mm`, China time), the header row frozen. Built in constant
/// memory and sent when complete.
#[utoipa::path(
    tag = "ledger",
    params(LedgerQuery),
    responses(
        (status = 200, description = "The ledger", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "`invalid_query`, naming the parameter", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: residents have no ledger", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/ledger.xlsx")]
async fn export_ledger_xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<LedgerQuery>,
) -> Result<HttpResponse, ApiError> {
    export(state, user, q.into_inner(), LedgerFormat::Xlsx).await
}

/// Tickets on a map (GeoJSON FeatureCollection) for heat maps and map views: the tickets the
/// caller may see inside `bbox` that pass the list's filters, each with status, category, urgency,
/// age and whether it is overdue. When more match than `limit`, the answer is one point per grid
/// cell (a power-of-two fraction of a degree, anchored so panning keeps cells) with counts.
#[utoipa::path(
    tag = "ledger",
    params(MapQuery),
    responses(
        (status = 200, description = "The features", body = MapFeed, content_type = "application/geo+json"),
        (status = 400, description = "`invalid_query`, naming the parameter (`bbox`, `limit`, `coord_system`, a filter)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the map is for staff", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/tickets.geojson")]
async fn get_ticket_map(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, ApiError> {
    let limits = &state.settings().ledger;
    let params = MapParams::parse(q.into_inner(), limits.map_default_limit, limits.map_max_limit)?;
    let viewer = viewer(&state, &user).await?;
    service::require_staff(&viewer)?;
    let body =
        serde_json::to_vec(&feed::map(&state, &viewer, &params).await?).map_err(|e| ApiError::internal(e.into()))?;
    Ok(HttpResponse::Ok().content_type("application/geo+json").body(body))
}
