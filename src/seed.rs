//! First run: an empty database gets the demo articles for the shipped group, so that a
//! newcomer's `zhanqun serve` shows a living site group at once.

use std::path::Path;

use anyhow::Context;

use crate::content::import::import_dir;
use crate::demo::traffic::TrafficSite;
use crate::demo::{self, DemoSite};
use crate::group::model::SiteKind;
use crate::project::Project;
use crate::store::articles::ImportStats;

/// Whether the group has the columns the demo articles are written for.
pub fn group_fits_demo(project: &Project) -> bool {
    project.group.sites.iter().all(|s| {
        ["gk", "gzdt", "tzgg", "zcfg", "zcjd", "bszn"].iter().all(|c| s.def.columns.iter().any(|x| x.slug == *c))
    })
}

/// Writes `per_site` demo articles per site under `work` and imports them.
pub async fn seed_demo_content(
    project: &Project,
    work: &Path,
    per_site: usize,
    actor: &str,
) -> anyhow::Result<ImportStats> {
    let sites: Vec<DemoSite> = project
        .group
        .sites
        .iter()
        .map(|s| DemoSite {
            code: s.code().to_string(),
            name: s.def.name.clone(),
            short: short_name(&s.def.name, &project.group.def.city),
            kind: s.def.kind,
        })
        .collect();
    if work.exists() {
        std::fs::remove_dir_all(work)?;
    }
    demo::write_content(work, &sites, per_site, chrono::Utc::now().date_naive())?;
    let mut total = ImportStats::default();
    for site in &project.group.sites {
        let report = import_dir(&project.store, site, &work.join(site.code()), actor).await?;
        if let Some(p) = report.problems.first() {
            anyhow::bail!("demo content did not import cleanly: {p}");
        }
        total += report.stats;
    }
    Ok(total)
}

/// Writes 30 days of demo visit statistics up to yesterday (see `demo::traffic`); the last
/// two town sites get none yesterday. Returns the views written.
pub async fn seed_demo_traffic(project: &Project) -> anyhow::Result<u64> {
    let rows = project.store.site_rows().await?;
    let sites: Vec<TrafficSite> = project
        .group
        .sites
        .iter()
        .filter_map(|s| {
            Some(TrafficSite {
                id: rows.get(s.code())?.id,
                kind: s.def.kind,
                name: &s.def.name,
                columns: s.def.columns.iter().map(|c| (c.slug.as_str(), c.name.as_str())).collect(),
            })
        })
        .collect();
    let quiet: Vec<i64> = sites.iter().rev().filter(|s| s.kind == SiteKind::Town).take(2).map(|s| s.id).collect();
    let yesterday = crate::stats::period::today().pred_opt().context("no day before today")?;
    let traffic = demo::traffic::demo_traffic(&sites, yesterday, 30, &quiet);
    project.store.write_traffic(&traffic).await?;
    Ok(traffic.days.iter().map(|d| d.2).sum())
}

fn short_name(name: &str, city: &str) -> String {
    let s = name.strip_prefix(city).unwrap_or(name);
    let s = s.strip_suffix("人民政府").or_else(|| s.strip_suffix("办事处")).unwrap_or(s);
    if s.is_empty() {
        "市政府".to_string() // the city government itself, i.e. the portal
    } else {
        s.to_string()
    }
}

/// The department whose demo accounts ship with the demo group.
pub const DEMO_ACCOUNT_SITE: &str = "fgw";
/// The demo accounts' password (documented in README; demo only).
pub const DEMO_PASSWORD: &str = "Zhanqun@2026";

/// One demo account: user name, display name, role, site code.
pub const DEMO_ACCOUNTS: &[(&str, &str, crate::auth::Role, Option<&str>)] = &[
    ("admin", "信息化办管理员", crate::auth::Role::Central, None),
    ("editor", "发改委信息员", crate::auth::Role::Editor, Some(DEMO_ACCOUNT_SITE)),
    ("reviewer", "发改委审核员", crate::auth::Role::Reviewer, Some(DEMO_ACCOUNT_SITE)),
];

/// Creates the demo accounts when the database has no users and the group has the demo site.
/// They skip the forced password change, which real accounts never do. Returns the accounts
/// created, for printing.
pub async fn seed_demo_accounts(project: &Project) -> anyhow::Result<Vec<String>> {
    if project.store.user_count().await? > 0 || project.group.site(DEMO_ACCOUNT_SITE).is_none() {
        return Ok(Vec::new());
    }
    let rows = project.store.site_rows().await?;
    let mut lines = Vec::new();
    for (username, name, role, site) in DEMO_ACCOUNTS {
        let site_id = site.and_then(|code| rows.get(code).map(|r| r.id));
        let user = crate::store::users::NewUser {
            username,
            display_name: name,
            role: *role,
            site_id,
            password: DEMO_PASSWORD,
            must_change_password: false,
        };
        project.store.create_user(&user, "operator:demo-seed", None).await?;
        let site_name = site.and_then(|c| project.group.site(c)).map(|s| s.def.name.as_str()).unwrap_or("全站群");
        lines.push(format!("  {:<9} {:<10} {}（{}）", username, DEMO_PASSWORD, role.label(), site_name));
    }
    Ok(lines)
}
