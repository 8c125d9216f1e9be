//! SMS and password logins.

use hazardline::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{problem, spawn_app, spawn_app_with, STAFF_PASSWORD};

#[tokio::test]
async fn an_sms_login_creates_a_resident_once_and_me_shows_it() {
    let app = spawn_app().await;
    let first = app.resident("13800138000").await;
    assert_eq!(first.user["roles"][0]["role"], "resident");
    assert_eq!(first.user["phone"], "13800138000");

    let me: Value = app.me(&first.access_token).await.json().await.unwrap();
    assert_eq!(me["id"], first.user["id"]);

    // Same person later, typing the number another way: same account.
    let res = app.request_sms_code("+86 138 0013 8000").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "still inside the resend interval");
    let app2 = spawn_app_with(|s| s.auth.sms_resend_interval_secs = 0).await;
    let a = app2.resident("13800138000").await;
    let b = app2.resident("+86 138-0013-8000").await;
    assert_eq!(a.user["id"], b.user["id"]);
}

#[tokio::test]
async fn a_code_request_every_second_gets_429_with_retry_after() {
    let app = spawn_app().await;
    let res = app.request_sms_code("13800138001").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["expires_in"].as_u64(), body["resend_after"].as_u64()), (Some(300), Some(60)));
    for _ in 0..3 {
        let res = app.request_sms_code("13800138001").await;
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        let body = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(body["code"], "sms_code_too_soon");
    }
}

#[tokio::test]
async fn the_daily_cap_per_phone_holds() {
    let app = spawn_app_with(|s| {
        s.auth.sms_resend_interval_secs = 0;
        s.auth.sms_daily_limit = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(app.request_sms_code("13800138002").await.status(), StatusCode::ACCEPTED);
    }
    let body = problem(app.request_sms_code("13800138002").await, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body["code"], "sms_code_limit");
    // Another phone is not affected.
    assert_eq!(app.request_sms_code("13800138003").await.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn six_wrong_codes_burn_the_code() {
    let app = spawn_app().await;
    let phone = "13800138004";
    assert_eq!(app.request_sms_code(phone).await.status(), StatusCode::ACCEPTED);
    let right = app.last_sms_code(phone);
    let wrong = if right == "000000" { "999999" } else { "000000" };
    for left in (0..5).rev() {
        let body = problem(app.login_sms(phone, wrong).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["code"], "sms_code_wrong");
        assert!(body["detail"].as_str().unwrap().contains(&format!("{left} tries left")), "{body}");
    }
    let body = problem(app.login_sms(phone, wrong).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "sms_code_invalid");
    let body = problem(app.login_sms(phone, &right).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "sms_code_invalid", "the burnt code no longer works");
}

#[tokio::test]
async fn a_code_cannot_be_used_twice() {
    let app = spawn_app().await;
    let phone = "13800138005";
    app.request_sms_code(phone).await;
    let code = app.last_sms_code(phone);
    assert_eq!(app.login_sms(phone, &code).await.status(), StatusCode::OK);
    let body = problem(app.login_sms(phone, &code).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "sms_code_invalid");
}

#[tokio::test]
async fn a_disabled_sms_provider_answers_503() {
    let app = spawn_app_with(|s| s.sms.provider = hazardline::config::SmsProvider::Disabled).await;
    let res = app.request_sms_code("13800138006").await;
    let body = problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["code"], "sms_unavailable");
}

#[tokio::test]
async fn staff_log_in_with_a_password_and_get_their_role() {
    let app = spawn_app().await;
    let s = app.staff("13900000002", Role::Dispatcher).await;
    assert_eq!(s.user["roles"][0]["role"], "dispatcher");
    let me: Value = app.me(&s.access_token).await.json().await.unwrap();
    assert_eq!(me["display_name"], "测试");
}

#[tokio::test]
async fn wrong_password_and_unknown_phone_look_the_same() {
    let app = spawn_app().await;
    app.staff("13900000003", Role::DeptStaff).await;
    let a = problem(app.login_password("13900000003", "wrong password").await, StatusCode::UNAUTHORIZED).await;
    let b = problem(app.login_password("13900000009", STAFF_PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(a, b);
    assert_eq!(a["code"], "invalid_credentials");
}

#[tokio::test]
async fn a_resident_without_password_cannot_log_in_with_one() {
    let app = spawn_app().await;
    app.resident("13800138007").await;
    let body = problem(app.login_password("13800138007", "").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "invalid_credentials");
}

#[tokio::test]
async fn repeated_password_failures_are_throttled_then_cleared_by_success() {
    let app = spawn_app_with(|s| s.auth.login_max_failures = 3).await;
    app.staff("13900000004", Role::Admin).await;
    for _ in 0..3 {
        problem(app.login_password("13900000004", "nope nope nope").await, StatusCode::UNAUTHORIZED).await;
    }
    let res = app.login_password("13900000004", STAFF_PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    let body = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body["code"], "too_many_login_failures");
}

#[tokio::test]
async fn a_disabled_account_is_refused() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let s = app.staff("13900000005", Role::GridWorker).await;
    let id: uuid::Uuid = s.user["id"].as_str().unwrap().parse().unwrap();
    let row = entity::user::ActiveModel { id: Set(id), disabled: Set(true), ..Default::default() };
    row.update(app.state.db()).await.unwrap();
    let body = problem(app.login_password("13900000005", STAFF_PASSWORD).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "account_disabled");
    let body = problem(app.refresh(&s.refresh_token).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "account_disabled");
}
