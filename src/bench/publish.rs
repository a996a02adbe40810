//! `zhanqun bench publish`: the time from a reviewer's approval to the page being live, on a
//! site of `articles` published articles. Each round writes and submits an article (not timed),
//! then times the approval transaction plus the incremental publish that swaps it in — what a
//! reviewer waits for. Withdrawals are timed the same way. Figures are printed, never asserted.

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
    pub articles: usize,
    pub rounds: usize,
    pub work: PathBuf,
    pub sites: PathBuf,
    pub themes: PathBuf,
}

fn summary(name: &str, mut ms: Vec<f64>) -> String {
    ms.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "{name}: n={} median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms.len(),
        pick(0.5),
        pick(0.9),
        ms.last().copied().unwrap_or(0.0)
    )
}

pub async fn publish_bench(b: &PublishBench, report: impl Fn(String)) -> anyhow::Result<()> {
    if b.work.exists() {
        std::fs::remove_dir_all(&b.work)?;
    }
    std::fs::create_dir_all(&b.work)?;
    let paths = super::work_paths(&b.work, &b.sites, &b.themes);
    let project = Project::open(paths).await?;
    let site = project.group.site(&b.site).ok_or_else(|| anyhow::anyhow!("no site `{}` in the group", b.site))?;
    let demo = DemoSite {
        code: site.code().into(),
        name: site.def.name.clone(),
        short: site.def.name.clone(),
        kind: site.def.kind,
    };
    crate::demo::write_content(&b.work.join("content"), &[demo], b.articles, crate::demo::content_day())?;
    let r = import_dir(
        &project.store,
        Tenant::system(Job::Bench),
        site,
        &b.work.join("content").join(site.code()),
        None,
        "operator:bench",
    )
    .await?;
    if let Some(p) = r.problems.first() {
        anyhow::bail!("import failed: {p}");
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
    let (group, themes, store, out) = (&project.group, &project.themes, &project.store, &project.paths.out);
    let mut approve_ms = Vec::new();
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
        let run = run_due(group, themes, store, out, search).await?;
        approve_ms.push(t.elapsed().as_secs_f64() * 1000.0);
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
    report(summary(
        "approval → live (approve transaction + incremental render + atomic swap + search index update)",
        approve_ms,
    ));
    report(summary("withdrawal → gone (from the index, then the site)", withdraw_ms));
    Ok(())
}
