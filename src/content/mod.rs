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

pub use crate::clock::now_local;

/// Whether `text` holds a character that reverses or isolates the direction of the text after
/// it (U+202E and its kin). In a file name `报告\u{202E}fdp.exe` reads as `报告exe.pdf`; in a
/// display name it makes the audit log lie. Such names are refused, not cleaned, so that
/// the person sees why.
pub fn has_bidi_controls(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn article_paths() {
        assert_eq!(super::article_path("gzdt", "2024-05-01 09:30:00", 42), "/gzdt/202405/t20240501_42.html");
    }
}
