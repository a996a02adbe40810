//! The group's figures `/metrics` reports beside each node's own: read from the database, so
//! every node answers the same.

use super::{sql, Cols, Result, Store};

#[derive(Debug, Clone, Default)]
pub struct GroupFigures {
    /// Publish jobs due and not done.
    pub queued_jobs: i64,
    /// When the oldest of them fell due (Unix seconds).
    pub oldest_due: Option<i64>,
    /// Approvals ever recorded (each reviewer's approval of a revision).
    pub approvals: i64,
    /// Vetoes the latest daily audit found, when one ran.
    pub audit_vetoes: Option<i64>,
}

impl Store {
    pub async fn group_figures(&self, now: i64) -> Result<GroupFigures> {
        let queue = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(due_at) AS oldest FROM publish_jobs WHERE done_at IS NULL AND due_at <= $1",
        )
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        let approvals = sqlx::query("SELECT COUNT(*) AS n FROM review_steps WHERE decision = 'approve'")
            .fetch_one(self.pool())
            .await?;
        let vetoes = sqlx::query(&format!(
            "SELECT {} AS v FROM audit_results WHERE run_id = (SELECT MAX(id) FROM audit_runs)",
            sql::sum("vetoes")
        ))
        .fetch_one(self.pool())
        .await?;
        Ok(GroupFigures {
            queued_jobs: queue.col("n")?,
            oldest_due: queue.col("oldest")?,
            approvals: approvals.col("n")?,
            audit_vetoes: vetoes.col("v")?,
        })
    }
}
