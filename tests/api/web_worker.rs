//! The grid worker's task page: each task offers the moves of its status (accept or decline;
//! confirm, fix on the spot or reject; pass or fail the check) and the page has the patrol report.

use reqwest::StatusCode;

use crate::{
    ticket_support::{awaiting_check, reported, verifying},
    tickets::cast,
};

#[tokio::test]
async fn each_task_offers_the_moves_of_its_status_and_the_page_the_patrol_report() {
    let c = cast().await;
    let assigned = reported(&c).await;
    let checking = verifying(&c).await;
    let fixed = awaiting_check(&c, 7).await;

    let res = c.app.get_as("/worker/live", &c.grid_worker.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let item = |t: &serde_json::Value| {
        let number = t["number"].as_str().unwrap();
        let start = html.find(&format!("id=\"t-{number}\"")).unwrap_or_else(|| panic!("{number} listed: {html}"));
        let end = html[start..].find("</li>").map_or(html.len(), |e| start + e);
        html[start..end].to_owned()
    };
    let a = item(&assigned);
    assert!(a.contains("data-act=\"accept\"") && a.contains("data-act=\"decline\""), "{a}");
    assert!(!a.contains("data-act=\"reject\""), "{a}");
    let v = item(&checking);
    assert!(v.contains("value=\"confirm\"") && v.contains("value=\"resolve_on_spot\""), "{v}");
    assert!(v.contains("data-act=\"reject\"") && v.contains("value=\"not_a_hazard\""), "{v}");
    assert!(!v.contains("data-act=\"decline\""), "{v}");
    let f = item(&fixed);
    assert!(f.contains("data-act=\"check\"") && f.contains("value=\"pass\"") && f.contains("value=\"fail\""), "{f}");
    assert!(f.contains("name=\"reason\""), "failing asks why: {f}");

    // The whole page leads with the patrol report, its categories by name.
    let page = c.app.html_as(&c.grid_worker, "/worker").await;
    assert!(page.contains("id=\"patrol-form\""), "{page}");
    assert!(page.contains("<option value=\"fire\">消防安全</option>"), "{page}");
    assert!(page.find("id=\"patrol\"") < page.find("id=\"tickets\""), "the report comes before the tasks");

    // A resident has no task page.
    let res = c.app.get_as("/worker/live", &c.resident.access_token).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_grid_worker_is_told_live_of_a_new_task_and_of_changes_to_theirs_and_not_of_others() {
    use crate::chat_ws::{connect, next_event};
    use crate::tickets::{login, report, submit};
    use hazardline::geo::{demo_city::grid_center, seed::grid_worker_phone};

    let c = cast().await;
    let elsewhere = login(&c.app, &grid_worker_phone(3), "demo password 1").await;
    let mut mine = connect(&c.app, &c.grid_worker).await;
    let mut theirs = connect(&c.app, &elsewhere).await;

    // A report in grid 0 is offered to its grid worker: the task list hears of it.
    let t = submit(&c.app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let e = loop {
        let e = next_event(&mut mine).await;
        if e["type"] == "ticket_changed" {
            break e;
        }
    };
    assert_eq!((e["ticket_id"].as_str(), e["change"].as_str()), (t["id"].as_str(), Some("submit")));

    // The reporter withdraws it: the task leaves the list as it happens.
    crate::tickets::act_ok(&c.app, &c.resident, &t, serde_json::json!({"action": "withdraw"})).await;
    let e = loop {
        let e = next_event(&mut mine).await;
        if e["type"] == "ticket_changed" {
            break e;
        }
    };
    assert_eq!((e["ticket_id"].as_str(), e["change"].as_str()), (t["id"].as_str(), Some("withdraw")));

    // A report in another community goes to its grid worker; what that one hears first is their own.
    let far = submit(&c.app, &c.resident, &report("fire", grid_center(3, 1), &[])).await["ticket"].clone();
    let e = loop {
        let e = next_event(&mut theirs).await;
        if e["type"] == "ticket_changed" {
            break e;
        }
    };
    assert_eq!(e["ticket_id"], far["id"], "not told of the ticket in grid 0: {e}");
}
