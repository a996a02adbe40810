//! A node's own publish folder kept in step with every other node (`serve --own-folder`), for
//! nodes that each serve their own disk instead of one shared folder.
//!
//! Every finished publish job, and every full build, is logged with its site and node
//! (`store::publish_log`). A node with its own folder publishes what it claims into its folder
//! as any node does, and replays, every half second, the entries other nodes logged: the same
//! jobs rendered from the database into its own folder (a whole-site entry builds the site
//! whole). A job is rendered from what the database holds when it is replayed, never older
//! than what the node that ran it saw, so the folders converge on the same pages.
//!
//! The node keeps its position in the database. A restart replays from there; a new node, one
//! away longer than the log keeps, or a folder without the portal is built whole first.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use super::{incremental, PublishError};
use crate::project::Project;
use crate::store::jobs::Job;
use crate::store::now_unix;

/// How often the log is read.
pub const POLL: Duration = Duration::from_millis(500);

/// How often a quiet node confirms its position, so that a group with nothing published for
/// days does not make a running node look away too long to replay from.
pub const CONFIRM_EVERY: Duration = Duration::from_secs(600);

/// Entries applied per round trip.
const BATCH: i64 = 1000;

pub struct FolderFollower {
    node: String,
    out: PathBuf,
    /// The last entry applied.
    position: i64,
}

/// What `start` did to bring the folder in step.
#[derive(Debug, Clone, Copy)]
pub enum Started {
    /// Every site built into the folder (no position to replay from).
    Built(super::BuildSummary),
    /// The entries since the kept position replayed; the number of sites published.
    Replayed(usize),
}

/// Brings this node's own folder in step, as `incremental::node_name()`.
pub async fn start(
    project: &Project,
    nginx: Option<super::NginxOptions>,
) -> Result<(FolderFollower, Started), PublishError> {
    start_as(&incremental::node_name(), project, nginx).await
}

/// Brings the folder of `node` in step: replays the log from the position it kept, or builds
/// every site into the folder when there is none to trust. The position is kept in the
/// database before returning. `nginx` is written with a whole build (None leaves it).
pub async fn start_as(
    node: &str,
    project: &Project,
    nginx: Option<super::NginxOptions>,
) -> Result<(FolderFollower, Started), PublishError> {
    let (store, node) = (&project.store, node.to_string());
    let portal_live = project.paths.out.join(&project.group().portal().host).exists();
    let kept = store.folder_position(&node, now_unix()).await?.filter(|_| portal_live);
    let mut follower = FolderFollower { node, out: project.paths.out.clone(), position: 0 };
    let started = match kept {
        Some(position) => {
            follower.position = position;
            Started::Replayed(follower.catch_up(project).await?)
        }
        None => {
            // The head is read first: entries logged during the build may be newer than what
            // it read, and are replayed after it (harmless when they are not).
            let head = store.publish_log_head().await?;
            let mut opts = project.build_options(Vec::new(), false, nginx);
            opts.settle_jobs = false;
            let summary = project.build(&opts).await?;
            follower.position = head;
            follower.catch_up(project).await?;
            Started::Built(summary)
        }
    };
    follower.confirm(project).await?;
    Ok((follower, started))
}

impl FolderFollower {
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Records the position as current (see `CONFIRM_EVERY`).
    pub async fn confirm(&self, project: &Project) -> Result<(), PublishError> {
        Ok(project.store.keep_folder_position(&self.node, self.position, now_unix()).await?)
    }

    /// Publishes into this node's folder what other nodes logged since the last round; returns
    /// the number of sites published. An entry is replayed by rendering from the database, so
    /// replaying one twice does no harm; on an error the position stays and the round is
    /// replayed whole.
    pub async fn catch_up(&mut self, project: &Project) -> Result<usize, PublishError> {
        let store = &project.store;
        let mut published = 0;
        loop {
            let entries = store.publish_log_after(self.position, BATCH).await?;
            let Some(last) = entries.last().map(|e| e.seq) else { return Ok(published) };
            // The sites other nodes published (whether one was built whole), and their jobs.
            let mut sites: BTreeMap<i64, bool> = BTreeMap::new();
            let mut ids = Vec::new();
            for entry in entries.iter().filter(|e| e.node != self.node) {
                let whole = sites.entry(entry.site_id).or_default();
                match entry.job {
                    Some(job) => ids.push(job),
                    None => *whole = true,
                }
            }
            if !sites.is_empty() {
                let mut jobs: HashMap<i64, Vec<Job>> = HashMap::new();
                for job in store.jobs_by_id(&ids).await? {
                    jobs.entry(job.site_id).or_default().push(job);
                }
                let rows = store.site_rows().await?;
                let group = project.group();
                for (site_id, whole) in sites {
                    let mut replay = jobs.remove(&site_id).unwrap_or_default();
                    if whole {
                        replay.push(Job {
                            id: 0,
                            site_id,
                            article_id: None,
                            old_path: None,
                            old_column: None,
                            old_list_at: None,
                            due_at: 0,
                            whole: true,
                        });
                    }
                    let Some((site, row)) =
                        rows.values().find(|r| r.id == site_id).and_then(|r| Some((group.site(&r.code)?, r)))
                    else {
                        continue; // a site no longer in the group is not served
                    };
                    incremental::publish_site(&group, &project.themes, store, &self.out, None, site, row, &replay)
                        .await?;
                    published += 1;
                }
            }
            self.position = last;
            self.confirm(project).await?;
            if (entries.len() as i64) < BATCH {
                return Ok(published);
            }
        }
    }
}
