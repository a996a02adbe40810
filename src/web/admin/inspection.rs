//! The central audit in the admin (监督检查): the latest stored run for the central office (all
//! sites, vetoes first, with score trends and findings by rule), each site's findings with their
//! evidence for its administrators, and a button that starts a run now.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use minijinja::context;
use serde::Deserialize;

use super::error::{AdminError, SiteInPath};
use super::session::Session;
use super::{see_other, store_error, views};
use crate::audit::rules;
use crate::stats::chart::{self, Line};
use crate::store::audit_runs::StoredFinding;
use crate::store::StoreError;
use crate::web::AppState;

/// Runs shown in the score trends.
const TREND_RUNS: i64 = 30;

#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Filter {
    /// `vetoed`, `passed` or empty for all.
    verdict: String,
    /// A rule id: only sites with a finding of it.
    rule: String,
    /// Set after "run now".
    started: Option<u8>,
}

/// Vetoes first, then deductions, then notices.
pub(super) fn severity_rank(s: &str) -> u8 {
    match s {
        "veto" => 0,
        "deduction" => 1,
        _ => 2,
    }
}

/// A rule's title; a stored finding may name a rule that no longer exists.
pub(super) fn rule_title(id: &str) -> &'static str {
    rules::RULES.iter().find(|r| r.id == id).map(|r| r.title).unwrap_or("（已停用的规则）")
}

/// A stored finding as the pages show it: labels, the rule's title and fix.
pub(super) fn finding_view(f: &StoredFinding) -> minijinja::Value {
    let rule = rules::RULES.iter().find(|r| r.id == f.rule);
    context! {
        rule => &f.rule, severity => &f.severity,
        label => match f.severity.as_str() { "veto" => "否决", "deduction" => "扣分", _ => "提示" },
        title => rule_title(&f.rule),
        fix => rule.map(|r| r.fix).unwrap_or(""),
        column => &f.column, url => &f.url, found => &f.found, threshold => &f.threshold,
    }
}

/// `GET /admin/inspection`: the group for the central office; a site's administrator is sent
/// to their own site.
pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(filter): Query<Filter>,
) -> Response {
    if let Some(id) = s.scope.site_id() {
        return match state.admin.sites.get(&id) {
            Some(info) => see_other(&format!("/admin/inspection/{}", info.code)),
            None => store_error(&headers, StoreError::NotFound),
        };
    }
    let store = &state.project.store;
    let latest = match store.latest_audit_run().await {
        Ok(l) => l,
        Err(e) => return store_error(&headers, e),
    };
    let Some((run, day)) = latest else {
        return views::page(&s, None, "inspection_group.html", context! { run => (), filter => &filter });
    };
    let loaded =
        tokio::try_join!(store.run_results(run), store.run_findings(s.scope, run), store.score_trends(TREND_RUNS));
    let (results, findings, trends) = match loaded {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let mut by_rule: HashMap<&str, i64> = HashMap::new();
    let mut rules_of_site: HashMap<i64, Vec<&str>> = HashMap::new();
    for f in &findings {
        *by_rule.entry(f.rule.as_str()).or_default() += 1;
        rules_of_site.entry(f.site_id).or_default().push(f.rule.as_str());
    }
    let order: HashMap<i64, usize> = state.admin.site_order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut results = results;
    results.sort_by_key(|r| (r.passed, -r.vetoes, r.score, order.get(&r.site_id).copied().unwrap_or(usize::MAX)));
    let rows: Vec<_> = results
        .iter()
        .filter(|r| match filter.verdict.as_str() {
            "vetoed" => !r.passed,
            "passed" => r.passed,
            _ => true,
        })
        .filter(|r| filter.rule.is_empty() || rules_of_site.get(&r.site_id).is_some_and(|l| l.contains(&filter.rule.as_str())))
        .filter_map(|r| {
            let info = state.admin.sites.get(&r.site_id)?;
            let trend: Vec<i64> = trends.get(&r.site_id).map(|t| t.iter().map(|p| p.1).collect()).unwrap_or_default();
            Some(context! { site => info, r => context! {
                passed => r.passed, score => r.score, vetoes => r.vetoes, deductions => r.deductions, notices => r.notices,
            }, spark => chart::sparkline(&trend) })
        })
        .collect();
    let mut kinds: Vec<(String, i64)> =
        rules::RULES.iter().filter_map(|r| by_rule.get(r.id).map(|n| (r.title.to_string(), *n))).collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    // The group's average score per run, for the trend line.
    let mut per_run: Vec<(String, i64, i64)> = Vec::new();
    for points in trends.values() {
        for (i, (d, score, _)) in points.iter().enumerate() {
            if per_run.len() <= i {
                per_run.push((d.clone(), 0, 0));
            }
            per_run[i].1 += score;
            per_run[i].2 += 1;
        }
    }
    let labels: Vec<String> = per_run.iter().map(|p| p.0.clone()).collect();
    let average: Vec<i64> = per_run.iter().map(|p| if p.2 > 0 { p.1 / p.2 } else { 0 }).collect();
    let passed_count = results.iter().filter(|r| r.passed).count();
    let rule_choices: Vec<_> = rules::RULES.iter().map(|r| context! { id => r.id, title => r.title }).collect();
    views::page(
        &s,
        None,
        "inspection_group.html",
        context! {
            run => run, day => day, rows => rows, filter => &filter, total => results.len(),
            passed => passed_count, vetoed => results.len() - passed_count,
            kinds => chart::bars("各类问题数量", &kinds, chart::FULL), has_kinds => !kinds.is_empty(),
            trend => chart::line_chart_to("平均得分", &labels, &[Line { name: "平均得分", class: "s1", values: average }], 100),
            rules => rule_choices,
        },
    )
}

/// `GET /admin/inspection/{code}`: one site's findings with the evidence and the fix.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SiteQuery {
    /// What a restore just did, in words.
    restored: String,
}

/// A site's probes of the last `WINDOW_DAYS` days, day by day, with the window's tally.
async fn availability_view(
    store: &crate::store::Store,
    tenant: crate::store::tenant::Tenant,
    site_id: i64,
) -> Result<minijinja::Value, StoreError> {
    use crate::audit::availability::{Day, Tally, WINDOW_DAYS};
    let now = crate::store::now_unix();
    let probes = store.probes_since(tenant, site_id, now - WINDOW_DAYS * 86_400).await?;
    let mut days: Vec<Day> = Vec::new();
    for (at, ok, detail) in &probes {
        let day = crate::interaction::deadline::beijing_day(*at).format("%Y-%m-%d").to_string();
        if days.last().is_none_or(|d| d.day != day) {
            days.push(Day { day, probes: 0, failures: 0, last_failure: None });
        }
        let d = days.last_mut().expect("pushed above");
        d.probes += 1;
        if !ok {
            d.failures += 1;
            d.last_failure = Some(detail.clone());
        }
    }
    let tally = Tally { probes: probes.len() as i64, failures: probes.iter().filter(|p| !p.1).count() as i64 };
    let share = if tally.probes > 0 {
        format!("{:.1}%", tally.failures as f64 * 100.0 / tally.probes as f64)
    } else {
        String::new()
    };
    Ok(context! { days => days, tally => tally, share => share, vetoed => tally.vetoes() })
}

pub async fn site(
    State(state): State<AppState>,
    s: Session,
    SiteInPath { info, tenant }: SiteInPath,
    Query(q): Query<SiteQuery>,
) -> Result<Response, AdminError> {
    let store = &state.project.store;
    let availability = availability_view(store, tenant, info.id).await?;
    let restored = (!q.restored.is_empty()).then_some(q.restored.chars().take(200).collect::<String>());
    let latest = store.latest_audit_run().await?;
    let mine = state.admin.site(s.user.site_id);
    let after_publish = store.publish_check(tenant, info.id).await?.map(|(at, findings)| {
        context! { at => at, findings => findings.iter().map(finding_view).collect::<Vec<_>>() }
    });
    let Some((run, day)) = latest else {
        return Ok(views::page(
            &s,
            mine,
            "inspection_site.html",
            context! { site => info, run => (), after_publish => after_publish, availability => availability, restored => restored },
        ));
    };
    let (results, mut findings, trends) =
        tokio::try_join!(store.run_results(run), store.run_findings(tenant, run), store.score_trends(TREND_RUNS))?;
    findings.sort_by_key(|f| severity_rank(&f.severity));
    let result = results.iter().find(|r| r.site_id == info.id).map(|r| {
        context! { passed => r.passed, score => r.score, vetoes => r.vetoes, deductions => r.deductions, notices => r.notices }
    });
    let points = trends.get(&info.id).cloned().unwrap_or_default();
    let labels: Vec<String> = points.iter().map(|p| p.0.clone()).collect();
    let scores = points.iter().map(|p| p.1).collect();
    let trend = chart::line_chart_to("得分趋势", &labels, &[Line { name: "得分", class: "s1", values: scores }], 100);
    Ok(views::page(
        &s,
        mine,
        "inspection_site.html",
        context! {
            site => info, run => run, day => day, result => result, trend => trend,
            findings => findings.iter().map(finding_view).collect::<Vec<_>>(), after_publish => after_publish,
            availability => availability, restored => restored,
        },
    ))
}

/// `POST /admin/inspection/{code}/restore`: the site published again from the database, its
/// altered, added and removed files replaced by what was approved (篡改 restored).
pub async fn restore(
    State(state): State<AppState>,
    s: Session,
    SiteInPath { info, .. }: SiteInPath,
) -> Result<Response, AdminError> {
    let restored = crate::audit::restore::restore(&state.project, &info.code, &s.user.username, Some(&s.ip))
        .await
        .map_err(|e| {
            tracing::error!(site = %info.code, error = %e, "restoring a site failed");
            AdminError::refused(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "恢复失败，网站仍是原样；请查看服务日志或运行 zhanqun audit --restore",
            )
        })?;
    let said = serde_urlencoded::to_string([("restored", restored.summary())]).unwrap_or_default();
    Ok(super::see_other(&format!("/admin/inspection/{}?{said}", info.code)))
}

/// `POST /admin/inspection/run`: audits the whole group now, in the background.
pub async fn run_now(State(state): State<AppState>, Extension(s): Extension<Session>) -> Response {
    let project = state.project.clone();
    let actor = s.user.username.clone();
    tokio::spawn(async move {
        let now = crate::content::now_local();
        let result = async {
            let report = crate::audit::run(&project, None, &now, crate::store::now_unix()).await?;
            crate::audit::save(&project, &report, "admin", crate::store::now_unix()).await.map_err(anyhow::Error::from)
        }
        .await;
        match result {
            Ok(saved) => {
                tracing::info!(run = saved.run, by = %actor, new_vetoes = saved.new_vetoes.len(), "audit run from the admin")
            }
            Err(e) => tracing::error!(error = %e, "audit run from the admin failed"),
        }
    });
    see_other("/admin/inspection?started=1")
}
