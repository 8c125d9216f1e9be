//! Possible duplicates of a new report: open tickets of the same category within a radius and a
//! time window, or any open ticket in the window with a near-identical photo (perceptual hash).

use chrono::{DateTime, TimeDelta, Utc};
use entity::{media, ticket};
use sea_orm::{sea_query::Query, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{dto::DuplicateCandidate, status::TicketStatus};
use crate::{geo::point::GeoPoint, media::phash::hamming};

/// Most candidates returned.
pub const MAX_CANDIDATES: usize = 5;

/// How to look.
#[derive(Debug, Clone, Copy)]
pub struct Search {
    /// Metres.
    pub radius_m: f64,
    /// Days back.
    pub window_days: u32,
    /// Most differing bits for a near-identical photo.
    pub phash_max_distance: u32,
}

const OPEN: [TicketStatus; 6] = [
    TicketStatus::Unrouted,
    TicketStatus::Assigned,
    TicketStatus::Verifying,
    TicketStatus::Confirmed,
    TicketStatus::Rectifying,
    TicketStatus::AwaitingCheck,
];

/// Open statuses as stored.
pub fn open_statuses() -> impl Iterator<Item = &'static str> {
    OPEN.iter().map(|s| s.as_str())
}

/// Finds candidates for a report of `category` at `place` (GCJ-02) with photo hashes `phashes`,
/// nearest first, photo matches before others at equal distance.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    category: &str,
    place: GeoPoint,
    phashes: &[u64],
    exclude: Option<Uuid>,
    now: DateTime<Utc>,
    search: Search,
) -> Result<Vec<DuplicateCandidate>, DbErr> {
    let since = now - TimeDelta::days(i64::from(search.window_days));
    // A degree of latitude is 111 km everywhere; of longitude, less by cos(lat).
    let dlat = search.radius_m / 111_000.0;
    let dlng = search.radius_m / (111_000.0 * place.lat().to_radians().cos().max(0.01));
    let mut rows = ticket::Entity::find()
        .filter(ticket::Column::Category.eq(category))
        .filter(ticket::Column::Status.is_in(open_statuses()))
        .filter(ticket::Column::CreatedAt.gte(since))
        .filter(ticket::Column::Lat.between(place.lat() - dlat, place.lat() + dlat))
        .filter(ticket::Column::Lng.between(place.lng() - dlng, place.lng() + dlng))
        .limit(200)
        .all(db)
        .await?;
    let mut similar: Vec<Uuid> = Vec::new();
    if !phashes.is_empty() {
        let photos: Vec<(Uuid, i64)> = media::Entity::find()
            .select_only()
            .column(media::Column::TicketId)
            .column(media::Column::Phash)
            .filter(
                media::Column::TicketId.in_subquery(
                    Query::select()
                        .column(ticket::Column::Id)
                        .from(ticket::Entity)
                        .and_where(ticket::Column::Status.is_in(open_statuses()))
                        .and_where(ticket::Column::CreatedAt.gte(since))
                        .to_owned(),
                ),
            )
            .into_tuple::<(Option<Uuid>, i64)>()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(t, h)| t.map(|t| (t, h)))
            .collect();
        for (ticket_id, stored) in photos {
            let stored = u64::from_ne_bytes(stored.to_ne_bytes());
            if phashes.iter().any(|h| hamming(*h, stored) <= search.phash_max_distance) && !similar.contains(&ticket_id)
            {
                similar.push(ticket_id);
            }
        }
        let missing: Vec<Uuid> = similar.iter().copied().filter(|id| !rows.iter().any(|r| r.id == *id)).collect();
        if !missing.is_empty() {
            rows.extend(ticket::Entity::find().filter(ticket::Column::Id.is_in(missing)).all(db).await?);
        }
    }
    let mut out: Vec<DuplicateCandidate> = rows
        .into_iter()
        .filter(|r| Some(r.id) != exclude)
        .filter_map(|r| {
            let distance = GeoPoint::parse(r.lat, r.lng).ok()?.distance_m(place);
            let similar_photo = similar.contains(&r.id);
            if distance > search.radius_m && !similar_photo {
                return None;
            }
            let status = TicketStatus::parse(&r.status).ok()?;
            Some(DuplicateCandidate {
                id: r.id,
                number: r.number,
                category: r.category,
                status,
                status_label: status.resident_label().to_owned(),
                description: r.description,
                distance_m: distance.round(),
                similar_photo,
                created_at: r.created_at,
            })
        })
        .collect();
    out.sort_by(|a, b| b.similar_photo.cmp(&a.similar_photo).then(a.distance_m.total_cmp(&b.distance_m)));
    out.truncate(MAX_CANDIDATES);
    Ok(out)
}
