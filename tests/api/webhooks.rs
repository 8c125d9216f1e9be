//! Outbound webhooks: endpoints registered by admins get the ticket events they asked for, signed,
//! retried with backoff after a failure, given up after the last attempt, with a delivery log.
//! Deliveries are driven with `deliver_due` and the test clock, never by waiting.

use std::sync::Arc;

use chrono::{SubsecRound, TimeDelta, Utc};
use hazardline::{
    auth::Role,
    clock::{Clock, ManualClock},
    geo::demo_city::grid_center,
    state::AppState,
    webhooks::signature,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use wiremock::{
    matchers::{method, path},
    Mock, MockServer, ResponseTemplate,
};

use crate::{
    helpers::{spawn_app_with_clock, Session, TestApp},
    tickets::{act_ok, login, report, submit},
};

const SECRET: &str = "a-shared-secret-of-the-receiver";

async fn drain_outbox(state: &AppState) {
    while hazardline::notifications::worker::deliver_due(state).await.unwrap() > 0 {}
}

async fn register(app: &TestApp, admin: &Session, url: String, kinds: Value) -> Value {
    let body = json!({"url": url, "event_kinds": kinds, "secret": SECRET, "description": "12345热线平台"});
    let res = app.post_json_as("/api/v1/webhooks", &admin.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn deliveries(app: &TestApp, admin: &Session, endpoint: &Value) -> Vec<Value> {
    let url = format!("/api/v1/webhooks/{}/deliveries", endpoint["id"].as_str().unwrap());
    let res = app.get_as(&url, &admin.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

struct Setup {
    app: TestApp,
    clock: ManualClock,
    admin: Session,
    resident: Session,
    server: MockServer,
}

async fn setup(max_attempts: u32) -> Setup {
    let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
    let app = spawn_app_with_clock(Arc::new(clock.clone()), |s| s.webhooks.max_attempts = max_attempts).await;
    app.with_demo_city().await;
    let admin = app.staff("13912348888", Role::Admin).await;
    let resident = app.resident("13800000055").await;
    Setup { app, clock, admin, resident, server: MockServer::start().await }
}

#[tokio::test]
async fn a_ticket_event_reaches_its_endpoint_signed_and_is_retried_after_a_500() {
    let s = setup(5).await;
    let app = &s.app;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(204))
        .with_priority(2)
        .mount(&s.server)
        .await;
    let wanted = register(app, &s.admin, format!("{}/hook", s.server.uri()), json!(["ticket.submit"])).await;
    assert_eq!(wanted["secret"], SECRET);
    let other = register(app, &s.admin, format!("{}/other", s.server.uri()), json!(["ticket.accept"])).await;

    let t = submit(app, &s.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    drain_outbox(&app.state).await;
    let base = app.settings.webhooks.backoff_base_secs as i64;

    // First attempt: the receiver fails.
    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 1);
    let log = deliveries(app, &s.admin, &wanted).await;
    assert_eq!(log.len(), 1);
    let d = &log[0];
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64(), d["status_code"].as_i64()),
        (Some("pending"), Some(1), Some(500))
    );
    assert_eq!(d["kind"], "ticket.submit");
    assert_eq!(d["ticket_id"], t["id"]);
    let next: chrono::DateTime<Utc> = serde_json::from_value(d["next_attempt_at"].clone()).unwrap();
    assert_eq!(next, s.clock.now() + TimeDelta::seconds(base));
    assert_eq!(d["log"][0]["attempt"], 1);
    assert!(d["last_error"].as_str().unwrap().starts_with("HTTP 500"));
    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 0, "not due yet");

    // After the backoff the retry succeeds.
    s.clock.advance(TimeDelta::seconds(base));
    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 1);
    let d = deliveries(app, &s.admin, &wanted).await.remove(0);
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64(), d["status_code"].as_i64()),
        (Some("delivered"), Some(2), Some(204))
    );
    let codes: Vec<i64> = d["log"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
    assert_eq!(codes, [500, 204]);
    assert!(d["next_attempt_at"].is_null() && d["delivered_at"].is_string());
    assert!(deliveries(app, &s.admin, &other).await.is_empty(), "not subscribed to submit");
    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 0);

    // Both attempts carried the same body, each signed at its own time; a receiver verifies them.
    let got = s.server.received_requests().await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, got[1].body);
    for (req, at) in got.iter().zip([s.clock.now() - TimeDelta::seconds(base), s.clock.now()]) {
        let header = req.headers.get("x-hazardline-signature").unwrap().to_str().unwrap();
        assert_eq!(signature::verify(SECRET, header, &req.body, at.timestamp(), signature::REPLAY_WINDOW_SECS), Ok(()));
        assert!(signature::verify("wrong secret", header, &req.body, at.timestamp(), 300).is_err());
        assert_eq!(req.headers.get("x-hazardline-event").unwrap(), "ticket.submit");
        assert_eq!(req.headers.get("x-hazardline-delivery").unwrap().to_str().unwrap(), d["id"].as_str().unwrap());
        assert_eq!(req.headers.get("content-type").unwrap(), "application/json");
    }
    // A replay long after is refused by a receiver keeping the window.
    let header = got[0].headers.get("x-hazardline-signature").unwrap().to_str().unwrap();
    let later = s.clock.now().timestamp() + 3600;
    assert_eq!(
        signature::verify(SECRET, header, &got[0].body, later, signature::REPLAY_WINDOW_SECS),
        Err(signature::SignatureError::Stale)
    );

    // A later move reaches the endpoint that asked for it, and only that one.
    let worker = login(app, &hazardline::geo::seed::grid_worker_phone(0), "demo password 1").await;
    act_ok(app, &worker, &t, json!({"action": "accept"})).await;
    drain_outbox(&app.state).await;
    let accepted = deliveries(app, &s.admin, &other).await;
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        (accepted[0]["kind"].as_str(), accepted[0]["ticket_id"].as_str()),
        (Some("ticket.accept"), t["id"].as_str())
    );
    assert_eq!(deliveries(app, &s.admin, &wanted).await.len(), 1, "no accept for a submit-only endpoint");

    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["type"], "ticket.submit");
    assert_eq!(body["id"], d["event_id"]);
    assert_eq!(body["event"]["action"], "submit");
    assert_eq!(body["event"]["to_status"], t["status"]);
    assert_eq!(body["ticket"]["number"], t["number"]);
    assert_eq!(body["ticket"]["status_label"], "已派单");
    assert!(body["ticket"]["department"].is_string());
    let text = String::from_utf8_lossy(&got[0].body);
    assert!(body["ticket"].get("reporter_id").is_none() && body["ticket"].get("description").is_none());
    assert!(!text.contains(s.resident.user["id"].as_str().unwrap()), "the reporter is never sent: {text}");
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_given_up_and_a_disabled_endpoint_gets_nothing_more() {
    let s = setup(2).await;
    let app = &s.app;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&s.server).await;
    let failing = register(app, &s.admin, format!("{}/down", s.server.uri()), json!(["ticket.*"])).await;
    submit(app, &s.resident, &report("fire", grid_center(0, 0), &[])).await;
    drain_outbox(&app.state).await;

    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 1);
    s.clock.advance(TimeDelta::seconds(app.settings.webhooks.backoff_base_secs as i64));
    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 1);
    let d = deliveries(app, &s.admin, &failing).await.remove(0);
    assert_eq!((d["state"].as_str(), d["attempts"].as_i64()), (Some("dead"), Some(2)));
    assert!(d["dead_at"].is_string());
    s.clock.advance(TimeDelta::days(1));
    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 0, "dead stays dead");
    let url = format!("/api/v1/webhooks/{}/deliveries?state=dead", failing["id"].as_str().unwrap());
    assert_eq!(
        app.get_as(&url, &s.admin.access_token).await.json::<Value>().await.unwrap().as_array().unwrap().len(),
        1
    );

    // Disabled: pending deliveries are given up without a call, and new events are not fanned out.
    let path = format!("/api/v1/webhooks/{}", failing["id"].as_str().unwrap());
    submit(app, &s.resident, &report("gas", grid_center(0, 0), &[])).await;
    drain_outbox(&app.state).await;
    let res = app.patch_json_as(&path, &s.admin.access_token, &json!({"active": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);
    let calls = s.server.received_requests().await.unwrap().len();
    assert_eq!(hazardline::webhooks::worker::deliver_due(&app.state).await.unwrap(), 1);
    assert_eq!(s.server.received_requests().await.unwrap().len(), calls, "no call to a disabled endpoint");
    let latest = deliveries(app, &s.admin, &failing).await.remove(0);
    assert_eq!((latest["state"].as_str(), latest["last_error"].as_str()), (Some("dead"), Some("endpoint disabled")));
    submit(app, &s.resident, &report("water", grid_center(0, 0), &[])).await;
    drain_outbox(&app.state).await;
    assert_eq!(deliveries(app, &s.admin, &failing).await.len(), 2, "nothing new for a disabled endpoint");
}

#[tokio::test]
async fn only_admins_register_endpoints_and_bad_ones_are_refused() {
    let s = setup(3).await;
    let app = &s.app;
    let body = json!({"url": "https://gov.example/hook", "event_kinds": ["ticket.pass"]});
    let res = app.post_json_as("/api/v1/webhooks", &s.resident.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_as("/api/v1/webhooks", &s.resident.access_token).await.status(), StatusCode::FORBIDDEN);

    for (bad, field) in [
        (json!({"url": "ftp://gov.example", "event_kinds": ["ticket.pass"]}), "url"),
        (json!({"url": "https://gov.example", "event_kinds": ["ticket.explode"]}), "event_kinds"),
        (json!({"url": "https://gov.example", "event_kinds": []}), "event_kinds"),
        (json!({"url": "https://gov.example", "event_kinds": ["ticket.*"], "secret": "short"}), "secret"),
    ] {
        let res = app.post_json_as("/api/v1/webhooks", &s.admin.access_token, &bad).await;
        let problem = crate::helpers::problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], field);
    }

    // Without a secret one is generated and shown once; the list never shows it.
    let res = app.post_json_as("/api/v1/webhooks", &s.admin.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    let list: Value = app.get_as("/api/v1/webhooks", &s.admin.access_token).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("secret").is_none());
    assert_eq!(list[0]["event_kinds"], json!(["ticket.pass"]));
    let missing = format!("/api/v1/webhooks/{}/deliveries", uuid::Uuid::nil());
    assert_eq!(app.get_as(&missing, &s.admin.access_token).await.status(), StatusCode::NOT_FOUND);
}
