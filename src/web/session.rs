//! Cookie sessions of the pages. Logging in puts the API's access and refresh tokens into HttpOnly,
//! SameSite=Strict cookies (Secure with `web.secure_cookies`) and rotates the session id the CSRF
//! token is derived from; an expired access cookie is renewed transparently by [`renew`] on any
//! request (page, API call or WebSocket handshake); logging out revokes the refresh token's family.

use std::time::Duration;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderValue},
    middleware::Next,
    web, HttpMessage, HttpRequest,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::RngCore;

use crate::{
    auth::{
        cookie::{self, RenewedAccess, ACCESS_COOKIE, REFRESH_COOKIE, SID_COOKIE},
        dto::TokenView,
        service::{self, AuthError},
        CurrentUser,
    },
    state::AppState,
};

/// The browser session id of a request: the cookie's, or a new one to be set with the response.
pub struct Sid {
    /// The id.
    pub value: String,
    /// Whether it is new (the page must set the cookie).
    pub fresh: bool,
}

/// The request's session id, or a fresh one.
pub fn sid(req: &HttpRequest) -> Sid {
    match cookie::read(req, SID_COOKIE) {
        Some(value) if value.len() >= 32 => Sid { value, fresh: false },
        _ => Sid { value: random_id(), fresh: true },
    }
}

fn random_id() -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

fn secure(state: &AppState) -> bool {
    state.settings().web.secure_cookies
}

fn refresh_max_age(state: &AppState) -> i64 {
    i64::try_from(state.settings().auth.refresh_token_ttl_days.saturating_mul(86_400)).unwrap_or(i64::MAX)
}

/// The cookie of a session id.
pub fn sid_cookie(state: &AppState, sid: &str) -> String {
    cookie::set_cookie(SID_COOKIE, sid, Some(refresh_max_age(state)), secure(state))
}

/// The cookies of a new login: the token pair and a new session id (returned, for the next page's
/// CSRF token).
pub fn login_cookies(state: &AppState, tokens: &TokenView) -> (Vec<String>, String) {
    let sid = random_id();
    let cookies = vec![
        cookie::set_cookie(ACCESS_COOKIE, &tokens.access_token, Some(tokens.expires_in), secure(state)),
        cookie::set_cookie(REFRESH_COOKIE, &tokens.refresh_token, Some(refresh_max_age(state)), secure(state)),
        sid_cookie(state, &sid),
    ];
    (cookies, sid)
}

/// Cookies that end the session in the browser.
pub fn logout_cookies(state: &AppState) -> Vec<String> {
    [ACCESS_COOKIE, REFRESH_COOKIE, SID_COOKIE]
        .iter()
        .map(|n| cookie::set_cookie(n, "", Some(0), secure(state)))
        .collect()
}

/// Revokes the session of the request's refresh cookie (unknown tokens are ignored).
pub async fn logout(state: &AppState, req: &HttpRequest) -> Result<(), AuthError> {
    match cookie::read(req, REFRESH_COOKIE) {
        Some(token) => service::logout(state, &token).await,
        None => Ok(()),
    }
}

/// The user of a page request, if its cookie session is valid (a form checks its CSRF field itself).
pub fn page_user(state: &AppState, req: &HttpRequest) -> Option<CurrentUser> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    cookie::cookie_user(state, req).ok()
}

/// What renewing an expired access cookie gave.
struct Renewed {
    access: String,
    /// The rotated refresh token; `None` when a parallel request already rotated it (grace).
    refresh: Option<String>,
}

/// Middleware: a request with a refresh cookie whose access cookie is missing, expired or invalid
/// (and no bearer header) gets a renewed access token for itself and the new cookies on its
/// response. A refresh token that is refused clears the session's cookies.
pub async fn renew(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let refresh = cookie::read_headers(req.headers(), REFRESH_COOKIE);
    let (Some(state), Some(refresh)) = (state, refresh) else { return next.call(req).await };
    if req.path().starts_with("/static/") {
        return next.call(req).await;
    }
    let access_ok = cookie::read_headers(req.headers(), ACCESS_COOKIE).is_some_and(|t| state.jwt().verify(&t).is_ok());
    if access_ok || req.headers().contains_key(header::AUTHORIZATION) {
        return next.call(req).await;
    }
    let mut set = Vec::new();
    match renew_tokens(&state, &refresh).await {
        Ok(renewed) => {
            set.push(cookie::set_cookie(ACCESS_COOKIE, &renewed.access, Some(state.jwt().ttl_secs()), secure(&state)));
            if let Some(token) = renewed.refresh {
                set.push(cookie::set_cookie(REFRESH_COOKIE, &token, Some(refresh_max_age(&state)), secure(&state)));
            }
            req.extensions_mut().insert(RenewedAccess(renewed.access));
        }
        Err(AuthError::RefreshInvalid | AuthError::RefreshReused | AuthError::Disabled) => {
            set.extend(
                [ACCESS_COOKIE, REFRESH_COOKIE].iter().map(|n| cookie::set_cookie(n, "", Some(0), secure(&state))),
            );
        }
        Err(e) => tracing::warn!(error = %e, "could not renew a cookie session"),
    }
    let mut res = next.call(req).await?;
    // The handler's own cookies win (a logout clears what this renewal would set).
    let decided: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .filter_map(|v| v.to_str().ok()?.split('=').next().map(str::to_owned))
        .collect();
    for value in set {
        let name = value.split('=').next().unwrap_or_default();
        if decided.iter().any(|d| d == name) {
            continue;
        }
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// Rotates the refresh token, once per token even when several requests of one browser arrive with
/// it at the same moment: under a lock named after the token, the first rotates and leaves a marker
/// for `web.refresh_grace_secs`; the others find the marker and get an access token only.
async fn renew_tokens(state: &AppState, refresh: &str) -> Result<Renewed, AuthError> {
    let grace = state.settings().web.refresh_grace_secs;
    if grace == 0 {
        let tokens = service::refresh(state, refresh).await?;
        return Ok(Renewed { access: tokens.access_token, refresh: Some(tokens.refresh_token) });
    }
    let hash = service::hash_token(refresh);
    let backends = state.backends();
    let guard = wait_for_lock(state, &format!("web:renew:{hash}")).await?;
    let marker = format!("web:renewed:{hash}");
    let result = async {
        if backends.kv.get(&marker).await?.is_some() {
            let access = service::reissue_access(state, refresh).await?;
            return Ok(Renewed { access, refresh: None });
        }
        let tokens = service::refresh(state, refresh).await?;
        backends.kv.set(&marker, "1", Duration::from_secs(grace)).await?;
        Ok(Renewed { access: tokens.access_token, refresh: Some(tokens.refresh_token) })
    }
    .await;
    if let Some(guard) = guard {
        backends.locks.release(guard).await?;
    }
    result
}

/// The lock, waited for up to 3 s; without it the renewal goes ahead (the refresh's own claim still
/// settles a race, at worst as reuse).
async fn wait_for_lock(state: &AppState, name: &str) -> Result<Option<crate::infra::lock::LockGuard>, AuthError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    let mut pause = Duration::from_millis(2);
    loop {
        if let Some(guard) = state.backends().locks.try_acquire(name, Duration::from_secs(10)).await? {
            return Ok(Some(guard));
        }
        if std::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}
