//! The cheap look of `zhanqun serve` for tampering (篡改): every few minutes each live release
//! is compared with its manifest by length, inode and modification time only (a `stat` per
//! file, no reading). A site where anything moved gets the full output check at once, which
//! compares every byte, reports each altered, added or removed file as a veto and announces
//! it like any new veto.

use std::time::Duration;

use crate::project::Project;
use crate::publish::manifest::{self, Depth};

/// How often `serve` looks.
pub const EVERY: Duration = Duration::from_secs(300);

/// The codes of the sites whose served files differ from their manifest by their metadata.
pub fn moved(project: &Project) -> std::io::Result<Vec<String>> {
    let out = &project.paths.out;
    let mut found = Vec::new();
    for site in &project.group().sites {
        if !out.join(&site.host).exists() {
            continue;
        }
        if manifest::check_live(out, &site.host, Depth::Stat)?.is_some_and(|d| !d.is_empty()) {
            found.push(site.code().to_string());
        }
    }
    Ok(found)
}

/// One look: the moved sites checked in full; returns their codes.
pub async fn look(project: &Project) -> anyhow::Result<Vec<String>> {
    let p = project.clone();
    let moved = tokio::task::spawn_blocking(move || moved(&p)).await??;
    if moved.is_empty() {
        return Ok(moved);
    }
    let rows = project.store.site_rows().await?;
    let ids: Vec<i64> = moved.iter().filter_map(|c| rows.get(c).map(|r| r.id)).collect();
    super::after_publish::check(project, &ids).await?;
    Ok(moved)
}
