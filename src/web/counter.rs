//! `/hit` on every host (nginx proxies it): the beacon's `sendBeacon` POST and the
//! `<noscript>` image's GET. Answers at once; the counting is `counter::Counter`'s. Mounted
//! outside the request log: at tens of thousands of hits a second, a log line each would cost
//! more than the counting.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Extension, Router};

use super::admin::session::client_ip;
use super::AppState;
use crate::counter::hit::{self, RawHit, Reject, MAX_BODY};
use crate::counter::{bots, Counter};

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(&state.project.group.def.counter.path, post(beacon).get(image))
        .layer(DefaultBodyLimit::max(MAX_BODY))
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
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::BAD_REQUEST,
    }
}
