//! Shared backends as two instances see them: the same store, bus, locks and limits.
//! With `TEST_REDIS_URL` this is two Redis clients; without, one in-process backend shared.

use std::time::Duration;

use hazardline::infra::{rate_limit::Decision, Backends};
use secrecy::ExposeSecret;

use crate::helpers::test_settings;

/// Two "instances": separate Redis connections with the same prefix, or the same memory store.
async fn two_instances() -> (Backends, Backends) {
    let settings = test_settings();
    let a = Backends::connect(&settings.redis).await.unwrap();
    let b = if settings.redis.url.expose_secret().is_empty() {
        a.clone()
    } else {
        Backends::connect(&settings.redis).await.unwrap()
    };
    (a, b)
}

#[tokio::test]
async fn a_message_published_on_one_instance_reaches_subscribers_on_the_other() {
    let (a, b) = two_instances().await;
    let mut on_b = b.bus.subscribe("ticket:42").await.unwrap();
    let mut on_a = a.bus.subscribe("ticket:42").await.unwrap();
    a.bus.publish("ticket:42", "status:closed").await.unwrap();
    a.bus.publish("ticket:43", "not for you").await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(2), on_b.recv()).await.unwrap().unwrap();
    assert_eq!(got, "status:closed");
    let got = tokio::time::timeout(Duration::from_secs(2), on_a.recv()).await.unwrap().unwrap();
    assert_eq!(got, "status:closed");
}

#[tokio::test]
async fn a_lock_is_held_by_one_instance_at_a_time() {
    let (a, b) = two_instances().await;
    let held = a.locks.try_acquire("sla-scan", Duration::from_secs(10)).await.unwrap().unwrap();
    assert!(b.locks.try_acquire("sla-scan", Duration::from_secs(10)).await.unwrap().is_none());
    assert!(a.locks.release(held).await.unwrap());
    let again = b.locks.try_acquire("sla-scan", Duration::from_secs(10)).await.unwrap();
    assert!(again.is_some());
    b.locks.release(again.unwrap()).await.unwrap();
}

#[tokio::test]
async fn an_expired_lock_is_not_released_by_its_old_holder() {
    let (a, b) = two_instances().await;
    let old = a.locks.try_acquire("job", Duration::from_millis(50)).await.unwrap().unwrap();
    // Wait for expiry by polling the store rather than sleeping a guessed time.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let new = loop {
        if let Some(g) = b.locks.try_acquire("job", Duration::from_secs(10)).await.unwrap() {
            break g;
        }
        assert!(tokio::time::Instant::now() < deadline, "lock never expired");
        tokio::task::yield_now().await;
    };
    assert!(!a.locks.release(old).await.unwrap(), "the old holder must not free the new lock");
    assert!(a.locks.try_acquire("job", Duration::from_secs(10)).await.unwrap().is_none());
    b.locks.release(new).await.unwrap();
}

#[tokio::test]
async fn a_rate_limit_is_shared_across_instances() {
    let (a, b) = two_instances().await;
    let w = Duration::from_secs(60);
    assert_eq!(a.limiter.hit("k", 2, w).await.unwrap(), Decision::Allowed { remaining: 1 });
    assert_eq!(b.limiter.hit("k", 2, w).await.unwrap(), Decision::Allowed { remaining: 0 });
    assert!(
        matches!(a.limiter.hit("k", 2, w).await.unwrap(), Decision::Limited { retry_after_secs } if retry_after_secs <= 60)
    );
    b.limiter.reset("k").await.unwrap();
    assert_eq!(a.limiter.hit("k", 2, w).await.unwrap(), Decision::Allowed { remaining: 1 });
}

#[tokio::test]
async fn values_expire_and_set_nx_respects_them() {
    let (a, b) = two_instances().await;
    a.kv.set("session:x", "v1", Duration::from_secs(30)).await.unwrap();
    assert_eq!(b.kv.get("session:x").await.unwrap().as_deref(), Some("v1"));
    assert!(!b.kv.set_nx("session:x", "v2", Duration::from_secs(30)).await.unwrap());
    let ttl = b.kv.ttl("session:x").await.unwrap().unwrap();
    assert!(ttl <= Duration::from_secs(30) && ttl > Duration::from_secs(25), "{ttl:?}");
    assert!(b.kv.delete("session:x").await.unwrap());
    assert_eq!(a.kv.get("session:x").await.unwrap(), None);
}
