//! Tickets over HTTP: the journey from report to rating, and its branches.

use chrono::{Duration, Utc};
use hazardline::{auth::Role, geo::demo_city::grid_center};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{problem, spawn_app, Session, TestApp},
    media_support::upload_ok,
};

/// A small JPEG whose picture depends on `seed` (so photos differ in their perceptual hash).
pub fn photo(seed: u8) -> Vec<u8> {
    let (w, h) = (64u16, 48u16);
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let v = (x as u32 * (u32::from(seed) + 1) * 7 + y as u32 * 13 * u32::from(seed % 5 + 1)) % 256;
            let block = if (x / 16 + y / 16 + u16::from(seed)) % 2 == 0 { 255u8 } else { 0 };
            rgb.extend_from_slice(&[v as u8, block, 255 - v as u8]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90).encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

/// People of a journey in the demo city.
pub struct Cast {
    pub app: TestApp,
    pub resident: Session,
    pub grid_worker: Session,
    pub dispatcher: Session,
    pub dept_staff: Session,
}

pub async fn login(app: &TestApp, phone: &str, password: &str) -> Session {
    let res = app.login_password(phone, password).await;
    assert_eq!(res.status(), StatusCode::OK);
    crate::helpers::session(&res.json::<Value>().await.unwrap())
}

pub async fn cast() -> Cast {
    cast_in(spawn_app().await).await
}

/// The cast of a journey in `app`, after seeding the demo city there.
pub async fn cast_in(app: TestApp) -> Cast {
    app.with_demo_city().await;
    let resident = app.resident("13800000001").await;
    let grid_worker = login(&app, &hazardline::geo::seed::grid_worker_phone(0), "demo password 1").await;
    let dispatcher = app.staff("13912340001", Role::Dispatcher).await;
    let dept_staff = app.staff("13912340002", Role::DeptStaff).await;
    Cast { app, resident, grid_worker, dispatcher, dept_staff }
}

pub fn user_id(s: &Session) -> Uuid {
    s.user["id"].as_str().unwrap().parse().unwrap()
}

pub async fn upload_photo(app: &TestApp, who: &Session, seed: u8) -> String {
    upload_ok(app, &who.access_token, "p.jpg", &photo(seed)).await["id"].as_str().unwrap().to_owned()
}

pub fn report(category: &str, (lng, lat): (f64, f64), photos: &[String]) -> Value {
    json!({
        "category": category,
        "description": "楼道里堆满纸箱，消防通道被堵",
        "location": {"lat": lat, "lng": lng, "coord_system": "gcj02"},
        "address": "青川市幸福路12号",
        "photos": photos,
    })
}

pub async fn submit(app: &TestApp, who: &Session, body: &Value) -> Value {
    let res = app.post_json_as("/api/v1/tickets", &who.access_token, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

pub async fn act(app: &TestApp, who: &Session, ticket: &Value, body: Value) -> reqwest::Response {
    let mut body = body;
    body["version"] = ticket["version"].clone();
    app.post_json_as(&format!("/api/v1/tickets/{}/actions", ticket["id"].as_str().unwrap()), &who.access_token, &body)
        .await
}

pub async fn act_ok(app: &TestApp, who: &Session, ticket: &Value, body: Value) -> Value {
    let res = act(app, who, ticket, body).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

pub async fn get_ticket(app: &TestApp, who: &Session, id: &str) -> reqwest::Response {
    app.get_as(&format!("/api/v1/tickets/{id}"), &who.access_token).await
}

pub fn actions(ticket: &Value) -> Vec<String> {
    ticket["allowed_actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect()
}

pub async fn make_staff_of(app: &TestApp, who: &Session, department: &Value) {
    let dept: Uuid = department.as_str().unwrap().parse().unwrap();
    hazardline::admin::service::add_member(&app.state, dept, user_id(who)).await.unwrap();
}

fn near(center: (f64, f64)) -> Value {
    json!({"lat": center.1, "lng": center.0, "coord_system": "gcj02"})
}

#[tokio::test]
async fn a_report_goes_from_submission_to_close_out_with_every_step_recorded() {
    let c = cast().await;
    let app = &c.app;
    let place = grid_center(0, 0);
    let before = upload_photo(app, &c.resident, 1).await;
    let created = submit(app, &c.resident, &report("fire", place, std::slice::from_ref(&before))).await;
    let t = &created["ticket"];
    assert_eq!(t["status"], "assigned");
    assert!(t["number"].as_str().unwrap().starts_with("YH"));
    assert_eq!(t["grid_worker_id"], json!(user_id(&c.grid_worker)));
    assert!(t["department_id"].is_string());
    assert_eq!(t["status_label"], "已派单");
    assert!(created["advice"].is_null());
    assert_eq!(actions(t), ["withdraw"]);
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;

    // The grid worker sees it with their moves; a stale version is refused with what they may do.
    let seen: Value = get_ticket(app, &c.grid_worker, t["id"].as_str().unwrap()).await.json().await.unwrap();
    assert_eq!(actions(&seen), ["accept", "decline", "cancel_as_error"]);
    let t = act_ok(app, &c.grid_worker, &seen, json!({"action": "accept"})).await;
    assert_eq!((t["status"].as_str(), t["version"].as_i64()), (Some("verifying"), Some(2)));
    let stale = act(app, &c.grid_worker, &seen, json!({"action": "decline"})).await;
    let body = problem(stale, StatusCode::CONFLICT).await;
    assert_eq!(body["code"], "version_conflict");
    assert!(body["allowed_actions"].as_array().unwrap().contains(&json!("confirm")));

    let on_site = upload_photo(app, &c.grid_worker, 2).await;
    let t = act_ok(
        app,
        &c.grid_worker,
        &t,
        json!({"action": "confirm", "level": "general", "evidence": [on_site], "position": near(place)}),
    )
    .await;
    assert_eq!(t["status"], "confirmed");
    assert_eq!(t["flags"], json!([]), "on site, no flags");

    let deadline = (Utc::now() + Duration::days(10)).to_rfc3339();
    let t = act_ok(
        app,
        &c.dept_staff,
        &t,
        json!({"action": "accept", "rectification": {"plan": "清理楼道杂物，张贴警示", "deadline": deadline}}),
    )
    .await;
    assert_eq!(t["status"], "rectifying");
    assert!(t["due_at"].is_string());
    let fixed = upload_photo(app, &c.dept_staff, 3).await;
    let t = act_ok(app, &c.dept_staff, &t, json!({"action": "complete", "evidence": [fixed]})).await;
    assert_eq!(t["status"], "awaiting_check");
    let t = act_ok(app, &c.grid_worker, &t, json!({"action": "pass", "media": [], "position": near(place)})).await;
    assert_eq!(t["status"], "closed");
    assert!(t["closed_at"].is_string());

    // The reporter sees it closed, with before and after photos side by side and no staff detail.
    let mine: Value = get_ticket(app, &c.resident, t["id"].as_str().unwrap()).await.json().await.unwrap();
    assert_eq!(mine["status_label"], "已办结");
    assert_eq!(mine["photos"]["before"].as_array().unwrap().len(), 2);
    assert_eq!(mine["photos"]["after"].as_array().unwrap().len(), 1);
    assert!(mine["routing_reason"].is_null() && mine["flags"] == json!([]));
    assert!(actions(&mine).contains(&"reopen".to_owned()));

    let events: Value = app
        .get_as(&format!("/api/v1/tickets/{}/events", t["id"].as_str().unwrap()), &c.dispatcher.access_token)
        .await
        .json()
        .await
        .unwrap();
    let steps: Vec<(&str, &str)> =
        events.as_array().unwrap().iter().map(|e| (e["action"].as_str().unwrap(), e["to"].as_str().unwrap())).collect();
    assert_eq!(
        steps,
        [
            ("submit", "assigned"),
            ("accept", "verifying"),
            ("confirm", "confirmed"),
            ("accept", "rectifying"),
            ("complete", "awaiting_check"),
            ("pass", "closed"),
        ]
    );
    assert_eq!(events[3]["deadline_to"].as_str().map(|d| d[..10].to_owned()), Some(deadline[..10].to_owned()));
    let outbox = entity::outbox::Entity::find().all(app.state.db()).await.unwrap();
    use sea_orm::EntityTrait;
    assert!(outbox.iter().any(|o| o.audience == "reporter" && o.kind == "status_changed"));
    assert!(outbox.iter().any(|o| o.audience == "grid_worker" && o.kind == "task_assigned"));
    assert!(outbox.iter().any(|o| o.audience == "department" && o.kind == "rectification_assigned"));
}

#[tokio::test]
async fn a_retried_report_returns_the_first_answer_and_creates_nothing() {
    let c = cast().await;
    let app = &c.app;
    let body = report("fire", grid_center(1, 1), &[]);
    let send = |key: &'static str, body: Value| {
        app.client
            .post(app.url("/api/v1/tickets"))
            .bearer_auth(&c.resident.access_token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send("k-1", body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = send("k-1", body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let mut other = body.clone();
    other["description"] = json!("另一件事");
    assert_eq!(
        problem(send("k-1", other).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await["code"],
        "idempotency_key_reused"
    );
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::ticket::Entity::find().count(app.state.db()).await.unwrap(), 1);
    let second = send("k-2", body).await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(entity::ticket::Entity::find().count(app.state.db()).await.unwrap(), 2);
}

#[tokio::test]
async fn bad_reports_are_refused_field_by_field() {
    let c = cast().await;
    let app = &c.app;
    let ok = report("fire", grid_center(0, 0), &[]);
    let cases = [
        (json!({"description": "  "}), "description"),
        (json!({"category": "no_such"}), "category"),
        (json!({"location": {"lat": 95.0, "lng": 120.0}}), "lat"),
        (json!({"photos": [Uuid::now_v7()]}), "photos"),
        (json!({"channel": "staff"}), "channel"),
        (json!({"description": "很".repeat(1001)}), "description"),
    ];
    for (change, field) in cases {
        let mut body = ok.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = app.post_json_as("/api/v1/tickets", &c.resident.access_token, &body).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    // Someone else's photo is not yours to attach.
    let theirs = upload_photo(app, &c.grid_worker, 9).await;
    let res = app
        .post_json_as("/api/v1/tickets", &c.resident.access_token, &report("fire", grid_center(0, 0), &[theirs]))
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "photos");
}

#[tokio::test]
async fn a_ticket_you_may_not_see_does_not_exist_for_you() {
    let c = cast().await;
    let app = &c.app;
    let created = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await;
    let id = created["ticket"]["id"].as_str().unwrap();
    let stranger = app.resident("13800000002").await;
    assert_eq!(problem(get_ticket(app, &stranger, id).await, StatusCode::NOT_FOUND).await["code"], "ticket_not_found");
    let res = act(app, &stranger, &created["ticket"], json!({"action": "withdraw"})).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "ticket_not_found");
    let other_worker = login(app, &hazardline::geo::seed::grid_worker_phone(5), "demo password 1").await;
    assert_eq!(get_ticket(app, &other_worker, id).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get_ticket(app, &c.dispatcher, id).await.status(), StatusCode::OK);
    let random = Uuid::now_v7();
    assert_eq!(get_ticket(app, &c.dispatcher, &random.to_string()).await.status(), StatusCode::NOT_FOUND);
}
