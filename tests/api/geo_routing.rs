//! Jurisdiction over HTTP: locating points in the demo city, routing decisions with reasons,
//! and the region admin endpoints refusing trees that do not hold.

use hazardline::{
    auth::Role,
    geo::{
        demo_city::{grid_center, near_east_border},
        point::GeoPoint,
    },
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, Session, TestApp};

async fn city() -> (TestApp, Session) {
    let app = spawn_app().await;
    app.with_demo_city().await;
    let dispatcher = app.staff("13912340001", Role::Dispatcher).await;
    (app, dispatcher)
}

async fn locate(app: &TestApp, token: &str, lat: f64, lng: f64, crs: &str) -> Value {
    let res = app.get_as(&format!("/api/v1/geo/locate?lat={lat}&lng={lng}&coord_system={crs}"), token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn preview(app: &TestApp, token: &str, category: &str, (lng, lat): (f64, f64)) -> Value {
    let res = app
        .post_json_as("/api/v1/routing/preview", token, &json!({"category": category, "lat": lat, "lng": lng}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn names(chain: &Value) -> Vec<String> {
    chain.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_point_locates_to_its_grid_community_street_and_district() {
    let (app, d) = city().await;
    let (lng, lat) = grid_center(0, 0);
    let body = locate(&app, &d.access_token, lat, lng, "gcj02").await;
    assert_eq!(names(&body["chain"]), ["幸福社区第1网格", "幸福社区", "湖滨街道", "东湖区"]);
    assert_eq!(body["chain"][0]["level"], "grid");
    assert_eq!(body["near_border"], Value::Null);

    // The same place as a phone's GPS reports it (WGS-84).
    let wgs = GeoPoint::parse(lat, lng).unwrap().gcj02_to_wgs84();
    let body = locate(&app, &d.access_token, wgs.lat(), wgs.lng(), "wgs84").await;
    assert_eq!(names(&body["chain"])[0], "幸福社区第1网格");
    assert!((body["gcj02"]["lat"].as_f64().unwrap() - lat).abs() < 1e-6);
}

#[tokio::test]
async fn a_point_by_a_grid_border_names_both_grids_and_where_each_would_route() {
    let (app, d) = city().await;
    let (lng, lat) = near_east_border(0, 0);
    let body = locate(&app, &d.access_token, lat, lng, "gcj02").await;
    assert_eq!(names(&body["chain"])[0], "幸福社区第1网格");
    let nb = &body["near_border"];
    assert_eq!(nb["level"], "grid");
    let candidates: Vec<_> =
        nb["candidates"].as_array().unwrap().iter().map(|c| c["region"]["name"].as_str().unwrap()).collect();
    assert_eq!(candidates, ["幸福社区第1网格", "幸福社区第2网格"]);
    assert_eq!(nb["candidates"][0]["contains_point"], true);
    assert!(nb["candidates"][1]["distance_m"].as_f64().unwrap() < 30.0);
    let decision = preview(&app, &d.access_token, "fire", (lng, lat)).await;
    assert_eq!(decision["near_border"]["candidates"].as_array().unwrap().len(), 2);
    assert!(decision["reason"].as_str().unwrap().contains("靠近网格界线"), "{}", decision["reason"]);
}

#[tokio::test]
async fn a_point_outside_the_city_locates_to_nothing_and_routes_to_the_unrouted_queue() {
    let (app, d) = city().await;
    let body = locate(&app, &d.access_token, 30.0, 114.0, "gcj02").await;
    assert_eq!(body["chain"], json!([]));
    let decision = preview(&app, &d.access_token, "fire", (114.0, 30.0)).await;
    assert_eq!(decision["outcome"], "unrouted");
    assert_eq!(decision["matched"], "unrouted");
    assert_eq!(decision["department"], Value::Null);
}

#[tokio::test]
async fn the_most_specific_department_handling_the_category_wins() {
    let (app, d) = city().await;
    let decision = preview(&app, &d.access_token, "fire", grid_center(0, 0)).await;
    assert_eq!(decision["outcome"], "routed");
    assert_eq!(decision["matched"], "most_specific_department");
    assert_eq!(decision["department"]["name"], "东湖区消防救援大队");
    assert!(decision["reason"].as_str().unwrap().contains("东湖区消防救援大队"), "{decision}");
    // Same category in the other district: that district's brigade.
    let decision = preview(&app, &d.access_token, "fire", grid_center(10, 1)).await;
    assert_eq!(decision["department"]["name"], "西岭区消防救援大队");
}

#[tokio::test]
async fn a_routing_rule_overrides_the_usual_department() {
    let (app, d) = city().await;
    // 望江街道 (communities 3..6) sends gas to the city-management bureau by rule.
    let decision = preview(&app, &d.access_token, "gas", grid_center(3, 0)).await;
    assert_eq!(decision["matched"], "rule");
    assert_eq!(decision["department"]["name"], "东湖区城市管理局");
    assert_eq!(decision["matched_region"]["name"], "望江街道");
    // Next street over: the usual housing bureau.
    let decision = preview(&app, &d.access_token, "gas", grid_center(0, 0)).await;
    assert_eq!(decision["matched"], "most_specific_department");
    assert_eq!(decision["department"]["name"], "东湖区住房和城乡建设局");
}

#[tokio::test]
async fn a_category_nobody_handles_falls_back_to_the_nearest_safety_office() {
    use sea_orm::{ActiveModelTrait, Set};
    let (app, d) = city().await;
    let now = chrono::Utc::now();
    entity::category::ActiveModel {
        code: Set("drones".into()),
        name_zh: Set("无人机".into()),
        name_en: Set("Drones".into()),
        parent_code: Set(None),
        keywords: Set("[]".into()),
        default_urgency: Set("normal".into()),
        usual_department_kind: Set("safety_office".into()),
        accept_hours: Set(24),
        verify_hours: Set(48),
        rectify_days_general: Set(7),
        rectify_days_major: Set(30),
        sort_order: Set(100),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.state.db())
    .await
    .unwrap();
    let decision = preview(&app, &d.access_token, "drones", grid_center(4, 2)).await;
    assert_eq!(decision["matched"], "safety_office_fallback");
    assert_eq!(decision["department"]["name"], "望江街道安委办");
}

#[tokio::test]
async fn grid_workers_on_duty_come_first_and_an_off_duty_grid_still_names_its_worker() {
    let (app, d) = city().await;
    let decision = preview(&app, &d.access_token, "fire", grid_center(5, 0)).await;
    let workers = decision["grid_workers"].as_array().unwrap();
    assert_eq!(workers.len(), 1);
    assert_eq!(workers[0]["on_duty"], true);
    // The fourth grid of every demo community has nobody on duty.
    let decision = preview(&app, &d.access_token, "fire", grid_center(5, 3)).await;
    let workers = decision["grid_workers"].as_array().unwrap();
    assert_eq!(workers.len(), 1);
    assert_eq!(workers[0]["on_duty"], false);
    assert!(decision["reason"].as_str().unwrap().contains("网格员"), "{decision}");
}

#[tokio::test]
async fn routing_preview_is_for_dispatchers_and_admins() {
    let (app, _) = city().await;
    let resident = app.resident("13800138200").await;
    let res = app
        .post_json_as(
            "/api/v1/routing/preview",
            &resident.access_token,
            &json!({"category": "fire", "lat": 28.19, "lng": 112.91}),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN).await;
    let admin = app.staff("13912340002", Role::Admin).await;
    let res = app
        .post_json_as(
            "/api/v1/routing/preview",
            &admin.access_token,
            &json!({"category": "nope", "lat": 28.19, "lng": 112.91}),
        )
        .await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "category_not_found");
}

#[tokio::test]
async fn impossible_coordinates_are_refused_clearly() {
    let app = spawn_app().await;
    let s = app.resident("13800138201").await;
    for (query, field) in [("lat=95&lng=114", "lat"), ("lat=22&lng=181", "lng"), ("lat=NaN&lng=114", "lat")] {
        let res = app.get_as(&format!("/api/v1/geo/locate?{query}"), &s.access_token).await;
        let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}");
    }
    let res = app.get_as("/api/v1/geo/locate?lat=abc&lng=114", &s.access_token).await;
    assert_eq!(problem(res, StatusCode::BAD_REQUEST).await["code"], "invalid_query");
    let res = app.get_as("/api/v1/geo/locate?lat=22&lng=114&coord_system=bd09", &s.access_token).await;
    problem(res, StatusCode::BAD_REQUEST).await;
    problem(app.get("/api/v1/geo/locate?lat=22&lng=114").await, StatusCode::UNAUTHORIZED).await;
}

fn square(lng: f64, lat: f64, size: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]]})
}

#[tokio::test]
async fn admins_create_regions_that_fit_the_tree_and_locate_finds_them_at_once() {
    let app = spawn_app().await;
    let admin = app.staff("13912340003", Role::Admin).await;
    let t = &admin.access_token;
    let res = app
        .post_json_as(
            "/api/v1/regions",
            t,
            &json!({"level": "district", "code": "990001", "name": "测试区", "boundary": square(100.0, 30.0, 1.0)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let district: Value = res.json().await.unwrap();
    let res = app
        .post_json_as(
            "/api/v1/regions",
            t,
            &json!({"level": "street", "code": "990001001", "name": "测试街道", "parent_id": district["id"], "boundary": square(100.1, 30.1, 0.3)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body = locate(&app, t, 30.2, 100.2, "gcj02").await;
    assert_eq!(names(&body["chain"]), ["测试街道", "测试区"]);

    // Outside its parent.
    let res = app
        .post_json_as(
            "/api/v1/regions",
            t,
            &json!({"level": "street", "code": "990001002", "name": "越界街道", "parent_id": district["id"], "boundary": square(100.8, 30.8, 0.5)}),
        )
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "outside_parent");
    // A bow-tie.
    let bow = json!({"type": "Polygon", "coordinates": [[[100.2, 30.2], [100.3, 30.3], [100.3, 30.2], [100.2, 30.3], [100.2, 30.2]]]});
    let res = app
        .post_json_as("/api/v1/regions", t, &json!({"level": "street", "code": "990001003", "name": "自交", "parent_id": district["id"], "boundary": bow}))
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "invalid_boundary");
    // Wrong parent level, missing parent, duplicate code.
    let res = app
        .post_json_as("/api/v1/regions", t, &json!({"level": "grid", "code": "x1", "name": "网格", "parent_id": district["id"], "boundary": square(100.2, 30.2, 0.01)}))
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "wrong_level");
    let res = app
        .post_json_as(
            "/api/v1/regions",
            t,
            &json!({"level": "street", "code": "x2", "name": "无父", "boundary": square(100.2, 30.2, 0.01)}),
        )
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "parent_id");
    let res = app
        .post_json_as(
            "/api/v1/regions",
            t,
            &json!({"level": "district", "code": "990001", "name": "重复", "boundary": square(105.0, 30.0, 1.0)}),
        )
        .await;
    assert_eq!(problem(res, StatusCode::CONFLICT).await["code"], "region_code_taken");

    // Shrinking the district so its street falls out is refused.
    let res = app
        .patch_json_as(
            &format!("/api/v1/regions/{}", district["id"].as_str().unwrap()),
            t,
            &json!({"boundary": square(100.5, 30.5, 0.4)}),
        )
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "outside_parent");

    // Non-admins cannot.
    let dispatcher = app.staff("13912340004", Role::Dispatcher).await;
    let res = app
        .post_json_as(
            "/api/v1/regions",
            &dispatcher.access_token,
            &json!({"level": "district", "code": "990009", "name": "x", "boundary": square(90.0, 30.0, 1.0)}),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn rules_and_grid_assignments_are_managed_by_admins() {
    let (app, _) = city().await;
    let admin = app.staff("13912340005", Role::Admin).await;
    let t = &admin.access_token;
    let regions: Value = app.get_as("/api/v1/regions?level=street", t).await.json().await.unwrap();
    assert_eq!(regions.as_array().unwrap().len(), 6);
    let hubin = regions.as_array().unwrap().iter().find(|r| r["name"] == "湖滨街道").unwrap().clone();
    let rules: Value = app.get_as("/api/v1/routing-rules", t).await.json().await.unwrap();
    let gas_rule = &rules[0];
    let res = app
        .post_json_as(
            "/api/v1/routing-rules",
            t,
            &json!({"category": "fire", "region_id": hubin["id"], "department_id": gas_rule["department_id"], "note": "试点"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rule: Value = res.json().await.unwrap();
    let dispatcher = app.staff("13912340006", Role::Dispatcher).await;
    let decision = preview(&app, &dispatcher.access_token, "fire", grid_center(0, 0)).await;
    assert_eq!(decision["matched"], "rule");
    let res = app
        .post_json_as(
            "/api/v1/routing-rules",
            t,
            &json!({"category": "fire", "region_id": hubin["id"], "department_id": gas_rule["department_id"]}),
        )
        .await;
    assert_eq!(problem(res, StatusCode::CONFLICT).await["code"], "routing_rule_exists");
    let id = rule["id"].as_str().unwrap();
    // Its note and department change in place; an unknown department or a dispatcher is refused.
    let path = format!("/api/v1/routing-rules/{id}");
    let res = app.patch_json_as(&path, t, &json!({"note": "试点扩大"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let changed: Value = res.json().await.unwrap();
    assert_eq!((changed["note"].as_str(), &changed["department_id"]), (Some("试点扩大"), &gas_rule["department_id"]));
    let res = app.patch_json_as(&path, t, &json!({"department_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "department_id");
    let res = app.patch_json_as(&path, &dispatcher.access_token, &json!({"note": "x"})).await;
    problem(res, StatusCode::FORBIDDEN).await;
    assert_eq!(app.delete_as(&format!("/api/v1/routing-rules/{id}"), t).await.status(), StatusCode::NO_CONTENT);
    problem(app.delete_as(&format!("/api/v1/routing-rules/{id}"), t).await, StatusCode::NOT_FOUND).await;

    // A grid worker toggles their own duty; not someone else's.
    let worker = app.staff("13912340007", Role::GridWorker).await;
    let grids: Value = app.get_as("/api/v1/regions?level=grid", t).await.json().await.unwrap();
    let grid_id = grids[0]["id"].clone();
    let res = app
        .post_json_as("/api/v1/grid-assignments", t, &json!({"user_id": worker.user["id"], "grid_id": grid_id}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let a: Value = res.json().await.unwrap();
    let path = format!("/api/v1/grid-assignments/{}", a["id"].as_str().unwrap());
    let res = app.patch_json_as(&path, &worker.access_token, &json!({"on_duty": false})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["on_duty"], false);
    let other = app.staff("13912340008", Role::GridWorker).await;
    problem(app.patch_json_as(&path, &other.access_token, &json!({"on_duty": true})).await, StatusCode::NOT_FOUND)
        .await;
    // Only grid workers, only grids.
    let res = app
        .post_json_as("/api/v1/grid-assignments", t, &json!({"user_id": admin.user["id"], "grid_id": grid_id}))
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "not_a_grid_worker");
    let res = app
        .post_json_as("/api/v1/grid-assignments", t, &json!({"user_id": worker.user["id"], "grid_id": hubin["id"]}))
        .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["code"], "not_a_grid");
}

#[tokio::test]
async fn a_region_created_on_one_instance_is_located_by_another() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: two instances share changes over Redis pub/sub; set TEST_REDIS_URL");
        return;
    }
    let a = spawn_app().await;
    let (url, prefix) = (a.settings.database.url.clone(), a.settings.redis.key_prefix.clone());
    let b = crate::helpers::spawn_app_with(move |s| {
        s.database.url = url;
        s.redis.key_prefix = prefix;
    })
    .await;
    let admin = a.staff("13912340009", Role::Admin).await;
    let res = a
        .post_json_as(
            "/api/v1/regions",
            &admin.access_token,
            &json!({"level": "district", "code": "990100", "name": "新区", "boundary": square(101.0, 31.0, 0.5)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let body = locate(&b, &admin.access_token, 31.2, 101.2, "gcj02").await;
        if names(&body["chain"]) == ["新区"] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "instance B never rebuilt its index");
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn admin_changes_to_rules_departments_and_categories_reach_routing_at_once() {
    let (app, d) = city().await;
    let admin = app.staff("13912340005", Role::Admin).await;
    let t = &admin.access_token;
    // Deleting the gas rule of 望江街道 sends gas back to the usual department.
    assert_eq!(preview(&app, &d.access_token, "gas", grid_center(3, 0)).await["matched"], "rule");
    let rules: Value = app.get_as("/api/v1/routing-rules", t).await.json().await.unwrap();
    let rule = rules.as_array().unwrap().iter().find(|r| r["category"] == "gas").unwrap();
    let path = format!("/api/v1/routing-rules/{}", rule["id"].as_str().unwrap());
    assert_eq!(app.delete_as(&path, t).await.status(), StatusCode::NO_CONTENT);
    let decision = preview(&app, &d.access_token, "gas", grid_center(3, 0)).await;
    assert_eq!(decision["matched"], "most_specific_department");

    // A new department of 湖滨街道 handling fire is more specific than the district's.
    let streets: Value = app.get_as("/api/v1/regions?level=street", t).await.json().await.unwrap();
    let hubin = streets.as_array().unwrap().iter().find(|r| r["name"] == "湖滨街道").unwrap().clone();
    let res = app
        .post_json_as(
            "/api/v1/departments",
            t,
            &json!({"name": "湖滨街道消防站", "kind": "fire_rescue", "region_id": hubin["id"], "categories": ["fire"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let decision = preview(&app, &d.access_token, "fire", grid_center(0, 0)).await;
    assert_eq!(decision["department"]["name"], "湖滨街道消防站");

    // A deactivated category is routed and reported no more.
    let res = app.patch_json_as("/api/v1/categories/fire", t, &json!({"active": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (lng, lat) = grid_center(0, 0);
    let res = app
        .post_json_as("/api/v1/routing/preview", &d.access_token, &json!({"category": "fire", "lat": lat, "lng": lng}))
        .await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "category_not_found");
}
