//! Pushes as WeChat builds them (signed and encrypted independently of the server) and a local
//! double of the WeChat API, for the official account tests.

use std::collections::BTreeMap;

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::{engine::general_purpose::STANDARD, Engine};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use wiremock::{
    matchers::{method, path, query_param},
    Mock, MockServer, Request, ResponseTemplate,
};

use crate::helpers::{spawn_app_with, TestApp};

pub const APP_ID: &str = "wx5823bf96d3bd56c7";
pub const SECRET: &str = "oa-secret";
pub const TOKEN: &str = "QDG6eK";
// The EncodingAESKey of WeChat's documented example.
pub const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
pub const ACCOUNT: &str = "gh_hazardline";
pub const ACCESS_TOKEN: &str = "ACCESS_TOKEN_1";

pub fn sha1_sorted(parts: &[&str]) -> String {
    let mut v = parts.to_vec();
    v.sort();
    hex::encode(Sha1::digest(v.concat().as_bytes()))
}

pub fn key() -> [u8; 32] {
    // The key's last base64 character carries spare bits, which strict decoders refuse.
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    lenient.decode(format!("{AES_KEY}=")).unwrap().try_into().unwrap()
}

/// WeChat's encryption: random(16) ‖ len BE ‖ xml ‖ appid, PKCS#7 to 32, AES-256-CBC, IV = key[..16].
pub fn encrypt(xml: &str, app_id: &str, pad_override: Option<u8>) -> String {
    let k = key();
    let mut data = b"0123456789abcdef".to_vec();
    data.extend_from_slice(&(xml.len() as u32).to_be_bytes());
    data.extend_from_slice(xml.as_bytes());
    data.extend_from_slice(app_id.as_bytes());
    let pad = 32 - data.len() % 32;
    data.extend(std::iter::repeat_n(pad_override.unwrap_or(pad as u8), pad));
    let n = data.len();
    let out = cbc::Encryptor::<aes::Aes256>::new(&k.into(), k[..16].into())
        .encrypt_padded_mut::<NoPadding>(&mut data, n)
        .unwrap()
        .to_vec();
    STANDARD.encode(out)
}

pub fn decrypt(b64: &str) -> String {
    let k = key();
    let mut data = STANDARD.decode(b64).unwrap();
    let plain = cbc::Decryptor::<aes::Aes256>::new(&k.into(), k[..16].into())
        .decrypt_padded_mut::<NoPadding>(&mut data)
        .unwrap()
        .to_vec();
    let pad = *plain.last().unwrap() as usize;
    assert!((1..=32).contains(&pad) && plain[plain.len() - pad..].iter().all(|b| *b as usize == pad));
    let body = &plain[16..plain.len() - pad];
    let len = u32::from_be_bytes(body[..4].try_into().unwrap()) as usize;
    assert_eq!(&body[4 + len..], APP_ID.as_bytes(), "the reply names our AppID");
    String::from_utf8(body[4..4 + len].to_vec()).unwrap()
}

/// The elements of a flat `<xml>` reply (CDATA or text).
pub fn fields(xml: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = xml.trim().strip_prefix("<xml>").unwrap().strip_suffix("</xml>").unwrap();
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').unwrap() + open;
        let name = rest[open + 1..close].to_owned();
        let end_tag = format!("</{name}>");
        let end = rest.find(&end_tag).unwrap();
        let mut value = rest[close + 1..end].to_owned();
        value = value.replace("]]]]><![CDATA[>", "]]>");
        if let Some(inner) = value.strip_prefix("<![CDATA[").and_then(|v| v.strip_suffix("]]>")) {
            value = inner.to_owned();
        }
        out.insert(name, value);
        rest = &rest[end + end_tag.len()..];
    }
    out
}

/// A resident's WeChat as the official account sees it.
pub struct Wx<'a> {
    pub app: &'a TestApp,
    pub openid: String,
    pub safe: bool,
    pub next_id: u64,
    pub time: i64,
}

impl<'a> Wx<'a> {
    pub fn new(app: &'a TestApp, openid: &str, safe: bool) -> Self {
        Self { app, openid: openid.to_owned(), safe, next_id: 6_000_000_000_000_000_000, time: 1_700_000_000 }
    }

    pub fn head(&mut self) -> String {
        self.time += 1;
        format!(
            "<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{}]]></FromUserName><CreateTime>{}</CreateTime>",
            self.openid, self.time
        )
    }

    pub fn message(&mut self, msg_type: &str, rest: &str) -> String {
        self.next_id += 1;
        let head = self.head();
        format!("<xml>{head}<MsgType><![CDATA[{msg_type}]]></MsgType>{rest}<MsgId>{}</MsgId></xml>", self.next_id)
    }

    pub fn event(&mut self, event: &str, rest: &str) -> String {
        let head = self.head();
        format!("<xml>{head}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{rest}</xml>")
    }

    /// Posts `xml` as WeChat would in this account's mode; returns the status and the raw reply.
    pub async fn post_raw(&self, xml: &str) -> (StatusCode, String) {
        let (ts, nonce) = ("1409659813", "1372623149");
        let sig = sha1_sorted(&[TOKEN, ts, nonce]);
        let (url, body) = if self.safe {
            let enc = encrypt(xml, APP_ID, None);
            let msg_sig = sha1_sorted(&[TOKEN, ts, nonce, &enc]);
            (
                format!("/wechat/callback?signature={sig}&timestamp={ts}&nonce={nonce}&openid={}&encrypt_type=aes&msg_signature={msg_sig}", self.openid),
                format!("<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"),
            )
        } else {
            (
                format!("/wechat/callback?signature={sig}&timestamp={ts}&nonce={nonce}&openid={}", self.openid),
                xml.to_owned(),
            )
        };
        let res = self.app.post_raw(&url, "text/xml", body).await;
        (res.status(), res.text().await.unwrap())
    }

    /// Posts and returns the reply text (`None` for `success`), checking the envelope on the way.
    pub async fn send(&self, xml: &str) -> Option<String> {
        let (status, raw) = self.post_raw(xml).await;
        assert_eq!(status, StatusCode::OK, "{raw}");
        if raw == "success" {
            return None;
        }
        let reply = if self.safe {
            let outer = fields(&raw);
            let enc = &outer["Encrypt"];
            assert_eq!(outer["MsgSignature"], sha1_sorted(&[TOKEN, &outer["TimeStamp"], &outer["Nonce"], enc]));
            assert_eq!((outer["TimeStamp"].as_str(), outer["Nonce"].as_str()), ("1409659813", "1372623149"));
            decrypt(enc)
        } else {
            raw
        };
        let f = fields(&reply);
        assert_eq!(f["ToUserName"], self.openid, "the reply goes to the sender");
        assert_eq!(f["FromUserName"], ACCOUNT);
        assert_eq!(f["MsgType"], "text");
        assert!(f["CreateTime"].parse::<i64>().is_ok());
        assert!(f["Content"].len() <= 2048);
        Some(f["Content"].clone())
    }

    pub async fn text(&mut self, text: &str) -> String {
        let xml = self.message("text", &format!("<Content><![CDATA[{text}]]></Content>"));
        self.send(&xml).await.expect("a reply")
    }

    pub async fn location(&mut self, (lng, lat): (f64, f64)) -> String {
        let xml = self.message(
            "location",
            &format!("<Location_X>{lat}</Location_X><Location_Y>{lng}</Location_Y><Scale>15</Scale><Label><![CDATA[幸福路1号]]></Label>"),
        );
        self.send(&xml).await.expect("a reply")
    }
}

/// The number of the option `label` in a reply (`回复N：label`).
pub fn option(reply: &str, label: &str) -> String {
    reply
        .lines()
        .find_map(|l| {
            l.strip_prefix("回复").and_then(|r| r.split_once('：')).filter(|(_, l)| *l == label).map(|(n, _)| n)
        })
        .unwrap_or_else(|| panic!("no option {label} in {reply}"))
        .to_owned()
}

pub async fn double() -> MockServer {
    let wechat = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .and(query_param("grant_type", "client_credential"))
        .and(query_param("appid", APP_ID))
        .and(query_param("secret", SECRET))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": ACCESS_TOKEN, "expires_in": 7200})),
        )
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/custom/send"))
        .and(query_param("access_token", ACCESS_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errcode": 0, "errmsg": "ok"})))
        .mount(&wechat)
        .await;
    wechat
}

pub async fn app_with(wechat: &MockServer, aes: bool) -> TestApp {
    let uri = wechat.uri();
    spawn_app_with(move |s| {
        s.wechat.api_base = uri;
        s.wechat.app_id = APP_ID.into();
        s.wechat.app_secret = secrecy::SecretString::from(SECRET);
        s.wechat.token = secrecy::SecretString::from(TOKEN);
        if aes {
            s.wechat.encoding_aes_key = secrecy::SecretString::from(AES_KEY);
        }
    })
    .await
}

/// The custom messages the double received, as JSON.
pub async fn custom_sends(wechat: &MockServer) -> Vec<Value> {
    let requests: Vec<Request> = wechat.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .filter(|r| r.url.path() == "/cgi-bin/message/custom/send")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

pub async fn token_fetches(wechat: &MockServer) -> usize {
    let requests = wechat.received_requests().await.unwrap_or_default();
    requests.iter().filter(|r| r.url.path() == "/cgi-bin/token").count()
}

pub async fn inbound_count(app: &TestApp, client_msg_id: &str) -> usize {
    entity::message::Entity::find()
        .filter(entity::message::Column::ClientMsgId.eq(client_msg_id))
        .all(app.state.db())
        .await
        .unwrap()
        .len()
}
