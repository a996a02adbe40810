//! The HTTP service (`zhanqun serve`): the admin under `/admin`, the shared search and the
//! counter's `/hit` on every host, previews of the published sites by host, and a health check.

pub mod admin;
pub mod counter;
mod follow;
pub mod messages;
mod metrics;
pub(crate) mod preview;
mod reading;
pub mod search;

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
use crate::search::SearchIndex;
use crate::service::Publisher;
use admin::AdminConfig;
use search::SearchService;

#[derive(Clone)]
pub struct AppState {
    pub project: Project,
    /// Port the service listens on, for preview links.
    pub port: u16,
    pub admin: Arc<AdminConfig>,
    /// Runs publish jobs; None where nothing should be published (some tests).
    pub publisher: Option<Publisher>,
    /// The search index and page parts; None where search is not wanted (some tests).
    pub search: Option<Arc<SearchService>>,
    /// The shared counter; None where nothing is counted (some tests).
    pub counter: Option<Arc<crate::counter::Counter>>,
    /// The public message forms' key and rate counts.
    pub desk: Arc<messages::Desk>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        // A typed or bookmarked `/admin/` reaches the admin, not the preview's site list.
        .route("/admin/", get(|| async { axum::response::Redirect::permanent("/admin") }))
        .merge(admin::routes::router(state.clone()))
        .merge(counter::api_router(&state))
        .merge(messages::router())
        .merge(metrics::router())
        .merge(public_pages(&state))
        .layer(middleware::from_fn(request_log))
        .merge(counter::router(&state))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// The pages citizens read that the service writes itself: search results, the preview of the
/// static sites and the reading-mode switch, all shown in 关怀版 when the reader chose it.
fn public_pages(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(search::router(state))
        .merge(reading::router())
        .fallback(preview::serve)
        .layer(middleware::from_fn(reading::care_class))
}

/// Serves until ctrl-c or SIGTERM, with the background loops of `service` running beside.
pub async fn serve(project: Project, listener: tokio::net::TcpListener, idle_seconds: i64) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let admin = AdminConfig::load(&project, idle_seconds).await.map_err(std::io::Error::other)?;
    let search = open_search(&project).map_err(std::io::Error::other)?;
    let counter = open_counter(&project).await.map_err(std::io::Error::other)?;
    let store = project.store.clone();
    let desk = Arc::new(messages::Desk::open(&project.store).await.map_err(std::io::Error::other)?);
    let publisher = crate::service::start(&project, search.index.clone(), counter.clone(), idle_seconds)
        .map_err(std::io::Error::other)?;
    let state = AppState {
        project,
        port,
        admin: Arc::new(admin),
        publisher: Some(publisher),
        search: Some(search),
        counter: Some(counter.clone()),
        desk,
    };
    let follower = tokio::spawn(follow::follow_sites(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await;
    follower.abort();
    // Requests have stopped: the last second of hits goes to the database before we exit.
    match counter.flush(&store).await {
        Ok(n) => tracing::info!(views = n, "counts written at shutdown"),
        Err(e) => tracing::error!(error = %e, "could not write the last counts at shutdown"),
    }
    // Another node takes the shared work and the unfinished publish jobs over at its next
    // round, not when the leases and claims run out.
    let node = crate::service::node();
    if let Err(e) = store.release_leases(&node).await {
        tracing::warn!(error = %e, "could not give up this node's leases; they run out on their own");
    }
    if let Err(e) = store.release_claims(&node).await {
        tracing::warn!(error = %e, "could not give back this node's publish jobs; their claims run out on their own");
    }
    served
}

/// The counter of the group's sites, knowing their pages from `publish/`.
pub async fn open_counter(project: &Project) -> Result<Arc<crate::counter::Counter>, crate::store::StoreError> {
    let ids = project.store.site_rows().await?.into_iter().map(|(code, row)| (code, row.id)).collect();
    Ok(Arc::new(crate::counter::Counter::new(&project.group(), &ids, project.paths.out.clone())))
}

/// Opens (or creates) the search index and prepares the search pages of every site.
pub fn open_search(project: &Project) -> anyhow::Result<Arc<SearchService>> {
    let index = Arc::new(SearchIndex::open(&project.paths.search)?);
    let pages = search::page::SearchPages::new(&project.group(), &project.themes)?;
    Ok(Arc::new(SearchService::new(index, pages)))
}

/// The admin runs no inline script or style element, so its policy allows only its own files.
/// Style attributes are allowed: an article body keeps its alignment and indents in them
/// (whitelisted and value-checked by `content::richtext`), and the editor must show them;
/// an attribute can lay out text but run nothing. The public pages' policy is
/// `publish::nginx::PUBLIC_CSP`, which nginx sends too.
const ADMIN_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; \
     frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// Headers every answer carries, and the proxy headers believed only from a local proxy.
async fn security_headers(mut req: Request, next: Next) -> Response {
    use axum::extract::ConnectInfo;
    use axum::http::{header, HeaderValue};
    // `X-Forwarded-Proto: https` marks cookies Secure and `X-Real-IP` names the client: only
    // nginx on this machine may say so; from anyone else they are dropped before any handler.
    let from_afar = req.extensions().get::<ConnectInfo<SocketAddr>>().is_some_and(|c| !c.0.ip().is_loopback());
    if from_afar {
        for name in ["x-forwarded-proto", "x-real-ip", "x-forwarded-for"] {
            req.headers_mut().remove(name);
        }
    }
    let admin = req.uri().path().starts_with("/admin");
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("SAMEORIGIN"));
    h.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    let csp = if admin { ADMIN_CSP } else { crate::publish::nginx::PUBLIC_CSP };
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(csp));
    if admin {
        // Admin pages show citizens' names and phones: no copy in any cache, shared or not.
        h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }
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
            "sites": state.project.group().sites.len(),
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
