//! Static publishing: site group + database → plan → rayon render → atomic swap into
//! `publish/`. This module knows nothing of HTTP; the web layer and the CLI call `build`.

pub mod context;
pub mod feeds;
pub mod nginx;
pub mod output;
pub mod plan;
pub mod render;
pub mod watch;

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::group::Group;
use crate::store::published::SiteContent;
use crate::store::Store;
use crate::theme::Themes;
pub use nginx::NginxOptions;
use output::Output;
use render::SiteRenderer;

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
    pub nginx: NginxOptions,
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
    let out = Output::begin(&opts.out)?;
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

    // Fetching the next site from the database overlaps with rendering the current one;
    // the bounded channel keeps at most two sites' content in memory.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, SiteContent)>(2);
    let renderer = {
        let (group, themes, bar) = (group.clone(), themes.clone(), bar.clone());
        let dirs: Vec<(usize, PathBuf)> = selected.iter().map(|&i| (i, out.site_dir(&group.sites[i].host))).collect();
        tokio::task::spawn_blocking(move || -> Result<(usize, usize), PublishError> {
            let (mut pages, mut files) = (0, 0);
            while let Some((i, content)) = rx.blocking_recv() {
                let site = &group.sites[i];
                let dir = dirs.iter().find(|(j, _)| *j == i).map(|(_, d)| d.clone()).unwrap_or_default();
                let r = SiteRenderer::new(&group, &themes, site, &content, dir)?;
                pages += r.page_count();
                files += r.render()?;
                bar.inc(1);
                bar.set_message(format!("{pages} 页"));
            }
            Ok((pages, files))
        })
    };
    let mut fetch_error = None;
    for &i in &selected {
        let site = &group.sites[i];
        let Some(row) = rows.get(site.code()) else {
            fetch_error = Some(PublishError::UnknownSite(site.code().to_string()));
            break;
        };
        match store.site_content(row.id, &now).await {
            Ok(content) => {
                if tx.send((i, content)).await.is_err() {
                    break; // the renderer failed; its error is reported below
                }
            }
            Err(e) => {
                fetch_error = Some(e.into());
                break;
            }
        }
    }
    drop(tx);
    let rendered = renderer.await.map_err(|e| PublishError::Renderer(e.to_string()))?;
    bar.finish_and_clear();
    if let Some(e) = fetch_error {
        return Err(e);
    }
    let (pages, files) = rendered?;
    let hosts: Vec<String> = selected.iter().map(|&i| group.sites[i].host.clone()).collect();
    out.commit(&hosts)?;
    nginx::write(&group, &opts.out, &opts.nginx).map_err(|e| PublishError::io(&opts.out.join("nginx"), e))?;
    Ok(BuildSummary { sites: selected.len(), pages, files, seconds: started.elapsed().as_secs_f64() })
}
