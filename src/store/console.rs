//! What the central office reads across the group: per-site figures, the dashboard counts,
//! and the audit log with its filters. Site admins read their own site's part of it.

use std::collections::HashMap;

use super::Cols;

use super::tenant::Tenant;
use super::{Result, Store};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SiteFigures {
    /// Published articles, a reference in a further column (引用) not counted again.
    pub published: i64,
    pub waiting: i64,
    pub drafts: i64,
    /// Unix seconds of the last change to a published article.
    pub last_update: Option<i64>,
    pub editors: i64,
    pub users: i64,
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Site code.
    pub site: String,
    pub actor: String,
    /// Prefix of the action, e.g. `login` or `article.`.
    pub action: String,
    pub from: String,
    pub to: String,
    pub page: Option<u32>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub ip: String,
    pub site: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

pub const AUDIT_PAGE: i64 = 50;

/// `YYYY-MM-DD` (China) → Unix seconds of its midnight.
fn day_start(s: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(crate::clock::start_of_day(d))
}

impl Store {
    /// Figures per site id for the sites of the scope.
    pub async fn site_figures(&self, scope: Tenant) -> Result<HashMap<i64, SiteFigures>> {
        let mut out: HashMap<i64, SiteFigures> = HashMap::new();
        for r in sqlx::query(&format!(
            "SELECT a.site_id,
                    SUM(CASE WHEN a.status = 'published' AND o.id IS NULL THEN 1 ELSE 0 END) AS published,
                    SUM(CASE WHEN w.state = 'submitted' THEN 1 ELSE 0 END) AS waiting,
                    SUM(CASE WHEN w.state IN ('draft', 'rejected') THEN 1 ELSE 0 END) AS drafts,
                    MAX(CASE WHEN a.status = 'published' THEN a.updated_at END) AS last_update
             FROM articles a LEFT JOIN revisions w ON w.id = a.work_revision_id
             LEFT JOIN articles o ON o.id = a.source_article_id AND o.site_id = a.site_id
             WHERE {only} AND a.deleted_at IS NULL GROUP BY a.site_id",
            only = Tenant::filter("a.site_id", 1)
        ))
        .bind(scope.param())
        .fetch_all(self.pool())
        .await?
        {
            let f = out.entry(r.col("site_id")?).or_default();
            f.published = r.col("published")?;
            f.waiting = r.col("waiting")?;
            f.drafts = r.col("drafts")?;
            f.last_update = r.col("last_update")?;
        }
        for r in sqlx::query(&format!(
            "SELECT site_id, SUM(CASE WHEN role = 'editor' THEN 1 ELSE 0 END) AS editors, COUNT(*) AS users FROM users
             WHERE site_id IS NOT NULL AND active = 1 AND {only} GROUP BY site_id",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(scope.param())
        .fetch_all(self.pool())
        .await?
        {
            let f = out.entry(r.col("site_id")?).or_default();
            f.editors = r.col("editors")?;
            f.users = r.col("users")?;
        }
        Ok(out)
    }

    /// Site id by code, within the scope.
    pub async fn site_id(&self, scope: Tenant, code: &str) -> Result<Option<i64>> {
        sqlx::query(&format!("SELECT id FROM sites WHERE code = $1 AND {only}", only = Tenant::filter("id", 2)))
            .bind(code)
            .bind(scope.param())
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.col("id"))
            .transpose()
    }

    /// Site code and name by id.
    pub async fn site_names(&self) -> Result<HashMap<i64, (String, String)>> {
        sqlx::query("SELECT id, code, name FROM sites")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.col("id")?, (r.col("code")?, r.col("name")?))))
            .collect()
    }

    /// Audit entries of the scope matching `f`, newest first; `limit` None for all (CSV).
    pub async fn audit_query(
        &self,
        scope: Tenant,
        f: &AuditFilter,
        limit: Option<i64>,
    ) -> Result<(Vec<AuditRow>, i64)> {
        let mut conds = vec![Tenant::filter("l.site_id", 1)];
        let mut binds: Vec<String> = Vec::new();
        if !f.site.is_empty() {
            binds.push(f.site.clone());
            conds.push(format!("s.code = ${}", binds.len() + 1));
        }
        if !f.actor.is_empty() {
            binds.push(f.actor.clone());
            conds.push(format!("l.actor = ${}", binds.len() + 1));
        }
        if !f.action.is_empty() {
            binds.push(format!("{}%", f.action.replace('%', "").replace('_', "\\_")));
            conds.push(format!("l.action LIKE ${} ESCAPE '\\'", binds.len() + 1));
        }
        if let Some(t) = day_start(&f.from) {
            conds.push(format!("l.at >= {t}"));
        }
        if let Some(t) = day_start(&f.to) {
            conds.push(format!("l.at < {}", t + 86_400));
        }
        let where_sql = conds.join(" AND ");
        let page = i64::from(f.page.unwrap_or(1).max(1));
        let tail = match limit {
            Some(n) => format!("LIMIT {n} OFFSET {}", (page - 1) * n),
            None => String::new(),
        };
        let sql = format!(
            "SELECT l.id, l.at, l.actor, COALESCE(l.ip, '') AS ip, COALESCE(s.code, '') AS site, l.action, l.target, l.detail
             FROM audit_log l LEFT JOIN sites s ON s.id = l.site_id WHERE {where_sql} ORDER BY l.id DESC {tail}"
        );
        let count_sql =
            format!("SELECT COUNT(*) AS n FROM audit_log l LEFT JOIN sites s ON s.id = l.site_id WHERE {where_sql}");
        let mut q = sqlx::query(&sql).bind(scope.param());
        let mut cq = sqlx::query(&count_sql).bind(scope.param());
        for b in &binds {
            q = q.bind(b);
            cq = cq.bind(b);
        }
        let rows = q
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(AuditRow {
                    id: r.col("id")?,
                    at: r.col("at")?,
                    actor: r.col("actor")?,
                    ip: r.col("ip")?,
                    site: r.col("site")?,
                    action: r.col("action")?,
                    target: r.col("target")?,
                    detail: r.col("detail")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((rows, cq.fetch_one(self.pool()).await?.col("n")?))
    }
}
