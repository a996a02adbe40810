//! Static publishing: site group + database → plan → rayon render → atomic swap into
//! `publish/`. This module knows nothing of HTTP; the web layer and the CLI call `build`.

pub mod change;
pub mod context;
pub mod feeds;
pub mod follow;
pub mod incremental;
pub mod lock;
pub mod manifest;
pub mod nginx;
pub mod output;
pub mod page_code;
pub mod plan;
pub mod render;
pub mod shard;
pub mod watch;

use std::collections::HashMap;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::group::Group;
use crate::store::published::SiteContent;
use crate::store::Store;
use crate::theme::Themes;
pub use nginx::NginxOptions;
use output::Output;
use render::SiteRenderer;

/// Sites rendered at the same time (each also renders its pages in parallel).
const RENDER_IN_FLIGHT: usize = 2;
/// Sites read from the database at the same time.
const FETCH_IN_FLIGHT: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no site `{0}` in the group (see `zhanqun check`; codes are the file names in sites/)")]
    UnknownSite(String),
    #[error("site {site}: theme `{theme}` is not loaded (check the theme name and variant in sites/{site}.yaml)")]
    UnknownTheme { site: String, theme: String },
    #[error("site {site}: page {page} rendered by {template} lacks the locked {part}; templates must output {{{{ locked.header }}}}, {{{{ locked.search }}}}, {{{{ locked.footer }}}} and {{{{ locked.beacon }}}} unchanged", template = template.display())]
    LockedPartMissing { site: String, template: PathBuf, part: &'static str, page: String },
    #[error("site {site}: cannot render {page} with {template}: {reason}")]
    Render { site: String, page: String, template: String, reason: String },
    #[error(transparent)]
    Theme(#[from] crate::theme::ThemeError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the renderer stopped unexpectedly: {0}")]
    Renderer(String),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
}

impl PublishError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        PublishError::Io { path: path.to_path_buf(), source }
    }
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub out: PathBuf,
    /// Codes of the sites to build; empty for all.
    pub only: Vec<String>,
    /// Draw a progress bar when standard error is a terminal.
    pub progress: bool,
    /// The nginx configuration to write beside the sites; None leaves it as it is (a site
    /// restored by the running service must not rewrite what the operator set up).
    pub nginx: Option<NginxOptions>,
    /// Whether the build settles the queue: marks the publish jobs it covered done and logs its
    /// sites for the other nodes (`store::publish_log`). A node building its own folder to catch
    /// up (`follow`) does not: the jobs are the publisher's, and the others have the pages.
    pub settle_jobs: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct BuildSummary {
    pub sites: usize,
    pub pages: usize,
    pub files: usize,
    pub seconds: f64,
}

impl BuildSummary {
    pub fn pages_per_second(&self) -> f64 {
        self.pages as f64 / self.seconds.max(1e-9)
    }
}

impl fmt::Display for BuildSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "built {} sites: {} pages ({} files) in {:.2} s, {:.0} pages/s",
            self.sites,
            self.pages,
            self.files,
            self.seconds,
            self.pages_per_second()
        )
    }
}

/// Keeps the first error of the database reads.
fn note_fetch(
    done: Result<Result<(), crate::store::StoreError>, tokio::task::JoinError>,
    first: &mut Option<PublishError>,
) {
    let err = match done {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e.into(),
        Err(e) => PublishError::Renderer(e.to_string()),
    };
    first.get_or_insert(err);
}

/// Renders the selected sites and swaps them live together; on any error nothing is swapped.
pub async fn build(
    group: Arc<Group>,
    themes: Arc<Themes>,
    store: &Store,
    opts: &BuildOptions,
) -> Result<BuildSummary, PublishError> {
    let started = Instant::now();
    let selected: Vec<usize> = if opts.only.is_empty() {
        (0..group.sites.len()).collect()
    } else {
        opts.only
            .iter()
            .map(|code| {
                group.sites.iter().position(|s| s.code() == code).ok_or_else(|| PublishError::UnknownSite(code.clone()))
            })
            .collect::<Result<_, _>>()?
    };
    let rows = store.site_rows().await?;
    let hosts: Vec<String> = selected.iter().map(|&i| group.sites[i].host.clone()).collect();
    // Waits only for writers of these sites: shard builders on one folder run side by side.
    let out = {
        let (root, hosts) = (opts.out.clone(), hosts.clone());
        tokio::task::spawn_blocking(move || Output::begin(&root, &hosts))
            .await
            .map_err(|e| PublishError::Renderer(e.to_string()))??
    };
    // Publish jobs queued before this point are covered by this build.
    let jobs_before = store.last_job_id().await?;
    let built_at = crate::store::now_unix();
    let now = crate::content::now_local();

    let bar = if opts.progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(selected.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} 发布中 [{bar:32}] {pos}/{len} 站点 {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    // Fetching the next site from the database overlaps with rendering; two sites render at
    // once so that one site's serial work (feeds, sitemap, assets) and a small site's short
    // page list do not leave a core idle. The channel plus the in-flight bound keep at most
    // a few sites' content in memory.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, SiteContent)>(1);
    // QR codes drawn for new addresses are kept while the build goes on (`page_code`). The
    // hand-over is bounded: when the database falls behind (a first build draws every code),
    // a rendered site waits rather than the codes of every site piling up in memory.
    let (codes_tx, mut codes_rx) = tokio::sync::mpsc::channel::<Vec<page_code::NewCode>>(RENDER_IN_FLIGHT);
    let keeper = {
        let store = store.clone();
        tokio::spawn(async move {
            while let Some(codes) = codes_rx.recv().await {
                page_code::keep(&store, codes).await;
            }
        })
    };
    let renderer = {
        let (group, themes, bar) = (group.clone(), themes.clone(), bar.clone());
        let dirs: HashMap<usize, PathBuf> = selected.iter().map(|&i| (i, out.site_dir(&group.sites[i].host))).collect();
        let sums_paths: HashMap<usize, PathBuf> =
            selected.iter().map(|&i| (i, out.manifest_path(&group.sites[i].host))).collect();
        tokio::task::spawn_blocking(move || -> Result<(usize, usize), PublishError> {
            let totals = Mutex::new((0usize, 0usize));
            let first_error: Mutex<Option<PublishError>> = Mutex::new(None);
            let (permit_tx, permit_rx) = std::sync::mpsc::sync_channel::<()>(RENDER_IN_FLIGHT);
            let permit_rx = Mutex::new(permit_rx);
            // in_place_scope: this loop blocks on the channel, so it must run on this thread,
            // not occupy one of rayon's workers as `rayon::scope` would.
            rayon::in_place_scope(|scope| {
                while let Some((i, content)) = rx.blocking_recv() {
                    if first_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                        break;
                    }
                    // Blocks while RENDER_IN_FLIGHT sites are rendering.
                    if permit_tx.send(()).is_err() {
                        break;
                    }
                    let (group, themes, bar, dir) = (&group, &themes, &bar, dirs.get(&i).cloned().unwrap_or_default());
                    let sums = sums_paths.get(&i).cloned().unwrap_or_default();
                    let (totals, first_error, permit_rx, codes_tx) = (&totals, &first_error, &permit_rx, &codes_tx);
                    scope.spawn(move |_| {
                        // The manifest is written as soon as the site is rendered, so that
                        // no more than the sites in flight are held in memory.
                        let result = SiteRenderer::new(group, themes, &group.sites[i], &content, dir).and_then(|r| {
                            let (pages, files) = (r.page_count(), r.render()?);
                            // A rayon worker, outside the runtime: blocking here is allowed.
                            let _ = codes_tx.blocking_send(r.take_new_codes());
                            let sums_of = manifest::apply(manifest::Manifest::new(), r.into_written());
                            manifest::write(&sums, &sums_of).map_err(|e| PublishError::io(&sums, e))?;
                            Ok((pages, files))
                        });
                        match result {
                            Ok((p, f)) => {
                                let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
                                t.0 += p;
                                t.1 += f;
                                bar.inc(1);
                                bar.set_message(format!("{} 页", t.0));
                            }
                            Err(e) => {
                                first_error.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                            }
                        }
                        let _ = permit_rx.lock().map(|rx| rx.recv());
                    });
                }
            });
            if let Some(e) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
                return Err(e);
            }
            Ok(totals.into_inner().unwrap_or_else(|e| e.into_inner()))
        })
    };
    // Two sites are read at once: one SQLite connection's worker decodes rows while the
    // other waits on the disk, and the renderer rarely starves.
    let permits = Arc::new(tokio::sync::Semaphore::new(FETCH_IN_FLIGHT));
    let mut fetches = tokio::task::JoinSet::new();
    let mut fetch_error: Option<PublishError> = None;
    for &i in &selected {
        let site = &group.sites[i];
        let Some(row) = rows.get(site.code()) else {
            fetch_error = Some(PublishError::UnknownSite(site.code().to_string()));
            break;
        };
        let Ok(permit) = permits.clone().acquire_owned().await else { break };
        while let Some(done) = fetches.try_join_next() {
            note_fetch(done, &mut fetch_error);
        }
        if fetch_error.is_some() || tx.is_closed() {
            break; // a failed renderer reports its own error below
        }
        let (store, tx, now, site_id) = (store.clone(), tx.clone(), now.clone(), row.id);
        fetches.spawn(async move {
            let _permit = permit;
            let content = store.site_content(site_id, &now).await?;
            let _ = tx.send((i, content)).await;
            Ok(())
        });
    }
    drop(tx);
    while let Some(done) = fetches.join_next().await {
        note_fetch(done, &mut fetch_error);
    }
    let rendered = renderer.await.map_err(|e| PublishError::Renderer(e.to_string()))?;
    // The renderer dropped its sender: the keeper ends once the last codes are stored.
    let _ = keeper.await;
    bar.finish_and_clear();
    if let Some(e) = fetch_error {
        return Err(e);
    }
    let (pages, files) = rendered?;
    out.commit()?;
    let site_ids: Vec<i64> = selected.iter().filter_map(|&i| rows.get(group.sites[i].code()).map(|r| r.id)).collect();
    if opts.settle_jobs {
        store.finish_site_jobs(&incremental::node_name(), &site_ids, jobs_before, built_at).await?;
    }
    if let Some(nginx) = &opts.nginx {
        nginx::write(&group, &opts.out, nginx).map_err(|e| PublishError::io(&opts.out.join("nginx"), e))?;
    }
    Ok(BuildSummary { sites: selected.len(), pages, files, seconds: started.elapsed().as_secs_f64() })
}

/// Building is what a project is opened for; the methods live here so that `project` (below
/// `publish`) does not need to know how a build runs.
impl crate::project::Project {
    pub fn build_options(&self, only: Vec<String>, progress: bool, nginx: Option<NginxOptions>) -> BuildOptions {
        BuildOptions { out: self.paths.out.clone(), only, progress, nginx, settle_jobs: true }
    }

    pub async fn build(&self, opts: &BuildOptions) -> Result<BuildSummary, PublishError> {
        build(self.group(), self.themes.clone(), &self.store, opts).await
    }
}
