//! `/admin/campaigns`: campaigns (专项整治) with their window, categories, regions and tagged
//! tickets; a form to start one (its one-time token is the API's `Idempotency-Key`: a double submit
//! gets the first answer back instead of a second campaign), and, with `?edit=ID`, a form to change
//! one; an active campaign can be closed now (its window ends at this moment). Times are entered
//! and shown in China time.

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use maud::{html, Markup};
use uuid::Uuid;

use super::{
    all_regions, bad, broken, checked, csrf, done, edit_param, message_for, page_ctx, refusal, region_name,
    region_options, respond, ticked, typed, AdminPage, Area, Failed, Form, Once,
};
use crate::{
    auth::CurrentUser,
    campaigns::{
        dto::{CampaignView, CreateCampaignRequest, UpdateCampaignRequest},
        service,
    },
    error::ApiError,
    geo::dto::RegionSummary,
    idempotency::{self, IdempotencyKey},
    state::AppState,
    tickets::{routes::viewer, service::Retry},
    web::{desk::category_name, i18n::Lang, tickets::china},
};

const PATH: &str = "/admin/campaigns";

/// Mounts the campaign pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_campaigns).service(post_create).service(post_update).service(post_close);
}

/// A `datetime-local` value (China time) as a moment.
fn moment(form: &Form, field: &str) -> Result<DateTime<Utc>, ApiError> {
    let text = form.get(field);
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| bad(field, "invalid_date"))?;
    local.checked_sub_signed(TimeDelta::hours(8)).map(|n| n.and_utc()).ok_or_else(|| bad(field, "invalid_date"))
}

/// A moment as a `datetime-local` value in China time.
fn local_value(at: DateTime<Utc>) -> String {
    crate::ledger::row::china(at).format("%Y-%m-%dT%H:%M").to_string()
}

fn regions_of(form: &Form) -> Result<Vec<Uuid>, ApiError> {
    form.all("regions").into_iter().map(|v| Uuid::parse_str(v).map_err(|_| bad("regions", "unknown_region"))).collect()
}

fn categories_of(form: &Form) -> Vec<String> {
    form.all("categories").into_iter().map(str::to_owned).collect()
}

#[get("/admin/campaigns")]
async fn get_campaigns(state: web::Data<AppState>, AdminPage(user): AdminPage, req: HttpRequest) -> HttpResponse {
    let edit = edit_param(&req);
    page(&state, &req, &user, StatusCode::OK, edit.as_deref(), None).await
}

#[post("/admin/campaigns")]
async fn post_create(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        let key =
            IdempotencyKey::parse(form.get("once")).map_err(|_| ApiError::bad_request("form_used", "no token"))?;
        let retry = Retry { key, hash: idempotency::fingerprint("POST", PATH, &body) };
        let create = CreateCampaignRequest {
            name: form.get("name").to_owned(),
            description: form.get("description").to_owned(),
            starts_at: moment(&form, "starts_at")?,
            ends_at: moment(&form, "ends_at")?,
            categories: categories_of(&form),
            regions: regions_of(&form)?,
        };
        service::create(&state, &viewer(&state, &user).await?, create, Some(&retry)).await
    }
    .await;
    match result {
        Ok(_) => done(PATH, "saved"),
        Err(e) => refused(&state, &req, &user, ("new", None), form, &e).await,
    }
}

#[post("/admin/campaigns/{id}")]
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
        let change = UpdateCampaignRequest {
            name: Some(form.get("name").to_owned()),
            description: Some(form.get("description").to_owned()),
            starts_at: Some(moment(&form, "starts_at")?),
            ends_at: Some(moment(&form, "ends_at")?),
            categories: Some(categories_of(&form)),
            regions: Some(regions_of(&form)?),
        };
        service::update(&state, &viewer(&state, &user).await?, *id, change).await
    }
    .await;
    let target = id.to_string();
    match result {
        Ok(_) => done(PATH, "saved"),
        Err(e) => refused(&state, &req, &user, (target.as_str(), Some(target.as_str())), form, &e).await,
    }
}

#[post("/admin/campaigns/{id}/close")]
async fn post_close(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        let change = UpdateCampaignRequest { ends_at: Some(state.clock().now()), ..UpdateCampaignRequest::default() };
        service::update(&state, &viewer(&state, &user).await?, *id, change).await
    }
    .await;
    match result {
        Ok(_) => done(PATH, "saved"),
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

/// Whether a campaign is running, over or still to come, in words.
fn phase(lang: Lang, c: &CampaignView, now: DateTime<Utc>) -> Markup {
    let t = lang.texts();
    html! {
        @if c.active { span.badge.s-rectifying { (t.adm_running) } }
        @else if c.ends_at <= now { span.badge { (t.adm_ended) } }
        @else { span.badge { (t.adm_upcoming) } }
    }
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
        let viewer = viewer(state, user).await?;
        Ok::<_, ApiError>((service::list(state, &viewer).await?, all_regions(state).await?))
    }
    .await;
    let (campaigns, regions) = match loaded {
        Ok(l) => l,
        Err(e) => return broken(state, req, user, Area::Campaigns, &e),
    };
    let (ctx, cookies) = page_ctx(state, req, user);
    let (lang, t) = (ctx.lang, ctx.lang.texts());
    let now = state.clock().now();
    let editing = edit.and_then(|id| campaigns.iter().find(|c| c.id.to_string() == id));
    let status =
        if edit.is_some() && editing.is_none() && status.is_success() { StatusCode::NOT_FOUND } else { status };
    let create = html! {
        section.card.admin-form #new aria-labelledby="new-title" {
            h2 #new-title { (t.adm_new_campaign) }
            (refusal(failed, "new"))
            form.stack method="post" action=(PATH) {
                (csrf(&ctx))
                input type="hidden" name="once" value=(match failed { Some(f) if f.is("new") => f.form.get("once").to_owned(), _ => Once::fresh() });
                (fields(state, lang, failed, &regions, None, now))
                button.primary type="submit" { (t.adm_create) }
            }
        }
    };
    let create_first = failed.is_some_and(|f| f.is("new"));
    let body = html! {
        p.meta { (t.adm_campaigns_about) " " a href="#new" { (t.adm_create) " ↓" } }
        @if create_first { (create) }
        @if let Some(c) = editing {
            @let target = c.id.to_string();
            section.card.admin-form #edit aria-labelledby="edit-title" {
                h2 #edit-title { (t.adm_edit) " · " (c.name) }
                (refusal(failed, &target))
                form.stack method="post" action={(PATH) "/" (c.id)} {
                    (csrf(&ctx))
                    (fields(state, lang, failed, &regions, Some(c), now))
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
        @if campaigns.is_empty() {
            p.empty { (t.adm_no_campaigns) }
        } @else {
            div.scroll {
                table.queue.admin-table {
                    thead { tr {
                        th scope="col" { (t.adm_name) }
                        th scope="col" { (t.f_status) }
                        th scope="col" { (t.adm_window) }
                        th scope="col" { (t.adm_handles) }
                        th scope="col" { (t.adm_regions) }
                        th scope="col" { (t.adm_ticket_count) }
                        th scope="col" { span.visually-hidden { (t.actions) } }
                    } }
                    tbody {
                        @for c in &campaigns {
                            tr #{"k-" (c.id)} {
                                td { (c.name) @if !c.description.is_empty() { br; small.meta { (c.description.chars().take(60).collect::<String>()) } } }
                                td { (phase(lang, c, now)) }
                                td { small { (china(c.starts_at)) " – " (china(c.ends_at)) } }
                                td.desc { (c.categories.iter().map(|k| category_name(state, lang, k)).collect::<Vec<_>>().join("、")) }
                                td { (c.regions.iter().map(|r| region_name(&regions, *r)).collect::<Vec<_>>().join("、")) }
                                td { (c.ticket_count) }
                                td.row-actions {
                                    a href={(PATH) "?edit=" (c.id) "#edit"} aria-label={(t.adm_edit) " " (c.name)} { (t.adm_edit) }
                                    @if c.active {
                                        form.inline method="post" action={(PATH) "/" (c.id) "/close"} {
                                            (csrf(&ctx))
                                            button.link.danger type="submit" aria-label={(t.adm_close) " " (c.name)} { (t.adm_close) }
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
    respond(req, (ctx, cookies), status, Area::Campaigns, body)
}

/// The fields a new and an edited campaign share.
fn fields(
    state: &AppState,
    lang: Lang,
    failed: Option<&Failed>,
    regions: &[RegionSummary],
    current: Option<&CampaignView>,
    now: DateTime<Utc>,
) -> Markup {
    let t = lang.texts();
    let target = current.map_or_else(|| "new".to_owned(), |c| c.id.to_string());
    let target = target.as_str();
    let id = |name: &str| format!("{target}-{name}");
    let starts = local_value(current.map_or(now, |c| c.starts_at));
    let ends = local_value(current.map_or(now + TimeDelta::days(30), |c| c.ends_at));
    let chosen: Vec<String> = match failed {
        Some(f) if f.is(target) => f.form.all("regions").into_iter().map(str::to_owned).collect(),
        _ => current.map(|c| c.regions.iter().map(Uuid::to_string).collect()).unwrap_or_default(),
    };
    let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
    html! {
        label for=(id("name")) { (t.adm_name) }
        input id=(id("name")) type="text" name="name" required maxlength="100"
            value=(typed(failed, target, "name", current.map_or("", |c| c.name.as_str())));
        label for=(id("description")) { (t.adm_description) }
        textarea id=(id("description")) name="description" rows="2" maxlength="2000" {
            (typed(failed, target, "description", current.map_or("", |c| c.description.as_str())))
        }
        div.numbers.wide {
            label for=(id("starts_at")) { (t.adm_starts)
                input id=(id("starts_at")) type="datetime-local" name="starts_at" required value=(typed(failed, target, "starts_at", &starts));
            }
            label for=(id("ends_at")) { (t.adm_ends)
                input id=(id("ends_at")) type="datetime-local" name="ends_at" required value=(typed(failed, target, "ends_at", &ends));
            }
        }
        small.hint { (t.adm_china_time) }
        fieldset.checks {
            legend { (t.adm_handles) }
            @for c in state.jurisdiction().reference().categories() {
                @let on = ticked(failed, target, "categories", &c.code, current.is_some_and(|k| k.categories.contains(&c.code)));
                label.choice {
                    input type="checkbox" name="categories" value=(c.code) checked[on];
                    " " (if lang == Lang::En { &c.name_en } else { &c.name_zh })
                }
            }
        }
        label for=(id("regions")) { (t.adm_regions) }
        select id=(id("regions")) name="regions" multiple size="8" aria-describedby=(id("regions-hint")) {
            (region_options(regions, &chosen, false))
        }
        small.hint id=(id("regions-hint")) { (t.adm_regions_hint) }
    }
}
