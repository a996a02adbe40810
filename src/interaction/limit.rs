//! Per-address rates for the public forms, in memory: a flood from one address is refused
//! with the time to wait, and everyone else goes on unaffected. Each node keeps its own
//! counts: behind `n` nodes an address gets at most `n` times each rate (tests/it/nodes.rs),
//! a bound kept on purpose, as the counts of every challenge and look-up would otherwise be a
//! database write.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// At most `max` events per `window` seconds for one key.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub max: usize,
    pub window: i64,
}

/// Submissions: a citizen rarely writes twice in ten minutes, never 20 times a day.
pub const SUBMIT: [Rate; 2] = [Rate { max: 5, window: 600 }, Rate { max: 20, window: 86_400 }];
/// Status look-ups, which also guard the query codes against guessing.
pub const LOOKUP: [Rate; 1] = [Rate { max: 30, window: 600 }];
/// Challenges, the cheap step before a submission.
pub const CHALLENGE: [Rate; 1] = [Rate { max: 60, window: 600 }];

/// Beyond this many keys, keys idle for a day are forgotten at the next check.
const PRUNE_AT: usize = 50_000;

#[derive(Default)]
pub struct Limiter {
    seen: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl Limiter {
    /// Records an event for `key` at `now` when every rate allows it; otherwise returns the
    /// seconds until it would.
    pub fn check(&self, key: &str, rates: &[Rate], now: i64) -> Result<(), i64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > PRUNE_AT {
            seen.retain(|_, times| times.back().is_some_and(|t| now - t < 86_400));
        }
        let times = seen.entry(key.to_string()).or_default();
        let longest = rates.iter().map(|r| r.window).max().unwrap_or(0);
        while times.front().is_some_and(|t| now - t >= longest) {
            times.pop_front();
        }
        let mut wait = 0;
        for r in rates {
            let recent: Vec<i64> = times.iter().copied().filter(|t| now - t < r.window).collect();
            if recent.len() >= r.max {
                wait = wait.max(recent[recent.len() - r.max] + r.window - now);
            }
        }
        if wait > 0 {
            return Err(wait);
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_refused_and_others_pass() {
        let l = Limiter::default();
        for i in 0..5 {
            assert_eq!(l.check("1.2.3.4", &SUBMIT, 1000 + i), Ok(()));
        }
        assert_eq!(l.check("1.2.3.4", &SUBMIT, 1010), Err(590));
        assert_eq!(l.check("5.6.7.8", &SUBMIT, 1010), Ok(()));
        // Ten minutes after the first, one more fits.
        assert_eq!(l.check("1.2.3.4", &SUBMIT, 1600), Ok(()));
        assert!(l.check("1.2.3.4", &SUBMIT, 1600).is_err());
    }

    #[test]
    fn the_daily_cap() {
        let l = Limiter::default();
        for i in 0..20 {
            assert_eq!(l.check("k", &SUBMIT, i * 700), Ok(()));
        }
        let now = 20 * 700;
        assert_eq!(l.check("k", &SUBMIT, now), Err(86_400 - now));
    }
}
