//! Machine-readable outputs of a site: RSS 2.0 feeds (site and column), sitemap.xml (split
//! into an index past the protocol's 50,000-URL limit) and robots.txt.

use std::fmt::Write;

use super::plan::{column_page_path, public_url, Page, Plan};
use crate::content::article_path;
use crate::group::{Group, Site};
use crate::store::messages::PublishedMessage;
use crate::store::published::PublishedArticle;
use crate::store::solicitations::PublishedSolicitation;

const FEED_ITEMS: usize = 20;
const SITEMAP_LIMIT: usize = 50_000;

pub fn rss(group: &Group, site: &Site, title: &str, link: &str, list: &[usize], arts: &[PublishedArticle]) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{}</title><link>{}</link><description>{}</description><language>zh-CN</language>",
        xml(title),
        xml(&group.url(site, link)),
        xml(&format!("{}发布的信息", site.def.name)),
    );
    // Feeds list the newest items, whatever is pinned.
    let mut newest: Vec<&PublishedArticle> = list.iter().map(|&i| &arts[i]).collect();
    newest.sort_by(|a, b| b.publish_at.cmp(&a.publish_at).then(b.id.cmp(&a.id)));
    for a in newest.into_iter().take(FEED_ITEMS) {
        let url = group.url(site, &article_path(&a.column, &a.publish_at, a.id));
        let _ = write!(
            out,
            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid><pubDate>{}</pubDate><description>{}</description></item>",
            xml(&a.title),
            xml(&url),
            xml(&url),
            rfc2822(&a.publish_at),
            xml(&a.summary),
        );
    }
    out.push_str("</channel></rss>\n");
    out
}

/// `(path, body)` of the sitemap files of a site.
pub fn sitemaps(
    group: &Group,
    site: &Site,
    plan: &Plan,
    arts: &[PublishedArticle],
    messages: &[PublishedMessage],
    solicitations: &[PublishedSolicitation],
) -> Vec<(String, String)> {
    let urls: Vec<(String, Option<&str>)> = plan
        .pages
        .iter()
        .filter_map(|p| match *p {
            Page::Home => Some(("/".to_string(), arts.iter().map(|a| a.publish_at.as_str()).max())),
            Page::ColumnList { column, page } => {
                let path = column_page_path(&site.def.columns[column].slug, page);
                Some((public_url(&path).to_string(), None))
            }
            Page::Article(i) => {
                let a = &arts[i];
                Some((article_path(&a.column, &a.publish_at, a.id), Some(a.publish_at.as_str())))
            }
            Page::Contact => Some((public_url(super::plan::CONTACT_PATH).to_string(), None)),
            Page::Interaction => Some((format!("/{}/", super::plan::INTERACTION_DIR), None)),
            Page::Replies { page } => Some((public_url(&super::plan::replies_page_path(page)).to_string(), None)),
            Page::Reply(i) => Some((super::plan::reply_path(messages[i].id), Some(messages[i].answered.as_str()))),
            Page::Solicitation(i) => Some((super::plan::solicitation_path(solicitations[i].id), None)),
            // A form for people, nothing to index.
            Page::NotFound | Page::MessageStatus => None,
        })
        .collect();
    let chunk = |urls: &[(String, Option<&str>)]| {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for (path, date) in urls {
            let _ = write!(out, "<url><loc>{}</loc>", xml(&group.url(site, path)));
            if let Some(d) = date.and_then(|d| d.get(..10)) {
                let _ = write!(out, "<lastmod>{d}</lastmod>");
            }
            out.push_str("</url>\n");
        }
        out.push_str("</urlset>\n");
        out
    };
    if urls.len() <= SITEMAP_LIMIT {
        return vec![("/sitemap.xml".into(), chunk(&urls))];
    }
    let mut files = Vec::new();
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (n, part) in urls.chunks(SITEMAP_LIMIT).enumerate() {
        let name = format!("/sitemap-{}.xml", n + 1);
        let _ = writeln!(index, "<sitemap><loc>{}</loc></sitemap>", xml(&group.url(site, &name)));
        files.push((name, chunk(part)));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("/sitemap.xml".into(), index));
    files
}

pub fn robots(group: &Group, site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /search\nDisallow: /hit\nSitemap: {}\n",
        group.url(site, "/sitemap.xml")
    )
}

pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// `2024-05-01 09:30:00` (China time) as an RFC 2822 date.
fn rfc2822(local: &str) -> String {
    crate::clock::local_to_rfc2822(local)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_xml() {
        assert_eq!(super::xml("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(super::rfc2822("2024-05-01 09:30:00"), "Wed, 1 May 2024 09:30:00 +0800");
    }
}
