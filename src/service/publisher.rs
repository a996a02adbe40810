//! The background publisher of `zhanqun serve`: runs the persisted publish jobs
//! (`publish::incremental`) when an approval wakes it, when a scheduled job falls due, and once
//! at start (jobs left by a crash or a restart); then gives the sites it published the audit's
//! cheap checks. It lives here, above both `publish` and `audit`, so neither needs the other.

use std::sync::Arc;

use crate::project::Project;
use crate::publish::incremental;
use crate::search::SearchIndex;
use crate::store::now_unix;

/// The background publisher of `zhanqun serve`: runs due jobs when woken by an approval, when
/// a scheduled job falls due, and once at start (jobs left by a crash or a restart).
#[derive(Clone)]
pub struct Publisher {
    inner: Arc<Inner>,
}

struct Inner {
    wake: tokio::sync::Notify,
    requested: std::sync::atomic::AtomicU64,
    done: tokio::sync::watch::Sender<u64>,
}

/// Longest sleep between looks at the queue; jobs written by another node are found by then.
const IDLE_POLL: std::time::Duration = std::time::Duration::from_secs(30);
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

impl Publisher {
    /// Starts the publisher of `project`; after each run the sites published get the audit's
    /// cheap checks.
    pub fn spawn(project: Project, search: Option<Arc<SearchIndex>>) -> Publisher {
        let (themes, store, out) = (project.themes.clone(), project.store.clone(), project.paths.out.clone());
        let (done, _) = tokio::sync::watch::channel(0);
        let inner = Arc::new(Inner { wake: tokio::sync::Notify::new(), requested: 0.into(), done });
        let me = Publisher { inner: inner.clone() };
        tokio::spawn(async move {
            use std::sync::atomic::Ordering;
            // What this node held when it last stopped (a crash, a kill) is run now, not
            // after the claims run out.
            match store.release_claims(&incremental::node_name()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "publish jobs left by the previous run are taken up again"),
                Err(e) => tracing::warn!(error = %e, "could not take back this node's publish jobs"),
            }
            loop {
                let round = inner.requested.load(Ordering::SeqCst);
                // The group as it is now: the admin may have changed a site's columns.
                let group = project.group();
                let failed = match incremental::run_due(&group, &themes, &store, &out, search.as_ref()).await {
                    Ok(r) if r.jobs > 0 => {
                        crate::metrics::NODE.publish_runs.add(std::time::Duration::from_secs_f64(r.seconds));
                        crate::metrics::add(&crate::metrics::NODE.publish_jobs, r.jobs as u64);
                        tracing::info!(
                            jobs = r.jobs,
                            sites = r.sites,
                            files = r.files,
                            ms = (r.seconds * 1000.0) as u64,
                            "published"
                        );
                        match crate::audit::after_publish::check(&project, &r.site_ids).await {
                            Ok(0) => {}
                            Ok(n) => tracing::warn!(vetoes = n, "the check after publishing found new vetoes"),
                            Err(e) => tracing::warn!(error = %e, "the check after publishing failed"),
                        }
                        false
                    }
                    Ok(_) => false,
                    Err(e) => {
                        tracing::error!(error = %e, "publishing failed; the jobs stay queued and are retried");
                        true
                    }
                };
                inner.done.send_replace(round);
                let sleep = if failed {
                    RETRY_AFTER
                } else {
                    match store.next_job_due().await {
                        Ok(Some(due)) => std::time::Duration::from_secs(
                            (due - now_unix()).clamp(0, IDLE_POLL.as_secs() as i64) as u64,
                        ),
                        Ok(None) => IDLE_POLL,
                        Err(_) => RETRY_AFTER,
                    }
                };
                tokio::select! {
                    _ = inner.wake.notified() => {}
                    _ = tokio::time::sleep(sleep) => {}
                }
            }
        });
        me
    }

    /// Asks for a run and waits until one that started after this call has finished, or until
    /// `timeout`. Returns whether it finished in time.
    pub async fn publish_now(&self, timeout: std::time::Duration) -> bool {
        use std::sync::atomic::Ordering;
        let mine = self.inner.requested.fetch_add(1, Ordering::SeqCst) + 1;
        let mut rx = self.inner.done.subscribe();
        self.inner.wake.notify_one();
        tokio::time::timeout(timeout, rx.wait_for(|&d| d >= mine)).await.is_ok_and(|r| r.is_ok())
    }
}
