//! The admin's gate, in one middleware run after routing: it finds the route's entry in the
//! route table, loads the session from its cookie, checks CSRF on every state-changing request,
//! sends users with a forced password change to the password form, and checks the role's
//! permission. Handlers receive a `Session` and read tenant data only through its `Tenant`.

use std::net::{IpAddr, SocketAddr};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::routes::{spec, Access};
use super::views;
use crate::auth::constant_time_eq;
use crate::store::tenant::Tenant;
use crate::store::users::User;
use crate::web::AppState;

pub const SESSION_COOKIE: &str = "zq_session";
pub const LOGIN_COOKIE: &str = "zq_login";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest urlencoded form the gate buffers to find its CSRF field (an article body is at
/// most 1 MiB of Markdown; percent-encoding can triple it).
const FORM_LIMIT: usize = 4 << 20;

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub token: String,
    pub ip: String,
    pub scope: Tenant,
}

impl Session {
    /// The user as the history of a record and the audit log name them.
    pub fn actor(&self) -> crate::store::mailboxes::Actor<'_> {
        crate::store::mailboxes::Actor { name: &self.user.username, ip: Some(&self.ip), user_id: Some(self.user.id) }
    }
}

/// The client's address: the peer, or the address a local reverse proxy (nginx) reports.
pub fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    let peer_ip = peer.map(|p| p.ip());
    let proxied = peer_ip.is_none_or(|ip| ip.is_loopback());
    if proxied {
        let forwarded = headers
            .get("x-real-ip")
            .and_then(|v| v.to_str().ok())
            .or_else(|| headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()?.split(',').next_back()))
            .and_then(|s| s.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer_ip.map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request reached us over HTTPS (via a local proxy that says so).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure behind HTTPS.
pub fn set_cookie(name: &str, value: &str, path: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Admin routes under this prefix answer in JSON, refusals included.
pub const API_PREFIX: &str = "/admin/api/";

/// `headers` made to ask for JSON, so that every refusal of an API route is JSON.
pub fn json_only(mut headers: HeaderMap) -> HeaderMap {
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    headers
}

pub(super) fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

/// A refusal as a page, or as JSON for the editor's background requests.
pub fn refuse(headers: &HeaderMap, status: StatusCode, message: &str) -> Response {
    if wants_json(headers) {
        return (status, axum::Json(serde_json::json!({ "error": message }))).into_response();
    }
    views::error_page(status, message)
}

pub async fn gate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_default();
    let method = req.method().clone();
    let Some(route) = spec(&method, &path) else {
        // Fail closed: a route missing from the table is not served.
        return refuse(req.headers(), StatusCode::NOT_FOUND, "页面不存在");
    };
    let headers = if path.starts_with(API_PREFIX) { json_only(req.headers().clone()) } else { req.headers().clone() };
    if method != Method::GET && method != Method::HEAD && !same_origin(&headers) {
        return refuse(&headers, StatusCode::FORBIDDEN, "请求来源与本站不一致，已拒绝（跨站请求）");
    }
    let action = match route.access {
        Access::Public => return next.run(req).await,
        Access::Signed(action) => action,
    };
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(&headers, peer);
    let record = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => match state.project.store.session(token, state.admin.idle_seconds).await {
            Ok(r) => r.map(|r| (token.to_string(), r)),
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return refuse(&headers, StatusCode::SERVICE_UNAVAILABLE, "数据库暂时不可用，请稍后重试");
            }
        },
        None => None,
    };
    let Some((token, record)) = record else {
        if method == Method::GET && !wants_json(&headers) {
            let next_path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/admin");
            let to = format!("/admin/login?next={}", views::url_encode(next_path));
            return Redirect::to(&to).into_response();
        }
        return refuse(&headers, StatusCode::UNAUTHORIZED, "登录已过期，请重新登录");
    };
    if method != Method::GET && method != Method::HEAD {
        let (ok, rebuilt) = check_csrf(req, &record.csrf).await;
        let Some(rebuilt) = rebuilt else {
            return refuse(&headers, StatusCode::PAYLOAD_TOO_LARGE, "提交的内容过大");
        };
        if !ok {
            return refuse(
                &headers,
                StatusCode::FORBIDDEN,
                "页面已过期或请求来源不明（CSRF 校验失败），请刷新页面后重试",
            );
        }
        req = rebuilt;
    }
    let password_route = path == "/admin/password" || path == "/admin/logout";
    if record.user.must_change_password && !password_route {
        if method == Method::GET {
            return Redirect::to("/admin/password").into_response();
        }
        return refuse(&headers, StatusCode::FORBIDDEN, "请先修改初始密码");
    }
    if !record.user.role.can(action) {
        let msg = format!("您的角色（{}）无权执行此操作", record.user.role.label());
        return refuse(&headers, StatusCode::FORBIDDEN, &msg);
    }
    let scope = Tenant::of(&record);
    req.extensions_mut().insert(Session { user: record.user, csrf: record.csrf, token, ip, scope });
    next.run(req).await
}

/// A state-changing request must come from our own pages: when the browser says where it comes
/// from (`Origin`), that must be this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// Finds the CSRF token in the header, the urlencoded body, or the query (multipart forms), and
/// compares it with the session's. Returns the request rebuilt with its body, or None when the
/// body is too large to check.
async fn check_csrf(req: Request, expected: &str) -> (bool, Option<Request>) {
    let from_header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(t) = from_header {
        return (constant_time_eq(&t, expected), Some(req));
    }
    let from_query = req.uri().query().and_then(|q| field(q.as_bytes(), CSRF_FIELD));
    if let Some(t) = from_query {
        return (constant_time_eq(&t, expected), Some(req));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (false, Some(req));
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return (false, None);
    };
    let ok = field(&bytes, CSRF_FIELD).is_some_and(|t| constant_time_eq(&t, expected));
    (ok, Some(Request::from_parts(parts, Body::from(bytes))))
}

fn field(form: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(form)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_origin() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; zq_session=abc; b=2"));
        assert_eq!(cookie(&h, "zq_session"), Some("abc"));
        assert_eq!(cookie(&h, "zq"), None);
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn proxy_address_only_from_loopback() {
        let mut h = HeaderMap::new();
        h.insert("x-real-ip", HeaderValue::from_static("10.1.2.3"));
        assert_eq!(client_ip(&h, Some("127.0.0.1:5000".parse().unwrap())), "10.1.2.3");
        assert_eq!(
            client_ip(&h, Some("192.168.1.9:5000".parse().unwrap())),
            "192.168.1.9",
            "a client cannot claim an address"
        );
    }

    #[test]
    fn cookie_attributes() {
        let c = set_cookie("zq_session", "t", "/admin", true, None);
        assert_eq!(c.to_str().unwrap(), "zq_session=t; Path=/admin; HttpOnly; SameSite=Strict; Secure");
    }
}
