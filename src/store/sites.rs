//! Keeps the `sites` and `site_columns` tables in step with `sites/*.yaml`. Sites and columns
//! that disappear from the YAML are deactivated, never deleted, so their articles survive.

use std::collections::HashMap;

use super::Cols;

use super::{now_unix, Result, Store};
use crate::group::Group;

/// A site as the database knows it.
#[derive(Debug, Clone)]
pub struct SiteRow {
    pub id: i64,
    pub code: String,
    pub org_code: String,
    /// Column slug → column id.
    pub columns: HashMap<String, i64>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SyncReport {
    pub changed: usize,
    pub unchanged: usize,
    pub deactivated: usize,
}

impl Store {
    /// Brings sites and columns in line with the group; only sites whose YAML changed are written.
    pub async fn sync_group(&self, group: &Group) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let mut tx = self.begin_write().await?;
        let existing: HashMap<String, (String, i64)> = sqlx::query("SELECT code, config_json, active FROM sites")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.col::<String>("code")?, (r.col::<String>("config_json")?, r.col::<i64>("active")?))))
            .collect::<Result<_>>()?;
        let base: Vec<&str> = group.def.base_columns.iter().map(|c| c.slug.as_str()).collect();
        let now = now_unix();
        for site in &group.sites {
            // The group part matters too: a renamed base column changes every site.
            let config = serde_json::json!({ "site": &site.def, "host": &site.host, "base": &base }).to_string();
            let before = existing.get(site.code());
            if before.is_some_and(|(c, active)| *c == config && *active == 1) {
                report.unchanged += 1;
                continue;
            }
            report.changed += 1;
            let id: i64 = sqlx::query(
                "INSERT INTO sites (code, host, name, org_code, config_json, active, synced_at) VALUES ($1, $2, $3, $4, $5, 1, $6)
                 ON CONFLICT (code) DO UPDATE SET host = excluded.host, name = excluded.name, org_code = excluded.org_code,
                 config_json = excluded.config_json, active = 1, synced_at = excluded.synced_at RETURNING id",
            )
            .bind(site.code())
            .bind(&site.host)
            .bind(&site.def.name)
            .bind(&site.def.org_code)
            .bind(&config)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .col("id")?;
            sqlx::query("UPDATE site_columns SET active = 0 WHERE site_id = $1").bind(id).execute(&mut *tx).await?;
            for (pos, c) in site.def.columns.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO site_columns (site_id, slug, name, kind, parent_slug, position, is_base, active) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
                     ON CONFLICT (site_id, slug) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                     parent_slug = excluded.parent_slug, position = excluded.position, is_base = excluded.is_base, active = 1",
                )
                .bind(id)
                .bind(&c.slug)
                .bind(&c.name)
                .bind(c.kind.as_str())
                .bind(c.parent.as_deref())
                .bind(pos as i64)
                .bind(i64::from(base.contains(&c.slug.as_str())))
                .execute(&mut *tx)
                .await?;
            }
            // A site published before with other columns or names: every page's navigation
            // may differ, so the whole site is published again (by the running service's
            // publisher, or by the build that follows a command). A new site has no pages yet.
            if before.is_some() {
                sqlx::query("INSERT INTO publish_jobs (site_id, whole, due_at, created_at) VALUES ($1, 1, $2, $2)")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (code, (_, active)) in &existing {
            if *active == 1 && group.site(code).is_none() {
                sqlx::query("UPDATE sites SET active = 0 WHERE code = $1").bind(code).execute(&mut *tx).await?;
                report.deactivated += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Every active site with its active columns, by code.
    pub async fn site_rows(&self) -> Result<HashMap<String, SiteRow>> {
        let mut out: HashMap<String, SiteRow> = HashMap::new();
        let mut by_id: HashMap<i64, String> = HashMap::new();
        for r in sqlx::query("SELECT id, code, org_code FROM sites WHERE active = 1").fetch_all(self.pool()).await? {
            let (id, code): (i64, String) = (r.col("id")?, r.col("code")?);
            by_id.insert(id, code.clone());
            out.insert(code.clone(), SiteRow { id, code, org_code: r.col("org_code")?, columns: HashMap::new() });
        }
        for r in
            sqlx::query("SELECT site_id, slug, id FROM site_columns WHERE active = 1").fetch_all(self.pool()).await?
        {
            if let Some(site) = by_id.get(&r.col::<i64>("site_id")?).and_then(|code| out.get_mut(code)) {
                site.columns.insert(r.col("slug")?, r.col("id")?);
            }
        }
        Ok(out)
    }

    /// One active site with its active columns (what an import of that site needs).
    pub async fn site_row(&self, code: &str) -> Result<SiteRow> {
        let Some(r) = sqlx::query("SELECT id, org_code FROM sites WHERE code = $1 AND active = 1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?
        else {
            return Err(super::StoreError::Invalid(format!(
                "site `{code}` is not in the database; run `zhanqun check` and make sure sites/{code}.yaml exists"
            )));
        };
        let id: i64 = r.col("id")?;
        let columns = sqlx::query("SELECT slug, id FROM site_columns WHERE site_id = $1 AND active = 1")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|c| Ok((c.col("slug")?, c.col("id")?)))
            .collect::<Result<_>>()?;
        Ok(SiteRow { id, code: code.to_string(), org_code: r.col("org_code")?, columns })
    }

    /// Number of published articles, for the empty-database check on first run and the health
    /// answer; a copy (引用, an accepted 信息报送) is the same article again, not counted.
    pub async fn published_count(&self) -> Result<i64> {
        sqlx::query("SELECT COUNT(*) AS n FROM articles WHERE status = 'published' AND source_article_id IS NULL")
            .fetch_one(self.pool())
            .await?
            .col("n")
    }
}
