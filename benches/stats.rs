//! Statistics on 1,000,000 tickets in PostgreSQL: the district-wide monthly breakdowns and the
//! bulletin, timed through the service functions (and over HTTP once). Target: under 1 s each.
//!
//! Creates a fresh database on `BENCH_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! migrates it, seeds the demo city and then `BENCH_TICKETS` tickets (default 1,000,000) with their
//! events in set-based SQL (`generate_series`), spread over the twelve months before November 2026
//! across the 36 grids of one district, VACUUM ANALYZEs, runs each query `BENCH_RUNS` times (default
//! 5) and prints min and median. `BENCH_KEEP=1` keeps the database (for EXPLAIN ANALYZE by hand);
//! `BENCH_REUSE=name` times a kept database again without seeding (and keeps it).
//!
//! Run: `cargo bench --bench stats`.

use std::{path::PathBuf, sync::Arc, time::Instant};

use anyhow::{Context, Result};
use hazardline::{
    auth::Role,
    clock::ManualClock,
    config::Settings,
    startup::Application,
    state::AppState,
    stats::{
        dto::{RankingsQuery, StatsQuery},
        params::{RankingsParams, StatsParams},
        service,
    },
    tickets::access::{DispatchScope, Viewer},
};
use sea_orm::{ConnectionTrait, Database};
use secrecy::SecretString;
use serde_json::{json, Value};
use uuid::Uuid;

const PASSWORD: &str = "bench password 1";

/// The tickets: one per `i`, reported between 2025-11-01 and 2026-11-01 China time, at one of the
/// district's 36 grids, in one of its categories; the status drawn from a realistic mix, with the
/// deadline, rectification, close and rating times that status implies.
const SEED_TICKETS: &str = r#"
INSERT INTO ticket (id, number, version, status, channel, reporter_id, anonymous, category, description,
    urgency, hazard_level, lat, lng, wgs_lat, wgs_lng, coord_system, address, region_id, region_path, grid_id,
    department_id, grid_worker_id, routing, workflow, pending_kind, rejection_kind, duplicate_of,
    rectification_deadline, step_started_at, due_at, overdue, escalation_level, escalated_at, closed_at,
    reopen_count, follower_count, priority, rating, rating_comment, rated_at, flags, created_at, updated_at)
SELECT lpad(to_hex(x.i), 32, '0')::uuid, 'B' || x.i, 1, x.status,
    (ARRAY['app', 'app', 'app', 'wechat', 'staff'])[1 + x.i % 5], $1, false, c.code, '楼道堆放杂物',
    'normal', CASE WHEN x.status IN ('confirmed', 'rectifying', 'awaiting_check', 'closed') THEN 'general' END,
    0, 0, 0, 0, 'gcj02', NULL, g.id, g.path, g.id, c.department_id, NULL, '{}', '{}', NULL,
    CASE WHEN x.status = 'rejected' THEN x.rejection END, NULL,
    CASE WHEN x.status IN ('rectifying', 'awaiting_check', 'closed') THEN x.deadline END,
    x.created, x.deadline, false, 0, NULL,
    CASE WHEN x.status = 'closed' THEN x.rectified + interval '3 hours' END,
    0, 0, 0,
    CASE WHEN x.status = 'closed' AND x.r4 < 0.3 THEN 1 + floor(x.r4 * 1000)::int % 5 END, NULL, NULL,
    '[]', x.created, x.created
FROM (
    SELECT s.i, r.r1, r.r4,
        CASE WHEN r.r1 < 0.03 THEN 'rejected' WHEN r.r1 < 0.07 THEN 'rejected' WHEN r.r1 < 0.08 THEN 'rejected'
             WHEN r.r1 < 0.10 THEN 'assigned' WHEN r.r1 < 0.12 THEN 'verifying' WHEN r.r1 < 0.13 THEN 'confirmed'
             WHEN r.r1 < 0.17 THEN 'rectifying' WHEN r.r1 < 0.20 THEN 'awaiting_check' ELSE 'closed' END AS status,
        CASE WHEN r.r1 < 0.03 THEN 'duplicate_of' WHEN r.r1 < 0.07 THEN 'not_a_hazard' ELSE 'recorded_in_error' END
            AS rejection,
        t.created,
        t.created + (3 + r.r2 * 12) * interval '1 day' AS deadline,
        t.created + (r.r3 * 16 + 0.2) * interval '1 day' AS rectified
    FROM generate_series(1, $2) AS s(i)
    CROSS JOIN LATERAL (SELECT random() AS r1, random() AS r2, random() AS r3, random() AS r4, s.i AS k) r
    CROSS JOIN LATERAL (SELECT timestamptz '2025-10-31 16:00:00+00'
        + (s.i::float8 / $2) * interval '365 days' + r.r2 * interval '1 hour' AS created, s.i AS k) t
) x
JOIN bench_grid g ON g.n = x.i % 36
JOIN bench_category c ON c.n = (x.i / 36) % (SELECT count(*) FROM bench_category)
"#;

/// The events of each ticket, in the order they happen: submit, take the check, confirm or reject,
/// cancel, accept, complete, pass; one in ten is escalated once.
const SEED_EVENTS: &str = r#"
INSERT INTO ticket_event (id, ticket_id, version, action, from_status, to_status, actor_id, actor_role, at,
    note, media, deadline_from, deadline_to, detail, dropped_request)
SELECT lpad(to_hex((s.k::bigint << 40) | substr(t.number, 2)::bigint), 32, '0')::uuid,
    t.id, s.k, s.action, NULL, s.to_status, NULL, 'system', s.at, NULL, '[]', NULL, NULL, NULL, NULL
FROM ticket t
CROSS JOIN LATERAL (VALUES
    (1, 'submit', 'assigned', t.created_at, true),
    (2, 'accept', 'verifying', t.created_at + interval '20 minutes', t.status <> 'assigned'),
    (3, 'confirm', 'confirmed', t.created_at + (1 + substr(t.number, 2)::bigint % 7) * interval '1 hour',
        t.hazard_level IS NOT NULL OR t.rejection_kind = 'recorded_in_error'),
    (4, 'reject', 'rejected', t.created_at + interval '3 hours', t.rejection_kind IN ('duplicate_of', 'not_a_hazard')),
    (5, 'approve_request', 'rejected', t.created_at + interval '1 day', t.rejection_kind = 'recorded_in_error'),
    (6, 'accept', 'rectifying', t.created_at + interval '9 hours', t.rectification_deadline IS NOT NULL),
    (7, 'complete', 'awaiting_check', COALESCE(t.closed_at - interval '3 hours', t.step_started_at + interval '2 days'),
        t.status IN ('awaiting_check', 'closed')),
    (8, 'pass', 'closed', t.closed_at, t.status = 'closed'),
    (9, 'escalate', t.status, t.created_at + interval '4 days', right(t.number, 1) = '7')
) AS s(k, action, to_status, at, happened)
WHERE s.happened
"#;

async fn setup(admin_url: &str, tickets: i64, reuse: Option<String>) -> Result<(String, String, Application)> {
    let name = match &reuse {
        Some(name) => name.clone(),
        None => {
            let name = format!("hzbench_stats_{}", Uuid::new_v4().simple());
            let admin = Database::connect(admin_url).await.context("connecting to BENCH_DATABASE_URL")?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            admin.close().await?;
            name
        }
    };
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&name);

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut s = Settings::load_layers(&dir, "test", false)?;
    s.auth.jwt_secret = SecretString::from("bench-secret-that-is-long-enough-for-hs256!");
    s.database.url = SecretString::from(url.to_string());
    s.database.max_connections = 10;
    s.server.workers = 2;
    s.log.level = "error".to_owned();
    s.media.dir = std::env::temp_dir().join(&name);
    // The escalation job would start escalating the seeded overdue tickets under the timings.
    s.tickets.escalation_interval_secs = 86_400;
    // Tokens are checked against the system clock; the benchmark lives on 2026-11-20.
    s.auth.access_token_ttl_secs = 10 * 365 * 86_400;
    // Statuses are read as of 2026-11-20 (China), whatever the machine's date.
    let clock = ManualClock::new(chrono::DateTime::parse_from_rfc3339("2026-11-20T12:00:00+08:00")?.to_utc());
    let app = Application::build_with_clock(s, Arc::new(clock)).await?;
    if reuse.is_some() {
        println!("reusing database {name} as seeded (migrated to this build)");
        return Ok((name, url.to_string(), app));
    }
    let state = app.state().clone();
    hazardline::geo::seed::seed_city(&state, PASSWORD).await?;
    let reporter = hazardline::auth::service::create_user(&state, "13700000001", "居民", None, Role::Resident)
        .await
        .map_err(|e| anyhow::anyhow!("creating the reporter: {e}"))?;
    let db = state.db();
    db.execute_unprepared(
        "CREATE TABLE bench_grid AS SELECT (row_number() OVER (ORDER BY g.code) - 1)::int AS n, g.id, \
         '/' || d.id || '/' || s.id || '/' || c.id || '/' || g.id || '/' AS path \
         FROM region g JOIN region c ON c.id = g.parent_id JOIN region s ON s.id = c.parent_id \
         JOIN region d ON d.id = s.parent_id WHERE g.level = 'grid' AND d.code = '439901'",
    )
    .await?;
    db.execute_unprepared(
        "CREATE TABLE bench_category AS SELECT (row_number() OVER (ORDER BY dc.category_code) - 1)::int AS n, \
         dc.category_code AS code, dc.department_id FROM department_category dc \
         JOIN department dep ON dep.id = dc.department_id JOIN region d ON d.id = dep.region_id \
         WHERE d.code = '439901'",
    )
    .await?;
    let started = Instant::now();
    db.execute_unprepared("SELECT setseed(0.42)").await?;
    db.execute(sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        SEED_TICKETS,
        [reporter.id.into(), tickets.into()],
    ))
    .await?;
    let tickets_done = started.elapsed();
    db.execute_unprepared(SEED_EVENTS).await?;
    let events_done = started.elapsed();
    // The step times the service writes with each event, set here in one statement for the bulk.
    db.execute_unprepared(migration::BACKFILL_TICKET_MILESTONES).await?;
    let milestones_done = started.elapsed();
    db.execute_unprepared("VACUUM ANALYZE ticket").await?;
    db.execute_unprepared("VACUUM ANALYZE ticket_event").await?;
    let counted = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT (SELECT count(*) FROM ticket) AS t, (SELECT count(*) FROM ticket_event) AS e",
        ))
        .await?
        .context("counts")?;
    let (t, e): (i64, i64) = (counted.try_get("", "t")?, counted.try_get("", "e")?);
    println!(
        "seeded {t} tickets in {:.1} s, {e} events in {:.1} s, their step times in {:.1} s, VACUUM ANALYZE {:.1} s \
         (total {:.1} s)",
        tickets_done.as_secs_f64(),
        (events_done - tickets_done).as_secs_f64(),
        (milestones_done - events_done).as_secs_f64(),
        (started.elapsed() - milestones_done).as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok((name, url.to_string(), app))
}

fn report(what: &str, mut times: Vec<f64>, rows: usize) {
    times.sort_by(f64::total_cmp);
    let min = times.first().copied().unwrap_or(0.0);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    println!("{what:<52} min {min:>7.1} ms  median {median:>7.1} ms  ({rows} rows)");
}

#[tokio::main]
async fn main() -> Result<()> {
    let admin_url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let tickets: i64 = std::env::var("BENCH_TICKETS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let reuse = std::env::var("BENCH_REUSE").ok().filter(|v| !v.is_empty());
    let keep = reuse.is_some() || std::env::var("BENCH_KEEP").is_ok_and(|v| v == "1");
    let (name, _url, app) = setup(&admin_url, tickets, reuse).await?;
    let (state, port) = (app.state().clone(), app.port());
    let server = tokio::spawn(app.run_until_stopped());
    let result = measure(&state, port, runs).await;
    server.abort();
    if keep {
        println!("kept database {name}");
    } else {
        let admin = Database::connect(&admin_url).await?;
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
    }
    result
}

async fn measure(state: &AppState, port: u16, runs: usize) -> Result<()> {
    let district: Uuid = {
        let row = state
            .db()
            .query_one(sea_orm::Statement::from_string(
                state.db().get_database_backend(),
                "SELECT id FROM region WHERE code = '439901'",
            ))
            .await?
            .context("district")?;
        row.try_get("", "id")?
    };
    // The district's dispatcher: the realistic reader of a district-wide breakdown.
    let viewer = Viewer {
        id: Uuid::now_v7(),
        roles: vec![Role::Dispatcher],
        departments: Vec::new(),
        grids: Vec::new(),
        dispatch: DispatchScope::Regions(vec![district]),
    };
    let now = state.clock().now();
    for (label, month, from, to, group_by) in [
        ("stats month=2026-10 totals", Some("2026-10"), None, None, None),
        ("stats month=2026-10 group_by=street", Some("2026-10"), None, None, Some("street")),
        ("stats month=2026-10 group_by=department", Some("2026-10"), None, None, Some("department")),
        ("stats month=2026-10 group_by=category", Some("2026-10"), None, None, Some("category")),
        ("stats month=2026-10 group_by=day", Some("2026-10"), None, None, Some("day")),
        ("stats 12 months group_by=month (all tickets)", None, Some("2025-11-01"), Some("2026-11-01"), Some("month")),
    ] {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..runs {
            let params = StatsParams::parse(
                StatsQuery {
                    month: month.map(str::to_owned),
                    from: from.map(str::to_owned),
                    to: to.map(str::to_owned),
                    group_by: group_by.map(str::to_owned),
                    ..Default::default()
                },
                now,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let started = Instant::now();
            let view = service::stats(state, &viewer, &params).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            rows = view.groups.len();
            if times.len() == 1 && group_by == Some("street") {
                let t = &view.totals;
                println!(
                    "  (2026-10: reported {}, verified {}, closed {}, overdue {}, rectification {:?} %, on time {:?} %, median verify {:?} s)",
                    t.reported, t.verified, t.closed, t.overdue, t.rectification_rate.percent, t.on_time_rate.percent,
                    t.step_times.verify.median_secs
                );
            }
        }
        report(label, times, rows);
    }
    for by in ["street", "department"] {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..runs {
            let params = RankingsParams::parse(
                RankingsQuery { month: Some("2026-10".into()), by: Some(by.into()), ..Default::default() },
                now,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let started = Instant::now();
            let view = service::rankings(state, &viewer, &params).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            rows = view.entries.len();
        }
        report(&format!("rankings month=2026-10 by={by} (and 2026-09)"), times, rows);
    }

    // Once over HTTP, as an admin.
    let base = format!("http://127.0.0.1:{port}");
    // A kept database (`BENCH_REUSE`) has the admin from its first run already.
    if let Err(e) = hazardline::auth::service::create_user(
        state,
        "13700000002",
        "管理员",
        Some(SecretString::from(PASSWORD)),
        Role::Admin,
    )
    .await
    {
        println!("  (admin not created: {e})");
    }
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login/password"))
        .json(&json!({"phone": "13700000002", "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login.pointer("/access_token").and_then(Value::as_str).context("no access token")?.to_owned();
    let started = Instant::now();
    let res =
        client.get(format!("{base}/api/v1/stats?month=2026-10&group_by=street")).bearer_auth(&token).send().await?;
    let status = res.status();
    let body = res.bytes().await?;
    println!(
        "HTTP GET /api/v1/stats?month=2026-10&group_by=street (admin)  {:.1} ms, {status}, {} bytes",
        started.elapsed().as_secs_f64() * 1000.0,
        body.len()
    );
    Ok(())
}
