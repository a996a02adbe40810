//! The database's part of a backup: a snapshot taken while the service writes, and putting
//! one back.
//!
//! - **SQLite**: `VACUUM INTO` writes a compact copy of one read transaction; writers go on
//!   meanwhile (WAL), and the copy has no `-wal` file to lose. It is counted from the copy.
//! - **PostgreSQL**: `pg_dump` in its custom format. It runs on a snapshot exported from a
//!   repeatable-read transaction, inside which the counts are taken too, so the manifest's
//!   counts describe exactly what the dump holds. `pg_restore` puts it into an empty database
//!   in one transaction.

use std::path::Path;
use std::process::Command;

use super::BackupError;
use crate::store::tally::{tally_on, Tally};
use crate::store::{redact, split_password, Store};

/// Writes the SQLite database behind `store` to `to`; returns its counts.
pub(super) async fn sqlite_snapshot(store: &Store, to: &Path) -> Result<(Tally, i64), BackupError> {
    let target = to.to_str().ok_or_else(|| BackupError::Usage(format!("{} is not a UTF-8 path", to.display())))?;
    sqlx::query("VACUUM INTO $1").bind(target).execute(store.pool()).await.map_err(crate::store::StoreError::from)?;
    let copy = Store::inspect(target).await?;
    let counted = (copy.tally().await?, copy.schema_version().await?);
    copy.close().await;
    if let Ok(f) = std::fs::File::open(to) {
        let _ = f.sync_all();
    }
    Ok(counted)
}

/// Checks a SQLite file page by page before it is put in place.
pub(super) async fn sqlite_check(path: &Path) -> Result<(), BackupError> {
    let db = Store::inspect(&path.display().to_string()).await?;
    let verdict: Vec<String> = {
        use sqlx::Row;
        sqlx::query("PRAGMA quick_check")
            .fetch_all(db.pool())
            .await
            .map_err(crate::store::StoreError::from)?
            .iter()
            .filter_map(|r| r.try_get::<String, _>(0).ok())
            .collect()
    };
    db.close().await;
    if verdict != ["ok"] {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            why: format!("SQLite finds it inconsistent ({})", verdict.join("; ")),
        });
    }
    Ok(())
}

/// Dumps the PostgreSQL database at `url` to `to`; returns its counts at the dump's snapshot.
pub(super) async fn pg_dump(store: &Store, url: &str, to: &Path) -> Result<(Tally, i64), BackupError> {
    let mut tx = store.pool().begin().await.map_err(crate::store::StoreError::from)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(crate::store::StoreError::from)?;
    let snapshot: String = {
        use sqlx::Row;
        sqlx::query("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await
            .map_err(crate::store::StoreError::from)?
            .try_get(0)
            .map_err(crate::store::StoreError::from)?
    };
    let tally = tally_on(&mut tx).await?;
    let schema: i64 = {
        use sqlx::Row;
        sqlx::query("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&mut *tx)
            .await
            .map_err(crate::store::StoreError::from)?
            .try_get(0)
            .map_err(crate::store::StoreError::from)?
    };
    let (target, password) = libpq_target(url);
    let file = to.to_path_buf();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("pg_dump");
        cmd.args(["--format=custom", "--no-owner", "--no-privileges"])
            .arg(format!("--snapshot={snapshot}"))
            .arg(format!("--file={}", file.display()))
            .arg(format!("--dbname={target}"));
        run(cmd, "pg_dump", password)
    })
    .await
    .map_err(|e| BackupError::Tool { tool: "pg_dump", why: e.to_string() })?;
    // The snapshot had to stay open while pg_dump read it.
    tx.rollback().await.map_err(crate::store::StoreError::from)?;
    outcome?;
    Ok((tally, schema))
}

/// Whether the PostgreSQL database at `url` holds no table yet (a restore goes only there).
pub(super) async fn pg_is_empty(url: &str) -> Result<bool, BackupError> {
    let db = Store::inspect(url).await?;
    let n: i64 = {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()")
            .fetch_one(db.pool())
            .await
            .map_err(crate::store::StoreError::from)?
            .try_get(0)
            .map_err(crate::store::StoreError::from)?
    };
    db.close().await;
    Ok(n == 0)
}

/// Loads a dump into the empty database at `url`, all or nothing.
pub(super) async fn pg_restore(url: &str, dump: &Path) -> Result<(), BackupError> {
    let (target, password) = libpq_target(url);
    let file = dump.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("pg_restore");
        cmd.args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"])
            .arg(format!("--dbname={target}"))
            .arg(&file);
        run(cmd, "pg_restore", password)
    })
    .await
    .map_err(|e| BackupError::Tool { tool: "pg_restore", why: e.to_string() })?
}

fn run(mut cmd: Command, tool: &'static str, password: Option<String>) -> Result<(), BackupError> {
    if let Some(p) = password {
        // In the environment, not the arguments: other users can read a process's arguments.
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => BackupError::Tool {
            tool,
            why: format!("{tool} is not installed; install PostgreSQL's client programs of the server's major version or newer (Debian: apt-get install postgresql-client)"),
        },
        _ => BackupError::Tool { tool, why: e.to_string() },
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(BackupError::Tool { tool, why: format!("{}: {}", out.status, redact(stderr.trim())) });
    }
    Ok(())
}

/// The URL libpq is given, without its password, and the password apart.
fn libpq_target(url: &str) -> (String, Option<String>) {
    let (bare, password) = split_password(url);
    (bare, password.map(percent_decoded))
}

/// A URL's percent-escapes undone (`p%40ss` → `p@ss`): libpq reads the environment's password
/// as it is.
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = (b[i] == b'%')
            .then(|| b.get(i + 1..i + 3))
            .flatten()
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match escaped {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::libpq_target;

    #[test]
    fn the_password_travels_apart() {
        assert_eq!(
            libpq_target("postgres://u:s3cret@h:5432/db"),
            ("postgres://u@h:5432/db".into(), Some("s3cret".into()))
        );
        assert_eq!(libpq_target("postgres://u@h/db"), ("postgres://u@h/db".into(), None));
        assert_eq!(libpq_target("postgres://u:p%40ss%2F1@h/db").1.as_deref(), Some("p@ss/1"));
        assert_eq!(super::percent_decoded("100%"), "100%");
        assert_eq!(super::percent_decoded("a%zz"), "a%zz");
    }
}
