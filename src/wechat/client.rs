//! WeChat API client. Mini-program login: `GET /sns/jscode2session`.
//!
//! Answers are JSON; errors come back with HTTP 200 and a non-zero `errcode`, so every call
//! looks at `errcode` before trusting the rest.

use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::config::WechatSettings;

/// A WeChat API client bound to `wechat.api_base`.
#[derive(Clone)]
pub struct WechatClient {
    http: reqwest::Client,
    base: String,
    mini_app_id: String,
    mini_app_secret: SecretString,
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
        40029 => "invalid code",
        40125 => "invalid AppSecret",
        40163 => "code already used",
        40226 => "high-risk user, login blocked",
        42001 => "access_token expired",
        45011 => "API call frequency limit",
        _ => "see WeChat global return codes",
    }
}

impl WechatClient {
    /// A client from settings.
    pub fn new(settings: &WechatSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .build()
            .context("building the WeChat HTTP client")?;
        Ok(Self {
            http,
            base: settings.api_base.trim_end_matches('/').to_owned(),
            mini_app_id: settings.miniprogram.app_id.clone(),
            mini_app_secret: settings.miniprogram.app_secret.clone(),
        })
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
