//! Content checks on the text of every published page: private e-mail addresses (the group
//! publishes official mailboxes only), forbidden words, and leaders' names written wrong. A
//! mistyped leader's name is a veto in the inspection; it is caught as a name one character
//! off (a homophone or a slip) written beside one of that leader's titles.

use crate::group::model::Leader;

/// The text of an HTML page: tags, scripts and styles left out, a few entities decoded.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let lower_start: String = rest.chars().take(7).collect::<String>().to_ascii_lowercase();
        let skip_to = if lower_start.starts_with("<script") {
            "</script>"
        } else if lower_start.starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        match rest.find(skip_to) {
            Some(end) => rest = &rest[end + skip_to.len()..],
            None => return decode(&out),
        }
        out.push(' ');
    }
    out.push_str(rest);
    decode(&out)
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_leaves_out_markup_and_scripts() {
        let t = text_of(
            r#"<p class="a">联系<b>邮箱</b>：a@qq.com</p><script>var x="b@qq.com";</script><style>p{}</style>完&amp;毕"#,
        );
        assert!(t.contains("联系") && t.contains("邮箱") && t.contains("a@qq.com") && t.contains("完&毕"), "{t}");
        assert!(!t.contains("b@qq.com") && !t.contains("p{}"), "{t}");
    }

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
}
