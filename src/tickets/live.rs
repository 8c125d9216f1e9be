//! Live updates for the staff: once a change to a ticket has committed, the staff who handle it get
//! a `ticket_changed` WebSocket event through the chat hub (the bus, so on every instance), and their
//! queue, ticket page or task list reads the ticket again. The audience is
//! `notifications::audience::desk_users` and the ticket's grid worker, as they stood before the
//! change and after it, so a department that transferred a ticket away, the dispatchers who routed
//! it or the grid worker who declined it see it leave their list. The event names the ticket, its status,
//! version and the kind of change, never a note's or reply's text, and goes to no resident (a
//! resident's own pushes are the outbox's `ticket_status`). Best effort, like chat events: a page
//! that missed one reads again when its socket reconnects.

use entity::ticket;
use uuid::Uuid;

use super::service::co_departments;
use crate::{
    chat::{dto::ServerEvent, service::publish},
    notifications::audience::desk_users,
    state::AppState,
};

/// Tells the desk that `after` changed (`before`: the row as it was, for a move that may have
/// changed who handles it); `change` is the action or the kind of side event. Failures are logged.
pub async fn changed(state: &AppState, before: Option<&ticket::Model>, after: &ticket::Model, change: &str) {
    if let Err(e) = tell(state, before, after, change).await {
        tracing::warn!(ticket.id = %after.id, error = %e, "could not tell the desk of a ticket change");
    }
}

async fn tell(
    state: &AppState,
    before: Option<&ticket::Model>,
    after: &ticket::Model,
    change: &str,
) -> Result<(), crate::error::ApiError> {
    let co = co_departments(state.db(), after.id).await?;
    let mut users: Vec<Uuid> = desk_users(state.db(), after, &co).await?;
    let mut also = Vec::new();
    if let Some(before) = before {
        if before.department_id != after.department_id || before.region_path != after.region_path {
            also.extend(desk_users(state.db(), before, &co).await?);
        }
        also.extend(before.grid_worker_id);
    }
    also.extend(after.grid_worker_id);
    for user in also {
        if !users.contains(&user) {
            users.push(user);
        }
    }
    let event = ServerEvent::TicketChanged {
        ticket_id: after.id,
        number: after.number.clone(),
        status: after.status.clone(),
        version: after.version,
        change: change.to_owned(),
    };
    publish(state, users, event).await;
    Ok(())
}
