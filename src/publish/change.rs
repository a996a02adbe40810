//! What a set of publish jobs touches on one site, read from the database a window at a
//! time: the articles' own pages, the list pages from the first one whose articles moved up
//! to the newest (archive pages count from the oldest, so an article added at the top moves
//! nothing below it), single pages where an article changed in place, the home page, feeds,
//! and the sitemap parts of the articles. Nothing here reads the whole site.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::plan::{list_columns, list_order, ColumnList, Page, PAGE_SIZE};
use crate::group::Site;
use crate::store::jobs::Job;
use crate::store::lists::ArticleKey;
use crate::store::published::{PublishedArticle, SiteContent};
use crate::store::sites::SiteRow;
use crate::store::{Result, Store};

/// A position in a list: (publish time, id).
type Key = (String, i64);

/// Everything one site's publish renders.
#[derive(Debug, Default)]
pub struct Change {
    /// The changed articles (with bodies) and every article a rendered list shows.
    pub content: SiteContent,
    /// Each column's list, holding the parts that are rendered.
    pub lists: Vec<ColumnList>,
    pub pages: Vec<Page>,
    /// Column indexes whose feeds are rewritten.
    pub columns: Vec<usize>,
    /// Sitemap parts rewritten, with their articles.
    pub parts: Vec<((i32, i64), Vec<PublishedArticle>)>,
    /// Answers, solicitations or mailboxes changed: the interaction pages are rendered.
    pub interaction: bool,
    /// Pages to delete: withdrawn articles, the old addresses of moved ones.
    pub remove: Vec<String>,
    /// Per column slug, its number of archive pages: any page past it is deleted.
    pub last_pages: Vec<(String, usize)>,
}

/// What changed in one list.
#[derive(Debug, Default)]
struct Touch {
    /// The smallest key added to or removed from it: everything from there up moves.
    shift: Option<Key>,
    /// Keys of articles that changed in place: only their page changes.
    in_place: Vec<Key>,
}

/// Reads what `jobs` (all of one site) touch as of `now`; `keys` are where their articles
/// stand now.
pub async fn read(
    store: &Store,
    site: &Site,
    row: &SiteRow,
    jobs: &[Job],
    keys: &[ArticleKey],
    now: &str,
) -> Result<Change> {
    let columns = &site.def.columns;
    let index: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, c)| (c.slug.as_str(), i)).collect();
    let chains = list_columns(site);
    let key_of: HashMap<i64, &ArticleKey> = keys.iter().map(|k| (k.id, k)).collect();

    let mut touched: BTreeMap<usize, Touch> = BTreeMap::new();
    let mut parts: BTreeSet<(i32, i64)> = BTreeSet::new();
    let mut live_paths: BTreeSet<String> = BTreeSet::new();
    for job in jobs {
        let Some(k) = job.article_id.and_then(|id| key_of.get(&id)) else { continue };
        parts.extend(super::feeds::part_of(&k.index_no));
        let now_at = k.list_at.clone().filter(|_| k.live).and_then(|at| Some((index.get(k.column.as_str())?, at)));
        if let Some((_, at)) = &now_at {
            live_paths.insert(crate::content::article_path(&k.column, at, k.id));
        }
        let before = job.old_list_at.clone().and_then(|at| {
            let col = job.old_column.as_deref().unwrap_or(&k.column);
            Some((index.get(col)?, at))
        });
        let lists: BTreeSet<usize> =
            [&now_at, &before].into_iter().flatten().flat_map(|(ci, _)| chains[**ci].iter().copied()).collect();
        for l in lists {
            let holds = |side: &Option<(&usize, String)>| {
                side.as_ref().filter(|(ci, _)| chains[**ci].contains(&l)).map(|(_, at)| (at.clone(), k.id))
            };
            let t = touched.entry(l).or_default();
            match (holds(&before), holds(&now_at)) {
                (Some(b), Some(n)) if b == n => t.in_place.push(n),
                (b, n) => {
                    for key in b.into_iter().chain(n) {
                        t.shift = Some(t.shift.take().map_or(key.clone(), |s| s.min(key)));
                    }
                }
            }
        }
    }

    // Own counts, for the lists rendered and the top columns the home page and feeds show.
    let top: Vec<usize> = (0..columns.len()).filter(|&ci| columns[ci].parent.is_none()).collect();
    let needed: BTreeSet<usize> = touched.keys().copied().chain(top.iter().copied()).collect();
    let own = |l: usize| -> Vec<i64> {
        (0..columns.len())
            .filter(|&c| chains[c].contains(&l))
            .filter_map(|c| row.columns.get(&columns[c].slug).copied())
            .collect()
    };
    let mut own_len: HashMap<i64, usize> = HashMap::new();
    for &l in &needed {
        for c in own(l) {
            if let std::collections::hash_map::Entry::Vacant(e) = own_len.entry(c) {
                e.insert(store.list_len(c, now).await?);
            }
        }
    }

    let mut rows = Rows::default();
    let mut lists = vec![ColumnList::default(); columns.len()];
    let mut pages = vec![Page::Home, Page::Contact];
    let mut last_pages = Vec::new();
    for &l in &needed {
        let ids = own(l);
        let len: usize = ids.iter().map(|c| own_len[c]).sum();
        let pages_n = len.div_ceil(PAGE_SIZE);
        let first = super::plan::first_on_index(len);
        let mut list = ColumnList { len, ..Default::default() };
        // The newest pages always: what the index shows, and the pages whose links to the
        // next page depend on where the list ends.
        let mut start = first.min(pages_n.saturating_sub(1)).max(1);
        let mut singles: BTreeMap<usize, (Key, usize)> = BTreeMap::new();
        if let Some(t) = touched.get(&l) {
            if let Some(key) = &t.shift {
                let rank = len - count_from(store, &ids, now, key).await?;
                start = start.min(rank / PAGE_SIZE + 1);
            }
            for key in &t.in_place {
                let rank = len - count_from(store, &ids, now, key).await?;
                singles.entry(rank / PAGE_SIZE + 1).or_insert((key.clone(), rank));
            }
        }
        let from = ((start - 1) * PAGE_SIZE).min(len);
        let head = merged_head(store, &ids, now, len - from).await?;
        list.runs.push((from, head.into_iter().rev().map(|a| rows.add(a)).collect()));
        for (page, (key, rank)) in singles.into_iter().filter(|(p, _)| *p < start) {
            let lo = (page - 1) * PAGE_SIZE;
            let hi = (page * PAGE_SIZE).min(len);
            let run = page_run(store, &ids, now, &key, rank - lo, hi - rank).await?;
            list.runs.insert(0, (lo, run.into_iter().map(|a| rows.add(a)).collect()));
            pages.push(Page::ColumnList { column: l, page });
        }
        let mut pinned = Vec::new();
        for &c in &ids {
            pinned.extend(store.list_pinned(c, now).await?);
        }
        pinned.sort_by(|a, b| list_order(b, a));
        list.pinned = pinned.into_iter().map(|a| rows.add(a)).collect();
        if touched.contains_key(&l) {
            pages.push(Page::ColumnIndex(l));
            pages.extend((start..=pages_n).map(|page| Page::ColumnList { column: l, page }));
            last_pages.push((columns[l].slug.clone(), pages_n));
        }
        lists[l] = list;
    }

    let interaction = jobs.iter().any(|j| j.article_id.is_none());
    let live_ids: Vec<i64> = keys.iter().filter(|k| k.live).map(|k| k.id).collect();
    let mut content = store.articles_content(row.id, now, &live_ids, interaction).await?;
    content.serials = store.index_serials(row.id).await?;
    if interaction {
        pages.extend(super::plan::interaction_pages(content.messages.len(), content.solicitations.len()));
    }
    // The full rows of the changed articles come first; the list rows point at them.
    let full: HashMap<i64, usize> = content.articles.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    pages.extend((0..content.articles.len()).map(Page::Article));
    let mut place = Vec::with_capacity(rows.articles.len());
    for a in rows.articles {
        match full.get(&a.id) {
            Some(&i) => place.push(i),
            None => {
                place.push(content.articles.len());
                content.articles.push(a);
            }
        }
    }
    for list in &mut lists {
        for (_, run) in &mut list.runs {
            run.iter_mut().for_each(|i| *i = place[*i]);
        }
        list.pinned.iter_mut().for_each(|i| *i = place[*i]);
    }

    let mut read_parts = Vec::with_capacity(parts.len());
    for part in parts {
        read_parts.push((part, store.listed_in_part(row, now, part).await?));
    }
    let mut remove: Vec<String> =
        jobs.iter().filter_map(|j| j.old_path.clone()).filter(|p| !live_paths.contains(p)).collect();
    remove.sort();
    remove.dedup();
    Ok(Change {
        content,
        lists,
        pages,
        columns: touched.keys().copied().collect(),
        parts: read_parts,
        interaction,
        remove,
        last_pages,
    })
}

/// List rows read for a publish, each article once.
#[derive(Default)]
struct Rows {
    articles: Vec<PublishedArticle>,
    seen: HashMap<i64, usize>,
}

impl Rows {
    fn add(&mut self, a: PublishedArticle) -> usize {
        if let Some(&i) = self.seen.get(&a.id) {
            return i;
        }
        self.seen.insert(a.id, self.articles.len());
        self.articles.push(a);
        self.articles.len() - 1
    }
}

/// How many articles of a list (its own columns `ids`) are at or after `key`.
async fn count_from(store: &Store, ids: &[i64], now: &str, key: &Key) -> Result<usize> {
    let mut n = 0;
    for &c in ids {
        n += store.list_count_from(c, now, &key.0, key.1).await?;
    }
    Ok(n)
}

/// The newest `n` articles of a list, newest first.
async fn merged_head(store: &Store, ids: &[i64], now: &str, n: usize) -> Result<Vec<PublishedArticle>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut all = Vec::new();
    for &c in ids {
        all.extend(store.list_head(c, now, n).await?);
    }
    all.sort_by(|a, b| list_order(b, a));
    all.truncate(n);
    Ok(all)
}

/// One page of a list around the article at `key`: the `before` articles just older than
/// it and the `from` articles from it on, oldest first.
async fn page_run(
    store: &Store,
    ids: &[i64],
    now: &str,
    key: &Key,
    before: usize,
    from: usize,
) -> Result<Vec<PublishedArticle>> {
    let (mut older, mut newer) = (Vec::new(), Vec::new());
    for &c in ids {
        older.extend(store.list_near(c, now, (&key.0, key.1), false, before).await?);
        newer.extend(store.list_near(c, now, (&key.0, key.1), true, from).await?);
    }
    older.sort_by(|a, b| list_order(b, a));
    older.truncate(before);
    older.reverse();
    newer.sort_by(list_order);
    newer.truncate(from);
    older.extend(newer);
    Ok(older)
}
