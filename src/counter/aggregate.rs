//! Counting in memory, off the request path's way: hits land in one of several shards (by
//! visitor, so each visitor's state lives in one place), each behind its own lock; once a
//! second the flusher takes everything counted so far and writes it in one transaction.

use std::collections::hash_map::{Entry, RandomState};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard, RwLock};

/// Shards of the counts; more than cores, so that two requests rarely wait for each other.
const SHARDS: usize = 16;
/// A visitor's repeated views of one page within this many seconds count once.
pub const REPEAT_SECONDS: i64 = 10;
/// Views a visitor may add per minute across a site; beyond it they are ignored.
pub const VIEWS_PER_MINUTE: u32 = 120;
const BEIJING: i64 = crate::clock::BEIJING_OFFSET_SECONDS;
/// Visitors (of any site) remembered per day in one shard: 2 million across the shards, well
/// above a city group's daily readers. Past it, a flood of invented visitors (random
/// User-Agents) still counts as views, but no longer as visitors, and costs no more memory.
const MAX_SEEN_PER_SHARD: usize = 1 << 17;

/// Day number (days since 1970-01-01, Beijing time) and hour of a Unix time.
pub fn day_hour(unix: i64) -> (u32, u8) {
    let local = unix + BEIJING;
    ((local.div_euclid(86400)) as u32, (local.rem_euclid(86400) / 3600) as u8)
}

/// What happened to a hit that passed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    View,
    /// The same visitor and page again too soon, or too many views a minute.
    Limited,
}

/// One counted view, resolved to indexes by the caller.
pub struct View<'a> {
    pub site: u32,
    pub path: u32,
    pub title: &'a str,
    /// Referring host outside the group, or empty.
    pub referrer: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub unix: i64,
}

#[derive(Default)]
struct Shard {
    day: u32,
    pruned_at: i64,
    views: HashMap<(u32, u32, u32, u8), u64>,
    /// Visitors seen today per site (hashes, in memory only), and how many in all.
    seen: HashMap<u32, HashSet<u64>>,
    seen_count: usize,
    new_visitors: HashMap<(u32, u32), u64>,
    referrers: HashMap<(u32, u32, Box<str>), u64>,
    titles: HashMap<(u32, u32), Box<str>>,
    /// (visitor, site, path) → last counted second.
    last_view: HashMap<(u64, u32, u32), i64>,
    /// (visitor, site) → (minute, views in it).
    per_minute: HashMap<(u64, u32), (i64, u32)>,
}

/// Everything counted since the last take.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Batch {
    /// (site, path, day, hour) → views.
    pub views: HashMap<(u32, u32, u32, u8), u64>,
    /// (site, day) → visitors not seen before today.
    pub new_visitors: HashMap<(u32, u32), u64>,
    /// (site, day, referring host) → views.
    pub referrers: HashMap<(u32, u32, Box<str>), u64>,
    /// (site, path) → last reported title.
    pub titles: HashMap<(u32, u32), Box<str>>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.views.is_empty() && self.new_visitors.is_empty() && self.referrers.is_empty() && self.titles.is_empty()
    }

    pub fn total_views(&self) -> u64 {
        self.views.values().sum()
    }

    /// (site, day) → (views, new visitors): the daily rollup written beside the detail.
    pub fn days(&self) -> HashMap<(u32, u32), (u64, u64)> {
        let mut out: HashMap<(u32, u32), (u64, u64)> = HashMap::new();
        for (&(site, _, day, _), &n) in &self.views {
            out.entry((site, day)).or_default().0 += n;
        }
        for (&key, &n) in &self.new_visitors {
            out.entry(key).or_default().1 += n;
        }
        out
    }

    /// Adds `other` into this batch (a failed write is merged into the next one).
    pub fn merge(&mut self, other: Batch) {
        for (k, v) in other.views {
            *self.views.entry(k).or_default() += v;
        }
        for (k, v) in other.new_visitors {
            *self.new_visitors.entry(k).or_default() += v;
        }
        for (k, v) in other.referrers {
            *self.referrers.entry(k).or_default() += v;
        }
        self.titles.extend(other.titles);
    }
}

pub struct Aggregator {
    shards: Vec<Mutex<Shard>>,
    /// Today's salt: a keyed hash whose key lives only in memory and is replaced each day, so
    /// a visitor cannot be followed from one day to the next, nor recovered from a hash.
    salt: RwLock<(u32, RandomState)>,
}

impl Default for Aggregator {
    fn default() -> Self {
        Aggregator {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            salt: RwLock::new((0, RandomState::new())),
        }
    }
}

impl Aggregator {
    pub fn record(&self, v: View<'_>) -> Counted {
        let (day, hour) = day_hour(v.unix);
        let visitor = self.visitor(day, v.site, v.ip, v.user_agent);
        let mut s = lock(&self.shards[(visitor % SHARDS as u64) as usize]);
        if s.day != day {
            // A new day: yesterday's visitors and limits are of no use and must not linger.
            s.day = day;
            s.seen.clear();
            s.seen_count = 0;
            s.last_view.clear();
            s.per_minute.clear();
        }
        match s.last_view.entry((visitor, v.site, v.path)) {
            Entry::Occupied(mut e) if v.unix - *e.get() < REPEAT_SECONDS => {
                // Refreshes the window: hammering keeps it shut.
                *e.get_mut() = v.unix;
                return Counted::Limited;
            }
            Entry::Occupied(mut e) => *e.get_mut() = v.unix,
            Entry::Vacant(e) => {
                e.insert(v.unix);
            }
        }
        let minute = v.unix / 60;
        let m = s.per_minute.entry((visitor, v.site)).or_insert((minute, 0));
        if m.0 != minute {
            *m = (minute, 0);
        }
        m.1 += 1;
        if m.1 > VIEWS_PER_MINUTE {
            return Counted::Limited;
        }
        *s.views.entry((v.site, v.path, day, hour)).or_default() += 1;
        if s.seen_count < MAX_SEEN_PER_SHARD && s.seen.entry(v.site).or_default().insert(visitor) {
            s.seen_count += 1;
            *s.new_visitors.entry((v.site, day)).or_default() += 1;
        }
        if !v.referrer.is_empty() {
            *s.referrers.entry((v.site, day, v.referrer.into())).or_default() += 1;
        }
        if !v.title.is_empty() && s.titles.get(&(v.site, v.path)).is_none_or(|t| &**t != v.title) {
            s.titles.insert((v.site, v.path), v.title.into());
        }
        Counted::View
    }

    /// Takes everything counted so far, leaving today's visitors and the limits still in force
    /// at `now` in place.
    pub fn take(&self, now: i64) -> Batch {
        let mut out = Batch::default();
        for shard in &self.shards {
            let mut s = lock(shard);
            out.merge(Batch {
                views: std::mem::take(&mut s.views),
                new_visitors: std::mem::take(&mut s.new_visitors),
                referrers: std::mem::take(&mut s.referrers),
                titles: std::mem::take(&mut s.titles),
            });
            // Limits that can no longer refuse anything are dropped every few seconds, so that
            // memory follows the traffic of the last seconds, not of the whole day.
            if now - s.pruned_at >= REPEAT_SECONDS {
                s.pruned_at = now;
                s.last_view.retain(|_, &mut at| now - at < REPEAT_SECONDS);
                // A count of an earlier minute would be reset by the visitor's next view anyway.
                s.per_minute.retain(|_, m| m.0 >= now / 60);
            }
        }
        out
    }

    fn visitor(&self, day: u32, site: u32, ip: &str, user_agent: &str) -> u64 {
        {
            let salt = self.salt.read().unwrap_or_else(|p| p.into_inner());
            if salt.0 == day {
                return salt.1.hash_one((site, ip, user_agent));
            }
        }
        let mut salt = self.salt.write().unwrap_or_else(|p| p.into_inner());
        if salt.0 != day {
            *salt = (day, RandomState::new());
        }
        salt.1.hash_one((site, ip, user_agent))
    }
}

fn lock(m: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(ip: &str, path: u32, unix: i64) -> View<'_> {
        View { site: 0, path, title: "标题", referrer: "", ip, user_agent: "Mozilla/5.0 test", unix }
    }

    const NOON: i64 = 1_767_225_600 + 4 * 3600; // 2026-01-01 12:00 Beijing

    #[test]
    fn visitors_are_unique_within_a_day_and_not_across_days() {
        let a = Aggregator::default();
        assert_eq!(a.record(view("1.1.1.1", 0, NOON)), Counted::View);
        assert_eq!(a.record(view("1.1.1.1", 1, NOON + 1)), Counted::View);
        assert_eq!(a.record(view("2.2.2.2", 0, NOON + 2)), Counted::View);
        let b = a.take(NOON);
        assert_eq!(b.total_views(), 3);
        let today = day_hour(NOON).0;
        assert_eq!(b.new_visitors[&(0, today)], 2);
        // Same visitor, next day: a new visitor of that day.
        assert_eq!(a.record(view("1.1.1.1", 0, NOON + 86400)), Counted::View);
        let b = a.take(NOON);
        assert_eq!(b.new_visitors[&(0, today + 1)], 1);
        // Within the day, seen again: no new visitor.
        a.record(view("1.1.1.1", 1, NOON + 86400 + 60));
        assert!(a.take(NOON).new_visitors.is_empty());
    }

    #[test]
    fn hammering_one_page_counts_once() {
        let a = Aggregator::default();
        let counted = (0..50).filter(|i| a.record(view("3.3.3.3", 7, NOON + i / 10)) == Counted::View).count();
        assert_eq!(counted, 1);
        // After a quiet spell it counts again.
        assert_eq!(a.record(view("3.3.3.3", 7, NOON + 30)), Counted::View);
        // Limits that can no longer refuse anything are forgotten.
        a.record(view("5.5.5.5", 1, NOON + 100));
        a.take(NOON + 100);
        let kept: usize = a.shards.iter().map(|s| lock(s).last_view.len()).sum();
        assert_eq!(kept, 1, "only the latest visitor's limit is kept");
        // Many pages a minute: capped.
        let counted = (0..500).filter(|p| a.record(view("4.4.4.4", 100 + p, NOON + 40)) == Counted::View).count();
        assert_eq!(counted, VIEWS_PER_MINUTE as usize);
    }

    #[test]
    fn beijing_days_and_hours() {
        assert_eq!(day_hour(1_767_225_600 - 8 * 3600), (20454, 0)); // 2026-01-01 00:00 Beijing
        assert_eq!(day_hour(NOON).1, 12);
    }
}
