//! The department desk: the queue after logging in, a confirmed ticket accepted with a deadline and
//! a plan, then reported fixed with a photo; a form missing its deadline says so on the page.

use hazardline::{
    auth::Role,
    geo::{demo_city::grid_center, seed::grid_worker_phone},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{session, spawn_app, Session, TestApp, STAFF_PASSWORD},
    resident::photo_file,
    support::{assert_no_console_errors, browser, screenshots},
    worker::report,
};

pub(crate) async fn act(app: &TestApp, who: &Session, id: &str, mut body: Value) -> Value {
    let ticket: Value = app.get_as(&format!("/api/v1/tickets/{id}"), &who.access_token).await.json().await.unwrap();
    body["version"] = ticket["version"].clone();
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/actions"), &who.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// A fire reported in grid 0 and confirmed on site by its grid worker.
pub(crate) async fn confirmed_ticket(app: &TestApp, photo: &std::path::Path) -> Value {
    let resident = app.resident("13800000041").await;
    let ticket = report(app, &resident, "normal", "楼道里堆满纸箱，消防通道被堵").await;
    let id = ticket["id"].as_str().unwrap();
    let res = app
        .post_json(
            "/api/v1/auth/login/password",
            &json!({"phone": grid_worker_phone(0), "password": "demo password 1"}),
        )
        .await;
    let worker = session(&res.json::<Value>().await.unwrap());
    act(app, &worker, id, json!({"action": "accept"})).await;
    let upload = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&worker.access_token)
        .header("content-type", "image/jpeg")
        .body(std::fs::read(photo).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    let media: Value = upload.json().await.unwrap();
    let (lng, lat) = grid_center(0, 0);
    let body = json!({"action": "confirm", "level": "general", "evidence": [media["id"]],
        "position": {"lat": lat, "lng": lng, "coord_system": "gcj02"}});
    act(app, &worker, id, body).await
}

#[tokio::test]
async fn department_staff_take_a_confirmed_ticket_from_the_queue_and_report_it_fixed() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    let tmp = tempfile::tempdir().unwrap();
    let photo = photo_file(tmp.path());
    let ticket = confirmed_ticket(&app, &photo).await;
    let (id, number) = (ticket["id"].as_str().unwrap(), ticket["number"].as_str().unwrap());
    let staff = app.staff("13912340002", Role::DeptStaff).await;
    let dept = ticket["department_id"].as_str().unwrap().parse().unwrap();
    let staff_id = staff.user["id"].as_str().unwrap().parse().unwrap();
    hazardline::admin::service::add_member(&app.state, dept, staff_id).await.unwrap();

    // Logging in lands department staff at the desk, the confirmed ticket in the queue.
    b.goto(&app.url("/login?mode=password")).await;
    b.type_into(&b.find("#phone").await, "13912340002").await;
    b.type_into(&b.find("#password").await, STAFF_PASSWORD).await;
    b.click(&b.find("form[action='/login/password'] button").await).await;
    b.wait_for("the desk", "return location.pathname === '/desk' && document.body.dataset.ready === '1'", json!([]))
        .await;
    let row = format!("#t-{number}");
    b.wait_text(&format!("{row} .badge"), "待部门签收").await;
    screenshots(&b, "desk").await;

    // The filter keeps its values in the URL, and the status tab is marked.
    b.goto(&app.url("/desk?status=confirmed&q=%E7%BA%B8%E7%AE%B1")).await;
    b.wait_for("the filtered desk", "return document.body.dataset.ready === '1'", json!([])).await;
    assert_eq!(b.js("return document.querySelector('input[name=q]').value", json!([])).await, json!("纸箱"));
    assert_eq!(
        b.js("return document.querySelector('#tab-confirmed').getAttribute('aria-current')", json!([])).await,
        json!("page")
    );
    b.click(&b.find(&format!("{row} a")).await).await;
    b.wait_for(
        "the ticket page",
        "return location.pathname === arguments[0] && document.body.dataset.ready === '1'",
        json!([format!("/desk/tickets/{id}")]),
    )
    .await;
    assert!(b.text("#timeline").await.contains("确认隐患") || b.text("#timeline").await.contains("确认"));
    screenshots(&b, "desk-ticket").await;

    // Accepting without a deadline is refused on the page.
    let accept = "form[data-act=accept]";
    b.type_into(&b.find(&format!("{accept} textarea[name=plan]")).await, "清理楼道纸箱，张贴消防通道禁止堆放标识")
        .await;
    b.click(&b.find(&format!("{accept} button[type=submit]")).await).await;
    b.wait_text(&format!("{accept} .msg"), "请填写整改期限。").await;
    screenshots(&b, "desk-missing-deadline").await;

    // A deadline in the past is refused by the API; the page says so in words.
    let set_deadline = "var d = new Date(Date.now() + arguments[1] * 86400e3);
         d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
         document.querySelector(arguments[0]).value = d.toISOString().slice(0, 16);";
    b.js(set_deadline, json!([format!("{accept} input[name=deadline]"), -1])).await;
    b.click(&b.find(&format!("{accept} button[type=submit]")).await).await;
    b.wait_text(&format!("{accept} .msg"), "提交未被接受，请检查填写的内容（如期限须在将来且不超过规定时限）。").await;
    assert!(!b.text(&format!("{accept} .msg")).await.contains('{'), "no raw JSON on the page");

    // With a deadline five days ahead the department takes the fix on.
    b.js(set_deadline, json!([format!("{accept} input[name=deadline]"), 5])).await;
    b.click(&b.find(&format!("{accept} button[type=submit]")).await).await;
    b.wait_for("rectifying", "return document.querySelector('article[data-status=rectifying]')", json!([])).await;
    b.find("#deadline").await;
    screenshots(&b, "desk-rectifying").await;

    // Reported fixed with a photo: the ticket waits for the check.
    b.type_into(&b.find(&format!("#photos-complete-{id}")).await, photo.to_str().unwrap()).await;
    b.click(&b.find("form[data-act=complete] button[type=submit]").await).await;
    b.wait_for("awaiting the check", "return document.querySelector('article[data-status=awaiting_check]')", json!([]))
        .await;
    let now: Value = app.get_as(&format!("/api/v1/tickets/{id}"), &staff.access_token).await.json().await.unwrap();
    assert_eq!(now["status"], "awaiting_check", "{now}");
    assert!(now["rectification_deadline"].is_string());
    assert_eq!(now["photos"]["after"].as_array().unwrap().len(), 1, "{now}");
    screenshots(&b, "desk-awaiting-check").await;

    // The refused move is the one failed request.
    assert_no_console_errors(&b, &["/actions"]).await;
    b.quit().await;
}
