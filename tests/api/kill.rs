//! Crash safety of reporting: the real binary is SIGKILLed while clients submit tickets with
//! `Idempotency-Key`s, restarted on the same database, and every key is retried. Nothing
//! acknowledged is lost, nothing is created twice, and no ticket lacks its event or outbox rows.

use std::{
    collections::{HashMap, HashSet},
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use entity::{idempotency_key, message, outbox, ticket, ticket_event};
use futures_util::future::join_all;
use hazardline::{geo::demo_city::grid_center, seed::DEMO_PASSWORD};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use tokio::sync::{oneshot, Notify};
use uuid::Uuid;

use crate::{
    helpers::{config_dir, DbGuard, TEST_JWT_SECRET},
    tickets::report,
};

const CLIENTS: usize = 8;
/// Acknowledged reports before the kill.
const BEFORE_KILL: usize = 40;

/// The running binary; killed (SIGKILL) when dropped, so a failing test leaves no server behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `hazardline serve` with the demo data and returns once it has seeded and answers `/readyz`.
async fn start(db_url: &str, media: &std::path::Path, port: u16, redis_prefix: &str) -> Server {
    start_with(db_url, media, port, redis_prefix, &[]).await
}

/// As [`start`], with more environment (settings overrides such as `HAZARDLINE__NOTIFICATIONS__ENABLED`).
async fn start_with(
    db_url: &str,
    media: &std::path::Path,
    port: u16,
    redis_prefix: &str,
    env: &[(&str, &str)],
) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hazardline"));
    cmd.envs(env.iter().copied());
    cmd.env("HAZARDLINE_ENV", "test")
        .env("HAZARDLINE_CONFIG_DIR", config_dir())
        .env("HAZARDLINE__DATABASE__URL", db_url)
        .env("HAZARDLINE__AUTH__JWT_SECRET", TEST_JWT_SECRET)
        .env("HAZARDLINE__SERVER__PORT", port.to_string())
        .env("HAZARDLINE__APP__SEED_DEMO", "true")
        .env("HAZARDLINE__MEDIA__DIR", media)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) => cmd.env("HAZARDLINE__REDIS__URL", url).env("HAZARDLINE__REDIS__KEY_PREFIX", redis_prefix),
        Err(_) => cmd.env_remove("HAZARDLINE__REDIS__URL"),
    };
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    // `main` prints the listening line after seeding; keep draining so logging never blocks on the pipe.
    let (tx, rx) = oneshot::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("hazardline listening on ") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(());
                }
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(60), rx).await.expect("server started in time").expect("server is up");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let res = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
        if res.is_ok_and(|r| r.status() == StatusCode::OK) {
            return server;
        }
        assert!(Instant::now() < deadline, "/readyz did not answer 200");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn log_in(client: &reqwest::Client, base: &str) -> String {
    let body = serde_json::json!({"phone": "13900000005", "password": DEMO_PASSWORD});
    let res = client.post(format!("{base}/api/v1/auth/login/password")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

fn body_for(key: &str, n: usize) -> Value {
    let mut body = report("fire", grid_center(n % 18, n % 4), &[]);
    body["description"] = format!("消防通道被堵（{key}）").into();
    body
}

/// Sends one report; `Ok` with the ticket id and whether it was a replay, `Err` when no answer came.
async fn send(client: &reqwest::Client, base: &str, token: &str, key: &str, n: usize) -> Result<(Uuid, bool), String> {
    let res = client
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body_for(key, n))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let replayed = res.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let body: Value = res.json().await.map_err(|e| e.to_string())?;
    assert_eq!(status, StatusCode::CREATED, "{key}: {body}");
    Ok((body["ticket"]["id"].as_str().unwrap().parse().unwrap(), replayed))
}

#[tokio::test]
async fn reports_survive_a_sigkill_and_retries_create_nothing_twice() {
    let db = DbGuard::fresh().await;
    let media = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let prefix = format!("hzkill:{}:", Uuid::new_v4().simple());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    let mut server = start(&db.url, media.path(), port, &prefix).await;
    let token = log_in(&client, &base).await;
    let acked: Arc<Mutex<HashMap<String, Uuid>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    // Each client reports until a request gets no answer; that key is its one unacknowledged report.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            let (acked, count, enough) = (acked.clone(), count.clone(), enough.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let key = format!("kill-{c}-{n}");
                    match send(&client, &base, &token, &key, c * 1000 + n).await {
                        Ok((id, replayed)) => {
                            assert!(!replayed, "{key} is new");
                            acked.lock().unwrap().insert(key, id);
                            if count.fetch_add(1, Ordering::SeqCst) + 1 == BEFORE_KILL {
                                enough.notify_one();
                            }
                        }
                        Err(_) => return (key, c * 1000 + n),
                    }
                }
                unreachable!()
            })
        })
        .collect();
    enough.notified().await;
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let unacked: Vec<(String, usize)> = join_all(clients).await.into_iter().map(|r| r.unwrap()).collect();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= BEFORE_KILL);
    assert_eq!(unacked.len(), CLIENTS);

    let _server = start(&db.url, media.path(), port, &prefix).await;
    let mut ids: HashMap<String, Uuid> = acked.clone();
    let mut committed_before_kill = 0;
    for (key, n) in &unacked {
        let (id, replayed) = send(&client, &base, &token, key, *n).await.unwrap();
        committed_before_kill += usize::from(replayed);
        ids.insert(key.clone(), id);
    }
    eprintln!(
        "{} acknowledged before the kill; of {CLIENTS} unanswered, {committed_before_kill} had been committed",
        acked.len()
    );
    // A sample of the acknowledged ones replays the same ticket.
    for (key, id) in acked.iter().step_by(5) {
        let n: Vec<usize> = key.trim_start_matches("kill-").split('-').map(|p| p.parse().unwrap()).collect();
        let (again, replayed) = send(&client, &base, &token, key, n[0] * 1000 + n[1]).await.unwrap();
        assert_eq!((again, replayed), (*id, true), "{key}");
    }

    let conn = Database::connect(&db.url).await.unwrap();
    let tickets = ticket::Entity::find().all(&conn).await.unwrap();
    let stored: HashSet<Uuid> = tickets.iter().map(|t| t.id).collect();
    let answered: HashSet<Uuid> = ids.values().copied().collect();
    assert_eq!(answered.len(), ids.len(), "two keys share a ticket");
    assert_eq!(tickets.len(), ids.len(), "one ticket per key that got a 201");
    assert_eq!(stored, answered);
    let events =
        ticket_event::Entity::find().filter(ticket_event::Column::Action.eq("submit")).all(&conn).await.unwrap();
    let outbox = outbox::Entity::find().all(&conn).await.unwrap();
    for t in &tickets {
        let submitted: Vec<_> = events.iter().filter(|e| e.ticket_id == t.id).collect();
        assert_eq!(submitted.len(), 1, "ticket {} has {} submit events", t.number, submitted.len());
        let notices = outbox.iter().filter(|o| o.ticket_id == Some(t.id) && o.event_id == Some(submitted[0].id));
        assert!(notices.count() >= 1, "ticket {} has no outbox rows", t.number);
    }
    let keys = idempotency_key::Entity::find().all(&conn).await.unwrap();
    assert_eq!(keys.len(), ids.len());
    assert!(keys.iter().all(|k| k.response_status == Some(201)), "a key was left claimed without an answer");
    conn.close().await.unwrap();
}

#[tokio::test]
async fn outbox_rows_left_at_a_sigkill_are_delivered_exactly_once_after_restart() {
    let db = DbGuard::fresh().await;
    let media = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let prefix = format!("hzkill:{}:", Uuid::new_v4().simple());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    // Reports are written with their outbox rows while no worker runs, then the server dies.
    let mut server =
        start_with(&db.url, media.path(), port, &prefix, &[("HAZARDLINE__NOTIFICATIONS__ENABLED", "false")]).await;
    let token = log_in(&client, &base).await;
    for n in 0..10 {
        send(&client, &base, &token, &format!("outbox-{n}"), n).await.unwrap();
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let conn = Database::connect(&db.url).await.unwrap();
    let left = outbox::Entity::find().all(&conn).await.unwrap();
    assert!(left.len() >= 20, "a receipt and a task per report");
    assert!(left.iter().all(|r| r.delivered_at.is_none()), "nothing delivered before the kill");

    let _server = start_with(
        &db.url,
        media.path(),
        port,
        &prefix,
        &[("HAZARDLINE__NOTIFICATIONS__ENABLED", "true"), ("HAZARDLINE__NOTIFICATIONS__POLL_INTERVAL_MS", "50")],
    )
    .await;
    // Poll the database until the worker is done, with a deadline.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending = outbox::Entity::find().filter(outbox::Column::DeliveredAt.is_null()).count(&conn).await.unwrap();
        if pending == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{pending} outbox rows still undelivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let rows = outbox::Entity::find().all(&conn).await.unwrap();
    assert_eq!(rows.len(), left.len(), "the restart wrote no new rows");
    let written =
        message::Entity::find().filter(message::Column::ClientMsgId.starts_with("outbox:")).all(&conn).await.unwrap();
    for r in &rows {
        assert!(r.dead_at.is_none() && r.attempts == 1, "row {} took {} attempts", r.id, r.attempts);
        let key = format!("outbox:{}", r.id);
        let n = written.iter().filter(|m| m.client_msg_id.as_deref() == Some(key.as_str())).count();
        let expected = usize::from(r.audience != "followers" && r.audience != "webhook");
        assert_eq!(n, expected, "row {} ({} {}) has {n} messages", r.id, r.audience, r.kind);
    }
    assert!(written.iter().all(|m| m.sender_role == "system" && m.kind == "system"));
    conn.close().await.unwrap();
}
