//! The map feed (`/tickets.geojson`): points in the caller's scope inside the window, clusters
//! when more match than the limit, WGS-84 on request, and refusals.

use hazardline::geo::demo_city::grid_center;
use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    helpers::problem,
    ticket_support::NOWHERE,
    tickets::{cast, report, submit},
};

fn bbox_around((lng, lat): (f64, f64), d: f64) -> String {
    format!("{},{},{},{}", lng - d, lat - d, lng + d, lat + d)
}

#[tokio::test]
async fn the_map_shows_points_in_the_window_and_clusters_past_the_limit() {
    let c = cast().await;
    let app = &c.app;
    let mut ids = Vec::new();
    for (community, grid) in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 3)] {
        ids.push(
            submit(app, &c.resident, &report("fire", grid_center(community, grid), &[])).await["ticket"]["id"].clone(),
        );
    }
    submit(app, &c.resident, &report("fire", NOWHERE, &[])).await;
    let window = bbox_around(grid_center(0, 0), 0.2);
    let get = |who: &crate::helpers::Session, query: String| {
        let token = who.access_token.clone();
        async move { app.get_as(&format!("/api/v1/tickets.geojson?{query}"), &token).await }
    };

    let res = get(&c.dispatcher, format!("bbox={window}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/geo+json");
    let feed: Value = res.json().await.unwrap();
    assert_eq!(
        (feed["type"].as_str(), feed["clustered"].as_bool(), feed["total"].as_u64()),
        (Some("FeatureCollection"), Some(false), Some(5))
    );
    let features = feed["features"].as_array().unwrap();
    assert_eq!(features.len(), 5);
    let first = &features[4];
    assert_eq!(first["geometry"]["type"], "Point");
    assert_eq!(first["properties"]["id"], ids[0]);
    let (lng, lat) = grid_center(0, 0);
    let coords = first["geometry"]["coordinates"].as_array().unwrap();
    assert!((coords[0].as_f64().unwrap() - lng).abs() < 1e-9 && (coords[1].as_f64().unwrap() - lat).abs() < 1e-9);
    for key in ["number", "status", "category", "urgency", "age_hours", "overdue"] {
        assert!(!first["properties"][key].is_null(), "{key}");
    }

    // WGS-84 moves every point by the datum shift (a few hundred metres in China).
    let wgs: Value = get(&c.dispatcher, format!("bbox={window}&coord_system=wgs84")).await.json().await.unwrap();
    let w = wgs["features"][4]["geometry"]["coordinates"].as_array().unwrap();
    let shift = (w[0].as_f64().unwrap() - lng).abs() + (w[1].as_f64().unwrap() - lat).abs();
    assert!(shift > 0.001 && shift < 0.02, "{shift}");

    // Past the limit: cells with counts that add up to every matching ticket.
    let feed: Value = get(&c.dispatcher, format!("bbox={window}&limit=4")).await.json().await.unwrap();
    assert_eq!((feed["clustered"].as_bool(), feed["total"].as_u64()), (Some(true), Some(5)));
    let cells = feed["features"].as_array().unwrap();
    assert!(!cells.is_empty() && cells.len() <= 4, "{feed}");
    let counted: u64 = cells.iter().map(|f| f["properties"]["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, 5);
    assert!(cells.iter().all(|f| f["properties"]["categories"]["fire"] == f["properties"]["count"]));
    assert!(feed["cell_deg"].as_f64().unwrap() > 0.0);

    // Filters and scope: department staff see their department's tickets only; the window cuts.
    let tiny = bbox_around(grid_center(1, 3), 0.001);
    let feed: Value = get(&c.dispatcher, format!("bbox={tiny}")).await.json().await.unwrap();
    assert_eq!(feed["total"], 1);
    let feed: Value = get(&c.dispatcher, format!("bbox={window}&category=gas")).await.json().await.unwrap();
    assert_eq!(feed["total"], 0);
    let feed: Value = get(&c.dept_staff, format!("bbox={window}")).await.json().await.unwrap();
    assert_eq!(feed["total"], 0, "not yet staff of any department");
}

#[tokio::test]
async fn the_map_refuses_bad_windows_and_filters_and_residents() {
    let c = cast().await;
    let app = &c.app;
    for (query, field) in [
        ("bbox=1,2,3", "bbox"),
        ("bbox=114,23,113,24", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=0,-95,1,1", "bbox"),
        ("limit=0", "limit"),
        ("limit=100001", "limit"),
        ("coord_system=bd09", "coord_system"),
        ("status=open", "status"),
        ("hazard_level=high", "hazard_level"),
        ("zoom=3", "zoom"),
    ] {
        let res = app.get_as(&format!("/api/v1/tickets.geojson?{query}"), &c.dispatcher.access_token).await;
        let body = problem(res, StatusCode::BAD_REQUEST).await;
        assert!(body["detail"].as_str().unwrap().contains(field), "{query}: {body}");
    }
    let res = app.get_as("/api/v1/tickets.geojson", &c.resident.access_token).await;
    assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");
    assert_eq!(app.get("/api/v1/tickets.geojson").await.status(), StatusCode::UNAUTHORIZED);
}
