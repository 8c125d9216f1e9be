//! `/admin/departments`: the departments with their kind, region, the categories they handle and
//! duty contacts; a form to add one (a one-time token: the service has no unique key to stop a
//! double submit) and, with `?edit=ID`, a form to change one and its members — department staff
//! added by phone number (the API's member endpoint) and removed (their grant revoked).

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use uuid::Uuid;

use super::{
    all_regions, bad, broken, categories::kind_label, checked, csrf, done, message_for, page_ctx, refusal, region_name,
    region_options, respond, ticked, typed, uuid_field, AdminPage, Area, Failed, Form, Once,
};
use crate::{
    admin::{
        dto::{CreateDepartmentRequest, DepartmentKind, DepartmentView, UpdateDepartmentRequest},
        service, users,
    },
    auth::CurrentUser,
    error::ApiError,
    state::AppState,
    web::{desk::category_name, i18n::Lang},
};

const PATH: &str = "/admin/departments";

/// Mounts the department pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_departments)
        .service(post_create)
        .service(post_update)
        .service(post_add_member)
        .service(post_remove_member);
}

fn edit_of(req: &HttpRequest) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "edit").map(|(_, v)| v.into_owned())
}

#[get("/admin/departments")]
async fn get_departments(state: web::Data<AppState>, AdminPage(user): AdminPage, req: HttpRequest) -> HttpResponse {
    let edit = edit_of(&req);
    page(&state, &req, &user, StatusCode::OK, edit.as_deref(), None).await
}

fn kind(form: &Form) -> Result<DepartmentKind, ApiError> {
    DepartmentKind::parse(form.get("kind")).ok_or_else(|| bad("kind", "required"))
}

fn optional(form: &Form, name: &str) -> Option<String> {
    Some(form.get(name).to_owned()).filter(|v| !v.is_empty())
}

#[post("/admin/departments")]
async fn post_create(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        let once = Once::claim(&state, &user, &form).await?;
        let created = async {
            let req = CreateDepartmentRequest {
                name: form.get("name").to_owned(),
                kind: kind(&form)?,
                region_id: uuid_field(&form, "region_id")?,
                categories: form.all("categories").into_iter().map(str::to_owned).collect(),
                duty_contact: optional(&form, "duty_contact"),
                duty_phone: optional(&form, "duty_phone"),
                working_hours: form.get("working_hours").to_owned(),
            };
            service::create_department(&state, req).await
        }
        .await;
        if created.is_err() {
            once.release(&state).await;
        }
        created
    }
    .await;
    match result {
        Ok(d) => done(&format!("{PATH}?edit={}", d.id), "saved"),
        Err(e) => refused(&state, &req, &user, ("new", None), form, &e).await,
    }
}

#[post("/admin/departments/{id}")]
async fn post_update(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        let change = UpdateDepartmentRequest {
            name: Some(form.get("name").to_owned()),
            kind: Some(kind(&form)?),
            categories: Some(form.all("categories").into_iter().map(str::to_owned).collect()),
            duty_contact: Some(form.get("duty_contact").to_owned()),
            duty_phone: Some(form.get("duty_phone").to_owned()),
            working_hours: Some(form.get("working_hours").to_owned()),
        };
        service::update_department(&state, *id, change).await
    }
    .await;
    let target = id.to_string();
    match result {
        Ok(_) => done(PATH, "saved"),
        Err(e) => refused(&state, &req, &user, (target.as_str(), Some(target.as_str())), form, &e).await,
    }
}

#[post("/admin/departments/{id}/members")]
async fn post_add_member(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        let account = users::by_phone(&state, form.get("phone"), "phone").await?;
        service::add_member(&state, *id, account.id).await
    }
    .await;
    let target = id.to_string();
    match result {
        Ok(()) => done(&format!("{PATH}?edit={id}"), "saved"),
        Err(e) => refused(&state, &req, &user, ("members", Some(target.as_str())), form, &e).await,
    }
}

#[post("/admin/departments/{id}/members/{grant}/remove")]
async fn post_remove_member(
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
        let member = users::department_members(&state, id).await?.into_iter().find(|m| m.grant_id == grant);
        let Some(member) = member else { return Err(ApiError::not_found("grant_not_found", "no such member")) };
        users::revoke(&state, user.id, member.user_id, grant).await
    }
    .await;
    let target = id.to_string();
    match result {
        Ok(()) => done(&format!("{PATH}?edit={id}"), "deleted"),
        Err(e) => refused(&state, &req, &user, ("members", Some(target.as_str())), form, &e).await,
    }
}

/// The page again with the refused form (`target`) and, when editing, the edited department.
async fn refused(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    (target, edit): (&str, Option<&str>),
    form: Form,
    e: &ApiError,
) -> HttpResponse {
    let (status, message) = message_for(req, e);
    let failed = Failed { target: target.to_owned(), form, message };
    page(state, req, user, status, edit, Some(&failed)).await
}

async fn page(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    status: StatusCode,
    edit: Option<&str>,
    failed: Option<&Failed>,
) -> HttpResponse {
    let loaded = async {
        let departments = super::all_departments(state).await?;
        let regions = all_regions(state).await?;
        let editing = edit.and_then(|id| departments.iter().find(|d| d.id.to_string() == id)).map(|d| d.id);
        let members = match editing {
            Some(id) => users::department_members(state, id).await?,
            None => Vec::new(),
        };
        Ok::<_, ApiError>((departments, regions, members))
    }
    .await;
    let (departments, regions, members) = match loaded {
        Ok(l) => l,
        Err(e) => return broken(state, req, user, Area::Departments, &e),
    };
    let (ctx, cookies) = page_ctx(state, req, user);
    let (lang, t) = (ctx.lang, ctx.lang.texts());
    let editing = edit.and_then(|id| departments.iter().find(|d| d.id.to_string() == id));
    let status =
        if edit.is_some() && editing.is_none() && status.is_success() { StatusCode::NOT_FOUND } else { status };
    let create = html! {
        section.card.admin-form #new aria-labelledby="new-title" {
            h2 #new-title { (t.adm_new_department) }
            (refusal(failed, "new"))
            form.stack method="post" action=(PATH) {
                (csrf(&ctx))
                input type="hidden" name="once" value=(match failed { Some(f) if f.is("new") => f.form.get("once").to_owned(), _ => Once::fresh() });
                label for="new-region" { (t.adm_region) }
                select #new-region name="region_id" required {
                    option value="" { "—" }
                    (region_options(&regions, &[typed(failed, "new", "region_id", "")], false))
                }
                (fields(state, lang, failed, None))
                button.primary type="submit" { (t.adm_create) }
            }
        }
    };
    let create_first = failed.is_some_and(|f| f.is("new"));
    let body = html! {
        p.meta { (t.adm_departments_about) " " a href="#new" { (t.adm_create) " ↓" } }
        @if create_first { (create) }
        @if let Some(d) = editing {
            @let target = d.id.to_string();
            section.card.admin-form #edit aria-labelledby="edit-title" {
                h2 #edit-title { (t.adm_edit) " · " (d.name) }
                p.meta { (t.adm_region) (t.adm_colon) (region_name(&regions, d.region_id)) }
                (refusal(failed, &target))
                form.stack method="post" action={(PATH) "/" (d.id)} {
                    (csrf(&ctx))
                    (fields(state, lang, failed, Some(d)))
                    div.buttons {
                        button.primary type="submit" { (t.adm_save) }
                        a href=(PATH) { (t.cancel) }
                    }
                }
                h3 #members { (t.adm_members) }
                (refusal(failed, "members"))
                @if members.is_empty() { p.empty { (t.adm_no_members) } }
                ul.members {
                    @for m in &members {
                        li {
                            span { (m.display_name) " " small.meta { (m.phone.as_deref().unwrap_or("")) } }
                            form.inline method="post" action={(PATH) "/" (d.id) "/members/" (m.grant_id) "/remove"} {
                                (csrf(&ctx))
                                button.secondary type="submit" aria-label={(t.adm_remove) " " (m.display_name)} { (t.adm_remove) }
                            }
                        }
                    }
                }
                form.row.add-member method="post" action={(PATH) "/" (d.id) "/members"} {
                    (csrf(&ctx))
                    label for="member-phone" { (t.adm_member_phone) }
                    input #member-phone type="tel" name="phone" inputmode="numeric" maxlength="20" required
                        value=(typed(failed, "members", "phone", ""));
                    button.primary type="submit" { (t.adm_add_member) }
                }
            }
        } @else if let Some(id) = edit {
            p.msg.error role="alert" { (t.not_found) " " (id) }
        }
        div.scroll {
            table.queue.admin-table {
                thead { tr {
                    th scope="col" { (t.adm_name) }
                    th scope="col" { (t.adm_kind) }
                    th scope="col" { (t.adm_region) }
                    th scope="col" { (t.adm_handles) }
                    th scope="col" { (t.adm_duty) }
                    th scope="col" { span.visually-hidden { (t.adm_edit) } }
                } }
                tbody {
                    @for d in &departments {
                        tr #{"d-" (d.id)} {
                            td { (d.name) }
                            td { (kind_label(lang, &d.kind)) }
                            td { (region_name(&regions, d.region_id)) }
                            td.desc { (d.categories.iter().map(|c| category_name(state, lang, c)).collect::<Vec<_>>().join("、")) }
                            td {
                                (d.duty_contact.as_deref().unwrap_or(""))
                                @if let Some(p) = &d.duty_phone { br; small.meta { (p) } }
                            }
                            td { a href={(PATH) "?edit=" (d.id) "#edit"} aria-label={(t.adm_edit) " " (d.name)} { (t.adm_edit) } }
                        }
                    }
                }
            }
        }
        @if !create_first { (create) }
    };
    respond(req, (ctx, cookies), status, Area::Departments, body)
}

/// The fields a new and an edited department share.
fn fields(state: &AppState, lang: Lang, failed: Option<&Failed>, current: Option<&DepartmentView>) -> Markup {
    let t = lang.texts();
    let target = current.map_or_else(|| "new".to_owned(), |d| d.id.to_string());
    let target = target.as_str();
    let id = |name: &str| format!("{target}-{name}");
    let text = |name: &str, value: Option<&str>| typed(failed, target, name, value.unwrap_or("")).to_owned();
    let kind = text("kind", current.map(|d| d.kind.as_str()).or(Some("safety_office")));
    html! {
        label for=(id("name")) { (t.adm_name) }
        input id=(id("name")) type="text" name="name" required maxlength="100" value=(text("name", current.map(|d| d.name.as_str())));
        label for=(id("kind")) { (t.adm_kind) }
        select id=(id("kind")) name="kind" {
            @for k in DepartmentKind::ALL {
                option value=(k.as_str()) selected[kind == k.as_str()] { (kind_label(lang, &k.as_str())) }
            }
        }
        fieldset.checks {
            legend { (t.adm_handles) }
            @for c in state.jurisdiction().reference().categories() {
                @let on = ticked(failed, target, "categories", &c.code, current.is_some_and(|d| d.categories.contains(&c.code)));
                label.choice {
                    input type="checkbox" name="categories" value=(c.code) checked[on];
                    " " (if lang == Lang::En { &c.name_en } else { &c.name_zh })
                }
            }
        }
        label for=(id("duty_contact")) { (t.adm_duty_contact) }
        input id=(id("duty_contact")) type="text" name="duty_contact" maxlength="50"
            value=(text("duty_contact", current.and_then(|d| d.duty_contact.as_deref())));
        label for=(id("duty_phone")) { (t.adm_duty_phone) }
        input id=(id("duty_phone")) type="tel" name="duty_phone" maxlength="30"
            value=(text("duty_phone", current.and_then(|d| d.duty_phone.as_deref())));
        label for=(id("working_hours")) { (t.adm_working_hours) }
        input id=(id("working_hours")) type="text" name="working_hours" maxlength="100"
            value=(text("working_hours", current.map(|d| d.working_hours.as_str())));
    }
}
