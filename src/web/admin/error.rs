//! One error type for the admin's handlers, and the extractors that refuse with it. A handler
//! returns `Result<Response, AdminError>` and uses `?` on store calls; a `StoreError` becomes the
//! answer a person can act on (404 for another tenant's record exactly as for a missing one,
//! 409 for two writers meeting, 503 with `Retry-After` when the database is busy, 500 with the
//! details in the log only).
//!
//! Whether a refusal is a page or JSON depends on the request (the editor's background calls
//! and `/admin/api/` want JSON), which `IntoResponse` cannot see: it leaves a `Refusal` on the
//! response, and `answer_refusals`, a layer over every admin route, renders it.

use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::session::{refuse, Session, API_PREFIX};
use super::SiteInfo;
use crate::store::tenant::Tenant;
use crate::store::{Contention, StoreError};
use crate::web::AppState;

#[derive(Debug)]
pub enum AdminError {
    Store(StoreError),
    /// A refusal with the words the person reads.
    Refused {
        status: StatusCode,
        message: String,
    },
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::Store(e)
    }
}

impl AdminError {
    pub fn refused(status: StatusCode, message: impl Into<String>) -> AdminError {
        AdminError::Refused { status, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> AdminError {
        AdminError::refused(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> AdminError {
        AdminError::refused(StatusCode::NOT_FOUND, message)
    }

    /// The words a person reads for this error (a batch lists one per article).
    pub fn words(self) -> String {
        self.answer().1
    }

    /// The status and words of the answer; faults are logged here, once.
    fn answer(self) -> (StatusCode, String) {
        let e = match self {
            AdminError::Refused { status, message } => return (status, message),
            AdminError::Store(e) => e,
        };
        match e {
            StoreError::NotFound => (StatusCode::NOT_FOUND, "稿件或记录不存在，或不属于您的站点".into()),
            StoreError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            StoreError::Conflict(m) | StoreError::Invalid(m) => (StatusCode::CONFLICT, m),
            StoreError::Fields(errors) => {
                let msg = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；");
                (StatusCode::BAD_REQUEST, msg)
            }
            other if other.contention() == Some(Contention::Conflict) => {
                tracing::info!(error = %other, "write conflict");
                (StatusCode::CONFLICT, "该记录刚刚被他人修改，请刷新页面查看最新内容后再操作".into())
            }
            other if other.contention() == Some(Contention::Busy) => {
                tracing::warn!(error = %other, "database busy");
                (StatusCode::SERVICE_UNAVAILABLE, "系统繁忙，内容未保存，请稍后再试".into())
            }
            other => {
                tracing::error!(error = %other, "admin request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误，请稍后重试或联系系统管理员".into())
            }
        }
    }
}

/// A refusal waiting to be rendered as the request wants it.
#[derive(Debug, Clone)]
struct Refusal(String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, message) = self.answer();
        let mut r = status.into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        r.extensions_mut().insert(Refusal(message));
        r
    }
}

/// Renders the `Refusal` a handler left: JSON for the API and for requests that ask for it,
/// the admin's error page otherwise. Headers set with the refusal (`Retry-After`) stay.
pub async fn answer_refusals(req: Request, next: Next) -> Response {
    let mut headers = req.headers().clone();
    if req.uri().path().starts_with(API_PREFIX) {
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    }
    let mut r = next.run(req).await;
    let Some(Refusal(message)) = r.extensions_mut().remove::<Refusal>() else {
        return r;
    };
    let mut answer = refuse(&headers, r.status(), &message);
    for (name, value) in r.headers() {
        if name == header::RETRY_AFTER {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// The signed-in person; the gate put it there, so only a route outside the gate lacks it.
impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AdminError::refused(StatusCode::UNAUTHORIZED, "请先登录"))
    }
}

/// The site named by `{code}` in the path, and the session's tenant narrowed to it. Another
/// tenant's site is refused exactly like an unknown code, so the answer tells nothing.
#[derive(Debug, Clone)]
pub struct SiteInPath {
    pub info: SiteInfo,
    pub tenant: Tenant,
}

impl FromRequestParts<AppState> for SiteInPath {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        let missing = || AdminError::not_found("网站不存在，或不属于您的站点");
        // Other parameters may follow the code (`/admin/columns/{code}/{slug}`).
        let Path(params) = Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| missing())?;
        let code = params.get("code").ok_or_else(missing)?;
        let info = state.admin.site_by_code(code).ok_or_else(missing)?;
        let tenant = session.scope.narrow(info.id).ok_or_else(missing)?;
        Ok(SiteInPath { info: info.clone(), tenant })
    }
}
