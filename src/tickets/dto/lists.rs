//! Wire types of the ticket lists and counts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::tickets::{
    sla::EscalationLevel,
    status::{HazardLevel, TicketStatus, Urgency},
};

/// `GET /api/v1/tickets`: filters, order and page. Every value arrives as text and is parsed into
/// [`crate::tickets::query::ListParams`]; a bad value is refused naming the parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTicketsQuery {
    /// Statuses, comma-separated, e.g. `assigned,verifying`.
    pub status: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// `emergency`, `urgent` or `normal`.
    pub urgency: Option<String>,
    /// Responsible department.
    #[param(value_type = Option<Uuid>)]
    pub department_id: Option<String>,
    /// A region and everything below it.
    #[param(value_type = Option<Uuid>)]
    pub region_id: Option<String>,
    /// A grid.
    #[param(value_type = Option<Uuid>)]
    pub grid_id: Option<String>,
    /// Only overdue (`true`) or only on time (`false`).
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Only tickets with (`true`) or without (`false`) a request awaiting a dispatcher.
    #[param(value_type = Option<bool>)]
    pub pending: Option<String>,
    /// `general` (一般隐患) or `major` (重大隐患).
    pub hazard_level: Option<String>,
    /// Only tickets tagged with this campaign (专项整治).
    #[param(value_type = Option<Uuid>)]
    pub campaign_id: Option<String>,
    /// Reported at or after (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub from: Option<String>,
    /// Reported before (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub to: Option<String>,
    /// Text in the description, number or address (case-insensitive, at most 100 characters).
    pub q: Option<String>,
    /// Only tickets the caller reported or follows.
    #[param(value_type = Option<bool>)]
    pub mine: Option<String>,
    /// `created_desc` (default), `due_asc` (deadline first, none last) or `priority_desc`.
    pub sort: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `GET /api/v1/tickets/summary`: the list's filters without status, order and page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TicketCountsQuery {
    /// Category code.
    pub category: Option<String>,
    /// `emergency`, `urgent` or `normal`.
    pub urgency: Option<String>,
    /// Responsible department.
    #[param(value_type = Option<Uuid>)]
    pub department_id: Option<String>,
    /// A region and everything below it.
    #[param(value_type = Option<Uuid>)]
    pub region_id: Option<String>,
    /// A grid.
    #[param(value_type = Option<Uuid>)]
    pub grid_id: Option<String>,
    /// Only overdue (`true`) or only on time (`false`).
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Only tickets with (`true`) or without (`false`) a request awaiting a dispatcher.
    #[param(value_type = Option<bool>)]
    pub pending: Option<String>,
    /// `general` (一般隐患) or `major` (重大隐患).
    pub hazard_level: Option<String>,
    /// Only tickets tagged with this campaign (专项整治).
    #[param(value_type = Option<Uuid>)]
    pub campaign_id: Option<String>,
    /// Reported at or after (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub from: Option<String>,
    /// Reported before (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub to: Option<String>,
    /// Text in the description, number or address.
    pub q: Option<String>,
    /// Only tickets the caller reported or follows.
    #[param(value_type = Option<bool>)]
    pub mine: Option<String>,
}

/// A ticket in a list: what a desk or a phone list shows in one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketSummary {
    /// Ticket id.
    pub id: Uuid,
    /// Human number.
    pub number: String,
    /// Status.
    pub status: TicketStatus,
    /// Status in plain Chinese for the caller.
    pub status_label: String,
    /// Category code.
    pub category: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Hazard level, once verified.
    pub hazard_level: Option<HazardLevel>,
    /// The first 100 characters of the description.
    pub description: String,
    /// Address text.
    pub address: Option<String>,
    /// The reporter; null when anonymous and the caller may not know who reported it.
    pub reporter_id: Option<Uuid>,
    /// Whether the report is anonymous.
    pub anonymous: bool,
    /// Responsible department.
    pub department_id: Option<Uuid>,
    /// Grid worker holding the check.
    pub grid_worker_id: Option<Uuid>,
    /// Deadline of the current step.
    pub due_at: Option<DateTime<Utc>>,
    /// Whether the current step is overdue.
    pub overdue: bool,
    /// How far it has been escalated.
    pub escalation_level: EscalationLevel,
    /// Desk priority.
    pub priority: i32,
    /// People following it besides the reporter.
    pub follower_count: i32,
    /// Reported at.
    pub created_at: DateTime<Utc>,
}

/// One page of tickets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketPage {
    /// The tickets, in the requested order.
    pub items: Vec<TicketSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// How many tickets are in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCount {
    /// Status.
    pub status: TicketStatus,
    /// Status in plain Chinese for the caller.
    pub status_label: String,
    /// Tickets in it.
    pub count: i64,
}

/// Ticket counts in the caller's scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketCounts {
    /// Per status, every status listed (zero included), in workflow order.
    pub statuses: Vec<StatusCount>,
    /// Tickets whose current step is overdue.
    pub overdue: i64,
    /// Tickets with a request awaiting a dispatcher.
    pub pending_approval: i64,
    /// All tickets counted.
    pub total: i64,
}
