//! Preview of the published sites, chosen by the `Host` header. Browsers resolve every
//! `*.localhost` name to this machine, so `http://fgw.shili.gov.cn.localhost:8080/` shows the
//! 发改委 site without touching DNS; links between sites are rewritten to stay in preview.
//! In production nginx serves `publish/` directly and this handler is never reached.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::group::{Group, Site};

pub async fn serve(State(state): State<AppState>, method: Method, headers: HeaderMap, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "只支持 GET 请求").into_response();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    match site_for_host(&state.project.group(), host).0 {
        Some(site) => file(&state, site, uri.path()).await,
        None => Html(index(&state)).into_response(),
    }
}

/// The site a `Host` header names (with or without port), and whether it is a preview host
/// (`<host>.localhost`).
pub(crate) fn site_for_host<'g>(group: &'g Group, host: &str) -> (Option<&'g Site>, bool) {
    let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    let (name, preview) = match name.strip_suffix(".localhost") {
        Some(n) => (n, true),
        None => (name, false),
    };
    (group.sites.iter().find(|s| s.host.eq_ignore_ascii_case(name)), preview)
}

async fn file(state: &AppState, site: &Site, path: &str) -> Response {
    let Some(rel) = safe_path(path) else {
        return (StatusCode::BAD_REQUEST, "路径无效").into_response();
    };
    let root = state.project.paths.out.join(&site.host);
    let mut target = root.join(&rel);
    if target.is_dir() {
        if !path.ends_with('/') {
            return Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(header::LOCATION, format!("{path}/"))
                .body(Body::empty())
                .unwrap_or_default();
        }
        target = target.join("index.html");
    }
    let (status, target) =
        if target.is_file() { (StatusCode::OK, target) } else { (StatusCode::NOT_FOUND, root.join("404.html")) };
    let Ok(bytes) = tokio::fs::read(&target).await else {
        return (StatusCode::NOT_FOUND, "站点尚未发布：请先运行 zhanqun build").into_response();
    };
    let mime = mime_guess::from_path(&target).first_or_octet_stream();
    let body = if mime.essence_str() == "text/html" { rewrite_links(state, bytes) } else { bytes };
    let content_type = if mime.type_() == "text" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    *response.status_mut() = status;
    response
}

/// The request path as a relative file path, or None when it tries to leave the site.
pub(crate) fn safe_path(path: &str) -> Option<String> {
    let decoded = percent_decode(path)?;
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Points absolute links between the group's sites at their preview hosts.
fn rewrite_links(state: &AppState, bytes: Vec<u8>) -> Vec<u8> {
    match String::from_utf8(bytes) {
        Ok(text) => rewrite_html(state, text).into_bytes(),
        Err(_) => Vec::new(),
    }
}

pub(crate) fn rewrite_html(state: &AppState, text: String) -> String {
    let g = &state.project.group().def;
    to_preview(&text, &g.scheme, &g.root_domain, state.port)
}

/// Every absolute link to a host of the group (`<scheme>://<label>.<root>`, with or without a
/// path) pointed at its preview host; links elsewhere (the filing offices, 中国政府网) stay
/// exactly as they are.
fn to_preview(text: &str, scheme: &str, root: &str, port: u16) -> String {
    let start = format!("{scheme}://");
    let suffix = format!(".{root}");
    let mut out = String::with_capacity(text.len() + 1024);
    let mut rest = text;
    while let Some(at) = rest.find(&start) {
        let after = &rest[at + start.len()..];
        let host_len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-')).unwrap_or(after.len());
        let host = &after[..host_len];
        out.push_str(&rest[..at]);
        if host.ends_with(&suffix) || host == root {
            out.push_str(&format!("http://{host}.localhost:{port}"));
        } else {
            out.push_str(&start);
            out.push_str(host);
        }
        rest = &after[host_len..];
    }
    out.push_str(rest);
    out
}

fn index(state: &AppState) -> String {
    let group = &state.project.group();
    let mut rows = String::new();
    for s in &group.sites {
        rows.push_str(&format!(
            "<li><a href=\"http://{host}.localhost:{port}/\">{name}</a> <code>{host}</code></li>\n",
            host = crate::html::escape(&s.host),
            port = state.port,
            name = crate::html::escape(&s.def.name)
        ));
    }
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{name} · 预览</title>\
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}h1{{color:#a61b1b}}ul{{columns:3;}}li{{margin:.3rem 0}}code{{color:#666;font-size:.8em}}</style></head>\
<body><h1>{name}</h1><p>本地预览：共 {n} 个网站。点击名称打开对应站点（浏览器会将 <code>*.localhost</code> 解析到本机）。健康检查见 <a href=\"/healthz\">/healthz</a>。</p><ul>{rows}</ul></body></html>",
        name = crate::html::escape(&group.def.name),
        n = group.sites.len(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_groups_hosts_move_into_the_preview() {
        let page = r#"<a href="https://www.shili.gov.cn/">门户</a><a href="https://fgw.shili.gov.cn">发改委</a>
<a href="https://fgw.shili.gov.cn/gzdt/1.html?x#y">文</a><a href="https://beian.miit.gov.cn/">备案</a>
<link rel="canonical" href="https://fgw.shili.gov.cn/"><a href="https://notshili.gov.cn/">x</a>"#;
        let p = super::to_preview(page, "https", "shili.gov.cn", 8080);
        assert!(p.contains(r#"href="http://www.shili.gov.cn.localhost:8080/""#), "{p}");
        assert!(p.contains(r#"href="http://fgw.shili.gov.cn.localhost:8080""#), "{p}");
        assert!(p.contains(r#"href="http://fgw.shili.gov.cn.localhost:8080/gzdt/1.html?x#y""#), "{p}");
        assert!(p.contains(r#"href="https://beian.miit.gov.cn/""#), "elsewhere stays https: {p}");
        assert!(p.contains(r#"href="https://notshili.gov.cn/""#), "{p}");
    }

    #[test]
    fn paths_cannot_escape() {
        assert_eq!(super::safe_path("/gzdt/index.html").as_deref(), Some("gzdt/index.html"));
        assert_eq!(super::safe_path("/a/../../etc/passwd"), None);
        assert_eq!(super::safe_path("/%2e%2e/etc/passwd"), None);
        assert_eq!(super::safe_path("/%E6%96%87").as_deref(), Some("文"));
        assert_eq!(super::safe_path("/%zz"), None);
    }
}
