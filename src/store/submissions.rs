//! 信息报送: a site offers one of its published articles to a site that takes submissions
//! (`submissions:` in `group.yaml`, usually the portal); the receiving reviewers accept it
//! into one of the declared columns (采用) or decline it with a reason.
//!
//! An accepted submission becomes an article row of the receiving site (its copy) whose live
//! revision is the source's own: lists, feeds, the sitemap and search treat it as any page of
//! that site, and an edit or a withdrawal approved at the source reaches it in the same
//! publish (`workflow::publish`, `workflow::withdraw`). The receiving site never edits it; it
//! may take its copy down on its own.

use sqlx::{Any, Transaction};

use super::audit::{self, Entry};
use super::mailboxes::Actor;
use super::tenant::Tenant;
use super::workflow::add_job;
use super::{now_unix, Cols, Result, Store, StoreError};
use crate::group::urls::article_path;
use crate::group::Group;

/// Longest note a submitter adds, and longest reason for declining.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionState {
    Submitted,
    Accepted,
    Declined,
    Withdrawn,
}

impl SubmissionState {
    fn parse(s: &str) -> SubmissionState {
        match s {
            "accepted" => SubmissionState::Accepted,
            "declined" => SubmissionState::Declined,
            "withdrawn" => SubmissionState::Withdrawn,
            _ => SubmissionState::Submitted,
        }
    }

    /// What the submitter and the receiving reviewers read.
    pub fn label(self) -> &'static str {
        match self {
            SubmissionState::Submitted => "待采用",
            SubmissionState::Accepted => "已采用",
            SubmissionState::Declined => "未采用",
            SubmissionState::Withdrawn => "已撤下",
        }
    }
}

/// One submission as both sides see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Submission {
    pub id: i64,
    pub article_id: i64,
    pub title: String,
    pub from_site: String,
    pub from_name: String,
    pub to_site: String,
    pub to_name: String,
    pub state: SubmissionState,
    /// The state in the words people read (待采用, 已采用 …).
    pub state_label: &'static str,
    pub note: String,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    /// The receiving site's page of an accepted submission.
    pub copy_id: Option<i64>,
    /// Slug and name of the receiving column an accepted submission is in.
    pub column: Option<String>,
    pub column_name: Option<String>,
    /// An edit approved at the source waits for the receiving site to accept it again.
    pub edit_waiting: bool,
}

const SUBMISSION_SELECT: &str = "SELECT s.id, s.article_id, r.title, fs.code AS from_code, fs.name AS from_name,
        ts.code AS to_code, ts.name AS to_name, s.state, s.note, s.submitted_by, s.submitted_at, s.decided_by,
        s.decided_at, s.reason, s.copy_id, cc.slug AS copy_column, cc.name AS copy_column_name, s.pending_revision_id
    FROM submissions s
    JOIN articles a ON a.id = s.article_id
    JOIN revisions r ON r.id = a.published_revision_id
    JOIN sites fs ON fs.id = s.from_site_id
    JOIN sites ts ON ts.id = s.to_site_id
    LEFT JOIN articles c ON c.id = s.copy_id
    LEFT JOIN site_columns cc ON cc.id = c.column_id";

fn submission_row(r: &sqlx::any::AnyRow) -> Result<Submission> {
    let state = SubmissionState::parse(&r.col::<String>("state")?);
    Ok(Submission {
        id: r.col("id")?,
        article_id: r.col("article_id")?,
        title: r.col("title")?,
        from_site: r.col("from_code")?,
        from_name: r.col("from_name")?,
        to_site: r.col("to_code")?,
        to_name: r.col("to_name")?,
        state,
        state_label: state.label(),
        note: r.col("note")?,
        submitted_by: r.col("submitted_by")?,
        submitted_at: r.col("submitted_at")?,
        decided_by: r.col("decided_by")?,
        decided_at: r.col("decided_at")?,
        reason: r.col("reason")?,
        copy_id: r.col("copy_id")?,
        column: r.col("copy_column")?,
        column_name: r.col("copy_column_name")?,
        edit_waiting: r.col::<Option<i64>>("pending_revision_id")?.is_some(),
    })
}

/// A site's 信息报送 over a period, counted by the day of submission: of what it sent then,
/// how much was taken (even if a page was later withdrawn), declined, or still waits; and
/// how much it received. `to_decide` is the site's queue now, whatever the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SubmissionFigures {
    pub submitted: i64,
    pub accepted: i64,
    pub declined: i64,
    pub waiting: i64,
    pub received: i64,
    pub to_decide: i64,
}

impl SubmissionFigures {
    /// 采用率 of what was decided, in whole percent; None before any decision.
    pub fn rate(&self) -> Option<i64> {
        let decided = self.accepted + self.declined;
        (decided > 0).then(|| (self.accepted * 100 + decided / 2) / decided)
    }
}

fn bounded(text: &str, what: &str) -> Result<String> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(StoreError::Invalid(format!("{what}最多 {MAX_NOTE_CHARS} 字")));
    }
    Ok(text.to_string())
}

impl Store {
    /// Offers a published article of the caller's site to `to_site`. Refused when the group
    /// does not let that site take submissions, the article is not online, or it is already
    /// waiting there or accepted (409).
    pub async fn submit_to(
        &self,
        scope: Tenant,
        group: &Group,
        by: Actor<'_>,
        article_id: i64,
        to_site: &str,
        note: &str,
    ) -> Result<i64> {
        let note = bounded(note, "报送说明")?;
        if group.submission_target(to_site).is_none() {
            return Err(StoreError::Invalid(format!("站点“{to_site}”不接收报送")));
        }
        let mut tx = self.begin_write().await?;
        let from_site = super::editorial::article_site(&mut tx, scope, article_id).await?;
        let row = sqlx::query(
            "SELECT a.status, a.source_article_id, r.title, t.id AS to_id
             FROM articles a LEFT JOIN revisions r ON r.id = a.published_revision_id
             LEFT JOIN sites t ON t.code = $2
             WHERE a.id = $1",
        )
        .bind(article_id)
        .bind(to_site)
        .fetch_one(&mut *tx)
        .await?;
        let to_id: i64 = row.col::<Option<i64>>("to_id")?.ok_or(StoreError::NotFound)?;
        if to_id == from_site {
            return Err(StoreError::Invalid("不能向本站报送".into()));
        }
        if row.col::<Option<i64>>("source_article_id")?.is_some() {
            return Err(StoreError::Conflict("这篇稿件本身是报送采用的，请由来源单位报送".into()));
        }
        if row.col::<String>("status")? != "published" {
            return Err(StoreError::Conflict("只有已发布的稿件才能报送".into()));
        }
        let title: String = row.col::<Option<String>>("title")?.unwrap_or_default();
        let open: Option<String> = sqlx::query(
            "SELECT state FROM submissions WHERE article_id = $1 AND to_site_id = $2 AND state IN ('submitted', 'accepted')",
        )
        .bind(article_id)
        .bind(to_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.col("state"))
        .transpose()?;
        if let Some(state) = open {
            let what = if state == "accepted" { "已被采用" } else { "正在等待采用" };
            return Err(StoreError::Conflict(format!("这篇稿件已报送该站点，{what}")));
        }
        let now = now_unix();
        let id: i64 = sqlx::query(
            "INSERT INTO submissions (article_id, from_site_id, to_site_id, state, note, submitted_by, submitted_at)
             VALUES ($1, $2, $3, 'submitted', $4, $5, $6) RETURNING id",
        )
        .bind(article_id)
        .bind(from_site)
        .bind(to_id)
        .bind(&note)
        .bind(by.name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| unique_as_conflict(e, "这篇稿件已报送该站点"))?
        .col("id")?;
        let target = format!("article {article_id}: {title}");
        let detail = format!("报送至 {to_site}");
        log(&mut tx, by, from_site, "submission.submit", &target, &detail).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Submissions a site received (newest first), or those it sent; the newest 500.
    pub async fn submissions(&self, scope: Tenant, site_id: i64, received: bool) -> Result<Vec<Submission>> {
        scope.reach(site_id)?;
        let side = if received { "s.to_site_id" } else { "s.from_site_id" };
        let sql = format!("{SUBMISSION_SELECT} WHERE {side} = $1 ORDER BY s.submitted_at DESC, s.id DESC LIMIT 500");
        sqlx::query(&sql).bind(site_id).fetch_all(self.pool()).await?.iter().map(submission_row).collect()
    }

    /// Every site's submissions, for the central office: the newest 500.
    pub async fn all_submissions(&self, scope: Tenant) -> Result<Vec<Submission>> {
        if scope.site_id().is_some() {
            return Err(StoreError::NotFound);
        }
        let sql = format!("{SUBMISSION_SELECT} ORDER BY s.submitted_at DESC, s.id DESC LIMIT 500");
        sqlx::query(&sql).fetch_all(self.pool()).await?.iter().map(submission_row).collect()
    }

    /// Figures per site id for the sites of the scope, over submissions made in
    /// `[from, to)` (Unix seconds); sites with none are absent.
    pub async fn submission_figures(
        &self,
        scope: Tenant,
        from: i64,
        to: i64,
    ) -> Result<std::collections::HashMap<i64, SubmissionFigures>> {
        let mut out: std::collections::HashMap<i64, SubmissionFigures> = std::collections::HashMap::new();
        let sent = format!(
            "SELECT from_site_id AS site_id, COUNT(*) AS n,
                    SUM(CASE WHEN copy_id IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
                    SUM(CASE WHEN state = 'declined' THEN 1 ELSE 0 END) AS declined,
                    SUM(CASE WHEN state = 'submitted' THEN 1 ELSE 0 END) AS waiting
             FROM submissions WHERE submitted_at >= $1 AND submitted_at < $2 AND {only} GROUP BY from_site_id",
            only = Tenant::filter("from_site_id", 3)
        );
        for r in sqlx::query(&sent).bind(from).bind(to).bind(scope.param()).fetch_all(self.pool()).await? {
            let f = out.entry(r.col("site_id")?).or_default();
            f.submitted = r.col("n")?;
            f.accepted = r.col("accepted")?;
            f.declined = r.col("declined")?;
            f.waiting = r.col("waiting")?;
        }
        let received = format!(
            "SELECT to_site_id AS site_id,
                    SUM(CASE WHEN submitted_at >= $1 AND submitted_at < $2 THEN 1 ELSE 0 END) AS received,
                    SUM(CASE WHEN state = 'submitted' OR pending_revision_id IS NOT NULL THEN 1 ELSE 0 END) AS queue
             FROM submissions WHERE {only} GROUP BY to_site_id",
            only = Tenant::filter("to_site_id", 3)
        );
        for r in sqlx::query(&received).bind(from).bind(to).bind(scope.param()).fetch_all(self.pool()).await? {
            let f = out.entry(r.col("site_id")?).or_default();
            f.received = r.col("received")?;
            f.to_decide = r.col("queue")?;
        }
        Ok(out)
    }

    /// Dates a submission and its decision in the past: the demo seed's history of months,
    /// so that a new group shows monthly figures at once. Nothing else moves time backwards.
    pub async fn backdate_submission(&self, id: i64, submitted_at: i64, decided_at: Option<i64>) -> Result<()> {
        sqlx::query(
            "UPDATE submissions SET submitted_at = $1,
                 decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE $2 END WHERE id = $3",
        )
        .bind(submitted_at)
        .bind(decided_at.unwrap_or(submitted_at))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Where an article was submitted, newest first (the caller has reached the article).
    pub(super) async fn submissions_of(&self, article_id: i64) -> Result<Vec<Submission>> {
        let sql = format!("{SUBMISSION_SELECT} WHERE s.article_id = $1 ORDER BY s.submitted_at DESC, s.id DESC");
        sqlx::query(&sql).bind(article_id).fetch_all(self.pool()).await?.iter().map(submission_row).collect()
    }

    /// One submission, to either of its two sites.
    pub async fn submission(&self, scope: Tenant, id: i64) -> Result<Submission> {
        let sql = format!(
            "{SUBMISSION_SELECT} WHERE s.id = $1 AND ({} OR {})",
            Tenant::filter("s.to_site_id", 2),
            Tenant::filter("s.from_site_id", 2)
        );
        let row = sqlx::query(&sql).bind(id).bind(scope.param()).fetch_optional(self.pool()).await?;
        submission_row(&row.ok_or(StoreError::NotFound)?)
    }

    /// 采用: the receiving site's reviewer places the article in one of the columns the group
    /// lets it take submissions into; the page goes live with the next publish. Accepting an
    /// edit that waits does the same for the new revision.
    pub async fn accept_submission(
        &self,
        scope: Tenant,
        group: &Group,
        by: Actor<'_>,
        id: i64,
        column: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let s = locked(&mut tx, scope, id).await?;
        let target =
            group.submission_target(&s.to_code).ok_or_else(|| StoreError::Conflict("该站点已不再接收报送".into()))?;
        let now = now_unix();
        let source = sqlx::query(
            "SELECT a.status, a.published_revision_id, r.publish_at, r.title FROM articles a
             JOIN revisions r ON r.id = a.published_revision_id WHERE a.id = $1",
        )
        .bind(s.article_id)
        .fetch_one(&mut *tx)
        .await?;
        let (status, live, publish_at, title): (String, i64, String, String) = (
            source.col("status")?,
            source.col("published_revision_id")?,
            source.col("publish_at")?,
            source.col("title")?,
        );
        if status != "published" {
            return Err(StoreError::Conflict("来源单位已撤下这篇稿件，无法采用".into()));
        }
        let copy = match (s.state.as_str(), s.copy_id) {
            ("submitted", _) => {
                if !target.columns.iter().any(|c| c == column) {
                    return Err(StoreError::Invalid(format!("栏目“{column}”不接收报送稿件")));
                }
                let column_id: i64 = sqlx::query("SELECT id FROM site_columns WHERE site_id = $1 AND slug = $2")
                    .bind(s.to_site_id)
                    .bind(column)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Invalid(format!("本站没有栏目“{column}”")))?
                    .col("id")?;
                let site = sites_row(&mut tx, s.to_site_id).await?;
                let index_no = super::articles::next_index_no(&mut tx, &site, &publish_at).await?;
                let into = CopyPlace { site_id: s.to_site_id, column_id, index_no: Some(&index_no) };
                insert_copy(&mut tx, into, s.article_id, live, &publish_at, now, "这篇报送已经采用").await?
            }
            ("accepted", Some(copy)) if s.pending.is_some() => {
                add_job(&mut tx, s.to_site_id, Some(copy), None, None, now).await?;
                sqlx::query("UPDATE articles SET published_revision_id = $1, updated_at = $2 WHERE id = $3")
                    .bind(live)
                    .bind(now)
                    .bind(copy)
                    .execute(&mut *tx)
                    .await?;
                copy
            }
            ("accepted", _) => return Err(StoreError::Conflict("这篇报送已经采用".into())),
            _ => return Err(StoreError::Conflict("这篇报送已处理过".into())),
        };
        sqlx::query(
            "UPDATE submissions SET state = 'accepted', decided_by = $1, decided_at = $2, copy_id = $3,
                 pending_revision_id = NULL WHERE id = $4",
        )
        .bind(by.name)
        .bind(now)
        .bind(copy)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let what = if s.pending.is_some() { "采用修改" } else { "采用" };
        let detail = format!("{what}来自 {} 的报送", s.from_code);
        log(&mut tx, by, s.to_site_id, "submission.accept", &format!("article {copy}: {title}"), &detail).await?;
        tx.commit().await?;
        Ok(copy)
    }

    /// 不予采用, with the reason the submitter reads. An edit that waits can be declined too:
    /// the page keeps showing the revision accepted before.
    pub async fn decline_submission(&self, scope: Tenant, by: Actor<'_>, id: i64, reason: &str) -> Result<()> {
        let reason = bounded(reason, "原因")?;
        if reason.is_empty() {
            return Err(StoreError::Invalid("请写明不予采用的原因，报送单位会看到".into()));
        }
        let mut tx = self.begin_write().await?;
        let s = locked(&mut tx, scope, id).await?;
        let now = now_unix();
        match s.state.as_str() {
            "submitted" => {
                sqlx::query(
                    "UPDATE submissions SET state = 'declined', decided_by = $1, decided_at = $2, reason = $3 WHERE id = $4",
                )
                .bind(by.name)
                .bind(now)
                .bind(&reason)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            "accepted" if s.pending.is_some() => {
                // The page keeps its accepted text; the sender reads why the edit was not taken.
                sqlx::query("UPDATE submissions SET pending_revision_id = NULL, reason = $1 WHERE id = $2")
                    .bind(format!("修改未采用：{reason}"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => return Err(StoreError::Conflict("这篇报送已处理过".into())),
        }
        let detail = format!("不予采用来自 {} 的报送：{reason}", s.from_code);
        log(&mut tx, by, s.to_site_id, "submission.decline", &format!("submission {id}"), &detail).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A submission row locked for a decision by the site that received it.
struct Locked {
    article_id: i64,
    to_site_id: i64,
    to_code: String,
    from_code: String,
    state: String,
    copy_id: Option<i64>,
    pending: Option<i64>,
}

async fn locked(tx: &mut Transaction<'_, Any>, scope: Tenant, id: i64) -> Result<Locked> {
    let row = sqlx::query(&format!(
        "UPDATE submissions SET state = state WHERE id = $1 AND {} RETURNING article_id, to_site_id, from_site_id,
             state, copy_id, pending_revision_id",
        Tenant::filter("to_site_id", 2)
    ))
    .bind(id)
    .bind(scope.param())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let (to_site_id, from_site_id): (i64, i64) = (row.col("to_site_id")?, row.col("from_site_id")?);
    let mut codes = Vec::with_capacity(2);
    for site in [to_site_id, from_site_id] {
        codes.push(
            sqlx::query("SELECT code FROM sites WHERE id = $1")
                .bind(site)
                .fetch_one(&mut **tx)
                .await?
                .col::<String>("code")?,
        );
    }
    let from_code = codes.pop().unwrap_or_default();
    let to_code = codes.pop().unwrap_or_default();
    Ok(Locked {
        article_id: row.col("article_id")?,
        to_site_id,
        to_code,
        from_code,
        state: row.col("state")?,
        copy_id: row.col("copy_id")?,
        pending: row.col("pending_revision_id")?,
    })
}

async fn sites_row(tx: &mut Transaction<'_, Any>, site_id: i64) -> Result<super::sites::SiteRow> {
    let r = sqlx::query("SELECT code, org_code FROM sites WHERE id = $1").bind(site_id).fetch_one(&mut **tx).await?;
    Ok(super::sites::SiteRow {
        id: site_id,
        code: r.col("code")?,
        org_code: r.col("org_code")?,
        columns: Default::default(),
    })
}

/// After an approval at the source (`work` is its new live revision): each live copy shows it
/// in the same publish — a reference in another column of the source's site always, a page
/// taken in by another site unless the group asks that site to accept edits again
/// (`reaccept_edits`), when it keeps its revision and the edit waits. A reference in the
/// column the source has just moved to is taken down: the source itself is listed there now.
pub(super) async fn follow_edit(
    tx: &mut Transaction<'_, Any>,
    group: &Group,
    source: i64,
    work: i64,
    due: i64,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT c.id, c.site_id, c.column_id, t.code, cc.slug, r.publish_at, s.id AS submission,
                a.site_id AS source_site, a.column_id AS source_column
         FROM articles c JOIN articles a ON a.id = c.source_article_id JOIN sites t ON t.id = c.site_id
         JOIN site_columns cc ON cc.id = c.column_id JOIN revisions r ON r.id = c.published_revision_id
         LEFT JOIN submissions s ON s.copy_id = c.id AND s.state = 'accepted'
         WHERE c.source_article_id = $1 AND c.status = 'published'",
    )
    .bind(source)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let (copy, site, code): (i64, i64, String) = (r.col("id")?, r.col("site_id")?, r.col("code")?);
        let reference = site == r.col::<i64>("source_site")?;
        if reference && r.col::<i64>("column_id")? == r.col::<i64>("source_column")? {
            let (column, at): (String, String) = (r.col("slug")?, r.col("publish_at")?);
            add_job(tx, site, Some(copy), Some(&article_path(&column, &at, copy)), Some(&column), due).await?;
            sqlx::query("UPDATE articles SET status = 'withdrawn', updated_at = $1 WHERE id = $2")
                .bind(now_unix())
                .bind(copy)
                .execute(&mut **tx)
                .await?;
            continue;
        }
        let submission: Option<i64> = r.col("submission")?;
        if let Some(id) = submission.filter(|_| group.submission_target(&code).is_some_and(|t| t.reaccept_edits)) {
            sqlx::query("UPDATE submissions SET pending_revision_id = $1 WHERE id = $2")
                .bind(work)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            continue;
        }
        add_job(tx, site, Some(copy), None, None, due).await?;
        sqlx::query("UPDATE articles SET published_revision_id = $1, updated_at = $2 WHERE id = $3")
            .bind(work)
            .bind(now_unix())
            .bind(copy)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A withdrawal at the source takes every copy down in the same publish; a withdrawal of a
/// copy by its own site ends its submission. Both leave the submission `withdrawn`, so the
/// article may be offered again.
pub(super) async fn follow_withdrawal(tx: &mut Transaction<'_, Any>, article: i64, now: i64) -> Result<()> {
    let copies = sqlx::query(
        "SELECT c.id, c.site_id, cc.slug, r.publish_at FROM articles c
         JOIN site_columns cc ON cc.id = c.column_id JOIN revisions r ON r.id = c.published_revision_id
         WHERE c.source_article_id = $1 AND c.status = 'published'",
    )
    .bind(article)
    .fetch_all(&mut **tx)
    .await?;
    for r in copies {
        let (copy, site, column, at): (i64, i64, String, String) =
            (r.col("id")?, r.col("site_id")?, r.col("slug")?, r.col("publish_at")?);
        let path = article_path(&column, &at, copy);
        add_job(tx, site, Some(copy), Some(&path), Some(&column), now).await?;
        sqlx::query("UPDATE articles SET status = 'withdrawn', updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(copy)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE submissions SET state = 'withdrawn', pending_revision_id = NULL
         WHERE state IN ('submitted', 'accepted') AND (article_id = $1 OR copy_id = $1)",
    )
    .bind(article)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Where a copy goes: a site, one of its columns, and the copy's own key (None: a key made
/// from its id, for a reference, which has no 索引号 of its own).
pub(super) struct CopyPlace<'a> {
    pub site_id: i64,
    pub column_id: i64,
    pub index_no: Option<&'a str>,
}

/// Writes a copy of `source` (an accepted submission, a reference) showing its revision
/// `revision`, listed at the source's `list_at`, and queues its first publication. A second
/// live copy of the source in the same column is the conflict `taken`.
pub(super) async fn insert_copy(
    tx: &mut Transaction<'_, Any>,
    into: CopyPlace<'_>,
    source: i64,
    revision: i64,
    list_at: &str,
    now: i64,
    taken: &str,
) -> Result<i64> {
    let key = into.index_no.map_or_else(|| format!("ref:new:{source}:{}:{now}", into.column_id), str::to_string);
    let copy: i64 = sqlx::query(
        "INSERT INTO articles (site_id, column_id, index_no, status, published_revision_id, pinned,
             created_at, updated_at, list_at, source_article_id)
         VALUES ($1, $2, $3, 'published', $4, 0, $5, $5, $6, $7) RETURNING id",
    )
    .bind(into.site_id)
    .bind(into.column_id)
    .bind(&key)
    .bind(revision)
    .bind(now)
    .bind(list_at)
    .bind(source)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| unique_as_conflict(e, taken))?
    .col("id")?;
    if into.index_no.is_none() {
        sqlx::query("UPDATE articles SET index_no = $1 WHERE id = $2")
            .bind(format!("ref:{copy}"))
            .bind(copy)
            .execute(&mut **tx)
            .await?;
    }
    // A page new to the site's lists: its job has no old key (add_job would read the key just
    // written).
    sqlx::query("INSERT INTO publish_jobs (site_id, article_id, due_at, created_at) VALUES ($1, $2, $3, $3)")
        .bind(into.site_id)
        .bind(copy)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(copy)
}

/// A second submission that raced the first past the check: the same answer as the check's.
fn unique_as_conflict(e: sqlx::Error, message: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(message.into()),
        _ => StoreError::Query(e),
    }
}

async fn log(
    tx: &mut Transaction<'_, Any>,
    by: Actor<'_>,
    site_id: i64,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    let entry = Entry { actor: by.name, ip: by.ip, site_id: Some(site_id), action, target, detail };
    audit::append(&mut **tx, &entry).await
}
