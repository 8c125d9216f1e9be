//! The rules beyond the table: deadlines and limits, levels, the reporter's dispute window, the right
//! person, terminal states and broken state.

use std::collections::HashSet;

use chrono::{TimeDelta, TimeZone, Utc};

use super::fixtures::*;
use crate::tickets::{
    command::Command,
    status::{Action, ActorRole, HazardLevel, RejectionReason, TicketStatus as S},
    workflow::{allowed_actions, allowed_actions_at, apply, WorkflowError, REPORTER_DISPUTE_DAYS},
};

fn accept_by(deadline: chrono::DateTime<Utc>, level: Option<HazardLevel>) -> Command {
    Command::Accept { rectification: Some(rectification(deadline, level)) }
}

#[test]
fn accepted_deadlines_lie_in_the_future_and_within_the_level_limit() {
    let confirmed = ticket(S::Confirmed);
    let now = t0(); // Monday 2 June 2025 10:00 CST; general limit 30 days → 24:00 CST on 2 July.
    let latest = Utc.with_ymd_and_hms(2025, 7, 2, 16, 0, 0).unwrap();
    let ms = TimeDelta::milliseconds(1);
    assert_eq!(
        apply(&confirmed, &accept_by(now, None), &staff(), now),
        Err(WorkflowError::DeadlineNotInFuture { deadline: now })
    );
    assert!(apply(&confirmed, &accept_by(now + ms, None), &staff(), now).is_ok());
    assert!(apply(&confirmed, &accept_by(latest, None), &staff(), now).is_ok());
    assert_eq!(
        apply(&confirmed, &accept_by(latest + ms, None), &staff(), now),
        Err(WorkflowError::DeadlineBeyondLimit { deadline: latest + ms, latest, level: HazardLevel::General })
    );
    let mut major = confirmed.clone();
    major.hazard_level = Some(HazardLevel::Major);
    assert!(apply(&major, &accept_by(now + days(150), None), &staff(), now).is_ok());
    assert_eq!(
        apply(&major, &accept_by(now + days(200), None), &staff(), now).unwrap_err().code(),
        "deadline_beyond_limit"
    );
}

#[test]
fn the_limit_counts_china_days() {
    // 15:30 UTC is 23:30 CST on 2 June; 16:31 UTC, still 2 June in UTC, is already 3 June in China.
    let confirmed = ticket(S::Confirmed);
    let late_evening = Utc.with_ymd_and_hms(2025, 6, 2, 15, 30, 0).unwrap();
    let after_midnight = Utc.with_ymd_and_hms(2025, 6, 2, 16, 31, 0).unwrap();
    let july_3_end = Utc.with_ymd_and_hms(2025, 7, 3, 16, 0, 0).unwrap();
    assert!(apply(&confirmed, &accept_by(july_3_end, None), &staff(), late_evening).is_err());
    assert!(apply(&confirmed, &accept_by(july_3_end, None), &staff(), after_midnight).is_ok());
}

#[test]
fn the_level_is_set_on_verification_and_the_plan_belongs_to_the_department() {
    let confirmed = ticket(S::Confirmed);
    let deadline = t0() + days(3);
    assert!(apply(&confirmed, &accept_by(deadline, Some(HazardLevel::General)), &staff(), t0()).is_ok());
    assert_eq!(
        apply(&confirmed, &accept_by(deadline, Some(HazardLevel::Major)), &staff(), t0()),
        Err(WorkflowError::LevelMismatch { current: HazardLevel::General })
    );
    let bare = Command::Accept { rectification: None };
    assert_eq!(apply(&confirmed, &bare, &staff(), t0()), Err(WorkflowError::PlanRequired));
    let assigned = ticket(S::Assigned);
    assert_eq!(
        apply(&assigned, &accept_by(deadline, None), &grid_worker(GW1), t0()),
        Err(WorkflowError::PlanNotExpected)
    );
}

#[test]
fn the_reporter_may_reopen_for_exactly_seven_days() {
    let closed = ticket(S::Closed);
    let closed_at = closed.closed_at.unwrap();
    let window_end = closed_at + days(REPORTER_DISPUTE_DAYS);
    let reopen = sample(Action::Reopen, ActorRole::Reporter, t0());
    let ms = TimeDelta::milliseconds(1);
    assert!(apply(&closed, &reopen, &reporter(), closed_at).is_ok());
    assert!(apply(&closed, &reopen, &reporter(), window_end).is_ok(), "the 7th day's last instant");
    assert_eq!(
        apply(&closed, &reopen, &reporter(), window_end + ms),
        Err(WorkflowError::DisputeWindowClosed { window_end })
    );
    for staff_member in [grid_worker(GW1), dispatcher(), admin()] {
        assert!(apply(&closed, &reopen, &staff_member, window_end + days(300)).is_ok(), "回头看 has no window");
    }
    assert_eq!(allowed_actions(&closed, &reporter()), [Action::Reopen]);
    assert_eq!(allowed_actions_at(&closed, &reporter(), window_end), [Action::Reopen]);
    assert_eq!(allowed_actions_at(&closed, &reporter(), window_end + ms), []);
    assert_eq!(allowed_actions_at(&closed, &dispatcher(), window_end + ms), [Action::Reopen]);
}

#[test]
fn a_grid_worker_who_reported_it_reopens_without_the_window() {
    let mut closed = ticket(S::Closed);
    closed.reporter_id = GW1;
    let late = closed.closed_at.unwrap() + days(30);
    assert!(apply(&closed, &sample(Action::Reopen, ActorRole::GridWorker, late), &grid_worker(GW1), late).is_ok());
    assert_eq!(allowed_actions_at(&closed, &grid_worker(GW1), late), [Action::Reopen]);
}

#[test]
fn staff_who_reported_it_may_withdraw_it_as_its_reporter() {
    let mut assigned = ticket(S::Assigned);
    assigned.reporter_id = STAFF;
    assert_eq!(allowed_actions(&assigned, &staff()), [Action::Withdraw, Action::CancelAsError]);
    let t = step(&assigned, Command::Withdraw { note: None }, &staff(), t0());
    assert_eq!(t.state.rejection, Some(RejectionReason::Withdrawn));
}

#[test]
fn admin_may_do_what_a_dispatcher_may() {
    for &status in S::ALL {
        let t = ticket(status);
        assert_eq!(allowed_actions(&t, &admin()), allowed_actions(&t, &dispatcher()), "{status}");
    }
}

#[test]
fn refusals_name_the_allowed_actions() {
    let verifying = ticket(S::Verifying);
    let err =
        apply(&verifying, &sample(Action::Pass, ActorRole::GridWorker, t0()), &grid_worker(GW1), t0()).unwrap_err();
    assert_eq!(
        err,
        WorkflowError::NotAllowed {
            action: Action::Pass,
            status: S::Verifying,
            role: ActorRole::GridWorker,
            allowed: vec![Action::Confirm, Action::ResolveOnSpot, Action::Reject, Action::CancelAsError],
        }
    );
    assert_eq!(err.to_string(), "`pass` is not allowed for grid_worker in `verifying`");
    assert_eq!(err.code(), "transition_not_allowed");
}

#[test]
fn nothing_leaves_rejected_whatever_the_reason() {
    let reasons = [
        RejectionReason::NotAHazard,
        RejectionReason::Invalid,
        RejectionReason::DuplicateOf { ticket_id: OTHER_TICKET },
        RejectionReason::Withdrawn,
        RejectionReason::RecordedInError,
    ];
    for reason in reasons {
        let mut rejected = ticket(S::Rejected);
        rejected.rejection = Some(reason);
        for &role in ActorRole::ALL {
            let actor = right_person(role);
            assert_eq!(allowed_actions(&rejected, &actor), []);
            for &action in Action::ALL.iter().filter(|a| **a != Action::Submit) {
                assert!(apply(&rejected, &sample(action, role, t0()), &actor, t0()).is_err());
            }
        }
    }
}

#[test]
fn broken_state_is_an_error_not_a_panic() {
    let mut closed = ticket(S::Closed);
    closed.closed_at = None;
    let reopen = sample(Action::Reopen, ActorRole::Reporter, t0());
    assert_eq!(apply(&closed, &reopen, &reporter(), t0()).unwrap_err().code(), "inconsistent_ticket");
    assert_eq!(allowed_actions_at(&closed, &reporter(), t0()), []);

    let mut verifying = ticket(S::Verifying);
    verifying.department_id = None;
    let confirm = sample(Action::Confirm, ActorRole::GridWorker, t0());
    assert!(matches!(apply(&verifying, &confirm, &grid_worker(GW1), t0()), Err(WorkflowError::Inconsistent(_))));

    let mut old = ticket(S::Assigned);
    old.version = i64::MAX;
    let accept = Command::Accept { rectification: None };
    assert!(matches!(apply(&old, &accept, &grid_worker(GW1), t0()), Err(WorkflowError::Inconsistent(_))));

    let confirmed = ticket(S::Confirmed);
    let far = Command::Accept { rectification: Some(rectification(chrono::DateTime::<Utc>::MAX_UTC, None)) };
    let mut huge = confirmed.clone();
    huge.limits.general_days = u32::MAX;
    assert!(apply(&huge, &far, &staff(), t0()).is_err());
}

#[test]
fn error_codes_are_distinct() {
    let now = t0();
    let errors = [
        WorkflowError::NotAllowed { action: Action::Pass, status: S::Closed, role: ActorRole::Admin, allowed: vec![] },
        WorkflowError::RequestPending { pending: Action::Transfer },
        WorkflowError::PlanRequired,
        WorkflowError::PlanNotExpected,
        WorkflowError::LevelRequired,
        WorkflowError::LevelMismatch { current: HazardLevel::Major },
        WorkflowError::DeadlineNotInFuture { deadline: now },
        WorkflowError::DeadlineBeyondLimit { deadline: now, latest: now, level: HazardLevel::General },
        WorkflowError::ExtensionNotLater { until: now, current: now },
        WorkflowError::DisputeWindowClosed { window_end: now },
        WorkflowError::SameDepartment,
        WorkflowError::DuplicateOfItself,
        WorkflowError::OutOfRange,
        WorkflowError::Inconsistent("x"),
    ];
    let codes: HashSet<&str> = errors.iter().map(WorkflowError::code).collect();
    assert_eq!(codes.len(), errors.len());
    assert!(errors.iter().all(|e| !e.to_string().is_empty()));
}
