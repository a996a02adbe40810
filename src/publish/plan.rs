//! Which pages a site has: home, column lists, one page per article, the 404 page. The plan
//! is computed from the site definition and its live content before any rendering, so the
//! renderer only has to fan the list out over threads.
//!
//! A column's list pages are numbered from its oldest article: archive page k holds the
//! articles ranked (k-1)·20 to k·20-1 in publishing order (`list_<k>.html`), so a new article changes only the
//! newest pages and an old page stays as it was (the publisher re-renders what a change
//! touches, not the column). `index.html` shows the pinned articles and the newest archive
//! page, with the one before it while the newest holds fewer than 20.

use std::collections::{BTreeSet, HashMap};

use crate::group::Site;
use crate::store::published::{PublishedArticle, SiteContent};

/// Items per column list page.
pub const PAGE_SIZE: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    /// The list page a column's address shows: pinned articles, then the newest.
    ColumnIndex(usize),
    /// Archive page `page` (1-based, counted from the oldest) of column number `column`
    /// (index into the site's columns).
    ColumnList {
        column: usize,
        page: usize,
    },
    /// Article number `article` (index into the site content).
    Article(usize),
    NotFound,
    /// 联系我们: the site's address, phone and official mailboxes.
    Contact,
    /// 网站地图: every column and fixed section of the site, for readers.
    SiteMap,
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
    newest_first_path(&format!("{INTERACTION_DIR}/hf"), page)
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

/// What one column lists (its own articles and its sub-columns'), oldest first. A full build
/// holds the whole list; a publish holds the parts it re-renders: the newest part from the
/// first page it touches (which always includes what `index.html` shows), and single pages
/// deeper down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnList {
    /// Articles listed in all.
    pub len: usize,
    /// Runs of the list, by the rank (the oldest is 0) of their first article: indexes into
    /// the content's articles, oldest first. The last run ends with the newest article.
    pub runs: Vec<(usize, Vec<usize>)>,
    /// The pinned ones among them (from the whole list), newest first.
    pub pinned: Vec<usize>,
}

impl ColumnList {
    /// A whole list.
    pub fn whole(chrono: Vec<usize>, pinned: Vec<usize>) -> Self {
        ColumnList { len: chrono.len(), runs: vec![(0, chrono)], pinned }
    }

    /// Archive pages: one per 20 articles; none for an empty column.
    pub fn pages(&self) -> usize {
        self.len.div_ceil(PAGE_SIZE)
    }

    /// The first archive page `index.html` shows (0 for an empty column).
    pub fn first_on_index(&self) -> usize {
        first_on_index(self.len)
    }

    /// The articles of ranks `range`, oldest first, if one run holds them.
    fn ranks(&self, range: std::ops::Range<usize>) -> Option<&[usize]> {
        self.runs
            .iter()
            .find(|(from, items)| *from <= range.start && range.end <= from + items.len())
            .map(|(from, items)| &items[range.start - from..range.end - from])
    }

    /// The articles of archive page `page`, newest first; None when the page is not held.
    pub fn archive(&self, page: usize) -> Option<impl Iterator<Item = usize> + '_> {
        let range = ((page - 1) * PAGE_SIZE).min(self.len)..(page * PAGE_SIZE).min(self.len);
        self.ranks(range).map(|items| items.iter().rev().copied())
    }

    /// The newest articles from rank `from`, newest first.
    fn newest_from(&self, from: usize) -> &[usize] {
        self.ranks(from.min(self.len)..self.len).unwrap_or(&[])
    }

    /// What `index.html` lists: pinned articles first, then the newest archive pages, newest
    /// first, without the pinned ones again.
    pub fn index(&self) -> Vec<usize> {
        let first = self.first_on_index();
        let mut out = self.pinned.clone();
        if first > 0 {
            out.extend(self.newest_from((first - 1) * PAGE_SIZE).iter().rev().filter(|i| !self.pinned.contains(i)));
        }
        out
    }

    /// The newest `n` articles, pinned or not, newest first.
    pub fn newest(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        self.newest_from(self.len.saturating_sub(n)).iter().rev().copied()
    }

    /// The first `n` of what the column shows (pinned first), for the home page.
    pub fn head(&self, n: usize) -> Vec<usize> {
        self.index().into_iter().take(n).collect()
    }
}

/// The first archive page `index.html` shows for a list of `len`: the newest, and the one
/// before it while the newest is not full.
pub fn first_on_index(len: usize) -> usize {
    let pages = len.div_ceil(PAGE_SIZE);
    if pages <= 1 || len.is_multiple_of(PAGE_SIZE) {
        pages
    } else {
        pages - 1
    }
}

#[derive(Debug)]
pub struct Plan {
    pub pages: Vec<Page>,
    /// For each column of the site definition, the articles it lists.
    pub lists: Vec<ColumnList>,
    /// Folders the pages go into, created before rendering starts.
    pub dirs: BTreeSet<String>,
}

/// For each column, the columns whose lists show its articles: itself and the columns above.
pub fn list_columns(site: &Site) -> Vec<Vec<usize>> {
    let columns = &site.def.columns;
    let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.slug.as_str(), i)).collect();
    (0..columns.len())
        .map(|ci| {
            let mut chain = vec![ci];
            let mut cur = columns[ci].parent.as_deref().and_then(|p| index.get(p).copied());
            while let Some(p) = cur.filter(|p| !chain.contains(p)) {
                chain.push(p);
                cur = columns[p].parent.as_deref().and_then(|x| index.get(x).copied());
            }
            chain
        })
        .collect()
}

/// The order of every list: publishing time, then id.
pub fn list_order(a: &PublishedArticle, b: &PublishedArticle) -> std::cmp::Ordering {
    a.publish_at.cmp(&b.publish_at).then(a.id.cmp(&b.id))
}

/// Every column's whole list, from the whole live content.
pub fn lists(site: &Site, content: &SiteContent) -> Vec<ColumnList> {
    let columns = &site.def.columns;
    let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.slug.as_str(), i)).collect();
    let chains = list_columns(site);
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); columns.len()];
    let mut order: Vec<usize> = (0..content.articles.len()).collect();
    let arts = &content.articles;
    order.sort_by(|&x, &y| list_order(&arts[x], &arts[y]));
    for &ai in &order {
        let Some(&ci) = index.get(arts[ai].column.as_str()) else { continue };
        for &l in &chains[ci] {
            lists[l].push(ai);
        }
    }
    lists
        .into_iter()
        .map(|chrono| {
            let pinned = chrono.iter().rev().copied().filter(|&i| arts[i].pinned).collect();
            ColumnList::whole(chrono, pinned)
        })
        .collect()
}

pub fn plan(site: &Site, content: &SiteContent) -> Plan {
    let columns = &site.def.columns;
    let lists = lists(site, content);
    let mut pages = vec![Page::Home, Page::NotFound, Page::Contact, Page::SiteMap];
    pages.extend(interaction_pages(content.messages.len(), content.solicitations.len()));
    let mut dirs = BTreeSet::from([
        crate::group::urls::CONTACT_DIR.to_string(),
        crate::group::urls::SITE_MAP_DIR.to_string(),
        INTERACTION_DIR.to_string(),
        format!("{INTERACTION_DIR}/hf"),
        format!("{INTERACTION_DIR}/yjzj"),
        "messages/status".to_string(),
        super::feeds::SITEMAP_DIR.to_string(),
    ]);
    for (ci, c) in columns.iter().enumerate() {
        dirs.insert(c.slug.clone());
        pages.push(Page::ColumnIndex(ci));
        pages.extend((1..=lists[ci].pages()).map(|page| Page::ColumnList { column: ci, page }));
    }
    for (ai, a) in content.articles.iter().enumerate() {
        let path = crate::content::article_path(&a.column, &a.publish_at, a.id);
        if let Some((dir, _)) = path.trim_start_matches('/').rsplit_once('/') {
            dirs.insert(dir.to_string());
        }
        pages.push(Page::Article(ai));
    }
    Plan { pages, lists, dirs }
}

/// Path of archive page `page` of a column list: `/<slug>/list_<page>.html`. (Not
/// `index_<n>`: those were pages counted from the newest, and a link kept from then must
/// not land on a page of other articles.)
pub fn column_page_path(slug: &str, page: usize) -> String {
    format!("/{slug}/list_{page}.html")
}

/// Path of a column's `index.html`.
pub fn column_index_path(slug: &str) -> String {
    format!("/{slug}/index.html")
}

/// Path of page `page` of a list numbered from its newest page (the published answers):
/// `…/index.html`, then `index_2.html`, ….
pub fn newest_first_path(dir: &str, page: usize) -> String {
    if page <= 1 {
        format!("/{dir}/index.html")
    } else {
        format!("/{dir}/index_{page}.html")
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
    fn archive_pages_count_from_the_oldest() {
        assert_eq!(first_on_index(0), 0);
        assert_eq!(first_on_index(7), 1);
        assert_eq!(first_on_index(20), 1);
        assert_eq!(first_on_index(21), 1, "21 articles: the index shows both pages");
        assert_eq!(first_on_index(40), 2);
        assert_eq!(first_on_index(45), 2);
        assert_eq!(column_page_path("gzdt", 3), "/gzdt/list_3.html");
        assert_eq!(newest_first_path("hd/hf", 1), "/hd/hf/index.html");
        assert_eq!(public_url("/gzdt/index.html"), "/gzdt/");
        assert_eq!(public_url("/gzdt/index_2.html"), "/gzdt/index_2.html");
        // 45 articles, the newest pinned: archive pages 1 and 2 hold 20 each, page 3 holds 5;
        // the index shows the pinned one, then pages 2 and 3 without it.
        let list = ColumnList::whole((0..45).collect(), vec![44]);
        assert_eq!(list.pages(), 3);
        assert_eq!(list.archive(1).unwrap().collect::<Vec<_>>(), (0..20).rev().collect::<Vec<_>>());
        assert_eq!(list.archive(3).unwrap().collect::<Vec<_>>(), vec![44, 43, 42, 41, 40]);
        let index = list.index();
        assert_eq!(index[..3], [44, 43, 42]);
        assert_eq!(index.len(), 25, "pinned + ranks 20..44 less the pinned one");
        assert_eq!(list.newest(3).collect::<Vec<_>>(), vec![44, 43, 42]);
        // The newest part from page 2 and page 1 apart render the same pages.
        let parts =
            ColumnList { len: 45, runs: vec![(0, (0..20).collect()), (20, (20..45).collect())], pinned: vec![44] };
        for page in 1..=3 {
            assert_eq!(
                parts.archive(page).unwrap().collect::<Vec<_>>(),
                list.archive(page).unwrap().collect::<Vec<_>>()
            );
        }
        assert_eq!(parts.index(), index);
        let top = ColumnList { len: 45, runs: vec![(20, (20..45).collect())], pinned: vec![44] };
        assert!(top.archive(1).is_none(), "a page not held is not rendered");
    }
}
