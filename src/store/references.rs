//! 引用: a published article shown in further columns of its own site, one source. Each
//! reference is an article row of the same site in the other column (a copy, as an accepted
//! submission is) whose live revision is the source's: the other column lists it, its page
//! names the source page as canonical, and an edit or withdrawal at the source reaches it in
//! the same publish (`submissions::follow_edit`, `follow_withdrawal`). It is never edited
//! itself; taking it down leaves the source alone.

use super::audit::{self, Entry};
use super::editorial::article_site;
use super::mailboxes::Actor;
use super::submissions::{insert_copy, CopyPlace};
use super::{now_unix, Cols, Result, Store, StoreError};

/// A column an article is referenced in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Reference {
    /// The reference's own article row (the page in that column).
    pub id: i64,
    pub column: String,
    pub column_name: String,
}

impl Store {
    /// Shows published article `id` of the caller's site in `column` too. Refused for a column
    /// of another site or one that lists no articles (400), and for an article that is not
    /// online, is itself a reference or copy, or is already in that column (409).
    pub async fn reference_in(
        &self,
        scope: super::tenant::Tenant,
        by: Actor<'_>,
        id: i64,
        column: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let site = article_site(&mut tx, scope, id).await?;
        let source = sqlx::query(
            "SELECT a.status, a.column_id, a.source_article_id, a.published_revision_id, r.title, r.publish_at
             FROM articles a LEFT JOIN revisions r ON r.id = a.published_revision_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if source.col::<Option<i64>>("source_article_id")?.is_some() {
            return Err(StoreError::Conflict("这篇稿件本身是引用或报送采用的，请引用原稿件".into()));
        }
        if source.col::<String>("status")? != "published" {
            return Err(StoreError::Conflict("只有已发布的稿件才能引用到其他栏目".into()));
        }
        let target = sqlx::query("SELECT id, name, kind, active FROM site_columns WHERE site_id = $1 AND slug = $2")
            .bind(site)
            .bind(column)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("本站没有栏目“{column}”")))?;
        let (column_id, column_name, kind): (i64, String, String) =
            (target.col("id")?, target.col("name")?, target.col("kind")?);
        let shares = crate::group::model::ColumnKind::parse(&kind).is_some_and(|k| k.shares_articles());
        if target.col::<i64>("active")? == 0 || !shares {
            return Err(StoreError::Invalid(format!("栏目“{column_name}”不发布文章，不能引用到这里")));
        }
        if column_id == source.col::<i64>("column_id")? {
            return Err(StoreError::Conflict(format!("稿件本来就在“{column_name}”栏目")));
        }
        let title: String = source.col::<Option<String>>("title")?.unwrap_or_default();
        let publish_at: String = source.col::<Option<String>>("publish_at")?.unwrap_or_default();
        let revision: i64 = source.col("published_revision_id")?;
        // A reference has no 索引号 of its own: its page shows the source's.
        let into = CopyPlace { site_id: site, column_id, index_no: None };
        let taken = format!("稿件已引用到“{column_name}”栏目");
        let copy = insert_copy(&mut tx, into, id, revision, &publish_at, now_unix(), &taken).await?;
        let entry = Entry {
            actor: by.name,
            ip: by.ip,
            site_id: Some(site),
            action: "article.reference",
            target: &format!("article {id}: {title}"),
            detail: &format!("引用到“{column_name}”栏目"),
        };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(copy)
    }

    /// The columns of its own site an article is referenced in, online now.
    pub(super) async fn references_of(&self, id: i64) -> Result<Vec<Reference>> {
        sqlx::query(
            "SELECT c.id, cc.slug, cc.name FROM articles c JOIN articles a ON a.id = c.source_article_id
             JOIN site_columns cc ON cc.id = c.column_id
             WHERE c.source_article_id = $1 AND c.site_id = a.site_id AND c.status = 'published'
             ORDER BY cc.position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok(Reference { id: r.col("id")?, column: r.col("slug")?, column_name: r.col("name")? }))
        .collect()
    }
}
