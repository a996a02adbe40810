//! `zhanqun publish`: runs the publish jobs that are due, once, as `serve` does after each
//! approval: for a node that publishes without serving (cron), and after a crash.

use std::process::ExitCode;

use super::open;
use crate::ProjectArgs;

pub async fn run(project: ProjectArgs) -> anyhow::Result<ExitCode> {
    use zhanqun::publish::incremental;
    let project = open(project.paths()).await?;
    let index = zhanqun::search::SearchIndex::open(&project.paths.search).map_err(|e| {
        anyhow::anyhow!("{e}\n(the search index is in use: a running `zhanqun serve` publishes the jobs itself)")
    })?;
    let index = std::sync::Arc::new(index);
    let node = incremental::node_name();
    let taken = project.store.release_claims(&node).await?;
    if taken > 0 {
        println!("{taken} job(s) this node held when it stopped are run again");
    }
    let (mut jobs, mut files, started) = (0, 0, std::time::Instant::now());
    loop {
        let (group, themes, store, out) = (&project.group(), &project.themes, &project.store, &project.paths.out);
        let r = incremental::run_due_as(&node, group, themes, store, out, Some(&index)).await?;
        if r.jobs == 0 {
            break;
        }
        jobs += r.jobs;
        files += r.files;
    }
    println!("{jobs} publish job(s) done, {files} file(s) written in {:.2} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
