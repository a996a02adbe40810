//! Bodies written in the rich editor (or converted from Word): HTML cut down to what a
//! government document needs, and stored as Markdown made only of HTML blocks, so that one
//! renderer, one summary and one search index serve old Markdown articles and new ones alike.
//!
//! What survives is an explicit whitelist: headings, paragraphs, line breaks, bold, italic,
//! underline, lists, links, images, tables with merged cells and header rows, and of CSS only
//! alignment, first-line and left indents and widths, each value checked against its grammar.
//! Anything else (script, event handlers, `javascript:` links, CSS expressions, SVG, Word's
//! `mso-*` styles and `<o:p>`) is dropped here, on the server, whatever the browser sent.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::markdown::MAX_HTML_DEPTH;

/// Elements that stand on their own line in a stored body. Each is one of the HTML block
/// kinds CommonMark passes through untouched (type 6, or `<pre>`), which is what lets the
/// Markdown renderer carry them unchanged.
const BLOCKS: &[&str] =
    &["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table", "figure", "hr", "pre"];

const TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "code",
    "pre",
    "blockquote",
    "hr",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
];

/// Elements whose CSS may say how they are aligned or indented.
const STYLED: &[&str] = &["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "figure", "table", "img"];

const VOID: &[&str] =
    &["br", "hr", "img", "col", "wbr", "area", "base", "embed", "input", "link", "meta", "source", "track"];

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    let mut attrs: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    attrs.insert("a", ["href"].into());
    attrs.insert("img", ["src", "alt", "width", "height"].into());
    attrs.insert("ol", ["start"].into());
    attrs.insert("td", ["colspan", "rowspan"].into());
    attrs.insert("th", ["colspan", "rowspan", "scope"].into());
    attrs.insert("col", ["span"].into());
    for tag in STYLED {
        attrs.entry(tag).or_default().insert("style");
    }
    b.tags(TAGS.iter().copied().collect())
        .tag_attributes(attrs)
        .generic_attributes(["title", "lang"].into())
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
        .add_allowed_classes("div", ["footnote-definition"])
        .attribute_filter(|element, attribute, value| match attribute {
            "style" => style(element, value).map(Cow::Owned),
            "colspan" | "rowspan" | "span" | "start" => small_number(value, 1, 1000).then_some(Cow::Borrowed(value)),
            "width" | "height" => small_number(value, 1, 10_000).then_some(Cow::Borrowed(value)),
            "scope" => matches!(value, "row" | "col" | "rowgroup" | "colgroup").then_some(Cow::Borrowed(value)),
            _ => Some(Cow::Borrowed(value)),
        });
    b
});

/// Cleans HTML down to the whitelist. Idempotent: cleaning clean HTML changes nothing.
pub fn sanitize(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// What to store for HTML from the editor or from a Word document: the cleaned HTML with one
/// block per line and a blank line between blocks (so that CommonMark keeps each block whole),
/// loose text and inline elements gathered into paragraphs, and the admin's address of an
/// uploaded file turned back into its public one.
pub fn to_body(html: &str) -> String {
    if super::markdown::html_depth(html) > MAX_HTML_DEPTH {
        // Left as sent: the form refuses it for its depth, and cleaning it would take minutes.
        return html.to_string();
    }
    // U+FEFF and U+200B are the editor's cursor anchors, never text anyone typed.
    let html = html.replace("\"/admin/files/", "\"/files/").replace(['\u{feff}', '\u{200b}'], "");
    let clean = sanitize(&html);
    let mut out = String::with_capacity(clean.len() + 64);
    let mut inline = String::new();
    for node in top_level_nodes(&clean) {
        match node {
            Node::Block(block) => {
                flush_paragraph(&mut out, &mut inline);
                push_block(&mut out, block);
            }
            Node::Inline(piece) => inline.push_str(piece),
        }
    }
    flush_paragraph(&mut out, &mut inline);
    out
}

/// The stored body as the rich editor loads it: rendered, with uploaded files addressed where
/// the admin serves them.
pub fn for_editor(body: &str) -> String {
    super::markdown::render(body).replace("src=\"/files/", "src=\"/admin/files/")
}

/// The readable text of an HTML fragment: tags dropped, a space where a block or line ends,
/// entities decoded.
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_collapsed(&mut out, &decode_entities(&rest[..lt]));
        let Some(gt) = tag_end(rest, lt) else {
            rest = "";
            break;
        };
        let name = tag_name(&rest[lt..gt]);
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "li" | "td" | "th" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
        ) && !out.ends_with(' ')
        {
            out.push(' ');
        }
        rest = &rest[gt + 1..];
    }
    push_collapsed(&mut out, &decode_entities(rest));
    out
}

/// Appends text with each run of whitespace as one space, as a browser shows it.
fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// The 1-based number of the first `<img>` in `html` whose alt text is missing or blank.
pub fn images_without_alt(html: &str) -> Option<usize> {
    images(html).iter().position(|(_, alt)| alt.trim().is_empty()).map(|i| i + 1)
}

/// (src, alt) of every `<img>` in `html`, entities decoded; a missing attribute is empty.
pub fn images(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find("<img") {
        let end = tag_end(rest, lt).unwrap_or(rest.len() - 1);
        let tag = &rest[lt..=end.min(rest.len() - 1)];
        let attr = |name: &str| attribute(tag, name).map(|a| decode_entities(&a).into_owned()).unwrap_or_default();
        out.push((attr("src"), attr("alt")));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out
}

enum Node<'a> {
    Block(&'a str),
    Inline(&'a str),
}

/// Splits serialised, well-formed HTML (as the sanitiser writes it) into its top-level nodes.
fn top_level_nodes(html: &str) -> Vec<Node<'_>> {
    let mut nodes = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut start_is_block = false;
    let mut i = 0usize;
    while let Some(off) = html[i..].find('<') {
        let lt = i + off;
        let Some(gt) = tag_end(html, lt) else { break };
        let tag = &html[lt..=gt];
        let name = tag_name(tag);
        let closing = tag.starts_with("</");
        if depth == 0 && !closing {
            if lt > start {
                nodes.push(Node::Inline(&html[start..lt]));
            }
            start = lt;
            start_is_block = BLOCKS.contains(&name.as_str());
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if !VOID.contains(&name.as_str()) {
            depth += 1;
        }
        i = gt + 1;
        if depth == 0 && !(closing && start == i) {
            let node = &html[start..i];
            nodes.push(if start_is_block { Node::Block(node) } else { Node::Inline(node) });
            start = i;
            start_is_block = false;
        }
    }
    if start < html.len() {
        nodes.push(Node::Inline(&html[start..]));
    }
    nodes
}

fn flush_paragraph(out: &mut String, inline: &mut String) {
    if !inline.trim().is_empty() {
        let p = format!("<p>{}</p>", inline.trim());
        push_block(out, &p);
    }
    inline.clear();
}

/// A block on one line: a newline inside it becomes a character reference, so no blank line
/// can end the CommonMark HTML block early, and `<pre>` keeps its lines.
fn push_block(out: &mut String, block: &str) {
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&block.trim_end_matches('\n').replace('\n', "&#10;"));
}

/// The index of the `>` closing the tag that opens at `lt`, skipping quoted attribute values.
fn tag_end(html: &str, lt: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in html[lt..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(lt + i),
            _ => {}
        }
    }
    None
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A double-quoted attribute's raw value in one serialised tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_string())
}

fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(if c == '\n' { ' ' } else { c });
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn small_number(value: &str, min: u32, max: u32) -> bool {
    value.trim().parse::<u32>().is_ok_and(|n| (min..=max).contains(&n))
}

/// Keeps the declarations of a `style` attribute that say alignment (an image's float or
/// centring too), indent or (for images and tables, in percent so that phones can narrow
/// them) width, each value matched against its own small grammar; `None` when nothing is left. Word's `mso-*` properties, fonts, colours,
/// fixed cell widths, `expression()`, `url()` and anything unknown go.
fn style(element: &str, value: &str) -> Option<String> {
    let mut kept = Vec::new();
    for decl in value.split(';') {
        let Some((prop, val)) = decl.split_once(':') else { continue };
        let prop = prop.trim().to_ascii_lowercase();
        let val = val.trim().trim_end_matches("!important").trim().to_ascii_lowercase();
        let ok = match prop.as_str() {
            "text-align" => matches!(val.as_str(), "left" | "right" | "center" | "justify"),
            // An image's own alignment, as the editor sets it: floated left or right, or a
            // centred block.
            "float" => element == "img" && matches!(val.as_str(), "left" | "right" | "none"),
            "display" => element == "img" && matches!(val.as_str(), "block" | "inline" | "inline-block"),
            "margin-left" | "margin-right" if element == "img" => val == "auto" || length(&val, 0.0, 40.0),
            "text-indent" | "margin-left" | "padding-left" => length(&val, 0.0, 40.0),
            "width" => matches!(element, "img" | "table") && percent(&val),
            _ => false,
        };
        if ok && !kept.iter().any(|(p, _): &(String, String)| *p == prop) {
            kept.push((prop, val));
        }
    }
    (!kept.is_empty()).then(|| kept.iter().map(|(p, v)| format!("{p}: {v}")).collect::<Vec<_>>().join("; "))
}

/// A CSS length in em, px, pt or cm; `max` is in em (16 px, 12 pt) so one bound fits all.
fn length(val: &str, min_em: f64, max_em: f64) -> bool {
    let units: [(&str, f64); 5] = [("em", 1.0), ("px", 16.0), ("pt", 12.0), ("cm", 0.423), ("rem", 1.0)];
    if val == "0" {
        return true;
    }
    units.iter().any(|(unit, per_em)| {
        val.strip_suffix(unit)
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .and_then(|n| n.parse::<f64>().ok())
            .is_some_and(|n| (min_em * per_em..=max_em * per_em).contains(&n))
    })
}

fn percent(val: &str) -> bool {
    val.strip_suffix('%')
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .and_then(|n| n.parse::<f64>().ok())
        .is_some_and(|n| (0.0..=100.0).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::markdown;

    /// Word's own markup for a short notice: a centred bold heading, an indented paragraph, a
    /// table with a merged cell and a right-aligned two-line 落款, with its residue.
    const WORD: &str = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{mso-style-parent:"";}</style></head><body>
<!--StartFragment--><p class=MsoNormal align=center style='text-align:center;mso-line-height-rule:exactly'><b><span style='font-size:22.0pt;font-family:方正小标宋简体;mso-ascii-font-family:"Times New Roman"'>关于做好春节期间值班工作的通知</span></b><o:p></o:p></p>
<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0'><span style='font-family:仿宋_GB2312;color:#333'>各科室：为做好节日期间值班工作，现将有关事项通知如下。</span><o:p></o:p></p>
<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->
<table class=MsoTableGrid border=1 style='border-collapse:collapse;mso-yfti-tbllook:1184'><tr><td colspan=2 style='width:200pt;mso-border-alt:solid'><p class=MsoNormal><b>值班安排</b></p></td></tr><tr><td>2月10日</td><td>张三</td></tr><tr><td>2月11日</td><td>李四</td></tr></table>
<p class=MsoNormal align=right style='text-align:right'><span>示例市发展和改革局<br>2024年2月5日</span></p><!--EndFragment--></body></html>"#;

    #[test]
    fn word_markup_keeps_structure_and_loses_residue() {
        let body = to_body(WORD);
        let html = markdown::render(&body);
        assert!(html.contains("<p style=\"text-align: center\"><b>关于做好春节期间值班工作的通知</b></p>"), "{html}");
        assert!(html.contains("<p style=\"text-indent: 32.0pt\">各科室："), "{html}");
        assert!(html.contains("<td colspan=\"2\"><p><b>值班安排</b></p></td>"), "{html}");
        assert!(html.contains("<p style=\"text-align: right\">示例市发展和改革局<br>2024年2月5日</p>"), "{html}");
        for residue in ["mso-", "MsoNormal", "o:p", "font-family", "<span", "<style", "<!--", "StartFragment", "xml"] {
            assert!(!html.contains(residue), "{residue} left in {html}");
        }
    }

    #[test]
    fn the_stored_body_is_markdown_that_renders_back_to_itself() {
        let body = to_body(WORD);
        assert!(!body.contains("\n\n\n"));
        for line in body.lines().filter(|l| !l.is_empty()) {
            assert!(line.starts_with('<'), "every stored line is an HTML block: {line}");
        }
        let once = markdown::render(&body);
        assert_eq!(to_body(&once), body, "rendering and storing again changes nothing");
        // Line breaks inside a block and a <pre> survive the trip through CommonMark.
        let body = to_body("<p>第一行<br>第二行</p><pre>a\n\nb</pre>");
        assert_eq!(markdown::render(&body).matches("<pre>a\n\nb</pre>").count(), 1, "{body}");
    }

    #[test]
    fn loose_text_and_inline_elements_become_paragraphs() {
        assert_eq!(to_body("前言 <b>加粗</b><p>段落</p>尾声"), "<p>前言 <b>加粗</b></p>\n\n<p>段落</p>\n\n<p>尾声</p>");
        assert_eq!(to_body("  \n "), "");
        assert_eq!(to_body("<p>落款\u{feff}</p>\u{feff}"), "<p>落款</p>", "the editor's cursor anchors go");
    }

    #[test]
    fn hostile_markup_never_passes() {
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(2)>",
            "<a href=\"javascript:alert(3)\">链接</a>",
            "<a href=\" JaVaScRiPt:alert(4)\">链接</a>",
            "<p style=\"width: expression(alert(5))\">x</p>",
            "<p style=\"text-align: right; background: url(javascript:alert(6))\">x</p>",
            "<svg onload=alert(7)><circle r=5></circle></svg>",
            "<math><mi xlink:href=\"javascript:alert(8)\">x</mi></math>",
            "<iframe src=\"https://example.com\"></iframe>",
            "<style>body{background:url(javascript:alert(9))}</style>",
            "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\" alt=\"图\">",
            "<p onclick=\"alert(10)\" onmouseover=\"alert(11)\">点</p>",
            "<form action=\"https://evil.example\"><input name=p></form>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<table background=\"javascript:alert(12)\"><tr><td>x</td></tr></table>",
        ];
        for h in hostile {
            let stored = to_body(h);
            let page = markdown::render(&stored);
            for html in [&stored, &page] {
                let lower = html.to_ascii_lowercase();
                for bad in [
                    "<script",
                    "onerror",
                    "onload",
                    "onclick",
                    "onmouseover",
                    "javascript:",
                    "expression(",
                    "url(",
                    "<svg",
                    "<math",
                    "<iframe",
                    "<style",
                    "data:",
                    "<form",
                    "<input",
                    "<object",
                    "<embed",
                    "background",
                ] {
                    assert!(!lower.contains(bad), "{h} left {bad}: {html}");
                }
            }
        }
        assert!(to_body("<p style=\"text-align: right; background: red\">落款</p>").contains("text-align: right"));
    }

    #[test]
    fn style_values_are_checked_one_by_one() {
        assert_eq!(style("p", "text-align:center;mso-line-height-rule:exactly"), Some("text-align: center".into()));
        assert_eq!(
            style("p", "text-indent:2em;margin-left:0;color:red"),
            Some("text-indent: 2em; margin-left: 0".into())
        );
        assert_eq!(style("p", "text-indent: 900em"), None);
        assert_eq!(style("p", "text-align: expression(alert(1))"), None);
        assert_eq!(style("img", "width: 50%;width:20%"), Some("width: 50%".into()));
        assert_eq!(style("td", "width: 200pt"), None, "fixed cell widths overflow phones");
        assert_eq!(style("img", "float: left; width: 40%"), Some("float: left; width: 40%".into()));
        assert_eq!(
            style("img", "display: block; margin-left: auto; margin-right: auto"),
            Some("display: block; margin-left: auto; margin-right: auto".into())
        );
        assert_eq!(style("p", "float: left; display: none; margin-right: auto"), None, "only images float");
    }

    #[test]
    fn text_images_and_uploaded_addresses() {
        assert_eq!(text_of("<p>甲&amp;乙</p><p>丙<br>丁&#x4E00;</p>").trim(), "甲&乙 丙 丁一");
        assert_eq!(
            images_without_alt("<p><img src=\"/files/a.png\" alt=\"现场\"><img src=\"/files/b.png\" alt=\"\"></p>"),
            Some(2)
        );
        assert_eq!(images_without_alt("<img alt=\"图\" src=\"x\">"), None);
        let body = to_body("<p><img src=\"/admin/files/ab/cd.png\" alt=\"现场\"></p>");
        assert_eq!(body, "<p><img src=\"/files/ab/cd.png\" alt=\"现场\"></p>");
        assert!(for_editor(&body).contains("src=\"/admin/files/ab/cd.png\""));
    }

    #[test]
    fn markdown_bodies_open_in_the_editor_unchanged_in_meaning() {
        let md = "## 标题\n\n正文**加粗**。\n\n| 项目 | 金额 |\n|---|---|\n| 教育 | 100 |\n\n1. 一\n2. 二";
        let stored = to_body(&for_editor(md));
        assert_eq!(markdown::render(&stored).trim_end(), sanitize(&markdown::render(md)).trim_end());
    }
}
