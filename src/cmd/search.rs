//! `zhanqun search reindex|query`: the shared index rebuilt from the database, or asked.

use std::process::ExitCode;

use super::open;
use crate::SearchCommand;

pub async fn run(cmd: SearchCommand) -> anyhow::Result<ExitCode> {
    use zhanqun::search::{request, sync, SearchIndex};
    match cmd {
        SearchCommand::Reindex { project } => {
            let project = open(project.paths()).await?;
            let index = SearchIndex::open(&project.paths.search)?;
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} articles, {per_sec}, {eta} left")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let started = std::time::Instant::now();
            let rt = tokio::runtime::Handle::current();
            let (store, b) = (project.store.clone(), bar.clone());
            let n = tokio::task::spawn_blocking(move || {
                sync::rebuild(&index, &store, &rt, &|done, total| {
                    b.set_length(total as u64);
                    b.set_position(done as u64);
                })
            })
            .await??;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "indexed {n} published articles in {secs:.1} s ({:.0} articles/s) → {}",
                n as f64 / secs.max(1e-9),
                project.paths.search.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        SearchCommand::Query { text, site, project } => {
            let project = open(project.paths()).await?;
            let index = SearchIndex::open(&project.paths.search)?;
            if !index.is_complete() {
                anyhow::bail!("the search index is empty or incomplete; run `zhanqun search reindex` first");
            }
            let mut pairs = vec![("q".to_string(), text)];
            pairs.push(("site".into(), site.unwrap_or_else(|| "all".into())));
            let req = request::parse(&pairs, &project.group(), request::Scope::All)
                .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
            let results = zhanqun::search::search(
                &index,
                &req,
                &zhanqun::search::synonyms::Synonyms::of_group(&project.group()),
            )?;
            println!("{} results in {:.1} ms", results.total, results.micros as f64 / 1000.0);
            for h in &results.hits {
                println!(
                    "{}  {}  {}{}  {}",
                    &h.published[..10.min(h.published.len())],
                    h.site,
                    h.column,
                    h.path,
                    h.title
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
