//! Markdown to safe HTML. pulldown-cmark escapes text itself, so the expensive HTML sanitiser
//! (`richtext::sanitize`) only runs on bodies that contain raw HTML, which includes every body
//! written in the rich editor; link and image URLs are filtered in the event stream so that a
//! `javascript:` link never survives either path.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_FOOTNOTES).union(Options::ENABLE_STRIKETHROUGH);

/// How deep raw HTML in a body may nest. Word and WPS pastes stay far below it; beyond it the
/// HTML parser behind the sanitiser slows down with the square of the depth (100,000 nested
/// `<div>`, 500 KB, took 18 s), so the form refuses such a body and the renderer shows its
/// tags as text rather than parse them.
pub const MAX_HTML_DEPTH: usize = 100;

/// Renders a Markdown body to HTML that is safe to embed in a page.
pub fn render(markdown: &str) -> String {
    let too_deep = html_depth(markdown) > MAX_HTML_DEPTH;
    let mut has_raw_html = false;
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    {
        let events = Parser::new_ext(markdown, OPTIONS).map(|ev| match ev {
            Event::Html(t) | Event::InlineHtml(t) if too_deep => Event::Text(t),
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
        super::richtext::sanitize(&out)
    } else {
        out
    }
}

/// The deepest nesting of HTML elements in `text`, counted in one pass over its tags (void
/// and self-closed elements do not nest). An estimate for refusing pathological input, not a
/// parser: unclosed `<p>` and `<li>` count as open, which only errs towards refusing.
pub fn html_depth(text: &str) -> usize {
    const VOID: [&str; 14] =
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];
    let bytes = text.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let len = bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if len == 0 || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = text[start..start + len].to_ascii_lowercase();
        let end = memchr::memchr(b'>', &bytes[start..]).map_or(bytes.len(), |e| start + e);
        if closing {
            depth = depth.saturating_sub(1);
        } else if !VOID.contains(&name.as_str()) && bytes.get(end.wrapping_sub(1)) != Some(&b'/') {
            depth += 1;
            deepest = deepest.max(depth);
        }
        i = end.min(bytes.len());
    }
    deepest
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
            Event::Html(t) | Event::InlineHtml(t) => {
                let t = super::richtext::text_of(&t);
                if text.ends_with(' ') {
                    text.push_str(t.trim_start());
                } else {
                    text.push_str(&t);
                }
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
    fn deeply_nested_html_is_shown_as_text_not_parsed() {
        let body = format!("{}深{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        assert_eq!(html_depth(&body), 50_000);
        let started = std::time::Instant::now();
        let html = render(&body);
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "no quadratic parse");
        assert!(html.contains("&lt;div&gt;") && !html.contains("<div>"), "tags shown as text");
        assert_eq!(html_depth("<p>一<br>二<img src=x><hr/></p><p>三</p>"), 1);
        assert_eq!(html_depth("<div><section><p>x</p></section></div>"), 3);
    }

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
        assert_eq!(
            plain_text("<p style=\"text-align: center\">通知</p>\n\n<p>第一段&amp;<b>加粗</b>。</p>", 100),
            "通知 第一段&加粗。"
        );
    }
}
