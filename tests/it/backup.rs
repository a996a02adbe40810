//! Backup and restore, with real processes: a backup taken while `serve` runs and counts hits,
//! everything wiped, the backup restored, and `serve` started again on it: the same sites,
//! search and statistics, on both backends. And what a restore refuses: a damaged backup, a
//! folder that is none, a target in use or holding data.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use zhanqun::store::Store;

use crate::admin_fixture::{between, pdf, publish_article, Client};
use crate::common::{bin, databases, fresh_postgres, recreate_postgres, repo, serve, temp_project, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_the_same_sites_search_and_statistics() {
    let scratch = tempfile::tempdir().unwrap();
    for (backend, url) in databases(scratch.path()) {
        let project = temp_project();
        let url = if backend == "sqlite" { project.path().join("data/zhanqun.db").display().to_string() } else { url };
        round_trip(backend, project.path(), &url).await;
    }
}

async fn round_trip(backend: &str, dir: &Path, url: &str) {
    let port = crate::common::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let args = ["--demo-articles", "2", "--database", url];
    let served = serve(dir, "before", port, &args, &[]);

    // An article with an attachment, live and found.
    let (mut editor, mut reviewer) = (Client::at(&base, "10.70.0.1"), Client::at(&base, "10.70.0.2"));
    assert_eq!(editor.login("editor", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    assert_eq!(reviewer.login("reviewer", zhanqun::demo::seed::DEMO_PASSWORD).await, 303);
    let title = "备份恢复演练稿件";
    let id = publish_article(&editor, &[&reviewer], title, "gzdt").await;
    let (status, body) =
        editor.upload(&format!("/admin/articles/{id}/attachments"), "演练.pdf", pdf("备份恢复"), "").await;
    assert_eq!(status, 200, "{backend}: {body}");
    let sha = between(&body, "\"sha256\":\"", "\"").unwrap();
    let reader = Client::at(&base, "10.70.0.3");
    let query = "/api/search?q=备份恢复演练";
    wait_for(Duration::from_secs(60), || async {
        let (status, body) = reader.get(query).await;
        (status == 200 && body.contains(&format!("_{id}.html"))).then_some(())
    })
    .await;
    let (_, broad) = reader.get("/api/search?q=发展").await;
    let broad_total = total(&broad);
    assert!(broad_total > 0, "{broad}");
    let page = wait_for(Duration::from_secs(30), || async { published_page(dir, id) }).await;
    let page_before = std::fs::read_to_string(&page).unwrap();

    // The backup runs while hits keep coming in.
    let hitting = Arc::new(AtomicBool::new(true));
    let hits = tokio::spawn(keep_hitting(port, hitting.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = zhanqun(dir, &["backup", "--to", "backups", "--database", url]).await;
    assert!(out.status.success(), "{backend}: backup failed: {}", String::from_utf8_lossy(&out.stderr));
    eprintln!("{backend}: {}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup written to"));
    hitting.store(false, Ordering::SeqCst);
    let sent = hits.await.unwrap();
    assert!(sent > 0, "hits were sent during the backup");
    let backup = only_backup(&dir.join("backups"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let tally = &manifest["tally"];
    assert!(tally["blobs"].as_i64().unwrap() >= 1, "{backend}: {manifest}");
    assert!(manifest["search_documents"].as_u64().unwrap() > 300, "{backend}: {manifest}");

    // What hits do not change, read before the wipe.
    let titles_before = published_titles(url).await;
    assert!(titles_before.iter().any(|t| t == title));

    // While the service runs, a restore is refused and changes nothing.
    let refused = zhanqun(dir, &["restore", backup.to_str().unwrap(), "--replace", "--database", url]).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("stop"), "{}", String::from_utf8_lossy(&refused.stderr));
    served.stop();

    // Into a database that holds data: refused without --replace (SQLite) or at all (PostgreSQL).
    let refused = zhanqun(dir, &["restore", backup.to_str().unwrap(), "--database", url]).await;
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains(if backend == "sqlite" { "--replace" } else { "already holds tables" }), "{why}");

    // A damaged backup is refused before anything is touched.
    let damaged = dir.join("damaged");
    crate::common::copy_dir(&backup, &damaged);
    let db_file = damaged.join(if backend == "sqlite" { "database.sqlite" } else { "database.pgdump" });
    let mut bytes = std::fs::read(&db_file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&db_file, bytes).unwrap();
    let elsewhere = if backend == "sqlite" { dir.join("elsewhere.db").display().to_string() } else { fresh_postgres() };
    let refused =
        zhanqun(dir, &["restore", damaged.to_str().unwrap(), "--database", &elsewhere, "--sites", "elsewhere-sites"])
            .await;
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && why.contains("is damaged") && why.contains("database."), "{why}");
    assert!(!dir.join("elsewhere.db").exists() && !dir.join("elsewhere-sites").exists());
    let refused = zhanqun(dir, &["restore", "sites", "--database", &elsewhere]).await;
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a zhanqun backup"));

    // Wipe everything the service wrote, and the group.
    for gone in ["data", "publish", "sites"] {
        let _ = std::fs::remove_dir_all(dir.join(gone));
    }
    if backend == "postgres" {
        recreate_postgres(url);
    }

    let out = zhanqun(dir, &["restore", backup.to_str().unwrap(), "--database", url]).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{backend}: restore failed: {}\n{said}", String::from_utf8_lossy(&out.stderr));
    eprintln!("{backend}: {said}");
    assert!(said.contains("as counted at the backup") && said.contains("from the backup"), "{said}");

    // The same group, content, attachment and statistics.
    assert!(crate::common::snapshot(&dir.join("sites")) == crate::common::snapshot(&repo().join("sites")));
    assert_eq!(published_titles(url).await, titles_before, "{backend}");
    let store = Store::inspect(url).await.unwrap();
    let row = sqlx::query("SELECT size FROM blobs WHERE sha256 = $1").bind(&sha).fetch_one(store.pool()).await.unwrap();
    assert!(row.get::<i64, _>("size") > 0);
    let restored = store.tally().await.unwrap();
    assert_eq!(restored.views, tally["views"].as_i64().unwrap(), "{backend}: the statistics of the snapshot");
    assert_eq!(restored.messages, tally["messages"].as_i64().unwrap());
    store.close().await;
    // The same pages, built by the restore.
    assert_eq!(std::fs::read_to_string(&page).unwrap(), page_before, "{backend}: {}", page.display());

    // Served again: found at once, by the restored index.
    let port = crate::common::free_port();
    let args = ["--demo-articles", "2", "--database", url];
    let served = serve(dir, "after", port, &args, &[]);
    let reader = Client::at(&format!("http://127.0.0.1:{port}"), "10.70.0.4");
    let (status, body) = reader.get(query).await;
    assert!(status == 200 && body.contains(&format!("_{id}.html")), "{backend}: {body}");
    let (_, broad) = reader.get("/api/search?q=发展").await;
    assert_eq!(total(&broad), broad_total, "{backend}");
    served.stop();

    // SQLite: --replace puts the backup in place and keeps the database it replaced.
    if backend == "sqlite" {
        let out =
            zhanqun(dir, &["restore", backup.to_str().unwrap(), "--replace", "--no-build", "--database", url]).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let kept: Vec<String> = std::fs::read_dir(dir.join("data"))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("zhanqun.db.before-restore-"))
            .collect();
        assert!(!kept.is_empty(), "the replaced database is kept");
    }
}

/// Runs the `zhanqun` binary in `dir`.
async fn zhanqun(dir: &Path, args: &[&str]) -> Output {
    let (dir, args): (PathBuf, Vec<String>) = (dir.to_path_buf(), args.iter().map(|a| a.to_string()).collect());
    tokio::task::spawn_blocking(move || Command::new(bin()).current_dir(dir).args(args).output().unwrap())
        .await
        .unwrap()
}

/// Counter hits on the portal from many addresses until `go` turns false; returns how many.
async fn keep_hitting(port: u16, go: Arc<AtomicBool>) -> usize {
    let http = reqwest::Client::new();
    let mut sent = 0;
    while go.load(Ordering::SeqCst) {
        let r = http
            .post(format!("http://127.0.0.1:{port}/hit"))
            .header("x-real-ip", format!("10.80.{}.{}", sent / 200, sent % 200 + 1))
            .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36")
            .body(r#"{"s":"www","p":"/"}"#)
            .send()
            .await;
        if r.is_ok_and(|r| r.status().as_u16() == 204) {
            sent += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sent
}

fn total(search_answer: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(search_answer).unwrap();
    v["total"].as_u64().unwrap()
}

fn only_backup(dir: &Path) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("zhanqun-backup-"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

fn published_page(dir: &Path, id: i64) -> Option<PathBuf> {
    let suffix = format!("_{id}.html");
    walkdir::WalkDir::new(dir.join("publish/fgw.shili.gov.cn"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(&suffix))
        .map(|e| e.into_path())
}

async fn published_titles(url: &str) -> Vec<String> {
    let store = Store::inspect(url).await.unwrap();
    let rows =
        sqlx::query("SELECT r.title FROM articles a JOIN revisions r ON r.id = a.published_revision_id ORDER BY a.id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    store.close().await;
    rows.iter().map(|r| r.get::<String, _>("title")).collect()
}
