//! `GET /api/v1/ws`: one task and one `select!` per socket. It forwards what the hub queues for
//! the user, answers client frames (`resume`, `ping`), pings the client and closes a silent one.
//!
//! Resume without gaps or repeats: the session joins the hub before the upgrade completes, so live
//! events queue while the catch-up is read from the database; afterwards the queued events are
//! written, skipping messages the catch-up already sent (sequence ≤ the last one replayed).

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Closed, ProtocolError, Session};
use serde::Deserialize;
use tokio::time::{interval_at, Instant, MissedTickBehavior};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    dto::{ClientFrame, MessagesQuery, ResumeCursor, ServerEvent, SessionEvent},
    hub::Registration,
    service,
};
use crate::{
    auth::extract::{authenticate, verify_access_token},
    error::{ApiError, ProblemDetails},
    state::AppState,
    tickets::{access::Viewer, routes::viewer},
};

/// Messages read per database page during a resume.
const RESUME_PAGE: u64 = 200;

/// Mounts the WebSocket endpoint.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(connect_ws);
}

/// Query of the WebSocket endpoint.
#[derive(Debug, Deserialize, IntoParams)]
pub struct WsQuery {
    /// The access token, for clients that cannot set headers on a WebSocket (browsers). Prefer the
    /// `Authorization` header where possible: URLs end up in proxy logs.
    pub access_token: Option<String>,
}

/// Real-time chat events over a WebSocket.
///
/// Authenticate with `Authorization: Bearer <token>`, `?access_token=<token>`, or from this service's
/// web pages with the session cookie (the handshake's `Origin` must be the service's own). The
/// server sends JSON text frames: the chat events
/// (`message`, `ticket_status`, `read`), for staff `ticket_changed`
/// (`{"type":"ticket_changed","ticket_id":…,"number":…,"status":…,"version":N,"change":"accept"}`:
/// a ticket they handle — their department's or co-handled, their region's as dispatcher, any as
/// admin, theirs to check as grid worker — was moved, reported, escalated, given a co-handling
/// department or a note; read it again),
/// and the session's own (`pong`, `resumed`, `error`). The
/// client may send `{"type":"resume","cursors":[{"conversation_id":…,"after_seq":N}]}` to receive
/// every message after `N` in order before live ones, and `{"type":"ping"}`. A client too slow to
/// keep up is closed with 1013 and should reconnect and resume; a frame over the size limit closes
/// the socket with 1009; no frame (pongs included) for `chat.ws_client_timeout_secs` closes it.
#[utoipa::path(
    tag = "chat",
    params(WsQuery),
    responses(
        (status = 101, description = "Switched to the WebSocket protocol"),
        (status = 400, description = "`websocket_upgrade_required`: not a WebSocket handshake", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`missing_token`, `invalid_token`, `token_expired`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/ws")]
async fn connect_ws(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
    q: web::Query<WsQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = match q.access_token.as_deref() {
        Some(token) if !req.headers().contains_key(header::AUTHORIZATION) => verify_access_token(&state, token)?,
        _ => authenticate(&req)?,
    };
    let viewer = viewer(&state, &user).await?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|_| ApiError::bad_request("websocket_upgrade_required", "this endpoint speaks WebSocket only"))?;
    let registration = state.hub().register(user.id);
    let state = state.get_ref().clone();
    actix_web::rt::spawn(async move {
        let reason = run(&state, &viewer, registration, session.clone(), stream).await;
        let _ = session.close(reason).await;
    });
    Ok(response)
}

fn close(code: CloseCode, why: &str) -> Option<CloseReason> {
    Some(CloseReason { code, description: Some(why.to_owned()) })
}

/// What a session remembers to send each message once.
#[derive(Default)]
struct Dedup {
    /// Per conversation, the last sequence number a resume sent.
    replayed: HashMap<Uuid, i64>,
    /// New messages sent live before the first resume finished (a resume skips them).
    early: HashSet<(Uuid, i64)>,
    resumed: bool,
}

impl Dedup {
    /// Whether a live message should be written (and remembers it when needed).
    fn admit(&mut self, message: Option<(Uuid, i64)>, cap: usize) -> bool {
        let Some((conversation, seq)) = message else { return true };
        if self.replayed.get(&conversation).is_some_and(|last| seq <= *last) {
            return false;
        }
        if !self.resumed && self.early.len() < cap {
            self.early.insert((conversation, seq));
        }
        true
    }
}

/// The session loop; returns the close reason to send.
async fn run(
    state: &AppState,
    viewer: &Viewer,
    mut registration: Registration,
    mut session: Session,
    stream: actix_ws::MessageStream,
) -> Option<CloseReason> {
    let settings = &state.settings().chat;
    let mut stream = stream
        .max_frame_size(settings.ws_max_frame_bytes)
        .aggregate_continuations()
        .max_continuation_size(settings.ws_max_frame_bytes);
    let period = Duration::from_secs(settings.ws_ping_interval_secs);
    let timeout = Duration::from_secs(settings.ws_client_timeout_secs);
    let mut ping = interval_at(Instant::now() + period, period);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    let mut dedup = Dedup::default();
    loop {
        tokio::select! {
            frame = registration.rx.recv() => match frame {
                Some(frame) => {
                    if dedup.admit(frame.message, settings.ws_queue_events * 4) && session.text(frame.text.clone()).await.is_err() {
                        return None;
                    }
                }
                None => return close(CloseCode::Again, "fell behind: reconnect and resume"),
            },
            msg = stream.recv() => {
                last_heard = Instant::now();
                let sent = match msg {
                    Some(Ok(AggregatedMessage::Text(text))) => {
                        match serde_json::from_str::<ClientFrame>(&text) {
                            Ok(ClientFrame::Ping) => send(&mut session, &SessionEvent::Pong).await,
                            Ok(ClientFrame::Resume { cursors }) => {
                                resume(state, viewer, &mut session, &cursors, &mut dedup).await
                            }
                            Err(e) => send(&mut session, &error_event("invalid_frame", &e.to_string())).await,
                        }
                    }
                    Some(Ok(AggregatedMessage::Binary(_))) => {
                        send(&mut session, &error_event("invalid_frame", "send JSON text frames")).await
                    }
                    Some(Ok(AggregatedMessage::Ping(bytes))) => session.pong(&bytes).await,
                    Some(Ok(AggregatedMessage::Pong(_))) => Ok(()),
                    Some(Ok(AggregatedMessage::Close(reason))) => return reason,
                    Some(Err(ProtocolError::Overflow)) => return close(CloseCode::Size, "frame too large"),
                    Some(Err(ProtocolError::Io(e))) if e.to_string().contains("continuation size") => {
                        return close(CloseCode::Size, "message too large")
                    }
                    Some(Err(_)) => return close(CloseCode::Protocol, "protocol error"),
                    None => return None,
                };
                if sent.is_err() {
                    return None;
                }
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > timeout {
                    return close(CloseCode::Policy, "no answer to pings");
                }
                if session.ping(b"").await.is_err() {
                    return None;
                }
            },
        }
    }
}

fn error_event(code: &str, detail: &str) -> SessionEvent {
    SessionEvent::Error { code: code.to_owned(), detail: detail.to_owned() }
}

async fn send<T: serde::Serialize>(session: &mut Session, event: &T) -> Result<(), Closed> {
    match serde_json::to_string(event) {
        Ok(text) => session.text(text).await,
        Err(e) => {
            tracing::error!(error = %e, "could not encode a WebSocket event");
            Ok(())
        }
    }
}

/// Sends every message after each cursor that the user may see, in order, then `resumed`.
async fn resume(
    state: &AppState,
    viewer: &Viewer,
    session: &mut Session,
    cursors: &[ResumeCursor],
    dedup: &mut Dedup,
) -> Result<(), Closed> {
    let max = state.settings().chat.ws_max_resume_cursors;
    if cursors.len() > max {
        return send(session, &error_event("too_many_cursors", &format!("at most {max} conversations per resume")))
            .await;
    }
    let mut reached = Vec::with_capacity(cursors.len());
    for cursor in cursors {
        let mut after = cursor.after_seq.max(0);
        loop {
            let q = MessagesQuery { before: None, after: Some(after), limit: Some(RESUME_PAGE) };
            let page = match service::messages(state, viewer, cursor.conversation_id, &q).await {
                Ok(page) => page,
                Err(e) => {
                    let detail = format!("{}: {e}", cursor.conversation_id);
                    send(session, &error_event(e.code(), &detail)).await?;
                    break;
                }
            };
            for message in page.items {
                after = message.seq;
                if dedup.early.contains(&(message.conversation_id, message.seq)) && message.recalled_at.is_none() {
                    continue;
                }
                send(session, &ServerEvent::Message { message }).await?;
            }
            if !page.has_more {
                break;
            }
        }
        let last = dedup.replayed.entry(cursor.conversation_id).or_insert(after);
        *last = (*last).max(after);
        reached.push(ResumeCursor { conversation_id: cursor.conversation_id, after_seq: after });
    }
    dedup.resumed = true;
    dedup.early.clear();
    send(session, &SessionEvent::Resumed { cursors: reached }).await
}
