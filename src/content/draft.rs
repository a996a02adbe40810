//! What an editor types into the article form, and the rules it must meet: loose ones for
//! saving a draft (nothing typed is ever refused for being incomplete), strict ones for
//! submitting it to review. Errors name the form field they belong to, in Chinese.

use serde::{Deserialize, Serialize};

use super::{Disclosure, GovMeta, Validity};

pub const MAX_TITLE: usize = 200;
pub const MAX_SUMMARY: usize = 500;
pub const MAX_SHORT: usize = 100;
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The article form. Every field is text as the browser sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftInput {
    pub title: String,
    pub column: String,
    pub summary: String,
    pub body: String,
    /// `html` when the body comes from the rich editor and is converted on the way in
    /// (`richtext::to_body`); empty when it is Markdown (a form without script, an import).
    pub body_format: String,
    /// `now` (on approval) or `scheduled`.
    pub publish_mode: String,
    /// `YYYY-MM-DDTHH:MM` from a datetime-local input, China time.
    pub publish_at: String,
    /// A checkbox: present ("on") when ticked.
    pub pinned: Option<String>,
    pub doc_number: String,
    pub issuer: String,
    pub written_date: String,
    pub topic: String,
    pub disclosure: String,
    pub validity: String,
    /// 索引号 of the policy document this article interprets.
    pub interprets: String,
    /// 来源, for reposted articles.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

impl DraftInput {
    /// Trims the one-line fields and turns Windows line ends into `\n`.
    pub fn normalize(&mut self) {
        for f in [
            &mut self.title,
            &mut self.column,
            &mut self.publish_mode,
            &mut self.publish_at,
            &mut self.doc_number,
            &mut self.issuer,
            &mut self.written_date,
            &mut self.topic,
            &mut self.disclosure,
            &mut self.validity,
            &mut self.interprets,
            &mut self.source,
        ] {
            let t = f.trim();
            if t.len() != f.len() {
                *f = t.to_string();
            }
        }
        self.summary = self.summary.replace("\r\n", "\n").trim().to_string();
        if self.body_format == "html" {
            self.body = super::richtext::to_body(&self.body);
            self.body_format.clear();
        }
        if self.body.contains('\r') {
            self.body = self.body.replace("\r\n", "\n").replace('\r', "\n");
        }
        if self.disclosure.is_empty() {
            self.disclosure = Disclosure::Active.as_str().into();
        }
        if self.validity.is_empty() {
            self.validity = Validity::Valid.as_str().into();
        }
        if self.publish_mode.is_empty() {
            self.publish_mode = "now".into();
        }
    }

    pub fn pinned(&self) -> bool {
        self.pinned.as_deref().is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
    }

    pub fn meta(&self) -> GovMeta {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        GovMeta {
            doc_number: opt(&self.doc_number),
            issuer: opt(&self.issuer),
            written_date: opt(&self.written_date),
            topic: opt(&self.topic),
            disclosure: Disclosure::parse(&self.disclosure).unwrap_or_default(),
            validity: Validity::parse(&self.validity).unwrap_or_default(),
            source: opt(&self.source),
        }
    }

    /// The scheduled time as stored (`YYYY-MM-DD HH:MM:SS`), or None to publish on approval.
    pub fn scheduled_at(&self) -> Option<String> {
        if self.publish_mode != "scheduled" {
            return None;
        }
        parse_local_datetime(&self.publish_at)
    }

    /// Rules a draft must meet to be saved at all: sizes and formats, never completeness.
    pub fn check_draft(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let chars = |s: &str| s.chars().count();
        if chars(&self.title) > MAX_TITLE {
            errors.push(err("title", format!("标题不能超过 {MAX_TITLE} 个字")));
        }
        if chars(&self.summary) > MAX_SUMMARY {
            errors.push(err("summary", format!("摘要不能超过 {MAX_SUMMARY} 个字")));
        }
        if chars(&self.source) > MAX_SHORT {
            errors.push(err("source", format!("来源不能超过 {MAX_SHORT} 个字")));
        }
        if self.body.len() > MAX_BODY_BYTES {
            errors.push(err("body", "正文过长（超过 1 MB），请拆分或改为附件"));
        } else if crate::content::markdown::html_depth(&self.body) > crate::content::markdown::MAX_HTML_DEPTH {
            errors.push(err(
                "body",
                format!(
                    "正文中的 HTML 格式嵌套超过 {} 层，无法处理；请先粘贴为纯文本再重新设置格式",
                    crate::content::markdown::MAX_HTML_DEPTH
                ),
            ));
        }
        for (field, value, label) in [
            ("doc_number", &self.doc_number, "文号"),
            ("issuer", &self.issuer, "发布机构"),
            ("topic", &self.topic, "主题分类"),
            ("interprets", &self.interprets, "所解读的政策索引号"),
        ] {
            if chars(value) > MAX_SHORT {
                errors.push(err(field, format!("{label}不能超过 {MAX_SHORT} 个字")));
            }
        }
        if !self.written_date.is_empty() && chrono::NaiveDate::parse_from_str(&self.written_date, "%Y-%m-%d").is_err() {
            errors.push(err("written_date", "成文日期格式应为 YYYY-MM-DD，例如 2024-05-01"));
        }
        if Disclosure::parse(&self.disclosure).is_none() {
            errors.push(err("disclosure", "公开属性只能是“主动公开”或“依申请公开”"));
        }
        if Validity::parse(&self.validity).is_none() {
            errors.push(err("validity", "有效性只能是“有效”或“失效”"));
        }
        match self.publish_mode.as_str() {
            "now" => {}
            "scheduled" if !self.publish_at.is_empty() && self.scheduled_at().is_none() => {
                errors.push(err("publish_at", "定时发布时间格式不正确，请用日期时间选择器选择"))
            }
            "scheduled" => {}
            _ => errors.push(err("publish_mode", "发布方式只能是“审核通过后立即发布”或“定时发布”")),
        }
        errors
    }

    /// The 主题分类 must be one of the group's (`topics`), when given.
    pub fn check_topic(&self, topics: &[String]) -> Option<FieldError> {
        (!self.topic.is_empty() && !topics.contains(&self.topic))
            .then(|| err("topic", format!("主题分类“{}”不在本站群的分类表中，请从列表中选择", self.topic)))
    }

    /// Rules for submitting to review: everything of `check_draft`, plus completeness.
    /// `policy_column` asks for the document fields; `now` is China time `YYYY-MM-DD HH:MM:SS`.
    pub fn check_submit(&self, policy_column: bool, now: &str) -> Vec<FieldError> {
        let mut errors = self.check_draft();
        if self.title.is_empty() {
            errors.push(err("title", "请填写标题"));
        }
        if self.column.is_empty() {
            errors.push(err("column", "请选择栏目"));
        }
        if body_is_empty(&self.body) {
            errors.push(err("body", "请填写正文"));
        }
        if let Some(alt) = images_without_alt(&self.body) {
            errors.push(err(
                "body",
                format!("正文第 {alt} 张图片缺少替代文字：请点选这张图片，在“图片说明”中写明图片内容，方便视障读者"),
            ));
        }
        if policy_column {
            if self.issuer.is_empty() {
                errors.push(err("issuer", "政策文件须填写发布机构"));
            }
            if self.written_date.is_empty() {
                errors.push(err("written_date", "政策文件须填写成文日期"));
            }
        }
        if self.publish_mode == "scheduled" {
            match self.scheduled_at() {
                None if self.publish_at.is_empty() => errors.push(err("publish_at", "请选择定时发布的时间")),
                Some(at) if at.as_str() <= now => errors.push(err("publish_at", "定时发布的时间必须晚于现在")),
                _ => {}
            }
        }
        errors
    }
}

/// `YYYY-MM-DDTHH:MM[:SS]` (or with a space) → `YYYY-MM-DD HH:MM:SS`.
pub fn parse_local_datetime(s: &str) -> Option<String> {
    let s = s.replace('T', " ");
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(&s, f).ok())
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// The 1-based number of the first image in a body (Markdown or rich text) whose alt text is
/// empty.
pub fn images_without_alt(body: &str) -> Option<usize> {
    super::richtext::images_without_alt(&super::markdown::render(body))
}

/// Whether a body says nothing: no text and no image (the rich editor's empty body is
/// `<p><br></p>`).
pub fn body_is_empty(body: &str) -> bool {
    super::markdown::plain_text(body, 1).is_empty() && !super::markdown::render(body).contains("<img")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> DraftInput {
        let mut d = DraftInput {
            title: " 关于开展网络舆情工作的通知 ".into(),
            column: "tzgg".into(),
            body: "正文\r\n第二段".into(),
            ..Default::default()
        };
        d.normalize();
        d
    }

    #[test]
    fn normalizes() {
        let d = complete();
        assert_eq!(d.title, "关于开展网络舆情工作的通知");
        assert_eq!(d.body, "正文\n第二段");
        assert_eq!(d.disclosure, "主动公开");
        assert!(d.check_submit(false, "2026-01-01 00:00:00").is_empty());
    }

    #[test]
    fn drafts_may_be_incomplete_but_not_malformed() {
        let mut d = DraftInput::default();
        d.normalize();
        assert!(d.check_draft().is_empty());
        let fields: Vec<_> = d.check_submit(false, "2026-01-01 00:00:00").iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "column", "body"]);
        d.written_date = "2024/5/1".into();
        d.disclosure = "公开".into();
        let fields: Vec<_> = d.check_draft().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["written_date", "disclosure"]);
    }

    #[test]
    fn policy_documents_need_issuer_and_date() {
        let d = complete();
        let fields: Vec<_> = d.check_submit(true, "2026-01-01 00:00:00").iter().map(|e| e.field).collect();
        assert_eq!(fields, ["issuer", "written_date"]);
    }

    #[test]
    fn images_need_alt_text() {
        assert_eq!(images_without_alt("![图一](/a.png) 和 ![](/b.png)"), Some(2));
        assert_eq!(images_without_alt("![ ](/b.png)"), Some(1));
        assert_eq!(images_without_alt("![会议现场](/a.png)"), None);
        let mut d = complete();
        d.body = "![](/files/ab/x.png)".into();
        assert_eq!(d.check_submit(false, "2026-01-01 00:00:00")[0].field, "body");
    }

    #[test]
    fn scheduling() {
        let mut d = complete();
        d.publish_mode = "scheduled".into();
        d.publish_at = "2026-12-01T09:30".into();
        assert_eq!(d.scheduled_at().as_deref(), Some("2026-12-01 09:30:00"));
        assert!(d.check_submit(false, "2026-11-21 10:00:00").is_empty());
        let e = d.check_submit(false, "2026-12-02 00:00:00");
        assert_eq!(e[0].field, "publish_at");
        d.publish_at = "next tuesday".into();
        assert_eq!(d.check_draft()[0].field, "publish_at");
        d.publish_mode = "whenever".into();
        assert_eq!(d.check_draft()[0].field, "publish_mode");
    }
}
