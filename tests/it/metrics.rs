//! `/metrics`: the figures in Prometheus' text format, scraped from the internal address; a
//! request relayed by nginx gets nothing.

use crate::admin_fixture::{envs, publish_article, signed_in, OWN};

/// The value of the sample `name` (no labels) in a scrape.
fn value(scrape: &str, name: &str) -> f64 {
    scrape
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no sample {name} in:\n{scrape}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_is_scraped_from_inside_only() {
    for (label, env) in envs(3600).await {
        let http = reqwest::Client::new();
        let scrape = || async {
            let r = http.get(format!("{}/metrics", env.base)).send().await.unwrap();
            let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            (r.status().as_u16(), kind, r.text().await.unwrap())
        };
        let (status, kind, before) = scrape().await;
        assert_eq!(status, 200, "{label}");
        assert!(kind.starts_with("text/plain; version=0.0.4"), "{label}: {kind}");
        for line in before.lines() {
            let sample = line.split_whitespace().count() == 2 && line.starts_with("zhanqun_");
            assert!(
                line.starts_with("# HELP zhanqun_") || line.starts_with("# TYPE zhanqun_") || sample,
                "{label}: {line}"
            );
        }
        assert_eq!(value(&before, "zhanqun_publish_queue_depth"), 0.0, "{label}");

        // An approval published, a hit counted, a search answered: each shows.
        let editor = signed_in(&env, "ed1").await;
        let reviewer = signed_in(&env, "rv1").await;
        publish_article(&editor, &[&reviewer], "监控指标测试稿件", "gzdt").await;
        let hit = http
            .post(format!("{}/hit", env.base))
            .header("x-real-ip", "10.50.0.1")
            .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36")
            .body(format!(r#"{{"s":"{OWN}","p":"/"}}"#))
            .send()
            .await
            .unwrap();
        assert_eq!(hit.status().as_u16(), 204);
        let found = http.get(format!("{}/api/search?q=监控指标", env.base)).send().await.unwrap();
        assert_eq!(found.status().as_u16(), 200);
        let (_, _, after) = scrape().await;
        // The counts of this process are shared with the other tests running beside: they
        // only grow.
        for (name, by) in [
            ("zhanqun_approvals_total", 1.0),
            ("zhanqun_publish_jobs_total", 1.0),
            ("zhanqun_publish_seconds_count", 1.0),
            ("zhanqun_hits_total", 1.0),
            ("zhanqun_search_seconds_count", 1.0),
        ] {
            assert!(value(&after, name) >= value(&before, name) + by, "{label}: {name}\n{before}\n{after}");
        }
        assert!(value(&after, "zhanqun_publish_seconds_sum") > 0.0, "{label}");

        // Relayed by nginx (it sets X-Real-IP): a public request, answered as if nothing were there.
        for header in ["x-real-ip", "x-forwarded-for"] {
            let r = http.get(format!("{}/metrics", env.base)).header(header, "203.0.113.9").send().await.unwrap();
            assert_eq!(r.status().as_u16(), 404, "{label}: {header}");
        }
    }
}
