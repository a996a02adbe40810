//! The word rules, as functions of plain text: private e-mail addresses (the group publishes
//! official mailboxes only), forbidden words, the group's 错敏词 list, and leaders' names
//! written wrong. A mistyped leader's name is a veto in the inspection; it is caught as a name
//! one character off (a homophone or a slip) written beside one of that leader's titles.

use crate::group::model::{Correction, Leader};

/// Addresses in `text` whose domain is one of `domains` (or a subdomain of one).
pub fn private_mails(text: &str, domains: &[String]) -> Vec<String> {
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let host = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let start = bytes[..at].iter().rposition(|&b| !local(b)).map_or(0, |p| p + 1);
        let end = bytes[at + 1..].iter().position(|&b| !host(b)).map_or(bytes.len(), |p| at + 1 + p);
        if start == at || end == at + 1 {
            continue;
        }
        let domain = text[at + 1..end].trim_end_matches('.').to_ascii_lowercase();
        if domains.iter().any(|d| domain == *d || domain.ends_with(&format!(".{d}"))) {
            let addr = format!("{}@{domain}", &text[start..at]);
            if !out.contains(&addr) {
                out.push(addr);
            }
        }
    }
    out
}

/// The forbidden words that occur in `text`.
pub fn forbidden<'a>(text: &str, words: &'a [String]) -> Vec<&'a str> {
    words.iter().filter(|w| !w.trim().is_empty() && text.contains(w.as_str())).map(String::as_str).collect()
}

/// (what was written, the correct name) for every leader's name written one character off
/// right before or after one of their titles, e.g. 市长王建华 for 市长王建国.
pub fn leader_misspellings(text: &str, leaders: &[Leader]) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for leader in leaders {
        let name: Vec<char> = leader.name.chars().collect();
        let n = name.len();
        for title in &leader.titles {
            let t: Vec<char> = title.chars().collect();
            if t.is_empty() {
                continue;
            }
            for i in 0..chars.len().saturating_sub(t.len() - 1) {
                if chars[i..i + t.len()] != t[..] {
                    continue;
                }
                // 副市长 is another office than 市长: its holder is another person.
                if i > 0 && !title.starts_with('副') && matches!(chars[i - 1], '副' | '务') {
                    continue;
                }
                let after = chars.get(i + t.len()..i + t.len() + n);
                let before = i.checked_sub(n).map(|s| &chars[s..i]);
                for window in [after, before].into_iter().flatten() {
                    let diff = window.iter().zip(&name).filter(|(a, b)| a != b).count();
                    // One character off, and a name-like one (not punctuation or a digit).
                    if diff == 1
                        && window.iter().all(|c| !c.is_ascii() && !c.is_ascii_punctuation() && c.is_alphabetic())
                    {
                        let found: String = window.iter().collect();
                        if !out.iter().any(|(f, _)| *f == found) {
                            out.push((found, leader.name.clone()));
                        }
                    }
                }
            }
        }
    }
    out
}

/// (as written, the right form) for every entry of the 错敏词 list found in `text`. An entry
/// whose wrong form is part of its own right form (旧称 inside 新称) is only found where the
/// right form is not written.
pub fn wrong_terms<'a>(text: &str, list: &'a [Correction]) -> Vec<(&'a str, &'a str)> {
    list.iter()
        .filter(|c| !c.wrong.trim().is_empty())
        .filter(|c| {
            if !c.right.contains(c.wrong.as_str()) {
                return text.contains(c.wrong.as_str());
            }
            text.replace(c.right.as_str(), "").contains(c.wrong.as_str())
        })
        .map(|c| (c.wrong.as_str(), c.right.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_found_official_ones_are_not() {
        let domains: Vec<String> = ["qq.com", "163.com", "gmail.com"].map(String::from).to_vec();
        let t = "请发送至 zhangsan123@QQ.com 或 li.si@mail.163.com，公务请用 fgw@shili.gov.cn。又如 x@qq.company.cn";
        assert_eq!(private_mails(t, &domains), ["zhangsan123@qq.com", "li.si@mail.163.com"]);
        assert!(private_mails("邮箱：office@shili.gov.cn", &domains).is_empty());
    }

    #[test]
    fn forbidden_words_are_found() {
        let words: Vec<String> = ["内部资料", "机密"].map(String::from).to_vec();
        assert_eq!(forbidden("本文件为内部资料，请勿外传", &words), ["内部资料"]);
        assert!(forbidden("公开信息", &words).is_empty());
    }

    #[test]
    fn leaders_names_one_character_off_beside_a_title() {
        let leaders =
            vec![Leader { name: "王建国".into(), titles: vec!["市长".into(), "市委副书记".into()] }];
        let found = |t: &str| leader_misspellings(t, &leaders);
        assert!(found("市长王建国主持召开常务会议").is_empty(), "written right");
        assert_eq!(found("市长王建华主持召开常务会议"), [("王建华".to_string(), "王建国".to_string())]);
        assert_eq!(
            found("王剑国市长出席"),
            [("王剑国".to_string(), "王建国".to_string())],
            "a homophone, before the title"
        );
        assert_eq!(found("市委副书记汪建国讲话"), [("汪建国".to_string(), "王建国".to_string())]);
        assert!(found("副市长王建华出席").is_empty(), "a vice-mayor is someone else");
        assert!(found("常务副市长王建华出席").is_empty());
        assert!(found("市长和副市长们").is_empty(), "far from a name");
        assert!(found("市长王建，国家").is_empty(), "punctuation is not a name");
        assert!(found("李建华市长").is_empty(), "two characters off: another person");
    }

    #[test]
    fn wrong_terms_are_found_with_their_right_form() {
        let list = vec![
            Correction { wrong: "中华人民共合国".into(), right: "中华人民共和国".into() },
            Correction { wrong: "国家发展计划委员会".into(), right: "国家发展和改革委员会".into() },
            Correction { wrong: "发改委".into(), right: "发展改革委".into() },
        ];
        assert_eq!(wrong_terms("依据中华人民共合国宪法", &list), [("中华人民共合国", "中华人民共和国")]);
        assert!(wrong_terms("依据中华人民共和国宪法", &list).is_empty());
        assert_eq!(wrong_terms("原国家发展计划委员会", &list), [("国家发展计划委员会", "国家发展和改革委员会")]);
        let contained = vec![Correction { wrong: "改革委".into(), right: "发展改革委".into() }];
        assert!(wrong_terms("市发展改革委", &contained).is_empty(), "the right form contains the wrong one");
        assert_eq!(wrong_terms("市发展改革委和改革委", &contained), [("改革委", "发展改革委")]);
    }
}
