//! Signing in and out, and changing one's own password.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use minijinja::context;

use super::session::{client_ip, cookie, is_https, set_cookie, Session, LOGIN_COOKIE, SESSION_COOKIE};
use super::{see_other, views};
use crate::auth::{constant_time_eq, password};
use crate::store::users::LoginOutcome;
use crate::web::AppState;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// Only our own admin pages are followed after login (no open redirect), as a plain path: a
/// control character or a space would not make a valid `Location` header.
fn safe_next(next: &str) -> &str {
    let ok = (next == "/admin" || next.starts_with("/admin/") || next.starts_with("/admin?"))
        && !next.contains('\\')
        && !next.contains("://")
        && next.chars().all(|c| c.is_ascii_graphic());
    if ok {
        next
    } else {
        "/admin"
    }
}

fn login_page(headers: &HeaderMap, next: &str, username: &str, error: Option<&str>, status: StatusCode) -> Response {
    // A fresh token per form: the double-submit cookie that protects the login itself.
    let token = crate::auth::token();
    let mut r = views::render(
        "login.html",
        context! { token => &token, next => safe_next(next), username => username, error => error },
    );
    *r.status_mut() = status;
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &token, "/admin/login", is_https(headers), Some(1800)));
    r
}

pub async fn form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(_)) = state.project.store.session(token, state.admin.idle_seconds).await {
            return see_other(safe_next(&q.next));
        }
    }
    login_page(&headers, &q.next, "", None, StatusCode::OK)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
    _login: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(f): Form<LoginForm>,
) -> Response {
    let ip = client_ip(&headers, peer.map(|c| c.0 .0));
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected, &f._login) {
        return login_page(&headers, &f.next, &f.username, Some("页面已过期，请重新输入后登录"), StatusCode::FORBIDDEN);
    }
    let username = f.username.trim();
    if username.is_empty() || f.password.is_empty() {
        return login_page(&headers, &f.next, username, Some("请输入用户名和密码"), StatusCode::BAD_REQUEST);
    }
    let store = &state.project.store;
    let outcome = match store.login(username, &f.password, &ip).await {
        Ok(o) => o,
        Err(e) => return super::store_error(&headers, e),
    };
    let user = match outcome {
        LoginOutcome::Ok(u) => u,
        LoginOutcome::Failed => {
            return login_page(&headers, &f.next, username, Some("用户名或密码错误"), StatusCode::UNAUTHORIZED);
        }
        LoginOutcome::Disabled => {
            return login_page(
                &headers,
                &f.next,
                username,
                Some("该账号已停用，请联系站点管理员"),
                StatusCode::FORBIDDEN,
            );
        }
        LoginOutcome::Locked { seconds } => {
            let msg = format!("该账号登录失败次数过多，已暂停登录，请于 {} 分钟后重试", (seconds + 59) / 60);
            return login_page(&headers, &f.next, username, Some(&msg), StatusCode::TOO_MANY_REQUESTS);
        }
        LoginOutcome::Throttled { seconds } => {
            let msg = format!("本网络地址登录失败次数过多，请于 {} 分钟后重试", (seconds + 59) / 60);
            return login_page(&headers, &f.next, username, Some(&msg), StatusCode::TOO_MANY_REQUESTS);
        }
    };
    let (token, _csrf) = match store.create_session(&user, &ip).await {
        Ok(t) => t,
        Err(e) => return super::store_error(&headers, e),
    };
    let to = if user.must_change_password { "/admin/password" } else { safe_next(&f.next) };
    let mut r = see_other(to);
    let secure = is_https(&headers);
    r.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, "/admin", secure, None));
    r.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", "/admin/login", secure, Some(0)));
    r
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, Extension(s): Extension<Session>) -> Response {
    if let Err(e) = state.project.store.end_session(&s.token, &s.user, &s.ip).await {
        return super::store_error(&headers, e);
    }
    let mut r = see_other("/admin/login");
    r.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/admin", is_https(&headers), Some(0)));
    r
}

pub async fn password_form(State(state): State<AppState>, Extension(s): Extension<Session>) -> Response {
    let site = state.admin.site(s.user.site_id);
    views::page(&s, site, "password.html", context! { forced => s.user.must_change_password })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let site = state.admin.site(s.user.site_id);
    let store = &state.project.store;
    let fail = |field: &str, msg: &str| {
        let mut r = views::page(
            &s,
            site,
            "password.html",
            context! { forced => s.user.must_change_password, errors => std::collections::HashMap::from([(field, msg)]) },
        );
        *r.status_mut() = StatusCode::BAD_REQUEST;
        r
    };
    // The current password is checked like a login, so this form cannot be used to guess it.
    match store.login(&s.user.username, &f.current, &s.ip).await {
        Ok(LoginOutcome::Ok(_)) => {}
        Ok(LoginOutcome::Locked { seconds } | LoginOutcome::Throttled { seconds }) => {
            return fail("current", &format!("失败次数过多，请于 {} 分钟后重试", (seconds + 59) / 60))
        }
        Ok(_) => return fail("current", "当前密码不正确"),
        Err(e) => return super::store_error(&headers, e),
    }
    if let Err(msg) = password::check_rules(&f.new, &s.user.username) {
        return fail("new", msg);
    }
    if f.new == f.current {
        return fail("new", "新密码不能与当前密码相同");
    }
    if f.new != f.confirm {
        return fail("confirm", "两次输入的新密码不一致");
    }
    if let Err(e) = store.set_password(&s.user, &f.new, Some(&s.token), &s.user.username, &s.ip).await {
        return super::store_error(&headers, e);
    }
    see_other("/admin?ok=password").into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_admin_pages_after_login() {
        assert_eq!(super::safe_next("/admin/articles?state=draft"), "/admin/articles?state=draft");
        assert_eq!(super::safe_next("https://evil.example/admin"), "/admin");
        assert_eq!(super::safe_next("//evil.example"), "/admin");
        assert_eq!(super::safe_next("/admin\\..\\x"), "/admin");
        assert_eq!(super::safe_next("/admin/\r\nSet-Cookie: x=1"), "/admin");
        assert_eq!(super::safe_next("/admin/\u{7f}"), "/admin");
        assert_eq!(super::safe_next("/administrator"), "/admin");
        assert_eq!(super::safe_next("/admin/文章"), "/admin");
        assert_eq!(super::safe_next("/admin/messages/3"), "/admin/messages/3");
    }
}
