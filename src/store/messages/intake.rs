//! A citizen's side of a message: the form's secret, the submission stored before the query
//! code is shown, the status look-up by code and phone, and the rating of the answer.

use super::*;

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
            .col("value")?;
        Ok(v.into_bytes())
    }

    /// Stores a citizen's message, spending its proof-of-work challenge in the same
    /// transaction; returns the id and the query code. Only after this returns may the code be
    /// shown.
    pub async fn submit_message(
        &self,
        tenant: Tenant,
        s: &Submission,
        spent: (&str, i64),
        received_at: i64,
        due: NaiveDate,
    ) -> Result<(i64, String)> {
        // The public form writes to the one site whose page it is on.
        let site_id = tenant.site_id().ok_or(StoreError::NotFound)?;
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
        .col("id")?;
        let to = if s.recipient.is_empty() { "留言板".to_string() } else { s.recipient.clone() };
        let detail = format!("{}（{}），答复期限 {due}", to, s.category.label());
        step(&mut tx, id, site_id, "receive", &detail, Actor { name: "网民", ip: None, user_id: None }).await?;
        tx.commit().await?;
        Ok((id, code))
    }

    /// Writes a message whose steps happened in the past, each step at its own time (the demo).
    pub async fn insert_handled_message(&self, tenant: Tenant, h: &HandledMessage) -> Result<i64> {
        tenant.reach(h.origin_site_id)?;
        tenant.reach(h.site_id)?;
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
        .col("id")?;
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
    pub async fn has_messages(&self, tenant: Tenant) -> Result<bool> {
        let sql = format!("SELECT 1 FROM messages WHERE {only} LIMIT 1", only = Tenant::filter("site_id", 1));
        Ok(sqlx::query(&sql).bind(tenant.param()).fetch_optional(self.pool()).await?.is_some())
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
