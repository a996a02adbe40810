//! `zhanqun bench audit`: a full audit of the large synthetic group (that of `bench build`,
//! built into its publish folder once), link check of every published page included. Prints
//! the time, the peak memory and what was found; never asserts.

use std::path::PathBuf;
use std::time::Instant;

use super::{peak_rss_mib, prepare, reset_peak_rss};
use crate::audit::{self, Severity};
use crate::publish::NginxOptions;

#[derive(Debug, Clone)]
pub struct AuditBench {
    pub sites: usize,
    pub articles: usize,
    pub work: PathBuf,
    pub themes: PathBuf,
}

pub async fn audit_bench(b: &AuditBench, report: impl Fn(String)) -> anyhow::Result<()> {
    let project = prepare(&b.work, &b.themes, b.sites, b.articles, &report).await?;
    if !project.paths.out.join(&project.group().portal().host).join("index.html").is_file() {
        let opts = project.build_options(Vec::new(), false, Some(NginxOptions::default()));
        let built = project.build(&opts).await?;
        report(format!("built once for the audit: {built}"));
    }
    let live: i64 = project.store.site_rows().await?.len() as i64;
    for round in 1..=2 {
        reset_peak_rss();
        let t = Instant::now();
        let r = audit::run(&project, None, &crate::content::now_local(), crate::store::now_unix()).await?;
        let secs = t.elapsed().as_secs_f64();
        let count = |s: Severity| r.sites.iter().flat_map(|x| &x.findings).filter(|f| f.severity == s).count();
        report(format!(
            "audit {round}: {} of {live} sites in {secs:.2} s (published output of every page read and its links checked); {} pass, {} vetoes, {} deductions, {} notices; peak RSS {} MiB",
            r.sites.len(),
            r.sites.iter().filter(|s| s.passed).count(),
            count(Severity::Veto),
            count(Severity::Deduction),
            count(Severity::Notice),
            peak_rss_mib().map(|m| m.to_string()).unwrap_or_else(|| "?".into()),
        ));
    }
    Ok(())
}
