//! In-process key-value store: a map with expiry times, for a single instance.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use async_trait::async_trait;
use tokio::time::Instant;

use super::KvStore;

struct Entry {
    value: String,
    expires_at: Instant,
}

/// The in-process store. Expired entries vanish on access and in periodic sweeps.
#[derive(Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<String, Entry>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock cannot leave an entry half-written, so a poisoned
        // map is still consistent.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn live<'a>(map: &'a mut HashMap<String, Entry>, key: &str, now: Instant) -> Option<&'a mut Entry> {
        if map.get(key).is_some_and(|e| e.expires_at <= now) {
            map.remove(key);
        }
        map.get_mut(key)
    }

    fn insert(map: &mut HashMap<String, Entry>, key: &str, value: String, expires_at: Instant) {
        // Sweep now and then so keys that are never read again do not pile up.
        if map.len() >= 1024 && map.len().is_power_of_two() {
            let now = Instant::now();
            map.retain(|_, e| e.expires_at > now);
        }
        map.insert(key.to_owned(), Entry { value, expires_at });
    }
}

#[async_trait]
impl KvStore for MemoryStore {
    async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        let mut map = self.lock();
        Ok(Self::live(&mut map, key, Instant::now()).map(|e| e.value.clone()))
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        let mut map = self.lock();
        Self::insert(&mut map, key, value.to_owned(), Instant::now() + ttl);
        Ok(())
    }

    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<bool> {
        let now = Instant::now();
        let mut map = self.lock();
        if Self::live(&mut map, key, now).is_some() {
            return Ok(false);
        }
        Self::insert(&mut map, key, value.to_owned(), now + ttl);
        Ok(true)
    }

    async fn delete(&self, key: &str) -> anyhow::Result<bool> {
        let mut map = self.lock();
        let existed = Self::live(&mut map, key, Instant::now()).is_some();
        map.remove(key);
        Ok(existed)
    }

    async fn delete_if_eq(&self, key: &str, value: &str) -> anyhow::Result<bool> {
        let mut map = self.lock();
        match Self::live(&mut map, key, Instant::now()) {
            Some(e) if e.value == value => {
                map.remove(key);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn incr(&self, key: &str, ttl: Duration) -> anyhow::Result<(i64, Duration)> {
        let now = Instant::now();
        let mut map = self.lock();
        if let Some(e) = Self::live(&mut map, key, now) {
            let n = e.value.parse::<i64>().unwrap_or(0).saturating_add(1);
            e.value = n.to_string();
            return Ok((n, e.expires_at.saturating_duration_since(now)));
        }
        Self::insert(&mut map, key, "1".to_owned(), now + ttl);
        Ok((1, ttl))
    }

    async fn ttl(&self, key: &str) -> anyhow::Result<Option<Duration>> {
        let now = Instant::now();
        let mut map = self.lock();
        Ok(Self::live(&mut map, key, now).map(|e| e.expires_at.saturating_duration_since(now)))
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn entries_expire_with_their_ttl() {
        let s = MemoryStore::new();
        s.set("a", "1", Duration::from_secs(10)).await.unwrap();
        assert!(!s.set_nx("a", "2", Duration::from_secs(10)).await.unwrap());
        tokio::time::advance(Duration::from_secs(11)).await;
        assert_eq!(s.get("a").await.unwrap(), None);
        assert!(s.set_nx("a", "2", Duration::from_secs(10)).await.unwrap());
        assert_eq!(s.get("a").await.unwrap().as_deref(), Some("2"));
    }

    #[tokio::test(start_paused = true)]
    async fn counters_keep_their_first_expiry() {
        let s = MemoryStore::new();
        assert_eq!(s.incr("c", Duration::from_secs(60)).await.unwrap().0, 1);
        tokio::time::advance(Duration::from_secs(50)).await;
        let (n, left) = s.incr("c", Duration::from_secs(60)).await.unwrap();
        assert_eq!((n, left), (2, Duration::from_secs(10)));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(s.incr("c", Duration::from_secs(60)).await.unwrap().0, 1);
    }

    #[tokio::test]
    async fn compare_and_delete_only_removes_the_holders_value() {
        let s = MemoryStore::new();
        s.set("l", "mine", Duration::from_secs(5)).await.unwrap();
        assert!(!s.delete_if_eq("l", "theirs").await.unwrap());
        assert!(s.delete_if_eq("l", "mine").await.unwrap());
        assert!(!s.delete("l").await.unwrap());
    }
}
