//! WebSocket fan-out: N sockets (`BENCH_CONNECTIONS`, default 2000) are members of one conversation;
//! one member sends `BENCH_ROUNDS` messages (default 10) through the chat service, and every
//! socket must receive each. Reports delivery latency (send call → frame read by the client)
//! p50/p99, deliveries per second, and the server's resident memory per idle connection.
//!
//! The server runs in this process (`Application::build`, SQLite); the clients run in a child
//! process (this binary again, with `WS_FANOUT_CLIENT` set) so their buffers do not count against
//! the server's memory. Both need N file descriptors: raise `ulimit -n` first for large N.
//! Goal: p99 ≤ 200 ms at 10,000 connections, ≤ 20 KiB per idle connection.

use std::{
    io::{BufRead, BufReader, Write},
    path::PathBuf,
    process::{Command, Stdio},
    sync::Arc,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

use anyhow::{bail, Context, Result};
use chrono::Utc;
use entity::{conversation, conversation_member, user};
use futures_util::{stream, StreamExt};
use hazardline::{
    auth::Role,
    chat::dto::{Content, SendMessageRequest, Visibility},
    config::Settings,
    startup::Application,
    tickets::access::Viewer,
};
use sea_orm::{ActiveValue::Set, EntityTrait};
use secrecy::SecretString;
use tokio::sync::mpsc;
use tokio_tungstenite::{connect_async, tungstenite::client::IntoClientRequest, tungstenite::Message};
use uuid::Uuid;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn unix_nanos() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// Resident memory of a process, in KiB, from `/proc/<pid>/status`.
fn rss_kib(pid: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("VmRSS value")?.parse()?)
}

/// CPU time (user + system) a process has used, in seconds, from `/proc/<pid>/stat` (100 ticks/s).
fn cpu_secs(pid: &str) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = stat.rsplit_once(')').context("stat format")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64> { Ok(fields.get(i).context("stat field")?.parse::<f64>()?) };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or(0.0)
}

// ---- client process ----

/// Opens a socket per token, prints `READY`, then prints `ROUND n` when every socket has received
/// round n, and on `DONE` (stdin) prints `STATS p50_ms p99_ms deliveries busy_secs`.
async fn client(url: String, tokens: Vec<String>, rounds: usize) -> Result<()> {
    let n = tokens.len();
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, f64)>();
    let connected: Vec<_> = stream::iter(tokens)
        .map(|token| {
            let url = url.clone();
            async move {
                let mut req = url.into_client_request()?;
                req.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
                let (ws, _) = connect_async(req).await?;
                Ok::<_, anyhow::Error>(ws)
            }
        })
        .buffer_unordered(128)
        .collect()
        .await;
    for ws in connected {
        let mut ws = ws?;
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(text) = msg else { continue };
                let now = unix_nanos();
                // The message text is "<round> <sent at, ns>"; found by hand to keep the clients' CPU
                // (which shares the machine with the server) low.
                let Some(body) = text.split_once(r#""text":""#).and_then(|(_, rest)| rest.split('"').next()) else {
                    continue;
                };
                let mut parts = body.split(' ');
                let (Some(round), Some(sent)) = (parts.next(), parts.next()) else { continue };
                let (Ok(round), Ok(sent)) = (round.parse::<usize>(), sent.parse::<u128>()) else { continue };
                let _ = tx.send((round, now.saturating_sub(sent) as f64 / 1e6));
            }
        });
    }
    drop(tx);
    println!("READY");
    let mut counts = vec![0usize; rounds];
    let mut worst = vec![0f64; rounds];
    let mut latencies = Vec::with_capacity(n * rounds);
    let mut done_rounds = 0;
    while done_rounds < rounds {
        let Some((round, ms)) = rx.recv().await else { bail!("sockets closed") };
        if let (Some(c), Some(w)) = (counts.get_mut(round), worst.get_mut(round)) {
            // Round 0 warms up (statement caches, first writes on every socket) and is not counted.
            if round > 0 {
                latencies.push(ms);
                *w = w.max(ms);
            }
            *c += 1;
            if *c == n {
                done_rounds += 1;
                println!("ROUND {round}");
            }
        }
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    latencies.sort_by(f64::total_cmp);
    let busy: f64 = worst.iter().sum::<f64>() / 1e3;
    println!(
        "STATS {:.1} {:.1} {} {:.3}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.len(),
        busy
    );
    Ok(())
}

// ---- server process ----

fn settings(db: &std::path::Path, media: &std::path::Path) -> Result<Settings> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut s = Settings::load_layers(&dir, "test", false)?;
    s.auth.jwt_secret = SecretString::from("bench-secret-that-is-long-enough-for-hs256!");
    s.database.url = SecretString::from(format!("sqlite://{}?mode=rwc", db.display()));
    s.database.max_connections = 10;
    s.server.workers = 0;
    s.log.level = "error".to_owned();
    s.media.dir = media.to_path_buf();
    s.chat.messages_per_minute = 10_000;
    Ok(s)
}

async fn server(n: usize, rounds: usize) -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let app = Application::build(settings(&tmp.path().join("bench.db"), &tmp.path().join("media"))?).await?;
    let port = app.port();
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());

    let now = Utc::now();
    let conv = Uuid::now_v7();
    conversation::Entity::insert(conversation::ActiveModel {
        id: Set(conv),
        kind: Set("direct".to_owned()),
        ticket_id: Set(None),
        owner_id: Set(None),
        channel: Set(None),
        open_slot: Set(None),
        title: Set(Some("广播".to_owned())),
        last_seq: Set(0),
        last_message_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(state.db())
    .await?;
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    for chunk in ids.chunks(500) {
        user::Entity::insert_many(chunk.iter().enumerate().map(|(i, id)| user::ActiveModel {
            id: Set(*id),
            phone: Set(None),
            display_name: Set(format!("成员{i}")),
            password_hash: Set(None),
            disabled: Set(false),
            locale: Set("zh-CN".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }))
        .exec_without_returning(state.db())
        .await?;
        conversation_member::Entity::insert_many(chunk.iter().map(|id| conversation_member::ActiveModel {
            conversation_id: Set(conv),
            user_id: Set(*id),
            role: Set("member".to_owned()),
            staff: Set(false),
            last_read_seq: Set(0),
            joined_at: Set(now),
            left_at: Set(None),
        }))
        .exec_without_returning(state.db())
        .await?;
    }
    let tokens: Vec<String> =
        ids.iter().map(|id| state.jwt().issue(*id, vec![Role::Resident], now)).collect::<Result<_>>()?;
    let token_file = tmp.path().join("tokens");
    std::fs::write(&token_file, tokens.join("\n"))?;

    let me = std::process::id().to_string();
    let before = rss_kib(&me)?;
    let mut child = Command::new(std::env::current_exe()?)
        .env("WS_FANOUT_CLIENT", format!("ws://127.0.0.1:{port}/api/v1/ws"))
        .env("WS_FANOUT_TOKENS", &token_file)
        .env("BENCH_ROUNDS", (rounds - 1).to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let child_pid = child.id().to_string();
    let stdout = BufReader::new(child.stdout.take().context("child stdout")?);
    let (line_tx, mut lines) = mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if line_tx.send(line).is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let first = lines.recv().await.context("the client process stopped")?;
    if first != "READY" {
        bail!("client: {first}");
    }
    let connect_secs = started.elapsed().as_secs_f64();
    // Every socket joined the hub before its upgrade answer, so all are registered by now.
    if state.hub().connections() != n {
        bail!("{} of {n} sockets are connected", state.hub().connections());
    }
    let after = rss_kib(&me)?;
    let client_rss = rss_kib(&child_pid).unwrap_or(0);

    let cpu_before = (cpu_secs(&me)?, cpu_secs(&child_pid)?);
    let mut send_secs = 0.0;
    let sender = *ids.first().context("no members")?;
    let viewer = Arc::new(Viewer::load(state.db(), sender).await?);
    for round in 0..rounds {
        let req = SendMessageRequest {
            client_msg_id: format!("bench-{round}"),
            visibility: Visibility::All,
            content: Content::Text { text: format!("{round} {}", unix_nanos()) },
        };
        let call = Instant::now();
        hazardline::chat::service::send(&state, &viewer, conv, req).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if round > 0 {
            send_secs += call.elapsed().as_secs_f64();
        }
        let line = lines.recv().await.context("the client process stopped")?;
        if line != format!("ROUND {round}") {
            bail!("client: {line}");
        }
    }
    let cpu = (cpu_secs(&me)? - cpu_before.0, cpu_secs(&child_pid)? - cpu_before.1);
    let stdin = child.stdin.as_mut().context("child stdin")?;
    writeln!(stdin, "DONE")?;
    let stats = lines.recv().await.context("the client process stopped")?;
    child.wait()?;
    let f: Vec<f64> = stats.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    let [p50, p99, deliveries, busy] = f.as_slice() else { bail!("client: {stats}") };

    let per_conn = (after.saturating_sub(before)) as f64 / n as f64;
    println!("WebSocket fan-out, {n} connections, {} broadcasts after a warm-up (SQLite, in-process bus):", rounds - 1);
    println!("  connect: {n} sockets in {connect_secs:.1} s");
    println!("  delivery latency p50 {p50:.1} ms  p99 {p99:.1} ms  (goal p99 ≤ 200 ms at 10,000)");
    println!("  throughput {:.0} deliveries/s ({deliveries} in {busy:.2} s of fan-out)", deliveries / busy.max(1e-9));
    println!(
        "  of which the send call (write, member list, publish): {:.1} ms on average",
        send_secs * 1e3 / (rounds - 1) as f64
    );
    println!("  CPU during the broadcasts: server {:.2} s, clients {:.2} s (2 shared cores)", cpu.0, cpu.1);
    println!(
        "  server RSS {before} KiB → {after} KiB idle: {per_conn:.1} KiB per connection (goal ≤ 20 KiB); client process {client_rss} KiB"
    );
    Ok(())
}

fn main() -> Result<()> {
    let rounds = env_or("BENCH_ROUNDS", 10usize) + 1;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if let Ok(url) = std::env::var("WS_FANOUT_CLIENT") {
        let file = std::env::var("WS_FANOUT_TOKENS").context("WS_FANOUT_TOKENS")?;
        let tokens = std::fs::read_to_string(file)?.lines().map(str::to_owned).collect();
        return rt.block_on(client(url, tokens, rounds));
    }
    let n = env_or("BENCH_CONNECTIONS", 2000usize);
    rt.block_on(server(n, rounds))
}
