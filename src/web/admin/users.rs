//! `/admin/users`: accounts found by phone or name (without a search: everyone holding a staff
//! role) with their roles; a form granting a role to a phone number — department staff of a
//! department, grid worker of a grid, dispatcher of a region or everywhere, admin — a revoke button
//! on each role, and disable/enable on each account (`admin::users` does the work and refuses an
//! admin locking themselves out).

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use maud::html;
use uuid::Uuid;

use super::{
    all_departments, all_regions, broken, checked, csrf, department_name, department_options, done, message_for,
    page_ctx, refusal, region_name, region_options, respond, typed, AdminPage, Area, Failed, Form,
};
use crate::{
    admin::users::{self, GrantRoleRequest},
    auth::{CurrentUser, Role},
    error::ApiError,
    state::AppState,
    web::i18n::Lang,
};

const PATH: &str = "/admin/users";

/// The roles an admin grants here.
const GRANTED: [Role; 4] = [Role::DeptStaff, Role::GridWorker, Role::Dispatcher, Role::Admin];

/// Mounts the user pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_users).service(post_grant).service(post_revoke).service(post_access);
}

/// A role in the page's language.
pub(super) fn role_label(lang: Lang, role: Role) -> &'static str {
    match (lang, role) {
        (Lang::Zh, Role::Resident) => "居民",
        (Lang::Zh, Role::GridWorker) => "网格员",
        (Lang::Zh, Role::DeptStaff) => "部门工作人员",
        (Lang::Zh, Role::Dispatcher) => "调度员",
        (Lang::Zh, Role::Admin) => "管理员",
        (Lang::En, Role::Resident) => "Resident",
        (Lang::En, Role::GridWorker) => "Grid worker",
        (Lang::En, Role::DeptStaff) => "Department staff",
        (Lang::En, Role::Dispatcher) => "Dispatcher",
        (Lang::En, Role::Admin) => "Admin",
    }
}

fn query(req: &HttpRequest, name: &str) -> String {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// The list to go back to: the search the form was sent from.
fn back(form: &Form) -> String {
    match form.get("q") {
        "" => PATH.to_owned(),
        q => format!("{PATH}?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()),
    }
}

#[get("/admin/users")]
async fn get_users(state: web::Data<AppState>, AdminPage(user): AdminPage, req: HttpRequest) -> HttpResponse {
    let (q, phone) = (query(&req, "q"), query(&req, "grant"));
    page(&state, &req, &user, StatusCode::OK, (&q, &phone), None).await
}

#[post("/admin/users/roles")]
async fn post_grant(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        let account = users::by_phone(&state, form.get("phone"), "phone").await?;
        let role = Role::parse(form.get("role"))
            .filter(|r| GRANTED.contains(r))
            .ok_or_else(|| super::bad("role", "required"))?;
        let chosen = |name: &str| match form.get(name) {
            "" => Ok(None),
            v => Uuid::parse_str(v).map(Some).map_err(|_| super::bad(name, "not_found")),
        };
        let grant = GrantRoleRequest { role, department_id: chosen("department_id")?, region_id: chosen("region_id")? };
        let scope = grant.scope();
        users::grant(&state, account.id, role, scope).await
    }
    .await;
    match result {
        Ok(()) => done(&back(&form), "saved"),
        Err(e) => refused(&state, &req, &user, "grant", form, &e).await,
    }
}

#[post("/admin/users/{id}/roles/{grant}/revoke")]
async fn post_revoke(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Bytes,
) -> HttpResponse {
    let (id, grant) = path.into_inner();
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        users::revoke(&state, user.id, id, grant).await
    }
    .await;
    match result {
        Ok(()) => done(&back(&form), "saved"),
        Err(e) => refused(&state, &req, &user, "list", form, &e).await,
    }
}

#[post("/admin/users/{id}/access")]
async fn post_access(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        users::set_disabled(&state, user.id, *id, form.get("disabled") == "true").await
    }
    .await;
    match result {
        Ok(()) => done(&back(&form), "saved"),
        Err(e) => refused(&state, &req, &user, "list", form, &e).await,
    }
}

async fn refused(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    target: &str,
    form: Form,
    e: &ApiError,
) -> HttpResponse {
    let (status, message) = message_for(req, e);
    let q = form.get("q").to_owned();
    let failed = Failed { target: target.to_owned(), form, message };
    page(state, req, user, status, (&q, ""), Some(&failed)).await
}

async fn page(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    status: StatusCode,
    (q, grant_phone): (&str, &str),
    failed: Option<&Failed>,
) -> HttpResponse {
    let loaded = async {
        Ok::<_, ApiError>((users::search(state, q).await?, all_regions(state).await?, all_departments(state).await?))
    }
    .await;
    let (accounts, regions, departments) = match loaded {
        Ok(l) => l,
        Err(e) => return broken(state, req, user, Area::Users, &e),
    };
    let (ctx, cookies) = page_ctx(state, req, user);
    let (lang, t) = (ctx.lang, ctx.lang.texts());
    let keep_q = html! { input type="hidden" name="q" value=(q); };
    let role = typed(failed, "grant", "role", "dept_staff");
    let create = html! {
        section.card.admin-form #grant aria-labelledby="grant-title" {
            h2 #grant-title { (t.adm_grant) }
            (refusal(failed, "grant"))
            form.stack method="post" action={(PATH) "/roles"} {
                (csrf(&ctx)) (keep_q)
                label for="grant-phone" { (t.adm_user_phone) }
                input #grant-phone type="tel" name="phone" inputmode="numeric" maxlength="20" required
                    value=(typed(failed, "grant", "phone", grant_phone));
                label for="grant-role" { (t.adm_role) }
                select #grant-role name="role" {
                    @for r in GRANTED {
                        option value=(r.as_str()) selected[role == r.as_str()] { (role_label(lang, r)) }
                    }
                }
                label for="grant-department" { (t.adm_department) " " small.meta { (t.adm_for_staff) } }
                select #grant-department name="department_id" {
                    option value="" { "—" }
                    (department_options(&departments, typed(failed, "grant", "department_id", "")))
                }
                label for="grant-region" { (t.adm_region) " " small.meta { (t.adm_for_region) } }
                select #grant-region name="region_id" {
                    option value="" { "—" }
                    (region_options(&regions, &[typed(failed, "grant", "region_id", "")], false))
                }
                button.primary type="submit" { (t.adm_grant) }
            }
        }
    };
    let create_first = failed.is_some_and(|f| f.is("grant"));
    let body = html! {
        p.meta { (t.adm_users_about) " " a href="#grant" { (t.adm_grant) " ↓" } }
        @if create_first { (create) }
        form.filters method="get" action=(PATH) role="search" {
            label { (t.adm_search_users) " " input type="search" name="q" value=(q) maxlength="50"; }
            button.primary type="submit" { (t.f_search) }
            @if !q.is_empty() { a href=(PATH) { (t.f_clear) } }
        }
        (refusal(failed, "list"))
        @if accounts.is_empty() {
            p.empty { (t.adm_no_users) }
        } @else {
            @if accounts.len() as u64 >= users::SEARCH_LIMIT {
                p.hint role="status" { (t.adm_users_more.replace("{n}", &users::SEARCH_LIMIT.to_string())) }
            }
            div.scroll {
                table.queue.admin-table {
                    thead { tr {
                        th scope="col" { (t.adm_name) }
                        th scope="col" { (t.phone) }
                        th scope="col" { (t.adm_roles) }
                        th scope="col" { (t.f_status) }
                    } }
                    tbody {
                        @for a in &accounts {
                            @let phone = a.phone.as_deref().unwrap_or("");
                            tr #{"u-" (phone)} class=[a.disabled.then_some("off")] {
                                td { (a.display_name) }
                                td { (phone) }
                                td.desc {
                                    ul.grants {
                                        @for g in &a.grants {
                                            li {
                                                span.badge { (role_label(lang, g.role)) }
                                                @if let Some(d) = g.department_id { " " (department_name(&departments, d)) }
                                                @if let Some(r) = g.region_id { " " (region_name(&regions, r)) }
                                                @if g.role == Role::Dispatcher && g.region_id.is_none() { " " (t.adm_everywhere) }
                                                @if g.role == Role::GridWorker && !a.grids.is_empty() {
                                                    " " (a.grids.iter().map(|g| region_name(&regions, *g)).collect::<Vec<_>>().join("、"))
                                                }
                                                @if g.role != Role::Resident {
                                                    form.inline method="post" action={(PATH) "/" (a.id) "/roles/" (g.id) "/revoke"} {
                                                        (csrf(&ctx)) (keep_q)
                                                        button.link.danger type="submit"
                                                            aria-label={(t.adm_revoke) " " (role_label(lang, g.role)) " " (a.display_name)} { (t.adm_revoke) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                    a href={(PATH) "?q=" (url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()) "&grant=" (phone) "#grant"} { (t.adm_grant) "…" }
                                }
                                td {
                                    @if a.disabled { strong.overdue { (t.adm_inactive) } br; }
                                    form.inline method="post" action={(PATH) "/" (a.id) "/access"} {
                                        (csrf(&ctx)) (keep_q)
                                        input type="hidden" name="disabled" value=(if a.disabled { "false" } else { "true" });
                                        button.secondary type="submit" aria-label={(if a.disabled { t.adm_enable } else { t.adm_disable }) " " (a.display_name)} {
                                            (if a.disabled { t.adm_enable } else { t.adm_disable })
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !create_first { (create) }
    };
    respond(req, (ctx, cookies), status, Area::Users, body)
}
