//! The official account channel over WeChat's real protocol: pushes built, signed and encrypted
//! here as WeChat sends them (the crypto below is written from the documentation, independently of
//! the server's), posted to `/wechat/callback`, and the passive replies parsed and decrypted; a
//! local double of the WeChat API serves `/cgi-bin/token`, `/cgi-bin/media/get` and
//! `/cgi-bin/message/custom/send`, and every JSON we send it is checked.

use std::time::Duration;

use hazardline::{geo::demo_city::grid_center, notifications::worker::deliver_due};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use wiremock::{
    matchers::{method, path, query_param},
    Mock, MockServer, ResponseTemplate,
};

use crate::{
    helpers::{problem, spawn_app_with},
    media_support::testdata,
    tickets::{act_ok, cast_in, get_ticket, make_staff_of, upload_photo, Cast},
};

use crate::wechat_support::*;

#[tokio::test]
async fn server_verification_echoes_echostr_only_with_the_right_signature() {
    let wechat = double().await;
    let app = app_with(&wechat, false).await;
    let sig = sha1_sorted(&[TOKEN, "1409659813", "1372623149"]);
    let ok = app
        .get(&format!("/wechat/callback?signature={sig}&timestamp=1409659813&nonce=1372623149&echostr=hello42"))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.text().await.unwrap(), "hello42");
    let bad = app.get("/wechat/callback?signature=0000&timestamp=1409659813&nonce=1372623149&echostr=x").await;
    assert_eq!(problem(bad, StatusCode::UNAUTHORIZED).await["code"], "wechat_signature_invalid");
    let none = app.get("/wechat/callback?echostr=x").await;
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_an_app_id_the_callback_is_unavailable() {
    let app = spawn_app_with(|_| {}).await;
    let res = app.post_raw("/wechat/callback?signature=a&timestamp=1&nonce=2", "text/xml", "<xml/>").await;
    assert_eq!(problem(res, StatusCode::SERVICE_UNAVAILABLE).await["code"], "wechat_not_configured");
}

async fn every_message_type(safe: bool) {
    let wechat = double().await;
    let app = app_with(&wechat, safe).await;
    app.with_demo_city().await;
    let mut wx = Wx::new(&app, "oResident-types", safe);

    // Subscribe: greeting and the numbered menu.
    let xml = wx.event("subscribe", "<EventKey><![CDATA[]]></EventKey>");
    let greeting = wx.send(&xml).await.expect("greeted");
    assert!(greeting.contains("您好") && greeting.contains("回复1：上报隐患"), "{greeting}");
    assert!(greeting.contains("回复4：转人工"), "{greeting}");

    // A typed number picks the menu's button: 1 → report.
    let r = wx.text("1").await;
    assert!(r.contains("什么隐患"), "asked for a description: {r}");

    // Text with a hazard: the bot asks where.
    let r = wx.text("楼道里好多电动车在充电").await;
    assert!(r.contains("位置") || r.contains("哪里") || r.contains("在哪"), "{r}");

    // A location answers it (GCJ-02 straight from WeChat): the bot moves on to photos.
    let r = wx.location(grid_center(0, 0)).await;
    assert!(r.contains("照片"), "{r}");

    // Voice with recognition is text; without it, a polite request to type.
    let xml = wx.message(
        "voice",
        "<MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[跳过]]></Recognition>",
    );
    let r = wx.send(&xml).await.expect("voice answered");
    assert!(r.contains("匿名"), "recognised voice moved on: {r}");
    let xml = wx.message("voice", "<MediaId><![CDATA[v2]]></MediaId><Format><![CDATA[amr]]></Format>");
    assert!(wx.send(&xml).await.unwrap().contains("没有听清"));

    // A menu click is its key's choice.
    let xml = wx.event("CLICK", "<EventKey><![CDATA[mine]]></EventKey>");
    let r = wx.send(&xml).await.expect("click answered");
    assert!(!r.is_empty());

    // Periodic position reports are remembered, not answered; unsubscribing says nothing.
    let xml = wx.event("LOCATION", "<Latitude>30.27</Latitude><Longitude>120.15</Longitude><Precision>65</Precision>");
    assert_eq!(wx.send(&xml).await, None);
    let remembered = app.state.backends().kv.get(&format!("wechat:position:{APP_ID}:oResident-types")).await.unwrap();
    assert!(remembered.unwrap().contains("30.27"));
    // Unknown types get a polite reply.
    let xml = wx.message("video", "<MediaId><![CDATA[m]]></MediaId><ThumbMediaId><![CDATA[t]]></ThumbMediaId>");
    assert!(wx.send(&xml).await.unwrap().contains("暂时只能看懂"));
    let xml = wx.message("link", "<Title><![CDATA[t]]></Title><Url><![CDATA[http://x]]></Url>");
    assert!(wx.send(&xml).await.is_some());
    let xml = wx.event("TEMPLATESENDJOBFINISH", "<Status><![CDATA[success]]></Status>");
    assert_eq!(wx.send(&xml).await, None, "other events need no answer");
    let xml = wx.event("unsubscribe", "");
    assert_eq!(wx.send(&xml).await, None);

    // One account for the openid, a resident without a phone, with its intake conversation on `wechat`.
    let bindings = entity::wechat_binding::Entity::find()
        .filter(entity::wechat_binding::Column::Openid.eq("oResident-types"))
        .all(app.state.db())
        .await
        .unwrap();
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].app_id, APP_ID);
    let conv = entity::conversation::Entity::find()
        .filter(entity::conversation::Column::OwnerId.eq(bindings[0].user_id))
        .one(app.state.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((conv.kind.as_str(), conv.channel.as_deref()), ("intake", Some("wechat")));
}

#[tokio::test]
async fn every_message_type_in_plaintext_mode() {
    every_message_type(false).await;
}

#[tokio::test]
async fn every_message_type_in_safe_mode() {
    every_message_type(true).await;
}

#[tokio::test]
async fn a_retried_push_is_processed_once_and_answered_the_same() {
    let wechat = double().await;
    let app = app_with(&wechat, true).await;
    let mut wx = Wx::new(&app, "oRetry", true);
    let xml = wx.message("text", "<Content><![CDATA[你好]]></Content>");
    let msg_id = wx.next_id;
    let (first, second, third) = tokio::join!(wx.send(&xml), wx.send(&xml), wx.send(&xml));
    assert!(first.is_some());
    assert_eq!(first, second);
    assert_eq!(first, third);
    assert_eq!(inbound_count(&app, &format!("wx:{msg_id}")).await, 1, "stored once");
    let later = wx.send(&xml).await;
    assert_eq!(later, first, "a retry after the answer gets the same reply");
    assert_eq!(inbound_count(&app, &format!("wx:{msg_id}")).await, 1);
    // Another user's push with the same MsgId is not answered with this one's reply.
    let mut other = Wx::new(&app, "oSomeoneElse", true);
    other.next_id = msg_id - 1;
    let xml = other.message("text", "<Content><![CDATA[#mine]]></Content>");
    let theirs = other.send(&xml).await;
    assert_ne!(theirs, first);
}

#[tokio::test]
async fn bad_pushes_are_refused_before_anything_is_processed() {
    let wechat = double().await;
    let app = app_with(&wechat, true).await;
    let (ts, nonce) = ("1409659813", "1372623149");
    let sig = sha1_sorted(&[TOKEN, ts, nonce]);
    let post = |url: String, body: String| {
        let app = &app;
        async move { app.post_raw(&url, "text/xml", body).await }
    };
    let plain = |q: &str| format!("/wechat/callback?signature={sig}&timestamp={ts}&nonce={nonce}{q}");
    let good = "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[oBad]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1</MsgId></xml>";

    // Wrong signature: 401, even for a body that is not XML at all.
    let res = post(format!("/wechat/callback?signature=deadbeef&timestamp={ts}&nonce={nonce}"), "not xml".into()).await;
    assert_eq!(problem(res, StatusCode::UNAUTHORIZED).await["code"], "wechat_signature_invalid");

    // XXE and entities: 400, nothing expanded.
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"#;
    let res = post(plain(""), xxe.into()).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_xml_doctype");
    let bomb = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>3</MsgId></xml>";
    let res = post(plain(""), bomb.into()).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_xml_doctype");
    // Malformed and missing fields.
    let res = post(plain(""), "<xml><ToUserName>gh".into()).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_xml_malformed");
    let res = post(plain(""), "<xml><MsgType>text</MsgType></xml>".into()).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_xml_malformed");
    // Over 64 KiB.
    let big = format!("<xml><Content>{}</Content></xml>", "a".repeat(65 * 1024));
    let res = post(plain(""), big).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_body_too_large");

    // Safe mode: a wrong msg_signature is 401 before decrypting.
    let enc = encrypt(good, APP_ID, None);
    let envelope =
        |e: &str| format!("<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{e}]]></Encrypt></xml>");
    let res = post(plain("&encrypt_type=aes&msg_signature=0123"), envelope(&enc)).await;
    assert_eq!(problem(res, StatusCode::UNAUTHORIZED).await["code"], "wechat_signature_invalid");
    let signed = |e: &str| plain(&format!("&encrypt_type=aes&msg_signature={}", sha1_sorted(&[TOKEN, ts, nonce, e])));
    // Another AppID inside: 400.
    let other = encrypt(good, "wx0000000000000000", None);
    let res = post(signed(&other), envelope(&other)).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_appid_mismatch");
    // Wrong padding (bytes that do not all equal their count): 400.
    let padded = encrypt(good, APP_ID, Some(0x33));
    let res = post(signed(&padded), envelope(&padded)).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_decrypt_failed");
    // Not whole blocks.
    let res = post(signed("QUJD"), envelope("QUJD")).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_decrypt_failed");
    // A DOCTYPE inside the encrypted message is refused as well.
    let inner = encrypt(xxe, APP_ID, None);
    let res = post(signed(&inner), envelope(&inner)).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "wechat_xml_doctype");

    // Nothing reached a conversation, and WeChat was never called.
    assert!(entity::message::Entity::find().all(app.state.db()).await.unwrap().is_empty());
    assert_eq!(token_fetches(&wechat).await, 0);
}

#[tokio::test]
async fn the_access_token_is_fetched_once_for_concurrent_sends_and_refreshed_on_40001() {
    let wechat = MockServer::start().await;
    let app = app_with(&wechat, false).await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "T1", "expires_in": 7200})))
        .up_to_n_times(1)
        .mount(&wechat)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "T2", "expires_in": 7200})))
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/custom/send"))
        .and(query_param("access_token", "T1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errcode": 0, "errmsg": "ok"})))
        .up_to_n_times(5)
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/custom/send"))
        .and(query_param("access_token", "T1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"errcode": 40001, "errmsg": "invalid credential"})),
        )
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/custom/send"))
        .and(query_param("access_token", "T2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errcode": 0, "errmsg": "ok"})))
        .mount(&wechat)
        .await;
    let client = app.state.wechat();
    let msg = json!({"touser": "o1", "msgtype": "text", "text": {"content": "hi"}});
    let sends: Vec<_> = (0..5).map(|_| client.send_custom(&msg)).collect();
    for r in futures_util::future::join_all(sends).await {
        r.unwrap();
    }
    assert_eq!(token_fetches(&wechat).await, 1, "one refresh for five concurrent calls");
    // The sixth call is refused with 40001: one refresh, one retry with the new token.
    client.send_custom(&msg).await.unwrap();
    assert_eq!(token_fetches(&wechat).await, 2);
    assert_eq!(
        app.state.backends().kv.get(&format!("wechat:access_token:{APP_ID}")).await.unwrap().as_deref(),
        Some("T2")
    );
    let sent = custom_sends(&wechat).await;
    assert_eq!(sent.len(), 7);
    assert!(sent.iter().all(|s| *s == msg), "the exact JSON: {sent:?}");
}

#[tokio::test]
async fn a_full_report_through_the_official_account_and_its_status_change_back_there() {
    let Some(jpeg) = testdata("photos/Landscape_1.jpg") else { return };
    let wechat = double().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/media/get"))
        .and(query_param("access_token", ACCESS_TOKEN))
        .and(query_param("media_id", "MEDIA_PHOTO_1"))
        .respond_with(ResponseTemplate::new(200).insert_header("content-type", "image/jpeg").set_body_bytes(jpeg))
        .expect(1)
        .mount(&wechat)
        .await;
    let c: Cast = cast_in(app_with(&wechat, true).await).await;
    let app = &c.app;
    let openid = "oJourney-1";
    let mut wx = Wx::new(app, openid, true);

    let xml = wx.event("subscribe", "");
    assert!(wx.send(&xml).await.unwrap().contains("上报隐患"));
    let r = wx.text("楼道里好多电动车在充电，很危险").await;
    assert!(r.contains("位置") || r.contains("在哪"), "{r}");

    // The photo: acknowledged at once, then downloaded, processed and answered through the custom API.
    let xml = wx.message(
        "image",
        "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[MEDIA_PHOTO_1]]></MediaId>",
    );
    let photo_msg = format!("wx:{}", wx.next_id);
    assert_eq!(wx.send(&xml).await.as_deref(), Some("收到照片，正在处理，请稍候…"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let follow_up = loop {
        if let Some(s) = custom_sends(&wechat).await.into_iter().next() {
            break s;
        }
        assert!(tokio::time::Instant::now() < deadline, "no follow-up for the photo");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(follow_up["touser"], openid);
    assert_eq!(follow_up["msgtype"], "text");
    assert_eq!(follow_up.as_object().unwrap().len(), 3, "exactly touser, msgtype, text: {follow_up}");
    let said = follow_up["text"]["content"].as_str().unwrap();
    assert!(said.contains("第1张"), "{said}");
    assert_eq!(inbound_count(app, &photo_msg).await, 1);
    // The row is marked delivered just after WeChat answers the send: wait for that commit.
    let queued = loop {
        let rows = entity::wechat_outbox::Entity::find().all(app.state.db()).await.unwrap();
        if rows.iter().all(|r| r.delivered_at.is_some()) || tokio::time::Instant::now() >= deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(queued.len(), 1);
    assert!(queued[0].delivered_at.is_some() && queued[0].attempts == 1);

    let r = wx.location(grid_center(0, 0)).await;
    let r = if r.contains("好了") { wx.text(&option(&r, "好了")).await } else { r };
    assert!(r.contains("匿名"), "{r}");
    let r = wx.text(&option(&r, "实名")).await;
    assert!(r.contains("照片：1张"), "{r}");
    let r = wx.text(&option(&r, "确认提交")).await;
    assert!(r.contains("YH"), "{r}");

    let binding = entity::wechat_binding::Entity::find()
        .filter(entity::wechat_binding::Column::Openid.eq(openid))
        .one(app.state.db())
        .await
        .unwrap()
        .unwrap();
    let ticket = entity::ticket::Entity::find()
        .filter(entity::ticket::Column::ReporterId.eq(binding.user_id))
        .one(app.state.db())
        .await
        .unwrap()
        .expect("the ticket exists");
    assert_eq!(ticket.channel, "wechat");
    let photos = entity::media::Entity::find()
        .filter(entity::media::Column::UploaderId.eq(binding.user_id))
        .all(app.state.db())
        .await
        .unwrap();
    assert_eq!(photos.len(), 1, "the photo from WeChat was stored");

    // The department works it through to closed.
    let res = get_ticket(app, &c.dispatcher, &ticket.id.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;
    let place = grid_center(0, 0);
    let near = json!({"lat": place.1, "lng": place.0, "coord_system": "gcj02"});
    let t = act_ok(app, &c.grid_worker, &t, json!({"action": "accept"})).await;
    let on_site = upload_photo(app, &c.grid_worker, 2).await;
    let confirm = json!({"action": "confirm", "level": "general", "evidence": [on_site], "position": near});
    let t = act_ok(app, &c.grid_worker, &t, confirm).await;
    let deadline = (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339();
    let accept = json!({"action": "accept", "rectification": {"plan": "清理楼道", "deadline": deadline}});
    let t = act_ok(app, &c.dept_staff, &t, accept).await;
    let fixed = upload_photo(app, &c.dept_staff, 3).await;
    let t = act_ok(app, &c.dept_staff, &t, json!({"action": "complete", "evidence": [fixed]})).await;
    let t = act_ok(app, &c.grid_worker, &t, json!({"action": "pass", "media": [], "position": near})).await;
    assert_eq!(t["status"], "closed");

    while deliver_due(&app.state).await.unwrap() > 0 {}
    let number = &ticket.number;
    let sent = custom_sends(&wechat).await;
    let to_resident: Vec<&Value> = sent.iter().skip(1).filter(|s| s["touser"] == openid).collect();
    assert!(!to_resident.is_empty(), "{sent:?}");
    assert!(sent.iter().skip(1).all(|s| s["touser"] == openid), "only the reporter is on WeChat: {sent:?}");
    let last = to_resident.last().unwrap();
    assert_eq!(last["msgtype"], "text");
    let text = last["text"]["content"].as_str().unwrap();
    assert!(text.contains(number.as_str()) && text.contains("已办结"), "{text}");
    assert_eq!(*last, &json!({"touser": openid, "msgtype": "text", "text": {"content": text}}));
}

#[tokio::test]
async fn a_resident_binds_a_phone_from_the_official_account_and_becomes_the_app_account() {
    let wechat = double().await;
    let app = app_with(&wechat, false).await;
    // The person used the app first (an account on the phone, made without an SMS code here).
    let phone = hazardline::auth::Phone::parse("13800000077").unwrap();
    let in_app = hazardline::auth::service::insert_user_hashed(
        app.state.db(),
        &phone,
        "居民",
        None,
        hazardline::auth::Role::Resident,
    )
    .await
    .unwrap();
    let app_user = in_app.id;

    let mut wx = Wx::new(&app, "oBinder", false);
    let xml = wx.event("subscribe", "");
    wx.send(&xml).await.unwrap();
    let before = entity::wechat_binding::Entity::find()
        .filter(entity::wechat_binding::Column::Openid.eq("oBinder"))
        .one(app.state.db())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(before.user_id, app_user, "first contact made its own resident");

    assert!(wx.text("绑定手机").await.contains("绑定手机 "), "how to bind");
    let r = wx.text("绑定手机 13800000077").await;
    assert!(r.contains("验证码已发送") && r.contains("0077") && !r.contains("13800000077"), "{r}");
    let code = app.last_sms_code("13800000077");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(wx.text(wrong).await.contains("验证码不对"));
    assert!(wx.text(&code).await.contains("手机号已绑定"));

    // The openid is now the app account; the WeChat-only account is closed.
    let after = entity::wechat_binding::Entity::find_by_id(before.id).one(app.state.db()).await.unwrap().unwrap();
    assert_eq!(after.user_id, app_user);
    let old = entity::user::Entity::find_by_id(before.user_id).one(app.state.db()).await.unwrap().unwrap();
    assert!(old.disabled);
    // The next message lands in the app account's WeChat conversation.
    wx.text("你好").await;
    let conv = entity::conversation::Entity::find()
        .filter(entity::conversation::Column::OwnerId.eq(app_user))
        .filter(entity::conversation::Column::Channel.eq("wechat"))
        .one(app.state.db())
        .await
        .unwrap();
    assert!(conv.is_some());

    // Six digits with no binding pending are an ordinary message for the bot.
    let mut other = Wx::new(&app, "oNoBinding", false);
    let r = other.text("123456").await;
    assert!(!r.contains("验证码"), "{r}");
}

fn status_notice(number: &str) -> hazardline::notifications::Notice {
    use hazardline::tickets::status::{TicketStatus, Urgency};
    let payload: hazardline::notifications::texts::Payload =
        serde_json::from_value(json!({"number": number, "status": "closed"})).unwrap();
    assert_eq!(payload.status, Some(TicketStatus::Closed));
    hazardline::notifications::Notice {
        id: uuid::Uuid::now_v7(),
        ticket_id: None,
        kind: hazardline::tickets::workflow::NoticeKind::StatusChanged,
        urgency: Urgency::Normal,
        text: format!("您上报的隐患{number}已办结。"),
        payload,
    }
}

#[tokio::test]
async fn status_changes_go_out_as_template_messages_when_a_template_is_configured() {
    use hazardline::notifications::channel::DeliveryError;
    let wechat = double().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/template/send"))
        .and(query_param("access_token", ACCESS_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errcode": 0, "errmsg": "ok", "msgid": 1})))
        .up_to_n_times(1)
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/template/send"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"errcode": 43004, "errmsg": "require subscribe"})),
        )
        .mount(&wechat)
        .await;
    let uri = wechat.uri();
    let app = spawn_app_with(move |s| {
        s.wechat.api_base = uri;
        s.wechat.app_id = APP_ID.into();
        s.wechat.app_secret = secrecy::SecretString::from(SECRET);
        s.wechat.token = secrecy::SecretString::from(TOKEN);
        s.wechat.status_template_id = "TPL_STATUS".into();
    })
    .await;
    let channel = app.state.channels().all().into_iter().find(|c| c.name() == "wechat").expect("registered");
    let bound = hazardline::auth::service::resident_for_openid(&app.state, APP_ID, "oTemplate", None).await.unwrap();
    let notice = status_notice("YH202611230001");

    channel.deliver(bound.id, &notice).await.unwrap();
    let sent: Vec<Value> = wechat
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/cgi-bin/message/template/send")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        sent,
        [json!({
            "touser": "oTemplate",
            "template_id": "TPL_STATUS",
            "data": {
                "number": {"value": "YH202611230001"},
                "status": {"value": "已办结"},
                "remark": {"value": "您上报的隐患YH202611230001已办结。"},
            },
        })]
    );
    // The user stopped following: permanent, not retried.
    assert!(matches!(channel.deliver(bound.id, &notice).await, Err(DeliveryError::Permanent(_))));
    // Someone not on WeChat: nothing to do.
    let app_only = uuid::Uuid::now_v7();
    channel.deliver(app_only, &notice).await.unwrap();
}

#[tokio::test]
async fn queued_custom_messages_are_retried_with_backoff_and_dead_lettered() {
    use hazardline::notifications::wechat::{custom_text, deliver_pending, enqueue};
    let wechat = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": ACCESS_TOKEN, "expires_in": 7200})),
        )
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/custom/send"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errcode": -1, "errmsg": "system error"})))
        .up_to_n_times(1)
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/custom/send"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errcode": 0, "errmsg": "ok"})))
        .up_to_n_times(1)
        .mount(&wechat)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/custom/send"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"errcode": 45015, "errmsg": "response out of time limit"})),
        )
        .mount(&wechat)
        .await;
    let clock = std::sync::Arc::new(hazardline::clock::ManualClock::new(chrono::Utc::now()));
    let uri = wechat.uri();
    let app = crate::helpers::spawn_app_with_clock(clock.clone(), move |s| {
        s.wechat.api_base = uri;
        s.wechat.app_id = APP_ID.into();
        s.wechat.app_secret = secrecy::SecretString::from(SECRET);
        s.wechat.token = secrecy::SecretString::from(TOKEN);
    })
    .await;
    let state = &app.state;
    let first = enqueue(state, "oQueue", &custom_text("oQueue", "第一条")).await.unwrap();
    assert_eq!(deliver_pending(state).await.unwrap(), 1);
    let row = entity::wechat_outbox::Entity::find_by_id(first).one(state.db()).await.unwrap().unwrap();
    assert!(row.delivered_at.is_none() && row.dead_at.is_none() && row.attempts == 1, "{row:?}");
    assert!(row.last_error.as_deref().unwrap_or_default().contains("-1"), "{row:?}");
    assert_eq!(deliver_pending(state).await.unwrap(), 0, "not due before its backoff");
    clock.advance(chrono::Duration::seconds(3600));
    assert_eq!(deliver_pending(state).await.unwrap(), 1);
    let row = entity::wechat_outbox::Entity::find_by_id(first).one(state.db()).await.unwrap().unwrap();
    assert!(row.delivered_at.is_some() && row.attempts == 2, "{row:?}");

    // The 48-hour window passed: dead at once, never sent again.
    let second = enqueue(state, "oQueue", &custom_text("oQueue", "第二条")).await.unwrap();
    deliver_pending(state).await.unwrap();
    let row = entity::wechat_outbox::Entity::find_by_id(second).one(state.db()).await.unwrap().unwrap();
    assert!(row.dead_at.is_some() && row.delivered_at.is_none(), "{row:?}");
    clock.advance(chrono::Duration::seconds(3600));
    assert_eq!(deliver_pending(state).await.unwrap(), 0);
    let bodies = custom_sends(&wechat).await;
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[0], json!({"touser": "oQueue", "msgtype": "text", "text": {"content": "第一条"}}));
    assert_eq!(bodies[0], bodies[1], "the retry sends the same message");
}
