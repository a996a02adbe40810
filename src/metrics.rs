//! What this node has done since it started, for `/metrics` (`web::metrics`): counts kept in
//! atomics by the paths that do the work, read without locks. Figures of the whole group
//! (queue depth, approvals, vetoes) are read from the database when scraped instead.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A count and a total duration, scraped as a Prometheus summary without quantiles
/// (`_count`, `_sum`): the mean over any window is `rate(sum) / rate(count)`.
pub struct Timed {
    count: AtomicU64,
    micros: AtomicU64,
}

impl Timed {
    const fn new() -> Self {
        Timed { count: AtomicU64::new(0), micros: AtomicU64::new(0) }
    }

    pub fn add(&self, took: Duration) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// (count, seconds).
    pub fn read(&self) -> (u64, f64) {
        (self.count.load(Ordering::Relaxed), self.micros.load(Ordering::Relaxed) as f64 / 1e6)
    }
}

pub struct Node {
    /// Publisher runs that published something, and how long each took.
    pub publish_runs: Timed,
    /// Publish jobs this node ran.
    pub publish_jobs: AtomicU64,
    /// Counter hits this node counted (repeats and refused hits are not).
    pub hits: AtomicU64,
    /// Searches this node answered, and how long each took.
    pub searches: Timed,
}

/// This process's figures.
pub static NODE: Node = Node {
    publish_runs: Timed::new(),
    publish_jobs: AtomicU64::new(0),
    hits: AtomicU64::new(0),
    searches: Timed::new(),
};

pub fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

pub fn read(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}
