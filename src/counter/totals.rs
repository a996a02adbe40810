//! Each site's views ever, for the 访问量 a footer may show, and each page's, for the 浏览次数
//! of an article. Every page view asks, so the sites' figures are read from the database at
//! most once a minute for all sites together, and a page's at most once a minute.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::{Store, StoreError};

/// How old the figure shown may be.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// Pages whose figure is kept; past this the kept figures are dropped and read again.
const MAX_PAGES: usize = 100_000;

#[derive(Default)]
pub struct Totals {
    cache: Mutex<Option<(Instant, HashMap<i64, i64>)>>,
    pages: Mutex<HashMap<(i64, String), (Instant, i64)>>,
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

    /// Views of the page at `path` of site `id` ever, at most `FRESH_FOR` old.
    pub async fn page(&self, store: &Store, id: i64, path: &str) -> Result<i64, StoreError> {
        let key = (id, path.to_string());
        if let Some((at, n)) = self.pages.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            if at.elapsed() < FRESH_FOR {
                return Ok(*n);
            }
        }
        let n = store.page_views(id, path).await?;
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, (Instant::now(), n));
        Ok(n)
    }
}
