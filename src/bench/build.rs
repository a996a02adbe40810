//! `zhanqun bench build`: generates a large synthetic group, imports it, and times full builds
//! to a tmpfs folder and to disk, with peak memory. Figures are printed, never asserted.

use std::path::PathBuf;

use super::{peak_rss_mib, prepare, reset_peak_rss};
use crate::publish::{BuildSummary, NginxOptions};

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
        let opts = project.build_options(Vec::new(), false, Some(NginxOptions::default()));
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

fn fmt_mib(v: Option<u64>) -> String {
    v.map(|m| m.to_string()).unwrap_or_else(|| "?".into())
}
