//! The transition table, written down as data and walked exhaustively:
//! every status × every action × every role, for the right person and for the wrong one.

use super::fixtures::*;
use crate::tickets::{
    status::{Action, ActorRole, TicketStatus, Urgency},
    workflow::{allowed_actions, apply, submit, PendingRequest, RequestKind, TicketState, WorkflowError},
};

use Action as A;
use TicketStatus as S;

/// (status, action, roles that may take it as the right person); anything not listed is refused.
const TABLE: &[(S, A, &str)] = &[
    (S::Unrouted, A::Assign, "dispatcher admin"),
    (S::Unrouted, A::Withdraw, "reporter"),
    (S::Assigned, A::Accept, "grid_worker"),
    (S::Assigned, A::Decline, "grid_worker"),
    (S::Assigned, A::Withdraw, "reporter"),
    (S::Assigned, A::CancelAsError, "grid_worker dept_staff"),
    (S::Verifying, A::Confirm, "grid_worker"),
    (S::Verifying, A::ResolveOnSpot, "grid_worker"),
    (S::Verifying, A::Reject, "grid_worker dispatcher admin"),
    (S::Verifying, A::CancelAsError, "grid_worker dept_staff"),
    (S::Confirmed, A::Accept, "dept_staff"),
    (S::Confirmed, A::Transfer, "dept_staff"),
    (S::Confirmed, A::CancelAsError, "grid_worker dept_staff"),
    (S::Rectifying, A::Transfer, "dept_staff"),
    (S::Rectifying, A::Complete, "dept_staff"),
    (S::Rectifying, A::ExtendDeadline, "dept_staff"),
    (S::Rectifying, A::CancelAsError, "grid_worker dept_staff"),
    (S::AwaitingCheck, A::Pass, "grid_worker dispatcher admin"),
    (S::AwaitingCheck, A::Fail, "grid_worker dispatcher admin"),
    (S::AwaitingCheck, A::CancelAsError, "grid_worker dept_staff"),
    (S::Closed, A::Reopen, "reporter grid_worker dispatcher admin"),
];

fn expected(table: &[(S, A, &str)], status: S, action: A, role: ActorRole) -> bool {
    table.iter().any(|(s, a, roles)| *s == status && *a == action && roles.split(' ').any(|r| r == role.as_str()))
}

/// Checks `allowed_actions` and `apply` against the expectation for every action and role on `ticket`.
fn walk(ticket: &TicketState, expect: impl Fn(A, ActorRole) -> Result<(), WorkflowError>) -> usize {
    let mut allowed_moves = 0;
    for &role in ActorRole::ALL {
        let actor = right_person(role);
        let allowed = allowed_actions(ticket, &actor);
        for &action in A::ALL.iter().filter(|a| **a != A::Submit) {
            let want = expect(action, role);
            let label = format!("{} × {action} × {role}", ticket.status);
            assert_eq!(allowed.contains(&action), want.is_ok(), "allowed_actions: {label}");
            match (apply(ticket, &sample(action, role, t0()), &actor, t0()), want) {
                (Ok(t), Ok(())) => {
                    assert_eq!(t.state.version, ticket.version + 1, "{label}");
                    assert_eq!(t.event.action, action, "{label}");
                    allowed_moves += 1;
                }
                (Err(WorkflowError::NotAllowed { action: a, status, role: r, allowed: listed }), Err(_)) => {
                    assert_eq!((a, status, r), (action, ticket.status, role), "{label}");
                    assert_eq!(listed, allowed, "the error lists what is allowed: {label}");
                }
                (Err(got), Err(want)) => assert_eq!(got, want, "{label}"),
                (got, want) => panic!("{label}: got {got:?}, want {want:?}"),
            }
        }
    }
    allowed_moves
}

fn not_allowed() -> WorkflowError {
    // Only the variant matters: `walk` compares NotAllowed fields itself.
    WorkflowError::NotAllowed { action: A::Submit, status: S::Closed, role: ActorRole::Admin, allowed: vec![] }
}

#[test]
fn every_status_action_and_role_matches_the_table() {
    let mut moves = 0;
    for &status in S::ALL {
        moves += walk(
            &ticket(status),
            |action, role| {
                if expected(TABLE, status, action, role) {
                    Ok(())
                } else {
                    Err(not_allowed())
                }
            },
        );
    }
    let listed: usize = TABLE.iter().map(|(_, _, roles)| roles.split(' ').count()).sum();
    assert_eq!(moves, listed, "every listed move succeeded once");
}

#[test]
fn submit_is_open_to_everyone_and_makes_them_the_reporter() {
    for &role in ActorRole::ALL {
        let actor = right_person(role);
        let t = submit(&new_ticket(Urgency::Normal, Some(DEPT), vec![GW1]), &actor, t0());
        assert_eq!(t.state.reporter_id, actor.user_id);
        assert_eq!((t.event.action, t.event.from, t.state.status), (A::Submit, None, S::Assigned));
        assert_eq!(t.state.version, 1);
    }
}

#[test]
fn an_unrouted_ticket_with_a_department_can_be_cancelled_by_its_staff() {
    let mut t = ticket(S::Unrouted);
    t.department_id = Some(DEPT);
    walk(&t, |action, role| {
        let staff_cancel = action == A::CancelAsError && role == ActorRole::DeptStaff;
        if staff_cancel || expected(TABLE, S::Unrouted, action, role) {
            Ok(())
        } else {
            Err(not_allowed())
        }
    });
}

#[test]
fn an_emergency_may_be_accepted_by_the_department_straight_from_assigned() {
    let mut t = ticket(S::Assigned);
    t.urgency = Urgency::Emergency;
    walk(&t, |action, role| {
        let fast = action == A::Accept && role == ActorRole::DeptStaff;
        if fast || expected(TABLE, S::Assigned, action, role) {
            Ok(())
        } else {
            Err(not_allowed())
        }
    });
    for urgency in [Urgency::Urgent, Urgency::Normal] {
        t.urgency = urgency;
        assert!(!allowed_actions(&t, &staff()).contains(&A::Accept), "{urgency} is no emergency");
    }
}

#[test]
fn a_pending_request_opens_approval_and_blocks_other_requests() {
    for &status in S::ALL {
        let mut t = ticket(status);
        t.pending = Some(PendingRequest {
            kind: RequestKind::CancelAsError,
            requested_by: GW1,
            requested_at: t0() - days(1),
            reason: "登记错误".into(),
        });
        walk(&t, |action, role| {
            let dispatching = matches!(role, ActorRole::Dispatcher | ActorRole::Admin);
            if matches!(action, A::ApproveRequest | A::RefuseRequest) && dispatching && status.is_open() {
                Ok(())
            } else if action.is_request() && expected(TABLE, status, action, role) {
                Err(WorkflowError::RequestPending { pending: A::CancelAsError })
            } else if expected(TABLE, status, action, role) {
                Ok(())
            } else {
                Err(not_allowed())
            }
        });
    }
}

#[test]
fn the_wrong_person_in_each_role_may_do_nothing() {
    let wrong = [
        actor(STRANGER, ActorRole::Reporter, None),
        grid_worker(GW3),
        grid_worker(GW2),
        other_staff(),
        actor(STAFF, ActorRole::DeptStaff, None),
        actor(STAFF, ActorRole::GridWorker, Some(DEPT)),
    ];
    for &status in S::ALL {
        let t = ticket(status);
        for actor in &wrong {
            assert_eq!(allowed_actions(&t, actor), vec![], "{status} {actor:?}");
            for &action in A::ALL.iter().filter(|a| **a != A::Submit) {
                let err = apply(&t, &sample(action, actor.role, t0()), actor, t0()).unwrap_err();
                assert_eq!(err.code(), "transition_not_allowed", "{status} {action} {actor:?}");
            }
        }
    }
}
