//! The login page: password and language, refusals shown on the page, forged forms, logout.

use hazardline::auth::Role;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;

use crate::{
    helpers::spawn_app,
    support::{assert_no_console_errors, browser, screenshots},
};

const PHONE: &str = "13800000011";
const PASSWORD: &str = "resident password 1";

#[tokio::test]
async fn the_login_page_logs_in_refuses_bad_passwords_and_forged_forms_and_logs_out() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    hazardline::auth::service::create_user(
        &app.state,
        PHONE,
        "测试居民",
        Some(SecretString::from(PASSWORD)),
        Role::Resident,
    )
    .await
    .unwrap();

    // `/` shows the login page, in Chinese.
    b.goto(&app.url("/")).await;
    assert!(b.url().await.ends_with("/login"), "{}", b.url().await);
    assert_eq!(b.js("return document.documentElement.lang", json!([])).await, "zh-CN");
    assert_eq!(b.text("h1").await, "登录");
    screenshots(&b, "login").await;

    // English on request, remembered by cookie.
    b.goto(&app.url("/login?lang=en&mode=password")).await;
    b.wait_text("h1", "Log in").await;
    screenshots(&b, "login-en").await;
    b.goto(&app.url("/login")).await;
    b.wait_text("h1", "Log in").await; // the choice is remembered
    b.goto(&app.url("/login?lang=zh")).await;

    // A phone number that is not one, then a wrong password: a message on the page each time.
    b.click(&b.find("a[href='/login?mode=password']").await).await;
    b.type_into(&b.find("#phone").await, "12345").await;
    b.type_into(&b.find("#password").await, "whatever").await;
    b.click(&b.find("form[action='/login/password'] button").await).await;
    b.wait_text("#form-message", "请输入正确的11位手机号。").await;
    b.js("document.querySelector('#phone').value = ''", json!([])).await;
    b.type_into(&b.find("#phone").await, PHONE).await;
    b.type_into(&b.find("#password").await, "wrong password").await;
    b.click(&b.find("form[action='/login/password'] button").await).await;
    b.wait_text("#form-message", "手机号或密码不对。").await;
    assert_eq!(b.js("return document.querySelector('#phone').value", json!([])).await, PHONE, "phone kept");
    screenshots(&b, "login-error").await;

    // A form without its CSRF token, then with a forged one: refused, nobody logged in.
    for forge in [
        "document.querySelector('input[name=csrf_token]').remove()",
        "document.querySelector('input[name=csrf_token]').value = 'forged'",
    ] {
        b.js(forge, json!([])).await;
        b.type_into(&b.find("#password").await, PASSWORD).await;
        b.click(&b.find("form[action='/login/password'] button").await).await;
        b.wait_text("#form-message", "页面已过期，请重新提交。").await;
        b.js("document.querySelector('#form-message').remove()", json!([])).await;
        assert_eq!(b.cookie("hl_access").await, None, "{forge}");
    }

    // The right password: the resident lands in the chat.
    b.type_into(&b.find("#password").await, PASSWORD).await;
    b.click(&b.find("form[action='/login/password'] button").await).await;
    b.wait_for("the chat", "return location.pathname === '/chat' && document.body.dataset.ready === '1'", json!([]))
        .await;
    // The cookies are HttpOnly: the page's scripts cannot read the tokens.
    assert_eq!(b.js("return document.cookie", json!([])).await, "");
    let refresh = b.cookie("hl_refresh").await.expect("refresh cookie");

    // An API call from the page without the CSRF header is refused; with it, it works.
    let without = "return fetch('/api/v1/conversations', {method: 'POST', headers: {'content-type': 'application/json'}, body: '{\"kind\":\"intake\"}'}).then(r => r.status)";
    assert_eq!(b.js(without, json!([])).await, 403);
    let with = "return fetch('/api/v1/conversations', {method: 'POST', headers: {'content-type': 'application/json', 'x-csrf-token': window.HL.config.csrf}, body: '{\"kind\":\"intake\"}'}).then(r => r.ok)";
    assert_eq!(b.js(with, json!([])).await, true);

    // Logging out revokes the session.
    b.click(&b.find("form[action='/logout'] button").await).await;
    b.wait_for("the login page", "return location.pathname === '/login'", json!([])).await;
    b.wait_text("#form-message", "您已退出登录。").await;
    assert_eq!(app.refresh(&refresh).await.status(), StatusCode::UNAUTHORIZED, "refresh token revoked");
    b.goto(&app.url("/chat")).await;
    assert!(b.url().await.contains("/login?next=%2Fchat"), "{}", b.url().await);

    assert_no_console_errors(&b, &["status of 401", "status of 403", "status of 422"]).await;
    b.quit().await;
}
