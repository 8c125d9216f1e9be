//! Publish/subscribe by topic: tokio broadcast inside one process, Redis pub/sub across instances.
//!
//! Delivery is best effort (at most once, like Redis pub/sub): subscribers that lag lose messages
//! and must resync from the database. Anything that must not be lost goes through the outbox.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::Duration,
};

use async_trait::async_trait;
use futures_util::StreamExt;
use redis::{aio::ConnectionManager, AsyncCommands};
use tokio::sync::{broadcast, mpsc, oneshot};

const CAPACITY: usize = 1024;

/// A topic-based message bus.
#[async_trait]
pub trait Bus: Send + Sync {
    /// Sends `payload` to every current subscriber of `topic`, on any instance.
    async fn publish(&self, topic: &str, payload: &str) -> anyhow::Result<()>;
    /// Receives what is published to `topic` from now on.
    async fn subscribe(&self, topic: &str) -> anyhow::Result<broadcast::Receiver<String>>;
    /// `memory` or `redis`, for logs and `/readyz`.
    fn backend(&self) -> &'static str;
    /// Whether messages from other instances can arrive now (for `/readyz`).
    fn health(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Local fan-out: one broadcast channel per topic with live subscribers.
#[derive(Default, Clone)]
struct Topics {
    map: Arc<Mutex<HashMap<String, broadcast::Sender<String>>>>,
}

impl Topics {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, broadcast::Sender<String>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Subscribes; true as the second value when the topic is new here.
    fn subscribe(&self, topic: &str) -> (broadcast::Receiver<String>, bool) {
        let mut map = self.lock();
        if let Some(tx) = map.get(topic) {
            return (tx.subscribe(), false);
        }
        let (tx, rx) = broadcast::channel(CAPACITY);
        map.insert(topic.to_owned(), tx);
        (rx, true)
    }

    fn deliver(&self, topic: &str, payload: String) {
        let mut map = self.lock();
        if let Some(tx) = map.get(topic) {
            if tx.send(payload).is_err() {
                // Nobody listens any more: forget the topic.
                map.remove(topic);
            }
        }
    }

    fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }
}

/// In-process bus for a single instance.
#[derive(Default)]
pub struct InProcessBus {
    topics: Topics,
}

impl InProcessBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Bus for InProcessBus {
    async fn publish(&self, topic: &str, payload: &str) -> anyhow::Result<()> {
        self.topics.deliver(topic, payload.to_owned());
        Ok(())
    }

    async fn subscribe(&self, topic: &str) -> anyhow::Result<broadcast::Receiver<String>> {
        Ok(self.topics.subscribe(topic).0)
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}

/// Redis pub/sub bus. One subscriber connection per instance, owned by a background task that
/// reconnects and resubscribes; local subscribers share it through broadcast channels.
pub struct RedisBus {
    conn: ConnectionManager,
    prefix: String,
    topics: Topics,
    commands: mpsc::UnboundedSender<Subscribe>,
    connected: Arc<AtomicBool>,
}

/// A request to the subscriber task, answered once Redis confirmed the subscription.
struct Subscribe {
    topic: String,
    done: oneshot::Sender<()>,
}

impl RedisBus {
    /// Starts the subscriber task and waits (up to 5 s) for its first connection.
    pub async fn start(client: redis::Client, conn: ConnectionManager, prefix: &str) -> anyhow::Result<Self> {
        let topics = Topics::default();
        let (tx, rx) = mpsc::unbounded_channel();
        let connected = Arc::new(AtomicBool::new(false));
        let (first_tx, first_rx) = oneshot::channel();
        let task = subscriber_loop(client, prefix.to_owned(), topics.clone(), rx, connected.clone(), first_tx);
        tokio::spawn(task);
        tokio::time::timeout(Duration::from_secs(5), first_rx)
            .await
            .map_err(|_| anyhow::anyhow!("the Redis pub/sub connection did not open within 5 s"))?
            .map_err(|_| anyhow::anyhow!("the Redis subscriber task stopped"))?;
        Ok(Self { conn, prefix: prefix.to_owned(), topics, commands: tx, connected })
    }
}

#[async_trait]
impl Bus for RedisBus {
    async fn publish(&self, topic: &str, payload: &str) -> anyhow::Result<()> {
        let channel = format!("{}bus:{topic}", self.prefix);
        let _: i64 = self.conn.clone().publish(channel, payload).await?;
        Ok(())
    }

    async fn subscribe(&self, topic: &str) -> anyhow::Result<broadcast::Receiver<String>> {
        let (rx, new) = self.topics.subscribe(topic);
        if new {
            let (done, confirmed) = oneshot::channel();
            self.commands
                .send(Subscribe { topic: topic.to_owned(), done })
                .map_err(|_| anyhow::anyhow!("the Redis subscriber task has stopped"))?;
            // Wait for Redis to confirm, so nothing published after we return is missed.
            tokio::time::timeout(Duration::from_secs(5), confirmed)
                .await
                .map_err(|_| anyhow::anyhow!("Redis did not confirm the subscription within 5 s"))?
                .map_err(|_| anyhow::anyhow!("the Redis subscriber task has stopped"))?;
        }
        Ok(rx)
    }

    fn backend(&self) -> &'static str {
        "redis"
    }

    fn health(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.connected.load(Ordering::Relaxed), "the Redis subscriber connection is down");
        Ok(())
    }
}

async fn subscriber_loop(
    client: redis::Client,
    prefix: String,
    topics: Topics,
    mut commands: mpsc::UnboundedReceiver<Subscribe>,
    connected: Arc<AtomicBool>,
    first_connection: oneshot::Sender<()>,
) {
    let mut first_connection = Some(first_connection);
    let channel_prefix = format!("{prefix}bus:");
    let mut backoff = Duration::from_millis(100);
    loop {
        let pubsub = match client.get_async_pubsub().await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "Redis bus: cannot connect, retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        let (mut sink, mut stream) = pubsub.split();
        let mut ok = true;
        for topic in topics.names() {
            ok &= sink.subscribe(format!("{channel_prefix}{topic}")).await.is_ok();
        }
        if !ok {
            continue;
        }
        connected.store(true, Ordering::Relaxed);
        if let Some(first) = first_connection.take() {
            let _ = first.send(());
        }
        backoff = Duration::from_millis(100);
        loop {
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    Some(Subscribe { topic, done }) => {
                        if let Err(e) = sink.subscribe(format!("{channel_prefix}{topic}")).await {
                            // The topic is in `topics`: the reconnect below subscribes it again.
                            tracing::warn!(error = %e, "Redis bus: subscribe failed, reconnecting");
                            connected.store(false, Ordering::Relaxed);
                            break;
                        }
                        let _ = done.send(());
                    }
                    // The bus was dropped: the instance is shutting down.
                    None => return,
                },
                msg = stream.next() => match msg {
                    Some(msg) => {
                        let channel = msg.get_channel_name().to_owned();
                        if let (Some(topic), Ok(payload)) =
                            (channel.strip_prefix(&channel_prefix), msg.get_payload::<String>())
                        {
                            topics.deliver(topic, payload);
                        }
                    }
                    None => {
                        tracing::warn!("Redis bus: connection lost, reconnecting");
                        connected.store(false, Ordering::Relaxed);
                        break;
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_process_subscribers_receive_what_is_published_after_they_joined() {
        let bus = InProcessBus::new();
        bus.publish("t", "before").await.unwrap();
        let mut a = bus.subscribe("t").await.unwrap();
        let mut b = bus.subscribe("t").await.unwrap();
        bus.publish("t", "hello").await.unwrap();
        bus.publish("other", "x").await.unwrap();
        assert_eq!(a.recv().await.unwrap(), "hello");
        assert_eq!(b.recv().await.unwrap(), "hello");
        assert!(a.try_recv().is_err());
    }
}
