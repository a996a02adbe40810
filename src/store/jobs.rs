//! The persisted publish queue. An approval or withdrawal writes its jobs in its own
//! transaction; the publisher runs the due ones and marks them done only after the pages are
//! swapped in, so a crash in between re-runs them (rendering is idempotent) and loses none.

use super::Cols;

use super::{now_unix, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub site_id: i64,
    pub article_id: Option<i64>,
    /// A page that must disappear: a withdrawn article, or its URL before a move.
    pub old_path: Option<String>,
    /// A column whose lists showed the article before a move.
    pub old_column: Option<String>,
    pub due_at: i64,
}

impl Store {
    /// Jobs due at `now` (Unix seconds), oldest first.
    pub async fn due_jobs(&self, now: i64) -> Result<Vec<Job>> {
        sqlx::query(
            "SELECT id, site_id, article_id, old_path, old_column, due_at FROM publish_jobs
             WHERE done_at IS NULL AND due_at <= $1 ORDER BY id LIMIT 1000",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Job {
                id: r.col("id")?,
                site_id: r.col("site_id")?,
                article_id: r.col("article_id")?,
                old_path: r.col("old_path")?,
                old_column: r.col("old_column")?,
                due_at: r.col("due_at")?,
            })
        })
        .collect()
    }

    /// When the next pending job falls due, if any is pending.
    pub async fn next_job_due(&self) -> Result<Option<i64>> {
        sqlx::query("SELECT MIN(due_at) AS due FROM publish_jobs WHERE done_at IS NULL")
            .fetch_one(self.pool())
            .await?
            .col("due")
    }

    pub async fn finish_jobs(&self, ids: &[i64]) -> Result<()> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        for id in ids {
            sqlx::query("UPDATE publish_jobs SET done_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest job's id (0 for none): a full build notes it before reading the content.
    pub async fn last_job_id(&self) -> Result<i64> {
        sqlx::query("SELECT COALESCE(MAX(id), 0) AS id FROM publish_jobs").fetch_one(self.pool()).await?.col("id")
    }

    /// Marks the pending jobs of the given sites done that a full build started at `built_at`
    /// covered: those queued before it (id up to `up_to`) and due by then.
    pub async fn finish_site_jobs(&self, site_ids: &[i64], up_to: i64, built_at: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for id in site_ids {
            sqlx::query(
                "UPDATE publish_jobs SET done_at = $1 WHERE site_id = $2 AND done_at IS NULL AND due_at <= $1 AND id <= $3",
            )
            .bind(built_at)
            .bind(id)
            .bind(up_to)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
