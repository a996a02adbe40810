//! The probes of the sites' home pages through the public web server (站点无法访问).

use super::tenant::Tenant;
use super::{Cols, Result, Store};

impl Store {
    pub async fn add_probe(
        &self,
        tenant: Tenant,
        site_id: i64,
        at: i64,
        family: &str,
        ok: bool,
        detail: &str,
    ) -> Result<()> {
        tenant.reach(site_id)?;
        sqlx::query("INSERT INTO availability_probes (site_id, at, family, ok, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(site_id)
            .bind(at)
            .bind(family)
            .bind(i64::from(ok))
            .bind(detail)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// (probes, failures) of a site after `since` (exclusive) up to `until` (inclusive).
    pub async fn probe_tally(&self, tenant: Tenant, site_id: i64, since: i64, until: i64) -> Result<(i64, i64)> {
        tenant.reach(site_id)?;
        let r = sqlx::query(
            "SELECT COUNT(*) AS probes, CAST(COALESCE(SUM(1 - ok), 0) AS BIGINT) AS failures FROM availability_probes
             WHERE site_id = $1 AND at > $2 AND at <= $3",
        )
        .bind(site_id)
        .bind(since)
        .bind(until)
        .fetch_one(self.pool())
        .await?;
        Ok((r.col("probes")?, r.col("failures")?))
    }

    /// Every probe of a site after `since`, oldest first: (at, ok, detail).
    pub async fn probes_since(&self, tenant: Tenant, site_id: i64, since: i64) -> Result<Vec<(i64, bool, String)>> {
        tenant.reach(site_id)?;
        sqlx::query("SELECT at, ok, detail FROM availability_probes WHERE site_id = $1 AND at > $2 ORDER BY at, id")
            .bind(site_id)
            .bind(since)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.col("at")?, r.col::<i64>("ok")? != 0, r.col("detail")?)))
            .collect()
    }
}
