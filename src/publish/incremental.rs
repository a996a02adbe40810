//! Publishing on approval: runs the due jobs of the persisted queue. For each site touched it
//! reads only what the change shows (`change::read`: the changed articles, the list pages
//! from the first one whose articles moved, the home page, feeds and sitemap parts), renders
//! those into `.staging` and renames each over its live version (`LiveEdit`). A site that
//! was never published gets a full build instead.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::change::{self, Change};
use super::output::{LiveEdit, Output, Publish};
use super::page_code::NewCode;
use super::plan::column_page_path;
use super::render::SiteRenderer;
use super::PublishError;
use crate::group::{Group, Site};
use crate::search::{sync, SearchIndex};
use crate::store::jobs::Job;
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

/// The name this publisher claims jobs under: `ZHANQUN_NODE`, else the host name. A restart
/// under the same name takes back at once what the previous process held.
pub fn node_name() -> String {
    std::env::var("ZHANQUN_NODE").ok().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "zhanqun".into())
    })
}

/// Runs every job due now, as the publisher `node_name()`.
pub async fn run_due(
    group: &Arc<Group>,
    themes: &Arc<Themes>,
    store: &Store,
    out: &Path,
    search: Option<&Arc<SearchIndex>>,
) -> Result<RunReport, PublishError> {
    run_due_as(&node_name(), group, themes, store, out, search).await
}

/// Claims the jobs due now for `node` and runs them. Jobs are marked done only after their
/// pages are live and the search index follows: a withdrawn article leaves the index before
/// its page goes, a new or changed one enters it after its page is live, so a search never
/// leads to a missing page.
pub async fn run_due_as(
    node: &str,
    group: &Arc<Group>,
    themes: &Arc<Themes>,
    store: &Store,
    out: &Path,
    search: Option<&Arc<SearchIndex>>,
) -> Result<RunReport, PublishError> {
    let started = Instant::now();
    let jobs = store.claim_jobs(node, now_unix()).await?;
    if jobs.is_empty() {
        return Ok(RunReport::default());
    }
    let rows = store.site_rows().await?;
    let by_id: HashMap<i64, &crate::store::sites::SiteRow> = rows.values().map(|r| (r.id, r)).collect();
    let mut by_site: BTreeMap<i64, Vec<Job>> = BTreeMap::new();
    for job in jobs {
        by_site.entry(job.site_id).or_default().push(job);
    }
    let mut report = RunReport { jobs: 0, sites: by_site.len(), ..Default::default() };
    let mut pending: Vec<i64> = by_site.values().flatten().map(|j| j.id).collect();
    for (site_id, jobs) in by_site {
        let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
        let row = by_id.get(&site_id).copied();
        let done = match row.and_then(|r| Some((group.site(&r.code)?, r))) {
            Some((site, row)) => publish_site(group, themes, store, out, search, site, row, &jobs).await.map(Some),
            None => {
                // A site removed from the group: nothing of it is served any more.
                tracing::warn!(site_id, "publish jobs for a site that is no longer in the group; skipped");
                Ok(None)
            }
        };
        let done = match done {
            Ok(done) => store.finish_jobs(node, &ids).await.map(|()| done).map_err(PublishError::from),
            Err(e) => Err(e),
        };
        match done {
            Ok(files) => {
                if let Some(files) = files {
                    report.files += files;
                    report.site_ids.push(site_id);
                }
                report.jobs += ids.len();
                pending.retain(|id| !ids.contains(id));
            }
            Err(e) => {
                // What is not done goes back to the queue at once, for the retry.
                if let Err(release) = store.release_jobs(&pending).await {
                    tracing::warn!(error = %release, "could not give back the publish jobs; they wait for their claims to run out");
                }
                return Err(e);
            }
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Publishes one site's jobs into `out`; returns the number of files written. Also how a node
/// with a folder of its own replays another node's jobs (`follow`), without a search index.
#[allow(clippy::too_many_arguments)]
pub(super) async fn publish_site(
    group: &Arc<Group>,
    themes: &Arc<Themes>,
    store: &Store,
    out: &Path,
    search: Option<&Arc<SearchIndex>>,
    site: &Site,
    row: &crate::store::sites::SiteRow,
    jobs: &[Job],
) -> Result<usize, PublishError> {
    let t0 = Instant::now();
    let (root, host) = (out.to_path_buf(), site.host.clone());
    let whole = jobs.iter().any(|j| j.whole);
    let held = tokio::task::spawn_blocking(move || match whole {
        true => Publish::begin_whole(&root, &host),
        false => Publish::begin(&root, &host),
    })
    .await
    .map_err(|e| PublishError::Renderer(e.to_string()))??;
    let now = crate::content::now_local();
    let mut articles: Vec<i64> = jobs.iter().filter_map(|j| j.article_id).collect();
    articles.sort_unstable();
    articles.dedup();
    let keys = store.article_keys(&articles, &now).await?;
    let (live, gone): (Vec<i64>, Vec<i64>) =
        articles.iter().partition(|id| keys.iter().any(|k| k.id == **id && k.live));
    if let Some(index) = search {
        sync::remove(index, gone).await?;
    }
    let work = match held {
        Publish::Whole(output) => Work::Whole(output, store.site_content(row.id, &now).await?),
        Publish::Edit(edit) => Work::Change(edit, Box::new(change::read(store, site, row, jobs, &keys, &now).await?)),
    };
    let read_ms = t0.elapsed().as_secs_f64() * 1e3;
    let (group, themes, code) = (group.clone(), themes.clone(), site.code().to_string());
    let (files, codes) = tokio::task::spawn_blocking(move || {
        let site = group.site(&code).expect("site looked up above");
        match work {
            Work::Whole(output, content) => publish_whole(&group, &themes, site, &content, output),
            Work::Change(edit, change) => publish_change(&group, &themes, site, *change, edit),
        }
    })
    .await
    .map_err(|e| PublishError::Renderer(e.to_string()))??;
    let render_ms = t0.elapsed().as_secs_f64() * 1e3 - read_ms;
    super::page_code::keep(store, codes).await;
    if let Some(index) = search {
        sync::refresh(index, store, live).await?;
    }
    let all_ms = t0.elapsed().as_secs_f64() * 1e3;
    tracing::debug!(
        site = site.code(),
        jobs = jobs.len(),
        files,
        read_ms,
        render_ms,
        search_ms = all_ms - read_ms - render_ms,
        "site published"
    );
    Ok(files)
}

/// What a publish holds the lock for: a first release with the whole content, or a change.
enum Work {
    Whole(Output, crate::store::published::SiteContent),
    Change(LiveEdit, Box<Change>),
}

/// The first publication of a site, or a new one after its columns changed: everything,
/// swapped in as a new release. Returns the files written and the QR codes drawn.
fn publish_whole(
    group: &Group,
    themes: &Themes,
    site: &Site,
    content: &crate::store::published::SiteContent,
    out: Output,
) -> Result<(usize, Vec<NewCode>), PublishError> {
    let renderer = SiteRenderer::new(group, themes, site, content, out.site_dir(&site.host))?;
    let files = renderer.render()?;
    let codes = renderer.take_new_codes();
    out.record(&site.host, renderer.into_written())?;
    out.commit()?;
    Ok((files, codes))
}

/// Renders what a change touches and puts it into the live release file by file. Returns the
/// files written and the QR codes drawn.
fn publish_change(
    group: &Group,
    themes: &Themes,
    site: &Site,
    change: Change,
    edit: LiveEdit,
) -> Result<(usize, Vec<NewCode>), PublishError> {
    let Change { content, lists, pages, columns, parts, interaction, mut remove, last_pages } = change;
    let renderer = SiteRenderer::for_change(
        group,
        themes,
        site,
        &content,
        lists,
        edit.staging().to_path_buf(),
        edit.live().to_path_buf(),
    )?;
    let files = renderer.render_change(&pages, &columns, &parts, interaction)?;
    // A list that got shorter leaves archive pages past its new end.
    for (slug, last) in &last_pages {
        let mut page = last + 1;
        while edit.live().join(column_page_path(slug, page).trim_start_matches('/')).exists() {
            remove.push(column_page_path(slug, page));
            page += 1;
        }
    }
    let codes = renderer.take_new_codes();
    edit.apply(renderer.into_written(), &remove)?;
    Ok((files, codes))
}
