//! The reviewer's side: the queue, approve, reject, and withdrawal (also open to site and
//! central administrators). An approval that publishes waits briefly for the publisher, so
//! the reviewer's next page already reflects the live site.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Form};
use minijinja::context;

use super::session::{wants_json, Session};
use super::{see_other, store_error, views};
use crate::content::now_local;
use crate::store::workflow::{Approval, Decision};
use crate::store::StoreError;
use crate::web::AppState;

/// How long an approval waits for its pages to go live before answering anyway.
const PUBLISH_WAIT: Duration = Duration::from_secs(5);

pub async fn queue(State(state): State<AppState>, headers: HeaderMap, Extension(s): Extension<Session>) -> Response {
    match state.project.store.review_queue(s.scope, &now_local()).await {
        Ok(rows) => {
            let levels = state.admin.site(s.user.site_id).map(|i| i.review_levels);
            views::page(
                &s,
                state.admin.site(s.user.site_id),
                "review.html",
                context! { rows => rows, levels => levels },
            )
        }
        Err(e) => store_error(&headers, e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    comment: String,
}

pub(crate) async fn publish_now(state: &AppState) {
    if let Some(p) = &state.publisher {
        if !p.publish_now(PUBLISH_WAIT).await {
            tracing::warn!("publishing takes longer than {PUBLISH_WAIT:?}; it goes on in the background");
        }
    }
}

/// The approval form: the comment, the 保密审查 box and, when the content check found a
/// veto-class problem, the reviewer's written reason.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ApproveForm {
    comment: String,
    secrecy: String,
    confirmation: String,
}

pub async fn approve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<ApproveForm>,
) -> Response {
    let comment: String = f.comment.trim().chars().take(500).collect();
    let confirmation: String = f.confirmation.trim().chars().take(500).collect();
    let decision = Decision { comment: &comment, secrecy_reviewed: !f.secrecy.is_empty(), confirmation: &confirmation };
    match state.project.store.approve(s.scope, &state.project.group(), &s.user, id, &decision, &s.ip).await {
        Ok(Approval::Advanced { .. }) => see_other(&format!("/admin/articles/{id}?ok=approved")),
        Ok(Approval::Published { scheduled: true, .. }) => see_other(&format!("/admin/articles/{id}?ok=scheduled")),
        Ok(Approval::Published { .. }) => {
            publish_now(&state).await;
            see_other(&format!("/admin/articles/{id}?ok=published"))
        }
        // The form again, the refusal beside the box or field that needs the reviewer.
        Err(StoreError::Fields(errors)) if !wants_json(&headers) => {
            let mut r = super::articles::show(&state, &headers, &s, id, None, errors).await;
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            r
        }
        Err(e) => store_error(&headers, e),
    }
}

pub async fn reject(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<CommentForm>,
) -> Response {
    let comment: String = f.comment.chars().take(1000).collect();
    match state.project.store.reject(s.scope, &s.user, id, &comment, &s.ip).await {
        Ok(()) => see_other(&format!("/admin/articles/{id}?ok=rejected")),
        Err(e) => store_error(&headers, e),
    }
}

pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<CommentForm>,
) -> Response {
    let reason: String = f.comment.chars().take(500).collect();
    match state.project.store.withdraw(s.scope, &s.user, id, &reason, &s.ip).await {
        Ok(()) => {
            publish_now(&state).await;
            see_other(&format!("/admin/articles/{id}?ok=withdrawn"))
        }
        Err(e) => store_error(&headers, e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ReferenceForm {
    column: String,
}

/// 引用: a reviewer shows a published article in another column of the site too.
pub async fn reference(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<ReferenceForm>,
) -> Response {
    let by = crate::store::mailboxes::Actor { name: &s.user.username, ip: Some(&s.ip), user_id: Some(s.user.id) };
    match state.project.store.reference_in(s.scope, by, id, f.column.trim()).await {
        Ok(_) => {
            publish_now(&state).await;
            see_other(&format!("/admin/articles/{id}?ok=referenced"))
        }
        Err(e) => store_error(&headers, e),
    }
}

/// The policy's site takes an interpretation's link off its page (the link was put there by
/// the interpretation's site, without asking).
pub async fn refuse_interpretation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path((id, other)): Path<(i64, i64)>,
) -> Response {
    match state.project.store.refuse_interpretation(s.scope, &s.user, id, other, &s.ip).await {
        Ok(true) => {
            publish_now(&state).await;
            see_other(&format!("/admin/articles/{id}?ok=unlinked"))
        }
        Ok(false) => see_other(&format!("/admin/articles/{id}")),
        Err(e) => store_error(&headers, e),
    }
}
