//! Redis key-value store: shared by every instance, reconnecting through a `ConnectionManager`.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use redis::{aio::ConnectionManager, AsyncCommands, Script};

use super::KvStore;

/// Key-value store on Redis; every key gets the configured prefix.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
}

const INCR_WITH_TTL: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}";

const DELETE_IF_EQ: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

impl RedisStore {
    /// Connects (failing fast if Redis does not answer) and keeps reconnecting afterwards.
    pub async fn connect(client: redis::Client, prefix: &str) -> anyhow::Result<Self> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(3))
            .set_response_timeout(Duration::from_secs(3))
            .set_number_of_retries(3)
            .set_max_delay(2_000);
        let conn = tokio::time::timeout(Duration::from_secs(5), client.get_connection_manager_with_config(config))
            .await
            .context("Redis did not answer within 5 s")??;
        let store = Self { conn, prefix: prefix.to_owned() };
        store.ping().await?;
        Ok(store)
    }

    /// A handle on the shared connection (for publishing).
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl KvStore for RedisStore {
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self.conn.clone().get(self.key(key)).await?)
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let opts = redis::SetOptions::default().with_expiration(redis::SetExpiry::PX(millis(ttl)));
        let _: () = self.conn.clone().set_options(self.key(key), value, opts).await?;
        Ok(())
    }

    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<bool> {
        let opts = redis::SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(redis::SetExpiry::PX(millis(ttl)));
        let stored: Option<String> = self.conn.clone().set_options(self.key(key), value, opts).await?;
        Ok(stored.is_some())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<bool> {
        let n: i64 = self.conn.clone().del(self.key(key)).await?;
        Ok(n > 0)
    }

    async fn delete_if_eq(&self, key: &str, value: &str) -> anyhow::Result<bool> {
        let n: i64 =
            Script::new(DELETE_IF_EQ).key(self.key(key)).arg(value).invoke_async(&mut self.conn.clone()).await?;
        Ok(n > 0)
    }

    async fn incr(&self, key: &str, ttl: Duration) -> anyhow::Result<(i64, Duration)> {
        let (n, pttl): (i64, i64) =
            Script::new(INCR_WITH_TTL).key(self.key(key)).arg(millis(ttl)).invoke_async(&mut self.conn.clone()).await?;
        Ok((n, Duration::from_millis(u64::try_from(pttl).unwrap_or(0))))
    }

    async fn ttl(&self, key: &str) -> anyhow::Result<Option<Duration>> {
        let pttl: i64 = self.conn.clone().pttl(self.key(key)).await?;
        // -2: no key; -1: no expiry (never written by us).
        Ok(match pttl {
            -2 => None,
            n => Some(Duration::from_millis(u64::try_from(n).unwrap_or(0))),
        })
    }

    async fn ping(&self) -> anyhow::Result<()> {
        let pong: String = redis::cmd("PING").query_async(&mut self.conn.clone()).await?;
        anyhow::ensure!(pong == "PONG", "unexpected PING answer {pong:?}");
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "redis"
    }
}
