//! The history of column changes made in the admin: who changed which site's columns, how
//! (in words), and the list before and after, so that the central office can veto a change.
//! The columns themselves live in the site's YAML file (`columns`).

use super::audit::{self, Entry};
use super::mailboxes::Actor;
use super::tenant::Tenant;
use super::{now_unix, Cols, Result, Store, StoreError};

/// One change as the column pages list it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ColumnChange {
    pub id: i64,
    pub site_id: i64,
    pub site_code: String,
    pub site_name: String,
    pub at: i64,
    pub actor: String,
    pub summary: String,
    #[serde(skip)]
    pub before_json: String,
    #[serde(skip)]
    pub after_json: String,
    pub vetoed_by: Option<String>,
    pub vetoed_at: Option<i64>,
    pub veto_reason: Option<String>,
}

const SELECT: &str = "SELECT c.id, c.site_id, s.code, s.name, c.at, c.actor, c.summary, c.before_json, c.after_json,
        c.vetoed_by, c.vetoed_at, c.veto_reason
    FROM column_changes c JOIN sites s ON s.id = c.site_id";

fn change_row(r: &sqlx::any::AnyRow) -> Result<ColumnChange> {
    Ok(ColumnChange {
        id: r.col("id")?,
        site_id: r.col("site_id")?,
        site_code: r.col("code")?,
        site_name: r.col("name")?,
        at: r.col("at")?,
        actor: r.col("actor")?,
        summary: r.col("summary")?,
        before_json: r.col("before_json")?,
        after_json: r.col("after_json")?,
        vetoed_by: r.col("vetoed_by")?,
        vetoed_at: r.col("vetoed_at")?,
        veto_reason: r.col("veto_reason")?,
    })
}

impl Store {
    /// Records a change already written to the site's file, with its audit entry.
    pub async fn record_column_change(
        &self,
        site_id: i64,
        by: Actor<'_>,
        summary: &str,
        before_json: &str,
        after_json: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO column_changes (site_id, at, actor, summary, before_json, after_json)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(site_id)
        .bind(now_unix())
        .bind(by.name)
        .bind(summary)
        .bind(before_json)
        .bind(after_json)
        .fetch_one(&mut *tx)
        .await?
        .col("id")?;
        let entry = Entry {
            actor: by.name,
            ip: by.ip,
            site_id: Some(site_id),
            action: "column.change",
            target: &format!("column change {id}"),
            detail: summary,
        };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The newest changes of the scope's sites (one site's when `site` is given), newest first.
    pub async fn column_changes(&self, scope: Tenant, site: Option<i64>, limit: i64) -> Result<Vec<ColumnChange>> {
        if let Some(id) = site {
            scope.reach(id)?;
        }
        let sql = format!(
            "{SELECT} WHERE {only} AND ($2 = 0 OR c.site_id = $2) ORDER BY c.id DESC LIMIT $3",
            only = Tenant::filter("c.site_id", 1)
        );
        sqlx::query(&sql)
            .bind(scope.param())
            .bind(site.unwrap_or(0))
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(change_row)
            .collect()
    }

    /// One change of the scope.
    pub async fn column_change(&self, scope: Tenant, id: i64) -> Result<ColumnChange> {
        let sql = format!("{SELECT} WHERE c.id = $1 AND {only}", only = Tenant::filter("c.site_id", 2));
        let row = sqlx::query(&sql).bind(id).bind(scope.param()).fetch_optional(self.pool()).await?;
        change_row(&row.ok_or(StoreError::NotFound)?)
    }

    /// Marks a change vetoed, once (a second veto is a conflict), with its audit entry. The
    /// caller has already put the list before back in place.
    pub async fn veto_column_change(&self, id: i64, by: Actor<'_>, reason: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE column_changes SET vetoed_by = $1, vetoed_at = $2, veto_reason = $3
             WHERE id = $4 AND vetoed_at IS NULL RETURNING site_id, summary",
        )
        .bind(by.name)
        .bind(now_unix())
        .bind(reason)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Conflict("这项栏目变更已被撤销".into()))?;
        let summary: String = row.col("summary")?;
        let entry = Entry {
            actor: by.name,
            ip: by.ip,
            site_id: Some(row.col("site_id")?),
            action: "column.veto",
            target: &format!("column change {id}"),
            detail: &format!("撤销栏目变更（{summary}）：{reason}"),
        };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }
}
