//! HTTP: report, view, move, history and follow (writes honour `Idempotency-Key`); lists and counts
//! (`lists`), comments, co-handling and ratings (`extras`), and the admins' response templates
//! (`templates`).

mod extras;
mod lists;
mod templates;

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    access::Viewer,
    dto::{ActionRequest, EventView, SubmitTicketRequest, SubmitTicketResponse, TicketPath, TicketView},
    service::{self, Answer, Retry},
};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    idempotency::{self, IdempotencyKey},
    json::ApiJson,
    state::AppState,
};

/// Mounts the ticket endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    // `/tickets/summary` before `/tickets/{id}`: the first matching path wins.
    cfg.service(lists::list_tickets)
        .service(lists::get_ticket_summary)
        .service(submit_ticket)
        .service(get_ticket)
        .service(act_on_ticket)
        .service(ticket_events)
        .service(follow_ticket)
        .service(extras::list_ticket_comments)
        .service(extras::create_ticket_comment)
        .service(extras::list_reply_templates)
        .service(extras::add_co_department)
        .service(extras::rate_ticket)
        .service(templates::list_response_templates)
        .service(templates::create_response_template)
        .service(templates::update_response_template);
}

/// The retry key of a request, if it carries one.
pub fn retry_of(req: &HttpRequest, body: &[u8]) -> Result<Option<Retry>, ApiError> {
    let Some(value) = req.headers().get(idempotency::HEADER) else { return Ok(None) };
    let key = IdempotencyKey::parse(value.to_str().unwrap_or_default())?;
    let hash = idempotency::fingerprint(req.method().as_str(), req.path(), body);
    Ok(Some(Retry { key, hash }))
}

/// The HTTP response for an answer (a replay says so in `Idempotent-Replayed: true`).
pub fn respond(answer: Answer) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK));
    res.content_type("application/json");
    if answer.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    res.body(answer.body)
}

/// The caller with their grants.
pub async fn viewer(state: &AppState, user: &CurrentUser) -> Result<Viewer, ApiError> {
    Ok(Viewer::load(state.db(), user.id).await?)
}

/// Report a hazard. Routed at once to a department and the grid's worker (or left `unrouted` for a
/// dispatcher); open tickets nearby are returned as possible duplicates to follow instead. Send an
/// `Idempotency-Key` so a retry on a bad connection returns the first answer and creates nothing.
#[utoipa::path(
    tag = "tickets",
    params(("Idempotency-Key" = Option<String>, Header, description = "1–64 letters, digits, - _ . : ; kept a day")),
    request_body = SubmitTicketRequest,
    responses(
        (status = 201, description = "Reported (or the first answer to this key again)", body = SubmitTicketResponse),
        (status = 400, description = "`invalid_body`, `invalid_json` or `invalid_idempotency_key`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`media_in_use`: a photo went to another ticket meanwhile", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Bad field (`description`, `category`, `location`, `photos`, `channel`) or `idempotency_key_reused`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tickets")]
async fn submit_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: ApiJson<SubmitTicketRequest>,
) -> Result<HttpResponse, ApiError> {
    let retry = retry_of(&req, body.bytes())?;
    let viewer = viewer(&state, &user).await?;
    let answer = service::submit(&state, &viewer, body.into_inner(), None, retry.as_ref()).await?;
    Ok(respond(answer))
}

/// One ticket, as far as the caller may see it, with what they may do now. Tickets the caller may
/// not see answer 404, as if they did not exist.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath),
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/tickets/{id}")]
async fn get_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TicketPath>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::get(&state, &viewer, path.id).await?))
}

/// Make a move (`action` and its fields) on the version of the ticket the client saw. The server
/// enforces who may do what in which status; a refused move answers 409 with `allowed_actions`,
/// and so does a stale `version` (someone else moved first). Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath, ("Idempotency-Key" = Option<String>, Header, description = "1–64 letters, digits, - _ . : ; kept a day")),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "The ticket after the move", body = TicketView),
        (status = 400, description = "`invalid_body`: unknown action, missing or blank field", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`transition_not_allowed`, `version_conflict`, `request_pending` or `dispute_window_closed`, with `allowed_actions`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A bad deadline, level, department, grid worker, duplicate or photo", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tickets/{id}/actions")]
async fn act_on_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<TicketPath>,
    body: ApiJson<ActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let retry = retry_of(&req, body.bytes())?;
    let viewer = viewer(&state, &user).await?;
    Ok(respond(service::act(&state, &viewer, path.id, body.into_inner(), retry.as_ref()).await?))
}

/// The ticket's history (审计): every move with who, when, from, to, note, photos and deadline
/// changes, plus system events (escalation, followers joining, merges), oldest first.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath),
    responses(
        (status = 200, description = "The timeline", body = [EventView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/tickets/{id}/events")]
async fn ticket_events(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TicketPath>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::events(&state, &viewer, path.id).await?))
}

/// Follow an open ticket (a possible duplicate of what the caller was about to report): the caller
/// gets every update, and each follower raises the ticket's priority. Following twice is harmless.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath),
    responses(
        (status = 200, description = "The ticket, now followed", body = TicketView),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`ticket_closed`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tickets/{id}/follow")]
async fn follow_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TicketPath>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(service::follow(&state, &viewer, path.id).await?))
}
