//! `ApiJson<T>`: the JSON body extractor every handler uses.
//!
//! Unlike actix's `Json`, it names the failing field (via `serde_path_to_error`), rejects bodies
//! over `server.json_limit_bytes` with 413 before reading them when the length is declared, and
//! answers a wrong content type with 415 — all in the one error shape.

use std::{future::Future, pin::Pin};

use actix_web::{dev::Payload, http::StatusCode, web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// The largest JSON body accepted, set from `server.json_limit_bytes`.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimit(pub usize);

/// A JSON request body parsed into `T`, with the bytes it was parsed from (for request fingerprints).
#[derive(Debug)]
pub struct ApiJson<T>(pub T, pub web::Bytes);

impl<T> ApiJson<T> {
    /// The parsed value.
    pub fn into_inner(self) -> T {
        self.0
    }

    /// The raw body.
    pub fn bytes(&self) -> &[u8] {
        &self.1
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<web::Data<JsonLimit>>().map_or(65_536, |l| l.0);
        let content_type_ok = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send JSON with Content-Type: application/json",
                )
                .into());
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large(limit).into());
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit).into());
                }
                body.extend_from_slice(&chunk);
            }
            let body = body.freeze();
            parse(&body).map(|value| ApiJson(value, body)).map_err(Into::into)
        })
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the JSON body is larger than {limit} bytes"),
    )
}

/// Parses a JSON body, mapping syntax errors to 400 `invalid_json` and shape errors (missing,
/// unknown or mistyped fields) to 400 `invalid_body` naming the field.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {inner}"));
        }
        let message = strip_position(&inner.to_string());
        let field = if path == "." { missing_field(&message).unwrap_or_default() } else { path };
        let mut err = ApiError::bad_request(
            "invalid_body",
            if field.is_empty() { message.clone() } else { format!("{field}: {message}") },
        );
        if !field.is_empty() {
            err = err.with_fields(vec![FieldError::new(field, "invalid", message)]);
        }
        err
    })
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Req {
        phone: String,
        n: u32,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse::<Req>(br#"{"phone":"1"}"#).unwrap_err();
        assert_eq!((e.code(), e.status().as_u16()), ("invalid_body", 400));
        assert!(format!("{e}").starts_with("n: missing field"), "{e}");
        let e = parse::<Req>(br#"{"phone":"1","n":"x"}"#).unwrap_err();
        assert!(format!("{e}").starts_with("n: invalid type"), "{e}");
        let e = parse::<Req>(br#"{"phone":"1","n":1,"x":2}"#).unwrap_err();
        assert!(format!("{e}").contains("unknown field `x`"), "{e}");
        let e = parse::<Req>(br#"{"phone":"#).unwrap_err();
        assert_eq!(e.code(), "invalid_json");
        assert!(parse::<Req>(br#"{"phone":"1","n":1}"#).is_ok());
    }
}
