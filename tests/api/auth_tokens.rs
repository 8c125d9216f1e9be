//! Access tokens and refresh-token rotation.

use chrono::Utc;
use hazardline::auth::{jwt::Claims, Role};
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{problem, session, spawn_app, TEST_JWT_SECRET};

fn claims(sub: Uuid, exp_offset: i64) -> Claims {
    let now = Utc::now().timestamp();
    Claims {
        sub,
        roles: vec![Role::Admin],
        iss: "hazardline".into(),
        aud: "hazardline-api".into(),
        exp: now + exp_offset,
        nbf: now - 10,
        iat: now - 10,
        jti: Uuid::now_v7(),
    }
}

#[tokio::test]
async fn refresh_rotates_and_a_spent_token_revokes_the_family() {
    let app = spawn_app().await;
    let first = app.resident("13800138100").await;

    let res = app.refresh(&first.refresh_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = session(&res.json::<Value>().await.unwrap());
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(app.me(&second.access_token).await.status(), StatusCode::OK);

    // The first token again: someone replayed it. Everything of that login dies.
    let body = problem(app.refresh(&first.refresh_token).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "refresh_token_reused");
    let body = problem(app.refresh(&second.refresh_token).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "refresh_token_invalid");
}

#[tokio::test]
async fn revoking_one_login_leaves_the_users_other_logins_alone() {
    let app = crate::helpers::spawn_app_with(|s| s.auth.sms_resend_interval_secs = 0).await;
    let phone = app.resident("13800138101").await;
    let laptop = app.resident("13800138101").await;
    assert_eq!(phone.user["id"], laptop.user["id"]);
    app.refresh(&phone.refresh_token).await;
    let body = problem(app.refresh(&phone.refresh_token).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "refresh_token_reused");
    assert_eq!(app.refresh(&laptop.refresh_token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_let_exactly_one_through() {
    let app = spawn_app().await;
    let s = app.resident("13800138103").await;
    let (a, b) = tokio::join!(app.refresh(&s.refresh_token), app.refresh(&s.refresh_token));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401]);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_is_idempotent() {
    let app = spawn_app().await;
    let s = app.resident("13800138104").await;
    assert_eq!(app.logout(&s.refresh_token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.logout(&s.refresh_token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.logout("never-issued").await.status(), StatusCode::NO_CONTENT);
    let body = problem(app.refresh(&s.refresh_token).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "refresh_token_invalid");
}

#[tokio::test]
async fn an_unknown_refresh_token_is_401() {
    let app = spawn_app().await;
    let body = problem(app.refresh("made-up").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "refresh_token_invalid");
}

#[tokio::test]
async fn me_without_a_token_is_401_missing_token() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/me").await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let body = problem(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "missing_token");
    let res = app.client.get(app.url("/api/v1/me")).header("authorization", "Basic abc").send().await.unwrap();
    assert_eq!(problem(res, StatusCode::UNAUTHORIZED).await["code"], "invalid_token");
}

#[tokio::test]
async fn an_expired_token_is_401_token_expired() {
    let app = spawn_app().await;
    let s = app.resident("13800138105").await;
    let sub = s.user["id"].as_str().unwrap().parse().unwrap();
    let token =
        encode(&Header::default(), &claims(sub, -3600), &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes())).unwrap();
    let body = problem(app.me(&token).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "token_expired");
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_401() {
    let app = spawn_app().await;
    let token = encode(
        &Header::default(),
        &claims(Uuid::now_v7(), 600),
        &EncodingKey::from_secret(b"some-other-key-that-is-long-enough-too"),
    )
    .unwrap();
    let body = problem(app.me(&token).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "invalid_token");
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_401() {
    use base64::Engine;
    let app = spawn_app().await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64.encode(serde_json::to_vec(&claims(Uuid::now_v7(), 600)).unwrap());
    for token in [format!("{header}.{payload}."), format!("{header}.{payload}")] {
        let body = problem(app.me(&token).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["code"], "invalid_token");
    }
}

#[tokio::test]
async fn a_token_for_another_audience_is_401() {
    let app = spawn_app().await;
    let mut c = claims(Uuid::now_v7(), 600);
    c.aud = "someone-else".into();
    let token = encode(&Header::default(), &c, &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes())).unwrap();
    let body = problem(app.me(&token).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "invalid_token");
}
