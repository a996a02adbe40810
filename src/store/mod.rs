//! The one database of the group (统一数据平台): SQLite by default, PostgreSQL for scale-out.
//! The backend is chosen from the URL at run time; both share every query (sqlx's `Any`
//! driver with `$N` placeholders, which SQLite accepts too), and the few dialect differences
//! are named in `sql.rs`. Tenant scope is `tenant.rs`; reading a row by column name `row.rs`.

pub mod activity;
pub mod articles;
pub mod audit;
pub mod audit_runs;
pub mod availability;
pub mod column_changes;
pub mod console;
pub mod editorial;
pub mod figures;
pub mod hands;
pub mod import;
pub mod interpretations;
pub mod jobs;
pub mod leases;
pub mod lists;
pub mod mailboxes;
pub mod messages;
pub mod notices;
pub mod page_codes;
pub mod publish_log;
pub mod published;
pub mod references;
mod row;
pub mod search_log;
pub mod searchable;
pub mod sites;
pub mod solicitations;
mod sql;
pub mod submissions;
pub mod tally;
pub mod tenant;
pub mod traffic;
pub mod users;
pub mod workflow;

use std::path::Path;
use std::str::FromStr;

use sqlx::any::AnyArguments;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::MigrateDatabase;
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Executor, Transaction};

pub(crate) use row::Cols;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {url}: {source} (check the URL, or that the server is running)")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot create the folder for database {url}: {source}")]
    CreateDir { url: String, source: std::io::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A query's result lacks a column the code reads, or holds another type there: a bug
    /// between the query text and its reader, reported instead of a panic.
    #[error("database column `{column}` cannot be read: {source}")]
    Column { column: String, source: sqlx::Error },
    #[error("{0}")]
    Invalid(String),
    /// Not there, or not in the caller's scope: both look the same from outside.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    /// The request does not fit the record's current state (say, approving a draft).
    #[error("{0}")]
    Conflict(String),
    /// Form input that breaks a rule, per field.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Fields(Vec<crate::content::draft::FieldError>),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A step of handling a message refused: 403 when it is about who acts, 409 otherwise.
impl From<crate::interaction::handling::HandlingError> for StoreError {
    fn from(e: crate::interaction::handling::HandlingError) -> Self {
        if e.about_the_person() {
            StoreError::Forbidden(e.to_string())
        } else {
            StoreError::Conflict(e.to_string())
        }
    }
}

/// A step the workflow refuses: 409 for the state, 403 for the person, 400 on the form field.
impl From<crate::workflow::WorkflowError> for StoreError {
    fn from(e: crate::workflow::WorkflowError) -> Self {
        use crate::workflow::Refusal;
        match e.refusal() {
            Refusal::State => StoreError::Conflict(e.to_string()),
            Refusal::Person => StoreError::Forbidden(e.to_string()),
            Refusal::Field(field) => {
                StoreError::Fields(vec![crate::content::draft::FieldError { field, message: e.to_string() }])
            }
        }
    }
}

/// What a failed query says about the request, for the answer it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contention {
    /// Another writer changed the same record first (a unique key taken in the meantime, a
    /// serialization failure or deadlock on PostgreSQL): the person should reload and retry.
    Conflict,
    /// The database could not take the write in time (SQLite's busy timeout ran out, no pooled
    /// connection came free): nothing was written; trying again later will work.
    Busy,
}

impl StoreError {
    /// Whether this error is two writers meeting rather than a fault.
    pub fn contention(&self) -> Option<Contention> {
        match self {
            StoreError::Query(sqlx::Error::PoolTimedOut) => Some(Contention::Busy),
            StoreError::Query(sqlx::Error::Database(db)) => match db.code().as_deref() {
                // SQLite: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT (517), SQLITE_BUSY_TIMEOUT (773).
                Some("5" | "6" | "517" | "773") => Some(Contention::Busy),
                // SQLite: UNIQUE (2067) and PRIMARY KEY (1555) constraints.
                Some("2067" | "1555") => Some(Contention::Conflict),
                // PostgreSQL: unique_violation, serialization_failure, deadlock_detected, lock_not_available.
                Some("23505" | "40001" | "40P01") => Some(Contention::Conflict),
                Some("55P03") => Some(Contention::Busy),
                _ => None,
            },
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Turns what a user typed (`data/x.db`, `sqlite:data/x.db`, `postgres://…`) into a URL sqlx accepts.
pub fn normalize_url(url: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:") {
        url.to_string()
    } else {
        format!("sqlite://{url}")
    }
}

impl Store {
    /// Opens the database, creating it and applying migrations on first use.
    pub async fn open(url: &str) -> Result<Store> {
        let url = normalize_url(url);
        let backend = backend_of(&url);
        let connect_err = |source| StoreError::Connect { url: redact(&url), source };
        if let Some(dir) = sqlite_file(&url).as_deref().and_then(Path::parent).filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { url: url.clone(), source })?;
        }
        sqlx::any::install_default_drivers();
        if !Any::database_exists(&url).await.map_err(connect_err)? {
            Any::create_database(&url).await.map_err(connect_err)?;
        }
        let pool = connect(&url, backend, false).await?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        Ok(Store { pool, backend })
    }

    /// Opens a database as it is, to read it: nothing is created or migrated, and a SQLite
    /// file is opened read-only (a backup's snapshot, the database a restore would replace).
    pub async fn inspect(url: &str) -> Result<Store> {
        let url = normalize_url(url);
        let backend = backend_of(&url);
        sqlx::any::install_default_drivers();
        Ok(Store { pool: connect(&url, backend, true).await?, backend })
    }

    /// The newest migration this release knows for `backend`.
    pub fn newest_schema(backend: Backend) -> i64 {
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that may write. Every write transaction starts here.
    ///
    /// On SQLite a plain (deferred) `BEGIN` reads under a snapshot and asks for the write lock
    /// only at its first write; when another writer committed in between, SQLite answers
    /// `SQLITE_BUSY_SNAPSHOT` at once and the busy timeout never applies, so two editors saving
    /// together got a 500. `BEGIN IMMEDIATE` takes the write lock first, so writers queue behind
    /// the busy timeout instead. PostgreSQL needs no such thing: its writers lock rows, and the
    /// transitions that must not run twice lock their row (see `workflow::lock_article`).
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Brings the query planner's statistics up to date after a bulk write (an import):
    /// `ANALYZE` on PostgreSQL, `PRAGMA optimize` on SQLite.
    pub async fn refresh_statistics(&self) -> Result<()> {
        let sql = match self.backend {
            Backend::Sqlite => "PRAGMA optimize",
            Backend::Postgres => "ANALYZE",
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The backend a (normalized) URL names.
pub fn backend_of(url: &str) -> Backend {
    if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// The file of a SQLite URL (`sqlite://data/x.db?mode=rwc` → `data/x.db`); None for PostgreSQL.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let url = normalize_url(url);
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(path.split('?').next().unwrap_or(path).into())
}

async fn connect(url: &str, backend: Backend, read_only: bool) -> Result<AnyPool> {
    let connect_err = |source| StoreError::Connect { url: redact(url), source };
    let url = match (backend, read_only) {
        (Backend::Sqlite, true) => format!("sqlite://{}?mode=ro", sqlite_file(url).unwrap_or_default().display()),
        _ => url.to_string(),
    };
    let options = AnyConnectOptions::from_str(&url).map_err(connect_err)?;
    AnyPoolOptions::new()
        .max_connections(match (backend, read_only) {
            (_, true) => 1,
            (Backend::Sqlite, false) => 4,
            (Backend::Postgres, false) => 8,
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite && read_only {
                    conn.execute("PRAGMA busy_timeout = 10000;").await?;
                } else if backend == Backend::Sqlite {
                    // WAL lets readers (the publisher, the web) run beside the writer;
                    // NORMAL sync is durable across process crashes, which is what WAL needs.
                    // Temporary storage in memory: a multi-row statement keeps a statement
                    // journal, which otherwise went to a file in /var/tmp (an import of
                    // 20,000 articles wrote 190 MB there).
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY;").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(connect_err)
}

/// Hides a password in a URL before it reaches a message or a log.
pub fn redact(url: &str) -> String {
    match password_span(url) {
        Some((start, end)) => format!("{}***{}", &url[..start], &url[end..]),
        None => url.to_string(),
    }
}

/// The URL without its password, and the password as written (percent-escaped), for a tool
/// that takes the password apart (`PGPASSWORD`).
pub fn split_password(url: &str) -> (String, Option<&str>) {
    match password_span(url) {
        // The `:` before the password goes too.
        Some((start, end)) => (format!("{}{}", &url[..start - 1], &url[end..]), Some(&url[start..end])),
        None => (url.to_string(), None),
    }
}

/// Where the password of `scheme://user:password@host…` is, as a byte range.
fn password_span(url: &str) -> Option<(usize, usize)> {
    let (s, at) = (url.find("://")? + 3, url.rfind('@')?);
    let colon = url.get(s..at)?.find(':')?;
    Some((s + colon + 1, at))
}

pub use crate::clock::now_unix;

/// Rows written at once from which [`Store::refresh_statistics`] is worth its time.
pub const BULK_WRITE: usize = 1000;

/// Rows per multi-row INSERT: well under the bind-parameter limits of both backends.
const CHUNK: usize = 200;

/// Inserts `rows` into `table` (its name and columns, e.g. `t (a, b)`) in chunks of `CHUNK`
/// rows, each statement ending with `tail` (an `ON CONFLICT …` clause, or empty); `bind` binds
/// one row's values in column order.
pub(crate) async fn insert_rows<R>(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    tail: &str,
    rows: &[R],
    bind: impl for<'q> Fn(Query<'q, Any, AnyArguments<'q>>, &R) -> Query<'q, Any, AnyArguments<'q>>,
) -> Result<()> {
    let width = table.matches(',').count() + 1;
    for chunk in rows.chunks(CHUNK) {
        let mut sql = format!("INSERT INTO {table} VALUES ");
        for r in 0..chunk.len() {
            let marks: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            sql.push_str(&format!("{}({})", if r > 0 { ", " } else { "" }, marks.join(", ")));
        }
        sql.push(' ');
        sql.push_str(tail);
        let mut q = sqlx::query(&sql);
        for row in chunk {
            q = bind(q, row);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(normalize_url("data/zhanqun.db"), "sqlite://data/zhanqun.db");
        assert_eq!(normalize_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(split_password("postgres://u:s3cret@h:5432/db"), ("postgres://u@h:5432/db".into(), Some("s3cret")));
        assert_eq!(split_password("postgres://u@h/db"), ("postgres://u@h/db".into(), None));
        assert_eq!(sqlite_file("data/x.db"), Some("data/x.db".into()));
        assert_eq!(sqlite_file("sqlite://data/x.db?mode=rwc"), Some("data/x.db".into()));
        assert_eq!(sqlite_file("sqlite:x.db"), Some("x.db".into()));
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
