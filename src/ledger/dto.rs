//! Wire types of the ledger export and the map feed. Filters arrive as text and are parsed by the
//! ticket list's parser (`tickets::query`), so a bad value is refused the same way, naming it.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::tickets::{
    dto::ListTicketsQuery,
    status::{TicketStatus, Urgency},
};

/// `GET /api/v1/ledger.csv` and `GET /api/v1/ledger.xlsx`: the ticket list's filters.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// Statuses, comma-separated, e.g. `rectifying,awaiting_check`.
    pub status: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// `emergency`, `urgent` or `normal`.
    pub urgency: Option<String>,
    /// `general` (一般隐患) or `major` (重大隐患).
    pub hazard_level: Option<String>,
    /// Responsible department.
    #[param(value_type = Option<Uuid>)]
    pub department_id: Option<String>,
    /// A region and everything below it.
    #[param(value_type = Option<Uuid>)]
    pub region_id: Option<String>,
    /// A grid.
    #[param(value_type = Option<Uuid>)]
    pub grid_id: Option<String>,
    /// Only tickets of this campaign (专项整治).
    #[param(value_type = Option<Uuid>)]
    pub campaign_id: Option<String>,
    /// Only overdue (`true`) or only on time (`false`) now.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Reported at or after (RFC 3339): the period's start.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub from: Option<String>,
    /// Reported before (RFC 3339): the period's end.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub to: Option<String>,
    /// Text in the description, number or address.
    pub q: Option<String>,
}

impl From<LedgerQuery> for ListTicketsQuery {
    fn from(q: LedgerQuery) -> Self {
        ListTicketsQuery {
            status: q.status,
            category: q.category,
            urgency: q.urgency,
            hazard_level: q.hazard_level,
            department_id: q.department_id,
            region_id: q.region_id,
            grid_id: q.grid_id,
            campaign_id: q.campaign_id,
            overdue: q.overdue,
            from: q.from,
            to: q.to,
            q: q.q,
            ..Default::default()
        }
    }
}

/// `GET /api/v1/tickets.geojson`: the ledger's filters plus the map window and size.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// `minLng,minLat,maxLng,maxLat` in GCJ-02 (default: all of China).
    pub bbox: Option<String>,
    /// Most features answered (default and maximum from `ledger.map_*_limit`); more matching
    /// tickets are answered as clusters.
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    /// Coordinates of the answer: `gcj02` (default; AMap, Tencent, WeChat) or `wgs84`.
    pub coord_system: Option<String>,
    /// Statuses, comma-separated.
    pub status: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// `emergency`, `urgent` or `normal`.
    pub urgency: Option<String>,
    /// `general` or `major`.
    pub hazard_level: Option<String>,
    /// Responsible department.
    #[param(value_type = Option<Uuid>)]
    pub department_id: Option<String>,
    /// A region and everything below it.
    #[param(value_type = Option<Uuid>)]
    pub region_id: Option<String>,
    /// A grid.
    #[param(value_type = Option<Uuid>)]
    pub grid_id: Option<String>,
    /// Only tickets of this campaign.
    #[param(value_type = Option<Uuid>)]
    pub campaign_id: Option<String>,
    /// Only overdue (`true`) or only on time (`false`).
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Reported at or after (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub from: Option<String>,
    /// Reported before (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub to: Option<String>,
}

impl From<MapQuery> for ListTicketsQuery {
    fn from(q: MapQuery) -> Self {
        ListTicketsQuery {
            status: q.status,
            category: q.category,
            urgency: q.urgency,
            hazard_level: q.hazard_level,
            department_id: q.department_id,
            region_id: q.region_id,
            grid_id: q.grid_id,
            campaign_id: q.campaign_id,
            overdue: q.overdue,
            from: q.from,
            to: q.to,
            ..Default::default()
        }
    }
}

/// A GeoJSON FeatureCollection of tickets or clusters.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapFeed {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    /// `true` when tickets were aggregated into grid cells because more matched than the limit.
    pub clustered: bool,
    /// Tickets matching (all of them, also when clustered).
    pub total: u64,
    /// Side of a cluster cell in degrees (clustered answers only).
    pub cell_deg: Option<f64>,
    /// Coordinate system of every position: `gcj02` or `wgs84`.
    pub coord_system: String,
    /// Points: one per ticket, or one per non-empty cell.
    pub features: Vec<MapFeature>,
}

/// One point feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    /// A GeoJSON Point.
    pub geometry: MapPoint,
    /// What the point stands for.
    pub properties: MapProperties,
}

/// A GeoJSON Point: `[lng, lat]`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MapPoint {
    /// Always `Point`.
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    /// Longitude, latitude.
    pub coordinates: [f64; 2],
}

/// A ticket or a cluster of tickets.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MapProperties {
    /// One ticket.
    Ticket(TicketPoint),
    /// Several tickets in one grid cell.
    Cluster(ClusterPoint),
}

/// The properties of a ticket on the map.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketPoint {
    /// Ticket id.
    pub id: Uuid,
    /// Human number.
    pub number: String,
    /// Status.
    pub status: TicketStatus,
    /// Category code.
    pub category: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Whole hours since it was reported.
    pub age_hours: i64,
    /// Whether its current step is overdue.
    pub overdue: bool,
}

/// The properties of a cluster: counts of what it holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClusterPoint {
    /// Always true.
    pub cluster: bool,
    /// Tickets in the cell.
    pub count: u64,
    /// Of which overdue.
    pub overdue: u64,
    /// Counts per status.
    pub statuses: std::collections::BTreeMap<String, u64>,
    /// Counts per category code.
    pub categories: std::collections::BTreeMap<String, u64>,
    /// Counts per urgency.
    pub urgencies: std::collections::BTreeMap<String, u64>,
    /// Age of the oldest ticket in whole hours.
    pub max_age_hours: i64,
}
