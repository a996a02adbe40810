//! Upgrading: a database written by an earlier release (tests/fixtures/upgrade/9aab35a.sql: its
//! schema, two imported articles and a central administrator) is migrated by this release at
//! start and served: its sites are built, its articles found, its administrator signs in.
//!
//! The fixture is SQLite, as that release wrote it. On PostgreSQL the same earlier database is
//! made from it: the earlier release's migrations (the files of `migrations/postgres` up to the
//! fixture's version: a released migration is never edited, `tests/it/migrations.rs`) and the
//! fixture's rows, copied table by table.

use std::time::{Duration, Instant};

use sqlx::{Column, Connection, Row, TypeInfo, ValueRef};

use crate::admin_fixture::Client;
use crate::common::{databases, free_port, repo, serve, temp_project};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_an_earlier_release_is_migrated_and_served() {
    let scratch = tempfile::tempdir().unwrap();
    for (backend, pg) in databases(scratch.path()) {
        let tmp = temp_project();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let db = dir.join("data/zhanqun.db");
        let lite = format!("sqlite://{}?mode=rwc", db.display());
        let before = load_fixture(&lite).await;
        let url = if backend == "postgres" {
            copy_to_postgres(&lite, before, &pg).await;
            std::fs::remove_file(&db).unwrap();
            pg
        } else {
            lite
        };
        upgrade_and_serve(backend, dir, &url, before).await;
    }
}

/// Loads the earlier release's SQLite database; returns its newest migration.
async fn load_fixture(url: &str) -> i64 {
    let dump = std::fs::read_to_string(repo().join("tests/fixtures/upgrade/9aab35a.sql")).unwrap();
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    sqlx::raw_sql(&dump).execute(&mut conn).await.unwrap();
    let before = sqlx::query("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut conn).await.unwrap().get(0);
    conn.close().await.unwrap();
    before
}

/// Gives the empty PostgreSQL database `pg` the earlier release's schema (its migrations, up to
/// `version`) and the rows of the SQLite database `lite`.
async fn copy_to_postgres(lite: &str, version: i64, pg: &str) {
    let earlier = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(repo().join("migrations/postgres")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if name.split('_').next().and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v <= version) {
            std::fs::copy(e.path(), earlier.path().join(&name)).unwrap();
        }
    }
    let mut to = sqlx::PgConnection::connect(pg).await.unwrap();
    sqlx::migrate::Migrator::new(earlier.path()).await.unwrap().run(&mut to).await.unwrap();

    let mut from = sqlx::SqliteConnection::connect(lite).await.unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut from)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    // Rows go in table by table, so the foreign keys (articles ↔ revisions point both ways)
    // are checked by nobody until the copy is whole.
    sqlx::query("SET session_replication_role = replica").execute(&mut to).await.unwrap();
    for table in &tables {
        for row in sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(&mut from).await.unwrap() {
            let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
            let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
            let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), marks.join(", "));
            let mut q = sqlx::query(&sql);
            for (i, c) in row.columns().iter().enumerate() {
                let null = row.try_get_raw(i).unwrap().is_null();
                q = match c.type_info().name() {
                    "INTEGER" | "BOOLEAN" => q.bind((!null).then(|| row.get::<i64, _>(i))),
                    "BLOB" => q.bind((!null).then(|| row.get::<Vec<u8>, _>(i))),
                    "REAL" => q.bind((!null).then(|| row.get::<f64, _>(i))),
                    _ => q.bind((!null).then(|| row.get::<String, _>(i))),
                };
            }
            q.execute(&mut to).await.unwrap_or_else(|e| panic!("{table}: {e}"));
        }
    }
    sqlx::query("SET session_replication_role = origin").execute(&mut to).await.unwrap();
    // The identities go on after the copied rows, as the earlier release left them.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE is_identity = 'YES' AND table_schema = current_schema()",
    )
    .fetch_all(&mut to)
    .await
    .unwrap();
    for (table, column) in identities {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
        ))
        .execute(&mut to)
        .await
        .unwrap();
    }
    to.close().await.unwrap();
    from.close().await.unwrap();
}

async fn upgrade_and_serve(backend: &str, dir: &std::path::Path, url: &str, before: i64) {
    let port = free_port();
    let served = serve(dir, "serve", port, &["--demo-articles", "0", "--database", url], &[]);

    // Every migration of this release ran.
    let folder = if backend == "postgres" { "migrations/postgres" } else { "migrations/sqlite" };
    let newest: i64 = std::fs::read_dir(repo().join(folder))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.split('_').next()?.parse().ok())
        .max()
        .unwrap();
    let store = zhanqun::store::Store::inspect(url).await.unwrap();
    let after = store.schema_version().await.unwrap();
    assert!(before < newest, "the fixture predates this release's schema");
    assert_eq!(after, newest, "{backend}");
    eprintln!("{backend}: migrated from {before} to {after}");
    let id: i64 = sqlx::query("SELECT a.id FROM articles a JOIN revisions r ON r.id = a.published_revision_id WHERE r.title = '升级前发布的工作动态'")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get(0);
    store.close().await;

    // The sites of the group are built, the earlier articles with this release's furniture.
    let page = dir.join(format!("publish/fgw.shili.gov.cn/gzdt/202611/t20261120_{id}.html"));
    let html = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{backend}: {}: {e}", page.display()));
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
        assert!(started.elapsed() < Duration::from_secs(30), "{backend}: not found: {status} {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The earlier administrator's password still works (and still has to be changed); a wrong
    // one still does not.
    let mut admin = Client::at(&base, "10.60.0.2");
    assert_eq!(admin.login("upgrader", "Upgrade#Pass2026").await, 303, "{backend}");
    let mut intruder = Client::at(&base, "10.60.0.3");
    assert_ne!(intruder.login("upgrader", "Upgrade#Pass2025").await, 303);
    served.stop();
}
