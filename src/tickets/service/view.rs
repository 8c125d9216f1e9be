//! Reading tickets: visibility, the view as the caller may see it, and the history.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{media, ticket, ticket_department, ticket_event, ticket_follower};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::tickets::{
    access::Viewer,
    dto::{EventView, LocationView, PendingView, Photos, StagePhoto, TicketView},
    sla::EscalationLevel,
    status::{Action, TicketStatus},
    store,
    workflow::{self, TicketState},
};
use crate::{
    error::ApiError,
    geo::{dto::PointView, point::CoordSystem},
    media::query::view as media_view,
    state::AppState,
};

use super::*;

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

pub(super) async fn is_follower<C: ConnectionTrait>(db: &C, ticket_id: Uuid, user: Uuid) -> Result<bool, ApiError> {
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
pub(super) struct Seen {
    /// Whether the viewer follows the ticket.
    pub(super) following: bool,
    /// Co-handling departments.
    pub(super) co_departments: Vec<Uuid>,
    /// `(action, media ids as JSON)` of every event, oldest first.
    pub(super) events: Vec<(String, String)>,
    /// The ticket's photos by id.
    pub(super) media: HashMap<Uuid, media::Model>,
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
pub(super) fn view_of(
    state: &AppState,
    viewer: &Viewer,
    row: &ticket::Model,
    seen: Seen,
) -> Result<TicketView, ApiError> {
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
