//! Stored runs of the central audit (`crate::audit`): each site's verdict and score per run,
//! with its findings, so that scores can be followed over time and new vetoes told apart.

use std::collections::HashMap;

use super::Cols;

use super::tenant::Tenant;
use super::{insert_rows, Result, Store};

/// One site's verdict in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteResult {
    pub site_id: i64,
    pub passed: bool,
    pub score: i64,
    pub vetoes: i64,
    pub deductions: i64,
    pub notices: i64,
}

/// One finding as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredFinding {
    pub site_id: i64,
    pub rule: String,
    pub severity: String,
    pub column: Option<String>,
    pub url: Option<String>,
    pub found: String,
    pub threshold: String,
}

/// (day, score, passed) of one site, oldest first.
pub type ScorePoint = (String, i64, bool);

/// One site's verdict from a row holding the columns of `audit_results`.
fn site_result(r: &sqlx::any::AnyRow) -> Result<SiteResult> {
    Ok(SiteResult {
        site_id: r.col("site_id")?,
        passed: r.flag("passed")?,
        score: r.col("score")?,
        vetoes: r.col("vetoes")?,
        deductions: r.col("deductions")?,
        notices: r.col("notices")?,
    })
}

/// A veto-class finding a reviewer confirmed in writing before the article went live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub rule: String,
    /// The words as written.
    pub found: String,
    pub reviewer: String,
    pub reason: String,
}

impl Store {
    /// The confirmed findings of every live article, by site id and article id: the audit shows
    /// them as reviewed, not as vetoes.
    pub async fn confirmed_findings(&self, tenant: Tenant) -> Result<HashMap<i64, HashMap<i64, Vec<Confirmed>>>> {
        let rows = sqlx::query(&format!(
            "SELECT a.site_id, a.id, rs.confirmation, rs.confirmed_findings, COALESCE(u.display_name, '') AS reviewer
             FROM articles a JOIN review_steps rs ON rs.revision_id = a.published_revision_id
             LEFT JOIN users u ON u.id = rs.reviewer_id
             WHERE a.status = 'published' AND rs.confirmed_findings <> '' AND {only}",
            only = Tenant::filter("a.site_id", 1)
        ))
        .bind(tenant.param())
        .fetch_all(self.pool())
        .await?;
        let mut out: HashMap<i64, HashMap<i64, Vec<Confirmed>>> = HashMap::new();
        for r in rows {
            let (site, article): (i64, i64) = (r.col("site_id")?, r.col("id")?);
            let (reason, listed, reviewer): (String, String, String) =
                (r.col("confirmation")?, r.col("confirmed_findings")?, r.col("reviewer")?);
            let list = out.entry(site).or_default().entry(article).or_default();
            for line in listed.lines() {
                if let Some((rule, found)) = line.split_once('\t') {
                    let c = Confirmed {
                        rule: rule.to_string(),
                        found: found.to_string(),
                        reviewer: reviewer.clone(),
                        reason: reason.clone(),
                    };
                    list.push(c);
                }
            }
        }
        Ok(out)
    }

    /// Stores a run in one transaction; returns its id.
    pub async fn save_audit_run(
        &self,
        day: &str,
        at: i64,
        source: &str,
        results: &[SiteResult],
        findings: &[StoredFinding],
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let run: i64 = sqlx::query("INSERT INTO audit_runs (day, at, source) VALUES ($1, $2, $3) RETURNING id")
            .bind(day)
            .bind(at)
            .bind(source)
            .fetch_one(&mut *tx)
            .await?
            .col("id")?;
        insert_rows(
            &mut tx,
            "audit_results (run_id, site_id, passed, score, vetoes, deductions, notices)",
            "",
            results,
            |q, r| {
                q.bind(run)
                    .bind(r.site_id)
                    .bind(i64::from(r.passed))
                    .bind(r.score)
                    .bind(r.vetoes)
                    .bind(r.deductions)
                    .bind(r.notices)
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            "audit_findings (run_id, site_id, rule, severity, column_slug, url, found, threshold)",
            "",
            findings,
            |q, f| {
                q.bind(run)
                    .bind(f.site_id)
                    .bind(f.rule.clone())
                    .bind(f.severity.clone())
                    .bind(f.column.clone())
                    .bind(f.url.clone())
                    .bind(f.found.clone())
                    .bind(f.threshold.clone())
            },
        )
        .await?;
        tx.commit().await?;
        Ok(run)
    }

    /// The newest run's id and day.
    pub async fn latest_audit_run(&self) -> Result<Option<(i64, String)>> {
        sqlx::query("SELECT id, day FROM audit_runs ORDER BY id DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await?
            .map(|r| Ok((r.col("id")?, r.col("day")?)))
            .transpose()
    }

    /// Each site's score in the last `runs` runs, oldest first.
    pub async fn score_trends(&self, runs: i64) -> Result<HashMap<i64, Vec<ScorePoint>>> {
        let mut out: HashMap<i64, Vec<ScorePoint>> = HashMap::new();
        for r in sqlx::query(
            "SELECT s.site_id, r.day, s.score, s.passed FROM audit_results s
             JOIN audit_runs r ON r.id = s.run_id
             WHERE s.run_id IN (SELECT id FROM audit_runs ORDER BY id DESC LIMIT $1)
             ORDER BY s.run_id",
        )
        .bind(runs)
        .fetch_all(self.pool())
        .await?
        {
            out.entry(r.col("site_id")?).or_default().push((r.col("day")?, r.col("score")?, r.flag("passed")?));
        }
        Ok(out)
    }

    /// Each site's verdict in run `run`.
    pub async fn run_results(&self, run: i64) -> Result<Vec<SiteResult>> {
        sqlx::query("SELECT site_id, passed, score, vetoes, deductions, notices FROM audit_results WHERE run_id = $1")
            .bind(run)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(site_result)
            .collect()
    }

    /// The findings of run `run` on the tenant's sites, in the order they were stored.
    pub async fn run_findings(&self, tenant: Tenant, run: i64) -> Result<Vec<StoredFinding>> {
        sqlx::query(&format!(
            "SELECT site_id, rule, severity, column_slug, url, found, threshold FROM audit_findings
             WHERE run_id = $1 AND {only}",
            only = Tenant::filter("site_id", 2)
        ))
        .bind(run)
        .bind(tenant.param())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(StoredFinding {
                site_id: r.col("site_id")?,
                rule: r.col("rule")?,
                severity: r.col("severity")?,
                column: r.col("column_slug")?,
                url: r.col("url")?,
                found: r.col("found")?,
                threshold: r.col("threshold")?,
            })
        })
        .collect()
    }

    /// The (site, rule, column) of every veto of run `run`.
    pub async fn run_vetoes(&self, run: i64) -> Result<Vec<(i64, String, Option<String>)>> {
        sqlx::query("SELECT site_id, rule, column_slug FROM audit_findings WHERE run_id = $1 AND severity = 'veto'")
            .bind(run)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.col("site_id")?, r.col("rule")?, r.col("column_slug")?)))
            .collect()
    }

    /// Every site's verdict in each run judged between `first` and `last` (days, inclusive),
    /// oldest run first: what a monthly report sums up.
    pub async fn results_between(&self, first: &str, last: &str) -> Result<Vec<(i64, String, SiteResult)>> {
        sqlx::query(
            "SELECT r.id, r.day, s.site_id, s.passed, s.score, s.vetoes, s.deductions, s.notices
             FROM audit_runs r JOIN audit_results s ON s.run_id = r.id
             WHERE r.day >= $1 AND r.day <= $2 ORDER BY r.id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.col("id")?, r.col("day")?, site_result(r)?)))
        .collect()
    }

    /// Keeps a site's check after a publish, replacing the one before.
    pub async fn save_publish_check(
        &self,
        tenant: Tenant,
        site_id: i64,
        at: i64,
        findings: &[StoredFinding],
    ) -> Result<()> {
        tenant.reach(site_id)?;
        let vetoes = findings.iter().filter(|f| f.severity == "veto").count() as i64;
        let json = serde_json::to_string(findings).map_err(|e| super::StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO publish_checks (site_id, at, vetoes, findings) VALUES ($1, $2, $3, $4)
             ON CONFLICT (site_id) DO UPDATE SET at = excluded.at, vetoes = excluded.vetoes, findings = excluded.findings",
        )
        .bind(site_id)
        .bind(at)
        .bind(vetoes)
        .bind(json)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A site's latest check after a publish: when, and its findings.
    pub async fn publish_check(&self, tenant: Tenant, site_id: i64) -> Result<Option<(i64, Vec<StoredFinding>)>> {
        tenant.reach(site_id)?;
        let Some(r) = sqlx::query("SELECT at, findings FROM publish_checks WHERE site_id = $1")
            .bind(site_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let findings = serde_json::from_str(&r.col::<String>("findings")?)
            .map_err(|e| super::StoreError::Invalid(e.to_string()))?;
        Ok(Some((r.col("at")?, findings)))
    }
}
