//! HTTP: comments, reply templates, co-handling departments and the rating.

use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::{respond, retry_of, viewer};
use crate::{
    auth::CurrentUser,
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
    tickets::{
        dto::{
            AddCoDepartmentRequest, CommentView, CreateCommentRequest, RateTicketRequest, ReplyTemplateView,
            TicketPath, TicketView,
        },
        extras, templates,
    },
};

/// The ticket's comments, oldest first: public replies, and for staff also internal notes.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath),
    responses(
        (status = 200, description = "The comments", body = [CommentView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/tickets/{id}/comments")]
pub(super) async fn list_ticket_comments(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TicketPath>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(extras::comments(&state, &viewer, path.id).await?))
}

/// Comment on a ticket the caller sees. Staff write public replies (the reporter and followers are
/// notified) or `internal` notes; residents write public comments on their own or followed tickets.
/// Send an `Idempotency-Key` so a retry writes the comment once and answers it again.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath, ("Idempotency-Key" = Option<String>, Header, description = "1–64 letters, digits, - _ . : ; kept a day")),
    request_body = CreateCommentRequest,
    responses(
        (status = 201, description = "Written", body = CommentView),
        (status = 400, description = "`invalid_body`, `invalid_json` or `invalid_idempotency_key`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`request_in_progress`: the first request with this key is still running", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Blank or long `body`, `visibility` or `template_id` not for residents, unknown template; `idempotency_key_reused`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tickets/{id}/comments")]
pub(super) async fn create_ticket_comment(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<TicketPath>,
    body: ApiJson<CreateCommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let retry = retry_of(&req, body.bytes())?;
    let viewer = viewer(&state, &user).await?;
    Ok(respond(extras::comment(&state, &viewer, path.id, body.into_inner(), retry.as_ref()).await?))
}

/// Reply templates for this ticket (staff): the active ones for its category and status, with the
/// number, category, status, deadline and department filled in.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath),
    responses(
        (status = 200, description = "Rendered templates by title", body = [ReplyTemplateView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Residents have no templates", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/tickets/{id}/reply-templates")]
pub(super) async fn list_reply_templates(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TicketPath>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(templates::for_ticket(&state, &viewer, path.id).await?))
}

/// Add a co-handling department (协办; dispatchers of the place and admins): its staff see the
/// ticket from now on and the department is notified. Adding it again changes nothing.
#[utoipa::path(
    tag = "tickets",
    params(TicketPath),
    request_body = AddCoDepartmentRequest,
    responses(
        (status = 200, description = "The ticket with its co-handling departments", body = TicketView),
        (status = 400, description = "`invalid_body` or `invalid_json`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher of the place or an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown department, or the responsible one", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tickets/{id}/co-departments")]
pub(super) async fn add_co_department(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TicketPath>,
    body: ApiJson<AddCoDepartmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(extras::add_co_department(&state, &viewer, path.id, body.into_inner()).await?))
}

/// Rate the handling of a closed ticket (回访; the reporter, once).
#[utoipa::path(
    tag = "tickets",
    params(TicketPath),
    request_body = RateTicketRequest,
    responses(
        (status = 200, description = "The ticket with its rating", body = TicketView),
        (status = 400, description = "`invalid_body` or `invalid_json`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not the reporter", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`ticket_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`not_closed` or `already_rated`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "`score` not 1–5, or `comment` over 500 characters", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/tickets/{id}/rating")]
pub(super) async fn rate_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TicketPath>,
    body: ApiJson<RateTicketRequest>,
) -> Result<HttpResponse, ApiError> {
    let viewer = viewer(&state, &user).await?;
    Ok(HttpResponse::Ok().json(extras::rate(&state, &viewer, path.id, body.into_inner()).await?))
}
