//! The grid worker's task page: each task offers the moves of its status (accept or decline;
//! confirm, fix on the spot or reject; pass or fail the check) and the page has the patrol report.

use reqwest::{header, StatusCode};

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
    let cookie = format!("hl_access={}; hl_refresh={}", c.grid_worker.access_token, c.grid_worker.refresh_token);
    let res = c.app.client.get(c.app.url("/worker")).header(header::COOKIE, cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"patrol-form\""), "{page}");
    assert!(page.contains("<option value=\"fire\">消防安全</option>"), "{page}");
    assert!(page.find("id=\"patrol\"") < page.find("id=\"tickets\""), "the report comes before the tasks");

    // A resident has no task page.
    let res = c.app.get_as("/worker/live", &c.resident.access_token).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
