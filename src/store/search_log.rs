//! The search log: the articles each finished publish touched, in commit order, so that every
//! node's search index follows publishes made on any node (`search::follow`). Entries are
//! appended in the transaction that marks the jobs done, that is after the pages are live.
//!
//! A node reads the entries past the last one it applied. On PostgreSQL two transactions may
//! take sequence numbers in one order and commit in the other, and a reader between the two
//! commits would step over the earlier number for good; appends therefore hold a
//! transaction-scoped advisory lock, so numbers are taken in commit order. SQLite has one writer.

use sqlx::{Any, Transaction};

use super::{Backend, Cols, Result, Store};

/// The advisory lock appends to the log hold ("zhanqun" and 1).
const APPEND_LOCK: i64 = 0x7a68_616e_7175_6e01;

/// Entries kept: a node away for longer catches up by reconciling at start anyway.
pub const KEEP_SECONDS: i64 = 86_400;

/// Serialises appends to the log until the transaction ends (see the module comment).
pub(super) async fn lock_for_append(tx: &mut Transaction<'_, Any>, backend: Backend) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(APPEND_LOCK).execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// The number of the newest entry (0 for none).
    pub async fn search_log_head(&self) -> Result<i64> {
        sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM search_log").fetch_one(self.pool()).await?.col("seq")
    }

    /// Up to `limit` entries after `seq`, oldest first: (seq, article id).
    pub async fn search_log_after(&self, seq: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
        sqlx::query("SELECT seq, article_id FROM search_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.col("seq")?, r.col("article_id")?)))
            .collect()
    }

    /// Forgets entries written before `before` (Unix seconds); returns how many.
    pub async fn prune_search_log(&self, before: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("DELETE FROM search_log WHERE at < $1").bind(before).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}
