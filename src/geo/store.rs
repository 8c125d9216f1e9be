//! Region rows ↔ region shapes, and the other jurisdiction tables as routing inputs.

use std::collections::HashMap;

use anyhow::Context;
use entity::{department, department_category, grid_assignment, region, routing_rule, ticket};
use geo::{BoundingRect, MultiPolygon};
use sea_orm::{
    sea_query::{Expr, Query, SimpleExpr},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{
    import::parse_boundary,
    region::{RegionLevel, RegionShape},
    routing::{Department, GridWorkerAssignment, RoutingRule},
};

/// The stored name of a level.
pub fn level_str(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::District => "district",
        RegionLevel::Street => "street",
        RegionLevel::Community => "community",
        RegionLevel::Grid => "grid",
    }
}

/// Parses a stored level name.
pub fn parse_level(s: &str) -> Option<RegionLevel> {
    RegionLevel::ALL.into_iter().find(|l| level_str(*l) == s)
}

/// GeoJSON text of a boundary.
pub fn boundary_json(geometry: &MultiPolygon<f64>) -> anyhow::Result<String> {
    let value = geojson::GeometryValue::from(geometry);
    Ok(serde_json::to_string(&geojson::Geometry::new(value))?)
}

/// Bounding box `[min_lng, min_lat, max_lng, max_lat]`.
pub fn bbox(geometry: &MultiPolygon<f64>) -> [f64; 4] {
    geometry.bounding_rect().map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// A new `region` row for a shape, with its boundary text and bounding box.
pub fn new_row(shape: &RegionShape, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<region::ActiveModel> {
    use sea_orm::Set;
    let [min_lng, min_lat, max_lng, max_lat] = bbox(&shape.geometry);
    Ok(region::ActiveModel {
        id: Set(shape.id),
        parent_id: Set(shape.parent_id),
        level: Set(level_str(shape.level).to_owned()),
        code: Set(shape.code.clone()),
        name: Set(shape.name.clone()),
        boundary: Set(boundary_json(&shape.geometry)?),
        min_lng: Set(min_lng),
        min_lat: Set(min_lat),
        max_lng: Set(max_lng),
        max_lat: Set(max_lat),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// A stored region as a shape.
pub fn shape_of(row: &region::Model) -> anyhow::Result<RegionShape> {
    let json: serde_json::Value = serde_json::from_str(&row.boundary).context("stored boundary is not JSON")?;
    let geometry =
        parse_boundary(&json).map_err(|e| anyhow::anyhow!("stored boundary of region {} is invalid: {e}", row.code))?;
    Ok(RegionShape {
        id: row.id,
        parent_id: row.parent_id,
        level: parse_level(&row.level)
            .with_context(|| format!("region {} has unknown level {}", row.code, row.level))?,
        code: row.code.clone(),
        name: row.name.clone(),
        geometry,
    })
}

/// Every stored region as a shape.
pub async fn load_shapes<C: ConnectionTrait>(db: &C) -> anyhow::Result<Vec<RegionShape>> {
    region::Entity::find().all(db).await?.iter().map(shape_of).collect()
}

/// Departments (of one region, or all), ordered by name, each with the category codes it handles.
pub async fn departments_with_categories<C: ConnectionTrait>(
    db: &C,
    region: Option<Uuid>,
) -> anyhow::Result<Vec<(department::Model, Vec<String>)>> {
    let mut handled: HashMap<Uuid, Vec<String>> = HashMap::new();
    for link in department_category::Entity::find().all(db).await? {
        handled.entry(link.department_id).or_default().push(link.category_code);
    }
    let mut find = department::Entity::find().order_by_asc(department::Column::Name);
    if let Some(region) = region {
        find = find.filter(department::Column::RegionId.eq(region));
    }
    Ok(find
        .all(db)
        .await?
        .into_iter()
        .map(|d| {
            let categories = handled.remove(&d.id).unwrap_or_default();
            (d, categories)
        })
        .collect())
}

/// Every department as a routing input.
pub async fn load_departments<C: ConnectionTrait>(db: &C) -> anyhow::Result<Vec<Department>> {
    Ok(departments_with_categories(db, None)
        .await?
        .into_iter()
        .map(|(d, categories)| Department {
            categories,
            is_safety_office: d.kind == "safety_office",
            id: d.id,
            name: d.name,
            kind: d.kind,
            region_id: d.region_id,
        })
        .collect())
}

/// Routing rules for one category.
pub async fn load_rules<C: ConnectionTrait>(db: &C, category: &str) -> anyhow::Result<Vec<RoutingRule>> {
    Ok(routing_rule::Entity::find()
        .filter(routing_rule::Column::CategoryCode.eq(category))
        .all(db)
        .await?
        .into_iter()
        .map(|r| RoutingRule { category: r.category_code, region_id: r.region_id, department_id: r.department_id })
        .collect())
}

/// Every routing rule, oldest first.
pub async fn load_all_rules<C: ConnectionTrait>(db: &C) -> anyhow::Result<Vec<RoutingRule>> {
    Ok(routing_rule::Entity::find()
        .order_by_asc(routing_rule::Column::CreatedAt)
        .order_by_asc(routing_rule::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| RoutingRule { category: r.category_code, region_id: r.region_id, department_id: r.department_id })
        .collect())
}

/// Grid-worker assignments of the given grids, each with the number of tickets in `open_statuses`
/// the worker holds, in one query (a correlated count served by `idx_ticket_grid_worker`).
pub async fn load_grid_workers_with_load<C: ConnectionTrait>(
    db: &C,
    grids: &[Uuid],
    open_statuses: &[&str],
) -> anyhow::Result<Vec<GridWorkerAssignment>> {
    if grids.is_empty() {
        return Ok(Vec::new());
    }
    let open = Query::select()
        .expr(Expr::col((ticket::Entity, ticket::Column::Id)).count())
        .from(ticket::Entity)
        .and_where(
            Expr::col((ticket::Entity, ticket::Column::GridWorkerId))
                .equals((grid_assignment::Entity, grid_assignment::Column::UserId)),
        )
        .and_where(Expr::col((ticket::Entity, ticket::Column::Status)).is_in(open_statuses.iter().copied()))
        .to_owned();
    let rows: Vec<(Uuid, Uuid, bool, i64)> = grid_assignment::Entity::find()
        .select_only()
        .column(grid_assignment::Column::UserId)
        .column(grid_assignment::Column::GridId)
        .column(grid_assignment::Column::OnDuty)
        .column_as(SimpleExpr::SubQuery(None, Box::new(open.into_sub_query_statement())), "open_count")
        .filter(grid_assignment::Column::GridId.is_in(grids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, grid_id, on_duty, open)| GridWorkerAssignment {
            open_assignments: u32::try_from(open).unwrap_or(u32::MAX),
            user_id,
            grid_id,
            on_duty,
        })
        .collect())
}

/// Grid-worker assignments of the given grids. Open-assignment counts come from tickets, which
/// report them through `open_counts` (empty until the tickets module lands).
pub async fn load_grid_workers<C: ConnectionTrait>(
    db: &C,
    grids: &[Uuid],
    open_counts: &HashMap<Uuid, u32>,
) -> anyhow::Result<Vec<GridWorkerAssignment>> {
    if grids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(grid_assignment::Entity::find()
        .filter(grid_assignment::Column::GridId.is_in(grids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| GridWorkerAssignment {
            open_assignments: open_counts.get(&a.user_id).copied().unwrap_or(0),
            user_id: a.user_id,
            grid_id: a.grid_id,
            on_duty: a.on_duty,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip() {
        for l in RegionLevel::ALL {
            assert_eq!(parse_level(level_str(l)), Some(l));
        }
        assert_eq!(parse_level("province"), None);
    }

    #[test]
    fn boundaries_round_trip_through_geojson_text() {
        let city = super::super::demo_city::regions();
        let g = &city[0].geometry;
        let text = boundary_json(g).unwrap();
        let back = parse_boundary(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(&back, g);
    }
}
