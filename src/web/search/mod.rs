//! `GET /search` (the results page in the requesting site's theme) and `GET /api/search`
//! (the same as JSON). nginx proxies both on every host with the `Host` header, which tells
//! which site is asking: the portal searches the whole group by default, a subsite itself.
//! Nothing a client sends can make these answer 500: bad parameters are a 400 with a Chinese
//! message, an empty query is the search form.

pub mod page;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

use super::{preview, AppState};
use crate::group::{Group, Site};
use crate::search::request::{self, RequestError, SearchRequest, MAX_QUERY_CHARS};
use crate::search::{search, Results, SearchIndex};
use page::{Outcome, SearchPages};

/// The index and the per-site page parts, shared by every request.
pub struct SearchService {
    pub index: Arc<SearchIndex>,
    /// Each site's page parts (header, navigation, footer), made again when a site's columns
    /// change in the admin.
    pages: std::sync::RwLock<Arc<SearchPages>>,
}

impl SearchService {
    pub fn new(index: Arc<SearchIndex>, pages: SearchPages) -> SearchService {
        SearchService { index, pages: std::sync::RwLock::new(Arc::new(pages)) }
    }

    pub fn pages(&self) -> Arc<SearchPages> {
        self.pages.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Makes the page parts again from the group as it is now.
    pub fn refresh_pages(&self, group: &Group, themes: &crate::theme::Themes) -> Result<(), crate::theme::ThemeError> {
        let pages = SearchPages::new(group, themes)?;
        *self.pages.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(pages);
        Ok(())
    }
}

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new().route(&state.project.group().def.search.path, get(html)).route("/api/search", get(api))
}

/// What a request asked: its site, its parameters, the text to echo.
struct Asked<'a> {
    site: &'a Site,
    preview: bool,
    pairs: Vec<(String, String)>,
    echo: String,
}

fn asked<'a>(group: &'a Group, headers: &HeaderMap, uri: &Uri) -> Asked<'a> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let (site, preview) = preview::site_for_host(group, host);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
    let echo = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().chars().filter(|c| !c.is_control()).take(MAX_QUERY_CHARS).collect())
        .unwrap_or_default();
    Asked { site: site.unwrap_or_else(|| group.portal()), preview, pairs, echo }
}

async fn html(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let Some(service) = state.search.clone() else {
        return unavailable();
    };
    let group = &state.project.group();
    let a = asked(group, &headers, &uri);
    let default = request::default_scope(group, a.site);
    let parsed = request::parse(&a.pairs, group, default.clone());
    let fallback = || SearchRequest {
        text: a.echo.clone(),
        scope: default.clone(),
        column: None,
        from: None,
        to: None,
        sort: Default::default(),
        page: 1,
    };
    let results = match &parsed {
        Ok(req) if !req.text.is_empty() => match run(&service, req.clone()).await {
            Ok(r) => Some(r),
            Err(resp) => return resp,
        },
        _ => None,
    };
    let (req, outcome, status) = match (&parsed, &results) {
        (Err(e), _) => (fallback(), Outcome::Invalid(e), StatusCode::BAD_REQUEST),
        (Ok(req), Some(r)) => (req.clone(), Outcome::Found(r), StatusCode::OK),
        (Ok(req), None) => (req.clone(), Outcome::Start, StatusCode::OK),
    };
    match page::render(&service.pages(), &state.project.themes, group, a.site, &req, &a.echo, outcome) {
        Ok(body) => {
            let body = if a.preview { preview::rewrite_html(&state, body) } else { body };
            let mut r = (status, Html(body)).into_response();
            no_store(&mut r);
            r
        }
        Err(e) => {
            tracing::error!(site = a.site.code(), error = %e, "cannot render the search page");
            (StatusCode::INTERNAL_SERVER_ERROR, "检索结果页面生成失败，请稍后再试").into_response()
        }
    }
}

async fn api(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let Some(service) = state.search.clone() else {
        return unavailable();
    };
    let group = &state.project.group();
    let a = asked(group, &headers, &uri);
    let req = match request::parse(&a.pairs, group, request::default_scope(group, a.site)) {
        Ok(r) if r.text.is_empty() => {
            return bad_json(&RequestError { field: "q", message: "请输入检索词".into() });
        }
        Ok(r) => r,
        Err(e) => return bad_json(&e),
    };
    let r = match run(&service, req.clone()).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let hits: Vec<_> = r
        .hits
        .iter()
        .map(|h| {
            let site = group.site(&h.site);
            json!({
                "title": h.title,
                "url": site.map_or_else(|| h.path.clone(), |s| group.url(s, &h.path)),
                "site": h.site,
                "site_name": site.map(|s| s.def.name.as_str()),
                "column": h.column,
                "column_name": site.and_then(|s| s.def.columns.iter().find(|c| c.slug == h.column)).map(|c| c.name.as_str()),
                "date": h.published.get(..10).unwrap_or(&h.published),
                "doc_no": h.doc_no,
                "index_no": h.index_no,
                "snippet": h.snippet_html,
            })
        })
        .collect();
    let scope = match &req.scope {
        request::Scope::All => "all".to_string(),
        request::Scope::Site(c) => c.clone(),
    };
    let mut resp = Json(json!({
        "query": req.text,
        "site": scope,
        "total": r.total,
        "page": req.page,
        "pages": r.pages,
        "hits": hits,
    }))
    .into_response();
    no_store(&mut resp);
    resp
}

/// Runs a search off the async threads; an index failure is logged and answered 503.
async fn run(service: &Arc<SearchService>, req: SearchRequest) -> Result<Results, Response> {
    let s = service.clone();
    let pages = service.pages();
    let started = std::time::Instant::now();
    let done = tokio::task::spawn_blocking(move || search(&s.index, &req, &pages.synonyms)).await;
    crate::metrics::NODE.searches.add(started.elapsed());
    match done {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "search failed");
            Err(unavailable())
        }
        Err(e) => {
            tracing::error!(error = %e, "search panicked");
            Err(unavailable())
        }
    }
}

fn bad_json(e: &RequestError) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": e.message, "field": e.field }))).into_response()
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")], "检索服务暂时不可用，请稍后再试").into_response()
}

/// Results change the moment an article is withdrawn: no cache may keep them.
fn no_store(r: &mut Response) {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
}
