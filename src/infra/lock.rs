//! Distributed locks: `SET key token NX PX ttl`, released by compare-and-delete on the token,
//! so a lock that expired and was taken by someone else is never released by the old holder.

use std::{sync::Arc, time::Duration};

use super::KvStore;

/// Hands out named locks over the key-value store (in-process or Redis).
#[derive(Clone)]
pub struct Locks {
    kv: Arc<dyn KvStore>,
}

/// A held lock; release it with [`Locks::release`] (it also expires by itself).
#[derive(Debug)]
#[must_use = "a lock should be released when the work is done"]
pub struct LockGuard {
    key: String,
    token: String,
}

impl Locks {
    /// Locks over `kv`.
    pub fn new(kv: Arc<dyn KvStore>) -> Self {
        Self { kv }
    }

    /// Takes `name` for at most `ttl`, or returns `None` if someone holds it.
    pub async fn try_acquire(&self, name: &str, ttl: Duration) -> anyhow::Result<Option<LockGuard>> {
        let key = format!("lock:{name}");
        let token = uuid::Uuid::new_v4().to_string();
        Ok(self.kv.set_nx(&key, &token, ttl).await?.then_some(LockGuard { key, token }))
    }

    /// Releases a lock; false when it had already expired (and maybe been taken by another).
    pub async fn release(&self, guard: LockGuard) -> anyhow::Result<bool> {
        self.kv.delete_if_eq(&guard.key, &guard.token).await
    }
}
