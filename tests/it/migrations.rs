//! The SQLite and PostgreSQL migrations are twins: the same files, and after running them the
//! same tables with the same columns. A column added to one dialect only would otherwise show
//! up as a failing query on the other backend, in production.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::common::{databases, repo};

type Schema = BTreeMap<String, BTreeSet<String>>;

fn file_names(dialect: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("migrations").join(dialect))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn schema(store: &zhanqun::store::Store) -> Schema {
    let sql = match store.backend() {
        zhanqun::store::Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\'"
        }
        zhanqun::store::Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'"
        }
    };
    let mut out = Schema::new();
    for r in sqlx::query(sql).fetch_all(store.pool()).await.unwrap() {
        let (table, column): (String, String) = (r.try_get(0).unwrap(), r.try_get(1).unwrap());
        out.entry(table).or_default().insert(column);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_are_twins() {
    assert_eq!(file_names("sqlite"), file_names("postgres"), "the same migration files in both dialects");
    let dir = tempfile::tempdir().unwrap();
    let mut schemas = Vec::new();
    for (label, url) in databases(dir.path()) {
        let store = zhanqun::store::Store::open(&url).await.unwrap();
        schemas.push((label, schema(&store).await));
        store.close().await;
    }
    let (_, sqlite) = &schemas[0];
    assert!(sqlite.contains_key("articles") && sqlite.contains_key("content_hands"), "{sqlite:?}");
    for (label, other) in &schemas[1..] {
        for (table, columns) in sqlite {
            assert_eq!(other.get(table), Some(columns), "{label}: table {table} differs from SQLite's");
        }
        let extra: Vec<&String> = other.keys().filter(|t| !sqlite.contains_key(*t)).collect();
        assert!(extra.is_empty(), "{label}: tables SQLite lacks: {extra:?}");
    }
}
