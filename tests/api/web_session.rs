//! The web pages' cookie session against the API: the same tokens in cookies, CSRF and origin
//! rules for requests they authenticate, transparent renewal, the WebSocket, the static files.

use hazardline::auth::cookie::csrf_token;
use reqwest::{header, StatusCode};
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use tokio_tungstenite::{connect_async, tungstenite::client::IntoClientRequest};

use crate::helpers::{page_cookies, problem, spawn_app, Session, TestApp, PAGE_SID};

fn user_id(s: &Session) -> uuid::Uuid {
    s.user["id"].as_str().unwrap().parse().unwrap()
}

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

fn cookie_value(set: &[String], name: &str) -> Option<String> {
    set.iter().find_map(|c| c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap().to_owned()))
}

async fn open_intake(app: &TestApp, cookie: &str, origin: Option<&str>, csrf: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/api/v1/conversations"))
        .header(header::COOKIE, cookie)
        .json(&json!({"kind": "intake"}));
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    if let Some(t) = csrf {
        req = req.header("x-csrf-token", t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_cookie_session_reads_freely_but_writes_only_from_the_own_origin_with_the_csrf_token() {
    let app = spawn_app().await;
    let who = app.resident("13800000021").await;
    let cookie = page_cookies(&who);
    let csrf = csrf_token(app.state.jwt(), PAGE_SID, Some(user_id(&who)));
    let anonymous = csrf_token(app.state.jwt(), PAGE_SID, None);
    let body =
        problem(open_intake(&app, &cookie, Some(&app.address), Some(&anonymous)).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "csrf_token_invalid", "the token is bound to the user");

    let res = app.client.get(app.url("/api/v1/me")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a GET needs no token");

    let body = problem(open_intake(&app, &cookie, Some(&app.address), None).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "csrf_token_invalid");
    let body =
        problem(open_intake(&app, &cookie, Some(&app.address), Some("forged")).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "csrf_token_invalid");
    let body =
        problem(open_intake(&app, &cookie, Some("http://evil.example"), Some(&csrf)).await, StatusCode::FORBIDDEN)
            .await;
    assert_eq!(body["code"], "origin_not_allowed");
    let body = problem(open_intake(&app, &cookie, None, Some(&csrf)).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "origin_not_allowed", "no Origin and no Referer");
    let other_sid = format!("hl_access={}; hl_sid=another-session-id-of-at-least-32-chars", who.access_token);
    let body =
        problem(open_intake(&app, &other_sid, Some(&app.address), Some(&csrf)).await, StatusCode::FORBIDDEN).await;
    assert_eq!(body["code"], "csrf_token_invalid", "the token belongs to its session id");

    let res = open_intake(&app, &cookie, Some(&app.address), Some(&csrf)).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // Bearer clients are not browsers: no cookie rules for them.
    let res = app
        .client
        .post(app.url("/api/v1/conversations"))
        .bearer_auth(&who.access_token)
        .header(header::ORIGIN, "http://evil.example")
        .json(&json!({"kind": "intake"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}

#[tokio::test]
async fn an_expired_access_cookie_is_renewed_once_for_parallel_requests_and_a_revoked_one_is_cleared() {
    let app = spawn_app().await;
    let who = app.resident("13800000022").await;
    // The access token has lapsed (its cookie expired with it): only the refresh cookie is sent.
    let cookie = format!("hl_refresh={}; hl_sid={PAGE_SID}", who.refresh_token);
    let me = || app.client.get(app.url("/api/v1/me")).header(header::COOKIE, &cookie).send();
    let (a, b, c) = tokio::join!(me(), me(), me());
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    for res in [&a, &b, &c] {
        assert_eq!(res.status(), StatusCode::OK);
        assert!(cookie_value(&set_cookies(res), "hl_access").is_some(), "a renewed access cookie");
    }
    let rotated: Vec<String> =
        [&a, &b, &c].iter().filter_map(|r| cookie_value(&set_cookies(r), "hl_refresh")).collect();
    assert_eq!(rotated.len(), 1, "the refresh token rotates once; the others share it");
    let set = set_cookies(&a).join("\n");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");

    // The rotated token keeps the session going: the login was not revoked as a reuse.
    let res = app.refresh(&rotated[0]).await;
    assert_eq!(res.status(), StatusCode::OK);

    // A revoked session: the request is anonymous and the cookies are cleared.
    app.logout(res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap()).await;
    let gone = format!("hl_refresh={}", rotated[0]);
    let res = app.client.get(app.url("/api/v1/me")).header(header::COOKIE, gone).send().await.unwrap();
    let cleared = set_cookies(&res);
    assert_eq!(problem(res, StatusCode::UNAUTHORIZED).await["code"], "missing_token");
    assert_eq!(cookie_value(&cleared, "hl_refresh").as_deref(), Some(""), "{cleared:?}");
}

#[tokio::test]
async fn the_websocket_takes_the_session_cookie_from_the_own_origin_only() {
    let app = spawn_app().await;
    let who = app.resident("13800000023").await;
    let url = format!("ws://{}/api/v1/ws", app.address.trim_start_matches("http://"));
    let handshake = |origin: &str| {
        let mut req = url.as_str().into_client_request().unwrap();
        req.headers_mut().insert("cookie", page_cookies(&who).parse().unwrap());
        req.headers_mut().insert("origin", origin.parse().unwrap());
        req
    };
    let err = connect_async(handshake("http://evil.example")).await.expect_err("refused");
    let tokio_tungstenite::tungstenite::Error::Http(res) = err else { panic!("expected an HTTP answer: {err:?}") };
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_ws, res) = connect_async(handshake(&app.address)).await.expect("own origin is accepted");
    assert_eq!(res.status(), StatusCode::SWITCHING_PROTOCOLS);
}

#[tokio::test]
async fn forms_without_the_csrf_token_get_the_page_back_with_a_message() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/login/password"))
        .header(header::ORIGIN, &app.address)
        .form(&[("phone", "13900000001"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("页面已过期"));
}

#[tokio::test]
async fn pages_redirect_to_login_and_static_files_are_versioned() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!((res.status(), res.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
    let res = app.get("/chat").await;
    assert_eq!(res.headers()["location"], "/login?next=%2Fchat");

    let page = app.get("/login").await.text().await.unwrap();
    let href = page.split("href=\"/static/app.css?v=").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let res = app.get(&format!("/static/app.css?v={href}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = app.client.get(app.url("/static/app.css")).header(header::IF_NONE_MATCH, etag).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(problem(app.get("/static/nope.js").await, StatusCode::NOT_FOUND).await["code"], "asset_not_found");
}

#[tokio::test]
async fn logging_out_with_an_expired_access_cookie_clears_the_cookies_and_revokes_the_session() {
    let app = spawn_app().await;
    let who = app.resident("13800000024").await;
    let csrf = csrf_token(app.state.jwt(), PAGE_SID, Some(user_id(&who)));
    let res = app
        .client
        .post(app.url("/logout"))
        .header(header::COOKIE, format!("hl_refresh={}; hl_sid={PAGE_SID}", who.refresh_token))
        .header(header::ORIGIN, &app.address)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = set_cookies(&res);
    assert_eq!(cookie_value(&set, "hl_access").as_deref(), Some(""), "the renewal does not log back in: {set:?}");
    assert_eq!(cookie_value(&set, "hl_refresh").as_deref(), Some(""), "{set:?}");
    assert_eq!(set.iter().filter(|c| c.starts_with("hl_access=")).count(), 1, "{set:?}");
    assert_eq!(
        problem(app.refresh(&who.refresh_token).await, StatusCode::UNAUTHORIZED).await["code"],
        "refresh_token_invalid"
    );
}

#[tokio::test]
async fn an_unknown_page_is_a_page_for_browsers_and_a_problem_for_api_clients() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/no-such-page")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("没有这个页面"));
    assert_eq!(problem(app.get("/no-such-page").await, StatusCode::NOT_FOUND).await["code"], "route_not_found");
    let res = app.client.get(app.url("/api/v1/nothing")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "route_not_found", "the API answers in JSON");
}

#[tokio::test]
async fn the_desk_is_for_staff_keeps_its_filters_and_refuses_bad_ones_in_words() {
    let app = spawn_app().await;
    let staff = app.staff("13912340007", hazardline::auth::Role::DeptStaff).await;
    let resident = app.resident("13800000077").await;
    let page = |s: &Session, path: &str| app.client.get(app.url(path)).header(header::COOKIE, page_cookies(s)).send();

    // Staff land at the desk; a resident asking for it is sent home.
    assert_eq!(page(&staff, "/").await.unwrap().headers()["location"], "/desk");
    assert_eq!(page(&resident, "/desk").await.unwrap().headers()["location"], "/chat");

    let res = page(&staff, "/desk?q=%E7%BA%B8%E7%AE%B1&overdue=true").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"纸箱\"") && html.contains("checked"), "the filter keeps its values");
    assert!(!html.contains("tab-unrouted"), "department staff get no unrouted tab");

    // Categories are chosen by name and the choice is kept.
    let html = page(&staff, "/desk?category=fire").await.unwrap().text().await.unwrap();
    assert!(html.contains("<option value=\"fire\" selected>消防安全</option>"), "{html}");

    let res = page(&staff, "/desk?status=bogus").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("筛选条件有误"));

    let res = page(&staff, &format!("/desk/tickets/{}", uuid::Uuid::now_v7())).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("没有这个页面"));

    let res = app.get_as("/desk/live", &resident.access_token).await;
    assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");

    // Dispatchers get the unrouted tab.
    let dispatcher = app.staff("13912340008", hazardline::auth::Role::Dispatcher).await;
    let html = page(&dispatcher, "/desk?status=unrouted").await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"tab-unrouted\""), "{html}");
}

#[tokio::test]
async fn choosing_english_on_a_page_makes_it_the_language_the_bot_speaks() {
    let app = spawn_app().await;
    let resident = app.resident("13800000078").await;
    let locale = || async {
        entity::user::Entity::find_by_id(user_id(&resident)).one(app.state.db()).await.unwrap().unwrap().locale
    };
    assert_eq!(locale().await, "zh-CN");
    let res =
        app.client.get(app.url("/chat?lang=en")).header(header::COOKIE, page_cookies(&resident)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(set_cookies(&res).iter().any(|c| c.starts_with("hl_lang=en")));
    // The account is updated beside the page, not before it: wait for it, within reason.
    let mut waited = 0;
    while locale().await != "en-US" {
        assert!(waited < 200, "the account keeps the chosen language");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        waited += 1;
    }
}
