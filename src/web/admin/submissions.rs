//! 信息报送 in the admin: an editor offers a published article to a site that takes
//! submissions (from the article's page); the receiving site's reviewers accept it into one of
//! the declared columns or decline it with a reason; the sender follows the outcome on the
//! same page. The central office sees every site's submissions.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use minijinja::context;
use serde::Serialize;

use super::reports::Month;
use super::session::{refuse, Session};
use super::{see_other, store_error, views, SiteInfo};
use crate::stats::period;
use crate::store::mailboxes::Actor;
use crate::store::submissions::{Submission, SubmissionFigures, SubmissionState};
use crate::web::AppState;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    ok: String,
    /// `YYYY-MM` of the figures; the current month when empty.
    month: String,
}

/// One row of the month's figures: a site and what it sent and received.
#[derive(Serialize, Clone)]
struct FiguresRow<'a> {
    site: &'a SiteInfo,
    f: SubmissionFigures,
    rate: Option<i64>,
}

fn actor(s: &Session) -> Actor<'_> {
    Actor { name: &s.user.username, ip: Some(&s.ip), user_id: Some(s.user.id) }
}

fn flash_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "accepted" => "已采用，页面已发布到本站",
        "declined" => "已不予采用，报送单位会看到原因",
        _ => return None,
    })
}

/// A column a reviewer may place a submission in.
#[derive(Serialize)]
struct ColumnChoice {
    slug: String,
    name: String,
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(f): Query<ListQuery>,
) -> Response {
    let store = &state.project.store;
    let group = &state.project.group();
    let month = match Month::parse(&f.month, period::today()) {
        Ok(m) => m,
        Err(msg) => return refuse(&headers, StatusCode::BAD_REQUEST, &msg),
    };
    let (from, to) = month.unix_range();
    let figures = match store.submission_figures(s.scope, from, to).await {
        Ok(f) => f,
        Err(e) => return store_error(&headers, e),
    };
    // Most taken first, then most sent, then the group's order: the ranking the seeds keep.
    let mut table: Vec<FiguresRow> = state
        .admin
        .site_order
        .iter()
        .filter_map(|id| Some((state.admin.sites.get(id)?, figures.get(id)?)))
        .filter(|(_, f)| f.submitted > 0 || f.received > 0)
        .map(|(site, f)| FiguresRow { site, f: *f, rate: f.rate() })
        .collect();
    // The receiving sites are named apart: they send little and would sit at the bottom.
    let receivers: Vec<FiguresRow> = table.iter().filter(|r| r.f.received > 0).map(FiguresRow::clone).collect();
    table.retain(|r| r.f.submitted > 0);
    table.sort_by(|a, b| b.f.accepted.cmp(&a.f.accepted).then(b.f.submitted.cmp(&a.f.submitted)));
    let (received, sent) = match s.user.site_id {
        Some(site) => {
            match (store.submissions(s.scope, site, true).await, store.submissions(s.scope, site, false).await) {
                (Ok(r), Ok(t)) => (r, t),
                (Err(e), _) | (_, Err(e)) => return store_error(&headers, e),
            }
        }
        None => match store.all_submissions(s.scope).await {
            Ok(all) => (all, Vec::new()),
            Err(e) => return store_error(&headers, e),
        },
    };
    let site = state.admin.site(s.user.site_id);
    let target = site.and_then(|i| group.submission_target(&i.code));
    let columns: Vec<ColumnChoice> = match (target, site.and_then(|i| group.site(&i.code))) {
        (Some(t), Some(def)) => t
            .columns
            .iter()
            .filter_map(|slug| def.def.columns.iter().find(|c| &c.slug == slug))
            .map(|c| ColumnChoice { slug: c.slug.clone(), name: c.name.clone() })
            .collect(),
        _ => Vec::new(),
    };
    let waiting =
        |rows: &[Submission]| rows.iter().filter(|r| r.state == SubmissionState::Submitted || r.edit_waiting).count();
    views::page(
        &s,
        site,
        "submissions.html",
        context! {
            received => &received,
            sent => &sent,
            waiting => waiting(&received),
            receives => target.is_some() || s.user.site_id.is_none(),
            columns => columns,
            flash => flash_message(&f.ok),
            table => table, receivers => receivers, month => month.label(), key => month.key(), prev_key => month.previous().key(),
        },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct OfferForm {
    to: String,
    note: String,
}

pub async fn offer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<OfferForm>,
) -> Response {
    let to = if f.to.is_empty() { state.project.group().def.portal.clone() } else { f.to };
    let store = &state.project.store;
    match store.submit_to(s.scope, &state.project.group(), actor(&s), id, &to, &f.note).await {
        Ok(_) => see_other(&format!("/admin/articles/{id}?ok=offered")),
        Err(e) => store_error(&headers, e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AcceptForm {
    column: String,
}

pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<AcceptForm>,
) -> Response {
    match state.project.store.accept_submission(s.scope, &state.project.group(), actor(&s), id, &f.column).await {
        Ok(_) => {
            super::review::publish_now(&state).await;
            see_other("/admin/submissions?ok=accepted")
        }
        Err(e) => store_error(&headers, e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeclineForm {
    reason: String,
}

pub async fn decline(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<DeclineForm>,
) -> Response {
    match state.project.store.decline_submission(s.scope, actor(&s), id, &f.reason).await {
        Ok(()) => see_other("/admin/submissions?ok=declined"),
        Err(e) => store_error(&headers, e),
    }
}
