//! Markdown to safe HTML. pulldown-cmark escapes text itself, so the expensive HTML sanitiser
//! (ammonia) only runs on bodies that contain raw HTML; link and image URLs are filtered in the
//! event stream so that a `javascript:` link never survives either path.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_FOOTNOTES).union(Options::ENABLE_STRIKETHROUGH);

/// Renders a Markdown body to HTML that is safe to embed in a page.
pub fn render(markdown: &str) -> String {
    let mut has_raw_html = false;
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    {
        let events = Parser::new_ext(markdown, OPTIONS).map(|ev| match ev {
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                ev
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id })
            }
            other => other,
        });
        html::push_html(&mut out, events);
    }
    if has_raw_html {
        ammonia::clean(&out)
    } else {
        out
    }
}

/// Plain text of a Markdown body, for summaries, feeds and the search index; at most
/// `max_chars` characters, with `…` when cut.
pub fn plain_text(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    let mut chars = 0usize;
    for ev in Parser::new_ext(markdown, OPTIONS) {
        match ev {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                chars += t.chars().count();
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell)
                if !text.ends_with(' ') && !text.is_empty() =>
            {
                text.push(' ');
                chars += 1;
            }
            _ => {}
        }
        if chars > max_chars {
            break;
        }
    }
    let trimmed = text.trim();
    if chars > max_chars && trimmed.chars().count() > max_chars {
        let mut s: String = trimmed.chars().take(max_chars).collect();
        s.push('…');
        s
    } else {
        trimmed.to_string()
    }
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']).unwrap_or(usize::MAX);
    let allowed = match scheme_end {
        Some(end) if end < path_start => {
            matches!(&lower[..end], "http" | "https" | "mailto" | "tel" | "ftp")
        }
        _ => true, // relative URL
    };
    if allowed {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tables_and_footnotes() {
        let html = render("| 项目 | 金额 |\n|---|---|\n| 教育 | 100 |\n\n正文[^1]\n\n[^1]: 注释");
        assert!(html.contains("<table>"));
        assert!(html.contains("<td>教育</td>"));
        assert!(html.contains("footnote"));
    }

    #[test]
    fn escapes_and_sanitises() {
        let html = render("<script>alert(1)</script>\n\n<b onclick=\"x()\">粗体</b>");
        assert!(!html.contains("<script"));
        assert!(!html.contains("onclick"));
        assert!(html.contains("<b>粗体</b>"));
        let html = render("[点我](javascript:alert(1)) [好](https://www.gov.cn/) [相对](/gzdt/)");
        assert!(!html.contains("javascript"));
        assert!(html.contains("href=\"https://www.gov.cn/\""));
        assert!(html.contains("href=\"/gzdt/\""));
        let html = render("![图](JavaScript:alert(1))");
        assert!(!html.to_lowercase().contains("javascript"));
        assert!(render("a < b & c").contains("a &lt; b &amp; c"));
    }

    #[test]
    fn plain_text_summary() {
        assert_eq!(plain_text("# 标题\n\n第一段**加粗**。", 100), "标题 第一段加粗。");
        assert_eq!(plain_text("一二三四五六", 3), "一二三…");
    }
}
