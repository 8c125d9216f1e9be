//! Campaigns (专项整治): created by dispatchers in their scope, tagging tickets reported inside
//! (also those before it was entered), filtering lists and the ledger, changed and re-tagged.

use chrono::{Duration, Utc};
use entity::{region, user_role};
use hazardline::{auth::Role, geo::demo_city::grid_center};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{problem, Session, TestApp},
    ledger::{ledger, parse_csv},
    tickets::{cast, report, submit, user_id},
};

pub async fn region_id(app: &TestApp, code: &str) -> Uuid {
    region::Entity::find().filter(region::Column::Code.eq(code)).one(app.state.db()).await.unwrap().unwrap().id
}

/// A dispatcher whose grant reaches `region` only.
async fn dispatcher_of(app: &TestApp, phone: &str, region: Uuid) -> Session {
    let s = app.staff(phone, Role::Dispatcher).await;
    let grant =
        user_role::Entity::find().filter(user_role::Column::UserId.eq(user_id(&s))).one(app.state.db()).await.unwrap();
    let mut grant = grant.unwrap().into_active_model();
    grant.region_id = Set(Some(region));
    grant.update(app.state.db()).await.unwrap();
    s
}

pub fn campaign(categories: &[&str], regions: &[Uuid]) -> Value {
    json!({
        "name": "消防安全专项整治",
        "description": "楼道堆物、电动车充电",
        "starts_at": Utc::now() - Duration::days(1),
        "ends_at": Utc::now() + Duration::days(30),
        "categories": categories,
        "regions": regions,
    })
}

async fn count_in(app: &TestApp, who: &Session, id: &str) -> usize {
    let res = app.get_as(&format!("/api/v1/tickets?campaign_id={id}"), &who.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_campaign_tags_tickets_before_and_after_it_is_entered_and_filters_lists_and_the_ledger() {
    let c = cast().await;
    let app = &c.app;
    let district = region_id(app, "439901").await;
    let before = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let gas = submit(app, &c.resident, &report("gas", grid_center(0, 1), &[])).await["ticket"].clone();
    // Another district: not targeted.
    submit(app, &c.resident, &report("fire", grid_center(9, 0), &[])).await;

    let res =
        app.post_json_as("/api/v1/campaigns", &c.dispatcher.access_token, &campaign(&["fire"], &[district])).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!((created["ticket_count"].as_i64(), created["active"].as_bool()), (Some(1), Some(true)));

    let after = submit(app, &c.resident, &report("fire", grid_center(1, 2), &[])).await["ticket"].clone();
    assert_eq!(count_in(app, &c.dispatcher, &id).await, 2);
    let res = app.get_as(&format!("/api/v1/tickets/summary?campaign_id={id}"), &c.dispatcher.access_token).await;
    assert_eq!(res.json::<Value>().await.unwrap()["total"], 2);
    let csv = ledger(app, &c.dispatcher, "csv", &format!("?campaign_id={id}")).await.text().await.unwrap();
    let mut numbers: Vec<String> =
        parse_csv(csv.trim_start_matches('\u{feff}')).iter().skip(1).map(|r| r[0].clone()).collect();
    numbers.sort();
    let mut want = vec![before["number"].as_str().unwrap().to_owned(), after["number"].as_str().unwrap().to_owned()];
    want.sort();
    assert_eq!(numbers, want);
    // Statistics filter by campaign too: the two tagged reports of this month, not the other three.
    let stats: Value =
        app.get_as(&format!("/api/v1/stats?campaign={id}"), &c.dispatcher.access_token).await.json().await.unwrap();
    assert_eq!(stats["totals"]["reported"], 2, "{stats}");
    let all: Value = app.get_as("/api/v1/stats", &c.dispatcher.access_token).await.json().await.unwrap();
    assert_eq!(all["totals"]["reported"], 4, "{all}");

    // The bot's greeting: active in the district and below it, not elsewhere.
    let street = region_id(app, "439901001").await;
    let active = hazardline::campaigns::active_for(&app.state, &[district, street], Utc::now()).await.unwrap();
    assert_eq!(active.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["消防安全专项整治"]);
    let elsewhere = region_id(app, "439902").await;
    assert!(hazardline::campaigns::active_for(&app.state, &[elsewhere], Utc::now()).await.unwrap().is_empty());
    assert!(hazardline::campaigns::active_for(&app.state, &[district], Utc::now() + Duration::days(31))
        .await
        .unwrap()
        .is_empty());

    // Widening the focus re-tags: the gas report joins.
    let res = app
        .patch_json_as(
            &format!("/api/v1/campaigns/{id}"),
            &c.dispatcher.access_token,
            &json!({"categories": ["fire", "gas"], "name": "消防与燃气安全专项整治"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["ticket_count"], 3);
    let res = app.get_as(&format!("/api/v1/tickets?campaign_id={id}&category=gas"), &c.dispatcher.access_token).await;
    assert_eq!(res.json::<Value>().await.unwrap()["items"][0]["id"], gas["id"]);

    let res = app.get_as(&format!("/api/v1/campaigns/{id}"), &c.dept_staff.access_token).await;
    let got: Value = res.json().await.unwrap();
    assert_eq!((got["categories"].clone(), got["regions"].clone()), (json!(["fire", "gas"]), json!([district])));
    assert_eq!(got["name"], "消防与燃气安全专项整治", "the new name is stored, not only answered");
    let list: Vec<Value> = app.get_as("/api/v1/campaigns", &c.dispatcher.access_token).await.json().await.unwrap();
    assert_eq!(list.len(), 1);
}

#[tokio::test]
async fn campaigns_are_refused_to_residents_outside_scope_and_with_bad_fields() {
    let c = cast().await;
    let app = &c.app;
    let (district, other) = (region_id(app, "439901").await, region_id(app, "439902").await);
    let body = campaign(&["fire"], &[district]);

    let res = app.post_json_as("/api/v1/campaigns", &c.resident.access_token, &body).await;
    assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");
    let res = app.post_json_as("/api/v1/campaigns", &c.dept_staff.access_token, &body).await;
    assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");
    assert_eq!(app.get_as("/api/v1/campaigns", &c.resident.access_token).await.status(), StatusCode::FORBIDDEN);

    let scoped = dispatcher_of(app, "13912349999", district).await;
    let res = app.post_json_as("/api/v1/campaigns", &scoped.access_token, &campaign(&["fire"], &[other])).await;
    assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");
    let res = app.post_json_as("/api/v1/campaigns", &scoped.access_token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let res =
        app.patch_json_as(&format!("/api/v1/campaigns/{id}"), &scoped.access_token, &json!({"regions": [other]})).await;
    assert_eq!(problem(res, StatusCode::FORBIDDEN).await["code"], "forbidden");

    let mut bad = body.clone();
    bad["ends_at"] = bad["starts_at"].clone();
    bad["categories"] = json!(["fire", "no_such"]);
    let res = app.post_json_as("/api/v1/campaigns", &c.dispatcher.access_token, &bad).await;
    let err = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["ends_at"]);
    let mut bad = body.clone();
    bad["categories"] = json!(["fire", "no_such"]);
    bad["regions"] = json!([Uuid::now_v7()]);
    let res = app.post_json_as("/api/v1/campaigns", &c.dispatcher.access_token, &bad).await;
    let err = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let codes: Vec<&str> = err["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["unknown_category", "unknown_region"]);

    let missing = format!("/api/v1/campaigns/{}", Uuid::now_v7());
    assert_eq!(
        problem(app.get_as(&missing, &c.dispatcher.access_token).await, StatusCode::NOT_FOUND).await["code"],
        "campaign_not_found"
    );
    let res = app.patch_json_as(&missing, &c.dispatcher.access_token, &json!({"name": "x"})).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "campaign_not_found");
}

#[tokio::test]
async fn a_retried_campaign_is_created_once() {
    let c = cast().await;
    let app = &c.app;
    let district = region_id(app, "439901").await;
    let body = campaign(&["fire"], &[district]);
    let send = || {
        app.client
            .post(app.url("/api/v1/campaigns"))
            .bearer_auth(&c.dispatcher.access_token)
            .header("Idempotency-Key", "campaign-1")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let list: Vec<Value> = app.get_as("/api/v1/campaigns", &c.dispatcher.access_token).await.json().await.unwrap();
    assert_eq!(list.len(), 1);
}
