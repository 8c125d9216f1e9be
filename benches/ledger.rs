//! The hazard ledger export at scale: seeds `BENCH_ROWS` tickets (default 1,000,000) with their
//! plan, completion, check and escalation events in a few `INSERT … SELECT` statements, then
//! exports them as CSV and as XLSX, each in a child process (this binary again), and prints rows,
//! time, rows/s and the child's peak resident memory (`VmHWM`) beside its memory before the export.
//!
//! Runs on a fresh SQLite file, then on a fresh PostgreSQL database when `BENCH_DATABASE_URL` (or
//! `TEST_DATABASE_URL`) names a server (created and dropped).

use std::{path::PathBuf, process::Command, sync::Arc, time::Instant};

use anyhow::{bail, Context, Result};
use hazardline::{clock::SystemClock, config::Settings, startup};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use secrecy::SecretString;
use uuid::Uuid;

mod common;
use common::Target;

const CHILD: &str = "LEDGER_BENCH_CHILD";

fn settings(url: &str) -> Result<Settings> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut s = Settings::load_layers(&dir, "test", false)?;
    s.auth.jwt_secret = SecretString::from("bench-secret-that-is-long-enough-for-hs256!");
    s.database.url = SecretString::from(url.to_owned());
    s.database.max_connections = 4;
    s.log.level = "error".to_owned();
    Ok(s)
}

/// A line of `/proc/self/status` in KiB.
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The ticket columns the seed writes, and each one's SQL per backend ({i} is the row number,
/// {t} the creation time).
const TICKET_COLUMNS: &str = "id, number, version, status, channel, reporter_id, anonymous, category, description, \
    urgency, hazard_level, lat, lng, wgs_lat, wgs_lng, coord_system, address, region_id, region_path, grid_id, \
    department_id, grid_worker_id, routing, workflow, rectification_deadline, step_started_at, due_at, overdue, \
    escalation_level, closed_at, reopen_count, follower_count, priority, rating, flags, created_at, updated_at";

async fn seed(url: &str, rows: u64) -> Result<()> {
    let s = settings(url)?;
    let (state, _) = startup::build_state(s, Arc::new(SystemClock)).await?;
    hazardline::geo::seed::seed_city(&state, "bench password 1").await?;
    let db = state.db();
    let backend = db.get_database_backend();
    let grid = entity::region::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&entity::region::Column::Code, "43990100100101"))
        .one(db)
        .await?
        .context("the demo grid")?;
    let mut path = vec![grid.id];
    let mut parent = grid.parent_id;
    while let Some(id) = parent {
        path.push(id);
        parent = entity::region::Entity::find_by_id(id).one(db).await?.and_then(|r| r.parent_id);
    }
    let region_path = format!("/{}/", path.iter().rev().map(Uuid::to_string).collect::<Vec<_>>().join("/"));
    let department = entity::department::Entity::find().one(db).await?.context("a department")?.id;
    let worker = entity::user::Entity::find().one(db).await?.context("a user")?.id;
    let (lng, lat) = hazardline::geo::demo_city::grid_center(0, 0);
    let started = Instant::now();
    let (insert, values): (String, Vec<sea_orm::Value>) = match backend {
        DbBackend::Sqlite => {
            let t = "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-01-01', '+' || (i * 30) || ' seconds')";
            let t7 = "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-01-01', '+' || (i * 30 + 604800) || ' seconds')";
            (
                format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
                     INSERT INTO ticket ({TICKET_COLUMNS}) SELECT randomblob(16), 'YH' || printf('%09d', i), 1, \
                     CASE i % 4 WHEN 0 THEN 'closed' WHEN 1 THEN 'rectifying' WHEN 2 THEN 'assigned' ELSE 'awaiting_check' END, \
                     'app', ?, 0, CASE i % 3 WHEN 0 THEN 'fire' WHEN 1 THEN 'gas' ELSE 'building' END, \
                     '楼道里堆满纸箱，消防通道被堵，第' || i || '处', 'normal', CASE WHEN i % 4 = 2 THEN NULL ELSE 'general' END, \
                     ?, ?, ?, ?, 'gcj02', '青川市幸福路' || (i % 500) || '号', ?, ?, ?, ?, ?, '{{}}', '{{}}', \
                     CASE WHEN i % 4 <> 2 THEN {t7} END, {t}, NULL, i % 20 = 0, CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END, \
                     CASE WHEN i % 4 = 0 THEN {t7} END, 0, i % 20, 0, CASE WHEN i % 4 = 0 THEN 1 + i % 5 END, '[]', {t}, {t} FROM n"
                ),
                vec![
                    (rows as i64).into(),
                    worker.into(),
                    lat.into(),
                    lng.into(),
                    lat.into(),
                    lng.into(),
                    grid.id.into(),
                    region_path.clone().into(),
                    grid.id.into(),
                    department.into(),
                    worker.into(),
                ],
            )
        }
        _ => {
            let t = "(timestamptz '2026-01-01 00:00:00+00' + i * interval '30 seconds')";
            let t7 = "(timestamptz '2026-01-08 00:00:00+00' + i * interval '30 seconds')";
            (
                format!(
                    "INSERT INTO ticket ({TICKET_COLUMNS}) SELECT gen_random_uuid(), 'YH' || lpad(i::text, 9, '0'), 1, \
                     CASE i % 4 WHEN 0 THEN 'closed' WHEN 1 THEN 'rectifying' WHEN 2 THEN 'assigned' ELSE 'awaiting_check' END, \
                     'app', $2, false, CASE i % 3 WHEN 0 THEN 'fire' WHEN 1 THEN 'gas' ELSE 'building' END, \
                     '楼道里堆满纸箱，消防通道被堵，第' || i || '处', 'normal', CASE WHEN i % 4 = 2 THEN NULL ELSE 'general' END, \
                     $3, $4, $3, $4, 'gcj02', '青川市幸福路' || (i % 500) || '号', $5, $6, $5, $7, $2, '{{}}', '{{}}', \
                     CASE WHEN i % 4 <> 2 THEN {t7} END, {t}, NULL, i % 20 = 0, CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END, \
                     CASE WHEN i % 4 = 0 THEN {t7} END, 0, i % 20, 0, CASE WHEN i % 4 = 0 THEN 1 + i % 5 END, '[]', {t}, {t} \
                     FROM generate_series(1, $1::bigint) AS i"
                ),
                vec![
                    (rows as i64).into(),
                    worker.into(),
                    lat.into(),
                    lng.into(),
                    grid.id.into(),
                    region_path.clone().into(),
                    department.into(),
                ],
            )
        }
    };
    db.execute(Statement::from_sql_and_values(backend, insert, values)).await?;
    let id = match backend {
        DbBackend::Sqlite => "randomblob(16)",
        _ => "gen_random_uuid()",
    };
    let actor = match backend {
        DbBackend::Sqlite => "?",
        _ => "$1",
    };
    for (action, note, filter) in [
        ("accept", "'清理楼道杂物，加装监控'", "status <> 'assigned'"),
        ("complete", "NULL", "status IN ('closed', 'awaiting_check')"),
        ("pass", "NULL", "status = 'closed'"),
        ("escalate", "NULL", "follower_count = 0"),
    ] {
        let sql = format!(
            "INSERT INTO ticket_event (id, ticket_id, version, action, from_status, to_status, actor_id, actor_role, at, \
             note, media) SELECT {id}, id, 2, '{action}', status, status, {actor}, 'dept_staff', created_at, {note}, '[]' \
             FROM ticket WHERE {filter}"
        );
        db.execute(Statement::from_sql_and_values(backend, sql, vec![worker.into()])).await?;
    }
    if backend == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    println!("  seeded {rows} tickets and their events in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The child: export once and print `rows seconds baseline_kib peak_kib`.
fn child(format: &str) -> Result<()> {
    let url = std::env::var("LEDGER_BENCH_URL")?;
    let out = PathBuf::from(std::env::var("LEDGER_BENCH_OUT")?);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async {
        let mut s = settings(&url)?;
        s.database.migrate_on_start = false;
        let (state, _) = startup::build_state(s, Arc::new(SystemClock)).await?;
        let baseline = status_kib("VmRSS:");
        let started = Instant::now();
        let rows = hazardline::cli::export_ledger(&state, &out, Some(format), Default::default()).await?;
        let secs = started.elapsed().as_secs_f64();
        println!("{rows} {secs} {baseline} {}", status_kib("VmHWM:"));
        Ok(())
    })
}

fn export(url: &str, format: &str) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join(format!("ledger.{format}"));
    let output = Command::new(std::env::current_exe()?)
        .env(CHILD, format)
        .env("LEDGER_BENCH_URL", url)
        .env("LEDGER_BENCH_OUT", &out)
        .output()?;
    if !output.status.success() {
        bail!("{format} export failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<f64> = text.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let [rows, secs, baseline, peak] = fields.as_slice() else { bail!("unexpected child output: {text}") };
    let bytes = std::fs::metadata(&out)?.len();
    println!(
        "  {format:>4}: {rows:.0} rows in {secs:.1} s ({:.0} rows/s), {:.1} MiB file; RSS {:.1} MiB before, peak {:.1} MiB",
        rows / secs,
        bytes as f64 / 1048576.0,
        baseline / 1024.0,
        peak / 1024.0
    );
    Ok(())
}

async fn bench(target: &Target, rows: u64) -> Result<()> {
    println!("{}:", target.label);
    seed(&target.url, rows).await?;
    for format in ["csv", "xlsx"] {
        export(&target.url, format)?;
    }
    Ok(())
}

fn main() -> Result<()> {
    if let Ok(format) = std::env::var(CHILD) {
        return child(&format);
    }
    let rows = std::env::var("BENCH_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let sqlite = Target::sqlite("SQLite")?;
        bench(&sqlite, rows).await?;
        match std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL")) {
            Ok(admin) => {
                let target = Target::postgres(&admin, "hzledger", "PostgreSQL").await?;
                let outcome = bench(&target, rows).await;
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
