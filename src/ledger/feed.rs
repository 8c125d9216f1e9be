//! The map feed: tickets in the caller's scope inside a window, as GeoJSON points, or, when more
//! match than the limit, as one point per grid cell (`map`) with the counts of what it holds.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::ticket;
use futures_util::TryStreamExt;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{
    dto::{ClusterPoint, MapFeature, MapFeed, MapPoint, MapProperties, MapQuery, TicketPoint},
    map::{cell_centre, cell_of, cell_size, BBox, Tally},
};
use crate::{
    error::{ApiError, FieldError},
    geo::point::{CoordSystem, GeoPoint},
    state::AppState,
    tickets::{
        access::Viewer,
        dto::ListTicketsQuery,
        query::{condition, Filters, ListParams},
        status::{TicketStatus, Urgency},
    },
};

/// A parsed map request.
#[derive(Debug, Clone)]
pub struct MapParams {
    /// The list's filters.
    pub filters: Filters,
    /// The window (GCJ-02).
    pub bbox: BBox,
    /// Most features.
    pub limit: u64,
    /// Coordinates of the answer.
    pub coord_system: CoordSystem,
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::bad_request("invalid_query", format!("{field}: {message}"))
        .with_fields(vec![FieldError::new(field, "invalid", message)])
}

impl MapParams {
    /// Parses a request against the configured limits.
    pub fn parse(raw: MapQuery, default_limit: u64, max_limit: u64) -> Result<Self, ApiError> {
        let bbox = match raw.bbox.as_deref().map(str::trim) {
            None => BBox::CHINA,
            Some(text) => BBox::parse(text).map_err(|m| bad("bbox", m))?,
        };
        let limit = match raw.limit.as_deref().map(str::trim) {
            None => default_limit,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=max_limit).contains(n))
                .ok_or_else(|| bad("limit", format!("expected a whole number from 1 to {max_limit}")))?,
        };
        let coord_system = match raw.coord_system.as_deref().map(str::trim) {
            None | Some("gcj02") => CoordSystem::Gcj02,
            Some("wgs84") => CoordSystem::Wgs84,
            Some(_) => return Err(bad("coord_system", "expected `gcj02` or `wgs84`")),
        };
        let list = ListParams::try_from(ListTicketsQuery::from(raw))?;
        Ok(Self { filters: list.filters, bbox, limit, coord_system })
    }
}

fn point(lng: f64, lat: f64, properties: MapProperties) -> MapFeature {
    MapFeature { kind: "Feature", geometry: MapPoint { kind: "Point", coordinates: [lng, lat] }, properties }
}

fn age_hours(now: DateTime<Utc>, created: DateTime<Utc>) -> i64 {
    (now - created).num_hours().max(0)
}

type Row = (Uuid, String, String, String, String, f64, f64, f64, f64, bool, DateTime<Utc>);

/// The map feed for `viewer`.
pub async fn map(state: &AppState, viewer: &Viewer, p: &MapParams) -> Result<MapFeed, ApiError> {
    use ticket::Column as T;
    let now = state.clock().now();
    let b = p.bbox;
    let filter = Condition::all()
        .add(condition(viewer, &p.filters))
        .add(T::Lng.between(b.min_lng, b.max_lng))
        .add(T::Lat.between(b.min_lat, b.max_lat));
    let total = ticket::Entity::find().filter(filter.clone()).count(state.db()).await?;
    let select = ticket::Entity::find()
        .select_only()
        .columns([
            T::Id,
            T::Number,
            T::Status,
            T::Category,
            T::Urgency,
            T::Lng,
            T::Lat,
            T::WgsLng,
            T::WgsLat,
            T::Overdue,
            T::CreatedAt,
        ])
        .filter(filter);
    let coord_system = match p.coord_system {
        CoordSystem::Gcj02 => "gcj02",
        CoordSystem::Wgs84 => "wgs84",
    };
    if total <= p.limit {
        let rows: Vec<Row> =
            select.order_by_desc(T::CreatedAt).order_by_desc(T::Id).limit(p.limit).into_tuple().all(state.db()).await?;
        let mut features = Vec::with_capacity(rows.len());
        for (id, number, status, category, urgency, lng, lat, wgs_lng, wgs_lat, overdue, created) in rows {
            let (x, y) = match p.coord_system {
                CoordSystem::Gcj02 => (lng, lat),
                CoordSystem::Wgs84 => (wgs_lng, wgs_lat),
            };
            let properties = TicketPoint {
                id,
                number,
                status: TicketStatus::parse(&status).map_err(|e| ApiError::internal(e.into()))?,
                category,
                urgency: Urgency::parse(&urgency).map_err(|e| ApiError::internal(e.into()))?,
                age_hours: age_hours(now, created),
                overdue,
            };
            features.push(point(x, y, MapProperties::Ticket(properties)));
        }
        return Ok(MapFeed {
            kind: "FeatureCollection",
            clustered: false,
            total,
            cell_deg: None,
            coord_system: coord_system.to_owned(),
            features,
        });
    }
    // More than fit: count per cell while streaming, holding one tally per non-empty cell.
    let size = cell_size(b, p.limit);
    let mut cells: BTreeMap<(i64, i64), Tally> = BTreeMap::new();
    let mut rows = select.into_tuple::<Row>().stream(state.db()).await?;
    while let Some((_, _, status, category, urgency, lng, lat, _, _, overdue, created)) = rows.try_next().await? {
        cells.entry(cell_of(lng, lat, size)).or_default().add(
            &status,
            &category,
            &urgency,
            overdue,
            age_hours(now, created),
        );
    }
    drop(rows);
    let features = cells
        .into_iter()
        .map(|(cell, t)| {
            let (lng, lat) = cell_centre(cell, size);
            let (x, y) = match (p.coord_system, GeoPoint::parse(lat, lng)) {
                (CoordSystem::Wgs84, Ok(at)) => {
                    let w = at.gcj02_to_wgs84();
                    (w.lng(), w.lat())
                }
                _ => (lng, lat),
            };
            let properties = ClusterPoint {
                cluster: true,
                count: t.count,
                overdue: t.overdue,
                statuses: t.statuses,
                categories: t.categories,
                urgencies: t.urgencies,
                max_age_hours: t.max_age_hours,
            };
            point(x, y, MapProperties::Cluster(properties))
        })
        .collect();
    Ok(MapFeed {
        kind: "FeatureCollection",
        clustered: true,
        total,
        cell_deg: Some(size),
        coord_system: coord_system.to_owned(),
        features,
    })
}
