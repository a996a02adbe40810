//! `zhanqun bench publish`: the time from a reviewer's approval to the page being live, on a
//! site of each of `sizes` published articles, in one run, and how it grows with the site.
//! Each round writes and submits an article (not timed), then times the approval transaction
//! plus the publish that puts it live — what a reviewer waits for. Withdrawals of the new
//! articles are timed the same way, and a few withdrawals of the oldest articles, whose list
//! pages are the deepest. Figures are printed, never asserted.

use std::path::PathBuf;
use std::time::Instant;

use crate::content::draft::DraftInput;
use crate::demo::DemoSite;
use crate::project::Project;
use crate::publish::incremental::run_due;
use crate::store::import::import_dir;
use crate::store::tenant::{Job, Tenant};
use crate::store::users::NewUser;

#[derive(Debug, Clone)]
pub struct PublishBench {
    pub site: String,
    /// Published articles on the site, one measurement each.
    pub sizes: Vec<usize>,
    pub rounds: usize,
    pub work: PathBuf,
    pub sites: PathBuf,
    pub themes: PathBuf,
    /// A PostgreSQL server (`postgres://user@host:port/db`) to run on instead of SQLite; the
    /// bench creates its own database there, `zhanqun_bench`, dropped first.
    pub postgres: Option<String>,
}

/// Median, p90 and max of a set of timings.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    n: usize,
    median: f64,
    p90: f64,
    max: f64,
}

impl Figures {
    fn of(mut ms: Vec<f64>) -> Figures {
        if ms.is_empty() {
            return Figures::default();
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        let pick = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
        Figures { n: ms.len(), median: pick(0.5), p90: pick(0.9), max: ms[ms.len() - 1] }
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "n={} median {:.1} ms, p90 {:.1} ms, max {:.1} ms", self.n, self.median, self.p90, self.max)
    }
}

struct Run {
    approve: Figures,
    /// The approval transaction alone.
    approve_tx: Figures,
    withdraw: Figures,
    deep: Figures,
}

pub async fn publish_bench(b: &PublishBench, report: impl Fn(String)) -> anyhow::Result<()> {
    let mut runs = Vec::new();
    for &size in &b.sizes {
        let run = one_size(b, size, &report).await?;
        report(format!("{size} articles: approval → live {}", run.approve));
        report(format!("{size} articles:   of which the approval transaction {}", run.approve_tx));
        report(format!("{size} articles: withdrawal → gone {}", run.withdraw));
        report(format!("{size} articles: withdrawal of an old article (deepest list page) {}", run.deep));
        runs.push((size, run));
    }
    if let (Some((small, a)), Some((large, z)), true) = (runs.first(), runs.last(), runs.len() > 1) {
        let ratio = |x: f64, y: f64| y / x.max(1e-9);
        report(format!(
            "{}× the articles ({small} → {large}): approval median ×{:.2}, p90 ×{:.2}; withdrawal median ×{:.2}, p90 ×{:.2}",
            large / small.max(&1),
            ratio(a.approve.median, z.approve.median),
            ratio(a.approve.p90, z.approve.p90),
            ratio(a.withdraw.median, z.withdraw.median),
            ratio(a.withdraw.p90, z.withdraw.p90),
        ));
    }
    Ok(())
}

async fn one_size(b: &PublishBench, articles: usize, report: &impl Fn(String)) -> anyhow::Result<Run> {
    let work = b.work.join(articles.to_string());
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let mut paths = super::work_paths(&work, &b.sites, &b.themes);
    if let Some(server) = &b.postgres {
        paths.database = super::fresh_postgres(server, "zhanqun_bench").await?;
    }
    let project = Project::open(paths).await?;
    let group = project.group();
    let site = group.site(&b.site).ok_or_else(|| anyhow::anyhow!("no site `{}` in the group", b.site))?;
    let demo = DemoSite {
        code: site.code().into(),
        name: site.def.name.clone(),
        short: site.def.name.clone(),
        kind: site.def.kind,
    };
    crate::demo::write_content(&work.join("content"), &[demo], articles, crate::demo::content_day())?;
    let t = Instant::now();
    let r = import_dir(
        &project.store,
        Tenant::system(Job::Bench),
        site,
        &work.join("content").join(site.code()),
        None,
        "operator:bench",
    )
    .await?;
    if let Some(p) = r.problems.first() {
        anyhow::bail!("import failed: {p}");
    }
    let secs = t.elapsed().as_secs_f64();
    let per_s = |s: f64| r.stats.created as f64 / s.max(1e-9);
    report(format!(
        "imported {} articles in {secs:.2} s ({:.0}/s): reading the files {:.2} s, writing the database {:.2} s ({:.0}/s)",
        r.stats.created,
        per_s(secs),
        r.read_seconds,
        r.write_seconds,
        per_s(r.write_seconds),
    ));
    if b.postgres.is_some() {
        // What autovacuum does within a minute of a bulk load: the visibility map lets the
        // list counts walk the index alone, as they will in service.
        sqlx::query("VACUUM ANALYZE").execute(project.store.pool()).await?;
    }
    let opts = project.build_options(vec![b.site.clone()], false, Some(Default::default()));
    let built = project.build(&opts).await?;
    report(format!("site {} with {} published articles: {built}", b.site, r.stats.created));

    // The search index follows every publish, as in `zhanqun serve`.
    let index = std::sync::Arc::new(crate::search::SearchIndex::open(&project.paths.search)?);
    let (ix, st, rt) = (index.clone(), project.store.clone(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || crate::search::sync::reconcile(&ix, &st, &rt)).await??;
    let search = Some(&index);

    let rows = project.store.site_rows().await?;
    let site_id = rows[site.code()].id;
    let scope = Tenant::system_site(Job::Bench, site_id);
    let mut ids = Vec::new();
    for (name, role) in [("bench-editor", crate::auth::Role::Editor), ("bench-reviewer", crate::auth::Role::Reviewer)] {
        let u = NewUser {
            username: name,
            display_name: name,
            role,
            site_id: Some(site_id),
            password: "Bench#Pass2026",
            must_change_password: false,
        };
        ids.push(project.store.create_user(scope, &u, "operator:bench", None).await?);
    }
    let editor = project.store.user_by_id(scope, ids[0]).await?.expect("just created");
    let reviewer = project.store.user_by_id(scope, ids[1]).await?.expect("just created");
    let (group, themes, store, out) = (&project.group(), &project.themes, &project.store, &project.paths.out);
    let (mut approve_ms, mut approve_tx_ms) = (Vec::new(), Vec::new());
    let mut published = Vec::new();
    for i in 0..b.rounds {
        let mut input = DraftInput {
            title: format!("基准测试：审核通过即发布的第 {} 篇通知", i + 1),
            column: "gzdt".into(),
            body: "为做好相关工作，现将有关事项通知如下。\n\n一、总体要求\n\n请各单位认真落实。".repeat(8),
            ..Default::default()
        };
        input.normalize();
        let id = store.save_draft(scope, &editor, None, &input).await?;
        store.submit(scope, &editor, id, "127.0.0.1").await?;
        let t = Instant::now();
        let decision = crate::store::workflow::Decision { secrecy_reviewed: true, ..Default::default() };
        store.approve(scope, group, &reviewer, id, &decision, "127.0.0.1").await?;
        let tx = t.elapsed().as_secs_f64() * 1000.0;
        let run = run_due(group, themes, store, out, search).await?;
        approve_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        approve_tx_ms.push(tx);
        anyhow::ensure!(run.jobs == 1, "round {i}: expected one publish job, ran {}", run.jobs);
        published.push(id);
    }
    let mut withdraw_ms = Vec::new();
    for id in published.iter().take(b.rounds.div_ceil(2)) {
        let t = Instant::now();
        store.withdraw(scope, &reviewer, *id, "bench", "127.0.0.1").await?;
        run_due(group, themes, store, out, search).await?;
        withdraw_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // The oldest articles of the column: every list page above them moves by one.
    let column = project.store.site_row(site.code()).await?.columns["gzdt"];
    let oldest = sqlx::query(
        "SELECT id FROM articles WHERE column_id = $1 AND status = 'published' ORDER BY list_at, id LIMIT 3",
    )
    .bind(column)
    .fetch_all(store.pool())
    .await?;
    let mut deep_ms = Vec::new();
    for row in oldest {
        let id: i64 = crate::store::Cols::col(&row, "id")?;
        let t = Instant::now();
        store.withdraw(scope, &reviewer, id, "bench", "127.0.0.1").await?;
        run_due(group, themes, store, out, search).await?;
        deep_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(Run {
        approve: Figures::of(approve_ms),
        approve_tx: Figures::of(approve_tx_ms),
        withdraw: Figures::of(withdraw_ms),
        deep: Figures::of(deep_ms),
    })
}
