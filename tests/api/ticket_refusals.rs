//! Every move the transition table does not give a role is refused over HTTP, in every status: the
//! expected answers are computed from the pure rules (`workflow::allowed_actions`), not hand-picked.

use futures_util::future::join_all;
use hazardline::{
    auth::Role,
    tickets::{
        status::{Action, ActorRole},
        workflow::{allowed_actions, Actor, Limits, PendingRequest, TicketState},
    },
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{problem, Session},
    ticket_support::{
        awaiting_check, closed, confirmed, in_days, other_department, rectifying, reported, verifying, view, NOWHERE,
    },
    tickets::{act, act_ok, cast, get_ticket, report, submit, user_id, Cast},
};

/// One user and the capacities the server maps their account to.
struct Who<'a> {
    name: &'static str,
    session: &'a Session,
    actors: Vec<Actor>,
}

fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap()
}

/// The workflow state as a dispatcher's view of the ticket shows it.
fn state_of(t: &Value) -> TicketState {
    TicketState {
        id: parse(&t["id"]),
        version: t["version"].as_i64().unwrap(),
        status: parse(&t["status"]),
        urgency: parse(&t["urgency"]),
        hazard_level: parse(&t["hazard_level"]),
        reporter_id: parse(&t["reporter_id"]),
        department_id: parse(&t["department_id"]),
        grid_worker_id: parse(&t["grid_worker_id"]),
        candidates: Vec::new(),
        declined: Vec::new(),
        unrouted_reason: parse(&t["unrouted_reason"]),
        pending: (!t["pending"].is_null()).then(|| PendingRequest {
            kind: parse(&t["pending"]["request"]),
            requested_by: parse(&t["pending"]["requested_by"]),
            requested_at: parse(&t["pending"]["requested_at"]),
            reason: parse(&t["pending"]["reason"]),
        }),
        rectification_deadline: parse(&t["rectification_deadline"]),
        closed_at: parse(&t["closed_at"]),
        rejection: parse(&t["rejection"]),
        reopen_count: u32::try_from(t["reopen_count"].as_u64().unwrap()).unwrap(),
        limits: Limits { general_days: 30, major_days: 180 },
    }
}

/// What the pure rules let any of `who`'s capacities do, in `Action::ALL` order.
fn allowed(state: &TicketState, who: &Who<'_>) -> Vec<Action> {
    let union: Vec<Action> = who.actors.iter().flat_map(|a| allowed_actions(state, a)).collect();
    Action::ALL.iter().copied().filter(|a| union.contains(a)).collect()
}

/// A well-formed command for `action`, so that only the rules can refuse it.
fn command(action: Action, department: Uuid, other_department: Uuid, grid_worker: Uuid) -> Value {
    let photo = Uuid::now_v7();
    let mut body = match action {
        Action::Assign => json!({"department_id": department, "grid_worker_id": grid_worker}),
        Action::Accept | Action::Decline | Action::Withdraw | Action::ApproveRequest => json!({}),
        Action::Confirm => json!({"level": "general", "evidence": [photo]}),
        Action::ResolveOnSpot | Action::Complete => json!({"evidence": [photo]}),
        Action::Reject => json!({"ground": {"kind": "not_a_hazard"}}),
        Action::Transfer => json!({"reason": "不归我们管", "to_department": other_department}),
        Action::Pass => json!({"media": []}),
        Action::Fail | Action::Reopen => json!({"reason": "还在", "media": []}),
        Action::CancelAsError | Action::RefuseRequest => json!({"reason": "不同意"}),
        Action::ExtendDeadline => json!({"until": in_days(25), "reason": "来不及"}),
        Action::Submit => unreachable!("submission is not a move"),
    };
    body["action"] = json!(action.as_str());
    body
}

/// Tries every action the rules refuse `who` on the ticket seen as `before`; returns how many were tried.
async fn refuse_for(c: &Cast, who: &Who<'_>, label: &str, before: &Value, other: Uuid) -> usize {
    let app = &c.app;
    let state = state_of(before);
    let department = state.department_id.unwrap_or(other);
    let res = get_ticket(app, who.session, before["id"].as_str().unwrap()).await;
    let visible = res.status() == StatusCode::OK;
    let may = allowed(&state, who);
    if visible {
        let seen: Value = res.json().await.unwrap();
        let listed: Vec<Action> = parse(&seen["allowed_actions"]);
        assert_eq!(listed, may, "{label}: the API and the rules disagree on what {} may do", who.name);
    } else {
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(may, [], "{label}: {} may act on a ticket they cannot see", who.name);
    }
    // Blocked only by the pending request (a second request), not by the table.
    let unblocked = TicketState { pending: None, ..state.clone() };
    let mut tried = 0;
    for &action in Action::ALL.iter().filter(|a| **a != Action::Submit && !may.contains(a)) {
        let body = command(action, department, other, user_id(&c.grid_worker));
        let res = act(app, who.session, before, body).await;
        let expected = if !visible {
            (StatusCode::NOT_FOUND, "ticket_not_found")
        } else if action.is_request() && state.pending.is_some() && allowed(&unblocked, who).contains(&action) {
            (StatusCode::CONFLICT, "request_pending")
        } else {
            (StatusCode::CONFLICT, "transition_not_allowed")
        };
        let p = problem(res, expected.0).await;
        assert_eq!(p["code"], expected.1, "{label}: {} {action}", who.name);
        if visible {
            assert_eq!(parse::<Vec<Action>>(&p["allowed_actions"]), may, "{label}: {} {action}", who.name);
        }
        tried += 1;
    }
    tried
}

/// Every person tries every refused move on ticket `t`, which must not change.
async fn refuse_all(c: &Cast, people: &[Who<'_>], label: &str, t: &Value, other: Uuid) -> usize {
    let before = view(&c.app, &c.dispatcher, &t["id"]).await;
    let tried: usize = join_all(people.iter().map(|who| refuse_for(c, who, label, &before, other))).await.iter().sum();
    let after = view(&c.app, &c.dispatcher, &t["id"]).await;
    assert_eq!(after["version"], before["version"], "{label}: a refused move changed the ticket");
    assert_eq!(after["status"], before["status"]);
    tried
}

#[tokio::test]
async fn every_illegal_move_for_every_role_is_refused() {
    let c = cast().await;
    let app = &c.app;
    let admin = app.staff("13912340003", Role::Admin).await;
    let stranger = app.resident("13800000009").await;

    let unrouted = submit(app, &c.resident, &report("fire", NOWHERE, &[])).await["ticket"].clone();
    let assigned = reported(&c).await;
    let department = assigned["department_id"].as_str().unwrap().parse::<Uuid>().unwrap();
    let other = other_department(app, &assigned["department_id"]).await;
    let pending = rectifying(&c, 5).await;
    let body = json!({"action": "extend_deadline", "until": in_days(20), "reason": "需采购设备"});
    let pending = act_ok(app, &c.dept_staff, &pending, body).await;
    let withdrawn = reported(&c).await;
    let rejected = act_ok(app, &c.resident, &withdrawn, json!({"action": "withdraw"})).await;
    let tickets = [
        ("unrouted", unrouted),
        ("assigned", assigned),
        ("verifying", verifying(&c).await),
        ("confirmed", confirmed(&c, 1).await),
        ("rectifying", rectifying(&c, 2).await),
        ("rectifying with a pending request", pending),
        ("awaiting_check", awaiting_check(&c, 3).await),
        ("closed", closed(&c, 4).await),
        ("rejected", rejected),
    ];
    for (label, t) in &tickets {
        let status = label.split(' ').next().unwrap();
        assert_eq!(t["status"], status, "{label}");
    }

    let actor = |s: &Session, role, department_id| Actor { user_id: user_id(s), role, department_id };
    let people = [
        Who { name: "the reporter", session: &c.resident, actors: vec![actor(&c.resident, ActorRole::Reporter, None)] },
        Who {
            name: "the grid worker",
            session: &c.grid_worker,
            actors: vec![
                actor(&c.grid_worker, ActorRole::GridWorker, None),
                actor(&c.grid_worker, ActorRole::Reporter, None),
            ],
        },
        Who {
            name: "department staff",
            session: &c.dept_staff,
            actors: vec![
                actor(&c.dept_staff, ActorRole::DeptStaff, Some(department)),
                actor(&c.dept_staff, ActorRole::Reporter, None),
            ],
        },
        Who {
            name: "a dispatcher",
            session: &c.dispatcher,
            actors: vec![
                actor(&c.dispatcher, ActorRole::Dispatcher, None),
                actor(&c.dispatcher, ActorRole::Reporter, None),
            ],
        },
        Who {
            name: "an admin",
            session: &admin,
            actors: vec![actor(&admin, ActorRole::Admin, None), actor(&admin, ActorRole::Reporter, None)],
        },
        Who {
            name: "an unrelated resident",
            session: &stranger,
            actors: vec![actor(&stranger, ActorRole::Reporter, None)],
        },
    ];
    let tried: Vec<usize> = join_all(tickets.iter().map(|(label, t)| refuse_all(&c, &people, label, t, other))).await;
    // 9 tickets × 6 people × 16 moves, minus the few each may make.
    let total: usize = tried.iter().sum();
    assert!(total > 750, "only {total} refusals tried");
}
