//! From the outbox to deliveries: the notifications worker hands every `webhook` outbox row (one per
//! ticket event, written in the event's transaction) to [`fan_out`], in its own transaction, which
//! writes one delivery per active endpoint subscribed to the event's kind. The unique
//! (endpoint, event) pair makes a repeated fan-out harmless.

use chrono::{DateTime, Utc};
use entity::{department, outbox, ticket, ticket_event, webhook_delivery, webhook_endpoint};
use sea_orm::{sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    dto::{WebhookBody, WebhookEvent, WebhookTicket},
    kinds,
};
use crate::tickets::status::TicketStatus;

/// Writes the deliveries of one `webhook` outbox row (none when no endpoint wants its kind).
pub async fn fan_out<C: ConnectionTrait>(db: &C, row: &outbox::Model, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let endpoints: Vec<webhook_endpoint::Model> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|e| kinds::matches(&serde_json::from_str::<Vec<String>>(&e.event_kinds).unwrap_or_default(), &row.kind))
        .collect();
    if endpoints.is_empty() {
        return Ok(0);
    }
    let Some(event_id) = row.event_id else { return Ok(0) };
    let Some(event) = ticket_event::Entity::find_by_id(event_id).one(db).await? else { return Ok(0) };
    let Some(ticket) = ticket::Entity::find_by_id(event.ticket_id).one(db).await? else { return Ok(0) };
    let department = match ticket.department_id {
        Some(id) => department::Entity::find_by_id(id).one(db).await?.map(|d| d.name),
        None => None,
    };
    let body = serde_json::to_string(&body_of(&row.kind, &event, &ticket, department))
        .map_err(|e| DbErr::Custom(format!("webhook body: {e}")))?;
    let rows = endpoints.iter().map(|e| webhook_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        endpoint_id: Set(e.id),
        event_id: Set(event.id),
        ticket_id: Set(ticket.id),
        kind: Set(row.kind.clone()),
        body: Set(body.clone()),
        attempts: Set(0),
        status_code: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        next_attempt_at: Set(now),
        delivered_at: Set(None),
        dead_at: Set(None),
        claimed_until: Set(None),
    });
    let n = endpoints.len();
    webhook_delivery::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([webhook_delivery::Column::EndpointId, webhook_delivery::Column::EventId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(n)
}

/// The body receivers get: the event and the ticket's public facts (never the reporter or notes).
pub fn body_of(
    kind: &str,
    event: &ticket_event::Model,
    ticket: &ticket::Model,
    department: Option<String>,
) -> WebhookBody {
    let label = TicketStatus::parse(&ticket.status).map(|s| s.resident_label().to_owned()).unwrap_or_default();
    WebhookBody {
        id: event.id,
        kind: kind.to_owned(),
        occurred_at: event.at,
        event: WebhookEvent {
            action: event.action.clone(),
            from_status: event.from_status.clone(),
            to_status: event.to_status.clone(),
            actor_role: event.actor_role.clone(),
            version: event.version,
        },
        ticket: WebhookTicket {
            id: ticket.id,
            number: ticket.number.clone(),
            status: ticket.status.clone(),
            status_label: label,
            category: ticket.category.clone(),
            urgency: ticket.urgency.clone(),
            hazard_level: ticket.hazard_level.clone(),
            department_id: ticket.department_id,
            department,
            due_at: ticket.due_at,
            address: ticket.address.clone(),
            lat: ticket.wgs_lat,
            lng: ticket.wgs_lng,
            channel: ticket.channel.clone(),
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
        },
    }
}
