//! The figures of a statistics request, shaped once for the JSON API, the admin pages and the
//! CSV exports alike: one site's report, the group's ranking, and the sites gone quiet.

use std::collections::HashMap;

use serde::Serialize;

use super::period::{Granularity, Period};
use crate::store::tenant::Tenant;
use crate::store::traffic::{DayRow, PageRow};
use crate::store::{Result, Store, StoreError};

/// Rows kept in the top lists.
pub const TOP: usize = 20;

/// A site as the statistics name it.
#[derive(Debug, Clone, Serialize)]
pub struct SiteRef {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub host: String,
}

/// A column a page path can belong to: pages live under `/<slug>/`.
#[derive(Debug, Clone)]
pub struct ColumnRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub views: i64,
    pub visitors: i64,
}

/// One point of a series: a day (`2026-11-21`) or an hour (`2026-11-21 08:00`). Visitors
/// are de-duplicated per day, so an hourly point has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Point {
    pub t: String,
    pub views: i64,
    pub visitors: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopPage {
    pub path: String,
    pub title: String,
    pub views: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopReferrer {
    /// Empty for direct visits and visits from the group's own sites.
    pub host: String,
    pub views: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnViews {
    /// Empty for the home page, `-` for pages outside any column (e.g. search results).
    pub slug: String,
    pub name: String,
    pub views: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub site: SiteRef,
    pub from: String,
    pub to: String,
    pub granularity: Granularity,
    pub totals: Totals,
    /// The same figures for the period of the same length just before.
    pub previous: Totals,
    pub series: Vec<Point>,
    pub top_pages: Vec<TopPage>,
    pub top_referrers: Vec<TopReferrer>,
    pub columns: Vec<ColumnViews>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub rank: usize,
    pub site: SiteRef,
    pub views: i64,
    pub visitors: i64,
    pub previous_views: i64,
    /// Views per day of the period, for a trend line per site.
    pub daily: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub from: String,
    pub to: String,
    pub totals: Totals,
    pub previous: Totals,
    /// The whole group by day.
    pub series: Vec<Point>,
    /// Most views first; ties by visitors, then in group order.
    pub rows: Vec<RankRow>,
}

/// Sites without a single view on `day`: a broken site or a beacon that no longer reports.
#[derive(Debug, Clone, Serialize)]
pub struct Quiet {
    pub day: String,
    /// Views of the whole group that day: when it is zero the counter itself is suspect.
    pub group_views: i64,
    pub sites: Vec<SiteRef>,
}

fn sum(rows: &[DayRow]) -> Totals {
    rows.iter().fold(Totals::default(), |t, r| Totals { views: t.views + r.views, visitors: t.visitors + r.visitors })
}

fn daily_series(period: &Period, rows: &[DayRow]) -> Vec<Point> {
    let mut by_day: HashMap<&str, Totals> = HashMap::new();
    for r in rows {
        let t = by_day.entry(r.day.as_str()).or_default();
        t.views += r.views;
        t.visitors += r.visitors;
    }
    period
        .days()
        .map(|d| {
            let t = d.format("%Y-%m-%d").to_string();
            let v = by_day.get(t.as_str()).copied().unwrap_or_default();
            Point { t, views: v.views, visitors: Some(v.visitors) }
        })
        .collect()
}

fn hourly_series(period: &Period, rows: &[(String, u8, i64)]) -> Vec<Point> {
    let by_hour: HashMap<(&str, u8), i64> = rows.iter().map(|(d, h, n)| ((d.as_str(), *h), *n)).collect();
    period
        .days()
        .flat_map(|d| {
            let day = d.format("%Y-%m-%d").to_string();
            (0..24u8)
                .map(|h| Point {
                    t: format!("{day} {h:02}:00"),
                    views: by_hour.get(&(day.as_str(), h)).copied().unwrap_or(0),
                    visitors: None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Views by column: a page belongs to the column its first path segment names.
fn by_column(pages: &[PageRow], columns: &[ColumnRef]) -> Vec<ColumnViews> {
    let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.slug.as_str(), i)).collect();
    let mut views = vec![0i64; columns.len()];
    let (mut home, mut other) = (0, 0);
    for p in pages {
        let first = p.path.trim_start_matches('/').split('/').next().unwrap_or_default();
        if p.path == "/" || first == "index.html" {
            home += p.views;
        } else if let Some(&i) = index.get(first) {
            views[i] += p.views;
        } else {
            other += p.views;
        }
    }
    let mut out: Vec<ColumnViews> = vec![ColumnViews { slug: String::new(), name: "首页".into(), views: home }];
    out.extend(columns.iter().zip(views).map(|(c, views)| ColumnViews {
        slug: c.slug.clone(),
        name: c.name.clone(),
        views,
    }));
    if other > 0 {
        out.push(ColumnViews { slug: "-".into(), name: "其他页面（检索等）".into(), views: other });
    }
    // Most viewed first; equal counts keep the order of the site's columns.
    out.sort_by_key(|c| std::cmp::Reverse(c.views));
    out
}

/// One site's report over `period`.
pub async fn site_report(
    store: &Store,
    tenant: Tenant,
    site: &SiteRef,
    columns: &[ColumnRef],
    period: &Period,
) -> Result<SiteReport> {
    let (from, to) = (period.from_str(), period.to_str());
    let prev = period.previous();
    let days = store.traffic_days(tenant.narrow(site.id).ok_or(StoreError::NotFound)?, &from, &to).await?;
    let previous = store.site_totals(tenant, site.id, &prev.from_str(), &prev.to_str()).await?;
    let series = match period.granularity {
        Granularity::Day => daily_series(period, &days),
        Granularity::Hour => hourly_series(period, &store.traffic_hours(tenant, site.id, &from, &to).await?),
    };
    let pages = store.traffic_pages(tenant, site.id, &from, &to).await?;
    let columns = by_column(&pages, columns);
    let top_referrers = store
        .site_referrers(tenant, site.id, &from, &to, TOP as i64)
        .await?
        .into_iter()
        .map(|(host, views)| TopReferrer { host, views })
        .collect();
    Ok(SiteReport {
        site: site.clone(),
        from,
        to,
        granularity: period.granularity,
        totals: sum(&days),
        previous: Totals { views: previous.views, visitors: previous.visitors },
        series,
        top_pages: pages
            .into_iter()
            .take(TOP)
            .map(|p| TopPage { path: p.path, title: p.title, views: p.views })
            .collect(),
        top_referrers,
        columns,
    })
}

/// Every site of `sites` ranked by views over `period` (by day, whatever its granularity).
pub async fn ranking(store: &Store, tenant: Tenant, sites: &[SiteRef], period: &Period) -> Result<Ranking> {
    let prev = period.previous();
    let days = store.traffic_days(tenant, &period.from_str(), &period.to_str()).await?;
    let before = store.traffic_days(tenant, &prev.from_str(), &prev.to_str()).await?;
    let mut per_site: HashMap<i64, Vec<DayRow>> = HashMap::new();
    for r in &days {
        per_site.entry(r.site_id).or_default().push(r.clone());
    }
    let mut previous_views: HashMap<i64, i64> = HashMap::new();
    for r in &before {
        *previous_views.entry(r.site_id).or_default() += r.views;
    }
    let mut rows: Vec<RankRow> = sites
        .iter()
        .map(|s| {
            let own = per_site.get(&s.id).map(Vec::as_slice).unwrap_or_default();
            let t = sum(own);
            RankRow {
                rank: 0,
                site: s.clone(),
                views: t.views,
                visitors: t.visitors,
                previous_views: previous_views.get(&s.id).copied().unwrap_or(0),
                daily: daily_series(period, own).into_iter().map(|p| p.views).collect(),
            }
        })
        .collect();
    // A stable sort keeps the group order among equals.
    rows.sort_by(|a, b| b.views.cmp(&a.views).then(b.visitors.cmp(&a.visitors)));
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    let in_group = |r: &&DayRow| sites.iter().any(|s| s.id == r.site_id);
    let days: Vec<DayRow> = days.iter().filter(in_group).cloned().collect();
    let before: Vec<DayRow> = before.iter().filter(in_group).cloned().collect();
    Ok(Ranking {
        from: period.from_str(),
        to: period.to_str(),
        totals: sum(&days),
        previous: sum(&before),
        series: daily_series(period, &days),
        rows,
    })
}

/// The sites of `sites` with no view at all on `day`.
pub async fn quiet_sites(store: &Store, tenant: Tenant, sites: &[SiteRef], day: chrono::NaiveDate) -> Result<Quiet> {
    let d = day.format("%Y-%m-%d").to_string();
    Ok(quiet_of(sites, d.clone(), &store.traffic_days(tenant, &d, &d).await?))
}

/// The same from the day's rows (`traffic_days` of `day`), for a caller that has them.
pub fn quiet_of(sites: &[SiteRef], day: String, rows: &[DayRow]) -> Quiet {
    let seen: HashMap<i64, i64> = rows.iter().map(|r| (r.site_id, r.views)).collect();
    Quiet {
        group_views: sites.iter().filter_map(|s| seen.get(&s.id)).sum(),
        sites: sites.iter().filter(|s| seen.get(&s.id).copied().unwrap_or(0) == 0).cloned().collect(),
        day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, views: i64) -> PageRow {
        PageRow { path: path.into(), title: String::new(), views }
    }

    #[test]
    fn pages_fall_into_their_columns() {
        let columns = vec![
            ColumnRef { slug: "gzdt".into(), name: "工作动态".into() },
            ColumnRef { slug: "tzgg".into(), name: "通知公告".into() },
        ];
        let pages = [
            page("/", 5),
            page("/gzdt/", 3),
            page("/gzdt/2026/11/12.html", 4),
            page("/search", 2),
            page("/tzgg/list_2.html", 1),
        ];
        let got: Vec<(String, i64)> = by_column(&pages, &columns).into_iter().map(|c| (c.name, c.views)).collect();
        assert_eq!(
            got,
            [("工作动态".into(), 7), ("首页".into(), 5), ("其他页面（检索等）".into(), 2), ("通知公告".into(), 1)]
        );
    }

    #[test]
    fn series_have_every_point_of_the_period() {
        let p = super::super::period::Period::parse(
            &super::super::period::PeriodQuery {
                from: "2026-11-01".into(),
                to: "2026-11-03".into(),
                ..Default::default()
            },
            chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        )
        .unwrap();
        let rows = [DayRow { site_id: 1, day: "2026-11-02".into(), views: 9, visitors: 4 }];
        let s = daily_series(&p, &rows);
        assert_eq!(s.iter().map(|p| p.views).collect::<Vec<_>>(), [0, 9, 0]);
        assert_eq!(s[1].visitors, Some(4));
        let h = hourly_series(&p, &[("2026-11-03".into(), 23, 7)]);
        assert_eq!(h.len(), 72);
        assert_eq!((h[71].t.as_str(), h[71].views, h[71].visitors), ("2026-11-03 23:00", 7, None));
    }
}
