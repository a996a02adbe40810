//! Keeping the index equal to what is live: a full rebuild from the database, a cheap
//! reconciliation (compare article and revision ids, fix the difference), and the per-article
//! updates the publisher makes around each swap.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use tokio::runtime::Handle;

use super::document::documents;
use super::index::{Result, SearchIndex};
use crate::content::now_local;
use crate::store::Store;

/// Articles read from the database per round trip during a rebuild.
const PAGE: i64 = 2000;

#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    pub rebuilt: bool,
    pub added: usize,
    pub removed: usize,
    pub seconds: f64,
}

/// Rebuilds the whole index from the database. Blocking: run it on a blocking thread (it
/// calls into `rt` for the database). `progress` gets (indexed so far, total).
pub fn rebuild(index: &SearchIndex, store: &Store, rt: &Handle, progress: &dyn Fn(usize, usize)) -> Result<usize> {
    let now = now_local();
    let total = rt.block_on(store.searchable_keys(&now))?.len();
    progress(0, total);
    let mut after = 0i64;
    let mut done = false;
    let fields = index.fields;
    index.rebuild(
        || {
            if done {
                return Ok(None);
            }
            let page = rt.block_on(store.searchable_page(&now, after, PAGE))?;
            done = (page.len() as i64) < PAGE;
            let Some(last) = page.last() else { return Ok(None) };
            after = last.id;
            Ok(Some(documents(&page, &fields)))
        },
        &|n| progress(n, total),
    )
}

/// Makes the index match the database: rebuilds it when it was never complete, otherwise
/// re-indexes what differs (new, changed, withdrawn, or scheduled and now due). Blocking.
pub fn reconcile(index: &SearchIndex, store: &Store, rt: &Handle) -> Result<SyncReport> {
    let started = Instant::now();
    if !index.is_complete() {
        let added = rebuild(index, store, rt, &|_, _| {})?;
        return Ok(SyncReport { rebuilt: true, added, removed: 0, seconds: started.elapsed().as_secs_f64() });
    }
    let now = now_local();
    let live = rt.block_on(store.searchable_keys(&now))?;
    let indexed = index.keys()?;
    let live_ids: HashSet<i64> = live.iter().map(|(id, _)| *id).collect();
    let stale: Vec<i64> = indexed.keys().filter(|id| !live_ids.contains(id)).copied().collect();
    let changed: Vec<i64> = live.iter().filter(|(id, rev)| indexed.get(id) != Some(rev)).map(|(id, _)| *id).collect();
    if stale.is_empty() && changed.is_empty() {
        return Ok(SyncReport { seconds: started.elapsed().as_secs_f64(), ..Default::default() });
    }
    let docs = documents(&rt.block_on(store.searchable_by_ids(&now, &changed))?, &index.fields);
    let added = docs.len();
    index.apply(&stale, docs)?;
    Ok(SyncReport { rebuilt: false, added, removed: stale.len(), seconds: started.elapsed().as_secs_f64() })
}

/// Removes articles from the index at once (a withdrawal: before its page goes).
pub async fn remove(index: &Arc<SearchIndex>, ids: Vec<i64>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let index = index.clone();
    blocking(move || index.apply(&ids, Vec::new())).await
}

/// Re-indexes articles from the database: the live ones are added or replaced, the others
/// removed (an approval, an edit, a move: after its pages are live).
pub async fn refresh(index: &Arc<SearchIndex>, store: &Store, ids: Vec<i64>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let live = store.searchable_by_ids(&now_local(), &ids).await?;
    let index = index.clone();
    blocking(move || {
        let docs = documents(&live, &index.fields);
        index.apply(&ids, docs)
    })
    .await
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}
