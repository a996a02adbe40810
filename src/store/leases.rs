//! Leases: which node does a piece of shared work now. Several `zhanqun serve` processes on
//! one PostgreSQL database each run every background loop; a loop whose work must happen once
//! (the daily audit, reminders, the mail queue, pruning, availability probes) takes its lease
//! first and skips the round when another node holds it. The holder renews it every round, so
//! it keeps the work while alive; a node that died leaves the work to another once the lease
//! has run out. On SQLite (one node) the same code always wins.

use super::{Result, Store};

/// The lease a running `serve` node renews every few seconds, as `node:<name>`: while it
/// holds, the node is alive; once it has run out, the publish jobs the node claimed are free
/// to take (`Store::claim_jobs`).
pub const HEARTBEAT: &str = "node:";

/// The heartbeat lease of `node`.
pub fn heartbeat(node: &str) -> String {
    format!("{HEARTBEAT}{node}")
}

impl Store {
    /// Takes the lease `name` for `node` until `now + seconds`, or renews it when `node` holds
    /// it already; true when `node` holds it afterwards. One statement on both backends, so
    /// two nodes asking at once cannot both win.
    pub async fn take_lease(&self, name: &str, node: &str, now: i64, seconds: i64) -> Result<bool> {
        let won = sqlx::query(
            "INSERT INTO leases (name, holder, until_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_at = excluded.until_at
             WHERE leases.holder = excluded.holder OR leases.until_at < $4
             RETURNING holder",
        )
        .bind(name)
        .bind(node)
        .bind(now + seconds)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(won.is_some())
    }

    /// Gives up every lease `node` holds (a clean shutdown), so another node takes the work at
    /// its next round instead of after the lease runs out.
    pub async fn release_leases(&self, node: &str) -> Result<()> {
        sqlx::query("DELETE FROM leases WHERE holder = $1").bind(node).execute(self.pool()).await?;
        Ok(())
    }

    /// Who holds `name` and until when (Unix seconds), for the operators' view and tests.
    pub async fn lease_holder(&self, name: &str) -> Result<Option<(String, i64)>> {
        use super::Cols;
        match sqlx::query("SELECT holder, until_at FROM leases WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?
        {
            Some(r) => Ok(Some((r.col("holder")?, r.col("until_at")?))),
            None => Ok(None),
        }
    }

    /// The names of the `serve` nodes whose heartbeat has not run out at `now`.
    pub async fn live_nodes(&self, now: i64) -> Result<Vec<String>> {
        use super::Cols;
        let rows = sqlx::query("SELECT name FROM leases WHERE name LIKE 'node:%' AND until_at >= $1 ORDER BY name")
            .bind(now)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| r.col::<String>("name").map(|n| n.trim_start_matches(HEARTBEAT).to_string())).collect()
    }
}
