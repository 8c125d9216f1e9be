//! `/admin/routing-rules`: the rules that send a category's hazards in a region (and below it) to
//! a named department before the usual department kind is looked for; a form to add one (the
//! category × region key is unique: a second rule for the same pair is refused in words), and, with
//! `?edit=ID`, a form to change its department and note; each row can be deleted.

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use maud::html;
use uuid::Uuid;

use super::{
    all_departments, all_regions, broken, checked, csrf, department_name, department_options, done, edit_param,
    message_for, page_ctx, refusal, region_name, region_options, respond, typed, uuid_field, AdminPage, Area, Failed,
    Form,
};
use crate::{
    auth::CurrentUser,
    error::ApiError,
    geo::{
        admin as geo_admin,
        dto::{CreateRoutingRuleRequest, UpdateRoutingRuleRequest},
    },
    state::AppState,
    web::{desk::category_name, i18n::Lang},
};

const PATH: &str = "/admin/routing-rules";

/// Mounts the routing rule pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_rules).service(post_create).service(post_update).service(post_delete);
}

#[get("/admin/routing-rules")]
async fn get_rules(state: web::Data<AppState>, AdminPage(user): AdminPage, req: HttpRequest) -> HttpResponse {
    let edit = edit_param(&req);
    page(&state, &req, &user, StatusCode::OK, edit.as_deref(), None).await
}

#[post("/admin/routing-rules")]
async fn post_create(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        let category = form.get("category");
        if category.is_empty() {
            return Err(super::bad("category", "required"));
        }
        let rule = CreateRoutingRuleRequest {
            category: category.to_owned(),
            region_id: uuid_field(&form, "region_id")?,
            department_id: uuid_field(&form, "department_id")?,
            note: form.get("note").to_owned(),
        };
        geo_admin::create_rule(&state, rule).await
    }
    .await;
    match result {
        Ok(_) => done(PATH, "saved"),
        Err(e) => refused(&state, &req, &user, ("new", None), form, &e).await,
    }
}

#[post("/admin/routing-rules/{id}")]
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
        let department = uuid_field(&form, "department_id")?;
        let change =
            UpdateRoutingRuleRequest { department_id: Some(department), note: Some(form.get("note").to_owned()) };
        geo_admin::update_rule(&state, *id, change).await
    }
    .await;
    let target = id.to_string();
    match result {
        Ok(_) => done(PATH, "saved"),
        Err(e) => refused(&state, &req, &user, (target.as_str(), Some(target.as_str())), form, &e).await,
    }
}

#[post("/admin/routing-rules/{id}/delete")]
async fn post_delete(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        geo_admin::delete_rule(&state, *id).await
    }
    .await;
    match result {
        Ok(()) => done(PATH, "deleted"),
        Err(e) => refused(&state, &req, &user, ("list", None), form, &e).await,
    }
}

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
        Ok::<_, ApiError>((
            geo_admin::list_rules(state).await?,
            all_regions(state).await?,
            all_departments(state).await?,
        ))
    }
    .await;
    let (rules, regions, departments) = match loaded {
        Ok(l) => l,
        Err(e) => return broken(state, req, user, Area::Routing, &e),
    };
    let (ctx, cookies) = page_ctx(state, req, user);
    let (lang, t) = (ctx.lang, ctx.lang.texts());
    let editing = edit.and_then(|id| rules.iter().find(|r| r.id.to_string() == id));
    let status =
        if edit.is_some() && editing.is_none() && status.is_success() { StatusCode::NOT_FOUND } else { status };
    let reference = state.jurisdiction().reference();
    let categories = reference.categories();
    let create = html! {
        section.card.admin-form #new aria-labelledby="new-title" {
            h2 #new-title { (t.adm_new_rule) }
            (refusal(failed, "new"))
            form.stack method="post" action=(PATH) {
                (csrf(&ctx))
                label for="new-category" { (t.f_category) }
                select #new-category name="category" required {
                    option value="" { "—" }
                    @for c in &categories {
                        option value=(c.code) selected[typed(failed, "new", "category", "") == c.code] {
                            (if lang == Lang::En { &c.name_en } else { &c.name_zh })
                        }
                    }
                }
                label for="new-region" { (t.adm_region) }
                select #new-region name="region_id" required {
                    option value="" { "—" }
                    (region_options(&regions, &[typed(failed, "new", "region_id", "")], false))
                }
                label for="new-department" { (t.adm_department) }
                select #new-department name="department_id" required {
                    option value="" { "—" }
                    (department_options(&departments, typed(failed, "new", "department_id", "")))
                }
                label for="new-note" { (t.note) }
                input #new-note type="text" name="note" maxlength="200" value=(typed(failed, "new", "note", ""));
                button.primary type="submit" { (t.adm_create) }
            }
        }
    };
    let create_first = failed.is_some_and(|f| f.is("new"));
    let body = html! {
        p.meta { (t.adm_routing_about) " " a href="#new" { (t.adm_create) " ↓" } }
        @if create_first { (create) }
        @if let Some(r) = editing {
            @let target = r.id.to_string();
            section.card.admin-form #edit aria-labelledby="edit-title" {
                h2 #edit-title { (t.adm_edit) " · " (category_name(state, lang, &r.category)) " × " (region_name(&regions, r.region_id)) }
                (refusal(failed, &target))
                form.stack method="post" action={(PATH) "/" (r.id)} {
                    (csrf(&ctx))
                    label for="edit-department" { (t.adm_department) }
                    select #edit-department name="department_id" required {
                        (department_options(&departments, typed(failed, &target, "department_id", &r.department_id.to_string())))
                    }
                    label for="edit-note" { (t.note) }
                    input #edit-note type="text" name="note" maxlength="200" value=(typed(failed, &target, "note", &r.note));
                    div.buttons {
                        button.primary type="submit" { (t.adm_save) }
                        a href=(PATH) { (t.cancel) }
                    }
                }
            }
        } @else if let Some(id) = edit {
            p.msg.error role="alert" { (t.not_found) " " (id) }
        }
        (refusal(failed, "list"))
        @if rules.is_empty() {
            p.empty { (t.adm_no_rules) }
        } @else {
            div.scroll {
                table.queue.admin-table {
                    thead { tr {
                        th scope="col" { (t.f_category) }
                        th scope="col" { (t.adm_region) }
                        th scope="col" { (t.adm_department) }
                        th scope="col" { (t.note) }
                        th scope="col" { span.visually-hidden { (t.actions) } }
                    } }
                    tbody {
                        @for r in &rules {
                            tr #{"r-" (r.id)} {
                                td { (category_name(state, lang, &r.category)) }
                                td { (region_name(&regions, r.region_id)) }
                                td { (department_name(&departments, r.department_id)) }
                                td.desc { (r.note) }
                                td.row-actions {
                                    a href={(PATH) "?edit=" (r.id) "#edit"}
                                        aria-label={(t.adm_edit) " " (category_name(state, lang, &r.category)) " × " (region_name(&regions, r.region_id))} {
                                        (t.adm_edit)
                                    }
                                    form.inline method="post" action={(PATH) "/" (r.id) "/delete"} {
                                        (csrf(&ctx))
                                        button.link.danger type="submit"
                                            aria-label={(t.adm_delete) " " (category_name(state, lang, &r.category)) " × " (region_name(&regions, r.region_id))} {
                                            (t.adm_delete)
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
    respond(req, (ctx, cookies), status, Area::Routing, body)
}
