//! The bodies of the `zhanqun` commands, one file each; `main.rs` holds the arguments and
//! hands each command to its file.

pub mod audit;
pub mod backup;
pub mod bench;
pub mod build;
pub mod check;
pub mod demo_data;
pub mod import;
pub mod publish;
pub mod search;
pub mod serve;
pub mod user;

use zhanqun::project::{Paths, Project, ProjectError};

/// Opens the project; an invalid group is printed one problem per line.
pub async fn open(paths: Paths) -> anyhow::Result<Project> {
    match Project::open(paths).await {
        Ok(p) => Ok(p),
        Err(ProjectError::Group(problems)) => {
            for p in problems.iter() {
                eprintln!("{p}");
            }
            anyhow::bail!(
                "{} problem(s) in the site group; nothing was published (run `zhanqun check`)",
                problems.len()
            )
        }
        Err(e) => Err(e.into()),
    }
}
