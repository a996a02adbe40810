//! Reading a column of a result row by its name. A column read by position shifts when a
//! query gains a column, and `Row::get` panics on a missing column or a type mismatch, which
//! with `panic = "abort"` would end the whole service. `col` names the column instead and turns
//! either mistake into a `StoreError` that says which column.

use sqlx::any::AnyRow;
use sqlx::{Any, Decode, Row, Type};

use super::{Result, StoreError};

pub(crate) trait Cols {
    /// Column `name` of the row as a `T`.
    fn col<'r, T: Decode<'r, Any> + Type<Any>>(&'r self, name: &str) -> Result<T>;
    /// A yes/no column: an INTEGER 0/1 on SQLite, a BOOLEAN on PostgreSQL.
    fn flag(&self, name: &str) -> Result<bool>;
}

impl Cols for AnyRow {
    fn col<'r, T: Decode<'r, Any> + Type<Any>>(&'r self, name: &str) -> Result<T> {
        self.try_get(name).map_err(|source| StoreError::Column { column: name.to_string(), source })
    }

    fn flag(&self, name: &str) -> Result<bool> {
        match self.try_get::<i64, _>(name) {
            Ok(v) => Ok(v != 0),
            Err(_) => self.col::<bool>(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both backends when PostgreSQL is configured (as in CI), SQLite alone otherwise.
    fn urls() -> Vec<String> {
        let mut urls = vec!["sqlite::memory:".to_string()];
        urls.extend(std::env::var("ZHANQUN_TEST_POSTGRES").ok());
        urls
    }

    #[tokio::test]
    async fn a_missing_or_mistyped_column_is_an_error_that_names_it() {
        sqlx::any::install_default_drivers();
        for url in urls() {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let r = sqlx::query("SELECT 'x' AS name, CAST(7 AS BIGINT) AS n, 1 = 1 AS yes, 1 = 0 AS no")
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(r.col::<String>("name").unwrap(), "x", "{url}");
            assert_eq!(r.col::<i64>("n").unwrap(), 7, "{url}");
            assert!(r.flag("yes").unwrap() && !r.flag("no").unwrap(), "{url}");
            for (column, err) in
                [("gone", r.col::<i64>("gone").unwrap_err()), ("name", r.col::<i64>("name").unwrap_err())]
            {
                match &err {
                    StoreError::Column { column: c, .. } => assert_eq!(c, column, "{url}"),
                    other => panic!("{url}: {other:?}"),
                }
                assert!(err.to_string().contains(&format!("`{column}`")), "{url}: {err}");
            }
            pool.close().await;
        }
    }
}
