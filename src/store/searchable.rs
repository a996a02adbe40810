//! What the search index may hold: the published revision of every published article whose
//! publication time has come, once per site (a reference in another column is the same
//! page). Drafts, revisions under review, withdrawn and scheduled articles never leave the
//! database through here.

use super::Cols;
use sqlx::any::AnyRow;

use super::{Result, Store};

/// One live article as the index sees it.
#[derive(Debug, Clone)]
pub struct SearchableArticle {
    pub id: i64,
    pub revision_id: i64,
    pub site: String,
    pub column: String,
    pub index_no: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    /// `YYYY-MM-DD HH:MM:SS`, Beijing time.
    pub publish_at: String,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub topic: Option<String>,
    /// A page taken in from another site (信息报送); its 索引号 above is the source's.
    pub copy: bool,
}

/// Live now, and not a reference to another column's article of the same site (`o` is the
/// source, when there is one).
///
/// Written with the join rather than `NOT EXISTS`: at 3 million articles PostgreSQL estimated
/// the anti-join of the two-column condition at one row and planned every page of the reindex
/// as a scan of all articles after it (1.4 s a page before `ANALYZE`, minutes after); with the
/// join a page is an index walk of 2,000 rows (30 ms).
const SEARCHABLE: &str = "a.status = 'published' AND r.publish_at <= $1
    AND (o.id IS NULL OR o.site_id <> a.site_id)";

const SELECT: &str =
    "SELECT a.id, r.id AS revision_id, s.code, c.slug, COALESCE(o.index_no, a.index_no) AS index_no, r.title,
        r.summary, r.body_md, r.publish_at, r.doc_number, r.issuer, r.topic,
        CASE WHEN a.source_article_id IS NULL THEN 0 ELSE 1 END AS copy
     FROM articles a LEFT JOIN articles o ON o.id = a.source_article_id
     JOIN revisions r ON r.id = a.published_revision_id
     JOIN site_columns c ON c.id = a.column_id
     JOIN sites s ON s.id = a.site_id
     WHERE ";

fn row(r: &AnyRow) -> Result<SearchableArticle> {
    Ok(SearchableArticle {
        id: r.col("id")?,
        revision_id: r.col("revision_id")?,
        site: r.col("code")?,
        column: r.col("slug")?,
        index_no: r.col("index_no")?,
        title: r.col("title")?,
        summary: r.col("summary")?,
        body_md: r.col("body_md")?,
        publish_at: r.col("publish_at")?,
        doc_number: r.col("doc_number")?,
        issuer: r.col("issuer")?,
        topic: r.col("topic")?,
        copy: r.flag("copy")?,
    })
}

impl Store {
    /// Up to `limit` live articles with an id above `after`, in id order: the full reindex
    /// walks the table in such pages, so memory stays flat however large the group is.
    pub async fn searchable_page(&self, now: &str, after: i64, limit: i64) -> Result<Vec<SearchableArticle>> {
        let sql = format!("{SELECT}{SEARCHABLE} AND a.id > $2 ORDER BY a.id LIMIT $3");
        sqlx::query(&sql).bind(now).bind(after).bind(limit).fetch_all(self.pool()).await?.iter().map(row).collect()
    }

    /// The live ones among `ids`.
    pub async fn searchable_by_ids(&self, now: &str, ids: &[i64]) -> Result<Vec<SearchableArticle>> {
        let mut out = Vec::with_capacity(ids.len());
        // Bounded IN lists: both backends cap the number of bind parameters.
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!("{SELECT}{SEARCHABLE} AND a.id IN ({}) ORDER BY a.id", marks.join(", "));
            let mut q = sqlx::query(&sql).bind(now);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(self.pool()).await?.iter() {
                out.push(row(r)?);
            }
        }
        Ok(out)
    }

    /// (article id, published revision id) of every live article, for comparing with the index.
    pub async fn searchable_keys(&self, now: &str) -> Result<Vec<(i64, i64)>> {
        sqlx::query(&format!(
            "SELECT a.id, a.published_revision_id FROM articles a LEFT JOIN articles o ON o.id = a.source_article_id
             JOIN revisions r ON r.id = a.published_revision_id WHERE {SEARCHABLE}"
        ))
        .bind(now)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.col("id")?, r.col("published_revision_id")?)))
        .collect()
    }
}
