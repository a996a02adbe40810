//! The central audit (监督管理): every site checked against the eight unifications and the
//! national inspection rules, each finding with its evidence and fix, a pass only without a
//! veto, and a score out of 100 by deductions.
//!
//! - `rules`: the rule table (ids, severities, thresholds, weights).
//! - `finding`: what a broken rule records.
//! - `freshness`, `operations`, `interaction`: the checks, as functions of facts (the
//!   interaction facts are the site's unanswered consultations and its published form).
//! - `published`: the checks of the published output (locked parts, links, attachments) and,
//!   through `content`, of its text (private mail, forbidden words, leaders' names).
//!   It also reads page dates and cancelled official mailboxes; `external` checks the links
//!   that leave the group, politely and only when asked.
//! - `output`: text, JSON and CSV.
//! - `schedule`: the daily run of `zhanqun serve`; `save` keeps every run.
//! - `after_publish`: the output checks of the sites a publish just changed.
//! - `notify`: notices (通报) of new vetoes, in the admin and by mail.
//! - `availability`: the probes of every home page through nginx, and the 站点无法访问 veto.
//! - `tamper`: the cheap look of `serve` for files changed since they were published; the
//!   byte-for-byte comparison is part of `published`, and `restore` publishes a site again.

pub mod after_publish;
pub mod availability;
pub mod content;
pub mod external;
pub mod finding;
pub mod freshness;
pub mod interaction;
pub mod notify;
pub mod operations;
pub mod output;
pub mod public_net;
pub mod published;
pub mod restore;
/// The rule table, kept with the group that configures it.
pub use crate::group::inspection as rules;
pub mod schedule;
pub mod tamper;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::group::{Group, Site};
use crate::project::Project;
use crate::store::audit_runs::{Confirmed, SiteResult, StoredFinding};
use crate::store::tenant::{Job, Tenant};
use crate::store::StoreError;
use crate::theme::Themes;
pub use finding::{Finding, Severity};
use freshness::ColumnFacts;

#[derive(Debug, Clone, Serialize)]
pub struct SiteAudit {
    pub code: String,
    pub name: String,
    pub host: String,
    /// No veto.
    pub passed: bool,
    /// 100 minus the deductions' weights, at least 0.
    pub score: u32,
    /// Vetoes first, then deductions, then notices.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// The day the audit judged (Beijing time).
    pub day: String,
    /// Passing sites first, then by score, then in group order.
    pub sites: Vec<SiteAudit>,
}

impl AuditReport {
    pub fn vetoes(&self) -> usize {
        self.sites.iter().flat_map(|s| &s.findings).filter(|f| f.severity == Severity::Veto).count()
    }
}

/// 100 minus each rule's weight per finding (the group's `audit.weights` replacing the
/// defaults); a rule counts at most as many findings as its default cap allows.
pub fn score(findings: &[Finding], weights: &BTreeMap<String, u32>) -> u32 {
    let mut per_rule: HashMap<&str, u32> = HashMap::new();
    for f in findings {
        *per_rule.entry(f.rule).or_default() += 1;
    }
    let off: u32 = per_rule
        .iter()
        .map(|(id, n)| {
            let r = rules::rule(id);
            let counted = (*n).min(r.cap.checked_div(r.weight).unwrap_or(0));
            counted * weights.get(*id).copied().unwrap_or(r.weight)
        })
        .sum();
    100u32.saturating_sub(off)
}

/// Audits the group's sites (or the one with code `only`) as of `now` (`YYYY-MM-DD HH:MM:SS`,
/// Beijing time) and `now_unix`; links outside the group are checked when the group's
/// `audit.external_links.enabled` says so.
pub async fn run(project: &Project, only: Option<&str>, now: &str, now_unix: i64) -> anyhow::Result<AuditReport> {
    let external = project.group().def.audit.external_links.enabled;
    run_with(project, only, external, now, now_unix).await
}

/// `run`, with the external link check on or off whatever the group says.
pub async fn run_with(
    project: &Project,
    only: Option<&str>,
    external: bool,
    now: &str,
    now_unix: i64,
) -> anyhow::Result<AuditReport> {
    let today = NaiveDate::parse_from_str(now.get(..10).unwrap_or_default(), "%Y-%m-%d")
        .map_err(|_| anyhow::anyhow!("audit time `{now}` is not YYYY-MM-DD HH:MM:SS"))?;
    let codes: Option<HashSet<String>> = only.map(|c| HashSet::from([c.to_string()]));
    let mut output = scan_output(project, codes, &now[..10], external).await?;
    if external {
        external_findings(&mut output, &project.group().def.audit.external_links).await?;
    }
    let yesterday = today.pred_opt().unwrap_or(today);
    let day = yesterday.format("%Y-%m-%d").to_string();
    let store = &project.store;
    let ids = store.site_rows().await?;
    let traffic: HashMap<i64, i64> = store
        .traffic_days(Tenant::system(Job::Audit), &day, &day)
        .await?
        .into_iter()
        .map(|r| (r.site_id, r.views))
        .collect();
    let group_views: i64 = traffic.values().sum();
    let year_ago = today.checked_sub_months(chrono::Months::new(12)).unwrap_or(today);
    let mut unanswered: HashMap<i64, Vec<(String, NaiveDate)>> = HashMap::new();
    for (site_id, subject, received) in store
        .unanswered_consultations(
            Tenant::system(Job::Audit),
            crate::interaction::deadline::end_of_day(year_ago.pred_opt().unwrap_or(year_ago)),
        )
        .await?
    {
        unanswered.entry(site_id).or_default().push((subject, crate::interaction::deadline::beijing_day(received)));
    }
    let mut sites = Vec::new();
    for (order, site) in project.group().sites.iter().enumerate() {
        if only.is_some_and(|c| c != site.code()) {
            continue;
        }
        let Some(row) = ids.get(site.code()) else { continue };
        let mut findings = site_findings(project, site, row.id, now, today).await?;
        findings.extend(output.remove(site.code()).map(|o| o.findings).unwrap_or_default());
        let waiting: Vec<operations::Waiting> = store
            .waiting_reviews(Tenant::system(Job::Audit), row.id)
            .await?
            .into_iter()
            .map(|(title, at)| operations::Waiting { title, waited_seconds: now_unix - at })
            .collect();
        findings.extend(operations::review_waits(site.code(), &waiting));
        let views = traffic.get(&row.id).copied().unwrap_or(0);
        findings.extend(operations::zero_traffic(site.code(), yesterday, views, group_views));
        findings.extend(operations::psb_filing(site.code(), &site.def.opened, site.def.psb_filed.as_deref(), today));
        let (probes, failures) = store
            .probe_tally(Tenant::system(Job::Audit), row.id, now_unix - availability::WINDOW_DAYS * 86_400, now_unix)
            .await?;
        let tally = availability::Tally { probes, failures };
        findings.extend(availability::check(site.code(), tally, project.group().url(site, "/")));
        let facts = interaction::InteractionFacts {
            has_channel: interaction::has_channel(&project.paths.out.join(&site.host)),
            unanswered: unanswered.remove(&row.id).unwrap_or_default(),
        };
        findings.extend(interaction::check(site.code(), &facts, today));
        findings.sort_by_key(|f| f.severity);
        sites.push((
            order,
            SiteAudit {
                code: site.code().to_string(),
                name: site.def.name.clone(),
                host: site.host.clone(),
                passed: !findings.iter().any(|f| f.severity == Severity::Veto),
                score: score(&findings, &project.group().def.audit.weights),
                findings,
            },
        ));
    }
    sites.sort_by(|(oa, a), (ob, b)| b.passed.cmp(&a.passed).then(b.score.cmp(&a.score)).then(oa.cmp(ob)));
    Ok(AuditReport { day: today.format("%Y-%m-%d").to_string(), sites: sites.into_iter().map(|(_, s)| s).collect() })
}

/// What the scan of one site's published output found.
#[derive(Debug, Default)]
pub struct OutputScan {
    pub findings: Vec<Finding>,
    /// (page URL, link) of the links that leave the group, when they were asked for.
    pub external: Vec<(String, String)>,
}

/// What the output scan needs from the database and the clock.
struct OutputFacts {
    today: String,
    cancelled: HashSet<String>,
    /// Findings reviewers confirmed before publishing, by site code and article id.
    confirmed: HashMap<String, HashMap<i64, Vec<Confirmed>>>,
    external: bool,
}

/// The published-output findings of every site (or of `codes`), sites scanned in parallel off
/// the async runtime.
pub async fn scan_output(
    project: &Project,
    codes: Option<HashSet<String>>,
    today: &str,
    external: bool,
) -> anyhow::Result<HashMap<String, OutputScan>> {
    let cancelled = project.store.cancelled_mailboxes(Tenant::system(Job::Audit)).await?.into_keys().collect();
    let mut by_id = project.store.confirmed_findings(Tenant::system(Job::Audit)).await?;
    let confirmed = project
        .store
        .site_rows()
        .await?
        .into_iter()
        .filter_map(|(code, row)| Some((code, by_id.remove(&row.id)?)))
        .collect();
    let facts = OutputFacts { today: today.to_string(), cancelled, confirmed, external };
    let (group, themes, out) = (project.group().clone(), project.themes.clone(), project.paths.out.clone());
    tokio::task::spawn_blocking(move || output_findings(&group, &themes, &out, codes.as_ref(), &facts)).await?
}

/// Checks the links that leave the group (politely, see `external`) and adds a finding for
/// each broken one to the site that links to it.
async fn external_findings(
    output: &mut HashMap<String, OutputScan>,
    settings: &crate::group::model::ExternalLinks,
) -> anyhow::Result<()> {
    let urls: Vec<String> = output.values().flat_map(|o| o.external.iter().map(|(_, l)| l.clone())).collect();
    let (broken, skipped) = external::check(&urls, settings).await?;
    if skipped > 0 {
        tracing::info!(skipped, max = settings.max_links, "external links beyond the limit were not checked this run");
    }
    for (code, o) in output.iter_mut() {
        let found: Vec<Finding> = o
            .external
            .iter()
            .filter_map(|(page, link)| {
                let why = broken.get(link)?;
                Some(
                    Finding::new(
                        "links.external_broken",
                        code,
                        format!("外部链接 {link} {}", why.describe()),
                        "不得有",
                    )
                    .url(page.clone()),
                )
            })
            .collect();
        o.findings.extend(found.into_iter().take(published::SHOWN_PER_RULE));
    }
    Ok(())
}

/// The paths the zhanqun service or nginx answer (search, counter, API, admin, the reading
/// modes' switch and stylesheet): links to them are not links to files.
pub fn service_paths(group: &Group) -> Vec<String> {
    use crate::theme::modes;
    vec![
        group.def.search.path.clone(),
        group.def.counter.path.clone(),
        "/api/".to_string(),
        "/admin/".to_string(),
        modes::CARE_ON.to_string(),
        modes::CARE_OFF.to_string(),
        modes::MODE_CSS.to_string(),
    ]
}

fn output_findings(
    group: &Group,
    themes: &Themes,
    out: &Path,
    codes: Option<&HashSet<String>>,
    facts: &OutputFacts,
) -> anyhow::Result<HashMap<String, OutputScan>> {
    let hosts: HashMap<String, PathBuf> = group.sites.iter().map(|s| (s.host.clone(), out.join(&s.host))).collect();
    let dynamic = service_paths(group);
    let no_confirmed = HashMap::new();
    group
        .sites
        .par_iter()
        .filter(|s| codes.is_none_or(|c| c.contains(s.code())))
        .map(|site| {
            let locked = themes.locked.render(group, site)?;
            let cx = published::ScanContext {
                code: site.code(),
                host: &site.host,
                root: out.join(&site.host),
                scheme: &group.def.scheme,
                hosts: &hosts,
                dynamic: &dynamic,
                locked: &locked,
                settings: &group.def.audit,
                today: &facts.today,
                mail_domain: &group.def.mail_domain,
                cancelled: &facts.cancelled,
                confirmed: facts.confirmed.get(site.code()).unwrap_or(&no_confirmed),
                external: facts.external,
            };
            let url = |page: &str| group.url(site, page.strip_suffix("index.html").unwrap_or(page));
            let scanned = if cx.root.join("index.html").is_file() {
                let scan = published::scan(&cx).with_context(|| format!("cannot read {}", cx.root.display()))?;
                let findings = published::findings(&cx, &scan, url);
                OutputScan { findings, external: scan.external.iter().map(|(p, l)| (url(p), l.clone())).collect() }
            } else {
                OutputScan {
                    findings: vec![Finding::new(
                        "output.missing",
                        site.code(),
                        format!("{} 下没有网站首页", cx.root.display()),
                        "须由本系统发布",
                    )
                    .url(url("/"))],
                    external: Vec::new(),
                }
            };
            Ok((site.code().to_string(), scanned))
        })
        .collect()
}

/// A stored run and what it newly vetoes.
#[derive(Debug, Clone)]
pub struct Saved {
    pub run: i64,
    /// (site code, rule, column) of the vetoes the previous run did not have: what the notices
    /// to site administrators announce.
    pub new_vetoes: Vec<(String, &'static str, Option<String>)>,
}

/// Stores `report` as a run started by `source` (`cli`, `schedule`, …) and sends each site
/// with new vetoes a notice.
pub async fn save(project: &Project, report: &AuditReport, source: &str, at: i64) -> Result<Saved, StoreError> {
    let store = &project.store;
    let ids: HashMap<String, i64> = store.site_rows().await?.into_iter().map(|(code, row)| (code, row.id)).collect();
    let previous: HashSet<(i64, String, Option<String>)> = match store.latest_audit_run().await? {
        Some((run, _)) => store.run_vetoes(run).await?.into_iter().collect(),
        None => HashSet::new(),
    };
    let mut results = Vec::new();
    let mut findings = Vec::new();
    let mut new_vetoes = Vec::new();
    for s in &report.sites {
        let Some(&site_id) = ids.get(&s.code) else { continue };
        let count = |sev: Severity| s.findings.iter().filter(|f| f.severity == sev).count() as i64;
        results.push(SiteResult {
            site_id,
            passed: s.passed,
            score: i64::from(s.score),
            vetoes: count(Severity::Veto),
            deductions: count(Severity::Deduction),
            notices: count(Severity::Notice),
        });
        for f in &s.findings {
            if f.severity == Severity::Veto && !previous.contains(&(site_id, f.rule.to_string(), f.column.clone())) {
                new_vetoes.push((s.code.clone(), f.rule, f.column.clone()));
            }
            findings.push(stored(site_id, f));
        }
    }
    let run = store.save_audit_run(&report.day, at, source, &results, &findings).await?;
    notify::new_vetoes(project, &new_vetoes, "audit.veto", &format!("{} 的站群检查", report.day)).await?;
    Ok(Saved { run, new_vetoes })
}

/// A finding as the store keeps it.
pub fn stored(site_id: i64, f: &Finding) -> StoredFinding {
    StoredFinding {
        site_id,
        rule: f.rule.to_string(),
        severity: f.severity.as_str().to_string(),
        column: f.column.clone(),
        url: f.url.clone(),
        found: f.found.clone(),
        threshold: f.threshold.clone(),
    }
}

/// Freshness of one site: each column with its sub-columns' articles counted in.
async fn site_findings(
    project: &Project,
    site: &Site,
    site_id: i64,
    now: &str,
    today: NaiveDate,
) -> Result<Vec<Finding>, StoreError> {
    let activity = project.store.column_activity(Tenant::system(Job::Audit), site_id, now).await?;
    let own: HashMap<&str, (i64, Option<NaiveDate>)> = activity
        .iter()
        .map(|a| {
            let newest = a.newest.as_deref().and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok());
            (a.slug.as_str(), (a.live, newest))
        })
        .collect();
    let columns = &site.def.columns;
    let mut facts: Vec<ColumnFacts> = columns
        .iter()
        .map(|c| ColumnFacts { slug: c.slug.clone(), name: c.name.clone(), kind: c.kind, live: 0, newest: None })
        .collect();
    for (i, c) in columns.iter().enumerate() {
        let (live, newest) = own.get(c.slug.as_str()).copied().unwrap_or((0, None));
        // A channel shows its sub-columns' articles, so they keep it fresh and not empty.
        let mut cur = Some(i);
        let mut depth = 0;
        while let Some(ci) = cur {
            facts[ci].live += live;
            facts[ci].newest = facts[ci].newest.max(newest);
            cur = columns[ci].parent.as_deref().and_then(|p| columns.iter().position(|x| x.slug == p));
            depth += 1;
            if depth > columns.len() {
                break;
            }
        }
    }
    let home = facts.iter().filter_map(|f| f.newest).max();
    // An archived 专题 (or one past its last day) stays online as a record, out of the rules
    // for columns that should keep being updated.
    let day = today.format("%Y-%m-%d").to_string();
    let facts: Vec<ColumnFacts> =
        facts.into_iter().zip(columns).filter(|(_, c)| !c.is_over(&day)).map(|(f, _)| f).collect();
    let group = &project.group();
    Ok(freshness::check(site.code(), home, &facts, today, |slug| {
        let path = if slug.is_empty() { "/".to_string() } else { format!("/{slug}/") };
        group.url(site, &path)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_deduct_by_weight_up_to_the_cap() {
        let f = |rule| Finding::new(rule, "s", "", "");
        let none = BTreeMap::new();
        assert_eq!(score(&[], &none), 100);
        assert_eq!(score(&[f("fresh.home"), f("ops.review_waiting")], &none), 100, "vetoes and notices weigh nothing");
        assert_eq!(score(&[f("fresh.column"), f("links.broken")], &none), 97);
        let many: Vec<Finding> = (0..40).map(|_| f("fresh.column")).collect();
        assert_eq!(score(&many, &none), 80, "at most 20 points for one rule");
        let heavier = BTreeMap::from([("fresh.column".to_string(), 3)]);
        assert_eq!(score(&[f("fresh.column")], &heavier), 97, "the group's weight");
        assert_eq!(score(&many, &heavier), 70, "the cap counts findings: 10 of them");
    }
}
