//! The department desk: the queue after logging in (a new report appears in it live), a confirmed
//! ticket whose page follows a dispatcher's note without a reload and keeps what is being typed,
//! refusals in words (transfer without a department, accept without or with a past deadline),
//! accepted with a deadline and a plan, an internal note, then reported fixed with a photo.

use hazardline::{
    auth::Role,
    geo::{demo_city::grid_center, seed::grid_worker_phone},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{session, spawn_app, Session, TestApp, STAFF_PASSWORD},
    resident::photo_file,
    support::{assert_no_console_errors, browser, login_with_password, screenshots},
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
    login_with_password(&b, &app, "13912340002", STAFF_PASSWORD).await;
    b.wait_for("the desk", "return location.pathname === '/desk' && document.body.dataset.ready === '1'", json!([]))
        .await;
    let row = format!("#t-{number}");
    b.wait_text(&format!("{row} .badge"), "待部门签收").await;
    screenshots(&b, "desk").await;

    // A new report for the department shows up in the open queue without a reload.
    b.js("window.__same = 1", json!([])).await;
    let resident = app.resident("13800000042").await;
    let fresh = report(&app, &resident, "urgent", "电动车在楼道里充电").await;
    b.wait_for(
        "the new row",
        "return document.querySelector(arguments[0])",
        json!([format!("#t-{}", fresh["number"].as_str().unwrap())]),
    )
    .await;
    assert_eq!(b.js("return window.__same === 1", json!([])).await, json!(true), "no reload");

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

    // The page is not reloaded from here on unless a form is posted: a marker on the window shows it.
    let unreloaded = "return window.__same === 1";
    b.js("window.__same = 1", json!([])).await;

    // A dispatcher writes an internal note: it appears in the timeline while the page stays open,
    // and the reason being typed into the transfer form survives the refresh.
    let transfer = "form[data-act=transfer]";
    b.type_into(&b.find(&format!("{transfer} textarea[name=reason]")).await, "疑似燃气管道问题").await;
    let dispatcher = app.staff("13912340003", Role::Dispatcher).await;
    let note = json!({"body": "已电话联系物业，明早到场", "visibility": "internal"});
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/comments"), &dispatcher.access_token, &note).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    b.wait_for(
        "the note in the timeline",
        "var li = document.querySelector('#timeline li.internal'); return li && li.innerText.indexOf(arguments[0]) >= 0",
        json!(["已电话联系物业"]),
    )
    .await;
    assert_eq!(b.js(unreloaded, json!([])).await, json!(true), "no reload");
    assert_eq!(
        b.js("return document.querySelector(arguments[0]).value", json!([format!("{transfer} textarea[name=reason]")]))
            .await,
        json!("疑似燃气管道问题"),
        "what was typed survives the refresh"
    );

    // A transfer without a department is refused on the page, the reason kept.
    b.click(&b.find(&format!("{transfer} button[type=submit]")).await).await;
    b.wait_text(&format!("{transfer} .msg"), "请选择部门。").await;
    assert_eq!(
        b.js("return document.querySelector(arguments[0]).value", json!([format!("{transfer} textarea[name=reason]")]))
            .await,
        json!("疑似燃气管道问题")
    );
    screenshots(&b, "desk-transfer-refused").await;

    // Accepting without a deadline is refused on the page.
    let accept = "form[data-act=accept]";
    b.type_into(&b.find(&format!("{accept} textarea[name=plan]")).await, "清理楼道纸箱，张贴消防通道禁止堆放标识")
        .await;
    b.click(&b.find(&format!("{accept} button[type=submit]")).await).await;
    b.wait_text(&format!("{accept} .msg"), "请填写整改期限。").await;
    screenshots(&b, "desk-missing-deadline").await;

    // A deadline in the past is refused in words; the plan typed is still there.
    let set_deadline = "var d = new Date(Date.now() + arguments[1] * 86400e3 + 8 * 3600e3);
         document.querySelector(arguments[0]).value = d.toISOString().slice(0, 16);";
    b.js(set_deadline, json!([format!("{accept} input[name=deadline]"), -1])).await;
    b.click(&b.find(&format!("{accept} button[type=submit]")).await).await;
    b.wait_text(&format!("{accept} .msg"), "期限须在将来。").await;
    assert!(!b.text(&format!("{accept} .msg")).await.contains('{'), "no raw JSON on the page");
    let plan =
        b.js("return document.querySelector(arguments[0]).value", json!([format!("{accept} textarea[name=plan]")]));
    assert!(plan.await.as_str().unwrap().contains("清理楼道纸箱"), "the plan typed is kept");

    // With a deadline five days ahead the department takes the fix on.
    b.js(set_deadline, json!([format!("{accept} input[name=deadline]"), 5])).await;
    b.click(&b.find(&format!("{accept} button[type=submit]")).await).await;
    b.wait_for("rectifying", "return document.querySelector('article[data-status=rectifying]')", json!([])).await;
    b.find("#deadline").await;
    screenshots(&b, "desk-rectifying").await;

    // An internal note from the form lands in the timeline, marked.
    b.type_into(&b.find("form[data-act=note] textarea[name=body]").await, "整改材料已备齐").await;
    b.click(&b.find("form[data-act=note] button[type=submit]").await).await;
    b.wait_for(
        "our note",
        "return Array.prototype.some.call(document.querySelectorAll('#timeline li.internal'), \
         function (li) { return li.innerText.indexOf('整改材料已备齐') >= 0; })",
        json!([]),
    )
    .await;
    b.js("document.getElementById('timeline').scrollIntoView()", json!([])).await;
    screenshots(&b, "desk-note").await;

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

    // The refused forms are the only failed requests: pages answered 422 (Chromium logs those).
    let refused = |act: &str| {
        format!("/desk/tickets/{id}#form-{act} - Failed to load resource: the server responded with a status of 422")
    };
    assert_no_console_errors(&b, &[&refused("accept"), &refused("transfer")]).await;
    b.quit().await;
}

#[tokio::test]
async fn a_dispatcher_routes_an_unrouted_ticket_from_its_page() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    // A report outside the city's regions: no department, no grid worker.
    let resident = app.resident("13800000043").await;
    let body = json!({"category": "fire", "description": "城外山脚下有人烧荒，火势不大",
        "location": {"lat": 28.5, "lng": 113.5, "coord_system": "gcj02"}});
    let res = app.post_json_as("/api/v1/tickets", &resident.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ticket: Value = res.json::<Value>().await.unwrap()["ticket"].clone();
    let (id, number) = (ticket["id"].as_str().unwrap(), ticket["number"].as_str().unwrap());
    assert_eq!(ticket["status"], "unrouted");
    app.staff("13912340004", Role::Dispatcher).await;

    login_with_password(&b, &app, "13912340004", STAFF_PASSWORD).await;
    b.wait_for("the desk", "return location.pathname === '/desk' && document.body.dataset.ready === '1'", json!([]))
        .await;
    b.click(&b.find("#tab-unrouted").await).await;
    b.wait_text(&format!("#t-{number} .badge"), "待派单").await;
    b.click(&b.find(&format!("#t-{number} a")).await).await;
    b.wait_for(
        "the ticket page",
        "return location.pathname === arguments[0] && document.body.dataset.ready === '1'",
        json!([format!("/desk/tickets/{id}")]),
    )
    .await;

    // Without a grid worker the route is refused on the page; the department chosen stays.
    let assign = "form[data-act=assign]";
    let fire = b
        .js(
            "var s = document.querySelector(arguments[0]); \
             var o = Array.prototype.find.call(s.options, function (o) { return o.text.indexOf('消防') >= 0; }); \
             s.value = o.value; return o.value;",
            json!([format!("{assign} select[name=department_id]")]),
        )
        .await;
    b.click(&b.find(&format!("{assign} button[type=submit]")).await).await;
    b.wait_text(&format!("{assign} .msg"), "请选择网格员。").await;
    let kept = b.js(
        "return document.querySelector(arguments[0]).value",
        json!([format!("{assign} select[name=department_id]")]),
    );
    assert_eq!(kept.await, fire);
    screenshots(&b, "desk-route-refused").await;

    // With the first grid worker offered, the ticket goes out.
    b.js(
        "var s = document.querySelector(arguments[0]); s.value = s.options[1].value;",
        json!([format!("{assign} select[name=grid_worker_id]")]),
    )
    .await;
    b.click(&b.find(&format!("{assign} button[type=submit]")).await).await;
    b.wait_for("assigned", "return document.querySelector('article[data-status=assigned]')", json!([])).await;
    assert_eq!(b.text("#department").await, "东湖区消防救援大队");
    screenshots(&b, "desk-routed").await;

    let refused =
        format!("/desk/tickets/{id}#form-assign - Failed to load resource: the server responded with a status of 422");
    assert_no_console_errors(&b, &[&refused]).await;
    b.quit().await;
}

#[tokio::test]
async fn the_queue_pages_past_fifty_and_filters_by_department_from_a_picker() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    let resident = app.resident("13800000044").await;
    let mut first = Value::Null;
    for i in 0..51 {
        let t = report(&app, &resident, "normal", &format!("楼道第{i}层堆放纸箱")).await;
        if i == 0 {
            first = t;
        }
    }
    let staff = app.staff("13912340005", Role::DeptStaff).await;
    let dept = first["department_id"].as_str().unwrap().to_owned();
    let staff_id = staff.user["id"].as_str().unwrap().parse().unwrap();
    hazardline::admin::service::add_member(&app.state, dept.parse().unwrap(), staff_id).await.unwrap();

    login_with_password(&b, &app, "13912340005", STAFF_PASSWORD).await;
    b.wait_for("the desk", "return location.pathname === '/desk' && document.body.dataset.ready === '1'", json!([]))
        .await;

    // The department is picked by name; the choice goes into the URL.
    b.js("document.querySelector('select[name=department_id]').value = arguments[0]", json!([dept])).await;
    b.click(&b.find("form.filters button[type=submit]").await).await;
    b.wait_for(
        "the filtered desk",
        "return location.search.indexOf('department_id=' + arguments[0]) >= 0 && document.body.dataset.ready === '1'",
        json!([dept]),
    )
    .await;
    assert_eq!(b.js("return document.querySelectorAll('#queue tbody tr').length", json!([])).await, json!(50));
    assert_eq!(b.text("nav.desk-tabs a[aria-current=page] .count").await, "51");

    // The next page holds the 51st, the counts still over all of them, the filter kept.
    b.click(&b.find("#page-next").await).await;
    b.wait_for(
        "page two",
        "return document.querySelector('#page-first') && document.body.dataset.ready === '1'",
        json!([]),
    )
    .await;
    assert_eq!(b.js("return document.querySelectorAll('#queue tbody tr').length", json!([])).await, json!(1));
    assert_eq!(b.text("nav.desk-tabs a[aria-current=page] .count").await, "51");
    assert!(b.url().await.contains(&format!("department_id={dept}")) && b.url().await.contains("page=2"));
    screenshots(&b, "desk-page-2").await;
    assert_no_console_errors(&b, &[]).await;
    b.quit().await;
}
