//! Counts of the shared counter: written in batches once a second, read by the statistics.
//! Only aggregates are kept (views by page and hour, views and visitors by day, referring hosts
//! by day); days are `YYYY-MM-DD` in Beijing time, ranges inclusive. A site's statistics are
//! its administrators' and the central office's (a `Tenant`); the views shown in public footers
//! are public.

use std::collections::HashMap;

use super::sql::sum;
use super::tenant::Tenant;
use super::{insert_rows, Cols, Result, Store};

/// One flush, as rows: days are `YYYY-MM-DD` (Beijing time).
#[derive(Debug, Default)]
pub struct TrafficRows {
    /// (site id, day, hour, path, views to add)
    pub views: Vec<(i64, String, u8, String, u64)>,
    /// (site id, day, views to add, new visitors to add)
    pub days: Vec<(i64, String, u64, u64)>,
    /// (site id, day, referring host, views to add)
    pub referrers: Vec<(i64, String, String, u64)>,
    /// (site id, path, title)
    pub titles: Vec<(i64, String, String)>,
}

/// Totals of a site over days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteTotals {
    pub views: i64,
    pub visitors: i64,
}

impl Store {
    /// Adds one flush to the counts, in one transaction.
    pub async fn write_traffic(&self, rows: &TrafficRows) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_rows(
            &mut tx,
            "traffic_views (site_id, day, hour, path, views)",
            "ON CONFLICT (site_id, day, hour, path) DO UPDATE SET views = traffic_views.views + excluded.views",
            &rows.views,
            |q, (site, day, hour, path, n)| {
                q.bind(*site).bind(day.clone()).bind(i64::from(*hour)).bind(path.clone()).bind(*n as i64)
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            "traffic_days (site_id, day, views, visitors)",
            "ON CONFLICT (site_id, day) DO UPDATE SET views = traffic_days.views + excluded.views, \
             visitors = traffic_days.visitors + excluded.visitors",
            &rows.days,
            |q, (site, day, views, visitors)| {
                q.bind(*site).bind(day.clone()).bind(*views as i64).bind(*visitors as i64)
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            "traffic_referrers (site_id, day, host, views)",
            "ON CONFLICT (site_id, day, host) DO UPDATE SET views = traffic_referrers.views + excluded.views",
            &rows.referrers,
            |q, (site, day, host, n)| q.bind(*site).bind(day.clone()).bind(host.clone()).bind(*n as i64),
        )
        .await?;
        insert_rows(
            &mut tx,
            "traffic_titles (site_id, path, title)",
            "ON CONFLICT (site_id, path) DO UPDATE SET title = excluded.title",
            &rows.titles,
            |q, (site, path, title)| q.bind(*site).bind(path.clone()).bind(title.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Views and visitors of a site from `from` to `to` (days, inclusive).
    pub async fn site_totals(&self, tenant: Tenant, site_id: i64, from: &str, to: &str) -> Result<SiteTotals> {
        tenant.reach(site_id)?;
        let r = sqlx::query(&format!(
            "SELECT {} AS views, {} AS visitors FROM traffic_days WHERE site_id = $1 AND day >= $2 AND day <= $3",
            sum("views"),
            sum("visitors")
        ))
        .bind(site_id)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?;
        let (views, visitors): (Option<i64>, Option<i64>) = (r.col("views")?, r.col("visitors")?);
        Ok(SiteTotals { views: views.unwrap_or(0), visitors: visitors.unwrap_or(0) })
    }

    /// All views of one page of a site, ever.
    pub async fn page_views(&self, site_id: i64, path: &str) -> Result<i64> {
        let n: Option<i64> =
            sqlx::query(&format!("SELECT {} AS n FROM traffic_views WHERE site_id = $1 AND path = $2", sum("views")))
                .bind(site_id)
                .bind(path)
                .fetch_one(self.pool())
                .await?
                .col("n")?;
        Ok(n.unwrap_or(0))
    }

    /// Views by referring host of a site from `from` to `to`, most first, at most `limit`.
    pub async fn site_referrers(
        &self,
        tenant: Tenant,
        site_id: i64,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<(String, i64)>> {
        tenant.reach(site_id)?;
        sqlx::query(&format!(
            "SELECT host, {} AS n FROM traffic_referrers
             WHERE site_id = $1 AND day >= $2 AND day <= $3 GROUP BY host ORDER BY n DESC, host LIMIT $4",
            sum("views")
        ))
        .bind(site_id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.col("host")?, r.col("n")?)))
        .collect()
    }

    /// Views and visitors by site and day from `from` to `to`, of the tenant's sites; days
    /// without a view have no row.
    pub async fn traffic_days(&self, tenant: Tenant, from: &str, to: &str) -> Result<Vec<DayRow>> {
        sqlx::query(&format!(
            "SELECT site_id, day, views, visitors FROM traffic_days
             WHERE {only} AND day >= $2 AND day <= $3 ORDER BY site_id, day",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(tenant.param())
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(DayRow {
                site_id: r.col("site_id")?,
                day: r.col("day")?,
                views: r.col("views")?,
                visitors: r.col("visitors")?,
            })
        })
        .collect()
    }

    /// Views of a site by day and hour from `from` to `to`, in time order.
    pub async fn traffic_hours(
        &self,
        tenant: Tenant,
        site_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, u8, i64)>> {
        tenant.reach(site_id)?;
        sqlx::query(&format!(
            "SELECT day, hour, {} AS n FROM traffic_views
             WHERE site_id = $1 AND day >= $2 AND day <= $3 GROUP BY day, hour ORDER BY day, hour",
            sum("views")
        ))
        .bind(site_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.col("day")?, r.col::<i64>("hour")? as u8, r.col("n")?)))
        .collect()
    }

    /// Views of every page of a site from `from` to `to` with its last reported title, most
    /// viewed first. A site keeps at most the counter's bound of distinct paths, so this stays
    /// small enough to group by column in memory.
    pub async fn traffic_pages(&self, tenant: Tenant, site_id: i64, from: &str, to: &str) -> Result<Vec<PageRow>> {
        tenant.reach(site_id)?;
        sqlx::query(&format!(
            "SELECT v.path, COALESCE(t.title, '') AS title, v.n FROM
               (SELECT path, {} AS n FROM traffic_views
                WHERE site_id = $1 AND day >= $2 AND day <= $3 GROUP BY path) v
             LEFT JOIN traffic_titles t ON t.site_id = $1 AND t.path = v.path
             ORDER BY v.n DESC, v.path",
            sum("views")
        ))
        .bind(site_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok(PageRow { path: r.col("path")?, title: r.col("title")?, views: r.col("n")? }))
        .collect()
    }

    /// Views of each site ever, for the footers' 访问量.
    pub async fn all_time_views(&self) -> Result<HashMap<i64, i64>> {
        sqlx::query(&format!("SELECT site_id, {} AS n FROM traffic_days GROUP BY site_id", sum("views")))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.col("site_id")?, r.col("n")?)))
            .collect()
    }
}

/// One site's traffic on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRow {
    pub site_id: i64,
    pub day: String,
    pub views: i64,
    pub visitors: i64,
}

/// One page's views over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRow {
    pub path: String,
    pub title: String,
    pub views: i64,
}
