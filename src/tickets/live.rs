//! Live updates for the desk: once a change to a ticket has committed, the staff who handle it get a
//! `ticket_changed` WebSocket event through the chat hub (the bus, so on every instance), and their
//! queue or ticket page reads the ticket again. The audience is `notifications::audience::desk_users`
//! as it stood before the change and after it, so a department that transferred a ticket away, or
//! the dispatchers who routed it, see it leave their queue. The event names the ticket, its status,
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
    if let Some(before) =
        before.filter(|b| b.department_id != after.department_id || b.region_path != after.region_path)
    {
        for user in desk_users(state.db(), before, &co).await? {
            if !users.contains(&user) {
                users.push(user);
            }
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
