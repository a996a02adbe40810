//! `zhanqun bench search`: reindexes the synthetic group (150 sites × 1,000 articles by
//! default) and times a fixed set of realistic queries, one client and several at once, next to
//! the same queries on SQLite FTS5 with the trigram tokenizer. Figures are printed, never
//! asserted.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{ConnectOptions, Row, SqlitePool};

use super::{peak_rss_mib, prepare, reset_peak_rss};
use crate::search::request::{Scope, SearchRequest, Sort};
use crate::search::synonyms::Synonyms;
use crate::search::{search, sync, SearchIndex};

#[derive(Debug, Clone)]
pub struct SearchBench {
    pub sites: usize,
    pub articles: usize,
    pub work: PathBuf,
    pub clients: usize,
    pub seconds: u64,
    pub baseline: bool,
}

/// What citizens type into a government site's search box: one to three words, most of them
/// two to four characters. The last few are scoped to one site, as a subsite's box is.
pub(super) const QUERIES: &[(&str, Option<&str>)] = &[
    ("政务公开", None),
    ("营商环境", None),
    ("安全生产", None),
    ("乡村振兴", None),
    ("防汛", None),
    ("舆情", None),
    ("网络舆情", None),
    ("信访", None),
    ("社会保障卡", None),
    ("营业执照", None),
    ("不动产登记", None),
    ("婚姻登记", None),
    ("户口迁移", None),
    ("医疗费用报销", None),
    ("文明城市", None),
    ("生态环境保护", None),
    ("实施方案", None),
    ("专项行动 通知", None),
    ("工作会议", None),
    ("应急演练", None),
    ("业务培训", None),
    ("督查调研", None),
    ("办事指南", None),
    ("信息公开 年度报告", None),
    ("一网通办", None),
    ("优化营商环境 实施方案", None),
    ("防汛抗旱 应急", None),
    ("政府网站 信息内容 建设", None),
    ("食品经营许可", None),
    ("失业保险金", None),
    ("安全生产", Some("fgw")),
    ("通知", Some("czj")),
    ("乡村振兴", Some("alx")),
    ("政务公开 工作", Some("www")),
];

pub async fn search_bench(b: &SearchBench, report: impl Fn(String)) -> anyhow::Result<()> {
    let project = prepare(&b.work, std::path::Path::new("themes"), b.sites, b.articles, &report).await?;
    let root = b.work.join("search");
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    let index = Arc::new(SearchIndex::open(&root)?);
    reset_peak_rss();
    let started = Instant::now();
    let rt = tokio::runtime::Handle::current();
    let (ix, store) = (index.clone(), project.store.clone());
    let docs = tokio::task::spawn_blocking(move || sync::rebuild(&ix, &store, &rt, &|_, _| {})).await??;
    let secs = started.elapsed().as_secs_f64();
    report(format!(
        "tantivy+jieba reindex: {docs} articles in {secs:.1} s ({:.0} articles/s); index {} MiB on disk; peak RSS {} MiB",
        docs as f64 / secs,
        dir_mib(&root),
        peak_rss_mib().map_or("?".into(), |m| m.to_string())
    ));

    let requests = requests();
    let hits: usize =
        requests.iter().map(|r| search(&index, r, &Synonyms::default()).map(|x| x.total).unwrap_or(0)).sum();
    report(format!(
        "{} queries, {hits} matching articles in all (each query counts its total and renders 10 snippets)",
        requests.len()
    ));
    let (ix, reqs) = (index.clone(), requests.clone());
    let single = tokio::task::spawn_blocking(move || {
        latencies(30, &reqs, &|r| {
            let _ = search(&ix, r, &Synonyms::default());
        })
    })
    .await?;
    report(format!("tantivy, 1 client:  {}", single.line()));
    report(format!("tantivy, slowest queries (mean): {}", slowest(&single, &requests)));
    let (ix, reqs, clients, secs) = (index.clone(), requests.clone(), b.clients, b.seconds);
    let load = tokio::task::spawn_blocking(move || {
        concurrent(clients, Duration::from_secs(secs), &reqs, move |r| {
            let _ = search(&ix, r, &Synonyms::default());
        })
    })
    .await?;
    report(format!("tantivy, {} clients: {}", b.clients, load.line()));

    if b.baseline {
        fts5(b, &project.store, &requests, &report).await?;
    }
    Ok(())
}

/// The same corpus in SQLite FTS5 (trigram tokenizer): title and plain-text body, ranked by
/// bm25, counting the matches and cutting a snippet like the search page does. Trigrams need
/// three characters, so a shorter word falls back to LIKE, a scan, as it must in FTS5.
async fn fts5(
    b: &SearchBench,
    store: &crate::store::Store,
    requests: &[SearchRequest],
    report: &dyn Fn(String),
) -> anyhow::Result<()> {
    let path = b.work.join("fts5.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let opts = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        // The LIKE fallbacks take seconds; their warnings would drown the figures.
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new().max_connections(b.clients as u32).connect_with(opts).await?;
    sqlx::query("CREATE VIRTUAL TABLE docs USING fts5(site UNINDEXED, title, body, tokenize = 'trigram')")
        .execute(&pool)
        .await?;
    let started = Instant::now();
    let now = crate::content::now_local();
    let mut after = 0;
    let mut n = 0;
    loop {
        let page = store.searchable_page(&now, after, 2000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let mut tx = pool.begin().await?;
        for a in &page {
            sqlx::query("INSERT INTO docs (rowid, site, title, body) VALUES (?, ?, ?, ?)")
                .bind(a.id)
                .bind(&a.site)
                .bind(&a.title)
                .bind(crate::content::markdown::plain_text(&a.body_md, usize::MAX))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        n += page.len();
    }
    let secs = started.elapsed().as_secs_f64();
    report(format!(
        "FTS5 trigram index: {n} articles in {secs:.1} s ({:.0} articles/s); {} MiB on disk",
        n as f64 / secs,
        std::fs::metadata(&path).map(|m| m.len() >> 20).unwrap_or(0)
    ));

    let rt = tokio::runtime::Handle::current();
    let (p, reqs) = (pool.clone(), requests.to_vec());
    let single = tokio::task::spawn_blocking(move || {
        latencies(3, &reqs, &|r| {
            let _ = rt.block_on(fts5_query(&p, r));
        })
    })
    .await?;
    report(format!("FTS5,    1 client:  {}", single.line()));
    let rt = tokio::runtime::Handle::current();
    let (p, reqs, clients, secs) = (pool.clone(), requests.to_vec(), b.clients, b.seconds);
    let load = tokio::task::spawn_blocking(move || {
        concurrent(clients, Duration::from_secs(secs), &reqs, move |r| {
            let _ = rt.block_on(fts5_query(&p, r));
        })
    })
    .await?;
    report(format!("FTS5,    {} clients: {}", b.clients, load.line()));
    pool.close().await;
    Ok(())
}

async fn fts5_query(pool: &SqlitePool, r: &SearchRequest) -> sqlx::Result<usize> {
    let words: Vec<&str> = r.text.split_whitespace().collect();
    let long: Vec<String> =
        words.iter().filter(|w| w.chars().count() >= 3).map(|w| format!("\"{}\"", w.replace('"', ""))).collect();
    let short: Vec<&str> = words.iter().copied().filter(|w| w.chars().count() < 3).collect();
    let mut cond = Vec::new();
    if !long.is_empty() {
        cond.push("docs MATCH ?".to_string());
    }
    for _ in &short {
        cond.push("(title LIKE ? OR body LIKE ?)".into());
    }
    if matches!(r.scope, Scope::Site(_)) {
        cond.push("site = ?".into());
    }
    let cond = cond.join(" AND ");
    let binds: Vec<String> = (!long.is_empty())
        .then(|| long.join(" AND "))
        .into_iter()
        .chain(short.iter().flat_map(|w| [format!("%{w}%"), format!("%{w}%")]))
        .chain(match &r.scope {
            Scope::Site(s) => Some(s.clone()),
            Scope::All => None,
        })
        .collect();
    let count_sql = format!("SELECT count(*) FROM docs WHERE {cond}");
    let order = if long.is_empty() { "rowid DESC" } else { "rank" };
    let top_sql = format!(
        "SELECT rowid, title, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs WHERE {cond} ORDER BY {order} LIMIT 10"
    );
    let mut count = sqlx::query(&count_sql);
    let mut top = sqlx::query(&top_sql);
    for v in &binds {
        count = count.bind(v);
        top = top.bind(v);
    }
    let total: i64 = count.fetch_one(pool).await?.get(0);
    top.fetch_all(pool).await?;
    Ok(total as usize)
}

/// The five queries with the highest mean time, from a `latencies` run.
pub(super) fn slowest(l: &Latency, reqs: &[SearchRequest]) -> String {
    let mut mean: Vec<(f64, String)> = reqs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let runs: Vec<f64> =
                l.samples.iter().skip(i).step_by(reqs.len()).map(|d| d.as_secs_f64() * 1000.0).collect();
            let scope = match &r.scope {
                Scope::All => String::new(),
                Scope::Site(s) => format!("@{s}"),
            };
            (runs.iter().sum::<f64>() / runs.len().max(1) as f64, format!("{}{scope}", r.text))
        })
        .collect();
    mean.sort_by(|a, b| b.0.total_cmp(&a.0));
    mean.iter().take(5).map(|(ms, q)| format!("{q} {ms:.1} ms")).collect::<Vec<_>>().join(", ")
}

pub(super) struct Latency {
    samples: Vec<Duration>,
    elapsed: Duration,
}

impl Latency {
    pub(super) fn line(&self) -> String {
        let mut s = self.samples.clone();
        s.sort();
        let at =
            |p: f64| s.get(((s.len() as f64 * p) as usize).min(s.len().saturating_sub(1))).copied().unwrap_or_default();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "{} queries, {:.0} queries/s; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            s.len(),
            s.len() as f64 / self.elapsed.as_secs_f64(),
            ms(at(0.5)),
            ms(at(0.9)),
            ms(at(0.99)),
            ms(s.last().copied().unwrap_or_default())
        )
    }
}

/// The fixed queries as the search page would ask them.
pub(super) fn requests() -> Vec<SearchRequest> {
    QUERIES
        .iter()
        .map(|(q, site)| SearchRequest {
            text: q.to_string(),
            scope: site.map_or(Scope::All, |s| Scope::Site(s.into())),
            column: None,
            from: None,
            to: None,
            sort: Sort::Relevance,
            page: 1,
        })
        .collect()
}

/// Every request `rounds` times in turn, after one warm-up round.
pub(super) fn latencies(rounds: usize, reqs: &[SearchRequest], run: &dyn Fn(&SearchRequest)) -> Latency {
    reqs.iter().for_each(run);
    let started = Instant::now();
    let mut samples = Vec::with_capacity(rounds * reqs.len());
    for _ in 0..rounds {
        for r in reqs {
            let t = Instant::now();
            run(r);
            samples.push(t.elapsed());
        }
    }
    Latency { samples, elapsed: started.elapsed() }
}

/// `clients` threads each cycling through the requests (each from its own starting point)
/// for `time`.
pub(super) fn concurrent(
    clients: usize,
    time: Duration,
    reqs: &[SearchRequest],
    run: impl Fn(&SearchRequest) + Send + Sync + 'static,
) -> Latency {
    let run = Arc::new(run);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (run, stop, reqs) = (run.clone(), stop.clone(), reqs.to_vec());
            std::thread::spawn(move || {
                let mut samples = Vec::new();
                let mut i = c * 7;
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    run(&reqs[i % reqs.len()]);
                    samples.push(t.elapsed());
                    i += 1;
                }
                samples
            })
        })
        .collect();
    std::thread::sleep(time);
    stop.store(true, Ordering::Relaxed);
    let samples: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().unwrap_or_default()).collect();
    Latency { samples, elapsed: started.elapsed() }
}

pub(super) fn dir_mib(dir: &std::path::Path) -> u64 {
    walkdir::WalkDir::new(dir).into_iter().flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum::<u64>()
        >> 20
}
