//! HTTP: locate, routing preview, and the admin endpoints for regions, routing rules and grid
//! assignments.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    admin,
    dto::{
        CreateGridAssignmentRequest, CreateRegionRequest, CreateRoutingRuleRequest, GridAssignmentView,
        ListGridAssignmentsQuery, ListRegionsQuery, LocateQuery, LocationView, PointView, RegionSummary, RegionView,
        RoutingPreviewRequest, RoutingRuleView, UpdateGridAssignmentRequest, UpdateRegionRequest,
        UpdateRoutingRuleRequest,
    },
    routing::RoutingDecision,
    service,
};
use crate::{
    auth::{CurrentUser, Role},
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
};

const STAFF: [Role; 4] = [Role::GridWorker, Role::DeptStaff, Role::Dispatcher, Role::Admin];

/// Mounts the jurisdiction endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(locate)
        .service(preview_routing)
        .service(list_regions)
        .service(get_region)
        .service(create_region)
        .service(update_region)
        .service(list_routing_rules)
        .service(create_routing_rule)
        .service(update_routing_rule)
        .service(delete_routing_rule)
        .service(list_grid_assignments)
        .service(create_grid_assignment)
        .service(update_grid_assignment)
        .service(delete_grid_assignment);
}

fn point(p: super::point::GeoPoint) -> PointView {
    PointView { lat: p.lat(), lng: p.lng() }
}

/// Where a point lies: its region chain (grid → community → street → district) and, near a
/// border, the neighbouring candidates.
#[utoipa::path(
    tag = "geo",
    params(LocateQuery),
    responses(
        (status = 200, description = "The chain; empty outside every region", body = LocationView),
        (status = 400, description = "`invalid_query`: lat/lng missing or not numbers", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Latitude or longitude out of range or not finite", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/geo/locate")]
async fn locate(
    state: web::Data<AppState>,
    _user: CurrentUser,
    q: web::Query<LocateQuery>,
) -> Result<HttpResponse, ApiError> {
    let crs = q.coord_system.unwrap_or(state.settings().geo.default_coord_system);
    let at = service::position(q.lat, q.lng, crs)?;
    let located = service::locate(&state, &at);
    Ok(HttpResponse::Ok().json(LocationView {
        point: point(at.given),
        coord_system: crs,
        gcj02: point(at.gcj02),
        wgs84: point(at.wgs84),
        chain: located.chain,
        near_border: located.near_border,
    }))
}

/// Which department and grid workers a hazard would go to, and why (dispatchers, admins).
#[utoipa::path(
    tag = "geo",
    request_body = RoutingPreviewRequest,
    responses(
        (status = 200, description = "The decision with its reason", body = RoutingDecision),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher or admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`category_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Point out of range", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/routing/preview")]
async fn preview_routing(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<RoutingPreviewRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Dispatcher, Role::Admin])?;
    let body = body.into_inner();
    let crs = body.coord_system.unwrap_or(state.settings().geo.default_coord_system);
    let at = service::position(body.lat, body.lng, crs)?;
    Ok(HttpResponse::Ok().json(service::route_hazard(&state, &body.category, &at, service::Load::Ignored).await?))
}

/// Regions, by level and parent (without boundaries).
#[utoipa::path(
    tag = "geo",
    params(ListRegionsQuery),
    responses(
        (status = 200, description = "Regions ordered by code", body = [RegionSummary]),
        (status = 400, description = "`invalid_query`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions")]
async fn list_regions(
    state: web::Data<AppState>,
    _user: CurrentUser,
    q: web::Query<ListRegionsQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(admin::list_regions(&state, &q).await?))
}

/// One region with its boundary (GeoJSON, GCJ-02).
#[utoipa::path(
    tag = "geo",
    params(("id" = Uuid, Path, description = "Region id")),
    responses(
        (status = 200, description = "The region", body = RegionView),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{id}")]
async fn get_region(
    state: web::Data<AppState>,
    _user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(admin::get_region(&state, id.into_inner()).await?))
}

/// Create a region inside its parent (admins). Every instance rebuilds its index.
#[utoipa::path(
    tag = "geo",
    request_body = CreateRegionRequest,
    responses(
        (status = 201, description = "Created", body = RegionView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`region_code_taken`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_boundary` (self-intersection, open ring, …), `outside_parent`, wrong parent level", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions")]
async fn create_region(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateRegionRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(admin::create_region(&state, body.into_inner()).await?))
}

/// Rename or reshape a region (admins). A new boundary must stay in the parent and keep the children.
#[utoipa::path(
    tag = "geo",
    params(("id" = Uuid, Path, description = "Region id")),
    request_body = UpdateRegionRequest,
    responses(
        (status = 200, description = "Updated", body = RegionView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`region_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`region_code_taken`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_boundary` or `outside_parent`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/regions/{id}")]
async fn update_region(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateRegionRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(admin::update_region(&state, id.into_inner(), body.into_inner()).await?))
}

/// Routing rules (staff).
#[utoipa::path(
    tag = "geo",
    responses(
        (status = 200, description = "Rules", body = [RoutingRuleView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/routing-rules")]
async fn list_routing_rules(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    user.require_any(&STAFF)?;
    Ok(HttpResponse::Ok().json(admin::list_rules(&state).await?))
}

/// Add a routing rule: hazards of a category in a region go to a department (admins).
#[utoipa::path(
    tag = "geo",
    request_body = CreateRoutingRuleRequest,
    responses(
        (status = 201, description = "Created", body = RoutingRuleView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`routing_rule_exists`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown category, region or department", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/routing-rules")]
async fn create_routing_rule(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateRoutingRuleRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(admin::create_rule(&state, body.into_inner()).await?))
}

/// Change a routing rule's department or note (admins).
#[utoipa::path(
    tag = "geo",
    params(("id" = Uuid, Path, description = "Rule id")),
    request_body = UpdateRoutingRuleRequest,
    responses(
        (status = 200, description = "Updated", body = RoutingRuleView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`routing_rule_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown department", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/routing-rules/{id}")]
async fn update_routing_rule(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateRoutingRuleRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(admin::update_rule(&state, id.into_inner(), body.into_inner()).await?))
}

/// Delete a routing rule (admins).
#[utoipa::path(
    tag = "geo",
    params(("id" = Uuid, Path, description = "Rule id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`routing_rule_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/routing-rules/{id}")]
async fn delete_routing_rule(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    admin::delete_rule(&state, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Grid-worker assignments, by grid or worker (staff).
#[utoipa::path(
    tag = "geo",
    params(ListGridAssignmentsQuery),
    responses(
        (status = 200, description = "Assignments", body = [GridAssignmentView]),
        (status = 400, description = "`invalid_query`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/grid-assignments")]
async fn list_grid_assignments(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<ListGridAssignmentsQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&STAFF)?;
    Ok(HttpResponse::Ok().json(admin::list_assignments(&state, &q).await?))
}

/// Assign a grid worker to a grid (admins).
#[utoipa::path(
    tag = "geo",
    request_body = CreateGridAssignmentRequest,
    responses(
        (status = 201, description = "Created", body = GridAssignmentView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`grid_assignment_exists`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a grid, or not a grid worker", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/grid-assignments")]
async fn create_grid_assignment(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateGridAssignmentRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(admin::create_assignment(&state, body.into_inner()).await?))
}

/// Go on or off duty (the grid worker themself, or an admin).
#[utoipa::path(
    tag = "geo",
    params(("id" = Uuid, Path, description = "Assignment id")),
    request_body = UpdateGridAssignmentRequest,
    responses(
        (status = 200, description = "Updated", body = GridAssignmentView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`grid_assignment_not_found` (also for someone else's)", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/grid-assignments/{id}")]
async fn update_grid_assignment(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateGridAssignmentRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(admin::set_on_duty(&state, &user, id.into_inner(), body.0.on_duty).await?))
}

/// Remove an assignment (admins).
#[utoipa::path(
    tag = "geo",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`grid_assignment_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/grid-assignments/{id}")]
async fn delete_grid_assignment(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    admin::delete_assignment(&state, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
