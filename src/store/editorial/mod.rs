//! The editors' side of the content: drafts and their revisions, attachments, lists and
//! dashboards. Every read and write takes a `Tenant`; nothing here can see another tenant.
//! The review transitions are in `workflow`.

mod drafts;
mod trash;

use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::hands::{self, Part, Subject};
use super::tenant::Tenant;
use super::users::User;
use super::{now_unix, Cols, Result, Store, StoreError};
use crate::content::attachment::Attachment;
use crate::content::draft::{DraftInput, FieldError};

pub use crate::workflow::RevState;

#[derive(Debug, Clone, serde::Serialize)]
pub struct AttachmentView {
    pub position: i64,
    pub name: String,
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub alt: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RevisionView {
    pub id: i64,
    pub number: i64,
    pub state: RevState,
    /// Review levels passed so far.
    pub level: i64,
    pub input: DraftInput,
    /// Stored publish time: empty for "on approval", else `YYYY-MM-DD HH:MM:SS`.
    pub publish_at: String,
    pub author_id: Option<i64>,
    pub author: String,
    pub updated_at: i64,
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReviewStep {
    pub revision_number: i64,
    pub level: i64,
    pub reviewer: String,
    pub decision: String,
    pub comment: String,
    pub at: i64,
    /// The reviewer confirmed the 保密审查 (approvals since it is asked).
    pub secrecy_reviewed: bool,
    /// Their written reason for publishing despite veto-class findings, and those findings
    /// (`rule<TAB>words` lines).
    pub confirmation: String,
    pub confirmed_findings: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryEntry {
    pub number: i64,
    pub state: RevState,
    pub title: String,
    pub author: String,
    pub at: i64,
}

/// One article as the admin shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ArticleView {
    pub id: i64,
    pub site_id: i64,
    pub site_code: String,
    /// The column the article is listed in (a copy's own, not its source's).
    pub column: String,
    /// None until the first publication allocates it.
    pub index_no: Option<String>,
    /// `draft` (never published), `published` or `withdrawn`.
    pub status: String,
    pub live: Option<RevisionView>,
    pub work: Option<RevisionView>,
    pub steps: Vec<ReviewStep>,
    pub history: Vec<HistoryEntry>,
    /// Interpretations of other articles that name this one as their policy.
    pub interpretations: Vec<super::interpretations::InterpretationLink>,
    /// When it went to the 回收站, if it is there.
    pub deleted_at: Option<i64>,
    /// The name of the site an article taken in through 信息报送 came from; that site edits it.
    pub taken_from: Option<String>,
    /// The article a reference (引用) in another column of the same site shows.
    pub reference_of: Option<i64>,
    /// The other columns of its site this article is referenced in.
    pub references: Vec<super::references::Reference>,
    /// Where this article was submitted (信息报送), newest first.
    pub submissions: Vec<super::submissions::Submission>,
}

impl ArticleView {
    /// The revision the form shows: the one being worked on, else the live one.
    pub fn current(&self) -> Option<&RevisionView> {
        self.work.as_ref().or(self.live.as_ref())
    }
}

/// A row of an article list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ArticleRow {
    pub id: i64,
    pub site_code: String,
    pub site_name: String,
    pub column: String,
    pub column_name: String,
    pub title: String,
    /// draft, submitted, rejected, scheduled, published or withdrawn.
    pub state: String,
    pub level: i64,
    pub live: bool,
    pub pinned: bool,
    pub author: String,
    pub updated_at: i64,
    pub publish_at: String,
    /// The reviewer's comment, for rejected drafts.
    pub comment: Option<String>,
    /// When it went to the 回收站 (Unix seconds).
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ListFilter {
    pub state: String,
    pub column: String,
    /// `YYYY-MM-DD`, on the last change.
    pub from: String,
    pub to: String,
    pub q: String,
    /// Site code, for central admins.
    pub site: String,
    pub mine: bool,
    /// The 回收站: articles deleted in the last `TRASH_DAYS` days, instead of the others.
    pub trash: bool,
    pub page: Option<u32>,
}

pub const LIST_PAGE: i64 = 30;
/// How long a deleted article can be restored.
pub const TRASH_DAYS: i64 = 30;

/// The state shown for an article: its work revision's, else its live status.
const STATE_SQL: &str = "CASE WHEN w.id IS NOT NULL THEN w.state
     WHEN a.status = 'published' AND l.publish_at > $2 THEN 'scheduled'
     ELSE a.status END";

const ROW_SELECT: &str = "SELECT a.id, s.code AS site_code, s.name AS site_name, c.slug, c.name AS column_name,
        COALESCE(w.title, l.title, '') AS title,
        CASE WHEN w.id IS NOT NULL THEN w.state
             WHEN a.status = 'published' AND l.publish_at > $2 THEN 'scheduled'
             ELSE a.status END AS state,
        COALESCE(w.level, 0) AS level, a.published_revision_id IS NOT NULL AND a.status = 'published' AS live, a.pinned,
        COALESCE(u.display_name, COALESCE(w.created_by, l.created_by, '')) AS author, a.updated_at,
        COALESCE(l.publish_at, '') AS publish_at, a.deleted_at,
        (SELECT rs.comment FROM review_steps rs WHERE rs.revision_id = w.id AND rs.decision = 'reject' ORDER BY rs.id DESC LIMIT 1)
            AS comment
     FROM articles a
     JOIN sites s ON s.id = a.site_id
     JOIN site_columns c ON c.id = a.column_id
     LEFT JOIN revisions w ON w.id = a.work_revision_id
     LEFT JOIN revisions l ON l.id = a.published_revision_id
     LEFT JOIN users u ON u.id = COALESCE(w.author_id, a.author_id)";

fn row_from(r: &AnyRow) -> Result<ArticleRow> {
    Ok(ArticleRow {
        id: r.col("id")?,
        site_code: r.col("site_code")?,
        site_name: r.col("site_name")?,
        column: r.col("slug")?,
        column_name: r.col("column_name")?,
        title: r.col("title")?,
        state: r.col("state")?,
        level: r.col("level")?,
        // An integer from SQLite, a boolean from a PostgreSQL expression: `flag` reads both.
        live: r.flag("live")?,
        pinned: r.flag("pinned")?,
        author: author_name(r.col("author")?),
        updated_at: r.col("updated_at")?,
        publish_at: r.col("publish_at")?,
        comment: r.col("comment")?,
        deleted_at: r.col("deleted_at")?,
    })
}

/// Who wrote a revision, as the admin shows it: the user's display name, or for content that
/// came in by `zhanqun import` (recorded as `operator:<login>`), that it was imported.
fn author_name(raw: String) -> String {
    if raw.starts_with("operator:") || raw.starts_with("system:") {
        "批量导入".into()
    } else {
        raw
    }
}

const REV_COLUMNS: &str = "r.id, r.number, r.state, r.level, r.title, COALESCE(c.slug, ac.slug) AS slug, r.summary,
        r.body_md, r.publish_at, COALESCE(r.pinned, a.pinned) AS pinned, r.doc_number, r.issuer, r.written_date, r.topic,
        r.disclosure, r.validity, COALESCE(pa.index_no, '') AS interprets, r.author_id, r.source,
        COALESCE(u.display_name, r.created_by) AS author, COALESCE(r.updated_at, r.created_at) AS updated_at";

const REV_FROM: &str = "FROM revisions r
     JOIN articles a ON a.id = r.article_id
     JOIN site_columns ac ON ac.id = a.column_id
     LEFT JOIN site_columns c ON c.id = r.column_id
     LEFT JOIN articles pa ON pa.id = r.interprets_id
     LEFT JOIN users u ON u.id = r.author_id";

fn revision_from(r: &AnyRow) -> Result<RevisionView> {
    let publish_at: String = r.col("publish_at")?;
    let state = RevState::parse(&r.col::<String>("state")?);
    // Once approved, the stored time is the publication time, not a schedule request.
    let scheduled = !publish_at.is_empty() && (state.editable() || state == RevState::Submitted);
    Ok(RevisionView {
        id: r.col("id")?,
        number: r.col("number")?,
        state,
        level: r.col("level")?,
        input: DraftInput {
            title: r.col("title")?,
            column: r.col("slug")?,
            summary: r.col("summary")?,
            body: r.col("body_md")?,
            body_format: String::new(),
            publish_mode: if scheduled { "scheduled".into() } else { "now".into() },
            publish_at: publish_at.get(..16).unwrap_or_default().replace(' ', "T"),
            pinned: r.flag("pinned")?.then(|| "on".to_string()),
            doc_number: r.col::<Option<String>>("doc_number")?.unwrap_or_default(),
            source: r.col::<Option<String>>("source")?.unwrap_or_default(),
            issuer: r.col::<Option<String>>("issuer")?.unwrap_or_default(),
            written_date: r.col::<Option<String>>("written_date")?.unwrap_or_default(),
            topic: r.col::<Option<String>>("topic")?.unwrap_or_default(),
            disclosure: r.col("disclosure")?,
            validity: r.col("validity")?,
            interprets: r.col("interprets")?,
        },
        publish_at,
        author_id: r.col("author_id")?,
        author: author_name(r.col("author")?),
        updated_at: r.col("updated_at")?,
        attachments: Vec::new(),
    })
}

impl Store {
    /// An article of the scope, or None (also for another tenant's id).
    pub async fn article(&self, scope: Tenant, id: i64) -> Result<Option<ArticleView>> {
        let Some(head) = sqlx::query(&format!(
            "SELECT a.id, a.site_id, s.code, ac.slug AS column_slug, a.index_no, a.status, a.published_revision_id, a.work_revision_id,
                    a.deleted_at, CASE WHEN o.site_id <> a.site_id THEN os.name END AS taken_from,
                    CASE WHEN o.site_id = a.site_id THEN o.id END AS reference_of
             FROM articles a JOIN sites s ON s.id = a.site_id JOIN site_columns ac ON ac.id = a.column_id
             LEFT JOIN articles o ON o.id = a.source_article_id LEFT JOIN sites os ON os.id = o.site_id
             WHERE a.id = $1 AND {only}",
            only = Tenant::filter("a.site_id", 2)
        ))
        .bind(id)
        .bind(scope.param())
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let index_no: String = head.col("index_no")?;
        let (live_id, work_id): (Option<i64>, Option<i64>) =
            (head.col("published_revision_id")?, head.col("work_revision_id")?);
        let mut live = None;
        let mut work = None;
        for rid in [live_id, work_id].into_iter().flatten() {
            let r = sqlx::query(&format!("SELECT {REV_COLUMNS} {REV_FROM} WHERE r.id = $1"))
                .bind(rid)
                .fetch_one(self.pool())
                .await?;
            let mut rev = revision_from(&r)?;
            rev.attachments = self.revision_attachments(rid).await?;
            if Some(rid) == work_id {
                work = Some(rev);
            } else {
                live = Some(rev);
            }
        }
        let steps = sqlx::query(
            "SELECT r.number, rs.level, COALESCE(u.display_name, '') AS reviewer, rs.decision, rs.comment, rs.at,
                    rs.secrecy_reviewed, rs.confirmation, rs.confirmed_findings
             FROM review_steps rs JOIN revisions r ON r.id = rs.revision_id LEFT JOIN users u ON u.id = rs.reviewer_id
             WHERE r.article_id = $1 ORDER BY rs.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ReviewStep {
                revision_number: r.col("number")?,
                level: r.col("level")?,
                reviewer: r.col("reviewer")?,
                decision: r.col("decision")?,
                comment: r.col("comment")?,
                at: r.col("at")?,
                secrecy_reviewed: r.col::<i64>("secrecy_reviewed")? != 0,
                confirmation: r.col("confirmation")?,
                confirmed_findings: r.col("confirmed_findings")?,
            })
        })
        .collect::<Result<_>>()?;
        let history = sqlx::query(
            "SELECT r.number, r.state, r.title, COALESCE(u.display_name, r.created_by) AS author,
                    COALESCE(r.updated_at, r.created_at) AS at
             FROM revisions r LEFT JOIN users u ON u.id = r.author_id WHERE r.article_id = $1 ORDER BY r.number DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(HistoryEntry {
                number: r.col("number")?,
                state: RevState::parse(&r.col::<String>("state")?),
                title: r.col("title")?,
                author: author_name(r.col("author")?),
                at: r.col("at")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok(Some(ArticleView {
            id,
            site_id: head.col("site_id")?,
            site_code: head.col("code")?,
            column: head.col("column_slug")?,
            index_no: (!index_no.starts_with("draft:")).then_some(index_no),
            status: head.col("status")?,
            live,
            work,
            steps,
            history,
            interpretations: self.interpretations_of(id).await?,
            deleted_at: head.col("deleted_at")?,
            taken_from: head.col("taken_from")?,
            reference_of: head.col("reference_of")?,
            references: self.references_of(id).await?,
            submissions: self.submissions_of(id).await?,
        }))
    }

    async fn revision_attachments(&self, revision_id: i64) -> Result<Vec<AttachmentView>> {
        sqlx::query(
            "SELECT ra.position, ra.name, ra.sha256, b.mime, b.size, ra.alt
             FROM revision_attachments ra JOIN blobs b ON b.sha256 = ra.sha256
             WHERE ra.revision_id = $1 ORDER BY ra.position",
        )
        .bind(revision_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AttachmentView {
                position: r.col("position")?,
                name: r.col("name")?,
                sha256: r.col("sha256")?,
                mime: r.col("mime")?,
                size: r.col("size")?,
                alt: r.col("alt")?,
            })
        })
        .collect()
    }

    /// Articles of the scope matching `f`, newest change first, with the total count.
    pub async fn list_articles(
        &self,
        scope: Tenant,
        user: &User,
        f: &ListFilter,
        now: &str,
    ) -> Result<(Vec<ArticleRow>, i64)> {
        let mut conds = vec![Tenant::filter("a.site_id", 1)];
        let mut binds: Vec<String> = Vec::new();
        // $1 is the scope and $2 the time; filter values follow.
        fn bind(v: String, binds: &mut Vec<String>) -> String {
            binds.push(v);
            format!("${}", binds.len() + 2)
        }
        if !f.state.is_empty() {
            conds.push(format!("({STATE_SQL}) = {}", bind(f.state.clone(), &mut binds)));
        }
        if !f.column.is_empty() {
            conds.push(format!("c.slug = {}", bind(f.column.clone(), &mut binds)));
        }
        if !f.site.is_empty() {
            conds.push(format!("s.code = {}", bind(f.site.clone(), &mut binds)));
        }
        if !f.q.is_empty() {
            let like = format!("%{}%", f.q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            let p = bind(like, &mut binds);
            conds.push(format!(
                "(COALESCE(w.title, l.title, '') LIKE {p} ESCAPE '\\' OR COALESCE(w.doc_number, l.doc_number, '') LIKE {p} ESCAPE '\\' OR a.index_no LIKE {p} ESCAPE '\\')"
            ));
        }
        for (value, op) in [(&f.from, ">="), (&f.to, "<")] {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                let d = if op == "<" { d.succ_opt().unwrap_or(d) } else { d };
                let ts = crate::clock::start_of_day(d);
                conds.push(format!("a.updated_at {op} {ts}"));
            }
        }
        if f.mine {
            conds.push(format!("COALESCE(w.author_id, a.author_id) = {}", user.id));
        }
        if f.trash {
            conds.push(format!("a.deleted_at > {}", now_unix() - TRASH_DAYS * 86_400));
        } else {
            conds.push("a.deleted_at IS NULL".into());
        }
        let where_sql = conds.join(" AND ");
        let page = i64::from(f.page.unwrap_or(1).max(1));
        let order = if f.trash { "a.deleted_at DESC" } else { "a.updated_at DESC" };
        let sql = format!(
            "{ROW_SELECT} WHERE {where_sql} ORDER BY {order}, a.id DESC LIMIT {LIST_PAGE} OFFSET {}",
            (page - 1) * LIST_PAGE
        );
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM articles a JOIN sites s ON s.id = a.site_id JOIN site_columns c ON c.id = a.column_id
             LEFT JOIN revisions w ON w.id = a.work_revision_id LEFT JOIN revisions l ON l.id = a.published_revision_id
             WHERE {where_sql}"
        );
        let mut q = sqlx::query(&sql).bind(scope.param()).bind(now);
        let mut cq = sqlx::query(&count_sql).bind(scope.param()).bind(now);
        for b in &binds {
            q = q.bind(b);
            cq = cq.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?.iter().map(row_from).collect::<Result<_>>()?;
        let total: i64 = cq.fetch_one(self.pool()).await?.col("n")?;
        Ok((rows, total))
    }

    /// Submitted revisions waiting for a review level, oldest first.
    pub async fn review_queue(&self, scope: Tenant, now: &str) -> Result<Vec<ArticleRow>> {
        let sql = format!(
            "{ROW_SELECT} WHERE {only} AND w.state = 'submitted' ORDER BY w.updated_at, a.id LIMIT 200",
            only = Tenant::filter("a.site_id", 1)
        );
        sqlx::query(&sql).bind(scope.param()).bind(now).fetch_all(self.pool()).await?.iter().map(row_from).collect()
    }
}

/// The site of an article in the scope, or NotFound; the article's row stays locked until the
/// transaction ends. Every write to an article starts here, so two reviewers approving at once,
/// or two editors opening a new revision of the same page, run one after the other on
/// PostgreSQL too, and the second reads the state the first left (then gets its 409). The
/// no-op UPDATE is the one row lock both dialects accept (SQLite has no `FOR UPDATE`; its
/// `BEGIN IMMEDIATE` already holds the whole database).
pub(crate) async fn article_site(tx: &mut Transaction<'_, Any>, scope: Tenant, id: i64) -> Result<i64> {
    let (site_id, deleted) = locked_article(tx, scope, id).await?;
    if deleted.is_some() {
        return Err(StoreError::Conflict("稿件在回收站中，请先恢复再操作".into()));
    }
    Ok(site_id)
}

/// [`article_site`] for a change of the article's text: a reference (引用) and an article taken
/// in through 信息报送 show their source's revision, which is edited at the source only.
pub(crate) async fn editable_site(tx: &mut Transaction<'_, Any>, scope: Tenant, id: i64) -> Result<i64> {
    let site_id = article_site(tx, scope, id).await?;
    let source: Option<i64> =
        sqlx::query("SELECT o.site_id FROM articles a JOIN articles o ON o.id = a.source_article_id WHERE a.id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.col("site_id"))
            .transpose()?;
    match source {
        Some(from) if from == site_id => {
            Err(StoreError::Conflict("这是引用到本栏目的稿件，请修改原稿件；引用可以单独撤下".into()))
        }
        Some(_) => Err(StoreError::Conflict("这是报送采用的稿件，内容由来源单位修改；本站只能撤下".into())),
        None => Ok(site_id),
    }
}

/// Locks an article of the tenant for the transaction: its site and when it was deleted.
pub(crate) async fn locked_article(
    tx: &mut Transaction<'_, Any>,
    scope: Tenant,
    id: i64,
) -> Result<(i64, Option<i64>)> {
    let row = sqlx::query(&format!(
        "UPDATE articles SET updated_at = updated_at WHERE id = $1 AND {only} RETURNING site_id, deleted_at",
        only = Tenant::filter("site_id", 2)
    ))
    .bind(id)
    .bind(scope.param())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok((row.col("site_id")?, row.col("deleted_at")?))
}
