//! Which pages a site has: home, paginated column lists, one page per article, the 404 page.
//! The plan is computed from the site definition and its live content before any rendering,
//! so the renderer only has to fan the list out over threads.

use std::collections::{BTreeSet, HashMap};

use crate::group::Site;
use crate::store::published::SiteContent;

/// Items per column list page.
pub const PAGE_SIZE: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    /// Page `page` (1-based) of column number `column` (index into the site's columns).
    ColumnList {
        column: usize,
        page: usize,
    },
    /// Article number `article` (index into the site content).
    Article(usize),
    NotFound,
    /// 联系我们: the site's address, phone and official mailboxes.
    Contact,
    /// 互动交流: the channels, the message form and the latest answers.
    Interaction,
    /// Page `page` (1-based) of the published answers.
    Replies {
        page: usize,
    },
    /// One published message and its answer (index into the site content's messages).
    Reply(usize),
    /// 办理结果查询: the status look-up by query code and phone.
    MessageStatus,
    /// One opinion solicitation (index into the site content's solicitations).
    Solicitation(usize),
}

pub use crate::group::urls::{reply_path, solicitation_path, CONTACT_PATH, INTERACTION_DIR, STATUS_PATH};
/// Published answers per list page.
pub const REPLIES_PER_PAGE: usize = 20;

/// Path of page `page` of the published answers.
pub fn replies_page_path(page: usize) -> String {
    column_page_path(&format!("{INTERACTION_DIR}/hf"), page)
}

/// Every page of the interaction section, for a site with `messages` published answers and
/// `solicitations` published solicitations.
pub fn interaction_pages(messages: usize, solicitations: usize) -> Vec<Page> {
    let mut pages = vec![Page::Interaction, Page::MessageStatus];
    pages.extend((1..=messages.div_ceil(REPLIES_PER_PAGE).max(1)).map(|page| Page::Replies { page }));
    pages.extend((0..messages).map(Page::Reply));
    pages.extend((0..solicitations).map(Page::Solicitation));
    pages
}

#[derive(Debug)]
pub struct Plan {
    pub pages: Vec<Page>,
    /// For each column of the site definition, the articles it lists (its own and its
    /// sub-columns'), in display order.
    pub column_articles: Vec<Vec<usize>>,
    /// Folders the pages go into, created before rendering starts.
    pub dirs: BTreeSet<String>,
}

pub fn plan(site: &Site, content: &SiteContent) -> Plan {
    let columns = &site.def.columns;
    let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.slug.as_str(), i)).collect();
    let mut column_articles = vec![Vec::new(); columns.len()];
    for (ai, a) in content.articles.iter().enumerate() {
        // Walk up the column tree so that a channel lists its sub-columns' articles too.
        let mut cur = index.get(a.column.as_str()).copied();
        let mut depth = 0;
        while let Some(ci) = cur {
            column_articles[ci].push(ai);
            cur = columns[ci].parent.as_deref().and_then(|p| index.get(p).copied());
            depth += 1;
            if depth > columns.len() {
                break;
            }
        }
    }
    let mut pages = vec![Page::Home, Page::NotFound, Page::Contact];
    pages.extend(interaction_pages(content.messages.len(), content.solicitations.len()));
    let mut dirs = BTreeSet::from([
        crate::group::urls::CONTACT_DIR.to_string(),
        INTERACTION_DIR.to_string(),
        format!("{INTERACTION_DIR}/hf"),
        format!("{INTERACTION_DIR}/yjzj"),
        "messages/status".to_string(),
    ]);
    for (ci, c) in columns.iter().enumerate() {
        dirs.insert(c.slug.clone());
        for page in 1..=page_count(column_articles[ci].len()) {
            pages.push(Page::ColumnList { column: ci, page });
        }
    }
    for (ai, a) in content.articles.iter().enumerate() {
        let path = crate::content::article_path(&a.column, &a.publish_at, a.id);
        if let Some((dir, _)) = path.trim_start_matches('/').rsplit_once('/') {
            dirs.insert(dir.to_string());
        }
        pages.push(Page::Article(ai));
    }
    Plan { pages, column_articles, dirs }
}

/// Number of list pages for `n` items; an empty column still has its first page.
pub fn page_count(n: usize) -> usize {
    n.div_ceil(PAGE_SIZE).max(1)
}

/// Path of page `page` of a column list: `/<slug>/index.html`, then `index_2.html`, ….
pub fn column_page_path(slug: &str, page: usize) -> String {
    if page <= 1 {
        format!("/{slug}/index.html")
    } else {
        format!("/{slug}/index_{page}.html")
    }
}

/// The public URL of a page path: `…/index.html` is served as `…/`.
pub fn public_url(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(20), 1);
        assert_eq!(page_count(21), 2);
        assert_eq!(column_page_path("gzdt", 1), "/gzdt/index.html");
        assert_eq!(column_page_path("gzdt", 3), "/gzdt/index_3.html");
        assert_eq!(public_url("/gzdt/index.html"), "/gzdt/");
        assert_eq!(public_url("/gzdt/index_2.html"), "/gzdt/index_2.html");
    }
}
