//! Citizen messages: stored before the citizen sees a query code, then acknowledged,
//! transferred, marked complex, extended and answered by the responsible site, the reply passing
//! the site's review levels like an article. Every step is a row of `message_events` and an
//! audit-log entry; the audit log never carries the citizen's name, phone or text.

use chrono::NaiveDate;
use sqlx::{Any, Row, Transaction};

use super::audit::{append, Entry};
use super::hands::{self, Part, Subject};
use super::mailboxes::Actor;
use super::tenant::Scope;
use super::workflow::add_job;
use super::{now_unix, Result, Store, StoreError};
use crate::group::calendar::Calendar;
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

/// One message's clocks, for the oversight figures.
#[derive(Debug, Clone)]
pub struct MessageFact {
    pub site_id: i64,
    pub category: Category,
    pub received_at: i64,
    pub acknowledged_at: Option<i64>,
    pub due_date: NaiveDate,
    pub answered_at: Option<i64>,
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

fn row(r: &sqlx::any::AnyRow) -> Message {
    Message {
        id: r.get(0),
        code: r.get(1),
        origin_site_id: r.get(2),
        site_id: r.get(3),
        recipient: r.get(4),
        category: Category::parse(r.get::<&str, _>(5)).unwrap_or(Category::Consult),
        subject: r.get(6),
        content: r.get(7),
        name: r.get(8),
        phone: r.get(9),
        email: r.get(10),
        publishable: r.get::<i64, _>(11) != 0,
        received_at: r.get(12),
        due_date: r.get(13),
        acknowledged_at: r.get(14),
        ack_text: r.get(15),
        complex: r.get::<i64, _>(16) != 0,
        complex_reason: r.get(17),
        extension_days: r.get(18),
        extension_reason: r.get(19),
        extension_state: r.get(20),
        reply: r.get(21),
        reply_state: r.get(22),
        reply_level: r.get(23),
        reply_author_id: r.get(24),
        answered_at: r.get(25),
        rating: r.get(26),
        rating_comment: r.get(27),
    }
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

impl Store {
    /// The shared secret `name`, created (random, 32 bytes) on first use by whichever node
    /// asks first.
    pub async fn service_secret(&self, name: &str) -> Result<Vec<u8>> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).expect("the system's random source");
        let hex: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
        sqlx::query("INSERT INTO service_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(&hex)
            .execute(self.pool())
            .await?;
        let v: String = sqlx::query("SELECT value FROM service_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(self.pool())
            .await?
            .get(0);
        Ok(v.into_bytes())
    }

    /// Stores a citizen's message, spending its proof-of-work challenge in the same
    /// transaction; returns the id and the query code. Only after this returns may the code be
    /// shown.
    pub async fn submit_message(
        &self,
        site_id: i64,
        s: &Submission,
        spent: (&str, i64),
        received_at: i64,
        due: NaiveDate,
    ) -> Result<(i64, String)> {
        let mut tx = self.begin_write().await?;
        spend_challenge(&mut tx, spent, received_at).await?;
        let code = new_code();
        let id: i64 = sqlx::query(
            "INSERT INTO messages (code, origin_site_id, site_id, recipient, category, subject, content, name, phone, email,
                                   publishable, received_at, due_date)
             VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&code)
        .bind(site_id)
        .bind(&s.recipient)
        .bind(s.category.as_str())
        .bind(&s.subject)
        .bind(&s.content)
        .bind(&s.name)
        .bind(&s.phone)
        .bind(&s.email)
        .bind(i64::from(s.publishable))
        .bind(received_at)
        .bind(due.to_string())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let to = if s.recipient.is_empty() { "留言板".to_string() } else { s.recipient.clone() };
        let detail = format!("{}（{}），答复期限 {due}", to, s.category.label());
        step(&mut tx, id, site_id, "receive", &detail, Actor { name: "网民", ip: None, user_id: None }).await?;
        tx.commit().await?;
        Ok((id, code))
    }

    /// Writes a message whose steps happened in the past, each step at its own time (the demo).
    pub async fn insert_handled_message(&self, h: &HandledMessage) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO messages (code, origin_site_id, site_id, recipient, category, subject, content, name, phone,
                                   publishable, received_at, due_date, acknowledged_at, ack_text, complex, complex_reason,
                                   reply, reply_state, reply_level, answered_at, rating, rated_at, reminded_at,
                                   overdue_notified_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                     $23, $23) RETURNING id",
        )
        .bind(new_code())
        .bind(h.origin_site_id)
        .bind(h.site_id)
        .bind(&h.recipient)
        .bind(h.category.as_str())
        .bind(&h.subject)
        .bind(&h.content)
        .bind(&h.name)
        .bind(&h.phone)
        .bind(i64::from(h.publishable))
        .bind(h.received_at)
        .bind(h.due_date.to_string())
        .bind(h.acknowledged.as_ref().map(|a| a.0))
        .bind(h.acknowledged.as_ref().map(|a| a.1.clone()))
        .bind(i64::from(h.complex.is_some()))
        .bind(&h.complex)
        .bind(h.answered.as_ref().map(|a| a.1.clone()))
        .bind(h.answered.as_ref().map(|_| "approved"))
        .bind(i64::from(h.answered.is_some()))
        .bind(h.answered.as_ref().map(|a| a.0))
        .bind(h.rating)
        .bind(h.rating.and(h.answered.as_ref().map(|a| a.0 + 86_400)))
        // Answered messages need no reminder; open ones get theirs from the service.
        .bind(h.answered.as_ref().map(|_| h.received_at))
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let mut events: Vec<(i64, i64, &str, String)> = vec![(
            h.received_at,
            h.origin_site_id,
            "receive",
            format!("{}，答复期限 {}", h.category.label(), h.due_date),
        )];
        if let Some(to) = &h.transferred_to {
            events.push((h.received_at + 1800, h.origin_site_id, "transfer", format!("转办至{to}：属于该单位职责")));
        }
        if let Some((at, text)) = &h.acknowledged {
            events.push((*at, h.site_id, "acknowledge", format!("受理：{text}")));
        }
        if let Some(reason) = &h.complex {
            events.push((h.received_at + 7200, h.site_id, "complex", format!("标记为复杂问题：{reason}")));
        }
        if let Some((at, _)) = &h.answered {
            events.push((*at, h.site_id, "reply-approve", "审核通过，答复办结".to_string()));
        }
        for (at, site_id, action, detail) in events {
            sqlx::query("INSERT INTO message_events (message_id, site_id, action, actor, at, detail) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(site_id)
                .bind(action)
                .bind("operator:demo-seed")
                .bind(at)
                .bind(detail)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Whether any message is stored (the demo seeds only an empty table).
    pub async fn has_messages(&self) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM messages LIMIT 1").fetch_optional(self.pool()).await?.is_some())
    }

    /// The status for a citizen who knows the code and the phone number; anything else finds
    /// nothing, with no hint which of the two was wrong.
    pub async fn message_status(&self, code: &str, phone: &str) -> Result<Option<PublicStatus>> {
        let found = by_code(self.pool(), code, phone).await?;
        Ok(found.map(|m| PublicStatus {
            status: m.status(),
            code: m.code,
            site_id: m.site_id,
            category: m.category,
            subject: m.subject,
            received_at: m.received_at,
            acknowledged_at: m.acknowledged_at,
            ack_text: m.ack_text,
            transferred: m.site_id != m.origin_site_id,
            due_date: m.due_date,
            reply: m.answered_at.and(m.reply),
            answered_at: m.answered_at,
            rating: m.rating,
        }))
    }

    /// The citizen's satisfaction (1–5) with an answered message, once.
    pub async fn rate_message(&self, code: &str, phone: &str, rating: i64, comment: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = by_code(&mut *tx, code, phone).await?.ok_or(StoreError::NotFound)?;
        if m.answered_at.is_none() {
            return Err(StoreError::Conflict("留言答复后才能评价".into()));
        }
        if m.rating.is_some() {
            return Err(StoreError::Conflict("您已经评价过了，感谢您的反馈".into()));
        }
        sqlx::query("UPDATE messages SET rating = $1, rating_comment = $2, rated_at = $3 WHERE id = $4")
            .bind(rating)
            .bind(comment)
            .bind(now_unix())
            .bind(m.id)
            .execute(&mut *tx)
            .await?;
        step(
            &mut tx,
            m.id,
            m.site_id,
            "rate",
            &format!("满意度 {rating} 分"),
            Actor { name: "网民", ip: None, user_id: None },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The inbox of `scope`, newest first, at most `limit`.
    pub async fn inbox(&self, scope: Scope, filter: InboxFilter, today: NaiveDate, limit: i64) -> Result<Vec<Message>> {
        let cond = filter_sql(filter);
        // $3 is bound in every case so that the statement's parameters do not depend on it.
        let sql = format!(
            "SELECT {COLUMNS} FROM messages WHERE ($1 = 0 OR site_id = $1) AND {cond} AND $3 = $3
             ORDER BY received_at DESC, id DESC LIMIT $2"
        );
        Ok(sqlx::query(&sql)
            .bind(scope.param())
            .bind(limit)
            .bind(today.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row)
            .collect())
    }

    /// How many messages of `scope` each filter lists, in `InboxFilter::ALL` order.
    pub async fn inbox_counts(&self, scope: Scope, today: NaiveDate) -> Result<Vec<(InboxFilter, i64)>> {
        let sums: Vec<String> =
            InboxFilter::ALL.iter().map(|f| format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", filter_sql(*f))).collect();
        let sql = format!("SELECT {} FROM messages WHERE ($1 = 0 OR site_id = $1) AND $2 = $2", sums.join(", "));
        let sql = sql.replace("$3", "$2");
        let r = sqlx::query(&sql).bind(scope.param()).bind(today.to_string()).fetch_one(self.pool()).await?;
        Ok(InboxFilter::ALL.iter().enumerate().map(|(i, f)| (*f, r.get::<Option<i64>, _>(i).unwrap_or(0))).collect())
    }

    /// The messages of `scope` received in `[from, to)` (Unix times), oldest first.
    pub async fn messages_between(&self, scope: Scope, from: i64, to: i64) -> Result<Vec<Message>> {
        Ok(sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE ($1 = 0 OR site_id = $1) AND received_at >= $2 AND received_at < $3
             ORDER BY received_at, id"
        ))
        .bind(scope.param())
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row)
        .collect())
    }

    /// One message and its history; outside `scope` (not responsible) it is `NotFound`.
    pub async fn message(&self, scope: Scope, id: i64) -> Result<(Message, Vec<MessageEvent>)> {
        let m = in_scope(self.pool(), scope, id).await?;
        let events = sqlx::query(
            "SELECT site_id, action, actor, at, detail FROM message_events WHERE message_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| MessageEvent { site_id: r.get(0), action: r.get(1), actor: r.get(2), at: r.get(3), detail: r.get(4) })
        .collect();
        Ok((m, events))
    }

    /// The site's standard acknowledgement text.
    pub async fn ack_text(&self, site_id: i64) -> Result<String> {
        Ok(sqlx::query("SELECT ack_text FROM interaction_settings WHERE site_id = $1")
            .bind(site_id)
            .fetch_optional(self.pool())
            .await?
            .map_or_else(|| crate::interaction::DEFAULT_ACK_TEXT.to_string(), |r| r.get(0)))
    }

    pub async fn set_ack_text(&self, site_id: i64, text: &str, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO interaction_settings (site_id, ack_text, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (site_id) DO UPDATE SET ack_text = excluded.ack_text, updated_at = excluded.updated_at",
        )
        .bind(site_id)
        .bind(text)
        .bind(now_unix())
        .execute(&mut *tx)
        .await?;
        let entry = Entry {
            actor: by.name,
            ip: by.ip,
            site_id: Some(site_id),
            action: "message.ack_text",
            target: "interaction settings",
            detail: text,
        };
        append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// 受理: records the acknowledgement shown to the citizen.
    pub async fn acknowledge_message(&self, scope: Scope, id: i64, text: &str, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        if m.acknowledged_at.is_some() {
            return Err(StoreError::Conflict("该留言已经受理".into()));
        }
        sqlx::query("UPDATE messages SET acknowledged_at = $1, ack_text = $2 WHERE id = $3")
            .bind(now_unix())
            .bind(text)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let late = now_unix() > deadline::ack_due(m.received_at);
        let detail = format!("受理：{text}{}", if late { "（超过24小时）" } else { "" });
        step(&mut tx, id, m.site_id, "acknowledge", &detail, by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// 转办: another site of the group becomes responsible. The deadlines keep counting from
    /// the receipt (首帖负责制: the citizen's clock does not restart).
    pub async fn transfer_message(
        &self,
        scope: Scope,
        id: i64,
        to: (i64, &str),
        reason: &str,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        if m.answered_at.is_some() {
            return Err(StoreError::Conflict("已答复的留言不能转办".into()));
        }
        if m.site_id == to.0 {
            return Err(StoreError::Conflict("该留言已由这个单位负责".into()));
        }
        if m.reply_state.as_deref() == Some("submitted") {
            return Err(StoreError::Conflict("答复正在审核中，不能转办".into()));
        }
        // The new unit writes its own reply and acknowledges again if nobody had yet.
        sqlx::query("UPDATE messages SET site_id = $1, reply = NULL, reply_state = NULL, reply_level = 0, reply_author_id = NULL WHERE id = $2")
            .bind(to.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        hands::clear(&mut tx, Subject::Reply, id, None).await?;
        step(&mut tx, id, m.site_id, "transfer", &format!("转办至{}：{reason}", to.1), by).await?;
        step(&mut tx, id, to.0, "transfer-in", &format!("接收转办：{reason}"), by).await?;
        let notice = super::notices::NewNotice {
            site_id: to.0,
            kind: "message.transfer".into(),
            title: "【留言转办】收到一条转办的网民留言".into(),
            body: format!("留言“{}”已转由本单位办理（{reason}），答复期限 {}，请及时受理。", m.subject, m.due_date),
            link: format!("/admin/messages/{id}"),
            mail: None,
        };
        super::notices::add_notice(&mut tx, &notice).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a message complex: 15 working days instead of 7.
    pub async fn mark_complex(&self, scope: Scope, id: i64, reason: &str, cal: &Calendar, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        if m.answered_at.is_some() || m.complex {
            return Err(StoreError::Conflict("该留言已答复或已标记为复杂问题".into()));
        }
        let extra = if m.extension_state.as_deref() == Some("approved") { m.extension_days.unwrap_or(0) } else { 0 };
        let due = deadline::due_date(cal, m.received_at, true, extra as u32);
        sqlx::query(
            "UPDATE messages SET complex = 1, complex_reason = $1, due_date = $2, reminded_at = NULL WHERE id = $3",
        )
        .bind(reason)
        .bind(due.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        step(&mut tx, id, m.site_id, "complex", &format!("标记为复杂问题，答复期限改为 {due}：{reason}"), by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Asks the central office for `days` more working days.
    pub async fn request_extension(&self, scope: Scope, id: i64, days: i64, reason: &str, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        if m.answered_at.is_some() {
            return Err(StoreError::Conflict("已答复的留言不需要延期".into()));
        }
        if m.extension_state.is_some() {
            return Err(StoreError::Conflict("每条留言只能申请一次延期".into()));
        }
        sqlx::query("UPDATE messages SET extension_days = $1, extension_reason = $2, extension_state = 'requested' WHERE id = $3")
            .bind(days)
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        step(&mut tx, id, m.site_id, "extension-request", &format!("申请延期 {days} 个工作日：{reason}"), by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The central office approves or refuses a requested extension.
    pub async fn decide_extension(
        &self,
        id: i64,
        approve: bool,
        comment: &str,
        cal: &Calendar,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, Scope::all(), id).await?;
        if m.extension_state.as_deref() != Some("requested") {
            return Err(StoreError::Conflict("该留言没有待审批的延期申请".into()));
        }
        let mut due = m.due();
        if approve {
            due = deadline::due_date(cal, m.received_at, m.complex, m.extension_days.unwrap_or(0) as u32);
        }
        sqlx::query("UPDATE messages SET extension_state = $1, due_date = $2, reminded_at = NULL, overdue_notified_at = NULL WHERE id = $3")
            .bind(if approve { "approved" } else { "refused" })
            .bind(due.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail = if approve {
            format!("批准延期，答复期限改为 {due}：{comment}")
        } else {
            format!("不批准延期：{comment}")
        };
        step(&mut tx, id, m.site_id, if approve { "extension-approve" } else { "extension-refuse" }, &detail, by)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves the reply being written; a rejected reply becomes a draft again.
    pub async fn save_reply(&self, scope: Scope, id: i64, text: &str, user_id: i64, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        if m.answered_at.is_some() {
            return Err(StoreError::Conflict("该留言已答复".into()));
        }
        if m.reply_state.as_deref() == Some("submitted") {
            return Err(StoreError::Conflict("答复正在审核中，审核退回后才能修改".into()));
        }
        sqlx::query("UPDATE messages SET reply = $1, reply_state = 'draft', reply_level = 0, reply_author_id = $2 WHERE id = $3")
            .bind(text)
            .bind(user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        hands::record(&mut tx, Subject::Reply, id, user_id, Part::Wrote).await?;
        step(&mut tx, id, m.site_id, "reply-save", &format!("保存答复（{} 字）", text.chars().count()), by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends the saved reply to review. An unacknowledged message is acknowledged first: the
    /// reply cannot overtake the 受理 the citizen is owed.
    pub async fn submit_reply(&self, scope: Scope, id: i64, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        if m.reply_state.as_deref() != Some("draft") || m.reply.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(StoreError::Conflict("请先填写并保存答复内容".into()));
        }
        if m.acknowledged_at.is_none() {
            return Err(StoreError::Conflict("请先受理该留言，再提交答复".into()));
        }
        sqlx::query("UPDATE messages SET reply_state = 'submitted', reply_level = 0 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        step(&mut tx, id, m.site_id, "reply-submit", "提交答复审核", by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One review level of a submitted reply. The last level answers the message: the reply
    /// goes to the citizen's status page and, when publishable, onto the site.
    pub async fn review_reply(
        &self,
        scope: Scope,
        id: i64,
        decision: ReviewDecision<'_>,
        by: Actor<'_>,
    ) -> Result<bool> {
        let ReviewDecision { approve, comment, levels, reviewer_id } = decision;
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        if m.reply_state.as_deref() != Some("submitted") {
            return Err(StoreError::Conflict("没有待审核的答复".into()));
        }
        if m.reply_author_id == Some(reviewer_id)
            || hands::had(&mut *tx, Subject::Reply, id, reviewer_id, Part::Wrote).await?
        {
            return Err(StoreError::Forbidden("不能审核自己撰写的答复（也包括自己修改过的答复）".into()));
        }
        if hands::had(&mut *tx, Subject::Reply, id, reviewer_id, Part::Approved).await? {
            return Err(StoreError::Forbidden("您已审核过本答复的上一级，下一级须由其他审核员审核".into()));
        }
        let level = m.reply_level + 1;
        if !approve {
            sqlx::query("UPDATE messages SET reply_state = 'rejected', reply_level = 0 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            // The next submission is reviewed afresh from the first level.
            hands::clear(&mut tx, Subject::Reply, id, Some(Part::Approved)).await?;
            step(&mut tx, id, m.site_id, "reply-reject", &format!("第{level}级审核退回：{comment}"), by).await?;
            tx.commit().await?;
            return Ok(false);
        }
        let done = level >= i64::from(levels.max(1));
        if done {
            let now = now_unix();
            sqlx::query(
                "UPDATE messages SET reply_state = 'approved', reply_level = $1, answered_at = $2 WHERE id = $3",
            )
            .bind(level)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let late = !deadline::on_time(now, m.due());
            let detail = format!("第{level}级审核通过，答复办结{}：{comment}", if late { "（超期）" } else { "" });
            step(&mut tx, id, m.site_id, "reply-approve", &detail, by).await?;
            if m.publishable {
                add_job(&mut tx, m.site_id, None, None, None, now).await?;
            }
        } else {
            sqlx::query("UPDATE messages SET reply_level = $1 WHERE id = $2")
                .bind(level)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            hands::record(&mut tx, Subject::Reply, id, reviewer_id, Part::Approved).await?;
            step(&mut tx, id, m.site_id, "reply-approve", &format!("第{level}级审核通过：{comment}"), by).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// The answered, publishable messages of a site, masked, newest answer first.
    pub async fn published_messages(&self, site_id: i64) -> Result<Vec<PublishedMessage>> {
        use crate::interaction::mask;
        Ok(sqlx::query(
            "SELECT id, category, recipient, subject, content, name, received_at, answered_at, reply FROM messages
             WHERE site_id = $1 AND publishable = 1 AND answered_at IS NOT NULL AND reply IS NOT NULL
             ORDER BY answered_at DESC, id DESC",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let writer: String = r.get(5);
            PublishedMessage {
                id: r.get(0),
                category: Category::parse(r.get::<&str, _>(1)).unwrap_or(Category::Consult).label(),
                recipient: r.get(2),
                subject: mask::text(r.get::<&str, _>(3), &writer),
                content: mask::text(r.get::<&str, _>(4), &writer),
                writer: mask::name(&writer),
                received: deadline::beijing_day(r.get(6)).to_string(),
                answered: deadline::beijing_day(r.get(7)).to_string(),
                reply: mask::text(r.get::<&str, _>(8), &writer),
            }
        })
        .collect())
    }

    /// The clocks of every message received in `[from, to)` (Unix times) in `scope`.
    pub async fn message_facts(&self, scope: Scope, from: i64, to: i64) -> Result<Vec<MessageFact>> {
        Ok(sqlx::query(
            "SELECT site_id, category, received_at, acknowledged_at, due_date, answered_at, rating FROM messages
             WHERE ($1 = 0 OR site_id = $1) AND received_at >= $2 AND received_at < $3",
        )
        .bind(scope.param())
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| MessageFact {
            site_id: r.get(0),
            category: Category::parse(r.get::<&str, _>(1)).unwrap_or(Category::Consult),
            received_at: r.get(2),
            acknowledged_at: r.get(3),
            due_date: r.get::<&str, _>(4).parse().unwrap_or_default(),
            answered_at: r.get(5),
            rating: r.get(6),
        })
        .collect())
    }

    /// Reminders to send on `today` (due within `deadline::REMIND_DAYS` working days) and
    /// overdue notices (past the due day), each once per deadline.
    pub async fn due_message_notices(&self, cal: &Calendar, today: NaiveDate) -> Result<Vec<DueNotice>> {
        let rows = sqlx::query(
            "SELECT id, site_id, subject, due_date, reminded_at, overdue_notified_at FROM messages
             WHERE answered_at IS NULL AND (reminded_at IS NULL OR overdue_notified_at IS NULL)",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let due_text: String = r.get(3);
            let Ok(due) = due_text.parse::<NaiveDate>() else { continue };
            let (reminded, noticed): (Option<i64>, Option<i64>) = (r.get(4), r.get(5));
            let overdue = deadline::overdue(due, today);
            if (overdue && noticed.is_none()) || (!overdue && reminded.is_none() && deadline::remind(cal, due, today)) {
                out.push(DueNotice { id: r.get(0), site_id: r.get(1), subject: r.get(2), due_date: due_text, overdue });
            }
        }
        Ok(out)
    }

    /// Records a reminder or overdue notice as sent, with the notice itself, in one transaction.
    pub async fn mark_message_notice(&self, n: &DueNotice, notice: &super::notices::NewNotice) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let column = if n.overdue { "overdue_notified_at" } else { "reminded_at" };
        let changed = sqlx::query(&format!("UPDATE messages SET {column} = $1 WHERE id = $2 AND {column} IS NULL"))
            .bind(now_unix())
            .bind(n.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Another node sent it in the meantime.
        if changed == 0 {
            return Ok(());
        }
        super::notices::add_notice(&mut tx, notice).await?;
        let action = if n.overdue { "overdue" } else { "remind" };
        let detail = if n.overdue {
            format!("已超过答复期限 {}", n.due_date)
        } else {
            format!("答复期限 {} 临近", n.due_date)
        };
        step(&mut tx, n.id, n.site_id, action, &detail, Actor { name: "系统", ip: None, user_id: None }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Per site: the consultations received since `since` and still unanswered, with their
    /// receipt time, for the audit's interaction rules.
    pub async fn unanswered_consultations(&self, since: i64) -> Result<Vec<(i64, String, i64)>> {
        Ok(sqlx::query(
            "SELECT site_id, subject, received_at FROM messages
             WHERE category = 'consult' AND answered_at IS NULL AND received_at >= $1 ORDER BY received_at",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
    }
}

/// Remembers a proof-of-work challenge as spent (`Conflict` when it already was), and forgets
/// those expired by `now`.
pub(crate) async fn spend_challenge(tx: &mut Transaction<'_, Any>, spent: (&str, i64), now: i64) -> Result<()> {
    let fresh = sqlx::query(
        "INSERT INTO spent_challenges (token_hash, expires_at) VALUES ($1, $2) ON CONFLICT (token_hash) DO NOTHING",
    )
    .bind(spent.0)
    .bind(spent.1)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Err(StoreError::Conflict("该验证信息已经使用过，请勿重复提交".into()));
    }
    sqlx::query("DELETE FROM spent_challenges WHERE expires_at < $1").bind(now).execute(&mut **tx).await?;
    Ok(())
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
async fn in_scope<'e, E: sqlx::Executor<'e, Database = Any>>(exec: E, scope: Scope, id: i64) -> Result<Message> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM messages WHERE id = $1 AND ($2 = 0 OR site_id = $2)"))
        .bind(id)
        .bind(scope.param())
        .fetch_optional(exec)
        .await?
        .map(|r| row(&r))
        .ok_or(StoreError::NotFound)
}

/// The message as the transaction sees it, within `scope`, its row locked until the
/// transaction ends (see `editorial::article_site` for why a no-op UPDATE).
async fn locked(tx: &mut Transaction<'_, Any>, scope: Scope, id: i64) -> Result<Message> {
    sqlx::query("UPDATE messages SET received_at = received_at WHERE id = $1").bind(id).execute(&mut **tx).await?;
    in_scope(&mut **tx, scope, id).await
}

/// The message with this query code and phone number, if both match.
async fn by_code<'e, E: sqlx::Executor<'e, Database = Any>>(
    exec: E,
    code: &str,
    phone: &str,
) -> Result<Option<Message>> {
    Ok(sqlx::query(&format!("SELECT {COLUMNS} FROM messages WHERE code = $1 AND phone = $2"))
        .bind(normalize_code(code))
        .bind(phone)
        .fetch_optional(exec)
        .await?
        .map(|r| row(&r)))
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
