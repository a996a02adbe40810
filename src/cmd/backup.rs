//! `zhanqun backup --to DIR` and `zhanqun restore DIR`: the library's `backup` with what the
//! operator reads.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use zhanqun::backup::{self, RestoreOptions};
use zhanqun::project::Paths;
use zhanqun::store::Store;

pub async fn create(into: &Path, paths: Paths) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let store = Store::inspect(&paths.database).await?;
    let written = backup::create(&paths, &store, into).await;
    store.close().await;
    let written = written?;
    let m = &written.manifest;
    println!("backup written to {} in {:.1} s", written.dir.display(), started.elapsed().as_secs_f64());
    println!(
        "  database ({}, schema {}): {}",
        m.backend.name(),
        m.schema,
        megabytes(m.bytes_under(m.backend.database_file()))
    );
    match m.search_documents {
        Some(n) => println!("  search index: {n} articles, {}", megabytes(m.bytes_under("search/"))),
        None => println!("  search index: none yet (a restore builds it from the database)"),
    }
    println!("  group: {} files", m.files.iter().filter(|f| f.path.starts_with("sites/")).count());
    let t = &m.tally;
    println!(
        "  {} sites, {} articles ({} published), {} attachment files, {} users, {} citizen messages, {} page views",
        t.sites, t.articles, t.published, t.blobs, t.users, t.messages, t.views
    );
    for p in &written.unfinished {
        println!(
            "  note: {} is a backup that was cut short (or is being written now); delete it when no backup runs",
            p.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(from: &Path, replace: bool, build: bool, paths: Paths) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let out = paths.out.clone();
    let r = backup::restore(from, &paths, &RestoreOptions { replace, build }).await?;
    let t = &r.tally;
    println!("restored {} (made {}) in {:.1} s", from.display(), r.manifest.created, started.elapsed().as_secs_f64());
    let compared = if r.counts_checked {
        "as counted at the backup".to_string()
    } else {
        format!("not compared with the backup's counts: its schema {} was migrated", r.manifest.schema)
    };
    println!(
        "  database: {} sites, {} articles ({} published), {} attachment files, {} users, {} citizen messages, {} page views: {compared}",
        t.sites, t.articles, t.published, t.blobs, t.users, t.messages, t.views
    );
    println!(
        "  search index: {} articles ({})",
        r.search_documents,
        if r.index_restored { "from the backup, brought up to date" } else { "built from the database" }
    );
    if let Some(summary) = &r.build {
        println!("  sites: {summary} → {}", out.display());
    }
    for p in &r.set_aside {
        println!("  kept what was there before as {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
