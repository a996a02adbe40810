//! `zhanqun import DIR --site CODE [--column SLUG]`: legacy Markdown and Word documents into one
//! site, problems per file.

use std::process::ExitCode;

use std::path::Path;

use zhanqun::store::audit;
use zhanqun::store::import::import_dir;
use zhanqun::store::tenant::{Job, Tenant};

use super::open;
use crate::ProjectArgs;

pub async fn run(dir: &Path, site: &str, column: Option<&str>, project: ProjectArgs) -> anyhow::Result<ExitCode> {
    let project = open(project.paths()).await?;
    let group = project.group();
    let Some(site) = group.site(site) else {
        anyhow::bail!("no site `{site}` in the group; codes are the file names in {}", project.paths.sites.display());
    };
    let report =
        import_dir(&project.store, Tenant::system(Job::CommandLine), site, dir, column, &audit::operator()).await?;
    for p in &report.problems {
        eprintln!("{p}");
    }
    let s = report.stats;
    if s.created + s.updated >= zhanqun::store::BULK_WRITE {
        // The planner's figures lag behind a bulk load until autovacuum gets to it; the next
        // reindex or build should not be planned on them.
        project.store.refresh_statistics().await?;
    }
    println!(
        "imported into {}: {} created, {} updated, {} unchanged, {} failed",
        site.code(),
        s.created,
        s.updated,
        s.unchanged,
        report.problems.len()
    );
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
