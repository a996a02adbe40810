//! The admin's own stylesheet and script, compiled in (no CDN, nothing to install).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    ("admin.css", "text/css; charset=utf-8", include_str!("static/admin.css")),
    ("admin.js", "text/javascript; charset=utf-8", include_str!("static/admin.js")),
    ("editor.js", "text/javascript; charset=utf-8", include_str!("static/editor.js")),
    ("checks.js", "text/javascript; charset=utf-8", include_str!("static/checks.js")),
    ("report.css", "text/css; charset=utf-8", include_str!("static/report.css")),
    // Vendored, named by version so that browsers may keep them for good.
    ("jodit-4.15.13.min.js", "text/javascript; charset=utf-8", include_str!("static/vendor/jodit/jodit.min.js")),
    ("jodit-4.15.13.min.css", "text/css; charset=utf-8", include_str!("static/vendor/jodit/jodit.min.css")),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((name, mime, body)) => {
            let cache = if name.starts_with("jodit-") { "public, max-age=31536000, immutable" } else { "no-cache" };
            ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, cache)], *body).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
