//! The desk's map and statistics in a real browser: from the desk to the map, a ticket's mark in
//! its status colour leading to the ticket; the dashboard's charts, a refused period in words, and
//! the ledger link downloading the CSV with the session cookie.

use std::path::Path;

use hazardline::{
    auth::Role,
    geo::{demo_city::grid_center, seed::grid_worker_phone},
};
use serde_json::{json, Value};

use crate::{
    desk::{act, confirmed_ticket},
    helpers::{session, spawn_app, Session, TestApp, STAFF_PASSWORD},
    resident::photo_file,
    support::{assert_no_console_errors, browser, login_with_password, screenshots},
    worker::report,
};

async fn upload(app: &TestApp, who: &Session, photo: &Path) -> Value {
    let res = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&who.access_token)
        .header("content-type", "image/jpeg")
        .body(std::fs::read(photo).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].clone()
}

/// A fire confirmed, fixed on time by its department and checked: closed.
async fn closed_ticket(app: &TestApp, photo: &Path) -> Value {
    let ticket = confirmed_ticket(app, photo).await;
    let id = ticket["id"].as_str().unwrap();
    let staff = app.staff("13912340052", Role::DeptStaff).await;
    let dept = ticket["department_id"].as_str().unwrap().parse().unwrap();
    hazardline::admin::service::add_member(&app.state, dept, staff.user["id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    let deadline = (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339();
    let plan = json!({"plan": "清理楼道纸箱", "deadline": deadline});
    act(app, &staff, id, json!({"action": "accept", "rectification": plan})).await;
    let fixed = upload(app, &staff, photo).await;
    act(app, &staff, id, json!({"action": "complete", "evidence": [fixed]})).await;
    let res = app
        .post_json(
            "/api/v1/auth/login/password",
            &json!({"phone": grid_worker_phone(0), "password": "demo password 1"}),
        )
        .await;
    let worker = session(&res.json::<Value>().await.unwrap());
    let (lng, lat) = grid_center(0, 0);
    let pass = json!({"action": "pass", "media": [], "position": {"lat": lat, "lng": lng, "coord_system": "gcj02"}});
    act(app, &worker, id, pass).await
}

#[tokio::test]
async fn a_dispatcher_finds_a_ticket_on_the_map_and_reads_the_statistics() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    let tmp = tempfile::tempdir().unwrap();
    let done = closed_ticket(&app, &photo_file(tmp.path())).await;
    assert_eq!(done["status"], "closed");
    let resident = app.resident("13800000051").await;
    let ticket = report(&app, &resident, "normal", "楼道里堆满纸箱，消防通道被堵").await;
    report(&app, &resident, "urgent", "楼下电动车在楼道里充电，插线板冒火花").await;
    let (id, number) = (ticket["id"].as_str().unwrap(), ticket["number"].as_str().unwrap());
    app.staff("13912340051", Role::Dispatcher).await;

    login_with_password(&b, &app, "13912340051", STAFF_PASSWORD).await;
    b.wait_for("the desk", "return location.pathname === '/desk' && document.body.dataset.ready === '1'", json!([]))
        .await;

    // From the desk to the map: both tickets drawn, each mark in its status colour.
    b.click(&b.find("#to-map").await).await;
    b.wait_for("the map", "return location.pathname === '/desk/map' && document.querySelector('#map')", json!([]))
        .await;
    assert_eq!(b.js("return document.querySelector('#map-summary').dataset.drawn", json!([])).await, json!("3"));
    let status = ticket["status"].as_str().unwrap();
    let fill = b
        .js("return getComputedStyle(document.querySelector('#m-' + arguments[0] + ' .mk')).fill", json!([number]))
        .await;
    let want = match status {
        "assigned" => "rgb(230, 159, 0)",
        "unrouted" => "rgb(213, 94, 0)",
        other => panic!("a fresh report is {other}"),
    };
    assert_eq!(fill, json!(want), "{status}");
    let legend = b.text(&format!(".legend li[data-status={status}]")).await;
    assert!(legend.contains('2'), "{legend}");
    screenshots(&b, "desk-map").await;

    // The mark leads to the ticket.
    b.click(&b.find(&format!("#m-{number}")).await).await;
    b.wait_for(
        "the ticket page",
        "return location.pathname === arguments[0] && document.body.dataset.ready === '1'",
        json!([format!("/desk/tickets/{id}")]),
    )
    .await;

    // The statistics: the category chart counts the three fires, the closed one makes both rates
    // 100 % this month; the ledger link downloads them.
    b.goto(&app.url("/desk/stats")).await;
    b.wait_for("the charts", "return document.querySelector('#by-category svg')", json!([])).await;
    assert_eq!(
        b.js("return document.querySelector('#by-category g.bar[data-key=fire]').dataset.value", json!([])).await,
        json!("3")
    );
    let points = b.js("return Array.from(document.querySelectorAll('#by-month g.point')).map(function (p) { return p.dataset.value; })", json!([])).await;
    assert_eq!(points, json!(["100", "100"]));
    screenshots(&b, "desk-stats").await;
    b.js("document.querySelector('#by-category').scrollIntoView()", json!([])).await;
    screenshots(&b, "desk-stats-charts").await;
    b.js(
        "window.__ledger = null;
         fetch(document.querySelector('#ledger-csv').href, {credentials: 'same-origin'})
           .then(function (r) { return r.text().then(function (t) { window.__ledger = r.status + '\\n' + t; }); });",
        json!([]),
    )
    .await;
    let ledger = b.wait_for("the ledger", "return window.__ledger", json!([])).await;
    let ledger = ledger.as_str().unwrap();
    assert!(ledger.starts_with("200\n") && ledger.contains(number), "{ledger}");

    // A refused period is said in words, the form keeps what was typed.
    b.goto(&app.url("/desk/stats?from=2026-12&to=2026-01")).await;
    b.wait_text("#period-error", "起始月份不能晚于结束月份。").await;
    assert_eq!(b.js("return document.querySelector('input[name=from]').value", json!([])).await, json!("2026-12"));
    screenshots(&b, "desk-stats-refused").await;

    // The refused period is the one failed request.
    assert_no_console_errors(&b, &["/desk/stats?from=2026-12"]).await;
    b.quit().await;
}
