//! The ticket workflow as a pure function: `(ticket, command, actor, now) → Transition` with the new
//! state, the event to append and the notifications to put in the outbox. Who may do what is in
//! `rules`; what each move changes is in `moves`.

mod draft;
mod event;
mod moves;
mod rules;

use chrono::{DateTime, Days, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    command::Command,
    sla::{cst_date, cst_day_end},
    status::{Action, ActorRole, HazardLevel, RejectionReason, TicketStatus, Urgency},
};

pub use event::{Audience, DeadlineChange, Event, EventDetail, NoticeKind, Notification, Transition};

/// How long after close-out a reporter may dispute it and reopen the ticket (inclusive).
pub const REPORTER_DISPUTE_DAYS: i64 = 7;

/// The user acting, in the capacity the caller maps their account role to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The capacity they act in (admin counts as dispatcher).
    pub role: ActorRole,
    /// Their department, for department staff.
    pub department_id: Option<Uuid>,
}

/// Longest rectification a department may commit to, per level, in China calendar days after acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Days for a general hazard (一般隐患).
    pub general_days: u32,
    /// Days for a major hazard (重大隐患).
    pub major_days: u32,
}

impl Limits {
    /// The latest deadline allowed for `level` when accepting at `now`: 24:00 CST of the n-th day after today.
    pub fn latest_deadline(&self, level: HazardLevel, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let days = match level {
            HazardLevel::General => self.general_days,
            HazardLevel::Major => self.major_days,
        };
        cst_day_end(cst_date(now).checked_add_days(Days::new(u64::from(days)))?)
    }
}

/// Why a ticket sits in `unrouted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnroutedReason {
    /// Routing found no region or department.
    NoDepartment,
    /// A department was found but no grid worker for the place.
    NoGridWorker,
    /// Every grid worker in the routing order declined: back to the dispatcher.
    AllDeclined,
}

/// A two-step move waiting for a dispatcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestKind {
    /// 转办 to another department.
    Transfer {
        /// Proposed department.
        to_department: Uuid,
    },
    /// 申请销号: cancel as recorded in error.
    CancelAsError,
    /// 延期申请: a later rectification deadline.
    Extension {
        /// Proposed deadline.
        until: DateTime<Utc>,
    },
}

impl RequestKind {
    /// The action that filed it.
    pub fn action(&self) -> Action {
        match self {
            RequestKind::Transfer { .. } => Action::Transfer,
            RequestKind::CancelAsError => Action::CancelAsError,
            RequestKind::Extension { .. } => Action::ExtendDeadline,
        }
    }
}

/// The request on a ticket awaiting approval; at most one at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    /// What is asked.
    pub kind: RequestKind,
    /// Who asked.
    pub requested_by: Uuid,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Why (non-blank when filed).
    pub reason: String,
}

/// What the rules need to know about a ticket; the service loads it and stores the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketState {
    /// Ticket id.
    pub id: Uuid,
    /// Optimistic-locking version; each successful move adds exactly one.
    pub version: i64,
    /// Current status.
    pub status: TicketStatus,
    /// Urgency.
    pub urgency: Urgency,
    /// Set on confirm (general on resolve-on-the-spot, given on the emergency accept).
    pub hazard_level: Option<HazardLevel>,
    /// Who reported it.
    pub reporter_id: Uuid,
    /// Responsible department; always set from `assigned` on.
    pub department_id: Option<Uuid>,
    /// Grid worker holding the check; set in `assigned` and `verifying`, kept for the later check.
    pub grid_worker_id: Option<Uuid>,
    /// Grid workers in the routing order.
    pub candidates: Vec<Uuid>,
    /// Grid workers who declined, in order.
    pub declined: Vec<Uuid>,
    /// Why it is unrouted, while it is.
    pub unrouted_reason: Option<UnroutedReason>,
    /// The request awaiting a dispatcher.
    pub pending: Option<PendingRequest>,
    /// The accepted (or extended, or reopened) rectification deadline.
    pub rectification_deadline: Option<DateTime<Utc>>,
    /// When it was closed; set if and only if the status is `closed`.
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was rejected; set if and only if the status is `rejected`.
    pub rejection: Option<RejectionReason>,
    /// How often it was reopened (回头看 rebounds and disputes).
    pub reopen_count: u32,
    /// The rectification limits in force for this ticket (from its category or the defaults).
    pub limits: Limits,
}

/// The routing result a submission carries (from `geo::routing`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    /// Receiving department, if one was found.
    pub department_id: Option<Uuid>,
    /// Grid workers of the place, in the order to offer the check.
    pub grid_workers: Vec<Uuid>,
}

/// A new report, before it is a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    /// The id the ticket will have.
    pub id: Uuid,
    /// Urgency from intake.
    pub urgency: Urgency,
    /// Where routing sends it.
    pub routing: Routing,
    /// Rectification limits for its category.
    pub limits: Limits,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The actor may not do this here; `allowed` is what they may do (409).
    #[error("`{action}` is not allowed for {role} in `{status}`")]
    NotAllowed {
        /// The refused action.
        action: Action,
        /// Current status.
        status: TicketStatus,
        /// Actor's capacity.
        role: ActorRole,
        /// Actions the actor may take now.
        allowed: Vec<Action>,
    },
    /// Another request already waits for a dispatcher.
    #[error("a `{pending}` request is already waiting for approval")]
    RequestPending {
        /// The action that filed the pending request.
        pending: Action,
    },
    /// A department's accept needs the plan and deadline.
    #[error("a rectification plan and deadline are required")]
    PlanRequired,
    /// A grid worker's accept takes no plan.
    #[error("a grid worker's accept takes no rectification plan")]
    PlanNotExpected,
    /// The emergency accept must state the level.
    #[error("the hazard level is required when accepting without verification")]
    LevelRequired,
    /// The level differs from the one set on verification.
    #[error("the hazard level was set to `{current}` on verification")]
    LevelMismatch {
        /// The level on the ticket.
        current: HazardLevel,
    },
    /// A deadline must lie in the future.
    #[error("deadline {deadline} is not in the future")]
    DeadlineNotInFuture {
        /// The proposed deadline.
        deadline: DateTime<Utc>,
    },
    /// A deadline lies beyond the level's limit.
    #[error("deadline {deadline} is later than {latest}, the limit for a {level} hazard")]
    DeadlineBeyondLimit {
        /// The proposed deadline.
        deadline: DateTime<Utc>,
        /// The latest allowed.
        latest: DateTime<Utc>,
        /// The level whose limit applies.
        level: HazardLevel,
    },
    /// An extension must be later than the current deadline.
    #[error("extension to {until} is not later than the current deadline")]
    ExtensionNotLater {
        /// The proposed deadline.
        until: DateTime<Utc>,
        /// The current one.
        current: DateTime<Utc>,
    },
    /// The reporter's dispute window has passed.
    #[error("the reporter could reopen until {window_end}")]
    DisputeWindowClosed {
        /// End of the window.
        window_end: DateTime<Utc>,
    },
    /// A transfer to the department that already holds the ticket.
    #[error("the ticket is already with that department")]
    SameDepartment,
    /// A ticket cannot be a duplicate of itself.
    #[error("a ticket cannot be a duplicate of itself")]
    DuplicateOfItself,
    /// A date computation left the representable range.
    #[error("date out of range")]
    OutOfRange,
    /// The loaded state breaks an invariant (a bug or bad data, 500).
    #[error("inconsistent ticket state: {0}")]
    Inconsistent(&'static str),
}

impl WorkflowError {
    /// Stable snake_case code for the API error body.
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::NotAllowed { .. } => "transition_not_allowed",
            WorkflowError::RequestPending { .. } => "request_pending",
            WorkflowError::PlanRequired => "plan_required",
            WorkflowError::PlanNotExpected => "plan_not_expected",
            WorkflowError::LevelRequired => "level_required",
            WorkflowError::LevelMismatch { .. } => "level_mismatch",
            WorkflowError::DeadlineNotInFuture { .. } => "deadline_not_in_future",
            WorkflowError::DeadlineBeyondLimit { .. } => "deadline_beyond_limit",
            WorkflowError::ExtensionNotLater { .. } => "extension_not_later",
            WorkflowError::DisputeWindowClosed { .. } => "dispute_window_closed",
            WorkflowError::SameDepartment => "same_department",
            WorkflowError::DuplicateOfItself => "duplicate_of_itself",
            WorkflowError::OutOfRange => "out_of_range",
            WorkflowError::Inconsistent(_) => "inconsistent_ticket",
        }
    }
}

/// Creates a ticket from a report; anyone may report, and the actor becomes its reporter.
pub fn submit(new: &NewTicket, actor: &Actor, now: DateTime<Utc>) -> Transition {
    moves::submit(new, actor, now)
}

/// Applies a command to a ticket at `now`.
pub fn apply(
    ticket: &TicketState,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Transition, WorkflowError> {
    let action = command.action();
    let Some(capacity) = rules::capacity_for(ticket, actor, action) else {
        return Err(WorkflowError::NotAllowed {
            action,
            status: ticket.status,
            role: actor.role,
            allowed: allowed_actions(ticket, actor),
        });
    };
    if let (true, Some(pending)) = (action.is_request(), &ticket.pending) {
        return Err(WorkflowError::RequestPending { pending: pending.kind.action() });
    }
    moves::run(ticket, command, actor, capacity, now)
}

/// What the actor may do to the ticket now, in `Action::ALL` order, without looking at the clock.
pub fn allowed_actions(ticket: &TicketState, actor: &Actor) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|&action| rules::capacity_for(ticket, actor, action).is_some())
        .filter(|action| !(action.is_request() && ticket.pending.is_some()))
        .collect()
}

/// Like [`allowed_actions`], also dropping a reporter's reopen once the dispute window has passed.
pub fn allowed_actions_at(ticket: &TicketState, actor: &Actor, now: DateTime<Utc>) -> Vec<Action> {
    let mut allowed = allowed_actions(ticket, actor);
    if rules::capacity_for(ticket, actor, Action::Reopen) == Some(rules::Capacity::Reporter)
        && moves::dispute_window_end(ticket).is_none_or(|end| now > end)
    {
        allowed.retain(|a| *a != Action::Reopen);
    }
    allowed
}

#[cfg(test)]
mod tests;
