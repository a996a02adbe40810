//! The public form, as it arrives: every field trimmed, stripped of control characters,
//! length-limited and checked, with every fault reported by field in Chinese. The honeypot
//! (`website`, hidden from people) must stay empty.

use serde::Deserialize;

use super::Category;
use crate::content::draft::FieldError;

pub const SUBJECT_MAX: usize = 60;
pub const CONTENT_MIN: usize = 10;
pub const CONTENT_MAX: usize = 3000;
pub const NAME_MAX: usize = 20;
pub const EMAIL_MAX: usize = 80;
/// Bytes of a whole request body; the form's fields fit easily.
pub const BODY_MAX: usize = 32 * 1024;

/// What the form posts (`application/x-www-form-urlencoded`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Form {
    pub recipient: String,
    pub category: String,
    pub subject: String,
    pub content: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    /// "1" when the citizen agrees to publication.
    pub publishable: String,
    /// The honeypot.
    pub website: String,
    pub challenge: String,
    pub nonce: String,
}

/// A checked message, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// '' for the site's own board, or one of its leader mailboxes.
    pub recipient: String,
    pub category: Category,
    pub subject: String,
    pub content: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub publishable: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The honeypot was filled: a robot. Answered like any other bad form, stored nowhere.
    Robot,
    Fields(Vec<FieldError>),
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

/// One line: trimmed, without control characters.
pub fn line(s: &str) -> String {
    s.trim().chars().filter(|c| !c.is_control()).collect()
}

/// Several lines: `\r\n` becomes `\n`, other control characters go.
pub fn lines(s: &str) -> String {
    s.replace("\r\n", "\n").trim().chars().filter(|c| *c == '\n' || !c.is_control()).collect()
}

/// Checks `form` for a site whose leader mailboxes are `mailboxes`.
pub fn check(form: &Form, mailboxes: &[&str]) -> Result<Submission, Refusal> {
    if !form.website.trim().is_empty() {
        return Err(Refusal::Robot);
    }
    let mut errors = Vec::new();
    let recipient = line(&form.recipient);
    if !recipient.is_empty() && !mailboxes.contains(&recipient.as_str()) {
        errors.push(err("recipient", "请选择本网站的留言板或领导信箱"));
    }
    let category = Category::parse(form.category.trim());
    if category.is_none() {
        errors.push(err("category", "请选择咨询、建议或投诉"));
    }
    let subject = line(&form.subject);
    match subject.chars().count() {
        0 => errors.push(err("subject", "请填写标题")),
        n if n > SUBJECT_MAX => errors.push(err("subject", format!("标题最多 {SUBJECT_MAX} 字，现有 {n} 字"))),
        _ => {}
    }
    let content = lines(&form.content);
    match content.chars().count() {
        n if n < CONTENT_MIN => errors.push(err("content", format!("请把问题写清楚，至少 {CONTENT_MIN} 字"))),
        n if n > CONTENT_MAX => errors.push(err("content", format!("内容最多 {CONTENT_MAX} 字，现有 {n} 字"))),
        _ => {}
    }
    let (name, phone) = writer(&form.name, &form.phone, &mut errors);
    let email = line(&form.email);
    if !email.is_empty() {
        let (local, domain) = email.split_once('@').unwrap_or(("", ""));
        if email.len() > EMAIL_MAX || local.is_empty() || !domain.contains('.') || email.contains(char::is_whitespace) {
            errors.push(err("email", "电子邮箱格式不正确，可以不填"));
        }
    }
    if !errors.is_empty() {
        return Err(Refusal::Fields(errors));
    }
    Ok(Submission {
        recipient,
        category: category.unwrap_or(Category::Consult),
        subject,
        content,
        name,
        phone,
        email: (!email.is_empty()).then_some(email),
        publishable: matches!(form.publishable.as_str(), "1" | "on" | "true"),
    })
}

/// The writer's name and phone, checked; faults go to `errors`.
fn writer(name: &str, phone: &str, errors: &mut Vec<FieldError>) -> (String, String) {
    let name = line(name);
    match name.chars().count() {
        0 => errors.push(err("name", "请填写姓名")),
        n if n > NAME_MAX => errors.push(err("name", format!("姓名最多 {NAME_MAX} 字"))),
        _ => {}
    }
    let phone: String = line(phone).chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let mobile = phone.len() == 11 && phone.starts_with('1');
    let landline = (10..=12).contains(&phone.len()) && phone.starts_with('0');
    if !phone.chars().all(|c| c.is_ascii_digit()) || !(mobile || landline) {
        errors.push(err("phone", "请填写 11 位手机号码或带区号的固定电话，用于查询办理结果"));
    }
    (name, phone)
}

/// Longest comment on an opinion solicitation.
pub const COMMENT_MAX: usize = 2000;

/// A comment on an opinion solicitation: (content, name, phone). Same fields, limits and
/// honeypot as a message, without subject or category.
pub fn check_comment(form: &Form) -> Result<(String, String, String), Refusal> {
    if !form.website.trim().is_empty() {
        return Err(Refusal::Robot);
    }
    let mut errors = Vec::new();
    let content = lines(&form.content);
    match content.chars().count() {
        n if n < CONTENT_MIN => errors.push(err("content", format!("请写下您的意见，至少 {CONTENT_MIN} 字"))),
        n if n > COMMENT_MAX => errors.push(err("content", format!("意见最多 {COMMENT_MAX} 字，现有 {n} 字"))),
        _ => {}
    }
    let (name, phone) = writer(&form.name, &form.phone, &mut errors);
    if errors.is_empty() {
        Ok((content, name, phone))
    } else {
        Err(Refusal::Fields(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Form {
        Form {
            recipient: "主任信箱".into(),
            category: "consult".into(),
            subject: "  关于公积金贷款额度 ".into(),
            content: "请问首套房公积金贷款的最高额度是多少？\r\n谢谢".into(),
            name: "张三".into(),
            phone: "138-1234-5678".into(),
            publishable: "1".into(),
            ..Form::default()
        }
    }

    #[test]
    fn a_good_form() {
        let s = check(&good(), &["主任信箱"]).unwrap();
        assert_eq!(s.subject, "关于公积金贷款额度");
        assert_eq!(s.phone, "13812345678");
        assert_eq!(s.content, "请问首套房公积金贷款的最高额度是多少？\n谢谢");
        assert!(s.publishable && s.email.is_none());
    }

    #[test]
    fn every_bad_field_is_named() {
        let f = Form {
            recipient: "市长信箱".into(),
            category: "praise".into(),
            subject: "长".repeat(61),
            content: "太短".into(),
            name: "".into(),
            phone: "12345".into(),
            email: "not-mail".into(),
            ..Form::default()
        };
        let Err(Refusal::Fields(e)) = check(&f, &["主任信箱"]) else { panic!() };
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["recipient", "category", "subject", "content", "name", "phone", "email"]);
        assert!(e[2].message.contains("61"));
    }

    #[test]
    fn the_honeypot_and_control_characters() {
        let robot = Form { website: "http://spam".into(), ..good() };
        assert_eq!(check(&robot, &["主任信箱"]), Err(Refusal::Robot));
        let sneaky = Form { subject: "标\u{0}题\u{1b}[31m".into(), ..good() };
        assert_eq!(check(&sneaky, &["主任信箱"]).unwrap().subject, "标题[31m");
    }
}
