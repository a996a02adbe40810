//! Citizen messages: stored before the citizen sees a query code, then acknowledged,
//! transferred, marked complex, extended and answered by the responsible site, the reply passing
//! the site's review levels like an article. Every step is a row of `message_events` and an
//! audit-log entry; the audit log never carries the citizen's name, phone or text.

mod handling;
mod inbox;
mod intake;

pub(crate) use intake::spend_challenge;

use chrono::NaiveDate;
use sqlx::{Any, Transaction};

use super::Cols;

use super::audit::{append, Entry};
use super::hands::{self, Part, Subject};
use super::mailboxes::Actor;
use super::tenant::Tenant;
use super::workflow::add_job;
use super::{now_unix, Result, Store, StoreError};
use crate::group::calendar::Calendar;
use crate::interaction::oversight::MessageFact;
use crate::interaction::submission::Submission;
use crate::interaction::{deadline, Category, Status};

/// A message with everything the responsible site's handlers see.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Message {
    pub id: i64,
    pub code: String,
    pub origin_site_id: i64,
    pub site_id: i64,
    pub recipient: String,
    pub category: Category,
    pub subject: String,
    pub content: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub publishable: bool,
    pub received_at: i64,
    pub due_date: String,
    pub acknowledged_at: Option<i64>,
    pub ack_text: Option<String>,
    pub complex: bool,
    pub complex_reason: Option<String>,
    pub extension_days: Option<i64>,
    pub extension_reason: Option<String>,
    pub extension_state: Option<String>,
    pub reply: Option<String>,
    pub reply_state: Option<String>,
    pub reply_level: i64,
    pub reply_author_id: Option<i64>,
    pub answered_at: Option<i64>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
}

impl Message {
    /// What the handling rules (`interaction::handling`) look at.
    pub fn facts(&self) -> crate::interaction::handling::Facts<'_> {
        crate::interaction::handling::Facts {
            site_id: self.site_id,
            acknowledged: self.acknowledged_at.is_some(),
            answered: self.answered_at.is_some(),
            complex: self.complex,
            extension: self.extension_state.as_deref(),
            reply_state: self.reply_state.as_deref(),
            reply_written: self.reply.as_deref().is_some_and(|r| !r.trim().is_empty()),
        }
    }

    pub fn status(&self) -> Status {
        match (self.answered_at, self.acknowledged_at) {
            (Some(_), _) => Status::Answered,
            (None, Some(_)) => Status::Handling,
            (None, None) => Status::Received,
        }
    }

    pub fn due(&self) -> NaiveDate {
        self.due_date.parse().unwrap_or_default()
    }

    /// Unanswered past its due day on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.answered_at.is_none() && deadline::overdue(self.due(), today)
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageEvent {
    pub site_id: i64,
    pub action: String,
    pub actor: String,
    pub at: i64,
    pub detail: String,
}

/// What the inbox lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InboxFilter {
    /// Every message not answered yet.
    #[default]
    Open,
    /// Waiting for acknowledgement.
    Received,
    /// Open and past the due day.
    Overdue,
    /// A reply waiting for review.
    Review,
    /// An extension waiting for the central office.
    Extension,
    Answered,
    All,
}

impl InboxFilter {
    pub const ALL: [InboxFilter; 7] = [
        InboxFilter::Open,
        InboxFilter::Received,
        InboxFilter::Overdue,
        InboxFilter::Review,
        InboxFilter::Extension,
        InboxFilter::Answered,
        InboxFilter::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxFilter::Open => "open",
            InboxFilter::Received => "received",
            InboxFilter::Overdue => "overdue",
            InboxFilter::Review => "review",
            InboxFilter::Extension => "extension",
            InboxFilter::Answered => "answered",
            InboxFilter::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InboxFilter::Open => "未办结",
            InboxFilter::Received => "待受理",
            InboxFilter::Overdue => "已超期",
            InboxFilter::Review => "答复待审核",
            InboxFilter::Extension => "延期待批",
            InboxFilter::Answered => "已答复",
            InboxFilter::All => "全部",
        }
    }

    pub fn parse(s: &str) -> Option<InboxFilter> {
        InboxFilter::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// What the citizen sees on the status page: no other person's data, no handler's name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublicStatus {
    pub code: String,
    pub site_id: i64,
    pub category: Category,
    pub subject: String,
    pub status: Status,
    pub received_at: i64,
    pub acknowledged_at: Option<i64>,
    pub ack_text: Option<String>,
    pub transferred: bool,
    pub due_date: String,
    pub reply: Option<String>,
    pub answered_at: Option<i64>,
    pub rating: Option<i64>,
}

/// One reviewer's decision on a submitted reply, for a site with `levels` review levels.
#[derive(Debug, Clone, Copy)]
pub struct ReviewDecision<'a> {
    pub approve: bool,
    pub comment: &'a str,
    pub levels: u8,
    pub reviewer_id: i64,
}

/// An answered message as its site publishes it: every text masked here, so that the
/// publisher never holds the writer's name, phone or e-mail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishedMessage {
    pub id: i64,
    pub category: &'static str,
    /// The leader mailbox it was written to, or '' for the message board.
    pub recipient: String,
    pub subject: String,
    pub content: String,
    /// `张某`.
    pub writer: String,
    /// Beijing dates, `YYYY-MM-DD`.
    pub received: String,
    pub answered: String,
    pub reply: String,
}

/// A message with its handling already done, as the demo seeds it (times in the past).
#[derive(Debug, Clone)]
pub struct HandledMessage {
    pub origin_site_id: i64,
    pub site_id: i64,
    /// The origin site's name, when the message was transferred.
    pub transferred_to: Option<String>,
    pub recipient: String,
    pub category: Category,
    pub subject: String,
    pub content: String,
    pub name: String,
    pub phone: String,
    pub publishable: bool,
    pub received_at: i64,
    pub due_date: NaiveDate,
    pub complex: Option<String>,
    pub acknowledged: Option<(i64, String)>,
    pub answered: Option<(i64, String)>,
    pub rating: Option<i64>,
}

/// A reminder or an overdue notice to send.
#[derive(Debug, Clone)]
pub struct DueNotice {
    pub id: i64,
    pub site_id: i64,
    pub subject: String,
    pub due_date: String,
    pub overdue: bool,
}

const COLUMNS: &str = "id, code, origin_site_id, site_id, recipient, category, subject, content, name, phone, email,
    publishable, received_at, due_date, acknowledged_at, ack_text, complex, complex_reason, extension_days,
    extension_reason, extension_state, reply, reply_state, reply_level, reply_author_id, answered_at, rating,
    rating_comment";

fn row(r: &sqlx::any::AnyRow) -> Result<Message> {
    Ok(Message {
        id: r.col("id")?,
        code: r.col("code")?,
        origin_site_id: r.col("origin_site_id")?,
        site_id: r.col("site_id")?,
        recipient: r.col("recipient")?,
        category: Category::parse(r.col::<&str>("category")?).unwrap_or(Category::Consult),
        subject: r.col("subject")?,
        content: r.col("content")?,
        name: r.col("name")?,
        phone: r.col("phone")?,
        email: r.col("email")?,
        publishable: r.flag("publishable")?,
        received_at: r.col("received_at")?,
        due_date: r.col("due_date")?,
        acknowledged_at: r.col("acknowledged_at")?,
        ack_text: r.col("ack_text")?,
        complex: r.flag("complex")?,
        complex_reason: r.col("complex_reason")?,
        extension_days: r.col("extension_days")?,
        extension_reason: r.col("extension_reason")?,
        extension_state: r.col("extension_state")?,
        reply: r.col("reply")?,
        reply_state: r.col("reply_state")?,
        reply_level: r.col("reply_level")?,
        reply_author_id: r.col("reply_author_id")?,
        answered_at: r.col("answered_at")?,
        rating: r.col("rating")?,
        rating_comment: r.col("rating_comment")?,
    })
}

/// Letters of query codes: no 0/O, 1/I/L, so a code read over the phone survives.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A new query code, e.g. `K7QX-M3TB-9PWA` (about 59 bits).
pub fn new_code() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the system's random source");
    let chars: Vec<char> = bytes.iter().map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A query code as typed: upper case, without spaces; dashes restored.
pub fn normalize_code(s: &str) -> String {
    let raw: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    raw.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// The condition of a filter; `$3` is the day judged.
fn filter_sql(filter: InboxFilter) -> &'static str {
    match filter {
        InboxFilter::Open => "answered_at IS NULL",
        InboxFilter::Received => "answered_at IS NULL AND acknowledged_at IS NULL",
        InboxFilter::Overdue => "answered_at IS NULL AND due_date < $3",
        InboxFilter::Review => "answered_at IS NULL AND reply_state = 'submitted'",
        InboxFilter::Extension => "answered_at IS NULL AND extension_state = 'requested'",
        InboxFilter::Answered => "answered_at IS NOT NULL",
        InboxFilter::All => "1 = 1",
    }
}

/// The message `id` within `scope`; outside it, `NotFound`.
async fn in_scope<'e, E: sqlx::Executor<'e, Database = Any>>(exec: E, scope: Tenant, id: i64) -> Result<Message> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM messages WHERE id = $1 AND {only}",
        only = Tenant::filter("site_id", 2)
    ))
    .bind(id)
    .bind(scope.param())
    .fetch_optional(exec)
    .await?
    .map(|r| row(&r))
    .transpose()?
    .ok_or(StoreError::NotFound)
}

/// The message as the transaction sees it, within `scope`, its row locked until the
/// transaction ends (see `editorial::article_site` for why a no-op UPDATE).
async fn locked(tx: &mut Transaction<'_, Any>, scope: Tenant, id: i64) -> Result<Message> {
    sqlx::query("UPDATE messages SET received_at = received_at WHERE id = $1").bind(id).execute(&mut **tx).await?;
    in_scope(&mut **tx, scope, id).await
}

/// The message with this query code and phone number, if both match.
async fn by_code<'e, E: sqlx::Executor<'e, Database = Any>>(
    exec: E,
    code: &str,
    phone: &str,
) -> Result<Option<Message>> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM messages WHERE code = $1 AND phone = $2"))
        .bind(normalize_code(code))
        .bind(phone)
        .fetch_optional(exec)
        .await?
        .map(|r| row(&r))
        .transpose()
}

/// One step: the message's history and the audit log, which gets no personal data (the
/// details written here never quote the citizen).
async fn step(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    site_id: i64,
    action: &str,
    detail: &str,
    by: Actor<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO message_events (message_id, site_id, action, actor, at, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(site_id)
    .bind(action)
    .bind(by.name)
    .bind(now_unix())
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    let target = format!("message {id}");
    let audit_action = format!("message.{action}");
    let entry =
        Entry { actor: by.name, ip: by.ip, site_id: Some(site_id), action: &audit_action, target: &target, detail };
    append(&mut **tx, &entry).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_aloud() {
        let c = new_code();
        assert_eq!(c.len(), 14);
        assert!(c.chars().all(|ch| ch == '-' || CODE_ALPHABET.contains(&(ch as u8))));
        assert_eq!(normalize_code(" k7qx m3tb-9pwa "), "K7QX-M3TB-9PWA");
    }
}
