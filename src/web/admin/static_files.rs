//! The admin's own stylesheet and script, compiled in (no CDN, nothing to install).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    ("admin.css", "text/css; charset=utf-8", include_str!("static/admin.css")),
    ("admin.js", "text/javascript; charset=utf-8", include_str!("static/admin.js")),
    ("report.css", "text/css; charset=utf-8", include_str!("static/report.css")),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => {
            ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "no-cache")], *body).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
