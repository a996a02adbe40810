//! The editors' side of the content: drafts and their revisions, attachments, lists and
//! dashboards. Every read and write takes a `Scope`; nothing here can see another tenant.
//! The review transitions are in `workflow`.

mod drafts;

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
