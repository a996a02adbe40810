//! The central console: every site with its figures, the audit log (also for site
//! administrators, limited to their site) with CSV export, and the group's validation status.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use minijinja::context;

use std::collections::HashMap;

use super::csv::Csv;
use super::reports::Month;
use super::session::Session;
use super::stats::all_sites;
use super::{store_error, views};
use crate::stats::period;
use crate::stats::report::quiet_of;
use crate::store::console::{AuditFilter, AUDIT_PAGE};
use crate::web::AppState;

pub async fn sites(State(state): State<AppState>, headers: HeaderMap, Extension(s): Extension<Session>) -> Response {
    let store = &state.project.store;
    let yesterday = period::today().pred_opt().unwrap_or_else(period::today);
    let day = yesterday.format("%Y-%m-%d").to_string();
    let month = Month::containing(period::today());
    let (from, to) = month.unix_range();
    let (figures, traffic, submitted) = match tokio::try_join!(
        store.site_figures(s.scope),
        store.traffic_days(s.scope, &day, &day),
        store.submission_figures(s.scope, from, to),
    ) {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let quiet = quiet_of(&all_sites(&state), day, &traffic);
    let views: HashMap<i64, i64> = traffic.iter().map(|r| (r.site_id, r.views)).collect();
    let rows: Vec<_> = state
        .admin
        .site_order
        .iter()
        .filter_map(|id| state.admin.sites.get(id))
        .map(|info| {
            context! {
                site => info, f => figures.get(&info.id).cloned().unwrap_or_default(),
                views => views.get(&info.id).copied().unwrap_or(0),
                sub => submitted.get(&info.id).copied().unwrap_or_default(),
            }
        })
        .collect();
    let total = figures.values().fold((0, 0, 0), |t, f| (t.0 + f.published, t.1 + f.waiting, t.2 + f.editors));
    let (sent, taken) = submitted.values().fold((0, 0), |t, f| (t.0 + f.submitted, t.1 + f.accepted));
    views::page(
        &s,
        None,
        "sites.html",
        context! {
            rows => rows, quiet => quiet,
            total => context! {
                published => total.0, waiting => total.1, editors => total.2, views => quiet.group_views,
                submitted => sent, accepted => taken,
            },
            month => month.label(),
        },
    )
}

pub async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(f): Query<AuditFilter>,
) -> Response {
    let (rows, total) = match state.project.store.audit_query(s.scope, &f, Some(AUDIT_PAGE)).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let page = f.page.unwrap_or(1).max(1) as i64;
    let mut query = f.clone();
    query.page = None;
    let sites = state.admin.pickers(s.scope);
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "audit.html",
        context! {
            rows => rows, total => total, filter => &f, page => page,
            pages => ((total + AUDIT_PAGE - 1) / AUDIT_PAGE).max(1),
            base_query => serde_urlencoded::to_string(&query).unwrap_or_default(),
            sites => sites,
        },
    )
}

pub async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(f): Query<AuditFilter>,
) -> Response {
    let (rows, _) = match state.project.store.audit_query(s.scope, &f, None).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let mut csv = Csv::new(&["时间", "用户", "IP", "站点", "操作", "对象", "详情"]);
    for r in &rows {
        csv.row([
            views::datetime(Some(r.at)),
            r.actor.clone(),
            r.ip.clone(),
            r.site.clone(),
            r.action.clone(),
            r.target.clone(),
            r.detail.clone(),
        ]);
    }
    csv.attachment("audit")
}

/// `zhanqun check` on the files as they are now, so that an edit waiting to be deployed is
/// judged before it is.
pub async fn check(State(state): State<AppState>, Extension(s): Extension<Session>) -> Response {
    let paths = state.project.paths.clone();
    let result = tokio::task::spawn_blocking(move || crate::project::load_group(&paths)).await;
    let (ok, problems, summary) = match result {
        Ok(Ok((group, _))) => {
            (true, Vec::new(), format!("{}：{} 个网站，全部检查通过", group.def.name, group.sites.len()))
        }
        Ok(Err(crate::project::ProjectError::Group(p))) => {
            let list: Vec<String> = p.iter().map(|p| p.to_string()).collect();
            (false, list, format!("发现 {} 个问题", p.len()))
        }
        Ok(Err(e)) => (false, vec![e.to_string()], "主题加载失败".to_string()),
        Err(e) => (false, vec![e.to_string()], "校验未能完成".to_string()),
    };
    views::page(
        &s,
        None,
        "check.html",
        context! { ok => ok, problems => problems, summary => summary, sites_dir => state.project.paths.sites.display().to_string() },
    )
}
