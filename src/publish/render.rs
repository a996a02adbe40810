//! Renders one site: every planned page in parallel (rayon), each checked for the locked parts
//! before it is written, plus feeds, sitemap, robots.txt and assets.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use minijinja::{context, Value};
use rayon::prelude::*;

use super::context::{self as ctx, Section};
use super::page_code::{self, NewCode};
use super::plan::{column_page_path, public_url, Page, Plan};
use super::{feeds, PublishError};
use crate::content::{article_path, markdown};
use crate::group::{ColumnKind, Group, Site};
use crate::store::published::{PublishedArticle, SiteContent};
use crate::theme::locked::{asset_url, group_asset_url, LockedParts};
use crate::theme::{Theme, Themes};

/// Items per column on the home page.
const HOME_ITEMS: usize = 8;
/// Headlines on the home page.
const HEADLINES: usize = 6;
/// 图片新闻 on the portal's home page.
const PICTURES: usize = 4;

/// The content a publish's renderer starts from before it is given its own.
static EMPTY: SiteContent = SiteContent {
    articles: Vec::new(),
    related: Vec::new(),
    blobs: Vec::new(),
    mailboxes: Vec::new(),
    messages: Vec::new(),
    solicitations: Vec::new(),
    serials: Vec::new(),
};

pub struct SiteRenderer<'a> {
    group: &'a Group,
    site: &'a Site,
    theme: &'a Theme,
    content: &'a SiteContent,
    plan: Plan,
    locked: LockedParts,
    locked_header: Value,
    locked_search: Value,
    locked_footer: Value,
    site_value: Value,
    column_values: Vec<Value>,
    dir: PathBuf,
    /// The live release a publish adds to: content-addressed files already there are not
    /// written again.
    live: Option<PathBuf>,
    /// Every file written, hashed while its bytes are in memory, for the release's manifest.
    written: super::manifest::Recorder,
    /// QR codes drawn during the render (`take_new_codes`).
    new_codes: Mutex<Vec<NewCode>>,
}

impl<'a> SiteRenderer<'a> {
    pub fn new(
        group: &'a Group,
        themes: &'a Themes,
        site: &'a Site,
        content: &'a SiteContent,
        dir: PathBuf,
    ) -> Result<Self, PublishError> {
        let theme = themes
            .get(&site.theme)
            .ok_or_else(|| PublishError::UnknownTheme { site: site.code().into(), theme: site.theme.clone() })?;
        let palette = theme.palette(&site.def.theme.variant).ok_or_else(|| PublishError::UnknownTheme {
            site: site.code().into(),
            theme: format!("{} variant {}", site.theme, site.def.theme.variant),
        })?;
        let locked = themes.locked.render(group, site)?;
        let plan = super::plan::plan(site, content);
        Ok(SiteRenderer {
            group,
            site,
            theme,
            content,
            locked_header: Value::from_safe_string(locked.header.clone()),
            locked_search: Value::from_safe_string(locked.search.clone()),
            locked_footer: Value::from_safe_string(locked.footer.clone()),
            locked,
            site_value: Value::from_serialize(ctx::site_ctx(group, site, palette)),
            column_values: (0..site.def.columns.len())
                .map(|i| Value::from_serialize(ctx::column_ctx(site, i)))
                .collect(),
            plan,
            dir,
            live: None,
            written: Default::default(),
            new_codes: Mutex::default(),
        })
    }

    /// A renderer for a publish: `content` holds the articles the change touches and those
    /// its list pages show, `lists` the parts of the lists it re-renders; pages go into
    /// `dir`, to be moved into the `live` release.
    pub fn for_change(
        group: &'a Group,
        themes: &'a Themes,
        site: &'a Site,
        content: &'a SiteContent,
        lists: Vec<super::plan::ColumnList>,
        dir: PathBuf,
        live: PathBuf,
    ) -> Result<Self, PublishError> {
        let mut r = Self::new(group, themes, site, &EMPTY, dir)?;
        r.content = content;
        r.plan = Plan { pages: Vec::new(), lists, dirs: Default::default() };
        r.live = Some(live);
        Ok(r)
    }

    /// The QR codes this renderer drew because none was kept for their address, to be kept
    /// (`Store::keep_page_codes`) so the next build only reads them.
    pub fn take_new_codes(&self) -> Vec<NewCode> {
        std::mem::take(&mut *self.new_codes.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// An article page's QR code for `url` (base64 PNG): the kept one when it was drawn for
    /// this address, else drawn now and noted for keeping.
    fn page_code(&self, a: &PublishedArticle, url: &str) -> Option<String> {
        if let Some(kept) = a.code.as_ref().filter(|k| k.url == url) {
            return Some(kept.png.clone());
        }
        let png = page_code::draw(url)?;
        let code = NewCode { article_id: a.id, url: url.to_string(), png: png.clone() };
        self.new_codes.lock().unwrap_or_else(|e| e.into_inner()).push(code);
        Some(png)
    }

    /// What this renderer wrote, for the release's manifest (`Output::record`).
    pub fn into_written(self) -> super::manifest::Recorder {
        self.written
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn page_count(&self) -> usize {
        self.plan.pages.len()
    }

    /// Writes the whole site into its staging folder; returns the number of files written.
    pub fn render(&self) -> Result<usize, PublishError> {
        for d in &self.plan.dirs {
            mkdir(&self.dir.join(d))?;
        }
        self.plan.pages.par_iter().try_for_each(|page| self.write_page(*page))?;
        let extra = self.write_extras()?;
        Ok(self.plan.pages.len() + extra)
    }

    /// Renders only `pages`, the feeds of the site and of `columns`, the sitemap index with
    /// the sitemap `parts` given (and the pages' sitemap when `interaction` changed), and the
    /// files of the articles rendered that the live release lacks; returns the number of
    /// files written.
    pub fn render_change(
        &self,
        pages: &[Page],
        columns: &[usize],
        parts: &[((i32, i64), Vec<PublishedArticle>)],
        interaction: bool,
    ) -> Result<usize, PublishError> {
        pages.par_iter().try_for_each(|page| self.write_page(*page))?;
        let mut n = pages.len();
        n += self.write_feeds(Some(columns))?;
        for (part, articles) in parts {
            self.write(
                &feeds::part_path(*part),
                feeds::sitemap_part(self.group, self.site, articles.iter()).as_bytes(),
            )?;
        }
        n += parts.len();
        n += self.write_sitemap_index()?;
        if interaction {
            n += self.write_sitemap_pages()?;
        }
        n += self.write_blobs()?;
        Ok(n)
    }

    /// One article's page as HTML, for the editor's preview.
    pub fn article_html(&self, i: usize) -> Result<String, PublishError> {
        self.render_page(Page::Article(i)).map(|(_, _, html)| html)
    }

    fn write_page(&self, page: Page) -> Result<(), PublishError> {
        let (path, template, html) = self.render_page(page)?;
        self.locked.verify(&html).map_err(|part| PublishError::LockedPartMissing {
            site: self.site.code().into(),
            template: self.theme.dir.join("templates").join(template),
            part,
            page: path.clone(),
        })?;
        self.write(&path, html.as_bytes())
    }

    /// Writes `bytes` at `rel` (creating its folder) and records the file for the manifest.
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), PublishError> {
        let path = self.dir.join(rel.trim_start_matches('/'));
        let create = |path: &Path| -> std::io::Result<std::fs::Metadata> {
            let mut f = std::fs::File::create(path)?;
            f.write_all(bytes)?;
            f.metadata()
        };
        let meta = match create(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                mkdir(path.parent().unwrap_or(&self.dir))?;
                create(&path).map_err(|e| PublishError::io(&path, e))?
            }
            Err(e) => return Err(PublishError::io(&path, e)),
        };
        self.written.wrote(rel, bytes, &meta);
        Ok(())
    }

    /// Copies the file `from` to `rel` (theme and group assets: small, read whole).
    fn copy_file(&self, from: &Path, rel: &str) -> Result<usize, PublishError> {
        let bytes = std::fs::read(from).map_err(|e| PublishError::io(from, e))?;
        self.write(rel, &bytes)?;
        Ok(1)
    }

    /// Copies the folder `from` to `rel`, a missing one as nothing.
    fn copy_tree(&self, from: &Path, rel: &str) -> Result<usize, PublishError> {
        if !from.is_dir() {
            return Ok(0);
        }
        let mut n = 0;
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.map_err(|e| PublishError::io(from, e.into()))?;
            if entry.file_type().is_file() {
                let inner =
                    entry.path().strip_prefix(from).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
                n += self.copy_file(entry.path(), &format!("{}/{inner}", rel.trim_end_matches('/')))?;
            }
        }
        Ok(n)
    }

    fn render_page(&self, page: Page) -> Result<(String, &'static str, String), PublishError> {
        let site = &self.site.def;
        let (path, template, title, extra) = match page {
            Page::Home => ("/index.html".to_string(), "home.html", site.name.clone(), self.home_ctx()),
            Page::NotFound => ("/404.html".to_string(), "404.html", format!("页面未找到 - {}", site.name), context! {}),
            Page::Contact => (
                super::plan::CONTACT_PATH.to_string(),
                "contact.html",
                format!("联系我们 - {}", site.name),
                context! { official => &self.content.mailboxes },
            ),
            Page::SiteMap => (
                crate::group::urls::SITE_MAP_PATH.to_string(),
                "sitemap.html",
                format!("网站地图 - {}", site.name),
                context! { search => &self.group.def.search.path },
            ),
            Page::Interaction => (
                format!("/{}/index.html", super::plan::INTERACTION_DIR),
                "interaction.html",
                format!("互动交流 - {}", site.name),
                self.interaction_ctx(),
            ),
            Page::Replies { page } => {
                let per = super::plan::REPLIES_PER_PAGE;
                let total = self.content.messages.len().div_ceil(per).max(1);
                let items = ctx::message_items(self.content.messages.iter().skip((page - 1) * per).take(per));
                let pager = ctx::paginate(page, total, |n| public_url(&super::plan::replies_page_path(n)).to_string());
                let title = if page > 1 {
                    format!("答复选登（第{page}页） - {}", site.name)
                } else {
                    format!("答复选登 - {}", site.name)
                };
                (
                    super::plan::replies_page_path(page),
                    "replies.html",
                    title,
                    context! { items => items, pagination => pager },
                )
            }
            Page::Reply(i) => {
                let m = &self.content.messages[i];
                (
                    super::plan::reply_path(m.id),
                    "reply.html",
                    format!("{} - {}", m.subject, site.name),
                    context! { message => m },
                )
            }
            Page::Solicitation(i) => {
                let s = &self.content.solicitations[i];
                let today = crate::interaction::deadline::beijing_day(crate::store::now_unix()).to_string();
                let extra = context! {
                    s => s,
                    body => Value::from_safe_string(markdown::render(&s.body_md)),
                    summary => s.summary_md.as_deref().map(|m| Value::from_safe_string(markdown::render(m))),
                    phase => ctx::solicitation_phase(s, &today),
                };
                (
                    super::plan::solicitation_path(s.id),
                    "solicitation.html",
                    format!("{} - {}", s.title, site.name),
                    extra,
                )
            }
            Page::MessageStatus => (
                super::plan::STATUS_PATH.to_string(),
                "status.html",
                format!("办理结果查询 - {}", site.name),
                context! {},
            ),
            Page::ColumnIndex(column) => {
                let c = &site.columns[column];
                let list = &self.plan.lists[column];
                let items: Vec<_> = list.index().into_iter().map(|i| ctx::item(&self.content.articles[i])).collect();
                let extra = context! {
                    column => self.column_values[column].clone(),
                    parent => self.parent_value(column),
                    items => items,
                    pagination => ctx::index_pager(&c.slug, list.len),
                };
                (super::plan::column_index_path(&c.slug), "column.html", format!("{} - {}", c.name, site.name), extra)
            }
            Page::ColumnList { column, page } => {
                let c = &site.columns[column];
                let list = &self.plan.lists[column];
                let path = column_page_path(&c.slug, page);
                let held = list.archive(page).ok_or_else(|| PublishError::Renderer(format!("{path}: not read")))?;
                let arts = &self.content.articles;
                // Archive pages mark nothing as pinned: pinning changes the first page only.
                let items: Vec<_> = held.map(|i| ctx::ItemCtx { pinned: false, ..ctx::item(&arts[i]) }).collect();
                let (newest, oldest) = (items.first().map_or("", |i| i.date), items.last().map_or("", |i| i.date));
                let pager = ctx::archive_pager(&c.slug, page, list.pages(), oldest, newest);
                let title = format!("{}（{}） - {}", c.name, pager.span.as_deref().unwrap_or_default(), site.name);
                let extra = context! {
                    column => self.column_values[column].clone(),
                    parent => self.parent_value(column),
                    items => items,
                    pagination => pager,
                };
                (path, "column.html", title, extra)
            }
            Page::Article(i) => {
                let a = &self.content.articles[i];
                let ci = site.columns.iter().position(|c| c.slug == a.column).unwrap_or(0);
                let body = markdown::render(&a.body_md);
                let path = article_path(&a.column, &a.publish_at, a.id);
                let extra = context! {
                    column => self.column_values[ci].clone(),
                    article => Value::from_serialize(ctx::article_ctx(self.group, self.site, a, self.content)),
                    body => Value::from_safe_string(body),
                    // base64 (the template writes the data: prefix): nothing in it to escape.
                    qr => self.page_code(a, &self.group.url(self.site, &path)).map(Value::from_safe_string),
                };
                (path, "article.html", format!("{} - {}", a.title, site.name), extra)
            }
        };
        let url = public_url(&path).to_string();
        let canonical = match &page {
            // A copy (引用, 信息报送) names its source page, so search engines keep one.
            Page::Article(i) => self.content.articles[*i]
                .origin
                .as_ref()
                .and_then(|o| Some(self.group.url(self.group.site(&o.site_code)?, &o.path))),
            _ => None,
        }
        .unwrap_or_else(|| self.group.url(self.site, &url));
        let page_ctx = context! { title => title, path => &url, canonical => canonical };
        let locked = context! {
            header => self.locked_header.clone(),
            search => self.locked_search.clone(),
            footer => self.locked_footer.clone(),
            beacon => Value::from_safe_string(self.locked.beacon(&url)),
        };
        let ctx = context! { site => self.site_value.clone(), locked => locked, page => page_ctx, ..extra };
        let tmpl = self.theme.env.get_template(template).map_err(|e| self.render_error(template, &path, e))?;
        let html = tmpl.render(ctx).map_err(|e| self.render_error(template, &path, e))?;
        Ok((path, template, html))
    }

    fn interaction_ctx(&self) -> Value {
        let site = &self.site.def;
        context! {
            latest => ctx::message_items(self.content.messages.iter().take(10)),
            solicitations => self.content.solicitations.iter().take(10).map(|s| context! {
                title => &s.title,
                url => super::plan::solicitation_path(s.id),
                opens => &s.opens,
                closes => &s.closes,
                phase => ctx::solicitation_phase(s, &crate::interaction::deadline::beijing_day(crate::store::now_unix()).to_string()),
            }).collect::<Vec<_>>(),
            answered => self.content.messages.len(),
            channels => site.contact.mailboxes.iter().map(|m| {
                let query = serde_urlencoded::to_string([("to", m.name.as_str())]).unwrap_or_default();
                context! { name => &m.name, href => format!("?{query}#write") }
            }).collect::<Vec<_>>(),
            categories => crate::interaction::Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect::<Vec<_>>(),
            limits => context! {
                subject => crate::interaction::submission::SUBJECT_MAX,
                content => crate::interaction::submission::CONTENT_MAX,
                content_min => crate::interaction::submission::CONTENT_MIN,
                name => crate::interaction::submission::NAME_MAX,
                email => crate::interaction::submission::EMAIL_MAX,
            },
        }
    }

    fn parent_value(&self, column: usize) -> Option<Value> {
        let columns = &self.site.def.columns;
        columns[column]
            .parent
            .as_deref()
            .and_then(|p| columns.iter().position(|x| x.slug == p))
            .map(|i| self.column_values[i].clone())
    }

    fn home_ctx(&self) -> Value {
        let site = &self.site.def;
        let arts = &self.content.articles;
        let top: Vec<usize> = (0..site.columns.len())
            .filter(|&ci| site.columns[ci].parent.is_none() && !site.columns[ci].hidden)
            .collect();
        let sections: Vec<Section> = top
            .iter()
            .map(|&ci| Section {
                column: ctx::column_ctx(self.site, ci),
                items: self.plan.lists[ci].head(HOME_ITEMS).into_iter().map(|i| ctx::item(&arts[i])).collect(),
            })
            .collect();
        // News, notices and policies lead (pinned first, newest first); overview pages and
        // service guides are reference material, not headlines.
        let is_headline = |slug: &str| {
            site.columns
                .iter()
                .find(|c| c.slug == slug)
                .is_some_and(|c| matches!(c.kind, ColumnKind::News | ColumnKind::Notice | ColumnKind::Policy))
        };
        let mut candidates: Vec<usize> = top.iter().flat_map(|&ci| self.plan.lists[ci].head(HEADLINES)).collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&i| is_headline(&arts[i].column));
        candidates.sort_by(|&x, &y| {
            let (a, b) = (&arts[x], &arts[y]);
            b.pinned.cmp(&a.pinned).then_with(|| super::plan::list_order(b, a))
        });
        let headlines: Vec<_> = candidates.iter().take(HEADLINES).map(|&i| ctx::item(&arts[i])).collect();
        let topics = ctx::open_topics(self.site);
        if site.kind != crate::group::SiteKind::Portal {
            let none: [u8; 0] = [];
            return context! { sections, headlines, topics, pictures => none, entrances => none };
        }
        // 图片新闻: the newest news with a cover among what the home page lists anyway, so the
        // pictures change exactly when the lists do.
        let mut pictured: Vec<usize> = top
            .iter()
            .flat_map(|&ci| self.plan.lists[ci].head(HOME_ITEMS))
            .filter(|&i| arts[i].cover.is_some() && is_headline(&arts[i].column))
            .collect();
        pictured.sort_unstable();
        pictured.dedup();
        pictured.sort_by(|&x, &y| super::plan::list_order(&arts[y], &arts[x]));
        let pictures: Vec<_> =
            pictured.into_iter().take(PICTURES).map(|i| ctx::picture(&arts[i], self.content)).collect();
        context! {
            sections => sections,
            headlines => headlines,
            pictures => pictures,
            entrances => ctx::entrances(self.site, &topics),
            topics,
        }
    }

    fn render_error(&self, template: &str, page: &str, e: minijinja::Error) -> PublishError {
        let err = crate::theme::template_error(&self.theme.dir.join("templates"), e);
        PublishError::Render {
            site: self.site.code().into(),
            page: page.into(),
            template: template.into(),
            reason: err.to_string(),
        }
    }

    /// Feeds, sitemaps, robots.txt, theme and group assets, attachments.
    fn write_extras(&self) -> Result<usize, PublishError> {
        let group = self.group;
        let site = self.site;
        let mut n = self.write_feeds(None)?;
        n += self.write_sitemaps()?;
        self.write("/robots.txt", feeds::robots(group, site).as_bytes())?;
        n += 1;
        n += self.copy_tree(&self.theme.static_dir(), "/static")?;
        let g = &group.def;
        for (name, src) in [("logo", &g.logo), ("party-mark", &g.party_mark)] {
            n += self.copy_file(&group.dir.join(src), &group_asset_url(name, src))?;
        }
        n += self.copy_tree(&self.locked_assets(), "/_group")?;
        if let Some(banner) = &site.def.theme.banner {
            n += self.copy_file(&group.dir.join(banner), &asset_url("static", "banner", banner))?;
        }
        n += self.write_blobs()?;
        Ok(n)
    }

    /// The site feed and the feeds of `columns` (all when None).
    fn write_feeds(&self, columns: Option<&[usize]>) -> Result<usize, PublishError> {
        let (group, site, arts) = (self.group, self.site, &self.content.articles);
        // The site's newest: every article is listed by the top column above it.
        let mut newest: Vec<usize> = (0..site.def.columns.len())
            .filter(|&ci| site.def.columns[ci].parent.is_none())
            .flat_map(|ci| self.plan.lists[ci].newest(feeds::FEED_ITEMS))
            .collect();
        newest.sort_unstable();
        newest.dedup();
        newest.sort_by(|&x, &y| super::plan::list_order(&arts[y], &arts[x]));
        let feed = feeds::rss(group, site, &site.def.name, "/", newest.iter().map(|&i| &arts[i]));
        self.write("/rss.xml", feed.as_bytes())?;
        let mut n = 1;
        for (ci, c) in site.def.columns.iter().enumerate() {
            if columns.is_some_and(|only| !only.contains(&ci)) {
                continue;
            }
            let title = format!("{} - {}", c.name, site.def.name);
            let items = self.plan.lists[ci].newest(feeds::FEED_ITEMS).map(|i| &arts[i]);
            let feed = feeds::rss(group, site, &title, &format!("/{}/", c.slug), items);
            self.write(&format!("/{}/rss.xml", c.slug), feed.as_bytes())?;
            n += 1;
        }
        Ok(n)
    }

    /// Every sitemap of a whole site.
    fn write_sitemaps(&self) -> Result<usize, PublishError> {
        let mut by_part: std::collections::BTreeMap<(i32, i64), Vec<&PublishedArticle>> =
            feeds::parts(&self.content.serials).into_iter().map(|p| (p, Vec::new())).collect();
        for a in &self.content.articles {
            if let Some(part) = feeds::part_of(&a.index_no) {
                by_part.entry(part).or_default().push(a);
            }
        }
        for (part, articles) in &by_part {
            self.write(
                &feeds::part_path(*part),
                feeds::sitemap_part(self.group, self.site, articles.iter().copied()).as_bytes(),
            )?;
        }
        Ok(by_part.len() + self.write_sitemap_index()? + self.write_sitemap_pages()?)
    }

    fn write_sitemap_index(&self) -> Result<usize, PublishError> {
        let index = feeds::sitemap_index(self.group, self.site, &feeds::parts(&self.content.serials));
        self.write("/sitemap.xml", index.as_bytes())?;
        Ok(1)
    }

    fn write_sitemap_pages(&self) -> Result<usize, PublishError> {
        let c = self.content;
        self.write(
            &feeds::pages_path(),
            feeds::sitemap_pages(self.group, self.site, &c.messages, &c.solicitations).as_bytes(),
        )?;
        Ok(1)
    }

    /// Attachments and images; content-addressed, so one already there is already right.
    fn write_blobs(&self) -> Result<usize, PublishError> {
        let mut n = 0;
        for b in &self.content.blobs {
            let path = ctx::blob_path(&b.sha256, &b.mime, self.content);
            if self.live.as_ref().is_some_and(|live| live.join(path.trim_start_matches('/')).exists()) {
                continue;
            }
            self.write(&path, &b.data)?;
            n += 1;
        }
        Ok(n)
    }

    fn locked_assets(&self) -> PathBuf {
        self.theme.dir.parent().unwrap_or(Path::new(".")).join("locked").join("assets")
    }
}

fn mkdir(path: &Path) -> Result<(), PublishError> {
    std::fs::create_dir_all(path).map_err(|e| PublishError::io(path, e))
}
