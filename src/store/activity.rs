//! What the inspection audit (`crate::audit`) reads of a site's work: live articles per column
//! with the newest date, and submissions waiting for review.

use super::tenant::Tenant;
use super::Cols;

use super::{Result, Store};

/// Live articles of one column (not counting sub-columns) and the newest one's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnActivity {
    pub slug: String,
    pub live: i64,
    /// `YYYY-MM-DD HH:MM:SS` of the newest live article.
    pub newest: Option<String>,
}

impl Store {
    /// Every column of the site with its live articles as of `now` (`YYYY-MM-DD HH:MM:SS`);
    /// columns without any have `live` 0.
    pub async fn column_activity(&self, tenant: Tenant, site_id: i64, now: &str) -> Result<Vec<ColumnActivity>> {
        tenant.reach(site_id)?;
        sqlx::query(
            "SELECT c.slug, COUNT(r.id) AS live, MAX(r.publish_at) AS newest FROM site_columns c
             LEFT JOIN articles a ON a.column_id = c.id AND a.status = 'published'
             LEFT JOIN revisions r ON r.id = a.published_revision_id AND r.publish_at <= $2
             WHERE c.site_id = $1 GROUP BY c.slug ORDER BY c.slug",
        )
        .bind(site_id)
        .bind(now)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok(ColumnActivity { slug: r.col("slug")?, live: r.col("live")?, newest: r.col("newest")? }))
        .collect()
    }

    /// Submissions of the site waiting for review: title and Unix seconds of the last step.
    pub async fn waiting_reviews(&self, tenant: Tenant, site_id: i64) -> Result<Vec<(String, i64)>> {
        tenant.reach(site_id)?;
        sqlx::query(
            "SELECT r.title, COALESCE(r.updated_at, r.created_at) AS at FROM articles a
             JOIN revisions r ON r.id = a.work_revision_id
             WHERE a.site_id = $1 AND r.state = 'submitted' ORDER BY r.updated_at",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.col("title")?, r.col("at")?)))
        .collect()
    }
}
