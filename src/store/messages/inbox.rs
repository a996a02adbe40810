//! Reading messages: a site's inbox and its counts, one message with its history, the answers
//! to publish, the oversight facts and the deadlines to remind of.

use super::*;

impl Store {
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
    pub async fn mark_message_notice(&self, n: &DueNotice, notice: &super::super::notices::NewNotice) -> Result<()> {
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
        super::super::notices::add_notice(&mut tx, notice).await?;
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
