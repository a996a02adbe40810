//! What `zhanqun serve` runs beside answering requests. Every background loop of the service
//! is started here, in one list, so an operator reading this file knows all the service does
//! on its own:
//!
//! | loop | how often | what | with several nodes |
//! |---|---|---|---|
//! | publisher | on approval, when a job falls due, at least every 30 s | due publish jobs, then the after-publish check | each job claimed by one node |
//! | counter | every second | the counted hits into the database | every node its own hits (additive) |
//! | mail | every 10 s (only with SMTP) | queued notices out by mail | one node (lease `mail`) |
//! | reminders | every 10 min | message deadline reminders and overdue notices | one node (lease `reminders`) |
//! | daily audit | every 10 min, runs once a day from 06:00 | the whole group audited and stored | one node (lease `audit`) |
//! | tamper look | every 5 min | served files compared with what was published (metadata); a site that moved is checked byte for byte | every node its own files |
//! | availability | `audit.availability.per_day` times a day (only with a `base`) | every home page asked through nginx, the answers stored | one node (lease `availability`) |
//! | own folder | every 0.5 s from the publish log (only with `--own-folder`) | other nodes' publishes rendered into this node's own folder | every node its own folder |
//! | search | every 0.5 s from the search log; at start and every 10 min against the database | the node's own index follows every publish of any node | every node its own index |
//! | heartbeat | every 5 s | this node's lease `node:<name>`, so others know it is alive | every node its own |
//! | pruning | every 10 min | expired sessions, old login failures, old search and publish log entries forgotten | one node (lease `prune`) |
//!
//! A lease (`store::leases`) is renewed by its holder every round and outlives a round by a
//! margin; when its node dies, another takes the work over once it runs out.

pub mod publisher;
pub mod reminders;

use std::sync::Arc;
use std::time::Duration;

use crate::counter::Counter;
use crate::project::Project;
use crate::search::SearchIndex;
use crate::store::Store;
pub use publisher::Publisher;

/// Starts every loop of the table above; returns the publisher, which the admin wakes.
pub fn start(
    project: &Project,
    index: Arc<SearchIndex>,
    counter: Arc<Counter>,
    idle_seconds: i64,
) -> anyhow::Result<Publisher> {
    beat(project.store.clone());
    let publisher = Publisher::spawn(project.clone(), Some(index.clone()));
    flush_counts(counter, project.store.clone());
    if let Some(smtp) = &project.smtp {
        let mailer = crate::mail::Mailer::new(smtp)?;
        send_mail(project.store.clone(), Arc::new(mailer));
    }
    reminders::spawn(project.clone(), node());
    daily_audit(project.clone());
    look_for_tampering(project.clone());
    probe_availability(project.clone())?;
    keep_index_current(index, project.store.clone());
    if project.own_folder {
        keep_folder_in_step(project.clone());
    }
    prune(project.store.clone(), idle_seconds);
    Ok(publisher)
}

/// Flushes once a second until the process ends; `zhanqun serve` flushes once more after the
/// server has stopped taking requests.
pub fn flush_counts(counter: Arc<Counter>, store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = counter.flush(&store).await {
                tracing::warn!(error = %e, "could not write the counts; they are kept and written with the next batch");
            }
        }
    });
}

/// The name this node takes leases and publish jobs under (`ZHANQUN_NODE`, else the host).
pub fn node() -> String {
    crate::publish::incremental::node_name()
}

/// Whether this node does the shared work `lease` this round: it takes or renews the lease for
/// `hold`. A database that cannot be asked means "not this round".
pub async fn my_turn(store: &Store, lease: &str, node: &str, hold: Duration) -> bool {
    match store.take_lease(lease, node, crate::store::now_unix(), hold.as_secs() as i64).await {
        Ok(mine) => mine,
        Err(e) => {
            tracing::warn!(error = %e, lease, "could not take the lease; this round is skipped");
            false
        }
    }
}

/// How often a node renews its heartbeat, and how long one lasts: a node silent for longer is
/// taken for dead and its claimed publish jobs go to another.
const BEAT_EVERY: Duration = Duration::from_secs(5);
const BEAT_HOLD: Duration = Duration::from_secs(15);

/// Renews this node's heartbeat lease for as long as the service runs.
fn beat(store: Store) {
    let node = node();
    let lease = crate::store::leases::heartbeat(&node);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(BEAT_EVERY);
        loop {
            tick.tick().await;
            // Only its own node ever holds it; a failure to renew is logged by my_turn.
            my_turn(&store, &lease, &node, BEAT_HOLD).await;
        }
    });
}

/// How often the mail queue is looked at.
const MAIL_POLL: Duration = Duration::from_secs(10);
/// The mail lease outlasts the longest round (50 messages at the SMTP timeout of 20 s), so no
/// other node starts sending the same messages while a slow round goes on.
const MAIL_HOLD: Duration = Duration::from_secs(20 * 60);

/// Sends queued mail, oldest first, for as long as the service runs; one node at a time, so
/// no mail goes out twice.
fn send_mail(store: Store, mailer: Arc<crate::mail::Mailer>) {
    let node = node();
    tokio::spawn(async move {
        loop {
            if my_turn(&store, "mail", &node, MAIL_HOLD).await {
                if let Err(e) = crate::mail::send_due(&store, &mailer).await {
                    tracing::warn!(error = %e, "could not read the mail queue");
                }
            }
            tokio::time::sleep(MAIL_POLL).await;
        }
    });
}

/// Compares the served files with their manifests every few minutes (`audit::tamper`).
fn look_for_tampering(project: Project) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(crate::audit::tamper::EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match crate::audit::tamper::look(&project).await {
                Ok(moved) if !moved.is_empty() => tracing::warn!(?moved, "served files differ from what was published"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not compare the served files with what was published"),
            }
        }
    });
}

/// Probes every home page through nginx, `per_day` rounds a day, each round spread over half
/// its interval (`audit::availability`); nothing without a configured base.
fn probe_availability(project: Project) -> anyhow::Result<()> {
    let settings = project.group().def.audit.availability.clone();
    if settings.base.is_none() && settings.base_v6.is_none() {
        return Ok(());
    }
    let client = crate::audit::availability::client(&settings)?;
    let interval = Duration::from_secs(86_400 / u64::from(settings.per_day.max(1)));
    let node = node();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if !my_turn(&project.store, "availability", &node, interval * 2).await {
                continue;
            }
            if let Err(e) = crate::audit::availability::round(&project, &client, &settings, interval / 2).await {
                tracing::warn!(error = %e, "could not store the availability probes");
            }
        }
    });
    Ok(())
}

/// How long the daily audit's lease lasts: longer than an audit of the whole group takes, so
/// that no node starts a second one while the first runs.
const AUDIT_HOLD: Duration = Duration::from_secs(2 * 3600);

/// Looks every ten minutes whether the day's audit is due (`audit::schedule`), so a service
/// started late or restarted runs it once, not twice; with several nodes, the holder of the
/// lease `audit` looks.
fn daily_audit(project: Project) {
    let node = node();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if !my_turn(&project.store, "audit", &node, AUDIT_HOLD).await {
                continue;
            }
            if let Err(e) = crate::audit::schedule::run_if_due(&project).await {
                tracing::error!(error = %e, "the daily audit failed; it is tried again in ten minutes");
            }
        }
    });
}

/// How often the index is compared with the whole database besides following the log.
const RECONCILE_EVERY: Duration = Duration::from_secs(600);

/// Keeps this node's index current (`search::follow`): reconciled with the database at start
/// and every ten minutes, and following the search log in between.
fn keep_index_current(index: Arc<SearchIndex>, store: Store) {
    tokio::spawn(async move {
        // The head is read before reconciling: entries after it may be newer than what the
        // reconciliation saw, and are applied again (harmless).
        let head = loop {
            match store.search_log_head().await {
                Ok(head) => break head,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the search log; trying again");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        };
        reconcile(&index, &store).await;
        let mut follower = crate::search::follow::Follower::from(index.clone(), store.clone(), head);
        let mut reconciled = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(crate::search::follow::POLL).await;
            if let Err(e) = follower.catch_up().await {
                tracing::warn!(error = %e, "could not follow the search log; trying again");
            }
            if reconciled.elapsed() >= RECONCILE_EVERY {
                reconcile(&index, &store).await;
                reconciled = tokio::time::Instant::now();
            }
        }
    });
}

/// Brings the index in line with the database (a first run, a crash, articles imported or
/// falling due without a job).
async fn reconcile(index: &Arc<SearchIndex>, store: &Store) {
    let (ix, st, rt) = (index.clone(), store.clone(), tokio::runtime::Handle::current());
    match tokio::task::spawn_blocking(move || crate::search::sync::reconcile(&ix, &st, &rt)).await {
        Ok(Ok(r)) if r.rebuilt => tracing::info!(articles = r.added, seconds = r.seconds, "search index built"),
        Ok(Ok(r)) if r.added + r.removed > 0 => {
            tracing::info!(added = r.added, removed = r.removed, "search index caught up with the database")
        }
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "could not bring the search index up to date"),
        Err(e) => tracing::error!(error = %e, "search index reconciliation stopped"),
    }
}

/// Renders into this node's own folder what the other nodes publish (`publish::follow`).
/// `zhanqun serve` has brought the folder in step before starting, so this resumes from the
/// position it kept.
fn keep_folder_in_step(project: Project) {
    use crate::publish::follow;
    tokio::spawn(async move {
        let mut follower = loop {
            match follow::start(&project, None).await {
                Ok((follower, _)) => break follower,
                Err(e) => {
                    tracing::warn!(error = %e, "could not bring this node's folder in step; trying again");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        };
        let mut confirmed = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(follow::POLL).await;
            match follower.catch_up(&project).await {
                Ok(0) => {}
                Ok(sites) => tracing::info!(sites, "published into this node's folder what other nodes published"),
                Err(e) => {
                    // Retried from the same position; not twice a second while it keeps failing.
                    tracing::warn!(error = %e, "could not follow the other nodes' publishes; trying again in 5 s");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
            if confirmed.elapsed() >= follow::CONFIRM_EVERY {
                match follower.confirm(&project).await {
                    Ok(()) => confirmed = tokio::time::Instant::now(),
                    Err(e) => tracing::warn!(error = %e, "could not confirm this node's publish log position"),
                }
            }
        }
    });
}

/// Old login failures, idle sessions and old search and publish log entries are only ever read
/// within their windows; forget them now and then so the tables stay small.
fn prune(store: Store, idle_seconds: i64) {
    let node = node();
    tokio::spawn(async move {
        let every = Duration::from_secs(600);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if !my_turn(&store, "prune", &node, every * 3).await {
                continue;
            }
            if let Err(e) = store.expire_auth_records(idle_seconds).await {
                tracing::warn!(error = %e, "could not expire old sessions and login failures");
            }
            let before = crate::store::now_unix() - crate::store::search_log::KEEP_SECONDS;
            if let Err(e) = store.prune_search_log(before).await {
                tracing::warn!(error = %e, "could not forget old search log entries");
            }
            let before = crate::store::now_unix() - crate::store::publish_log::KEEP_SECONDS;
            if let Err(e) = store.prune_publish_log(before).await {
                tracing::warn!(error = %e, "could not forget old publish log entries");
            }
        }
    });
}
