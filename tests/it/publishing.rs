//! Publishing on approval writes only what a change touches, into the live release file by
//! file: after any mix of approvals, withdrawals (deep ones too), moves between columns, edits
//! in place, pinning and scheduled articles, the live site equals what a full build of the same
//! database writes; a publisher killed at any moment leaves whole files only and the next run
//! finishes its jobs; two publishers on one PostgreSQL database never run the same job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use zhanqun::auth::Role;
use zhanqun::content::draft::DraftInput;
use zhanqun::project::Project;
use zhanqun::publish::incremental::{run_due, run_due_as};
use zhanqun::publish::NginxOptions;
use zhanqun::store::import::import_dir;
use zhanqun::store::tenant::{Job, Tenant};
use zhanqun::store::users::{NewUser, User};
use zhanqun::store::workflow::Decision;

use sqlx::Row;

use crate::common::{databases, open, temp_project};

pub(crate) const SITE: &str = "fgw";

/// Every file of a published host but the content-addressed files (a withdrawn article's
/// attachment stays where it was), by path.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    crate::common::snapshot(root).into_iter().filter(|(rel, _)| !rel.starts_with("files/")).collect()
}

/// Where a full build of the same database writes: a second publish folder.
async fn full_build(project: &Project, out: &Path) -> PathBuf {
    full_build_of(project, SITE, out).await
}

/// A full build of one site into `out`; returns the host's folder there.
pub(crate) async fn full_build_of(project: &Project, site: &str, out: &Path) -> PathBuf {
    let mut opts = project.build_options(vec![site.into()], false, Some(NginxOptions::default()));
    opts.out = out.to_path_buf();
    project.build(&opts).await.unwrap();
    out.join(&project.group().site(site).unwrap().host)
}

pub(crate) fn assert_same_tree(label: &str, live: &Path, built: &Path) {
    let (a, b) = (tree(live), tree(built));
    assert!(a.len() > 50, "{label}: {} files: the sites were not published", a.len());
    let only_live: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_built: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_live.is_empty() && only_built.is_empty(),
        "{label}: only live {only_live:?}, only built {only_built:?}"
    );
    for (rel, bytes) in &a {
        if bytes != &b[rel] {
            let (x, y) = (String::from_utf8_lossy(bytes), String::from_utf8_lossy(&b[rel]));
            let at = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            let show = |s: &str| s.chars().skip(at.saturating_sub(120)).take(300).collect::<String>();
            panic!("{label}: {rel} differs from a full build:\nlive:  {}\nbuilt: {}", show(&x), show(&y));
        }
    }
}

pub(crate) struct Desk {
    scope: Tenant,
    editor: User,
    reviewer: User,
}

pub(crate) async fn desk(project: &Project) -> Desk {
    let site_id = project.store.site_rows().await.unwrap()[SITE].id;
    let scope = Tenant::system_site(Job::Test, site_id);
    let mut ids = Vec::new();
    for (name, role) in [("pub-editor", Role::Editor), ("pub-reviewer", Role::Reviewer)] {
        let u = NewUser {
            username: name,
            display_name: name,
            role,
            site_id: Some(site_id),
            password: "Test#Pass2026",
            must_change_password: false,
        };
        ids.push(project.store.create_user(scope, &u, "operator:test", None).await.unwrap());
    }
    let editor = project.store.user_by_id(scope, ids[0]).await.unwrap().unwrap();
    let reviewer = project.store.user_by_id(scope, ids[1]).await.unwrap().unwrap();
    Desk { scope, editor, reviewer }
}

pub(crate) fn input(title: &str, column: &str) -> DraftInput {
    let mut i = DraftInput {
        title: title.into(),
        column: column.into(),
        body: format!("{title}的正文。\n\n请各单位认真落实。"),
        ..Default::default()
    };
    i.normalize();
    i
}

impl Desk {
    /// Writes (or edits) an article, submits and approves it; returns its id.
    pub(crate) async fn approve(&self, project: &Project, id: Option<i64>, input: &DraftInput) -> i64 {
        let s = &project.store;
        let id = s.save_draft(self.scope, &self.editor, id, input).await.unwrap();
        s.submit(self.scope, &self.editor, id, "127.0.0.1").await.unwrap();
        let decision = Decision { secrecy_reviewed: true, ..Default::default() };
        s.approve(self.scope, &project.group(), &self.reviewer, id, &decision, "127.0.0.1").await.unwrap();
        id
    }

    pub(crate) async fn withdraw(&self, project: &Project, id: i64) {
        project.store.withdraw(self.scope, &self.reviewer, id, "测试撤稿", "127.0.0.1").await.unwrap();
    }
}

async fn publish(project: &Project) -> usize {
    run_due(&project.group(), &project.themes, &project.store, &project.paths.out, None).await.unwrap().jobs
}

/// A project whose site `fgw` holds `n` imported articles and is built.
pub(crate) async fn imported(dir: &Path, url: &str, n: usize) -> Project {
    let project = open(dir, url).await;
    let group = project.group();
    let site = group.site(SITE).unwrap();
    let demo = zhanqun::demo::DemoSite {
        code: SITE.into(),
        name: site.def.name.clone(),
        short: site.def.name.clone(),
        kind: site.def.kind,
    };
    let content = dir.join(format!("content-{}", url.len()));
    zhanqun::demo::write_content(&content, &[demo], n, zhanqun::demo::content_day()).unwrap();
    let tenant = Tenant::system(Job::Test);
    let r = import_dir(&project.store, tenant, site, &content.join(SITE), None, "operator:test").await.unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    project.build(&project.build_options(vec![SITE.into()], false, Some(NginxOptions::default()))).await.unwrap();
    project
}

/// Ids of the live articles of a column, oldest first.
async fn listed(project: &Project, column: &str) -> Vec<i64> {
    sqlx::query(
        "SELECT a.id FROM articles a JOIN site_columns c ON c.id = a.column_id
         WHERE c.slug = $1 AND a.status = 'published' ORDER BY a.list_at, a.id",
    )
    .bind(column)
    .fetch_all(project.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<i64, _>("id"))
    .collect()
}

/// Jobs not done yet.
async fn pending_jobs(project: &Project) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM publish_jobs WHERE done_at IS NULL")
        .fetch_one(project.store.pool())
        .await
        .unwrap()
        .get("n")
}

fn lists_mention(root: &Path, id: i64) -> Vec<String> {
    let needle = format!("_{id}.html\"");
    crate::common::html_files(root)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name == "index.html" || name.starts_with("list_")
        })
        .filter(|p| std::fs::read_to_string(p).unwrap().contains(&needle))
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_publish_leaves_what_a_full_build_writes() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let project = imported(tmp.path(), &url, 130).await;
        let d = desk(&project).await;
        let live = project.paths.out.join(&project.group().site(SITE).unwrap().host);
        let check = |step: &str, project: &Project| {
            let dir = tmp.path().join(format!("full-{backend}-{}", step.replace(' ', "-")));
            let built = block_on(full_build(project, &dir));
            assert_same_tree(&format!("{backend}: {step}"), &live, &built);
        };

        // Additions at the top: one by one, then several in one run; the column grows
        // past a page boundary.
        let mut fresh = Vec::new();
        for i in 0..3 {
            fresh.push(d.approve(&project, None, &input(&format!("新增的第{i}篇工作动态"), "gzdt")).await);
            assert_eq!(publish(&project).await, 1, "{backend}");
        }
        check("three approvals", &project);
        for i in 3..26 {
            fresh.push(d.approve(&project, None, &input(&format!("新增的第{i}篇工作动态"), "gzdt")).await);
        }
        assert_eq!(publish(&project).await, 23, "{backend}");
        check("23 approvals in one run", &project);

        // A withdrawal on the deepest page of the column: every page above it moves.
        let oldest = listed(&project, "gzdt").await[1];
        assert!(!lists_mention(&live, oldest).is_empty(), "{backend}: the oldest article is listed");
        d.withdraw(&project, oldest).await;
        publish(&project).await;
        assert!(
            lists_mention(&live, oldest).is_empty(),
            "{backend}: withdrawn, yet on {:?}",
            lists_mention(&live, oldest)
        );
        check("a deep withdrawal", &project);

        // An old article edited in place (same time, same column): its page only.
        let old = listed(&project, "gzdt").await[5];
        d.approve(&project, Some(old), &input("改过标题的旧稿件", "gzdt")).await;
        publish(&project).await;
        assert_eq!(lists_mention(&live, old).len(), 1, "{backend}: on its archive page");
        check("an edit in place", &project);

        // Moving an article from one column to another, and pinning one.
        let moved = listed(&project, "gzdt").await[12];
        d.approve(&project, Some(moved), &input("移到通知公告的稿件", "tzgg")).await;
        let mut pin = input("置顶的稿件", "gzdt");
        pin.pinned = Some("on".into());
        d.approve(&project, Some(fresh[2]), &pin).await;
        publish(&project).await;
        let gzdt = std::fs::read_to_string(live.join("gzdt/index.html")).unwrap();
        assert!(gzdt.contains("置顶的稿件") && gzdt.contains("zq-pin"), "{backend}: pinned on the first page");
        check("a move and a pin", &project);

        // A scheduled article is not listed before its time, and is when it comes.
        let mut later = input("定时发布的通知", "tzgg");
        later.publish_mode = "scheduled".into();
        let at = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            + chrono::Duration::minutes(5);
        later.publish_at = at.format("%Y-%m-%dT%H:%M").to_string();
        let scheduled = d.approve(&project, None, &later).await;
        assert_eq!(publish(&project).await, 0, "{backend}: nothing due yet");
        assert!(lists_mention(&live, scheduled).is_empty(), "{backend}: not before its time");
        // The time comes (the clock is moved back for the article instead of waiting).
        let past = (chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            - chrono::Duration::minutes(1))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
        for sql in [
            "UPDATE revisions SET publish_at = $1 WHERE id = (SELECT published_revision_id FROM articles WHERE id = $2)",
            "UPDATE articles SET list_at = $1 WHERE id = $2",
        ] {
            sqlx::query(sql).bind(&past).bind(scheduled).execute(project.store.pool()).await.unwrap();
        }
        sqlx::query("UPDATE publish_jobs SET due_at = 0 WHERE article_id = $1 AND done_at IS NULL")
            .bind(scheduled)
            .execute(project.store.pool())
            .await
            .unwrap();
        assert_eq!(publish(&project).await, 1, "{backend}");
        assert!(!lists_mention(&live, scheduled).is_empty(), "{backend}: listed once due");
        check("a scheduled article", &project);

        // A publish that fails half way through putting its files in place (something in
        // the way of the site feed, which goes after the pages) keeps its job; the next run
        // finishes it.
        let rss = live.join("rss.xml");
        std::fs::remove_file(&rss).unwrap();
        std::fs::create_dir_all(rss.join("blocked")).unwrap();
        let stuck = d.approve(&project, None, &input("中途失败的发布", "gzdt")).await;
        let failed = run_due(&project.group(), &project.themes, &project.store, &project.paths.out, None).await;
        assert!(failed.is_err(), "{backend}: the feed could not be replaced");
        let page = crate::common::html_files(&live)
            .into_iter()
            .find(|p| p.to_string_lossy().ends_with(&format!("_{stuck}.html")));
        assert!(page.is_some(), "{backend}: the article page went in before the lists");
        std::fs::remove_dir_all(&rss).unwrap();
        assert_eq!(publish(&project).await, 1, "{backend}: the job ran again");
        check("a publish stopped half way", &project);

        // Many additions and removals, recent and deep, in one run.
        let ids = listed(&project, "gzdt").await;
        for id in [ids[0], ids[7], ids[30], ids[ids.len() - 1], ids[ids.len() - 4], fresh[10]] {
            d.withdraw(&project, id).await;
        }
        for i in 0..7 {
            d.approve(&project, None, &input(&format!("再新增的第{i}篇"), if i % 2 == 0 { "gzdt" } else { "tzgg" }))
                .await;
        }
        publish(&project).await;
        for id in [ids[0], ids[7], ids[30], ids[ids.len() - 1]] {
            assert!(lists_mention(&live, id).is_empty(), "{backend}: {id} withdrawn yet listed");
        }
        check("withdrawals and approvals mixed", &project);
        // The live release's manifest followed every file.
        let out = &project.paths.out;
        let group = project.group();
        let host = &group.site(SITE).unwrap().host;
        let diff = zhanqun::publish::manifest::check_live(out, host, zhanqun::publish::manifest::Depth::Hash).unwrap();
        assert!(diff.unwrap().is_empty(), "{backend}: the manifest matches the live files");
    }
}

/// Runs a future to completion from inside a synchronous closure of an async test.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_publishers_on_one_database_run_each_job_once() {
    let tmp = temp_project();
    let Some((_, url)) = databases(tmp.path()).into_iter().find(|(b, _)| *b == "postgres") else {
        return; // PostgreSQL only: SQLite has one writer
    };
    let project = imported(tmp.path(), &url, 40).await;
    let d = desk(&project).await;
    let mut ids = Vec::new();
    for i in 0..24 {
        ids.push(d.approve(&project, None, &input(&format!("两个发布者的第{i}篇"), "gzdt")).await);
    }
    let run = |node: &'static str| {
        let p = project.clone();
        tokio::spawn(async move {
            let mut jobs = 0;
            loop {
                let r = run_due_as(node, &p.group(), &p.themes, &p.store, &p.paths.out, None).await.unwrap();
                if r.jobs == 0 {
                    break jobs;
                }
                jobs += r.jobs;
            }
        })
    };
    let (a, b) = (run("node-a"), run("node-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(a + b, 24, "each job run once: node-a ran {a}, node-b ran {b}");
    let rows =
        sqlx::query("SELECT claimed_by, done_at FROM publish_jobs").fetch_all(project.store.pool()).await.unwrap();
    assert!(rows.iter().all(|r| r.get::<Option<i64>, _>("done_at").is_some()), "all done");
    let by: Vec<String> = rows.iter().map(|r| r.get::<Option<String>, _>("claimed_by").unwrap()).collect();
    assert_eq!(by.iter().filter(|n| *n == "node-a").count(), a);
    assert_eq!(by.iter().filter(|n| *n == "node-b").count(), b);
    let live = project.paths.out.join(&project.group().site(SITE).unwrap().host);
    assert_same_tree("two publishers", &live, &full_build(&project, &tmp.path().join("full")).await);

    // A claim held by a publisher that died stays with it until it runs out; the same node
    // restarted takes it back at once.
    d.approve(&project, None, &input("崩溃前认领的稿件", "gzdt")).await;
    let claimed = project.store.claim_jobs("node-a", zhanqun::store::now_unix()).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let r = run_due_as("node-b", &project.group(), &project.themes, &project.store, &project.paths.out, None).await;
    assert_eq!(r.unwrap().jobs, 0, "node-b does not take node-a's claimed job");
    assert_eq!(project.store.release_claims("node-a").await.unwrap(), 1);
    let r = run_due_as("node-a", &project.group(), &project.themes, &project.store, &project.paths.out, None).await;
    assert_eq!(r.unwrap().jobs, 1);

    // A serving node that died holding a job: while its heartbeat lasts nobody takes the job;
    // once it has run out, another node takes it at once rather than after the claim's minutes,
    // and runs it once.
    let store = &project.store;
    let now = zhanqun::store::now_unix();
    let beat = zhanqun::store::leases::heartbeat("node-a");
    assert!(store.take_lease(&beat, "node-a", now, 15).await.unwrap());
    let id = d.approve(&project, None, &input("心跳停止前认领的稿件", "gzdt")).await;
    assert_eq!(store.claim_jobs("node-a", now).await.unwrap().len(), 1);
    let r = run_due_as("node-b", &project.group(), &project.themes, store, &project.paths.out, None).await;
    assert_eq!(r.unwrap().jobs, 0, "node-a is alive: its job stays with it");
    assert_eq!(store.next_job_due().await.unwrap(), Some(now + 16), "node-b looks again when the heartbeat ends");
    sqlx::query("UPDATE leases SET until_at = $1 WHERE name = $2")
        .bind(now - 1)
        .bind(&beat)
        .execute(store.pool())
        .await
        .unwrap();
    let r = run_due_as("node-b", &project.group(), &project.themes, store, &project.paths.out, None).await;
    assert_eq!(r.unwrap().jobs, 1, "node-a's heartbeat ran out: node-b takes its job");
    let rows = sqlx::query("SELECT claimed_by, done_at FROM publish_jobs WHERE article_id = $1")
        .bind(id)
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<Option<String>, _>("claimed_by").as_deref(), Some("node-b"));
    assert!(rows[0].get::<Option<i64>, _>("done_at").is_some());
    assert_same_tree("a job taken over", &live, &full_build(&project, &tmp.path().join("full-2")).await);
}

/// Every node keeps its own search index; each follows the search log, so an article published
/// by one node is found on the others, a withdrawal leaves them, and a full build's articles
/// reach them too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_nodes_search_follows_what_another_published() {
    use std::sync::Arc;
    use zhanqun::search::follow::Follower;
    use zhanqun::search::SearchIndex;
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let project = imported(tmp.path(), &url, 5).await;
        let d = desk(&project).await;
        let store = project.store.clone();
        let open_index =
            |node: &str| Arc::new(SearchIndex::open(&tmp.path().join(format!("search-{backend}-{node}"))).unwrap());
        let (a, b) = (open_index("a"), open_index("b"));
        let head = store.search_log_head().await.unwrap();
        for ix in [&a, &b] {
            let (ix, st, rt) = (ix.clone(), store.clone(), tokio::runtime::Handle::current());
            tokio::task::spawn_blocking(move || zhanqun::search::sync::reconcile(&ix, &st, &rt))
                .await
                .unwrap()
                .unwrap();
        }
        let mut follower = Follower::from(b.clone(), store.clone(), head);
        let indexed = |ix: &Arc<SearchIndex>, id: i64| ix.keys().unwrap().contains_key(&id);
        let group = project.group();
        let publish_on_a = || run_due_as("node-a", &group, &project.themes, &store, &project.paths.out, Some(&a));

        let id = d.approve(&project, None, &input("跨节点检索的测试稿件", "gzdt")).await;
        assert_eq!(publish_on_a().await.unwrap().jobs, 1);
        assert!(indexed(&a, id) && !indexed(&b, id), "{backend}: only the publishing node knows yet");
        assert_eq!(follower.catch_up().await.unwrap(), 1, "{backend}");
        assert!(indexed(&b, id), "{backend}: node b follows");
        assert_eq!(follower.catch_up().await.unwrap(), 0, "{backend}: nothing new");

        d.withdraw(&project, id).await;
        assert_eq!(publish_on_a().await.unwrap().jobs, 1);
        follower.catch_up().await.unwrap();
        assert!(!indexed(&a, id) && !indexed(&b, id), "{backend}: withdrawn on both");

        // A full build (of another process: `zhanqun build`) marks the jobs it covered done
        // and logs them as a publish does.
        let built = d.approve(&project, None, &input("全量构建收录的稿件", "gzdt")).await;
        project.build(&project.build_options(vec![SITE.into()], false, Some(NginxOptions::default()))).await.unwrap();
        follower.catch_up().await.unwrap();
        assert!(indexed(&b, built), "{backend}: a full build's article reaches the index");

        // A node that started later starts at the head after reconciling; nothing is missed.
        let late = Follower::from(b.clone(), store.clone(), store.search_log_head().await.unwrap());
        assert_eq!(late.position(), follower.position(), "{backend}");
        project.store.close().await;
    }
}

/// `zhanqun publish` killed with SIGKILL at several moments of a large publish: nginx only ever
/// sees whole files, and the next run finishes the job once, leaving what a full build writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publisher_killed_at_any_moment_finishes_on_restart() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let project = imported(tmp.path(), &url, 1500).await;
        let d = desk(&project).await;
        let live = project.paths.out.join(&project.group().site(SITE).unwrap().host);
        let args = |cmd: &str| -> Vec<String> {
            let p = &project.paths;
            vec![
                cmd.into(),
                "--sites".into(),
                p.sites.display().to_string(),
                "--themes".into(),
                p.themes.display().to_string(),
                "--database".into(),
                p.database.clone(),
                "--out".into(),
                p.out.display().to_string(),
                "--search-index".into(),
                p.search.display().to_string(),
            ]
        };
        // A first publish of the same kind, not killed, gives how long one takes; the kills
        // then fall from its start to past its end.
        let queue = |round: usize| {
            let (project, d) = (&project, &d);
            async move {
                let ids = listed(project, "gzdt").await;
                // A deep withdrawal (every page of two lists moves) and fresh approvals.
                d.withdraw(project, ids[round]).await;
                for i in 0..5 {
                    d.approve(project, None, &input(&format!("第{round}轮第{i}篇"), "gzdt")).await;
                }
                ids[round]
            }
        };
        queue(0).await;
        let started = std::time::Instant::now();
        let whole = std::process::Command::new(crate::common::bin()).args(args("publish")).output().unwrap();
        assert!(whole.status.success(), "{backend}: {}", String::from_utf8_lossy(&whole.stderr));
        let t = started.elapsed().as_millis() as u64;
        // (delay, jobs left, files staged but not in place, some pages in place) at each kill.
        let mut moments = Vec::new();
        // Most of a run is starting and reading; the writing comes last, so the kills are
        // densest there.
        let mut delays = vec![0, t / 3, 2 * t / 3];
        delays.extend((0..12).map(|k| t * (80 + 2 * k) / 100));
        delays.push(2 * t);
        for (round, delay_ms) in delays.into_iter().enumerate() {
            let withdrawn = queue(round + 1).await;
            let mut child = std::process::Command::new(crate::common::bin())
                .args(args("publish"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let _ = child.kill();
            let _ = child.wait();
            let staged = walkdir::WalkDir::new(project.paths.out.join(".staging"))
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .count();
            let left = pending_jobs(&project).await;
            // Some of this round's pages already in place while its jobs are not done: killed
            // in the middle of putting them live.
            let begun =
                std::fs::read_to_string(live.join("gzdt/index.html")).unwrap().contains(&format!("第{}轮", round + 1));
            moments.push((delay_ms, left, staged, begun));
            // Whatever was replaced was replaced whole.
            for page in crate::common::html_files(&live) {
                let html = std::fs::read_to_string(&page).unwrap();
                assert!(html.trim_end().ends_with("</html>"), "{backend}: {} is cut short", page.display());
            }
            let status = std::process::Command::new(crate::common::bin()).args(args("publish")).output().unwrap();
            assert!(status.status.success(), "{backend}: {}", String::from_utf8_lossy(&status.stderr));
            let pending = pending_jobs(&project).await;
            assert_eq!(pending, 0, "{backend}: killed after {delay_ms} ms, all jobs done after the restart");
            assert!(lists_mention(&live, withdrawn).is_empty(), "{backend}: withdrawn after {delay_ms} ms");
            let built = full_build(&project, &tmp.path().join(format!("full-kill-{backend}-{round}"))).await;
            assert_same_tree(&format!("{backend}: killed after {delay_ms} ms"), &live, &built);
        }
        eprintln!(
            "{backend}: a publish takes {t} ms; kills (ms, jobs left, files staged, pages in place): {moments:?}"
        );
        assert!(moments.iter().any(|m| m.1 > 0), "{backend}: some kill came before the jobs were done: {moments:?}");
        assert!(moments.iter().any(|m| m.1 == 0), "{backend}: some publish finished before its kill: {moments:?}");
    }
}
