//! `/desk/tickets/{id}`: one ticket at the desk — description, place, photos before and after,
//! the timeline with the internal notes in it, and a form for each move the caller's role allows
//! now (the ticket view's `allowed_actions`, decided by the tickets service) plus the internal note
//! form for staff handling it. The forms without photos post to `POST /desk/tickets/{id}` (field
//! `act`): the move goes through `tickets::service::act` (notes through `tickets::extras::comment`),
//! then back to the page; a refusal re-renders the page with a 4xx, the words next to the form and
//! what was typed kept. The photo forms (complete, pass, fail) are posted by `desk.js` to
//! `POST /api/v1/tickets/{id}/actions` after uploading the photos. `desk.js` fetches
//! `/desk/tickets/{id}/live` again when the WebSocket says the ticket changed.

use std::collections::HashMap;

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use maud::{html, Markup};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    chat::to_login,
    context,
    desk::{category_name, is_desk, DESK_ROLES},
    i18n::{Lang, Texts},
    layout::{self, Nav, PageCtx},
    session,
    tickets::{action_label, china},
    worker::staff_label,
};
use crate::{
    auth::{cookie, CurrentUser},
    error::ApiError,
    geo::region::RegionLevel,
    media::{dto::MediaVariant, query::signed_path},
    state::AppState,
    tickets::{
        command::{Command, Note, Reason, Rectification, RejectGround},
        dto::{ActionRequest, CommentVisibility, CreateCommentRequest, StagePhoto, TicketView},
        extras,
        routes::viewer,
        service,
        status::{Action, HazardLevel, TicketStatus},
    },
};

/// Mounts `/desk/tickets/{id}`, its form endpoint and its live fragment.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_ticket).service(post_ticket).service(get_ticket_live);
}

/// The moves whose forms post to this page; the photo forms go through `desk.js` and the API.
const PAGE_MOVES: [Action; 9] = [
    Action::Assign,
    Action::Accept,
    Action::ExtendDeadline,
    Action::CancelAsError,
    Action::ApproveRequest,
    Action::RefuseRequest,
    Action::Transfer,
    Action::Reject,
    Action::Reopen,
];

/// The moves `desk.js` posts (they carry photos).
const SCRIPT_MOVES: [Action; 3] = [Action::Complete, Action::Pass, Action::Fail];

/// The `act` of the internal note form.
const NOTE: &str = "note";

/// A refused form: which one, what was typed, the words to show and the status to answer with.
struct Refused {
    act: String,
    form: HashMap<String, String>,
    text: &'static str,
    status: StatusCode,
}

impl Refused {
    /// What was typed into `name` of the form `act`, if that form was refused.
    fn kept(this: Option<&Refused>, act: &str, name: &str) -> String {
        this.filter(|r| r.act == act).and_then(|r| r.form.get(name)).cloned().unwrap_or_default()
    }

    /// The words for the form `act`, if it was the refused one.
    fn text(this: Option<&Refused>, act: &str) -> Option<&'static str> {
        this.filter(|r| r.act == act).map(|r| r.text)
    }
}

#[get("/desk/tickets/{id}")]
async fn get_ticket(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    if !is_desk(&user) {
        return layout::redirect(super::login::home(&user), Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let done = url::form_urlencoded::parse(req.query_string().as_bytes()).any(|(k, _)| k == "done");
    page(&state, &user, &ctx, cookies, &id, None, done).await
}

#[post("/desk/tickets/{id}")]
async fn post_ticket(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    if !is_desk(&user) {
        return layout::redirect(super::login::home(&user), Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let t = ctx.lang.texts();
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let act = field(&form, "act").to_owned();
    let from_page = cookie::same_origin(&req, &state.settings().server.public_url)
        && cookie::csrf_matches(state.jwt(), &req, field(&form, "csrf_token"), Some(user.id));
    let outcome = match (from_page, Uuid::parse_str(&id)) {
        (false, _) => Err((StatusCode::FORBIDDEN, t.err_csrf)),
        (true, Err(_)) => Err((StatusCode::NOT_FOUND, t.not_found)),
        (true, Ok(ticket)) => submit(&state, &user, ticket, &act, &form, t).await,
    };
    match outcome {
        Ok(()) => {
            let at = if act == NOTE { "timeline" } else { "actions" };
            layout::redirect(&format!("/desk/tickets/{id}?done={act}#{at}"), cookies)
        }
        Err((status, text)) => {
            let refused = Refused { act, form, text, status };
            page(&state, &user, &ctx, cookies, &id, Some(&refused), false).await
        }
    }
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
    let (_, body) = detail(&state, &user, *id, &ctx, None, false).await?;
    Ok(layout::respond(StatusCode::OK, body, Vec::new()))
}

/// The whole page: the ticket, or a message in its place; a refused form answers with its status.
async fn page(
    state: &AppState,
    user: &CurrentUser,
    ctx: &PageCtx,
    cookies: Vec<String>,
    id: &str,
    refused: Option<&Refused>,
    done: bool,
) -> HttpResponse {
    let t = ctx.lang.texts();
    let found = match Uuid::parse_str(id) {
        Ok(id) => detail(state, user, id, ctx, refused, done).await,
        Err(_) => Err(ApiError::not_found("ticket_not_found", "no such ticket")),
    };
    let (status, title, body) = match found {
        Ok((number, body)) => (refused.map_or(StatusCode::OK, |r| r.status), number, body),
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
    layout::respond(status, layout::page(ctx, &title, Nav::Desk, main, &["desk.js"]), cookies)
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

/// A `datetime-local` value, read as China time (the pages show every time in China time).
fn china_time(value: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let cst = FixedOffset::east_opt(8 * 3600)?;
    cst.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

/// A department picked from a list: one the reference data knows.
fn department(state: &AppState, raw: &str, t: &'static Texts) -> Result<Uuid, (StatusCode, &'static str)> {
    if raw.is_empty() {
        return Err((StatusCode::UNPROCESSABLE_ENTITY, t.need_department));
    }
    Uuid::parse_str(raw)
        .ok()
        .filter(|id| state.jurisdiction().reference().departments().iter().any(|d| d.id == *id))
        .ok_or((StatusCode::UNPROCESSABLE_ENTITY, t.err_unknown_department))
}

/// A form's fields as a move, or the words saying what is missing or wrong.
fn command(
    state: &AppState,
    action: Action,
    form: &HashMap<String, String>,
    t: &'static Texts,
) -> Result<Command, (StatusCode, &'static str)> {
    let bad = |text| (StatusCode::UNPROCESSABLE_ENTITY, text);
    let reason = || Reason::parse(field(form, "reason")).map_err(|_| bad(t.need_reason));
    let note = || Note::parse_optional(Some(field(form, "note"))).map_err(|_| bad(t.err_refused));
    let when = |name: &str| match field(form, name) {
        "" => Err(bad(t.need_deadline)),
        v => china_time(v).ok_or(bad(t.need_deadline)),
    };
    Ok(match action {
        Action::Assign => {
            let department_id = department(state, field(form, "department_id"), t)?;
            let grid_worker_id = match field(form, "grid_worker_id") {
                "" => return Err(bad(t.need_worker)),
                v => Uuid::parse_str(v).map_err(|_| bad(t.err_not_worker))?,
            };
            Command::Assign { department_id, grid_worker_id, note: note()? }
        }
        Action::Accept => {
            let deadline = when("deadline")?;
            let plan = Note::parse(field(form, "plan")).map_err(|_| bad(t.need_plan))?;
            let level = match field(form, "level") {
                "" => None,
                v => Some(HazardLevel::parse(v).map_err(|_| bad(t.err_refused))?),
            };
            Command::Accept { rectification: Some(Rectification { plan, deadline, level }) }
        }
        Action::ExtendDeadline => {
            let until = when("until")?;
            Command::ExtendDeadline { until, reason: reason()? }
        }
        Action::CancelAsError => Command::CancelAsError { reason: reason()? },
        Action::ApproveRequest => Command::ApproveRequest { note: note()? },
        Action::RefuseRequest => Command::RefuseRequest { reason: reason()? },
        Action::Transfer => {
            let to_department = department(state, field(form, "to_department"), t)?;
            Command::Transfer { reason: reason()?, to_department }
        }
        Action::Reject => {
            let ground = match field(form, "ground") {
                "not_a_hazard" => RejectGround::NotAHazard,
                "invalid" => RejectGround::Invalid,
                _ => return Err(bad(t.need_ground)),
            };
            // At the desk a rejection always says why, in words the timeline keeps.
            let why = Note::parse(field(form, "reason")).map_err(|_| bad(t.need_reason))?;
            Command::Reject { ground, note: Some(why) }
        }
        Action::Reopen => Command::Reopen { reason: reason()?, media: Default::default() },
        _ => return Err((StatusCode::BAD_REQUEST, t.err_refused)),
    })
}

/// The words and status for a refusal by the service.
fn refusal(t: &'static Texts, e: &ApiError) -> (StatusCode, &'static str) {
    // A validation error's code is the first field's.
    let (field, code) = match e.field_errors().first() {
        Some(f) => (f.field.as_str(), f.code.as_str()),
        None => ("", e.code()),
    };
    let text = match (field, code) {
        (_, "version_conflict" | "transition_not_allowed") => t.conflict,
        (_, "request_pending") => t.err_request_pending,
        (_, "deadline_not_in_future") => t.err_deadline_past,
        (_, "deadline_beyond_limit") => t.err_deadline_limit,
        (_, "extension_not_later") => t.err_extension_not_later,
        (_, "same_department") => t.err_same_department,
        ("department_id" | "to_department", "not_found") => t.err_unknown_department,
        ("grid_worker_id", _) => t.err_not_worker,
        ("body", "blank") => t.need_note,
        (_, "blank") => t.need_reason,
        (_, "ticket_not_found") => t.not_found,
        _ if e.status().is_client_error() => t.err_refused,
        _ => {
            tracing::error!(error = ?e, "desk form");
            t.err_generic
        }
    };
    (e.status(), text)
}

/// Runs a form: the move or the note, as the caller.
async fn submit(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    act: &str,
    form: &HashMap<String, String>,
    t: &'static Texts,
) -> Result<(), (StatusCode, &'static str)> {
    let viewer = viewer(state, user).await.map_err(|e| refusal(t, &e))?;
    if act == NOTE {
        let body = field(form, "body");
        if body.is_empty() {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, t.need_note));
        }
        // An internal note unless the reply to the reporter was chosen.
        let visibility =
            if field(form, "visibility") == "public" { CommentVisibility::Public } else { CommentVisibility::Internal };
        let req = CreateCommentRequest { body: body.to_owned(), visibility: Some(visibility), template_id: None };
        extras::comment(state, &viewer, id, req, None).await.map_err(|e| refusal(t, &e))?;
        return Ok(());
    }
    let action = Action::parse(act).ok().filter(|a| PAGE_MOVES.contains(a));
    let Some(action) = action else { return Err((StatusCode::BAD_REQUEST, t.err_refused)) };
    let Ok(version) = field(form, "version").parse::<i64>() else {
        return Err((StatusCode::BAD_REQUEST, t.conflict));
    };
    let command = command(state, action, form, t)?;
    let req = ActionRequest { version, position: None, command };
    service::act(state, &viewer, id, req, None).await.map_err(|e| refusal(t, &e))?;
    Ok(())
}

/// One line of the timeline: a move or system event, or a comment (an internal note, or the thread
/// with the reporter: their words and the replies to them).
enum Entry<'a> {
    Event(&'a crate::tickets::dto::EventView),
    Note(&'a crate::tickets::dto::CommentView),
}

/// The ticket's number and its page body.
async fn detail(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    ctx: &PageCtx,
    refused: Option<&Refused>,
    done: bool,
) -> Result<(String, Markup), ApiError> {
    let lang = ctx.lang;
    let viewer = viewer(state, user).await?;
    let ticket = service::get(state, &viewer, id).await?;
    let events = service::events(state, &viewer, id).await?;
    let handles = extras::handles(state, &viewer, id).await?;
    let notes: Vec<_> = extras::comments(state, &viewer, id).await?;
    let mut timeline: Vec<(DateTime<Utc>, Entry<'_>)> = events.iter().map(|e| (e.at, Entry::Event(e))).collect();
    timeline.extend(notes.iter().map(|n| (n.created_at, Entry::Note(n))));
    timeline.sort_by_key(|(at, _)| *at);
    let workers =
        if ticket.allowed_actions.contains(&Action::Assign) { grid_workers(state, &ticket).await? } else { Vec::new() };
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
                            (super::desk_map::position_map(state, lang, &ticket))
                        }
                        @if let Some(d) = ticket.department_id {
                            dt { (t.f_department) } dd #department { (department_name(state, d)) }
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
                section.work #actions aria-label=(t.actions) {
                    h2 { (t.actions) }
                    @if done && refused.is_none() { p.msg.ok role="status" { (t.act_done) } }
                    // A refusal for a form this page no longer (or never) shows is said here.
                    @if let Some(r) = refused.filter(|r| !shows_form(&ticket, handles, &r.act)) {
                        p.msg.error role="alert" { (r.text) }
                    }
                    (forms(state, ctx, &ticket, &workers, refused))
                    @if handles { (note_form(ctx, &ticket, refused)) }
                    h2 { (t.timeline) }
                    ol.timeline #timeline {
                        @for (_, entry) in &timeline {
                            @match entry {
                                Entry::Event(e) => li {
                                    time datetime=(e.at.to_rfc3339()) { (china(e.at)) }
                                    " " span.what { (action_label(lang, &e.action)) }
                                    " → " span.to { (staff_label(lang, e.to)) }
                                    @if let Some(n) = &e.note { br; small.meta { (n) } }
                                },
                                Entry::Note(n) if n.visibility == CommentVisibility::Internal => li.note.internal {
                                    time datetime=(n.created_at.to_rfc3339()) { (china(n.created_at)) }
                                    " " span.badge.internal { (t.internal) }
                                    " " span.what { (t.notes) }
                                    br; span.body { (n.body) }
                                },
                                Entry::Note(n) => li.note.public {
                                    time datetime=(n.created_at.to_rfc3339()) { (china(n.created_at)) }
                                    " " span.badge.public { (t.public_thread) }
                                    " " span.what { (if n.author_role == "reporter" || n.author_role == "follower" { t.from_reporter } else { t.reply_to_reporter }) }
                                    br; span.body { (n.body) }
                                },
                            }
                        }
                    }
                    @if notes.is_empty() { p.empty { (t.no_notes) } }
                }
            }
        }
    };
    Ok((ticket.number, body))
}

/// Whether the page shows the form `act` for this ticket.
fn shows_form(ticket: &TicketView, handles: bool, act: &str) -> bool {
    if act == NOTE {
        return handles;
    }
    Action::parse(act).is_ok_and(|a| PAGE_MOVES.contains(&a) && ticket.allowed_actions.contains(&a))
}

/// A department's name (its id when the reference data does not know it).
fn department_name(state: &AppState, id: Uuid) -> String {
    state
        .jurisdiction()
        .reference()
        .departments()
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| id.to_string(), |d| d.name.clone())
}

/// A grid worker offered in the assign form.
struct WorkerChoice {
    id: Uuid,
    label: String,
}

/// The grids within `region` (all grids without one), with their names.
fn grids_within(index: &crate::geo::index::RegionIndex, region: Option<Uuid>) -> Vec<(Uuid, String)> {
    index
        .regions()
        .filter(|r| r.level == RegionLevel::Grid)
        .filter(|r| region.is_none_or(|w| index.chain_of(r.id).iter().any(|a| a.id == w)))
        .map(|r| (r.id, r.name.clone()))
        .collect()
}

/// The grid workers of the ticket's community (its grid and the grids beside it), or of every grid
/// when the place lies outside the regions or its community has none; on duty and least loaded first.
async fn grid_workers(state: &AppState, ticket: &TicketView) -> Result<Vec<WorkerChoice>, ApiError> {
    let index = state.jurisdiction().current();
    let near = ticket.location.region_id.map(|r| index.chain_of(r)).unwrap_or_default();
    let community = near.iter().find(|r| r.level != RegionLevel::Grid).map(|r| r.id);
    let open = [TicketStatus::Assigned.as_str(), TicketStatus::Verifying.as_str()];
    let mut grids = grids_within(&index, community);
    let ids = |grids: &[(Uuid, String)]| grids.iter().map(|g| g.0).collect::<Vec<_>>();
    let load = crate::geo::store::load_grid_workers_with_load;
    let mut found = load(state.db(), &ids(&grids), &open).await.map_err(ApiError::internal)?;
    if found.is_empty() && community.is_some() {
        grids = grids_within(&index, None);
        found = load(state.db(), &ids(&grids), &open).await.map_err(ApiError::internal)?;
    }
    found.sort_by_key(|w| (!w.on_duty, w.open_assignments));
    let users = entity::user::Entity::find()
        .filter(entity::user::Column::Id.is_in(found.iter().map(|w| w.user_id)))
        .all(state.db())
        .await?;
    let mut out: Vec<WorkerChoice> = Vec::new();
    for w in found {
        if out.iter().any(|c| c.id == w.user_id) {
            continue;
        }
        let name = users.iter().find(|u| u.id == w.user_id).map_or("", |u| u.display_name.as_str());
        let grid = grids.iter().find(|g| g.0 == w.grid_id).map_or("", |g| g.1.as_str());
        let duty = if w.on_duty { "" } else { " · ✕" };
        out.push(WorkerChoice { id: w.user_id, label: format!("{name} · {grid} · {}{duty}", w.open_assignments) });
    }
    Ok(out)
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

/// The hidden fields every page form carries.
fn hidden(ctx: &PageCtx, ticket: &TicketView, act: &str) -> Markup {
    html! {
        input type="hidden" name="csrf_token" value=(ctx.csrf);
        input type="hidden" name="act" value=(act);
        input type="hidden" name="version" value=(ticket.version);
    }
}

/// A `<select>` of departments (`skip`: the one the ticket is with, for a transfer).
fn department_select(state: &AppState, t: &Texts, name: &str, chosen: &str, skip: Option<Uuid>, id: &str) -> Markup {
    let reference = state.jurisdiction().reference();
    html! {
        select #(id) name=(name) required {
            option value="" selected[chosen.is_empty()] { (t.choose) }
            @for d in reference.departments().iter().filter(|d| Some(d.id) != skip) {
                option value=(d.id) selected[chosen == d.id.to_string()] { (d.name) }
            }
        }
    }
}

/// A form per allowed move the desk handles; the others are named only.
fn forms(
    state: &AppState,
    ctx: &PageCtx,
    ticket: &TicketView,
    workers: &[WorkerChoice],
    refused: Option<&Refused>,
) -> Markup {
    let lang = ctx.lang;
    let t = lang.texts();
    let id = ticket.id;
    let others: Vec<&str> = ticket
        .allowed_actions
        .iter()
        .filter(|a| !PAGE_MOVES.contains(a) && !SCRIPT_MOVES.contains(a))
        .map(|a| action_name(lang, *a))
        .collect();
    html! {
        @if ticket.allowed_actions.is_empty() { p.empty { (t.no_actions) } }
        @for a in ticket.allowed_actions.iter().filter(|a| PAGE_MOVES.contains(a)) {
            @let act = a.as_str();
            @let kept = |name: &str| Refused::kept(refused, act, name);
            @let fid = |name: &str| format!("{act}-{name}");
            form.stack.act #{"form-" (act)} data-act=(act) method="post" action={"/desk/tickets/" (id) "#form-" (act)} novalidate {
                h3 { (action_name(lang, *a)) }
                @match Refused::text(refused, act) {
                    Some(text) => p.msg.error role="alert" { (text) },
                    None => p.msg.error role="alert" hidden {},
                }
                (hidden(ctx, ticket, act))
                @match a {
                    Action::Assign => {
                        label for=(fid("department_id")) { (t.f_department) }
                        @let routed = ticket.department_id.map(|d| d.to_string()).unwrap_or_default();
                        @let chosen = if Refused::text(refused, act).is_some() { kept("department_id") } else { routed };
                        (department_select(state, t, "department_id", &chosen, None, &fid("department_id")))
                        label for=(fid("grid_worker_id")) { (t.grid_worker) }
                        select #(fid("grid_worker_id")) name="grid_worker_id" required {
                            option value="" { (if workers.is_empty() { t.no_workers } else { t.choose }) }
                            @for w in workers {
                                option value=(w.id) selected[kept("grid_worker_id") == w.id.to_string()] { (w.label) }
                            }
                        }
                        label { (t.note) textarea name="note" rows="2" { (kept("note")) } }
                    }
                    Action::Accept => {
                        @if ticket.hazard_level.is_none() {
                            label { (t.level)
                                select name="level" required {
                                    option value="general" selected[kept("level") != "major"] { (t.level_general) }
                                    option value="major" selected[kept("level") == "major"] { (t.level_major) }
                                }
                            }
                        }
                        label { (t.deadline) " " small.meta { (t.china_time) }
                            input type="datetime-local" name="deadline" required value=(kept("deadline")); }
                        label { (t.plan) textarea name="plan" rows="3" required { (kept("plan")) } }
                    }
                    Action::ExtendDeadline => {
                        label { (t.new_deadline) " " small.meta { (t.china_time) }
                            input type="datetime-local" name="until" required value=(kept("until")); }
                        label { (t.reason) textarea name="reason" rows="2" required { (kept("reason")) } }
                    }
                    Action::ApproveRequest => {
                        label { (t.note) textarea name="note" rows="2" { (kept("note")) } }
                    }
                    Action::Transfer => {
                        label for=(fid("to_department")) { (t.transfer_to) }
                        (department_select(state, t, "to_department", &kept("to_department"), ticket.department_id, &fid("to_department")))
                        label { (t.reason) textarea name="reason" rows="2" required { (kept("reason")) } }
                    }
                    Action::Reject => {
                        label { (t.ground)
                            select name="ground" required {
                                option value="" { (t.choose) }
                                option value="not_a_hazard" selected[kept("ground") == "not_a_hazard"] { (t.ground_not_hazard) }
                                option value="invalid" selected[kept("ground") == "invalid"] { (t.ground_invalid) }
                            }
                        }
                        label { (t.reason) textarea name="reason" rows="2" required { (kept("reason")) } }
                    }
                    _ => {
                        label { (t.reason) textarea name="reason" rows="2" required { (kept("reason")) } }
                    }
                }
                button.primary type="submit" { (action_name(lang, *a)) }
            }
        }
        @for a in ticket.allowed_actions.iter().filter(|a| SCRIPT_MOVES.contains(a)) {
            form.stack.act data-act=(a.as_str()) novalidate {
                h3 { (action_name(lang, *a)) }
                p.msg.error role="alert" hidden {}
                @match a {
                    Action::Complete => {
                        (photo_input(id, a.as_str(), t.fix_photos, true))
                        label { (t.note) textarea name="note" rows="2" {} }
                    }
                    Action::Pass => {
                        (photo_input(id, a.as_str(), t.check_photos, false))
                        label { (t.note) textarea name="note" rows="2" {} }
                    }
                    _ => {
                        label { (t.reason) textarea name="reason" rows="2" required {} }
                        (photo_input(id, a.as_str(), t.check_photos, false))
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

/// The internal note form (staff handling the ticket): residents never see these notes.
fn note_form(ctx: &PageCtx, ticket: &TicketView, refused: Option<&Refused>) -> Markup {
    let t = ctx.lang.texts();
    html! {
        form.stack.act #{"form-" (NOTE)} data-act=(NOTE) method="post" action={"/desk/tickets/" (ticket.id) "#form-" (NOTE)} novalidate {
            h3 { (t.note_add) }
            @match Refused::text(refused, NOTE) {
                Some(text) => p.msg.error role="alert" { (text) },
                None => p.msg.error role="alert" hidden {},
            }
            (hidden(ctx, ticket, NOTE))
            @let public = Refused::kept(refused, NOTE, "visibility") == "public";
            fieldset {
                legend { (t.note_to) }
                label.choice { input type="radio" name="visibility" value="internal" checked[!public]; " " (t.note_internal) }
                label.choice { input type="radio" name="visibility" value="public" checked[public]; " " (t.note_public) }
            }
            label { (t.note_body) textarea name="body" rows="2" maxlength="2000" required { (Refused::kept(refused, NOTE, "body")) } }
            button.secondary type="submit" { (t.note_send) }
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
            Action::Assign => "Route and assign",
            Action::Transfer => "Ask to transfer",
            Action::Reject => "Reject the report",
            Action::Reopen => "Reopen",
            other => action_label(lang, other.as_str()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_deadline_is_china_time() {
        let at = china_time("2026-12-07T08:30").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-07T00:30:00+00:00");
        assert!(china_time("07/12/2026").is_none());
        assert!(china_time("").is_none());
    }
}
