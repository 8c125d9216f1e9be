//! The web pages, served by the same binary at `/`: login (phone + password or SMS code), the
//! resident's chat with the intake bot, "my tickets" with each ticket's timeline, the grid worker's
//! tasks, the department/dispatcher desk (queue, one ticket with its moves, the map of tickets
//! drawn from our region boundaries, the statistics with SVG charts and ledger downloads) and the
//! admin pages (reference data, accounts and campaigns, plain forms). Pages are
//! rendered on the server (maud); their small scripts (`assets/web`, embedded) call the existing
//! `/api/v1` endpoints with the session cookie and the CSRF header and listen on `/api/v1/ws`.
//! The session is the API's own token pair in cookies (`session`; the checks live in
//! `auth::cookie`). Owns no table and no rule: logins, messages and tickets go through their
//! services.

pub mod admin;
pub mod assets;
pub mod charts;
pub mod chat;
pub mod desk;
pub mod desk_map;
pub mod desk_stats;
pub mod desk_ticket;
pub mod i18n;
pub mod layout;
pub mod login;
pub mod session;
pub mod svgmap;
pub mod tickets;
pub mod worker;

use crate::{
    auth::{cookie, CurrentUser, Role},
    error::ApiError,
    state::AppState,
};
use actix_web::{
    http::{header, StatusCode},
    web, HttpRequest, HttpResponse,
};
use maud::html;

use self::{
    i18n::LANG_COOKIE,
    layout::{Nav, PageCtx},
};

/// Mounts the pages and their static files.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::configure)
        .configure(login::configure)
        .configure(chat::configure)
        .configure(tickets::configure)
        .configure(worker::configure)
        .configure(desk::configure)
        .configure(desk_ticket::configure)
        .configure(desk_map::configure)
        .configure(desk_stats::configure)
        .configure(admin::configure);
}

/// The shell context of a page request, and the cookies its response sets (a first session id, a
/// language chosen with `?lang=`).
pub fn context(state: &AppState, req: &HttpRequest, user: Option<&CurrentUser>) -> (PageCtx, Vec<String>) {
    let (lang, remember_lang) = i18n::negotiate(req);
    let sid = session::sid(req);
    let mut cookies = Vec::new();
    if sid.fresh {
        cookies.push(session::sid_cookie(state, &sid.value));
    }
    if remember_lang {
        let secure = state.settings().web.secure_cookies;
        cookies.push(cookie::set_cookie(LANG_COOKIE, lang.code(), Some(365 * 86_400), secure));
        if let Some(user) = user {
            // The bot speaks the language chosen here too; the page does not wait for it.
            let (db, id, tag) = (state.db().clone(), user.id, lang.locale_tag());
            actix_web::rt::spawn(async move {
                if let Err(e) = crate::auth::service::set_locale(&db, id, tag).await {
                    tracing::warn!(user.id = %id, error = %e, "could not keep the chosen language");
                }
            });
        }
    }
    let csrf = cookie::csrf_token(state.jwt(), &sid.value, user.map(|u| u.id));
    let worker = user.is_some_and(|u| u.has(Role::GridWorker));
    let desk = user.is_some_and(desk::is_desk);
    let admin = user.is_some_and(|u| u.has(Role::Admin));
    (PageCtx { lang, csrf, user: user.map(|u| u.id), worker, desk, admin, path: switch_base(req) }, cookies)
}

/// The page a language switch reloads: this one without `lang`; the login page after a form post.
fn switch_base(req: &HttpRequest) -> String {
    if req.method() != actix_web::http::Method::GET {
        return "/login".to_owned();
    }
    let kept: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().filter(|(k, _)| k != "lang").collect();
    if kept.is_empty() {
        return req.path().to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("{}?{query}", req.path())
}

/// No route matched: a page saying so for a browser asking for HTML outside the API's paths, the
/// API's `route_not_found` problem otherwise.
pub async fn not_found(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let api = ["/api/", "/open311/", "/media/", "/wechat/"].iter().any(|p| req.path().starts_with(p));
    let wants_html =
        req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if api || !wants_html {
        return Err(ApiError::not_found("route_not_found", "no such endpoint"));
    }
    let user = session::page_user(&state, &req);
    let (ctx, cookies) = context(&state, &req, user.as_ref());
    let t = ctx.lang.texts();
    let main = html! {
        section.card {
            h1 { (t.not_found) }
            p { a href="/" { (t.app_name) } }
        }
    };
    Ok(layout::respond(StatusCode::NOT_FOUND, layout::page(&ctx, t.not_found, Nav::None, main, &[]), cookies))
}
