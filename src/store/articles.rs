//! Writing articles: the import path (legacy content loaded as published) with 索引号
//! allocation, revisions, content-addressed attachments and policy↔interpretation links.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use super::audit::{self, Entry};
use super::sites::SiteRow;
use super::{now_unix, Cols, Result, Store, StoreError};
use crate::content::attachment::Attachment;
use crate::content::import::{ImportItem, ImportStats};
use crate::content::metadata::index_no;

impl Store {
    /// Imports `items` into one site in one transaction: all of them or none.
    pub(super) async fn import_articles(
        &self,
        site: &SiteRow,
        items: &[ImportItem],
        actor: &str,
    ) -> Result<ImportStats> {
        let mut stats = ImportStats::default();
        let mut tx = self.begin_write().await?;
        // source_key → (article id, hash of its live revision, its last revision number)
        let existing: HashMap<String, (i64, String, i64)> = sqlx::query(
            "SELECT a.source_key, a.id, COALESCE(r.content_hash, '') AS live_hash,
                    (SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id = a.id) AS last_number
             FROM articles a LEFT JOIN revisions r ON r.id = a.published_revision_id
             WHERE a.site_id = $1 AND a.source_key IS NOT NULL",
        )
        .bind(site.id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.col::<String>("source_key")?, (r.col("id")?, r.col("live_hash")?, r.col("last_number")?))))
        .collect::<Result<_>>()?;
        let mut ids: HashMap<&str, i64> = HashMap::new();
        let now = now_unix();
        for item in items {
            let column_id = *site.columns.get(&item.column).ok_or_else(|| {
                StoreError::Invalid(format!("site {} has no column `{}`; run `zhanqun check`", site.code, item.column))
            })?;
            let hash = item.content_hash();
            for blob in item.attachments.iter().chain(item.cover.iter()) {
                put_blob(&mut tx, blob, now).await?;
            }
            let (article_id, number, action) = match existing.get(&item.source_key) {
                Some((id, old_hash, _)) if *old_hash == hash => {
                    stats.unchanged += 1;
                    ids.insert(&item.source_key, *id);
                    continue;
                }
                Some((id, _, last)) => {
                    stats.updated += 1;
                    (*id, last + 1, "import.update")
                }
                None => {
                    stats.created += 1;
                    let no = next_index_no(&mut tx, site, &item.publish_at).await?;
                    let id: i64 = sqlx::query(
                        "INSERT INTO articles (site_id, column_id, index_no, status, pinned, source_key, created_at, updated_at)
                         VALUES ($1, $2, $3, 'published', $4, $5, $6, $6) RETURNING id",
                    )
                    .bind(site.id)
                    .bind(column_id)
                    .bind(&no)
                    .bind(i64::from(item.pinned))
                    .bind(&item.source_key)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?
                    .col("id")?;
                    (id, 1, "import.create")
                }
            };
            ids.insert(&item.source_key, article_id);
            let rev_id = insert_revision(&mut tx, article_id, number, item, &hash, actor, now).await?;
            sqlx::query(
                "UPDATE articles SET published_revision_id = $1, column_id = $2, pinned = $3, status = 'published', updated_at = $4,
                    list_at = $5 WHERE id = $6",
            )
            .bind(rev_id)
            .bind(column_id)
            .bind(i64::from(item.pinned))
            .bind(now)
            .bind(&item.publish_at)
            .bind(article_id)
            .execute(&mut *tx)
            .await?;
            let detail = format!("revision {number}: {}", item.title);
            let entry =
                Entry { actor, ip: None, site_id: Some(site.id), action, target: &item.source_key, detail: &detail };
            audit::append(&mut *tx, &entry).await?;
        }
        link_interpretations(&mut tx, site, items, &ids).await?;
        tx.commit().await?;
        Ok(stats)
    }

    /// Source keys of a site's imported articles.
    pub(super) async fn source_keys(&self, site_id: i64) -> Result<Vec<String>> {
        sqlx::query("SELECT source_key FROM articles WHERE site_id = $1 AND source_key IS NOT NULL")
            .bind(site_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.col("source_key"))
            .collect()
    }
}

pub(crate) async fn put_blob(tx: &mut Transaction<'_, Any>, a: &Attachment, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO blobs (sha256, mime, size, data, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING")
        .bind(&a.sha256)
        .bind(a.mime)
        .bind(a.data.len() as i64)
        .bind(a.data.as_slice())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Allocates the next 索引号 of a site for the year of `publish_at`; atomic on both backends.
pub(crate) async fn next_index_no(tx: &mut Transaction<'_, Any>, site: &SiteRow, publish_at: &str) -> Result<String> {
    let year: i32 = publish_at.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let serial: i64 = sqlx::query(
        "INSERT INTO index_serials (site_id, year, last_serial) VALUES ($1, $2, 1)
         ON CONFLICT (site_id, year) DO UPDATE SET last_serial = index_serials.last_serial + 1 RETURNING last_serial",
    )
    .bind(site.id)
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?
    .col("last_serial")?;
    Ok(index_no(&site.org_code, year, serial))
}

async fn insert_revision(
    tx: &mut Transaction<'_, Any>,
    article_id: i64,
    number: i64,
    item: &ImportItem,
    hash: &str,
    actor: &str,
    now: i64,
) -> Result<i64> {
    let m = &item.meta;
    let id: i64 = sqlx::query(
        "INSERT INTO revisions (article_id, number, title, summary, body_md, publish_at, doc_number, issuer, written_date, topic,
         disclosure, validity, cover_sha256, content_hash, created_by, created_at, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(article_id)
    .bind(number)
    .bind(&item.title)
    .bind(&item.summary)
    .bind(&item.body_md)
    .bind(&item.publish_at)
    .bind(m.doc_number.as_deref())
    .bind(m.issuer.as_deref())
    .bind(m.written_date.as_deref())
    .bind(m.topic.as_deref())
    .bind(m.disclosure.as_str())
    .bind(m.validity.as_str())
    .bind(item.cover.as_ref().map(|c| c.sha256.as_str()))
    .bind(hash)
    .bind(actor)
    .bind(now)
    .bind(m.source.as_deref())
    .fetch_one(&mut **tx)
    .await?
    .col("id")?;
    for (pos, a) in item.attachments.iter().enumerate() {
        sqlx::query("INSERT INTO revision_attachments (revision_id, position, name, sha256) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(pos as i64)
            .bind(&a.name)
            .bind(&a.sha256)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

async fn link_interpretations(
    tx: &mut Transaction<'_, Any>,
    site: &SiteRow,
    items: &[ImportItem],
    ids: &HashMap<&str, i64>,
) -> Result<()> {
    for item in items.iter().filter(|i| i.interprets.is_some()) {
        let Some(&interp) = ids.get(item.source_key.as_str()) else {
            continue;
        };
        let key = item.interprets.as_deref().unwrap_or_default();
        let policy: Option<i64> = match ids.get(key) {
            Some(id) => Some(*id),
            None => sqlx::query("SELECT id FROM articles WHERE site_id = $1 AND source_key = $2")
                .bind(site.id)
                .bind(key)
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| r.col("id"))
                .transpose()?,
        };
        if let Some(policy) = policy {
            sqlx::query(
                "INSERT INTO article_links (policy_id, interpretation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(policy)
            .bind(interp)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}
