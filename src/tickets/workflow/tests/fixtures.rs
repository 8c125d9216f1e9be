//! Ids, actors, tickets in every status and a valid sample command for every action.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use uuid::Uuid;

use crate::tickets::{
    command::{Attachments, Command, Evidence, Note, Reason, Rectification, RejectGround},
    status::{Action, ActorRole, HazardLevel, RejectionReason, TicketStatus, Urgency},
    workflow::{Actor, Limits, NewTicket, Routing, TicketState, Transition, UnroutedReason},
};

pub const TICKET: Uuid = Uuid::from_u128(0x7100);
pub const OTHER_TICKET: Uuid = Uuid::from_u128(0x7200);
pub const REPORTER: Uuid = Uuid::from_u128(0x100);
pub const STRANGER: Uuid = Uuid::from_u128(0x101);
pub const GW1: Uuid = Uuid::from_u128(0x201);
pub const GW2: Uuid = Uuid::from_u128(0x202);
pub const GW3: Uuid = Uuid::from_u128(0x203);
pub const DEPT: Uuid = Uuid::from_u128(0x301);
pub const OTHER_DEPT: Uuid = Uuid::from_u128(0x302);
pub const STAFF: Uuid = Uuid::from_u128(0x401);
pub const OTHER_STAFF: Uuid = Uuid::from_u128(0x402);
pub const NEW_DEPT_STAFF: Uuid = Uuid::from_u128(0x403);
pub const DISPATCHER: Uuid = Uuid::from_u128(0x501);
pub const ADMIN: Uuid = Uuid::from_u128(0x601);
pub const PHOTO: Uuid = Uuid::from_u128(0x901);

/// Monday 2 June 2025, 10:00 China time.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 2, 0, 0).unwrap()
}

pub fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

pub fn limits() -> Limits {
    Limits { general_days: 30, major_days: 180 }
}

pub fn actor(user_id: Uuid, role: ActorRole, department_id: Option<Uuid>) -> Actor {
    Actor { user_id, role, department_id }
}

pub fn reporter() -> Actor {
    actor(REPORTER, ActorRole::Reporter, None)
}

pub fn grid_worker(id: Uuid) -> Actor {
    actor(id, ActorRole::GridWorker, None)
}

pub fn staff() -> Actor {
    actor(STAFF, ActorRole::DeptStaff, Some(DEPT))
}

pub fn other_staff() -> Actor {
    actor(OTHER_STAFF, ActorRole::DeptStaff, Some(OTHER_DEPT))
}

pub fn dispatcher() -> Actor {
    actor(DISPATCHER, ActorRole::Dispatcher, None)
}

pub fn admin() -> Actor {
    actor(ADMIN, ActorRole::Admin, None)
}

/// The right person for each role on the fixture tickets.
pub fn right_person(role: ActorRole) -> Actor {
    match role {
        ActorRole::Reporter => reporter(),
        ActorRole::GridWorker => grid_worker(GW1),
        ActorRole::DeptStaff => staff(),
        ActorRole::Dispatcher => dispatcher(),
        ActorRole::Admin => admin(),
    }
}

pub fn new_ticket(urgency: Urgency, department_id: Option<Uuid>, grid_workers: Vec<Uuid>) -> NewTicket {
    NewTicket { id: TICKET, urgency, routing: Routing { department_id, grid_workers }, limits: limits() }
}

/// A ticket in `status` as the normal path would leave it, version 5, no pending request.
pub fn ticket(status: TicketStatus) -> TicketState {
    use TicketStatus as S;
    let routed = status != S::Unrouted;
    let deadline = matches!(status, S::Rectifying | S::AwaitingCheck | S::Closed).then(|| t0() + days(10));
    TicketState {
        id: TICKET,
        version: 5,
        status,
        urgency: Urgency::Normal,
        hazard_level: matches!(status, S::Confirmed | S::Rectifying | S::AwaitingCheck | S::Closed)
            .then_some(HazardLevel::General),
        reporter_id: REPORTER,
        department_id: routed.then_some(DEPT),
        grid_worker_id: routed.then_some(GW1),
        candidates: if routed { vec![GW1, GW2] } else { vec![] },
        declined: vec![],
        unrouted_reason: (!routed).then_some(UnroutedReason::NoDepartment),
        pending: None,
        rectification_deadline: deadline,
        closed_at: (status == S::Closed).then(|| t0() - days(1)),
        rejection: (status == S::Rejected).then_some(RejectionReason::NotAHazard),
        reopen_count: 0,
        limits: limits(),
    }
}

pub fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

pub fn note(text: &str) -> Option<Note> {
    Some(Note::parse(text).unwrap())
}

pub fn evidence() -> Evidence {
    Evidence::parse(vec![PHOTO]).unwrap()
}

pub fn rectification(deadline: DateTime<Utc>, level: Option<HazardLevel>) -> Rectification {
    Rectification { plan: Note::parse("清理楼道杂物，张贴警示").unwrap(), deadline, level }
}

/// A command for `action` with a payload that passes every rule for `role` on the fixture ticket.
pub fn sample(action: Action, role: ActorRole, now: DateTime<Utc>) -> Command {
    match action {
        Action::Submit => unreachable!("submit is not a command"),
        Action::Assign => Command::Assign { department_id: DEPT, grid_worker_id: GW2, note: None },
        Action::Accept if role == ActorRole::GridWorker => Command::Accept { rectification: None },
        Action::Accept => {
            Command::Accept { rectification: Some(rectification(now + days(5), Some(HazardLevel::General))) }
        }
        Action::Decline => Command::Decline { note: note("不在我的网格") },
        Action::Confirm => Command::Confirm { level: HazardLevel::General, evidence: evidence(), note: None },
        Action::ResolveOnSpot => Command::ResolveOnSpot { evidence: evidence(), note: note("已督促店主清理") },
        Action::Reject => Command::Reject { ground: RejectGround::NotAHazard, note: None },
        Action::Transfer => Command::Transfer { reason: reason("属燃气主管部门"), to_department: OTHER_DEPT },
        Action::Complete => Command::Complete { evidence: evidence(), note: None },
        Action::Pass => Command::Pass { media: Attachments::default(), note: None },
        Action::Fail => Command::Fail { reason: reason("杂物仍未清走"), media: Attachments::default() },
        Action::Reopen => Command::Reopen {
            reason: reason("回头看发现电动车又在楼道充电"),
            media: Attachments::default(),
        },
        Action::Withdraw => Command::Withdraw { note: None },
        Action::CancelAsError => Command::CancelAsError { reason: reason("登记错误，该户不存在隐患") },
        Action::ExtendDeadline => Command::ExtendDeadline { until: now + days(40), reason: reason("需等待配件") },
        Action::ApproveRequest => Command::ApproveRequest { note: None },
        Action::RefuseRequest => Command::RefuseRequest { reason: reason("理由不充分") },
    }
}

/// Applies and unwraps, checking the version moved by one.
pub fn step(ticket: &TicketState, command: Command, actor: &Actor, now: DateTime<Utc>) -> Transition {
    let t = crate::tickets::workflow::apply(ticket, &command, actor, now)
        .unwrap_or_else(|e| panic!("{:?} by {:?} in {}: {e:?}", command.action(), actor.role, ticket.status));
    assert_eq!(t.state.version, ticket.version + 1);
    assert_eq!(t.event.from, Some(ticket.status));
    assert_eq!(t.event.to, t.state.status);
    assert_eq!(t.event.action, command.action());
    t
}
