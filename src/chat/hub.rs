//! The per-instance WebSocket hub: which users have sockets open here, and one bus subscription on
//! [`TOPIC`] that hands every [`Envelope`] to the queues of its recipients' sessions.
//!
//! Queues are bounded. A session whose queue is full is dropped from the hub (its socket then
//! closes with 1013 and the client resumes from its last sequence number), so a slow client costs
//! at most `chat.ws_queue_events` events of memory. If the hub itself falls behind the bus, every
//! session here is dropped the same way: a gap is never delivered silently.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, OnceLock,
    },
};

use prometheus::IntGauge;
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use super::{
    dto::ServerEvent,
    service::{Envelope, TOPIC},
};
use crate::infra::Bus;

/// Gauge of open WebSocket connections in this process (registered by `observability::Metrics`).
pub fn connections_gauge() -> Option<&'static IntGauge> {
    static GAUGE: OnceLock<Option<IntGauge>> = OnceLock::new();
    GAUGE.get_or_init(|| IntGauge::new("ws_connections_open", "Open WebSocket connections").ok()).as_ref()
}

/// An event ready to write to sockets, encoded once for all its recipients.
#[derive(Debug)]
pub struct Frame {
    /// The JSON text of the [`ServerEvent`].
    pub text: String,
    /// For a new (not recalled) message: its conversation and sequence number, to skip repeats.
    pub message: Option<(Uuid, i64)>,
}

impl Frame {
    /// Encodes an event.
    pub fn new(event: &ServerEvent) -> serde_json::Result<Frame> {
        let message = match event {
            ServerEvent::Message { message } if message.recalled_at.is_none() => {
                Some((message.conversation_id, message.seq))
            }
            _ => None,
        };
        Ok(Frame { text: serde_json::to_string(event)?, message })
    }
}

struct Slot {
    id: u64,
    tx: mpsc::Sender<Arc<Frame>>,
}

struct Inner {
    sessions: Mutex<HashMap<Uuid, Vec<Slot>>>,
    next_id: AtomicU64,
    queue: usize,
}

/// Handle to the hub (cheap to clone).
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// One session's place in the hub; dropping it leaves the hub.
pub struct Registration {
    hub: Hub,
    user: Uuid,
    id: u64,
    /// Events for this session, in the order the hub received them.
    pub rx: mpsc::Receiver<Arc<Frame>>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.remove(self.user, self.id);
        if let Some(g) = connections_gauge() {
            g.dec();
        }
    }
}

impl Hub {
    /// An empty hub whose sessions queue up to `queue` events each.
    pub fn new(queue: usize) -> Hub {
        Hub { inner: Arc::new(Inner { sessions: Mutex::default(), next_id: AtomicU64::new(1), queue: queue.max(1) }) }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Vec<Slot>>> {
        self.inner.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a session of `user`.
    pub fn register(&self, user: Uuid) -> Registration {
        let (tx, rx) = mpsc::channel(self.inner.queue);
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().entry(user).or_default().push(Slot { id, tx });
        if let Some(g) = connections_gauge() {
            g.inc();
        }
        Registration { hub: self.clone(), user, id, rx }
    }

    fn remove(&self, user: Uuid, id: u64) {
        let mut sessions = self.lock();
        if let Some(slots) = sessions.get_mut(&user) {
            slots.retain(|s| s.id != id);
            if slots.is_empty() {
                sessions.remove(&user);
            }
        }
    }

    /// Sessions open here.
    pub fn connections(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    /// Queues `frame` for every session of `recipients`; sessions with a full queue are dropped.
    /// Returns how many sessions it was queued for.
    pub fn dispatch(&self, recipients: &[Uuid], frame: Frame) -> usize {
        let frame = Arc::new(frame);
        let mut sessions = self.lock();
        let mut queued = 0;
        for user in recipients {
            let Some(slots) = sessions.get_mut(user) else { continue };
            slots.retain(|slot| match slot.tx.try_send(frame.clone()) {
                Ok(()) => {
                    queued += 1;
                    true
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::info!(user.id = %user, "WebSocket client fell behind; disconnecting it");
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
            if slots.is_empty() {
                sessions.remove(user);
            }
        }
        queued
    }

    /// Drops every session (each socket closes with 1013 and its client resumes).
    pub fn disconnect_all(&self) {
        self.lock().clear();
    }

    /// Subscribes to [`TOPIC`] (confirmed before this returns, so nothing published afterwards is
    /// missed) and spawns the task that dispatches what arrives.
    pub async fn start(&self, bus: &dyn Bus) -> anyhow::Result<()> {
        let rx = bus.subscribe(TOPIC).await?;
        tokio::spawn(self.clone().run(rx));
        Ok(())
    }

    async fn run(self, mut rx: broadcast::Receiver<String>) {
        loop {
            match rx.recv().await {
                Ok(payload) => match serde_json::from_str::<Envelope>(&payload) {
                    Ok(envelope) => match Frame::new(&envelope.event) {
                        Ok(frame) => {
                            self.dispatch(&envelope.recipients, frame);
                        }
                        Err(e) => tracing::error!(error = %e, "could not encode a chat event"),
                    },
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed chat envelope"),
                },
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "WebSocket hub fell behind the bus; disconnecting its clients to resume");
                    self.disconnect_all();
                }
                Err(broadcast::error::RecvError::Closed) => {
                    self.disconnect_all();
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: i64) -> Frame {
        Frame { text: n.to_string(), message: None }
    }

    #[test]
    fn a_full_queue_drops_the_session_and_others_keep_receiving() {
        let hub = Hub::new(2);
        let (slow, fast) = (Uuid::new_v4(), Uuid::new_v4());
        let mut slow_reg = hub.register(slow);
        let mut fast_reg = hub.register(fast);
        for n in 0..3 {
            hub.dispatch(&[slow, fast], frame(n));
            if let Ok(f) = fast_reg.rx.try_recv() {
                assert_eq!(f.text, n.to_string());
            }
        }
        assert_eq!(hub.connections(), 1);
        assert_eq!(slow_reg.rx.try_recv().unwrap().text, "0");
        assert_eq!(slow_reg.rx.try_recv().unwrap().text, "1");
        assert!(matches!(slow_reg.rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected)));
    }

    #[test]
    fn dropping_a_registration_leaves_the_hub() {
        let hub = Hub::new(4);
        let user = Uuid::new_v4();
        let a = hub.register(user);
        let _b = hub.register(user);
        assert_eq!(hub.dispatch(&[user], frame(1)), 2);
        drop(a);
        assert_eq!(hub.dispatch(&[user, Uuid::new_v4()], frame(2)), 1);
    }
}
