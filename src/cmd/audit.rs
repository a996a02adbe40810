//! `zhanqun audit [--site CODE] [--format text|json|csv]`: the central audit, printed; a
//! whole-group run is stored. Exits 2 when a site is vetoed. `zhanqun audit --restore CODE`
//! publishes a tampered site again from the database.

use std::process::ExitCode;

use super::open;
use crate::{AuditFormat, ProjectArgs, SmtpArgs};

pub async fn run(
    site: Option<String>,
    format: AuditFormat,
    external_links: bool,
    smtp: SmtpArgs,
    project: ProjectArgs,
) -> anyhow::Result<ExitCode> {
    let mut project = open(project.paths()).await?;
    project.smtp = smtp.settings()?;
    if let Some(code) = &site {
        anyhow::ensure!(project.group().site(code).is_some(), "no site `{code}` in the group (see sites/*.yaml)");
    }
    let now = zhanqun::content::now_local();
    let external = external_links || project.group().def.audit.external_links.enabled;
    let report =
        zhanqun::audit::run_with(&project, site.as_deref(), external, &now, zhanqun::store::now_unix()).await?;
    let out = match format {
        AuditFormat::Text => zhanqun::audit::output::text(&report),
        AuditFormat::Json => zhanqun::audit::output::json(&report),
        AuditFormat::Csv => zhanqun::audit::output::csv(&report),
    };
    print!("{out}");
    // A whole-group run is kept for the trends; one site alone is a look, not a run.
    if site.is_none() {
        let saved = zhanqun::audit::save(&project, &report, "cli", zhanqun::store::now_unix()).await?;
        eprintln!("已保存为第 {} 次检查；新增否决项 {} 个", saved.run, saved.new_vetoes.len());
    }
    Ok(if report.vetoes() > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// `zhanqun audit --restore CODE`.
pub async fn restore(code: String, smtp: SmtpArgs, project: ProjectArgs) -> anyhow::Result<ExitCode> {
    let mut project = open(project.paths()).await?;
    project.smtp = smtp.settings()?;
    anyhow::ensure!(project.group().site(&code).is_some(), "no site `{code}` in the group (see sites/*.yaml)");
    let operator = zhanqun::store::audit::operator();
    let restored = zhanqun::audit::restore::restore(&project, &code, &operator, None).await?;
    let d = &restored.before;
    for (label, list) in [("改动", &d.altered), ("多出", &d.added), ("缺失", &d.removed)] {
        for path in list {
            println!("{label}\t/{path}");
        }
    }
    println!("{code}: {}", restored.summary());
    Ok(ExitCode::SUCCESS)
}
