//! Wire types of the jurisdiction endpoints.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    index::NearBorder,
    point::CoordSystem,
    region::{RegionLevel, RegionRef},
};

/// `GET /api/v1/geo/locate` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LocateQuery {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
    /// `gcj02` (WeChat, Chinese map SDKs) or `wgs84` (GPS, photo EXIF); default from `geo.default_coord_system`.
    pub coord_system: Option<CoordSystem>,
}

/// A point in one coordinate system.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PointView {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
}

/// Where a point lies in the region tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    /// The point as given.
    pub point: PointView,
    /// The system it was given in.
    pub coord_system: CoordSystem,
    /// The same point in GCJ-02 (the boundaries' system).
    pub gcj02: PointView,
    /// The same point in WGS-84.
    pub wgs84: PointView,
    /// Containing regions, most specific first; empty outside every region.
    pub chain: Vec<RegionRef>,
    /// Set when a neighbouring jurisdiction is within `geo.near_border_m`.
    pub near_border: Option<NearBorder>,
}

/// `POST /api/v1/routing/preview`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingPreviewRequest {
    /// Category code, e.g. `fire`.
    pub category: String,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
    /// Coordinate system of the point; default from configuration.
    pub coord_system: Option<CoordSystem>,
}

/// `GET /api/v1/regions` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListRegionsQuery {
    /// Only this level.
    pub level: Option<RegionLevel>,
    /// Only children of this region.
    pub parent_id: Option<Uuid>,
}

/// A region without its boundary.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionSummary {
    /// Region id.
    pub id: Uuid,
    /// Parent region.
    pub parent_id: Option<Uuid>,
    /// Level.
    pub level: RegionLevel,
    /// Administrative code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `[min_lng, min_lat, max_lng, max_lat]`, GCJ-02.
    pub bbox: [f64; 4],
}

/// A region with its boundary.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    /// The region.
    #[serde(flatten)]
    pub summary: RegionSummary,
    /// GeoJSON geometry (Polygon or MultiPolygon), GCJ-02.
    pub boundary: serde_json::Value,
}

/// `POST /api/v1/regions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRegionRequest {
    /// Parent region (required for every level below district).
    pub parent_id: Option<Uuid>,
    /// Level.
    pub level: RegionLevel,
    /// Administrative code, unique.
    pub code: String,
    /// Name.
    pub name: String,
    /// GeoJSON geometry: Polygon or MultiPolygon; holes allowed.
    pub boundary: serde_json::Value,
    /// System of the boundary's coordinates; default `gcj02`.
    pub coord_system: Option<CoordSystem>,
}

/// `PATCH /api/v1/regions/{id}`: fields to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRegionRequest {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New boundary (GeoJSON geometry).
    pub boundary: Option<serde_json::Value>,
    /// System of the new boundary; default `gcj02`.
    pub coord_system: Option<CoordSystem>,
}

/// A routing rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleView {
    /// Rule id.
    pub id: Uuid,
    /// Category code.
    pub category: String,
    /// Region the rule covers (with everything below it).
    pub region_id: Uuid,
    /// Receiving department.
    pub department_id: Uuid,
    /// Why the rule exists.
    pub note: String,
}

/// `POST /api/v1/routing-rules`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoutingRuleRequest {
    /// Category code.
    pub category: String,
    /// Region.
    pub region_id: Uuid,
    /// Receiving department.
    pub department_id: Uuid,
    /// Why the rule exists.
    #[serde(default)]
    pub note: String,
}

/// `PATCH /api/v1/routing-rules/{id}`: fields to change (the category and region are the rule's
/// key; to move a rule, delete it and add another).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoutingRuleRequest {
    /// Receiving department.
    pub department_id: Option<Uuid>,
    /// Why the rule exists.
    pub note: Option<String>,
}

/// A grid worker's assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct GridAssignmentView {
    /// Assignment id.
    pub id: Uuid,
    /// The grid worker.
    pub user_id: Uuid,
    /// The grid.
    pub grid_id: Uuid,
    /// On duty now.
    pub on_duty: bool,
}

/// `GET /api/v1/grid-assignments` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListGridAssignmentsQuery {
    /// Only this grid.
    pub grid_id: Option<Uuid>,
    /// Only this worker.
    pub user_id: Option<Uuid>,
}

/// `POST /api/v1/grid-assignments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGridAssignmentRequest {
    /// A user holding the `grid_worker` role.
    pub user_id: Uuid,
    /// A region of level `grid`.
    pub grid_id: Uuid,
    /// On duty now; default true.
    pub on_duty: Option<bool>,
}

/// `PATCH /api/v1/grid-assignments/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGridAssignmentRequest {
    /// On duty now.
    pub on_duty: bool,
}
