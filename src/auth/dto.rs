//! Wire types of the auth endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Role;

/// Ask for an SMS login code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSmsCodeRequest {
    /// Mainland mobile number, e.g. `13800138000` or `+86 138 0013 8000`.
    #[schema(example = "13800138000")]
    pub phone: String,
}

/// A code is on its way.
#[derive(Debug, Serialize, ToSchema)]
pub struct SmsCodeView {
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code can be requested.
    pub resend_after: u64,
}

/// Log in with the SMS code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsLoginRequest {
    /// The phone the code was sent to.
    #[schema(example = "13800138000")]
    pub phone: String,
    /// The 6-digit code.
    #[schema(example = "123456")]
    pub code: String,
}

/// Log in with a staff password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordLoginRequest {
    /// The account's phone.
    #[schema(example = "13900000001")]
    pub phone: String,
    /// The password.
    pub password: String,
}

/// Log in from the WeChat mini-program.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WechatLoginRequest {
    /// The `code` from `wx.login()`.
    pub code: String,
}

/// Exchange or revoke a refresh token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// A role held by the user, optionally limited to a department or region.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RoleGrantView {
    /// The role.
    pub role: Role,
    /// Department the role is limited to.
    pub department_id: Option<Uuid>,
    /// Region the role is limited to.
    pub region_id: Option<Uuid>,
}

/// A user as the user sees themselves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    /// User id.
    pub id: Uuid,
    /// Phone number, if the account has one.
    pub phone: Option<String>,
    /// Name shown to others.
    pub display_name: String,
    /// Preferred language, e.g. `zh-CN`.
    pub locale: String,
    /// Roles held.
    pub roles: Vec<RoleGrantView>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// The answer to every login and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Bearer token for `Authorization`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
    /// Opaque, single-use token for `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Who logged in.
    pub user: UserView,
}
