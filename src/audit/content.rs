//! The text of a published page, for the content checks (`crate::content::check`), which
//! are the same at the editor's desk and in the audit.

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
}
