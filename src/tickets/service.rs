//! Ticket use cases: report (route, number, event, outbox and photos in one transaction, safe to
//! retry), moves (the pure workflow decides; the row is written only if its version is unchanged,
//! with its event and outbox rows), the ticket view, its history, and following.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::{DateTime, SubsecRound, Utc};
use entity::{department, media, ticket, ticket_department, ticket_event, ticket_follower, user_role};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    TransactionTrait, TryIntoModel,
};
use serde::Serialize;
use uuid::Uuid;

use super::{
    access::Viewer,
    command::{Command, RejectGround, MAX_MEDIA},
    dto::{
        ActionRequest, Channel, DuplicateCandidate, EventView, EvidenceFlag, LocationView, PendingView, Photos,
        PositionInput, StagePhoto, SubmitTicketRequest, SubmitTicketResponse, TicketView,
    },
    duplicates::{self, Search},
    evidence::{self, PhotoFacts, Thresholds},
    number,
    sla::{EscalationLevel, SlaPolicy, WorkCalendar},
    status::{Action, ActorRole, RejectionReason, TicketStatus, Urgency},
    store,
    workflow::{self, Actor, NewTicket, Routing, TicketState, WorkflowError},
};
use crate::{
    auth::Role,
    error::{ApiError, FieldError},
    geo::{
        dto::PointView,
        point::{CoordSystem, GeoPoint},
        region::RegionLevel,
        service::{active_category, position, route_hazard, Load, Position},
    },
    idempotency::{self, Begin, IdempotencyKey},
    media::query::view as media_view,
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
async fn replayed(
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

async fn finish(
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
    let now = state.clock().now().trunc_subsecs(6);
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
    ticket_event::Entity::insert(event_row.into_active_model()).exec_without_returning(&txn).await?;
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

/// The ticket row if the viewer may see it, else 404.
pub async fn visible_row<C: ConnectionTrait>(db: &C, viewer: &Viewer, id: Uuid) -> Result<ticket::Model, ApiError> {
    let row = ticket::Entity::find_by_id(id).one(db).await?.ok_or_else(not_found)?;
    let follows = is_follower(db, id, viewer.id).await?;
    let co = co_departments(db, id).await?;
    if viewer.can_see(&row, follows, &co) {
        Ok(row)
    } else {
        Err(not_found())
    }
}

async fn is_follower<C: ConnectionTrait>(db: &C, ticket_id: Uuid, user: Uuid) -> Result<bool, ApiError> {
    Ok(ticket_follower::Entity::find_by_id((ticket_id, user)).one(db).await?.is_some())
}

/// The co-handling departments of a ticket.
pub async fn co_departments<C: ConnectionTrait>(db: &C, ticket_id: Uuid) -> Result<Vec<Uuid>, ApiError> {
    Ok(ticket_department::Entity::find()
        .filter(ticket_department::Column::TicketId.eq(ticket_id))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.department_id)
        .collect())
}

fn stage(action: &str) -> Option<(&'static str, bool)> {
    Some(match action {
        "submit" => ("report", false),
        "confirm" => ("verification", false),
        "resolve_on_spot" | "complete" => ("rectification", true),
        "pass" | "fail" => ("check", true),
        "reopen" => ("reopen", false),
        _ => return None,
    })
}

/// The allowed actions of the viewer on a ticket, across the capacities they hold.
pub fn allowed_for(viewer: &Viewer, row: &ticket::Model, ticket: &TicketState, now: DateTime<Utc>) -> Vec<Action> {
    let mut all: Vec<Action> = Vec::new();
    for actor in viewer.actors(row) {
        for action in workflow::allowed_actions_at(ticket, &actor, now) {
            if !all.contains(&action) {
                all.push(action);
            }
        }
    }
    all.sort();
    all
}

/// What a ticket's view shows besides its row.
struct Seen {
    /// Whether the viewer follows the ticket.
    following: bool,
    /// Co-handling departments.
    co_departments: Vec<Uuid>,
    /// `(action, media ids as JSON)` of every event, oldest first.
    events: Vec<(String, String)>,
    /// The ticket's photos by id.
    media: HashMap<Uuid, media::Model>,
}

/// The ticket as `viewer` may see it.
pub async fn build_view<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    viewer: &Viewer,
    row: &ticket::Model,
) -> Result<TicketView, ApiError> {
    let following = is_follower(db, row.id, viewer.id).await?;
    let co_departments = co_departments(db, row.id).await?;
    let events: Vec<(String, String)> = ticket_event::Entity::find()
        .select_only()
        .column(ticket_event::Column::Action)
        .column(ticket_event::Column::Media)
        .filter(ticket_event::Column::TicketId.eq(row.id))
        .order_by_asc(ticket_event::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let media_rows: HashMap<Uuid, media::Model> = media::Entity::find()
        .filter(media::Column::TicketId.eq(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    view_of(state, viewer, row, Seen { following, co_departments, events, media: media_rows })
}

/// The view of `row` with what else it shows, loaded or known.
fn view_of(state: &AppState, viewer: &Viewer, row: &ticket::Model, seen: Seen) -> Result<TicketView, ApiError> {
    let ticket = store::state_of(row)?;
    let now = state.clock().now();
    let Seen { following, co_departments: co, events, media: media_rows } = seen;
    // Staff who merely reported or follow the ticket see it as a resident would.
    let staff = viewer.handles(row, &co);
    let mut photos = Photos::default();
    for (action, media) in events {
        let Some((stage, after)) = stage(&action) else { continue };
        let ids: Vec<Uuid> = serde_json::from_str(&media).unwrap_or_default();
        for id in ids {
            if let Some(m) = media_rows.get(&id) {
                let photo = StagePhoto { stage: stage.to_owned(), media: media_view(state, m) };
                if after {
                    photos.after.push(photo);
                } else {
                    photos.before.push(photo);
                }
            }
        }
    }
    let point = |lat, lng| PointView { lat, lng };
    let routing_reason = staff
        .then(|| serde_json::from_str::<serde_json::Value>(&row.routing).ok())
        .flatten()
        .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(str::to_owned));
    Ok(TicketView {
        id: row.id,
        number: row.number.clone(),
        version: row.version,
        status: ticket.status,
        status_label: if staff { ticket.status.staff_label() } else { ticket.status.resident_label() }.to_owned(),
        channel: row.channel.clone(),
        category: row.category.clone(),
        description: row.description.clone(),
        urgency: ticket.urgency,
        hazard_level: ticket.hazard_level,
        location: LocationView {
            gcj02: point(row.lat, row.lng),
            wgs84: point(row.wgs_lat, row.wgs_lng),
            coord_system: if row.coord_system == "wgs84" { CoordSystem::Wgs84 } else { CoordSystem::Gcj02 },
            address: row.address.clone(),
            region_id: row.region_id,
            grid_id: row.grid_id,
        },
        reporter_id: viewer.sees_reporter(row).then_some(row.reporter_id),
        anonymous: row.anonymous,
        department_id: row.department_id,
        grid_worker_id: row.grid_worker_id,
        co_departments: co,
        unrouted_reason: if staff { ticket.unrouted_reason } else { None },
        routing_reason,
        pending: if staff {
            ticket.pending.as_ref().map(|p| PendingView {
                request: p.kind,
                requested_by: p.requested_by,
                requested_at: p.requested_at,
                reason: p.reason.clone(),
            })
        } else {
            None
        },
        rectification_deadline: row.rectification_deadline,
        due_at: row.due_at,
        overdue: row.overdue,
        escalation_level: escalation(row.escalation_level),
        closed_at: row.closed_at,
        rejection: ticket.rejection,
        rejection_label: ticket.rejection.map(|r| r.resident_label().to_owned()),
        duplicate_of: row.duplicate_of,
        reopen_count: row.reopen_count,
        follower_count: row.follower_count,
        priority: row.priority,
        following,
        rating: row.rating,
        rating_comment: row.rating_comment.clone(),
        photos,
        flags: if staff { serde_json::from_str(&row.flags).unwrap_or_default() } else { Vec::new() },
        allowed_actions: allowed_for(viewer, row, &ticket, now),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The stored escalation number as a level.
pub fn escalation(level: i16) -> EscalationLevel {
    match level {
        i16::MIN..=0 => EscalationLevel::None,
        1 => EscalationLevel::RemindAssignee,
        2 => EscalationLevel::Dispatcher,
        _ => EscalationLevel::District,
    }
}

/// One ticket for the viewer.
pub async fn get(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<TicketView, ApiError> {
    let row = visible_row(state.db(), viewer, id).await?;
    build_view(state, state.db(), viewer, &row).await
}

/// The ticket's history, oldest first. Residents do not see who on the staff acted.
pub async fn events(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<Vec<EventView>, ApiError> {
    let row = visible_row(state.db(), viewer, id).await?;
    let staff = viewer.handles(&row, &co_departments(state.db(), id).await?);
    let rows = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(id))
        .order_by_asc(ticket_event::Column::Id)
        .all(state.db())
        .await?;
    rows.into_iter()
        .map(|e| {
            let own = e.actor_id == Some(viewer.id);
            let reporter_hidden = e.actor_id == Some(row.reporter_id) && !viewer.sees_reporter(&row);
            let actor_id = if (staff || own) && !reporter_hidden { e.actor_id } else { None };
            Ok(EventView {
                id: e.id,
                from: e
                    .from_status
                    .as_deref()
                    .map(TicketStatus::parse)
                    .transpose()
                    .map_err(|x| ApiError::internal(x.into()))?,
                to: TicketStatus::parse(&e.to_status).map_err(|x| ApiError::internal(x.into()))?,
                action: e.action,
                actor_id,
                actor_role: e.actor_role,
                at: e.at,
                note: e.note,
                media: serde_json::from_str(&e.media).unwrap_or_default(),
                deadline_from: e.deadline_from,
                deadline_to: e.deadline_to,
                detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
            })
        })
        .collect()
}

/// The API error for a refused move.
pub fn workflow_error(e: WorkflowError, allowed: Vec<Action>) -> ApiError {
    let code = e.code();
    let detail = e.to_string();
    match e {
        WorkflowError::NotAllowed { allowed, .. } => ApiError::conflict(code, detail)
            .with_allowed_actions(allowed.iter().map(|a| a.as_str().to_owned()).collect()),
        WorkflowError::RequestPending { .. } | WorkflowError::DisputeWindowClosed { .. } => {
            ApiError::conflict(code, detail)
                .with_allowed_actions(allowed.iter().map(|a| a.as_str().to_owned()).collect())
        }
        WorkflowError::PlanRequired | WorkflowError::PlanNotExpected => invalid("rectification", code, detail),
        WorkflowError::LevelRequired | WorkflowError::LevelMismatch { .. } => {
            invalid("rectification.level", code, detail)
        }
        WorkflowError::DeadlineNotInFuture { .. }
        | WorkflowError::DeadlineBeyondLimit { .. }
        | WorkflowError::ExtensionNotLater { .. }
        | WorkflowError::OutOfRange => invalid("deadline", code, detail),
        WorkflowError::SameDepartment => invalid("to_department", code, detail),
        WorkflowError::DuplicateOfItself => invalid("ground.ticket_id", code, detail),
        WorkflowError::Inconsistent(what) => ApiError::internal(anyhow::anyhow!("inconsistent ticket: {what}")),
    }
}

fn version_conflict(current: i64, allowed: &[Action]) -> ApiError {
    ApiError::conflict(
        "version_conflict",
        format!("the ticket changed meanwhile (now version {current}); reload it and try again"),
    )
    .with_allowed_actions(allowed.iter().map(|a| a.as_str().to_owned()).collect())
}

/// Checks what a command refers to: departments, grid workers, the kept ticket of a duplicate.
async fn check_references(
    state: &AppState,
    viewer: &Viewer,
    row: &ticket::Model,
    command: &Command,
) -> Result<(), ApiError> {
    let department_exists = |id: Uuid| async move {
        Ok::<bool, ApiError>(department::Entity::find_by_id(id).one(state.db()).await?.is_some())
    };
    match command {
        Command::Assign { department_id, grid_worker_id, .. } => {
            if !department_exists(*department_id).await? {
                return Err(invalid("department_id", "not_found", "no such department"));
            }
            let is_worker = user_role::Entity::find()
                .filter(user_role::Column::UserId.eq(*grid_worker_id))
                .filter(user_role::Column::Role.eq(Role::GridWorker.as_str()))
                .one(state.db())
                .await?
                .is_some();
            if !is_worker {
                return Err(invalid("grid_worker_id", "not_a_grid_worker", "that user is not a grid worker"));
            }
        }
        Command::Transfer { to_department, .. } if !department_exists(*to_department).await? => {
            return Err(invalid("to_department", "not_found", "no such department"));
        }
        Command::Reject { ground: RejectGround::DuplicateOf { ticket_id }, .. } if *ticket_id != row.id => {
            let kept = visible_row(state.db(), viewer, *ticket_id)
                .await
                .map_err(|_| invalid("ground.ticket_id", "not_found", "no such ticket"))?;
            if kept.status == TicketStatus::Rejected.as_str() {
                return Err(invalid("ground.ticket_id", "rejected", "that ticket was rejected itself"));
            }
        }
        _ => {}
    }
    Ok(())
}

fn photos_of(command: &Command) -> Vec<Uuid> {
    match command {
        Command::Confirm { evidence, .. }
        | Command::ResolveOnSpot { evidence, .. }
        | Command::Complete { evidence, .. } => evidence.ids().to_vec(),
        Command::Pass { media, .. } | Command::Fail { media, .. } | Command::Reopen { media, .. } => {
            media.ids().to_vec()
        }
        _ => Vec::new(),
    }
}

/// Applies a move for `viewer`: 404 if they may not see the ticket, 409 with the allowed actions if the
/// move is not theirs to make now or the version is stale, 422 for bad references.
pub async fn act(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    req: ActionRequest,
    retry: Option<&Retry>,
) -> Result<Answer, ApiError> {
    let now = state.clock().now();
    let row = visible_row(state.db(), viewer, id).await?;
    let ticket = store::state_of(&row)?;
    let allowed = allowed_for(viewer, &row, &ticket, now);
    let action = req.command.action();
    if req.version != row.version {
        // A retried move that already went through is answered from its key before this check.
        if let Some(retry) = retry {
            let txn = state.db().begin().await?;
            if let Some(answer) = replayed(&txn, viewer.id, Some(retry), now).await? {
                txn.rollback().await?;
                return Ok(answer);
            }
            txn.rollback().await?;
        }
        return Err(version_conflict(row.version, &allowed));
    }
    let mut outcome = None;
    let mut first_error = None;
    for actor in viewer.actors(&row) {
        match workflow::apply(&ticket, &req.command, &actor, now) {
            Ok(t) => {
                outcome = Some((actor, t));
                break;
            }
            Err(WorkflowError::NotAllowed { .. }) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let Some((actor, transition)) = outcome else {
        let e = first_error.unwrap_or(WorkflowError::NotAllowed {
            action,
            status: ticket.status,
            role: viewer.actors(&row).first().map_or(ActorRole::Reporter, |a| a.role),
            allowed: allowed.clone(),
        });
        return Err(workflow_error(e, allowed));
    };
    check_references(state, viewer, &row, &req.command).await?;
    let photo_ids = photos_of(&req.command);
    let photos = own_photos(state.db(), viewer.id, &photo_ids, Some(id), "evidence").await?;
    let place = wgs(&row).ok_or_else(|| ApiError::internal(anyhow::anyhow!("ticket {id} has no valid place")))?;
    let mut flags = evidence::check_photos(&facts(&photos), place, action, now, thresholds(state));
    if evidence::on_site(action) && actor.role == ActorRole::GridWorker {
        let at = req.position.as_ref().map(|p| parse_position(state, p)).transpose()?;
        flags.extend(evidence::check_position(viewer.id, at.map(|p| p.wgs84), place, action, now, thresholds(state)));
    }
    let (policy, calendar) = policy(state)?;

    let txn = state.db().begin().await?;
    if let Some(answer) = replayed(&txn, viewer.id, retry, now).await? {
        txn.rollback().await?;
        return Ok(answer);
    }
    let mut active = store::unchanged(&row);
    store::write_state(&mut active, Some(&row), &transition.state, now, &policy, &calendar);
    if let Some(flags) = merge_flags(&row, flags) {
        active.flags = Set(flags);
    }
    let event = store::event_row(Uuid::now_v7(), id, transition.state.version, &transition.event);
    let step_changed = row.status != transition.state.status.as_str()
        || row.rectification_deadline != transition.state.rectification_deadline;
    let due = if step_changed { store::step_deadline(&transition.state, now, &policy, &calendar) } else { row.due_at };
    let payload = notice_payload(&row.number, &row.category, &transition.state, action, due);
    if !store::save_move(&txn, &row, active, event, &transition.notifications, &payload, now).await? {
        txn.rollback().await?;
        let current = ticket::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
        let allowed = allowed_for(viewer, &current, &store::state_of(&current)?, now);
        return Err(version_conflict(current.version, &allowed));
    }
    attach_photos(&txn, id, &photos).await?;
    if let Some(RejectionReason::DuplicateOf { ticket_id: kept }) = transition.state.rejection {
        merge_into(&txn, &row, kept, &actor, now).await?;
    }
    let saved = ticket::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let view = build_view(state, &txn, viewer, &saved).await?;
    let body = to_json(&view)?;
    let answer = finish(txn, viewer.id, retry, StatusCode::OK, body, now).await?;
    crate::notifications::wake(state).await;
    tracing::info!(ticket.id = %id, action = %action, from = %ticket.status, to = %transition.state.status, "ticket moved");
    Ok(answer)
}

/// Adds `users` as followers of `ticket_id` (skipping its reporter and existing followers), bumps
/// its follower count and priority, and records a system event when anyone joined.
async fn add_followers<C: ConnectionTrait>(
    db: &C,
    kept: &ticket::Model,
    users: &[Uuid],
    source: &str,
    actor: Option<(Uuid, &str)>,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<i32, ApiError> {
    let mut added = 0;
    for user in users.iter().filter(|u| **u != kept.reporter_id) {
        let res = ticket_follower::Entity::insert(ticket_follower::ActiveModel {
            ticket_id: Set(kept.id),
            user_id: Set(*user),
            source: Set(source.to_owned()),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([ticket_follower::Column::TicketId, ticket_follower::Column::UserId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        added += i32::try_from(res).unwrap_or(0);
    }
    if added > 0 {
        store::add_followers(db, kept.id, added).await?;
        let (actor_id, role) = actor.map_or((None, "system"), |(id, role)| (Some(id), role));
        let event = ticket_event::Model {
            id: Uuid::now_v7(),
            ticket_id: kept.id,
            version: kept.version,
            action: source.to_owned(),
            from_status: Some(kept.status.clone()),
            to_status: kept.status.clone(),
            actor_id,
            actor_role: role.to_owned(),
            at: now,
            note,
            media: "[]".to_owned(),
            deadline_from: None,
            deadline_to: None,
            detail: Some(serde_json::json!({ "followers_added": added }).to_string()),
            dropped_request: None,
        };
        store::insert_event_and_notices(db, kept.id, event, &[], &serde_json::Value::Null, now).await?;
    }
    Ok(added)
}

/// Merging a duplicate: its reporter and followers follow the kept ticket from now on.
async fn merge_into(
    txn: &DatabaseTransaction,
    duplicate: &ticket::Model,
    kept_id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let kept = ticket::Entity::find_by_id(kept_id).one(txn).await?.ok_or_else(not_found)?;
    let mut users = vec![duplicate.reporter_id];
    users.extend(
        ticket_follower::Entity::find()
            .filter(ticket_follower::Column::TicketId.eq(duplicate.id))
            .all(txn)
            .await?
            .into_iter()
            .map(|f| f.user_id),
    );
    let note = Some(format!("{} 合并到本工单", duplicate.number));
    add_followers(txn, &kept, &users, "merge", Some((actor.user_id, actor.role.as_str())), note, now).await?;
    Ok(())
}

/// The viewer follows an open ticket (joins it instead of reporting the same hazard again).
pub async fn follow(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<TicketView, ApiError> {
    let now = state.clock().now();
    let row = ticket::Entity::find_by_id(id).one(state.db()).await?.ok_or_else(not_found)?;
    let status = TicketStatus::parse(&row.status).map_err(|e| ApiError::internal(e.into()))?;
    if !status.is_open() && !is_follower(state.db(), id, viewer.id).await? {
        // A closed ticket is not offered as a duplicate, so an unknown one stays unknown.
        let follows = false;
        if !viewer.can_see(&row, follows, &co_departments(state.db(), id).await?) {
            return Err(not_found());
        }
        return Err(ApiError::conflict("ticket_closed", "this ticket is closed; report the hazard anew if it is back"));
    }
    let txn = state.db().begin().await?;
    add_followers(&txn, &row, &[viewer.id], "follow", Some((viewer.id, "reporter")), None, now).await?;
    let saved = ticket::Entity::find_by_id(id).one(&txn).await?.ok_or_else(not_found)?;
    let view = build_view(state, &txn, viewer, &saved).await?;
    txn.commit().await?;
    Ok(view)
}
