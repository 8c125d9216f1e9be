//! External delivery channels (WeChat subscription messages in a later issue, SMS maybe): the
//! [`Channel`] trait, its errors and the per-application registry the worker pushes through.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use uuid::Uuid;

use super::Notice;

/// Why a channel could not deliver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again later (timeouts, rate limits, 5xx).
    #[error("retryable: {0}")]
    Retryable(String),
    /// Trying again will not help (the user unsubscribed, no binding); the push is dropped.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// A way to reach a user outside the app.
#[async_trait]
pub trait Channel: Send + Sync {
    /// A short name for logs, e.g. `wechat`.
    fn name(&self) -> &'static str;
    /// Pushes `notice` to `user`.
    async fn deliver(&self, user: Uuid, notice: &Notice) -> Result<(), DeliveryError>;
}

/// The channels of one application (none by default; each is tried for every push).
#[derive(Clone, Default)]
pub struct Channels {
    inner: Arc<RwLock<Vec<Arc<dyn Channel>>>>,
}

impl Channels {
    /// Adds a channel.
    pub fn register(&self, channel: Arc<dyn Channel>) {
        self.inner.write().unwrap_or_else(|p| p.into_inner()).push(channel);
    }

    /// The registered channels now.
    pub fn all(&self) -> Vec<Arc<dyn Channel>> {
        self.inner.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// A channel that only logs what it would push (development and tests).
#[derive(Debug, Default)]
pub struct LogChannel;

#[async_trait]
impl Channel for LogChannel {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn deliver(&self, user: Uuid, notice: &Notice) -> Result<(), DeliveryError> {
        tracing::info!(user.id = %user, outbox.id = %notice.id, kind = ?notice.kind, "notice pushed (log channel)");
        Ok(())
    }
}
