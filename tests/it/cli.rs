//! The binary as operators run it: first-run `serve`, a `kill -9` in the middle of a build,
//! shard builders side by side on one folder, and `build --watch` rebuilding only what a
//! change affects.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zhanqun::store::import::import_dir;

use crate::common::{bin, free_port, healthy, http_get, open, snapshot, temp_project};

fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_on_first_run_loads_the_demo_and_previews_every_host() {
    let tmp = temp_project();
    let port = free_port();
    let mut child = Command::new(bin())
        .current_dir(tmp.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--demo-articles", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("healthz", Duration::from_secs(180), || healthy(port));
    let (status, _, body) = http_get(port, "127.0.0.1", "/healthz", "");
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let sites = health["sites"].as_u64().unwrap();
    assert!(sites >= 151);
    // Two per site, and the few that break audit rules on purpose (seed::FLAWS).
    assert_eq!(health["published_articles"].as_u64().unwrap(), sites * 2 + zhanqun::demo::seed::FLAWS.len() as u64);
    assert!(tmp.path().join("data/zhanqun.db").is_file(), "SQLite by default at data/zhanqun.db");

    let (status, _, body) = http_get(port, &format!("fgw.shili.gov.cn.localhost:{port}"), "/", "");
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("示例市发展和改革委员会"));
    assert!(
        body.contains(&format!("http://www.shili.gov.cn.localhost:{port}/")),
        "links between sites stay in preview"
    );
    let (status, _, _) = http_get(port, "fgw.shili.gov.cn.localhost", "/../../etc/passwd", "");
    assert!(status == 400 || status == 404, "{status}");
    let (status, _, body) = http_get(port, "127.0.0.1", "/", "");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("示例市教育局"));

    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful stop on SIGTERM: {status}");
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert!(out.contains("首次运行") && out.contains("built "), "{out}");
}

/// A generated group of `sites` subsites with `articles` Markdown files each (not imported),
/// and the shipped themes, in `demo`.
fn demo_group(demo: &Path, sites: usize, articles: usize) {
    let out = Command::new(bin())
        .args(["demo-data", "--sites", &sites.to_string(), "--articles", &articles.to_string(), "--out"])
        .arg(demo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    crate::common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes"), &demo.join("themes"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_build_leaves_the_previous_release_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path();
    // A group big enough that the build takes a while.
    demo_group(demo, 12, 400);
    let db = demo.join("data/zhanqun.db").display().to_string();
    let project = open(demo, &db).await;
    for site in &project.group().sites {
        let r = import_dir(
            &project.store,
            crate::common::whole_group(),
            site,
            &demo.join("content").join(site.code()),
            None,
            "operator:test",
        )
        .await
        .unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }
    project.store.close().await;

    let build = || Command::new(bin()).current_dir(demo).arg("build").output().unwrap();
    assert!(build().status.success());
    let hosts: Vec<String> = project.group().sites.iter().map(|s| s.host.clone()).collect();
    let links: Vec<_> = hosts.iter().map(|h| std::fs::read_link(demo.join("publish").join(h)).unwrap()).collect();
    let before: Vec<_> = hosts.iter().map(|h| snapshot(&demo.join("publish").join(h))).collect();

    for round in 0..3 {
        let mut child = Command::new(bin())
            .current_dir(demo)
            .arg("build")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let staging = demo.join("publish/.staging");
        // Kill at different depths of the build: early, mid-site, later.
        let wanted_files = [1, 200, 2000][round];
        wait_for("staged files", Duration::from_secs(120), || {
            walkdir::WalkDir::new(&staging)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .take(wanted_files)
                .count()
                >= wanted_files
                || child.try_wait().unwrap().is_some()
        });
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for (i, h) in hosts.iter().enumerate() {
            assert_eq!(
                std::fs::read_link(demo.join("publish").join(h)).unwrap(),
                links[i],
                "round {round}: {h} still points at its old release"
            );
            assert!(snapshot(&demo.join("publish").join(h)) == before[i], "round {round}: {h} lost or changed files");
        }
    }
    // The next build cleans up after the dead one and swaps in normally.
    let out = build();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_dir(demo.join("publish/.staging")).map(|d| d.count()).unwrap_or(0) == 0);
    assert_ne!(std::fs::read_link(demo.join("publish").join(&hosts[0])).unwrap(), links[0]);
    assert_eq!(snapshot(&demo.join("publish").join(&hosts[1])).len(), before[1].len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shard_builders_on_one_folder_wait_only_for_writers_of_their_own_sites() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path();
    demo_group(demo, 12, 5);
    let project = open(demo, &demo.join("data/zhanqun.db").display().to_string()).await;
    let hosts_of = |index: u32| -> Vec<String> {
        let shard = zhanqun::publish::shard::Shard { index, count: 2 };
        project.group().sites.iter().filter(|s| shard.holds(s.code())).map(|s| s.host.clone()).collect()
    };
    let (first, second) = (hosts_of(1), hosts_of(2));
    assert!(!first.is_empty() && !second.is_empty(), "both shards hold sites");
    project.store.close().await;
    let publish = demo.join("publish");
    let build = |shard: &str| {
        Command::new(bin())
            .current_dir(demo)
            .args(["build", "--shard", shard])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let finish = |child: std::process::Child| {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let live = |hosts: &[String]| hosts.iter().all(|h| std::fs::read_link(publish.join(h)).is_ok());

    // A publish of one of shard 1's sites holds its lock (as a node publishing it would).
    let held = zhanqun::publish::lock::hosts(&publish, &first[..1]).unwrap();
    // Shard 2 has nothing to wait for.
    finish(build("2/2"));
    assert!(live(&second) && !live(&first));
    // Shard 1 waits for that one site's writer, and goes on when it is done.
    let mut waiting = build("1/2");
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        waiting.try_wait().unwrap().is_none() && !live(&first),
        "shard 1 cannot swap in while one of its sites is being written"
    );
    drop(held);
    finish(waiting);
    assert!(live(&first));

    // Both at once, again and again: each finishes, every site is live, the nginx
    // configuration is whole, and no staging folder is left behind.
    let links_before: Vec<_> =
        first.iter().chain(&second).map(|h| std::fs::read_link(publish.join(h)).unwrap()).collect();
    for _ in 0..2 {
        let (a, b) = (build("1/2"), build("2/2"));
        finish(a);
        finish(b);
    }
    for (h, before) in first.iter().chain(&second).zip(&links_before) {
        assert_ne!(&std::fs::read_link(publish.join(h)).unwrap(), before, "{h} has a new release");
        assert!(publish.join(h).join("index.html").is_file(), "{h}");
    }
    let conf = std::fs::read_to_string(publish.join("nginx/zhanqun.conf")).unwrap();
    assert!(first.iter().chain(&second).all(|h| conf.contains(&format!("server_name {h}"))), "{conf}");
    let left: Vec<_> = std::fs::read_dir(publish.join(".staging")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
    let stray: Vec<_> = std::fs::read_dir(publish.join("nginx")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(stray, ["zhanqun.conf"]);
}

#[test]
fn build_watch_rebuilds_the_site_whose_yaml_changed() {
    let tmp = temp_project();
    let mut child = Command::new(bin())
        .current_dir(tmp.path())
        .args(["build", "--watch", "--site", "fgw", "--site", "www"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next_line = |want: &str| loop {
        let line = lines.next().expect("watch output ended").unwrap();
        if line.contains(want) {
            return line;
        }
    };
    next_line("watching");
    let fgw = tmp.path().join("sites/fgw.yaml");
    let text = std::fs::read_to_string(&fgw).unwrap();
    std::fs::write(&fgw, text.replace("address: 示例市政务中心3号楼", "address: 示例市政务中心8号楼")).unwrap();
    let line = next_line("built ");
    assert!(line.contains("[fgw, www]"), "only the changed site and the portal directory: {line}");
    let home = std::fs::read_to_string(tmp.path().join("publish/fgw.shili.gov.cn/index.html")).unwrap();
    assert!(home.contains("示例市政务中心8号楼"));

    // An invalid edit is refused and the live site stays as it was.
    std::fs::write(&fgw, text.replace("fgw@shili.gov.cn", "fgw@qq.com")).unwrap();
    let line = next_line("not published");
    assert!(!line.is_empty());
    let home = std::fs::read_to_string(tmp.path().join("publish/fgw.shili.gov.cn/index.html")).unwrap();
    assert!(home.contains("fgw@shili.gov.cn") && home.contains("8号楼"));
    let _ = child.kill();
    let _ = child.wait();
}

/// A real group (no `demo: true`) gets no demo content and no account with a published
/// password on its first run: `serve` says how to create the first administrator instead.
#[test]
fn a_real_groups_first_run_creates_nobody() {
    let tmp = temp_project();
    let group = tmp.path().join("sites/group.yaml");
    let text = std::fs::read_to_string(&group).unwrap();
    assert!(text.contains("\ndemo: true\n"), "the shipped group is marked as the demo");
    std::fs::write(&group, text.replace("\ndemo: true\n", "\n")).unwrap();
    let port = free_port();
    let mut child = Command::new(bin())
        .current_dir(tmp.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("healthz", Duration::from_secs(180), || healthy(port));
    let (_, _, body) = http_get(port, "127.0.0.1", "/healthz", "");
    let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["published_articles"].as_u64(), Some(0), "no demo articles on a real group");
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    assert!(child.wait().unwrap().success());
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert!(out.contains("zhanqun user add --role central"), "{out}");
    assert!(!out.contains("Zhanqun@2026") && !out.contains("示例账号"), "{out}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let users = rt.block_on(async {
        let project = open(tmp.path(), &tmp.path().join("data/zhanqun.db").display().to_string()).await;
        project.store.user_count().await.unwrap()
    });
    assert_eq!(users, 0, "nobody was created");
}
