//! `zhanqun bench …`: each benchmark of `zhanqun::bench` with its arguments; figures are
//! printed, never asserted.

use std::process::ExitCode;

use crate::BenchCommand;

pub async fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Check { rounds, sites } => {
            let b = zhanqun::bench::check::CheckBench { sites, rounds };
            zhanqun::bench::check::check_bench(&b, |line| println!("{line}"))?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Search { group, clients, seconds, no_baseline } => {
            let b = zhanqun::bench::search::SearchBench {
                sites: group.count,
                articles: group.articles,
                work: group.work,
                clients,
                seconds,
                baseline: !no_baseline,
            };
            zhanqun::bench::search::search_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Audit { group, themes } => {
            let b = zhanqun::bench::audit::AuditBench {
                sites: group.count,
                articles: group.articles,
                work: group.work,
                themes,
            };
            zhanqun::bench::audit::audit_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Hits { connections, seconds, no_ceiling, work, sites, themes } => {
            let b = zhanqun::bench::hits::HitsBench { connections, seconds, work, sites, themes, ceiling: !no_ceiling };
            zhanqun::bench::hits::hits_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Publish { site, articles, rounds, work, sites, themes, postgres } => {
            let b =
                zhanqun::bench::publish::PublishBench { site, sizes: articles, rounds, work, sites, themes, postgres };
            zhanqun::bench::publish::publish_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Build { group, tmpfs, disk, themes } => {
            let b = zhanqun::bench::build::BuildBench {
                sites: group.count,
                articles: group.articles,
                work: group.work,
                tmpfs,
                disk,
                themes,
            };
            zhanqun::bench::build::build_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Province { count, articles, postgres, shard, work, out, themes } => {
            let b =
                zhanqun::bench::province::ProvinceBench { sites: count, articles, postgres, shard, work, out, themes };
            zhanqun::bench::province::province_bench(&b, |line| println!("{line}")).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
