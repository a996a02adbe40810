//! Where SQLite and PostgreSQL differ, named once. Every query is otherwise shared: sqlx's
//! `Any` driver with `$N` placeholders, which SQLite accepts too.
//!
//! - **Booleans.** Stored columns are INTEGER 0/1 in both schemas, but a comparison in a select
//!   list (`x IS NOT NULL AS live`) is an INTEGER on SQLite and a BOOLEAN on PostgreSQL. Such a
//!   column is read with `Cols::flag`, which takes either.
//! - **Sums.** `SUM` of a BIGINT column is NUMERIC on PostgreSQL, which the `Any` driver cannot
//!   read as an `i64`; `sum` casts it back.
//! - **Starting a write.** SQLite needs `BEGIN IMMEDIATE` so writers queue on the busy timeout
//!   (`Store::begin_write`).
//! - **Locking a row.** SQLite has no `SELECT … FOR UPDATE`; a no-op `UPDATE … SET x = x` is the
//!   lock both accept (see `editorial::article_site`).
//! - **Schema.** `migrations/sqlite` and `migrations/postgres` differ in identity columns, BYTEA
//!   and the append-only trigger of `audit_log`; `tests/it/migrations.rs` keeps them twins.

/// `SUM(expr)` read as a BIGINT on both backends.
pub(super) fn sum(expr: &str) -> String {
    format!("CAST(SUM({expr}) AS BIGINT)")
}
