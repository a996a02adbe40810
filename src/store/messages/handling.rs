//! The responsible site's steps on a message: acknowledge, transfer, mark complex, extend,
//! answer, and the review of the answer, each checked against the message's state in the
//! transaction that writes it.

use super::*;
use crate::interaction::handling as rules;

impl Store {
    /// The site's standard acknowledgement text.
    pub async fn ack_text(&self, tenant: Tenant, site_id: i64) -> Result<String> {
        tenant.reach(site_id)?;
        match sqlx::query("SELECT ack_text FROM interaction_settings WHERE site_id = $1")
            .bind(site_id)
            .fetch_optional(self.pool())
            .await?
        {
            Some(r) => r.col("ack_text"),
            None => Ok(crate::interaction::DEFAULT_ACK_TEXT.to_string()),
        }
    }

    pub async fn set_ack_text(&self, tenant: Tenant, site_id: i64, text: &str, by: Actor<'_>) -> Result<()> {
        tenant.reach(site_id)?;
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
    pub async fn acknowledge_message(&self, scope: Tenant, id: i64, text: &str, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        rules::acknowledge(&m.facts())?;
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
        scope: Tenant,
        id: i64,
        to: (i64, &str),
        reason: &str,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        rules::transfer(&m.facts(), to.0)?;
        // The new unit writes its own reply and acknowledges again if nobody had yet.
        sqlx::query("UPDATE messages SET site_id = $1, reply = NULL, reply_state = NULL, reply_level = 0, reply_author_id = NULL WHERE id = $2")
            .bind(to.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        hands::clear(&mut tx, Subject::Reply, id, None).await?;
        step(&mut tx, id, m.site_id, "transfer", &format!("转办至{}：{reason}", to.1), by).await?;
        step(&mut tx, id, to.0, "transfer-in", &format!("接收转办：{reason}"), by).await?;
        let notice = super::super::notices::NewNotice {
            site_id: to.0,
            kind: "message.transfer".into(),
            title: "【留言转办】收到一条转办的网民留言".into(),
            body: format!("留言“{}”已转由本单位办理（{reason}），答复期限 {}，请及时受理。", m.subject, m.due_date),
            link: format!("/admin/messages/{id}"),
            mail: None,
        };
        super::super::notices::add_notice(&mut tx, &notice).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a message complex: 15 working days instead of 7.
    pub async fn mark_complex(
        &self,
        scope: Tenant,
        id: i64,
        reason: &str,
        cal: &Calendar,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        rules::mark_complex(&m.facts())?;
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
    pub async fn request_extension(
        &self,
        scope: Tenant,
        id: i64,
        days: i64,
        reason: &str,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        rules::request_extension(&m.facts())?;
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
        tenant: Tenant,
        id: i64,
        approve: bool,
        comment: &str,
        cal: &Calendar,
        by: Actor<'_>,
    ) -> Result<()> {
        rules::may_decide_extension(tenant.site_id().is_none())?;
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, tenant, id).await?;
        rules::decide_extension(&m.facts())?;
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
    pub async fn save_reply(&self, scope: Tenant, id: i64, text: &str, user_id: i64, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        rules::save_reply(&m.facts())?;
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
    pub async fn submit_reply(&self, scope: Tenant, id: i64, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        rules::submit_reply(&m.facts())?;
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
        scope: Tenant,
        id: i64,
        decision: ReviewDecision<'_>,
        by: Actor<'_>,
    ) -> Result<bool> {
        let ReviewDecision { approve, comment, levels, reviewer_id } = decision;
        let mut tx = self.begin_write().await?;
        let m = locked(&mut tx, scope, id).await?;
        let reviewer = rules::ReplyReviewer {
            wrote_it: m.reply_author_id == Some(reviewer_id)
                || hands::had(&mut *tx, Subject::Reply, id, reviewer_id, Part::Wrote).await?,
            approved_a_level: hands::had(&mut *tx, Subject::Reply, id, reviewer_id, Part::Approved).await?,
        };
        rules::review_reply(&m.facts(), reviewer)?;
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
}
