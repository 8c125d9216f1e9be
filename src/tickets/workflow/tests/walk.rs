//! A seeded random walk over commands, actors and time, checking the invariants after every step.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::fixtures::*;
use crate::tickets::{
    command::{Attachments, Command, RejectGround},
    status::{Action, ActorRole, HazardLevel, TicketStatus as S, Urgency},
    workflow::{allowed_actions, apply, submit, Actor, Audience, NoticeKind, TicketState, Transition, WorkflowError},
};

/// SplitMix64: small, seeded, good enough to drive a walk.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn days_between(&mut self, from: i64, to: i64) -> TimeDelta {
        let span = (to - from) as u64 * 24 * 60;
        TimeDelta::minutes(from * 24 * 60 + (self.next() % span) as i64)
    }
}

fn actors() -> Vec<Actor> {
    vec![
        reporter(),
        actor(STRANGER, ActorRole::Reporter, None),
        grid_worker(GW1),
        grid_worker(GW2),
        grid_worker(GW3),
        staff(),
        actor(Uuid::from_u128(0x404), ActorRole::DeptStaff, Some(DEPT)),
        other_staff(),
        dispatcher(),
        admin(),
    ]
}

fn random_submission(rng: &mut Rng, now: DateTime<Utc>) -> Transition {
    let urgency = rng.pick(Urgency::ALL);
    let department = rng.pick(&[Some(DEPT), Some(OTHER_DEPT), None]);
    let workers: Vec<Uuid> = (0..rng.below(4)).map(|_| rng.pick(&[GW1, GW2, GW3])).collect();
    let who = rng.pick(&[reporter(), grid_worker(GW2), dispatcher()]);
    submit(&new_ticket(urgency, department, workers), &who, now)
}

fn random_command(rng: &mut Rng, action: Action, actor: &Actor, now: DateTime<Utc>) -> Command {
    let level = rng.pick(&[None, Some(HazardLevel::General), Some(HazardLevel::Major)]);
    match action {
        Action::Assign => Command::Assign {
            department_id: rng.pick(&[DEPT, OTHER_DEPT]),
            grid_worker_id: rng.pick(&[GW1, GW2, GW3]),
            note: None,
        },
        Action::Accept if rng.chance(if actor.role == ActorRole::GridWorker { 85 } else { 15 }) => {
            Command::Accept { rectification: None }
        }
        Action::Accept => {
            Command::Accept { rectification: Some(rectification(now + rng.days_between(-2, 200), level)) }
        }
        Action::Confirm => {
            Command::Confirm { level: level.unwrap_or(HazardLevel::Major), evidence: evidence(), note: None }
        }
        Action::Reject => Command::Reject {
            ground: rng.pick(&[
                RejectGround::NotAHazard,
                RejectGround::Invalid,
                RejectGround::DuplicateOf { ticket_id: OTHER_TICKET },
                RejectGround::DuplicateOf { ticket_id: TICKET },
            ]),
            note: None,
        },
        Action::Transfer => {
            Command::Transfer { reason: reason("转办"), to_department: rng.pick(&[DEPT, OTHER_DEPT]) }
        }
        Action::Pass => Command::Pass { media: Attachments::default(), note: note("通过") },
        Action::ExtendDeadline => {
            Command::ExtendDeadline { until: now + rng.days_between(-5, 120), reason: reason("延期") }
        }
        other => sample(other, ActorRole::DeptStaff, now),
    }
}

fn check_invariants(before: &TicketState, t: &Transition, actor: &Actor) {
    let s = &t.state;
    assert_eq!(s.version, before.version + 1, "one version per move");
    assert_ne!(before.status, S::Rejected, "rejected is terminal");
    assert_eq!(s.closed_at.is_some(), s.status == S::Closed, "closed_at iff closed");
    assert_eq!(s.rejection.is_some(), s.status == S::Rejected, "rejection iff rejected");
    assert_eq!(s.unrouted_reason.is_some(), s.status == S::Unrouted, "unrouted reason iff unrouted");
    assert!(s.status.is_open() || s.pending.is_none(), "no request on a finished ticket");
    if !matches!(s.status, S::Unrouted | S::Rejected) {
        assert!(s.department_id.is_some(), "department from assigned on");
    }
    if matches!(s.status, S::Assigned | S::Verifying) {
        assert!(s.grid_worker_id.is_some(), "someone holds the check");
    }
    if s.status == S::Unrouted {
        assert!(s.grid_worker_id.is_none());
    }
    if matches!(s.status, S::Confirmed | S::Rectifying | S::AwaitingCheck | S::Closed) {
        assert!(s.hazard_level.is_some(), "level known from confirmed on");
    }
    if s.status == S::Rectifying {
        assert!(s.rectification_deadline.is_some(), "rectifying has a deadline");
    }
    assert_eq!((t.event.from, t.event.to), (Some(before.status), s.status));
    assert_eq!((t.event.actor_id, t.event.actor_role), (actor.user_id, actor.role));
    for notice in t.notifications.iter().filter(|n| n.kind != NoticeKind::Received) {
        let to_self = match notice.to {
            Audience::Reporter => s.reporter_id == actor.user_id,
            Audience::GridWorker(id) | Audience::User(id) => id == actor.user_id,
            _ => false,
        };
        assert!(!to_self, "told of their own move: {notice:?}");
    }
}

#[test]
fn random_walks_keep_every_invariant() {
    let people = actors();
    let mut moved: HashMap<Action, usize> = HashMap::new();
    let mut refused: HashMap<&'static str, usize> = HashMap::new();
    let mut tickets = 0;
    for seed in 0..40u64 {
        let mut rng = Rng(seed);
        let mut now = t0();
        let mut state = random_submission(&mut rng, now).state;
        tickets += 1;
        for _ in 0..2500 {
            now += rng.days_between(0, 2);
            let actor = rng.pick(&people);
            let allowed = allowed_actions(&state, &actor);
            // Mostly try something the actor may do, so that walks get deep; sometimes anything at all.
            let action =
                if !allowed.is_empty() && rng.chance(70) { rng.pick(&allowed) } else { rng.pick(&Action::ALL[1..]) };
            let command = random_command(&mut rng, action, &actor, now);
            match apply(&state, &command, &actor, now) {
                Ok(t) => {
                    assert!(allowed.contains(&action), "{action} succeeded but was not listed");
                    check_invariants(&state, &t, &actor);
                    *moved.entry(action).or_default() += 1;
                    state = t.state;
                }
                Err(err) => {
                    if let WorkflowError::NotAllowed { allowed: listed, .. } = &err {
                        assert!(!allowed.contains(&action));
                        assert_eq!(listed, &allowed);
                    } else {
                        assert!(allowed.contains(&action) || matches!(err, WorkflowError::RequestPending { .. }));
                    }
                    assert!(!matches!(err, WorkflowError::Inconsistent(_) | WorkflowError::OutOfRange), "{err:?}");
                    *refused.entry(err.code()).or_default() += 1;
                }
            }
            if state.status == S::Rejected || (state.status == S::Closed && rng.chance(2)) {
                state = random_submission(&mut rng, now).state;
                tickets += 1;
            }
        }
    }
    for action in &Action::ALL[1..] {
        assert!(moved.get(action).copied().unwrap_or(0) > 0, "the walk never managed {action}: {moved:?}");
    }
    for code in ["request_pending", "deadline_beyond_limit", "dispute_window_closed", "level_mismatch"] {
        assert!(refused.contains_key(code), "the walk never hit {code}: {refused:?}");
    }
    assert!(tickets > 40);
}
