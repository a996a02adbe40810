//! The printable monthly reports of the central audit (月度通报): one for the group, with every
//! site ranked by its average score over the month's runs, and one per site. They are plain
//! pages made for paper (A4, no navigation, tables that do not split rows); the browser's print
//! dialog makes the PDF.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use chrono::{Datelike, NaiveDate};
use minijinja::context;
use serde::Deserialize;

use super::error::{AdminError, SiteInPath};
use super::inspection::{finding_view, rule_title, severity_rank};
use super::session::{refuse, Session};
use super::{store_error, views, SiteInfo};
use crate::stats::chart::{self, Line};
use crate::store::audit_runs::SiteResult;
use crate::store::submissions::SubmissionFigures;
use crate::web::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    /// `YYYY-MM`; the current month (Beijing time) when empty.
    pub month: String,
}

/// A month: its first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Month {
    pub fn parse(s: &str, today: NaiveDate) -> Result<Month, String> {
        if s.trim().is_empty() {
            return Ok(Month::containing(today));
        }
        let first = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
            .map_err(|_| format!("参数 month 的值“{s}”不是年月，请写成 2026-11 的形式"))?;
        let next = first.checked_add_months(chrono::Months::new(1)).ok_or("月份超出范围")?;
        Ok(Month { first, last: next.pred_opt().unwrap_or(first) })
    }

    /// The month `day` falls in.
    pub fn containing(day: NaiveDate) -> Month {
        let first = day.with_day(1).unwrap_or(day);
        let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
        Month { first, last: next.pred_opt().unwrap_or(first) }
    }

    pub fn previous(&self) -> Month {
        let first = self.first.checked_sub_months(chrono::Months::new(1)).unwrap_or(self.first);
        Month { first, last: self.first.pred_opt().unwrap_or(first) }
    }

    pub(crate) fn key(&self) -> String {
        self.first.format("%Y-%m").to_string()
    }

    pub(crate) fn label(&self) -> String {
        format!("{}年{}月", self.first.year(), self.first.month())
    }

    /// The month as Unix seconds `[start, end)` in Beijing time.
    pub fn unix_range(&self) -> (i64, i64) {
        (crate::clock::start_of_day(self.first), crate::clock::end_of_day(self.last))
    }

    fn day(d: NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }
}

/// One site's month: its runs' verdicts.
#[derive(Debug, Default)]
struct SiteMonth {
    runs: i64,
    score_sum: i64,
    vetoed_runs: i64,
    last: Option<SiteResult>,
}

impl SiteMonth {
    fn average(&self) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.score_sum as f64 / self.runs as f64
        }
    }
}

/// Per site, and the runs (id, day) in order, of the month's stored runs.
fn by_site(rows: &[(i64, String, SiteResult)]) -> (HashMap<i64, SiteMonth>, Vec<(i64, String)>) {
    let mut sites: HashMap<i64, SiteMonth> = HashMap::new();
    let mut runs: Vec<(i64, String)> = Vec::new();
    for (run, day, r) in rows {
        if runs.last().is_none_or(|(id, _)| id != run) {
            runs.push((*run, day.clone()));
        }
        let m = sites.entry(r.site_id).or_default();
        m.runs += 1;
        m.score_sum += r.score;
        m.vetoed_runs += i64::from(!r.passed);
        m.last = Some(r.clone());
    }
    (sites, runs)
}

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(&crate::content::now_local()[..10], "%Y-%m-%d").unwrap_or_default()
}

/// The month's ranking: sites with runs, by average score (then fewer vetoed runs, then group
/// order); each with its rank.
fn ranking<'a>(
    state: &'a AppState,
    sites: &HashMap<i64, SiteMonth>,
) -> Vec<(usize, &'a SiteInfo, f64, i64, i64, bool)> {
    let order: HashMap<i64, usize> = state.admin.site_order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut list: Vec<(&SiteInfo, &SiteMonth)> =
        sites.iter().filter_map(|(id, m)| Some((state.admin.sites.get(id)?, m))).collect();
    list.sort_by(|(a, ma), (b, mb)| {
        mb.average()
            .total_cmp(&ma.average())
            .then(ma.vetoed_runs.cmp(&mb.vetoed_runs))
            .then(order.get(&a.id).cmp(&order.get(&b.id)))
    });
    list.into_iter()
        .enumerate()
        .map(|(i, (info, m))| {
            let last = m.last.as_ref();
            (i + 1, info, m.average(), m.vetoed_runs, m.runs, last.is_some_and(|r| r.passed))
        })
        .collect()
}

/// `GET /admin/reports/inspection?month=YYYY-MM`: the group's monthly report (central office).
pub async fn group(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let month = match Month::parse(&q.month, today()) {
        Ok(m) => m,
        Err(msg) => return refuse(&headers, StatusCode::BAD_REQUEST, &msg),
    };
    let prev = month.previous();
    let store = &state.project.store;
    let days = [month.first, month.last, prev.first, prev.last].map(Month::day);
    let (from, to) = month.unix_range();
    let loaded = tokio::try_join!(
        store.results_between(&days[0], &days[1]),
        store.results_between(&days[2], &days[3]),
        store.submission_figures(s.scope, from, to),
    );
    let (rows, prev_rows, submitted) = match loaded {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let (sites, runs) = by_site(&rows);
    let (prev_sites, _) = by_site(&prev_rows);
    let ranked = ranking(&state, &sites);
    let prev_rank: HashMap<i64, usize> = ranking(&state, &prev_sites).into_iter().map(|r| (r.1.id, r.0)).collect();
    let last_run = runs.last().map(|r| r.0);
    let findings = match last_run {
        Some(run) => match store.run_findings(s.scope, run).await {
            Ok(f) => f,
            Err(e) => return store_error(&headers, e),
        },
        None => Vec::new(),
    };
    let mut by_rule: BTreeMap<&str, i64> = BTreeMap::new();
    for f in &findings {
        *by_rule.entry(f.rule.as_str()).or_default() += 1;
    }
    let mut kinds: Vec<(String, i64)> = by_rule.iter().map(|(id, n)| (rule_title(id).to_string(), *n)).collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    let vetoes: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == "veto")
        .filter_map(|f| {
            let site = state.admin.sites.get(&f.site_id)?;
            Some(context! { site => site, title => rule_title(&f.rule), found => &f.found, url => &f.url })
        })
        .collect();
    // The group's average score per run, for the month's trend.
    let mut per_run: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (run, _, r) in &rows {
        let e = per_run.entry(*run).or_default();
        e.0 += r.score;
        e.1 += 1;
    }
    let labels: Vec<String> = runs.iter().map(|r| r.1.clone()).collect();
    let average: Vec<i64> = per_run.values().map(|(sum, n)| sum / (*n).max(1)).collect();
    let trend =
        chart::line_chart_to("平均得分", &labels, &[Line { name: "平均得分", class: "s1", values: average }], 100);
    let mean = |m: &HashMap<i64, SiteMonth>| {
        let n = m.values().filter(|s| s.runs > 0).count();
        (n > 0).then(|| m.values().map(SiteMonth::average).sum::<f64>() / n as f64)
    };
    let table: Vec<_> = ranked
        .iter()
        .map(|(rank, info, avg, vetoed_runs, n, passed)| {
            context! {
                rank => rank, site => info, average => format!("{avg:.1}"), vetoed_runs => vetoed_runs, runs => n,
                passed => passed, last_score => sites.get(&info.id).and_then(|m| m.last.as_ref()).map(|r| r.score),
                prev_rank => prev_rank.get(&info.id),
                sub => submitted.get(&info.id).copied().unwrap_or_default(),
            }
        })
        .collect();
    let sub_total = submitted.values().fold(SubmissionFigures::default(), |t, f| SubmissionFigures {
        submitted: t.submitted + f.submitted,
        accepted: t.accepted + f.accepted,
        declined: t.declined + f.declined,
        ..t
    });
    let passed_last = ranked.iter().filter(|r| r.5).count();
    views::render(
        "report_group.html",
        context! {
            group => &state.project.group().def.name, month => month.label(), key => month.key(),
            prev_key => prev.key(), runs => runs.len(), first_day => runs.first().map(|r| &r.1),
            last_day => runs.last().map(|r| &r.1), sites => ranked.len(), passed => passed_last,
            vetoed => ranked.len() - passed_last, average => mean(&sites).map(|a| format!("{a:.1}")),
            prev_average => mean(&prev_sites).map(|a| format!("{a:.1}")), table => table, vetoes => vetoes,
            kinds => chart::bars("各类问题数量", &kinds, chart::FULL), has_kinds => !kinds.is_empty(),
            trend => trend, generated => crate::content::now_local(), me => &s.user.display_name,
            sub_total => sub_total, sub_rate => sub_total.rate(),
        },
    )
}

/// `GET /admin/reports/inspection/{code}?month=YYYY-MM`: one site's monthly report.
pub async fn site(
    State(state): State<AppState>,
    s: Session,
    SiteInPath { info, tenant }: SiteInPath,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AdminError> {
    let month = Month::parse(&q.month, today()).map_err(AdminError::bad_request)?;
    let store = &state.project.store;
    let rows = store.results_between(&Month::day(month.first), &Month::day(month.last)).await?;
    let (from, to) = month.unix_range();
    let sub = store.submission_figures(tenant, from, to).await?.get(&info.id).copied().unwrap_or_default();
    let (sites, runs) = by_site(&rows);
    let ranked = ranking(&state, &sites);
    let rank = ranked.iter().find(|r| r.1.id == info.id).map(|r| r.0);
    let mine: Vec<(&String, &SiteResult)> =
        rows.iter().filter(|r| r.2.site_id == info.id).map(|r| (&r.1, &r.2)).collect();
    let last_run = rows.iter().rev().find(|r| r.2.site_id == info.id).map(|r| r.0);
    let mut findings = match last_run {
        Some(run) => store.run_findings(tenant, run).await?,
        None => Vec::new(),
    };
    findings.sort_by_key(|f| severity_rank(&f.severity));
    let labels: Vec<String> = mine.iter().map(|r| r.0.clone()).collect();
    let scores: Vec<i64> = mine.iter().map(|r| r.1.score).collect();
    let trend = chart::line_chart_to("得分", &labels, &[Line { name: "得分", class: "s1", values: scores }], 100);
    let m = sites.get(&info.id);
    Ok(views::render(
        "report_site.html",
        context! {
            group => &state.project.group().def.name, site => info, month => month.label(), key => month.key(),
            prev_key => month.previous().key(), runs => mine.len(), group_runs => runs.len(), rank => rank,
            of => ranked.len(), average => m.map(|m| format!("{:.1}", m.average())),
            vetoed_runs => m.map(|m| m.vetoed_runs), last => m.and_then(|m| m.last.as_ref()).map(|r| context! {
                passed => r.passed, score => r.score, vetoes => r.vetoes, deductions => r.deductions, notices => r.notices,
            }),
            last_day => mine.last().map(|r| r.0),
            findings => findings.iter().map(finding_view).collect::<Vec<_>>(),
            trend => trend, generated => crate::content::now_local(), me => &s.user.display_name,
            sub => sub, sub_rate => sub.rate(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let m = Month::parse("", today).unwrap();
        assert_eq!((Month::day(m.first), Month::day(m.last)), ("2026-11-01".into(), "2026-11-30".into()));
        let feb = Month::parse("2028-02", today).unwrap();
        assert_eq!(Month::day(feb.last), "2028-02-29", "a leap year");
        assert_eq!(Month::day(Month::parse("2026-01", today).unwrap().previous().first), "2025-12-01");
        assert_eq!(feb.label(), "2028年2月");
        for bad in ["2026-13", "2026/11", "11", "2026-11-01x"] {
            assert!(Month::parse(bad, today).is_err(), "{bad}");
        }
    }
}
