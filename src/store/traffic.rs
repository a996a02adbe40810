//! Counts of the shared counter: written in batches once a second, read by the statistics.
//! Only aggregates are kept (views by page and hour, visitors by day, referring hosts by day).

use sqlx::Row;

use super::{Result, Store};

/// One flush, as rows: days are `YYYY-MM-DD` (Beijing time).
#[derive(Debug, Default)]
pub struct TrafficRows {
    /// (site id, day, hour, path, views to add)
    pub views: Vec<(i64, String, u8, String, u64)>,
    /// (site id, day, new visitors to add)
    pub visitors: Vec<(i64, String, u64)>,
    /// (site id, day, referring host, views to add)
    pub referrers: Vec<(i64, String, String, u64)>,
    /// (site id, path, title)
    pub titles: Vec<(i64, String, String)>,
}

/// Rows per INSERT: well under the bind-parameter limits of both backends.
const CHUNK: usize = 200;

/// Totals of a site over days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteTotals {
    pub views: i64,
    pub visitors: i64,
}

impl Store {
    /// Adds one flush to the counts, in one transaction.
    pub async fn write_traffic(&self, rows: &TrafficRows) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for chunk in rows.views.chunks(CHUNK) {
            let sql = upsert(
                "traffic_views (site_id, day, hour, path, views)",
                5,
                chunk.len(),
                "(site_id, day, hour, path) DO UPDATE SET views = traffic_views.views + excluded.views",
            );
            let mut q = sqlx::query(&sql);
            for (site, day, hour, path, n) in chunk {
                q = q.bind(site).bind(day).bind(i64::from(*hour)).bind(path).bind(*n as i64);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in rows.visitors.chunks(CHUNK) {
            let sql = upsert(
                "traffic_visitors (site_id, day, visitors)",
                3,
                chunk.len(),
                "(site_id, day) DO UPDATE SET visitors = traffic_visitors.visitors + excluded.visitors",
            );
            let mut q = sqlx::query(&sql);
            for (site, day, n) in chunk {
                q = q.bind(site).bind(day).bind(*n as i64);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in rows.referrers.chunks(CHUNK) {
            let sql = upsert(
                "traffic_referrers (site_id, day, host, views)",
                4,
                chunk.len(),
                "(site_id, day, host) DO UPDATE SET views = traffic_referrers.views + excluded.views",
            );
            let mut q = sqlx::query(&sql);
            for (site, day, host, n) in chunk {
                q = q.bind(site).bind(day).bind(host).bind(*n as i64);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in rows.titles.chunks(CHUNK) {
            let sql = upsert(
                "traffic_titles (site_id, path, title)",
                3,
                chunk.len(),
                "(site_id, path) DO UPDATE SET title = excluded.title",
            );
            let mut q = sqlx::query(&sql);
            for (site, path, title) in chunk {
                q = q.bind(site).bind(path).bind(title);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Views and visitors of a site from `from` to `to` (days, inclusive).
    pub async fn site_totals(&self, site_id: i64, from: &str, to: &str) -> Result<SiteTotals> {
        let views: Option<i64> = sqlx::query(
            "SELECT CAST(SUM(views) AS BIGINT) FROM traffic_views WHERE site_id = $1 AND day >= $2 AND day <= $3",
        )
        .bind(site_id)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?
        .get(0);
        let visitors: Option<i64> = sqlx::query(
            "SELECT CAST(SUM(visitors) AS BIGINT) FROM traffic_visitors WHERE site_id = $1 AND day >= $2 AND day <= $3",
        )
        .bind(site_id)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?
        .get(0);
        Ok(SiteTotals { views: views.unwrap_or(0), visitors: visitors.unwrap_or(0) })
    }

    /// All views of one page of a site, ever.
    pub async fn page_views(&self, site_id: i64, path: &str) -> Result<i64> {
        let n: Option<i64> =
            sqlx::query("SELECT CAST(SUM(views) AS BIGINT) FROM traffic_views WHERE site_id = $1 AND path = $2")
                .bind(site_id)
                .bind(path)
                .fetch_one(self.pool())
                .await?
                .get(0);
        Ok(n.unwrap_or(0))
    }

    /// Views by referring host of a site from `from` to `to`, most first.
    pub async fn site_referrers(&self, site_id: i64, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query(
            "SELECT host, CAST(SUM(views) AS BIGINT) AS n FROM traffic_referrers
             WHERE site_id = $1 AND day >= $2 AND day <= $3 GROUP BY host ORDER BY n DESC, host LIMIT 20",
        )
        .bind(site_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
    }
}

/// `INSERT INTO <table> VALUES ($1, …), (…) ON CONFLICT <conflict>` for `rows` rows of `width`.
fn upsert(table: &str, width: usize, rows: usize, conflict: &str) -> String {
    let mut sql = format!("INSERT INTO {table} VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * width + c + 1));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT ");
    sql.push_str(conflict);
    sql
}
