//! The append-only audit log: who did what, when, from where. The database refuses updates and
//! deletes of it (triggers in the migrations), so this module only ever inserts.

use super::{now_unix, Result};

/// One audit entry; `actor` is a user name or `operator:<login>` for command-line work.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor: &'a str,
    pub ip: Option<&'a str>,
    pub site_id: Option<i64>,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
}

pub async fn append<'e, E>(exec: E, e: &Entry<'_>) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, ip, site_id, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now_unix())
    .bind(e.actor)
    .bind(e.ip)
    .bind(e.site_id)
    .bind(e.action)
    .bind(e.target)
    .bind(e.detail)
    .execute(exec)
    .await?;
    Ok(())
}

/// Who runs a command-line operation, for the audit log.
pub fn operator() -> String {
    let user = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "unknown".into());
    format!("operator:{user}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub at: i64,
    pub actor: String,
    pub site_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl super::Store {
    /// Appends one entry on its own, for work that is not a database change (a site restored
    /// from what was published).
    pub async fn record(&self, e: &Entry<'_>) -> Result<()> {
        append(self.pool(), e).await
    }

    /// The newest `limit` entries, newest first.
    pub async fn audit_tail(&self, tenant: super::tenant::Tenant, limit: i64) -> Result<Vec<Record>> {
        use super::tenant::Tenant;
        use super::Cols;
        let sql = format!(
            "SELECT at, actor, site_id, action, target, detail FROM audit_log WHERE {only} ORDER BY id DESC LIMIT $1",
            only = Tenant::filter("site_id", 2)
        );
        let rows = sqlx::query(&sql).bind(limit).bind(tenant.param()).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(Record {
                    at: r.col("at")?,
                    actor: r.col("actor")?,
                    site_id: r.col("site_id")?,
                    action: r.col("action")?,
                    target: r.col("target")?,
                    detail: r.col("detail")?,
                })
            })
            .collect()
    }
}
