//! Fixed-window rate limits: a counter per key that expires with its window.

use std::{sync::Arc, time::Duration};

use super::KvStore;

/// Counts events per key and window over the key-value store.
#[derive(Clone)]
pub struct RateLimiter {
    kv: Arc<dyn KvStore>,
}

/// The outcome of one counted event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Within the limit; `remaining` more are allowed in this window.
    Allowed {
        /// Events left in the window.
        remaining: u32,
    },
    /// Over the limit until the window ends.
    Limited {
        /// Seconds until the window ends (at least 1).
        retry_after_secs: u64,
    },
}

impl RateLimiter {
    /// Limits over `kv`.
    pub fn new(kv: Arc<dyn KvStore>) -> Self {
        Self { kv }
    }

    /// Counts one event for `key`; `limit` events are allowed per `window`.
    pub async fn hit(&self, key: &str, limit: u32, window: Duration) -> anyhow::Result<Decision> {
        let (count, left) = self.kv.incr(&format!("rl:{key}"), window).await?;
        Ok(decide(count, limit, left))
    }

    /// Whether `key` is already over `limit`, without counting an event.
    pub async fn check(&self, key: &str, limit: u32) -> anyhow::Result<Decision> {
        let key = format!("rl:{key}");
        let count = match self.kv.get(&key).await? {
            Some(v) => v.parse::<i64>().unwrap_or(0),
            None => 0,
        };
        let left = self.kv.ttl(&key).await?.unwrap_or_default();
        Ok(if count >= i64::from(limit) {
            Decision::Limited { retry_after_secs: left.as_secs().max(1) }
        } else {
            Decision::Allowed { remaining: u32::try_from(i64::from(limit) - count).unwrap_or(0) }
        })
    }

    /// Forgets the count for `key` (e.g. after a successful login).
    pub async fn reset(&self, key: &str) -> anyhow::Result<()> {
        self.kv.delete(&format!("rl:{key}")).await.map(|_| ())
    }
}

fn decide(count: i64, limit: u32, left: Duration) -> Decision {
    if count > i64::from(limit) {
        Decision::Limited { retry_after_secs: left.as_secs().max(1) }
    } else {
        Decision::Allowed { remaining: u32::try_from(i64::from(limit) - count).unwrap_or(0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_past_the_limit_is_refused() {
        let w = Duration::from_secs(30);
        assert_eq!(decide(1, 2, w), Decision::Allowed { remaining: 1 });
        assert_eq!(decide(2, 2, w), Decision::Allowed { remaining: 0 });
        assert_eq!(decide(3, 2, w), Decision::Limited { retry_after_secs: 30 });
        assert_eq!(decide(3, 2, Duration::ZERO), Decision::Limited { retry_after_secs: 1 });
    }
}
