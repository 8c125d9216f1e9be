//! The official account (公众号) channel: WeChat's message callback, answered by the intake bot.
//!
//! A push: check `signature` (401 before the body is read) → read at most 64 KiB → in safe mode
//! check `msg_signature` over the `Encrypt` field (401) and decrypt it (AppID and padding checked,
//! 400) → parse the XML (no DTD, no entities; 400) → remember the push under its dedupe key
//! (`MsgId`, or `FromUserName` + `CreateTime` for events) → openid → resident (created on first
//! contact) → their `intake` conversation on channel `wechat` → the message posted through
//! `chat::service::send` with `client_msg_id = wx:<MsgId>` → the bot answers in the same request →
//! its messages after the inbound rendered as one passive text reply (cards as title, text and
//! numbered options, which the engine takes as button choices) → the reply stored under the dedupe
//! key, so a retried push is answered identically without being processed again.
//!
//! Photos take longer than WeChat's 5 seconds: the push is acknowledged at once and a background
//! task downloads the picture through the media API, runs the photo pipeline, posts it into the
//! conversation and sends the bot's answer as a customer-service message through the retried send
//! queue (`notifications::wechat`).

use std::time::Duration;

use actix_web::{get, post, web, HttpResponse};
use futures_util::StreamExt;
use rand::RngCore;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    auth::{
        service::{self as auth, AuthError},
        sms::SmsError,
        Phone,
    },
    chat::{
        dto::{Content, OpenConversationRequest, SendMessageRequest, Visibility},
        service as chat,
    },
    error::{ApiError, ProblemDetails},
    notifications::wechat as outbound,
    state::AppState,
    tickets::access::Viewer,
    wechat::protocol::{self, AesKey, Body, Message, ProtocolError},
};

/// Largest push accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Passive text replies are cut to this many bytes (WeChat's limit is 2048).
const MAX_REPLY_BYTES: usize = 2000;
/// How long a retried push waits for the first one's reply before answering `success`.
const RETRY_WAIT: Duration = Duration::from_millis(4000);
/// How long a reported position (`LOCATION` event) is remembered.
const POSITION_KEEP: Duration = Duration::from_secs(3600);
/// Marks a push being processed.
const PENDING: &str = "pending";

const PHOTO_RECEIVED: &str = "收到照片，正在处理，请稍候…";
const PHOTO_FAILED: &str = "抱歉，照片没有收到，请重新发送一次。";
const UNSUPPORTED: &str = "暂时只能看懂文字、语音、图片和位置。请用文字描述隐患，或发送现场照片、位置。";
const VOICE_UNCLEAR: &str = "没有听清这段语音，请用文字描述一下，谢谢。";
const BLANK: &str = "请用文字描述您看到的隐患。";
const BUSY: &str = "系统繁忙，请稍后再发一次。";
const BIND_HOW: &str = "绑定手机号请发送「绑定手机 您的手机号」，例如：绑定手机 13800000000";
/// How long a phone binding waits for its SMS code.
const BIND_WAIT: Duration = Duration::from_secs(600);

/// Mounts `GET` and `POST /wechat/callback`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(verify_server).service(receive_push);
}

/// What WeChat puts in the callback's query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// SHA-1 of the sorted token, timestamp and nonce.
    pub signature: Option<String>,
    /// Seconds since the epoch.
    pub timestamp: Option<String>,
    /// A random number.
    pub nonce: Option<String>,
    /// Server verification only: echoed back when the signature checks.
    pub echostr: Option<String>,
    /// The sender's openid (pushes).
    pub openid: Option<String>,
    /// `aes` in safe mode.
    pub encrypt_type: Option<String>,
    /// Safe mode: SHA-1 of the sorted token, timestamp, nonce and `Encrypt`.
    pub msg_signature: Option<String>,
}

fn not_configured() -> ApiError {
    ApiError::unavailable("wechat_not_configured", "the WeChat official account is not set up on this server")
}

fn bad_signature() -> ApiError {
    ApiError::unauthenticated("wechat_signature_invalid", "the WeChat signature does not match")
}

fn protocol_error(e: ProtocolError) -> ApiError {
    let code = match e {
        ProtocolError::Malformed(_) => "wechat_xml_malformed",
        ProtocolError::Doctype => "wechat_xml_doctype",
        ProtocolError::BadCiphertext => "wechat_decrypt_failed",
        ProtocolError::WrongAppId => "wechat_appid_mismatch",
        ProtocolError::BadKey => return ApiError::unavailable("wechat_not_configured", "invalid EncodingAESKey"),
    };
    ApiError::bad_request(code, e.to_string())
}

/// Checks `signature` over token, timestamp and nonce.
fn check_signature(state: &AppState, q: &CallbackQuery) -> Result<(), ApiError> {
    let settings = &state.settings().wechat;
    if settings.app_id.is_empty() {
        return Err(not_configured());
    }
    let token = settings.token.expose_secret();
    match (&q.signature, &q.timestamp, &q.nonce) {
        (Some(sig), Some(ts), Some(nonce)) if protocol::verify(&[token, ts, nonce], sig) => Ok(()),
        _ => Err(bad_signature()),
    }
}

/// WeChat's server verification: echoes `echostr` when `signature` checks.
#[utoipa::path(
    tag = "wechat",
    params(CallbackQuery),
    responses(
        (status = 200, description = "`echostr`, as plain text", body = String, content_type = "text/plain"),
        (status = 400, description = "`wechat_echostr_missing`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`wechat_signature_invalid`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "`wechat_not_configured`: no `wechat.app_id`", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/wechat/callback")]
async fn verify_server(state: web::Data<AppState>, q: web::Query<CallbackQuery>) -> Result<HttpResponse, ApiError> {
    check_signature(&state, &q)?;
    let echo = q.echostr.clone().ok_or_else(|| ApiError::bad_request("wechat_echostr_missing", "no echostr"))?;
    Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(echo))
}

/// A message or event pushed by WeChat (the official account's message callback).
///
/// The body is WeChat's XML (at most 64 KiB; no document type declaration or entities): in
/// plaintext mode the message itself, in safe mode (`encrypt_type=aes`) `<xml><ToUserName/>
/// <Encrypt/></xml>` signed by `msg_signature`. Answered within WeChat's 5 seconds with a passive
/// reply XML (`MsgType` text; in safe mode encrypted and signed: `<xml><Encrypt/><MsgSignature/>
/// <TimeStamp/><Nonce/></xml>`) or `success` when there is nothing to say. A retried push (same
/// `MsgId`, or `FromUserName` + `CreateTime` for events) gets the same reply and is processed once.
#[utoipa::path(
    tag = "wechat",
    params(CallbackQuery),
    request_body(content = String, content_type = "text/xml", description = "WeChat's push XML"),
    responses(
        (status = 200, description = "Passive reply XML, or `success`", body = String, content_type = "application/xml"),
        (status = 400, description = "`wechat_body_too_large` (over 64 KiB), `wechat_xml_malformed`, `wechat_xml_doctype` (DTD or entity), `wechat_decrypt_failed` (bad base64, block or padding), `wechat_appid_mismatch`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "`wechat_signature_invalid`: `signature` or `msg_signature` does not match", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "`wechat_not_configured`: no `wechat.app_id`, or safe mode without `wechat.encoding_aes_key`", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/wechat/callback")]
async fn receive_push(
    state: web::Data<AppState>,
    q: web::Query<CallbackQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_signature(&state, &q)?;
    let body = read_limited(payload, MAX_BODY_BYTES).await?;
    let xml = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("wechat_xml_malformed", "the body is not UTF-8"))?;
    let settings = &state.settings().wechat;
    let safe = q.encrypt_type.as_deref() == Some("aes");
    let key = if safe {
        let raw = settings.encoding_aes_key.expose_secret();
        if raw.is_empty() {
            return Err(ApiError::unavailable("wechat_not_configured", "safe mode needs wechat.encoding_aes_key"));
        }
        Some(AesKey::parse(raw).map_err(protocol_error)?)
    } else {
        None
    };
    let plain = match &key {
        Some(key) => {
            let envelope = protocol::parse_fields(xml).map_err(protocol_error)?;
            let encrypted = envelope
                .get("Encrypt")
                .ok_or_else(|| ApiError::bad_request("wechat_xml_malformed", "safe mode without Encrypt"))?;
            let (ts, nonce) = (q.timestamp.as_deref().unwrap_or(""), q.nonce.as_deref().unwrap_or(""));
            let given = q.msg_signature.as_deref().ok_or_else(bad_signature)?;
            if !protocol::verify(&[settings.token.expose_secret(), ts, nonce, encrypted], given) {
                return Err(bad_signature());
            }
            protocol::decrypt(key, &settings.app_id, encrypted).map_err(protocol_error)?
        }
        None => xml.to_owned(),
    };
    let message = protocol::parse_message(&plain).map_err(protocol_error)?;
    let reply = answer_once(&state, &message).await;
    let Some(text) = reply else {
        return Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("success"));
    };
    let now = state.clock().now().timestamp();
    let xml = protocol::text_reply(&message.from_user, &message.to_user, now, &text);
    let out = match &key {
        Some(key) => {
            let mut random = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut random);
            let encrypted = protocol::encrypt(key, &settings.app_id, &xml, random);
            let ts = q.timestamp.clone().unwrap_or_else(|| now.to_string());
            let nonce = q.nonce.clone().unwrap_or_default();
            protocol::encrypted_reply(&encrypted, settings.token.expose_secret(), &ts, &nonce)
        }
        None => xml,
    };
    Ok(HttpResponse::Ok().content_type("application/xml; charset=utf-8").body(out))
}

async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request("wechat_xml_malformed", e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::bad_request("wechat_body_too_large", format!("at most {limit} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// What a handled push answered (stored under its dedupe key).
#[derive(Debug, Serialize, Deserialize)]
struct Answered {
    reply: Option<String>,
}

/// Answers a push once: a retry (same dedupe key) gets the stored reply, or waits a little for it.
async fn answer_once(state: &AppState, message: &Message) -> Option<String> {
    let settings = &state.settings().wechat;
    let kv = &state.backends().kv;
    // The openid is part of the key, so a reply can never be served to another user.
    let key = format!("wechat:push:{}:{}:{}", settings.app_id, message.from_user, message.dedupe_key());
    let ttl = Duration::from_secs(settings.dedupe_secs);
    match kv.set_nx(&key, PENDING, ttl).await {
        Ok(true) => {}
        Ok(false) => return wait_for(state, &key).await,
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "WeChat dedupe store unavailable; answering anyway"),
    }
    match answer(state, message).await {
        Ok(reply) => {
            let stored = serde_json::to_string(&Answered { reply: reply.clone() }).unwrap_or_default();
            if let Err(e) = kv.set(&key, &stored, ttl).await {
                tracing::warn!(error = %format!("{e:#}"), "could not remember a WeChat reply");
            }
            reply
        }
        Err(e) => {
            // Not remembered: WeChat's retry runs it again (chat's client_msg_id keeps it single).
            tracing::error!(error = %e, wechat.openid = %message.from_user, "WeChat push failed");
            let _ = kv.delete(&key).await;
            Some(BUSY.to_owned())
        }
    }
}

async fn wait_for(state: &AppState, key: &str) -> Option<String> {
    let deadline = tokio::time::Instant::now() + RETRY_WAIT;
    let mut pause = Duration::from_millis(20);
    loop {
        match state.backends().kv.get(key).await {
            Ok(Some(v)) if v != PENDING => return serde_json::from_str::<Answered>(&v).ok().and_then(|a| a.reply),
            Ok(None) => return None,
            Ok(Some(_)) => {}
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "WeChat dedupe store unavailable");
                return None;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// Handles one push: `Some(text)` to reply with, `None` for nothing (`success`).
async fn answer(state: &AppState, message: &Message) -> Result<Option<String>, ApiError> {
    let app_id = state.settings().wechat.app_id.clone();
    let openid = &message.from_user;
    match &message.body {
        Body::Unsubscribe => {
            tracing::info!(wechat.openid = %openid, "unfollowed the official account");
            return Ok(None);
        }
        Body::ReportedLocation { lat, lng } => {
            let key = format!("wechat:position:{app_id}:{openid}");
            let value = serde_json::json!({"lat": lat, "lng": lng, "at": message.create_time}).to_string();
            state.backends().kv.set(&key, &value, POSITION_KEEP).await?;
            return Ok(None);
        }
        // Other events (VIEW, SCAN, template delivery reports, …) need no answer.
        Body::Other { kind } if kind.starts_with("event:") => return Ok(None),
        Body::Other { kind } => {
            tracing::info!(wechat.kind = %kind, "unsupported WeChat push answered politely");
            return Ok(Some(UNSUPPORTED.to_owned()));
        }
        Body::Voice { recognition: None, .. } => return Ok(Some(VOICE_UNCLEAR.to_owned())),
        Body::Text { content } if content.trim().is_empty() => return Ok(Some(BLANK.to_owned())),
        _ => {}
    }
    let user = auth::resident_for_openid(state, &app_id, openid, None).await?;
    let viewer = Viewer::load(state.db(), user.id).await?;
    if let Body::Text { content } = &message.body {
        if let Some(reply) = phone_command(state, &app_id, openid, user.id, content.trim()).await? {
            return Ok(Some(reply));
        }
    }
    let open = OpenConversationRequest::Intake { channel: Some("wechat".to_owned()) };
    let (conversation, created) = chat::open(state, &viewer, open).await?;
    let max = state.settings().chat.max_text_chars;
    let text = |t: &str| Content::Text { text: t.trim().chars().take(max).collect() };
    let content = match &message.body {
        Body::Text { content } => text(content),
        Body::Voice { recognition: Some(words), .. } => text(words),
        Body::Location { lat, lng, label, .. } => {
            Content::Location { lat: *lat, lng: *lng, label: label.as_ref().map(|l| l.chars().take(200).collect()) }
        }
        Body::Click { key } => text(&menu_value(key)),
        // A new conversation already greeted with the menu.
        Body::Subscribe if created => return bot_reply_after(state, conversation, 0).await,
        Body::Subscribe => text("#menu"),
        Body::Image { media_id, .. } => {
            let photo = Photo {
                openid: openid.clone(),
                media_id: media_id.clone(),
                client_msg_id: client_msg_id(message),
                conversation,
                viewer,
            };
            let state = state.clone();
            tokio::spawn(async move { photo.finish(&state).await });
            return Ok(Some(PHOTO_RECEIVED.to_owned()));
        }
        Body::Unsubscribe | Body::ReportedLocation { .. } | Body::Other { .. } | Body::Voice { .. } => {
            return Ok(None);
        }
    };
    let req = SendMessageRequest { client_msg_id: client_msg_id(message), visibility: Visibility::All, content };
    let (inbound, _) = chat::send(state, &viewer, conversation, req).await?;
    bot_reply_after(state, conversation, inbound.seq).await
}

/// `绑定手机 13800000000` sends an SMS code to the phone; the six digits sent back while one is
/// pending bind the phone to this resident (merging with the app account on that phone, if any).
async fn phone_command(
    state: &AppState,
    app_id: &str,
    openid: &str,
    user: Uuid,
    text: &str,
) -> Result<Option<String>, ApiError> {
    let key = format!("wechat:bindphone:{app_id}:{openid}");
    let kv = &state.backends().kv;
    if let Some(rest) = text.strip_prefix("绑定手机") {
        let number = rest.trim().trim_start_matches(['：', ':', '号']).trim();
        let Ok(phone) = Phone::parse(number) else { return Ok(Some(BIND_HOW.to_owned())) };
        let sent = state.sms().issue(&phone, &format!("wechat:{openid}")).await.map_err(ApiError::internal)?;
        return Ok(Some(match sent {
            Ok(()) => {
                kv.set(&key, phone.as_str(), BIND_WAIT).await?;
                format!("验证码已发送到{}，请在10分钟内直接回复6位验证码。", phone.masked())
            }
            Err(SmsError::TooSoon { retry_after_secs }) => format!("验证码刚发过，请{retry_after_secs}秒后再试。"),
            Err(SmsError::TooMany { .. }) => "获取验证码次数太多，请稍后再试。".to_owned(),
            Err(_) => "暂时不能发送短信验证码，请稍后再试。".to_owned(),
        }));
    }
    if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(phone) = kv.get(&key).await? {
            return Ok(Some(match auth::bind_phone(state, user, &phone, text).await {
                Ok(_) => {
                    kv.delete(&key).await?;
                    "手机号已绑定。用这个手机号登录APP，就能看到您在公众号上报的隐患。".to_owned()
                }
                Err(AuthError::Sms(_)) => {
                    "验证码不对或已失效。请重新回复验证码，或再发「绑定手机 号码」获取新的。".to_owned()
                }
                Err(AuthError::PhoneTaken) => "这个微信已绑定其他手机号。".to_owned(),
                Err(AuthError::Disabled) => "该手机号的账号已停用，请联系工作人员。".to_owned(),
                Err(e) => return Err(e.into()),
            }));
        }
    }
    Ok(None)
}

/// A menu key as the bot's choice value: `report` → `#report` (a key may carry its `#` already).
pub fn menu_value(key: &str) -> String {
    let key = key.trim();
    if key.starts_with('#') {
        key.to_owned()
    } else {
        format!("#{key}")
    }
}

/// chat's idempotency key for a push: `wx:<MsgId>`, or `wx:e<CreateTime>` for events (per sender).
fn client_msg_id(message: &Message) -> String {
    match &message.msg_id {
        Some(id) => format!("wx:{}", id.chars().take(60).collect::<String>()),
        None => format!("wx:e{}", message.create_time),
    }
}

/// The bot's messages after `seq` (up to the person's next message), as one reply text.
async fn bot_reply_after(state: &AppState, conversation: Uuid, seq: i64) -> Result<Option<String>, ApiError> {
    let rows = entity::message::Entity::find()
        .filter(entity::message::Column::ConversationId.eq(conversation))
        .filter(entity::message::Column::Seq.gt(seq))
        .filter(entity::message::Column::Visibility.eq(Visibility::All.as_str()))
        .order_by_asc(entity::message::Column::Seq)
        .limit(50)
        .all(state.db())
        .await?;
    let contents: Vec<Content> = rows
        .iter()
        .take_while(|m| m.sender_role == "bot")
        .filter(|m| m.recalled_at.is_none())
        .filter_map(|m| serde_json::from_str::<Content>(&m.body).ok())
        .collect();
    Ok(render(&contents))
}

/// The bot's replies as one WeChat text: texts as they are, cards as `【title】`, text and options
/// (the last card's numbered `回复1：…`, which the engine reads as its buttons). `None` when empty.
pub fn render(contents: &[Content]) -> Option<String> {
    let last_card =
        contents.iter().rposition(|c| matches!(c, Content::Card { quick_replies, .. } if !quick_replies.is_empty()));
    let mut parts = Vec::new();
    for (i, content) in contents.iter().enumerate() {
        match content {
            Content::Text { text } | Content::System { text, .. } => parts.push(text.trim().to_owned()),
            Content::Card { title, text, quick_replies, .. } => {
                let mut lines = vec![format!("【{}】", title.trim())];
                if let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    lines.push(text.to_owned());
                }
                for (n, b) in quick_replies.iter().enumerate() {
                    lines.push(if Some(i) == last_card {
                        format!("回复{}：{}", n + 1, b.label)
                    } else {
                        format!("· {}", b.label)
                    });
                }
                parts.push(lines.join("\n"));
            }
            Content::Image { .. } | Content::Location { .. } => {}
        }
    }
    parts.retain(|p| !p.is_empty());
    (!parts.is_empty()).then(|| protocol::clip(&parts.join("\n\n"), MAX_REPLY_BYTES))
}

/// A photo finished after the passive reply.
struct Photo {
    openid: String,
    media_id: String,
    client_msg_id: String,
    conversation: Uuid,
    viewer: Viewer,
}

impl Photo {
    async fn finish(self, state: &AppState) {
        let text = match self.process(state).await {
            Ok(reply) => reply,
            Err(e) => {
                tracing::warn!(error = %e, wechat.openid = %self.openid, "WeChat photo not processed");
                Some(PHOTO_FAILED.to_owned())
            }
        };
        let Some(text) = text else { return };
        if let Err(e) = outbound::enqueue(state, &self.openid, &outbound::custom_text(&self.openid, &text)).await {
            tracing::error!(error = %e, wechat.openid = %self.openid, "could not queue the WeChat follow-up");
            return;
        }
        if let Err(e) = outbound::deliver_pending(state).await {
            tracing::warn!(error = %format!("{e:#}"), "WeChat send queue pass failed; retried later");
        }
    }

    async fn process(&self, state: &AppState) -> Result<Option<String>, ApiError> {
        let max = state.settings().media.max_bytes;
        let bytes = state.wechat().media_get(&self.media_id, max).await.map_err(|e| {
            ApiError::unavailable("wechat_media_unavailable", "the photo could not be downloaded")
                .with_source(anyhow::anyhow!("{e}"))
        })?;
        let admission = crate::media::service::admit(state)?;
        let uploaded = crate::media::service::upload(state, self.viewer.id, admission, bytes).await?;
        let req = SendMessageRequest {
            client_msg_id: self.client_msg_id.clone(),
            visibility: Visibility::All,
            content: Content::Image { media_id: uploaded.view.id },
        };
        let (inbound, _) = chat::send(state, &self.viewer, self.conversation, req).await?;
        bot_reply_after(state, self.conversation, inbound.seq).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::dto::QuickReply;

    fn card(title: &str, buttons: &[&str]) -> Content {
        Content::Card {
            title: title.into(),
            text: Some("说明".into()),
            ticket_id: None,
            quick_replies: buttons.iter().map(|b| QuickReply { label: (*b).into(), value: format!("#{b}") }).collect(),
        }
    }

    #[test]
    fn only_the_last_card_is_numbered() {
        let out =
            render(&[Content::Text { text: "你好".into() }, card("A", &["甲"]), card("请确认", &["提交", "修改"])]);
        assert_eq!(out.as_deref(), Some("你好\n\n【A】\n说明\n· 甲\n\n【请确认】\n说明\n回复1：提交\n回复2：修改"));
        assert_eq!(render(&[]), None);
        assert_eq!(render(&[Content::Image { media_id: Uuid::nil() }]), None);
    }

    #[test]
    fn long_replies_are_clipped_under_the_limit() {
        let out = render(&[Content::Text { text: "隐".repeat(1000) }]).unwrap_or_default();
        assert!(out.len() <= MAX_REPLY_BYTES && out.ends_with('…'));
    }

    #[test]
    fn menu_keys_become_choices() {
        assert_eq!(menu_value("report"), "#report");
        assert_eq!(menu_value("#mine"), "#mine");
    }
}
