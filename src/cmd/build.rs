//! `zhanqun build [--only CODE] [--watch]`: every site (or some) into `publish/`, then
//! optionally again on every change of the group, themes or content.

use std::process::ExitCode;

use super::open;
use crate::{NginxArgs, ProjectArgs};

pub async fn run(only: Vec<String>, watch: bool, nginx: NginxArgs, project: ProjectArgs) -> anyhow::Result<ExitCode> {
    let project = open(project.paths()).await?;
    let opts = project.build_options(only, true, Some(nginx.options()));
    let summary = project.build(&opts).await?;
    println!("{summary} → {}", project.paths.out.display());
    if watch {
        zhanqun::publish::watch::watch(project, opts, |line| println!("{line}")).await?;
    }
    Ok(ExitCode::SUCCESS)
}
