//! Bot turns per second over HTTP: 64 residents (`BENCH_CLIENTS`) at once, each walking full reports
//! through their intake conversation (description → pin → skip photos → not anonymous → confirm, and
//! "report anyway" when the bot finds a possible duplicate), against an in-process server.
//!
//! In the same run, the baseline: the database statements and key-value commands one turn needs,
//! issued directly on the same pool and store by as many tasks, walking the same cycle (the confirm
//! turn also writes a ticket's rows): the access reads, the retry lookup, the rate-limit count, the
//! inbound message's transaction, the turn lock, the session read and write, the replies'
//! transaction, the recipients read. The ratio is the price of HTTP, auth, JSON, the engine, routing
//! and the duplicate search.
//!
//! Runs on PostgreSQL + Redis when `BENCH_DATABASE_URL` (or `TEST_DATABASE_URL`) and
//! `BENCH_REDIS_URL` (or `TEST_REDIS_URL`) are set (a fresh database, dropped afterwards), otherwise
//! on SQLite and the in-process store. `BENCH_SECONDS` sets each phase's length (default 10).
//! Goal: HTTP ≥ 0.5 × baseline, p99 ≤ 30 ms.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use entity::{conversation, conversation_member, message, outbox, ticket, ticket_event};
use hazardline::{auth::Role, config::Settings, geo::demo_city::grid_center, startup::Application, state::AppState};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, QueryTrait, TransactionTrait,
};
use secrecy::SecretString;
use serde_json::{json, Value};
use uuid::Uuid;

mod common;
use common::{Figures, Target};

const CLIENTS: usize = 64;
const PASSWORD: &str = "bench password 1";

fn settings(target: &Target, media: &std::path::Path) -> Result<Settings> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut s = Settings::load_layers(&dir, "test", false)?;
    s.auth.jwt_secret = SecretString::from("bench-secret-that-is-long-enough-for-hs256!");
    s.database.url = SecretString::from(target.url.clone());
    if let Some(redis) = &target.redis {
        s.redis.url = SecretString::from(redis.clone());
    }
    s.database.max_connections = 10;
    s.server.workers = 0;
    s.log.level = "error".to_owned();
    s.media.dir = media.to_path_buf();
    // 64 people typing fast: the per-user chat limit is not what is measured.
    s.chat.messages_per_minute = 100_000;
    Ok(s)
}

struct Resident {
    id: Uuid,
    token: String,
    conversation: String,
}

async fn residents(state: &AppState, client: &reqwest::Client, base: &str, n: usize) -> Result<Vec<Resident>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let phone = format!("1370000{i:04}");
        let user = hazardline::auth::service::create_user(
            state,
            &phone,
            "居民",
            Some(SecretString::from(PASSWORD)),
            Role::Resident,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating a resident: {e}"))?;
        let body: Value = client
            .post(format!("{base}/api/v1/auth/login/password"))
            .json(&json!({"phone": phone, "password": PASSWORD}))
            .send()
            .await?
            .json()
            .await?;
        let token = body.pointer("/access_token").and_then(Value::as_str).context("no access token")?.to_owned();
        let opened: Value = client
            .post(format!("{base}/api/v1/conversations"))
            .bearer_auth(&token)
            .json(&json!({"kind": "intake"}))
            .send()
            .await?
            .json()
            .await?;
        let conversation = opened.get("id").and_then(Value::as_str).context("conversation id")?.to_owned();
        out.push(Resident { id: user.id, token, conversation });
    }
    Ok(out)
}

/// The next message of the cycle. Each report is at its own place (no two within the duplicate
/// radius), so the cycle is always the same five turns.
fn next_message(step: usize, c: usize, round: usize) -> Value {
    match step % 5 {
        0 => json!({"type": "text", "text": format!("楼道里堆放杂物，消防通道堵死了（{c}-{round}）")}),
        1 => {
            let (lng, lat) = grid_center(c % 18, 0);
            let (dlat, dlng) = ((round % 100) as f64 * 0.0009, (c / 18) as f64 * 0.0012);
            json!({"type": "location", "lat": lat + dlat, "lng": lng + dlng, "label": null})
        }
        2 => json!({"type": "text", "text": "#skip"}),
        3 => json!({"type": "text", "text": "#anon:no"}),
        _ => json!({"type": "text", "text": "#confirm"}),
    }
}

/// Every resident walks reports until `until`; each POST is one timed turn.
async fn http_phase(
    client: &reqwest::Client,
    base: &str,
    residents: &[Resident],
    phase: &str,
    until: Instant,
) -> Result<Vec<Vec<Duration>>> {
    let tasks: Vec<_> = residents
        .iter()
        .enumerate()
        .map(|(c, r)| {
            let (client, base, phase) = (client.clone(), base.to_owned(), phase.to_owned());
            let r = Resident { id: r.id, token: r.token.clone(), conversation: r.conversation.clone() };
            tokio::spawn(async move {
                let url = format!("{base}/api/v1/conversations/{}/messages", r.conversation);
                // Start the phase at the beginning of a report (untimed).
                let restart =
                    json!({"type": "text", "text": "#restart", "client_msg_id": format!("{phase}-{c}-start")});
                client.post(&url).bearer_auth(&r.token).json(&restart).send().await?.error_for_status()?;
                let mut latencies = Vec::new();
                let mut n = 0usize;
                while Instant::now() < until {
                    let mut body = next_message(n, c, n / 5 + if phase == "warm" { 60 } else { 0 });
                    if let Some(fields) = body.as_object_mut() {
                        fields.insert("client_msg_id".into(), json!(format!("{phase}-{c}-{n}")));
                    }
                    let start = Instant::now();
                    let res = client.post(&url).bearer_auth(&r.token).json(&body).send().await?;
                    let status = res.status();
                    let text = res.text().await?;
                    latencies.push(start.elapsed());
                    if status != reqwest::StatusCode::CREATED {
                        bail!("{phase}-{c}-{n}: {status} {text}");
                    }
                    n += 1;
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.push(task.await??);
    }
    Ok(all)
}

/// What a filed ticket wrote, copied from a real one (the confirm turn of the baseline writes it again).
#[derive(Clone)]
struct Sample {
    ticket: ticket::Model,
    event: ticket_event::Model,
    outbox: Vec<outbox::Model>,
}

async fn sample(db: &DatabaseConnection) -> Result<Sample> {
    let ticket = ticket::Entity::find().one(db).await?.context("a filed ticket")?;
    let event = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(ticket.id))
        .one(db)
        .await?
        .context("event")?;
    let outbox = outbox::Entity::find().filter(outbox::Column::TicketId.eq(ticket.id)).all(db).await?;
    Ok(Sample { ticket, event, outbox })
}

/// Appends `n` messages to a conversation the way chat does: bump, read back, insert.
async fn append<C: ConnectionTrait>(db: &C, conv: Uuid, sender: Option<Uuid>, n: i64, key: Option<&str>) -> Result<()> {
    conversation::Entity::update_many()
        .col_expr(conversation::Column::LastSeq, Expr::col(conversation::Column::LastSeq).add(n))
        .filter(conversation::Column::Id.eq(conv))
        .exec(db)
        .await?;
    let last: i64 = conversation::Entity::find_by_id(conv)
        .select_only()
        .column(conversation::Column::LastSeq)
        .into_tuple()
        .one(db)
        .await?
        .context("conversation")?;
    let now = Utc::now();
    let rows = (last - n + 1..=last).map(|seq| message::Model {
        id: Uuid::now_v7(),
        conversation_id: conv,
        seq,
        sender_id: sender,
        sender_role: if sender.is_some() { "reporter" } else { "bot" }.to_owned(),
        client_msg_id: key.map(str::to_owned),
        kind: "text".to_owned(),
        body: r#"{"type":"text","text":"收到"}"#.to_owned(),
        visibility: "all".to_owned(),
        recalled_at: None,
        created_at: now,
    });
    message::Entity::insert_many(rows.map(IntoActiveModel::into_active_model)).exec_without_returning(db).await?;
    Ok(())
}

/// One turn's statements and commands, issued directly.
async fn raw_turn(state: &AppState, s: &Sample, user: Uuid, conv: Uuid, key: &str, files: bool) -> Result<()> {
    let db = state.db();
    let kv = &state.backends().kv;
    // Access: the conversation, the membership, the retry lookup; the rate-limit count.
    conversation::Entity::find_by_id(conv).one(db).await?.context("conversation")?;
    conversation_member::Entity::find_by_id((conv, user)).one(db).await?;
    message::Entity::find()
        .filter(message::Column::SenderId.eq(user))
        .filter(message::Column::ClientMsgId.eq(key))
        .one(db)
        .await?;
    kv.incr(&format!("bench:rate:{user}"), Duration::from_secs(60)).await?;
    // The inbound message.
    let txn = db.begin().await?;
    append(&txn, conv, Some(user), 1, Some(key)).await?;
    txn.commit().await?;
    // The turn: lock, session, (a ticket), replies, session, unlock, recipients.
    let lock = format!("bench:lock:{conv}");
    kv.set_nx(&lock, key, Duration::from_secs(30)).await?;
    let session = kv.get(&format!("bench:session:{conv}")).await?;
    if files {
        let now = Utc::now();
        let txn = db.begin().await?;
        let mut t = s.ticket.clone();
        (t.id, t.number, t.created_at, t.updated_at, t.step_started_at) =
            (Uuid::now_v7(), format!("RAW{}", Uuid::now_v7().simple()), now, now, now);
        txn.execute(ticket::Entity::insert(t.clone().into_active_model()).build(txn.get_database_backend())).await?;
        let mut e = s.event.clone();
        (e.id, e.ticket_id, e.at) = (Uuid::now_v7(), t.id, now);
        txn.execute(ticket_event::Entity::insert(e.clone().into_active_model()).build(txn.get_database_backend()))
            .await?;
        for o in &s.outbox {
            let mut o = o.clone();
            (o.id, o.ticket_id, o.event_id, o.created_at, o.available_at) =
                (Uuid::now_v7(), Some(t.id), Some(e.id), now, now);
            txn.execute(outbox::Entity::insert(o.into_active_model()).build(txn.get_database_backend())).await?;
        }
        txn.commit().await?;
    }
    let txn = db.begin().await?;
    append(&txn, conv, None, 2, None).await?;
    txn.commit().await?;
    let value = session.unwrap_or_else(|| "{\"stage\":\"idle\"}".repeat(20));
    kv.set(&format!("bench:session:{conv}"), &value, Duration::from_secs(3600)).await?;
    kv.delete_if_eq(&lock, key).await?;
    conversation_member::Entity::find().filter(conversation_member::Column::ConversationId.eq(conv)).all(db).await?;
    Ok(())
}

async fn raw_phase(
    state: &AppState,
    s: &Sample,
    residents: &[Resident],
    phase: &str,
    until: Instant,
) -> Result<Vec<Vec<Duration>>> {
    let people: Vec<(Uuid, Uuid)> =
        residents.iter().map(|r| (r.id, r.conversation.parse().unwrap_or_default())).collect();
    let (state, s, phase) = (state.clone(), s.clone(), phase.to_owned());
    common::time_loops(people.len(), until, move |c, n| {
        let (state, s, person, key) = (state.clone(), s.clone(), people.get(c).copied(), format!("{phase}-{c}-{n}"));
        async move {
            let (user, conv) = person.context("no such client")?;
            raw_turn(&state, &s, user, conv, &key, n % 5 == 4).await
        }
    })
    .await
}

async fn bench(target: &Target, seconds: u64, clients: usize) -> Result<()> {
    let media = tempfile::tempdir()?;
    let app = Application::build(settings(target, media.path())?).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    hazardline::geo::seed::seed_city(&state, PASSWORD).await?;
    hazardline::geo::service::regions_changed(&state).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let people = residents(&state, &client, &base, clients).await?;
    let run = Duration::from_secs(seconds);
    let warm = Duration::from_secs(2);

    http_phase(&client, &base, &people, "warm", Instant::now() + warm).await?;
    let start = Instant::now();
    let before = ticket::Entity::find().count_rows(state.db()).await?;
    let http = Figures::merge(http_phase(&client, &base, &people, "http", start + run).await?, start.elapsed());
    let filed = ticket::Entity::find().count_rows(state.db()).await? - before;

    let s = sample(state.db()).await?;
    raw_phase(&state, &s, &people, "rawwarm", Instant::now() + warm).await?;
    let start = Instant::now();
    let raw = Figures::merge(raw_phase(&state, &s, &people, "raw", start + run).await?, start.elapsed());

    println!("{} ({clients} residents at once, pool of 10):", target.label);
    println!("  {}", http.line("HTTP bot turns", "turns"));
    println!("  {}", raw.line("baseline (direct)", "turns"));
    println!(
        "  ratio {:.2} of baseline (goal ≥ 0.5); p99 {:.1} ms (goal ≤ 30 ms); {filed} tickets filed in {} turns",
        http.rate() / raw.rate(),
        http.percentile(0.99),
        http.done
    );
    Ok(())
}

trait CountRows {
    async fn count_rows(self, db: &DatabaseConnection) -> Result<u64>;
}

impl CountRows for sea_orm::Select<ticket::Entity> {
    async fn count_rows(self, db: &DatabaseConnection) -> Result<u64> {
        Ok(sea_orm::PaginatorTrait::count(self, db).await?)
    }
}

fn main() -> Result<()> {
    let seconds = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let clients = std::env::var("BENCH_CLIENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(CLIENTS);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let pg = std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL"));
        let redis = std::env::var("BENCH_REDIS_URL").or_else(|_| std::env::var("TEST_REDIS_URL")).ok();
        match pg {
            Ok(admin) => {
                let label = if redis.is_some() { "PostgreSQL + Redis" } else { "PostgreSQL + in-process" };
                let mut target = Target::postgres(&admin, "hzbench", label).await?;
                target.redis = redis;
                let outcome = bench(&target, seconds, clients).await;
                target.drop_database().await?;
                outcome
            }
            Err(_) => bench(&Target::sqlite("SQLite + in-process")?, seconds, clients).await,
        }
    })
}
