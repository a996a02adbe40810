//! The service's side of the reading modes (`theme::modes`): the 关怀版 switch and the
//! group's mode stylesheet on every host, and the 关怀版 class on the public pages the service
//! writes itself (search, the preview). nginx does the same for the static files.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::{preview, AppState};
use crate::theme::modes;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(modes::CARE_ON, get(|s: State<AppState>, h: HeaderMap, q| switch(s, h, q, true)))
        .route(modes::CARE_OFF, get(|s: State<AppState>, h: HeaderMap, q| switch(s, h, q, false)))
        .route(modes::MODE_CSS, get(mode_css))
}

#[derive(serde::Deserialize)]
struct Back {
    to: Option<String>,
}

/// `303` back to the page the reader was on, with the choice kept for the whole group.
async fn switch(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(back): axum::extract::Query<Back>,
    on: bool,
) -> Response {
    let group = state.project.group();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    // A preview host is `<host>.localhost`: the cookie follows the reader across the preview.
    let domain = if preview::site_for_host(&group, host).1 {
        format!("{}.localhost", group.def.root_domain)
    } else {
        group.def.root_domain.clone()
    };
    let to = modes::return_path(back.to.as_deref());
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    if let Ok(v) = HeaderValue::from_str(&modes::care_cookie(on, &domain)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `/_group/mode.css`: grey on the group's days of mourning (Beijing time), else nothing.
async fn mode_css(State(state): State<AppState>) -> Response {
    let today = crate::clock::beijing_day(crate::store::now_unix()).format("%Y-%m-%d").to_string();
    let css = modes::mode_css(&state.project.group().def.mourning, &today);
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8".to_string()),
            (header::CACHE_CONTROL, format!("public, max-age={}", modes::MODE_CSS_MAX_AGE)),
        ],
        css,
    )
        .into_response()
}

/// Puts the 关怀版 class on a public HTML answer when the reader chose it.
pub async fn care_class(request: Request, next: Next) -> Response {
    let care = request.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).any(modes::care_in);
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !care || !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Pages are tens of kilobytes; anything far larger is not a page to mark.
    let Ok(bytes) = to_bytes(body, 16 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "页面读取失败").into_response();
    };
    let Some(marked) = std::str::from_utf8(&bytes).ok().and_then(|t| modes::mark(t, true)) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(marked))
}
