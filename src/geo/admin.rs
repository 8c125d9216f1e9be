//! Write use cases for the region tree, routing rules and grid assignments. Every region change
//! is checked against the tree (parent level, containment both ways) before it is stored, then
//! the index is rebuilt everywhere. Rule changes reload the reference data everywhere; grid
//! assignments are read per report, so their changes need no announcement.

use chrono::Utc;
use entity::{department, grid_assignment, region, routing_rule, user_role};
use geo::MultiPolygon;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{
    dto::{
        CreateGridAssignmentRequest, CreateRegionRequest, CreateRoutingRuleRequest, GridAssignmentView,
        ListGridAssignmentsQuery, ListRegionsQuery, RegionSummary, RegionView, RoutingRuleView, UpdateRegionRequest,
        UpdateRoutingRuleRequest,
    },
    import::parse_boundary,
    point::{CoordSystem, GeoPoint},
    region::{RegionLevel, RegionShape},
    service::{reference_changed, regions_changed},
    store::{bbox, boundary_json, level_str, new_row, parse_level, shape_of},
    tree::{check_containment, DEFAULT_CONTAINMENT_TOLERANCE_M},
};
use crate::{
    auth::Role,
    error::{ApiError, FieldError},
    infra::db::is_unique_violation,
    state::AppState,
};

/// Maps a unique-constraint violation to a 409 with `code`, anything else to a 500.
fn conflict_on_unique(code: &'static str, detail: &'static str) -> impl Fn(sea_orm::DbErr) -> ApiError {
    move |e| if is_unique_violation(&e) { ApiError::conflict(code, detail) } else { e.into() }
}

fn field(name: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(name, code, message)])
}

/// Parses, converts to GCJ-02 and validates a boundary given over the API.
pub fn boundary_from_request(value: &serde_json::Value, crs: CoordSystem) -> Result<MultiPolygon<f64>, ApiError> {
    let mut geometry = parse_boundary(value).map_err(|e| field("boundary", "invalid_boundary", e.to_string()))?;
    if crs == CoordSystem::Wgs84 {
        geometry = to_gcj02(geometry);
    }
    Ok(geometry)
}

/// Converts every vertex from WGS-84 to GCJ-02.
pub fn to_gcj02(mut geometry: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoordsInPlace;
    geometry.map_coords_in_place(|c| match GeoPoint::parse(c.y, c.x) {
        Ok(p) => p.wgs84_to_gcj02().coord(),
        Err(_) => c,
    });
    geometry
}

fn summary(row: &region::Model) -> RegionSummary {
    RegionSummary {
        id: row.id,
        parent_id: row.parent_id,
        level: parse_level(&row.level).unwrap_or(RegionLevel::Grid),
        code: row.code.clone(),
        name: row.name.clone(),
        bbox: [row.min_lng, row.min_lat, row.max_lng, row.max_lat],
    }
}

fn view(row: &region::Model) -> Result<RegionView, ApiError> {
    let boundary = serde_json::from_str(&row.boundary).map_err(|e| ApiError::internal(e.into()))?;
    Ok(RegionView { summary: summary(row), boundary })
}

/// Regions, filtered by level and parent.
pub async fn list_regions(state: &AppState, q: &ListRegionsQuery) -> Result<Vec<RegionSummary>, ApiError> {
    let mut find = region::Entity::find().order_by_asc(region::Column::Code);
    if let Some(level) = q.level {
        find = find.filter(region::Column::Level.eq(level_str(level)));
    }
    if let Some(parent) = q.parent_id {
        find = find.filter(region::Column::ParentId.eq(parent));
    }
    Ok(find.all(state.db()).await?.iter().map(summary).collect())
}

async fn find_region(state: &AppState, id: Uuid) -> Result<region::Model, ApiError> {
    region::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::not_found("region_not_found", format!("no region {id}")))
}

/// One region with its boundary.
pub async fn get_region(state: &AppState, id: Uuid) -> Result<RegionView, ApiError> {
    view(&find_region(state, id).await?)
}

fn outside(detail: impl std::fmt::Display) -> ApiError {
    field("boundary", "outside_parent", detail.to_string())
}

/// Creates a region inside its parent.
pub async fn create_region(state: &AppState, req: CreateRegionRequest) -> Result<RegionView, ApiError> {
    let code = req.code.trim().to_owned();
    let name = req.name.trim().to_owned();
    if code.is_empty() || name.is_empty() {
        return Err(field(if code.is_empty() { "code" } else { "name" }, "required", "must not be empty"));
    }
    let geometry = boundary_from_request(&req.boundary, req.coord_system.unwrap_or(CoordSystem::Gcj02))?;
    let parent = match (req.level.parent_level(), req.parent_id) {
        (None, None) => None,
        (None, Some(_)) => return Err(field("parent_id", "unexpected_parent", "a district has no parent region")),
        (Some(_), None) => return Err(field("parent_id", "required", "this level needs a parent region")),
        (Some(level), Some(id)) => {
            let parent = find_region(state, id).await.map_err(|_| field("parent_id", "not_found", "no such region"))?;
            if parse_level(&parent.level) != Some(level) {
                return Err(field(
                    "parent_id",
                    "wrong_level",
                    format!("the parent of a {} must be a {}", level_str(req.level), level_str(level)),
                ));
            }
            Some(parent)
        }
    };
    let id = Uuid::now_v7();
    let shape = RegionShape {
        id,
        parent_id: req.parent_id,
        level: req.level,
        code: code.clone(),
        name: name.clone(),
        geometry,
    };
    if let Some(parent) = &parent {
        let pair = [shape_of(parent)?, shape.clone()];
        if let Some(v) = check_containment(&pair, DEFAULT_CONTAINMENT_TOLERANCE_M).into_iter().next() {
            return Err(outside(v));
        }
    }
    let row = new_row(&shape, Utc::now())?
        .insert(state.db())
        .await
        .map_err(conflict_on_unique("region_code_taken", "a region with this code exists"))?;
    regions_changed(state).await?;
    view(&row)
}

/// Renames or reshapes a region; a new boundary must stay inside the parent and keep every
/// child inside it.
pub async fn update_region(state: &AppState, id: Uuid, req: UpdateRegionRequest) -> Result<RegionView, ApiError> {
    let row = find_region(state, id).await?;
    let mut shape = shape_of(&row)?;
    let mut active: region::ActiveModel = row.clone().into();
    if let Some(code) = req.code.as_deref().map(str::trim) {
        if code.is_empty() {
            return Err(field("code", "required", "must not be empty"));
        }
        active.code = Set(code.to_owned());
    }
    if let Some(name) = req.name.as_deref().map(str::trim) {
        if name.is_empty() {
            return Err(field("name", "required", "must not be empty"));
        }
        active.name = Set(name.to_owned());
    }
    if let Some(boundary) = &req.boundary {
        shape.geometry = boundary_from_request(boundary, req.coord_system.unwrap_or(CoordSystem::Gcj02))?;
        let mut family = vec![shape.clone()];
        if let Some(parent_id) = row.parent_id {
            family.push(shape_of(&find_region(state, parent_id).await?)?);
        }
        for child in region::Entity::find().filter(region::Column::ParentId.eq(id)).all(state.db()).await? {
            family.push(shape_of(&child)?);
        }
        if let Some(v) = check_containment(&family, DEFAULT_CONTAINMENT_TOLERANCE_M).into_iter().next() {
            return Err(outside(v));
        }
        let [min_lng, min_lat, max_lng, max_lat] = bbox(&shape.geometry);
        active.boundary = Set(boundary_json(&shape.geometry)?);
        active.min_lng = Set(min_lng);
        active.min_lat = Set(min_lat);
        active.max_lng = Set(max_lng);
        active.max_lat = Set(max_lat);
    }
    active.updated_at = Set(Utc::now());
    let row = active
        .update(state.db())
        .await
        .map_err(conflict_on_unique("region_code_taken", "a region with this code exists"))?;
    regions_changed(state).await?;
    view(&row)
}

fn rule_view(r: routing_rule::Model) -> RoutingRuleView {
    RoutingRuleView {
        id: r.id,
        category: r.category_code,
        region_id: r.region_id,
        department_id: r.department_id,
        note: r.note,
    }
}

/// Every routing rule.
pub async fn list_rules(state: &AppState) -> Result<Vec<RoutingRuleView>, ApiError> {
    Ok(routing_rule::Entity::find()
        .order_by_asc(routing_rule::Column::CreatedAt)
        .all(state.db())
        .await?
        .into_iter()
        .map(rule_view)
        .collect())
}

/// Adds a rule: category × region → department.
pub async fn create_rule(state: &AppState, req: CreateRoutingRuleRequest) -> Result<RoutingRuleView, ApiError> {
    if entity::category::Entity::find_by_id(req.category.clone()).one(state.db()).await?.is_none() {
        return Err(field("category", "not_found", "no such category"));
    }
    find_region(state, req.region_id).await.map_err(|_| field("region_id", "not_found", "no such region"))?;
    if department::Entity::find_by_id(req.department_id).one(state.db()).await?.is_none() {
        return Err(field("department_id", "not_found", "no such department"));
    }
    let row = routing_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        category_code: Set(req.category),
        region_id: Set(req.region_id),
        department_id: Set(req.department_id),
        note: Set(req.note),
        created_at: Set(Utc::now()),
    }
    .insert(state.db())
    .await
    .map_err(conflict_on_unique(
        "routing_rule_exists",
        "a rule for this category and region exists; delete it first",
    ))?;
    reference_changed(state).await?;
    Ok(rule_view(row))
}

/// Changes the department or note of a rule (its category and region are its key: to move it,
/// delete it and add another).
pub async fn update_rule(
    state: &AppState,
    id: Uuid,
    req: UpdateRoutingRuleRequest,
) -> Result<RoutingRuleView, ApiError> {
    let row = routing_rule::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::not_found("routing_rule_not_found", format!("no routing rule {id}")))?;
    let mut active: routing_rule::ActiveModel = row.into();
    if let Some(department_id) = req.department_id {
        if department::Entity::find_by_id(department_id).one(state.db()).await?.is_none() {
            return Err(field("department_id", "not_found", "no such department"));
        }
        active.department_id = Set(department_id);
    }
    if let Some(note) = req.note {
        active.note = Set(note);
    }
    let row = active.update(state.db()).await?;
    reference_changed(state).await?;
    Ok(rule_view(row))
}

/// Deletes a rule.
pub async fn delete_rule(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    let res = routing_rule::Entity::delete_by_id(id).exec(state.db()).await?;
    if res.rows_affected == 0 {
        return Err(ApiError::not_found("routing_rule_not_found", format!("no routing rule {id}")));
    }
    reference_changed(state).await?;
    Ok(())
}

fn assignment_view(a: grid_assignment::Model) -> GridAssignmentView {
    GridAssignmentView { id: a.id, user_id: a.user_id, grid_id: a.grid_id, on_duty: a.on_duty }
}

/// Assignments, by grid or by worker.
pub async fn list_assignments(
    state: &AppState,
    q: &ListGridAssignmentsQuery,
) -> Result<Vec<GridAssignmentView>, ApiError> {
    let mut find = grid_assignment::Entity::find().order_by_asc(grid_assignment::Column::CreatedAt);
    if let Some(grid) = q.grid_id {
        find = find.filter(grid_assignment::Column::GridId.eq(grid));
    }
    if let Some(user) = q.user_id {
        find = find.filter(grid_assignment::Column::UserId.eq(user));
    }
    Ok(find.all(state.db()).await?.into_iter().map(assignment_view).collect())
}

/// Assigns a grid worker to a grid.
pub async fn create_assignment(
    state: &AppState,
    req: CreateGridAssignmentRequest,
) -> Result<GridAssignmentView, ApiError> {
    let grid = find_region(state, req.grid_id).await.map_err(|_| field("grid_id", "not_found", "no such region"))?;
    if parse_level(&grid.level) != Some(RegionLevel::Grid) {
        return Err(field("grid_id", "not_a_grid", "workers are assigned to regions of level grid"));
    }
    let is_worker = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(req.user_id))
        .filter(user_role::Column::Role.eq(Role::GridWorker.as_str()))
        .one(state.db())
        .await?
        .is_some();
    if !is_worker {
        return Err(field("user_id", "not_a_grid_worker", "the user does not hold the grid_worker role"));
    }
    let row = grid_assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(req.user_id),
        grid_id: Set(req.grid_id),
        on_duty: Set(req.on_duty.unwrap_or(true)),
        created_at: Set(Utc::now()),
    }
    .insert(state.db())
    .await
    .map_err(conflict_on_unique("grid_assignment_exists", "this worker is already assigned to this grid"))?;
    Ok(assignment_view(row))
}

/// Sets on-duty; admins for anyone, grid workers for themselves.
pub async fn set_on_duty(
    state: &AppState,
    caller: &crate::auth::CurrentUser,
    id: Uuid,
    on_duty: bool,
) -> Result<GridAssignmentView, ApiError> {
    let row = grid_assignment::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::not_found("grid_assignment_not_found", format!("no grid assignment {id}")))?;
    if !(caller.has(Role::Admin) || (caller.has(Role::GridWorker) && caller.id == row.user_id)) {
        return Err(ApiError::not_found("grid_assignment_not_found", format!("no grid assignment {id}")));
    }
    let mut active: grid_assignment::ActiveModel = row.into();
    active.on_duty = Set(on_duty);
    Ok(assignment_view(active.update(state.db()).await?))
}

/// Removes an assignment.
pub async fn delete_assignment(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    let res = grid_assignment::Entity::delete_by_id(id).exec(state.db()).await?;
    if res.rows_affected == 0 {
        return Err(ApiError::not_found("grid_assignment_not_found", format!("no grid assignment {id}")));
    }
    Ok(())
}
