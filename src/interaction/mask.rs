//! Personal data out of anything published: the writer's name becomes 某 after the surname,
//! and runs of digits long enough to be a phone, an ID card or a bank card number keep only
//! their ends. Applied to every text of a published message (subject, content, reply), and
//! to the writer's own name wherever the text repeats it.

/// `张三` → `张某`; a name that is not Chinese, or is empty, becomes `某`.
pub fn name(full: &str) -> String {
    let full = full.trim();
    match full.chars().next() {
        Some(c) if is_han(c) && full.chars().count() > 1 => format!("{c}某"),
        _ => "某".to_string(),
    }
}

/// `text` with the writer's name and every long number masked.
pub fn text(text: &str, writer: &str) -> String {
    let writer = writer.trim();
    let named = if writer.chars().count() >= 2 { text.replace(writer, &name(writer)) } else { text.to_string() };
    numbers(&emails(&named))
}

/// Masks digit runs of 7 or more (ASCII or full-width), an ID card's final X included: a
/// mobile number keeps its first 3 and last 4 digits, anything else its last 4 (or 2 when short).
pub fn numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_digit(chars[i]) {
            i += 1;
        }
        if i < chars.len() && matches!(chars[i], 'X' | 'x' | 'Ｘ') && i - start == 17 {
            i += 1;
        }
        let run = &chars[start..i];
        let n = run.len();
        if n < 7 {
            out.extend(run);
            continue;
        }
        let (keep_head, keep_tail) = if n == 11 && matches!(run[0], '1' | '１') {
            (3, 4)
        } else if n >= 11 {
            (0, 4)
        } else {
            (0, 2)
        };
        out.extend(&run[..keep_head]);
        out.extend(std::iter::repeat_n('*', n - keep_head - keep_tail));
        out.extend(&run[n - keep_tail..]);
    }
    out
}

/// `zhang.san@qq.com` → `z***@qq.com`.
fn emails(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&mask_word_emails(word));
    }
    out
}

fn mask_word_emails(word: &str) -> String {
    let Some(at) = word.find('@') else { return word.to_string() };
    let local_start = word[..at].char_indices().rev().find(|(_, c)| !is_local(*c)).map_or(0, |(i, c)| i + c.len_utf8());
    let local = &word[local_start..at];
    if local.is_empty() {
        return word.to_string();
    }
    let first = local.chars().next().unwrap_or('*');
    format!("{}{first}***{}", &word[..local_start], &word[at..])
}

fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("张三"), "张某");
        assert_eq!(name("欧阳娜娜"), "欧某");
        assert_eq!(name("王"), "某");
        assert_eq!(name("John"), "某");
        assert_eq!(name(" "), "某");
    }

    #[test]
    fn phones_ids_and_cards() {
        assert_eq!(numbers("电话13812345678，谢谢"), "电话138****5678，谢谢");
        assert_eq!(numbers("身份证430102199001011234"), "身份证**************1234");
        assert_eq!(numbers("身份证43010219900101123X。"), "身份证**************123X。");
        assert_eq!(numbers("座机0734-8100074"), "座机0734-*****74");
        assert_eq!(numbers("卡号6222021234567890123"), "卡号***************0123");
        assert_eq!(numbers("全角１３８１２３４５６７８"), "全角１３８****５６７８");
        // Years, amounts and document numbers stay.
        assert_eq!(numbers("2026年补贴3000元，第123号"), "2026年补贴3000元，第123号");
    }

    #[test]
    fn the_writers_name_and_mail_inside_the_text() {
        let t = text("我是李小明，邮箱 lixm@qq.com ，手机13900001111。李小明敬上", "李小明");
        assert_eq!(t, "我是李某，邮箱 l***@qq.com ，手机139****1111。李某敬上");
        assert!(!t.contains("李小明") && !t.contains("13900001111") && !t.contains("lixm"));
        // An address glued to Chinese text is still found.
        assert_eq!(text("邮箱lixm@qq.com", "X"), "邮箱l***@qq.com");
    }
}
