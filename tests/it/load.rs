//! A busy office on one service, bounded in time: editors writing and submitting, reviewers
//! approving, readers' counter hits and the counter's flush every second, all at once against
//! the real router on each backend. Counts every 5xx and every accepted write that did not
//! land; both must be zero. Run with `--nocapture` to see the figures.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::admin_fixture::{self as fx, signed_in, OWN};

/// How long each backend is loaded.
const LOAD: Duration = Duration::from_secs(8);
const EDITORS: usize = 12;

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    server_errors: AtomicU64,
    conflicts: AtomicU64,
}

impl Tally {
    fn saw(&self, status: u16) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if status >= 500 {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
        } else if status == 409 {
            self.conflicts.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_reviewers_and_readers_at_once_lose_nothing() {
    for (label, env) in fx::envs(1800).await {
        zhanqun::service::flush_counts(env.counter.clone(), env.project.store.clone());
        let tally = Arc::new(Tally::default());
        // Accepted saves: (article, the title the editor was last told was saved).
        let saved: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
        let approved: Arc<Mutex<Vec<i64>>> = Arc::default();
        let (submitted_tx, submitted_rx) = tokio::sync::mpsc::unbounded_channel::<i64>();
        let submitted_rx = Arc::new(tokio::sync::Mutex::new(submitted_rx));
        // Everyone signs in before the load's time starts: a sign-in hashes a password, which
        // takes a while in a debug build on a busy machine.
        let mut editors = Vec::new();
        for e in 0..EDITORS {
            editors.push(signed_in(&env, if e % 2 == 0 { "ed1" } else { "ed2" }).await);
        }
        let reviewers = [signed_in(&env, "rv1").await, signed_in(&env, "rv2").await];
        let until = Instant::now() + LOAD;
        let mut tasks = Vec::new();
        for (e, ed) in editors.into_iter().enumerate() {
            let (tally, saved, submitted) = (tally.clone(), saved.clone(), submitted_tx.clone());
            tasks.push(tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < until {
                    n += 1;
                    let title = format!("负载{e}-{n}");
                    let (s, loc) = ed
                        .post("/admin/articles", &[("title", title.as_str()), ("column", "gzdt"), ("body", "正文")])
                        .await;
                    tally.saw(s);
                    if s != 303 {
                        continue;
                    }
                    let id = fx::article_id(&loc);
                    saved.lock().unwrap().push((id, title.clone()));
                    let title = format!("{title}（改）");
                    let form =
                        [("title", title.as_str()), ("column", "gzdt"), ("body", "改过的正文"), ("intent", "submit")];
                    let (s, _) = ed.post(&format!("/admin/articles/{id}"), &form).await;
                    tally.saw(s);
                    if s == 303 {
                        saved.lock().unwrap().push((id, title));
                        let _ = submitted.send(id);
                    }
                }
            }));
        }
        drop(submitted_tx);
        for rv in reviewers {
            let (tally, approved, queue) = (tally.clone(), approved.clone(), submitted_rx.clone());
            tasks.push(tokio::spawn(async move {
                // Each approval waits (up to 5 s) for its page to go live, so the queue is not
                // drained: what is still submitted at the end stays submitted.
                while Instant::now() < until {
                    let next =
                        tokio::time::timeout(Duration::from_millis(500), async { queue.lock().await.recv().await });
                    let id = match next.await {
                        Ok(Some(id)) => id,
                        Ok(None) => break,
                        Err(_) => continue,
                    };
                    let (s, _) = rv
                        .post(&format!("/admin/articles/{id}/approve"), &[("comment", "同意"), ("secrecy", "1")])
                        .await;
                    tally.saw(s);
                    if s == 303 {
                        approved.lock().unwrap().push(id);
                    }
                }
            }));
        }
        let hits = Arc::new(AtomicU64::new(0));
        for reader in 0..2 {
            let (tally, hits, base) = (tally.clone(), hits.clone(), env.base.clone());
            tasks.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut i = 0u32;
                while Instant::now() < until {
                    i += 1;
                    let body = format!(r#"{{"s":"{OWN}","p":"/","t":"","r":""}}"#);
                    let s = http
                        .post(format!("{base}/hit"))
                        .header("x-real-ip", format!("10.{reader}.{}.{}", (i >> 8) & 255, i & 255))
                        .header("user-agent", "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0")
                        .header("content-type", "text/plain;charset=UTF-8")
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(599);
                    tally.saw(s);
                    if s == 204 {
                        hits.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        env.counter.flush(&env.project.store).await.unwrap();

        // Every accepted save is the article's latest words (or was approved on).
        let saved = std::mem::take(&mut *saved.lock().unwrap());
        let mut last = std::collections::HashMap::new();
        for (id, title) in &saved {
            last.insert(*id, title.clone());
        }
        let mut lost = 0;
        for (id, title) in &last {
            let row = sqlx::query(
                "SELECT COALESCE(w.title, l.title) FROM articles a LEFT JOIN revisions w ON w.id = a.work_revision_id
                 LEFT JOIN revisions l ON l.id = a.published_revision_id WHERE a.id = $1",
            )
            .bind(id)
            .fetch_one(env.project.store.pool())
            .await
            .unwrap();
            let stored: Option<String> = row.try_get(0).unwrap();
            if stored.as_deref() != Some(title.as_str()) {
                lost += 1;
                eprintln!("{label}: article {id} holds {stored:?}, the editor was told {title:?} was saved");
            }
        }
        let approved = std::mem::take(&mut *approved.lock().unwrap());
        for id in &approved {
            let row = sqlx::query("SELECT status FROM articles WHERE id = $1")
                .bind(id)
                .fetch_one(env.project.store.pool())
                .await
                .unwrap();
            if row.try_get::<String, _>(0).unwrap() != "published" {
                lost += 1;
                eprintln!("{label}: article {id} was approved but is not published");
            }
        }
        let day = zhanqun::interaction::deadline::beijing_day(zhanqun::store::now_unix()).to_string();
        let stored_views = env
            .project
            .store
            .site_totals(crate::common::whole_group(), env.sites[OWN], &day, &day)
            .await
            .unwrap()
            .views;
        let (requests, errors, conflicts) = (
            tally.requests.load(Ordering::Relaxed),
            tally.server_errors.load(Ordering::Relaxed),
            tally.conflicts.load(Ordering::Relaxed),
        );
        println!(
            "load {label}: {requests} requests in {}s ({EDITORS} editors, 2 reviewers, 2 readers): {} saves, {} approvals, \
             {} hits ({stored_views} views stored), {errors} answered 5xx, {conflicts} answered 409, {lost} writes lost",
            LOAD.as_secs(),
            saved.len(),
            approved.len(),
            hits.load(Ordering::Relaxed),
        );
        assert_eq!(errors, 0, "{label}: 5xx under load");
        assert_eq!(lost, 0, "{label}: accepted writes lost");
        assert!(saved.len() >= EDITORS && !approved.is_empty(), "{label}: the load did work");
        assert!(stored_views > 0, "{label}: hits were counted");
    }
}
