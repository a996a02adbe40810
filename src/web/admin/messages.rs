//! The message inbox (留言办理) of the responsible site: acknowledge (受理), transfer (转办),
//! mark complex, ask for an extension, write the reply and send it through the site's review
//! levels. The central office sees every site's messages, approves extensions and may transfer.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Form};
use minijinja::context;
use serde::Deserialize;

use super::session::Session;
use super::{see_other, store_error, views, DecisionForm};
use crate::auth::Action;
use crate::interaction::deadline::{self, beijing_day};
use crate::interaction::submission::lines;
use crate::store::hands::{Part, Subject};
use crate::store::messages::{InboxFilter, Message, ReviewDecision};
use crate::store::{now_unix, StoreError};
use crate::web::AppState;

/// Messages listed per inbox page.
const INBOX_LIMIT: i64 = 300;
pub const ACK_MAX: usize = 200;
pub const REASON_MAX: usize = 200;
pub const REPLY_MAX: usize = 5000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    f: String,
    ok: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TextForm {
    text: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferForm {
    site: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExtensionForm {
    days: String,
    reason: String,
}

fn today() -> chrono::NaiveDate {
    beijing_day(now_unix())
}

/// A message as the inbox and the detail page show it.
fn view(state: &AppState, m: &Message) -> minijinja::Value {
    let today = today();
    context! {
        m => m,
        status => m.status().label(),
        category => m.category.label(),
        site => state.admin.sites.get(&m.site_id),
        origin => state.admin.sites.get(&m.origin_site_id),
        overdue => m.overdue(today),
        ack_due => deadline::ack_due(m.received_at),
        ack_late => m.acknowledged_at.map_or(now_unix(), |a| a) > deadline::ack_due(m.received_at),
        days_left => (m.answered_at.is_none()).then(|| state.project.group().calendar.working_days_between(today, m.due())),
    }
}

/// `GET /admin/messages`: the inbox of the user's scope.
pub async fn inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(q): Query<InboxQuery>,
) -> Response {
    let filter = InboxFilter::parse(&q.f).unwrap_or_default();
    let store = &state.project.store;
    let list = match store.inbox(s.scope, filter, today(), INBOX_LIMIT).await {
        Ok(l) => l,
        Err(e) => return store_error(&headers, e),
    };
    let counts = match store.inbox_counts(s.scope, today()).await {
        Ok(c) => c.into_iter().map(|(f, n)| (f.as_str(), n)).collect::<Vec<_>>(),
        Err(e) => return store_error(&headers, e),
    };
    let ack_text = match s.scope.site_id() {
        Some(id) => store.ack_text(s.scope, id).await.ok(),
        None => None,
    };
    let rows: Vec<_> = list.iter().map(|m| view(&state, m)).collect();
    let filters: Vec<_> = InboxFilter::ALL.iter().map(|f| (f.as_str(), f.label())).collect();
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "messages.html",
        context! {
            rows => rows, filter => filter.as_str(), filters => filters,
            counts => counts.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
            ack_text => ack_text, ok => q.ok, can_settings => s.user.role.can(Action::ManageInteraction),
            limit => INBOX_LIMIT,
        },
    )
}

/// `GET /admin/messages/{msg}`: the message with the writer's details, its clocks, its history
/// and the actions the user's role allows.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Query(q): Query<InboxQuery>,
) -> Response {
    let store = &state.project.store;
    let (m, events) = match store.message(s.scope, id).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let ack_text =
        store.ack_text(s.scope, m.site_id).await.unwrap_or_else(|_| crate::interaction::DEFAULT_ACK_TEXT.into());
    let levels = state.admin.sites.get(&m.site_id).map_or(1, |i| i.review_levels);
    let role = s.user.role;
    // Whoever wrote the reply, or passed a level of it, is not offered its review.
    let mut can_review = role.can(Action::Review) && m.reply_author_id != Some(s.user.id);
    if can_review && m.reply_state.as_deref() == Some("submitted") {
        for part in [Part::Wrote, Part::Approved] {
            match store.had_hand(Subject::Reply, id, s.user.id, part).await {
                Ok(had) => can_review &= !had,
                Err(e) => return store_error(&headers, e),
            }
        }
    }
    let targets: Vec<_> = state
        .admin
        .site_order
        .iter()
        .filter(|id| **id != m.site_id)
        .filter_map(|id| state.admin.sites.get(id))
        .collect();
    let events: Vec<_> = events
        .iter()
        .map(|e| context! { e => e, site => state.admin.sites.get(&e.site_id).map(|i| i.name.as_str()) })
        .collect();
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "message.html",
        context! {
            v => view(&state, &m), events => events, ack_text => ack_text, ok => q.ok, levels => levels,
            targets => targets,
            can_handle => role.can(Action::HandleMessage),
            can_write => role.can(Action::Write),
            can_review => can_review,
            can_decide => role.can(Action::ApproveExtension),
            limits => context! { ack => ACK_MAX, reason => REASON_MAX, reply => REPLY_MAX, extension => deadline::MAX_EXTENSION_DAYS },
        },
    )
}

/// 404 for a message outside the user's scope, before any input is judged: a foreign id must
/// not tell a bad form from a missing message.
async fn visible(state: &AppState, headers: &HeaderMap, s: &Session, id: i64) -> Result<Message, Response> {
    state.project.store.message(s.scope, id).await.map(|(m, _)| m).map_err(|e| store_error(headers, e))
}

/// A required text of at most `max` characters, or the message saying what is wrong.
fn required(text: &str, max: usize, what: &str) -> Result<String, StoreError> {
    let t = lines(text);
    match t.chars().count() {
        0 => Err(StoreError::Conflict(format!("请填写{what}"))),
        n if n > max => Err(StoreError::Conflict(format!("{what}最多 {max} 字，现有 {n} 字"))),
        _ => Ok(t),
    }
}

fn done(id: i64, ok: &str) -> Response {
    see_other(&format!("/admin/messages/{id}?ok={ok}"))
}

/// `POST /admin/messages/{msg}/acknowledge`.
pub async fn acknowledge(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let text = match required(&f.text, ACK_MAX, "受理意见") {
        Ok(t) => t,
        Err(e) => return store_error(&headers, e),
    };
    match state.project.store.acknowledge_message(s.scope, id, &text, s.actor()).await {
        Ok(()) => done(id, "acknowledged"),
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/messages/{msg}/transfer`: to another site of the group, with a reason.
pub async fn transfer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<TransferForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let Some(to) = state.admin.site_by_code(f.site.trim()) else {
        return store_error(&headers, StoreError::Conflict("请选择转办的单位".into()));
    };
    let reason = match required(&f.reason, REASON_MAX, "转办理由") {
        Ok(t) => t,
        Err(e) => return store_error(&headers, e),
    };
    match state.project.store.transfer_message(s.scope, id, (to.id, &to.name), &reason, s.actor()).await {
        // The message has left this site: back to the inbox, which no longer lists it.
        Ok(()) if s.scope.site_id().is_some() => see_other("/admin/messages?ok=transferred"),
        Ok(()) => done(id, "transferred"),
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/messages/{msg}/complex`: 15 working days, with a reason.
pub async fn complex(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let reason = match required(&f.text, REASON_MAX, "复杂问题的理由") {
        Ok(t) => t,
        Err(e) => return store_error(&headers, e),
    };
    let cal = &state.project.group().calendar;
    match state.project.store.mark_complex(s.scope, id, &reason, cal, s.actor()).await {
        Ok(()) => done(id, "complex"),
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/messages/{msg}/extension`: a request to the central office.
pub async fn extension(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<ExtensionForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let max = deadline::MAX_EXTENSION_DAYS;
    let Some(days) = f.days.trim().parse::<u32>().ok().filter(|d| (1..=max).contains(d)) else {
        return store_error(&headers, StoreError::Conflict(format!("延期天数须为 1 到 {max} 个工作日")));
    };
    let reason = match required(&f.reason, REASON_MAX, "延期理由") {
        Ok(t) => t,
        Err(e) => return store_error(&headers, e),
    };
    match state.project.store.request_extension(s.scope, id, i64::from(days), &reason, s.actor()).await {
        Ok(()) => done(id, "extension"),
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/messages/{msg}/extension/decide` (central office).
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let (approve, comment) = match f.read("approve", "refuse", ("批准", "不批准")) {
        Ok(d) => d,
        Err(e) => return store_error(&headers, e),
    };
    let cal = &state.project.group().calendar;
    match state.project.store.decide_extension(s.scope, id, approve, &comment, cal, s.actor()).await {
        Ok(()) => done(id, if approve { "extended" } else { "refused" }),
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/messages/{msg}/reply`: saves the reply; with `submit=1` sends it to review.
pub async fn reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> Response {
    if let Err(r) = visible(&state, &headers, &s, id).await {
        return r;
    }
    let text = match required(&f.text, REPLY_MAX, "答复内容") {
        Ok(t) => t,
        Err(e) => return store_error(&headers, e),
    };
    let store = &state.project.store;
    if let Err(e) = store.save_reply(s.scope, id, &text, s.user.id, s.actor()).await {
        return store_error(&headers, e);
    }
    if f.submit != "1" {
        return done(id, "saved");
    }
    match store.submit_reply(s.scope, id, s.actor()).await {
        Ok(()) => done(id, "submitted"),
        Err(e) => store_error(&headers, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    text: String,
    submit: String,
}

/// `POST /admin/messages/{msg}/review`: one review level of the reply.
pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let m = match visible(&state, &headers, &s, id).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let (approve, comment) = match f.read("approve", "reject", ("通过", "退回")) {
        Ok(d) => d,
        Err(e) => return store_error(&headers, e),
    };
    let store = &state.project.store;
    let levels = state.admin.sites.get(&m.site_id).map_or(1, |i| i.review_levels);
    let decision = ReviewDecision { approve, comment: &comment, levels, reviewer_id: s.user.id };
    match store.review_reply(s.scope, id, decision, s.actor()).await {
        Ok(true) => {
            // The answer goes onto the site now, like an approved article.
            super::review::publish_now(&state).await;
            done(id, "answered")
        }
        Ok(false) => done(id, if approve { "approved" } else { "rejected" }),
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/messages/settings`: the site's standard acknowledgement text.
pub async fn settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Form(f): Form<TextForm>,
) -> Response {
    let Some(site_id) = s.scope.site_id() else {
        return store_error(&headers, StoreError::Conflict("标准受理用语由各网站的站点管理员设置".into()));
    };
    let text = match required(&f.text, ACK_MAX, "标准受理用语") {
        Ok(t) => t,
        Err(e) => return store_error(&headers, e),
    };
    match state.project.store.set_ack_text(s.scope, site_id, &text, s.actor()).await {
        Ok(()) => see_other("/admin/messages?ok=settings"),
        Err(e) => store_error(&headers, e),
    }
}
