//! The editors' side of the content: drafts and their revisions, attachments, lists and
//! dashboards. Every read and write takes a `Scope`; nothing here can see another tenant.
//! The review transitions are in `workflow`.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::hands::{self, Part, Subject};
use super::tenant::Scope;
use super::users::User;
use super::{now_unix, Result, Store, StoreError};
use crate::content::attachment::Attachment;
use crate::content::draft::{DraftInput, FieldError};

/// Where a revision stands in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevState {
    Draft,
    Submitted,
    Rejected,
    Approved,
    Superseded,
}

impl RevState {
    pub fn parse(s: &str) -> RevState {
        match s {
            "draft" => RevState::Draft,
            "submitted" => RevState::Submitted,
            "rejected" => RevState::Rejected,
            "superseded" => RevState::Superseded,
            _ => RevState::Approved,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RevState::Draft => "draft",
            RevState::Submitted => "submitted",
            RevState::Rejected => "rejected",
            RevState::Approved => "approved",
            RevState::Superseded => "superseded",
        }
    }

    /// Whether an editor may still change the revision.
    pub fn editable(self) -> bool {
        matches!(self, RevState::Draft | RevState::Rejected)
    }
}

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
    pub page: Option<u32>,
}

pub const LIST_PAGE: i64 = 30;

/// The state shown for an article: its work revision's, else its live status.
const STATE_SQL: &str = "CASE WHEN w.id IS NOT NULL THEN w.state
     WHEN a.status = 'published' AND l.publish_at > $2 THEN 'scheduled'
     ELSE a.status END";

const ROW_SELECT: &str = "SELECT a.id, s.code, s.name, c.slug, c.name, COALESCE(w.title, l.title, ''),
        CASE WHEN w.id IS NOT NULL THEN w.state
             WHEN a.status = 'published' AND l.publish_at > $2 THEN 'scheduled'
             ELSE a.status END,
        COALESCE(w.level, 0), a.published_revision_id IS NOT NULL AND a.status = 'published', a.pinned,
        COALESCE(u.display_name, COALESCE(w.created_by, l.created_by, '')), a.updated_at, COALESCE(l.publish_at, ''),
        (SELECT rs.comment FROM review_steps rs WHERE rs.revision_id = w.id AND rs.decision = 'reject' ORDER BY rs.id DESC LIMIT 1)
     FROM articles a
     JOIN sites s ON s.id = a.site_id
     JOIN site_columns c ON c.id = a.column_id
     LEFT JOIN revisions w ON w.id = a.work_revision_id
     LEFT JOIN revisions l ON l.id = a.published_revision_id
     LEFT JOIN users u ON u.id = COALESCE(w.author_id, a.author_id)";

fn row_from(r: &AnyRow) -> ArticleRow {
    ArticleRow {
        id: r.get(0),
        site_code: r.get(1),
        site_name: r.get(2),
        column: r.get(3),
        column_name: r.get(4),
        title: r.get(5),
        state: r.get(6),
        level: r.get(7),
        live: as_bool(r, 8),
        pinned: as_bool(r, 9),
        author: r.get(10),
        updated_at: r.get(11),
        publish_at: r.get(12),
        comment: r.get(13),
    }
}

/// Booleans come back as integers from SQLite and as booleans from PostgreSQL expressions.
fn as_bool(r: &AnyRow, i: usize) -> bool {
    r.try_get::<i64, _>(i).map(|v| v != 0).or_else(|_| r.try_get::<bool, _>(i)).unwrap_or(false)
}

const REV_COLUMNS: &str = "r.id, r.number, r.state, r.level, r.title, COALESCE(c.slug, ac.slug), r.summary, r.body_md,
        r.publish_at, COALESCE(r.pinned, a.pinned), r.doc_number, r.issuer, r.written_date, r.topic, r.disclosure,
        r.validity, COALESCE(pa.index_no, ''), r.author_id, COALESCE(u.display_name, r.created_by),
        COALESCE(r.updated_at, r.created_at)";

const REV_FROM: &str = "FROM revisions r
     JOIN articles a ON a.id = r.article_id
     JOIN site_columns ac ON ac.id = a.column_id
     LEFT JOIN site_columns c ON c.id = r.column_id
     LEFT JOIN articles pa ON pa.id = r.interprets_id
     LEFT JOIN users u ON u.id = r.author_id";

fn revision_from(r: &AnyRow) -> RevisionView {
    let publish_at: String = r.get(8);
    let state = RevState::parse(&r.get::<String, _>(2));
    // Once approved, the stored time is the publication time, not a schedule request.
    let scheduled = !publish_at.is_empty() && (state.editable() || state == RevState::Submitted);
    RevisionView {
        id: r.get(0),
        number: r.get(1),
        state,
        level: r.get(3),
        input: DraftInput {
            title: r.get(4),
            column: r.get(5),
            summary: r.get(6),
            body: r.get(7),
            publish_mode: if scheduled { "scheduled".into() } else { "now".into() },
            publish_at: publish_at.get(..16).unwrap_or_default().replace(' ', "T"),
            pinned: (r.get::<i64, _>(9) != 0).then(|| "on".to_string()),
            doc_number: r.get::<Option<String>, _>(10).unwrap_or_default(),
            issuer: r.get::<Option<String>, _>(11).unwrap_or_default(),
            written_date: r.get::<Option<String>, _>(12).unwrap_or_default(),
            topic: r.get::<Option<String>, _>(13).unwrap_or_default(),
            disclosure: r.get(14),
            validity: r.get(15),
            interprets: r.get(16),
        },
        publish_at,
        author_id: r.get(17),
        author: r.get(18),
        updated_at: r.get(19),
        attachments: Vec::new(),
    }
}

impl Store {
    /// An article of the scope, or None (also for another tenant's id).
    pub async fn article(&self, scope: Scope, id: i64) -> Result<Option<ArticleView>> {
        let Some(head) = sqlx::query(
            "SELECT a.id, a.site_id, s.code, a.index_no, a.status, a.published_revision_id, a.work_revision_id
             FROM articles a JOIN sites s ON s.id = a.site_id WHERE a.id = $1 AND ($2 = 0 OR a.site_id = $2)",
        )
        .bind(id)
        .bind(scope.param())
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let index_no: String = head.get(3);
        let (live_id, work_id): (Option<i64>, Option<i64>) = (head.get(5), head.get(6));
        let mut live = None;
        let mut work = None;
        for rid in [live_id, work_id].into_iter().flatten() {
            let r = sqlx::query(&format!("SELECT {REV_COLUMNS} {REV_FROM} WHERE r.id = $1"))
                .bind(rid)
                .fetch_one(self.pool())
                .await?;
            let mut rev = revision_from(&r);
            rev.attachments = self.revision_attachments(rid).await?;
            if Some(rid) == work_id {
                work = Some(rev);
            } else {
                live = Some(rev);
            }
        }
        let steps = sqlx::query(
            "SELECT r.number, rs.level, COALESCE(u.display_name, ''), rs.decision, rs.comment, rs.at
             FROM review_steps rs JOIN revisions r ON r.id = rs.revision_id LEFT JOIN users u ON u.id = rs.reviewer_id
             WHERE r.article_id = $1 ORDER BY rs.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| ReviewStep {
            revision_number: r.get(0),
            level: r.get(1),
            reviewer: r.get(2),
            decision: r.get(3),
            comment: r.get(4),
            at: r.get(5),
        })
        .collect();
        let history = sqlx::query(
            "SELECT r.number, r.state, r.title, COALESCE(u.display_name, r.created_by), COALESCE(r.updated_at, r.created_at)
             FROM revisions r LEFT JOIN users u ON u.id = r.author_id WHERE r.article_id = $1 ORDER BY r.number DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| HistoryEntry {
            number: r.get(0),
            state: RevState::parse(&r.get::<String, _>(1)),
            title: r.get(2),
            author: r.get(3),
            at: r.get(4),
        })
        .collect();
        Ok(Some(ArticleView {
            id,
            site_id: head.get(1),
            site_code: head.get(2),
            index_no: (!index_no.starts_with("draft:")).then_some(index_no),
            status: head.get(4),
            live,
            work,
            steps,
            history,
            interpretations: self.interpretations_of(id).await?,
        }))
    }

    async fn revision_attachments(&self, revision_id: i64) -> Result<Vec<AttachmentView>> {
        Ok(sqlx::query(
            "SELECT ra.position, ra.name, ra.sha256, b.mime, b.size, ra.alt
             FROM revision_attachments ra JOIN blobs b ON b.sha256 = ra.sha256
             WHERE ra.revision_id = $1 ORDER BY ra.position",
        )
        .bind(revision_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| AttachmentView {
            position: r.get(0),
            name: r.get(1),
            sha256: r.get(2),
            mime: r.get(3),
            size: r.get(4),
            alt: r.get(5),
        })
        .collect())
    }

    /// Saves the form into the article's draft: a new article when `id` is None, the open draft
    /// when there is one, else a new revision of a published article (which stays online).
    /// Returns the article id.
    pub async fn save_draft(&self, scope: Scope, user: &User, id: Option<i64>, input: &DraftInput) -> Result<i64> {
        let errors = input.check_draft();
        if !errors.is_empty() {
            return Err(StoreError::Fields(errors));
        }
        let mut tx = self.begin_write().await?;
        let site_id = match id {
            Some(id) => article_site(&mut tx, scope, id).await?,
            None => user.site_id.filter(|s| scope.covers(*s)).ok_or(StoreError::NotFound)?,
        };
        let column_id = column_id(&mut tx, site_id, &input.column).await?;
        let interprets = interprets_id(&mut tx, &input.interprets, id).await?;
        let now = now_unix();
        let article_id = match id {
            Some(id) => id,
            None => {
                let placeholder = format!("draft:{}", crate::auth::token());
                sqlx::query(
                    "INSERT INTO articles (site_id, column_id, index_no, status, pinned, created_at, updated_at, author_id)
                     VALUES ($1, $2, $3, 'draft', 0, $4, $4, $5) RETURNING id",
                )
                .bind(site_id)
                .bind(column_id)
                .bind(&placeholder)
                .bind(now)
                .bind(user.id)
                .fetch_one(&mut *tx)
                .await?
                .get(0)
            }
        };
        let rev_id = work_revision(&mut tx, article_id, user).await?;
        hands::record(&mut tx, Subject::Revision, rev_id, user.id, Part::Wrote).await?;
        let meta = input.meta();
        sqlx::query(
            "UPDATE revisions SET title = $1, summary = $2, body_md = $3, publish_at = $4, doc_number = $5, issuer = $6,
                written_date = $7, topic = $8, disclosure = $9, validity = $10, column_id = $11, pinned = $12,
                interprets_id = $13, updated_at = $14
             WHERE id = $15",
        )
        .bind(&input.title)
        .bind(&input.summary)
        .bind(&input.body)
        .bind(input.scheduled_at().unwrap_or_default())
        .bind(meta.doc_number.as_deref())
        .bind(meta.issuer.as_deref())
        .bind(meta.written_date.as_deref())
        .bind(meta.topic.as_deref())
        .bind(meta.disclosure.as_str())
        .bind(meta.validity.as_str())
        .bind(column_id)
        .bind(i64::from(input.pinned()))
        .bind(interprets)
        .bind(now)
        .bind(rev_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE articles SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(article_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(article_id)
    }

    /// Adds a checked file to the article's draft (opening one on a published article).
    /// Images need alt text.
    pub async fn add_attachment(
        &self,
        scope: Scope,
        user: &User,
        id: i64,
        file: &Attachment,
        alt: Option<&str>,
    ) -> Result<AttachmentView> {
        let alt = alt.map(str::trim).filter(|a| !a.is_empty());
        if file.is_image() && alt.is_none() {
            return Err(StoreError::Fields(vec![FieldError {
                field: "alt",
                message: "图片须填写替代文字（供视障读者使用），例如“会议现场”".into(),
            }]));
        }
        if alt.is_some_and(|a| a.chars().count() > 100) {
            return Err(StoreError::Fields(vec![FieldError {
                field: "alt",
                message: "替代文字不能超过 100 个字".into(),
            }]));
        }
        let mut tx = self.begin_write().await?;
        article_site(&mut tx, scope, id).await?;
        let rev_id = work_revision(&mut tx, id, user).await?;
        hands::record(&mut tx, Subject::Revision, rev_id, user.id, Part::Wrote).await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM revision_attachments WHERE revision_id = $1")
            .bind(rev_id)
            .fetch_one(&mut *tx)
            .await?
            .get(0);
        if count >= 20 {
            return Err(StoreError::Conflict("每篇稿件最多 20 个附件".into()));
        }
        let now = now_unix();
        super::articles::put_blob(&mut tx, file, now).await?;
        let position: i64 =
            sqlx::query("SELECT COALESCE(MAX(position), -1) + 1 FROM revision_attachments WHERE revision_id = $1")
                .bind(rev_id)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
        sqlx::query(
            "INSERT INTO revision_attachments (revision_id, position, name, sha256, alt) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(rev_id)
        .bind(position)
        .bind(&file.name)
        .bind(&file.sha256)
        .bind(alt)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE revisions SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(rev_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(AttachmentView {
            position,
            name: file.name.clone(),
            sha256: file.sha256.clone(),
            mime: file.mime.to_string(),
            size: file.data.len() as i64,
            alt: alt.map(str::to_string),
        })
    }

    pub async fn remove_attachment(&self, scope: Scope, user: &User, id: i64, position: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        article_site(&mut tx, scope, id).await?;
        let rev_id = work_revision(&mut tx, id, user).await?;
        hands::record(&mut tx, Subject::Revision, rev_id, user.id, Part::Wrote).await?;
        let done = sqlx::query("DELETE FROM revision_attachments WHERE revision_id = $1 AND position = $2")
            .bind(rev_id)
            .bind(position)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// A stored file, if some revision of an article in the scope uses it.
    pub async fn scoped_blob(&self, scope: Scope, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
        Ok(sqlx::query(
            "SELECT b.mime, b.data FROM blobs b WHERE b.sha256 = $1 AND EXISTS (
                 SELECT 1 FROM revision_attachments ra JOIN revisions r ON r.id = ra.revision_id
                 JOIN articles a ON a.id = r.article_id
                 WHERE ra.sha256 = b.sha256 AND ($2 = 0 OR a.site_id = $2))",
        )
        .bind(sha256)
        .bind(scope.param())
        .fetch_optional(self.pool())
        .await?
        .map(|r| (r.get(0), r.get(1))))
    }

    /// Articles of the scope matching `f`, newest change first, with the total count.
    pub async fn list_articles(
        &self,
        scope: Scope,
        user: &User,
        f: &ListFilter,
        now: &str,
    ) -> Result<(Vec<ArticleRow>, i64)> {
        let mut conds = vec!["($1 = 0 OR a.site_id = $1)".to_string()];
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
        let where_sql = conds.join(" AND ");
        let page = i64::from(f.page.unwrap_or(1).max(1));
        let sql = format!(
            "{ROW_SELECT} WHERE {where_sql} ORDER BY a.updated_at DESC, a.id DESC LIMIT {LIST_PAGE} OFFSET {}",
            (page - 1) * LIST_PAGE
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM articles a JOIN sites s ON s.id = a.site_id JOIN site_columns c ON c.id = a.column_id
             LEFT JOIN revisions w ON w.id = a.work_revision_id LEFT JOIN revisions l ON l.id = a.published_revision_id
             WHERE {where_sql}"
        );
        let mut q = sqlx::query(&sql).bind(scope.param()).bind(now);
        let mut cq = sqlx::query(&count_sql).bind(scope.param()).bind(now);
        for b in &binds {
            q = q.bind(b);
            cq = cq.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?.iter().map(row_from).collect();
        let total: i64 = cq.fetch_one(self.pool()).await?.get(0);
        Ok((rows, total))
    }

    /// Submitted revisions waiting for a review level, oldest first.
    pub async fn review_queue(&self, scope: Scope, now: &str) -> Result<Vec<ArticleRow>> {
        let sql = format!(
            "{ROW_SELECT} WHERE ($1 = 0 OR a.site_id = $1) AND w.state = 'submitted' ORDER BY w.updated_at, a.id LIMIT 200"
        );
        Ok(sqlx::query(&sql).bind(scope.param()).bind(now).fetch_all(self.pool()).await?.iter().map(row_from).collect())
    }
}

/// The site of an article in the scope, or NotFound; the article's row stays locked until the
/// transaction ends. Every write to an article starts here, so two reviewers approving at once,
/// or two editors opening a new revision of the same page, run one after the other on
/// PostgreSQL too, and the second reads the state the first left (then gets its 409). The
/// no-op UPDATE is the one row lock both dialects accept (SQLite has no `FOR UPDATE`; its
/// `BEGIN IMMEDIATE` already holds the whole database).
pub(crate) async fn article_site(tx: &mut Transaction<'_, Any>, scope: Scope, id: i64) -> Result<i64> {
    sqlx::query(
        "UPDATE articles SET updated_at = updated_at WHERE id = $1 AND ($2 = 0 OR site_id = $2) RETURNING site_id",
    )
    .bind(id)
    .bind(scope.param())
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.get(0))
    .ok_or(StoreError::NotFound)
}

async fn column_id(tx: &mut Transaction<'_, Any>, site_id: i64, slug: &str) -> Result<i64> {
    sqlx::query("SELECT id FROM site_columns WHERE site_id = $1 AND slug = $2 AND active = 1")
        .bind(site_id)
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| {
            StoreError::Fields(vec![FieldError { field: "column", message: "请选择本站的一个栏目".into() }])
        })
}

/// The article a 索引号 names, for a policy link: any published article of the group (they are
/// public), never the article itself.
async fn interprets_id(tx: &mut Transaction<'_, Any>, index_no: &str, own: Option<i64>) -> Result<Option<i64>> {
    if index_no.is_empty() {
        return Ok(None);
    }
    let found: Option<i64> = sqlx::query(
        "SELECT id FROM articles WHERE index_no = $1 AND status = 'published' AND published_revision_id IS NOT NULL",
    )
    .bind(index_no)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.get(0));
    match found {
        Some(id) if Some(id) != own => Ok(Some(id)),
        _ => Err(StoreError::Fields(vec![FieldError {
            field: "interprets",
            message: format!("找不到索引号为 {index_no} 的已发布文件，请核对（格式如 114304000061627440/2024-00001）"),
        }])),
    }
}

/// The id of the article's editable revision, opening one when there is none: a published
/// article's new revision starts as a copy of the live one, attachments included.
async fn work_revision(tx: &mut Transaction<'_, Any>, article_id: i64, user: &User) -> Result<i64> {
    let row = sqlx::query(
        "SELECT a.work_revision_id, w.state, a.published_revision_id,
                (SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id = a.id)
         FROM articles a LEFT JOIN revisions w ON w.id = a.work_revision_id WHERE a.id = $1",
    )
    .bind(article_id)
    .fetch_one(&mut **tx)
    .await?;
    let (work, state, live, last): (Option<i64>, Option<String>, Option<i64>, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if let Some(work) = work {
        return if RevState::parse(state.as_deref().unwrap_or("")).editable() {
            Ok(work)
        } else {
            Err(StoreError::Conflict("稿件正在审核中，审核结束前不能修改".into()))
        };
    }
    let now = now_unix();
    let id: i64 = match live {
        Some(live) => {
            let id: i64 = sqlx::query(
                "INSERT INTO revisions (article_id, number, title, summary, body_md, publish_at, doc_number, issuer,
                    written_date, topic, disclosure, validity, cover_sha256, content_hash, created_by, created_at,
                    state, level, author_id, column_id, pinned, interprets_id, updated_at)
                 SELECT r.article_id, $1, r.title, r.summary, r.body_md, r.publish_at, r.doc_number, r.issuer,
                    r.written_date, r.topic, r.disclosure, r.validity, r.cover_sha256, '', $2, $3,
                    'draft', 0, $4, a.column_id, a.pinned,
                    (SELECT policy_id FROM article_links WHERE interpretation_id = a.id ORDER BY policy_id LIMIT 1), $3
                 FROM revisions r JOIN articles a ON a.id = r.article_id WHERE r.id = $5 RETURNING id",
            )
            .bind(last + 1)
            .bind(&user.username)
            .bind(now)
            .bind(user.id)
            .bind(live)
            .fetch_one(&mut **tx)
            .await?
            .get(0);
            sqlx::query(
                "INSERT INTO revision_attachments (revision_id, position, name, sha256, alt)
                 SELECT $1, position, name, sha256, alt FROM revision_attachments WHERE revision_id = $2",
            )
            .bind(id)
            .bind(live)
            .execute(&mut **tx)
            .await?;
            id
        }
        None => sqlx::query(
            "INSERT INTO revisions (article_id, number, title, summary, body_md, publish_at, disclosure, validity,
                content_hash, created_by, created_at, state, level, author_id, updated_at)
             VALUES ($1, $2, '', '', '', '', '主动公开', '有效', '', $3, $4, 'draft', 0, $5, $4) RETURNING id",
        )
        .bind(article_id)
        .bind(last + 1)
        .bind(&user.username)
        .bind(now)
        .bind(user.id)
        .fetch_one(&mut **tx)
        .await?
        .get(0),
    };
    sqlx::query("UPDATE articles SET work_revision_id = $1 WHERE id = $2")
        .bind(id)
        .bind(article_id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}
