//! `zhanqun bench build`: generates a large synthetic group, imports it, and times full builds
//! to a tmpfs folder and to disk, with peak memory. Figures are printed, never asserted.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::content::import::import_dir;
use crate::project::{Paths, Project};
use crate::publish::{BuildSummary, NginxOptions};
use crate::store::articles::ImportStats;

#[derive(Debug, Clone)]
pub struct BuildBench {
    pub sites: usize,
    pub articles: usize,
    /// Where the generated group, content and database live (reused when the size matches).
    pub work: PathBuf,
    pub tmpfs: PathBuf,
    pub disk: PathBuf,
    pub themes: PathBuf,
}

pub async fn build_bench(b: &BuildBench, report: impl Fn(String)) -> anyhow::Result<()> {
    let mut project = prepare(&b.work, &b.themes, b.sites, b.articles, &report).await?;
    for (label, out) in [("tmpfs", b.tmpfs.clone()), ("disk", b.disk.clone())] {
        project.paths.out = out.clone();
        // A first build fills caches and creates the release folders; the second is measured
        // against a live previous release, as in production.
        let opts = project.build_options(Vec::new(), false, NginxOptions::default());
        reset_peak_rss();
        let first: BuildSummary = project.build(&opts).await?;
        let peak_first = peak_rss_mib();
        reset_peak_rss();
        let second = project.build(&opts).await?;
        let peak_second = peak_rss_mib();
        report(format!(
            "build to {label} ({}): first {:.2} s ({:.0} pages/s), second {:.2} s ({:.0} pages/s); {} pages, {} files; peak RSS {} / {} MiB",
            out.display(),
            first.seconds,
            first.pages_per_second(),
            second.seconds,
            second.pages_per_second(),
            second.pages,
            second.files,
            fmt_mib(peak_first),
            fmt_mib(peak_second),
        ));
    }
    Ok(())
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
    let paths = Paths {
        sites: work.join("sites"),
        themes: themes.to_path_buf(),
        database: work.join("bench.db").display().to_string(),
        out: work.join("publish"),
        search: work.join("search"),
    };
    let project = Project::open(paths).await?;
    if fresh {
        let t = Instant::now();
        let mut stats = ImportStats::default();
        for site in &project.group.sites {
            let r = import_dir(&project.store, site, &work.join("content").join(site.code()), "operator:bench").await?;
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

fn fmt_mib(v: Option<u64>) -> String {
    v.map(|m| m.to_string()).unwrap_or_else(|| "?".into())
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
