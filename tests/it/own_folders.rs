//! Nodes that each publish into a folder of their own (`serve --own-folder`) keep their folders
//! in step: whatever one node publishes (a job, a withdrawal, a move, a full build) the other
//! renders into its own folder from the publish log, a failed replay is retried from the same
//! place, a restart replays what it missed, a position too old to replay from builds the folder
//! whole, and publishers running at once leave both folders alike. Both backends; the same with
//! two `serve` processes is in `nodes`.

use std::path::Path;

use zhanqun::project::Project;
use zhanqun::publish::follow::{start_as, Started};
use zhanqun::publish::incremental::run_due_as;
use zhanqun::publish::NginxOptions;

use crate::common::{databases, temp_project};
use crate::publishing::{assert_same_tree, desk, imported, input, Desk, SITE};

/// Node `node`'s view of the project: the same database, its own publish folder.
fn node_project(project: &Project, dir: &Path, node: &str) -> Project {
    let mut p = project.clone();
    p.paths.out = dir.join(format!("publish-{node}"));
    p.own_folder = true;
    p
}

async fn publish_on(node: &str, p: &Project) -> usize {
    run_due_as(node, &p.group(), &p.themes, &p.store, &p.paths.out, None).await.unwrap().jobs
}

/// The site's folder on both nodes holds the same files, byte for byte, and each node's
/// manifest matches its own files (the tamper look finds nothing).
fn assert_in_step(label: &str, a: &Project, b: &Project) {
    use zhanqun::publish::manifest::{check_live, Depth};
    let host = a.group().site(SITE).unwrap().host.clone();
    assert_same_tree(label, &a.paths.out.join(&host), &b.paths.out.join(&host));
    for node in [a, b] {
        let diff = check_live(&node.paths.out, &host, Depth::Hash).unwrap();
        assert!(diff.is_some_and(|d| d.is_empty()), "{label}: {} differs from its manifest", node.paths.out.display());
    }
}

async fn approve(d: &Desk, p: &Project, title: &str, column: &str) -> i64 {
    d.approve(p, None, &input(title, column)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_with_their_own_folders_render_every_publish_of_the_others() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let dir = tmp.path().join(format!("nodes-{backend}"));
        let shared = imported(tmp.path(), &url, 40).await;
        let d = desk(&shared).await;
        let (a, b) = (node_project(&shared, &dir, "a"), node_project(&shared, &dir, "b"));

        // A new node has no position: it builds every site into its folder, without touching
        // the queue, and keeps the log's head as its position.
        let pending = approve(&d, &shared, "加入前已批准的稿件", "gzdt").await;
        let head = shared.store.publish_log_head().await.unwrap();
        let (mut fa, started) = start_as("node-a", &a, Some(NginxOptions::default())).await.unwrap();
        assert!(matches!(started, Started::Built(s) if s.sites > 1), "{backend}: {started:?}");
        let (mut fb, started) = start_as("node-b", &b, None).await.unwrap();
        assert!(matches!(started, Started::Built(_)), "{backend}: {started:?}");
        assert_eq!(fa.position(), fb.position(), "{backend}");
        let logged = shared.store.publish_log_head().await.unwrap();
        assert_eq!(logged, head, "{backend}: a node's own build logs nothing for the others to rebuild");
        let waiting = sqlx::query("SELECT id FROM publish_jobs WHERE article_id = $1 AND done_at IS NULL")
            .bind(pending)
            .fetch_all(shared.store.pool())
            .await
            .unwrap();
        assert_eq!(waiting.len(), 1, "{backend}: a node's own build leaves the queue to the publisher");
        assert_eq!(publish_on("node-a", &a).await, 1, "{backend}");
        let behind = |node: &'static str| {
            let store = shared.store.clone();
            async move { store.folder_lag(node).await.unwrap().map(|(behind, _)| behind) }
        };
        assert_eq!((behind("node-a").await, behind("node-b").await), (Some(0), Some(1)), "{backend}: as /metrics says");
        // A replay that fails (node b cannot write its staging folder) keeps the position, and
        // the next round replays the same job.
        let staging = b.paths.out.join(".staging");
        std::fs::remove_dir_all(&staging).unwrap();
        std::fs::write(&staging, "not a folder").unwrap();
        assert!(fb.catch_up(&b).await.is_err(), "{backend}");
        assert_eq!(behind("node-b").await, Some(1), "{backend}: nothing skipped");
        std::fs::remove_file(&staging).unwrap();
        assert_eq!(fb.catch_up(&b).await.unwrap(), 1, "{backend}: node b renders node a's job");
        assert_eq!(behind("node-b").await, Some(0), "{backend}");
        assert_eq!(fa.catch_up(&a).await.unwrap(), 0, "{backend}: node a does not replay its own");
        assert_in_step(&format!("{backend}: first job"), &a, &b);

        // Approvals, a move to another column and a withdrawal on node a; then node b's own.
        let moved = approve(&d, &shared, "将要移动栏目的稿件", "gzdt").await;
        let gone = approve(&d, &shared, "将要撤下的稿件", "gzdt").await;
        publish_on("node-a", &a).await;
        d.approve(&shared, Some(moved), &input("已移到通知公告的稿件", "tzgg")).await;
        d.withdraw(&shared, gone).await;
        assert_eq!(publish_on("node-a", &a).await, 2, "{backend}");
        assert_eq!(fb.catch_up(&b).await.unwrap(), 1, "{backend}");
        assert_in_step(&format!("{backend}: a move and a withdrawal"), &a, &b);
        let host = &shared.group().site(SITE).unwrap().host.clone();
        let pages = crate::common::html_files(&b.paths.out.join(host));
        assert!(!pages.iter().any(|p| p.to_string_lossy().ends_with(&format!("_{gone}.html"))), "{backend}");
        approve(&d, &shared, "节点乙发布的稿件", "gzdt").await;
        assert_eq!(publish_on("node-b", &b).await, 1, "{backend}");
        assert_eq!(fa.catch_up(&a).await.unwrap(), 1, "{backend}: node a renders node b's job");
        assert_in_step(&format!("{backend}: node b's job"), &a, &b);

        // A full build on node a (`zhanqun build`) reaches node b as a whole site.
        approve(&d, &shared, "全量构建收录的稿件", "gzdt").await;
        let with = |mut o: zhanqun::publish::BuildOptions| {
            o.out = a.paths.out.clone();
            o
        };
        a.build(&with(a.build_options(vec![SITE.into()], false, None))).await.unwrap();
        assert_eq!(fb.catch_up(&b).await.unwrap(), 1, "{backend}");
        assert_in_step(&format!("{backend}: a full build"), &a, &b);

        // Both nodes publishing at once, each its share of twelve approvals.
        for i in 0..12 {
            approve(&d, &shared, &format!("两个节点同时发布的第{i}篇"), "gzdt").await;
        }
        let run = |node: &'static str, p: &Project| {
            let p = p.clone();
            tokio::spawn(async move {
                let mut jobs = 0;
                loop {
                    match publish_on(node, &p).await {
                        0 => break jobs,
                        n => jobs += n,
                    }
                }
            })
        };
        let (ja, jb) = (run("node-a", &a), run("node-b", &b));
        let (ja, jb) = (ja.await.unwrap(), jb.await.unwrap());
        assert_eq!(ja + jb, 12, "{backend}: each job once");
        fa.catch_up(&a).await.unwrap();
        fb.catch_up(&b).await.unwrap();
        assert_in_step(&format!("{backend}: publishers at once"), &a, &b);

        // Node b away: it replays what it missed from its kept position when it comes back.
        drop(fb);
        let missed = approve(&d, &shared, "节点乙停机期间发布的稿件", "gzdt").await;
        publish_on("node-a", &a).await;
        let (fb, started) = start_as("node-b", &b, None).await.unwrap();
        assert!(matches!(started, Started::Replayed(1)), "{backend}: {started:?}");
        let pages = crate::common::html_files(&b.paths.out.join(host));
        assert!(pages.iter().any(|p| p.to_string_lossy().ends_with(&format!("_{missed}.html"))), "{backend}");
        assert_in_step(&format!("{backend}: after a restart"), &a, &b);

        // Away longer than the log keeps: the position is not trusted, the folder built whole.
        let old = zhanqun::store::now_unix() - zhanqun::store::publish_log::KEEP_SECONDS;
        shared.store.keep_folder_position("node-b", fb.position(), old).await.unwrap();
        let (_, started) = start_as("node-b", &b, None).await.unwrap();
        assert!(matches!(started, Started::Built(_)), "{backend}: {started:?}");
        assert_in_step(&format!("{backend}: rebuilt"), &a, &b);
        shared.store.close().await;
    }
}
