//! The public side of citizen interaction, behind nginx's `/api/` on every host: a challenge
//! for the proof of work, the submission, the status look-up, the satisfaction rating and the
//! comments on opinion solicitations. The
//! host says which site is written to. Answers are JSON for the static pages' script; the
//! query code is sent only after the message is committed. Nothing here logs a field of the
//! form: the request log has the path only, and the forms post their data in the body.

use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

use super::admin::session::client_ip;
use super::{preview, AppState};
use crate::clock::minutes as time;
use crate::group::urls::MESSAGES_API;
use crate::group::{Group, Site};
use crate::interaction::limit::{self, Limiter};
use crate::interaction::submission::{self, Refusal};
use crate::interaction::{deadline, pow};
use crate::store::tenant::{Job, Tenant};
use crate::store::{now_unix, Store, StoreError};

/// What the public endpoints share: the proof-of-work key and the rate counts.
pub struct Desk {
    secret: Vec<u8>,
    pub limiter: Limiter,
}

impl Desk {
    pub async fn open(store: &Store) -> Result<Desk, StoreError> {
        Ok(Desk { secret: store.service_secret("pow").await?, limiter: Limiter::default() })
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(&format!("{MESSAGES_API}/challenge"), get(challenge))
        .route(MESSAGES_API, post(submit))
        .route(&format!("{MESSAGES_API}/status"), post(status))
        .route(&format!("{MESSAGES_API}/rating"), post(rate))
        .route("/api/solicitations/{id}/comments", post(comment))
        .layer(DefaultBodyLimit::max(submission::BODY_MAX))
}

struct Caller<'a> {
    site: &'a Site,
    ip: String,
}

fn caller<'a>(group: &'a Group, headers: &HeaderMap, peer: Option<std::net::SocketAddr>) -> Option<Caller<'a>> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let site = preview::site_for_host(group, host).0?;
    Some(Caller { site, ip: client_ip(headers, peer) })
}

fn peer(c: &Peer) -> Option<std::net::SocketAddr> {
    c.as_ref().map(|c| c.0 .0)
}

/// The connection's peer, absent in tests that call the router directly.
type Peer = Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>;

async fn challenge(State(state): State<AppState>, headers: HeaderMap, c: Peer) -> Response {
    let group = state.project.group();
    let Some(who) = caller(&group, &headers, peer(&c)) else { return unknown_site() };
    if let Err(wait) = state.desk.limiter.check(&format!("c:{}", who.ip), &limit::CHALLENGE, now_unix()) {
        return too_many(wait);
    }
    answer(
        StatusCode::OK,
        json!({ "challenge": pow::issue(&state.desk.secret, who.site.code(), now_unix()), "bits": pow::BITS }),
    )
}

async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    c: Peer,
    form: Result<Form<submission::Form>, FormRejection>,
) -> Response {
    let group = state.project.group();
    let Some(who) = caller(&group, &headers, peer(&c)) else { return unknown_site() };
    let form = match form {
        Ok(Form(f)) => f,
        Err(rejection) => return unreadable(&rejection),
    };
    let now = now_unix();
    let mailboxes: Vec<&str> = who.site.def.contact.mailboxes.iter().map(|m| m.name.as_str()).collect();
    let s = match submission::check(&form, &mailboxes) {
        Ok(s) => s,
        Err(Refusal::Robot) => return bad(json!({ "error": "提交未通过校验，请刷新页面后重试" })),
        Err(Refusal::Fields(errors)) => return bad(json!({ "error": "请检查标出的内容", "fields": errors })),
    };
    let expires = match guard(&state, &who, &form, now) {
        Ok(e) => e,
        Err(refusal) => return *refusal,
    };
    let store = &state.project.store;
    let Some(site_id) = state.admin.site_by_code(who.site.code()).map(|s| s.id) else { return unknown_site() };
    let due = deadline::due_date(&state.project.group().calendar, now, false, 0);
    match store
        .submit_message(
            Tenant::system_site(Job::PublicForm, site_id),
            &s,
            (&pow::spent_key(&form.challenge), expires),
            now,
            due,
        )
        .await
    {
        Ok((id, code)) => {
            tracing::info!(site = who.site.code(), message = id, "message received");
            answer(
                StatusCode::CREATED,
                json!({
                    "code": code,
                    "due_date": due.to_string(),
                    "site": who.site.def.name,
                }),
            )
        }
        Err(StoreError::Conflict(m)) => bad(json!({ "error": m, "field": "challenge" })),
        Err(e) => {
            tracing::error!(site = who.site.code(), error = %e, "could not store a message");
            unavailable()
        }
    }
}

/// A comment on an opinion solicitation of the host's site: the same protection as a message.
async fn comment(
    State(state): State<AppState>,
    headers: HeaderMap,
    c: Peer,
    axum::extract::Path(id): axum::extract::Path<i64>,
    form: Result<Form<submission::Form>, FormRejection>,
) -> Response {
    let group = state.project.group();
    let Some(who) = caller(&group, &headers, peer(&c)) else { return unknown_site() };
    let form = match form {
        Ok(Form(f)) => f,
        Err(rejection) => return unreadable(&rejection),
    };
    let now = now_unix();
    let (content, name, phone) = match submission::check_comment(&form) {
        Ok(c) => c,
        Err(Refusal::Robot) => return bad(json!({ "error": "提交未通过校验，请刷新页面后重试" })),
        Err(Refusal::Fields(errors)) => return bad(json!({ "error": "请检查标出的内容", "fields": errors })),
    };
    let expires = match guard(&state, &who, &form, now) {
        Ok(e) => e,
        Err(refusal) => return *refusal,
    };
    let Some(site_id) = state.admin.site_by_code(who.site.code()).map(|s| s.id) else { return unknown_site() };
    let spent = (pow::spent_key(&form.challenge), expires);
    let today = deadline::beijing_day(now);
    match state
        .project
        .store
        .add_comment(
            Tenant::system_site(Job::PublicForm, site_id),
            id,
            &content,
            (&name, &phone),
            (&spent.0, spent.1),
            today,
        )
        .await
    {
        Ok(()) => answer(StatusCode::CREATED, json!({ "ok": true })),
        Err(StoreError::NotFound) => answer(StatusCode::NOT_FOUND, json!({ "error": "没有这项意见征集" })),
        Err(StoreError::Conflict(m)) => answer(StatusCode::CONFLICT, json!({ "error": m })),
        Err(e) => {
            tracing::error!(site = who.site.code(), error = %e, "could not store a comment");
            unavailable()
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Lookup {
    code: String,
    phone: String,
    rating: String,
    comment: String,
}

async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    c: Peer,
    form: Result<Form<Lookup>, FormRejection>,
) -> Response {
    let group = state.project.group();
    let Some(who) = caller(&group, &headers, peer(&c)) else { return unknown_site() };
    if let Err(wait) = state.desk.limiter.check(&format!("l:{}", who.ip), &limit::LOOKUP, now_unix()) {
        return too_many(wait);
    }
    let Ok(Form(q)) = form else { return bad(json!({ "error": "请填写查询码和手机号码" })) };
    let phone = digits(&q.phone);
    if q.code.trim().is_empty() || phone.is_empty() {
        return bad(json!({ "error": "请填写查询码和手机号码" }));
    }
    let store = &state.project.store;
    let found = match store.message_status(&q.code, &phone).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "status look-up failed");
            return unavailable();
        }
    };
    let Some(s) = found else {
        return answer(StatusCode::NOT_FOUND, json!({ "error": "没有找到对应的留言，请核对查询码和手机号码" }));
    };
    let responsible = state.admin.sites.get(&s.site_id);
    answer(
        StatusCode::OK,
        json!({
            "code": s.code,
            "subject": s.subject,
            "category": s.category.label(),
            "status": s.status.label(),
            "answered": s.answered_at.is_some(),
            "received": time(s.received_at),
            "acknowledged": s.acknowledged_at.map(time),
            "ack_text": s.ack_text,
            "unit": responsible.map(|r| r.name.as_str()),
            "transferred": s.transferred,
            "due_date": s.due_date,
            "reply": s.reply,
            "answered_at": s.answered_at.map(time),
            "rating": s.rating,
        }),
    )
}

async fn rate(
    State(state): State<AppState>,
    headers: HeaderMap,
    c: Peer,
    form: Result<Form<Lookup>, FormRejection>,
) -> Response {
    let group = state.project.group();
    let Some(who) = caller(&group, &headers, peer(&c)) else { return unknown_site() };
    if let Err(wait) = state.desk.limiter.check(&format!("l:{}", who.ip), &limit::LOOKUP, now_unix()) {
        return too_many(wait);
    }
    let Ok(Form(q)) = form else { return bad(json!({ "error": "请选择满意度" })) };
    let Some(rating) = q.rating.trim().parse::<i64>().ok().filter(|r| (1..=5).contains(r)) else {
        return bad(json!({ "error": "请选择 1 到 5 分的满意度", "field": "rating" }));
    };
    let comment = submission::lines(&q.comment);
    if comment.chars().count() > 200 {
        return bad(json!({ "error": "评价意见最多 200 字", "field": "comment" }));
    }
    match state.project.store.rate_message(&q.code, &digits(&q.phone), rating, &comment).await {
        Ok(()) => answer(StatusCode::OK, json!({ "ok": true })),
        Err(StoreError::NotFound) => {
            answer(StatusCode::NOT_FOUND, json!({ "error": "没有找到对应的留言，请核对查询码和手机号码" }))
        }
        Err(StoreError::Conflict(m)) => answer(StatusCode::CONFLICT, json!({ "error": m })),
        Err(e) => {
            tracing::error!(error = %e, "could not store a rating");
            unavailable()
        }
    }
}

/// A form body that could not be read: too large (413), or not a form.
fn unreadable(rejection: &FormRejection) -> Response {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, json!({ "error": "提交的内容过长，请精简后再提交" }));
    }
    bad(json!({ "error": "提交的内容无法识别，请通过网站上的表单提交" }))
}

/// What every protected form passes once its fields are right: the proof of work, then the
/// address's rate (counted only for well-formed forms: a citizen fixing a typo is not a flood).
/// Returns when the challenge expires, which is how long it is remembered as spent.
fn guard(state: &AppState, who: &Caller, form: &submission::Form, now: i64) -> Result<i64, Box<Response>> {
    let expires = pow::verify(&state.desk.secret, who.site.code(), &form.challenge, &form.nonce, now)
        .map_err(|e| Box::new(bad(json!({ "error": e.to_string(), "field": "challenge" }))))?;
    state.desk.limiter.check(&format!("s:{}", who.ip), &limit::SUBMIT, now).map_err(|wait| Box::new(too_many(wait)))?;
    Ok(expires)
}

fn digits(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut r = (status, Json(body)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn bad(body: serde_json::Value) -> Response {
    answer(StatusCode::BAD_REQUEST, body)
}

fn too_many(wait: i64) -> Response {
    let minutes = (wait + 59) / 60;
    let mut r = answer(
        StatusCode::TOO_MANY_REQUESTS,
        json!({ "error": format!("提交过于频繁，请 {minutes} 分钟后再试；您填写的内容仍保留在页面上"), "retry_after": wait }),
    );
    if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

fn unknown_site() -> Response {
    answer(StatusCode::NOT_FOUND, json!({ "error": "本站点不在网站群中" }))
}

fn unavailable() -> Response {
    let mut r = answer(StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "服务暂时不可用，请稍后再试；留言尚未提交" }));
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    r
}
