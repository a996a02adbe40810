//! Notices (通报) in the admin: what the audit announced to a site (new vetoes from a daily run
//! or from the check after a publish), newest first, each marked read by whoever handled it.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use minijinja::context;

use super::session::Session;
use super::{see_other, store_error, views};
use crate::web::AppState;

/// Notices shown on the page.
const SHOWN: i64 = 200;

/// `GET /admin/notices`: a site administrator's notices, or every site's for the central office.
pub async fn list(State(state): State<AppState>, headers: HeaderMap, Extension(s): Extension<Session>) -> Response {
    let store = &state.project.store;
    let (notices, unread) = match tokio::try_join!(store.notices(s.scope, SHOWN), store.unread_notices(s.scope)) {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let rows: Vec<_> = notices
        .iter()
        .map(|n| {
            context! {
                id => n.id, title => &n.title, body => &n.body, link => &n.link, created_at => n.created_at,
                read => n.read_at.is_some(), read_at => n.read_at, site => state.admin.sites.get(&n.site_id),
            }
        })
        .collect();
    views::page(&s, state.admin.site(s.user.site_id), "notices.html", context! { rows => rows, unread => unread })
}

/// `POST /admin/notices/{nid}/read`
pub async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(nid): Path<i64>,
) -> Response {
    match state.project.store.mark_notice_read(s.scope, nid, s.user.id).await {
        Ok(()) => see_other("/admin/notices"),
        Err(e) => store_error(&headers, e),
    }
}
