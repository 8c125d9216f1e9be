//! Ticket submissions per second over HTTP, 32 clients at once (`BENCH_CLIENTS`), against an in-process server
//! (`Application::build`), compared in the same run with the raw cost of the rows a submission
//! writes: the same statements (idempotency claim, counter upsert, ticket, event and outbox
//! inserts, idempotency completion) in one transaction, executed directly on the same pool by 32
//! tasks — no HTTP, no auth, no routing, no reads, no JSON.
//!
//! Runs on a fresh SQLite file, then on a fresh PostgreSQL database when `BENCH_DATABASE_URL` (or
//! `TEST_DATABASE_URL`) names a server (the database is created and dropped). `BENCH_SECONDS` sets
//! each measured phase's length (default 10). Goal: HTTP ≥ 0.5 × raw, p99 ≤ 50 ms.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use entity::{outbox, ticket, ticket_event};
use hazardline::{auth::Role, config::Settings, geo::demo_city::grid_center, startup::Application, state::AppState};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, QueryTrait,
    Statement, TransactionTrait,
};
use secrecy::SecretString;
use serde_json::{json, Value};
use uuid::Uuid;

mod common;
use common::{Figures, Target};

/// Concurrent clients (and raw-SQL tasks) unless `BENCH_CLIENTS` says otherwise.
const CLIENTS: usize = 32;
const PASSWORD: &str = "bench password 1";

/// splitmix64, so runs spread reports over the same places.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn settings(target: &Target, media: &std::path::Path) -> Result<Settings> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut s = Settings::load_layers(&dir, "test", false)?;
    s.auth.jwt_secret = SecretString::from("bench-secret-that-is-long-enough-for-hs256!");
    s.database.url = SecretString::from(target.url.clone());
    // The production defaults for the pool and the workers, not the test overlay's small ones.
    s.database.max_connections = 10;
    s.server.workers = 0;
    s.log.level = "error".to_owned();
    s.media.dir = media.to_path_buf();
    Ok(s)
}

fn report(rng: &mut Rng, key: &str) -> Value {
    let community = usize::try_from(rng.next() % 18).unwrap_or(0);
    let grid = usize::try_from(rng.next() % 3).unwrap_or(0);
    let (lng, lat) = grid_center(community, grid);
    json!({
        "category": "fire",
        "description": format!("楼道堆放杂物，堵塞消防通道（{key}）"),
        "location": {"lat": lat + (rng.unit() - 0.5) * 0.002, "lng": lng + (rng.unit() - 0.5) * 0.002, "coord_system": "gcj02"},
        "address": "青川市幸福路12号",
    })
}

/// Logs in `n` residents, created directly, and returns their ids and access tokens.
async fn residents(
    state: &AppState,
    client: &reqwest::Client,
    base: &str,
    n: usize,
) -> Result<(Vec<Uuid>, Vec<String>)> {
    let (mut ids, mut tokens) = (Vec::with_capacity(n), Vec::with_capacity(n));
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
        ids.push(user.id);
        let res = client
            .post(format!("{base}/api/v1/auth/login/password"))
            .json(&json!({"phone": phone, "password": PASSWORD}))
            .send()
            .await?;
        let body: Value = res.json().await?;
        tokens.push(body.pointer("/access_token").and_then(Value::as_str).context("no access token")?.to_owned());
    }
    Ok((ids, tokens))
}

/// The clients submit with fresh `Idempotency-Key`s until `until`; returns the last response body.
async fn submit_phase(
    client: &reqwest::Client,
    base: &str,
    tokens: &[String],
    phase: &str,
    until: Instant,
) -> Result<(Vec<Vec<Duration>>, String)> {
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(c, token)| {
            let (client, url, token, phase) =
                (client.clone(), format!("{base}/api/v1/tickets"), token.clone(), phase.to_owned());
            tokio::spawn(async move {
                let mut rng = Rng(c as u64 + 1);
                let (mut latencies, mut last) = (Vec::new(), String::new());
                let mut n = 0;
                while Instant::now() < until {
                    let key = format!("{phase}-{c}-{n}");
                    let body = report(&mut rng, &key);
                    let start = Instant::now();
                    let res = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("Idempotency-Key", &key)
                        .json(&body)
                        .send()
                        .await?;
                    let status = res.status();
                    last = res.text().await?;
                    latencies.push(start.elapsed());
                    if status != reqwest::StatusCode::CREATED {
                        bail!("{key}: {status} {last}");
                    }
                    n += 1;
                }
                Ok::<_, anyhow::Error>((latencies, last))
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut last = String::new();
    for task in tasks {
        let (latencies, body) = task.await??;
        all.push(latencies);
        last = body;
    }
    Ok((all, last))
}

/// `?` placeholders as the backend wants them.
fn sql(backend: DbBackend, text: &str, values: Vec<sea_orm::Value>) -> Statement {
    let text = match backend {
        DbBackend::Postgres => {
            let mut n = 0;
            text.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => text.to_owned(),
    };
    Statement::from_sql_and_values(backend, text, values)
}

const CLAIM: &str = "INSERT INTO idempotency_key (user_id, \"key\", request_hash, response_status, response_body, \
                     created_at, completed_at) VALUES (?, ?, ?, NULL, NULL, ?, NULL) ON CONFLICT (user_id, \"key\") DO NOTHING";
const COUNTER: &str = "INSERT INTO ticket_counter (day, last) VALUES (?, 1) ON CONFLICT (day) \
                       DO UPDATE SET last = ticket_counter.last + 1 RETURNING last";
const COMPLETE: &str = "UPDATE idempotency_key SET response_status = ?, response_body = ?, completed_at = ? \
                        WHERE user_id = ? AND \"key\" = ?";

/// What one submission wrote, copied from a real one: the rows the raw phase writes again.
#[derive(Clone)]
struct Sample {
    ticket: ticket::Model,
    event: ticket_event::Model,
    outbox: Vec<outbox::Model>,
    body: String,
}

async fn sample(db: &DatabaseConnection, body: String) -> Result<Sample> {
    let id: Uuid = serde_json::from_str::<Value>(&body)?
        .pointer("/ticket/id")
        .and_then(Value::as_str)
        .context("ticket id")?
        .parse()?;
    let ticket = ticket::Entity::find_by_id(id).one(db).await?.context("sample ticket")?;
    let event = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(id))
        .one(db)
        .await?
        .context("sample event")?;
    let outbox = outbox::Entity::find().filter(outbox::Column::TicketId.eq(id)).all(db).await?;
    Ok(Sample { ticket, event, outbox, body })
}

/// One submission's writes, in one transaction.
async fn raw_once(db: &DatabaseConnection, s: &Sample, user: Uuid, key: &str) -> Result<()> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    let txn = db.begin().await?;
    let hash = "0".repeat(64);
    txn.execute(sql(backend, CLAIM, vec![user.into(), key.into(), hash.into(), now.into()])).await?;
    let day = hazardline::tickets::sla::cst_date(now).format("%Y%m%d").to_string();
    let row = txn.query_one(sql(backend, COUNTER, vec![day.clone().into()])).await?.context("counter row")?;
    let last: i64 = row.try_get("", "last")?;
    let mut t = s.ticket.clone();
    (t.id, t.number, t.created_at, t.updated_at, t.step_started_at) =
        (Uuid::now_v7(), format!("RAW{day}{last:06}"), now, now, now);
    txn.execute(ticket::Entity::insert(t.clone().into_active_model()).build(backend)).await?;
    let mut e = s.event.clone();
    (e.id, e.ticket_id, e.at) = (Uuid::now_v7(), t.id, now);
    txn.execute(ticket_event::Entity::insert(e.clone().into_active_model()).build(backend)).await?;
    for o in &s.outbox {
        let mut o = o.clone();
        (o.id, o.ticket_id, o.event_id, o.created_at, o.available_at) =
            (Uuid::now_v7(), Some(t.id), Some(e.id), now, now);
        txn.execute(outbox::Entity::insert(o.into_active_model()).build(backend)).await?;
    }
    let values = vec![201i32.into(), s.body.clone().into(), now.into(), user.into(), key.into()];
    txn.execute(sql(backend, COMPLETE, values)).await?;
    txn.commit().await?;
    Ok(())
}

async fn raw_phase(
    db: &DatabaseConnection,
    s: &Sample,
    users: &[Uuid],
    phase: &str,
    until: Instant,
) -> Result<Vec<Vec<Duration>>> {
    let (db, s, users, phase) = (db.clone(), s.clone(), users.to_vec(), phase.to_owned());
    common::time_loops(users.len(), until, move |c, n| {
        let (db, s, user, key) = (db.clone(), s.clone(), users.get(c).copied(), format!("{phase}-{c}-{n}"));
        async move { raw_once(&db, &s, user.context("no such client")?, &key).await }
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
    let (users, tokens) = residents(&state, &client, &base, clients).await?;
    let run = Duration::from_secs(seconds);
    let warm = Duration::from_secs(2);

    submit_phase(&client, &base, &tokens, "warm", Instant::now() + warm).await?;
    let start = Instant::now();
    let (parts, last) = submit_phase(&client, &base, &tokens, "http", start + run).await?;
    let http = Figures::merge(parts, start.elapsed());

    let db = state.db().clone();
    let s = sample(&db, last).await?;
    raw_phase(&db, &s, &users, "rawwarm", Instant::now() + warm).await?;
    let start = Instant::now();
    let raw = Figures::merge(raw_phase(&db, &s, &users, "raw", start + run).await?, start.elapsed());

    println!("{} ({clients} concurrent clients, pool of 10):", target.label);
    println!("  {}", http.line("HTTP submissions", "submissions"));
    println!("  {}", raw.line("raw SQL transactions", "submissions"));
    println!(
        "  ratio {:.2} of raw (goal ≥ 0.5); p99 {:.1} ms (goal ≤ 50 ms)",
        http.rate() / raw.rate(),
        http.percentile(0.99)
    );
    Ok(())
}

fn main() -> Result<()> {
    let seconds = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let clients = std::env::var("BENCH_CLIENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(CLIENTS);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let sqlite = Target::sqlite("SQLite")?;
        bench(&sqlite, seconds, clients).await?;
        let pg = std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL"));
        match pg {
            Ok(admin) => {
                let target = Target::postgres(&admin, "hzbench", "PostgreSQL").await?;
                let outcome = bench(&target, seconds, clients).await;
                target.drop_database().await?;
                outcome
            }
            Err(_) => {
                println!("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)");
                Ok(())
            }
        }
    })
}
