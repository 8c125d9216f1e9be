//! The desk's map and statistics pages against real data: a ticket of a known category is a mark
//! with its status class and link, in the caller's scope and filters; the dashboard's bars and rates
//! are the statistics API's numbers; a bad period is a message on the page; residents are sent home;
//! the ledger links download the period's ledger with the session cookie alone.

use hazardline::geo::demo_city::grid_center;
use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::{
    helpers::{page_cookies, spawn_app_with},
    ticket_support::{closed, NOWHERE},
    tickets::{cast, cast_in, report, submit},
};

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not in page")) + start.len();
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// What follows each `start` up to the next `end`.
fn all_after<'a>(text: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    text.split(start).skip(1).map(|rest| &rest[..rest.find(end).unwrap_or(rest.len())]).collect()
}

/// `(key, value)` of every bar in a chart section.
fn bars(section: &str) -> Vec<(String, i64)> {
    all_after(section, "data-key=\"", "\" data-value")
        .into_iter()
        .zip(all_after(section, "data-value=\"", "\""))
        .map(|(k, v)| (k.to_owned(), v.parse().unwrap()))
        .collect()
}

#[tokio::test]
async fn the_map_draws_each_ticket_in_scope_as_a_status_mark_linking_to_its_page() {
    let c = cast().await;
    let app = &c.app;
    let fire = closed(&c, 1).await;
    let road = submit(app, &c.resident, &report("road_facility", grid_center(5, 1), &[])).await["ticket"].clone();
    submit(app, &c.resident, &report("fire", NOWHERE, &[])).await;
    let (id, number) = (fire["id"].as_str().unwrap(), fire["number"].as_str().unwrap());

    // The dispatcher sees the city: the closed fire is a green triangle linking to its desk page.
    let res = app.page_as(&c.dispatcher, "/desk/map").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("img-src 'self' data: blob:;"), "no other origin without tiles: {csp}");
    let body = res.text().await.unwrap();
    let mark = between(&body, &format!("<a id=\"m-{number}\""), "</a>");
    assert!(mark.contains(&format!("href=\"/desk/tickets/{id}\"")), "{mark}");
    assert!(mark.contains(&format!("<title>{number} · 消防安全 · 已销号</title>")), "{mark}");
    assert!(mark.contains("class=\"mk mk-closed\"") && mark.contains("<path"), "a triangle: {mark}");
    let road_mark = between(&body, &format!("<a id=\"m-{}\"", road["number"].as_str().unwrap()), "</a>");
    assert!(road_mark.contains("市政设施"), "{road_mark}");
    assert!(body.contains("data-drawn=\"2\""), "two in the city");
    assert!(body.contains("另有 1 件在所画区域以外"), "the one outside is counted");
    assert!(body.contains("class=\"r r-district\"") && body.contains("class=\"r r-street\""), "our boundaries");
    assert!(!body.contains("<image"), "no tiles");
    let legend = between(&body, "<ul class=\"legend\"", "</ul>");
    assert!(legend.contains("已销号 <span class=\"count\">1</span>"), "{legend}");

    // The feed API counts the same tickets.
    let feed: Value = app.get_as("/api/v1/tickets.geojson", &c.dispatcher.access_token).await.json().await.unwrap();
    assert_eq!(feed["total"], 3);

    // The queue's filters apply and stay in the form; a street's name zooms to it.
    let gas = app.html_as(&c.dispatcher, "/desk/map?category=road_facility").await;
    assert!(gas.contains("data-drawn=\"1\"") && !gas.contains(&format!("m-{number}")), "filtered");
    assert!(gas.contains("<option value=\"road_facility\" selected>"), "the filter is kept");
    let street = format!("/desk/map?region_id={}", between(&body, "href=\"/desk/map?region_id=", "\""));
    let zoomed = app.html_as(&c.dispatcher, &street).await;
    assert!(zoomed.contains("name=\"region_id\""), "the region is kept in the form");
    let res = app.page_as(&c.dispatcher, "/desk/map?status=bogus").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("筛选条件有误"));

    // Department staff see their department's tickets only.
    let mine = app.html_as(&c.dept_staff, "/desk/map").await;
    assert!(mine.contains(&format!("m-{number}")) && mine.contains("data-drawn=\"1\""), "the fire only");

    // Residents and grid workers are sent to their own pages.
    assert_eq!(app.page_as(&c.resident, "/desk/map").await.headers()["location"], "/chat");
    assert_eq!(app.page_as(&c.grid_worker, "/desk/map").await.headers()["location"], "/worker");
}

#[tokio::test]
async fn configured_tiles_are_drawn_under_the_boundaries_and_allowed_by_the_csp() {
    let app = spawn_app_with(|s| s.web.map_tiles_url = "https://tiles.example.gov.cn/{z}/{x}/{y}.png".into()).await;
    let c = cast_in(app).await;
    let res = c.app.page_as(&c.dispatcher, "/desk/map").await;
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("img-src 'self' data: blob: https://tiles.example.gov.cn;"), "{csp}");
    let body = res.text().await.unwrap();
    let zooms: Vec<u32> = all_after(&body, "<image href=\"https://tiles.example.gov.cn/", "/")
        .iter()
        .map(|z| z.parse().unwrap())
        .collect();
    assert!(!zooms.is_empty() && zooms.iter().all(|z| (12..=16).contains(z)), "{zooms:?}");
    assert!(body.find("<g class=\"tiles\"").unwrap() < body.find("<g class=\"regions\"").unwrap(), "under");
}

#[tokio::test]
async fn past_the_limit_the_map_says_so_and_draws_counted_cells() {
    let app = spawn_app_with(|s| {
        s.ledger.map_default_limit = 4;
        s.ledger.map_max_limit = 4;
    })
    .await;
    let c = cast_in(app).await;
    for (community, grid) in [(0, 0), (0, 1), (4, 2), (9, 0), (17, 3)] {
        submit(&c.app, &c.resident, &report("fire", grid_center(community, grid), &[])).await;
    }
    let body = c.app.html_as(&c.dispatcher, "/desk/map").await;
    assert!(body.contains("data-clustered=\"true\""), "{body}");
    assert!(body.contains("符合条件的工单有 5 件，超过 4 件，按方格合并显示"), "said in words");
    let cells = all_after(&body, "<title>这里有 ", " 件工单</title>");
    assert!(cells.len() >= 2, "{cells:?}");
    let counts: u64 = cells.iter().map(|n| n.parse::<u64>().unwrap()).sum();
    assert_eq!(counts, 5, "the cells count every ticket");
    assert!(!body.contains("<a id=\"m-"), "no single marks");
}

#[tokio::test]
async fn the_dashboard_draws_the_stats_apis_numbers_and_links_the_ledger_of_the_period() {
    let c = cast().await;
    let app = &c.app;
    let fire = closed(&c, 2).await;
    submit(app, &c.resident, &report("road_facility", grid_center(5, 1), &[])).await;
    submit(app, &c.resident, &report("fire", grid_center(0, 1), &[])).await;

    let body = app.html_as(&c.dispatcher, "/desk/stats").await;
    // The period: six months up to this one, and the ledger links carry the same instants.
    let csv = between(&body, "id=\"ledger-csv\" href=\"", "\"").replace("&amp;", "&");
    let query = csv.split_once('?').unwrap().1.to_owned();
    let api = |group: &str| {
        let token = c.dispatcher.access_token.clone();
        let path = format!("/api/v1/stats?group_by={group}&{query}");
        async move { app.get_as(&path, &token).await.json::<Value>().await.unwrap() }
    };
    let (by_category, by_department, by_month) = (api("category").await, api("department").await, api("month").await);
    assert_eq!(by_month["groups"].as_array().unwrap().len(), 6, "{by_month}");

    let want = |view: &Value| -> Vec<(String, i64)> {
        let groups = view["groups"].as_array().unwrap();
        groups
            .iter()
            .map(|g| (g["key"].as_str().unwrap_or("").to_owned(), g["figures"]["reported"].as_i64().unwrap()))
            .collect()
    };
    let drawn = bars(between(&body, "id=\"by-category\"", "</section>"));
    assert_eq!(drawn, want(&by_category));
    assert!(drawn.contains(&("fire".to_owned(), 2)) && drawn.contains(&("road_facility".to_owned(), 1)), "{drawn:?}");
    assert!(between(&body, "id=\"by-category\"", "</section>").contains(">消防安全</text>"));
    assert_eq!(bars(between(&body, "id=\"by-department\"", "</section>")), want(&by_department));

    // Totals and the monthly rates are the API's.
    let totals = &by_category["totals"];
    let reported = between(&body, "data-figure=\"reported\">", "</div>");
    assert!(reported.contains(&format!("<dd>{}</dd>", totals["reported"])), "{reported}");
    let rate = &totals["rectification_rate"];
    let shown = between(&body, "data-figure=\"rectification_rate\">", "</div>");
    assert!(
        shown.contains(&format!(
            "{}% ({}/{})",
            rate["percent"].as_f64().unwrap(),
            rate["numerator"],
            rate["denominator"]
        )),
        "{shown} vs {rate}"
    );
    let month = by_month["groups"].as_array().unwrap().iter().rfind(|g| g["figures"]["verified"] != 0).unwrap();
    let point = format!(
        "data-slot=\"{}\" data-value=\"{}\"",
        month["key"].as_str().unwrap(),
        month["figures"]["rectification_rate"]["percent"].as_f64().unwrap()
    );
    assert!(body.contains(&point), "{point}");

    // The ledger links download the period's ledger with the session cookie (a plain GET, no token).
    let res = app.client.get(app.url(&csv)).header(header::COOKIE, page_cookies(&c.dispatcher)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 4, "header and three rows: {text}");
    let row = text.lines().find(|l| l.contains(fire["number"].as_str().unwrap())).expect("the fire's row");
    assert!(row.contains("消防安全"), "{row}");
    let xlsx = between(&body, "id=\"ledger-xlsx\" href=\"", "\"").replace("&amp;", "&");
    let res = app.client.get(app.url(&xlsx)).header(header::COOKIE, page_cookies(&c.dispatcher)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"), "a workbook");
    // Without the cookie there is no ledger.
    assert_eq!(app.get(&csv).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bad_period_is_a_message_on_the_page_and_residents_are_sent_home() {
    let c = cast().await;
    let app = &c.app;
    for (query, words) in [
        ("from=2026-13&to=2026-12", "请按“年-月”填写起止月份"),
        ("from=2026-12&to=2026-01", "起始月份不能晚于结束月份"),
        ("from=2020-01&to=2026-01", "一次最多看 24 个月"),
    ] {
        let res = app.page_as(&c.dispatcher, &format!("/desk/stats?{query}")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        let body = res.text().await.unwrap();
        assert!(body.contains(words), "{query}: {body}");
        assert!(!body.contains("id=\"ledger-csv\""), "no figures for a refused period");
    }
    let body = app.html_as(&c.dispatcher, "/desk/stats?from=2026-01&to=2026-03&lang=en").await;
    assert!(body.contains("value=\"2026-01\"") && body.contains("Reports by category"), "English, period kept");
    assert_eq!(app.page_as(&c.resident, "/desk/stats").await.headers()["location"], "/chat");
    let res = app.client.get(app.url("/desk/stats")).send().await.unwrap();
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"), "not logged in");
}

#[tokio::test]
async fn the_ticket_page_shows_the_place_among_its_communitys_grids_and_links_that_map() {
    let c = cast().await;
    let app = &c.app;
    let inside = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let body = app.html_as(&c.dispatcher, &format!("/desk/tickets/{}", inside["id"].as_str().unwrap())).await;
    let map = between(&body, "id=\"position\"", "</svg>");
    assert!(map.contains("class=\"r r-grid\""), "the grids around it are drawn: {map}");
    assert_eq!(all_after(map, "<circle class=\"here\"", "/>").len(), 1, "one marked place: {map}");
    let index = app.state.jurisdiction().current();
    let grid: uuid::Uuid = inside["location"]["grid_id"].as_str().unwrap().parse().unwrap();
    let community = index.chain_of(grid).into_iter().find(|r| r.id != grid).unwrap().id;
    assert!(body.contains(&format!("href=\"/desk/map?region_id={community}\"")), "{body}");

    // A place outside our regions: the mark alone, no link to a community.
    let outside = submit(app, &c.resident, &report("fire", NOWHERE, &[])).await["ticket"].clone();
    let body = app.html_as(&c.dispatcher, &format!("/desk/tickets/{}", outside["id"].as_str().unwrap())).await;
    let map = between(&body, "id=\"position\"", "</svg>");
    assert!(!map.contains("class=\"r ") && map.contains("class=\"here\""), "{map}");
    assert!(!body.contains("/desk/map?region_id="), "{body}");
}
