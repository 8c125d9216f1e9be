//! Login, token rotation and account creation. One function per use case; each returns a
//! typed [`AuthError`] that the routes turn into the API's error shape.

use std::time::Duration;

use actix_web::http::StatusCode;
use anyhow::Context;
use chrono::{DateTime, Utc};
use entity::{refresh_token, ticket, ticket_follower, user, user_role, wechat_binding};
use rand::RngCore;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    dto::{RoleGrantView, TokenView, UserView},
    password,
    sms::SmsError,
    Phone, Role,
};
use crate::{
    error::{ApiError, FieldError},
    infra::{db::is_unique_violation, rate_limit::Decision},
    state::AppState,
    wechat::WechatApiError,
};

/// Why an auth use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The phone number does not parse.
    #[error("invalid phone number")]
    InvalidPhone,
    /// SMS code problems.
    #[error(transparent)]
    Sms(#[from] SmsError),
    /// Unknown phone or wrong password (deliberately not told apart).
    #[error("phone or password is wrong")]
    InvalidCredentials,
    /// Too many failed password logins.
    #[error("too many failed logins")]
    TooManyFailures {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The account is disabled.
    #[error("this account is disabled")]
    Disabled,
    /// Refresh token unknown, expired or revoked.
    #[error("refresh token invalid")]
    RefreshInvalid,
    /// A spent refresh token came back: the family is revoked.
    #[error("refresh token reused")]
    RefreshReused,
    /// WeChat login failed.
    #[error(transparent)]
    Wechat(#[from] WechatApiError),
    /// A user with that phone exists already.
    #[error("phone already registered")]
    PhoneTaken,
    /// The password is too short.
    #[error("password too short")]
    WeakPassword,
    /// Something unexpected.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for AuthError {
    fn from(e: sea_orm::DbErr) -> Self {
        AuthError::Unexpected(anyhow::Error::new(e).context("auth database access"))
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidPhone => ApiError::validation(vec![FieldError::new(
                "phone",
                "invalid_phone",
                super::phone::InvalidPhone.to_string(),
            )]),
            AuthError::Sms(SmsError::Disabled) => {
                ApiError::unavailable("sms_unavailable", "SMS login is not available; use WeChat or a password")
            }
            AuthError::Sms(e @ SmsError::TooSoon { retry_after_secs }) => {
                ApiError::too_many_requests("sms_code_too_soon", e.to_string(), retry_after_secs)
            }
            AuthError::Sms(e @ SmsError::TooMany { retry_after_secs }) => {
                ApiError::too_many_requests("sms_code_limit", e.to_string(), retry_after_secs)
            }
            AuthError::Sms(e @ SmsError::NoCode) => ApiError::unauthenticated("sms_code_invalid", e.to_string()),
            AuthError::Sms(e @ SmsError::Wrong { .. }) => ApiError::unauthenticated("sms_code_wrong", e.to_string()),
            AuthError::InvalidCredentials => {
                ApiError::unauthenticated("invalid_credentials", "the phone or the password is wrong")
            }
            AuthError::TooManyFailures { retry_after_secs } => ApiError::too_many_requests(
                "too_many_login_failures",
                "too many failed logins for this phone; wait before trying again",
                retry_after_secs,
            ),
            AuthError::Disabled => ApiError::new(StatusCode::FORBIDDEN, "account_disabled", "this account is disabled"),
            AuthError::RefreshInvalid => {
                ApiError::unauthenticated("refresh_token_invalid", "the refresh token is unknown, expired or revoked")
            }
            AuthError::RefreshReused => ApiError::unauthenticated(
                "refresh_token_reused",
                "this refresh token was already used; the session is revoked, log in again",
            ),
            AuthError::Wechat(e) => wechat_error(e),
            AuthError::PhoneTaken => ApiError::conflict("phone_taken", "an account with this phone exists"),
            AuthError::WeakPassword => ApiError::validation(vec![FieldError::new(
                "password",
                "password_too_short",
                format!("use at least {} characters", password::MIN_LEN),
            )]),
            AuthError::Unexpected(e) => ApiError::internal(e),
        }
    }
}

fn wechat_error(e: WechatApiError) -> ApiError {
    match e {
        WechatApiError::NotConfigured => {
            ApiError::unavailable("wechat_not_configured", "WeChat login is not set up on this server")
        }
        WechatApiError::Api { errcode: 40029 | 40163, .. } => ApiError::unauthenticated(
            "wechat_code_invalid",
            "the WeChat login code is invalid or used; call wx.login again",
        ),
        WechatApiError::Api { errcode: 45011, .. } => {
            ApiError::too_many_requests("wechat_rate_limited", "WeChat is limiting logins; try again shortly", 60)
        }
        WechatApiError::Api { errcode: 40226, .. } => {
            ApiError::new(StatusCode::FORBIDDEN, "wechat_user_blocked", "WeChat marked this account as high risk")
        }
        WechatApiError::Api { errcode: -1, .. } => {
            ApiError::unavailable("wechat_unavailable", "WeChat is busy; try again").with_retry_after(5)
        }
        e @ WechatApiError::Api { .. } => {
            ApiError::new(StatusCode::BAD_GATEWAY, "wechat_error", "WeChat refused the login; try again later")
                .with_source(e.into())
        }
        e @ WechatApiError::Transport(_) => {
            ApiError::unavailable("wechat_unavailable", "WeChat could not be reached; try again").with_source(e.into())
        }
    }
}

/// Sends an SMS login code.
pub async fn request_sms_code(state: &AppState, phone: &str, client: &str) -> Result<(), AuthError> {
    let phone = Phone::parse(phone).map_err(|_| AuthError::InvalidPhone)?;
    state.sms().issue(&phone, client).await??;
    Ok(())
}

/// Logs in with an SMS code, creating a resident account on first login.
pub async fn login_sms(state: &AppState, phone: &str, code: &str) -> Result<TokenView, AuthError> {
    let phone = Phone::parse(phone).map_err(|_| AuthError::InvalidPhone)?;
    state.sms().verify(&phone, code).await??;
    let now = state.clock().now();
    let existing = user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(state.db()).await?;
    let account = match existing {
        Some(u) => u,
        None => match insert_user(state.db(), Some(&phone), "居民", None, Role::Resident, now).await {
            Ok(u) => u,
            // Two first logins at once: the other request created it.
            Err(AuthError::PhoneTaken) => user::Entity::find()
                .filter(user::Column::Phone.eq(phone.as_str()))
                .one(state.db())
                .await?
                .context("user vanished after a concurrent insert")?,
            Err(e) => return Err(e),
        },
    };
    start_session(state, account, now).await
}

/// Logs in with a password (staff accounts).
pub async fn login_password(state: &AppState, phone: &str, secret: SecretString) -> Result<TokenView, AuthError> {
    let phone = Phone::parse(phone).map_err(|_| AuthError::InvalidPhone)?;
    let settings = &state.settings().auth;
    let key = format!("login:fail:{}", phone.as_str());
    let limiter = &state.backends().limiter;
    if let Decision::Limited { retry_after_secs } = limiter.check(&key, settings.login_max_failures).await? {
        return Err(AuthError::TooManyFailures { retry_after_secs });
    }
    let account = user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(state.db()).await?;
    let stored = account.as_ref().and_then(|u| u.password_hash.clone());
    if !password::verify(secret, stored).await? {
        let window = Duration::from_secs(settings.login_failure_window_secs);
        limiter.hit(&key, settings.login_max_failures, window).await?;
        return Err(AuthError::InvalidCredentials);
    }
    let account = account.ok_or(AuthError::InvalidCredentials)?;
    limiter.reset(&key).await?;
    start_session(state, account, state.clock().now()).await
}

/// Logs in with a mini-program `wx.login` code, binding the openid to an account.
pub async fn login_wechat(state: &AppState, code: &str) -> Result<TokenView, AuthError> {
    let client = state.wechat();
    let app_id = client.mini_app_id().ok_or(WechatApiError::NotConfigured)?.to_owned();
    let session = client.code2session(code).await?;
    let now = state.clock().now();
    let account = resident_for_openid(state, &app_id, &session.openid, session.unionid.as_deref()).await?;
    start_session(state, account, now).await
}

/// The account bound to `openid` of WeChat application `app_id`; on first contact a new resident
/// (no phone) is created and bound. Concurrent first contacts end with one account.
pub async fn resident_for_openid(
    state: &AppState,
    app_id: &str,
    openid: &str,
    unionid: Option<&str>,
) -> Result<user::Model, AuthError> {
    let now = state.clock().now();
    for _ in 0..2 {
        if let Some(binding) = find_binding(state, app_id, openid).await? {
            let account = user::Entity::find_by_id(binding.user_id)
                .one(state.db())
                .await?
                .context("binding points at a missing user")?;
            return Ok(account);
        }
        let txn = state.db().begin().await?;
        let account = insert_user(&txn, None, "微信用户", None, Role::Resident, now).await?;
        let bound = wechat_binding::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(account.id),
            app_id: Set(app_id.to_owned()),
            openid: Set(openid.to_owned()),
            unionid: Set(unionid.map(str::to_owned)),
            created_at: Set(now),
        }
        .insert(&txn)
        .await;
        match bound {
            Ok(_) => {
                txn.commit().await?;
                return Ok(account);
            }
            // Lost a race with a concurrent first contact: use the winner's binding.
            Err(e) if is_unique_violation(&e) => txn.rollback().await?,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AuthError::Unexpected(anyhow::anyhow!("could not bind WeChat openid")))
}

/// Binds `phone` (proved by its SMS code) to a WeChat resident's account, so the app (SMS login)
/// and WeChat are the same person. Without another account on that phone, the phone is set on this
/// one. With one (the person used the app first), this account's WeChat bindings, reports and
/// follows move to it in one transaction and this account is disabled. Returns the account the
/// person is from now on.
pub async fn bind_phone(state: &AppState, account: Uuid, phone: &str, code: &str) -> Result<user::Model, AuthError> {
    let phone = Phone::parse(phone).map_err(|_| AuthError::InvalidPhone)?;
    state.sms().verify(&phone, code).await??;
    let now = state.clock().now();
    let txn = state.db().begin().await?;
    let me = user::Entity::find_by_id(account).one(&txn).await?.context("binding a phone to a missing account")?;
    match me.phone.as_deref() {
        Some(p) if p == phone.as_str() => return Ok(me),
        Some(_) => return Err(AuthError::PhoneTaken),
        None => {}
    }
    let Some(other) = user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(&txn).await? else {
        let mut row: user::ActiveModel = me.into();
        row.phone = Set(Some(phone.as_str().to_owned()));
        row.updated_at = Set(now);
        let updated =
            row.update(&txn)
                .await
                .map_err(|e| if is_unique_violation(&e) { AuthError::PhoneTaken } else { e.into() })?;
        txn.commit().await?;
        return Ok(updated);
    };
    if other.disabled {
        return Err(AuthError::Disabled);
    }
    wechat_binding::Entity::update_many()
        .col_expr(wechat_binding::Column::UserId, Expr::value(other.id))
        .filter(wechat_binding::Column::UserId.eq(me.id))
        .exec(&txn)
        .await?;
    // The reporter of a ticket is who the person is; no workflow state changes.
    ticket::Entity::update_many()
        .col_expr(ticket::Column::ReporterId, Expr::value(other.id))
        .filter(ticket::Column::ReporterId.eq(me.id))
        .exec(&txn)
        .await?;
    let follows = ticket_follower::Entity::find().filter(ticket_follower::Column::UserId.eq(me.id)).all(&txn).await?;
    for f in follows {
        ticket_follower::Entity::insert(ticket_follower::ActiveModel {
            ticket_id: Set(f.ticket_id),
            user_id: Set(other.id),
            source: Set(f.source.clone()),
            created_at: Set(f.created_at),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                ticket_follower::Column::TicketId,
                ticket_follower::Column::UserId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    ticket_follower::Entity::delete_many().filter(ticket_follower::Column::UserId.eq(me.id)).exec(&txn).await?;
    user::Entity::update_many()
        .col_expr(user::Column::Disabled, Expr::value(true))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(me.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(user.id = %other.id, merged = %me.id, "WeChat account merged into the phone's account");
    Ok(other)
}

async fn find_binding(
    state: &AppState,
    app_id: &str,
    openid: &str,
) -> Result<Option<wechat_binding::Model>, AuthError> {
    Ok(wechat_binding::Entity::find()
        .filter(wechat_binding::Column::AppId.eq(app_id))
        .filter(wechat_binding::Column::Openid.eq(openid))
        .one(state.db())
        .await?)
}

/// Swaps a refresh token for a new pair; a reused token revokes its whole family.
pub async fn refresh(state: &AppState, token: &str) -> Result<TokenView, AuthError> {
    let now = state.clock().now();
    let db = state.db();
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .ok_or(AuthError::RefreshInvalid)?;
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(AuthError::RefreshInvalid);
    }
    // Claim the token: only one request can flip used_at from NULL.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        revoke_family(db, row.family_id, now).await?;
        tracing::warn!(user.id = %row.user_id, "refresh token reused: session family revoked");
        return Err(AuthError::RefreshReused);
    }
    let account = user::Entity::find_by_id(row.user_id).one(db).await?.ok_or(AuthError::RefreshInvalid)?;
    if account.disabled {
        revoke_family(db, row.family_id, now).await?;
        return Err(AuthError::Disabled);
    }
    issue_tokens(state, account, row.family_id, now).await
}

/// A new access token for the owner of a refresh token spent moments ago, without rotating again
/// (the web layer's grace for parallel requests of one browser that all held the old token). The
/// token must be spent, unrevoked and unexpired, and the account enabled.
pub async fn reissue_access(state: &AppState, spent_token: &str) -> Result<String, AuthError> {
    let now = state.clock().now();
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(spent_token)))
        .one(state.db())
        .await?
        .ok_or(AuthError::RefreshInvalid)?;
    if row.used_at.is_none() || row.revoked_at.is_some() || row.expires_at <= now {
        return Err(AuthError::RefreshInvalid);
    }
    let account = user::Entity::find_by_id(row.user_id).one(state.db()).await?.ok_or(AuthError::RefreshInvalid)?;
    if account.disabled {
        return Err(AuthError::Disabled);
    }
    let view = user_view(state.db(), account).await?;
    let roles: Vec<Role> = view.roles.iter().map(|g| g.role).collect();
    Ok(state.jwt().issue(view.id, roles, now)?)
}

/// Revokes the session a refresh token belongs to. Unknown tokens are ignored (idempotent).
pub async fn logout(state: &AppState, token: &str) -> Result<(), AuthError> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
        .one(state.db())
        .await?;
    if let Some(row) = row {
        revoke_family(state.db(), row.family_id, state.clock().now()).await?;
    }
    Ok(())
}

/// The caller's own account.
pub async fn me(state: &AppState, id: Uuid) -> Result<UserView, ApiError> {
    let account = user::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| ApiError::unauthenticated("user_not_found", "the account no longer exists"))?;
    Ok(user_view(state.db(), account).await?)
}

/// Sets the language the account is spoken to in (the bot's replies): a BCP 47 tag such as
/// `zh-CN` or `en-US`. Writes nothing when it is already that.
pub async fn set_locale<C: ConnectionTrait>(db: &C, id: Uuid, tag: &str) -> Result<(), sea_orm::DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::Locale, Expr::value(tag))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::Locale.ne(tag))
        .exec(db)
        .await?;
    Ok(())
}

/// Creates an account with a role (CLI `create-user`, admin tools).
pub async fn create_user(
    state: &AppState,
    phone: &str,
    display_name: &str,
    secret: Option<SecretString>,
    role: Role,
) -> Result<UserView, AuthError> {
    let phone = Phone::parse(phone).map_err(|_| AuthError::InvalidPhone)?;
    // Refuse a taken phone before spending a password hash on it (the unique index still
    // settles races).
    if user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(state.db()).await?.is_some() {
        return Err(AuthError::PhoneTaken);
    }
    let hash = match secret {
        Some(s) => {
            if secrecy::ExposeSecret::expose_secret(&s).chars().count() < password::MIN_LEN {
                return Err(AuthError::WeakPassword);
            }
            Some(password::hash(s).await?)
        }
        None => None,
    };
    let account = insert_user(state.db(), Some(&phone), display_name, hash, role, state.clock().now()).await?;
    Ok(user_view(state.db(), account).await?)
}

/// Inserts an account with an already computed password hash (bulk seeding).
pub async fn insert_user_hashed<C: ConnectionTrait>(
    db: &C,
    phone: &Phone,
    display_name: &str,
    password_hash: Option<String>,
    role: Role,
) -> Result<user::Model, AuthError> {
    insert_user(db, Some(phone), display_name, password_hash, role, Utc::now()).await
}

async fn insert_user<C: ConnectionTrait>(
    db: &C,
    phone: Option<&Phone>,
    display_name: &str,
    password_hash: Option<String>,
    role: Role,
    now: DateTime<Utc>,
) -> Result<user::Model, AuthError> {
    let account = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        phone: Set(phone.map(|p| p.as_str().to_owned())),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash),
        disabled: Set(false),
        locale: Set("zh-CN".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| if is_unique_violation(&e) { AuthError::PhoneTaken } else { e.into() })?;
    user_role::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(account.id),
        role: Set(role.as_str().to_owned()),
        department_id: Set(None),
        region_id: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(account)
}

async fn start_session(state: &AppState, account: user::Model, now: DateTime<Utc>) -> Result<TokenView, AuthError> {
    if account.disabled {
        return Err(AuthError::Disabled);
    }
    issue_tokens(state, account, Uuid::now_v7(), now).await
}

async fn issue_tokens(
    state: &AppState,
    account: user::Model,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<TokenView, AuthError> {
    let view = user_view(state.db(), account).await?;
    let roles: Vec<Role> = view.roles.iter().map(|g| g.role).collect();
    let access_token = state.jwt().issue(view.id, roles, now)?;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let refresh_token = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw);
    let days = i64::try_from(state.settings().auth.refresh_token_ttl_days).unwrap_or(30);
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(view.id),
        family_id: Set(family_id),
        token_hash: Set(hash_token(&refresh_token)),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::days(days)),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(state.db())
    .await?;
    Ok(TokenView { access_token, token_type: "Bearer", expires_in: state.jwt().ttl_secs(), refresh_token, user: view })
}

async fn revoke_family<C: ConnectionTrait>(db: &C, family_id: Uuid, now: DateTime<Utc>) -> Result<(), sea_orm::DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn user_view<C: ConnectionTrait>(db: &C, account: user::Model) -> Result<UserView, sea_orm::DbErr> {
    let grants = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(account.id))
        .order_by_asc(user_role::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(UserView {
        id: account.id,
        phone: account.phone,
        display_name: account.display_name,
        locale: account.locale,
        roles: grants
            .into_iter()
            .filter_map(|g| {
                Some(RoleGrantView {
                    role: Role::parse(&g.role)?,
                    department_id: g.department_id,
                    region_id: g.region_id,
                })
            })
            .collect(),
        created_at: account.created_at,
    })
}

/// SHA-256 of a refresh token, hex (how refresh tokens are stored and named in keys).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
