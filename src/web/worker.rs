//! `/worker`: the grid worker's phone page — the tickets offered to or held by them for the on-site
//! check (assigned, verifying) or the check of the fix (awaiting_check), earliest deadline first,
//! with one-tap accept, a confirm form with on-site photos and a pass form for the check.
//! `worker.js` sends the moves through `POST /api/v1/tickets/{id}/actions` (photos through
//! `POST /api/v1/media`, the position from the browser) and fetches `/worker/live` again after each
//! move and whenever the WebSocket says something changed.

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
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
        dto::{ListTicketsQuery, TicketSummary},
        query::{self, ListParams},
        routes::viewer,
        status::TicketStatus,
    },
};

/// Mounts `/worker` and `/worker/live`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_worker).service(get_worker_live);
}

#[get("/worker")]
async fn get_worker(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(user) = session::page_user(&state, &req) else { return to_login(&req) };
    if !user.has(Role::GridWorker) {
        return layout::redirect(super::login::home(&user), Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, Some(&user));
    let title = ctx.lang.texts().worker_title;
    let list = list(&state, &user, ctx.lang).await;
    let lead = patrol_form(&state, ctx.lang);
    layout::live_list_page(&ctx, cookies, (title, Nav::Worker, "worker.js"), lead, list, "grid worker tasks")
}

#[get("/worker/live")]
async fn get_worker_live(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let user = crate::auth::extract::authenticate(&req)?;
    user.require_any(&[Role::GridWorker])?;
    let (ctx, _) = context(&state, &req, Some(&user));
    let list = list(&state, &user, ctx.lang).await?;
    Ok(layout::respond(StatusCode::OK, list, Vec::new()))
}

/// The caller's open checks, earliest deadline first.
async fn list(state: &AppState, user: &CurrentUser, lang: Lang) -> Result<Markup, ApiError> {
    let viewer = viewer(state, user).await?;
    let raw = ListTicketsQuery {
        status: Some("assigned,verifying,awaiting_check".to_owned()),
        sort: Some("due_asc".to_owned()),
        limit: Some("50".to_owned()),
        ..ListTicketsQuery::default()
    };
    let page = query::list(state, &viewer, &ListParams::try_from(raw)?).await?;
    let mine: Vec<&TicketSummary> = page.items.iter().filter(|t| t.grid_worker_id == Some(user.id)).collect();
    let t = lang.texts();
    Ok(html! {
        @if mine.is_empty() {
            p.empty { (t.no_assignments) }
        } @else {
            ol.tickets { @for ticket in &mine { (card(lang, ticket)) } }
        }
    })
}

fn card(lang: Lang, ticket: &TicketSummary) -> Markup {
    let t = lang.texts();
    let id = ticket.id;
    html! {
        li.ticket #{"t-" (ticket.number)} data-id=(id) data-status=(ticket.status.as_str()) {
            article aria-labelledby={"h-" (ticket.number)} {
                header {
                    h2 #{"h-" (ticket.number)} { (ticket.number) }
                    span class={"badge s-" (ticket.status.as_str())} { (staff_label(lang, ticket.status)) }
                }
                p.desc { (ticket.description.chars().take(120).collect::<String>()) }
                @if let Some(address) = &ticket.address { p.meta { (address) } }
                p.meta {
                    @if let Some(due) = ticket.due_at {
                        (t.due) " " time datetime=(due.to_rfc3339()) { (super::tickets::china(due)) }
                    }
                    @if ticket.overdue { " · " strong.overdue { (t.overdue) } }
                }
                @match ticket.status {
                    TicketStatus::Assigned => {
                        button.primary.wide type="button" data-act="accept" { (t.accept) }
                        details.more #{"more-" (id)} {
                            summary { (t.decline) }
                            form.stack.confirm data-act="decline" {
                                label for={"decline-" (id)} { (t.note) " " span.hint { (t.optional) } }
                                textarea #{"decline-" (id)} name="note" rows="2" maxlength="500" {}
                                button.secondary type="submit" { (t.decline) }
                            }
                        }
                    }
                    TicketStatus::Verifying => {
                        form.stack.confirm data-act="confirm" {
                            fieldset {
                                legend { (t.level) }
                                label.choice { input type="radio" name={"level-" (id)} value="general" checked; " " (t.level_general) }
                                label.choice { input type="radio" name={"level-" (id)} value="major"; " " (t.level_major) }
                            }
                            (photo_picker(id, t.onsite_photos, true))
                            button.primary type="submit" value="confirm" { (t.confirm_hazard) }
                            button.secondary type="submit" value="resolve_on_spot" { (t.resolve_on_spot) }
                        }
                        details.more #{"more-" (id)} {
                            summary { (t.not_a_hazard_q) }
                            form.stack.confirm data-act="reject" {
                                fieldset {
                                    legend { (t.reject_ground) }
                                    label.choice { input type="radio" name={"ground-" (id)} value="not_a_hazard" checked; " " (t.ground_not_hazard) }
                                    label.choice { input type="radio" name={"ground-" (id)} value="invalid"; " " (t.ground_invalid) }
                                }
                                label for={"reject-" (id)} { (t.note) " " span.hint { (t.optional) } }
                                textarea #{"reject-" (id)} name="note" rows="2" maxlength="500" {}
                                button.secondary type="submit" { (t.reject_ticket) }
                            }
                        }
                    }
                    TicketStatus::AwaitingCheck => {
                        form.stack.confirm data-act="check" {
                            (photo_picker(id, t.check_photos, false))
                            label for={"fail-" (id)} { (t.fail_reason) " " span.hint { (t.fail_reason_hint) } }
                            textarea #{"fail-" (id)} name="reason" rows="2" maxlength="500" {}
                            button.primary type="submit" value="pass" { (t.pass_check) }
                            button.secondary type="submit" value="fail" { (t.fail_check) }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The report of a hazard found on patrol: category, what, how urgent, the address and photos; the
/// position comes from the phone when it is sent (`POST /api/v1/tickets` on the `staff` channel).
fn patrol_form(state: &AppState, lang: Lang) -> Markup {
    let t = lang.texts();
    html! {
        details.patrol #patrol {
            summary { (t.patrol_title) }
            form.stack.confirm #patrol-form data-act="patrol" novalidate {
                p.hint { (t.patrol_intro) }
                label for="patrol-category" { (t.f_category) }
                select #patrol-category name="category" required {
                    option value="" { (t.choose) }
                    (super::desk::category_options(state, lang, ""))
                }
                label for="patrol-description" { (t.patrol_description) }
                textarea #patrol-description name="description" rows="3" maxlength="1000" required {}
                fieldset {
                    legend { (t.urgency) }
                    label.choice { input type="radio" name="urgency" value="normal" checked; " " (t.urgency_normal) }
                    label.choice { input type="radio" name="urgency" value="urgent"; " " (t.urgency_urgent) }
                    label.choice { input type="radio" name="urgency" value="emergency"; " " (t.urgency_emergency) }
                }
                label for="patrol-address" { (t.address) " " span.hint { (t.optional) } }
                input #patrol-address type="text" name="address" maxlength="200" autocomplete="off";
                (photo_picker("patrol", t.onsite_photos, true))
                button.primary type="submit" { (t.patrol_send) }
            }
        }
    }
}

/// The camera button of a form: a label over a visually hidden file input, counting the photos.
fn photo_picker(id: impl std::fmt::Display, label: &str, required: bool) -> Markup {
    html! {
        label.pick for={"photos-" (id)} {
            svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" {
                path d="M4 7h3l2-3h6l2 3h3v13H4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" {}
                circle cx="12" cy="13" r="4" fill="none" stroke="currentColor" stroke-width="2" {}
            }
            (label) " " span.count aria-live="polite" {}
        }
        input.visually-hidden #{"photos-" (id)} type="file" accept="image/*" capture="environment" multiple required[required];
    }
}

/// What staff read for a status.
pub(super) fn staff_label(lang: Lang, status: TicketStatus) -> &'static str {
    match lang {
        Lang::Zh => status.staff_label(),
        Lang::En => status_label(lang, status),
    }
}
