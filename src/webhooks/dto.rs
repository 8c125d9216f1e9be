//! Wire types of the webhook admin endpoints and the body receivers get.

use chrono::{DateTime, Utc};
use entity::{webhook_attempt, webhook_delivery, webhook_endpoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where events are POSTed: an `https://` (or `http://`) URL.
    pub url: String,
    /// Event kinds wanted, e.g. `["ticket.submit", "ticket.pass"]`, or `["ticket.*"]` for all.
    pub event_kinds: Vec<String>,
    /// The signing secret (16–128 characters); generated and shown once when absent.
    pub secret: Option<String>,
    /// Who runs the receiver, for people reading the list.
    #[serde(default)]
    pub description: String,
}

/// `PATCH /api/v1/webhooks/{id}`: what to change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    /// `false` stops deliveries (pending ones are given up); `true` resumes for new events.
    pub active: Option<bool>,
    /// New subscription list.
    pub event_kinds: Option<Vec<String>>,
}

/// A registered endpoint (without its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookView {
    /// Endpoint id.
    pub id: Uuid,
    /// Receiver URL.
    pub url: String,
    /// Subscribed kinds.
    pub event_kinds: Vec<String>,
    /// Who runs it.
    pub description: String,
    /// Whether events are delivered.
    pub active: bool,
    /// The admin who registered it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<webhook_endpoint::Model> for WebhookView {
    fn from(m: webhook_endpoint::Model) -> Self {
        Self {
            id: m.id,
            url: m.url,
            event_kinds: serde_json::from_str(&m.event_kinds).unwrap_or_default(),
            description: m.description,
            active: m.active,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The answer to a registration: the endpoint and its secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedWebhookView {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret; it is not shown again.
    pub secret: String,
}

/// `GET /api/v1/webhooks/{id}/deliveries` filters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesQuery {
    /// `pending`, `delivered` or `dead`; all when absent.
    pub state: Option<DeliveryState>,
    /// Most rows (1–500, default 100), newest first.
    pub limit: Option<u64>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Given up after the last attempt (or the endpoint was disabled).
    Dead,
}

/// One try at a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first try.
    pub attempt: i32,
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

impl From<webhook_attempt::Model> for AttemptView {
    fn from(m: webhook_attempt::Model) -> Self {
        Self { attempt: m.attempt, at: m.at, status_code: m.status_code, error: m.error, duration_ms: m.duration_ms }
    }
}

/// One ticket event for one endpoint, with every attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Delivery id (the `X-Hazardline-Delivery` header).
    pub id: Uuid,
    /// The endpoint.
    pub endpoint_id: Uuid,
    /// The ticket event (the body's `id`).
    pub event_id: Uuid,
    /// The ticket.
    pub ticket_id: Uuid,
    /// `ticket.<action>`.
    pub kind: String,
    /// Pending, delivered or dead.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: i32,
    /// Last HTTP status received.
    pub status_code: Option<i32>,
    /// Last error.
    pub last_error: Option<String>,
    /// When the event was fanned out.
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When a receiver accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When it was given up.
    pub dead_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub log: Vec<AttemptView>,
}

impl DeliveryView {
    /// The view of a row and its attempts.
    pub fn new(m: webhook_delivery::Model, log: Vec<webhook_attempt::Model>) -> Self {
        let state = if m.delivered_at.is_some() {
            DeliveryState::Delivered
        } else if m.dead_at.is_some() {
            DeliveryState::Dead
        } else {
            DeliveryState::Pending
        };
        Self {
            id: m.id,
            endpoint_id: m.endpoint_id,
            event_id: m.event_id,
            ticket_id: m.ticket_id,
            kind: m.kind,
            state,
            attempts: m.attempts,
            status_code: m.status_code,
            last_error: m.last_error,
            created_at: m.created_at,
            next_attempt_at: (state == DeliveryState::Pending).then_some(m.next_attempt_at),
            delivered_at: m.delivered_at,
            dead_at: m.dead_at,
            log: log.into_iter().map(AttemptView::from).collect(),
        }
    }
}

/// What a receiver gets: the event and the ticket as it was when the event was fanned out.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookBody {
    /// The ticket event's id: the same for every endpoint, so receivers can drop repeats.
    pub id: Uuid,
    /// `ticket.<action>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the event happened.
    pub occurred_at: DateTime<Utc>,
    /// The event.
    pub event: WebhookEvent,
    /// The ticket (public facts only: no reporter, no internal notes).
    pub ticket: WebhookTicket,
}

/// The event part of a webhook body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookEvent {
    /// The action, e.g. `accept`, `escalate`.
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// In which capacity it was done (`reporter`, `grid_worker`, …, `system`).
    pub actor_role: String,
    /// Ticket version after it.
    pub version: i64,
}

/// The ticket part of a webhook body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookTicket {
    /// Ticket id.
    pub id: Uuid,
    /// Human number, e.g. `YH202611230007` (the Open311 `service_request_id`).
    pub number: String,
    /// Status.
    pub status: String,
    /// Status in plain Chinese.
    pub status_label: String,
    /// Category code (the Open311 `service_code`).
    pub category: String,
    /// `emergency`, `urgent` or `normal`.
    pub urgency: String,
    /// `general` or `major` once verified.
    pub hazard_level: Option<String>,
    /// Responsible department.
    pub department_id: Option<Uuid>,
    /// Its name.
    pub department: Option<String>,
    /// Deadline of the current step.
    pub due_at: Option<DateTime<Utc>>,
    /// Address text.
    pub address: Option<String>,
    /// WGS-84 latitude.
    pub lat: f64,
    /// WGS-84 longitude.
    pub lng: f64,
    /// Where it was reported from (`app`, `wechat`, `open311`, `staff`).
    pub channel: String,
    /// When it was reported.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
