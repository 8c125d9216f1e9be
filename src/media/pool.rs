//! The bounded decoding pool: at most `workers` images decode at once on blocking threads, at most
//! `queue` more wait, and anything beyond is refused at once so uploads cannot pile up in memory.

use std::sync::Arc;

use anyhow::Context;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::telemetry::spawn_blocking_with_tracing;

/// Admission to the pool and its worker slots.
#[derive(Clone)]
pub struct DecodePool {
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
    workers: usize,
    queue: usize,
}

/// A place in the pool (running or waiting), held from before the upload is read until its
/// processing ends; dropping it frees the place.
#[derive(Debug)]
#[must_use = "an admission is the right to use the pool"]
pub struct Admission {
    _permit: OwnedSemaphorePermit,
}

impl DecodePool {
    /// A pool of `workers` (at least one) with room for `queue` waiting jobs.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(workers.saturating_add(queue))),
            running: Arc::new(Semaphore::new(workers)),
            workers,
            queue,
        }
    }

    /// Takes a place if one is free; `None` means the pool is full (answer 503).
    pub fn try_admit(&self) -> Option<Admission> {
        self.admitted.clone().try_acquire_owned().ok().map(|p| Admission { _permit: p })
    }

    /// Waits for a worker slot, then runs `job` on a blocking thread. The admission and the slot
    /// are held by the job itself, so they stay taken until it really ends even if the caller
    /// gives up waiting.
    pub async fn run<T, F>(&self, admission: Admission, job: F) -> anyhow::Result<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = self.running.clone().acquire_owned().await.context("decode pool closed")?;
        spawn_blocking_with_tracing(move || {
            let _held = (admission, slot);
            job()
        })
        .await
        .context("decode job failed")
    }

    /// Worker slots.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Waiting places beyond the workers.
    pub fn queue(&self) -> usize {
        self.queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admissions_beyond_workers_plus_queue_are_refused_and_freed_on_drop() {
        let pool = DecodePool::new(1, 1);
        let a = pool.try_admit().unwrap();
        let b = pool.try_admit().unwrap();
        assert!(pool.try_admit().is_none());
        drop(a);
        let c = pool.try_admit().unwrap();
        assert_eq!(pool.run(b, || 2 + 2).await.unwrap(), 4);
        // `b` was released when its job ended.
        let _d = pool.try_admit().unwrap();
        drop(c);
    }

    #[test]
    fn zero_workers_means_one() {
        let pool = DecodePool::new(0, 0);
        assert_eq!((pool.workers(), pool.queue()), (1, 0));
        let _only = pool.try_admit().unwrap();
        assert!(pool.try_admit().is_none());
    }
}
