//! `/tickets`: "my tickets" — a resident's reports and followed tickets (staff: the newest tickets
//! they may see), each with its status, photos (the report's and the fix's) and timeline, twenty a
//! page (`?cursor=` pages back). `/tickets/live` renders the list alone;
//! `tickets.js` fetches it again whenever the WebSocket says a ticket changed, so the page follows
//! the work without a reload.

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use maud::{html, Markup};

use super::{
    chat::to_login,
    context,
    i18n::{status_label, Lang},
    layout::{self, Nav},
    session,
};
use crate::{
    auth::{CurrentUser, Role},
    error::ApiError,
    state::AppState,
    tickets::{
        dto::{CommentView, CommentVisibility, EventView, ListTicketsQuery, Photos, TicketSummary},
        extras,
        query::{self, ListParams},
        routes::viewer,
        service,
        status::Action,
    },
};

/// Tickets shown on the page.
const SHOWN: &str = "20";

/// Mounts `/tickets` and `/tickets/live`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_tickets).service(get_tickets_live);
}

#[get("/tickets")]
async fn get_tickets(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let title = ctx.lang.texts().tickets_title;
    let list = list(&state, &user, ctx.lang, &req).await;
    layout::live_list_page(&ctx, cookies, (title, Nav::Tickets, "tickets.js"), maud::html! {}, list, "my tickets")
}

#[get("/tickets/live")]
async fn get_tickets_live(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let user = crate::auth::extract::authenticate(&req)?;
    let (ctx, _) = context(&state, &req, Some(&user));
    let list = list(&state, &user, ctx.lang, &req).await?;
    Ok(layout::respond(StatusCode::OK, list, Vec::new()))
}

/// One page of the list: the newest first, or from `?cursor=` on (a cursor the list API gave).
async fn list(state: &AppState, user: &CurrentUser, lang: Lang, req: &HttpRequest) -> Result<Markup, ApiError> {
    let viewer = viewer(state, user).await?;
    let resident = user.roles.iter().all(|r| *r == Role::Resident);
    let cursor = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty());
    let raw = ListTicketsQuery {
        mine: resident.then(|| "true".to_owned()),
        limit: Some(SHOWN.to_owned()),
        cursor: cursor.clone(),
        ..ListTicketsQuery::default()
    };
    let page = query::list(state, &viewer, &ListParams::try_from(raw)?).await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for ticket in page.items {
        let view = service::get(state, &viewer, ticket.id).await?;
        let events = service::events(state, &viewer, ticket.id).await?;
        // The thread with the desk: the reporter's words and the replies (never internal notes).
        let thread: Vec<CommentView> = extras::comments(state, &viewer, ticket.id)
            .await?
            .into_iter()
            .filter(|c| c.visibility == CommentVisibility::Public)
            .collect();
        rows.push(row(state, lang, &ticket, &view.photos, (&events, &thread)));
    }
    let t = lang.texts();
    let older = page.next_cursor.map(|c| {
        format!("/tickets?{}", url::form_urlencoded::Serializer::new(String::new()).append_pair("cursor", &c).finish())
    });
    Ok(html! {
        @if rows.is_empty() {
            p.empty { (t.no_tickets) }
        } @else {
            ol.tickets { @for r in &rows { (r) } }
        }
        @if cursor.is_some() || older.is_some() {
            nav.pager aria-label=(t.pages) {
                @if cursor.is_some() { a href="/tickets" { (t.newest) } }
                @if let Some(older) = &older { a href=(older) rel="next" { (t.older) } }
            }
        }
    })
}

/// `12-07 09:30`, China time.
pub(super) fn china(at: DateTime<Utc>) -> String {
    crate::ledger::row::china(at).format("%m-%d %H:%M").to_string()
}

fn row(
    state: &AppState,
    lang: Lang,
    ticket: &TicketSummary,
    photos: &Photos,
    (events, thread): (&[EventView], &[CommentView]),
) -> Markup {
    let t = lang.texts();
    let description: String = ticket.description.chars().take(80).collect();
    html! {
        li.ticket #{"t-" (ticket.number)} data-id=(ticket.id) data-status=(ticket.status.as_str()) {
            article aria-labelledby={"h-" (ticket.number)} {
                header {
                    h2 #{"h-" (ticket.number)} { (ticket.number) }
                    span class={"badge s-" (ticket.status.as_str())} { (status_label(lang, ticket.status)) }
                }
                p.desc { (description) }
                p.meta {
                    (t.reported_at) " " time datetime=(ticket.created_at.to_rfc3339()) { (china(ticket.created_at)) }
                    @if let Some(due) = ticket.due_at.filter(|_| ticket.status.is_open()) {
                        " · " (t.due) " " time datetime=(due.to_rfc3339()) { (china(due)) }
                    }
                    @if ticket.overdue { " · " strong.overdue { (t.overdue) } }
                }
                (super::desk_ticket::photos(state, 3, t.photos_before, &photos.before))
                (super::desk_ticket::photos(state, 3, t.photos_after, &photos.after))
                h3.visually-hidden { (t.timeline) }
                ol.timeline aria-label=(t.timeline) {
                    @for (at, entry) in merged(events, thread) {
                        @match entry {
                            Ok(e) => li {
                                time datetime=(at.to_rfc3339()) { (china(at)) }
                                " " span.what { (action_label(lang, &e.action)) }
                                " → " span.to { (status_label(lang, e.to)) }
                            },
                            Err(c) => li.public {
                                time datetime=(at.to_rfc3339()) { (china(at)) }
                                " " span.what { (if c.author_role == "reporter" || c.author_role == "follower" { t.me } else { t.reply_from_desk }) }
                                br; span.body { (c.body) }
                            },
                        }
                    }
                }
                details.more #{"write-" (ticket.number)} {
                    summary { (t.write_to_desk) }
                    form.stack.confirm data-act="comment" novalidate {
                        label for={"comment-" (ticket.number)} { (t.write_to_desk_label) }
                        textarea #{"comment-" (ticket.number)} name="body" rows="2" maxlength="1000" required {}
                        button.secondary type="submit" { (t.send) }
                    }
                }
            }
        }
    }
}

/// The moves and the thread's comments in time order.
fn merged<'a>(
    events: &'a [EventView],
    thread: &'a [CommentView],
) -> Vec<(DateTime<Utc>, Result<&'a EventView, &'a CommentView>)> {
    let mut all: Vec<_> =
        events.iter().map(|e| (e.at, Ok(e))).chain(thread.iter().map(|c| (c.created_at, Err(c)))).collect();
    all.sort_by_key(|(at, _)| *at);
    all
}

/// A timeline entry's words: the workflow action, or a system event.
pub(super) fn action_label(lang: Lang, action: &str) -> &str {
    if lang == Lang::Zh {
        return match Action::parse(action) {
            Ok(a) => a.label(),
            Err(_) => match action {
                "escalate" => "督办",
                "follow" => "有人关注",
                "merge" => "合并",
                "rate" => "评价",
                "co_department" => "协办",
                other => other,
            },
        };
    }
    match action {
        "submit" => "Reported",
        "assign" => "Assigned",
        "accept" => "Accepted",
        "decline" => "Declined",
        "confirm" => "Confirmed on site",
        "resolve_on_spot" => "Fixed on the spot",
        "reject" => "Not accepted",
        "transfer" => "Transfer asked",
        "complete" => "Reported fixed",
        "pass" => "Checked and closed",
        "fail" => "Fix not accepted",
        "reopen" => "Reopened",
        "withdraw" => "Withdrawn",
        "cancel_as_error" => "Cancellation asked",
        "extend_deadline" => "Extension asked",
        "approve_request" => "Request approved",
        "refuse_request" => "Request refused",
        "escalate" => "Escalated",
        "follow" => "Followed",
        "merge" => "Merged",
        "rate" => "Rated",
        "co_department" => "Co-handled",
        other => other,
    }
}
