//! The desk's map and statistics in a real browser: from the desk to the map, a ticket's mark in
//! its status colour leading to the ticket; the dashboard's charts, a refused period in words, and
//! the ledger link downloading the CSV with the session cookie.

use hazardline::auth::Role;
use serde_json::json;

use crate::{
    helpers::{spawn_app, STAFF_PASSWORD},
    support::{assert_no_console_errors, browser, screenshots},
    worker::report,
};

#[tokio::test]
async fn a_dispatcher_finds_a_ticket_on_the_map_and_reads_the_statistics() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    let resident = app.resident("13800000051").await;
    let ticket = report(&app, &resident, "normal", "楼道里堆满纸箱，消防通道被堵").await;
    report(&app, &resident, "urgent", "楼下电动车在楼道里充电，插线板冒火花").await;
    let (id, number) = (ticket["id"].as_str().unwrap(), ticket["number"].as_str().unwrap());
    app.staff("13912340051", Role::Dispatcher).await;

    b.goto(&app.url("/login?mode=password")).await;
    b.type_into(&b.find("#phone").await, "13912340051").await;
    b.type_into(&b.find("#password").await, STAFF_PASSWORD).await;
    b.click(&b.find("form[action='/login/password'] button").await).await;
    b.wait_for("the desk", "return location.pathname === '/desk' && document.body.dataset.ready === '1'", json!([]))
        .await;

    // From the desk to the map: both tickets drawn, each mark in its status colour.
    b.click(&b.find("#to-map").await).await;
    b.wait_for("the map", "return location.pathname === '/desk/map' && document.querySelector('#map')", json!([]))
        .await;
    assert_eq!(b.js("return document.querySelector('#map-summary').dataset.drawn", json!([])).await, json!("2"));
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

    // The statistics: the category chart counts both fires; the ledger link downloads them.
    b.goto(&app.url("/desk/stats")).await;
    b.wait_for("the charts", "return document.querySelector('#by-category svg')", json!([])).await;
    assert_eq!(
        b.js("return document.querySelector('#by-category g.bar[data-key=fire]').dataset.value", json!([])).await,
        json!("2")
    );
    assert_eq!(b.js("return document.querySelectorAll('#by-month g.point').length", json!([])).await, json!(0));
    screenshots(&b, "desk-stats").await;
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
