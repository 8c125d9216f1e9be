//! What a move leaves behind: the event for the ticket's history and the notification intents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{RequestKind, TicketState, UnroutedReason};
use crate::tickets::status::{Action, ActorRole, HazardLevel, RejectionReason, TicketStatus};

/// A change of the rectification deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineChange {
    /// Before.
    pub from: Option<DateTime<Utc>>,
    /// After.
    pub to: Option<DateTime<Utc>>,
}

/// Structured facts of an event beyond its action and statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventDetail {
    /// Who holds the ticket after submit, assign or decline.
    Routed {
        /// Department.
        department_id: Option<Uuid>,
        /// Grid worker.
        grid_worker_id: Option<Uuid>,
        /// Set when it went (back) to the dispatcher.
        unrouted: Option<UnroutedReason>,
    },
    /// The department accepted the rectification.
    Accepted {
        /// Straight from `assigned` because the ticket is an emergency.
        emergency_fast_path: bool,
        /// The level it was accepted at.
        level: HazardLevel,
    },
    /// Verified as a hazard of this level.
    Confirmed {
        /// The level.
        level: HazardLevel,
    },
    /// Ended as rejected.
    Rejected {
        /// Why.
        reason: RejectionReason,
    },
    /// A request was filed.
    RequestFiled {
        /// What.
        request: RequestKind,
    },
    /// A request was approved.
    RequestApproved {
        /// What.
        request: RequestKind,
        /// Who had asked.
        requested_by: Uuid,
    },
    /// A request was refused.
    RequestRefused {
        /// What.
        request: RequestKind,
        /// Who had asked.
        requested_by: Uuid,
    },
    /// Reopened after close-out.
    Reopened {
        /// By the reporter disputing the close-out rather than staff finding it again (回头看).
        dispute: bool,
    },
}

/// The immutable history row a move appends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// What was done.
    pub action: Action,
    /// Status before (`None` for submit).
    pub from: Option<TicketStatus>,
    /// Status after.
    pub to: TicketStatus,
    /// Who did it.
    pub actor_id: Uuid,
    /// In which capacity.
    pub actor_role: ActorRole,
    /// When.
    pub at: DateTime<Utc>,
    /// Reason, plan or note.
    pub note: Option<String>,
    /// Photos attached.
    pub media: Vec<Uuid>,
    /// Rectification deadline change, if any.
    pub deadline: Option<DeadlineChange>,
    /// Structured facts.
    pub detail: Option<EventDetail>,
    /// A pending request that lapsed because the status moved on.
    pub dropped_request: Option<RequestKind>,
}

/// Who should be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "audience", content = "id", rename_all = "snake_case")]
pub enum Audience {
    /// The reporter.
    Reporter,
    /// Users following the ticket (the service expands the list).
    Followers,
    /// A grid worker.
    GridWorker(Uuid),
    /// A department's duty contact.
    Department(Uuid),
    /// The dispatchers on duty.
    Dispatchers,
    /// A named user, e.g. whoever filed a request.
    User(Uuid),
    /// The safety committee office (安委办) of a district, by region id (level-3 escalation).
    DistrictOffice(Uuid),
}

/// What to tell them (the wording lives with the notifications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The status shown to them changed.
    StatusChanged,
    /// A check to accept.
    TaskAssigned,
    /// A ticket nobody holds.
    NeedsDispatch,
    /// An emergency in the department's area: it may accept at once.
    Emergency,
    /// A confirmed hazard to accept for rectification.
    RectificationAssigned,
    /// A fix to check.
    CheckRequested,
    /// The check failed.
    CheckFailed,
    /// The hazard is back.
    Reopened,
    /// A request awaits approval.
    ApprovalRequested,
    /// Their request was approved.
    RequestApproved,
    /// Their request was refused.
    RequestRefused,
    /// Their request lapsed because the ticket moved on.
    RequestDropped,
    /// Overdue: a reminder to whoever holds the step (督办 level 1).
    Overdue,
    /// Overdue past the dispatcher threshold (督办 level 2).
    EscalatedToDispatcher,
    /// Overdue past the district threshold (督办 level 3, 督办函).
    EscalatedToDistrict,
    /// A public reply from staff.
    Reply,
    /// The report was received (受理): the reporter's receipt with the number and the next step.
    Received,
    /// A department was added to co-handle the ticket.
    CoHandling,
}

/// One outbox intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Notification {
    /// Recipient.
    pub to: Audience,
    /// What happened.
    pub kind: NoticeKind,
}

/// The result of a successful move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The ticket after the move.
    pub state: TicketState,
    /// The event to append.
    pub event: Event,
    /// Notifications for the outbox (the actor is never notified of their own move).
    pub notifications: Vec<Notification>,
}
