//! Keeping the QR codes a render drew (`publish::page_code`), so that the next build reads
//! them instead of drawing them again.

use super::articles::values;
use super::{Result, Store};

/// A code drawn for an article during a render, to be kept for the next build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCode {
    pub article_id: i64,
    pub url: String,
    /// The PNG, base64-encoded.
    pub png: String,
}

/// Rows per statement: three values each, well under SQLite's limit of bound values.
const CHUNK: usize = 300;

impl Store {
    /// Keeps `codes`, replacing a code an article had for an earlier address. Two builds that
    /// draw the same code at once write the same row; the later write wins and both are right.
    pub async fn keep_page_codes(&self, codes: &[NewCode]) -> Result<()> {
        for chunk in codes.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO page_codes (article_id, url, png) VALUES {}
                 ON CONFLICT (article_id) DO UPDATE SET url = excluded.url, png = excluded.png",
                values(chunk.len(), 3, |_| None)
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q.bind(c.article_id).bind(&c.url).bind(&c.png);
            }
            q.execute(self.pool()).await?;
        }
        Ok(())
    }
}
