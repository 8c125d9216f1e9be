//! Shared steps of the ticket journeys: drive a fresh report to a given status in the demo city.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use hazardline::geo::demo_city::grid_center;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{Session, TestApp},
    tickets::{act_ok, get_ticket, make_staff_of, report, submit, upload_photo, Cast},
};

/// A place outside 青川市: no region, no department.
pub const NOWHERE: (f64, f64) = (113.5, 28.5);

pub fn at(place: (f64, f64)) -> Value {
    json!({"lat": place.1, "lng": place.0, "coord_system": "gcj02"})
}

pub async fn view(app: &TestApp, who: &Session, id: &Value) -> Value {
    let res = get_ticket(app, who, id.as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

pub async fn history(app: &TestApp, who: &Session, id: &Value) -> Vec<Value> {
    let res = app.get_as(&format!("/api/v1/tickets/{}/events", id.as_str().unwrap()), &who.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Vec<Value>>().await.unwrap()
}

pub fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// A department of the demo city other than `not`.
pub async fn other_department(app: &TestApp, not: &Value) -> Uuid {
    let not: Uuid = not.as_str().unwrap().parse().unwrap();
    let all = entity::department::Entity::find().all(app.state.db()).await.unwrap();
    all.into_iter().map(|d| d.id).find(|d| *d != not).unwrap()
}

/// Reports a fire at the centre of grid 0 of community 0 and makes `dept_staff` staff of its department.
pub async fn reported(c: &Cast) -> Value {
    let created = submit(&c.app, &c.resident, &report("fire", grid_center(0, 0), &[])).await;
    make_staff_of(&c.app, &c.dept_staff, &created["ticket"]["department_id"]).await;
    created["ticket"].clone()
}

/// The grid worker has taken the check.
pub async fn verifying(c: &Cast) -> Value {
    let t = reported(c).await;
    act_ok(&c.app, &c.grid_worker, &t, json!({"action": "accept"})).await
}

/// Confirmed on site as a general hazard.
pub async fn confirmed(c: &Cast, seed: u8) -> Value {
    let t = verifying(c).await;
    let photo = upload_photo(&c.app, &c.grid_worker, seed).await;
    let body = json!({"action": "confirm", "level": "general", "evidence": [photo], "position": at(grid_center(0, 0))});
    act_ok(&c.app, &c.grid_worker, &t, body).await
}

pub fn in_days(days: i64) -> DateTime<Utc> {
    (Utc::now() + Duration::days(days)).trunc_subsecs(0)
}

/// Accepted by the department with a deadline ten days out.
pub async fn rectifying(c: &Cast, seed: u8) -> Value {
    let t = confirmed(c, seed).await;
    let plan = json!({"plan": "清理楼道杂物", "deadline": in_days(10)});
    act_ok(&c.app, &c.dept_staff, &t, json!({"action": "accept", "rectification": plan})).await
}

/// Reported done by the department.
pub async fn awaiting_check(c: &Cast, seed: u8) -> Value {
    let t = rectifying(c, seed).await;
    complete(c, &t, seed.wrapping_add(100)).await
}

pub async fn complete(c: &Cast, t: &Value, seed: u8) -> Value {
    let fixed = upload_photo(&c.app, &c.dept_staff, seed).await;
    act_ok(&c.app, &c.dept_staff, t, json!({"action": "complete", "evidence": [fixed]})).await
}

pub async fn pass(c: &Cast, t: &Value) -> Value {
    let body = json!({"action": "pass", "media": [], "position": at(grid_center(0, 0))});
    act_ok(&c.app, &c.grid_worker, t, body).await
}

/// Checked and struck off.
pub async fn closed(c: &Cast, seed: u8) -> Value {
    let t = awaiting_check(c, seed).await;
    pass(c, &t).await
}
