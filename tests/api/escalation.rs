//! Escalation (督办): overdue tickets climb levels once each, on every instance at once, and a move
//! to the next step starts over. Time is a `ManualClock`; sweeps are called directly.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use entity::{outbox, ticket_event};
use hazardline::{clock::ManualClock, config::Settings, geo::demo_city::grid_center, tickets::escalation::sweep};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::spawn_app_with_clock,
    tickets::{act_ok, cast_in, get_ticket, report, submit, user_id, Cast},
};

const NOTICE_KINDS: [&str; 3] = ["overdue", "escalated_to_dispatcher", "escalated_to_district"];

/// The background job stays out of the way: these tests sweep by hand.
fn no_background_sweeps(s: &mut Settings) {
    s.tickets.escalation_interval_secs = 86_400;
}

async fn cast_at(clock: &ManualClock) -> Cast {
    cast_in(spawn_app_with_clock(Arc::new(clock.clone()), no_background_sweeps).await).await
}

fn id_of(ticket: &Value) -> Uuid {
    ticket["id"].as_str().unwrap().parse().unwrap()
}

fn due_of(ticket: &Value) -> DateTime<Utc> {
    ticket["due_at"].as_str().unwrap().parse().unwrap()
}

/// Moves the clock to one minute after `deadline`.
fn just_after(clock: &ManualClock, deadline: DateTime<Utc>) {
    use hazardline::clock::Clock;
    clock.advance(deadline - clock.now() + Duration::minutes(1));
}

/// The levels of the ticket's `escalate` events, oldest first.
async fn escalated_levels(c: &Cast, ticket: Uuid) -> Vec<u64> {
    ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(ticket))
        .filter(ticket_event::Column::Action.eq("escalate"))
        .order_by_asc(ticket_event::Column::Id)
        .all(c.app.state.db())
        .await
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str::<Value>(e.detail.as_deref().unwrap()).unwrap()["level"].as_u64().unwrap())
        .collect()
}

/// The ticket's escalation notices as (audience, audience id, kind), sorted.
async fn escalation_notices(c: &Cast, ticket: Uuid) -> Vec<(String, Option<Uuid>, String)> {
    let mut rows: Vec<_> = outbox::Entity::find()
        .filter(outbox::Column::TicketId.eq(ticket))
        .filter(outbox::Column::Kind.is_in(NOTICE_KINDS))
        .all(c.app.state.db())
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.audience, o.audience_id, o.kind))
        .collect();
    rows.sort();
    rows
}

fn notice(audience: &str, id: Option<Uuid>, kind: &str) -> (String, Option<Uuid>, String) {
    (audience.to_owned(), id, kind.to_owned())
}

/// The district of the ticket: the first id of its stored region path.
async fn district_of(c: &Cast, ticket: Uuid) -> Uuid {
    let row = entity::ticket::Entity::find_by_id(ticket).one(c.app.state.db()).await.unwrap().unwrap();
    row.region_path.split('/').find(|s| !s.is_empty()).unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_unaccepted_check_is_escalated_once_per_level_as_it_grows_later() {
    let clock = ManualClock::new(Utc::now());
    let c = cast_at(&clock).await;
    let app = &c.app;
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    assert_eq!(t["status"], "assigned");
    let id = id_of(&t);
    let department: Uuid = t["department_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(sweep(&app.state).await.unwrap(), 0, "not due yet");

    just_after(&clock, due_of(&t));
    assert_eq!(sweep(&app.state).await.unwrap(), 1);
    assert_eq!(sweep(&app.state).await.unwrap(), 0, "a level is reached once");
    assert_eq!(escalated_levels(&c, id).await, [1]);
    assert_eq!(escalation_notices(&c, id).await, [notice("grid_worker", Some(user_id(&c.grid_worker)), "overdue")]);
    let seen: Value = get_ticket(app, &c.dispatcher, &id.to_string()).await.json().await.unwrap();
    assert_eq!((seen["overdue"].as_bool(), seen["escalation_level"].as_str()), (Some(true), Some("remind_assignee")));
    assert_eq!(seen["version"], t["version"], "escalation does not bump the version");

    clock.advance(Duration::hours(i64::from(app.settings.tickets.escalation.dispatcher_after_hours)));
    assert_eq!(sweep(&app.state).await.unwrap(), 1);
    assert_eq!(sweep(&app.state).await.unwrap(), 0);
    assert_eq!(escalated_levels(&c, id).await, [1, 2]);
    assert_eq!(
        escalation_notices(&c, id).await,
        [
            notice("department", Some(department), "escalated_to_dispatcher"),
            notice("dispatchers", None, "escalated_to_dispatcher"),
            notice("grid_worker", Some(user_id(&c.grid_worker)), "overdue"),
        ]
    );
    let events: Value =
        app.get_as(&format!("/api/v1/tickets/{id}/events"), &c.dispatcher.access_token).await.json().await.unwrap();
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["action"], &last["actor_role"], &last["actor_id"], &last["from"], &last["to"]),
        (&json!("escalate"), &json!("system"), &Value::Null, &json!("assigned"), &json!("assigned"))
    );
    assert_eq!(last["note"], "超期未处理，已督办（第2级）");
    assert_eq!(last["detail"]["level"], 2);
    assert_eq!(last["detail"]["due_at"].as_str().map(|d| d.parse::<DateTime<Utc>>().unwrap()), Some(due_of(&t)));
    // The counter is per process (other tests escalate too), so only its presence is certain.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(r#"ticket_escalations_total{level="2"}"#), "{metrics}");
}

#[tokio::test]
async fn accepting_an_overdue_check_starts_the_next_step_unescalated() {
    let clock = ManualClock::new(Utc::now());
    let c = cast_at(&clock).await;
    let app = &c.app;
    let t = submit(app, &c.resident, &report("fire", grid_center(0, 0), &[])).await["ticket"].clone();
    just_after(&clock, due_of(&t));
    assert_eq!(sweep(&app.state).await.unwrap(), 1);

    // The version read before the escalation is still current: the job never races staff.
    let moved = act_ok(app, &c.grid_worker, &t, json!({"action": "accept"})).await;

    assert_eq!(moved["status"], "verifying");
    assert_eq!((moved["overdue"].as_bool(), moved["escalation_level"].as_str()), (Some(false), Some("none")));
    use hazardline::clock::Clock;
    assert!(due_of(&moved) > clock.now(), "the new step has a fresh deadline");
    assert_eq!(sweep(&app.state).await.unwrap(), 0);
    assert_eq!(escalated_levels(&c, id_of(&t)).await, [1]);
}

#[tokio::test]
async fn two_instances_sweeping_together_escalate_each_ticket_exactly_once_per_level() {
    let clock = ManualClock::new(Utc::now());
    let c = cast_at(&clock).await;
    let app = &c.app;
    let other = app.another_instance(Arc::new(clock.clone())).await;
    let mut tickets = Vec::new();
    for i in 0..30 {
        let t = submit(app, &c.resident, &report("fire", grid_center(i % 3, 0), &[])).await["ticket"].clone();
        tickets.push(t);
    }
    let latest = tickets.iter().map(due_of).max().unwrap();

    just_after(&clock, latest);
    let mut escalated = 0;
    for _ in 0..3 {
        let (a, b) = tokio::join!(sweep(&app.state), sweep(&other));
        escalated += a.unwrap() + b.unwrap();
    }
    assert_eq!(escalated, tickets.len());

    // Past the district threshold at once (the job was down): one event, the notices of each level.
    let e = &app.settings.tickets.escalation;
    clock.advance(Duration::hours(i64::from(e.dispatcher_after_hours + e.district_after_hours)));
    let mut escalated = 0;
    for _ in 0..3 {
        let (a, b) = tokio::join!(sweep(&other), sweep(&app.state));
        escalated += a.unwrap() + b.unwrap();
    }
    assert_eq!(escalated, tickets.len());

    for t in &tickets {
        let id = id_of(t);
        assert_eq!(escalated_levels(&c, id).await, [1, 3], "ticket {id}");
        let department = t["department_id"].as_str().unwrap().parse().ok();
        let worker = t["grid_worker_id"].as_str().unwrap().parse().ok();
        let mut expected = vec![
            notice("grid_worker", worker, "overdue"),
            notice("dispatchers", None, "escalated_to_dispatcher"),
            notice("department", department, "escalated_to_dispatcher"),
            notice("district_office", Some(district_of(&c, id).await), "escalated_to_district"),
            notice("dispatchers", None, "escalated_to_district"),
        ];
        expected.sort();
        assert_eq!(escalation_notices(&c, id).await, expected, "ticket {id}");
    }
}
