//! `zhanqun demo-data`: a synthetic group and articles, for benchmarks and trials.

use std::process::ExitCode;

use std::path::Path;

use anyhow::Context;

pub fn run(count: usize, articles: usize, dir: &Path) -> anyhow::Result<ExitCode> {
    let s = zhanqun::demo::generate(dir, count, articles)
        .with_context(|| format!("cannot write demo data to {}", dir.display()))?;
    println!(
        "wrote {} sites to {} and {} articles to {}",
        s.sites,
        s.sites_dir.display(),
        s.articles,
        s.content_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
