//! `/` and the login pages: phone + password, phone + SMS code (in development the code goes to the
//! log), and logout. Plain HTML forms with the CSRF token in a hidden field; every refusal is the
//! page again with a message, never a JSON error.

use std::collections::HashMap;

use actix_web::{get, http::StatusCode, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use secrecy::SecretString;

use super::{
    context,
    i18n::Texts,
    layout::{self, local_path, Nav, PageCtx},
    session,
};
use crate::{
    auth::{cookie, service, service::AuthError, sms::SmsError, CurrentUser, Role},
    config::SmsProvider,
    state::AppState,
};

/// Mounts `/`, the login pages and logout.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_root)
        .service(get_login)
        .service(post_login_password)
        .service(post_sms_code)
        .service(post_login_sms)
        .service(post_logout);
}

/// Where a user lands: grid workers on their tasks, residents in the chat, department staff,
/// dispatchers and admins at the desk, anyone else on their tickets.
pub fn home(user: &CurrentUser) -> &'static str {
    if user.has(Role::GridWorker) {
        "/worker"
    } else if user.roles.iter().all(|r| *r == Role::Resident) {
        "/chat"
    } else if super::desk::is_desk(user) {
        "/desk"
    } else {
        "/tickets"
    }
}

#[get("/")]
async fn get_root(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    match session::page_user(&state, &req) {
        Some(user) => layout::redirect(home(&user), Vec::new()),
        None => layout::redirect("/login", Vec::new()),
    }
}

/// Which login form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sms,
    Password,
}

/// What the login page shows.
struct View<'a> {
    mode: Mode,
    phone: &'a str,
    /// The SMS code was sent: show the code field.
    code_step: bool,
    /// (is an error, text).
    message: Option<(bool, &'a str)>,
    next: &'a str,
}

fn fields(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

fn query(req: &HttpRequest) -> HashMap<String, String> {
    fields(req.query_string().as_bytes())
}

#[get("/login")]
async fn get_login(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let q = query(&req);
    let next = local_path(field(&q, "next")).unwrap_or("");
    if let Some(user) = session::page_user(&state, &req) {
        return layout::redirect(if next.is_empty() { home(&user) } else { next }, Vec::new());
    }
    let (ctx, cookies) = context(&state, &req, None);
    let mode = if field(&q, "mode") == "password" { Mode::Password } else { Mode::Sms };
    let message = (field(&q, "out") == "1").then_some((false, ctx.lang.texts().logged_out));
    let view = View { mode, phone: "", code_step: false, message, next };
    layout::respond(StatusCode::OK, render(&state, &ctx, &view), cookies)
}

/// Whether a form came from this site (its origin) and carries the CSRF token of the session (and
/// of the user, when one is logged in: the page that held the form was rendered for them).
fn check_form(state: &AppState, req: &HttpRequest, form: &HashMap<String, String>) -> bool {
    let user = session::page_user(state, req).map(|u| u.id);
    cookie::same_origin(req, &state.settings().server.public_url)
        && cookie::csrf_matches(state.jwt(), req, field(form, "csrf_token"), user)
}

fn refused(state: &AppState, req: &HttpRequest, mode: Mode, form: &HashMap<String, String>) -> HttpResponse {
    let (ctx, cookies) = context(state, req, None);
    let next = local_path(field(form, "next")).unwrap_or("");
    let view = View {
        mode,
        phone: field(form, "phone"),
        code_step: false,
        message: Some((true, ctx.lang.texts().err_csrf)),
        next,
    };
    layout::respond(StatusCode::FORBIDDEN, render(state, &ctx, &view), cookies)
}

/// The status and message for a failed login or code request.
fn failure(t: &'static Texts, e: &AuthError) -> (StatusCode, &'static str) {
    match e {
        AuthError::InvalidPhone => (StatusCode::UNPROCESSABLE_ENTITY, t.err_phone),
        AuthError::InvalidCredentials => (StatusCode::UNAUTHORIZED, t.err_credentials),
        AuthError::TooManyFailures { .. } => (StatusCode::TOO_MANY_REQUESTS, t.err_too_many),
        AuthError::Disabled => (StatusCode::FORBIDDEN, t.err_disabled),
        AuthError::Sms(SmsError::Wrong { .. }) => (StatusCode::UNAUTHORIZED, t.err_code_wrong),
        AuthError::Sms(SmsError::NoCode) => (StatusCode::UNAUTHORIZED, t.err_code_invalid),
        AuthError::Sms(SmsError::TooSoon { .. }) => (StatusCode::TOO_MANY_REQUESTS, t.err_code_too_soon),
        AuthError::Sms(SmsError::TooMany { .. }) => (StatusCode::TOO_MANY_REQUESTS, t.err_code_limit),
        AuthError::Sms(SmsError::Disabled) => (StatusCode::SERVICE_UNAVAILABLE, t.err_sms_off),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, t.err_generic),
    }
}

fn logged_in(state: &AppState, tokens: &crate::auth::dto::TokenView, next: &str) -> HttpResponse {
    let (cookies, _) = session::login_cookies(state, tokens);
    let user = CurrentUser { id: tokens.user.id, roles: tokens.user.roles.iter().map(|g| g.role).collect() };
    layout::redirect(if next.is_empty() { home(&user) } else { next }, cookies)
}

fn failed(
    state: &AppState,
    req: &HttpRequest,
    mode: Mode,
    form: &HashMap<String, String>,
    e: &AuthError,
) -> HttpResponse {
    if matches!(e, AuthError::Unexpected(_)) {
        tracing::error!(error = ?e, "web login failed");
    }
    let (ctx, cookies) = context(state, req, None);
    let (status, text) = failure(ctx.lang.texts(), e);
    let code_step = mode == Mode::Sms && matches!(e, AuthError::Sms(SmsError::Wrong { .. }));
    let next = local_path(field(form, "next")).unwrap_or("");
    let view = View { mode, phone: field(form, "phone"), code_step, message: Some((true, text)), next };
    layout::respond(status, render(state, &ctx, &view), cookies)
}

#[post("/login/password")]
async fn post_login_password(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let form = fields(&body);
    if !check_form(&state, &req, &form) {
        return refused(&state, &req, Mode::Password, &form);
    }
    let secret = SecretString::from(form.get("password").cloned().unwrap_or_default());
    match service::login_password(&state, field(&form, "phone"), secret).await {
        Ok(tokens) => logged_in(&state, &tokens, local_path(field(&form, "next")).unwrap_or("")),
        Err(e) => failed(&state, &req, Mode::Password, &form, &e),
    }
}

#[post("/login/sms-code")]
async fn post_sms_code(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let form = fields(&body);
    if !check_form(&state, &req, &form) {
        return refused(&state, &req, Mode::Sms, &form);
    }
    let client = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    match service::request_sms_code(&state, field(&form, "phone"), &client).await {
        Ok(()) => {
            let (ctx, cookies) = context(&state, &req, None);
            let next = local_path(field(&form, "next")).unwrap_or("");
            let view = View {
                mode: Mode::Sms,
                phone: field(&form, "phone"),
                code_step: true,
                message: Some((false, ctx.lang.texts().code_sent)),
                next,
            };
            layout::respond(StatusCode::OK, render(&state, &ctx, &view), cookies)
        }
        Err(e) => failed(&state, &req, Mode::Sms, &form, &e),
    }
}

#[post("/login/sms")]
async fn post_login_sms(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let form = fields(&body);
    if !check_form(&state, &req, &form) {
        return refused(&state, &req, Mode::Sms, &form);
    }
    match service::login_sms(&state, field(&form, "phone"), field(&form, "code")).await {
        Ok(tokens) => logged_in(&state, &tokens, local_path(field(&form, "next")).unwrap_or("")),
        Err(e) => failed(&state, &req, Mode::Sms, &form, &e),
    }
}

#[post("/logout")]
async fn post_logout(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let form = fields(&body);
    if session::page_user(&state, &req).is_none() {
        // Nobody logged in: nothing to protect, just tidy the browser.
        return layout::redirect("/login?out=1", session::logout_cookies(&state));
    }
    if !check_form(&state, &req, &form) {
        return refused(&state, &req, Mode::Sms, &form);
    }
    if let Err(e) = session::logout(&state, &req).await {
        tracing::error!(error = ?e, "web logout could not revoke the session");
    }
    layout::redirect("/login?out=1", session::logout_cookies(&state))
}

fn render(state: &AppState, ctx: &PageCtx, view: &View<'_>) -> Markup {
    let t = ctx.lang.texts();
    let tab = |mode: Mode, label: &str| {
        let href = if mode == Mode::Password { "/login?mode=password" } else { "/login?mode=sms" };
        html! { a.tab href=(href) aria-current=[(view.mode == mode).then_some("page")] { (label) } }
    };
    let hidden = html! {
        input type="hidden" name="csrf_token" value=(ctx.csrf);
        input type="hidden" name="next" value=(view.next);
    };
    let phone = html! {
        label for="phone" { (t.phone) }
        input #phone name="phone" type="tel" inputmode="numeric" autocomplete="tel" required maxlength="20"
            placeholder=(t.phone_hint) value=(view.phone);
    };
    let dev_sms = state.settings().sms.provider == SmsProvider::Log
        && state.settings().app.mode == crate::config::Mode::Development;
    let main = html! {
        section.card.login aria-labelledby="login-title" {
            h1 #login-title { (t.login_title) }
            p.intro { (t.login_intro) }
            nav.tabs aria-label=(t.login_title) { (tab(Mode::Sms, t.tab_sms)) (tab(Mode::Password, t.tab_password)) }
            @if let Some((error, text)) = view.message {
                p #form-message class=(if error { "msg error" } else { "msg ok" }) role=(if error { "alert" } else { "status" }) { (text) }
            }
            @match (view.mode, view.code_step) {
                (Mode::Password, _) => {
                    form.stack method="post" action="/login/password" {
                        (hidden) (phone)
                        label for="password" { (t.password) }
                        input #password name="password" type="password" autocomplete="current-password" required;
                        button.primary type="submit" { (t.login) }
                    }
                }
                (Mode::Sms, false) => {
                    form.stack method="post" action="/login/sms-code" {
                        (hidden) (phone)
                        button.primary type="submit" { (t.send_code) }
                    }
                }
                (Mode::Sms, true) => {
                    form.stack method="post" action="/login/sms" {
                        (hidden) (phone)
                        label for="code" { (t.code) }
                        input #code name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required
                            maxlength="6" pattern="[0-9]{6}" autofocus;
                        button.primary type="submit" { (t.login) }
                    }
                    form.resend method="post" action="/login/sms-code" {
                        (hidden)
                        input type="hidden" name="phone" value=(view.phone);
                        button.link type="submit" { (t.send_code) }
                    }
                }
            }
            @if dev_sms && view.mode == Mode::Sms {
                p.hint { (t.code_in_log) }
            }
        }
    };
    layout::page(ctx, t.login_title, Nav::None, main, &[])
}
