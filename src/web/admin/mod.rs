//! `/admin`: the administrators' pages — categories and their keywords (`categories`), departments
//! and their members (`departments`), routing rules (`routing`), accounts and their roles
//! (`users`), campaigns (`campaigns`), and an index linking them. Plain HTML forms posted with the
//! CSRF token; each write calls the service the API calls (`admin`, `geo::admin`, `campaigns`) and
//! answers with a redirect back to the list and a notice (post, redirect, get). A refusal is the
//! page again with a message next to the form, a 4xx status and what was typed. Only admins
//! (the API's own check for these writes); anyone else is sent home as the desk does.
//!
//! This module holds what the five pages share: the admin check, the posted form, the CSRF check,
//! the one-time token that stops a double submit creating twice, refusals in words, the page
//! shell with the areas' navigation, and the region and department pickers.

pub mod campaigns;
pub mod categories;
pub mod departments;
pub mod routing;
pub mod users;

use std::time::Duration;

use actix_web::{get, http::StatusCode, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use uuid::Uuid;

use super::{
    chat::to_login,
    context,
    i18n::{Lang, Texts},
    layout::{self, Nav, PageCtx},
    session,
};
use crate::{
    admin::dto::DepartmentView,
    auth::{cookie, CurrentUser, Role},
    error::ApiError,
    geo::{dto::RegionSummary, region::RegionLevel},
    state::AppState,
};

/// Mounts `/admin` and the five areas.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_index)
        .configure(categories::configure)
        .configure(departments::configure)
        .configure(routing::configure)
        .configure(users::configure)
        .configure(campaigns::configure);
}

/// One area of the admin pages.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// The index.
    Index,
    /// Categories and keywords.
    Categories,
    /// Departments.
    Departments,
    /// Routing rules.
    Routing,
    /// Users and roles.
    Users,
    /// Campaigns.
    Campaigns,
}

impl Area {
    const LISTED: [Area; 5] = [Area::Categories, Area::Departments, Area::Routing, Area::Users, Area::Campaigns];

    fn path(self) -> &'static str {
        match self {
            Area::Index => "/admin",
            Area::Categories => "/admin/categories",
            Area::Departments => "/admin/departments",
            Area::Routing => "/admin/routing-rules",
            Area::Users => "/admin/users",
            Area::Campaigns => "/admin/campaigns",
        }
    }

    fn title(self, t: &Texts) -> &'static str {
        match self {
            Area::Index => t.adm_title,
            Area::Categories => t.adm_categories,
            Area::Departments => t.adm_departments,
            Area::Routing => t.adm_routing,
            Area::Users => t.adm_users,
            Area::Campaigns => t.adm_campaigns,
        }
    }

    fn about(self, t: &Texts) -> &'static str {
        match self {
            Area::Index => t.adm_intro,
            Area::Categories => t.adm_categories_about,
            Area::Departments => t.adm_departments_about,
            Area::Routing => t.adm_routing_about,
            Area::Users => t.adm_users_about,
            Area::Campaigns => t.adm_campaigns_about,
        }
    }
}

/// The admin of a page request, as a handler's argument; anyone else is answered as the desk
/// answers them (the login page, or their home page) before the handler runs.
pub struct AdminPage(pub CurrentUser);

impl actix_web::FromRequest for AdminPage {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let refused =
            |res: HttpResponse| Err(actix_web::error::InternalError::from_response("not an admin", res).into());
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return std::future::ready(Err(actix_web::error::ErrorInternalServerError("no application state")));
        };
        std::future::ready(match session::page_user(state, req) {
            None => refused(to_login(req)),
            Some(user) if !user.has(Role::Admin) => refused(layout::redirect(super::login::home(&user), Vec::new())),
            Some(user) => Ok(AdminPage(user)),
        })
    }
}

/// A posted form: every field with all its values, in order.
#[derive(Debug, Clone, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Form {
        Form(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
    }

    /// Every non-empty value of `name` (checkboxes, multiple selects).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim()).collect()
    }

    /// Whether `name` has the value `value`.
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v.trim() == value)
    }
}

/// Whether a posted form came from this site's page with the session's CSRF token: `Ok`, or the
/// `csrf_token_invalid` refusal (403) its page shows.
pub(super) fn checked(state: &AppState, req: &HttpRequest, user: &CurrentUser, form: &Form) -> Result<(), ApiError> {
    let ok = cookie::same_origin(req, &state.settings().server.public_url)
        && cookie::csrf_matches(state.jwt(), req, form.get("csrf_token"), Some(user.id));
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "csrf_token_invalid", "the form's token is missing or stale"))
    }
}

/// The row an admin page is asked to edit (`?edit=`).
pub(super) fn edit_param(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "edit").map(|(_, v)| v.into_owned())
}

/// A form that was refused: which one (`new`, or the id of the row it edits), what was typed, and
/// why, in words.
pub struct Failed {
    /// The form: `new` or the edited row's id.
    pub target: String,
    /// What was posted.
    pub form: Form,
    /// The message shown next to the form.
    pub message: String,
}

impl Failed {
    /// Whether this refusal belongs to the form `target`.
    pub fn is(&self, target: &str) -> bool {
        self.target == target
    }
}

/// What a form field shows: what was typed when this form was refused, else `current`.
pub(super) fn typed<'a>(failed: Option<&'a Failed>, target: &str, name: &str, current: &'a str) -> &'a str {
    match failed {
        Some(f) if f.is(target) => f.form.get(name),
        _ => current,
    }
}

/// Whether a checkbox or option is on: as posted when this form was refused, else `current`.
pub(super) fn ticked(failed: Option<&Failed>, target: &str, name: &str, value: &str, current: bool) -> bool {
    match failed {
        Some(f) if f.is(target) => f.form.has(name, value),
        _ => current,
    }
}

/// The refusal's message above a form, when it is this form's.
pub(super) fn refusal(failed: Option<&Failed>, target: &str) -> Markup {
    html! {
        @if let Some(f) = failed.filter(|f| f.is(target)) {
            p.msg.error role="alert" id={"msg-" (target)} { (f.message) }
        }
    }
}

/// The status and the words for an error of a service (a server fault is logged and named
/// vaguely; the cause stays in the log).
pub(super) fn explain(lang: Lang, e: &ApiError) -> (StatusCode, String) {
    let t = lang.texts();
    if e.status().is_server_error() {
        tracing::error!(error = ?e, "admin page");
        return (StatusCode::INTERNAL_SERVER_ERROR, t.err_generic.to_owned());
    }
    let text = match e.code() {
        "category_exists" => t.adm_category_exists.to_owned(),
        "routing_rule_exists" => t.adm_rule_exists.to_owned(),
        "own_admin_grant" => t.adm_own_admin.to_owned(),
        "own_account" => t.adm_own_account.to_owned(),
        "idempotency_key_reused" | "request_in_progress" | "form_used" => t.adm_duplicate.to_owned(),
        "forbidden" => t.err_refused.to_owned(),
        _ if !e.field_errors().is_empty() => {
            let parts: Vec<String> = e
                .field_errors()
                .iter()
                .map(|f| format!("{}{}{}", field_label(t, &f.field), t.adm_colon, reason(t, &f.code)))
                .collect();
            format!("{}{}", t.adm_check, parts.join(t.adm_sep))
        }
        _ if e.status() == StatusCode::NOT_FOUND => t.not_found.to_owned(),
        _ => t.err_refused.to_owned(),
    };
    (e.status(), text)
}

/// The status and words for a refused form of this request.
pub(super) fn message_for(req: &HttpRequest, e: &ApiError) -> (StatusCode, String) {
    let lang = super::i18n::negotiate(req).0;
    if e.code() == "csrf_token_invalid" {
        return (StatusCode::FORBIDDEN, lang.texts().err_csrf.to_owned());
    }
    explain(lang, e)
}

/// The label of a field named in a validation error.
fn field_label(t: &Texts, field: &str) -> &'static str {
    let base = field.split(['[', '.']).next().unwrap_or(field);
    match base {
        "code" => t.adm_code,
        "name_zh" => t.adm_name_zh,
        "name_en" => t.adm_name_en,
        "keywords" => t.adm_keywords,
        "accept_hours" => t.adm_accept_hours,
        "verify_hours" => t.adm_verify_hours,
        "rectify_days_general" => t.adm_rectify_general,
        "rectify_days_major" => t.adm_rectify_major,
        "parent_code" | "category" => t.f_category,
        "name" => t.adm_name,
        "kind" => t.adm_kind,
        "region_id" => t.adm_region,
        "department_id" => t.adm_department,
        "categories" => t.adm_handles,
        "regions" => t.adm_regions,
        "starts_at" => t.adm_starts,
        "ends_at" => t.adm_ends,
        "description" => t.adm_description,
        "phone" | "user_id" => t.phone,
        "role" => t.adm_role,
        "note" => t.note,
        _ => t.adm_this_field,
    }
}

/// What is wrong, by the error's code.
fn reason(t: &Texts, code: &str) -> &'static str {
    match code {
        "required" | "blank" => t.adm_r_required,
        "empty" => t.adm_r_choose,
        "out_of_range" | "too_many" | "invalid_number" => t.adm_r_range,
        "too_long" => t.adm_r_too_long,
        "before_start" => t.adm_r_order,
        "invalid_date" => t.adm_r_date,
        "invalid_phone" => t.err_phone,
        "unknown_user" => t.adm_r_phone_unknown,
        "not_a_grid" => t.adm_r_not_grid,
        "invalid_code" => t.adm_r_code,
        "invalid_keyword" => t.adm_r_keyword,
        "not_found" | "unknown_category" | "unknown_region" => t.adm_r_unknown,
        _ => t.adm_r_format,
    }
}

/// A field error of the page's own parsing (a date, a number, a choice), as the services word them.
pub(super) fn bad(field: &str, code: &str) -> ApiError {
    ApiError::validation(vec![crate::error::FieldError::new(field, code, "see the form")])
}

/// A one-time token for a create form: the first post with it claims it (for a day), a second one
/// is told it was already sent. A refused post gives the claim back, so the corrected form can be
/// sent again.
pub(super) struct Once(String);

impl Once {
    /// A fresh token for a rendered form.
    pub fn fresh() -> String {
        Uuid::new_v4().simple().to_string()
    }

    /// Claims the form's token; `Err` when it was used (or the form has none).
    pub async fn claim(state: &AppState, user: &CurrentUser, form: &Form) -> Result<Once, ApiError> {
        let token = form.get("once");
        if token.is_empty() || token.len() > 64 {
            return Err(ApiError::bad_request("form_used", "this form has no one-time token"));
        }
        let key = format!("web:once:{}:{token}", user.id);
        if state.backends().kv.set_nx(&key, "1", Duration::from_secs(86_400)).await? {
            Ok(Once(key))
        } else {
            Err(ApiError::conflict("form_used", "this form was already sent"))
        }
    }

    /// Gives the token back after a refusal.
    pub async fn release(self, state: &AppState) {
        if let Err(e) = state.backends().kv.delete(&self.0).await {
            tracing::warn!(error = %e, "could not release a form token");
        }
    }
}

/// An admin page: the areas' navigation, a notice from `?done=`, the area's heading and `body`.
pub(super) fn respond(
    req: &HttpRequest,
    (ctx, cookies): (PageCtx, Vec<String>),
    status: StatusCode,
    area: Area,
    body: Markup,
) -> HttpResponse {
    let t = ctx.lang.texts();
    let done = url::form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "done").map(|(_, v)| v);
    let notice = done.and_then(|d| match d.as_ref() {
        "saved" => Some(t.adm_saved),
        "deleted" => Some(t.adm_deleted),
        _ => None,
    });
    let main = html! {
        nav.admin-areas aria-label=(t.adm_title) {
            a href="/admin" aria-current=[(area == Area::Index).then_some("page")] { (t.adm_title) }
            @for a in Area::LISTED {
                a href=(a.path()) aria-current=[(area == a).then_some("page")] { (a.title(t)) }
            }
        }
        h1 { (area.title(t)) }
        @if let Some(n) = notice.filter(|_| status.is_success()) { p.msg.ok #done role="status" { (n) } }
        (body)
    };
    layout::respond(status, layout::page(&ctx, area.title(t), Nav::Admin, main, &[]), cookies)
}

/// A redirect back to an area's list with a notice (`done`: `saved` or `deleted`).
pub(super) fn done(path: &str, done: &str) -> HttpResponse {
    let joiner = if path.contains('?') { '&' } else { '?' };
    layout::redirect(&format!("{path}{joiner}done={done}"), Vec::new())
}

/// The page context of a request (for the forms and the shell) and the cookies its response sets.
pub(super) fn page_ctx(state: &AppState, req: &HttpRequest, user: &CurrentUser) -> (PageCtx, Vec<String>) {
    context(state, req, Some(user))
}

/// The hidden fields of every form: the CSRF token.
pub(super) fn csrf(ctx: &PageCtx) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(ctx.csrf); }
}

/// A region's label in a picker: indented by level, with its code.
fn region_label(r: &RegionSummary) -> String {
    let indent = match r.level {
        RegionLevel::District => "",
        RegionLevel::Street => "　",
        RegionLevel::Community => "　　",
        RegionLevel::Grid => "　　　",
    };
    format!("{indent}{} ({})", r.name, r.code)
}

/// `<option>`s of regions (only grids when `grids_only`), `selected` chosen.
pub(super) fn region_options(regions: &[RegionSummary], selected: &[&str], grids_only: bool) -> Markup {
    html! {
        @for r in regions.iter().filter(|r| !grids_only || r.level == RegionLevel::Grid) {
            @let id = r.id.to_string();
            option value=(id) selected[selected.contains(&id.as_str())] { (region_label(r)) }
        }
    }
}

/// A region's name (its id when unknown).
pub(super) fn region_name(regions: &[RegionSummary], id: Uuid) -> String {
    regions.iter().find(|r| r.id == id).map_or_else(|| id.to_string(), |r| r.name.clone())
}

/// `<option>`s of departments, `selected` chosen.
pub(super) fn department_options(departments: &[DepartmentView], selected: &str) -> Markup {
    html! {
        @for d in departments {
            @let id = d.id.to_string();
            option value=(id) selected[selected == id] { (d.name) }
        }
    }
}

/// A department's name (its id when unknown).
pub(super) fn department_name(departments: &[DepartmentView], id: Uuid) -> String {
    departments.iter().find(|d| d.id == id).map_or_else(|| id.to_string(), |d| d.name.clone())
}

/// Every region, in code order.
pub(super) async fn all_regions(state: &AppState) -> Result<Vec<RegionSummary>, ApiError> {
    crate::geo::admin::list_regions(state, &crate::geo::dto::ListRegionsQuery { level: None, parent_id: None }).await
}

/// Every department, by name.
pub(super) async fn all_departments(state: &AppState) -> Result<Vec<DepartmentView>, ApiError> {
    crate::admin::service::list_departments(state, &crate::admin::dto::ListDepartmentsQuery { region_id: None }).await
}

/// A uuid chosen in a form (`field` names it in the refusal).
pub(super) fn uuid_field(form: &Form, field: &str) -> Result<Uuid, ApiError> {
    match form.get(field) {
        "" => Err(bad(field, "required")),
        v => Uuid::parse_str(v).map_err(|_| bad(field, "not_found")),
    }
}

/// The page when its data could not be read.
pub(super) fn broken(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    area: Area,
    e: &ApiError,
) -> HttpResponse {
    let shell = page_ctx(state, req, user);
    let (status, text) = explain(shell.0.lang, e);
    let body = html! { p.msg.error role="alert" { (text) } };
    respond(req, shell, if status.is_success() { StatusCode::INTERNAL_SERVER_ERROR } else { status }, area, body)
}

#[get("/admin")]
async fn get_index(state: web::Data<AppState>, AdminPage(user): AdminPage, req: HttpRequest) -> HttpResponse {
    let shell = page_ctx(&state, &req, &user);
    let t = shell.0.lang.texts();
    let body = html! {
        p.intro { (t.adm_intro) }
        ul.admin-index {
            @for a in Area::LISTED {
                li { a href=(a.path()) { (a.title(t)) } p.meta { (a.about(t)) } }
            }
        }
    };
    respond(&req, shell, StatusCode::OK, Area::Index, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_keeps_every_value_and_trims() {
        let f = Form::parse(b"name=+%E6%B6%88%E9%98%B2+&categories=fire&categories=gas&categories=");
        assert_eq!(f.get("name"), "消防");
        assert_eq!(f.all("categories"), ["fire", "gas"]);
        assert!(f.has("categories", "gas") && !f.has("categories", "mine"));
        assert_eq!(f.get("missing"), "");
    }

    #[test]
    fn field_errors_read_as_words() {
        let e = ApiError::validation(vec![
            crate::error::FieldError::new("name", "blank", "x"),
            crate::error::FieldError::new("keywords[2].word", "invalid_keyword", "x"),
        ]);
        let (status, text) = explain(Lang::Zh, &e);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text.contains("名称") && text.contains("关键词"), "{text}");
        let (_, text) = explain(Lang::En, &ApiError::conflict("category_exists", "x"));
        assert!(text.contains("code"), "{text}");
    }
}
