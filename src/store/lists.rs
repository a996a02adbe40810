//! Reading the column lists a window at a time, for a publish that re-renders only the list
//! pages a change touched. Every query walks the `articles_listed` index (column, list key)
//! of one column, so its cost follows the rows it returns (or counts), not the site.
//!
//! A list's order is the list key: (`list_at`, id), the published revision's time with the id
//! breaking ties. `now` is `YYYY-MM-DD HH:MM:SS`; scheduled articles whose time has not come
//! are not listed.

use super::published::{article_row, article_select, PublishedArticle};
use super::{Cols, Result, Store};

/// Where a job's article stands now, and whether it is live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleKey {
    pub id: i64,
    pub column: String,
    pub index_no: String,
    pub list_at: Option<String>,
    pub live: bool,
}

impl Store {
    /// The newest `limit` live articles of one column (its own, not its sub-columns'), newest
    /// first, without bodies.
    pub async fn list_head(&self, column_id: i64, now: &str, limit: usize) -> Result<Vec<PublishedArticle>> {
        let sql = format!(
            "{} WHERE a.column_id = $1 AND a.status = 'published' AND a.list_at <= $2
             ORDER BY a.list_at DESC, a.id DESC LIMIT $3",
            article_select("''", "")
        );
        let rows = sqlx::query(&sql).bind(column_id).bind(now).bind(limit as i64).fetch_all(self.pool()).await?;
        rows.iter().map(article_row).collect()
    }

    /// The pinned live articles of one column (its own), newest first, without bodies.
    pub async fn list_pinned(&self, column_id: i64, now: &str) -> Result<Vec<PublishedArticle>> {
        let sql = format!(
            "{} WHERE a.column_id = $1 AND a.status = 'published' AND a.list_at <= $2 AND a.pinned <> 0
             ORDER BY a.list_at DESC, a.id DESC",
            article_select("''", "")
        );
        let rows = sqlx::query(&sql).bind(column_id).bind(now).fetch_all(self.pool()).await?;
        rows.iter().map(article_row).collect()
    }

    /// How many live articles one column lists (its own).
    pub async fn list_len(&self, column_id: i64, now: &str) -> Result<usize> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM articles WHERE column_id = $1 AND status = 'published' AND list_at <= $2",
        )
        .bind(column_id)
        .bind(now)
        .fetch_one(self.pool())
        .await?
        .col("n")?;
        Ok(n as usize)
    }

    /// How many live articles of one column (its own) are listed at or after the key
    /// (`at`, `id`): what a change near the top of a list costs to place.
    pub async fn list_count_from(&self, column_id: i64, now: &str, at: &str, id: i64) -> Result<usize> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM articles WHERE column_id = $1 AND status = 'published' AND list_at <= $2
                AND (list_at > $3 OR (list_at = $3 AND id >= $4))",
        )
        .bind(column_id)
        .bind(now)
        .bind(at)
        .bind(id)
        .fetch_one(self.pool())
        .await?
        .col("n")?;
        Ok(n as usize)
    }

    /// Up to `limit` live articles of one column (its own) listed just before the key
    /// (`at`, `id`), newest first; or, with `from`, at or just after it, oldest first.
    pub async fn list_near(
        &self,
        column_id: i64,
        now: &str,
        (at, id): (&str, i64),
        from: bool,
        limit: usize,
    ) -> Result<Vec<PublishedArticle>> {
        let (cond, order) = if from {
            ("(a.list_at > $3 OR (a.list_at = $3 AND a.id >= $4))", "a.list_at, a.id")
        } else {
            ("(a.list_at < $3 OR (a.list_at = $3 AND a.id < $4))", "a.list_at DESC, a.id DESC")
        };
        let sql = format!(
            "{} WHERE a.column_id = $1 AND a.status = 'published' AND a.list_at <= $2 AND {cond}
             ORDER BY {order} LIMIT $5",
            article_select("''", "")
        );
        let rows = sqlx::query(&sql)
            .bind(column_id)
            .bind(now)
            .bind(at)
            .bind(id)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(article_row).collect()
    }

    /// The live articles of sitemap part (`year`, `n`): 索引号 serials n·1000 to n·1000+999.
    pub async fn listed_in_part(
        &self,
        site: &super::sites::SiteRow,
        now: &str,
        (year, n): (i32, i64),
    ) -> Result<Vec<PublishedArticle>> {
        let per = crate::content::metadata::SERIAL_BLOCK;
        let (lo, hi) = (n * per, n * per + per - 1);
        // By 索引号 alone, which is unique across the group: the part's rows are an index
        // range; the site and the time are checked on those rows.
        let sql = format!(
            "{} WHERE a.index_no >= $1 AND a.index_no <= $2",
            article_select("''", ", a.site_id, a.list_at, a.status AS state")
        );
        let rows = sqlx::query(&sql)
            .bind(crate::content::metadata::index_no(&site.org_code, year, lo))
            .bind(crate::content::metadata::index_no(&site.org_code, year, hi))
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let (site_id, list_at, state): (i64, Option<String>, String) =
                (r.col("site_id")?, r.col("list_at")?, r.col("state")?);
            let listed = state == "published" && list_at.is_some_and(|at| at.as_str() <= now);
            let a = article_row(r)?;
            // Serials of one part have as many digits each, so the range above is exact for
            // them; the check keeps it so for any other.
            if site_id == site.id && listed && crate::content::metadata::serial_block(&a.index_no) == Some((year, n)) {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// The last 索引号 serial of each year of a site.
    pub async fn index_serials(&self, site_id: i64) -> Result<Vec<(i32, i64)>> {
        sqlx::query("SELECT year, last_serial FROM index_serials WHERE site_id = $1 ORDER BY year")
            .bind(site_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.col::<i64>("year")? as i32, r.col("last_serial")?)))
            .collect()
    }

    /// Where each of `ids` stands now: its column, its list key, whether it is live.
    pub async fn article_keys(&self, ids: &[i64], now: &str) -> Result<Vec<ArticleKey>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = super::published::placeholders(1, ids.len());
        let sql = format!(
            "SELECT a.id, c.slug, a.index_no, a.list_at, a.status FROM articles a JOIN site_columns c ON c.id = a.column_id
             WHERE a.id IN ({list})"
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let list_at: Option<String> = r.col("list_at")?;
                let status: String = r.col("status")?;
                let live = status == "published" && list_at.as_deref().is_some_and(|at| at <= now);
                Ok(ArticleKey { id: r.col("id")?, column: r.col("slug")?, index_no: r.col("index_no")?, list_at, live })
            })
            .collect()
    }
}
