//! Chat over HTTP: ticket threads, idempotent sends, recall, paging, unread counts, staff notes.

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::{
    helpers::{problem, Session, TestApp},
    tickets::{cast, report, submit, Cast},
};
use hazardline::geo::demo_city::grid_center;

/// A reported ticket with its thread and members (reporter, grid worker, department staff).
pub async fn thread() -> (Cast, String) {
    let c = cast().await;
    let created = submit(&c.app, &c.resident, &report("fire", grid_center(0, 0), &[])).await;
    let id: uuid::Uuid = created["ticket"]["id"].as_str().unwrap().parse().unwrap();
    crate::tickets::make_staff_of(&c.app, &c.dept_staff, &created["ticket"]["department_id"]).await;
    let row = entity::ticket::Entity::find_by_id(id).one(c.app.state.db()).await.unwrap().unwrap();
    let now = chrono::Utc::now();
    let conv = hazardline::chat::service::ticket_conversation(c.app.state.db(), &row, now).await.unwrap();
    hazardline::chat::service::sync_ticket_members(c.app.state.db(), conv.id, &row, now).await.unwrap();
    (c, conv.id.to_string())
}

pub async fn send(app: &TestApp, who: &Session, conv: &str, body: Value) -> reqwest::Response {
    app.post_json_as(&format!("/api/v1/conversations/{conv}/messages"), &who.access_token, &body).await
}

pub async fn text(app: &TestApp, who: &Session, conv: &str, client: &str, text: &str) -> Value {
    let res = send(app, who, conv, json!({"client_msg_id": client, "type": "text", "text": text})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn page(app: &TestApp, who: &Session, conv: &str, query: &str) -> Value {
    let res = app.get_as(&format!("/api/v1/conversations/{conv}/messages?{query}"), &who.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn seqs(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect()
}

async fn my_conversations(app: &TestApp, who: &Session) -> Vec<Value> {
    app.get_as("/api/v1/conversations", &who.access_token).await.json::<Vec<Value>>().await.unwrap()
}

#[tokio::test]
async fn a_retried_send_returns_the_stored_message_and_never_a_duplicate() {
    let (c, conv) = thread().await;
    let first = text(&c.app, &c.resident, &conv, "m-1", "楼道里的纸箱还没清走").await;
    assert_eq!(first["seq"], 1);
    let again = send(
        &c.app,
        &c.resident,
        &conv,
        json!({"client_msg_id": "m-1", "type": "text", "text": "楼道里的纸箱还没清走"}),
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let second = text(&c.app, &c.resident, &conv, "m-2", "今天又多了几箱").await;
    assert_eq!(second["seq"], 2, "no gap after the retry");
    assert_eq!(seqs(&page(&c.app, &c.resident, &conv, "").await), [1, 2]);
}

#[tokio::test]
async fn a_sender_recalls_within_two_minutes_and_the_message_stays_as_recalled() {
    let (c, conv) = thread().await;
    let m = text(&c.app, &c.resident, &conv, "r-1", "发错了").await;
    let url = format!("/api/v1/conversations/{conv}/messages/{}/recall", m["id"].as_str().unwrap());
    let other = c.app.post_json_as(&url, &c.grid_worker.access_token, &json!({})).await;
    assert_eq!(problem(other, StatusCode::FORBIDDEN).await["code"], "forbidden");
    let res = c.app.post_json_as(&url, &c.resident.access_token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let history = page(&c.app, &c.grid_worker, &conv, "").await;
    let recalled = &history["items"][0];
    assert!(recalled["recalled_at"].is_string() && recalled["content"].is_null());
}

#[tokio::test]
async fn pages_go_back_and_forth_by_sequence_without_gaps_or_repeats() {
    let (c, conv) = thread().await;
    for i in 1..=7 {
        text(&c.app, &c.resident, &conv, &format!("p-{i}"), &format!("第{i}条")).await;
    }
    let newest = page(&c.app, &c.resident, &conv, "limit=3").await;
    assert_eq!((seqs(&newest), newest["has_more"].as_bool()), (vec![5, 6, 7], Some(true)));
    let older = page(&c.app, &c.resident, &conv, "limit=3&before=5").await;
    assert_eq!(seqs(&older), [2, 3, 4]);
    let oldest = page(&c.app, &c.resident, &conv, "limit=3&before=2").await;
    assert_eq!((seqs(&oldest), oldest["has_more"].as_bool()), (vec![1], Some(false)));
    let forward = page(&c.app, &c.resident, &conv, "limit=4&after=2").await;
    assert_eq!((seqs(&forward), forward["has_more"].as_bool()), (vec![3, 4, 5, 6], Some(true)));
    let res = c.app.get_as(&format!("/api/v1/conversations/{conv}/messages?limit=0"), &c.resident.access_token).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn unread_counts_what_others_sent_since_the_read_cursor() {
    let (c, conv) = thread().await;
    text(&c.app, &c.resident, &conv, "u-1", "在吗").await;
    text(&c.app, &c.grid_worker, &conv, "u-2", "收到，马上去看").await;
    text(&c.app, &c.grid_worker, &conv, "u-3", "预计半小时到").await;
    let mine = my_conversations(&c.app, &c.resident).await;
    let thread = mine.iter().find(|x| x["id"] == conv.as_str()).unwrap();
    assert_eq!((thread["unread"].as_u64(), thread["last_message"]["seq"].as_i64()), (Some(2), Some(3)));
    let read = c
        .app
        .post_json_as(&format!("/api/v1/conversations/{conv}/read"), &c.resident.access_token, &json!({"seq": 2}))
        .await;
    assert_eq!(read.json::<Value>().await.unwrap()["seq"], 2);
    let mine = my_conversations(&c.app, &c.resident).await;
    assert_eq!(mine.iter().find(|x| x["id"] == conv.as_str()).unwrap()["unread"], 1);
    // The cursor never moves back, nor past the end.
    let back = c
        .app
        .post_json_as(&format!("/api/v1/conversations/{conv}/read"), &c.resident.access_token, &json!({"seq": 1}))
        .await;
    assert_eq!(back.json::<Value>().await.unwrap()["seq"], 2);
    let past = c
        .app
        .post_json_as(&format!("/api/v1/conversations/{conv}/read"), &c.resident.access_token, &json!({"seq": 99}))
        .await;
    assert_eq!(past.json::<Value>().await.unwrap()["seq"], 3);
}

#[tokio::test]
async fn a_staff_note_never_reaches_the_reporter() {
    let (c, conv) = thread().await;
    let note = send(
        &c.app,
        &c.grid_worker,
        &conv,
        json!({"client_msg_id": "n-1", "type": "text", "text": "该户多次投诉，注意沟通方式", "visibility": "staff"}),
    )
    .await;
    assert_eq!(note.status(), StatusCode::CREATED);
    text(&c.app, &c.grid_worker, &conv, "n-2", "您好，我们已收到").await;
    let resident_view = page(&c.app, &c.resident, &conv, "").await;
    assert_eq!(resident_view["items"].as_array().unwrap().len(), 1);
    assert_eq!(resident_view["items"][0]["content"]["text"], "您好，我们已收到");
    let staff_view = page(&c.app, &c.dept_staff, &conv, "").await;
    assert_eq!(seqs(&staff_view), [1, 2]);
    let mine = my_conversations(&c.app, &c.resident).await;
    assert_eq!(mine.iter().find(|x| x["id"] == conv.as_str()).unwrap()["unread"], 1);
    // Residents may not write staff notes; strangers do not know the conversation.
    let res = send(
        &c.app,
        &c.resident,
        &conv,
        json!({"client_msg_id": "n-3", "type": "text", "text": "x", "visibility": "staff"}),
    )
    .await;
    assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "visibility");
    let stranger = c.app.resident("13800000009").await;
    let res = send(&c.app, &stranger, &conv, json!({"client_msg_id": "n-4", "type": "text", "text": "x"})).await;
    assert_eq!(problem(res, StatusCode::NOT_FOUND).await["code"], "conversation_not_found");
}

#[tokio::test]
async fn bad_messages_are_refused_by_field() {
    let (c, conv) = thread().await;
    for (body, field) in [
        (json!({"client_msg_id": "b-1", "type": "text", "text": "   "}), "text"),
        (json!({"client_msg_id": "b-2", "type": "text", "text": "长".repeat(2001)}), "text"),
        (json!({"client_msg_id": "", "type": "text", "text": "x"}), "client_msg_id"),
        (json!({"client_msg_id": "b-3", "type": "location", "lat": 91.0, "lng": 0.0}), "lat"),
        (json!({"client_msg_id": "b-4", "type": "system", "text": "伪造"}), "type"),
    ] {
        let res = send(&c.app, &c.resident, &conv, body).await;
        assert_eq!(problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], field);
    }
}

#[tokio::test]
async fn intake_is_one_open_conversation_per_channel_and_direct_ones_are_for_staff() {
    let (c, _) = thread().await;
    let app = &c.app;
    let first = open(app, &c.resident, json!({"kind": "intake"})).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!((first["kind"].as_str(), first["role"].as_str()), (Some("intake"), Some("reporter")));
    let again = open(app, &c.resident, json!({"kind": "intake", "channel": "app"})).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let wechat: Value =
        open(app, &c.resident, json!({"kind": "intake", "channel": "wechat"})).await.json().await.unwrap();
    assert_ne!(wechat["id"], first["id"]);
    let bad = open(app, &c.resident, json!({"kind": "intake", "channel": "sms"})).await;
    assert_eq!(problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "channel");

    let worker = crate::tickets::user_id(&c.grid_worker);
    let resident = crate::tickets::user_id(&c.resident);
    let refused = open(app, &c.resident, json!({"kind": "direct", "members": [worker]})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let not_staff = open(app, &c.dept_staff, json!({"kind": "direct", "members": [resident]})).await;
    assert_eq!(problem(not_staff, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "members");
    let pair = open(app, &c.dept_staff, json!({"kind": "direct", "members": [worker]})).await;
    assert_eq!(pair.status(), StatusCode::CREATED);
    let pair: Value = pair.json().await.unwrap();
    // The other side opening it finds the same conversation, and both can talk in it.
    let dept = crate::tickets::user_id(&c.dept_staff);
    let same = open(app, &c.grid_worker, json!({"kind": "direct", "members": [dept]})).await;
    assert_eq!(same.status(), StatusCode::OK);
    assert_eq!(same.json::<Value>().await.unwrap()["id"], pair["id"]);
    let conv = pair["id"].as_str().unwrap();
    text(app, &c.grid_worker, conv, "d-1", "这户明天复查").await;
    let listed = my_conversations(app, &c.dept_staff).await;
    assert_eq!(listed.iter().find(|x| x["id"] == conv).unwrap()["unread"], 1);
    let res = send(app, &c.resident, conv, json!({"client_msg_id": "d-2", "type": "text", "text": "x"})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn open(app: &TestApp, who: &Session, body: Value) -> reqwest::Response {
    app.post_json_as("/api/v1/conversations", &who.access_token, &body).await
}
