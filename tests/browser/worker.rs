//! The grid worker's task page: assignments by deadline, one-tap accept, confirm with photos,
//! decline with a note, report a hazard found on patrol.

use hazardline::geo::{demo_city::grid_center, seed::grid_worker_phone};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{spawn_app, Session, TestApp},
    resident::{another_photo_file, photo_file},
    support::{assert_no_console_errors, browser, login_with_password, phone_at, screenshots},
};

pub async fn report(app: &TestApp, who: &Session, urgency: &str, description: &str) -> Value {
    let (lng, lat) = grid_center(0, 0);
    let body = json!({
        "category": "fire",
        "description": description,
        "urgency": urgency,
        "location": {"lat": lat, "lng": lng, "coord_system": "gcj02"},
        "address": "青川市幸福路12号",
    });
    let res = app.post_json_as("/api/v1/tickets", &who.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["ticket"].clone()
}

#[tokio::test]
async fn a_grid_worker_sees_tasks_by_deadline_accepts_with_one_tap_and_confirms_with_photos() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    let resident = app.resident("13800000031").await;
    let later = report(&app, &resident, "normal", "楼道里堆满纸箱，消防通道被堵").await;
    let sooner = report(&app, &resident, "urgent", "楼下电动车在楼道里充电，插线板冒火花").await;
    let (sooner_no, later_no) = (sooner["number"].as_str().unwrap(), later["number"].as_str().unwrap());
    let tmp = tempfile::tempdir().unwrap();

    // The worker's phone is at the hazard.
    let (lng, lat) = grid_center(0, 0);
    phone_at(&b, &app, (lng, lat)).await;

    // Logging in lands a grid worker on the task page, earliest deadline first.
    login_with_password(&b, &app, &grid_worker_phone(0), "demo password 1").await;
    b.wait_for(
        "the task page",
        "return location.pathname === '/worker' && document.body.dataset.ready === '1'",
        json!([]),
    )
    .await;
    let order =
        b.js("return Array.from(document.querySelectorAll('#tickets li h2')).map(h => h.textContent)", json!([])).await;
    assert_eq!(order, json!([sooner_no, later_no]), "the urgent one is due first");
    screenshots(&b, "worker").await;

    // One tap accepts the check.
    let item = format!("#t-{sooner_no}");
    b.click(&b.find(&format!("{item} button[data-act=accept]")).await).await;
    b.wait_text(&format!("{item} .badge"), "核实中").await;
    b.wait_text("#live", "已签收，请到现场核实。").await;
    screenshots(&b, "worker-verifying").await;

    // Confirm on site with a photo: the ticket leaves the list, confirmed with the evidence.
    let id = sooner["id"].as_str().unwrap();
    let photo = photo_file(tmp.path());
    b.type_into(&b.find(&format!("#photos-{id}")).await, photo.to_str().unwrap()).await;
    b.click(&b.find(&format!("{item} form[data-act=confirm] button[type=submit]")).await).await;
    b.wait_text("#live", "已确认，转交部门整改。").await;
    b.wait_for("the ticket to leave the list", "return !document.querySelector(arguments[0])", json!([item])).await;

    let res = app
        .post_json(
            "/api/v1/auth/login/password",
            &json!({"phone": grid_worker_phone(0), "password": "demo password 1"}),
        )
        .await;
    let worker = crate::helpers::session(&res.json::<Value>().await.unwrap());
    let ticket: Value = app.get_as(&format!("/api/v1/tickets/{id}"), &worker.access_token).await.json().await.unwrap();
    assert_eq!(ticket["status"], "confirmed", "{ticket}");
    assert_eq!(ticket["hazard_level"], "general");
    screenshots(&b, "worker-confirmed").await;

    // The other task is declined with a note. While the note is being typed, a new report in the
    // grid reaches the page (ticket_changed) and the list is read again: the open form and the
    // words typed so far stay.
    let later_item = format!("#t-{later_no}");
    b.click(&b.find(&format!("{later_item} details.more summary")).await).await;
    b.type_into(&b.find(&format!("{later_item} form[data-act=decline] textarea")).await, "不在我的").await;
    let swaps = b.js("return Number(document.body.dataset.updated || 0)", json!([])).await.as_u64().unwrap();
    let newer = report(&app, &resident, "normal", "小区门口的消防栓被车挡住").await;
    b.wait_for(
        "the new task to arrive",
        "return document.querySelector(arguments[0]) && Number(document.body.dataset.updated) > arguments[1]",
        json!([format!("#t-{}", newer["number"].as_str().unwrap()), swaps]),
    )
    .await;
    let kept = b
        .js(
            "var d = document.querySelector(arguments[0] + ' details.more'); \
             return [d.open, d.querySelector('textarea').value]",
            json!([later_item]),
        )
        .await;
    assert_eq!(kept, json!([true, "不在我的"]), "the swap kept the open form and the words");
    b.type_into(&b.find(&format!("{later_item} form[data-act=decline] textarea")).await, "网格").await;
    b.click(&b.find(&format!("{later_item} form[data-act=decline] button[type=submit]")).await).await;
    b.wait_text("#live", "已退回，将转给其他网格员。").await;
    b.wait_for("the declined task to leave", "return !document.querySelector(arguments[0])", json!([later_item])).await;
    let history: Value = app
        .get_as(&format!("/api/v1/tickets/{}/events", later["id"].as_str().unwrap()), &worker.access_token)
        .await
        .json()
        .await
        .unwrap();
    let decline = history.as_array().unwrap().iter().find(|e| e["action"] == "decline").expect("a decline event");
    assert_eq!(decline["note"], "不在我的网格", "{decline}");

    // A hazard found on patrol: the form checks what is missing before sending anything.
    b.click(&b.find("#patrol summary").await).await;
    b.click(&b.find("#patrol-form button[type=submit]").await).await;
    b.wait_text("#notice", "请选择隐患类别。").await;
    b.js("document.querySelector('#patrol-category').value = 'fire'", json!([])).await;
    b.type_into(&b.find("#patrol-description").await, "巡查发现小区消防栓被圈占").await;
    let patrol_photo = another_photo_file(tmp.path(), 1);
    b.type_into(&b.find("#photos-patrol").await, patrol_photo.to_str().unwrap()).await;
    screenshots(&b, "worker-patrol").await;
    b.click(&b.find("#patrol-form button[type=submit]").await).await;
    let said = b
        .wait_for(
            "the report's number",
            "var t = document.querySelector('#live').innerText; return t.indexOf('已上报') === 0 && t",
            json!([]),
        )
        .await;
    let number = said.as_str().unwrap().trim_start_matches("已上报，编号 ").trim_end_matches('。').to_owned();
    let found: Value =
        app.get_as(&format!("/api/v1/tickets?q={number}"), &worker.access_token).await.json().await.unwrap();
    assert_eq!(found["items"][0]["number"], number.as_str(), "{found}");
    let id = found["items"][0]["id"].as_str().unwrap();
    let filed: Value = app.get_as(&format!("/api/v1/tickets/{id}"), &worker.access_token).await.json().await.unwrap();
    assert_eq!((&filed["category"], &filed["channel"]), (&json!("fire"), &json!("staff")), "{filed}");
    assert_eq!(filed["reporter_id"], worker.user["id"], "{filed}");
    assert_eq!(filed["photos"]["before"].as_array().map(Vec::len), Some(1), "{filed}");

    assert_no_console_errors(&b, &[]).await;
    b.quit().await;
}
