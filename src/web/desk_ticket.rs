//! `/desk/tickets/{id}`: one ticket at the desk — description, place, photos before and after,
//! timeline, internal notes, and a form for each move the caller's role allows now (the ticket
//! view's `allowed_actions`). `desk.js` posts the forms to `POST /api/v1/tickets/{id}/actions`
//! (photos through `POST /api/v1/media`), shows refusals as words on the page, and fetches
//! `/desk/tickets/{id}/live` again after each move and when the WebSocket says the ticket changed.

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use uuid::Uuid;

use super::{
    chat::to_login,
    context,
    desk::{category_name, is_desk, DESK_ROLES},
    i18n::Lang,
    layout::{self, Nav},
    session,
    tickets::{action_label, china},
    worker::staff_label,
};
use crate::{
    auth::CurrentUser,
    error::ApiError,
    media::{dto::MediaVariant, query::signed_path},
    state::AppState,
    tickets::{
        dto::{CommentVisibility, StagePhoto, TicketView},
        extras,
        routes::viewer,
        service,
        status::Action,
    },
};

/// Mounts `/desk/tickets/{id}` and its live fragment.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_ticket).service(get_ticket_live);
}

#[get("/desk/tickets/{id}")]
async fn get_ticket(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    if !is_desk(&user) {
        return layout::redirect(super::login::home(&user), Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let t = ctx.lang.texts();
    let found = match Uuid::parse_str(&id) {
        Ok(id) => detail(&state, &user, id, ctx.lang).await,
        Err(_) => Err(ApiError::not_found("ticket_not_found", "no such ticket")),
    };
    let (status, title, body) = match found {
        Ok((number, body)) => (StatusCode::OK, number, body),
        Err(e) if e.status() == StatusCode::NOT_FOUND || e.status() == StatusCode::FORBIDDEN => {
            (e.status(), t.not_found.to_owned(), html! { p.msg.error role="alert" { (t.not_found) } })
        }
        Err(e) => {
            tracing::error!(error = ?e, "desk ticket page");
            let msg = html! { p.msg.error role="alert" { (t.err_generic) } };
            (StatusCode::INTERNAL_SERVER_ERROR, t.err_generic.to_owned(), msg)
        }
    };
    let main = html! {
        p { a href="/desk" { "← " (t.desk_title) } }
        p #live.status role="status" {}
        p #notice.notice role="alert" hidden {}
        div #ticket data-live=(format!("/desk/tickets/{id}/live")) { (body) }
    };
    layout::respond(status, layout::page(&ctx, &title, Nav::Desk, main, &["desk.js"]), cookies)
}

#[get("/desk/tickets/{id}/live")]
async fn get_ticket_live(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = crate::auth::extract::authenticate(&req)?;
    user.require_any(&DESK_ROLES)?;
    let (ctx, _) = context(&state, &req, Some(&user));
    let (_, body) = detail(&state, &user, *id, ctx.lang).await?;
    Ok(layout::respond(StatusCode::OK, body, Vec::new()))
}

/// The ticket's number and its page body.
async fn detail(state: &AppState, user: &CurrentUser, id: Uuid, lang: Lang) -> Result<(String, Markup), ApiError> {
    let viewer = viewer(state, user).await?;
    let ticket = service::get(state, &viewer, id).await?;
    let events = service::events(state, &viewer, id).await?;
    let notes: Vec<_> = extras::comments(state, &viewer, id)
        .await?
        .into_iter()
        .filter(|c| c.visibility == CommentVisibility::Internal)
        .collect();
    let t = lang.texts();
    let body = html! {
        article.desk-ticket data-id=(ticket.id) data-version=(ticket.version) data-status=(ticket.status.as_str()) {
            header {
                h1 #number { (ticket.number) }
                span #ticket-status class={"badge s-" (ticket.status.as_str())} { (staff_label(lang, ticket.status)) }
                @if ticket.overdue { " " strong.overdue { (t.overdue) } }
            }
            div.columns {
                section.facts aria-label=(t.details) {
                    p.desc { (ticket.description) }
                    dl {
                        dt { (t.f_category) } dd { (category_name(state, lang, &ticket.category)) " · " (ticket.urgency.label())
                            @if let Some(l) = ticket.hazard_level { " · " (l.label()) } }
                        dt { (t.place) } dd {
                            @if let Some(a) = &ticket.location.address { (a) br; }
                            small.meta { (format!("{:.5}, {:.5} (GCJ-02)", ticket.location.gcj02.lat, ticket.location.gcj02.lng)) }
                        }
                        dt { (t.reported_at) } dd { (china(ticket.created_at)) }
                        @if let Some(due) = ticket.due_at {
                            dt { (t.due) } dd { time datetime=(due.to_rfc3339()) { (china(due)) } }
                        }
                        @if let Some(d) = ticket.rectification_deadline {
                            dt { (t.deadline) } dd { time #deadline datetime=(d.to_rfc3339()) { (china(d)) } }
                        }
                        @if let Some(p) = &ticket.pending {
                            dt { (t.pending) } dd { (p.reason) }
                        }
                    }
                    (photos(state, 2, t.photos_before, &ticket.photos.before))
                    (photos(state, 2, t.photos_after, &ticket.photos.after))
                }
                section.work aria-label=(t.actions) {
                    h2 { (t.actions) }
                    (forms(lang, &ticket))
                    h2 { (t.timeline) }
                    ol.timeline #timeline {
                        @for e in &events {
                            li {
                                time datetime=(e.at.to_rfc3339()) { (china(e.at)) }
                                " " span.what { (action_label(lang, &e.action)) }
                                " → " span.to { (staff_label(lang, e.to)) }
                                @if let Some(n) = &e.note { br; small.meta { (n) } }
                            }
                        }
                    }
                    h2 { (t.notes) }
                    @if notes.is_empty() { p.empty { (t.no_notes) } }
                    ul.notes { @for n in &notes { li { time { (china(n.created_at)) } " " (n.body) } } }
                }
            }
        }
    };
    Ok((ticket.number, body))
}

/// The photos of some steps under a heading of `level` 2 or 3, by signed links on this site (the
/// reporter sees the department's photos of the fix too; the API's links carry the public origin,
/// which the page's policy may not allow).
pub(super) fn photos(state: &AppState, level: u8, title: &str, list: &[StagePhoto]) -> Markup {
    html! {
        @if !list.is_empty() {
            @if level <= 2 { h2 { (title) } } @else { h3 { (title) } }
            ul.photos {
                @for (i, p) in list.iter().enumerate() {
                    li { a href=(signed_path(state, p.media.id, MediaVariant::Display)) target="_blank" rel="noopener" {
                        img src=(signed_path(state, p.media.id, MediaVariant::Thumb)) alt={(title) " " (i + 1)} width="160" height="120" loading="lazy";
                    } }
                }
            }
        }
    }
}

/// A form per allowed move the desk handles; the others are named only.
fn forms(lang: Lang, ticket: &TicketView) -> Markup {
    let t = lang.texts();
    let id = ticket.id;
    let handled = [
        Action::Accept,
        Action::Complete,
        Action::ExtendDeadline,
        Action::CancelAsError,
        Action::ApproveRequest,
        Action::RefuseRequest,
        Action::Pass,
        Action::Fail,
    ];
    let others: Vec<&str> =
        ticket.allowed_actions.iter().filter(|a| !handled.contains(a)).map(|a| action_name(lang, *a)).collect();
    html! {
        @if ticket.allowed_actions.is_empty() { p.empty { (t.no_actions) } }
        @for a in ticket.allowed_actions.iter().filter(|a| handled.contains(a)) {
            form.stack.act data-act=(a.as_str()) novalidate {
                h3 { (action_name(lang, *a)) }
                p.msg.error role="alert" hidden {}
                @match a {
                    Action::Accept => {
                        label { (t.deadline) input type="datetime-local" name="deadline" required; }
                        label { (t.plan) textarea name="plan" rows="3" required {} }
                    }
                    Action::ExtendDeadline => {
                        label { (t.new_deadline) input type="datetime-local" name="until" required; }
                        label { (t.reason) textarea name="reason" rows="2" required {} }
                    }
                    Action::Complete => {
                        (photo_input(id, a.as_str(), t.fix_photos, true))
                        label { (t.note) textarea name="note" rows="2" {} }
                    }
                    Action::Pass => {
                        (photo_input(id, a.as_str(), t.check_photos, false))
                        label { (t.note) textarea name="note" rows="2" {} }
                    }
                    Action::Fail => {
                        label { (t.reason) textarea name="reason" rows="2" required {} }
                        (photo_input(id, a.as_str(), t.check_photos, false))
                    }
                    Action::ApproveRequest => {
                        label { (t.note) textarea name="note" rows="2" {} }
                    }
                    _ => {
                        label { (t.reason) textarea name="reason" rows="2" required {} }
                    }
                }
                button.primary type="submit" { (action_name(lang, *a)) }
            }
        }
        @if !others.is_empty() {
            p.meta { (t.other_actions) " " (others.join(" · ")) }
        }
    }
}

fn photo_input(id: Uuid, act: &str, label: &str, required: bool) -> Markup {
    html! {
        label { (label)
            input #{"photos-" (act) "-" (id)} type="file" name="photos" accept="image/*" multiple required[required];
        }
    }
}

/// The button and heading of a move.
fn action_name(lang: Lang, action: Action) -> &'static str {
    match lang {
        Lang::Zh => action.label(),
        Lang::En => match action {
            Action::Accept => "Accept with a plan",
            Action::Complete => "Report fixed",
            Action::ExtendDeadline => "Ask for more time",
            Action::CancelAsError => "Ask to cancel",
            Action::ApproveRequest => "Approve the request",
            Action::RefuseRequest => "Refuse the request",
            Action::Pass => "Pass the check",
            Action::Fail => "Fail the check",
            other => action_label(lang, other.as_str()),
        },
    }
}
