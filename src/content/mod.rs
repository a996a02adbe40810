//! Articles and what they carry: Markdown bodies, government metadata (索引号, 文号, …),
//! attachments, and the import of legacy content from Markdown files.

pub mod attachment;
pub mod draft;
pub mod frontmatter;
pub mod import;
pub mod markdown;
pub mod metadata;

pub use metadata::{Disclosure, GovMeta, Validity};

/// The stable URL path of an article: `/<column>/<YYYYMM>/t<YYYYMMDD>_<id>.html`, the shape
/// Chinese government sites use, so that legacy links keep their look after migration.
pub fn article_path(column: &str, publish_at: &str, id: i64) -> String {
    let digits: String = publish_at.chars().filter(|c| c.is_ascii_digit()).take(8).collect();
    let month = digits.get(..6).unwrap_or("000000");
    format!("/{column}/{month}/t{digits}_{id}.html")
}

/// Current wall-clock time in China (UTC+8) as `YYYY-MM-DD HH:MM:SS`, the format of `publish_at`.
pub fn now_local() -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::Utc::now().with_timezone(&offset).format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn article_paths() {
        assert_eq!(super::article_path("gzdt", "2024-05-01 09:30:00", 42), "/gzdt/202405/t20240501_42.html");
    }
}
