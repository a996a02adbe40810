//! Two `zhanqun serve` nodes on one PostgreSQL database and one publish folder (shared storage)
//! work as one: the shared background work runs on one node, each publish job once, search on
//! either node finds what the other published, counter hits split over both are counted
//! exactly, the public forms' limits hold per node, and a node that dies holding a publish
//! job leaves it to the other. Nodes that each serve a folder of their own keep them in step.
//! Leases themselves are tested here on both backends.

use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::Row;
use zhanqun::store::Store;

use crate::admin_fixture::{publish_article, Client};
use crate::common::{databases, free_port, serve, temp_project, wait_for, Served};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_goes_to_one_node_at_a_time_until_it_runs_out() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let store = crate::common::open(tmp.path(), &url).await.store.clone();
        assert!(store.take_lease("audit", "a", 1000, 60).await.unwrap(), "{backend}");
        assert!(!store.take_lease("audit", "b", 1010, 60).await.unwrap(), "{backend}: a holds it");
        assert!(store.take_lease("audit", "a", 1050, 60).await.unwrap(), "{backend}: a renews it");
        assert!(!store.take_lease("audit", "b", 1100, 60).await.unwrap(), "{backend}: renewed until 1110");
        assert!(store.take_lease("reminders", "b", 1100, 60).await.unwrap(), "{backend}: leases are apart");
        assert!(store.take_lease("audit", "b", 1111, 60).await.unwrap(), "{backend}: a's ran out");
        assert_eq!(store.lease_holder("audit").await.unwrap(), Some(("b".into(), 1171)), "{backend}");
        store.release_leases("b").await.unwrap();
        assert!(store.take_lease("audit", "a", 1112, 60).await.unwrap(), "{backend}: b gave it up");

        // Twenty nodes asking at once: one wins.
        let mut asks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let store = store.clone();
            asks.spawn(async move { store.take_lease("race", &format!("n{i}"), 2000, 60).await.unwrap() });
        }
        let mut won = 0;
        while let Some(w) = asks.join_next().await {
            won += usize::from(w.unwrap());
        }
        assert_eq!(won, 1, "{backend}");
        store.close().await;
    }
}

fn start(dir: &Path, database: &str, node: &str, port: u16) -> Served {
    let index = format!("search-{node}");
    let args = ["--demo-articles", "1", "--database", database, "--search-index", &index];
    serve(dir, node, port, &args, &[("ZHANQUN_NODE", node), ("RUST_LOG", "info")])
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(&format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ({sql}) t"))
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("n")
}

fn client(port: u16, ip: &str) -> Client {
    Client::at(&format!("http://127.0.0.1:{port}"), ip)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_nodes_on_one_database_work_as_one() {
    let tmp = temp_project();
    let Some((_, url)) = databases(tmp.path()).into_iter().find(|(b, _)| *b == "postgres") else {
        return; // several nodes need PostgreSQL; SQLite is one node by nature
    };
    let dir = tmp.path();
    let (pa, pb) = (free_port(), free_port());
    // Node a runs the first start (demo content, first build); node b joins the same database
    // and publish folder.
    let mut a = start(dir, &url, "node-a", pa);
    let _b = start(dir, &url, "node-b", pb);
    let store = Store::open(&url).await.unwrap();

    // Shared work: one holder per lease; node b skipped the rounds node a holds.
    for lease in ["audit", "reminders", "prune"] {
        let holder = wait_for(Duration::from_secs(30), || async { store.lease_holder(lease).await.unwrap() }).await;
        assert_eq!(holder.0, "node-a", "{lease}");
    }
    // The daily audit, when due (from 06:00 Beijing time), ran once, on node a.
    let beijing = chrono::Utc::now() + chrono::Duration::hours(8);
    let today = beijing.format("%Y-%m-%d").to_string();
    let runs = format!("SELECT id FROM audit_runs WHERE day = '{today}'");
    if beijing.format("%H").to_string().parse::<u32>().unwrap() >= zhanqun::audit::schedule::HOUR {
        wait_for(Duration::from_secs(300), || async { (count(&store, &runs).await > 0).then_some(()) }).await;
    }
    // The demo's overdue messages got their notices once, and no notice went out twice.
    wait_for(Duration::from_secs(30), || async {
        (count(&store, "SELECT id FROM notices WHERE kind LIKE 'message.%'").await > 0).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(count(&store, &runs).await <= 1, "the daily audit ran at most once");
    let twice =
        "SELECT site_id, kind, title, link FROM notices GROUP BY site_id, kind, title, link HAVING COUNT(*) > 1";
    assert_eq!(count(&store, twice).await, 0, "a notice was sent twice");

    // An article approved on node a is found by node b's search within 2 s of being live.
    let (mut editor, mut reviewer) = (client(pa, "10.20.0.1"), client(pa, "10.20.0.2"));
    assert_eq!(editor.login("editor", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    assert_eq!(reviewer.login("reviewer", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    let title = "两个节点共用数据库的检索测试稿件";
    let id = publish_article(&editor, &[&reviewer], title, "gzdt").await;
    let logged = format!("SELECT seq FROM search_log WHERE article_id = {id}");
    wait_for(Duration::from_secs(60), || async { (count(&store, &logged).await > 0).then_some(()) }).await;
    let live = Instant::now();
    let search_b = client(pb, "10.20.0.3");
    let query = format!("/api/search?q={}", title);
    wait_for(Duration::from_secs(10), || async {
        let (status, body) = search_b.get(&query).await;
        (status == 200 && body.contains(&format!("_{id}.html"))).then_some(())
    })
    .await;
    let followed = live.elapsed();
    assert!(followed <= Duration::from_secs(2), "node b found the page {followed:?} after it went live");
    let jobs = format!("SELECT id FROM publish_jobs WHERE article_id = {id} AND done_at IS NOT NULL");
    assert_eq!(count(&store, &jobs).await, 1, "one publish job, done once");

    // Hits split over both nodes are counted exactly.
    let site_id = store.site_rows().await.unwrap()["fgw"].id;
    let views = || async {
        let pages = store.traffic_pages(crate::common::whole_group(), site_id, &today, &today).await.unwrap();
        pages.iter().find(|p| p.path == "/gzdt/").map_or(0, |p| p.views)
    };
    let start_views = views().await;
    let http = reqwest::Client::new();
    for i in 0..40u16 {
        let port = if i % 2 == 0 { pa } else { pb };
        let r = http
            .post(format!("http://127.0.0.1:{port}/hit"))
            .header("x-real-ip", format!("10.30.{}.{}", i / 200, i % 200 + 1))
            .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36")
            .body(r#"{"s":"fgw","p":"/gzdt/"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 204);
    }
    let counted =
        wait_for(Duration::from_secs(10), || async { Some(views().await).filter(|&v| v >= start_views + 40) }).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!((counted, views().await), (start_views + 40, start_views + 40), "each hit counted once");

    // The public forms' per-address limits are counted per node: one address gets the limit
    // from each node and not one request more (docs/deploying.md, "Several nodes").
    let per_node = zhanqun::interaction::limit::CHALLENGE[0].max;
    for port in [pa, pb] {
        let mut accepted = 0;
        for _ in 0..per_node + 5 {
            let r = http
                .get(format!("http://127.0.0.1:{port}/api/messages/challenge"))
                .header("host", "fgw.shili.gov.cn")
                .header("x-real-ip", "10.40.0.1")
                .send()
                .await
                .unwrap();
            accepted += usize::from(r.status().as_u16() == 200);
        }
        assert_eq!(accepted, per_node, "node on port {port}");
    }

    // Node a dies holding a publish job (claimed, not finished): node b takes it once node a's
    // heartbeat has run out, publishes it, and its own search finds it.
    let _ = a.0.kill();
    let _ = a.0.wait();
    let mut editor_b = client(pb, "10.20.0.4");
    assert_eq!(editor_b.login("editor", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    let title = "节点停止前认领的稿件";
    let (status, loc) = editor_b
        .post("/admin/articles", &[("title", title), ("column", "gzdt"), ("body", "正文。"), ("intent", "submit")])
        .await;
    assert_eq!(status, 303, "{loc}");
    let orphan = crate::admin_fixture::article_id(&loc);
    // The approval, written as node a would have claimed it just before dying.
    let project = crate::common::open(dir, &url).await;
    let site = project.store.site_rows().await.unwrap()["fgw"].id;
    let scope = zhanqun::store::tenant::Tenant::system_site(zhanqun::store::tenant::Job::Test, site);
    let reviewer_id: i64 = sqlx::query("SELECT id FROM users WHERE username = 'reviewer'")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("id");
    let reviewer_user = project.store.user_by_id(scope, reviewer_id).await.unwrap().unwrap();
    let decision = zhanqun::store::workflow::Decision { secrecy_reviewed: true, ..Default::default() };
    let taken_at = Instant::now();
    project.store.approve(scope, &project.group(), &reviewer_user, orphan, &decision, "127.0.0.1").await.unwrap();
    let claimed = sqlx::query(
        "UPDATE publish_jobs SET claimed_by = 'node-a', claimed_until = $1 WHERE article_id = $2 AND done_at IS NULL AND claimed_by IS NULL",
    )
    .bind(zhanqun::store::now_unix() + zhanqun::store::jobs::CLAIM_SECONDS)
    .bind(orphan)
    .execute(store.pool())
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(claimed, 1, "the job was claimed in node a's name before node b woke");
    let done = format!(
        "SELECT id FROM publish_jobs WHERE article_id = {orphan} AND done_at IS NOT NULL AND claimed_by = 'node-b'"
    );
    wait_for(Duration::from_secs(60), || async { (count(&store, &done).await == 1).then_some(()) }).await;
    let published = walkdir::WalkDir::new(dir.join("publish/fgw.shili.gov.cn/gzdt"))
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().ends_with(&format!("_{orphan}.html")));
    assert!(published, "node b published the page ({:?} after the claim)", taken_at.elapsed());
    let all = format!("SELECT id FROM publish_jobs WHERE article_id = {orphan}");
    assert_eq!(count(&store, &all).await, 1, "one job for the article, run once");
    project.store.close().await;
    store.close().await;
}

/// Node `node` serving the folder `publish-<node>` of its own.
fn start_own(dir: &Path, database: &str, node: &str, port: u16) -> Served {
    let (index, out) = (format!("search-{node}"), format!("publish-{node}"));
    let args =
        ["--demo-articles", "1", "--database", database, "--search-index", &index, "--out", &out, "--own-folder"];
    serve(dir, node, port, &args, &[("ZHANQUN_NODE", node), ("RUST_LOG", "info")])
}

/// Whether the folder of `node` holds the page of article `id` on the demo site `fgw`.
fn has_page(dir: &Path, node: &str, id: i64) -> bool {
    let suffix = format!("_{id}.html");
    walkdir::WalkDir::new(dir.join(format!("publish-{node}/fgw.shili.gov.cn")))
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().ends_with(&suffix))
}

/// Two `serve` nodes on one PostgreSQL database, each publishing into a folder on its own disk
/// (`--own-folder`): a page approved on one is in the other's folder within 2 s; a node killed
/// and started again renders what it missed; both folders end up alike, byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_nodes_with_their_own_folders_keep_them_in_step() {
    let tmp = temp_project();
    let Some((_, url)) = databases(tmp.path()).into_iter().find(|(b, _)| *b == "postgres") else {
        return; // several nodes need PostgreSQL; SQLite is one node by nature
    };
    let dir = tmp.path();
    let (pa, pb) = (free_port(), free_port());
    let _a = start_own(dir, &url, "node-a", pa);
    let mut b = start_own(dir, &url, "node-b", pb);
    assert!(dir.join("publish-node-b/fgw.shili.gov.cn/index.html").exists(), "node b built its own folder");

    let (mut editor, mut reviewer) = (client(pa, "10.50.0.1"), client(pa, "10.50.0.2"));
    assert_eq!(editor.login("editor", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    assert_eq!(reviewer.login("reviewer", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    let id = publish_article(&editor, &[&reviewer], "各节点各自目录的同步测试稿件", "gzdt").await;
    wait_for(Duration::from_secs(60), || async { has_page(dir, "node-a", id).then_some(()) }).await;
    let live = Instant::now();
    wait_for(Duration::from_secs(10), || async { has_page(dir, "node-b", id).then_some(()) }).await;
    let followed = live.elapsed();
    assert!(followed <= Duration::from_secs(2), "node b's folder had the page {followed:?} after node a's");
    eprintln!("node b had the page in its own folder {followed:?} after node a");

    // Node b's /metrics says its folder is in step (once it has recorded its position).
    let metrics = format!("http://127.0.0.1:{pb}/metrics");
    wait_for(Duration::from_secs(10), || async {
        let scraped = reqwest::get(&metrics).await.unwrap().text().await.unwrap();
        scraped.contains("\nzhanqun_folder_entries_behind 0\n").then_some(())
    })
    .await;

    // Node b killed; what node a publishes meanwhile is in node b's folder once it is back.
    let _ = b.0.kill();
    let _ = b.0.wait();
    let missed = publish_article(&editor, &[&reviewer], "节点乙停机期间发布的稿件", "gzdt").await;
    wait_for(Duration::from_secs(60), || async { has_page(dir, "node-a", missed).then_some(()) }).await;
    let _b = start_own(dir, &url, "node-b", pb);
    assert!(has_page(dir, "node-b", missed), "node b replayed what it missed before answering");
    let log = std::fs::read_to_string(dir.join("node-b.log")).unwrap();
    assert!(log.contains("已补发其他节点发布的") && !log.contains("本节点发布目录："), "replayed, not rebuilt: {log}");

    // And the other way round: what node b publishes reaches node a's folder.
    let (mut editor_b, mut reviewer_b) = (client(pb, "10.50.0.3"), client(pb, "10.50.0.4"));
    assert_eq!(editor_b.login("editor", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    assert_eq!(reviewer_b.login("reviewer", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    let from_b = publish_article(&editor_b, &[&reviewer_b], "节点乙发布的稿件", "gzdt").await;
    wait_for(Duration::from_secs(60), || async {
        (has_page(dir, "node-b", from_b) && has_page(dir, "node-a", from_b)).then_some(())
    })
    .await;
    // Let both finish what they are writing, then compare every site of the two folders.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let hosts: Vec<String> = std::fs::read_dir(dir.join("publish-node-a"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().unwrap().is_symlink())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(hosts.len() > 100, "{} sites published", hosts.len());
    for host in &hosts {
        let (a, b) = (dir.join("publish-node-a").join(host), dir.join("publish-node-b").join(host));
        let (a, b) = (crate::common::snapshot(&a), crate::common::snapshot(&b));
        let differ: Vec<&String> = a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).collect();
        assert!(a.len() > 10 && differ.is_empty(), "{host}: {} files, differing: {differ:?}", a.len());
    }
}
