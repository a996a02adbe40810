//! Reading messages: a site's inbox and its counts, one message with its history, the answers
//! to publish, the oversight facts and the deadlines to remind of.

use super::*;

impl Store {
    /// The inbox of `scope`, newest first, at most `limit`.
    pub async fn inbox(
        &self,
        scope: Tenant,
        filter: InboxFilter,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Message>> {
        let cond = filter_sql(filter);
        // $3 is bound in every case so that the statement's parameters do not depend on it.
        let sql = format!(
            "SELECT {COLUMNS} FROM messages WHERE {only} AND {cond} AND $3 = $3
             ORDER BY received_at DESC, id DESC LIMIT $2",
            only = Tenant::filter("site_id", 1)
        );
        sqlx::query(&sql)
            .bind(scope.param())
            .bind(limit)
            .bind(today.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row)
            .collect()
    }

    /// How many messages of `scope` each filter lists, in `InboxFilter::ALL` order.
    pub async fn inbox_counts(&self, scope: Tenant, today: NaiveDate) -> Result<Vec<(InboxFilter, i64)>> {
        let sums: Vec<String> = InboxFilter::ALL
            .iter()
            .map(|f| format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS n_{}", filter_sql(*f), f.as_str()))
            .collect();
        let sql = format!(
            "SELECT {} FROM messages WHERE {only} AND $2 = $2",
            sums.join(", "),
            only = Tenant::filter("site_id", 1)
        );
        let sql = sql.replace("$3", "$2");
        let r = sqlx::query(&sql).bind(scope.param()).bind(today.to_string()).fetch_one(self.pool()).await?;
        InboxFilter::ALL
            .iter()
            .map(|f| Ok((*f, r.col::<Option<i64>>(&format!("n_{}", f.as_str()))?.unwrap_or(0))))
            .collect()
    }

    /// The messages of `scope` received in `[from, to)` (Unix times), oldest first.
    pub async fn messages_between(&self, scope: Tenant, from: i64, to: i64) -> Result<Vec<Message>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM messages WHERE {only} AND received_at >= $2 AND received_at < $3
             ORDER BY received_at, id",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(scope.param())
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row)
        .collect()
    }

    /// One message and its history; outside `scope` (not responsible) it is `NotFound`.
    pub async fn message(&self, scope: Tenant, id: i64) -> Result<(Message, Vec<MessageEvent>)> {
        let m = in_scope(self.pool(), scope, id).await?;
        let events = sqlx::query(
            "SELECT site_id, action, actor, at, detail FROM message_events WHERE message_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(MessageEvent {
                site_id: r.col("site_id")?,
                action: r.col("action")?,
                actor: r.col("actor")?,
                at: r.col("at")?,
                detail: r.col("detail")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok((m, events))
    }

    /// The answered, publishable messages of a site, masked, newest answer first.
    pub async fn published_messages(&self, site_id: i64) -> Result<Vec<PublishedMessage>> {
        use crate::interaction::mask;
        sqlx::query(
            "SELECT id, category, recipient, subject, content, name, received_at, answered_at, reply FROM messages
             WHERE site_id = $1 AND publishable = 1 AND answered_at IS NOT NULL AND reply IS NOT NULL
             ORDER BY answered_at DESC, id DESC",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let writer: String = r.col("name")?;
            Ok(PublishedMessage {
                id: r.col("id")?,
                category: Category::parse(r.col::<&str>("category")?).unwrap_or(Category::Consult).label(),
                recipient: r.col("recipient")?,
                subject: mask::text(r.col::<&str>("subject")?, &writer),
                content: mask::text(r.col::<&str>("content")?, &writer),
                writer: mask::name(&writer),
                received: deadline::beijing_day(r.col("received_at")?).to_string(),
                answered: deadline::beijing_day(r.col("answered_at")?).to_string(),
                reply: mask::text(r.col::<&str>("reply")?, &writer),
            })
        })
        .collect()
    }

    /// The clocks of every message received in `[from, to)` (Unix times) in `scope`.
    pub async fn message_facts(&self, scope: Tenant, from: i64, to: i64) -> Result<Vec<MessageFact>> {
        sqlx::query(&format!(
            "SELECT site_id, category, received_at, acknowledged_at, due_date, answered_at, rating FROM messages
             WHERE {only} AND received_at >= $2 AND received_at < $3",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(scope.param())
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(MessageFact {
                site_id: r.col("site_id")?,
                category: Category::parse(r.col::<&str>("category")?).unwrap_or(Category::Consult),
                received_at: r.col("received_at")?,
                acknowledged_at: r.col("acknowledged_at")?,
                due_date: r.col::<&str>("due_date")?.parse().unwrap_or_default(),
                answered_at: r.col("answered_at")?,
                rating: r.col("rating")?,
            })
        })
        .collect()
    }

    /// Reminders to send on `today` (due within `deadline::REMIND_DAYS` working days) and
    /// overdue notices (past the due day), each once per deadline.
    pub async fn due_message_notices(
        &self,
        tenant: Tenant,
        cal: &Calendar,
        today: NaiveDate,
    ) -> Result<Vec<DueNotice>> {
        let rows = sqlx::query(&format!(
            "SELECT id, site_id, subject, due_date, reminded_at, overdue_notified_at FROM messages
             WHERE answered_at IS NULL AND (reminded_at IS NULL OR overdue_notified_at IS NULL) AND {only}",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(tenant.param())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let due_text: String = r.col("due_date")?;
            let Ok(due) = due_text.parse::<NaiveDate>() else { continue };
            let (reminded, noticed): (Option<i64>, Option<i64>) =
                (r.col("reminded_at")?, r.col("overdue_notified_at")?);
            let overdue = deadline::overdue(due, today);
            if (overdue && noticed.is_none()) || (!overdue && reminded.is_none() && deadline::remind(cal, due, today)) {
                out.push(DueNotice {
                    id: r.col("id")?,
                    site_id: r.col("site_id")?,
                    subject: r.col("subject")?,
                    due_date: due_text,
                    overdue,
                });
            }
        }
        Ok(out)
    }

    /// Records a reminder or overdue notice as sent, with the notice itself, in one transaction.
    pub async fn mark_message_notice(
        &self,
        tenant: Tenant,
        n: &DueNotice,
        notice: &super::super::notices::NewNotice,
    ) -> Result<()> {
        tenant.reach(n.site_id)?;
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
    pub async fn unanswered_consultations(&self, tenant: Tenant, since: i64) -> Result<Vec<(i64, String, i64)>> {
        sqlx::query(&format!(
            "SELECT site_id, subject, received_at FROM messages
             WHERE category = 'consult' AND answered_at IS NULL AND received_at >= $1 AND {only} ORDER BY received_at",
            only = Tenant::filter("site_id", 2)
        ))
        .bind(since)
        .bind(tenant.param())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.col("site_id")?, r.col("subject")?, r.col("received_at")?)))
        .collect()
    }
}
