//! The cheap check after each publish: the sites just published get their output scan (locked
//! parts, links, attachments, text, dates, cancelled mailboxes) at once, not at the next daily
//! run. The result is kept per site (`publish_checks`) for the site's inspection page, and a
//! veto the site did not have before is announced like a daily run's.

use std::collections::HashSet;

use super::notify;
use super::Severity;
use crate::project::Project;
use crate::store::audit_runs::StoredFinding;
use crate::store::tenant::{Job, Tenant};

/// Checks the published output of the sites `site_ids`; returns the new vetoes announced.
pub async fn check(project: &Project, site_ids: &[i64]) -> anyhow::Result<usize> {
    let rows = project.store.site_rows().await?;
    let codes: HashSet<String> =
        rows.iter().filter(|(_, r)| site_ids.contains(&r.id)).map(|(code, _)| code.clone()).collect();
    if codes.is_empty() {
        return Ok(0);
    }
    let now = crate::content::now_local();
    // External links are the daily run's: a publish must not wait on other sites.
    let scans = super::scan_output(project, Some(codes), &now[..10], false).await?;
    let at = crate::store::now_unix();
    let latest_run = project.store.latest_audit_run().await?;
    let mut new = Vec::new();
    for (code, scan) in scans {
        let Some(row) = rows.get(&code) else { continue };
        // Vetoes already known, from the last check after a publish or else the last run.
        let known: HashSet<(String, Option<String>)> =
            match project.store.publish_check(Tenant::system(Job::Publisher), row.id).await? {
                Some((_, findings)) => vetoes_of(&findings),
                None => match &latest_run {
                    Some((run, _)) => {
                        vetoes_of(&project.store.run_findings(Tenant::system_site(Job::Publisher, row.id), *run).await?)
                    }
                    None => HashSet::new(),
                },
            };
        let stored: Vec<StoredFinding> = scan.findings.iter().map(|f| super::stored(row.id, f)).collect();
        for f in scan.findings.iter().filter(|f| f.severity == Severity::Veto) {
            let key = (f.rule.to_string(), f.column.clone());
            if !known.contains(&key)
                && !new.iter().any(|(c, r, col): &notify::NewVeto| *c == code && *r == f.rule && *col == key.1)
            {
                new.push((code.clone(), f.rule, f.column.clone()));
            }
        }
        project.store.save_publish_check(Tenant::system(Job::Publisher), row.id, at, &stored).await?;
    }
    if !new.is_empty() {
        notify::new_vetoes(project, &new, "publish.veto", "发布后的自动检查").await?;
    }
    Ok(new.len())
}

fn vetoes_of(findings: &[StoredFinding]) -> HashSet<(String, Option<String>)> {
    findings.iter().filter(|f| f.severity == "veto").map(|f| (f.rule.clone(), f.column.clone())).collect()
}
