//! `zhanqun bench province`: a province-wide group on PostgreSQL (3,000 sites × 1,000 articles
//! by default), generated and imported one site at a time (only one site's Markdown is on disk
//! at once), then measured as the operators of such a platform would ask: the import, the
//! database's size and its largest tables, one shard's build, and the search index's build,
//! size and query latency at that corpus. Figures are printed, never asserted.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::search::{dir_mib, latencies, requests, slowest};
use super::{peak_rss_mib, reset_peak_rss};
use crate::content::import::ImportStats;
use crate::project::{Paths, Project};
use crate::publish::shard::Shard;
use crate::search::synonyms::Synonyms;
use crate::search::{search, sync, SearchIndex};
use crate::store::import::import_dir;
use crate::store::tenant::{Job, Tenant};

#[derive(Debug, Clone)]
pub struct ProvinceBench {
    pub sites: usize,
    pub articles: usize,
    /// The PostgreSQL server; the bench keeps its database there as `zhanqun_province`.
    pub postgres: String,
    pub shard: Shard,
    /// The group's YAML, the search index and the marker of what was imported.
    pub work: PathBuf,
    /// Where the shard is built (a tmpfs, to measure the build rather than the disk).
    pub out: PathBuf,
    pub themes: PathBuf,
}

const DATABASE: &str = "zhanqun_province";

pub async fn province_bench(b: &ProvinceBench, report: impl Fn(String)) -> anyhow::Result<()> {
    let marker = b.work.join(".province-params");
    let params = format!("{} {} {}", b.sites, b.articles, b.postgres);
    let fresh = std::fs::read_to_string(&marker).ok().as_deref() != Some(params.as_str());
    let base = b.postgres.rsplit_once('/').map_or(b.postgres.as_str(), |(s, _)| s);
    let database = if fresh {
        if b.work.exists() {
            std::fs::remove_dir_all(&b.work)?;
        }
        super::fresh_postgres(&b.postgres, DATABASE).await?
    } else {
        report(format!("reusing the group in {} and the database {DATABASE}", b.work.display()));
        format!("{base}/{DATABASE}")
    };
    let sites_dir = b.work.join("sites");
    let demo_sites = if fresh { crate::demo::write_sites(&sites_dir, b.sites)? } else { crate::demo::sites(b.sites) };
    let paths = Paths {
        sites: sites_dir,
        themes: b.themes.clone(),
        database,
        out: b.out.clone(),
        search: b.work.join("search"),
    };
    let t = Instant::now();
    let project = Project::open(paths).await?;
    report(format!(
        "group: {} sites, loaded, checked and synced to the database in {:.1} s",
        project.group().sites.len(),
        t.elapsed().as_secs_f64()
    ));

    if fresh {
        import(b, &project, &demo_sites, &report).await?;
        std::fs::write(&marker, &params)?;
    }
    database_size(&project, &report).await?;
    shard_build(b, &project, &report).await?;
    search_index(b, &project, &report).await?;
    Ok(())
}

/// Generates and imports the articles, one site at a time.
async fn import(
    b: &ProvinceBench,
    project: &Project,
    demo_sites: &[crate::demo::DemoSite],
    report: &dyn Fn(String),
) -> anyhow::Result<()> {
    let content = b.work.join("content");
    let day = crate::demo::content_day();
    let group = project.group();
    let started = Instant::now();
    let (mut generating, mut stats) = (0.0, ImportStats::default());
    for (i, demo) in demo_sites.iter().enumerate() {
        let site = group.site(&demo.code).ok_or_else(|| anyhow::anyhow!("site {} not in the group", demo.code))?;
        let t = Instant::now();
        crate::demo::write_content(&content, std::slice::from_ref(demo), b.articles, day)?;
        generating += t.elapsed().as_secs_f64();
        let r = import_dir(
            &project.store,
            Tenant::system(Job::Bench),
            site,
            &content.join(&demo.code),
            None,
            "operator:bench",
        )
        .await?;
        if let Some(p) = r.problems.first() {
            anyhow::bail!("import of {} failed: {p}", demo.code);
        }
        stats += r.stats;
        std::fs::remove_dir_all(content.join(&demo.code))?;
        if (i + 1) % 250 == 0 || i + 1 == demo_sites.len() {
            let secs = started.elapsed().as_secs_f64();
            report(format!(
                "import: {} of {} sites, {} articles in {secs:.0} s ({:.0} articles/s; generating the Markdown took {generating:.0} s of it)",
                i + 1,
                demo_sites.len(),
                stats.created,
                stats.created as f64 / (secs - generating).max(1e-9),
            ));
        }
    }
    let t = Instant::now();
    project.store.refresh_statistics().await?;
    report(format!("statistics: ANALYZE after the import in {:.1} s", t.elapsed().as_secs_f64()));
    Ok(())
}

async fn database_size(project: &Project, report: &dyn Fn(String)) -> anyhow::Result<()> {
    use sqlx::Row;
    let pool = project.store.pool();
    let total: i64 = sqlx::query("SELECT pg_database_size(current_database())").fetch_one(pool).await?.try_get(0)?;
    let tables = sqlx::query(
        "SELECT CAST(c.relname AS TEXT) AS name, CAST(pg_total_relation_size(c.oid) AS BIGINT) AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r'
         ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 5",
    )
    .fetch_all(pool)
    .await?;
    let t = project.store.tally().await?;
    let largest: Vec<String> = tables
        .iter()
        .map(|r| format!("{} {} MiB", r.get::<String, _>("name"), r.get::<i64, _>("bytes") >> 20))
        .collect();
    report(format!(
        "database: {} MiB for {} sites, {} articles, {} revisions; largest tables (with indexes): {}",
        total >> 20,
        t.sites,
        t.articles,
        t.revisions,
        largest.join(", ")
    ));
    Ok(())
}

async fn shard_build(b: &ProvinceBench, project: &Project, report: &dyn Fn(String)) -> anyhow::Result<()> {
    let group = project.group();
    let only: Vec<String> =
        group.sites.iter().map(|s| s.code()).filter(|c| b.shard.holds(c)).map(String::from).collect();
    let opts = project.build_options(only.clone(), false, None);
    for label in ["first", "second"] {
        reset_peak_rss();
        let s = project.build(&opts).await?;
        report(format!(
            "shard {} build ({label}): {} of {} sites, {} pages in {:.1} s ({:.0} pages/s); peak RSS {} MiB",
            b.shard,
            only.len(),
            group.sites.len(),
            s.pages,
            s.seconds,
            s.pages_per_second(),
            peak_rss_mib().map_or("?".into(), |m| m.to_string())
        ));
    }
    Ok(())
}

async fn search_index(b: &ProvinceBench, project: &Project, report: &dyn Fn(String)) -> anyhow::Result<()> {
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
        "search index: {docs} articles in {secs:.0} s ({:.0} articles/s); {} MiB on disk; peak RSS {} MiB",
        docs as f64 / secs,
        dir_mib(&root),
        peak_rss_mib().map_or("?".into(), |m| m.to_string())
    ));
    let reqs = requests();
    let synonyms = Synonyms::of_group(&project.group());
    let (ix, rq) = (index.clone(), reqs.clone());
    let single = tokio::task::spawn_blocking(move || {
        latencies(10, &rq, &|r| {
            let _ = search(&ix, r, &synonyms);
        })
    })
    .await?;
    report(format!("search, 1 client: {}", single.line()));
    report(format!("search, slowest queries (mean): {}", slowest(&single, &reqs)));
    Ok(())
}
