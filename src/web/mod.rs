//! The HTTP service (`zhanqun serve`): the admin under `/admin`, previews of the published
//! sites by host, and a health check; search and the counter mount here as they arrive.

pub mod admin;
pub(crate) mod preview;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use tracing::Instrument;

use crate::project::Project;
use crate::publish::incremental::Publisher;
use admin::AdminConfig;

#[derive(Clone)]
pub struct AppState {
    pub project: Project,
    /// Port the service listens on, for preview links.
    pub port: u16,
    pub admin: Arc<AdminConfig>,
    /// Runs publish jobs; None where nothing should be published (some tests).
    pub publisher: Option<Publisher>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(admin::routes::router(state.clone()))
        .fallback(preview::serve)
        .layer(middleware::from_fn(request_log))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves until ctrl-c or SIGTERM, publishing approved articles in the background.
pub async fn serve(project: Project, listener: tokio::net::TcpListener, idle_seconds: i64) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let admin = AdminConfig::load(&project, idle_seconds).await.map_err(std::io::Error::other)?;
    let publisher = Publisher::spawn(
        project.group.clone(),
        project.themes.clone(),
        project.store.clone(),
        project.paths.out.clone(),
    );
    // Old login failures and idle sessions are only ever read within their windows; forget
    // them now and then so the tables stay small.
    let store = project.store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = store.expire_auth_records(idle_seconds).await {
                tracing::warn!(error = %e, "could not expire old sessions and login failures");
            }
        }
    });
    let state = AppState { project, port, admin: Arc::new(admin), publisher: Some(publisher) };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

/// Headers every answer carries: no framing by other sites, no MIME sniffing, no referrer
/// leaking admin URLs.
async fn security_headers(req: Request, next: Next) -> Response {
    use axum::http::{header, HeaderValue};
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("SAMEORIGIN"));
    h.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    r
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.project.store.published_count().await {
        Ok(n) => Json(serde_json::json!({
            "status": "ok",
            "database": "ok",
            "sites": state.project.group.sites.len(),
            "published_articles": n,
        }))
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "error", "database": "unavailable" })))
                .into_response()
        }
    }
}

/// Gives every request an id and logs it with its status and duration.
async fn request_log(req: Request, next: Next) -> Response {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = Instant::now();
    let span = tracing::info_span!("request", id, %method, %path);
    let response = next.run(req).instrument(span.clone()).await;
    tracing::info!(parent: &span, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "served");
    response
}

pub fn socket_addr(s: &str) -> Result<SocketAddr, String> {
    s.parse().map_err(|_| format!("`{s}` is not an address like 127.0.0.1:8080"))
}
