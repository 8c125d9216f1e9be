//! Bad input, tried as a new user would: every case gets its documented 4xx in the one shape.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{problem, spawn_app};

const LOGIN: &str = "/api/v1/auth/login/password";

#[tokio::test]
async fn malformed_json_is_400_invalid_json() {
    let app = spawn_app().await;
    let body = problem(app.post_raw(LOGIN, "application/json", "{\"phone\": ").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["code"], "invalid_json");
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let app = spawn_app().await;
    let body = problem(app.post_json(LOGIN, &json!({"phone": "13800138000"})).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["code"], "invalid_body");
    assert_eq!(body["errors"][0]["field"], "password");
    insta::assert_json_snapshot!(body, @r#"
    {
      "code": "invalid_body",
      "detail": "password: missing field `password`",
      "errors": [
        {
          "code": "invalid",
          "field": "password",
          "message": "missing field `password`"
        }
      ],
      "status": 400,
      "title": "Bad Request",
      "type": "urn:hazardline:problem:invalid_body"
    }
    "#);
}

#[tokio::test]
async fn a_wrong_type_is_named() {
    let app = spawn_app().await;
    let res = app.post_json(LOGIN, &json!({"phone": 13800138000u64, "password": "x"})).await;
    let body = problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["errors"][0]["field"], "phone");
    assert!(body["detail"].as_str().unwrap().contains("invalid type"), "{body}");
}

#[tokio::test]
async fn an_unknown_field_is_refused() {
    let app = spawn_app().await;
    let res = app.post_json(LOGIN, &json!({"phone": "13800138000", "password": "x", "role": "admin"})).await;
    let body = problem(res, StatusCode::BAD_REQUEST).await;
    assert!(body["detail"].as_str().unwrap().contains("unknown field `role`"), "{body}");
}

#[tokio::test]
async fn a_5_mb_body_is_413_before_it_is_parsed() {
    let app = spawn_app().await;
    let big = format!("{{\"phone\":\"{}\",\"password\":\"x\"}}", "1".repeat(5 * 1024 * 1024));
    let body = problem(app.post_raw(LOGIN, "application/json", big).await, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(body["code"], "payload_too_large");
}

#[tokio::test]
async fn a_large_chunked_body_without_length_is_413_too() {
    let app = spawn_app().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..100).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let stream = futures_util::stream::iter(chunks);
    let res = app.post_raw(LOGIN, "application/json", reqwest::Body::wrap_stream(stream)).await;
    let body = problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(body["code"], "payload_too_large");
}

#[tokio::test]
async fn a_wrong_content_type_is_415() {
    let app = spawn_app().await;
    let res = app.post_raw(LOGIN, "text/plain", r#"{"phone":"13800138000","password":"x"}"#).await;
    let body = problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_eq!(body["code"], "unsupported_media_type");
    let res = app.client.post(app.url(LOGIN)).body("{}").send().await.unwrap();
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn an_invalid_phone_is_422_with_the_field() {
    let app = spawn_app().await;
    let res = app.post_json("/api/v1/auth/sms-codes", &json!({"phone": "12345"})).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["errors"][0]["field"], "phone");
    assert_eq!(body["errors"][0]["code"], "invalid_phone");
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_use_the_error_shape() {
    let app = spawn_app().await;
    let body = problem(app.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND).await;
    assert_eq!(body["code"], "route_not_found");
    let res = app.get(LOGIN).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    problem(res, StatusCode::NOT_FOUND).await;
    let res = app.client.delete(app.url("/healthz")).send().await.unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
}
