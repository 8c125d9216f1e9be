//! Mini-program login against a local double of the WeChat API speaking its real JSON.

use reqwest::StatusCode;
use serde_json::{json, Value};
use wiremock::{
    matchers::{method, path, query_param},
    Mock, MockServer, ResponseTemplate,
};

use crate::helpers::{problem, spawn_app, spawn_app_with, TestApp};

async fn app_with_wechat() -> (TestApp, MockServer) {
    let wechat = MockServer::start().await;
    let uri = wechat.uri();
    let app = spawn_app_with(move |s| {
        s.wechat.api_base = uri;
        s.wechat.miniprogram.app_id = "wx0123456789abcdef".into();
        s.wechat.miniprogram.app_secret = secrecy::SecretString::from("mini-secret");
    })
    .await;
    (app, wechat)
}

async fn answer(wechat: &MockServer, code: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path("/sns/jscode2session"))
        .and(query_param("appid", "wx0123456789abcdef"))
        .and(query_param("secret", "mini-secret"))
        .and(query_param("js_code", code))
        .and(query_param("grant_type", "authorization_code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(wechat)
        .await;
}

async fn login(app: &TestApp, code: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/login/wechat", &json!({ "code": code })).await
}

#[tokio::test]
async fn first_login_creates_a_resident_and_later_logins_find_it() {
    let (app, wechat) = app_with_wechat().await;
    let ok = json!({"openid": "oAbC-123", "session_key": "tiihtNczf5v6AKRyjwEUhQ==", "unionid": "uX"});
    answer(&wechat, "code-1", ok.clone()).await;
    answer(&wechat, "code-2", ok).await;
    let first: Value = login(&app, "code-1").await.json().await.unwrap();
    assert_eq!(first["user"]["roles"][0]["role"], "resident");
    assert_eq!(first["user"]["phone"], Value::Null);
    let second: Value = login(&app, "code-2").await.json().await.unwrap();
    assert_eq!(first["user"]["id"], second["user"]["id"]);
    assert!(second["access_token"].is_string());
}

#[tokio::test]
async fn concurrent_first_logins_bind_one_account() {
    let (app, wechat) = app_with_wechat().await;
    for code in ["c1", "c2", "c3"] {
        answer(&wechat, code, json!({"openid": "oRace", "session_key": "k"})).await;
    }
    let (a, b, c) = tokio::join!(login(&app, "c1"), login(&app, "c2"), login(&app, "c3"));
    let mut ids = Vec::new();
    for res in [a, b, c] {
        assert_eq!(res.status(), StatusCode::OK);
        ids.push(res.json::<Value>().await.unwrap()["user"]["id"].clone());
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
}

#[tokio::test]
async fn wechat_error_codes_map_to_documented_answers() {
    let (app, wechat) = app_with_wechat().await;
    let cases = [
        ("bad", 40029, "invalid code", StatusCode::UNAUTHORIZED, "wechat_code_invalid"),
        ("used", 40163, "code been used", StatusCode::UNAUTHORIZED, "wechat_code_invalid"),
        ("fast", 45011, "api minute-quota reach limit", StatusCode::TOO_MANY_REQUESTS, "wechat_rate_limited"),
        ("risky", 40226, "invalid login, user is forbidden", StatusCode::FORBIDDEN, "wechat_user_blocked"),
        ("busy", -1, "system error", StatusCode::SERVICE_UNAVAILABLE, "wechat_unavailable"),
        ("odd", 40013, "invalid appid", StatusCode::BAD_GATEWAY, "wechat_error"),
    ];
    for (code, errcode, errmsg, status, ours) in cases {
        answer(&wechat, code, json!({"errcode": errcode, "errmsg": errmsg})).await;
        let body = problem(login(&app, code).await, status).await;
        assert_eq!(body["code"], ours, "{code}");
    }
}

#[tokio::test]
async fn wechat_unreachable_is_503_and_unconfigured_is_503() {
    let app = spawn_app_with(|s| {
        s.wechat.api_base = "http://127.0.0.1:9".into();
        s.wechat.miniprogram.app_id = "wx0123456789abcdef".into();
    })
    .await;
    let body = problem(login(&app, "x").await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["code"], "wechat_unavailable");

    let app = spawn_app().await;
    let body = problem(login(&app, "x").await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["code"], "wechat_not_configured");
}
