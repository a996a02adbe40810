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

/// Values bound per multi-row statement. Binding costs grow with the square of a
/// statement's values (measured with sqlx on SQLite: 400 revisions of 17 values took 150 µs
/// a row, 16 took 24 µs), so statements stay small; a few hundred values already spread the
/// cost of a statement over its rows.
const VALUES_PER_STATEMENT: usize = 256;

/// Rows per statement for rows of `per_row` values.
fn batch(per_row: usize) -> usize {
    (VALUES_PER_STATEMENT / per_row).max(1)
}
/// Page cache of an import's transaction on SQLite, in KiB: enough for some 20,000 articles'
/// pages, bounded because the memory stays with the process after the import (with 256 MiB, a
/// benchmark that imported 151 sites and then built peaked at 860 MiB).
const IMPORT_CACHE_KIB: usize = 64 * 1024;

/// Files per multi-row statement: their bytes are bound too.
const FILE_BATCH: usize = 32;

/// One article an import writes: a new one, or a new revision of one imported before.
struct Write<'a> {
    item: &'a ImportItem,
    column_id: i64,
    hash: String,
    article: Option<i64>,
    number: i64,
    revision: i64,
}

/// `($n, $n+1, …), (…)` for `rows` rows of `per_row` values, the first numbered `$1`.
pub(super) fn values(rows: usize, per_row: usize, literal: impl Fn(usize) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(rows * per_row * 5);
    let mut n = 0;
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..per_row {
            if c > 0 {
                out.push_str(", ");
            }
            match literal(c) {
                Some(text) => out.push_str(text),
                None => {
                    n += 1;
                    out.push_str(&format!("${n}"));
                }
            }
        }
        out.push(')');
    }
    out
}

impl Store {
    /// Imports `items` into one site in one transaction: all of them or none. The rows go in
    /// with multi-row statements, a few hundred at a time, and the audit log gets one entry
    /// with the counts.
    pub(super) async fn import_articles(
        &self,
        site: &SiteRow,
        items: &[ImportItem],
        actor: &str,
    ) -> Result<ImportStats> {
        let mut stats = ImportStats::default();
        let mut column_ids = Vec::with_capacity(items.len());
        for item in items {
            column_ids.push(*site.columns.get(&item.column).ok_or_else(|| {
                StoreError::Invalid(format!("site {} has no column `{}`; run `zhanqun check`", site.code, item.column))
            })?);
        }
        let mut tx = self.begin_write().await?;
        let sqlite = self.backend() == super::Backend::Sqlite;
        if sqlite {
            // SQLite's default 2 MB page cache spilled the transaction's pages to the WAL again
            // and again; the import holds them until it commits instead.
            sqlx::query(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")).execute(&mut *tx).await?;
        }
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
        let now = now_unix();

        let mut ids: HashMap<&str, i64> = HashMap::new();
        let mut writes: Vec<Write> = Vec::new();
        for (item, &column_id) in items.iter().zip(&column_ids) {
            let hash = item.hash.clone();
            let (article, number) = match existing.get(&item.source_key) {
                Some((id, old_hash, _)) if *old_hash == hash => {
                    stats.unchanged += 1;
                    ids.insert(&item.source_key, *id);
                    continue;
                }
                Some((id, _, last)) => {
                    stats.updated += 1;
                    (Some(*id), last + 1)
                }
                None => {
                    stats.created += 1;
                    (None, 1)
                }
            };
            writes.push(Write { item, column_id, hash, article, number, revision: 0 });
        }

        let mut files: Vec<&Attachment> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for w in &writes {
            for f in w.item.attachments.iter().chain(w.item.cover.iter()) {
                if seen.insert(f.sha256.as_str()) {
                    files.push(f);
                }
            }
        }
        for chunk in files.chunks(FILE_BATCH) {
            put_blobs(&mut tx, chunk, now).await?;
        }

        // 索引号 of the new articles: one range of serials per year, in the folder's order.
        let mut per_year: std::collections::BTreeMap<i32, i64> = Default::default();
        for w in writes.iter().filter(|w| w.article.is_none()) {
            *per_year.entry(year_of(&w.item.publish_at)).or_default() += 1;
        }
        let mut next: HashMap<i32, i64> = HashMap::new();
        for (&year, &n) in &per_year {
            let last: i64 = sqlx::query(
                "INSERT INTO index_serials (site_id, year, last_serial) VALUES ($1, $2, $3)
                 ON CONFLICT (site_id, year) DO UPDATE SET last_serial = index_serials.last_serial + $3 RETURNING last_serial",
            )
            .bind(site.id)
            .bind(i64::from(year))
            .bind(n)
            .fetch_one(&mut *tx)
            .await?
            .col("last_serial")?;
            next.insert(year, last - n + 1);
        }
        let fresh: Vec<usize> = (0..writes.len()).filter(|&i| writes[i].article.is_none()).collect();
        for chunk in fresh.chunks(batch(8)) {
            let sql = format!(
                "INSERT INTO articles (site_id, column_id, index_no, status, pinned, source_key, created_at, updated_at, list_at)
                 VALUES {} RETURNING id, source_key",
                values(chunk.len(), 9, |c| (c == 3).then_some("'published'"))
            );
            let mut q = sqlx::query(&sql);
            for &i in chunk {
                let w = &writes[i];
                let year = year_of(&w.item.publish_at);
                let serial = next.get_mut(&year).expect("counted above");
                let no = index_no(&site.org_code, year, *serial);
                *serial += 1;
                q = q
                    .bind(site.id)
                    .bind(w.column_id)
                    .bind(no)
                    .bind(i64::from(w.item.pinned))
                    .bind(&w.item.source_key)
                    .bind(now)
                    .bind(now)
                    .bind(&w.item.publish_at);
            }
            let made: HashMap<String, i64> = q
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.col("source_key")?, r.col("id")?)))
                .collect::<Result<_>>()?;
            for &i in chunk {
                writes[i].article = made.get(&writes[i].item.source_key).copied();
            }
        }

        for chunk in writes.chunks_mut(batch(17)) {
            let sql = format!(
                "INSERT INTO revisions (article_id, number, title, summary, body_md, publish_at, doc_number, issuer,
                     written_date, topic, disclosure, validity, cover_sha256, content_hash, created_by, created_at, source)
                 VALUES {} RETURNING id, article_id",
                values(chunk.len(), 17, |_| None)
            );
            let mut q = sqlx::query(&sql);
            for w in chunk.iter() {
                let (item, m) = (w.item, &w.item.meta);
                q = q
                    .bind(w.article.ok_or_else(|| StoreError::Invalid(format!("{}: not created", item.source_key)))?)
                    .bind(w.number)
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
                    .bind(&w.hash)
                    .bind(actor)
                    .bind(now)
                    .bind(m.source.as_deref());
            }
            let made: HashMap<i64, i64> = q
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.col("article_id")?, r.col("id")?)))
                .collect::<Result<_>>()?;
            for w in chunk.iter_mut() {
                w.revision = w.article.and_then(|a| made.get(&a).copied()).unwrap_or_default();
            }
            let rows: Vec<(i64, i64, &Attachment)> = chunk
                .iter()
                .flat_map(|w| w.item.attachments.iter().enumerate().map(|(p, a)| (w.revision, p as i64, a)))
                .collect();
            for part in rows.chunks(batch(4)) {
                let sql = format!(
                    "INSERT INTO revision_attachments (revision_id, position, name, sha256) VALUES {}",
                    values(part.len(), 4, |_| None)
                );
                let mut q = sqlx::query(&sql);
                for (rev, pos, a) in part {
                    q = q.bind(*rev).bind(*pos).bind(&a.name).bind(&a.sha256);
                }
                q.execute(&mut *tx).await?;
            }
            // An article imported before now shows its new revision, under the column and
            // list key it names (new ones were written with theirs and get the revision below).
            let chunk: Vec<&Write> = chunk.iter().filter(|w| w.number > 1).collect();
            if chunk.is_empty() {
                continue;
            }
            let sql = format!(
                "UPDATE articles SET published_revision_id = v.column2, column_id = v.column3, pinned = v.column4,
                     list_at = v.column5, status = 'published', updated_at = v.column6
                 FROM (VALUES {}) AS v WHERE articles.id = v.column1",
                values(chunk.len(), 6, |_| None)
            );
            let mut q = sqlx::query(&sql);
            for w in chunk.iter() {
                q = q
                    .bind(w.article.unwrap_or_default())
                    .bind(w.revision)
                    .bind(w.column_id)
                    .bind(i64::from(w.item.pinned))
                    .bind(&w.item.publish_at)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        if !fresh.is_empty() {
            // The new articles' first revisions, in one statement (an index look-up each).
            sqlx::query(
                "UPDATE articles SET published_revision_id =
                     (SELECT r.id FROM revisions r WHERE r.article_id = articles.id AND r.number = 1)
                 WHERE site_id = $1 AND status = 'published' AND published_revision_id IS NULL",
            )
            .bind(site.id)
            .execute(&mut *tx)
            .await?;
        }
        for w in &writes {
            if let Some(id) = w.article {
                ids.insert(&w.item.source_key, id);
            }
        }
        let detail = format!("新建 {} 篇，更新 {} 篇，未变 {} 篇", stats.created, stats.updated, stats.unchanged);
        let entry =
            Entry { actor, ip: None, site_id: Some(site.id), action: "import", target: &site.code, detail: &detail };
        audit::append(&mut *tx, &entry).await?;
        link_interpretations(&mut tx, site, items, &ids).await?;
        tx.commit().await?;
        if self.backend() == super::Backend::Postgres && stats.created + stats.updated > 1000 {
            // Fresh statistics for the planner after a bulk load: without them a full build
            // of a 100,000-article site took 91 s instead of 5.5 s (autovacuum would catch up
            // within minutes).
            sqlx::query("ANALYZE articles, revisions, revision_attachments").execute(self.pool()).await?;
        }
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
    put_blobs(tx, &[a], now).await
}

/// Stores files by their SHA-256, one statement for all of them; a file already stored stays.
async fn put_blobs(tx: &mut Transaction<'_, Any>, files: &[&Attachment], now: i64) -> Result<()> {
    let sql = format!(
        "INSERT INTO blobs (sha256, mime, size, data, created_at) VALUES {} ON CONFLICT (sha256) DO NOTHING",
        values(files.len(), 5, |_| None)
    );
    let mut q = sqlx::query(&sql);
    for f in files {
        q = q.bind(&f.sha256).bind(f.mime).bind(f.data.len() as i64).bind(f.data.as_slice()).bind(now);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

fn year_of(publish_at: &str) -> i32 {
    publish_at.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970)
}

/// Allocates the next 索引号 of a site for the year of `publish_at`; atomic on both backends.
pub(crate) async fn next_index_no(tx: &mut Transaction<'_, Any>, site: &SiteRow, publish_at: &str) -> Result<String> {
    let year = year_of(publish_at);
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

/// Links each interpretation to the policy it names, in multi-row statements: the policy is in
/// this import or was imported before.
async fn link_interpretations(
    tx: &mut Transaction<'_, Any>,
    site: &SiteRow,
    items: &[ImportItem],
    ids: &HashMap<&str, i64>,
) -> Result<()> {
    let wanted: Vec<(&str, i64)> =
        items.iter().filter_map(|i| Some((i.interprets.as_deref()?, *ids.get(i.source_key.as_str())?))).collect();
    let earlier: Vec<&str> = {
        let mut keys: Vec<&str> = wanted.iter().map(|(k, _)| *k).filter(|k| !ids.contains_key(k)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    let mut policies: HashMap<String, i64> = HashMap::new();
    for chunk in earlier.chunks(batch(1) - 1) {
        let sql = format!(
            "SELECT id, source_key FROM articles WHERE site_id = $1 AND source_key IN ({})",
            (2..chunk.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
        );
        let mut q = sqlx::query(&sql).bind(site.id);
        for key in chunk {
            q = q.bind(*key);
        }
        for row in q.fetch_all(&mut **tx).await? {
            policies.insert(row.col("source_key")?, row.col("id")?);
        }
    }
    let links: Vec<(i64, i64)> = wanted
        .iter()
        .filter_map(|(key, interp)| Some((ids.get(key).copied().or_else(|| policies.get(*key).copied())?, *interp)))
        .collect();
    for chunk in links.chunks(batch(2)) {
        let sql = format!(
            "INSERT INTO article_links (policy_id, interpretation_id) VALUES {} ON CONFLICT DO NOTHING",
            values(chunk.len(), 2, |_| None)
        );
        let mut q = sqlx::query(&sql);
        for (policy, interp) in chunk {
            q = q.bind(*policy).bind(*interp);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
