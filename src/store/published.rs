//! Reading what is live: the published revision of every published article of a site, with its
//! attachments and policy links. This is the only content the publisher ever sees, so an
//! unreviewed or withdrawn revision cannot reach a page.

use std::collections::HashMap;

use super::Cols;

use super::{Result, Store};
use crate::content::{Disclosure, GovMeta, Validity};
use crate::group::urls::article_path;

#[derive(Debug, Clone)]
pub struct PublishedArticle {
    pub id: i64,
    pub column: String,
    pub index_no: String,
    pub pinned: bool,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub publish_at: String,
    pub meta: GovMeta,
    pub cover: Option<String>,
    pub attachments: Vec<AttachmentRef>,
    /// The page of another site this one was taken in from (信息报送), whose revision it shows.
    pub origin: Option<Origin>,
    /// The QR code kept for this article's page, with the address it was drawn for; only the
    /// readings that render pages select it.
    pub code: Option<StoredCode>,
}

/// A page's QR code as kept in `page_codes`: base64 PNG and the address it names.
#[derive(Debug, Clone)]
pub struct StoredCode {
    pub url: String,
    pub png: String,
}

/// The source page of an article taken in through 信息报送.
#[derive(Debug, Clone)]
pub struct Origin {
    pub site_code: String,
    pub path: String,
    /// The 索引号 the page shows: the source's, as on the source.
    pub index_no: String,
}

#[derive(Debug, Clone)]
pub struct AttachmentRef {
    pub name: String,
    pub sha256: String,
    pub mime: String,
    pub size: i64,
}

/// A link from an article of this site to a related article (maybe on another site).
#[derive(Debug, Clone)]
pub struct Related {
    pub from: i64,
    /// 政策解读 on a policy page, 政策文件 on an interpretation page.
    pub label: &'static str,
    pub title: String,
    pub site_code: String,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct Blob {
    pub sha256: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// Everything one site publishes, newest first with pinned articles ahead.
#[derive(Debug, Default)]
pub struct SiteContent {
    pub articles: Vec<PublishedArticle>,
    pub related: Vec<Related>,
    pub blobs: Vec<Blob>,
    /// (label, address) of the official mailboxes the registry lists on the contact page.
    pub mailboxes: Vec<(String, String)>,
    /// Answered messages the writers allowed to publish, masked, newest answer first.
    pub messages: Vec<super::messages::PublishedMessage>,
    /// Published opinion solicitations, newest first.
    pub solicitations: Vec<super::solicitations::PublishedSolicitation>,
    /// The last 索引号 serial of each year, which sets the sitemap's parts.
    pub serials: Vec<(i32, i64)>,
}

/// The columns every reading of a live article selects (`article_row` reads them), plus
/// `extra` ones; `body` is `r.body_md` for pages and `''` for list rows, which never show it.
pub(super) fn article_select(body: &str, extra: &str) -> String {
    format!(
        "SELECT a.id, c.slug, a.index_no, a.pinned, r.title, r.summary, {body} AS body_md, r.publish_at,
                r.doc_number, r.issuer, r.written_date, r.topic, r.disclosure, r.validity, r.cover_sha256, r.source,
                o.id AS origin_id, o.index_no AS origin_index_no, oc.slug AS origin_column, os.code AS origin_site{extra}
         FROM articles a
         JOIN revisions r ON r.id = a.published_revision_id
         JOIN site_columns c ON c.id = a.column_id
         LEFT JOIN articles o ON o.id = a.source_article_id
         LEFT JOIN site_columns oc ON oc.id = o.column_id
         LEFT JOIN sites os ON os.id = o.site_id"
    )
}

/// `article_select` for a reading whose articles are rendered as pages: the body and the kept
/// QR code too (`page_row` reads it). The caller appends its WHERE.
fn page_select() -> String {
    format!(
        "{} LEFT JOIN page_codes q ON q.article_id = a.id",
        article_select("r.body_md", ", q.url AS code_url, q.png AS code_png")
    )
}

fn page_row(r: &sqlx::any::AnyRow) -> Result<PublishedArticle> {
    let mut a = article_row(r)?;
    a.code = match (r.col::<Option<String>>("code_url")?, r.col::<Option<String>>("code_png")?) {
        (Some(url), Some(png)) => Some(StoredCode { url, png }),
        _ => None,
    };
    Ok(a)
}

pub(super) fn article_row(r: &sqlx::any::AnyRow) -> Result<PublishedArticle> {
    Ok(PublishedArticle {
        id: r.col("id")?,
        column: r.col("slug")?,
        index_no: r.col("index_no")?,
        pinned: r.flag("pinned")?,
        title: r.col("title")?,
        summary: r.col("summary")?,
        body_md: r.col("body_md")?,
        publish_at: r.col("publish_at")?,
        meta: GovMeta {
            doc_number: r.col("doc_number")?,
            issuer: r.col("issuer")?,
            written_date: r.col("written_date")?,
            topic: r.col("topic")?,
            disclosure: Disclosure::parse(&r.col::<String>("disclosure")?).unwrap_or_default(),
            validity: Validity::parse(&r.col::<String>("validity")?).unwrap_or_default(),
            source: r.col("source")?,
        },
        cover: r.col("cover_sha256")?,
        attachments: Vec::new(),
        origin: match r.col::<Option<i64>>("origin_id")? {
            Some(id) => Some(Origin {
                site_code: r.col("origin_site")?,
                path: article_path(&r.col::<String>("origin_column")?, &r.col::<String>("publish_at")?, id),
                index_no: r.col("origin_index_no")?,
            }),
            None => None,
        },
        code: None,
    })
}

/// `$from, $from+1, …` for `n` bound values.
pub(super) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// The live content of a site as of `now` (`YYYY-MM-DD HH:MM:SS`): scheduled articles
    /// whose time has not come are left out.
    pub async fn site_content(&self, site_id: i64, now: &str) -> Result<SiteContent> {
        let sql = format!(
            "{} WHERE a.site_id = $1 AND a.status = 'published' AND r.publish_at <= $2
             ORDER BY a.pinned DESC, r.publish_at DESC, a.id DESC",
            page_select()
        );
        let mut articles: Vec<PublishedArticle> = sqlx::query(&sql)
            .bind(site_id)
            .bind(now)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(page_row)
            .collect::<Result<_>>()?;

        let mut atts: HashMap<i64, Vec<AttachmentRef>> = HashMap::new();
        for r in sqlx::query(
            "SELECT a.id, ra.name, ra.sha256, b.mime, b.size
             FROM articles a
             JOIN revision_attachments ra ON ra.revision_id = a.published_revision_id
             JOIN blobs b ON b.sha256 = ra.sha256
             WHERE a.site_id = $1 AND a.status = 'published'
             ORDER BY a.id, ra.position",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?
        {
            atts.entry(r.col("id")?).or_default().push(attachment_row(&r)?);
        }
        attach(&mut articles, atts);

        let blobs = sqlx::query(
            "SELECT b.sha256, b.mime, b.data FROM blobs b WHERE b.sha256 IN (
                 SELECT ra.sha256 FROM articles a JOIN revision_attachments ra ON ra.revision_id = a.published_revision_id
                 WHERE a.site_id = $1 AND a.status = 'published'
                 UNION
                 SELECT r.cover_sha256 FROM articles a JOIN revisions r ON r.id = a.published_revision_id
                 WHERE a.site_id = $1 AND a.status = 'published' AND r.cover_sha256 IS NOT NULL)",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(blob_row)
        .collect::<Result<_>>()?;

        let related = self.related(site_id, now, None).await?;
        let mailboxes = self.listed_mailboxes(site_id).await?;
        let messages = self.published_messages(site_id).await?;
        let solicitations = self.published_solicitations(site_id).await?;
        let serials = self.index_serials(site_id).await?;
        Ok(SiteContent { articles, related, blobs, mailboxes, messages, solicitations, serials })
    }

    /// The live articles among `ids` with what their pages show (attachments, files, policy
    /// links), for a publish that renders only them; the mailboxes; and, when
    /// `interaction` is set, the published answers and solicitations.
    pub async fn articles_content(
        &self,
        site_id: i64,
        now: &str,
        ids: &[i64],
        interaction: bool,
    ) -> Result<SiteContent> {
        let mut content = SiteContent { mailboxes: self.listed_mailboxes(site_id).await?, ..Default::default() };
        if interaction {
            content.messages = self.published_messages(site_id).await?;
            content.solicitations = self.published_solicitations(site_id).await?;
        }
        if ids.is_empty() {
            return Ok(content);
        }
        let list = placeholders(3, ids.len());
        let sql = format!(
            "{} WHERE a.site_id = $1 AND a.status = 'published' AND r.publish_at <= $2 AND a.id IN ({list})",
            page_select()
        );
        let mut q = sqlx::query(&sql).bind(site_id).bind(now);
        for id in ids {
            q = q.bind(id);
        }
        let mut articles: Vec<PublishedArticle> =
            q.fetch_all(self.pool()).await?.iter().map(page_row).collect::<Result<_>>()?;
        let live: Vec<i64> = articles.iter().map(|a| a.id).collect();
        if live.is_empty() {
            return Ok(content);
        }
        let list = placeholders(1, live.len());
        let sql = format!(
            "SELECT a.id, ra.name, ra.sha256, b.mime, b.size
             FROM articles a
             JOIN revision_attachments ra ON ra.revision_id = a.published_revision_id
             JOIN blobs b ON b.sha256 = ra.sha256
             WHERE a.id IN ({list}) ORDER BY a.id, ra.position"
        );
        let mut q = sqlx::query(&sql);
        for id in &live {
            q = q.bind(id);
        }
        let mut atts: HashMap<i64, Vec<AttachmentRef>> = HashMap::new();
        for r in q.fetch_all(self.pool()).await? {
            atts.entry(r.col("id")?).or_default().push(attachment_row(&r)?);
        }
        let mut shas: Vec<&str> = atts.values().flatten().map(|f| f.sha256.as_str()).collect();
        shas.extend(articles.iter().filter_map(|a| a.cover.as_deref()));
        shas.sort_unstable();
        shas.dedup();
        if !shas.is_empty() {
            let sql = format!("SELECT sha256, mime, data FROM blobs WHERE sha256 IN ({})", placeholders(1, shas.len()));
            let mut q = sqlx::query(&sql);
            for sha in &shas {
                q = q.bind(*sha);
            }
            content.blobs = q.fetch_all(self.pool()).await?.iter().map(blob_row).collect::<Result<_>>()?;
        }
        attach(&mut articles, atts);
        content.related = self.related(site_id, now, Some(&live)).await?;
        content.articles = articles;
        Ok(content)
    }

    /// The policy links of a site's articles, or of those among `only`.
    async fn related(&self, site_id: i64, now: &str, only: Option<&[i64]>) -> Result<Vec<Related>> {
        let (p_only, i_only) = match only {
            Some(ids) => {
                let list = placeholders(3, ids.len());
                (format!(" AND p.id IN ({list})"), format!(" AND i.id IN ({list})"))
            }
            None => (String::new(), String::new()),
        };
        // Two indexed walks (from this site's policies, from its interpretations) instead of
        // one OR over every link of the group. Ordered, so that a page lists its links alike
        // in every publish: PostgreSQL returned them in whatever order its plan gave.
        let sql = format!(
            "SELECT 'p' AS side, p.id AS from_id, o.id AS other_id, os.code, oc.slug, orev.publish_at, orev.title
             FROM articles p
             JOIN article_links l ON l.policy_id = p.id AND l.refused_at IS NULL
             JOIN articles o ON o.id = l.interpretation_id
             JOIN revisions orev ON orev.id = o.published_revision_id
             JOIN site_columns oc ON oc.id = o.column_id
             JOIN sites os ON os.id = o.site_id
             WHERE p.site_id = $1 AND p.status = 'published' AND o.status = 'published' AND orev.publish_at <= $2{p_only}
             UNION ALL
             SELECT 'i' AS side, i.id AS from_id, o.id AS other_id, os.code, oc.slug, orev.publish_at, orev.title
             FROM articles i
             JOIN article_links l ON l.interpretation_id = i.id AND l.refused_at IS NULL
             JOIN articles o ON o.id = l.policy_id
             JOIN revisions orev ON orev.id = o.published_revision_id
             JOIN site_columns oc ON oc.id = o.column_id
             JOIN sites os ON os.id = o.site_id
             WHERE i.site_id = $1 AND i.status = 'published' AND o.status = 'published' AND orev.publish_at <= $2{i_only}
             ORDER BY from_id, side, publish_at, other_id"
        );
        let mut q = sqlx::query(&sql).bind(site_id).bind(now);
        for id in only.unwrap_or_default() {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let side: String = r.col("side")?;
                let (other_id, column, at): (i64, String, String) =
                    (r.col("other_id")?, r.col("slug")?, r.col("publish_at")?);
                Ok(Related {
                    from: r.col("from_id")?,
                    label: if side == "p" { "政策解读" } else { "政策文件" },
                    title: r.col("title")?,
                    site_code: r.col("code")?,
                    path: crate::content::article_path(&column, &at, other_id),
                })
            })
            .collect()
    }
}

fn attachment_row(r: &sqlx::any::AnyRow) -> Result<AttachmentRef> {
    Ok(AttachmentRef { name: r.col("name")?, sha256: r.col("sha256")?, mime: r.col("mime")?, size: r.col("size")? })
}

fn blob_row(r: &sqlx::any::AnyRow) -> Result<Blob> {
    Ok(Blob { sha256: r.col("sha256")?, mime: r.col("mime")?, data: r.col("data")? })
}

fn attach(articles: &mut [PublishedArticle], mut atts: HashMap<i64, Vec<AttachmentRef>>) {
    if atts.is_empty() {
        return;
    }
    for a in articles {
        if let Some(list) = atts.remove(&a.id) {
            a.attachments = list;
        }
    }
}
