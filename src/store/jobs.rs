//! The persisted publish queue. An approval or withdrawal writes its jobs in its own
//! transaction; the publisher runs the due ones and marks them done only after the pages are
//! swapped in, so a crash in between re-runs them (rendering is idempotent) and loses none.

use super::Cols;

use super::leases::HEARTBEAT;
use super::{now_unix, publish_log, search_log, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub site_id: i64,
    pub article_id: Option<i64>,
    /// A page that must disappear: a withdrawn article, or its URL before a move.
    pub old_path: Option<String>,
    /// A column whose lists showed the article before a move.
    pub old_column: Option<String>,
    /// The key (publish time) the article was listed under when the job was queued; None
    /// when it had never been published.
    pub old_list_at: Option<String>,
    pub due_at: i64,
    /// The whole site is published again (its columns or navigation changed).
    pub whole: bool,
}

/// How long a claimed job stays with its publisher; one that died holding it leaves the job
/// to any publisher after this. A publish takes milliseconds, a full site seconds.
pub const CLAIM_SECONDS: i64 = 300;

/// The columns `job` reads.
const COLUMNS: &str = "id, site_id, article_id, old_path, old_column, old_list_at, due_at, whole";

fn job(r: &sqlx::any::AnyRow) -> Result<Job> {
    Ok(Job {
        id: r.col("id")?,
        site_id: r.col("site_id")?,
        article_id: r.col("article_id")?,
        old_path: r.col("old_path")?,
        old_column: r.col("old_column")?,
        old_list_at: r.col("old_list_at")?,
        due_at: r.col("due_at")?,
        whole: r.flag("whole")?,
    })
}

impl Store {
    /// Claims the jobs due at `now` (Unix seconds) for the publisher `node`, oldest first:
    /// those nobody holds, those whose claim ran out, and those of a `serve` node whose
    /// heartbeat lease ran out (it died: its work is taken over in seconds, not after the
    /// claim's five minutes; see `leases::heartbeat`). On PostgreSQL the rows are locked
    /// with SKIP LOCKED, so publishers on several nodes each get different jobs without
    /// waiting on each other; SQLite has one writer, which is the lock.
    pub async fn claim_jobs(&self, node: &str, now: i64) -> Result<Vec<Job>> {
        let skip_locked = match self.backend() {
            super::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE publish_jobs SET claimed_by = $1, claimed_until = $2
             WHERE id IN (SELECT id FROM publish_jobs
                          WHERE done_at IS NULL AND due_at <= $3
                            AND (claimed_until IS NULL OR claimed_until < $3
                                 OR EXISTS (SELECT 1 FROM leases l
                                            WHERE l.name = '{HEARTBEAT}' || publish_jobs.claimed_by AND l.until_at < $3))
                          ORDER BY id LIMIT 1000 {skip_locked})
             RETURNING {COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&sql).bind(node).bind(now + CLAIM_SECONDS).bind(now).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut jobs: Vec<Job> = rows.iter().map(job).collect::<Result<_>>()?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    /// The publish jobs with these ids, done or not, oldest first (what a node with a folder
    /// of its own replays: `publish::follow`).
    pub async fn jobs_by_id(&self, ids: &[i64]) -> Result<Vec<Job>> {
        let mut jobs = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = super::published::placeholders(1, chunk.len());
            let sql = format!("SELECT {COLUMNS} FROM publish_jobs WHERE id IN ({list})");
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            for row in query.fetch_all(self.pool()).await? {
                jobs.push(job(&row)?);
            }
        }
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    /// Gives back claimed jobs that failed, so that the next run (of any publisher) retries
    /// them at once.
    pub async fn release_jobs(&self, ids: &[i64]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for id in ids {
            sqlx::query(
                "UPDATE publish_jobs SET claimed_by = NULL, claimed_until = NULL WHERE id = $1 AND done_at IS NULL",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Gives back what `node` held when it stopped (a restart after a crash), so that its
    /// jobs run at once instead of after their claim runs out.
    pub async fn release_claims(&self, node: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE publish_jobs SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1 AND done_at IS NULL",
        )
        .bind(node)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// When the next pending job falls due, if any is pending.
    pub async fn next_job_due(&self) -> Result<Option<i64>> {
        // A job another publisher holds is due again when its claim runs out, or just after
        // its node's heartbeat does if that comes first.
        sqlx::query(&format!(
            "SELECT MIN(CASE WHEN j.claimed_until IS NULL OR j.claimed_until <= j.due_at THEN j.due_at
                             WHEN l.until_at IS NOT NULL AND l.until_at < j.claimed_until THEN l.until_at + 1
                             ELSE j.claimed_until END) AS due
             FROM publish_jobs j LEFT JOIN leases l ON l.name = '{HEARTBEAT}' || j.claimed_by
             WHERE j.done_at IS NULL"
        ))
        .fetch_one(self.pool())
        .await?
        .col("due")
    }

    /// Marks jobs done by `node` once their pages are live, and logs them for every node's
    /// search index (`search_log`) and for the nodes with folders of their own (`publish_log`).
    pub async fn finish_jobs(&self, node: &str, ids: &[i64]) -> Result<()> {
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        search_log::lock_for_append(&mut tx, self.backend()).await?;
        for id in ids {
            publish_log::append_job(&mut tx, node, *id, now).await?;
            sqlx::query(
                "INSERT INTO search_log (article_id, at)
                 SELECT article_id, $1 FROM publish_jobs WHERE id = $2 AND done_at IS NULL AND article_id IS NOT NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE publish_jobs SET done_at = $1 WHERE id = $2 AND done_at IS NULL")
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
    /// The build's articles are logged for every node's search index, as a publish's are, and
    /// each site as built whole by `node` for the nodes with folders of their own.
    pub async fn finish_site_jobs(&self, node: &str, site_ids: &[i64], up_to: i64, built_at: i64) -> Result<()> {
        // Logged at the end of the build, not its start: a long build's entries must not look
        // older than the positions confirmed while it ran (`publish_log::MARGIN_SECONDS`).
        let now = now_unix();
        let mut tx = self.begin_write().await?;
        search_log::lock_for_append(&mut tx, self.backend()).await?;
        for id in site_ids {
            publish_log::append_site(&mut tx, node, *id, now).await?;
            sqlx::query(
                "INSERT INTO search_log (article_id, at)
                 SELECT article_id, $1 FROM publish_jobs
                 WHERE site_id = $2 AND done_at IS NULL AND due_at <= $1 AND id <= $3 AND article_id IS NOT NULL",
            )
            .bind(built_at)
            .bind(id)
            .bind(up_to)
            .execute(&mut *tx)
            .await?;
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
