//! "My tickets" on the web: the report's and the fix's photos by links the resident can open, and
//! pages of twenty going back.

use hazardline::geo::demo_city::grid_center;
use reqwest::StatusCode;

use crate::{
    ticket_support::closed,
    tickets::{cast, report, submit},
};

fn srcs(html: &str) -> Vec<String> {
    html.split("<img src=\"").skip(1).map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&")).collect()
}

#[tokio::test]
async fn the_resident_sees_the_photos_of_the_check_and_of_the_fix() {
    let c = cast().await;
    let ticket = closed(&c, 11).await;
    let res = c.app.get_as("/tickets/live", &c.resident.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("id=\"t-{}\"", ticket["number"].as_str().unwrap())), "{html}");
    assert!(html.contains("<h3>上报与核实照片</h3>") && html.contains("<h3>整改与验收照片</h3>"), "{html}");
    let thumbs = srcs(&html);
    assert_eq!(thumbs.len(), 2, "the grid worker's photo and the department's: {html}");
    for src in thumbs {
        assert!(src.starts_with("/media/") && src.contains("/thumb?exp="), "{src}");
        // The department's photo of the fix opens for the reporter too: the link is signed.
        let res = c.app.client.get(c.app.url(&src)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{src}");
        assert_eq!(res.headers()["content-type"], "image/jpeg");
    }
}

#[tokio::test]
async fn older_reports_are_a_page_back_and_none_is_shown_twice() {
    let c = cast().await;
    let mut numbers = Vec::new();
    for i in 0..21u32 {
        let at = grid_center(0, 0);
        let created = submit(&c.app, &c.resident, &report("fire", (at.0 + f64::from(i) * 1e-4, at.1), &[])).await;
        numbers.push(created["ticket"]["number"].as_str().unwrap().to_owned());
    }
    let listed = |html: &str| -> Vec<String> {
        html.split("<li class=\"ticket\" id=\"t-").skip(1).map(|r| r.split('"').next().unwrap().to_owned()).collect()
    };
    let first = c.app.get_as("/tickets/live", &c.resident.access_token).await.text().await.unwrap();
    let newest = listed(&first);
    assert_eq!(newest.len(), 20, "{first}");
    assert_eq!(newest[0], numbers[20], "newest first");
    let older =
        first.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().split('"').next().unwrap();
    let older = older.replace("&amp;", "&");
    assert!(older.starts_with("/tickets?cursor="), "{older}");
    let second = c.app.get_as(&older.replacen("/tickets", "/tickets/live", 1), &c.resident.access_token).await;
    assert_eq!(second.status(), StatusCode::OK);
    let second = second.text().await.unwrap();
    assert_eq!(listed(&second), [numbers[0].clone()], "the oldest, once: {second}");
    assert!(second.contains("href=\"/tickets\"") && !second.contains("rel=\"next\""), "{second}");

    let res = c.app.get_as("/tickets/live?cursor=not-a-cursor", &c.resident.access_token).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The page with a stale link says so and leads back to the first page.
    let res = c.app.page_as(&c.resident, "/tickets?cursor=not-a-cursor").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("这个链接已失效。") && html.contains("<a href=\"/tickets\">回到最新</a>"), "{html}");
}

#[tokio::test]
async fn a_comment_sent_twice_with_one_key_is_written_once_and_answered_again() {
    let c = cast().await;
    let t = submit(&c.app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let url = c.app.url(&format!("/api/v1/tickets/{}/comments", t["id"].as_str().unwrap()));
    let send = |key: &'static str, body: &'static str| {
        c.app
            .client
            .post(&url)
            .bearer_auth(&c.resident.access_token)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({ "body": body }))
            .send()
    };
    let first = send("c-1", "晚上八点后家里有人").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: serde_json::Value = first.json().await.unwrap();
    let again = send("c-1", "晚上八点后家里有人").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["id"], first["id"], "the same comment");
    let other = send("c-1", "另一句话").await.unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY, "a key is for one request");

    let comments: serde_json::Value = c
        .app
        .get_as(&format!("/api/v1/tickets/{}/comments", t["id"].as_str().unwrap()), &c.resident.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(comments.as_array().unwrap().len(), 1, "{comments}");
    // The page offers the form on each ticket, and shows the comment in the timeline.
    let html = c.app.get_as("/tickets/live", &c.resident.access_token).await.text().await.unwrap();
    assert!(html.contains("data-act=\"comment\"") && html.contains("晚上八点后家里有人"), "{html}");
}
