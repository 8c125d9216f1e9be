//! Delivering the ticket outbox: system messages in the ticket's thread (resident words for the
//! reporter, staff words for staff), exactly once across instances, backoff and dead letters for
//! failing channels, and the preferences that hold pushes back. The worker is driven by hand.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, SubsecRound, TimeDelta, Utc};
use entity::{conversation, message, outbox};
use hazardline::{
    chat::{dto::ServerEvent, service::Envelope},
    clock::{Clock, ManualClock, SystemClock},
    geo::demo_city::grid_center,
    notifications::{
        channel::{Channel, DeliveryError},
        prefs::TimeOfDay,
        worker::deliver_due,
        Notice,
    },
    state::AppState,
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{problem, spawn_app_with_clock, Session, TestApp},
    tickets::{act_ok, cast, cast_in, make_staff_of, report, submit, upload_photo, user_id, Cast},
};

/// Every push a channel was asked for, as (user, kind, text); fails retryably when `failing`.
#[derive(Default)]
struct Recorder {
    pushes: Mutex<Vec<(Uuid, String, String)>>,
    failing: bool,
}

#[async_trait]
impl Channel for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    async fn deliver(&self, user: Uuid, notice: &Notice) -> Result<(), DeliveryError> {
        let kind = serde_json::to_value(notice.kind).unwrap().as_str().unwrap().to_owned();
        self.pushes.lock().unwrap().push((user, kind, notice.text.clone()));
        if self.failing {
            Err(DeliveryError::Retryable("gateway timeout".into()))
        } else {
            Ok(())
        }
    }
}

impl Recorder {
    fn kinds_for(&self, user: Uuid) -> Vec<String> {
        self.pushes.lock().unwrap().iter().filter(|(u, _, _)| *u == user).map(|(_, k, _)| k.clone()).collect()
    }
}

/// Runs the worker until a pass finds nothing; returns the rows handled.
async fn drain(state: &AppState) -> usize {
    let mut total = 0;
    loop {
        let n = deliver_due(state).await.unwrap();
        if n == 0 {
            return total;
        }
        total += n;
    }
}

async fn thread_of(app: &TestApp, ticket: &str) -> Uuid {
    let id: Uuid = ticket.parse().unwrap();
    conversation::Entity::find()
        .filter(conversation::Column::TicketId.eq(id))
        .one(app.state.db())
        .await
        .unwrap()
        .expect("the ticket has a thread")
        .id
}

/// The thread's messages as `who` sees them, oldest first.
async fn messages(app: &TestApp, who: &Session, conv: Uuid) -> Vec<Value> {
    let res = app.get_as(&format!("/api/v1/conversations/{conv}/messages?limit=200"), &who.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["items"].as_array().unwrap().clone()
}

fn texts(items: &[Value]) -> Vec<String> {
    items.iter().map(|m| m["content"]["text"].as_str().unwrap_or_default().to_owned()).collect()
}

fn near(center: (f64, f64)) -> Value {
    json!({"lat": center.1, "lng": center.0, "coord_system": "gcj02"})
}

/// Report → accept → confirm → department accepts → complete → pass, as in the tickets journey.
async fn journey(c: &Cast) -> Value {
    let app = &c.app;
    let place = grid_center(0, 0);
    let t = submit(app, &c.resident, &report("fire", place, &[])).await["ticket"].clone();
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;
    let t = act_ok(app, &c.grid_worker, &t, json!({"action": "accept"})).await;
    let on_site = upload_photo(app, &c.grid_worker, 2).await;
    let confirm = json!({"action": "confirm", "level": "general", "evidence": [on_site], "position": near(place)});
    let t = act_ok(app, &c.grid_worker, &t, confirm).await;
    let deadline = (Utc::now() + Duration::days(10)).to_rfc3339();
    let accept = json!({"action": "accept", "rectification": {"plan": "清理楼道杂物", "deadline": deadline}});
    let t = act_ok(app, &c.dept_staff, &t, accept).await;
    let fixed = upload_photo(app, &c.dept_staff, 3).await;
    let t = act_ok(app, &c.dept_staff, &t, json!({"action": "complete", "evidence": [fixed]})).await;
    act_ok(app, &c.grid_worker, &t, json!({"action": "pass", "media": [], "position": near(place)})).await
}

/// The notice rows (every ticket event also has a `webhook` row, which only fans out to webhooks).
async fn outbox_rows(state: &AppState) -> Vec<outbox::Model> {
    outbox::Entity::find().filter(outbox::Column::Audience.ne("webhook")).all(state.db()).await.unwrap()
}

/// How many `webhook` rows (one per ticket event) the worker also handles.
async fn webhook_rows(state: &AppState) -> usize {
    outbox::Entity::find().filter(outbox::Column::Audience.eq("webhook")).all(state.db()).await.unwrap().len()
}

/// System messages written for outbox rows, by row id.
async fn row_messages(state: &AppState) -> Vec<message::Model> {
    message::Entity::find().filter(message::Column::ClientMsgId.starts_with("outbox:")).all(state.db()).await.unwrap()
}

#[tokio::test]
async fn after_a_journey_the_reporter_reads_each_step_in_plain_words_and_staff_read_their_notices() {
    let c = cast().await;
    let app = &c.app;
    let t = journey(&c).await;
    let number = t["number"].as_str().unwrap();
    let mut events = app.state.backends().bus.subscribe(hazardline::chat::service::TOPIC).await.unwrap();

    let handled = drain(&app.state).await;

    let rows = outbox_rows(&app.state).await;
    assert_eq!(handled, rows.len() + webhook_rows(&app.state).await);
    assert!(rows.iter().all(|r| r.delivered_at.is_some() && r.dead_at.is_none() && r.attempts == 1));
    let conv = thread_of(app, t["id"].as_str().unwrap()).await;
    let mine = messages(app, &c.resident, conv).await;
    assert!(mine.iter().all(|m| m["sender_role"] == "system" && m["visibility"] == "all"), "{mine:#?}");
    let said = texts(&mine);
    let steps = ["已受理", "正在核实", "确实存在", "正在整改", "已整改完成", "已办结"];
    assert_eq!(said.len(), steps.len(), "{said:#?}");
    for (text, step) in said.iter().zip(steps) {
        assert!(text.contains(step) && text.contains(number), "{text} should say {step}");
        assert!(!text.contains('【') && !text.contains("签收") && !text.contains("部门"), "staff words: {text}");
    }
    assert!(said[0].starts_with(&format!("您上报的隐患已受理，编号{number}。已派给网格员，将于")), "{}", said[0]);
    assert!(mine.iter().all(|m| m["content"]["ticket_id"] == t["id"]));
    assert_eq!(mine.last().unwrap()["content"]["status"], "closed");

    let staff = messages(app, &c.dept_staff, conv).await;
    let internal: Vec<String> =
        texts(&staff.iter().filter(|m| m["visibility"] == "staff").cloned().collect::<Vec<_>>());
    assert!(internal.iter().any(|t| t.starts_with("【待签收】")), "{internal:#?}");
    assert!(internal.iter().any(|t| t.starts_with("【待部门签收】")), "{internal:#?}");
    assert!(internal.iter().any(|t| t.starts_with("【待验收】")), "{internal:#?}");
    assert_eq!(staff.len(), mine.len() + internal.len(), "staff see the residents' messages too");

    // The reporter's client was told of each status over the WebSocket fan-out, last `closed`.
    let mut statuses = Vec::new();
    while statuses.last().map(String::as_str) != Some("已办结") {
        let payload = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv()).await.unwrap().unwrap();
        let envelope: Envelope = serde_json::from_str(&payload).unwrap();
        if let ServerEvent::TicketStatus { status_label, .. } = envelope.event {
            assert_eq!(envelope.recipients, [user_id(&c.resident)]);
            statuses.push(status_label);
        }
    }
    assert_eq!(statuses, ["已派单", "核实中", "已确认", "整改中", "待验收", "已办结"]);

    // Idempotent: another pass finds nothing and writes nothing.
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
    assert_eq!(messages(app, &c.dept_staff, conv).await.len(), staff.len());
}

#[tokio::test]
async fn two_instances_delivering_at_once_write_each_row_exactly_once() {
    let c = cast().await;
    let app = &c.app;
    let other = app.another_instance(Arc::new(SystemClock)).await;
    for i in 0..12 {
        let body = report("fire", grid_center(i % 3, i % 4), &[]);
        submit(app, &c.resident, &body).await;
    }
    let rows = outbox_rows(&app.state).await;
    assert!(rows.len() >= 24, "a receipt and a task per report");

    let mut handled = 0;
    loop {
        let (a, b) = tokio::join!(deliver_due(&app.state), deliver_due(&other));
        let (a, b) = (a.unwrap(), b.unwrap());
        if a + b == 0 {
            break;
        }
        handled += a + b;
    }

    assert_eq!(handled, rows.len() + webhook_rows(&app.state).await, "each row handled by one instance");
    let rows = outbox_rows(&app.state).await;
    assert!(rows.iter().all(|r| r.delivered_at.is_some() && r.attempts == 1), "every row delivered once");
    let written = row_messages(&app.state).await;
    let messaged = rows.iter().filter(|r| r.audience != "followers").count();
    assert_eq!(written.len(), messaged, "one system message per row");
    let mut keys: Vec<_> = written.iter().filter_map(|m| m.client_msg_id.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), messaged);
    // Sequences in each thread have no gaps or repeats.
    for conv in conversation::Entity::find().all(app.state.db()).await.unwrap() {
        let mut seqs: Vec<i64> = message::Entity::find()
            .filter(message::Column::ConversationId.eq(conv.id))
            .all(app.state.db())
            .await
            .unwrap()
            .iter()
            .map(|m| m.seq)
            .collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=conv.last_seq).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn a_failing_channel_backs_off_then_dead_letters_and_the_thread_keeps_one_message() {
    // Whole milliseconds, as PostgreSQL keeps them.
    let clock = ManualClock::new(Utc::now().trunc_subsecs(3));
    let app = spawn_app_with_clock(Arc::new(clock.clone()), |s| s.notifications.max_attempts = 3).await;
    let c = cast_in(app).await;
    let app = &c.app;
    let channel = Arc::new(Recorder { failing: true, ..Recorder::default() });
    app.state.channels().register(channel.clone());
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let rows = outbox_rows(&app.state).await.len();
    let base = app.settings.notifications.backoff_base_secs as i64;

    assert_eq!(deliver_due(&app.state).await.unwrap(), rows + webhook_rows(&app.state).await);
    let after_first = outbox_rows(&app.state).await;
    for r in &after_first {
        assert_eq!((r.attempts, r.delivered_at, r.dead_at), (1, None, None));
        assert_eq!(r.available_at, clock.now() + TimeDelta::seconds(base));
        assert_eq!(r.last_error.as_deref(), Some("recorder: gateway timeout"));
    }
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0, "not due again yet");

    clock.advance(TimeDelta::seconds(base));
    assert_eq!(deliver_due(&app.state).await.unwrap(), rows);
    assert!(outbox_rows(&app.state)
        .await
        .iter()
        .all(|r| r.attempts == 2 && r.available_at == clock.now() + TimeDelta::seconds(2 * base)));
    clock.advance(TimeDelta::seconds(2 * base));
    assert_eq!(deliver_due(&app.state).await.unwrap(), rows);

    let dead = outbox_rows(&app.state).await;
    assert!(dead.iter().all(|r| r.attempts == 3 && r.dead_at == Some(clock.now()) && r.delivered_at.is_none()));
    clock.advance(TimeDelta::days(1));
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0, "dead letters stay dead");
    assert_eq!(channel.kinds_for(user_id(&c.resident)), ["received"; 3], "one push per attempt");
    // History is never lost, nor doubled by retries.
    assert_eq!(row_messages(&app.state).await.len(), rows);
    let conv = thread_of(app, t["id"].as_str().unwrap()).await;
    assert_eq!(messages(app, &c.resident, conv).await.len(), 1);
}

async fn put_prefs(app: &TestApp, who: &Session, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url("/api/v1/me/notification-preferences"))
        .bearer_auth(&who.access_token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get_prefs(app: &TestApp, who: &Session) -> Value {
    let res = app.get_as("/api/v1/me/notification-preferences", &who.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn preferences_round_trip_and_a_bad_time_is_refused() {
    let c = cast().await;
    let app = &c.app;
    assert_eq!(get_prefs(app, &c.resident).await, json!({"muted": [], "quiet_hours": null}));

    let wanted =
        json!({"muted": ["reply", "reply", "status_changed"], "quiet_hours": {"start": "22:00", "end": "07:00"}});
    let res = put_prefs(app, &c.resident, &wanted).await;
    assert_eq!(res.status(), StatusCode::OK);
    let stored = json!({"muted": ["reply", "status_changed"], "quiet_hours": {"start": "22:00", "end": "07:00"}});
    assert_eq!(res.json::<Value>().await.unwrap(), stored);
    assert_eq!(get_prefs(app, &c.resident).await, stored);
    assert_eq!(get_prefs(app, &c.grid_worker).await["muted"], json!([]), "per user");

    let bad = json!({"muted": [], "quiet_hours": {"start": "25:00", "end": "7:00"}});
    let body = problem(put_prefs(app, &c.resident, &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["code"], "validation_failed");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["quiet_hours.start", "quiet_hours.end"]);
    assert_eq!(get_prefs(app, &c.resident).await, stored, "unchanged");

    let res = put_prefs(app, &c.resident, &json!({"muted": [], "quiet_hours": null})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(get_prefs(app, &c.resident).await, json!({"muted": [], "quiet_hours": null}));
    let res = app.get("/api/v1/me/notification-preferences").await;
    problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn quiet_hours_hold_a_normal_push_but_not_an_emergency_and_muted_kinds_stay_in_the_thread() {
    let c = cast().await;
    let app = &c.app;
    let channel = Arc::new(Recorder::default());
    app.state.channels().register(channel.clone());
    // Quiet from an hour ago to an hour from now (China time).
    let now = Utc::now();
    let quiet = json!({
        "start": TimeOfDay::in_china(now - TimeDelta::hours(1)).to_string(),
        "end": TimeOfDay::in_china(now + TimeDelta::hours(1)).to_string(),
    });
    assert_eq!(put_prefs(app, &c.resident, &json!({"quiet_hours": quiet})).await.status(), StatusCode::OK);
    assert_eq!(put_prefs(app, &c.grid_worker, &json!({"muted": ["task_assigned"]})).await.status(), StatusCode::OK);
    let (resident, worker) = (user_id(&c.resident), user_id(&c.grid_worker));

    let normal = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    drain(&app.state).await;
    assert!(channel.kinds_for(resident).is_empty(), "held during quiet hours");
    assert!(channel.kinds_for(worker).is_empty(), "muted");
    let conv = thread_of(app, normal["id"].as_str().unwrap()).await;
    assert_eq!(messages(app, &c.resident, conv).await.len(), 1, "the receipt is in the thread all the same");
    let staff = messages(app, &c.grid_worker, conv).await;
    assert!(texts(&staff).iter().any(|t| t.starts_with("【待签收】")), "the muted task is in the thread");

    make_staff_of(app, &c.dept_staff, &normal["department_id"]).await;
    assert_eq!(put_prefs(app, &c.dept_staff, &json!({"muted": ["emergency"]})).await.status(), StatusCode::OK);
    let mut body = report("fire", grid_center(0, 0), &[]);
    body["urgency"] = json!("emergency");
    submit(app, &c.resident, &body).await;
    drain(&app.state).await;
    assert_eq!(channel.kinds_for(resident), ["received"], "an emergency goes through quiet hours");
    assert_eq!(channel.kinds_for(user_id(&c.dept_staff)), ["emergency"], "an emergency alert cannot be muted");
    assert!(channel.kinds_for(worker).is_empty(), "their task notices stay muted, emergency or not");
}

#[tokio::test]
async fn a_row_of_an_unknown_kind_is_dead_lettered_at_once_and_does_not_hold_up_the_rest() {
    let c = cast().await;
    let app = &c.app;
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let ticket: Uuid = t["id"].as_str().unwrap().parse().unwrap();
    let now = app.state.clock().now();
    let odd = hazardline::tickets::store::outbox_row(
        ticket,
        None,
        hazardline::tickets::workflow::Audience::Reporter,
        "from_a_newer_version",
        &json!({}),
        now,
    );
    outbox::Entity::insert(odd).exec_without_returning(app.state.db()).await.unwrap();

    drain(&app.state).await;

    let rows = outbox_rows(&app.state).await;
    let (dead, delivered): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.kind == "from_a_newer_version");
    assert_eq!(
        dead[0].dead_at.map(|_| dead[0].last_error.clone()),
        Some(Some("unknown kind `from_a_newer_version`".into()))
    );
    assert!(delivered.iter().all(|r| r.delivered_at.is_some()));
}

#[tokio::test]
async fn followers_read_the_reporters_message_in_the_thread_and_get_their_own_push() {
    let c = cast().await;
    let app = &c.app;
    let channel = Arc::new(Recorder::default());
    app.state.channels().register(channel.clone());
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    let id = t["id"].as_str().unwrap();
    make_staff_of(app, &c.dept_staff, &t["department_id"]).await;
    let neighbour = app.resident("13800000002").await;
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/follow"), &neighbour.access_token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);

    act_ok(app, &c.grid_worker, &t, json!({"action": "accept"})).await;
    let reply = json!({"body": "已安排人员前往核查"});
    let res = app.post_json_as(&format!("/api/v1/tickets/{id}/comments"), &c.dept_staff.access_token, &reply).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    drain(&app.state).await;

    let conv = thread_of(app, id).await;
    let said = texts(&messages(app, &c.resident, conv).await);
    assert_eq!(said.len(), 3, "one message per event, not one per audience: {said:#?}");
    assert!(said[1].contains("正在核实"), "{said:#?}");
    assert!(said[2].ends_with("：已安排人员前往核查"), "{said:#?}");
    assert_eq!(texts(&messages(app, &neighbour, conv).await), said, "followers read the same thread");
    assert_eq!(channel.kinds_for(user_id(&c.resident)), ["received", "status_changed", "reply"]);
    assert_eq!(channel.kinds_for(user_id(&neighbour)), ["status_changed", "reply"]);
    let pushed = channel.pushes.lock().unwrap().clone();
    let theirs = pushed.iter().find(|(u, k, _)| *u == user_id(&neighbour) && k == "status_changed").unwrap();
    assert!(theirs.2.starts_with("您关注的隐患"), "{}", theirs.2);
}
