//! Who may do what: the transition table as one match, plus who counts as the right person.

use super::{Actor, TicketState};
use crate::tickets::status::{Action, ActorRole, TicketStatus, Urgency};

/// The part an actor plays on one ticket; a user may hold several (a grid worker who reported it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Capacity {
    /// The assigned grid worker.
    GridWorker,
    /// Staff of the ticket's department.
    DeptStaff,
    /// A dispatcher or admin.
    Dispatcher,
    /// The user who reported it, whatever their role.
    Reporter,
}

/// Staff capacities first, so that a reporter who is also staff acts without the reporter's limits.
const PRIORITY: [Capacity; 4] = [Capacity::GridWorker, Capacity::DeptStaff, Capacity::Dispatcher, Capacity::Reporter];

fn holds(ticket: &TicketState, actor: &Actor, capacity: Capacity) -> bool {
    match capacity {
        Capacity::GridWorker => actor.role == ActorRole::GridWorker && ticket.grid_worker_id == Some(actor.user_id),
        Capacity::DeptStaff => {
            actor.role == ActorRole::DeptStaff
                && actor.department_id.is_some()
                && actor.department_id == ticket.department_id
        }
        Capacity::Dispatcher => matches!(actor.role, ActorRole::Dispatcher | ActorRole::Admin),
        Capacity::Reporter => ticket.reporter_id == actor.user_id,
    }
}

/// The capacities that may take `action` in the ticket's status (pending requests aside).
fn holders(ticket: &TicketState, action: Action) -> &'static [Capacity] {
    use Action as A;
    use Capacity::{DeptStaff, Dispatcher, GridWorker, Reporter};
    use TicketStatus as S;
    match (ticket.status, action) {
        (S::Unrouted, A::Assign) => &[Dispatcher],
        (S::Assigned, A::Accept) if ticket.urgency == Urgency::Emergency => &[GridWorker, DeptStaff],
        (S::Assigned, A::Accept | A::Decline) => &[GridWorker],
        (S::Verifying, A::Confirm | A::ResolveOnSpot) => &[GridWorker],
        (S::Verifying, A::Reject) => &[GridWorker, Dispatcher],
        (S::Confirmed, A::Accept) => &[DeptStaff],
        (S::Confirmed | S::Rectifying, A::Transfer) => &[DeptStaff],
        (S::Rectifying, A::Complete | A::ExtendDeadline) => &[DeptStaff],
        (S::AwaitingCheck, A::Pass | A::Fail) => &[GridWorker, Dispatcher],
        (S::Closed, A::Reopen) => &[GridWorker, Dispatcher, Reporter],
        (S::Unrouted | S::Assigned, A::Withdraw) => &[Reporter],
        (status, A::CancelAsError) if status.is_open() => &[GridWorker, DeptStaff],
        (status, A::ApproveRequest | A::RefuseRequest) if status.is_open() && ticket.pending.is_some() => &[Dispatcher],
        _ => &[],
    }
}

/// The capacity in which the actor may take `action`, if any (ignoring a pending request that blocks it).
pub(super) fn capacity_for(ticket: &TicketState, actor: &Actor, action: Action) -> Option<Capacity> {
    let allowed = holders(ticket, action);
    PRIORITY.into_iter().find(|c| allowed.contains(c) && holds(ticket, actor, *c))
}
