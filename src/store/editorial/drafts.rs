//! Writing a draft: the editor's revision of an article (a new article, or a working copy of a
//! live one), its attachments, and the checks each save passes in its transaction.

use super::*;

impl Store {
    /// Saves the form into the article's draft: a new article when `id` is None, the open draft
    /// when there is one, else a new revision of a published article (which stays online).
    /// Returns the article id.
    pub async fn save_draft(&self, scope: Tenant, user: &User, id: Option<i64>, input: &DraftInput) -> Result<i64> {
        let errors = input.check_draft();
        if !errors.is_empty() {
            return Err(StoreError::Fields(errors));
        }
        let mut tx = self.begin_write().await?;
        let site_id = match id {
            Some(id) => editable_site(&mut tx, scope, id).await?,
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
                .col("id")?
            }
        };
        let rev_id = work_revision(&mut tx, article_id, user).await?;
        hands::record(&mut tx, Subject::Revision, rev_id, user.id, Part::Wrote).await?;
        write_fields(&mut tx, rev_id, input, column_id, interprets, now).await?;
        sqlx::query("UPDATE articles SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(article_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(article_id)
    }

    /// Restores revision `number` of an article as its draft: into the open draft, or a new
    /// draft over the live version (which stays online until the draft is approved). The
    /// revision's fields, body and files come back; its history stays as it was.
    pub async fn restore_revision(&self, scope: Tenant, user: &User, id: i64, number: i64, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let site_id = editable_site(&mut tx, scope, id).await?;
        let Some(row) =
            sqlx::query(&format!("SELECT {REV_COLUMNS} {REV_FROM} WHERE r.article_id = $1 AND r.number = $2"))
                .bind(id)
                .bind(number)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Err(StoreError::NotFound);
        };
        let old = revision_from(&row)?;
        let rev_id = work_revision(&mut tx, id, user).await?;
        if rev_id == old.id {
            return Err(StoreError::Conflict("这一版就是当前草稿，无需恢复".into()));
        }
        let column_id = column_id(&mut tx, site_id, &old.input.column).await?;
        let interprets = interprets_id(&mut tx, &old.input.interprets, Some(id)).await?;
        hands::record(&mut tx, Subject::Revision, rev_id, user.id, Part::Wrote).await?;
        let now = now_unix();
        let mut input = old.input.clone();
        // An old schedule that has passed is not restored: the draft publishes on approval.
        if input.scheduled_at().is_some_and(|at| at <= crate::content::now_local()) {
            input.publish_mode = "now".into();
        }
        write_fields(&mut tx, rev_id, &input, column_id, interprets, now).await?;
        sqlx::query("DELETE FROM revision_attachments WHERE revision_id = $1").bind(rev_id).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO revision_attachments (revision_id, position, name, sha256, alt)
             SELECT $1, position, name, sha256, alt FROM revision_attachments WHERE revision_id = $2",
        )
        .bind(rev_id)
        .bind(old.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE articles SET updated_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *tx).await?;
        let target = format!("article {id}: {}", old.input.title);
        let detail = format!("恢复第 {number} 版为草稿");
        let entry = crate::store::audit::Entry {
            actor: &user.username,
            ip: Some(ip),
            site_id: Some(site_id),
            action: "article.restore",
            target: &target,
            detail: &detail,
        };
        crate::store::audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a checked file to the article's draft (opening one on a published article).
    /// Images need alt text.
    pub async fn add_attachment(
        &self,
        scope: Tenant,
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
        editable_site(&mut tx, scope, id).await?;
        let rev_id = work_revision(&mut tx, id, user).await?;
        hands::record(&mut tx, Subject::Revision, rev_id, user.id, Part::Wrote).await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM revision_attachments WHERE revision_id = $1")
            .bind(rev_id)
            .fetch_one(&mut *tx)
            .await?
            .col("n")?;
        if count >= 20 {
            return Err(StoreError::Conflict("每篇稿件最多 20 个附件".into()));
        }
        let now = now_unix();
        super::super::articles::put_blob(&mut tx, file, now).await?;
        let position: i64 = sqlx::query(
            "SELECT COALESCE(MAX(position), -1) + 1 AS next FROM revision_attachments WHERE revision_id = $1",
        )
        .bind(rev_id)
        .fetch_one(&mut *tx)
        .await?
        .col("next")?;
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

    pub async fn remove_attachment(&self, scope: Tenant, user: &User, id: i64, position: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        editable_site(&mut tx, scope, id).await?;
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
    pub async fn scoped_blob(&self, scope: Tenant, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
        sqlx::query(&format!(
            "SELECT b.mime, b.data FROM blobs b WHERE b.sha256 = $1 AND EXISTS (
                 SELECT 1 FROM revision_attachments ra JOIN revisions r ON r.id = ra.revision_id
                 JOIN articles a ON a.id = r.article_id
                 WHERE ra.sha256 = b.sha256 AND {only})",
            only = Tenant::filter("a.site_id", 2)
        ))
        .bind(sha256)
        .bind(scope.param())
        .fetch_optional(self.pool())
        .await?
        .map(|r| Ok((r.col("mime")?, r.col("data")?)))
        .transpose()
    }
}

async fn column_id(tx: &mut Transaction<'_, Any>, site_id: i64, slug: &str) -> Result<i64> {
    sqlx::query("SELECT id FROM site_columns WHERE site_id = $1 AND slug = $2 AND active = 1")
        .bind(site_id)
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.col("id"))
        .transpose()?
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
    .map(|r| r.col("id"))
    .transpose()?;
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
/// Writes the form's fields into a draft revision.
async fn write_fields(
    tx: &mut Transaction<'_, Any>,
    rev_id: i64,
    input: &DraftInput,
    column_id: i64,
    interprets: Option<i64>,
    now: i64,
) -> Result<()> {
    let meta = input.meta();
    sqlx::query(
        "UPDATE revisions SET title = $1, summary = $2, body_md = $3, publish_at = $4, doc_number = $5, issuer = $6,
            written_date = $7, topic = $8, disclosure = $9, validity = $10, column_id = $11, pinned = $12,
            interprets_id = $13, updated_at = $14, source = $15
         WHERE id = $16",
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
    .bind(meta.source.as_deref())
    .bind(rev_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn work_revision(tx: &mut Transaction<'_, Any>, article_id: i64, user: &User) -> Result<i64> {
    let row = sqlx::query(
        "SELECT a.work_revision_id, w.state, a.published_revision_id,
                (SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id = a.id) AS last_number
         FROM articles a LEFT JOIN revisions w ON w.id = a.work_revision_id WHERE a.id = $1",
    )
    .bind(article_id)
    .fetch_one(&mut **tx)
    .await?;
    let (work, state, live, last): (Option<i64>, Option<String>, Option<i64>, i64) =
        (row.col("work_revision_id")?, row.col("state")?, row.col("published_revision_id")?, row.col("last_number")?);
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
                    state, level, author_id, column_id, pinned, interprets_id, updated_at, source)
                 SELECT r.article_id, $1, r.title, r.summary, r.body_md, r.publish_at, r.doc_number, r.issuer,
                    r.written_date, r.topic, r.disclosure, r.validity, r.cover_sha256, '', $2, $3,
                    'draft', 0, $4, a.column_id, a.pinned,
                    (SELECT policy_id FROM article_links WHERE interpretation_id = a.id ORDER BY policy_id LIMIT 1), $3,
                    r.source
                 FROM revisions r JOIN articles a ON a.id = r.article_id WHERE r.id = $5 RETURNING id",
            )
            .bind(last + 1)
            .bind(&user.username)
            .bind(now)
            .bind(user.id)
            .bind(live)
            .fetch_one(&mut **tx)
            .await?
            .col("id")?;
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
        .col("id")?,
    };
    sqlx::query("UPDATE articles SET work_revision_id = $1 WHERE id = $2")
        .bind(id)
        .bind(article_id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}
