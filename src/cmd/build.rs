//! `zhanqun build [--site CODE | --shard I/N] [--watch]`: every site (or some) into
//! `publish/`, then optionally again on every change of the group, themes or content.

use std::process::ExitCode;

use zhanqun::publish::shard::Shard;

use super::open;
use crate::{NginxArgs, ProjectArgs};

pub async fn run(
    mut only: Vec<String>,
    shard: Option<Shard>,
    watch: bool,
    nginx: NginxArgs,
    project: ProjectArgs,
) -> anyhow::Result<ExitCode> {
    let project = open(project.paths()).await?;
    if let Some(shard) = shard {
        only = project.group().sites.iter().map(|s| s.code()).filter(|c| shard.holds(c)).map(String::from).collect();
        if only.is_empty() {
            println!("shard {shard} holds none of the group's {} sites; nothing to build", project.group().sites.len());
            return Ok(ExitCode::SUCCESS);
        }
        println!("shard {shard}: {} of {} sites", only.len(), project.group().sites.len());
    }
    let opts = project.build_options(only, true, Some(nginx.options()));
    let summary = project.build(&opts).await?;
    println!("{summary} → {}", project.paths.out.display());
    if watch {
        zhanqun::publish::watch::watch(project, opts, |line| println!("{line}")).await?;
    }
    Ok(ExitCode::SUCCESS)
}
