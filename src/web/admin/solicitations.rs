//! Opinion solicitations (意见征集) in the admin: the editor writes the draft with its dates and
//! submits it, a reviewer puts it online; the comments come in with the writers' details (seen
//! only here); after closing the editor writes the feedback summary, which a reviewer publishes.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Form};
use chrono::NaiveDate;
use minijinja::context;
use serde::Deserialize;

use super::session::Session;
use super::{see_other, store_error, views, DecisionForm};
use crate::auth::Action;
use crate::interaction::deadline::beijing_day;
use crate::interaction::submission::{line, lines};
use crate::store::hands::{Part, Subject};
use crate::store::solicitations::SolicitationFields;
use crate::store::{now_unix, StoreError};
use crate::web::AppState;

const TITLE_MAX: usize = 80;
const BODY_MAX: usize = 50_000;
/// Longest a solicitation may stay open, in days.
const LONGEST_DAYS: i64 = 90;

#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct DraftForm {
    title: String,
    body: String,
    opens: String,
    closes: String,
    submit: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SummaryForm {
    text: String,
    submit: String,
}

/// The form's fields, checked; every fault says which field and what to do.
fn fields(f: &DraftForm) -> Result<SolicitationFields, StoreError> {
    let mut errors = Vec::new();
    let title = line(&f.title);
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        errors.push(format!("标题：请填写，不超过 {TITLE_MAX} 字"));
    }
    let body = lines(&f.body);
    if body.chars().count() < 10 || body.chars().count() > BODY_MAX {
        errors.push(format!("征集内容：请填写征求意见稿正文（10 至 {BODY_MAX} 字）"));
    }
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (opens, closes) = (date(&f.opens), date(&f.closes));
    match (opens, closes) {
        (Some(o), Some(c)) if c < o => errors.push("截止日期：不能早于开始日期".into()),
        (Some(o), Some(c)) if (c - o).num_days() > LONGEST_DAYS => {
            errors.push(format!("截止日期：征集期不超过 {LONGEST_DAYS} 天"))
        }
        (Some(_), Some(_)) => {}
        _ => errors.push("开始日期、截止日期：请按 2026-12-01 的格式填写".into()),
    }
    if !errors.is_empty() {
        return Err(StoreError::Conflict(errors.join("；")));
    }
    Ok(SolicitationFields {
        title,
        body_md: body,
        opens: opens.unwrap_or_default(),
        closes: closes.unwrap_or_default(),
    })
}

/// `GET /admin/solicitations`.
pub async fn list(State(state): State<AppState>, headers: HeaderMap, Extension(s): Extension<Session>) -> Response {
    let list = match state.project.store.solicitations(s.scope).await {
        Ok(l) => l,
        Err(e) => return store_error(&headers, e),
    };
    let today = beijing_day(now_unix());
    let rows: Vec<_> = list
        .iter()
        .map(|x| context! { s => x, site => state.admin.sites.get(&x.site_id), open => x.open_on(today), closed => x.closed_on(today) })
        .collect();
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "solicitations.html",
        context! { rows => rows, can_write => s.user.role.can(Action::Write), today => today.to_string() },
    )
}

/// `POST /admin/solicitations`: a new draft of the editor's site.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Form(f): Form<DraftForm>,
) -> Response {
    let fields = match fields(&f) {
        Ok(v) => v,
        Err(e) => return store_error(&headers, e),
    };
    match state.project.store.create_solicitation(s.scope, &fields, Some(s.user.id), s.actor()).await {
        Ok(id) => see_other(&format!("/admin/solicitations/{id}")),
        Err(e) => store_error(&headers, e),
    }
}

/// `GET /admin/solicitations/{sid}`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
) -> Response {
    let (x, comments) = match state.project.store.solicitation(s.scope, id).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let today = beijing_day(now_unix());
    let role = s.user.role;
    // Whoever wrote what waits for review is not offered its review.
    let subject = if x.state == "submitted" { Subject::Solicitation } else { Subject::Summary };
    let wrote = match state.project.store.had_hand(subject, id, s.user.id, Part::Wrote).await {
        Ok(had) => had || x.author_id == Some(s.user.id),
        Err(e) => return store_error(&headers, e),
    };
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "solicitation.html",
        context! {
            s => &x, comments => comments, site => state.admin.sites.get(&x.site_id),
            open => x.open_on(today), closed => x.closed_on(today),
            can_write => role.can(Action::Write), can_review => role.can(Action::Review) && !wrote,
            live => state.admin.sites.get(&x.site_id).map(|i| format!("/admin/sites/{}/live{}", i.code, crate::publish::plan::solicitation_path(x.id))),
        },
    )
}

async fn visible(state: &AppState, headers: &HeaderMap, s: &Session, id: i64) -> Result<(), Response> {
    state.project.store.solicitation(s.scope, id).await.map(|_| ()).map_err(|e| store_error(headers, e))
}

/// `POST /admin/solicitations/{sid}`: saves the draft; with `submit=1` sends it to review.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<DraftForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let fields = match fields(&f) {
        Ok(v) => v,
        Err(e) => return store_error(&headers, e),
    };
    let store = &state.project.store;
    if let Err(e) = store.update_solicitation(s.scope, id, &fields, s.actor()).await {
        return store_error(&headers, e);
    }
    if f.submit == "1" {
        if let Err(e) = store.submit_solicitation(s.scope, id, s.actor()).await {
            return store_error(&headers, e);
        }
    }
    see_other(&format!("/admin/solicitations/{id}"))
}

/// `POST /admin/solicitations/{sid}/summary`: the feedback summary after closing.
pub async fn summary(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<SummaryForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let text = lines(&f.text);
    if text.chars().count() < 10 || text.chars().count() > BODY_MAX {
        return store_error(
            &headers,
            StoreError::Conflict("反馈情况：请写明收到的意见和采纳情况（至少 10 字）".into()),
        );
    }
    let store = &state.project.store;
    if let Err(e) = store.save_summary(s.scope, id, &text, beijing_day(now_unix()), s.actor()).await {
        return store_error(&headers, e);
    }
    if f.submit == "1" {
        if let Err(e) = store.submit_solicitation(s.scope, id, s.actor()).await {
            return store_error(&headers, e);
        }
    }
    see_other(&format!("/admin/solicitations/{id}"))
}

/// `POST /admin/solicitations/{sid}/review`: puts the draft or the summary online, or returns it.
pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let (approve, comment) = match f.read("approve", "reject", ("通过", "退回")) {
        Ok(d) => d,
        Err(e) => return store_error(&headers, e),
    };
    match state.project.store.review_solicitation(s.scope, id, approve, &comment, s.actor()).await {
        Ok(()) => {
            if approve {
                super::review::publish_now(&state).await;
            }
            see_other(&format!("/admin/solicitations/{id}"))
        }
        Err(e) => store_error(&headers, e),
    }
}
