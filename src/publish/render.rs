//! Renders one site: every planned page in parallel (rayon), each checked for the locked parts
//! before it is written, plus feeds, sitemap, robots.txt and assets.

use std::io::Write;
use std::path::{Path, PathBuf};

use minijinja::{context, Value};
use rayon::prelude::*;

use super::context::{self as ctx, Section};
use super::plan::{column_page_path, public_url, Page, Plan};
use super::{feeds, PublishError};
use crate::content::{article_path, markdown};
use crate::group::{ColumnKind, Group, Site};
use crate::store::published::SiteContent;
use crate::theme::locked::{asset_url, group_asset_url, LockedParts};
use crate::theme::{Theme, Themes};

/// Items per column on the home page.
const HOME_ITEMS: usize = 8;

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
    /// Files in `dir` may be hard links shared with the live release (an incremental
    /// publish): replace them, never write through them.
    replace: bool,
    /// Every file written, hashed while its bytes are in memory, for the release's manifest.
    written: super::manifest::Recorder,
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
            replace: false,
            written: Default::default(),
        })
    }

    /// Renders into a folder cloned from the live release with hard links.
    pub fn replacing(mut self) -> Self {
        self.replace = true;
        self
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

    /// Re-renders only `pages` and the files that list articles (feeds, sitemaps) plus any
    /// attachment not yet published; returns the number of files written.
    pub fn render_pages(&self, pages: &[Page], columns: &[usize]) -> Result<usize, PublishError> {
        pages.par_iter().try_for_each(|page| self.write_page(*page))?;
        let mut n = pages.len();
        n += self.write_feeds(Some(columns))?;
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
        self.put(&path, html.as_bytes())
    }

    fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), PublishError> {
        if self.replace {
            let path = self.dir.join(rel.trim_start_matches('/'));
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(PublishError::io(&path, e)),
            }
        }
        self.write(rel, bytes)
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
            Page::ColumnList { column, page } => {
                let c = &site.columns[column];
                let list = &self.plan.column_articles[column];
                let items: Vec<_> =
                    ctx::page_slice(list, page).iter().map(|&i| ctx::item(&self.content.articles[i])).collect();
                let total = super::plan::page_count(list.len());
                let extra = context! {
                    column => self.column_values[column].clone(),
                    parent => c.parent.as_deref().and_then(|p| site.columns.iter().position(|x| x.slug == p)).map(|i| self.column_values[i].clone()),
                    items => items,
                    pagination => ctx::pagination(&c.slug, page, total),
                };
                let title = if page > 1 {
                    format!("{}（第{page}页） - {}", c.name, site.name)
                } else {
                    format!("{} - {}", c.name, site.name)
                };
                (column_page_path(&c.slug, page), "column.html", title, extra)
            }
            Page::Article(i) => {
                let a = &self.content.articles[i];
                let ci = site.columns.iter().position(|c| c.slug == a.column).unwrap_or(0);
                let body = markdown::render(&a.body_md);
                let extra = context! {
                    column => self.column_values[ci].clone(),
                    article => Value::from_serialize(ctx::article_ctx(self.group, self.site, a, self.content)),
                    body => Value::from_safe_string(body),
                };
                (
                    article_path(&a.column, &a.publish_at, a.id),
                    "article.html",
                    format!("{} - {}", a.title, site.name),
                    extra,
                )
            }
        };
        let url = public_url(&path).to_string();
        let page_ctx = context! { title => title, path => &url, canonical => self.group.url(self.site, &url) };
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

    fn home_ctx(&self) -> Value {
        let site = &self.site.def;
        let arts = &self.content.articles;
        let sections: Vec<Section> = site
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent.is_none())
            .map(|(ci, _)| Section {
                column: ctx::column_ctx(self.site, ci),
                items: self.plan.column_articles[ci].iter().take(HOME_ITEMS).map(|&i| ctx::item(&arts[i])).collect(),
            })
            .collect();
        // News, notices and policies lead (pinned first, newest first: the content's order);
        // overview pages and service guides are reference material, not headlines.
        let is_headline = |slug: &str| {
            site.columns
                .iter()
                .find(|c| c.slug == slug)
                .is_some_and(|c| matches!(c.kind, ColumnKind::News | ColumnKind::Notice | ColumnKind::Policy))
        };
        let headlines: Vec<_> = arts.iter().filter(|a| is_headline(&a.column)).take(6).map(ctx::item).collect();
        context! { sections => sections, headlines => headlines }
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

    /// Feeds, sitemap, robots.txt, theme and group assets, attachments.
    fn write_extras(&self) -> Result<usize, PublishError> {
        let group = self.group;
        let site = self.site;
        let mut n = self.write_feeds(None)?;
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

    /// The site feed, the feeds of `columns` (all when None) and the sitemaps.
    fn write_feeds(&self, columns: Option<&[usize]>) -> Result<usize, PublishError> {
        let (group, site, arts) = (self.group, self.site, &self.content.articles);
        let all: Vec<usize> = (0..arts.len()).collect();
        self.put("/rss.xml", feeds::rss(group, site, &site.def.name, "/", &all, arts).as_bytes())?;
        let mut n = 1;
        for (ci, c) in site.def.columns.iter().enumerate() {
            if columns.is_some_and(|only| !only.contains(&ci)) {
                continue;
            }
            let title = format!("{} - {}", c.name, site.def.name);
            let feed = feeds::rss(group, site, &title, &format!("/{}/", c.slug), &self.plan.column_articles[ci], arts);
            self.put(&format!("/{}/rss.xml", c.slug), feed.as_bytes())?;
            n += 1;
        }
        for (name, body) in
            feeds::sitemaps(group, site, &self.plan, arts, &self.content.messages, &self.content.solicitations)
        {
            self.put(&name, body.as_bytes())?;
            n += 1;
        }
        Ok(n)
    }

    /// Attachments and images; content-addressed, so one already there is already right.
    fn write_blobs(&self) -> Result<usize, PublishError> {
        let mut n = 0;
        for b in &self.content.blobs {
            let path = ctx::blob_path(&b.sha256, &b.mime, self.content);
            let full = self.dir.join(path.trim_start_matches('/'));
            if self.replace && full.exists() {
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
