//! Following publishes made on any node. Each `zhanqun serve` keeps its own index; the
//! publisher that ran a job updates its own at once, and every node re-indexes, from the
//! database, the articles of the search log's entries past the last one it applied
//! (`store::search_log`), every half second: a page approved on one node is found on the
//! others within a second or two.
//!
//! A node starts at the log's head after reconciling its index with the database, which covers
//! everything logged before (a late start, a crash, a node away for days); the reconciliation
//! every ten minutes stays as the safety net for what no job logs (imports, scheduled articles
//! falling due).

use std::sync::Arc;
use std::time::Duration;

use super::index::{Result, SearchIndex};
use super::sync;
use crate::store::Store;

/// How often the log is read.
pub const POLL: Duration = Duration::from_millis(500);

/// Entries applied per round trip.
const BATCH: i64 = 2000;

pub struct Follower {
    index: Arc<SearchIndex>,
    store: Store,
    /// The last entry applied.
    position: i64,
}

impl Follower {
    /// A follower that applies what is logged after `position` (the head read before the
    /// index was last reconciled).
    pub fn from(index: Arc<SearchIndex>, store: Store, position: i64) -> Self {
        Follower { index, store, position }
    }

    pub fn position(&self) -> i64 {
        self.position
    }

    /// Re-indexes the articles logged since the last round; returns how many. An entry is
    /// applied by reading the article's live state, so applying one twice does no harm.
    pub async fn catch_up(&mut self) -> Result<usize> {
        let mut applied = 0;
        loop {
            let entries = self.store.search_log_after(self.position, BATCH).await?;
            let Some(&(last, _)) = entries.last() else { return Ok(applied) };
            let mut ids: Vec<i64> = entries.iter().map(|&(_, id)| id).collect();
            ids.sort_unstable();
            ids.dedup();
            applied += ids.len();
            sync::refresh(&self.index, &self.store, ids).await?;
            self.position = last;
            if (entries.len() as i64) < BATCH {
                return Ok(applied);
            }
        }
    }
}
