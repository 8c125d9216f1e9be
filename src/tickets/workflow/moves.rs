//! What each move changes, once `rules` has allowed it: the new state, the event and the notifications.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::{
    draft::{addressed, new_event, Draft},
    rules::Capacity,
    Actor, Audience, EventDetail, NewTicket, NoticeKind, Notification, RequestKind, TicketState, Transition,
    UnroutedReason, WorkflowError, REPORTER_DISPUTE_DAYS,
};
use crate::tickets::{
    command::{Command, Rectification},
    status::{Action, HazardLevel, RejectionReason, TicketStatus, Urgency},
};

/// The end of the reporter's dispute window, if the ticket is closed.
pub(super) fn dispute_window_end(ticket: &TicketState) -> Option<DateTime<Utc>> {
    ticket.closed_at?.checked_add_signed(TimeDelta::days(REPORTER_DISPUTE_DAYS))
}

fn routed(state: &TicketState) -> EventDetail {
    EventDetail::Routed {
        department_id: state.department_id,
        grid_worker_id: state.grid_worker_id,
        unrouted: state.unrouted_reason,
    }
}

pub(super) fn submit(new: &NewTicket, actor: &Actor, now: DateTime<Utc>) -> Transition {
    let mut candidates: Vec<Uuid> = Vec::with_capacity(new.routing.grid_workers.len());
    for id in &new.routing.grid_workers {
        if !candidates.contains(id) {
            candidates.push(*id);
        }
    }
    let department_id = new.routing.department_id;
    let (status, grid_worker_id, unrouted_reason) = match (department_id, candidates.first()) {
        (None, _) => (TicketStatus::Unrouted, None, Some(UnroutedReason::NoDepartment)),
        (Some(_), None) => (TicketStatus::Unrouted, None, Some(UnroutedReason::NoGridWorker)),
        (Some(_), Some(first)) => (TicketStatus::Assigned, Some(*first), None),
    };
    let state = TicketState {
        id: new.id,
        version: 1,
        status,
        urgency: new.urgency,
        hazard_level: None,
        reporter_id: actor.user_id,
        department_id,
        grid_worker_id,
        candidates,
        declined: Vec::new(),
        unrouted_reason,
        pending: None,
        rectification_deadline: None,
        closed_at: None,
        rejection: None,
        reopen_count: 0,
        limits: new.limits,
    };
    let mut event = new_event(Action::Submit, None, status, actor, now);
    event.detail = Some(routed(&state));
    let mut notices = vec![Notification { to: Audience::Reporter, kind: NoticeKind::Received }];
    match grid_worker_id {
        Some(worker) => notices.push(Notification { to: Audience::GridWorker(worker), kind: NoticeKind::TaskAssigned }),
        None => notices.push(Notification { to: Audience::Dispatchers, kind: NoticeKind::NeedsDispatch }),
    }
    if let (Urgency::Emergency, Some(department)) = (new.urgency, department_id) {
        // Danger now: the department's duty contact and every grid worker of the place, at once.
        notices.push(Notification { to: Audience::Department(department), kind: NoticeKind::Emergency });
        for other in state.candidates.iter().skip(1) {
            notices.push(Notification { to: Audience::GridWorker(*other), kind: NoticeKind::Emergency });
        }
    }
    let notifications = addressed(notices, actor, &state);
    Transition { state, event, notifications }
}

pub(super) fn run(
    ticket: &TicketState,
    command: &Command,
    actor: &Actor,
    capacity: Capacity,
    now: DateTime<Utc>,
) -> Result<Transition, WorkflowError> {
    let mut d = Draft::new(ticket, actor, command.action(), now)?;
    match command {
        Command::Assign { department_id, grid_worker_id, note } => {
            d.state.status = TicketStatus::Assigned;
            d.state.department_id = Some(*department_id);
            d.state.grid_worker_id = Some(*grid_worker_id);
            d.state.unrouted_reason = None;
            d.note(note.as_ref().map(|n| n.as_str()));
            d.event.detail = Some(routed(&d.state));
            d.notify(Audience::GridWorker(*grid_worker_id), NoticeKind::TaskAssigned);
            if d.state.urgency == Urgency::Emergency {
                d.notify(Audience::Department(*department_id), NoticeKind::Emergency);
            }
        }
        Command::Accept { rectification } => match (capacity, rectification) {
            (Capacity::GridWorker, None) => d.state.status = TicketStatus::Verifying,
            (Capacity::GridWorker, Some(_)) => return Err(WorkflowError::PlanNotExpected),
            (_, None) => return Err(WorkflowError::PlanRequired),
            (_, Some(plan)) => accept_rectification(&mut d, plan)?,
        },
        Command::Decline { note } => {
            let current = d.state.grid_worker_id.ok_or(WorkflowError::Inconsistent("assigned without grid worker"))?;
            if !d.state.declined.contains(&current) {
                d.state.declined.push(current);
            }
            let next = d.state.candidates.iter().copied().find(|c| *c != current && !d.state.declined.contains(c));
            d.state.grid_worker_id = next;
            match next {
                Some(worker) => d.notify(Audience::GridWorker(worker), NoticeKind::TaskAssigned),
                None => {
                    d.state.status = TicketStatus::Unrouted;
                    d.state.unrouted_reason = Some(UnroutedReason::AllDeclined);
                    d.notify(Audience::Dispatchers, NoticeKind::NeedsDispatch);
                }
            }
            d.note(note.as_ref().map(|n| n.as_str()));
            d.event.detail = Some(routed(&d.state));
        }
        Command::Confirm { level, evidence, note } => {
            d.state.status = TicketStatus::Confirmed;
            d.state.hazard_level = Some(*level);
            d.media(evidence.ids());
            d.note(note.as_ref().map(|n| n.as_str()));
            d.event.detail = Some(EventDetail::Confirmed { level: *level });
            d.notify(Audience::Department(d.department()?), NoticeKind::RectificationAssigned);
        }
        Command::ResolveOnSpot { evidence, note } => {
            // Whatever can be fixed on the spot is a general hazard by definition.
            d.state.hazard_level = Some(d.state.hazard_level.unwrap_or(HazardLevel::General));
            d.state.status = TicketStatus::Closed;
            d.state.closed_at = Some(now);
            d.media(evidence.ids());
            d.note(note.as_ref().map(|n| n.as_str()));
        }
        Command::Reject { ground, note } => {
            let reason = RejectionReason::from(*ground);
            if reason == (RejectionReason::DuplicateOf { ticket_id: ticket.id }) {
                return Err(WorkflowError::DuplicateOfItself);
            }
            reject(&mut d, reason);
            d.note(note.as_ref().map(|n| n.as_str()));
        }
        Command::Transfer { reason, to_department } => {
            if d.state.department_id == Some(*to_department) {
                return Err(WorkflowError::SameDepartment);
            }
            d.file(RequestKind::Transfer { to_department: *to_department }, reason.as_str());
        }
        Command::Complete { evidence, note } => {
            d.state.status = TicketStatus::AwaitingCheck;
            d.media(evidence.ids());
            d.note(note.as_ref().map(|n| n.as_str()));
            match d.state.grid_worker_id {
                Some(worker) => d.notify(Audience::GridWorker(worker), NoticeKind::CheckRequested),
                None => d.notify(Audience::Dispatchers, NoticeKind::CheckRequested),
            }
        }
        Command::Pass { media, note } => {
            d.state.status = TicketStatus::Closed;
            d.state.closed_at = Some(now);
            d.media(media.ids());
            d.note(note.as_ref().map(|n| n.as_str()));
            d.notify(Audience::Department(d.department()?), NoticeKind::StatusChanged);
        }
        Command::Fail { reason, media } => {
            d.state.status = TicketStatus::Rectifying;
            d.media(media.ids());
            d.note(Some(reason.as_str()));
            d.notify(Audience::Department(d.department()?), NoticeKind::CheckFailed);
        }
        Command::Reopen { reason, media } => reopen(&mut d, capacity, reason.as_str(), media.ids())?,
        Command::Withdraw { note } => {
            reject(&mut d, RejectionReason::Withdrawn);
            d.note(note.as_ref().map(|n| n.as_str()));
            if d.state.grid_worker_id.is_none() {
                d.notify(Audience::Dispatchers, NoticeKind::StatusChanged);
            }
        }
        Command::CancelAsError { reason } => d.file(RequestKind::CancelAsError, reason.as_str()),
        Command::ExtendDeadline { until, reason } => {
            check_extension(*until, d.state.rectification_deadline, now)?;
            d.file(RequestKind::Extension { until: *until }, reason.as_str());
        }
        Command::ApproveRequest { note } => {
            approve(&mut d)?;
            d.note(note.as_ref().map(|n| n.as_str()));
        }
        Command::RefuseRequest { reason } => {
            let pending = d.state.pending.take().ok_or(WorkflowError::Inconsistent("no pending request"))?;
            d.note(Some(reason.as_str()));
            d.event.detail =
                Some(EventDetail::RequestRefused { request: pending.kind, requested_by: pending.requested_by });
            d.notify(Audience::User(pending.requested_by), NoticeKind::RequestRefused);
        }
    }
    Ok(d.finish())
}

fn accept_rectification(d: &mut Draft<'_>, plan: &Rectification) -> Result<(), WorkflowError> {
    let level = match (d.state.hazard_level, plan.level) {
        (Some(current), Some(given)) if current != given => return Err(WorkflowError::LevelMismatch { current }),
        (Some(level), _) | (None, Some(level)) => level,
        (None, None) => return Err(WorkflowError::LevelRequired),
    };
    if plan.deadline <= d.now {
        return Err(WorkflowError::DeadlineNotInFuture { deadline: plan.deadline });
    }
    let latest = d.state.limits.latest_deadline(level, d.now).ok_or(WorkflowError::OutOfRange)?;
    if plan.deadline > latest {
        return Err(WorkflowError::DeadlineBeyondLimit { deadline: plan.deadline, latest, level });
    }
    let emergency_fast_path = d.before.status == TicketStatus::Assigned;
    d.state.status = TicketStatus::Rectifying;
    d.state.hazard_level = Some(level);
    d.set_deadline(Some(plan.deadline));
    d.note(Some(plan.plan.as_str()));
    d.event.detail = Some(EventDetail::Accepted { emergency_fast_path, level });
    if let (true, Some(worker)) = (emergency_fast_path, d.state.grid_worker_id) {
        // The grid worker need not go and verify any more; they still check the fix.
        d.notify(Audience::GridWorker(worker), NoticeKind::StatusChanged);
    }
    Ok(())
}

fn reject(d: &mut Draft<'_>, reason: RejectionReason) {
    d.state.status = TicketStatus::Rejected;
    d.state.rejection = Some(reason);
    d.event.detail = Some(EventDetail::Rejected { reason });
    if let Some(worker) = d.state.grid_worker_id {
        d.notify(Audience::GridWorker(worker), NoticeKind::StatusChanged);
    }
}

fn reopen(d: &mut Draft<'_>, capacity: Capacity, reason: &str, media: &[Uuid]) -> Result<(), WorkflowError> {
    let dispute = capacity == Capacity::Reporter;
    if dispute {
        let window_end = dispute_window_end(d.before).ok_or(WorkflowError::Inconsistent("closed without closed_at"))?;
        if d.now > window_end {
            return Err(WorkflowError::DisputeWindowClosed { window_end });
        }
    }
    let level = d.state.hazard_level.unwrap_or(HazardLevel::General);
    let deadline = d.state.limits.latest_deadline(level, d.now).ok_or(WorkflowError::OutOfRange)?;
    d.state.status = TicketStatus::Rectifying;
    d.state.reopen_count = d.state.reopen_count.saturating_add(1);
    d.set_deadline(Some(deadline));
    d.note(Some(reason));
    d.media(media);
    d.event.detail = Some(EventDetail::Reopened { dispute });
    d.notify(Audience::Department(d.department()?), NoticeKind::Reopened);
    if let Some(worker) = d.state.grid_worker_id {
        d.notify(Audience::GridWorker(worker), NoticeKind::Reopened);
    }
    if dispute {
        d.notify(Audience::Dispatchers, NoticeKind::Reopened);
    }
    Ok(())
}

fn check_extension(
    until: DateTime<Utc>,
    current: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), WorkflowError> {
    if until <= now {
        return Err(WorkflowError::DeadlineNotInFuture { deadline: until });
    }
    match current {
        Some(current) if until <= current => Err(WorkflowError::ExtensionNotLater { until, current }),
        _ => Ok(()),
    }
}

fn approve(d: &mut Draft<'_>) -> Result<(), WorkflowError> {
    let pending = d.state.pending.take().ok_or(WorkflowError::Inconsistent("no pending request"))?;
    match pending.kind {
        RequestKind::Transfer { to_department } => {
            d.state.status = TicketStatus::Confirmed;
            d.state.department_id = Some(to_department);
            if d.state.rectification_deadline.is_some() {
                d.set_deadline(None);
            }
            d.notify(Audience::Department(to_department), NoticeKind::RectificationAssigned);
        }
        RequestKind::CancelAsError => reject(d, RejectionReason::RecordedInError),
        RequestKind::Extension { until } => {
            if until <= d.now {
                return Err(WorkflowError::DeadlineNotInFuture { deadline: until });
            }
            d.set_deadline(Some(until));
        }
    }
    d.event.detail = Some(EventDetail::RequestApproved { request: pending.kind, requested_by: pending.requested_by });
    d.notify(Audience::User(pending.requested_by), NoticeKind::RequestApproved);
    Ok(())
}
