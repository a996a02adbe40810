//! The review workflow's writes: submit → one to three review levels → published; reject back
//! to the author with a comment; withdraw (撤稿). Each transition is one transaction that loads
//! the article's facts, asks `crate::workflow` whether and where the step goes, and writes it
//! with its audit entry and, when the sites change, the publish jobs that carry it out.

use std::collections::HashSet;

use sqlx::{Any, Transaction};

use super::audit::{self, Entry};
use super::editorial::{article_site, RevState};
use super::hands::{self, Part, Subject};
use super::tenant::{Job, Tenant};
use super::users::User;
use super::{now_unix, Cols, Result, Store, StoreError};
use crate::content::{article_path, check, now_local};
use crate::group::{ColumnKind, Group};
use crate::workflow::{self, Step};

/// What an approval did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// One level passed; `level` of `of` done.
    Advanced { level: i64, of: i64 },
    /// The last level passed: the revision is live (or scheduled for `publish_at`).
    Published { publish_at: String, scheduled: bool },
}

/// What a reviewer sends with an approval.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decision<'a> {
    /// 审核意见, optional.
    pub comment: &'a str,
    /// The 保密审查 box, ticked by hand.
    pub secrecy_reviewed: bool,
    /// The written reason for publishing despite veto-class findings.
    pub confirmation: &'a str,
}

/// The facts about an article the transitions need, read inside their transaction.
struct Current {
    site_id: i64,
    site_code: String,
    org_code: String,
    status: String,
    index_no: String,
    live_id: Option<i64>,
    live_path: Option<String>,
    live_column: Option<String>,
    work_id: Option<i64>,
    work_state: Option<RevState>,
    work_level: i64,
    work_author: Option<i64>,
    title: String,
}

async fn current(tx: &mut Transaction<'_, Any>, scope: Tenant, id: i64) -> Result<Current> {
    article_site(tx, scope, id).await?;
    let r = sqlx::query(
        "SELECT a.site_id, s.code, s.org_code, a.status, a.index_no, a.published_revision_id, lc.slug, l.publish_at,
                a.work_revision_id, w.state, COALESCE(w.level, 0) AS work_level, w.author_id,
                COALESCE(w.title, l.title, '') AS title
         FROM articles a JOIN sites s ON s.id = a.site_id JOIN site_columns lc ON lc.id = a.column_id
         LEFT JOIN revisions l ON l.id = a.published_revision_id
         LEFT JOIN revisions w ON w.id = a.work_revision_id
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let live_id: Option<i64> = r.col("published_revision_id")?;
    let column: String = r.col("slug")?;
    let live_at: Option<String> = r.col("publish_at")?;
    let status: String = r.col("status")?;
    let live = live_id.is_some() && status != "draft";
    Ok(Current {
        site_id: r.col("site_id")?,
        site_code: r.col("code")?,
        org_code: r.col("org_code")?,
        status,
        index_no: r.col("index_no")?,
        live_id,
        live_path: live.then(|| article_path(&column, live_at.as_deref().unwrap_or_default(), id)),
        live_column: live.then_some(column),
        work_id: r.col("work_revision_id")?,
        work_state: r.col::<Option<String>>("state")?.map(|s| RevState::parse(&s)),
        work_level: r.col("work_level")?,
        work_author: r.col("author_id")?,
        title: r.col("title")?,
    })
}

impl Current {
    fn article(&self) -> workflow::Article {
        let work = self.work_state.map(|state| workflow::Work { state, level: self.work_level });
        workflow::Article { status: self.status.clone(), work: self.work_id.and(work) }
    }

    /// The revision a step acts on; the workflow has checked there is one.
    fn work(&self) -> Result<i64> {
        self.work_id.ok_or(StoreError::NotFound)
    }
}

/// What `user` has done to the article's working revision before: wrote a word of it, or
/// approved a level of it.
async fn reviewer(tx: &mut Transaction<'_, Any>, cur: &Current, user: &User) -> Result<workflow::Reviewer> {
    let Some(work) = cur.work_id else {
        return Ok(workflow::Reviewer { wrote_it: cur.work_author == Some(user.id), approved_a_level: false });
    };
    let wrote_it = cur.work_author == Some(user.id)
        || hands::had(&mut **tx, Subject::Revision, work, user.id, Part::Wrote).await?;
    let approved_a_level =
        sqlx::query("SELECT 1 FROM review_steps WHERE revision_id = $1 AND reviewer_id = $2 AND decision = 'approve'")
            .bind(work)
            .bind(user.id)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
    Ok(workflow::Reviewer { wrote_it, approved_a_level })
}

fn levels_of(group: &Group, code: &str) -> i64 {
    group.site(code).map(|s| i64::from(s.def.review_levels)).unwrap_or(1).clamp(1, 3)
}

/// `YYYY-MM-DD HH:MM:SS` China time → Unix seconds (now, for a time that does not parse).
pub fn local_to_unix(at: &str) -> i64 {
    crate::clock::local_to_unix(at).unwrap_or_else(now_unix)
}

impl Store {
    /// Sends the draft to review. The caller has checked the form (`check_submit`); this checks
    /// the state and what only the database knows.
    pub async fn submit(&self, scope: Tenant, user: &User, id: i64, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let cur = current(&mut tx, scope, id).await?;
        workflow::submit(&cur.article())?;
        let work = cur.work()?;
        let now = now_unix();
        sqlx::query("UPDATE revisions SET state = 'submitted', level = 0, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(work)
            .execute(&mut *tx)
            .await?;
        touch(&mut tx, id, now).await?;
        log(&mut tx, user, ip, &cur, "article.submit", id, "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Approves the next review level. A reviewer never approves their own revision, nor two
    /// levels of the same one; every level is a 保密审查, and a veto-class finding of the
    /// content check (the audit's own rules, run on the revision read in this transaction)
    /// passes only with the reviewer's written reason, kept with the step. The last level
    /// publishes.
    pub async fn approve(
        &self,
        scope: Tenant,
        group: &Group,
        user: &User,
        id: i64,
        d: &Decision<'_>,
        ip: &str,
    ) -> Result<Approval> {
        let cancelled: HashSet<String> =
            self.cancelled_mailboxes(Tenant::system(Job::ContentCheck)).await?.into_keys().collect();
        let mut tx = self.begin_write().await?;
        let cur = current(&mut tx, scope, id).await?;
        let who = reviewer(&mut tx, &cur, user).await?;
        let vetoes = match cur.work_id {
            Some(work) => veto_findings(&mut tx, group, &cancelled, work).await?,
            None => Vec::new(),
        };
        let confirmations = workflow::Confirmations {
            secrecy_reviewed: d.secrecy_reviewed,
            vetoes: vetoes.iter().map(|h| h.message.clone()).collect(),
            reason: d.confirmation.trim().to_string(),
        };
        let step = workflow::approve(&cur.article(), who, levels_of(group, &cur.site_code), &confirmations)?;
        let work = cur.work()?;
        let now = now_unix();
        let (Step::Advance { level, of: levels } | Step::Publish { level, of: levels }) = step;
        let confirmed = if vetoes.is_empty() { "" } else { confirmations.reason.as_str() };
        let listed: String = vetoes.iter().map(|h| format!("{}\t{}\n", h.rule, h.found)).collect();
        let step_row = StepRow {
            decision: "approve",
            comment: d.comment,
            secrecy_reviewed: d.secrecy_reviewed,
            confirmation: confirmed,
            confirmed_findings: &listed,
        };
        add_step(&mut tx, work, level, user, &step_row, now).await?;
        // The audit log says what was confirmed, in the reviewer's words.
        let mut confirmed_words = String::from("; 已进行保密审查");
        if !vetoes.is_empty() {
            let what: Vec<&str> = vetoes.iter().map(|h| h.message.as_str()).collect();
            confirmed_words.push_str(&format!("; 核实后发布（{}）：{confirmed}", what.join("；")));
        }
        if let Step::Advance { .. } = step {
            sqlx::query("UPDATE revisions SET level = $1, updated_at = $2 WHERE id = $3")
                .bind(level)
                .bind(now)
                .bind(work)
                .execute(&mut *tx)
                .await?;
            touch(&mut tx, id, now).await?;
            let detail = format!("level {level}/{levels}{confirmed_words}");
            log(&mut tx, user, ip, &cur, "article.approve", id, &detail).await?;
            tx.commit().await?;
            return Ok(Approval::Advanced { level, of: levels });
        }
        let outcome = publish(&mut tx, &cur, id, work, now).await?;
        if cur.live_id.is_some() {
            // An edit reaches the article's copies: its references in other columns (引用) and
            // the pages other sites took in (信息报送).
            super::submissions::follow_edit(&mut tx, group, id, work, now).await?;
        }
        let detail = match &outcome {
            Approval::Published { publish_at, scheduled: true } => {
                format!("level {level}/{levels}; scheduled {publish_at}{confirmed_words}")
            }
            _ => format!("level {level}/{levels}; published{confirmed_words}"),
        };
        log(&mut tx, user, ip, &cur, "article.publish", id, &detail).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Sends the submission back to its author with a comment.
    pub async fn reject(&self, scope: Tenant, user: &User, id: i64, comment: &str, ip: &str) -> Result<()> {
        let comment = workflow::rejection_comment(comment)?;
        let mut tx = self.begin_write().await?;
        let cur = current(&mut tx, scope, id).await?;
        let who = reviewer(&mut tx, &cur, user).await?;
        let level = workflow::reject(&cur.article(), who, comment)?;
        let work = cur.work()?;
        let now = now_unix();
        let step_row = StepRow { decision: "reject", comment, ..StepRow::default() };
        add_step(&mut tx, work, level, user, &step_row, now).await?;
        sqlx::query("UPDATE revisions SET state = 'rejected', level = 0, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(work)
            .execute(&mut *tx)
            .await?;
        touch(&mut tx, id, now).await?;
        log(&mut tx, user, ip, &cur, "article.reject", id, comment).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a published article off its site, its feeds and its sitemap (撤稿).
    pub async fn withdraw(&self, scope: Tenant, user: &User, id: i64, reason: &str, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let cur = current(&mut tx, scope, id).await?;
        workflow::withdraw(&cur.article())?;
        let now = now_unix();
        // Queued while the article is still listed: the job keeps where it stood.
        add_job(&mut tx, cur.site_id, Some(id), cur.live_path.as_deref(), cur.live_column.as_deref(), now).await?;
        sqlx::query("UPDATE articles SET status = 'withdrawn', updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for (site, other) in linked(&mut tx, id).await? {
            add_job(&mut tx, site, Some(other), None, None, now).await?;
        }
        super::submissions::follow_withdrawal(&mut tx, id, now).await?;
        log(&mut tx, user, ip, &cur, "article.withdraw", id, reason.trim()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the article's column is a policy column (the form asks for more there).
    pub async fn is_policy_column(&self, site_id: i64, slug: &str) -> Result<bool> {
        let kind: Option<String> = sqlx::query("SELECT kind FROM site_columns WHERE site_id = $1 AND slug = $2")
            .bind(site_id)
            .bind(slug)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.col("kind"))
            .transpose()?;
        Ok(kind.as_deref() == Some(ColumnKind::Policy.as_str()))
    }
}

/// A review step as stored.
#[derive(Default)]
struct StepRow<'a> {
    decision: &'a str,
    comment: &'a str,
    secrecy_reviewed: bool,
    confirmation: &'a str,
    /// `rule<TAB>words` lines of the veto-class findings the confirmation covers.
    confirmed_findings: &'a str,
}

async fn add_step(
    tx: &mut Transaction<'_, Any>,
    revision: i64,
    level: i64,
    reviewer: &User,
    step: &StepRow<'_>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_steps (revision_id, level, reviewer_id, decision, comment, at, secrecy_reviewed, confirmation, confirmed_findings)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(revision)
    .bind(level)
    .bind(reviewer.id)
    .bind(step.decision)
    .bind(step.comment)
    .bind(now)
    .bind(i64::from(step.secrecy_reviewed))
    .bind(step.confirmation)
    .bind(step.confirmed_findings)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The veto-class findings of the content check on a revision, read in the approval's
/// transaction so that what is checked is what goes live.
async fn veto_findings(
    tx: &mut Transaction<'_, Any>,
    group: &Group,
    cancelled: &HashSet<String>,
    revision: i64,
) -> Result<Vec<check::Hit>> {
    let r =
        sqlx::query("SELECT title, body_md FROM revisions WHERE id = $1").bind(revision).fetch_one(&mut **tx).await?;
    let (title, body): (String, String) = (r.col("title")?, r.col("body_md")?);
    let rules = check::Rules { settings: &group.def.audit, mail_domain: &group.def.mail_domain, cancelled };
    Ok(check::article(&title, &body, &rules, &|_| false).into_iter().map(|p| p.hit).filter(|h| h.veto).collect())
}

/// Moves the article to the top of "last changed" lists.
async fn touch(tx: &mut Transaction<'_, Any>, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE articles SET updated_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// The last approval: the revision goes live, the old live one is superseded, the 索引号 is
/// allocated on first publication, and publish jobs are queued for every page that shows it.
async fn publish(tx: &mut Transaction<'_, Any>, cur: &Current, id: i64, work: i64, now: i64) -> Result<Approval> {
    let r = sqlx::query("SELECT r.publish_at, r.column_id, COALESCE(r.pinned, 0) AS pinned, r.interprets_id, c.slug FROM revisions r JOIN site_columns c ON c.id = r.column_id WHERE r.id = $1")
        .bind(work)
        .fetch_one(&mut **tx)
        .await?;
    let (requested, column_id, pinned, interprets, column): (String, i64, i64, Option<i64>, String) =
        (r.col("publish_at")?, r.col("column_id")?, r.col("pinned")?, r.col("interprets_id")?, r.col("slug")?);
    // A page that has been online keeps its date, and so its URL; a new one is dated when it
    // goes online (or at its scheduled time).
    let live_at: Option<String> = match cur.live_id {
        Some(l) if cur.status != "draft" => sqlx::query("SELECT publish_at FROM revisions WHERE id = $1")
            .bind(l)
            .fetch_one(&mut **tx)
            .await?
            .col("publish_at")?,
        _ => None,
    };
    let now_str = now_local();
    let (publish_at, scheduled) = match live_at {
        Some(at) => (at, false),
        None if requested.as_str() > now_str.as_str() => (requested, true),
        None => (now_str, false),
    };
    if cur.index_no.starts_with("draft:") {
        let site = super::sites::SiteRow {
            id: cur.site_id,
            code: cur.site_code.clone(),
            org_code: cur.org_code.clone(),
            columns: Default::default(),
        };
        let no = super::articles::next_index_no(tx, &site, &publish_at).await?;
        sqlx::query("UPDATE articles SET index_no = $1 WHERE id = $2").bind(&no).bind(id).execute(&mut **tx).await?;
    }
    sqlx::query(
        "UPDATE revisions SET state = 'approved', level = level + 1, publish_at = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(&publish_at)
    .bind(now)
    .bind(work)
    .execute(&mut **tx)
    .await?;
    if let Some(old) = cur.live_id {
        sqlx::query("UPDATE revisions SET state = 'superseded' WHERE id = $1").bind(old).execute(&mut **tx).await?;
    }
    let new_path = article_path(&column, &publish_at, id);
    let old_path = cur.live_path.as_deref().filter(|p| *p != new_path);
    let old_column = cur.live_column.as_deref().filter(|c| *c != column);
    let due = if scheduled { local_to_unix(&publish_at) } else { now };
    // Queued before the article row changes: the job keeps where the article stood on the lists.
    add_job(tx, cur.site_id, Some(id), old_path, old_column, due).await?;
    sqlx::query(
        "UPDATE articles SET published_revision_id = $1, status = 'published', column_id = $2, pinned = $3,
            work_revision_id = NULL, updated_at = $4, list_at = $5 WHERE id = $6",
    )
    .bind(work)
    .bind(column_id)
    .bind(pinned)
    .bind(now)
    .bind(&publish_at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    // The policy pages that showed this interpretation before and after the change.
    let mut others = linked(tx, id).await?;
    // The link to the same policy stays as it is: a refusal by the policy's site outlives
    // every new version of the interpretation.
    sqlx::query("DELETE FROM article_links WHERE interpretation_id = $1 AND policy_id <> $2")
        .bind(id)
        .bind(interprets.unwrap_or(0))
        .execute(&mut **tx)
        .await?;
    if let Some(policy) = interprets {
        sqlx::query("INSERT INTO article_links (policy_id, interpretation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(policy)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    others.extend(linked(tx, id).await?);
    others.sort_unstable();
    others.dedup();
    for (site, other) in others {
        add_job(tx, site, Some(other), None, None, due).await?;
    }
    Ok(Approval::Published { publish_at, scheduled })
}

/// The (site, article) pairs linked to an article as policy or interpretation.
async fn linked(tx: &mut Transaction<'_, Any>, id: i64) -> Result<Vec<(i64, i64)>> {
    sqlx::query(
        "SELECT o.site_id, o.id FROM article_links l JOIN articles o ON o.id = l.policy_id WHERE l.interpretation_id = $1
         UNION
         SELECT o.site_id, o.id FROM article_links l JOIN articles o ON o.id = l.interpretation_id WHERE l.policy_id = $1",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| Ok((r.col("site_id")?, r.col("id")?)))
    .collect()
}

/// Queues a publish of `article_id`'s pages (or of the site's other pages). Call it before the
/// article row changes: the job keeps the key the article is listed under, none when it is not
/// listed (a draft, or a withdrawn article published again).
pub(crate) async fn add_job(
    tx: &mut Transaction<'_, Any>,
    site_id: i64,
    article_id: Option<i64>,
    old_path: Option<&str>,
    old_column: Option<&str>,
    due_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO publish_jobs (site_id, article_id, old_path, old_column, due_at, created_at, old_list_at)
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT list_at FROM articles WHERE id = $2 AND status = 'published'))",
    )
    .bind(site_id)
    .bind(article_id)
    .bind(old_path)
    .bind(old_column)
    .bind(due_at)
    .bind(now_unix())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn log(
    tx: &mut Transaction<'_, Any>,
    user: &User,
    ip: &str,
    cur: &Current,
    action: &str,
    id: i64,
    detail: &str,
) -> Result<()> {
    let target = format!("article {id}: {}", cur.title);
    let entry =
        Entry { actor: &user.username, ip: Some(ip), site_id: Some(cur.site_id), action, target: &target, detail };
    audit::append(&mut **tx, &entry).await
}
