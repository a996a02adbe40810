//! Articles and what they carry: Markdown bodies, government metadata (索引号, 文号, …),
//! attachments, and the import of legacy content from Markdown files.

pub mod attachment;
pub mod check;
pub mod diff;
pub mod docx;
pub mod draft;
pub mod frontmatter;
pub mod import;
pub mod markdown;
pub mod metadata;
pub mod photo;
pub mod richtext;

pub use metadata::{Disclosure, GovMeta, Validity};

pub use crate::clock::now_local;
pub use crate::group::urls::article_path;

/// The path `target` names relative to the file at `from` (both `/`-separated, inside one
/// tree): a policy named by an interpretation's front matter, a part named by a .docx's
/// relationships.
pub fn relative_path(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Whether `text` holds a character that reverses or isolates the direction of the text after
/// it (U+202E and its kin). In a file name `报告\u{202E}fdp.exe` reads as `报告exe.pdf`; in a
/// display name it makes the audit log lie. Such names are refused, not cleaned, so that
/// the person sees why.
pub fn has_bidi_controls(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}
