//! Ticket use cases: report (route, number, event, outbox and photos in one transaction, safe to
//! retry), moves (the pure workflow decides; the row is written only if its version is unchanged,
//! with its event and outbox rows, in `act`), the ticket view and its history (`view`), and following.

mod act;
mod view;

pub use act::{act, follow, workflow_error};
pub use view::{allowed_for, build_view, co_departments, escalation, events, get, visible_row};
use view::{is_follower, view_of, Seen};

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use entity::{media, ticket};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    TransactionTrait, TryIntoModel,
};
use serde::Serialize;
use uuid::Uuid;

use super::{
    access::Viewer,
    command::MAX_MEDIA,
    dto::{Channel, DuplicateCandidate, EvidenceFlag, PositionInput, SubmitTicketRequest, SubmitTicketResponse},
    duplicates::{self, Search},
    evidence::{self, PhotoFacts, Thresholds},
    number,
    sla::{SlaPolicy, WorkCalendar},
    status::{Action, ActorRole, TicketStatus, Urgency},
    store,
    workflow::{self, Actor, NewTicket, Routing, TicketState},
};
use crate::{
    error::{ApiError, FieldError},
    geo::{
        point::{CoordSystem, GeoPoint},
        region::RegionLevel,
        service::{active_category, position, route_hazard, Load, Position},
    },
    idempotency::{self, Begin, IdempotencyKey},
    state::AppState,
};

/// A retried request's key and fingerprint.
#[derive(Debug, Clone)]
pub struct Retry {
    /// The client's key.
    pub key: IdempotencyKey,
    /// Fingerprint of method, path and body.
    pub hash: String,
}

/// An answer, fresh or replayed.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
    /// Whether it is the saved answer to an earlier request with the same key.
    pub replayed: bool,
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message)])
}

fn not_found() -> ApiError {
    ApiError::not_found("ticket_not_found", "no such ticket")
}

/// The deadline policy and calendar in force (checked at start-up).
pub fn policy(state: &AppState) -> Result<(SlaPolicy, WorkCalendar), ApiError> {
    state.settings().tickets.policy().map_err(|e| ApiError::internal(anyhow::anyhow!("tickets policy: {e}")))
}

fn thresholds(state: &AppState) -> Thresholds {
    let t = &state.settings().tickets;
    Thresholds { radius_m: t.evidence_radius_m, max_age_hours: t.evidence_max_age_hours }
}

fn parse_position(state: &AppState, p: &PositionInput) -> Result<Position, ApiError> {
    position(p.lat, p.lng, p.coord_system.unwrap_or(state.settings().geo.default_coord_system))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::internal(e.into()))
}

/// Runs `begin` for a retry inside `txn`; `Some(answer)` when the request was answered before.
pub(super) async fn replayed(
    txn: &DatabaseTransaction,
    user: Uuid,
    retry: Option<&Retry>,
    now: DateTime<Utc>,
) -> Result<Option<Answer>, ApiError> {
    let Some(retry) = retry else { return Ok(None) };
    match idempotency::begin(txn, user, &retry.key, &retry.hash, now).await? {
        Begin::Fresh => Ok(None),
        Begin::Replay { status, body } => Ok(Some(Answer { status, body, replayed: true })),
    }
}

pub(super) async fn finish(
    txn: DatabaseTransaction,
    user: Uuid,
    retry: Option<&Retry>,
    status: StatusCode,
    body: String,
    now: DateTime<Utc>,
) -> Result<Answer, ApiError> {
    if let Some(retry) = retry {
        idempotency::complete(&txn, user, &retry.key, status.as_u16(), &body, now).await?;
    }
    txn.commit().await?;
    Ok(Answer { status: status.as_u16(), body, replayed: false })
}

/// Photos a user may attach: theirs, not used by another ticket.
async fn own_photos<C: ConnectionTrait>(
    db: &C,
    owner: Uuid,
    ids: &[Uuid],
    ticket_id: Option<Uuid>,
    field: &str,
) -> Result<Vec<media::Model>, ApiError> {
    if ids.len() > MAX_MEDIA {
        return Err(invalid(field, "too_many_media", format!("at most {MAX_MEDIA} photos")));
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = media::Entity::find().filter(media::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    for id in ids {
        let ok = rows
            .iter()
            .find(|m| m.id == *id)
            .is_some_and(|m| m.uploader_id == owner && (m.ticket_id.is_none() || m.ticket_id == ticket_id));
        if !ok {
            return Err(invalid(field, "media_not_found", format!("photo {id} is not one of your unused uploads")));
        }
    }
    Ok(rows)
}

async fn attach_photos<C: ConnectionTrait>(db: &C, ticket_id: Uuid, photos: &[media::Model]) -> Result<(), ApiError> {
    if photos.is_empty() {
        return Ok(());
    }
    let res = media::Entity::update_many()
        .col_expr(media::Column::TicketId, Expr::value(ticket_id))
        .filter(media::Column::Id.is_in(photos.iter().map(|m| m.id)))
        .filter(media::Column::TicketId.is_null().or(media::Column::TicketId.eq(ticket_id)))
        .exec(db)
        .await?;
    if res.rows_affected != photos.len() as u64 {
        return Err(ApiError::conflict("media_in_use", "a photo was attached to another ticket meanwhile"));
    }
    Ok(())
}

fn facts(photos: &[media::Model]) -> Vec<PhotoFacts> {
    photos
        .iter()
        .map(|m| PhotoFacts {
            id: m.id,
            gps: m.gps_lat.zip(m.gps_lng).and_then(|(lat, lng)| GeoPoint::parse(lat, lng).ok()),
            taken_at: m.taken_at,
        })
        .collect()
}

fn wgs(row: &ticket::Model) -> Option<GeoPoint> {
    GeoPoint::parse(row.wgs_lat, row.wgs_lng).ok()
}

fn merge_flags(row: &ticket::Model, new: Vec<EvidenceFlag>) -> Option<String> {
    if new.is_empty() {
        return None;
    }
    let mut flags: Vec<EvidenceFlag> = serde_json::from_str(&row.flags).unwrap_or_default();
    flags.extend(new);
    serde_json::to_string(&flags).ok()
}

use sea_orm::QuerySelect;

/// Reports a hazard. Answers 201 with the ticket, possible duplicates and, for emergencies, whom to
/// call first. With a retry key, a repeat gets the first answer and creates nothing.
pub async fn submit(
    state: &AppState,
    viewer: &Viewer,
    req: SubmitTicketRequest,
    channel_override: Option<Channel>,
    retry: Option<&Retry>,
) -> Result<Answer, ApiError> {
    let settings = &state.settings().tickets;
    // Whole microseconds, as PostgreSQL stores them: the answer is built from what is written.
    let now = state.clock().now();
    let description = req.description.trim().to_owned();
    if description.is_empty() {
        return Err(invalid("description", "blank", "describe the hazard"));
    }
    if description.chars().count() > settings.max_description_chars {
        return Err(invalid(
            "description",
            "too_long",
            format!("at most {} characters", settings.max_description_chars),
        ));
    }
    let address = req.address.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
    if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
        return Err(invalid("address", "too_long", "at most 200 characters"));
    }
    let channel = match (channel_override, req.channel.unwrap_or(Channel::App)) {
        (Some(forced), _) => forced,
        (None, Channel::App) => Channel::App,
        (None, Channel::Staff) if viewer.is_staff() => Channel::Staff,
        (None, Channel::Staff) => {
            return Err(invalid("channel", "staff_only", "only staff report on the `staff` channel"))
        }
        (None, other) => {
            return Err(invalid(
                "channel",
                "not_allowed",
                format!("`{}` reports arrive through their own endpoint", other.as_str()),
            ))
        }
    };
    if active_category(state, &req.category).await?.is_none() {
        return Err(invalid("category", "unknown_category", format!("no active category `{}`", req.category)));
    }
    let at = parse_position(state, &req.location)?;
    let mut photo_ids = Vec::new();
    for id in &req.photos {
        if !photo_ids.contains(id) {
            photo_ids.push(*id);
        }
    }
    let photos = own_photos(state.db(), viewer.id, &photo_ids, None, "photos").await?;
    let urgency = req.urgency.unwrap_or(Urgency::Normal);

    // Routing offers the check to the least loaded grid worker on duty first.
    let checking = [TicketStatus::Assigned.as_str(), TicketStatus::Verifying.as_str()];
    let phashes: Vec<u64> = photos.iter().map(|m| u64::from_ne_bytes(m.phash.to_ne_bytes())).collect();
    let search = Search {
        radius_m: settings.duplicate_radius_m,
        window_days: settings.duplicate_window_days,
        phash_max_distance: settings.duplicate_phash_max_distance,
    };
    // The two reads are independent: run them at once, on two connections.
    let (decision, possible_duplicates): (_, Vec<DuplicateCandidate>) =
        futures_util::try_join!(route_hazard(state, &req.category, &at, Load::OpenIn(&checking)), async {
            duplicates::find(state.db(), &req.category, at.gcj02, &phashes, None, now, search)
                .await
                .map_err(ApiError::from)
        },)?;
    let flags = evidence::check_photos(&facts(&photos), at.wgs84, Action::Submit, now, thresholds(state));
    let (policy, calendar) = policy(state)?;

    let id = Uuid::now_v7();
    let actor = Actor { user_id: viewer.id, role: ActorRole::Reporter, department_id: None };
    let limits = settings.rectification_limit_days;
    let routing = Routing {
        department_id: decision.department.as_ref().map(|d| d.id),
        grid_workers: decision.grid_workers.iter().map(|w| w.user_id).collect(),
    };
    let transition = workflow::submit(&NewTicket { id, urgency, routing, limits }, &actor, now);
    let chain = &decision.region_chain;
    let region_path = if chain.is_empty() {
        "/".to_owned()
    } else {
        format!("/{}/", chain.iter().rev().map(|r| r.id.to_string()).collect::<Vec<_>>().join("/"))
    };
    let routing_json = serde_json::json!({
        "outcome": decision.outcome,
        "matched": decision.matched,
        "reason": decision.reason,
        "near_border": decision.near_border.is_some(),
    });
    let mut row = ticket::ActiveModel {
        id: Set(id),
        number: Set(number::provisional(id)),
        channel: Set(channel.as_str().to_owned()),
        reporter_id: Set(viewer.id),
        anonymous: Set(req.anonymous),
        category: Set(req.category.clone()),
        description: Set(description),
        lat: Set(at.gcj02.lat()),
        lng: Set(at.gcj02.lng()),
        wgs_lat: Set(at.wgs84.lat()),
        wgs_lng: Set(at.wgs84.lng()),
        coord_system: Set(coord_name(at.coord_system).to_owned()),
        address: Set(address),
        region_id: Set(chain.first().map(|r| r.id)),
        region_path: Set(region_path),
        grid_id: Set(chain.iter().find(|r| r.level == RegionLevel::Grid).map(|r| r.id)),
        routing: Set(routing_json.to_string()),
        follower_count: Set(0),
        rating: Set(None),
        rating_comment: Set(None),
        rated_at: Set(None),
        first_verified_at: Set(None),
        first_accepted_at: Set(None),
        first_rectified_at: Set(None),
        last_rectified_at: Set(None),
        first_closed_at: Set(None),
        escalation_count: Set(0),
        flags: Set(to_json(&flags)?),
        created_at: Set(now),
        ..Default::default()
    };
    store::write_state(&mut row, None, &transition.state, now, &policy, &calendar);
    let mut saved: ticket::Model = row.clone().try_into_model()?;
    let mut event = transition.event.clone();
    event.media = photo_ids.clone();
    let event_row = store::event_row(Uuid::now_v7(), id, transition.state.version, &event);
    let due = store::step_deadline(&transition.state, now, &policy, &calendar);
    let (event_id, shown_event) = (event_row.id, (event_row.action.clone(), event_row.media.clone()));
    let advice = (urgency == Urgency::Emergency).then(|| EMERGENCY_ADVICE.to_owned());

    // Nothing but writes from here to the commit; the number last (see `number`).
    let txn = state.db().begin().await?;
    if let Some(answer) = replayed(&txn, viewer.id, retry, now).await? {
        txn.rollback().await?;
        return Ok(answer);
    }
    ticket::Entity::insert(row).exec_without_returning(&txn).await?;
    store::insert_event(&txn, event_row).await?;
    // Special campaigns (专项整治) covering the place, category and moment; one statement.
    let chain_ids: Vec<Uuid> = chain.iter().map(|r| r.id).collect();
    crate::campaigns::store::tag_new_ticket(&txn, id, &req.category, &chain_ids, now).await?;
    attach_photos(&txn, id, &photos).await?;
    let number = number::assign(&txn, id, now).await?;
    let payload = notice_payload(number.as_str(), &req.category, &transition.state, Action::Submit, due);
    store::insert_notices(&txn, id, event_id, &transition.notifications, &payload, now).await?;
    // The view of what was just written: no followers or co-handling departments yet, the submit
    // event, the attached photos.
    saved.number = number.to_string();
    let attached = photos.into_iter().map(|m| (m.id, media::Model { ticket_id: Some(id), ..m })).collect();
    let seen = Seen { following: false, co_departments: Vec::new(), events: vec![shown_event], media: attached };
    let view = view_of(state, viewer, &saved, seen)?;
    let body = to_json(&SubmitTicketResponse { ticket: view, possible_duplicates, advice })?;
    let answer = finish(txn, viewer.id, retry, StatusCode::CREATED, body, now).await?;
    crate::notifications::wake(state).await;
    super::live::changed(state, None, &saved, Action::Submit.as_str()).await;
    tracing::info!(ticket.id = %id, ticket.number = %number, status = %transition.state.status, "ticket reported");
    Ok(answer)
}

/// What a resident reporting an emergency is told before anything else.
pub const EMERGENCY_ADVICE: &str =
    "如有危险，请先拨打119（火警、救援、被困）、110（治安、交通事故）或120（受伤、中毒），并远离危险区域。";

fn coord_name(c: CoordSystem) -> &'static str {
    match c {
        CoordSystem::Gcj02 => "gcj02",
        CoordSystem::Wgs84 => "wgs84",
    }
}

/// What the notices of a move carry: enough for `notifications::texts` to word them without
/// reading the ticket again (`due_at` is the deadline of the step the ticket now waits on).
fn notice_payload(
    number: &str,
    category: &str,
    state: &TicketState,
    action: Action,
    due_at: Option<DateTime<Utc>>,
) -> serde_json::Value {
    serde_json::json!({
        "number": number,
        "category": category,
        "status": state.status,
        "status_label": state.status.resident_label(),
        "action": action,
        "urgency": state.urgency,
        "due_at": due_at,
        "rectification_deadline": state.rectification_deadline,
        "rejection": state.rejection.map(|r| r.resident_label()),
    })
}
