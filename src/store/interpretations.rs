//! Links between a policy and the interpretations (政策解读) written about it, as the policy's
//! site sees them. Any published article of the group may name any policy it interprets, so
//! the policy's own site gets the last word on its page: it sees every interpretation that
//! points at it, under that interpretation's own title and site, and can take the link off
//! both pages.

use super::Cols;

use super::audit::{self, Entry};
use super::editorial::article_site;
use super::tenant::Tenant;
use super::users::User;
use super::workflow::add_job;
use super::{now_unix, Result, Store, StoreError};

/// One interpretation pointing at a policy.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InterpretationLink {
    pub id: i64,
    pub title: String,
    pub site_name: String,
    /// Whether the policy's site took the link off.
    pub refused: bool,
}

impl Store {
    /// The interpretations that name `policy_id`, with their live titles, oldest link first.
    pub async fn interpretations_of(&self, policy_id: i64) -> Result<Vec<InterpretationLink>> {
        let rows = sqlx::query(
            "SELECT i.id, COALESCE(r.title, '') AS title, s.name, l.refused_at IS NOT NULL AS refused
             FROM article_links l JOIN articles i ON i.id = l.interpretation_id JOIN sites s ON s.id = i.site_id
             LEFT JOIN revisions r ON r.id = i.published_revision_id
             WHERE l.policy_id = $1 ORDER BY i.id",
        )
        .bind(policy_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InterpretationLink {
                    id: r.col("id")?,
                    title: r.col("title")?,
                    site_name: r.col("name")?,
                    refused: r.flag("refused")?,
                })
            })
            .collect()
    }

    /// The policy's site takes an interpretation's link off the policy page (and the policy
    /// off the interpretation's page); both pages are published again. Removing a link that
    /// is not there, or is already off, changes nothing.
    pub async fn refuse_interpretation(
        &self,
        scope: Tenant,
        user: &User,
        policy_id: i64,
        interpretation_id: i64,
        ip: &str,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let site_id = article_site(&mut tx, scope, policy_id).await?;
        let now = now_unix();
        let done = sqlx::query(
            "UPDATE article_links SET refused_at = $1, refused_by = $2
             WHERE policy_id = $3 AND interpretation_id = $4 AND refused_at IS NULL",
        )
        .bind(now)
        .bind(&user.username)
        .bind(policy_id)
        .bind(interpretation_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if done {
            let other: i64 = sqlx::query("SELECT site_id FROM articles WHERE id = $1")
                .bind(interpretation_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?
                .col("site_id")?;
            add_job(&mut tx, site_id, Some(policy_id), None, None, now).await?;
            add_job(&mut tx, other, Some(interpretation_id), None, None, now).await?;
            let target = format!("article {policy_id}");
            let detail = format!("interpretation {interpretation_id}");
            let entry = Entry {
                actor: &user.username,
                ip: Some(ip),
                site_id: Some(site_id),
                action: "article.link.refuse",
                target: &target,
                detail: &detail,
            };
            audit::append(&mut *tx, &entry).await?;
        }
        tx.commit().await?;
        Ok(done)
    }
}
