//! One content check, two moments: the rules the audit applies to every published page run
//! here first, on the article an editor saves or submits and a reviewer approves, so that a
//! leader's name one character off, a forbidden word or a 错敏词 is caught before a citizen
//! sees it. `crate::audit::published` calls the same `text` on the pages it scans; there is
//! no second copy of the rules.
//!
//! - `words`: the word rules, as functions of plain text.
//! - `text`: those rules as hits, each with the rule id, its severity and the fix.
//! - `article`: the hits of a draft's title and body, each placed in its field with the words
//!   around it, plus the draft-only checks (images without alt text, links inside the group
//!   that lead nowhere).

pub mod words;

use std::collections::HashSet;

use serde::Serialize;

use crate::group::inspection::{self, Severity};
use crate::group::model::AuditSettings;

/// What the rules read from the group and the mailbox registry.
pub struct Rules<'a> {
    pub settings: &'a AuditSettings,
    /// The group's official mail domain, and the addresses on it cancelled in the registry.
    pub mail_domain: &'a str,
    pub cancelled: &'a HashSet<String>,
}

/// One broken rule in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The audit rule's id (`content.leader_name`, …), whose severity it carries.
    pub rule: &'static str,
    /// A veto-class finding: approval needs the reviewer's written confirmation.
    pub veto: bool,
    /// The words as written, to find and mark in the text.
    pub found: String,
    /// What to write instead, when the rule knows it.
    pub fix: Option<String>,
    /// The finding in a sentence, as the editor, the reviewer and the audit read it.
    pub message: String,
    /// The limit, in the audit's words.
    pub threshold: &'static str,
}

impl Hit {
    fn new(rule: &'static str, found: impl Into<String>, message: String, threshold: &'static str) -> Hit {
        Hit {
            rule,
            veto: inspection::rule(rule).severity == Severity::Veto,
            found: found.into(),
            fix: None,
            message,
            threshold,
        }
    }

    fn fix(mut self, fix: &str) -> Hit {
        self.fix = Some(fix.to_string());
        self
    }
}

/// The word rules' hits in `text`, in a stable order: leaders' names, 错敏词, forbidden words,
/// private and cancelled mailboxes.
pub fn text(text: &str, rules: &Rules) -> Vec<Hit> {
    let a = rules.settings;
    let mut out = Vec::new();
    for (found, name) in words::leader_misspellings(text, &a.leaders) {
        let message = format!("领导姓名疑似写错：“{found}”，应为“{name}”");
        out.push(Hit::new("content.leader_name", found, message, "姓名准确无误").fix(&name));
    }
    for (wrong, right) in words::wrong_terms(text, &a.corrections) {
        let message = format!("“{wrong}”是错误或过时的表述，应为“{right}”");
        out.push(Hit::new("content.wrong_term", wrong, message, "表述准确规范").fix(right));
    }
    for word in words::forbidden(text, &a.forbidden_words) {
        out.push(Hit::new("content.forbidden_word", word, format!("含有禁用词“{word}”"), "不得出现"));
    }
    for addr in words::private_mails(text, &a.private_mail_domains) {
        let message = format!("公布了私人邮箱 {addr}");
        out.push(Hit::new("content.private_mail", addr, message, "只用统一公务邮箱"));
    }
    if !rules.cancelled.is_empty() {
        for addr in words::private_mails(text, std::slice::from_ref(&rules.mail_domain.to_string())) {
            if rules.cancelled.contains(&addr) {
                let message = format!("公布的邮箱 {addr} 已在统一公务邮箱登记簿中注销");
                out.push(Hit::new("unify.mailbox_cancelled", addr, message, "只公布已开通的公务邮箱"));
            }
        }
    }
    out
}

/// A hit in a draft, placed: the field it is in and the words around its first occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placed {
    /// `title` or `body`.
    pub field: &'static str,
    #[serde(flatten)]
    pub hit: Hit,
    pub before: String,
    pub after: String,
}

/// Characters of context shown on each side of a finding.
const CONTEXT_CHARS: usize = 14;

/// The checks of a draft: the word rules on its title and on its body's text, images without
/// alt text, and links that `broken` says lead nowhere (it is asked about every link of the
/// body; the caller knows the published sites).
pub fn article(title: &str, body: &str, rules: &Rules, broken: &dyn Fn(&str) -> bool) -> Vec<Placed> {
    let html = super::markdown::render(body);
    let body_text = super::richtext::text_of(&html);
    let mut out = Vec::new();
    for (field, t) in [("title", title), ("body", body_text.as_str())] {
        for hit in text(t, rules) {
            let (before, after) = around(t, &hit.found);
            if !out.iter().any(|p: &Placed| p.hit.rule == hit.rule && p.hit.found == hit.found) {
                out.push(Placed { field, hit, before, after });
            }
        }
    }
    let mut n = 0;
    for (src, alt) in super::richtext::images(&html) {
        n += 1;
        if alt.trim().is_empty() {
            let message = format!("正文第 {n} 张图片缺少替代文字（图片说明），视障读者无法知道图片内容");
            let hit = Hit::new("content.image_alt", src, message, "每张图片都须有说明");
            out.push(Placed { field: "body", hit, before: String::new(), after: String::new() });
        }
    }
    let mut seen = HashSet::new();
    for link in links_in(&html) {
        if seen.insert(link.clone()) && broken(&link) {
            let hit = Hit::new("links.broken", link.clone(), format!("链接 {link} 无法打开"), "不得有");
            out.push(Placed { field: "body", hit, before: String::new(), after: String::new() });
        }
    }
    out
}

/// The words on each side of the first occurrence of `found` in `text`.
fn around(text: &str, found: &str) -> (String, String) {
    let Some(at) = text.find(found) else { return (String::new(), String::new()) };
    let before: Vec<char> = text[..at].chars().rev().take(CONTEXT_CHARS).collect();
    let before: String = before.into_iter().rev().collect();
    let after: String = text[at + found.len()..].chars().take(CONTEXT_CHARS).collect();
    (before.trim_start().to_string(), after.trim_end().to_string())
}

/// The values of `href="…"` and `src="…"` attributes, entities in them decoded; what the
/// audit's link check and the draft's follow.
pub fn links_in(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let Some(end) = rest.find('"') else { break };
            out.push(rest[..end].replace("&amp;", "&").replace("&#x2f;", "/").replace("&#x2F;", "/"));
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::model::{Correction, Leader};

    fn settings() -> AuditSettings {
        AuditSettings {
            forbidden_words: vec!["内部资料".into()],
            leaders: vec![Leader { name: "李明华".into(), titles: vec!["市长".into()] }],
            corrections: vec![Correction {
                wrong: "中华人民共合国".into(), right: "中华人民共和国".into()
            }],
            ..AuditSettings::default()
        }
    }

    #[test]
    fn a_draft_is_checked_in_its_title_and_body_with_the_fix() {
        let s = settings();
        let cancelled = HashSet::from(["old@shili.gov.cn".to_string()]);
        let rules = Rules { settings: &s, mail_domain: "shili.gov.cn", cancelled: &cancelled };
        let body = "市长李明化出席会议。\n\n依据中华人民共合国宪法。请联系 old@shili.gov.cn 或 a@qq.com。\n\n![](/files/a.png)\n\n[通知](/tzgg/none.html) [首页](/)";
        let found = article("内部资料：会议纪要", body, &rules, &|l| l.contains("none"));
        let rules_of: Vec<(&str, &str, bool)> = found.iter().map(|p| (p.field, p.hit.rule, p.hit.veto)).collect();
        assert_eq!(
            rules_of,
            [
                ("title", "content.forbidden_word", true),
                ("body", "content.leader_name", true),
                ("body", "content.wrong_term", true),
                ("body", "content.private_mail", false),
                ("body", "unify.mailbox_cancelled", false),
                ("body", "content.image_alt", false),
                ("body", "links.broken", false),
            ]
        );
        let leader = &found[1];
        assert_eq!(leader.hit.found, "李明化");
        assert_eq!(leader.hit.fix.as_deref(), Some("李明华"));
        assert_eq!((leader.before.as_str(), leader.after.as_str()), ("市长", "出席会议。 依据中华人民共合"));
        assert_eq!(found[2].hit.fix.as_deref(), Some("中华人民共和国"));
        assert!(found.iter().all(|p| !p.hit.message.is_empty() && !p.hit.message.contains("content.")));
    }

    #[test]
    fn a_clean_draft_has_no_findings() {
        let s = settings();
        let none = HashSet::new();
        let rules = Rules { settings: &s, mail_domain: "shili.gov.cn", cancelled: &none };
        let body = "市长李明华出席会议。\n\n![会场](/files/a.png)\n\n<p style=\"text-align:center\">中华人民共和国</p>";
        assert!(article("会议", body, &rules, &|_| false).is_empty());
    }
}
