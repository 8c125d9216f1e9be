//! HTTP: `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    dto::{
        CreateSmsCodeRequest, PasswordLoginRequest, RefreshRequest, SmsCodeView, SmsLoginRequest, TokenView, UserView,
        WechatLoginRequest,
    },
    service, CurrentUser,
};
use crate::{
    error::{ApiError, ProblemDetails},
    json::ApiJson,
    state::AppState,
};

/// Mounts the auth endpoints.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_sms_code)
        .service(login_sms)
        .service(login_password)
        .service(login_wechat)
        .service(refresh_token)
        .service(logout)
        .service(get_me);
}

/// Send a one-time login code by SMS.
///
/// One code per phone per minute, a daily cap per phone, and a cap per client address.
#[utoipa::path(
    tag = "auth",
    request_body = CreateSmsCodeRequest,
    responses(
        (status = 202, description = "Code sent", body = SmsCodeView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a mobile number (`validation_failed`)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "`sms_code_too_soon` or `sms_code_limit`; see Retry-After", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "`sms_unavailable`", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/auth/sms-codes")]
async fn create_sms_code(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateSmsCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    service::request_sms_code(&state, &body.0.phone, &client).await?;
    let codes = state.sms();
    Ok(HttpResponse::Accepted()
        .json(SmsCodeView { expires_in: codes.ttl().as_secs(), resend_after: codes.resend_interval().as_secs() }))
}

/// Log in with phone and SMS code (creates a resident account on first login).
#[utoipa::path(
    tag = "auth",
    request_body = SmsLoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`sms_code_wrong` (tries left in detail) or `sms_code_invalid` (expired, used or burnt)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`account_disabled`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a mobile number", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login/sms")]
async fn login_sms(state: web::Data<AppState>, body: ApiJson<SmsLoginRequest>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let tokens = service::login_sms(&state, &body.phone, &body.code).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Log in with phone and password (staff accounts).
#[utoipa::path(
    tag = "auth",
    request_body = PasswordLoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_credentials`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`account_disabled`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a mobile number", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_login_failures`; see Retry-After", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login/password")]
async fn login_password(
    state: web::Data<AppState>,
    body: ApiJson<PasswordLoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let tokens = service::login_password(&state, &body.phone, SecretString::from(body.password)).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Log in from the WeChat mini-program with the `wx.login` code.
#[utoipa::path(
    tag = "auth",
    request_body = WechatLoginRequest,
    responses(
        (status = 200, description = "Logged in; first login creates a resident account", body = TokenView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`wechat_code_invalid` (WeChat 40029 / 40163)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`wechat_user_blocked` (40226) or `account_disabled`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "`wechat_rate_limited` (45011)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 502, description = "`wechat_error`: another WeChat error code", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "`wechat_not_configured` or `wechat_unavailable`", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login/wechat")]
async fn login_wechat(state: web::Data<AppState>, body: ApiJson<WechatLoginRequest>) -> Result<HttpResponse, ApiError> {
    let tokens = service::login_wechat(&state, &body.0.code).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchange a refresh token for a new access and refresh token.
///
/// Each refresh token works once. Presenting a spent one revokes every token of that login.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenView),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`refresh_token_invalid` or `refresh_token_reused`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "`account_disabled`", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
async fn refresh_token(state: web::Data<AppState>, body: ApiJson<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let tokens = service::refresh(&state, &body.0.refresh_token).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Log out: revoke the session the refresh token belongs to. Idempotent.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Session revoked (or already gone)"),
        (status = 400, description = "Malformed body", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
async fn logout(state: web::Data<AppState>, body: ApiJson<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    service::logout(&state, &body.0.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account and roles.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller", body = UserView),
        (status = 401, description = "`missing_token`, `invalid_token` or `token_expired`", body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
async fn get_me(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::me(&state, user.id).await?))
}
