//! Whole lives of tickets, end to end: states, events and notifications along the way.

use super::fixtures::*;
use crate::tickets::{
    command::{Command, RejectGround},
    sla::{cst_date, cst_day_end},
    status::{Action, ActorRole, HazardLevel, RejectionReason, TicketStatus as S, Urgency},
    workflow::{
        apply, submit, Audience as To, DeadlineChange, EventDetail, NoticeKind as K, Notification, UnroutedReason,
        WorkflowError,
    },
};

fn n(to: To, kind: K) -> Notification {
    Notification { to, kind }
}

fn told_reporter() -> [Notification; 2] {
    [n(To::Reporter, K::StatusChanged), n(To::Followers, K::StatusChanged)]
}

#[test]
fn report_to_close_out_then_look_back_and_close_again() {
    let created = submit(&new_ticket(Urgency::Normal, Some(DEPT), vec![GW1, GW2]), &reporter(), t0());
    assert_eq!(created.state.status, S::Assigned);
    assert_eq!((created.state.grid_worker_id, created.state.department_id), (Some(GW1), Some(DEPT)));
    assert_eq!(created.notifications, [n(To::Reporter, K::Received), n(To::GridWorker(GW1), K::TaskAssigned)]);
    assert_eq!(
        created.event.detail,
        Some(EventDetail::Routed { department_id: Some(DEPT), grid_worker_id: Some(GW1), unrouted: None })
    );

    let gw = grid_worker(GW1);
    let verifying = step(&created.state, Command::Accept { rectification: None }, &gw, t0());
    assert_eq!(verifying.state.status, S::Verifying);
    assert_eq!(verifying.notifications, told_reporter());

    let confirm =
        Command::Confirm { level: HazardLevel::Major, evidence: evidence(), note: note("楼道堆满纸箱") };
    let confirmed = step(&verifying.state, confirm, &gw, t0() + days(1));
    assert_eq!((confirmed.state.status, confirmed.state.hazard_level), (S::Confirmed, Some(HazardLevel::Major)));
    assert_eq!(confirmed.event.media, [PHOTO]);
    assert_eq!(confirmed.event.note.as_deref(), Some("楼道堆满纸箱"));
    assert_eq!(confirmed.notifications[0], n(To::Department(DEPT), K::RectificationAssigned));

    let deadline = t0() + days(60);
    let accept = Command::Accept { rectification: Some(rectification(deadline, None)) };
    let rectifying = step(&confirmed.state, accept, &staff(), t0() + days(2));
    assert_eq!((rectifying.state.status, rectifying.state.rectification_deadline), (S::Rectifying, Some(deadline)));
    assert_eq!(rectifying.event.deadline, Some(DeadlineChange { from: None, to: Some(deadline) }));
    assert_eq!(rectifying.event.note.as_deref(), Some("清理楼道杂物，张贴警示"));
    assert_eq!(
        rectifying.event.detail,
        Some(EventDetail::Accepted { emergency_fast_path: false, level: HazardLevel::Major })
    );

    let complete = Command::Complete { evidence: evidence(), note: None };
    let awaiting = step(&rectifying.state, complete, &staff(), t0() + days(20));
    assert_eq!(awaiting.state.status, S::AwaitingCheck);
    assert!(awaiting.notifications.contains(&n(To::GridWorker(GW1), K::CheckRequested)));

    let closed_at = t0() + days(21);
    let closed = step(&awaiting.state, sample(Action::Pass, ActorRole::GridWorker, closed_at), &gw, closed_at);
    assert_eq!((closed.state.status, closed.state.closed_at), (S::Closed, Some(closed_at)));
    assert!(closed.notifications.contains(&n(To::Department(DEPT), K::StatusChanged)));
    assert!(closed.notifications.contains(&n(To::Reporter, K::StatusChanged)));

    // 回头看 two months later: the boxes are back.
    let look_back = closed_at + days(60);
    let reopened = step(&closed.state, sample(Action::Reopen, ActorRole::GridWorker, look_back), &gw, look_back);
    let new_deadline = cst_day_end(cst_date(look_back) + days(180)).unwrap();
    assert_eq!(reopened.state.status, S::Rectifying);
    assert_eq!((reopened.state.closed_at, reopened.state.reopen_count), (None, 1));
    assert_eq!(reopened.state.rectification_deadline, Some(new_deadline), "major limit from today");
    assert_eq!(reopened.event.deadline, Some(DeadlineChange { from: Some(deadline), to: Some(new_deadline) }));
    assert_eq!(reopened.event.detail, Some(EventDetail::Reopened { dispute: false }));
    assert!(reopened.notifications.contains(&n(To::Department(DEPT), K::Reopened)));
    assert!(!reopened.notifications.iter().any(|x| x.to == To::GridWorker(GW1)), "not told of their own move");

    let again = step(&reopened.state, sample(Action::Complete, ActorRole::DeptStaff, look_back), &staff(), look_back);
    let finally = step(&again.state, sample(Action::Pass, ActorRole::Dispatcher, look_back), &dispatcher(), look_back);
    assert_eq!(finally.state.status, S::Closed);
    assert_eq!(finally.state.version, 9);
}

#[test]
fn the_reporter_may_dispute_a_close_out() {
    let closed = ticket(S::Closed);
    let now = closed.closed_at.unwrap() + days(3);
    let t = step(&closed, sample(Action::Reopen, ActorRole::Reporter, now), &reporter(), now);
    assert_eq!(t.state.status, S::Rectifying);
    assert_eq!(t.event.detail, Some(EventDetail::Reopened { dispute: true }));
    assert!(t.notifications.contains(&n(To::Dispatchers, K::Reopened)));
    assert!(!t.notifications.iter().any(|x| x.to == To::Reporter), "the reporter did it");
    assert!(t.notifications.contains(&n(To::Followers, K::StatusChanged)));
}

#[test]
fn an_emergency_alerts_the_department_and_every_grid_worker_of_the_place_at_once() {
    let created = submit(&new_ticket(Urgency::Emergency, Some(DEPT), vec![GW1, GW2]), &reporter(), t0());
    assert_eq!(
        created.notifications,
        [
            n(To::Reporter, K::Received),
            n(To::GridWorker(GW1), K::TaskAssigned),
            n(To::Department(DEPT), K::Emergency),
            n(To::GridWorker(GW2), K::Emergency),
        ]
    );
    let normal = submit(&new_ticket(Urgency::Normal, Some(DEPT), vec![GW1, GW2]), &reporter(), t0());
    assert_eq!(normal.notifications, [n(To::Reporter, K::Received), n(To::GridWorker(GW1), K::TaskAssigned)]);
}

#[test]
fn an_emergency_goes_straight_to_rectification() {
    let created = submit(&new_ticket(Urgency::Emergency, Some(DEPT), vec![GW1]), &reporter(), t0());
    assert_eq!(
        created.notifications,
        [n(To::Reporter, K::Received), n(To::GridWorker(GW1), K::TaskAssigned), n(To::Department(DEPT), K::Emergency)]
    );
    let without_level = Command::Accept { rectification: Some(rectification(t0() + days(1), None)) };
    assert_eq!(apply(&created.state, &without_level, &staff(), t0()), Err(WorkflowError::LevelRequired));

    let accept = Command::Accept { rectification: Some(rectification(t0() + days(1), Some(HazardLevel::Major))) };
    let t = step(&created.state, accept, &staff(), t0());
    assert_eq!((t.event.from, t.state.status), (Some(S::Assigned), S::Rectifying));
    assert_eq!(t.state.hazard_level, Some(HazardLevel::Major));
    assert_eq!(t.event.detail, Some(EventDetail::Accepted { emergency_fast_path: true, level: HazardLevel::Major }));
    assert!(t.notifications.contains(&n(To::GridWorker(GW1), K::StatusChanged)));

    let done = step(&t.state, sample(Action::Complete, ActorRole::DeptStaff, t0()), &staff(), t0());
    assert!(done.notifications.contains(&n(To::GridWorker(GW1), K::CheckRequested)), "the grid worker checks");
    let closed = step(&done.state, sample(Action::Pass, ActorRole::GridWorker, t0()), &grid_worker(GW1), t0());
    assert_eq!(closed.state.status, S::Closed);
}

#[test]
fn declines_pass_down_the_routing_order_then_back_to_the_dispatcher() {
    let created = submit(&new_ticket(Urgency::Urgent, Some(DEPT), vec![GW1, GW2, GW1, GW3]), &reporter(), t0());
    assert_eq!(created.state.candidates, [GW1, GW2, GW3], "duplicates dropped");
    let decline = || Command::Decline { note: None };

    let second = step(&created.state, decline(), &grid_worker(GW1), t0());
    assert_eq!((second.state.status, second.state.grid_worker_id), (S::Assigned, Some(GW2)));
    assert_eq!(second.state.declined, [GW1]);
    assert_eq!(second.notifications, [n(To::GridWorker(GW2), K::TaskAssigned)], "no status change for the reporter");
    assert!(apply(&second.state, &decline(), &grid_worker(GW1), t0()).is_err(), "GW1 is off the ticket");

    let third = step(&second.state, decline(), &grid_worker(GW2), t0());
    assert_eq!(third.state.grid_worker_id, Some(GW3));
    let nobody = step(&third.state, decline(), &grid_worker(GW3), t0());
    assert_eq!(nobody.state.status, S::Unrouted);
    assert_eq!((nobody.state.grid_worker_id, nobody.state.department_id), (None, Some(DEPT)));
    assert_eq!(nobody.state.unrouted_reason, Some(UnroutedReason::AllDeclined));
    assert_eq!(nobody.state.declined, [GW1, GW2, GW3]);
    assert!(nobody.notifications.contains(&n(To::Dispatchers, K::NeedsDispatch)));
    assert_eq!(
        nobody.event.detail,
        Some(EventDetail::Routed {
            department_id: Some(DEPT),
            grid_worker_id: None,
            unrouted: Some(UnroutedReason::AllDeclined)
        })
    );

    // The dispatcher may insist on someone who declined; declining again sends it straight back.
    let assign = Command::Assign { department_id: DEPT, grid_worker_id: GW2, note: note("请再核实") };
    let assigned = step(&nobody.state, assign, &dispatcher(), t0());
    assert_eq!((assigned.state.status, assigned.state.unrouted_reason), (S::Assigned, None));
    assert!(assigned.notifications.contains(&n(To::GridWorker(GW2), K::TaskAssigned)));
    let back = step(&assigned.state, decline(), &grid_worker(GW2), t0());
    assert_eq!((back.state.status, back.state.declined.len()), (S::Unrouted, 3));
}

#[test]
fn submissions_without_a_department_or_worker_wait_for_a_dispatcher() {
    let none = submit(&new_ticket(Urgency::Emergency, None, vec![GW1]), &reporter(), t0());
    assert_eq!((none.state.status, none.state.unrouted_reason), (S::Unrouted, Some(UnroutedReason::NoDepartment)));
    assert_eq!(none.notifications, [n(To::Reporter, K::Received), n(To::Dispatchers, K::NeedsDispatch)]);
    let no_worker = submit(&new_ticket(Urgency::Normal, Some(DEPT), vec![]), &reporter(), t0());
    assert_eq!(no_worker.state.unrouted_reason, Some(UnroutedReason::NoGridWorker));
    assert_eq!(no_worker.state.department_id, Some(DEPT));
    let assign = Command::Assign { department_id: OTHER_DEPT, grid_worker_id: GW3, note: None };
    let assigned = step(&none.state, assign, &admin(), t0());
    assert_eq!((assigned.state.department_id, assigned.state.grid_worker_id), (Some(OTHER_DEPT), Some(GW3)));
    assert!(assigned.notifications.contains(&n(To::Department(OTHER_DEPT), K::Emergency)));
}

#[test]
fn a_grid_worker_reporting_on_patrol_gets_only_the_receipt_of_their_own_report() {
    let t = submit(&new_ticket(Urgency::Normal, Some(DEPT), vec![GW1]), &grid_worker(GW1), t0());
    assert_eq!((t.state.reporter_id, t.state.grid_worker_id), (GW1, Some(GW1)));
    assert_eq!(t.notifications, [n(To::Reporter, K::Received)], "no task notice about their own report");
}

#[test]
fn fixed_on_the_spot_closes_as_a_general_hazard() {
    let t = step(
        &ticket(S::Verifying),
        sample(Action::ResolveOnSpot, ActorRole::GridWorker, t0()),
        &grid_worker(GW1),
        t0(),
    );
    assert_eq!((t.state.status, t.state.closed_at), (S::Closed, Some(t0())));
    assert_eq!(t.state.hazard_level, Some(HazardLevel::General));
    assert_eq!(t.event.media, [PHOTO]);
    assert_eq!(t.notifications, told_reporter());
}

#[test]
fn rejections_record_their_reason() {
    let verifying = ticket(S::Verifying);
    let dup = Command::Reject { ground: RejectGround::DuplicateOf { ticket_id: OTHER_TICKET }, note: None };
    let t = step(&verifying, dup, &dispatcher(), t0());
    assert_eq!(t.state.rejection, Some(RejectionReason::DuplicateOf { ticket_id: OTHER_TICKET }));
    assert!(t.notifications.contains(&n(To::GridWorker(GW1), K::StatusChanged)));
    let itself = Command::Reject { ground: RejectGround::DuplicateOf { ticket_id: TICKET }, note: None };
    assert_eq!(apply(&verifying, &itself, &grid_worker(GW1), t0()), Err(WorkflowError::DuplicateOfItself));
    let invalid =
        step(&verifying, Command::Reject { ground: RejectGround::Invalid, note: None }, &grid_worker(GW1), t0());
    assert_eq!(invalid.event.detail, Some(EventDetail::Rejected { reason: RejectionReason::Invalid }));
}

#[test]
fn the_reporter_withdraws_before_verification() {
    let from_unrouted = step(&ticket(S::Unrouted), Command::Withdraw { note: None }, &reporter(), t0());
    assert_eq!(from_unrouted.state.rejection, Some(RejectionReason::Withdrawn));
    assert_eq!(from_unrouted.state.unrouted_reason, None);
    assert_eq!(from_unrouted.notifications, [n(To::Dispatchers, K::StatusChanged), n(To::Followers, K::StatusChanged)]);
    let from_assigned = step(&ticket(S::Assigned), Command::Withdraw { note: note("已自行处理") }, &reporter(), t0());
    assert!(from_assigned.notifications.contains(&n(To::GridWorker(GW1), K::StatusChanged)));
    assert_eq!(from_assigned.event.note.as_deref(), Some("已自行处理"));
}

#[test]
fn a_failed_check_returns_to_rectification_with_the_same_deadline() {
    let awaiting = ticket(S::AwaitingCheck);
    let t = step(&awaiting, sample(Action::Fail, ActorRole::GridWorker, t0()), &grid_worker(GW1), t0());
    assert_eq!(t.state.status, S::Rectifying);
    assert_eq!(t.state.rectification_deadline, awaiting.rectification_deadline);
    assert_eq!(t.event.note.as_deref(), Some("杂物仍未清走"));
    assert!(t.notifications.contains(&n(To::Department(DEPT), K::CheckFailed)));
}
