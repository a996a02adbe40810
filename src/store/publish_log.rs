//! The publish log: which site changed, by which job or full build, in commit order, so that a
//! node publishing into a folder of its own (`serve --own-folder`) renders into it every
//! publish made by any other node (`publish::follow`). Entries are appended in the
//! transaction that marks the jobs done, that is after the publishing node's pages are live,
//! under the same append lock as the search log (`search_log::lock_for_append`): numbers are
//! taken in commit order, so a reader never steps over an entry committed late.
//!
//! Each such node keeps its position in `folder_positions`, with the time it last confirmed
//! it. Entries are forgotten after `KEEP_SECONDS`; a node whose confirmation is older than
//! that may have missed some, and builds its folder whole instead of replaying.

use sqlx::{Any, Transaction};

use super::{Cols, Result, Store};

/// Entries kept: a node away for longer builds its folder whole when it comes back.
pub const KEEP_SECONDS: i64 = 7 * 86_400;

/// How far inside `KEEP_SECONDS` a confirmed position must be to be replayed from. A node
/// confirms after rendering what it read, and an entry's time is taken just before its
/// transaction: an entry it has not read yet may carry a time up to that long before the
/// confirmation.
const MARGIN_SECONDS: i64 = 3600;

/// One entry: `job` is None when the whole site was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub site_id: i64,
    pub job: Option<i64>,
    pub node: String,
}

/// Appends the job `job_id` (about to be marked done by `node`) to the log.
pub(super) async fn append_job(tx: &mut Transaction<'_, Any>, node: &str, job_id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO publish_log (site_id, job_id, node, at)
         SELECT site_id, id, $1, $2 FROM publish_jobs WHERE id = $3 AND done_at IS NULL",
    )
    .bind(node)
    .bind(now)
    .bind(job_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Appends a full build of the site `site_id` by `node` to the log.
pub(super) async fn append_site(tx: &mut Transaction<'_, Any>, node: &str, site_id: i64, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO publish_log (site_id, job_id, node, at) VALUES ($1, NULL, $2, $3)")
        .bind(site_id)
        .bind(node)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The number of the newest entry (0 for none).
    pub async fn publish_log_head(&self) -> Result<i64> {
        sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM publish_log").fetch_one(self.pool()).await?.col("seq")
    }

    /// Up to `limit` entries after `seq`, oldest first.
    pub async fn publish_log_after(&self, seq: i64, limit: i64) -> Result<Vec<Entry>> {
        sqlx::query("SELECT seq, site_id, job_id, node FROM publish_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Entry {
                    seq: r.col("seq")?,
                    site_id: r.col("site_id")?,
                    job: r.col("job_id")?,
                    node: r.col("node")?,
                })
            })
            .collect()
    }

    /// Forgets entries written before `before` (Unix seconds); returns how many.
    pub async fn prune_publish_log(&self, before: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("DELETE FROM publish_log WHERE at < $1").bind(before).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// The position `node` can replay its folder from at `now`: None when it never kept one
    /// or confirmed it too long ago (entries after it may be forgotten).
    pub async fn folder_position(&self, node: &str, now: i64) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT seq, at FROM folder_positions WHERE node = $1")
            .bind(node)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (seq, at): (i64, i64) = (row.col("seq")?, row.col("at")?);
        Ok((at >= now - KEEP_SECONDS + MARGIN_SECONDS).then_some(seq))
    }

    /// Records that `node`'s folder holds every entry up to `seq`, as seen at `now`.
    pub async fn keep_folder_position(&self, node: &str, seq: i64, now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO folder_positions (node, seq, at) VALUES ($1, $2, $3)
             ON CONFLICT (node) DO UPDATE SET seq = excluded.seq, at = excluded.at",
        )
        .bind(node)
        .bind(seq)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How far `node`'s own folder is behind, for `/metrics`: the entries of other nodes past
    /// its kept position, and when it last confirmed that position (None before its first).
    pub async fn folder_lag(&self, node: &str) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT p.at, (SELECT COUNT(*) FROM publish_log l WHERE l.seq > p.seq AND l.node <> p.node) AS behind
             FROM folder_positions p WHERE p.node = $1",
        )
        .bind(node)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.col("behind")?, r.col("at")?))).transpose()
    }
}
