//! Notifications: delivering the ticket outbox. Owns the words of each notice ([`texts`]), the
//! worker that turns outbox rows into system messages in the ticket's thread and pushes
//! ([`worker`]), the external channels ([`channel`]) and each user's preferences ([`prefs`]).
//! It does not decide who is told of what: the tickets workflow writes the outbox rows, in the
//! transaction of the change.

pub mod audience;
pub mod channel;
pub mod dto;
pub mod prefs;
pub mod routes;
pub mod texts;
pub mod wechat;
pub mod worker;

use uuid::Uuid;

use crate::{
    state::AppState,
    tickets::{status::Urgency, workflow::NoticeKind},
};

/// Bus topic that wakes the workers of every instance when new outbox rows were committed.
pub const WAKE_TOPIC: &str = "notifications.wake";

/// One notice as the external channels push it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The outbox row (an idempotency key for channels that accept one).
    pub id: Uuid,
    /// The ticket it is about.
    pub ticket_id: Option<Uuid>,
    /// What happened.
    pub kind: NoticeKind,
    /// The ticket's urgency.
    pub urgency: Urgency,
    /// The words, for this audience.
    pub text: String,
    /// The facts behind the words.
    pub payload: texts::Payload,
}

/// Wakes the outbox workers (best effort: they poll anyway).
pub async fn wake(state: &AppState) {
    if let Err(e) = state.backends().bus.publish(WAKE_TOPIC, "").await {
        tracing::debug!(error = %format!("{e:#}"), "could not wake the outbox workers; they poll");
    }
}
