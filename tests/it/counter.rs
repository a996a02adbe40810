//! The shared counter on every backend: exact totals under concurrency (with flushes running
//! at the same time), visitors per day, bots and prefetches, refused hits, and the last counts
//! written when `zhanqun serve` stops gracefully.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zhanqun::counter::hit::RawHit;

use crate::admin_fixture::{self as fx, Env, OWN};
use crate::common::{bin, free_port, healthy, http_get, temp_project};

const BROWSER: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d").to_string()
}

async fn totals(env: &Env, from: &str, to: &str) -> (i64, i64) {
    env.counter.flush(&env.project.store).await.unwrap();
    let t = env.project.store.site_totals(crate::common::whole_group(), env.sites[OWN], from, to).await.unwrap();
    (t.views, t.visitors)
}

/// Posts a beacon body with a User-Agent and client address; returns the status.
async fn post_hit(http: &reqwest::Client, env: &Env, body: &str, ip: &str, ua: &str) -> u16 {
    http.post(format!("{}/hit", env.base))
        .header("x-real-ip", ip)
        .header("user-agent", ua)
        .header("content-type", "text/plain;charset=UTF-8")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_are_exact_under_concurrency_and_bad_hits_are_refused() {
    for (label, env) in fx::envs(1800).await {
        let env = Arc::new(env);
        let http = reqwest::Client::new();
        let day = today();
        // 40 clients × 25 readers each, on two pages, all at once.
        let mut tasks = Vec::new();
        for c in 0..40 {
            let (env, http) = (env.clone(), http.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..25 {
                    let page = if i % 2 == 0 { "/" } else { "/gzdt/" };
                    let body = format!(r#"{{"s":"{OWN}","p":"{page}","t":"首页","r":"https://www.baidu.com/s?wd=x"}}"#);
                    assert_eq!(post_hit(&http, &env, &body, &format!("10.9.{c}.{i}"), BROWSER).await, 204);
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(totals(&env, &day, &day).await, (1000, 1000), "{label}: every accepted hit, once");
        let refs = env
            .project
            .store
            .site_referrers(crate::common::whole_group(), env.sites[OWN], &day, &day, 20)
            .await
            .unwrap();
        assert_eq!(refs, [("www.baidu.com".to_string(), 1000)], "{label}");

        // The <noscript> image counts too.
        let (s, _, _) = http_get(
            env.port,
            "x",
            &format!("/hit?s={OWN}&p=%2Fgzdt%2F"),
            &format!("User-Agent: {BROWSER}\r\nX-Real-IP: 10.8.0.1\r\n"),
        );
        assert_eq!(s, 204);
        // Crawlers, scripts, prefetches and hammering: answered, not counted.
        let home = format!(r#"{{"s":"{OWN}","p":"/"}}"#);
        assert_eq!(post_hit(&http, &env, &home, "10.7.0.1", "Mozilla/5.0 (compatible; Baiduspider/2.0)").await, 204);
        assert_eq!(post_hit(&http, &env, &home, "10.7.0.2", "curl/8.0").await, 204);
        let prefetch = http
            .post(format!("{}/hit", env.base))
            .header("x-real-ip", "10.7.0.3")
            .header("user-agent", BROWSER)
            .header("sec-purpose", "prefetch")
            .body(home.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(prefetch.status().as_u16(), 204);
        for _ in 0..20 {
            assert_eq!(post_hit(&http, &env, &home, "10.7.0.4", BROWSER).await, 204);
        }
        assert_eq!(totals(&env, &day, &day).await, (1002, 1002), "{label}: the image and one of the 20 repeats");

        // Refused: unknown site or page, bad shapes, too large, wrong method.
        for body in [
            r#"{"s":"nosuch","p":"/"}"#.to_string(),
            format!(r#"{{"s":"{OWN}","p":"/no/such/page.html"}}"#),
            format!(r#"{{"s":"{OWN}","p":"/static/style.css"}}"#),
            format!(r#"{{"s":"{OWN}","p":"/../../etc/passwd"}}"#),
            format!(r#"{{"s":"{OWN}","p":"/","t":"{}"}}"#, "长".repeat(300)),
            "not json".to_string(),
            String::new(),
        ] {
            assert_eq!(post_hit(&http, &env, &body, "10.6.0.1", BROWSER).await, 400, "{label}: {body}");
        }
        let huge = format!(r#"{{"s":"{OWN}","p":"/","t":"{}"}}"#, "x".repeat(10_000));
        assert_eq!(post_hit(&http, &env, &huge, "10.6.0.1", BROWSER).await, 413, "{label}");
        for method in [reqwest::Method::PUT, reqwest::Method::DELETE] {
            let r = http.request(method, format!("{}/hit", env.base)).body(home.clone()).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 405, "{label}");
        }
        assert_eq!(totals(&env, &day, &day).await, (1002, 1002), "{label}: nothing refused was counted");
    }
}

/// Eight threads count while another flushes: the stored total is exactly what was accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_flushes_lose_and_double_nothing() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    let counter = env.counter.clone();
    let now = zhanqun::store::now_unix();
    let writers: Vec<_> = (0..8)
        .map(|t| {
            let counter = counter.clone();
            std::thread::spawn(move || {
                let hit =
                    RawHit { site: OWN.into(), path: "/".into(), title: String::new(), referrer_host: String::new() };
                (0..5000).filter(|i| counter.record(&hit, &format!("t{t}-{i}"), BROWSER, now).is_ok()).count()
            })
        })
        .collect();
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(300) {
        env.counter.flush(&env.project.store).await.unwrap();
    }
    let accepted: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    let day = today();
    assert_eq!(accepted, 40_000);
    assert_eq!(totals(env, &day, &day).await, (40_000, 40_000), "{label}");

    // The flush at shutdown comes while the periodic one is writing: when it returns, both
    // batches are in the database (the process exits right after it).
    let hit = RawHit { site: OWN.into(), path: "/gzdt/".into(), title: String::new(), referrer_host: String::new() };
    for i in 0..5000 {
        counter.record(&hit, &format!("late-{i}"), BROWSER, now).unwrap();
    }
    let (c, store) = (counter.clone(), env.project.store.clone());
    let periodic = tokio::spawn(async move { c.flush(&store).await.unwrap() });
    tokio::task::yield_now().await;
    counter.flush(&env.project.store).await.unwrap();
    let stored = env.project.store.site_totals(crate::common::whole_group(), env.sites[OWN], &day, &day).await.unwrap();
    assert_eq!(stored.views, 45_000, "{label}: the final flush waited for the one under way");
    periodic.await.unwrap();
}

/// SIGTERM: the server stops taking requests, then writes the last counts before it exits.
#[test]
fn a_graceful_stop_writes_the_last_second() {
    let tmp = temp_project();
    let dir = tmp.path();
    let port = free_port();
    let mut serve = Command::new(bin())
        .current_dir(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--demo-articles", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !healthy(port) {
        assert!(started.elapsed() < Duration::from_secs(120), "serve did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    for i in 0..50 {
        let headers = format!("User-Agent: {BROWSER}\r\nX-Real-IP: 10.5.0.{i}\r\n");
        assert_eq!(http_get(port, "x", "/hit?s=fgw&p=%2F", &headers).0, 204);
    }
    let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
    assert!(serve.wait().unwrap().success(), "serve stops cleanly on SIGTERM");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = zhanqun::store::Store::open(&dir.join("data/zhanqun.db").display().to_string()).await.unwrap();
        let id = store.site_rows().await.unwrap()["fgw"].id;
        let day = today();
        let t = store.site_totals(crate::common::whole_group(), id, &day, &day).await.unwrap();
        assert_eq!((t.views, t.visitors), (50, 50), "all 50 hits are in the database after the stop");
    });
}
