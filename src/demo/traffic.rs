//! A month of plausible visit statistics for the demo group, so that a newcomer's statistics
//! pages show a living group: the portal busiest, departments by size, towns quiet, fewer
//! readers at weekends and at night, a few outside referrers. Deterministic, and written only
//! on the first run of the demo group; the real counter adds to it from then on.
//!
//! Two town sites get no views at all yesterday, so that the console's zero-traffic notice
//! (and later the audit) has something real to show.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::group::model::SiteKind;
use crate::store::traffic::TrafficRows;

/// A site the statistics are made for.
pub struct TrafficSite<'a> {
    pub id: i64,
    pub kind: SiteKind,
    pub name: &'a str,
    /// (slug, name) of the site's columns.
    pub columns: Vec<(&'a str, &'a str)>,
}

/// Share of a working day's views in each hour (Beijing time), in thousandths.
const HOURS: [u32; 24] = [5, 3, 2, 2, 3, 6, 14, 32, 62, 78, 80, 70, 45, 48, 74, 78, 72, 60, 40, 36, 32, 28, 20, 10];
const REFERRERS: [(&str, u32); 4] = [("www.baidu.com", 24), ("www.gov.cn", 6), ("www.so.com", 4), ("cn.bing.com", 3)];

/// A small deterministic hash, so that every run writes the same demo figures.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Counts for the `days` days up to and including `last`; `quiet` sites have none on `last`.
pub fn demo_traffic(sites: &[TrafficSite], last: NaiveDate, days: u32, quiet: &[i64]) -> TrafficRows {
    let mut rows = TrafficRows::default();
    for site in sites {
        let base: u64 = match site.kind {
            SiteKind::Portal => 2400,
            SiteKind::Department => 120 + mix(site.id as u64) % 400,
            SiteKind::District => 300 + mix(site.id as u64) % 300,
            SiteKind::Town => 20 + mix(site.id as u64) % 60,
        };
        for back in 0..days {
            let Some(day) = last.checked_sub_days(chrono::Days::new(back as u64)) else { continue };
            if back == 0 && quiet.contains(&site.id) {
                continue;
            }
            let seed = mix(site.id as u64 * 1_000_003 + day.num_days_from_ce() as u64);
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let mut views = base * (80 + seed % 40) / 100;
            if weekend {
                views = views * 45 / 100;
            }
            // Spread over pages: the home page about a third, the rest over the columns.
            let mut pages: Vec<(String, String, u64)> = vec![("/".into(), site.name.to_string(), 35)];
            for (i, (slug, name)) in site.columns.iter().take(8).enumerate() {
                pages.push((format!("/{slug}/"), format!("{name} - {}", site.name), 20 / (i as u64 + 1) + 2));
            }
            let day_s = day.format("%Y-%m-%d").to_string();
            // Each view falls in a (page, hour) cell drawn by weight, so the cells add up to
            // the day's views exactly, small sites included.
            let cells: Vec<(usize, usize, u64)> = (0..pages.len())
                .flat_map(|p| HOURS.iter().enumerate().map(move |(h, share)| (p, h, *share as u64)))
                .map(|(p, h, share)| (p, h, share * pages[p].2))
                .collect();
            let mut cumulative = Vec::with_capacity(cells.len());
            let mut total = 0;
            for c in &cells {
                total += c.2;
                cumulative.push(total);
            }
            let mut counts = vec![0u64; cells.len()];
            for i in 0..views {
                let r = mix(seed ^ (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)) % total;
                counts[cumulative.partition_point(|&c| c <= r)] += 1;
            }
            let mut written = 0;
            for ((p, hour, _), n) in cells.iter().zip(counts) {
                if n > 0 {
                    rows.views.push((site.id, day_s.clone(), *hour as u8, pages[*p].0.clone(), n));
                    written += n;
                }
            }
            if written == 0 {
                continue;
            }
            rows.days.push((site.id, day_s.clone(), written, written * (50 + seed % 15) / 100));
            for (k, (host, share)) in REFERRERS.iter().enumerate() {
                let n = written * *share as u64 / 100 * (90 + mix(seed + k as u64) % 20) / 100;
                if n > 0 {
                    rows.referrers.push((site.id, day_s.clone(), host.to_string(), n));
                }
            }
            if back == 0 {
                rows.titles.extend(pages.iter().map(|(path, title, _)| (site.id, path.clone(), title.clone())));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_add_up_and_quiet_sites_are_quiet() {
        let sites = [
            TrafficSite { id: 1, kind: SiteKind::Portal, name: "门户", columns: vec![("gzdt", "工作动态")] },
            TrafficSite { id: 2, kind: SiteKind::Town, name: "某镇", columns: vec![("gzdt", "工作动态")] },
        ];
        let last = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let rows = demo_traffic(&sites, last, 30, &[2]);
        for (id, day, views, visitors) in &rows.days {
            let detail: u64 = rows.views.iter().filter(|r| r.0 == *id && &r.1 == day).map(|r| r.4).sum();
            assert_eq!(detail, *views, "the daily total is the sum of its pages and hours");
            assert!(visitors <= views);
        }
        assert!(rows.days.iter().any(|d| d.0 == 2 && d.1 == "2026-11-19"));
        assert!(!rows.days.iter().any(|d| d.0 == 2 && d.1 == "2026-11-20"), "quiet yesterday");
        assert!(rows.days.iter().any(|d| d.0 == 1 && d.1 == "2026-11-20"));
        assert_eq!(rows.days.len(), 59);
        assert_eq!(demo_traffic(&sites, last, 30, &[2]).views, rows.views, "deterministic");
    }
}
