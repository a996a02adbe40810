//! Upgrading: a database written by an earlier release (tests/fixtures/upgrade/9aab35a.sql: its
//! schema, two imported articles and a central administrator) is migrated by this release at
//! start and served: its sites are built, its articles found, its administrator signs in.

use std::time::{Duration, Instant};

use sqlx::{Connection, Row};

use crate::admin_fixture::Client;
use crate::common::{free_port, repo, serve, temp_project};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_an_earlier_release_is_migrated_and_served() {
    let tmp = temp_project();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let db = dir.join("data/zhanqun.db");
    let dump = std::fs::read_to_string(repo().join("tests/fixtures/upgrade/9aab35a.sql")).unwrap();
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(&dump).execute(&mut conn).await.unwrap();
    let before: i64 =
        sqlx::query("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut conn).await.unwrap().get(0);
    conn.close().await.unwrap();

    let port = free_port();
    let _serve = serve(dir, "serve", port, &["--demo-articles", "0"], &[]);

    // Every migration of this release ran.
    let newest: i64 = std::fs::read_dir(repo().join("migrations/sqlite"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.split('_').next()?.parse().ok())
        .max()
        .unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let after: i64 =
        sqlx::query("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut conn).await.unwrap().get(0);
    assert!(before < newest, "the fixture predates this release's schema");
    assert_eq!(after, newest);
    let id: i64 = sqlx::query("SELECT a.id FROM articles a JOIN revisions r ON r.id = a.published_revision_id WHERE r.title = '升级前发布的工作动态'")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    conn.close().await.unwrap();

    // The sites of the group are built, the earlier articles with this release's furniture.
    let page = dir.join(format!("publish/fgw.shili.gov.cn/gzdt/202611/t20261120_{id}.html"));
    let html = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    assert!(html.contains("升级前发布的工作动态") && html.contains("zq-qr"), "{html}");
    assert!(dir.join("publish/jyj.shili.gov.cn/index.html").exists(), "the sites added since are built too");

    // Search finds them once the index is built from the database.
    let base = format!("http://127.0.0.1:{port}");
    let reader = Client::at(&base, "10.60.0.1");
    let started = Instant::now();
    loop {
        let (status, body) = reader.get("/api/search?q=升级前发布").await;
        if status == 200 && body.contains(&format!("_{id}.html")) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "not found: {status} {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The earlier administrator's password still works (and still has to be changed); a wrong
    // one still does not.
    let mut admin = Client::at(&base, "10.60.0.2");
    assert_eq!(admin.login("upgrader", "Upgrade#Pass2026").await, 303);
    let mut intruder = Client::at(&base, "10.60.0.3");
    assert_ne!(intruder.login("upgrader", "Upgrade#Pass2025").await, 303);
}
