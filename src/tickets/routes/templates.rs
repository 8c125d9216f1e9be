//! HTTP: response templates, managed by admins.

use actix_web::{get, patch, post, web, HttpResponse};

use crate::{
    auth::{CurrentUser, Role},
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
    tickets::{
        dto::{CreateResponseTemplateRequest, ResponseTemplateView, TemplatePath, UpdateResponseTemplateRequest},
        templates,
    },
};

/// Every response template, active or not (admins).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, description = "Templates by title", body = [ResponseTemplateView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/admin/response-templates")]
pub(super) async fn list_response_templates(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(templates::list(&state).await?))
}

/// Add a response template for a category and status (null: any), with placeholders `{number}`,
/// `{category}`, `{status}`, `{deadline}` and `{department}` (admins).
#[utoipa::path(
    tag = "admin",
    request_body = CreateResponseTemplateRequest,
    responses(
        (status = 201, description = "Created", body = ResponseTemplateView),
        (status = 400, description = "Malformed body or unknown status", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown category, blank or long title or body, unknown placeholder", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/admin/response-templates")]
pub(super) async fn create_response_template(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateResponseTemplateRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(templates::create(&state, body.into_inner()).await?))
}

/// Change a response template; absent fields stay, a `null` category or status means any (admins).
#[utoipa::path(
    tag = "admin",
    params(TemplatePath),
    request_body = UpdateResponseTemplateRequest,
    responses(
        (status = 200, description = "Updated", body = ResponseTemplateView),
        (status = 400, description = "Malformed body or unknown status", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`template_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown category, blank or long title or body, unknown placeholder", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/response-templates/{id}")]
pub(super) async fn update_response_template(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<TemplatePath>,
    body: ApiJson<UpdateResponseTemplateRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(templates::update(&state, path.id, body.into_inner()).await?))
}
