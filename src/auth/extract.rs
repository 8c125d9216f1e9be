//! `CurrentUser`: the caller, from `Authorization: Bearer <access token>`, or from the web pages'
//! access cookie under the CSRF rules of [`super::cookie`].

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use uuid::Uuid;

use super::{jwt::TokenError, Role};
use crate::{error::ApiError, state::AppState};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// User id.
    pub id: Uuid,
    /// Roles in the token.
    pub roles: Vec<Role>,
}

impl CurrentUser {
    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// 403 unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!("this needs one of the roles: {}", names.join(", "))))
        }
    }
}

impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map_err(Into::into))
    }
}

/// The caller from the request's bearer token, else from the access cookie (what the extractor
/// does, for handlers that only sometimes need a user).
pub fn authenticate(req: &HttpRequest) -> Result<CurrentUser, ApiError> {
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return super::cookie::authenticate(state, req);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthenticated("invalid_token", "the Authorization header must be `Bearer <token>`")
        })?;
    verify_access_token(state, token)
}

/// The caller from an access token given some other way than the header (a WebSocket URL's query).
pub fn verify_access_token(state: &AppState, token: &str) -> Result<CurrentUser, ApiError> {
    let claims = state.jwt().verify(token).map_err(|e| match e {
        TokenError::Expired => ApiError::unauthenticated("token_expired", "the access token has expired; refresh it"),
        TokenError::Invalid => ApiError::unauthenticated("invalid_token", "the access token is invalid"),
    })?;
    Ok(CurrentUser { id: claims.sub, roles: claims.roles })
}
