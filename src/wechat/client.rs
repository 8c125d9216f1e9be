//! WeChat API client. Mini-program login: `GET /sns/jscode2session`. Official account:
//! `access_token` (`GET /cgi-bin/token`), media download (`GET /cgi-bin/media/get`),
//! customer-service messages (`POST /cgi-bin/message/custom/send`) and template messages
//! (`POST /cgi-bin/message/template/send`).
//!
//! Answers are JSON; errors come back with HTTP 200 and a non-zero `errcode`, so every call
//! looks at `errcode` before trusting the rest.
//!
//! The `access_token` is shared by every instance through the key-value store
//! (`wechat:access_token:{appid}`), kept until five minutes before WeChat's expiry. One instance
//! refreshes at a time (the lock `wechat:token:{appid}`); the others wait for its result. A call
//! answered 40001/42001 (token invalid or expired) drops that token, refreshes once and retries.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::{
    config::WechatSettings,
    infra::{lock::Locks, KvStore},
};

/// Refresh this long before WeChat says the token expires.
const TOKEN_MARGIN_SECS: u64 = 300;
/// How long a refresh may hold the lock.
const REFRESH_LOCK_TTL: Duration = Duration::from_secs(15);

/// A WeChat API client bound to `wechat.api_base`.
#[derive(Clone)]
pub struct WechatClient {
    http: reqwest::Client,
    base: String,
    mini_app_id: String,
    mini_app_secret: SecretString,
    app_id: String,
    app_secret: SecretString,
    kv: Arc<dyn KvStore>,
    locks: Locks,
    refresh_wait: Duration,
}

/// The identity `jscode2session` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiniSession {
    /// The user's id within the mini-program.
    pub openid: String,
    /// The user's id across the developer's apps, when bound to an open platform account.
    pub unionid: Option<String>,
}

/// Failures of a WeChat API call.
#[derive(Debug, thiserror::Error)]
pub enum WechatApiError {
    /// The feature has no AppID configured.
    #[error("WeChat is not configured")]
    NotConfigured,
    /// WeChat answered with an error code.
    #[error("WeChat error {errcode}: {errmsg}")]
    Api {
        /// `errcode` from the answer.
        errcode: i64,
        /// `errmsg` from the answer.
        errmsg: String,
    },
    /// The call did not complete or the answer was not understood.
    #[error("WeChat API unreachable or answered nonsense")]
    Transport(#[source] anyhow::Error),
}

impl WechatApiError {
    /// Whether trying again later may help (transport failures, system busy, rate limits).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::NotConfigured => false,
            Self::Transport(_) => true,
            Self::Api { errcode, .. } => matches!(errcode, -1 | 40001 | 42001 | 45009 | 45011 | 45047),
        }
    }
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

#[derive(Deserialize)]
struct Code2SessionAnswer {
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    unionid: Option<String>,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// What an `errcode` means, for logs.
pub fn errcode_meaning(errcode: i64) -> &'static str {
    match errcode {
        -1 => "system busy, retry later",
        40001 => "access_token invalid or not latest",
        40013 => "invalid AppID",
        40003 => "invalid openid",
        40007 => "invalid media_id",
        40029 => "invalid code",
        40037 => "invalid template_id",
        41001 => "access_token missing",
        43004 => "the user does not follow the account",
        45009 => "daily API quota reached",
        45015 => "reply window passed (48 hours since the user's last message)",
        45047 => "too many customer-service messages to one user",
        40125 => "invalid AppSecret",
        40163 => "code already used",
        40226 => "high-risk user, login blocked",
        42001 => "access_token expired",
        45011 => "API call frequency limit",
        _ => "see WeChat global return codes",
    }
}

impl WechatClient {
    /// A client from settings; the `access_token` is cached in `kv` and refreshed under `locks`.
    pub fn new(settings: &WechatSettings, kv: Arc<dyn KvStore>, locks: Locks) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .build()
            .context("building the WeChat HTTP client")?;
        Ok(Self {
            http,
            base: settings.api_base.trim_end_matches('/').to_owned(),
            mini_app_id: settings.miniprogram.app_id.clone(),
            mini_app_secret: settings.miniprogram.app_secret.clone(),
            app_id: settings.app_id.clone(),
            app_secret: settings.app_secret.clone(),
            kv,
            locks,
            refresh_wait: Duration::from_secs(settings.timeout_secs.saturating_add(2)),
        })
    }

    /// The official account AppID, if configured.
    pub fn app_id(&self) -> Option<&str> {
        (!self.app_id.is_empty()).then_some(self.app_id.as_str())
    }

    fn token_key(&self) -> String {
        format!("wechat:access_token:{}", self.app_id)
    }

    /// The official account's `access_token`: the shared cached one, or a fresh one.
    pub async fn access_token(&self) -> Result<String, WechatApiError> {
        self.app_id().ok_or(WechatApiError::NotConfigured)?;
        if let Some(token) = self.kv.get(&self.token_key()).await.map_err(WechatApiError::Transport)? {
            return Ok(token);
        }
        self.refresh_token(None).await
    }

    /// Gets a new token unless another caller already replaced `stale`; one refresh at a time
    /// across instances, the others wait for its result.
    async fn refresh_token(&self, stale: Option<&str>) -> Result<String, WechatApiError> {
        let key = self.token_key();
        let deadline = tokio::time::Instant::now() + self.refresh_wait;
        let mut pause = Duration::from_millis(10);
        loop {
            let current = self.kv.get(&key).await.map_err(WechatApiError::Transport)?;
            if let Some(token) = current.filter(|t| Some(t.as_str()) != stale) {
                return Ok(token);
            }
            let lock = format!("wechat:token:{}", self.app_id);
            if let Some(guard) =
                self.locks.try_acquire(&lock, REFRESH_LOCK_TTL).await.map_err(WechatApiError::Transport)?
            {
                let result = self.fetch_token(&key, stale).await;
                if let Err(e) = self.locks.release(guard).await {
                    tracing::warn!(error = %format!("{e:#}"), "releasing the WeChat token lock failed (it expires)");
                }
                return result;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(WechatApiError::Transport(anyhow::anyhow!("waited too long for an access_token refresh")));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// Under the refresh lock: asks `/cgi-bin/token` (unless the token changed meanwhile) and caches it.
    async fn fetch_token(&self, key: &str, stale: Option<&str>) -> Result<String, WechatApiError> {
        if let Some(token) = self.kv.get(key).await.map_err(WechatApiError::Transport)? {
            if Some(token.as_str()) != stale {
                return Ok(token);
            }
        }
        let answer: TokenAnswer = self
            .http
            .get(format!("{}/cgi-bin/token", self.base))
            .query(&[
                ("grant_type", "client_credential"),
                ("appid", self.app_id.as_str()),
                ("secret", self.app_secret.expose_secret()),
            ])
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| WechatApiError::Transport(e.into()))?
            .json()
            .await
            .map_err(|e| WechatApiError::Transport(e.into()))?;
        if answer.errcode != 0 {
            tracing::warn!(
                wechat.errcode = answer.errcode,
                wechat.meaning = errcode_meaning(answer.errcode),
                "access_token refused"
            );
            return Err(WechatApiError::Api { errcode: answer.errcode, errmsg: answer.errmsg });
        }
        let token = answer
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| WechatApiError::Transport(anyhow::anyhow!("token answer without access_token")))?;
        let ttl = answer.expires_in.unwrap_or(7200).saturating_sub(TOKEN_MARGIN_SECS).max(60);
        self.kv.set(key, &token, Duration::from_secs(ttl)).await.map_err(WechatApiError::Transport)?;
        tracing::info!(ttl_secs = ttl, "WeChat access_token refreshed");
        Ok(token)
    }

    /// Runs `call` with the token; on 40001/42001 drops it, refreshes once and runs it again.
    async fn with_token<T, F, Fut>(&self, what: &'static str, call: F) -> Result<T, WechatApiError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, WechatApiError>>,
    {
        let token = self.access_token().await?;
        match call(token.clone()).await {
            Err(WechatApiError::Api { errcode: code @ (40001 | 42001), .. }) => {
                tracing::info!(
                    wechat.errcode = code,
                    wechat.meaning = errcode_meaning(code),
                    api = what,
                    "refreshing access_token"
                );
                let _ = self.kv.delete_if_eq(&self.token_key(), &token).await;
                let fresh = self.refresh_token(Some(&token)).await?;
                log_failure(what, call(fresh).await)
            }
            other => log_failure(what, other),
        }
    }

    /// Downloads a temporary media file (`/cgi-bin/media/get`).
    pub async fn media_get(&self, media_id: &str, max_bytes: usize) -> Result<Bytes, WechatApiError> {
        self.with_token("media/get", |token| async move {
            let res = self
                .http
                .get(format!("{}/cgi-bin/media/get", self.base))
                .query(&[("access_token", token.as_str()), ("media_id", media_id)])
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| WechatApiError::Transport(e.into()))?;
            let json = res
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("json") || v.starts_with("text/"));
            if res.content_length().is_some_and(|n| n > max_bytes as u64) {
                return Err(WechatApiError::Transport(anyhow::anyhow!("media larger than {max_bytes} bytes")));
            }
            let body = res.bytes().await.map_err(|e| WechatApiError::Transport(e.into()))?;
            if json {
                let status: Status = serde_json::from_slice(&body).map_err(|e| WechatApiError::Transport(e.into()))?;
                return Err(WechatApiError::Api { errcode: status.errcode, errmsg: status.errmsg });
            }
            if body.len() > max_bytes {
                return Err(WechatApiError::Transport(anyhow::anyhow!("media larger than {max_bytes} bytes")));
            }
            Ok(body)
        })
        .await
    }

    /// Sends a customer-service message (`/cgi-bin/message/custom/send`), e.g.
    /// `{"touser": openid, "msgtype": "text", "text": {"content": "…"}}`.
    pub async fn send_custom(&self, message: &serde_json::Value) -> Result<(), WechatApiError> {
        self.with_token("message/custom/send", |token| self.post_status("/cgi-bin/message/custom/send", token, message))
            .await
    }

    /// Sends a template message (`/cgi-bin/message/template/send`).
    pub async fn send_template(&self, message: &serde_json::Value) -> Result<(), WechatApiError> {
        self.with_token("message/template/send", |token| {
            self.post_status("/cgi-bin/message/template/send", token, message)
        })
        .await
    }

    async fn post_status(&self, path: &str, token: String, body: &serde_json::Value) -> Result<(), WechatApiError> {
        let status: Status = self
            .http
            .post(format!("{}{path}", self.base))
            .query(&[("access_token", token.as_str())])
            .json(body)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| WechatApiError::Transport(e.into()))?
            .json()
            .await
            .map_err(|e| WechatApiError::Transport(e.into()))?;
        if status.errcode != 0 {
            return Err(WechatApiError::Api { errcode: status.errcode, errmsg: status.errmsg });
        }
        Ok(())
    }

    /// The mini-program AppID, if configured.
    pub fn mini_app_id(&self) -> Option<&str> {
        (!self.mini_app_id.is_empty()).then_some(self.mini_app_id.as_str())
    }

    /// Exchanges a `wx.login` code for the user's openid.
    pub async fn code2session(&self, code: &str) -> Result<MiniSession, WechatApiError> {
        let app_id = self.mini_app_id().ok_or(WechatApiError::NotConfigured)?;
        let answer: Code2SessionAnswer = self
            .http
            .get(format!("{}/sns/jscode2session", self.base))
            .query(&[
                ("appid", app_id),
                ("secret", self.mini_app_secret.expose_secret()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| WechatApiError::Transport(e.into()))?
            .json()
            .await
            .map_err(|e| WechatApiError::Transport(e.into()))?;
        if answer.errcode != 0 {
            tracing::warn!(
                wechat.errcode = answer.errcode,
                wechat.meaning = errcode_meaning(answer.errcode),
                "jscode2session refused"
            );
            return Err(WechatApiError::Api { errcode: answer.errcode, errmsg: answer.errmsg });
        }
        match answer.openid {
            Some(openid) if !openid.is_empty() => Ok(MiniSession { openid, unionid: answer.unionid }),
            _ => Err(WechatApiError::Transport(anyhow::anyhow!("jscode2session answered without openid"))),
        }
    }
}

fn log_failure<T>(what: &'static str, result: Result<T, WechatApiError>) -> Result<T, WechatApiError> {
    match &result {
        Err(WechatApiError::Api { errcode, errmsg }) => tracing::warn!(
            api = what,
            wechat.errcode = *errcode,
            wechat.errmsg = %errmsg,
            wechat.meaning = errcode_meaning(*errcode),
            "WeChat API refused"
        ),
        Err(e @ WechatApiError::Transport(_)) => {
            tracing::warn!(api = what, error = %format!("{:#}", anyhow::anyhow!("{e}")), "WeChat API unreachable");
        }
        _ => {}
    }
    result
}
