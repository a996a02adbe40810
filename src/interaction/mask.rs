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

/// Masks the numbers that identify a person, however they are written: a mobile number
/// (`13812345678`, `138-1234-5678`, `138 1234 5678`, `+86 138 1234 5678`), an ID card
/// (its final X included) or a bank card (`6222 0212 3456 7890`), in ASCII or full-width
/// digits. Digit groups joined by one space or dash count as one number when together they
/// have the shape of one of these; any other run of 7 or more digits is masked on its own. A
/// mobile number keeps its first 3 and last 4 digits, anything else its last 4 (or 2 when
/// short). Dates (`2026-11-26`) and amounts stay as written.
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
        let groups = digit_groups(&chars, i);
        let mut g = 0;
        while g < groups.len() {
            // The longest run of groups from g that has a personal number's shape.
            let joined = (g + 1..groups.len()).rev().find_map(|last| {
                let span = &chars[groups[g].0..groups[last].1];
                shape(&digits_of(span)).map(|keep| (last, span, keep))
            });
            match joined {
                Some((last, span, keep)) => {
                    mask_span(&mut out, span, keep);
                    g = last + 1;
                }
                None => {
                    let run = &chars[groups[g].0..groups[g].1];
                    match single_shape(run) {
                        Some(keep) => mask_span(&mut out, run, keep),
                        None => out.extend(run),
                    }
                    g += 1;
                }
            }
            // The separator between this group and the next, when the next was not joined.
            if g < groups.len() {
                out.extend(&chars[groups[g - 1].1..groups[g].0]);
            }
        }
        i = groups.last().map_or(i + 1, |l| l.1);
    }
    out
}

/// The digit groups from `start`: each a run of digits (with an ID card's final X), the next
/// following after exactly one separator. Returned as char ranges.
fn digit_groups(chars: &[char], start: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut i = start;
    loop {
        let from = i;
        while i < chars.len() && is_digit(chars[i]) {
            i += 1;
        }
        if i < chars.len()
            && matches!(chars[i], 'X' | 'x' | 'Ｘ')
            && digits_of(&chars[from..i]).len() + count_digits(&groups, chars) == 17
        {
            i += 1;
        }
        groups.push((from, i));
        if i + 1 < chars.len() && is_separator(chars[i]) && is_digit(chars[i + 1]) {
            i += 1;
        } else {
            return groups;
        }
    }
}

fn count_digits(groups: &[(usize, usize)], chars: &[char]) -> usize {
    groups.iter().map(|(a, b)| digits_of(&chars[*a..*b]).len()).sum()
}

/// The digits of a span as ASCII (full-width folded, the ID's X kept as `X`).
fn digits_of(span: &[char]) -> String {
    span.iter()
        .filter_map(|c| match c {
            '0'..='9' => Some(*c),
            '０'..='９' => char::from_u32(*c as u32 - '０' as u32 + '0' as u32),
            'X' | 'x' | 'Ｘ' => Some('X'),
            _ => None,
        })
        .collect()
}

/// How many digits to keep at the head and the tail of a number written in several groups,
/// when the groups together are a mobile number (with or without +86), an ID card or a bank
/// card; None for anything else (a date, a phone extension, two amounts).
fn shape(digits: &str) -> Option<(usize, usize)> {
    let n = digits.len();
    let b = digits.as_bytes();
    match n {
        11 if b[0] == b'1' => Some((3, 4)),
        13 if digits.starts_with("861") => Some((5, 4)),
        15..=19 => Some((0, 4)),
        _ => None,
    }
}

/// The same for one unbroken run, where any run of 7 or more digits is masked.
fn single_shape(run: &[char]) -> Option<(usize, usize)> {
    let digits = digits_of(run);
    match digits.len() {
        0..=6 => None,
        n => shape(&digits).or(Some(if n >= 11 { (0, 4) } else { (0, 2) })),
    }
}

/// Writes `span` with every digit but the first `keep.0` and the last `keep.1` starred; the
/// separators stay, so the masked number still reads as written.
fn mask_span(out: &mut String, span: &[char], keep: (usize, usize)) {
    let total = span.iter().filter(|c| is_digit(**c) || matches!(c, 'X' | 'x' | 'Ｘ')).count();
    let mut seen = 0;
    for c in span {
        if is_digit(*c) || matches!(c, 'X' | 'x' | 'Ｘ') {
            let keep_it = seen < keep.0 || seen >= total.saturating_sub(keep.1);
            out.push(if keep_it { *c } else { '*' });
            seen += 1;
        } else {
            out.push(*c);
        }
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{3000}' | '－' | '‐' | '–' | '—' | '\u{a0}')
}

/// `zhang.san@qq.com` → `z***@qq.com`.
fn emails(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // A full-width ＠ is still an address to the reader.
    let text = text.replace('＠', "@");
    let mut rest = text.as_str();
    while let Some(at) = rest.find([' ', '\u{3000}', '\n']) {
        out.push_str(&mask_word_emails(&rest[..at]));
        let sep = rest[at..].chars().next().unwrap_or(' ');
        out.push(sep);
        rest = &rest[at + sep.len_utf8()..];
    }
    out.push_str(&mask_word_emails(rest));
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
    fn numbers_written_in_groups() {
        assert_eq!(numbers("手机139-1234-5678。"), "手机139-****-5678。");
        assert_eq!(numbers("手机 139 1234 5678 联系"), "手机 139 **** 5678 联系");
        assert_eq!(numbers("＋86 139 1234 5678"), "＋86 139 **** 5678");
        assert_eq!(numbers("+86-13912345678"), "+86-139****5678");
        assert_eq!(numbers("8613912345678"), "86139****5678");
        assert_eq!(numbers("卡号6222 0212 3456 7890"), "卡号**** **** **** 7890");
        assert_eq!(numbers("卡号 6222-0212-3456-7890-123"), "卡号 ****-****-****-***0-123");
        assert_eq!(numbers("身份证 430102 19900101 123X"), "身份证 ****** ******** 123X");
        assert_eq!(numbers("全角１３９－１２３４－５６７８"), "全角１３９－****－５６７８");
        assert_eq!(numbers("139\u{3000}1234\u{3000}5678"), "139\u{3000}****\u{3000}5678");
        // Dates, times, amounts and document numbers written in groups stay.
        assert_eq!(numbers("2026-11-26 14:30 办结"), "2026-11-26 14:30 办结");
        assert_eq!(numbers("共 2026 件 3000 元"), "共 2026 件 3000 元");
        assert_eq!(numbers("发改〔2026〕12号 第3-5条"), "发改〔2026〕12号 第3-5条");
        // A landline keeps its area code readable; its number is masked on its own.
        assert_eq!(numbers("座机 0734-8100074"), "座机 0734-*****74");
    }

    #[test]
    fn realistic_letters_leave_nothing_personal() {
        let letter = "市长您好：我叫王建国，住在幸福小区3栋，电话 139 1234 5678 或 ＋86 138-0000-1111，\
                      邮箱 wangjg＠163.com，身份证 430102 19900101 1234，工资卡 6222 0212 3456 7890 被冻结。";
        let masked = text(letter, "王建国");
        for secret in ["王建国", "1234 5678", "0000-1111", "wangjg", "19900101", "0212 3456"] {
            assert!(!masked.contains(secret), "{secret} still in {masked}");
        }
        assert!(masked.contains("3栋") && masked.contains("w***@163.com"), "{masked}");
        let reply = "王建国同志：已电话（139-1234-5678）联系您，请于2026-12-01到窗口办理。";
        let masked = text(reply, "王建国");
        assert_eq!(masked, "王某同志：已电话（139-****-5678）联系您，请于2026-12-01到窗口办理。");
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
