//! What the benchmark binaries share: a fresh database to run against, clients timing calls in a
//! loop, and the throughput and latency figures of a timed phase. Each bench includes it with `mod common;` and uses what it
//! needs (hence `dead_code` is allowed: no single bench uses every item).
#![allow(dead_code)]

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

/// A fresh database: a SQLite file in a temporary directory, or a new PostgreSQL database that
/// `drop_database` drops; with the Redis URL to use beside it, if any.
pub struct Target {
    /// What the run is against, for the printed figures.
    pub label: &'static str,
    /// The database URL.
    pub url: String,
    /// The Redis URL (`None`: the in-process store).
    pub redis: Option<String>,
    /// The admin URL and the database's name, to drop it.
    pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    /// A fresh SQLite file.
    pub fn sqlite(label: &'static str) -> Result<Target> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
        Ok(Target { label, url, redis: None, pg: None, _dir: Some(dir) })
    }

    /// A fresh database `{prefix}_{random}` on the server `admin` names.
    pub async fn postgres(admin: &str, prefix: &str, label: &'static str) -> Result<Target> {
        let name = format!("{prefix}_{}", Uuid::new_v4().simple());
        let conn = Database::connect(admin).await.context("connecting to the benchmark PostgreSQL")?;
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
        conn.close().await?;
        let mut url = url::Url::parse(admin)?;
        url.set_path(&name);
        Ok(Target { label, url: url.to_string(), redis: None, pg: Some((admin.to_owned(), name)), _dir: None })
    }

    /// Drops the PostgreSQL database (nothing for SQLite: the directory goes with the value).
    pub async fn drop_database(&self) -> Result<()> {
        if let Some((admin, name)) = &self.pg {
            let conn = Database::connect(admin).await?;
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
            conn.close().await?;
        }
        Ok(())
    }
}

/// Runs `clients` loops at once until `until`; loop `c` calls `once(c, n)` for n = 0, 1, … and
/// times each call. The latencies per client; the first failure ends the phase.
pub async fn time_loops<F, Fut>(clients: usize, until: Instant, once: F) -> Result<Vec<Vec<Duration>>>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let once = Arc::new(once);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let once = Arc::clone(&once);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut n = 0;
                while Instant::now() < until {
                    let start = Instant::now();
                    once(c, n).await?;
                    latencies.push(start.elapsed());
                    n += 1;
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(clients);
    for task in tasks {
        all.push(task.await??);
    }
    Ok(all)
}

/// Throughput and latency of one timed phase.
pub struct Figures {
    /// Operations completed.
    pub done: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    /// The latencies every task recorded, over the phase's wall time.
    pub fn merge(parts: Vec<Vec<Duration>>, elapsed: Duration) -> Figures {
        let mut latencies: Vec<Duration> = parts.into_iter().flatten().collect();
        latencies.sort();
        Figures { done: latencies.len(), elapsed, latencies }
    }

    /// Operations per second.
    pub fn rate(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at `p` (nearest rank), in milliseconds.
    pub fn percentile(&self, p: f64) -> f64 {
        let i = ((self.latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        self.latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    /// One printed line: `what`, the rate in `unit`s per second, p50 and p99.
    pub fn line(&self, what: &str, unit: &str) -> String {
        format!(
            "{what:<24} {:>8.0} {unit}/s  p50 {:>6.1} ms  p99 {:>6.1} ms  ({} in {:.1} s)",
            self.rate(),
            self.percentile(0.5),
            self.percentile(0.99),
            self.done,
            self.elapsed.as_secs_f64()
        )
    }
}
