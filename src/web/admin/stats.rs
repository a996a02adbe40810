//! Visit statistics in the admin (访问统计): a site's report for its administrators and the
//! central office, the group ranking for the central office, as pages with SVG charts, as
//! JSON (`/admin/api/stats…`, also reached from `/api/stats…` on any host) and as CSV.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use minijinja::context;
use serde::Deserialize;

use super::csv::Csv;
use super::error::{AdminError, SiteInPath};
use super::session::{json_only, refuse, Session};
use super::{see_other, store_error, views, SiteInfo};
use crate::stats::chart::{self, Line};
use crate::stats::{self, period, ColumnRef, Granularity, Period, PeriodError, PeriodQuery, SiteRef, SiteReport};
use crate::store::tenant::Tenant;
use crate::store::StoreError;
use crate::web::AppState;

fn site_ref(info: &SiteInfo) -> SiteRef {
    SiteRef { id: info.id, code: info.code.clone(), name: info.name.clone(), host: info.host.clone() }
}

fn columns(state: &AppState, code: &str) -> Vec<ColumnRef> {
    state
        .project
        .group()
        .site(code)
        .map(|s| s.def.columns.iter().map(|c| ColumnRef { slug: c.slug.clone(), name: c.name.clone() }).collect())
        .unwrap_or_default()
}

/// One site's report, with the site's columns from the group.
async fn report_of(
    state: &AppState,
    tenant: Tenant,
    info: &SiteInfo,
    period: &Period,
) -> Result<SiteReport, StoreError> {
    stats::site_report(&state.project.store, tenant, &site_ref(info), &columns(state, &info.code), period).await
}

/// Every site in group order.
pub fn all_sites(state: &AppState) -> Vec<SiteRef> {
    state.admin.site_order.iter().filter_map(|id| state.admin.sites.get(id)).map(site_ref).collect()
}

fn period_error_json(e: &PeriodError) -> Response {
    (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": e.to_string(), "param": e.param }))).into_response()
}

/// `GET /admin/api/stats/{code}`: one site's report as JSON.
pub async fn api_site(
    State(state): State<AppState>,
    SiteInPath { info, tenant }: SiteInPath,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AdminError> {
    let period = match Period::parse(&q, period::today()) {
        Ok(p) => p,
        Err(e) => return Ok(period_error_json(&e)),
    };
    Ok(Json(report_of(&state, tenant, &info, &period).await?).into_response())
}

/// `GET /admin/api/stats`: the group ranking as JSON (by day whatever the granularity).
pub async fn api_ranking(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let headers = json_only(headers);
    let period = match Period::parse(&q, period::today()) {
        Ok(p) => p,
        Err(e) => return period_error_json(&e),
    };
    match stats::ranking(&state.project.store, s.scope, &all_sites(&state), &period).await {
        Ok(r) => Json(r).into_response(),
        Err(e) => store_error(&headers, e),
    }
}

/// Percentage change from `before` to `now`, or None when there is nothing to compare with.
fn change(now: i64, before: i64) -> Option<i64> {
    (before > 0).then(|| ((now - before) as f64 * 100.0 / before as f64).round() as i64)
}

/// A page that shows a period error next to its form, with status 400.
fn bad_period(
    state: &AppState,
    s: &Session,
    site: Option<&SiteInfo>,
    template: &str,
    q: &PeriodQuery,
    e: &PeriodError,
) -> Response {
    let mut r = views::page(
        s,
        state.admin.site(s.user.site_id),
        template,
        context! { error => e.to_string(), q => q, failed => true, site => site },
    );
    *r.status_mut() = StatusCode::BAD_REQUEST;
    r
}

/// `GET /admin/stats`: the group's ranking for the central office; a site's administrator is
/// sent to their own site's report.
pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    if let Some(id) = s.scope.site_id() {
        return match state.admin.sites.get(&id) {
            Some(info) => see_other(&format!("/admin/stats/{}", info.code)),
            None => store_error(&headers, StoreError::NotFound),
        };
    }
    let q = PeriodQuery { granularity: String::new(), ..q };
    let period = match Period::parse(&q, period::today()) {
        Ok(p) => p,
        Err(e) => return bad_period(&state, &s, None, "stats_group.html", &q, &e),
    };
    let store = &state.project.store;
    let sites = all_sites(&state);
    let yesterday = period::today().pred_opt().unwrap_or_else(period::today);
    let (ranking, quiet) = match tokio::try_join!(
        stats::ranking(store, s.scope, &sites, &period),
        stats::quiet_sites(store, s.scope, &sites, yesterday)
    ) {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let labels: Vec<String> = ranking.series.iter().map(|p| p.t.clone()).collect();
    let trend = chart::line_chart(
        "站群每日浏览量与访客数",
        &labels,
        &[
            Line { name: "浏览量", class: "s1", values: ranking.series.iter().map(|p| p.views).collect() },
            Line {
                name: "访客数",
                class: "s2",
                values: ranking.series.iter().map(|p| p.visitors.unwrap_or(0)).collect(),
            },
        ],
    );
    let top: Vec<(String, i64)> = ranking.rows.iter().take(20).map(|r| (r.site.name.clone(), r.views)).collect();
    let rows: Vec<_> = ranking
        .rows
        .iter()
        .map(|r| {
            context! {
                rank => r.rank, site => &r.site, views => r.views, visitors => r.visitors,
                previous => r.previous_views, change => change(r.views, r.previous_views),
                spark => chart::sparkline(&r.daily),
            }
        })
        .collect();
    views::page(
        &s,
        None,
        "stats_group.html",
        context! {
            q => period.query(), ranking => &ranking, rows => rows, trend => trend,
            bars => chart::bars("浏览量排名前 20 的网站", &top, chart::FULL),
            change => change(ranking.totals.views, ranking.previous.views),
            quiet => &quiet, query => serde_urlencoded::to_string(period.query()).unwrap_or_default(),
        },
    )
}

/// `GET /admin/stats/{code}`: one site's report with its charts.
pub async fn site(
    State(state): State<AppState>,
    s: Session,
    SiteInPath { info, tenant }: SiteInPath,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AdminError> {
    let period = match Period::parse(&q, period::today()) {
        Ok(p) => p,
        Err(e) => return Ok(bad_period(&state, &s, Some(&info), "stats_site.html", &q, &e)),
    };
    let report = report_of(&state, tenant, &info, &period).await?;
    let labels: Vec<String> = report.series.iter().map(|p| p.t.clone()).collect();
    let mut lines =
        vec![Line { name: "浏览量", class: "s1", values: report.series.iter().map(|p| p.views).collect() }];
    if period.granularity == Granularity::Day {
        lines.push(Line {
            name: "访客数",
            class: "s2",
            values: report.series.iter().map(|p| p.visitors.unwrap_or(0)).collect(),
        });
    }
    let site_url =
        state.project.group().site(&info.code).map(|site| state.project.group().url(site, "/")).unwrap_or_default();
    let pages: Vec<_> = report
        .top_pages
        .iter()
        .map(|p| context! { path => &p.path, title => &p.title, views => p.views, url => format!("{}{}", site_url.trim_end_matches('/'), p.path) })
        .collect();
    let column_bars: Vec<(String, i64)> = report.columns.iter().map(|c| (c.name.clone(), c.views)).collect();
    Ok(views::page(
        &s,
        state.admin.site(s.user.site_id),
        "stats_site.html",
        context! {
            site => info, q => period.query(), report => &report, pages => pages,
            trend => chart::line_chart(&format!("{} 访问趋势", info.name), &labels, &lines),
            column_bars => chart::bars("各栏目浏览量", &column_bars, chart::HALF),
            change => change(report.totals.views, report.previous.views),
            query => serde_urlencoded::to_string(period.query()).unwrap_or_default(),
            hourly => period.granularity == Granularity::Hour,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    /// `series` (default), `pages`, `referrers` or `columns`.
    table: String,
}

/// `GET /admin/stats/{code}/export.csv`: one table of a site's report.
pub async fn site_csv(
    State(state): State<AppState>,
    SiteInPath { info, tenant }: SiteInPath,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AdminError> {
    let period = Period::parse(&q.period, period::today()).map_err(|e| AdminError::bad_request(e.to_string()))?;
    let table = if q.table.is_empty() { "series" } else { q.table.as_str() };
    if !["series", "pages", "referrers", "columns"].contains(&table) {
        return Err(AdminError::bad_request("参数 table：只能是 series、pages、referrers 或 columns"));
    }
    let r = report_of(&state, tenant, &info, &period).await?;
    let csv = match table {
        "pages" => {
            let mut c = Csv::new(&["页面", "标题", "浏览量"]);
            for p in &r.top_pages {
                c.row([p.path.clone(), p.title.clone(), p.views.to_string()]);
            }
            c
        }
        "referrers" => {
            let mut c = Csv::new(&["来源网站", "浏览量"]);
            for p in &r.top_referrers {
                let host = if p.host.is_empty() { "直接访问或站群内".to_string() } else { p.host.clone() };
                c.row([host, p.views.to_string()]);
            }
            c
        }
        "columns" => {
            let mut c = Csv::new(&["栏目", "栏目代码", "浏览量"]);
            for p in &r.columns {
                c.row([p.name.clone(), p.slug.clone(), p.views.to_string()]);
            }
            c
        }
        _ => {
            let time = if period.granularity == Granularity::Hour { "时段" } else { "日期" };
            let mut c = Csv::new(&[time, "浏览量", "访客数"]);
            for p in &r.series {
                c.row([p.t.clone(), p.views.to_string(), p.visitors.map(|v| v.to_string()).unwrap_or_default()]);
            }
            c
        }
    };
    Ok(csv.attachment(&format!("stats-{}-{table}-{}-{}", info.code, r.from, r.to)))
}

/// `GET /admin/stats/ranking.csv`: the group ranking.
pub async fn ranking_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let period = match Period::parse(&q, period::today()) {
        Ok(p) => p,
        Err(e) => return refuse(&headers, StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let r = match stats::ranking(&state.project.store, s.scope, &all_sites(&state), &period).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let mut c = Csv::new(&["排名", "网站", "网站代码", "域名", "浏览量", "访客数", "上期浏览量"]);
    for row in &r.rows {
        c.row([
            row.rank.to_string(),
            row.site.name.clone(),
            row.site.code.clone(),
            row.site.host.clone(),
            row.views.to_string(),
            row.visitors.to_string(),
            row.previous_views.to_string(),
        ]);
    }
    c.attachment(&format!("ranking-{}-{}", r.from, r.to))
}

#[cfg(test)]
mod tests {
    #[test]
    fn change_is_a_rounded_percentage() {
        assert_eq!(super::change(150, 100), Some(50));
        assert_eq!(super::change(0, 3), Some(-100));
        assert_eq!(super::change(5, 0), None);
    }
}
