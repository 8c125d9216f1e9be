//! Cookie sessions for the web pages: the same access and refresh tokens as the API, kept in
//! HttpOnly, SameSite=Strict cookies, and the CSRF rules every request authenticated by cookie obeys.
//!
//! A request authenticated by the access cookie (never by a bearer header) is refused unless
//! - it is safe (GET, HEAD, OPTIONS) and not a WebSocket handshake, or its `Origin` (else `Referer`)
//!   is this service's own origin; and
//! - an unsafe one (POST, PUT, PATCH, DELETE) also carries `X-CSRF-Token` (or the form field
//!   `csrf_token`) equal to the HMAC of the browser's session id cookie and the user's id under a
//!   key derived from the JWT key (signed double submit bound to the user: the token is useless
//!   without the cookie, cannot be made without the server key, and a session id planted by a
//!   sibling site does not give the victim's token).
//!
//! The pages (`web`) set the cookies; this module only reads and checks them.

use actix_web::{
    http::{header, Method, StatusCode},
    HttpMessage, HttpRequest,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Mac, SimpleHmac};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::{
    extract::{verify_access_token, CurrentUser},
    jwt::JwtKeys,
};
use crate::{error::ApiError, state::AppState};

/// The access token (a JWT), sent on every request to the service.
pub const ACCESS_COOKIE: &str = "hl_access";
/// The refresh token, used by the web layer to renew an expired access cookie.
pub const REFRESH_COOKIE: &str = "hl_refresh";
/// A random id of the browser session, which the CSRF token is derived from.
pub const SID_COOKIE: &str = "hl_sid";
/// The header pages' scripts send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An access token renewed for this request by the web layer (its cookie is set on the response).
#[derive(Debug, Clone)]
pub struct RenewedAccess(pub String);

/// The value of cookie `name` on the request, if sent.
pub fn read(req: &HttpRequest, name: &str) -> Option<String> {
    read_headers(req.headers(), name)
}

/// The value of cookie `name` in a header map (middleware sees headers before a request exists).
pub fn read_headers(headers: &header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`; `max_age` 0 deletes the cookie, `None`
/// lasts for the browser session.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(secs) = max_age_secs {
        cookie.push_str(&format!("; Max-Age={secs}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The CSRF token of a browser session id and, once logged in, the user.
pub fn csrf_token(jwt: &JwtKeys, sid: &str, user: Option<Uuid>) -> String {
    let key = jwt.derive_key("web-csrf");
    match SimpleHmac::<sha2::Sha256>::new_from_slice(&key) {
        Ok(mut mac) => {
            mac.update(sid.as_bytes());
            if let Some(user) = user {
                mac.update(b"|");
                mac.update(user.as_bytes());
            }
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length.
        Err(_) => String::new(),
    }
}

/// Whether `presented` is the CSRF token of the request's session id cookie (and user).
pub fn csrf_matches(jwt: &JwtKeys, req: &HttpRequest, presented: &str, user: Option<Uuid>) -> bool {
    let Some(sid) = read(req, SID_COOKIE) else { return false };
    let expected = csrf_token(jwt, &sid, user);
    !presented.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// Whether the request comes from a page of this service: its `Origin` (or, without one, the origin
/// of its `Referer`) is the origin the request was sent to, or that of `server.public_url`.
pub fn same_origin(req: &HttpRequest, public_url: &str) -> bool {
    let claimed = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "null")
        .map(str::to_owned)
        .or_else(|| req.headers().get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(origin_of));
    let Some(claimed) = claimed.and_then(|c| origin_of(&c)) else { return false };
    let info = req.connection_info();
    let here = format!("{}://{}", info.scheme(), info.host()).to_ascii_lowercase();
    claimed == here || origin_of(public_url).is_some_and(|p| p == claimed)
}

/// `scheme://host[:port]` of a URL, lower-cased, default ports dropped.
fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
        None => format!("{}://{host}", parsed.scheme()),
    })
    .map(|o| o.to_ascii_lowercase())
}

/// The caller from the access cookie (renewed for this request or sent by the browser), with the
/// CSRF rules above.
pub fn authenticate(state: &AppState, req: &HttpRequest) -> Result<CurrentUser, ApiError> {
    let user = cookie_user(state, req)?;
    check_request(state, req, user.id)?;
    Ok(user)
}

/// Whose access cookie the request carries, without the CSRF rules (pages' own forms check their
/// token field themselves).
pub fn cookie_user(state: &AppState, req: &HttpRequest) -> Result<CurrentUser, ApiError> {
    let renewed = req.extensions().get::<RenewedAccess>().map(|r| r.0.clone());
    let token = renewed.or_else(|| read(req, ACCESS_COOKIE)).ok_or_else(|| {
        ApiError::unauthenticated("missing_token", "log in first: send Authorization: Bearer <token>")
    })?;
    verify_access_token(state, &token)
}

/// The CSRF rules for a request authenticated by cookie as `user`.
pub fn check_request(state: &AppState, req: &HttpRequest, user: Uuid) -> Result<(), ApiError> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let upgrade = req.headers().get(header::UPGRADE).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let has_origin = req.headers().contains_key(header::ORIGIN);
    if (!safe || upgrade || has_origin) && !same_origin(req, &state.settings().server.public_url) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "a request authenticated by cookie must come from this service's own pages",
        ));
    }
    if !safe {
        let presented = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !csrf_matches(state.jwt(), req, presented, Some(user)) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_token_invalid",
                "send the page's CSRF token in X-CSRF-Token with requests authenticated by cookie",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn cookies_are_read_by_name_from_every_cookie_header() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "a=1; hl_access=tok.en"))
            .append_header((header::COOKIE, "hl_sid=xyz"))
            .to_http_request();
        assert_eq!(read(&req, ACCESS_COOKIE).as_deref(), Some("tok.en"));
        assert_eq!(read(&req, SID_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(read(&req, REFRESH_COOKIE), None);
    }

    #[test]
    fn set_cookie_is_http_only_and_strict_and_secure_on_request() {
        let c = set_cookie("hl_access", "v", Some(900), true);
        assert_eq!(c, "hl_access=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=900; Secure");
        assert!(!set_cookie("hl_sid", "v", None, false).contains("Secure"));
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(origin_of("http://127.0.0.1:8080/chat?x=1").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin_of("https://Example.org:443/").as_deref(), Some("https://example.org"));
        assert_eq!(origin_of("not a url"), None);
        let req = TestRequest::default()
            .insert_header((header::HOST, "127.0.0.1:8080"))
            .insert_header((header::ORIGIN, "http://127.0.0.1:8080"))
            .to_http_request();
        assert!(same_origin(&req, "https://hazards.example.org"));
        let req = TestRequest::default()
            .insert_header((header::HOST, "127.0.0.1:8080"))
            .insert_header((header::ORIGIN, "http://evil.example"))
            .to_http_request();
        assert!(!same_origin(&req, "https://hazards.example.org"));
        let req = TestRequest::default()
            .insert_header((header::HOST, "127.0.0.1:8080"))
            .insert_header((header::REFERER, "https://hazards.example.org/chat"))
            .to_http_request();
        assert!(same_origin(&req, "https://hazards.example.org"), "public URL origin by Referer");
        let req = TestRequest::default().insert_header((header::HOST, "127.0.0.1:8080")).to_http_request();
        assert!(!same_origin(&req, "https://hazards.example.org"), "neither header: not same origin");
    }
}
