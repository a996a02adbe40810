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
//!
//! Each field may also be written under its Chinese name, as the government forms call it
//! (`标题`, `栏目`, `发布日期`, `文号`, `发布机构`, `成文日期`, `主题分类`, `公开属性`…; the
//! table is `CHINESE_NAMES`), and `column` may name the column by its name (`工作动态`) as well
//! as by its slug.

use serde::Deserialize;

use super::metadata::{Disclosure, Validity};
use crate::group::positions::{Pos, Positions};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Required of a Markdown file; a Word document may take it from its own title.
    #[serde(default, alias = "标题")]
    pub title: String,
    /// The column the article belongs to: its slug, or its name when that names one column.
    /// Required unless `zhanqun import --column` gives one for the whole folder.
    #[serde(default, alias = "栏目")]
    pub column: String,
    /// Publication time: `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]` (China time). Required of a
    /// Markdown file; a Word document may take its creation time.
    #[serde(default, alias = "发布日期", alias = "日期")]
    pub date: String,
    #[serde(default, alias = "摘要")]
    pub summary: Option<String>,
    #[serde(default, alias = "置顶")]
    pub pinned: bool,
    /// 文号.
    #[serde(default, alias = "文号")]
    pub doc_number: Option<String>,
    /// 发布机构.
    #[serde(default, alias = "发布机构")]
    pub issuer: Option<String>,
    /// 成文日期.
    #[serde(default, alias = "成文日期")]
    pub written_date: Option<String>,
    /// 主题分类.
    #[serde(default, alias = "主题分类")]
    pub topic: Option<String>,
    #[serde(default, alias = "公开属性")]
    pub disclosure: Disclosure,
    #[serde(default, alias = "有效性")]
    pub validity: Validity,
    /// Files beside the Markdown file, published as attachments.
    #[serde(default, alias = "附件")]
    pub attachments: Vec<String>,
    /// An image beside the Markdown file shown as the article's cover.
    #[serde(default, alias = "封面")]
    pub cover: Option<String>,
    /// Path (relative to this file) of the policy document this article interprets (政策解读).
    #[serde(default, alias = "解读对象")]
    pub interprets: Option<String>,
    /// 来源 of a reposted article.
    #[serde(default, alias = "来源")]
    pub source: Option<String>,
}

/// The Chinese names each field may also be written under: the `serde(alias)` attributes above
/// accept them (a test parses every name of this table), and this table finds a field's line.
pub const CHINESE_NAMES: &[(&str, &[&str])] = &[
    ("title", &["标题"]),
    ("column", &["栏目"]),
    ("date", &["发布日期", "日期"]),
    ("summary", &["摘要"]),
    ("pinned", &["置顶"]),
    ("doc_number", &["文号"]),
    ("issuer", &["发布机构"]),
    ("written_date", &["成文日期"]),
    ("topic", &["主题分类"]),
    ("disclosure", &["公开属性"]),
    ("validity", &["有效性"]),
    ("attachments", &["附件"]),
    ("cover", &["封面"]),
    ("interprets", &["解读对象"]),
    ("source", &["来源"]),
];

/// A parsed file: front matter, body, and where each front-matter value sits in the file.
#[derive(Debug)]
pub struct Parsed {
    pub front: FrontMatter,
    pub body: String,
    /// The front matter's text, indexed for positions only when a line is asked for: a good
    /// file never needs one, and indexing parsed each file's YAML a second time.
    yaml: String,
    positions: std::sync::OnceLock<Positions>,
}

impl Parsed {
    /// File line of a front-matter field (the opening `---` is line 1), under whichever name
    /// the file used for it; `attachments[2]` finds `附件[2]` too.
    pub fn line_of(&self, field: &str) -> usize {
        let (head, tail) = field.split_at(field.find('[').unwrap_or(field.len()));
        let chinese = CHINESE_NAMES.iter().find(|(f, _)| *f == head).map(|(_, names)| *names).unwrap_or(&[]);
        std::iter::once(head)
            .chain(chinese.iter().copied())
            .map(|name| format!("{name}{tail}"))
            .find(|path| self.positions().has(path))
            .map_or_else(|| self.positions().value(field), |path| self.positions().value(&path))
            .line
            + 1
    }

    fn positions(&self) -> &Positions {
        self.positions.get_or_init(|| Positions::index(&self.yaml))
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
        Ok(front) => {
            Ok(Parsed { front, body: body.to_string(), yaml: yaml.to_string(), positions: Default::default() })
        }
        Err(e) => {
            let pos = e.location().map(|l| Pos { line: l.line(), col: l.column() }).unwrap_or(Pos::START);
            let p = crate::group::serde_problem(std::path::Path::new(""), &e);
            let mut message = if p.hint.is_empty() { p.message } else { format!("{} ({})", p.message, p.hint) };
            // A field given under both its names: say which two, since the message names one.
            if let Some((field, names)) =
                CHINESE_NAMES.iter().find(|(f, _)| message.contains(&format!("duplicate field `{f}`")))
            {
                message.push_str(&format!("; `{field}` and `{}` are the same field, keep one", names.join("` / `")));
            }
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
    fn chinese_names_are_the_same_fields() {
        let p = parse(
            "---\n标题: 关于开展安全检查的通知\n栏目: 工作动态\n发布日期: 2024-05-01 09:30\n文号: 示政办发〔2024〕3号\n\
             发布机构: 示例市人民政府办公室\n成文日期: 2024-04-28\n主题分类: 安全生产监管\n公开属性: 依申请公开\n---\n正文\n",
        )
        .unwrap();
        let f = &p.front;
        assert_eq!(
            (f.title.as_str(), f.column.as_str(), f.date.as_str()),
            ("关于开展安全检查的通知", "工作动态", "2024-05-01 09:30")
        );
        assert_eq!(f.doc_number.as_deref(), Some("示政办发〔2024〕3号"));
        assert_eq!(f.issuer.as_deref(), Some("示例市人民政府办公室"));
        assert_eq!(f.written_date.as_deref(), Some("2024-04-28"));
        assert_eq!(f.topic.as_deref(), Some("安全生产监管"));
        assert_eq!(f.disclosure, Disclosure::OnRequest);
        // Lines are found under the name the file used.
        assert_eq!((p.line_of("column"), p.line_of("written_date")), (3, 7));
        // Every name of the table is accepted, and a field given twice is refused at its line.
        for (field, names) in CHINESE_NAMES {
            for name in names.iter().copied().chain([*field]) {
                let value = match *field {
                    "pinned" => "true",
                    "attachments" => "[]",
                    "disclosure" => "主动公开",
                    "validity" => "有效",
                    _ => "x",
                };
                let mut text = "---\ntitle: t\ncolumn: c\ndate: 2024-05-01\n".to_string();
                if !["title", "column", "date"].contains(field) {
                    text.push_str(&format!("{name}: {value}\n"));
                } else {
                    text = text.replace(&format!("{field}:"), &format!("{name}:"));
                }
                text.push_str("---\n");
                assert!(parse(&text).is_ok(), "{name}: {:?}", parse(&text).err());
            }
        }
        let twice = parse("---\ntitle: t\n标题: u\ncolumn: c\ndate: 2024-05-01\n---\n").unwrap_err();
        assert_eq!(twice.line, 2, "{}", twice.message);
        assert!(twice.message.contains("`title` and `标题` are the same field"), "{}", twice.message);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_datetime("2024-05-01").as_deref(), Some("2024-05-01 00:00:00"));
        assert_eq!(parse_datetime("2024-05-01 09:30").as_deref(), Some("2024-05-01 09:30:00"));
        assert_eq!(parse_datetime("2024-13-01"), None);
    }
}
