//! Oversight of citizen messages (督查督办): the dashboard of received, acknowledged, overdue and
//! answered messages by site and month, the messages overdue now, the extensions waiting for
//! the central office, and the printable monthly reports (月报) of the group and of a site.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use chrono::Months;
use minijinja::context;

use super::error::{AdminError, SiteInPath};
use super::reports::{Month, MonthQuery};
use super::session::{refuse, Session};
use super::{store_error, views, SiteInfo};
use crate::interaction::deadline::{beijing_day, end_of_day};
use crate::interaction::oversight::{figures, Figures, Oversight};
use crate::store::messages::{InboxFilter, Message};
use crate::store::now_unix;
use crate::store::tenant::Tenant;
use crate::web::AppState;

/// The month asked for, and the facts of the twelve months up to it.
async fn load(
    state: &AppState,
    scope: Tenant,
    month: &Month,
) -> Result<(Oversight, Oversight), crate::store::StoreError> {
    let start = |d: chrono::NaiveDate| end_of_day(d.pred_opt().unwrap_or(d));
    let store = &state.project.store;
    let this = store.message_facts(scope, start(month.first), end_of_day(month.last)).await?;
    let year_start = month.first.checked_sub_months(Months::new(11)).unwrap_or(month.first);
    let year = store.message_facts(scope, start(year_start), end_of_day(month.last)).await?;
    let now = now_unix();
    Ok((figures(&this, now), figures(&year, now)))
}

/// Sites with their figures, the worst first: most overdue, then lowest on-time rate.
fn ranked<'a>(state: &'a AppState, o: &'a Oversight) -> Vec<(&'a SiteInfo, &'a Figures)> {
    let mut rows: Vec<_> = o.by_site.iter().filter_map(|(id, f)| state.admin.sites.get(id).map(|s| (s, f))).collect();
    rows.sort_by(|a, b| {
        b.1.overdue
            .cmp(&a.1.overdue)
            .then(a.1.on_time_rate.unwrap_or(100.0).total_cmp(&b.1.on_time_rate.unwrap_or(100.0)))
            .then(a.0.code.cmp(&b.0.code))
    });
    rows
}

fn message_row(state: &AppState, m: &Message) -> minijinja::Value {
    context! {
        id => m.id, subject => &m.subject, category => m.category.label(), status => m.status().label(),
        received_at => m.received_at, due_date => &m.due_date, answered_at => m.answered_at,
        site => state.admin.sites.get(&m.site_id).map(|s| s.name.as_str()),
        extension_days => m.extension_days, extension_reason => &m.extension_reason,
        on_time => m.answered_at.map(|a| crate::interaction::deadline::on_time(a, m.due())),
    }
}

fn month_of(q: &MonthQuery) -> Result<Month, String> {
    Month::parse(&q.month, beijing_day(now_unix()))
}

/// `GET /admin/interaction`: the dashboard of the user's scope.
pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let month = match month_of(&q) {
        Ok(m) => m,
        Err(m) => return refuse(&headers, StatusCode::BAD_REQUEST, &m),
    };
    let (this, year) = match load(&state, s.scope, &month).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let store = &state.project.store;
    let today = beijing_day(now_unix());
    let overdue = match store.inbox(s.scope, InboxFilter::Overdue, today, 100).await {
        Ok(l) => l,
        Err(e) => return store_error(&headers, e),
    };
    let pending: Vec<Message> = match s.scope.site_id() {
        None => match store.inbox(s.scope, InboxFilter::Extension, today, 500).await {
            Ok(l) => l,
            Err(e) => return store_error(&headers, e),
        },
        Some(_) => Vec::new(),
    };
    let sites: Vec<_> = ranked(&state, &this).into_iter().map(|(s, f)| context! { site => s, f => f }).collect();
    let trend: Vec<_> = year.by_month.iter().map(|(m, f)| context! { month => m, f => f }).collect();
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "interaction.html",
        context! {
            month => month.key(), month_label => month.label(), prev => month.previous().key(),
            total => &this.total, sites => sites, trend => trend,
            overdue => overdue.iter().map(|m| message_row(&state, m)).collect::<Vec<_>>(),
            pending => pending.iter().map(|m| message_row(&state, m)).collect::<Vec<_>>(),
            report_site => s.scope.site_id().and_then(|id| state.admin.sites.get(&id)).map(|i| i.code.as_str()),
        },
    )
}

/// `GET /admin/reports/messages`: the group's monthly report (central office).
pub async fn group_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let month = match month_of(&q) {
        Ok(m) => m,
        Err(m) => return refuse(&headers, StatusCode::BAD_REQUEST, &m),
    };
    // The route is the central office's; its tenant is the whole group.
    let (this, year) = match load(&state, s.scope, &month).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let sites: Vec<_> = ranked(&state, &this).into_iter().map(|(s, f)| context! { site => s, f => f }).collect();
    let trend: Vec<_> = year.by_month.iter().map(|(m, f)| context! { month => m, f => f }).collect();
    views::render(
        "report_messages.html",
        context! {
            title => format!("{}政民互动办理情况月报（{}）", state.project.group().def.name, month.label()),
            month => month.key(), total => &this.total, sites => sites, trend => trend,
            generated => now_unix(), group => true,
        },
    )
}

/// `GET /admin/reports/messages/{code}`: one site's monthly report, with its messages.
pub async fn site_report(
    State(state): State<AppState>,
    SiteInPath { info: site, tenant }: SiteInPath,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AdminError> {
    let month = month_of(&q).map_err(AdminError::bad_request)?;
    let (this, year) = load(&state, tenant, &month).await?;
    let (from, to) = (end_of_day(month.first.pred_opt().unwrap_or(month.first)), end_of_day(month.last));
    let list = state.project.store.messages_between(tenant, from, to).await?;
    let trend: Vec<_> = year.by_month.iter().map(|(m, f)| context! { month => m, f => f }).collect();
    Ok(views::render(
        "report_messages.html",
        context! {
            title => format!("{}政民互动办理情况月报（{}）", site.name, month.label()),
            month => month.key(), total => &this.total, trend => trend, generated => now_unix(), group => false,
            messages => list.iter().map(|m| message_row(&state, m)).collect::<Vec<_>>(),
        },
    ))
}
