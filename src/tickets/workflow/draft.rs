//! A move under construction: the copied state, the event and the notifications, finished uniformly
//! (lapsed requests, `closed_at`, the reporter's status notices, nobody told of their own move).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Actor, Audience, DeadlineChange, Event, EventDetail, NoticeKind, Notification, PendingRequest, RequestKind,
    TicketState, Transition, WorkflowError,
};
use crate::tickets::status::{Action, TicketStatus};

/// A move under construction.
pub(super) struct Draft<'a> {
    pub(super) before: &'a TicketState,
    pub(super) actor: &'a Actor,
    pub(super) now: DateTime<Utc>,
    pub(super) state: TicketState,
    pub(super) event: Event,
    notices: Vec<Notification>,
}

impl<'a> Draft<'a> {
    pub(super) fn new(
        before: &'a TicketState,
        actor: &'a Actor,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<Self, WorkflowError> {
        let mut state = before.clone();
        state.version = before.version.checked_add(1).ok_or(WorkflowError::Inconsistent("version overflow"))?;
        let event = new_event(action, Some(before.status), before.status, actor, now);
        Ok(Draft { before, actor, now, state, event, notices: Vec::new() })
    }

    pub(super) fn notify(&mut self, to: Audience, kind: NoticeKind) {
        self.notices.push(Notification { to, kind });
    }

    pub(super) fn note(&mut self, text: Option<&str>) {
        self.event.note = text.map(str::to_owned);
    }

    pub(super) fn media(&mut self, ids: &[Uuid]) {
        self.event.media = ids.to_vec();
    }

    pub(super) fn set_deadline(&mut self, to: Option<DateTime<Utc>>) {
        self.event.deadline = Some(DeadlineChange { from: self.state.rectification_deadline, to });
        self.state.rectification_deadline = to;
    }

    pub(super) fn department(&self) -> Result<Uuid, WorkflowError> {
        self.state.department_id.ok_or(WorkflowError::Inconsistent("no department from `assigned` on"))
    }

    pub(super) fn file(&mut self, kind: RequestKind, reason: &str) {
        let requested_by = self.actor.user_id;
        self.state.pending =
            Some(PendingRequest { kind, requested_by, requested_at: self.now, reason: reason.to_owned() });
        self.note(Some(reason));
        self.event.detail = Some(EventDetail::RequestFiled { request: kind });
        self.notify(Audience::Dispatchers, NoticeKind::ApprovalRequested);
    }

    pub(super) fn finish(mut self) -> Transition {
        let (from, to) = (self.before.status, self.state.status);
        if from != to {
            if let Some(dropped) = self.state.pending.take() {
                self.event.dropped_request = Some(dropped.kind);
                self.notify(Audience::User(dropped.requested_by), NoticeKind::RequestDropped);
            }
        }
        if to != TicketStatus::Closed {
            self.state.closed_at = None;
        }
        if to != TicketStatus::Unrouted {
            self.state.unrouted_reason = None;
        }
        if from.resident_label() != to.resident_label() {
            self.notify(Audience::Reporter, NoticeKind::StatusChanged);
            self.notify(Audience::Followers, NoticeKind::StatusChanged);
        }
        self.event.to = to;
        let notifications = addressed(self.notices, self.actor, &self.state);
        Transition { state: self.state, event: self.event, notifications }
    }
}

pub(super) fn new_event(
    action: Action,
    from: Option<TicketStatus>,
    to: TicketStatus,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Event {
    Event {
        action,
        from,
        to,
        actor_id: actor.user_id,
        actor_role: actor.role,
        at,
        note: None,
        media: Vec::new(),
        deadline: None,
        detail: None,
        dropped_request: None,
    }
}

/// Drops duplicates and notifications to the actor about their own move (except the receipt of a
/// report, which the reporter always gets, in their own thread).
pub(super) fn addressed(notices: Vec<Notification>, actor: &Actor, state: &TicketState) -> Vec<Notification> {
    let mut out: Vec<Notification> = Vec::with_capacity(notices.len());
    for notice in notices {
        let to_self = notice.kind != NoticeKind::Received
            && match notice.to {
                Audience::Reporter => state.reporter_id == actor.user_id,
                Audience::GridWorker(id) | Audience::User(id) => id == actor.user_id,
                Audience::Followers | Audience::Department(_) | Audience::Dispatchers | Audience::DistrictOffice(_) => {
                    false
                }
            };
        if !to_self && !out.contains(&notice) {
            out.push(notice);
        }
    }
    out
}
