//! Wire types of the ticket endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    command::Command,
    sla::EscalationLevel,
    status::{Action, HazardLevel, RejectionReason, TicketStatus, Urgency},
    workflow::{RequestKind, UnroutedReason},
};
use crate::{
    geo::{dto::PointView, point::CoordSystem},
    media::dto::MediaView,
};

/// Where a report comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The app or mini-program.
    App,
    /// The WeChat official account chat.
    Wechat,
    /// The Open311 API.
    Open311,
    /// Entered by staff (a grid worker on patrol, a desk taking a phone call).
    Staff,
}

impl Channel {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Wechat => "wechat",
            Channel::Open311 => "open311",
            Channel::Staff => "staff",
        }
    }
}

/// A point as a client sends it.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
    /// `gcj02` (WeChat, Chinese maps) or `wgs84` (GPS); `geo.default_coord_system` when absent.
    pub coord_system: Option<CoordSystem>,
}

/// A hazard report.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitTicketRequest {
    /// Canonical category code, e.g. `fire`.
    pub category: String,
    /// What is wrong, in the reporter's words.
    pub description: String,
    /// `emergency`, `urgent` or `normal` (default).
    pub urgency: Option<Urgency>,
    /// Where the hazard is.
    pub location: PositionInput,
    /// Address text, e.g. 青川市东城区幸福路12号3单元.
    pub address: Option<String>,
    /// Photo ids from `POST /api/v1/media`, uploaded by the reporter (at most 9).
    #[serde(default)]
    pub photos: Vec<Uuid>,
    /// Hide the reporter from everyone but dispatchers.
    #[serde(default)]
    pub anonymous: bool,
    /// `app` (default) or, for staff, `staff`.
    pub channel: Option<Channel>,
}

/// A move on a ticket: the action with its fields, the version the client saw, and where the actor is.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// The ticket version the client acted on; a stale version is refused with 409.
    pub version: i64,
    /// Where the actor is now (grid workers confirming or checking on site; compared with the hazard).
    #[serde(default)]
    pub position: Option<PositionInput>,
    /// `action` and its fields: `accept` {rectification?: {plan, deadline, level?}}, `decline` {note?},
    /// `confirm` {level, evidence, note?}, `resolve_on_spot` {evidence, note?}, `reject`
    /// {ground: {kind: not_a_hazard|invalid|duplicate_of, ticket_id?}, note?}, `assign` {department_id,
    /// grid_worker_id, note?}, `transfer` {reason, to_department}, `complete` {evidence, note?}, `pass`
    /// {media, note?}, `fail` {reason, media}, `reopen` {reason, media}, `withdraw` {note?},
    /// `cancel_as_error` {reason}, `extend_deadline` {until, reason}, `approve_request` {note?},
    /// `refuse_request` {reason}.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub command: Command,
}

/// A place as stored: GCJ-02, WGS-84 and the address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationView {
    /// GCJ-02 (Chinese maps).
    pub gcj02: PointView,
    /// WGS-84 (GPS).
    pub wgs84: PointView,
    /// The system the reporter used.
    pub coord_system: CoordSystem,
    /// Address text.
    pub address: Option<String>,
    /// Most specific region located (usually the grid).
    pub region_id: Option<Uuid>,
    /// The grid.
    pub grid_id: Option<Uuid>,
}

/// The request waiting for a dispatcher.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingView {
    /// What is asked.
    pub request: RequestKind,
    /// Who asked.
    pub requested_by: Uuid,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// A photo with the step it documents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StagePhoto {
    /// `report`, `verification`, `rectification`, `check` or `reopen`.
    pub stage: String,
    /// The photo.
    pub media: MediaView,
}

/// Before and after, side by side.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Photos {
    /// The report and the on-site verification.
    pub before: Vec<StagePhoto>,
    /// The rectification and its check.
    pub after: Vec<StagePhoto>,
}

/// Something about the evidence that does not add up, for staff to look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceFlag {
    /// `photo_far_from_place`, `photo_taken_long_before`, `photo_taken_after`, `actor_far_from_place`
    /// or `actor_position_missing`.
    pub kind: String,
    /// The move it was raised on.
    pub action: Action,
    /// The photo concerned.
    pub media_id: Option<Uuid>,
    /// The user concerned (for positions).
    pub user_id: Option<Uuid>,
    /// Distance from the hazard, metres.
    pub distance_m: Option<f64>,
    /// Hours between the photo and the claimed time.
    pub hours: Option<f64>,
    /// When it was raised.
    pub at: DateTime<Utc>,
}

/// A ticket as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    /// Ticket id.
    pub id: Uuid,
    /// Human number, e.g. YH202611230007.
    pub number: String,
    /// Version; send it back with the next move.
    pub version: i64,
    /// Status.
    pub status: TicketStatus,
    /// Status in plain Chinese for the caller (resident or staff wording).
    pub status_label: String,
    /// Where the report came from.
    pub channel: String,
    /// Category code.
    pub category: String,
    /// The reporter's description.
    pub description: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Hazard level, once verified.
    pub hazard_level: Option<HazardLevel>,
    /// Where.
    pub location: LocationView,
    /// The reporter; null when anonymous and the caller is not a dispatcher.
    pub reporter_id: Option<Uuid>,
    /// Whether the report is anonymous.
    pub anonymous: bool,
    /// Responsible department.
    pub department_id: Option<Uuid>,
    /// Grid worker holding the check.
    pub grid_worker_id: Option<Uuid>,
    /// Co-handling departments (协办).
    pub co_departments: Vec<Uuid>,
    /// Why the ticket waits for a dispatcher (staff only).
    pub unrouted_reason: Option<UnroutedReason>,
    /// How routing decided (staff only).
    pub routing_reason: Option<String>,
    /// The request waiting for a dispatcher (staff only).
    pub pending: Option<PendingView>,
    /// Accepted (or extended) rectification deadline.
    pub rectification_deadline: Option<DateTime<Utc>>,
    /// Deadline of the current step.
    pub due_at: Option<DateTime<Utc>>,
    /// Whether the current step is overdue.
    pub overdue: bool,
    /// How far it has been escalated (督办).
    pub escalation_level: EscalationLevel,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub rejection: Option<RejectionReason>,
    /// What the reporter is told about a rejection.
    pub rejection_label: Option<String>,
    /// The ticket this one duplicates.
    pub duplicate_of: Option<Uuid>,
    /// How often it was reopened.
    pub reopen_count: i32,
    /// People following it besides the reporter.
    pub follower_count: i32,
    /// Desk priority (emergencies and major hazards first, then by followers).
    pub priority: i32,
    /// Whether the caller follows it.
    pub following: bool,
    /// The reporter's rating (1–5), once given.
    pub rating: Option<i16>,
    /// The reporter's comment with the rating.
    pub rating_comment: Option<String>,
    /// Photos, before and after.
    pub photos: Photos,
    /// Evidence mismatches (staff only).
    pub flags: Vec<EvidenceFlag>,
    /// What the caller may do now.
    pub allowed_actions: Vec<Action>,
    /// Reported at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

/// An open ticket that may be the same hazard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateCandidate {
    /// Ticket id (follow it with `POST /api/v1/tickets/{id}/follow`).
    pub id: Uuid,
    /// Human number.
    pub number: String,
    /// Category code.
    pub category: String,
    /// Status.
    pub status: TicketStatus,
    /// Status in plain Chinese.
    pub status_label: String,
    /// The description (the reporter is never shown).
    pub description: String,
    /// Distance from the new report, metres.
    pub distance_m: f64,
    /// Whether a photo is near-identical to one of the new report's.
    pub similar_photo: bool,
    /// Reported at.
    pub created_at: DateTime<Utc>,
}

/// The answer to a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmitTicketResponse {
    /// The new ticket.
    pub ticket: TicketView,
    /// Open tickets nearby of the same category, or with a near-identical photo.
    pub possible_duplicates: Vec<DuplicateCandidate>,
    /// For emergencies: whom to call first (119/110/120).
    pub advice: Option<String>,
}

/// One entry of a ticket's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// Event id (ordered by time).
    pub id: Uuid,
    /// `submit`, a workflow action, or a system event (`escalate`, `follow`, `merge`, `rate`, `co_department`).
    pub action: String,
    /// Status before.
    pub from: Option<TicketStatus>,
    /// Status after.
    pub to: TicketStatus,
    /// Who (hidden from residents for staff moves and anonymous reporters).
    pub actor_id: Option<Uuid>,
    /// In which capacity (`system` for automatic events).
    pub actor_role: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Reason, plan or note.
    pub note: Option<String>,
    /// Photos attached to the move.
    pub media: Vec<Uuid>,
    /// Rectification deadline before.
    pub deadline_from: Option<DateTime<Utc>>,
    /// Rectification deadline after.
    pub deadline_to: Option<DateTime<Utc>>,
    /// Structured facts of the move.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

/// Path of a ticket.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TicketPath {
    /// Ticket id.
    pub id: Uuid,
}

mod extras;
mod lists;

pub use extras::*;
pub use lists::*;
