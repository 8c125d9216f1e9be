//! The official account's message protocol, pure: signatures, safe-mode encryption, the push XML
//! and the passive reply XML. No I/O and no clock (time and randomness are passed in).
//!
//! - Server verification and plaintext pushes: `signature = sha1(sort(token, timestamp, nonce))`.
//! - Safe mode (`encrypt_type=aes`): `msg_signature = sha1(sort(token, timestamp, nonce, Encrypt))`;
//!   `Encrypt` is base64 of AES-256-CBC (key = base64(EncodingAESKey + "="), IV = the key's first 16
//!   bytes, PKCS#7 padding to 32-byte blocks) over `random(16) ‖ len(xml) as u32 BE ‖ xml ‖ AppID`.
//! - Pushes are a flat `<xml>` of elements; the parser refuses a document type declaration and any
//!   entity reference other than XML's five and character references, so nothing is ever expanded.

use std::collections::BTreeMap;

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::{
    alphabet,
    engine::{general_purpose::STANDARD, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine,
};
use quick_xml::events::Event;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

type Encryptor = cbc::Encryptor<aes::Aes256>;
type Decryptor = cbc::Decryptor<aes::Aes256>;

/// Block size of WeChat's PKCS#7 padding (not AES's 16).
const PAD_BLOCK: usize = 32;
/// Most fields in one push (WeChat sends fewer than 20).
const MAX_FIELDS: usize = 64;

/// EncodingAESKeys are base64 whose last character may carry non-zero spare bits.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a push was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Not well-formed, not a flat `<xml>`, or a required field is missing.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// A document type declaration or an entity reference (XXE and entity expansion are refused).
    #[error("document type declarations and entities are not accepted")]
    Doctype,
    /// `Encrypt` is not base64 of whole AES blocks, or the padding or length prefix is wrong.
    #[error("the encrypted message does not decrypt")]
    BadCiphertext,
    /// The decrypted message names another AppID.
    #[error("the encrypted message is for another AppID")]
    WrongAppId,
    /// The EncodingAESKey is not 43 characters of base64 for 32 bytes.
    #[error("invalid EncodingAESKey")]
    BadKey,
}

/// SHA-1 (lower-case hex) of the parts sorted and concatenated: WeChat's `signature` and
/// `msg_signature`.
pub fn signature(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    let mut hasher = Sha1::new();
    for part in sorted {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Whether `given` is the signature of `parts` (compared in constant time).
pub fn verify(parts: &[&str], given: &str) -> bool {
    let expected = signature(parts);
    expected.as_bytes().ct_eq(given.trim().to_ascii_lowercase().as_bytes()).into()
}

/// The 32-byte AES key decoded from an EncodingAESKey.
#[derive(Clone)]
pub struct AesKey([u8; 32]);

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey(…)")
    }
}

impl AesKey {
    /// Decodes the 43-character EncodingAESKey (base64 without its `=`).
    pub fn parse(encoding_aes_key: &str) -> Result<Self, ProtocolError> {
        let key = encoding_aes_key.trim();
        if key.len() != 43 {
            return Err(ProtocolError::BadKey);
        }
        let bytes = LENIENT.decode(format!("{key}=")).map_err(|_| ProtocolError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| ProtocolError::BadKey)?;
        Ok(Self(key))
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(self.0.get(..16).unwrap_or(&[0u8; 16]));
        iv
    }
}

/// Decrypts an `Encrypt` field, checking the padding, the length prefix and the AppID.
pub fn decrypt(key: &AesKey, app_id: &str, encrypted: &str) -> Result<String, ProtocolError> {
    let mut data = STANDARD.decode(encrypted.trim()).map_err(|_| ProtocolError::BadCiphertext)?;
    if data.is_empty() || data.len() % 16 != 0 {
        return Err(ProtocolError::BadCiphertext);
    }
    let plain = Decryptor::new(&key.0.into(), &key.iv().into())
        .decrypt_padded_mut::<NoPadding>(&mut data)
        .map_err(|_| ProtocolError::BadCiphertext)?;
    let pad = usize::from(*plain.last().ok_or(ProtocolError::BadCiphertext)?);
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(ProtocolError::BadCiphertext);
    }
    let (content, padding) = plain.split_at(plain.len() - pad);
    if padding.iter().any(|b| usize::from(*b) != pad) {
        return Err(ProtocolError::BadCiphertext);
    }
    let rest = content.get(16..).ok_or(ProtocolError::BadCiphertext)?;
    let (len, rest) = rest.split_first_chunk::<4>().ok_or(ProtocolError::BadCiphertext)?;
    let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| ProtocolError::BadCiphertext)?;
    if len > rest.len() {
        return Err(ProtocolError::BadCiphertext);
    }
    let (xml, their_app) = rest.split_at(len);
    if their_app.ct_eq(app_id.as_bytes()).unwrap_u8() != 1 {
        return Err(ProtocolError::WrongAppId);
    }
    String::from_utf8(xml.to_vec()).map_err(|_| ProtocolError::BadCiphertext)
}

/// Encrypts `xml` for `app_id` with the given 16 random bytes (base64, as `Encrypt` carries it).
pub fn encrypt(key: &AesKey, app_id: &str, xml: &str, random: [u8; 16]) -> String {
    let len = u32::try_from(xml.len()).unwrap_or(u32::MAX);
    let mut data = Vec::with_capacity(16 + 4 + xml.len() + app_id.len() + PAD_BLOCK);
    data.extend_from_slice(&random);
    data.extend_from_slice(&len.to_be_bytes());
    data.extend_from_slice(xml.as_bytes());
    data.extend_from_slice(app_id.as_bytes());
    let pad = PAD_BLOCK - data.len() % PAD_BLOCK;
    data.extend(std::iter::repeat_n(u8::try_from(pad).unwrap_or(32), pad));
    let n = data.len();
    let cipher = Encryptor::new(&key.0.into(), &key.iv().into())
        .encrypt_padded_mut::<NoPadding>(&mut data, n)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    STANDARD.encode(cipher)
}

/// The fields of a flat `<xml>` document (element name → text), refusing DTDs and entities.
pub fn parse_fields(xml: &str) -> Result<BTreeMap<String, String>, ProtocolError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut fields = BTreeMap::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    let mut text = String::new();
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        match event {
            Event::DocType(_) => return Err(ProtocolError::Doctype),
            Event::GeneralRef(r) => {
                let Some(c) = char_or_predefined(&r)? else { return Err(ProtocolError::Doctype) };
                if depth == 2 {
                    text.push(c);
                }
            }
            Event::Start(e) => {
                depth += 1;
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match depth {
                    1 if name == "xml" && !seen_root => seen_root = true,
                    1 => return Err(ProtocolError::Malformed("the root must be one <xml>".into())),
                    2 => {
                        current = Some(name);
                        text.clear();
                    }
                    // Nested elements (e.g. ScanCodeInfo, SendPicsInfo) are not read.
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match depth {
                    1 => {
                        fields.insert(name, String::new());
                    }
                    0 if name == "xml" && !seen_root => seen_root = true,
                    0 => return Err(ProtocolError::Malformed("the root must be one <xml>".into())),
                    _ => {}
                }
            }
            Event::Text(t) if depth == 2 => {
                text.push_str(&t.decode().map_err(|e| ProtocolError::Malformed(e.to_string()))?);
            }
            Event::CData(t) if depth == 2 => {
                text.push_str(&t.decode().map_err(|e| ProtocolError::Malformed(e.to_string()))?);
            }
            Event::Text(t) if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(ProtocolError::Malformed("text outside <xml>".into()));
            }
            Event::CData(_) if depth == 0 => return Err(ProtocolError::Malformed("text outside <xml>".into())),
            Event::End(_) => {
                if depth == 2 {
                    if let Some(name) = current.take() {
                        fields.insert(name, std::mem::take(&mut text).trim().to_owned());
                        if fields.len() > MAX_FIELDS {
                            return Err(ProtocolError::Malformed("too many fields".into()));
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root || depth != 0 {
        return Err(ProtocolError::Malformed("not an <xml> document".into()));
    }
    Ok(fields)
}

fn char_or_predefined(r: &quick_xml::events::BytesRef<'_>) -> Result<Option<char>, ProtocolError> {
    if r.is_char_ref() {
        return r.resolve_char_ref().map_err(|e| ProtocolError::Malformed(e.to_string()));
    }
    let name: &[u8] = r;
    Ok(match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    })
}

/// A push from WeChat, by `MsgType` (and `Event`).
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Typed text.
    Text {
        /// The words.
        content: String,
    },
    /// A photo.
    Image {
        /// A temporary URL of the picture.
        pic_url: String,
        /// Media id for `/cgi-bin/media/get`.
        media_id: String,
    },
    /// A shared location (GCJ-02).
    Location {
        /// `Location_X`.
        lat: f64,
        /// `Location_Y`.
        lng: f64,
        /// Map zoom.
        scale: Option<i64>,
        /// The place's name.
        label: Option<String>,
    },
    /// A voice message, with WeChat's speech recognition when enabled.
    Voice {
        /// Media id.
        media_id: String,
        /// `Recognition`.
        recognition: Option<String>,
    },
    /// The user followed the account.
    Subscribe,
    /// The user unfollowed.
    Unsubscribe,
    /// A periodic position report (`LOCATION` event).
    ReportedLocation {
        /// `Latitude`.
        lat: f64,
        /// `Longitude`.
        lng: f64,
    },
    /// A menu click (`CLICK`).
    Click {
        /// `EventKey`.
        key: String,
    },
    /// Anything else (video, link, other events, …).
    Other {
        /// `MsgType`, or `event:<Event>`.
        kind: String,
    },
}

/// A parsed push.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Our account's id (the reply's `FromUserName`).
    pub to_user: String,
    /// The sender's openid.
    pub from_user: String,
    /// Seconds since the epoch.
    pub create_time: i64,
    /// `MsgId` (events have none).
    pub msg_id: Option<String>,
    /// What it is.
    pub body: Body,
}

impl Message {
    /// What identifies this push across WeChat's retries: `MsgId`, or `FromUserName` + `CreateTime`
    /// for events.
    pub fn dedupe_key(&self) -> String {
        match &self.msg_id {
            Some(id) => format!("m:{id}"),
            None => format!("e:{}:{}", self.from_user, self.create_time),
        }
    }
}

/// Reads a (plaintext) push.
pub fn parse_message(xml: &str) -> Result<Message, ProtocolError> {
    let f = parse_fields(xml)?;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let need = |k: &str| get(k).ok_or_else(|| ProtocolError::Malformed(format!("missing {k}")));
    let num = |k: &str| -> Result<f64, ProtocolError> {
        need(k)?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| ProtocolError::Malformed(format!("bad {k}")))
    };
    let to_user = need("ToUserName")?;
    let from_user = need("FromUserName")?;
    let create_time =
        need("CreateTime")?.parse::<i64>().map_err(|_| ProtocolError::Malformed("bad CreateTime".into()))?;
    let msg_type = need("MsgType")?;
    let body = match msg_type.as_str() {
        "text" => Body::Text { content: f.get("Content").cloned().unwrap_or_default() },
        "image" => Body::Image { pic_url: get("PicUrl").unwrap_or_default(), media_id: need("MediaId")? },
        "location" => Body::Location {
            lat: num("Location_X")?,
            lng: num("Location_Y")?,
            scale: get("Scale").and_then(|s| s.parse().ok()),
            label: get("Label"),
        },
        "voice" => Body::Voice { media_id: get("MediaId").unwrap_or_default(), recognition: get("Recognition") },
        "event" => match need("Event")?.as_str() {
            "subscribe" => Body::Subscribe,
            "unsubscribe" => Body::Unsubscribe,
            "LOCATION" => Body::ReportedLocation { lat: num("Latitude")?, lng: num("Longitude")? },
            "CLICK" => Body::Click { key: get("EventKey").unwrap_or_default() },
            other => Body::Other { kind: format!("event:{other}") },
        },
        other => Body::Other { kind: other.to_owned() },
    };
    Ok(Message { to_user, from_user, create_time, msg_id: get("MsgId"), body })
}

/// `s` as CDATA sections (a `]]>` inside is split across two sections).
fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// The passive text reply: `to` is the user's openid, `from` our account.
pub fn text_reply(to: &str, from: &str, create_time: i64, content: &str) -> String {
    format!(
        "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{create_time}</CreateTime>\
         <MsgType><![CDATA[text]]></MsgType><Content>{}</Content></xml>",
        cdata(to),
        cdata(from),
        cdata(content)
    )
}

/// One article of a news reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Title.
    pub title: String,
    /// Summary.
    pub description: String,
    /// Picture URL.
    pub pic_url: String,
    /// Link.
    pub url: String,
}

/// The passive news (图文) reply with one to eight articles.
pub fn news_reply(to: &str, from: &str, create_time: i64, articles: &[Article]) -> String {
    let items: String = articles
        .iter()
        .take(8)
        .map(|a| {
            format!(
                "<item><Title>{}</Title><Description>{}</Description><PicUrl>{}</PicUrl><Url>{}</Url></item>",
                cdata(&a.title),
                cdata(&a.description),
                cdata(&a.pic_url),
                cdata(&a.url)
            )
        })
        .collect();
    format!(
        "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{create_time}</CreateTime>\
         <MsgType><![CDATA[news]]></MsgType><ArticleCount>{}</ArticleCount><Articles>{items}</Articles></xml>",
        cdata(to),
        cdata(from),
        articles.len().min(8)
    )
}

/// A reply in safe mode: the encrypted reply, signed.
pub fn encrypted_reply(encrypt_b64: &str, token: &str, timestamp: &str, nonce: &str) -> String {
    let sig = signature(&[token, timestamp, nonce, encrypt_b64]);
    format!(
        "<xml><Encrypt>{}</Encrypt><MsgSignature>{}</MsgSignature><TimeStamp>{timestamp}</TimeStamp>\
         <Nonce>{}</Nonce></xml>",
        cdata(encrypt_b64),
        cdata(&sig),
        cdata(nonce)
    )
}

/// Cuts `text` to at most `max` bytes of UTF-8 on a character boundary, ending with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let room = max.saturating_sub('…'.len_utf8());
    let mut end = room;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", text.get(..end).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example of WeChat's message encryption SDK sample (WXBizMsgCrypt).
    const TOKEN: &str = "QDG6eK";
    const APP_ID: &str = "wx5823bf96d3bd56c7";
    const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const TIMESTAMP: &str = "1409659813";
    const NONCE: &str = "1372623149";
    const MSG_SIGNATURE: &str = "477715d11cdb4164915debcba66cb864d751f3e6";
    const ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

    fn key() -> AesKey {
        AesKey::parse(AES_KEY).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_documented_msg_signature_verifies() {
        assert_eq!(signature(&[TOKEN, TIMESTAMP, NONCE, ENCRYPT]), MSG_SIGNATURE);
        assert!(verify(&[TOKEN, TIMESTAMP, NONCE, ENCRYPT], MSG_SIGNATURE));
        assert!(!verify(&[TOKEN, TIMESTAMP, NONCE, ENCRYPT], "477715d11cdb4164915debcba66cb864d751f3e7"));
        assert!(!verify(&[TOKEN, TIMESTAMP, NONCE, ENCRYPT], ""));
    }

    #[test]
    fn server_verification_signature_is_sha1_of_the_sorted_three() {
        // Known answer: printf '%s' 1372623149 1409659813 QDG6eK | sha1sum (sorted byte-wise).
        assert_eq!(signature(&[TOKEN, TIMESTAMP, NONCE]), "d2157f2f9079f4d6257b45edf665c43c62e60a0a");
        assert_eq!(signature(&[NONCE, TOKEN, TIMESTAMP]), signature(&[TOKEN, TIMESTAMP, NONCE]));
    }

    #[test]
    fn the_documented_message_decrypts() {
        let xml = decrypt(&key(), APP_ID, ENCRYPT).unwrap_or_else(|e| panic!("{e}"));
        let m = parse_message(&xml).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.from_user, "mycreate");
        assert_eq!(m.to_user, APP_ID);
        assert_eq!(m.create_time, 1_409_659_813);
        assert_eq!(m.msg_id.as_deref(), Some("4561255354251345929"));
        assert_eq!(m.body, Body::Text { content: "hello".into() });
    }

    #[test]
    fn another_app_id_and_bad_padding_are_refused() {
        assert_eq!(decrypt(&key(), "wx0000000000000000", ENCRYPT), Err(ProtocolError::WrongAppId));
        // Flip a bit of the last block's IV (the previous block): the padding no longer checks.
        let mut raw = STANDARD.decode(ENCRYPT).unwrap_or_default();
        let n = raw.len();
        if let Some(b) = raw.get_mut(n - 17) {
            *b ^= 0x01;
        }
        assert_eq!(decrypt(&key(), APP_ID, &STANDARD.encode(&raw)), Err(ProtocolError::BadCiphertext));
        assert_eq!(decrypt(&key(), APP_ID, "not base64!"), Err(ProtocolError::BadCiphertext));
        assert_eq!(decrypt(&key(), APP_ID, &STANDARD.encode([0u8; 15])), Err(ProtocolError::BadCiphertext));
    }

    #[test]
    fn encryption_round_trips_and_pads_to_32_byte_blocks() {
        let xml = "<xml><Content><![CDATA[你好]]></Content></xml>";
        let enc = encrypt(&key(), APP_ID, xml, [7u8; 16]);
        let raw = STANDARD.decode(&enc).unwrap_or_default();
        assert_eq!(raw.len() % 32, 0);
        assert_eq!(decrypt(&key(), APP_ID, &enc).as_deref(), Ok(xml));
    }

    #[test]
    fn encryption_matches_openssl() {
        // { printf 'AAAAAAAAAAAAAAAA\x00\x00\x00\x05hellowx5823bf96d3bd56c7'; 21 bytes of 0x15; } |
        //   openssl enc -aes-256-cbc -K <key hex> -iv <first 16 key bytes hex> -nopad | base64
        let enc = encrypt(&key(), "wx5823bf96d3bd56c7", "hello", [0x41; 16]);
        assert_eq!(enc, OPENSSL_HELLO);
    }

    const OPENSSL_HELLO: &str =
        "ZTf9a//tmPI9WVNY3aaWQCiYfZmtW45XveNj4EbXRUZfLnHzDtKdBcfjSb2rMOH5rQb0/n0IZLtkl8iemZ1KbQ==";

    #[test]
    fn doctype_and_entities_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Content>&x;</Content></xml>"#;
        assert_eq!(parse_fields(xxe), Err(ProtocolError::Doctype));
        assert_eq!(parse_fields("<xml><Content>&x;</Content></xml>"), Err(ProtocolError::Doctype));
        let ok = parse_fields("<xml><Content>a &amp; b &#x4e2d;</Content></xml>").unwrap_or_default();
        assert_eq!(ok.get("Content").map(String::as_str), Some("a & b 中"));
        assert!(matches!(parse_fields("<xml><Content>"), Err(ProtocolError::Malformed(_))));
        assert!(matches!(parse_fields("<other/>"), Err(ProtocolError::Malformed(_))));
        assert!(matches!(parse_fields("<xml></xml><xml></xml>"), Err(ProtocolError::Malformed(_))));
    }

    #[test]
    fn every_push_type_parses() {
        let head = "<ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oU1]]></FromUserName><CreateTime>1700000000</CreateTime>";
        let p = |rest: &str| parse_message(&format!("<xml>{head}{rest}</xml>")).unwrap_or_else(|e| panic!("{e}"));
        let m = p("<MsgType><![CDATA[location]]></MsgType><Location_X>30.27</Location_X><Location_Y>120.15</Location_Y><Scale>20</Scale><Label><![CDATA[西湖]]></Label><MsgId>9</MsgId>");
        assert_eq!(m.body, Body::Location { lat: 30.27, lng: 120.15, scale: Some(20), label: Some("西湖".into()) });
        assert_eq!(m.dedupe_key(), "m:9");
        let m = p("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>");
        assert_eq!((m.body.clone(), m.dedupe_key()), (Body::Subscribe, "e:oU1:1700000000".to_owned()));
        let m = p("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[report]]></EventKey>");
        assert_eq!(m.body, Body::Click { key: "report".into() });
        let m = p("<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[着火了]]></Recognition><MsgId>10</MsgId>");
        assert_eq!(m.body, Body::Voice { media_id: "v1".into(), recognition: Some("着火了".into()) });
        let m = p("<MsgType><![CDATA[video]]></MsgType><MediaId>x</MediaId><MsgId>11</MsgId>");
        assert_eq!(m.body, Body::Other { kind: "video".into() });
        assert!(parse_message(&format!("<xml>{head}</xml>")).is_err(), "MsgType is required");
    }

    #[test]
    fn replies_render_and_parse_back() {
        let xml = text_reply("oU1", "gh_1", 1_700_000_001, "a]]>b");
        let f = parse_fields(&xml).unwrap_or_default();
        assert_eq!(f.get("Content").map(String::as_str), Some("a]]>b"));
        assert_eq!(f.get("ToUserName").map(String::as_str), Some("oU1"));
        let enc = encrypted_reply("QUJD", TOKEN, TIMESTAMP, NONCE);
        let f = parse_fields(&enc).unwrap_or_default();
        assert_eq!(f.get("MsgSignature").cloned(), Some(signature(&[TOKEN, TIMESTAMP, NONCE, "QUJD"])));
    }

    #[test]
    fn clip_cuts_on_a_character_boundary() {
        assert_eq!(clip("你好世界", 8), "你…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
