//! The daily audit of `zhanqun serve`: once a day, from 06:00 Beijing time (or at the first
//! start after it), the whole group is audited and the run stored. Checked every ten minutes,
//! so a service started late or restarted runs it once, not twice.

use crate::project::Project;

/// The hour (Beijing time) from which the day's audit runs.
pub const HOUR: u32 = 6;

/// Runs and stores the day's audit unless it ran today or it is before `HOUR`.
pub async fn run_if_due(project: &Project) -> anyhow::Result<Option<super::Saved>> {
    let now = crate::content::now_local();
    let (today, hour) = (&now[..10], now[11..13].parse::<u32>().unwrap_or(0));
    if hour < HOUR || project.store.latest_audit_run().await?.is_some_and(|(_, day)| day == today) {
        return Ok(None);
    }
    let report = super::run(project, None, &now, crate::store::now_unix()).await?;
    let saved = super::save(project, &report, "schedule", crate::store::now_unix()).await?;
    let passed = report.sites.iter().filter(|s| s.passed).count();
    tracing::info!(run = saved.run, sites = report.sites.len(), passed, vetoes = report.vetoes(), "daily audit stored");
    for (site, rule, column) in &saved.new_vetoes {
        tracing::warn!(site, rule, column = column.as_deref().unwrap_or(""), "new veto in the daily audit");
    }
    Ok(Some(saved))
}
