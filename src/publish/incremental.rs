//! Publishing on approval: runs the due jobs of the persisted queue. For each site touched it
//! reads the live content, re-renders only the pages that show the changed articles (their own
//! pages, the list pages of their columns and the columns above, the home page, feeds and
//! sitemaps) into a hard-linked copy of the live release, and swaps that in atomically. A site
//! that was never published gets a full build instead.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::manifest::{self, Recorder};
use super::output::Output;
use super::plan::{page_count, Page};
use super::render::SiteRenderer;
use super::PublishError;
use crate::group::{Group, Site};
use crate::search::{sync, SearchIndex};
use crate::store::jobs::Job;
use crate::store::published::SiteContent;
use crate::store::{now_unix, Store};
use crate::theme::Themes;

#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub jobs: usize,
    /// The sites published.
    pub site_ids: Vec<i64>,
    pub sites: usize,
    pub files: usize,
    pub seconds: f64,
}

/// Runs every job due now. Jobs are marked done only after their site is swapped in and the
/// search index follows: a withdrawn article leaves the index before its page goes, a new or
/// changed one enters it after its page is live, so a search never leads to a missing page.
pub async fn run_due(
    group: &Arc<Group>,
    themes: &Arc<Themes>,
    store: &Store,
    out: &Path,
    search: Option<&Arc<SearchIndex>>,
) -> Result<RunReport, PublishError> {
    let started = Instant::now();
    let jobs = store.due_jobs(now_unix()).await?;
    if jobs.is_empty() {
        return Ok(RunReport::default());
    }
    let codes: HashMap<i64, String> = store.site_rows().await?.into_values().map(|r| (r.id, r.code)).collect();
    let mut by_site: BTreeMap<i64, Vec<Job>> = BTreeMap::new();
    for job in jobs {
        by_site.entry(job.site_id).or_default().push(job);
    }
    let mut report = RunReport { jobs: 0, sites: by_site.len(), ..Default::default() };
    let now = crate::content::now_local();
    for (site_id, jobs) in by_site {
        let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
        let site = codes.get(&site_id).and_then(|c| group.site(c));
        let mut articles: Vec<i64> = jobs.iter().filter_map(|j| j.article_id).collect();
        articles.sort_unstable();
        articles.dedup();
        if let Some(site) = site {
            let content = store.site_content(site_id, &now).await?;
            let live: HashSet<i64> = content.articles.iter().map(|a| a.id).collect();
            if let Some(index) = search {
                let gone = articles.iter().copied().filter(|id| !live.contains(id)).collect();
                sync::remove(index, gone).await?;
            }
            let (group, themes, out, site_code) =
                (group.clone(), themes.clone(), out.to_path_buf(), site.code().to_string());
            let files = tokio::task::spawn_blocking(move || {
                let site = group.site(&site_code).expect("site looked up above");
                publish_site(&group, &themes, site, &content, &jobs, &out)
            })
            .await
            .map_err(|e| PublishError::Renderer(e.to_string()))??;
            report.files += files;
            report.site_ids.push(site_id);
            if let Some(index) = search {
                sync::refresh(index, store, articles.into_iter().filter(|id| live.contains(id)).collect()).await?;
            }
        } else {
            // A site removed from the group: nothing of it is served any more.
            tracing::warn!(site_id, "publish jobs for a site that is no longer in the group; skipped");
        }
        store.finish_jobs(&ids).await?;
        report.jobs += ids.len();
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Applies one site's jobs to its live release; returns the number of files written.
fn publish_site(
    group: &Group,
    themes: &Themes,
    site: &Site,
    content: &SiteContent,
    jobs: &[Job],
    out_root: &Path,
) -> Result<usize, PublishError> {
    let mut out = Output::begin(out_root)?;
    let dir = out.site_dir(&site.host);
    if !out.clone_live(&site.host)? {
        // First publication of this site: everything.
        let renderer = SiteRenderer::new(group, themes, site, content, dir)?;
        let files = renderer.render()?;
        out.record(&site.host, renderer.into_written())?;
        out.commit(std::slice::from_ref(&site.host))?;
        return Ok(files);
    }
    let renderer = SiteRenderer::new(group, themes, site, content, dir.clone())?.replacing();
    let change = affected(site, content, renderer.plan(), jobs);
    let removed = Recorder::default();
    for path in &change.remove {
        remove(&dir, path, &removed)?;
    }
    for &ci in &change.columns {
        let slug = &site.def.columns[ci].slug;
        remove_pages_after(&dir, slug, page_count(renderer.plan().column_articles[ci].len()), &removed)?;
    }
    let files = renderer.render_pages(&change.pages, &change.columns)?;
    let written = renderer.into_written();
    out.record(&site.host, manifest::merge(removed, written))?;
    out.commit(std::slice::from_ref(&site.host))?;
    Ok(files)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Change {
    pub pages: Vec<Page>,
    /// Column indexes whose lists and feeds are re-rendered.
    pub columns: Vec<usize>,
    /// Pages to delete: withdrawn articles, and the old URLs of moved ones.
    pub remove: Vec<String>,
}

/// The pages a set of jobs touches.
pub fn affected(site: &Site, content: &SiteContent, plan: &super::plan::Plan, jobs: &[Job]) -> Change {
    let columns = &site.def.columns;
    let column_index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.slug.as_str(), i)).collect();
    let position: HashMap<i64, usize> = content.articles.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let mut touched: BTreeSet<usize> = BTreeSet::new();
    let with_parents = |slug: &str, touched: &mut BTreeSet<usize>| {
        let mut cur = column_index.get(slug).copied();
        while let Some(ci) = cur {
            if !touched.insert(ci) {
                break;
            }
            cur = columns[ci].parent.as_deref().and_then(|p| column_index.get(p).copied());
        }
    };
    let mut articles: BTreeSet<usize> = BTreeSet::new();
    let mut live_paths: BTreeSet<String> = BTreeSet::new();
    for job in jobs {
        if let Some(&i) = job.article_id.and_then(|id| position.get(&id)) {
            let a = &content.articles[i];
            articles.insert(i);
            with_parents(&a.column, &mut touched);
            live_paths.insert(crate::content::article_path(&a.column, &a.publish_at, a.id));
        }
        if let Some(c) = &job.old_column {
            with_parents(c, &mut touched);
        }
    }
    let mut remove: Vec<String> =
        jobs.iter().filter_map(|j| j.old_path.clone()).filter(|p| !live_paths.contains(p)).collect();
    remove.sort();
    remove.dedup();
    // The contact page is one small page; rendering it every time keeps it in step with the
    // mailbox registry, whose changes queue a job without an article.
    let mut pages = vec![Page::Home, Page::Contact];
    // Answers and solicitations are published by jobs without an article (as are registry
    // changes): those re-render the interaction section, a few small pages per site.
    if jobs.iter().any(|j| j.article_id.is_none()) {
        pages.extend(super::plan::interaction_pages(content.messages.len(), content.solicitations.len()));
    }
    for &ci in &touched {
        let count = page_count(plan.column_articles[ci].len());
        pages.extend((1..=count).map(|page| Page::ColumnList { column: ci, page }));
    }
    pages.extend(articles.into_iter().map(Page::Article));
    Change { pages, columns: touched.into_iter().collect(), remove }
}

/// Deletes `<slug>/index_<n>.html` for n > `last`: a list that got shorter leaves its old tail
/// behind.
fn remove_pages_after(dir: &Path, slug: &str, last: usize, removed: &Recorder) -> Result<(), PublishError> {
    let column_dir = dir.join(slug);
    let entries = match std::fs::read_dir(&column_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(PublishError::io(&column_dir, e)),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let n = name.to_str().and_then(|n| n.strip_prefix("index_")?.strip_suffix(".html")?.parse::<usize>().ok());
        if n.is_some_and(|n| n > last) {
            remove(dir, &format!("{slug}/{}", name.to_string_lossy()), removed)?;
        }
    }
    Ok(())
}

/// Removes the file at `rel` (gone already is fine) and records it for the manifest.
fn remove(dir: &Path, rel: &str, removed: &Recorder) -> Result<(), PublishError> {
    let path: PathBuf = dir.join(rel.trim_start_matches('/'));
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(PublishError::io(&path, e)),
    }
    removed.removed(rel);
    Ok(())
}
