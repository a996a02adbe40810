//! The shared counter (统一计数器): the beacon on every page reports to `/hit`, which answers
//! 204 at once; counting happens in memory (`aggregate`) and reaches the database once a second
//! and on a graceful stop (`Counter::flush`). After `kill -9`, at most the last second of hits
//! is lost.
//!
//! `hit` checks what the beacon sent, `bots` tells readers from crawlers and prefetches,
//! `paths` knows which pages each site has (a hit for any other page is refused), `aggregate`
//! counts, `totals` serves each site's views ever to the footers.

pub mod aggregate;
pub mod bots;
pub mod hit;
pub mod paths;
pub mod totals;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use aggregate::{Aggregator, Batch, Counted, View};
use hit::{RawHit, Reject};
use paths::KnownPaths;

use crate::group::Group;
use crate::store::traffic::TrafficRows;
use crate::store::{Store, StoreError};

pub struct Counter {
    /// Site code → index into `ids` and `paths`.
    sites: HashMap<String, u32>,
    /// Site ids by index.
    ids: Vec<i64>,
    paths: Vec<KnownPaths>,
    /// Every host of the group: a referrer from one of them is not an outside source.
    own_hosts: std::collections::HashSet<String>,
    counts: Aggregator,
    /// A batch whose write failed, kept for the next flush.
    pending: Mutex<Batch>,
    /// Held across a whole flush, so that the flush at shutdown waits for one under way:
    /// otherwise the process could exit while that one's write is still in flight.
    flushing: tokio::sync::Mutex<()>,
    totals: totals::Totals,
}

impl Counter {
    /// A counter for the group's sites (`ids`: site code → database id), knowing each site's
    /// pages from its live release under `publish`.
    pub fn new(group: &Group, ids: &HashMap<String, i64>, publish: PathBuf) -> Counter {
        let mut sites = HashMap::new();
        let mut paths = Vec::new();
        let mut site_ids = Vec::new();
        for site in &group.sites {
            let Some(&id) = ids.get(site.code()) else { continue };
            let index = paths.len() as u32;
            sites.insert(site.code().to_string(), index);
            site_ids.push(id);
            paths.push(KnownPaths::new(publish.join(&site.host), &[group.def.search.path.as_str()]));
        }
        Counter {
            sites,
            ids: site_ids,
            paths,
            own_hosts: group.sites.iter().map(|s| s.host.to_ascii_lowercase()).collect(),
            counts: Aggregator::default(),
            pending: Mutex::new(Batch::default()),
            flushing: tokio::sync::Mutex::new(()),
            totals: totals::Totals::default(),
        }
    }

    /// Counts one hit from a reader at `ip` with `user_agent` at `unix` (seconds).
    pub fn record(&self, hit: &RawHit, ip: &str, user_agent: &str, unix: i64) -> Result<Counted, Reject> {
        let &site = self.sites.get(&hit.site).ok_or(Reject::UnknownSite)?;
        let known = &self.paths[site as usize];
        let path = known.id(&hit.path).ok_or(Reject::UnknownPath)?;
        let referrer = if self.own_hosts.contains(&hit.referrer_host) { "" } else { hit.referrer_host.as_str() };
        // The beacon's own title is ignored: anyone could rename a page in the statistics.
        let title = known.fresh_title(path, unix).unwrap_or_default();
        Ok(self.counts.record(View { site, path, title: &title, referrer, ip, user_agent, unix }))
    }

    /// Views of the site with `code` ever (at most a minute old), None for an unknown site.
    pub async fn site_total(&self, store: &Store, code: &str) -> Result<Option<i64>, StoreError> {
        let Some(&index) = self.sites.get(code) else { return Ok(None) };
        Ok(Some(self.totals.get(store, self.ids[index as usize]).await?))
    }

    /// Views of one published page of the site with `code` ever (at most a minute old); None
    /// for an unknown site or a path that is not one of its pages.
    pub async fn page_total(&self, store: &Store, code: &str, path: &str) -> Result<Option<i64>, StoreError> {
        let Some(&index) = self.sites.get(code) else { return Ok(None) };
        let Some(path) = hit::normalize_path(path) else { return Ok(None) };
        if self.paths[index as usize].id(&path).is_none() {
            return Ok(None);
        }
        Ok(Some(self.totals.page(store, self.ids[index as usize], &path).await?))
    }

    /// Writes everything counted so far in one transaction; on failure keeps it for the next
    /// call. Returns the number of views written.
    pub async fn flush(&self, store: &Store) -> Result<u64, StoreError> {
        let _one_at_a_time = self.flushing.lock().await;
        let mut batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        batch.merge(self.counts.take(crate::store::now_unix()));
        if batch.is_empty() {
            return Ok(0);
        }
        let views = batch.total_views();
        let rows = self.rows(&batch);
        match store.write_traffic(&rows).await {
            Ok(()) => Ok(views),
            Err(e) => {
                self.pending.lock().unwrap_or_else(|p| p.into_inner()).merge(batch);
                Err(e)
            }
        }
    }

    fn rows(&self, b: &Batch) -> TrafficRows {
        let day = |d: u32| {
            chrono::NaiveDate::from_num_days_from_ce_opt(d as i32 + 719_163)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let path = |site: u32, p: u32| self.paths[site as usize].name(p).unwrap_or_default();
        let id = |site: u32| self.ids[site as usize];
        TrafficRows {
            views: b.views.iter().map(|(&(s, p, d, h), &n)| (id(s), day(d), h, path(s, p), n)).collect(),
            days: b.days().into_iter().map(|((s, d), (views, visitors))| (id(s), day(d), views, visitors)).collect(),
            referrers: b.referrers.iter().map(|((s, d, host), &n)| (id(*s), day(*d), host.to_string(), n)).collect(),
            titles: b.titles.iter().map(|(&(s, p), t)| (id(s), path(s, p), t.to_string())).collect(),
        }
    }
}
