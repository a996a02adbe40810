//! The central console: every site with its figures, the audit log (also for site
//! administrators, limited to their site) with CSV export, and the group's validation status.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use minijinja::context;

use super::session::Session;
use super::{store_error, views};
use crate::store::console::{AuditFilter, AUDIT_PAGE};
use crate::web::AppState;

pub async fn sites(State(state): State<AppState>, headers: HeaderMap, Extension(s): Extension<Session>) -> Response {
    let figures = match state.project.store.site_figures(s.scope).await {
        Ok(f) => f,
        Err(e) => return store_error(&headers, e),
    };
    let rows: Vec<_> = state
        .admin
        .site_order
        .iter()
        .filter_map(|id| state.admin.sites.get(id))
        .map(|info| context! { site => info, f => figures.get(&info.id).cloned().unwrap_or_default() })
        .collect();
    let total = figures.values().fold((0, 0, 0), |t, f| (t.0 + f.published, t.1 + f.waiting, t.2 + f.editors));
    views::page(
        &s,
        None,
        "sites.html",
        context! { rows => rows, total => context! { published => total.0, waiting => total.1, editors => total.2 } },
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

/// A CSV field: quoted, with formula-looking text defused so that a spreadsheet opening the
/// export never runs what a user typed.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
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
    // A byte-order mark so that Excel reads the Chinese as UTF-8.
    let mut out = String::from("\u{feff}时间,用户,IP,站点,操作,对象,详情\r\n");
    for r in &rows {
        let line = [
            views::datetime(Some(r.at)),
            r.actor.clone(),
            r.ip.clone(),
            r.site.clone(),
            r.action.clone(),
            r.target.clone(),
            r.detail.clone(),
        ]
        .iter()
        .map(|v| csv_field(v))
        .collect::<Vec<_>>()
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    let name = format!("audit-{}.csv", chrono::Utc::now().format("%Y%m%d%H%M"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        out,
    )
        .into_response()
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

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(super::csv_field("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
