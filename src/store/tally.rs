//! A count of what the database holds, taken into a backup's manifest and taken again after a
//! restore: when no migration ran in between, the two must be equal, or the restore says what
//! differs. Also the schema version the manifest records.

use serde::{Deserialize, Serialize};

use super::{sql, Cols, Result, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub sites: i64,
    pub articles: i64,
    /// Articles with a live revision.
    pub published: i64,
    pub revisions: i64,
    /// Attachment files, and their bytes.
    pub blobs: i64,
    pub blob_bytes: i64,
    pub users: i64,
    pub messages: i64,
    /// Page views counted by the shared counter, all days.
    pub views: i64,
    pub audit_log: i64,
}

impl Tally {
    /// The counts that differ between `self` (expected) and `other`, as `name: expected → found`.
    pub fn differences(&self, other: &Tally) -> Vec<String> {
        let pairs = [
            ("sites", self.sites, other.sites),
            ("articles", self.articles, other.articles),
            ("published articles", self.published, other.published),
            ("revisions", self.revisions, other.revisions),
            ("attachments", self.blobs, other.blobs),
            ("attachment bytes", self.blob_bytes, other.blob_bytes),
            ("users", self.users, other.users),
            ("citizen messages", self.messages, other.messages),
            ("page views", self.views, other.views),
            ("audit log entries", self.audit_log, other.audit_log),
        ];
        pairs.iter().filter(|(_, a, b)| a != b).map(|(name, a, b)| format!("{name}: {a} → {b}")).collect()
    }
}

impl Store {
    /// Counts the database's content in one statement, so the figures belong to one moment.
    pub async fn tally(&self) -> Result<Tally> {
        let mut conn = self.pool().acquire().await?;
        tally_on(&mut conn).await
    }

    /// The newest migration applied to this database.
    pub async fn schema_version(&self) -> Result<i64> {
        let r = sqlx::query("SELECT MAX(version) AS v FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(self.pool())
            .await?;
        Ok(r.col::<Option<i64>>("v")?.unwrap_or(0))
    }
}

/// [`Store::tally`] on one connection, or inside a transaction (`&mut *tx`): a PostgreSQL
/// backup counts inside the snapshot it hands to `pg_dump`.
pub async fn tally_on(conn: &mut sqlx::AnyConnection) -> Result<Tally> {
    let blob_bytes = sql::sum("size");
    let views = sql::sum("views");
    let r = sqlx::query(&format!(
        "SELECT (SELECT COUNT(*) FROM sites) AS sites,
                (SELECT COUNT(*) FROM articles) AS articles,
                (SELECT COUNT(*) FROM articles WHERE published_revision_id IS NOT NULL) AS published,
                (SELECT COUNT(*) FROM revisions) AS revisions,
                (SELECT COUNT(*) FROM blobs) AS blobs,
                (SELECT COALESCE({blob_bytes}, 0) FROM blobs) AS blob_bytes,
                (SELECT COUNT(*) FROM users) AS users,
                (SELECT COUNT(*) FROM messages) AS messages,
                (SELECT COALESCE({views}, 0) FROM traffic_days) AS views,
                (SELECT COUNT(*) FROM audit_log) AS audit_log"
    ))
    .fetch_one(&mut *conn)
    .await?;
    Ok(Tally {
        sites: r.col("sites")?,
        articles: r.col("articles")?,
        published: r.col("published")?,
        revisions: r.col("revisions")?,
        blobs: r.col("blobs")?,
        blob_bytes: r.col("blob_bytes")?,
        users: r.col("users")?,
        messages: r.col("messages")?,
        views: r.col("views")?,
        audit_log: r.col("audit_log")?,
    })
}
