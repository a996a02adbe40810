//! `/hit` on every host (nginx proxies it): the beacon's `sendBeacon` POST and the
//! `<noscript>` image's GET. Answers at once; the counting is `counter::Counter`'s. Mounted
//! outside the request log: at tens of thousands of hits a second, a log line each would cost
//! more than the counting. Also the footers' totals and the way to the statistics API.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};

use super::admin::session::client_ip;
use super::AppState;
use crate::counter::hit::{self, RawHit, Reject, MAX_BODY};
use crate::counter::{bots, Counter};

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(&state.project.group().def.counter.path, post(beacon).get(image))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The counter's other public addresses, under `/api/` (which nginx proxies on every host):
/// each site's total for its footer, and the statistics API, which lives in the admin (behind
/// its session cookie, scoped to `/admin`) and is reached from here by a redirect.
pub fn api_router(state: &AppState) -> Router<AppState> {
    let mut r = Router::new().route("/api/stats", get(to_admin)).route("/api/stats/{code}", get(to_admin));
    if state.project.group().def.counter.show_total {
        r = r.route("/api/counter/{code}", get(total)).route("/api/counter/{code}/page", get(page_total));
    }
    r
}

/// `308` to the same path and query under `/admin`, where the session cookie is sent.
async fn to_admin(uri: Uri) -> Response {
    let to = match uri.query() {
        Some(q) => format!("/admin{}?{q}", uri.path()),
        None => format!("/admin{}", uri.path()),
    };
    Redirect::permanent(&to).into_response()
}

/// `GET /api/counter/{code}`: `{"views": N}`, the site's views ever, cacheable for a minute.
async fn total(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let Some(counter) = state.counter.as_deref() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    views_answer(counter.site_total(&state.project.store, &code).await, "the site totals")
}

#[derive(serde::Deserialize)]
struct PageQuery {
    p: String,
}

/// `GET /api/counter/{code}/page?p=/path`: `{"views": N}`, one page's views ever, for the
/// 浏览次数 of an article; cacheable for a minute like the site's total.
async fn page_total(
    State(state): State<AppState>,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Response {
    let Some(counter) = state.counter.as_deref() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    views_answer(counter.page_total(&state.project.store, &code, &q.p).await, "a page's views")
}

/// `{"views": N}` cacheable for a minute, 404 for what is not there, 503 when the database
/// cannot answer.
fn views_answer(found: Result<Option<i64>, crate::store::StoreError>, what: &str) -> Response {
    match found {
        Ok(Some(views)) => {
            ([(header::CACHE_CONTROL, "public, max-age=60")], Json(serde_json::json!({ "views": views })))
                .into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read {what}");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

async fn beacon(State(state): State<AppState>, peer: Peer, headers: HeaderMap, body: Bytes) -> StatusCode {
    count(&state, &headers, peer, hit::from_body(&body))
}

async fn image(State(state): State<AppState>, peer: Peer, headers: HeaderMap, RawQuery(q): RawQuery) -> StatusCode {
    count(&state, &headers, peer, hit::from_query(q.as_deref().unwrap_or_default()))
}

fn count(state: &AppState, headers: &HeaderMap, peer: Peer, hit: Result<RawHit, Reject>) -> StatusCode {
    let Some(counter) = state.counter.as_deref() else {
        return StatusCode::SERVICE_UNAVAILABLE;
    };
    let hit = match hit {
        Ok(h) => h,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    // Crawlers and prefetches get the same answer as readers: nothing to learn from it.
    if bots::not_a_reader(headers) {
        return StatusCode::NO_CONTENT;
    }
    record(counter, &hit, headers, peer.map(|c| c.0 .0))
}

fn record(counter: &Counter, hit: &RawHit, headers: &HeaderMap, peer: Option<SocketAddr>) -> StatusCode {
    let ip = client_ip(headers, peer);
    let ua = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match counter.record(hit, &ip, ua, crate::store::now_unix()) {
        Ok(crate::counter::aggregate::Counted::View) => {
            crate::metrics::add(&crate::metrics::NODE.hits, 1);
            StatusCode::NO_CONTENT
        }
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::BAD_REQUEST,
    }
}
