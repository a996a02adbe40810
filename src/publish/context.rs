//! What templates see. Everything shared by the pages of a site is built once per site into
//! minijinja values (cheap to clone); page-specific values are built per page.

use serde::Serialize;

use super::plan::{column_page_path, public_url};
use crate::group::{ColumnKind, Group, Site, SiteKind};
use crate::store::published::{PublishedArticle, Related, SiteContent};
use crate::theme::Palette;

#[derive(Serialize)]
pub struct SiteCtx<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub host: &'a str,
    pub url: String,
    pub kind: &'static str,
    pub is_portal: bool,
    pub organizer: &'a str,
    pub site_id: &'a str,
    pub group_name: &'a str,
    pub city: &'a str,
    pub portal_url: String,
    pub portal_name: &'a str,
    pub palette: &'a Palette,
    pub banner: Option<String>,
    pub nav: Vec<ColumnCtx>,
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub mailboxes: Vec<(&'a str, &'a str)>,
    /// The portal's directory of every subsite, grouped by kind (empty on subsites).
    pub directory: Vec<DirectoryGroup>,
    pub feed: &'static str,
    pub year: i32,
}

#[derive(Serialize, Clone)]
pub struct ColumnCtx {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub kind: &'static str,
    pub feed: String,
    pub children: Vec<ColumnCtx>,
    /// A 专题's landing text, paragraph by paragraph.
    pub intro: Vec<String>,
    /// A 专题's last day.
    pub ends: Option<String>,
    /// A 专题 that is archived or past its last day.
    pub over: bool,
}

#[derive(Serialize)]
pub struct DirectoryGroup {
    pub label: &'static str,
    pub sites: Vec<DirectoryEntry>,
}

#[derive(Serialize)]
pub struct DirectoryEntry {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct ItemCtx<'a> {
    pub title: &'a str,
    pub url: String,
    pub date: &'a str,
    pub pinned: bool,
    pub doc_number: Option<&'a str>,
}

#[derive(Serialize)]
pub struct Section<'a> {
    pub column: ColumnCtx,
    pub items: Vec<ItemCtx<'a>>,
}

#[derive(Serialize)]
pub struct Pagination {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub first: String,
    pub last: String,
    pub pages: Vec<PageLink>,
}

#[derive(Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

#[derive(Serialize)]
pub struct ArticleCtx<'a> {
    pub title: &'a str,
    pub date: &'a str,
    pub datetime: &'a str,
    pub summary: &'a str,
    pub index_no: &'a str,
    pub doc_number: Option<&'a str>,
    pub issuer: &'a str,
    /// 来源 as readers see it: a reposted article's origin, else the issuer.
    pub source: &'a str,
    pub written_date: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub disclosure: &'static str,
    pub validity: &'static str,
    pub cover: Option<String>,
    pub attachments: Vec<AttachmentCtx<'a>>,
    pub related: Vec<RelatedCtx<'a>>,
    /// The source page of an article taken in through 信息报送.
    pub original: Option<OriginalCtx<'a>>,
}

#[derive(Serialize)]
pub struct OriginalCtx<'a> {
    /// The source site's name, e.g. 示例市发展和改革委员会.
    pub site: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct AttachmentCtx<'a> {
    pub name: &'a str,
    pub url: String,
    pub size: String,
    pub kind: &'static str,
}

#[derive(Serialize)]
pub struct RelatedCtx<'a> {
    pub label: &'static str,
    pub title: &'a str,
    pub url: String,
}

pub fn site_ctx<'a>(group: &'a Group, site: &'a Site, palette: &'a Palette) -> SiteCtx<'a> {
    let d = &site.def;
    let portal = group.portal();
    let is_portal = d.kind == SiteKind::Portal;
    let directory = if is_portal {
        [SiteKind::Department, SiteKind::District, SiteKind::Town]
            .into_iter()
            .map(|kind| DirectoryGroup {
                label: kind.label(),
                sites: group
                    .sites
                    .iter()
                    .filter(|s| s.def.kind == kind)
                    .map(|s| DirectoryEntry { name: s.def.name.clone(), url: group.url(s, "/") })
                    .collect(),
            })
            .filter(|g| !g.sites.is_empty())
            .collect()
    } else {
        Vec::new()
    };
    SiteCtx {
        code: &d.code,
        name: &d.name,
        host: &site.host,
        url: group.url(site, "/"),
        kind: d.kind.label(),
        is_portal,
        organizer: &d.organizer,
        site_id: &d.site_id,
        group_name: &group.def.name,
        city: &group.def.city,
        portal_url: group.url(portal, "/"),
        portal_name: &portal.def.name,
        palette,
        banner: d.theme.banner.as_deref().map(|b| crate::theme::locked::asset_url("static", "banner", b)),
        nav: nav(site),
        address: &d.contact.address,
        phone: &d.contact.phone,
        email: &d.contact.email,
        mailboxes: d.contact.mailboxes.iter().map(|m| (m.name.as_str(), m.address.as_str())).collect(),
        directory,
        feed: "/rss.xml",
        year: chrono::Datelike::year(&chrono::Utc::now()),
    }
}

pub fn column_ctx(site: &Site, ci: usize) -> ColumnCtx {
    let c = &site.def.columns[ci];
    ColumnCtx {
        slug: c.slug.clone(),
        name: c.name.clone(),
        url: format!("/{}/", c.slug),
        kind: c.kind.as_str(),
        feed: format!("/{}/rss.xml", c.slug),
        children: Vec::new(),
        intro: c
            .intro
            .as_deref()
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        ends: c.ends.clone(),
        over: c.is_over(&crate::content::now_local()[..10]),
    }
}

/// Top-level columns with their direct children, in YAML order (hidden ones left out), then
/// 互动交流 (every site has it: the group's consultation channel cannot be left out).
fn nav(site: &Site) -> Vec<ColumnCtx> {
    let cols = &site.def.columns;
    let mut out: Vec<ColumnCtx> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.parent.is_none() && !c.hidden)
        .map(|(i, c)| {
            let mut top = column_ctx(site, i);
            top.children = cols
                .iter()
                .enumerate()
                .filter(|(_, x)| x.parent.as_deref() == Some(c.slug.as_str()) && !x.hidden)
                .map(|(j, _)| column_ctx(site, j))
                .collect();
            top
        })
        .collect();
    out.push(ColumnCtx {
        slug: super::plan::INTERACTION_DIR.into(),
        name: "互动交流".into(),
        url: format!("/{}/", super::plan::INTERACTION_DIR),
        kind: "interaction",
        feed: String::new(),
        children: Vec::new(),
        intro: Vec::new(),
        ends: None,
        over: false,
    });
    out
}

/// Where a solicitation stands on `today` (`YYYY-MM-DD`), as its pages label it.
pub fn solicitation_phase(s: &crate::store::solicitations::PublishedSolicitation, today: &str) -> &'static str {
    if s.summary_md.is_some() {
        "已反馈"
    } else if today < s.opens.as_str() {
        "未开始"
    } else if today <= s.closes.as_str() {
        "征集中"
    } else {
        "已结束"
    }
}

/// A published answer as lists show it.
#[derive(Serialize)]
pub struct MessageItem<'a> {
    pub subject: &'a str,
    pub url: String,
    pub category: &'a str,
    pub received: &'a str,
    pub answered: &'a str,
}

pub fn message_items<'a>(
    messages: impl Iterator<Item = &'a crate::store::messages::PublishedMessage>,
) -> Vec<MessageItem<'a>> {
    messages
        .map(|m| MessageItem {
            subject: &m.subject,
            url: super::plan::reply_path(m.id),
            category: m.category,
            received: &m.received,
            answered: &m.answered,
        })
        .collect()
}

pub fn item(a: &PublishedArticle) -> ItemCtx<'_> {
    ItemCtx {
        title: &a.title,
        url: crate::content::article_path(&a.column, &a.publish_at, a.id),
        date: a.publish_at.get(..10).unwrap_or(&a.publish_at),
        pinned: a.pinned,
        doc_number: a.meta.doc_number.as_deref(),
    }
}

/// A 图片新闻 of the portal's home page.
#[derive(Serialize)]
pub struct PictureCtx<'a> {
    pub title: &'a str,
    pub url: String,
    pub date: &'a str,
    pub image: String,
}

pub fn picture<'a>(a: &'a PublishedArticle, content: &SiteContent) -> PictureCtx<'a> {
    let item = item(a);
    PictureCtx {
        title: item.title,
        url: item.url,
        date: item.date,
        image: a.cover.as_deref().map(|sha| blob_path(sha, "image/png", content)).unwrap_or_default(),
    }
}

/// A way into one of the portal's main services.
#[derive(Serialize)]
pub struct Entrance {
    pub name: &'static str,
    pub note: &'static str,
    pub url: String,
}

/// The portal's entrances: 政府信息公开 (its policy column), 政务服务 (its service guides),
/// 互动交流, and 专题专栏 when a 专题 is open. One missing from the site is left out.
pub fn entrances(site: &Site, topics: &[ColumnCtx]) -> Vec<Entrance> {
    let first = |kind: ColumnKind| site.def.columns.iter().find(|c| c.kind == kind && !c.hidden);
    let mut out = Vec::new();
    if let Some(c) = first(ColumnKind::Policy) {
        out.push(Entrance {
            name: "政府信息公开", note: "政策文件、解读与主动公开信息", url: format!("/{}/", c.slug)
        });
    }
    if let Some(c) = first(ColumnKind::Guide) {
        out.push(Entrance {
            name: "政务服务", note: "办事指南、材料清单与办理流程", url: format!("/{}/", c.slug)
        });
    }
    out.push(Entrance {
        name: "互动交流",
        note: "领导信箱、咨询投诉与意见征集",
        url: format!("/{}/", super::plan::INTERACTION_DIR),
    });
    if let Some(t) = topics.first() {
        out.push(Entrance { name: "专题专栏", note: "重点工作专题集中发布", url: t.url.clone() });
    }
    out
}

/// The site's 专题 that are still running, in YAML order.
pub fn open_topics(site: &Site) -> Vec<ColumnCtx> {
    let now = crate::content::now_local();
    let today = &now[..10];
    site.def
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ColumnKind::Topic && !c.hidden && !c.is_over(today))
        .map(|(i, _)| column_ctx(site, i))
        .collect()
}

/// The links of a column's list page. Archive pages are numbered from the oldest, so a page
/// links only to its neighbours and the two ends: nothing on it changes when articles are
/// added at the top, except on the newest pages.
#[derive(Serialize)]
pub struct ListPager {
    /// The column's first page (`…/`), from an archive page.
    pub newest: Option<String>,
    pub newer: Option<String>,
    pub older: Option<String>,
    pub oldest: Option<String>,
    /// The dates an archive page covers, `2026-10-02 至 2026-10-28`.
    pub span: Option<String>,
    /// Articles in the column, on `index.html`.
    pub total: Option<usize>,
}

/// The pager of `index.html` for a list of `len` articles.
pub fn index_pager(slug: &str, len: usize) -> ListPager {
    let first = super::plan::first_on_index(len);
    ListPager {
        newest: None,
        newer: None,
        older: (first > 1).then(|| column_page_path(slug, first - 1)),
        oldest: (first > 2).then(|| column_page_path(slug, 1)),
        span: None,
        total: Some(len),
    }
}

/// The pager of archive page `page` of `pages`, whose articles run from `oldest` to `newest`
/// (dates).
pub fn archive_pager(slug: &str, page: usize, pages: usize, oldest: &str, newest: &str) -> ListPager {
    let index = public_url(&super::plan::column_index_path(slug)).to_string();
    ListPager {
        newest: Some(index.clone()),
        newer: Some(if page < pages { column_page_path(slug, page + 1) } else { index }),
        older: (page > 1).then(|| column_page_path(slug, page - 1)),
        oldest: (page > 2).then(|| column_page_path(slug, 1)),
        span: Some(if oldest == newest { oldest.to_string() } else { format!("{oldest} 至 {newest}") }),
        total: None,
    }
}

/// Links of a paged list of `total` pages; `url` gives the address of page n.
pub fn paginate(current: usize, total: usize, url: impl Fn(usize) -> String) -> Pagination {
    // A window of page numbers around the current one keeps long columns navigable.
    let start = current.saturating_sub(4).max(1);
    let end = (start + 8).min(total);
    Pagination {
        current,
        total,
        prev: (current > 1).then(|| url(current - 1)),
        next: (current < total).then(|| url(current + 1)),
        first: url(1),
        last: url(total),
        pages: (start..=end).map(|n| PageLink { number: n, url: url(n), current: n == current }).collect(),
    }
}

pub fn article_ctx<'a>(
    group: &'a Group,
    site: &'a Site,
    a: &'a PublishedArticle,
    content: &'a SiteContent,
) -> ArticleCtx<'a> {
    let related = content
        .related
        .iter()
        .filter(|r: &&Related| r.from == a.id)
        .map(|r| RelatedCtx {
            label: r.label,
            title: &r.title,
            url: if r.site_code == site.def.code {
                r.path.clone()
            } else {
                group.site(&r.site_code).map(|s| group.url(s, &r.path)).unwrap_or_else(|| r.path.clone())
            },
        })
        .collect();
    let origin_site = a.origin.as_ref().and_then(|o| group.site(&o.site_code));
    // A submitted article speaks for the site that wrote it: its organiser issued it.
    let organizer = origin_site.map_or(site.def.organizer.as_str(), |s| s.def.organizer.as_str());
    ArticleCtx {
        title: &a.title,
        date: a.publish_at.get(..10).unwrap_or(&a.publish_at),
        datetime: a.publish_at.get(..16).unwrap_or(&a.publish_at),
        summary: &a.summary,
        index_no: a.origin.as_ref().map_or(&a.index_no, |o| &o.index_no),
        doc_number: a.meta.doc_number.as_deref(),
        issuer: a.meta.issuer.as_deref().unwrap_or(organizer),
        source: a.meta.source.as_deref().or(a.meta.issuer.as_deref()).unwrap_or(organizer),
        written_date: a.meta.written_date.as_deref(),
        topic: a.meta.topic.as_deref(),
        disclosure: a.meta.disclosure.as_str(),
        validity: a.meta.validity.as_str(),
        cover: a.cover.as_deref().map(|sha| blob_path(sha, "image/png", content)),
        // An image shown in the body is not offered again as a download.
        attachments: a
            .attachments
            .iter()
            .filter(|f| !(f.mime.starts_with("image/") && a.body_md.contains(f.sha256.as_str())))
            .map(|f| AttachmentCtx {
                name: &f.name,
                url: blob_path(&f.sha256, &f.mime, content),
                size: human_size(f.size),
                kind: kind_label(&f.mime),
            })
            .collect(),
        related,
        // A reference within the site reads as the article itself: no link to "the original".
        original: a
            .origin
            .as_ref()
            .zip(origin_site)
            .filter(|(o, _)| o.site_code != site.def.code)
            .map(|(o, s)| OriginalCtx { site: &s.def.name, url: group.url(s, &o.path) }),
    }
}

/// Where a stored file is published: `/files/<2 hex>/<sha256>.<ext>`.
pub fn blob_path(sha: &str, mime: &str, content: &SiteContent) -> String {
    let mime = content.blobs.iter().find(|b| b.sha256 == sha).map(|b| b.mime.as_str()).unwrap_or(mime);
    crate::content::attachment::public_path(sha, mime)
}

fn kind_label(mime: &str) -> &'static str {
    match crate::content::attachment::extension(mime) {
        "pdf" => "PDF",
        "doc" | "docx" => "Word",
        "xls" | "xlsx" => "Excel",
        "ofd" => "OFD",
        _ => "图片",
    }
}

fn human_size(bytes: i64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}
