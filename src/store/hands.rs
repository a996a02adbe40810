//! Separation of duties (谁写谁不审): who wrote or changed a piece of content under review, and
//! who already passed a level of it. Whoever put a word into an article revision, a reply or a
//! solicitation never approves it, at any level, and nobody passes two levels of one reply.
//! The record lives beside the content, written in the same transaction as the change.

use sqlx::{Any, Executor, Transaction};

use super::{Cols, Result, Store};

/// What a hand was put on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// One revision of an article.
    Revision,
    /// A message's reply (the id is the message's).
    Reply,
    /// An opinion solicitation's draft.
    Solicitation,
    /// An opinion solicitation's feedback summary (the id is the solicitation's).
    Summary,
}

impl Subject {
    fn as_str(self) -> &'static str {
        match self {
            Subject::Revision => "revision",
            Subject::Reply => "reply",
            Subject::Solicitation => "solicitation",
            Subject::Summary => "summary",
        }
    }
}

/// The part a user had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Wrote,
    Approved,
}

impl Part {
    fn as_str(self) -> &'static str {
        match self {
            Part::Wrote => "wrote",
            Part::Approved => "approved",
        }
    }
}

pub(crate) async fn record(
    tx: &mut Transaction<'_, Any>,
    subject: Subject,
    id: i64,
    user: i64,
    part: Part,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO content_hands (subject, subject_id, user_id, part) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(subject.as_str())
    .bind(id)
    .bind(user)
    .bind(part.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn had<'e, E: Executor<'e, Database = Any>>(
    exec: E,
    subject: Subject,
    id: i64,
    user: i64,
    part: Part,
) -> Result<bool> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM content_hands WHERE subject = $1 AND subject_id = $2 AND user_id = $3 AND part = $4",
    )
    .bind(subject.as_str())
    .bind(id)
    .bind(user)
    .bind(part.as_str())
    .fetch_one(exec)
    .await?
    .col::<i64>("n")?
        > 0)
}

/// Forgets one part of every hand on the subject: the approvals of a returned reply (its next
/// submission starts again at level 1), or everything when a message moves to another site.
pub(crate) async fn clear(tx: &mut Transaction<'_, Any>, subject: Subject, id: i64, part: Option<Part>) -> Result<()> {
    sqlx::query("DELETE FROM content_hands WHERE subject = $1 AND subject_id = $2 AND ($3 = '' OR part = $3)")
        .bind(subject.as_str())
        .bind(id)
        .bind(part.map(Part::as_str).unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Whether `user` had `part` in the subject: for pages, to offer the review buttons only to
    /// those who may use them (the transitions check the same inside their transaction).
    pub async fn had_hand(&self, subject: Subject, id: i64, user: i64, part: Part) -> Result<bool> {
        had(self.pool(), subject, id, user, part).await
    }
}
