//! Opinion solicitations (意见征集): an editor writes the draft and its dates, a reviewer puts it
//! online; citizens comment while it is open; after it closes the editor writes the summary of
//! the feedback and its adoption, which a reviewer puts online too. Every step is audited.

use chrono::NaiveDate;
use sqlx::{Any, Transaction};

use super::Cols;

use super::audit::{append, Entry};
use super::hands::{self, Part, Subject};
use super::mailboxes::Actor;
use super::tenant::Tenant;
use super::workflow::add_job;
use super::{now_unix, Result, Store, StoreError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Solicitation {
    pub id: i64,
    pub site_id: i64,
    pub title: String,
    pub body_md: String,
    pub opens: String,
    pub closes: String,
    /// draft, submitted, published.
    pub state: String,
    pub summary_md: Option<String>,
    pub summary_state: Option<String>,
    pub author_id: Option<i64>,
    pub updated_at: i64,
    pub comments: i64,
}

impl Solicitation {
    /// Open for comments on `today`.
    pub fn open_on(&self, today: NaiveDate) -> bool {
        let day = today.to_string();
        self.state == "published" && self.opens <= day && day <= self.closes
    }

    pub fn closed_on(&self, today: NaiveDate) -> bool {
        today.to_string() > self.closes
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Comment {
    pub id: i64,
    pub content: String,
    pub name: String,
    pub phone: String,
    pub received_at: i64,
}

/// What the editor's form sets.
#[derive(Debug, Clone)]
pub struct SolicitationFields {
    pub title: String,
    pub body_md: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

/// A published solicitation as its site shows it (comments only as a count).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishedSolicitation {
    pub id: i64,
    pub title: String,
    pub body_md: String,
    pub opens: String,
    pub closes: String,
    pub summary_md: Option<String>,
    pub comments: i64,
}

const COLUMNS: &str = "s.id, s.site_id, s.title, s.body_md, s.opens, s.closes, s.state, s.summary_md, s.summary_state,
    s.author_id, s.updated_at, (SELECT COUNT(*) FROM solicitation_comments c WHERE c.solicitation_id = s.id) AS comments";

fn row(r: &sqlx::any::AnyRow) -> Result<Solicitation> {
    Ok(Solicitation {
        id: r.col("id")?,
        site_id: r.col("site_id")?,
        title: r.col("title")?,
        body_md: r.col("body_md")?,
        opens: r.col("opens")?,
        closes: r.col("closes")?,
        state: r.col("state")?,
        summary_md: r.col("summary_md")?,
        summary_state: r.col("summary_state")?,
        author_id: r.col("author_id")?,
        updated_at: r.col("updated_at")?,
        comments: r.col("comments")?,
    })
}

impl Store {
    /// The solicitations of `scope`, newest first.
    pub async fn solicitations(&self, scope: Tenant) -> Result<Vec<Solicitation>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM solicitations s WHERE {only} ORDER BY s.opens DESC, s.id DESC",
            only = Tenant::filter("s.site_id", 1)
        ))
        .bind(scope.param())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row)
        .collect()
    }

    /// One solicitation with its comments, oldest first; outside `scope` it is `NotFound`.
    pub async fn solicitation(&self, scope: Tenant, id: i64) -> Result<(Solicitation, Vec<Comment>)> {
        let s = in_scope(self.pool(), scope, id).await?;
        let comments = sqlx::query(
            "SELECT id, content, name, phone, received_at FROM solicitation_comments WHERE solicitation_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Comment {
                id: r.col("id")?,
                content: r.col("content")?,
                name: r.col("name")?,
                phone: r.col("phone")?,
                received_at: r.col("received_at")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok((s, comments))
    }

    /// A new draft of the tenant's site; the central office publishes none of its own.
    pub async fn create_solicitation(
        &self,
        tenant: Tenant,
        f: &SolicitationFields,
        author_id: Option<i64>,
        by: Actor<'_>,
    ) -> Result<i64> {
        let Some(site_id) = tenant.site_id() else {
            return Err(StoreError::Conflict("意见征集由各网站发布".into()));
        };
        let mut tx = self.begin_write().await?;
        let now = now_unix();
        let id: i64 = sqlx::query(
            "INSERT INTO solicitations (site_id, title, body_md, opens, closes, state, author_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $7) RETURNING id",
        )
        .bind(site_id)
        .bind(&f.title)
        .bind(&f.body_md)
        .bind(f.opens.to_string())
        .bind(f.closes.to_string())
        .bind(author_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .col("id")?;
        if let Some(user) = by.user_id {
            hands::record(&mut tx, Subject::Solicitation, id, user, Part::Wrote).await?;
        }
        log(&mut tx, site_id, id, "create", &format!("{}（{} 至 {}）", f.title, f.opens, f.closes), by).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a draft (not once it is submitted or online).
    pub async fn update_solicitation(
        &self,
        scope: Tenant,
        id: i64,
        f: &SolicitationFields,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let s = locked(&mut tx, scope, id).await?;
        if s.state != "draft" {
            return Err(StoreError::Conflict("只有草稿可以修改；已提交或已发布的征集不能再改".into()));
        }
        sqlx::query(
            "UPDATE solicitations SET title = $1, body_md = $2, opens = $3, closes = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&f.title)
        .bind(&f.body_md)
        .bind(f.opens.to_string())
        .bind(f.closes.to_string())
        .bind(now_unix())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(user) = by.user_id {
            hands::record(&mut tx, Subject::Solicitation, id, user, Part::Wrote).await?;
        }
        log(&mut tx, s.site_id, id, "update", &f.title, by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends the draft, or the summary, to review.
    pub async fn submit_solicitation(&self, scope: Tenant, id: i64, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let s = locked(&mut tx, scope, id).await?;
        let (sql, what) = if s.state == "draft" {
            ("UPDATE solicitations SET state = 'submitted' WHERE id = $1", "提交征集稿审核")
        } else if s.summary_state.as_deref() == Some("draft") {
            ("UPDATE solicitations SET summary_state = 'submitted' WHERE id = $1", "提交反馈情况审核")
        } else {
            return Err(StoreError::Conflict("没有可以提交审核的内容".into()));
        };
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        log(&mut tx, s.site_id, id, "submit", what, by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A reviewer's decision on what is submitted (the draft or the summary): approved, it goes
    /// online at the next publish; returned, it is a draft again.
    pub async fn review_solicitation(
        &self,
        scope: Tenant,
        id: i64,
        approve: bool,
        comment: &str,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let s = locked(&mut tx, scope, id).await?;
        let now = now_unix();
        let (sql, what) = match (s.state.as_str(), s.summary_state.as_deref(), approve) {
            ("submitted", _, true) => {
                ("UPDATE solicitations SET state = 'published', published_at = $2 WHERE id = $1", "发布征集")
            }
            ("submitted", _, false) => {
                ("UPDATE solicitations SET state = 'draft' WHERE id = $1 AND $2 = $2", "退回征集稿")
            }
            (_, Some("submitted"), true) => (
                "UPDATE solicitations SET summary_state = 'published', summary_published_at = $2 WHERE id = $1",
                "发布反馈情况",
            ),
            (_, Some("submitted"), false) => {
                ("UPDATE solicitations SET summary_state = 'draft' WHERE id = $1 AND $2 = $2", "退回反馈情况")
            }
            _ => return Err(StoreError::Conflict("没有待审核的内容".into())),
        };
        // Whoever wrote the draft (or the summary under review) never decides on it.
        let subject = if s.state == "submitted" { Subject::Solicitation } else { Subject::Summary };
        let wrote = match by.user_id {
            Some(user) => s.author_id == Some(user) || hands::had(&mut *tx, subject, id, user, Part::Wrote).await?,
            None => false,
        };
        if wrote {
            return Err(StoreError::Forbidden("不能审核自己撰写或修改过的内容，请由本单位其他审核员审核".into()));
        }
        sqlx::query(sql).bind(id).bind(now).execute(&mut *tx).await?;
        log(&mut tx, s.site_id, id, if approve { "approve" } else { "reject" }, &format!("{what}：{comment}"), by)
            .await?;
        if approve {
            add_job(&mut tx, s.site_id, None, None, None, now).await?;
            // The pages say 未开始, 征集中, 已结束: publish again when that changes.
            for day in [s.opens.parse::<NaiveDate>().ok().and_then(|d| d.pred_opt()), s.closes.parse().ok()]
                .into_iter()
                .flatten()
            {
                let at = crate::interaction::deadline::end_of_day(day);
                if at > now {
                    add_job(&mut tx, s.site_id, None, None, None, at).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves the summary of a closed solicitation as a draft.
    pub async fn save_summary(
        &self,
        scope: Tenant,
        id: i64,
        text: &str,
        today: NaiveDate,
        by: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let s = locked(&mut tx, scope, id).await?;
        if s.state != "published" || !s.closed_on(today) {
            return Err(StoreError::Conflict("征集结束后才能发布反馈情况".into()));
        }
        if matches!(s.summary_state.as_deref(), Some("submitted") | Some("published")) {
            return Err(StoreError::Conflict("反馈情况已提交审核或已发布".into()));
        }
        sqlx::query("UPDATE solicitations SET summary_md = $1, summary_state = 'draft', updated_at = $2 WHERE id = $3")
            .bind(text)
            .bind(now_unix())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if let Some(user) = by.user_id {
            hands::record(&mut tx, Subject::Summary, id, user, Part::Wrote).await?;
        }
        log(&mut tx, s.site_id, id, "summary", &format!("保存反馈情况（{} 字）", text.chars().count()), by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A citizen's comment on a solicitation of `site_id`, open on `today`, spending the
    /// proof-of-work challenge in the same transaction.
    pub async fn add_comment(
        &self,
        tenant: Tenant,
        id: i64,
        content: &str,
        writer: (&str, &str),
        spent: (&str, i64),
        today: NaiveDate,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let s = locked(&mut tx, tenant, id).await?;
        if s.state != "published" {
            return Err(StoreError::NotFound);
        }
        if !s.open_on(today) {
            return Err(StoreError::Conflict(format!(
                "本次意见征集的时间是 {} 至 {}，现在不在征集期内",
                s.opens, s.closes
            )));
        }
        super::messages::spend_challenge(&mut tx, spent, now_unix()).await?;
        sqlx::query("INSERT INTO solicitation_comments (solicitation_id, content, name, phone, received_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(content)
            .bind(writer.0)
            .bind(writer.1)
            .bind(now_unix())
            .execute(&mut *tx)
            .await?;
        log(&mut tx, s.site_id, id, "comment", "网民提交意见", Actor { name: "网民", ip: None, user_id: None }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The published solicitations of a site, newest first, with the published summaries.
    pub async fn published_solicitations(&self, site_id: i64) -> Result<Vec<PublishedSolicitation>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM solicitations s WHERE s.site_id = $1 AND s.state = 'published' ORDER BY s.opens DESC, s.id DESC"
        ))
        .bind(site_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            row(r).map(|s| PublishedSolicitation {
                id: s.id,
                title: s.title,
                body_md: s.body_md,
                opens: s.opens,
                closes: s.closes,
                summary_md: if s.summary_state.as_deref() == Some("published") { s.summary_md } else { None },
                comments: s.comments,
            })
        })
        .collect()
    }
}

/// The solicitation `id` within `scope`; outside it, `NotFound`.
async fn in_scope<'e, E: sqlx::Executor<'e, Database = Any>>(exec: E, scope: Tenant, id: i64) -> Result<Solicitation> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM solicitations s WHERE s.id = $1 AND {only}",
        only = Tenant::filter("s.site_id", 2)
    ))
    .bind(id)
    .bind(scope.param())
    .fetch_optional(exec)
    .await?
    .map(|r| row(&r))
    .transpose()?
    .ok_or(StoreError::NotFound)
}

/// The solicitation within `scope`, its row locked until the transaction ends (see
/// `editorial::article_site` for why a no-op UPDATE).
async fn locked(tx: &mut Transaction<'_, Any>, scope: Tenant, id: i64) -> Result<Solicitation> {
    sqlx::query("UPDATE solicitations SET updated_at = updated_at WHERE id = $1").bind(id).execute(&mut **tx).await?;
    in_scope(&mut **tx, scope, id).await
}

async fn log(
    tx: &mut Transaction<'_, Any>,
    site_id: i64,
    id: i64,
    action: &str,
    detail: &str,
    by: Actor<'_>,
) -> Result<()> {
    let target = format!("solicitation {id}");
    let action = format!("solicitation.{action}");
    let entry = Entry { actor: by.name, ip: by.ip, site_id: Some(site_id), action: &action, target: &target, detail };
    append(&mut **tx, &entry).await
}
