//! Key-value store with per-key time to live: sessions, one-time codes, counters, lock tokens.

use std::time::Duration;

use async_trait::async_trait;

/// A key-value store whose entries expire. Implementations prefix keys themselves.
#[async_trait]
pub trait KvStore: Send + Sync {
    /// The value, if present and not expired.
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>>;
    /// Stores a value that expires after `ttl`.
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()>;
    /// Stores only if absent; true when stored.
    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<bool>;
    /// Removes a key; true when it existed.
    async fn delete(&self, key: &str) -> anyhow::Result<bool>;
    /// Removes a key only while it holds `value` (atomic compare-and-delete).
    async fn delete_if_eq(&self, key: &str, value: &str) -> anyhow::Result<bool>;
    /// Adds one to a counter created with `ttl`; returns the new count and its remaining time.
    async fn incr(&self, key: &str, ttl: Duration) -> anyhow::Result<(i64, Duration)>;
    /// Remaining time to live of a key, if it exists.
    async fn ttl(&self, key: &str) -> anyhow::Result<Option<Duration>>;
    /// Checks the store answers.
    async fn ping(&self) -> anyhow::Result<()>;
    /// `memory` or `redis`, for logs and `/readyz`.
    fn backend(&self) -> &'static str;
}
