//! `/admin/categories`: the hazard categories with the keywords the intake bot matches, their
//! default urgency, the usual department kind and the deadlines; a form to add one and, with
//! `?edit=CODE`, a form to change one (names, keywords, urgency, deadlines, offered or not). The
//! keywords are one field separated by commas or 、; `词:2` gives a word the weight 2 (words kept
//! from before keep their weight). A duplicate code is the unique key's refusal, in words.

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{
    bad, broken, checked, csrf, done, edit_param, page_ctx, refusal, respond, ticked, typed, AdminPage, Area, Failed,
    Form,
};
use crate::{
    admin::{
        dto::{CategoryView, CreateCategoryRequest, DepartmentKind, UpdateCategoryRequest, Urgency},
        service,
    },
    auth::CurrentUser,
    error::ApiError,
    geo::categories::Keyword,
    state::AppState,
    web::i18n::Lang,
};

const PATH: &str = "/admin/categories";

/// Mounts the category pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_categories).service(post_create).service(post_update);
}

/// Urgency in the page's language.
fn urgency_label(lang: Lang, u: Urgency) -> &'static str {
    match (lang, u) {
        (Lang::Zh, u) => u.label(),
        (Lang::En, Urgency::Emergency) => "Emergency",
        (Lang::En, Urgency::Urgent) => "Urgent",
        (Lang::En, Urgency::Normal) => "Normal",
    }
}

/// A department kind in the page's language (the stored name when unknown).
pub(super) fn kind_label(lang: Lang, kind: &str) -> String {
    match DepartmentKind::parse(kind) {
        Some(k) if lang == Lang::En => k.labels().1.to_owned(),
        Some(k) => k.labels().0.to_owned(),
        None => kind.to_owned(),
    }
}

/// The keywords as the form shows them: `、`-separated, `:weight` where it is not 1.
fn keywords_text(keywords: &[Keyword]) -> String {
    keywords
        .iter()
        .map(
            |k| if (k.weight - 1.0).abs() < f32::EPSILON { k.word.clone() } else { format!("{}:{}", k.word, k.weight) },
        )
        .collect::<Vec<_>>()
        .join("、")
}

/// The keywords of the form's field; words already held keep their weight.
fn parse_keywords(text: &str, before: &[Keyword]) -> Result<Vec<Keyword>, ApiError> {
    let mut out: Vec<Keyword> = Vec::new();
    for item in text.split([',', '，', '、', ';', '；', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let (word, weight) = match item.rsplit_once([':', '：']) {
            Some((w, n)) => (w.trim(), Some(n.trim().parse::<f32>().map_err(|_| bad("keywords", "invalid_keyword"))?)),
            None => (item, None),
        };
        let kept = before.iter().find(|k| k.word == word).map_or(1.0, |k| k.weight);
        if !out.iter().any(|k| k.word == word) {
            out.push(Keyword { word: word.to_owned(), weight: weight.unwrap_or(kept) });
        }
    }
    Ok(out)
}

fn number(form: &Form, field: &str) -> Result<i32, ApiError> {
    form.get(field).parse::<i32>().map_err(|_| bad(field, "invalid_number"))
}

fn urgency(form: &Form) -> Result<Urgency, ApiError> {
    Urgency::parse(form.get("default_urgency")).map_err(|_| bad("default_urgency", "required"))
}

#[get("/admin/categories")]
async fn get_categories(state: web::Data<AppState>, AdminPage(user): AdminPage, req: HttpRequest) -> HttpResponse {
    let edit = edit_param(&req);
    page(&state, &req, &user, StatusCode::OK, edit.as_deref(), None).await
}

#[post("/admin/categories")]
async fn post_create(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        create(&state, &form).await
    }
    .await;
    match result {
        Ok(()) => done(PATH, "saved"),
        Err(e) => refused(&state, &req, &user, "new", form, &e).await,
    }
}

#[post("/admin/categories/{code}")]
async fn post_update(
    state: web::Data<AppState>,
    AdminPage(user): AdminPage,
    req: HttpRequest,
    code: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let form = Form::parse(&body);
    let result = async {
        checked(&state, &req, &user, &form)?;
        update(&state, &code, &form).await
    }
    .await;
    match result {
        Ok(()) => done(PATH, "saved"),
        Err(e) => refused(&state, &req, &user, &code, form, &e).await,
    }
}

/// The page again with the refused form and its message (the CSRF message for a stale form).
async fn refused(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    target: &str,
    form: Form,
    e: &ApiError,
) -> HttpResponse {
    let (status, message) = super::message_for(req, e);
    let failed = Failed { target: target.to_owned(), form, message };
    let edit = (target != "new").then_some(target);
    page(state, req, user, status, edit, Some(&failed)).await
}

async fn create(state: &AppState, form: &Form) -> Result<(), ApiError> {
    let kind = DepartmentKind::parse(form.get("usual_department_kind"))
        .ok_or_else(|| bad("usual_department_kind", "required"))?;
    let req = CreateCategoryRequest {
        code: form.get("code").to_owned(),
        name_zh: form.get("name_zh").to_owned(),
        name_en: form.get("name_en").to_owned(),
        parent_code: None,
        keywords: parse_keywords(form.get("keywords"), &[])?,
        default_urgency: urgency(form)?,
        usual_department_kind: kind,
        accept_hours: number(form, "accept_hours")?,
        verify_hours: number(form, "verify_hours")?,
        rectify_days_general: number(form, "rectify_days_general")?,
        rectify_days_major: number(form, "rectify_days_major")?,
    };
    service::create_category(state, req).await.map(|_| ())
}

async fn update(state: &AppState, code: &str, form: &Form) -> Result<(), ApiError> {
    let before = service::list_categories(state)
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .ok_or_else(|| ApiError::not_found("category_not_found", "no such category"))?;
    let req = UpdateCategoryRequest {
        name_zh: Some(form.get("name_zh").to_owned()),
        name_en: Some(form.get("name_en").to_owned()),
        keywords: Some(parse_keywords(form.get("keywords"), &before.keywords)?),
        default_urgency: Some(urgency(form)?),
        accept_hours: Some(number(form, "accept_hours")?),
        verify_hours: Some(number(form, "verify_hours")?),
        rectify_days_general: Some(number(form, "rectify_days_general")?),
        rectify_days_major: Some(number(form, "rectify_days_major")?),
        active: Some(form.has("active", "true")),
    };
    service::update_category(state, code, req).await.map(|_| ())
}

async fn page(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    status: StatusCode,
    edit: Option<&str>,
    failed: Option<&Failed>,
) -> HttpResponse {
    let categories = match service::list_categories(state).await {
        Ok(c) => c,
        Err(e) => return broken(state, req, user, Area::Categories, &e),
    };
    let (ctx, cookies) = page_ctx(state, req, user);
    let (lang, t) = (ctx.lang, ctx.lang.texts());
    let editing = edit.and_then(|code| categories.iter().find(|c| c.code == code));
    let status =
        if edit.is_some() && editing.is_none() && status.is_success() { StatusCode::NOT_FOUND } else { status };
    let create = html! {
        section.card.admin-form #new aria-labelledby="new-title" {
            h2 #new-title { (t.adm_new_category) }
            (refusal(failed, "new"))
            form.stack method="post" action=(PATH) {
                (csrf(&ctx))
                label for="new-code" { (t.adm_code) }
                input #new-code type="text" name="code" required maxlength="32" pattern="[a-z0-9_]{2,32}"
                    value=(typed(failed, "new", "code", "")) aria-describedby="new-code-hint";
                small.hint #new-code-hint { (t.adm_code_hint) }
                label for="new-kind" { (t.adm_usual_kind) }
                select #new-kind name="usual_department_kind" {
                    @for k in DepartmentKind::ALL {
                        option value=(k.as_str())
                            selected[typed(failed, "new", "usual_department_kind", "safety_office") == k.as_str()] {
                            (kind_label(lang, &k.as_str()))
                        }
                    }
                }
                (fields(lang, failed, None))
                button.primary type="submit" { (t.adm_create) }
            }
        }
    };
    let create_first = failed.is_some_and(|f| f.is("new"));
    let body = html! {
        p.meta { (t.adm_categories_about) " " a href="#new" { (t.adm_create) " ↓" } }
        @if create_first { (create) }
        @if let Some(c) = editing {
            section.card.admin-form #edit aria-labelledby="edit-title" {
                h2 #edit-title { (t.adm_edit) " · " (c.code) }
                (refusal(failed, &c.code))
                form.stack method="post" action={(PATH) "/" (c.code)} {
                    (csrf(&ctx))
                    (fields(lang, failed, Some(c)))
                    label.choice {
                        input type="checkbox" name="active" value="true"
                            checked[ticked(failed, &c.code, "active", "true", c.active)];
                        " " (t.adm_active)
                    }
                    div.buttons {
                        button.primary type="submit" { (t.adm_save) }
                        a href=(PATH) { (t.cancel) }
                    }
                }
            }
        } @else if let Some(code) = edit {
            p.msg.error role="alert" { (t.not_found) " " (code) }
        }
        div.scroll {
            table.queue.admin-table {
                thead { tr {
                    th scope="col" { (t.adm_code) }
                    th scope="col" { (t.adm_name) }
                    th scope="col" { (t.adm_keywords) }
                    th scope="col" { (t.adm_urgency) }
                    th scope="col" { (t.adm_deadlines) }
                    th scope="col" { (t.adm_usual_kind) }
                    th scope="col" { (t.f_status) }
                    th scope="col" { span.visually-hidden { (t.adm_edit) } }
                } }
                tbody {
                    @for c in &categories {
                        tr #{"c-" (c.code)} class=[(!c.active).then_some("off")] {
                            td { code { (c.code) } }
                            td { (c.name_zh) br; small.meta { (c.name_en) } }
                            td.desc { (keywords_text(&c.keywords)) }
                            td { (Urgency::parse(&c.default_urgency).map_or(c.default_urgency.as_str(), |u| urgency_label(lang, u))) }
                            td.nowrap { small { (format!("{}h / {}h / {}d / {}d", c.accept_hours, c.verify_hours, c.rectify_days_general, c.rectify_days_major)) } }
                            td { (kind_label(lang, &c.usual_department_kind)) }
                            td { @if c.active { (t.adm_active) } @else { strong.overdue { (t.adm_inactive) } } }
                            td { a href={(PATH) "?edit=" (c.code) "#edit"} aria-label={(t.adm_edit) " " (c.name_zh)} { (t.adm_edit) } }
                        }
                    }
                }
            }
        }
        p.meta { (t.adm_deadlines_hint) }
        @if !create_first { (create) }
    };
    respond(req, (ctx, cookies), status, Area::Categories, body)
}

/// The fields a new and an edited category share.
fn fields(lang: Lang, failed: Option<&Failed>, current: Option<&CategoryView>) -> Markup {
    let t = lang.texts();
    let target = current.map_or("new", |c| c.code.as_str());
    let id = |name: &str| format!("{target}-{name}");
    let keywords = current.map(|c| keywords_text(&c.keywords)).unwrap_or_default();
    let numbers = [
        ("accept_hours", t.adm_accept_hours, current.map_or(24, |c| c.accept_hours), 720),
        ("verify_hours", t.adm_verify_hours, current.map_or(48, |c| c.verify_hours), 720),
        ("rectify_days_general", t.adm_rectify_general, current.map_or(7, |c| c.rectify_days_general), 365),
        ("rectify_days_major", t.adm_rectify_major, current.map_or(30, |c| c.rectify_days_major), 365),
    ];
    let urgency = current.map_or("normal", |c| c.default_urgency.as_str());
    html! {
        label for=(id("name_zh")) { (t.adm_name_zh) }
        input id=(id("name_zh")) type="text" name="name_zh" required maxlength="50"
            value=(typed(failed, target, "name_zh", current.map_or("", |c| c.name_zh.as_str())));
        label for=(id("name_en")) { (t.adm_name_en) }
        input id=(id("name_en")) type="text" name="name_en" maxlength="80"
            value=(typed(failed, target, "name_en", current.map_or("", |c| c.name_en.as_str())));
        label for=(id("keywords")) { (t.adm_keywords) }
        textarea id=(id("keywords")) name="keywords" rows="3" aria-describedby=(id("keywords-hint")) {
            (typed(failed, target, "keywords", &keywords))
        }
        small.hint id=(id("keywords-hint")) { (t.adm_keywords_hint) }
        label for=(id("urgency")) { (t.adm_urgency) }
        select id=(id("urgency")) name="default_urgency" {
            @for u in Urgency::ALL {
                option value=(u.as_str()) selected[typed(failed, target, "default_urgency", urgency) == u.as_str()] {
                    (urgency_label(lang, *u))
                }
            }
        }
        div.numbers {
            @for (name, label, value, max) in numbers {
                @let v = value.to_string();
                label for=(id(name)) { (label)
                    input id=(id(name)) type="number" name=(name) min="1" max=(max) required
                        value=(typed(failed, target, name, &v));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_split_on_commas_and_dunhao_and_keep_weights() {
        let before = [Keyword { word: "燃气".into(), weight: 2.0 }];
        let k = parse_keywords("燃气、煤气罐，漏气:1.5, 燃气 ,,", &before).unwrap();
        let words: Vec<(&str, f32)> = k.iter().map(|k| (k.word.as_str(), k.weight)).collect();
        assert_eq!(words, [("燃气", 2.0), ("煤气罐", 1.0), ("漏气", 1.5)]);
        assert_eq!(keywords_text(&k), "燃气:2、煤气罐、漏气:1.5");
        assert_eq!(parse_keywords("漏气:很多", &[]).unwrap_err().code(), "validation_failed");
    }
}
