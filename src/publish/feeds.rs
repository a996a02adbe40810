//! Machine-readable outputs of a site: RSS 2.0 feeds (site and column), the sitemaps and
//! robots.txt. The sitemap is an index over one file of pages (home, column lists, contact,
//! interaction) and files of at most 1,000 articles each, grouped by 索引号: an article's
//! number never changes, so publishing it rewrites one small file, not a list of every URL.

use std::fmt::Write;

use super::plan::{column_index_path, public_url};
use crate::content::article_path;
use crate::group::{Group, Site};
use crate::store::messages::PublishedMessage;
use crate::store::published::PublishedArticle;
use crate::store::solicitations::PublishedSolicitation;

pub const FEED_ITEMS: usize = 20;
/// Where the sitemap's parts are published.
pub const SITEMAP_DIR: &str = "sitemaps";

/// A feed of `newest` (newest first; the first `FEED_ITEMS` are used).
pub fn rss<'a>(
    group: &Group,
    site: &Site,
    title: &str,
    link: &str,
    newest: impl Iterator<Item = &'a PublishedArticle>,
) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{}</title><link>{}</link><description>{}</description><language>zh-CN</language>",
        xml(title),
        xml(&group.url(site, link)),
        xml(&format!("{}发布的信息", site.def.name)),
    );
    for a in newest.take(FEED_ITEMS) {
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

pub use crate::content::metadata::{serial_block as part_of, SERIAL_BLOCK as SITEMAP_PART};

/// Path of a sitemap part.
pub fn part_path((year, n): (i32, i64)) -> String {
    format!("/{SITEMAP_DIR}/{year}-{n:03}.xml")
}

/// Every part a site has, from the last 索引号 serial of each year.
pub fn parts(serials: &[(i32, i64)]) -> Vec<(i32, i64)> {
    let mut out: Vec<(i32, i64)> =
        serials.iter().flat_map(|&(year, last)| (0..=last / SITEMAP_PART).map(move |n| (year, n))).collect();
    out.sort_unstable();
    out
}

/// Path of the sitemap of the pages that are not articles.
pub fn pages_path() -> String {
    format!("/{SITEMAP_DIR}/pages.xml")
}

/// `/sitemap.xml`: the index of the pages' sitemap and of every part.
pub fn sitemap_index(group: &Group, site: &Site, parts: &[(i32, i64)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for path in std::iter::once(pages_path()).chain(parts.iter().map(|&p| part_path(p))) {
        let _ = writeln!(out, "<sitemap><loc>{}</loc></sitemap>", xml(&group.url(site, &path)));
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// One sitemap part: its articles in 索引号 order.
pub fn sitemap_part<'a>(group: &Group, site: &Site, articles: impl Iterator<Item = &'a PublishedArticle>) -> String {
    let mut articles: Vec<&PublishedArticle> = articles.collect();
    articles.sort_by(|a, b| (a.index_no.len(), &a.index_no).cmp(&(b.index_no.len(), &b.index_no)));
    urlset(
        group,
        site,
        articles
            .into_iter()
            .map(|a| (article_path(&a.column, &a.publish_at, a.id), a.publish_at.get(..10).map(str::to_string))),
    )
}

/// The sitemap of the pages that are not articles: home, each column's list, contact, the
/// interaction section with its published answers and solicitations.
pub fn sitemap_pages(
    group: &Group,
    site: &Site,
    messages: &[PublishedMessage],
    solicitations: &[PublishedSolicitation],
) -> String {
    let mut urls: Vec<(String, Option<String>)> = vec![("/".into(), None)];
    urls.extend(site.def.columns.iter().map(|c| (public_url(&column_index_path(&c.slug)).to_string(), None)));
    urls.push((public_url(super::plan::CONTACT_PATH).to_string(), None));
    urls.push((public_url(crate::group::urls::SITE_MAP_PATH).to_string(), None));
    urls.push((format!("/{}/", super::plan::INTERACTION_DIR), None));
    let reply_pages = messages.len().div_ceil(super::plan::REPLIES_PER_PAGE).max(1);
    urls.extend((1..=reply_pages).map(|p| (public_url(&super::plan::replies_page_path(p)).to_string(), None)));
    urls.extend(messages.iter().map(|m| (super::plan::reply_path(m.id), m.answered.get(..10).map(str::to_string))));
    urls.extend(solicitations.iter().map(|s| (super::plan::solicitation_path(s.id), None)));
    urlset(group, site, urls.into_iter())
}

fn urlset(group: &Group, site: &Site, urls: impl Iterator<Item = (String, Option<String>)>) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, date) in urls {
        let _ = write!(out, "<url><loc>{}</loc>", xml(&group.url(site, &path)));
        if let Some(d) = date {
            let _ = write!(out, "<lastmod>{d}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
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

    #[test]
    fn sitemap_parts_follow_the_index_number() {
        assert_eq!(super::part_of("11370100MB0000001X/2026-00042"), Some((2026, 0)));
        assert_eq!(super::part_of("11370100MB0000001X/2025-123456"), Some((2025, 123)));
        assert_eq!(super::part_of("no number"), None);
        assert_eq!(super::parts(&[(2026, 999), (2025, 2000)]), [(2025, 0), (2025, 1), (2025, 2), (2026, 0)]);
        assert_eq!(super::part_path((2025, 7)), "/sitemaps/2025-007.xml");
    }
}
