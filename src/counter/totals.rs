//! Each site's views ever, for the 访问量 a footer may show. Every page view asks for it, so
//! it is read from the database at most once a minute for all sites together.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::{Store, StoreError};

/// How old the figure shown may be.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Totals {
    cache: Mutex<Option<(Instant, HashMap<i64, i64>)>>,
}

impl Totals {
    /// Views of site `id` ever, at most `FRESH_FOR` old.
    pub async fn get(&self, store: &Store, id: i64) -> Result<i64, StoreError> {
        if let Some((at, totals)) = &*self.cache.lock().unwrap_or_else(|p| p.into_inner()) {
            if at.elapsed() < FRESH_FOR {
                return Ok(totals.get(&id).copied().unwrap_or(0));
            }
        }
        // Two requests missing at once both read; the second write wins, which is as fresh.
        let totals = store.all_time_views().await?;
        let n = totals.get(&id).copied().unwrap_or(0);
        *self.cache.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), totals));
        Ok(n)
    }
}
