//! HTTP: categories, departments, and accounts' roles and access.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    dto::{
        AddMemberRequest, CategoryView, CreateCategoryRequest, CreateDepartmentRequest, DepartmentView,
        ListDepartmentsQuery, UpdateCategoryRequest, UpdateDepartmentRequest,
    },
    service,
    users::{self, AccountView, GrantRoleRequest, ListUsersQuery, UpdateUserRequest},
};
use crate::{
    auth::{CurrentUser, Role},
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
};

/// Mounts the category and department endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_categories)
        .service(create_category)
        .service(update_category)
        .service(list_departments)
        .service(create_department)
        .service(update_department)
        .service(add_department_member)
        .service(list_users)
        .service(grant_role)
        .service(revoke_role)
        .service(update_user);
}

/// Hazard categories with keywords and default deadlines (any logged-in user).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, description = "Categories in display order", body = [CategoryView]),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/categories")]
async fn list_categories(state: web::Data<AppState>, _user: CurrentUser) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::list_categories(&state).await?))
}

/// Add a category (admins).
#[utoipa::path(
    tag = "admin",
    request_body = CreateCategoryRequest,
    responses(
        (status = 201, description = "Created", body = CategoryView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`category_exists`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid code, name, keyword or deadline", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/categories")]
async fn create_category(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateCategoryRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(service::create_category(&state, body.into_inner()).await?))
}

/// Change a category's names, keywords, urgency, deadlines or whether it is offered (admins).
#[utoipa::path(
    tag = "admin",
    params(("code" = String, Path, description = "Category code")),
    request_body = UpdateCategoryRequest,
    responses(
        (status = 200, description = "Updated", body = CategoryView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`category_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid value", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/categories/{code}")]
async fn update_category(
    state: web::Data<AppState>,
    user: CurrentUser,
    code: web::Path<String>,
    body: ApiJson<UpdateCategoryRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(service::update_category(&state, &code, body.into_inner()).await?))
}

/// Departments with the categories they handle (staff).
#[utoipa::path(
    tag = "admin",
    params(ListDepartmentsQuery),
    responses(
        (status = 200, description = "Departments by name", body = [DepartmentView]),
        (status = 400, description = "`invalid_query`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Residents cannot list departments", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/departments")]
async fn list_departments(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<ListDepartmentsQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::GridWorker, Role::DeptStaff, Role::Dispatcher, Role::Admin])?;
    Ok(HttpResponse::Ok().json(service::list_departments(&state, &q).await?))
}

/// Add a department (admins).
#[utoipa::path(
    tag = "admin",
    request_body = CreateDepartmentRequest,
    responses(
        (status = 201, description = "Created", body = DepartmentView),
        (status = 400, description = "Malformed body or unknown kind", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown region or category", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/departments")]
async fn create_department(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: ApiJson<CreateDepartmentRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Created().json(service::create_department(&state, body.into_inner()).await?))
}

/// Change a department (admins); `categories` replaces the list.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "Department id")),
    request_body = UpdateDepartmentRequest,
    responses(
        (status = 200, description = "Updated", body = DepartmentView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`department_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown category", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/departments/{id}")]
async fn update_department(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateDepartmentRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(service::update_department(&state, id.into_inner(), body.into_inner()).await?))
}

/// Make a user staff of the department (admins). Idempotent.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "Department id")),
    request_body = AddMemberRequest,
    responses(
        (status = 204, description = "The user is staff of the department"),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`department_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown user", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/departments/{id}/members")]
async fn add_department_member(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    service::add_member(&state, id.into_inner(), body.0.user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Accounts whose phone or name contains `q` (without it: everyone holding a staff role), with
/// their roles and grids, at most 50 (admins).
#[utoipa::path(
    tag = "admin",
    params(ListUsersQuery),
    responses(
        (status = 200, description = "Accounts by phone", body = [AccountView]),
        (status = 400, description = "`invalid_query`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/users")]
async fn list_users(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<ListUsersQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(users::search(&state, q.q.as_deref().unwrap_or("")).await?))
}

/// Grant a role (admins): department staff of a department, grid worker of a grid (it becomes an
/// on-duty assignment), dispatcher of a region or everywhere, admin. Idempotent.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = GrantRoleRequest,
    responses(
        (status = 204, description = "The user holds the role"),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Unknown user, missing or unknown department, not a grid", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/roles")]
async fn grant_role(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<GrantRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    let scope = body.0.scope();
    users::grant(&state, id.into_inner(), body.0.role, scope).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revoke a role grant (admins; not your own admin grant). Revoking the grid worker role ends the
/// account's grid assignments.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id"), ("grant_id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`grant_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`own_admin_grant`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/users/{id}/roles/{grant_id}")]
async fn revoke_role(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    let (id, grant) = path.into_inner();
    users::revoke(&state, user.id, id, grant).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Disable or enable an account (admins; not your own). Disabling revokes its refresh tokens.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "`user_not_found`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "`own_account`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
async fn update_user(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    users::set_disabled(&state, user.id, id.into_inner(), body.0.disabled).await?;
    Ok(HttpResponse::NoContent().finish())
}
