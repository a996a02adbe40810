//! Notices (通报) to a site's administrators and the outgoing mail that carries them. A notice
//! and its mail are written in one transaction, so the mailer finds every mail a notice
//! promised even after a crash; the mailer marks a mail sent only after the relay took it.

use super::Cols;

use super::tenant::Tenant;
use super::{now_unix, Result, Store};

/// A notice to write.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub site_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Admin page with the evidence, e.g. `/admin/inspection/fgw`.
    pub link: String,
    /// Where to mail it; `None` when SMTP is off.
    pub mail: Option<MailTo>,
}

#[derive(Debug, Clone)]
pub struct MailTo {
    /// The site's official contact mailbox.
    pub to: String,
    /// The notice's page as a full URL, for the mail.
    pub link: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Notice {
    pub id: i64,
    pub site_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// A mail waiting to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Longest wait between two attempts at one mail.
const MAX_BACKOFF: i64 = 3600;

impl Store {
    pub async fn add_notices(&self, tenant: Tenant, notices: &[NewNotice]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for n in notices {
            tenant.reach(n.site_id)?;
            add_notice(&mut tx, n).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest notices in `scope` (a site's, or every site's for the central office).
    pub async fn notices(&self, scope: Tenant, limit: i64) -> Result<Vec<Notice>> {
        sqlx::query(&format!(
            "SELECT id, site_id, kind, title, body, link, created_at, read_at FROM notices
             WHERE {only} ORDER BY id DESC LIMIT $2",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(scope.param())
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Notice {
                id: r.col("id")?,
                site_id: r.col("site_id")?,
                kind: r.col("kind")?,
                title: r.col("title")?,
                body: r.col("body")?,
                link: r.col("link")?,
                created_at: r.col("created_at")?,
                read_at: r.col("read_at")?,
            })
        })
        .collect()
    }

    pub async fn unread_notices(&self, scope: Tenant) -> Result<i64> {
        sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM notices WHERE read_at IS NULL AND {only}",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(scope.param())
        .fetch_one(self.pool())
        .await?
        .col("n")
    }

    /// Marks a notice read; a notice outside `scope` is `NotFound`, like a missing one.
    pub async fn mark_notice_read(&self, scope: Tenant, id: i64, user_id: i64) -> Result<()> {
        let done = sqlx::query(&format!(
            "UPDATE notices SET read_at = COALESCE(read_at, $1), read_by = COALESCE(read_by, $2)
             WHERE id = $3 AND {only}",
            only = Tenant::filter("site_id", 4)
        ))
        .bind(now_unix())
        .bind(user_id)
        .bind(id)
        .bind(scope.param())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(super::StoreError::NotFound);
        }
        Ok(())
    }

    /// Mails due at `now`, oldest first.
    pub async fn due_mail(&self, now: i64, limit: i64) -> Result<Vec<Mail>> {
        sqlx::query(
            "SELECT id, recipient, subject, body, attempts FROM mail_outbox
             WHERE sent_at IS NULL AND next_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Mail {
                id: r.col("id")?,
                recipient: r.col("recipient")?,
                subject: r.col("subject")?,
                body: r.col("body")?,
                attempts: r.col("attempts")?,
            })
        })
        .collect()
    }

    pub async fn mail_sent(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(now_unix())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records a failed attempt; the next one waits twice as long as the last, up to an hour.
    pub async fn mail_failed(&self, mail: &Mail, error: &str) -> Result<()> {
        let backoff = (30i64 << mail.attempts.min(10)).min(MAX_BACKOFF);
        sqlx::query("UPDATE mail_outbox SET attempts = attempts + 1, next_at = $1, last_error = $2 WHERE id = $3")
            .bind(now_unix() + backoff)
            .bind(error)
            .bind(mail.id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// (waiting, failed at least once) mails, for the console.
    pub async fn mail_backlog(&self) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS waiting, COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS failed
             FROM mail_outbox WHERE sent_at IS NULL",
        )
        .fetch_one(self.pool())
        .await?;
        Ok((r.col("waiting")?, r.col("failed")?))
    }
}

/// Writes a notice (and its mail) inside the caller's transaction, so the step that caused it
/// and the notice are kept or lost together.
pub(crate) async fn add_notice(tx: &mut sqlx::Transaction<'_, sqlx::Any>, n: &NewNotice) -> Result<()> {
    let now = now_unix();
    sqlx::query("INSERT INTO notices (site_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(n.site_id)
        .bind(&n.kind)
        .bind(&n.title)
        .bind(&n.body)
        .bind(&n.link)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    if let Some(mail) = &n.mail {
        sqlx::query(
            "INSERT INTO mail_outbox (recipient, subject, body, created_at, next_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&mail.to)
        .bind(&n.title)
        .bind(format!("{}\n\n{}", n.body, mail.link))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
