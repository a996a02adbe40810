//! What `zhanqun serve` runs beside answering requests. Every background loop of the service
//! is started here, in one list, so an operator reading this file knows all the service does
//! on its own:
//!
//! | loop | how often | what |
//! |---|---|---|
//! | publisher | on approval, when a job falls due, at least every 30 s | due publish jobs, then the after-publish check |
//! | counter | every second | the counted hits into the database |
//! | mail | every 10 s (only with SMTP) | queued notices out by mail |
//! | reminders | every 10 min | message deadline reminders and overdue notices |
//! | daily audit | every 10 min, runs once a day from 06:00 | the whole group audited and stored |
//! | tamper look | every 5 min | served files compared with what was published (metadata); a site that moved is checked byte for byte |
//! | availability | `audit.availability.per_day` times a day (only with a `base`) | every home page asked through nginx, the answers stored |
//! | search | at start, then every 10 min | the index brought in line with the database |
//! | sign-in records | every 10 min | expired sessions and old login failures forgotten |

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
    let publisher = Publisher::spawn(project.clone(), Some(index.clone()));
    flush_counts(counter, project.store.clone());
    if let Some(smtp) = &project.smtp {
        let mailer = crate::mail::Mailer::new(smtp)?;
        send_mail(project.store.clone(), Arc::new(mailer));
    }
    reminders::spawn(project.clone());
    daily_audit(project.clone());
    look_for_tampering(project.clone());
    probe_availability(project.clone())?;
    keep_index_reconciled(index, project.store.clone());
    expire_sign_in_records(project.store.clone(), idle_seconds);
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

/// How often the mail queue is looked at.
const MAIL_POLL: Duration = Duration::from_secs(10);

/// Sends queued mail, oldest first, for as long as the service runs.
fn send_mail(store: Store, mailer: Arc<crate::mail::Mailer>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = crate::mail::send_due(&store, &mailer).await {
                tracing::warn!(error = %e, "could not read the mail queue");
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
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = crate::audit::availability::round(&project, &client, &settings, interval / 2).await {
                tracing::warn!(error = %e, "could not store the availability probes");
            }
        }
    });
    Ok(())
}

/// Looks every ten minutes whether the day's audit is due (`audit::schedule`), so a service
/// started late or restarted runs it once, not twice.
fn daily_audit(project: Project) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = crate::audit::schedule::run_if_due(&project).await {
                tracing::error!(error = %e, "the daily audit failed; it is tried again in ten minutes");
            }
        }
    });
}

/// Brings the index in line with the database at start (a first run, a crash, articles
/// imported or published by another process) and every 10 minutes after. The publisher keeps
/// it exact between those runs.
fn keep_index_reconciled(index: Arc<SearchIndex>, store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let (ix, st, rt) = (index.clone(), store.clone(), tokio::runtime::Handle::current());
            match tokio::task::spawn_blocking(move || crate::search::sync::reconcile(&ix, &st, &rt)).await {
                Ok(Ok(r)) if r.rebuilt => {
                    tracing::info!(articles = r.added, seconds = r.seconds, "search index built")
                }
                Ok(Ok(r)) if r.added + r.removed > 0 => {
                    tracing::info!(added = r.added, removed = r.removed, "search index caught up with the database")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "could not bring the search index up to date"),
                Err(e) => tracing::error!(error = %e, "search index reconciliation stopped"),
            }
        }
    });
}

/// Old login failures and idle sessions are only ever read within their windows; forget them
/// now and then so the tables stay small.
fn expire_sign_in_records(store: Store, idle_seconds: i64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = store.expire_auth_records(idle_seconds).await {
                tracing::warn!(error = %e, "could not expire old sessions and login failures");
            }
        }
    });
}
