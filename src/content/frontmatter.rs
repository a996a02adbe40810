//! Markdown files with a YAML front matter, the import format of legacy content:
//!
//! ```text
//! ---
//! title: 关于做好2024年春节期间安全生产工作的通知
//! column: tzgg
//! date: 2024-02-01 09:00
//! doc_number: 示政办发〔2024〕3号
//! ---
//! 正文……
//! ```

use serde::Deserialize;

use super::metadata::{Disclosure, Validity};
use crate::group::positions::{Pos, Positions};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    /// Slug of the column the article belongs to.
    pub column: String,
    /// Publication time: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]` (China time).
    pub date: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub pinned: bool,
    /// 文号.
    #[serde(default)]
    pub doc_number: Option<String>,
    /// 发布机构.
    #[serde(default)]
    pub issuer: Option<String>,
    /// 成文日期.
    #[serde(default)]
    pub written_date: Option<String>,
    /// 主题分类.
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub disclosure: Disclosure,
    #[serde(default)]
    pub validity: Validity,
    /// Files beside the Markdown file, published as attachments.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// An image beside the Markdown file shown as the article's cover.
    #[serde(default)]
    pub cover: Option<String>,
    /// Path (relative to this file) of the policy document this article interprets (政策解读).
    #[serde(default)]
    pub interprets: Option<String>,
}

/// A parsed file: front matter, body, and where each front-matter value sits in the file.
#[derive(Debug)]
pub struct Parsed {
    pub front: FrontMatter,
    pub body: String,
    positions: Positions,
}

impl Parsed {
    /// File line of a front-matter field (the opening `---` is line 1).
    pub fn line_of(&self, field: &str) -> usize {
        self.positions.value(field).line + 1
    }
}

/// A problem with one file, at a line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

pub fn parse(text: &str) -> Result<Parsed, LineError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Err(LineError {
            line: 1,
            message: "the file does not start with a `---` front matter (title, column, date)".into(),
        });
    };
    let (yaml, body) = match find_closing(rest) {
        Some((end, body_start)) => (&rest[..end], &rest[body_start..]),
        None => return Err(LineError { line: 1, message: "the front matter is not closed by a `---` line".into() }),
    };
    match serde_norway::from_str::<FrontMatter>(yaml) {
        Ok(front) => Ok(Parsed { front, body: body.to_string(), positions: Positions::index(yaml) }),
        Err(e) => {
            let pos = e.location().map(|l| Pos { line: l.line(), col: l.column() }).unwrap_or(Pos::START);
            let p = crate::group::serde_problem(std::path::Path::new(""), &e);
            let message = if p.hint.is_empty() { p.message } else { format!("{} ({})", p.message, p.hint) };
            Err(LineError { line: pos.line + 1, message })
        }
    }
}

/// Byte offsets of the closing `---` line and of the body after it.
fn find_closing(rest: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

/// Normalises `date` to `YYYY-MM-DD HH:MM:SS`.
pub fn parse_datetime(s: &str) -> Option<String> {
    use chrono::{NaiveDate, NaiveDateTime};
    let s = s.trim();
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.format("%Y-%m-%d %H:%M:%S").to_string());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| format!("{} 00:00:00", d.format("%Y-%m-%d")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_front_matter() {
        let p = parse("---\ntitle: 标题\ncolumn: gzdt\ndate: 2024-05-01\ndoc_number: 示政发〔2024〕1号\ndisclosure: 依申请公开\n---\n正文\n").unwrap();
        assert_eq!(p.front.title, "标题");
        assert_eq!(p.front.disclosure, Disclosure::OnRequest);
        assert_eq!(p.body, "正文\n");
        assert_eq!(p.line_of("date"), 4);
    }

    #[test]
    fn reports_the_line() {
        let e = parse("---\ntitle: 标题\ncolumn: gzdt\ndate: 2024-05-01\ntitel: x\n---\n").unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("unknown field `titel`"), "{}", e.message);
        let e = parse("---\ntitle: 标题\ncolumn: gzdt\ndate: 2024-05-01\nvalidity: 永久\n---\n").unwrap_err();
        assert_eq!(e.line, 5);
        assert!(parse("no front matter").is_err());
        assert!(parse("---\ntitle: x\n").unwrap_err().message.contains("not closed"));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_datetime("2024-05-01").as_deref(), Some("2024-05-01 00:00:00"));
        assert_eq!(parse_datetime("2024-05-01 09:30").as_deref(), Some("2024-05-01 09:30:00"));
        assert_eq!(parse_datetime("2024-13-01"), None);
    }
}
