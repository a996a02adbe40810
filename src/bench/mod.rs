//! The benchmarks of `zhanqun bench`: each prints figures for a person to read and compare;
//! none asserts a speed. This file holds what they share: the large synthetic group they run
//! on, and the process's peak memory.

pub mod audit;
pub mod build;
pub mod check;
pub mod hits;
pub mod province;
pub mod publish;
pub mod search;

use std::path::Path;
use std::time::Instant;

use crate::content::import::ImportStats;
use crate::project::{Paths, Project};
use crate::store::import::import_dir;
use crate::store::tenant::{Job, Tenant};

/// A benchmark's project: the group in `sites` and the themes, with its database, output and
/// search index inside `work`.
pub fn work_paths(work: &Path, sites: &Path, themes: &Path) -> Paths {
    Paths {
        sites: sites.to_path_buf(),
        themes: themes.to_path_buf(),
        database: work.join("bench.db").display().to_string(),
        out: work.join("publish"),
        search: work.join("search"),
    }
}

/// The synthetic group of `sites` subsites with `articles` each, generated and imported into
/// `work` once and reused by later runs of the same size.
pub async fn prepare(
    work: &Path,
    themes: &Path,
    sites: usize,
    articles: usize,
    report: &dyn Fn(String),
) -> anyhow::Result<Project> {
    let marker = work.join(".bench-params");
    let params = format!("{sites} {articles}");
    let fresh = std::fs::read_to_string(&marker).ok().as_deref() != Some(params.as_str());
    if fresh {
        if work.exists() {
            std::fs::remove_dir_all(work)?;
        }
        let t = Instant::now();
        let s = crate::demo::generate(work, sites, articles)?;
        report(format!("demo-data: {} sites, {} articles in {:.1} s", s.sites, s.articles, t.elapsed().as_secs_f64()));
    } else {
        report(format!("reusing the group and database in {}", work.display()));
    }
    let project = Project::open(work_paths(work, &work.join("sites"), themes)).await?;
    if fresh {
        let t = Instant::now();
        let mut stats = ImportStats::default();
        for site in &project.group().sites {
            let r = import_dir(
                &project.store,
                Tenant::system(Job::Bench),
                site,
                &work.join("content").join(site.code()),
                None,
                "operator:bench",
            )
            .await?;
            if let Some(p) = r.problems.first() {
                anyhow::bail!("import failed: {p}");
            }
            stats += r.stats;
        }
        let secs = t.elapsed().as_secs_f64();
        report(format!(
            "import: {} articles in {:.1} s ({:.0} articles/s)",
            stats.created,
            secs,
            stats.created as f64 / secs
        ));
        std::fs::write(&marker, &params)?;
    }
    Ok(project)
}

/// A new empty database `name` on the PostgreSQL server of `server` (dropped first when there).
async fn fresh_postgres(server: &str, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn).await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await?;
    let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(server);
    Ok(format!("{base}/{name}"))
}

/// Resets the kernel's high-water mark of this process's resident memory (Linux).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, in MiB (Linux).
pub fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
