//! Two-step moves: transfer (转办), cancel as recorded in error (申请销号) and extension (延期申请).
//! Filing and deciding are both events; a request lapses when the status moves on.

use uuid::Uuid;

use super::fixtures::*;
use crate::tickets::{
    command::Command,
    status::{Action, ActorRole, RejectionReason, TicketStatus as S},
    workflow::{
        allowed_actions, apply, Audience as To, DeadlineChange, EventDetail, NoticeKind as K, Notification,
        PendingRequest, RequestKind, WorkflowError,
    },
};

const STAFF2: Uuid = Uuid::from_u128(0x404);

fn n(to: To, kind: K) -> Notification {
    Notification { to, kind }
}

#[test]
fn a_transfer_is_requested_then_approved_by_a_dispatcher() {
    let confirmed = ticket(S::Confirmed);
    let filed = step(&confirmed, sample(Action::Transfer, ActorRole::DeptStaff, t0()), &staff(), t0());
    assert_eq!(filed.state.status, S::Confirmed);
    let request = RequestKind::Transfer { to_department: OTHER_DEPT };
    assert_eq!(
        filed.state.pending,
        Some(PendingRequest {
            kind: request,
            requested_by: STAFF,
            requested_at: t0(),
            reason: "属燃气主管部门".into()
        })
    );
    assert_eq!(filed.event.detail, Some(EventDetail::RequestFiled { request }));
    assert_eq!(filed.event.note.as_deref(), Some("属燃气主管部门"));
    assert_eq!(filed.notifications, [n(To::Dispatchers, K::ApprovalRequested)]);
    assert_eq!(
        apply(&filed.state, &sample(Action::CancelAsError, ActorRole::DeptStaff, t0()), &staff(), t0()),
        Err(WorkflowError::RequestPending { pending: Action::Transfer })
    );
    assert_eq!(allowed_actions(&filed.state, &staff()), [Action::Accept], "the department may still take it");

    let approved = step(&filed.state, Command::ApproveRequest { note: note("同意转办") }, &dispatcher(), t0());
    assert_eq!((approved.state.status, approved.state.department_id), (S::Confirmed, Some(OTHER_DEPT)));
    assert_eq!(approved.state.pending, None);
    assert_eq!(approved.state.version, confirmed.version + 2, "both steps are events");
    assert_eq!(approved.event.detail, Some(EventDetail::RequestApproved { request, requested_by: STAFF }));
    assert!(approved.notifications.contains(&n(To::Department(OTHER_DEPT), K::RectificationAssigned)));
    assert!(approved.notifications.contains(&n(To::User(STAFF), K::RequestApproved)));
    assert_eq!(allowed_actions(&approved.state, &staff()), [], "the old department is off the ticket");
    let new_staff = actor(NEW_DEPT_STAFF, ActorRole::DeptStaff, Some(OTHER_DEPT));
    assert!(allowed_actions(&approved.state, &new_staff).contains(&Action::Accept));
}

#[test]
fn a_transfer_during_rectification_clears_the_deadline() {
    let rectifying = ticket(S::Rectifying);
    let filed = step(&rectifying, sample(Action::Transfer, ActorRole::DeptStaff, t0()), &staff(), t0());
    let approved = step(&filed.state, Command::ApproveRequest { note: None }, &admin(), t0());
    assert_eq!(approved.state.status, S::Confirmed);
    assert_eq!(approved.state.rectification_deadline, None);
    assert_eq!(approved.event.deadline, Some(DeadlineChange { from: rectifying.rectification_deadline, to: None }));
    assert!(approved.notifications.contains(&n(To::Reporter, K::StatusChanged)));
}

#[test]
fn a_refused_request_leaves_the_ticket_where_it_was() {
    let rectifying = ticket(S::Rectifying);
    let filed = step(&rectifying, sample(Action::Transfer, ActorRole::DeptStaff, t0()), &staff(), t0());
    let refused = step(&filed.state, sample(Action::RefuseRequest, ActorRole::Dispatcher, t0()), &dispatcher(), t0());
    assert_eq!(refused.state.status, S::Rectifying);
    assert_eq!(refused.state.department_id, Some(DEPT));
    assert_eq!(refused.state.pending, None);
    assert_eq!(refused.event.note.as_deref(), Some("理由不充分"));
    assert_eq!(refused.notifications, [n(To::User(STAFF), K::RequestRefused)]);
    assert_eq!(
        refused.event.detail,
        Some(EventDetail::RequestRefused {
            request: RequestKind::Transfer { to_department: OTHER_DEPT },
            requested_by: STAFF
        })
    );
    let same = Command::Transfer { reason: reason("x"), to_department: DEPT };
    assert_eq!(apply(&rectifying, &same, &staff(), t0()), Err(WorkflowError::SameDepartment));
}

#[test]
fn cancel_as_error_ends_rejected_as_recorded_in_error() {
    for status in [S::Assigned, S::Verifying, S::Confirmed, S::Rectifying, S::AwaitingCheck] {
        let open = ticket(status);
        let filed = step(&open, sample(Action::CancelAsError, ActorRole::GridWorker, t0()), &grid_worker(GW1), t0());
        assert_eq!(filed.state.pending.as_ref().map(|p| p.kind), Some(RequestKind::CancelAsError));
        let approved = step(&filed.state, Command::ApproveRequest { note: None }, &dispatcher(), t0());
        assert_eq!(approved.state.status, S::Rejected);
        assert_eq!(approved.state.rejection, Some(RejectionReason::RecordedInError));
        assert!(approved.notifications.contains(&n(To::User(GW1), K::RequestApproved)));
        assert!(approved.notifications.contains(&n(To::Reporter, K::StatusChanged)));
        let refused = step(&filed.state, sample(Action::RefuseRequest, ActorRole::Admin, t0()), &admin(), t0());
        assert_eq!(refused.state.status, status);
    }
}

#[test]
fn an_extension_must_be_later_and_is_set_on_approval() {
    let rectifying = ticket(S::Rectifying);
    let current = rectifying.rectification_deadline.unwrap();
    let ask = |until| Command::ExtendDeadline { until, reason: reason("需等待配件") };
    assert_eq!(
        apply(&rectifying, &ask(current), &staff(), t0()),
        Err(WorkflowError::ExtensionNotLater { until: current, current })
    );
    assert_eq!(
        apply(&rectifying, &ask(t0() - days(1)), &staff(), t0()),
        Err(WorkflowError::DeadlineNotInFuture { deadline: t0() - days(1) })
    );
    let until = current + days(14);
    let filed = step(&rectifying, ask(until), &staff(), t0());
    assert_eq!(filed.state.rectification_deadline, Some(current), "unchanged until approved");
    let approved = step(&filed.state, Command::ApproveRequest { note: None }, &dispatcher(), t0() + days(1));
    assert_eq!(approved.state.rectification_deadline, Some(until));
    assert_eq!(approved.event.deadline, Some(DeadlineChange { from: Some(current), to: Some(until) }));
    assert_eq!(approved.state.status, S::Rectifying);
    assert_eq!(
        apply(&filed.state, &Command::ApproveRequest { note: None }, &dispatcher(), until + days(1)),
        Err(WorkflowError::DeadlineNotInFuture { deadline: until }),
        "an extension already in the past cannot be approved; refuse it"
    );
}

#[test]
fn a_pending_request_lapses_when_the_status_moves_on() {
    let rectifying = ticket(S::Rectifying);
    let colleague = actor(STAFF2, ActorRole::DeptStaff, Some(DEPT));
    let filed = step(&rectifying, sample(Action::ExtendDeadline, ActorRole::DeptStaff, t0()), &colleague, t0());
    let done = step(&filed.state, sample(Action::Complete, ActorRole::DeptStaff, t0()), &staff(), t0());
    assert_eq!(done.state.status, S::AwaitingCheck);
    assert_eq!(done.state.pending, None);
    assert!(matches!(done.event.dropped_request, Some(RequestKind::Extension { .. })));
    assert!(done.notifications.contains(&n(To::User(STAFF2), K::RequestDropped)));
    assert!(!allowed_actions(&done.state, &dispatcher()).contains(&Action::ApproveRequest));
}

#[test]
fn approval_needs_a_pending_request() {
    let t = ticket(S::Rectifying);
    for command in [Command::ApproveRequest { note: None }, sample(Action::RefuseRequest, ActorRole::Dispatcher, t0())]
    {
        assert_eq!(apply(&t, &command, &dispatcher(), t0()).unwrap_err().code(), "transition_not_allowed");
    }
}
