//! Infrastructure adapters: database connection, key-value store with TTL, pub/sub bus,
//! distributed locks and rate limits, blob storage. Each has an in-process or local implementation
//! (one instance, no other server) and a shared one (Redis, S3) for several instances. No business
//! rules live here.

pub mod blob_store;
pub mod bus;
pub mod db;
pub mod kv;
pub mod lock;
pub mod memory;
pub mod rate_limit;
pub mod redis_store;

use std::sync::Arc;

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::config::RedisSettings;

pub use blob_store::BlobStore;
pub use bus::Bus;
pub use kv::KvStore;
pub use lock::Locks;
pub use rate_limit::RateLimiter;

/// The shared backends chosen by configuration.
#[derive(Clone)]
pub struct Backends {
    /// Key-value store with TTL.
    pub kv: Arc<dyn KvStore>,
    /// Publish/subscribe bus.
    pub bus: Arc<dyn Bus>,
    /// Distributed locks over `kv`.
    pub locks: Locks,
    /// Fixed-window rate limits over `kv`.
    pub limiter: RateLimiter,
}

impl Backends {
    /// In-process backends when `redis.url` is empty, Redis otherwise.
    pub async fn connect(settings: &RedisSettings) -> anyhow::Result<Backends> {
        let url = settings.url.expose_secret();
        let (kv, bus): (Arc<dyn KvStore>, Arc<dyn Bus>) = if url.is_empty() {
            (Arc::new(memory::MemoryStore::new()), Arc::new(bus::InProcessBus::new()))
        } else {
            let client = redis::Client::open(url).context("redis.url is not a valid Redis URL")?;
            let store = redis_store::RedisStore::connect(client.clone(), &settings.key_prefix)
                .await
                .context("connecting to Redis (redis.url)")?;
            let bus = bus::RedisBus::start(client, store.connection(), &settings.key_prefix).await?;
            (Arc::new(store), Arc::new(bus))
        };
        Ok(Backends { locks: Locks::new(kv.clone()), limiter: RateLimiter::new(kv.clone()), kv, bus })
    }
}
