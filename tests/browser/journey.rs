//! The whole journey in two browsers: the grid worker accepts, confirms and passes the check on the
//! task page, the department works through the API, and the resident's page reads 已办结 live.

use chrono::{Duration, SubsecRound, Utc};
use hazardline::{
    auth::Role,
    geo::{demo_city::grid_center, seed::grid_worker_phone},
};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::{
    helpers::{session, spawn_app, Session, TestApp},
    resident::photo_file,
    support::{assert_no_console_errors, browser, login_with_password, phone_at, screenshots},
    webdriver::Browser,
};

const RESIDENT: &str = "13800000041";
const PASSWORD: &str = "resident password 1";

async fn login_page(b: &Browser, app: &TestApp, phone: &str, password: &str, lands: &str) {
    login_with_password(b, app, phone, password).await;
    b.wait_for("the home page", "return location.pathname === arguments[0]", json!([lands])).await;
}

async fn move_ticket(app: &TestApp, who: &Session, id: &str, mut body: Value) {
    let ticket: Value = app.get_as(&format!("/api/v1/tickets/{id}"), &who.access_token).await.json().await.unwrap();
    body["version"] = ticket["version"].clone();
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/actions"), &who.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn the_whole_journey_ends_with_done_on_the_residents_page_without_a_reload() {
    let app = spawn_app().await;
    let Some(resident_page) = browser().await else { return };
    let worker_page = browser().await.expect("a second browser");
    app.with_demo_city().await;
    let tmp = tempfile::tempdir().unwrap();
    let photo = photo_file(tmp.path());

    // A resident's report, and their "my tickets" page open.
    hazardline::auth::service::create_user(
        &app.state,
        RESIDENT,
        "居民",
        Some(SecretString::from(PASSWORD)),
        Role::Resident,
    )
    .await
    .unwrap();
    let resident = session(&app.login_password(RESIDENT, PASSWORD).await.json::<Value>().await.unwrap());
    let (lng, lat) = grid_center(0, 0);
    let report = json!({"category": "fire", "description": "三楼楼道堆满纸箱，安全出口被堵",
        "location": {"lat": lat, "lng": lng, "coord_system": "gcj02"}, "address": "幸福路12号3楼"});
    let res = app.post_json_as("/api/v1/tickets", &resident.access_token, &report).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ticket = res.json::<Value>().await.unwrap()["ticket"].clone();
    let (id, number) = (ticket["id"].as_str().unwrap(), ticket["number"].as_str().unwrap());
    login_page(&resident_page, &app, RESIDENT, PASSWORD, "/chat").await;
    resident_page.goto(&app.url("/tickets")).await;
    resident_page.wait_for("the live page", "return document.body.dataset.ready === '1'", json!([])).await;
    resident_page.js("window.__stayed = 'no reload'", json!([])).await;
    let badge = format!("#t-{number} .badge");

    // The grid worker, on site: accept, confirm with a photo.
    phone_at(&worker_page, &app, (lng, lat)).await;
    login_page(&worker_page, &app, &grid_worker_phone(0), "demo password 1", "/worker").await;
    worker_page.wait_for("the tasks", "return document.body.dataset.ready === '1'", json!([])).await;
    let item = format!("#t-{number}");
    worker_page.click_when_there(&format!("{item} button[data-act=accept]")).await;
    worker_page.wait_text(&format!("{item} .badge"), "核实中").await;
    worker_page.type_into(&worker_page.find(&format!("#photos-{id}")).await, photo.to_str().unwrap()).await;
    worker_page.click(&worker_page.find(&format!("{item} form[data-act=confirm] button[type=submit]")).await).await;
    worker_page.wait_text("#live", "已确认，转交部门整改。").await;

    // The department accepts with a plan and reports it fixed, through the API.
    let staff = app.staff("13912340041", Role::DeptStaff).await;
    let department = ticket["department_id"].as_str().unwrap().parse().unwrap();
    let staff_id = staff.user["id"].as_str().unwrap().parse().unwrap();
    hazardline::admin::service::add_member(&app.state, department, staff_id).await.unwrap();
    let deadline = (Utc::now() + Duration::days(10)).trunc_subsecs(0);
    move_ticket(
        &app,
        &staff,
        id,
        json!({"action": "accept", "rectification": {"plan": "清理楼道杂物", "deadline": deadline}}),
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&staff.access_token)
        .header("content-type", "image/jpeg")
        .body(std::fs::read(&photo).unwrap())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let fixed = res.json::<Value>().await.unwrap()["id"].clone();
    move_ticket(&app, &staff, id, json!({"action": "complete", "evidence": [fixed]})).await;
    hazardline::notifications::worker::deliver_due(&app.state).await.unwrap();

    // The check of the fix comes back to the worker's page; one tap passes it.
    worker_page
        .wait_for(
            "the check to come back",
            "var i = document.querySelector(arguments[0]); return i && i.dataset.status === 'awaiting_check'",
            json!([item]),
        )
        .await;
    screenshots(&worker_page, "worker-check").await;
    worker_page.click(&worker_page.find(&format!("{item} form[data-act=check] button[value=pass]")).await).await;
    worker_page.wait_text("#live", "已验收，工单办结。").await;

    // The resident's page, never reloaded, reads 已办结.
    hazardline::notifications::worker::deliver_due(&app.state).await.unwrap();
    resident_page.wait_text(&badge, "已办结").await;
    assert_eq!(resident_page.js("return window.__stayed", json!([])).await, "no reload");
    let timeline = resident_page.text(&format!("#t-{number} .timeline")).await;
    for step in ["上报", "签收", "确认隐患", "整改完成", "验收销号"] {
        assert!(timeline.contains(step), "{step} in {timeline}");
    }
    screenshots(&resident_page, "journey-done").await;

    assert_no_console_errors(&resident_page, &[]).await;
    assert_no_console_errors(&worker_page, &[]).await;
    resident_page.quit().await;
    worker_page.quit().await;
}
