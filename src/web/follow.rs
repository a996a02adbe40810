//! Operators edit `sites/*.yaml` while the service runs: a 哀悼日 in `group.yaml`, a site's
//! short names or contact. The service looks at the files' times every few seconds and, when
//! one changed, loads the whole group again; a group that does not load is reported and the
//! service keeps the one it has. The database follows (`Store::sync_group`, which queues a
//! whole-site publish for every site whose definition changed) and the search pages are made
//! again. The admin's column editor takes its own changes in at once and needs none of this.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::AppState;
use crate::group::Group;

const EVERY: Duration = Duration::from_secs(2);

/// Runs until the service stops.
pub async fn follow_sites(state: AppState) {
    let dir = state.project.paths.sites.clone();
    let mut seen = newest_change(&dir);
    loop {
        tokio::time::sleep(EVERY).await;
        let now = newest_change(&dir);
        if now == seen {
            continue;
        }
        seen = now;
        let (sites, themes) = (dir.clone(), state.project.paths.themes.clone());
        let loaded = tokio::task::spawn_blocking(move || Group::load(&sites, Some(&themes))).await;
        let group = match loaded {
            Ok(Ok(g)) => g,
            Ok(Err(problems)) => {
                tracing::warn!("sites/ changed but does not load; the service keeps the group it has:\n{problems}");
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "loading sites/ failed");
                continue;
            }
        };
        if let Err(e) = state.project.store.sync_group(&group).await {
            tracing::warn!(error = %e, "the database could not follow the changed sites/");
            continue;
        }
        state.project.replace_group(group);
        if let Some(search) = &state.search {
            if let Err(e) = search.refresh_pages(&state.project.group(), &state.project.themes) {
                tracing::warn!(error = %e, "search pages could not be made again");
            }
        }
        tracing::info!("sites/ changed: the service now runs the group as written");
    }
}

/// The latest modification time among the YAML files of `dir` (and the count, so a removed
/// file counts as a change too).
fn newest_change(dir: &Path) -> (Option<SystemTime>, usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return (None, 0) };
    let mut newest = None;
    let mut n = 0;
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("yaml") {
            continue;
        }
        n += 1;
        if let Ok(t) = e.metadata().and_then(|m| m.modified()) {
            newest = newest.max(Some(t));
        }
    }
    (newest, n)
}
