//! The 回收站: an editor deletes a draft (never published) or a withdrawn article; it leaves
//! every list and cannot be changed, and can be restored for `TRASH_DAYS` days. Nothing is
//! erased. Both moves are audited.

use super::*;
use crate::store::audit::{self, Entry};

impl Store {
    /// Moves an article to the 回收站. A live article must be withdrawn first, and one under
    /// review is left alone (both 409).
    pub async fn delete_article(&self, scope: Tenant, user: &User, id: i64, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (site_id, deleted) = locked_article(&mut tx, scope, id).await?;
        if deleted.is_some() {
            return Err(StoreError::Conflict("稿件已在回收站中".into()));
        }
        let row = sqlx::query(
            "SELECT a.status, w.state, COALESCE(w.title, l.title, '') AS title
             FROM articles a LEFT JOIN revisions w ON w.id = a.work_revision_id
             LEFT JOIN revisions l ON l.id = a.published_revision_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let (status, work, title): (String, Option<String>, String) =
            (row.col("status")?, row.col("state")?, row.col("title")?);
        if status == "published" {
            return Err(StoreError::Conflict("已发布的稿件不能删除，请先撤稿".into()));
        }
        if work.as_deref() == Some("submitted") {
            return Err(StoreError::Conflict("稿件正在审核中，不能删除".into()));
        }
        let now = now_unix();
        sqlx::query("UPDATE articles SET deleted_at = $1, deleted_by = $2 WHERE id = $3")
            .bind(now)
            .bind(&user.username)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        log(&mut tx, user, ip, site_id, "article.delete", id, &title, "删除到回收站").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes an article back out of the 回收站, as it was.
    pub async fn undelete_article(&self, scope: Tenant, user: &User, id: i64, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (site_id, deleted) = locked_article(&mut tx, scope, id).await?;
        let Some(deleted) = deleted else {
            return Err(StoreError::Conflict("稿件不在回收站中".into()));
        };
        if deleted <= now_unix() - TRASH_DAYS * 86_400 {
            return Err(StoreError::Conflict(format!("删除已超过 {TRASH_DAYS} 天，不能恢复")));
        }
        sqlx::query("UPDATE articles SET deleted_at = NULL, deleted_by = NULL, updated_at = $1 WHERE id = $2")
            .bind(now_unix())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let title: String = sqlx::query(
            "SELECT COALESCE(w.title, l.title, '') AS title FROM articles a
             LEFT JOIN revisions w ON w.id = a.work_revision_id LEFT JOIN revisions l ON l.id = a.published_revision_id
             WHERE a.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .col("title")?;
        log(&mut tx, user, ip, site_id, "article.undelete", id, &title, "从回收站恢复").await?;
        tx.commit().await?;
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn log(
    tx: &mut Transaction<'_, Any>,
    user: &User,
    ip: &str,
    site_id: i64,
    action: &str,
    id: i64,
    title: &str,
    detail: &str,
) -> Result<()> {
    let target = format!("article {id}: {title}");
    let entry = Entry { actor: &user.username, ip: Some(ip), site_id: Some(site_id), action, target: &target, detail };
    audit::append(&mut **tx, &entry).await
}
