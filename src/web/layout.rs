//! The page shell every page shares (head, header with navigation, language switch and logout) and
//! the HTML response with its security headers.

use actix_web::{
    http::{header, StatusCode},
    HttpRequest, HttpResponse,
};
use maud::{html, Markup, DOCTYPE};
use serde_json::json;
use uuid::Uuid;

use super::{assets, i18n::Lang};

/// What the shell needs to know about the request.
pub struct PageCtx {
    /// The page's language.
    pub lang: Lang,
    /// The CSRF token of the browser session.
    pub csrf: String,
    /// The logged-in user, if any.
    pub user: Option<Uuid>,
    /// Whether the user is a grid worker (the task page is in the navigation).
    pub worker: bool,
    /// Whether the user works at the desk (department staff, dispatcher, admin).
    pub desk: bool,
    /// Whether the user is an admin (the admin pages are in the navigation).
    pub admin: bool,
    /// The page the language switch link reloads (path and query, without `lang`).
    pub path: String,
}

/// Which navigation entry is the current page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// No navigation (login).
    None,
    /// The chat.
    Chat,
    /// My tickets.
    Tickets,
    /// The grid worker's tasks.
    Worker,
    /// The desk (queue and ticket).
    Desk,
    /// The desk's map of tickets.
    Map,
    /// The desk's statistics (dashboard).
    Stats,
    /// The admin pages.
    Admin,
}

/// A whole page: `title`, the main content and the page's scripts (`app.js` is always first).
pub fn page(ctx: &PageCtx, title: &str, nav: Nav, main: Markup, scripts: &[&str]) -> Markup {
    let t = ctx.lang.texts();
    let config = json!({
        "csrf": ctx.csrf,
        "me": ctx.user,
        "lang": ctx.lang.code(),
        "texts": t,
    })
    .to_string();
    let joiner = if ctx.path.contains('?') { '&' } else { '?' };
    let switch = format!("{}{joiner}lang={}", ctx.path, ctx.lang.other().code());
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.html()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                meta name="color-scheme" content="light";
                title { (title) " · " (t.app_name) }
                link rel="icon" href=(assets::url("icon.svg")) type="image/svg+xml";
                link rel="stylesheet" href=(assets::url("app.css"));
            }
            body data-config=(config) class=(match nav { Nav::Chat => "page-chat", Nav::Desk | Nav::Map | Nav::Stats => "page page-desk", Nav::Admin => "page page-admin", _ => "page" }) {
                a.skip href="#main" { (t.skip) }
                header.top {
                    a.brand href="/" { img src=(assets::url("icon.svg")) alt="" width="24" height="24"; span { (t.app_name) } }
                    nav aria-label=(t.app_name) {
                        @if ctx.worker {
                            a href="/worker" aria-current=[(nav == Nav::Worker).then_some("page")] { (t.nav_worker) }
                        }
                        @if ctx.desk {
                            a href="/desk" aria-current=[(nav == Nav::Desk).then_some("page")] { (t.nav_desk) }
                            a href="/desk/map" aria-current=[(nav == Nav::Map).then_some("page")] { (t.nav_map) }
                            a href="/desk/stats" aria-current=[(nav == Nav::Stats).then_some("page")] { (t.nav_stats) }
                        }
                        @if ctx.admin {
                            a href="/admin" aria-current=[(nav == Nav::Admin).then_some("page")] { (t.nav_admin) }
                        }
                        @if ctx.user.is_some() {
                            a href="/chat" aria-current=[(nav == Nav::Chat).then_some("page")] { (t.nav_chat) }
                            a href="/tickets" aria-current=[(nav == Nav::Tickets).then_some("page")] { (t.nav_tickets) }
                        }
                        a href=(switch) lang=(ctx.lang.other().html()) hreflang=(ctx.lang.other().html()) { (t.switch_lang) }
                        @if ctx.user.is_some() {
                            form.inline method="post" action="/logout" {
                                input type="hidden" name="csrf_token" value=(ctx.csrf);
                                button.link type="submit" { (t.logout) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (main) }
                @if !scripts.is_empty() {
                    script src=(assets::url("app.js")) {}
                }
                @for s in scripts {
                    script src=(assets::url(s)) {}
                }
            }
        }
    }
}

/// An HTML response with the pages' headers: no caching, a strict content security policy (no
/// inline script or style, nothing from other origins), no framing.
pub fn respond(status: StatusCode, markup: Markup, cookies: Vec<String>) -> HttpResponse {
    respond_with_images_from(status, markup, cookies, None)
}

/// `respond`, with images also allowed from `origin` (the desk map's configured tiles).
pub fn respond_with_images_from(
    status: StatusCode,
    markup: Markup,
    cookies: Vec<String>,
    origin: Option<&str>,
) -> HttpResponse {
    let img = origin.map_or_else(String::new, |o| format!(" {o}"));
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!(
                "default-src 'self'; img-src 'self' data: blob:{img}; style-src 'self'; script-src 'self'; \
                 connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
            ),
        ))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"));
    for c in cookies {
        res.append_header((header::SET_COOKIE, c));
    }
    res.body(markup.into_string())
}

/// A page that is one list kept live by its script (my tickets, the grid worker's tasks): the title,
/// what comes before the list (`lead`, e.g. the grid worker's patrol report), the list or, when it
/// could not be read, a message in its place (a bad link's 4xx as such, with the way back to the
/// first page; a fault's cause goes to the log as `what`), the live status line and the notice line the script writes to.
pub fn live_list_page(
    ctx: &PageCtx,
    cookies: Vec<String>,
    (title, nav, script): (&str, Nav, &str),
    lead: Markup,
    list: Result<Markup, crate::error::ApiError>,
    what: &str,
) -> HttpResponse {
    let t = ctx.lang.texts();
    let (status, list) = match list {
        Ok(list) => (StatusCode::OK, list),
        // A bad page link (a stale cursor, say) is the asker's: said as such, with the way back.
        Err(e) if e.status().is_client_error() => (
            e.status(),
            html! { p.msg.error role="alert" { (t.err_link) } p { a href=(ctx.path.split('?').next().unwrap_or("/")) { (t.newest) } } },
        ),
        Err(e) => {
            tracing::error!(error = ?e, page = what, "list page");
            (StatusCode::INTERNAL_SERVER_ERROR, html! { p.msg.error role="alert" { (t.err_generic) } })
        }
    };
    let main = html! {
        h1 { (title) }
        p #live.status role="status" {}
        p #notice.notice role="alert" hidden {}
        (lead)
        div #tickets { (list) }
    };
    respond(status, page(ctx, title, nav, main, &[script]), cookies)
}

/// A 303 to `location`, setting `cookies`.
pub fn redirect(location: &str, cookies: Vec<String>) -> HttpResponse {
    let mut res = HttpResponse::SeeOther();
    res.insert_header((header::LOCATION, location)).insert_header((header::CACHE_CONTROL, "no-store"));
    for c in cookies {
        res.append_header((header::SET_COOKIE, c));
    }
    res.finish()
}

/// Where `next` may send a user after logging in: a path of this site only.
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && next.len() <= 200;
    ok.then_some(next)
}

/// The request path with its query, for `?next=`.
pub fn here(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(local_path("/tickets"), Some("/tickets"));
        assert_eq!(local_path("//evil.example/x"), None);
        assert_eq!(local_path("https://evil.example"), None);
        assert_eq!(local_path("/\\evil.example"), None);
    }
}
