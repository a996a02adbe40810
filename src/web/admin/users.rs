//! User management: site administrators manage their own site's editors, reviewers and site
//! administrators; the central office manages everyone. What a role may grant is decided by
//! `Role::may_grant`, whatever the form posts.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use minijinja::context;

use super::session::{refuse, Session};
use super::{see_other, store_error, views, SiteInfo};
use crate::auth::{password, Role};
use crate::store::users::{check_username, NewUser, User};
use crate::store::StoreError;
use crate::web::AppState;

/// Why a name with direction controls is refused.
const BIDI_NAME: &str = "姓名含有改变文字方向的不可见字符，请直接输入姓名";

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Flash {
    ok: String,
}

fn sites_for(state: &AppState, s: &Session) -> Vec<SiteInfo> {
    state
        .admin
        .site_order
        .iter()
        .filter_map(|id| state.admin.sites.get(id))
        .filter(|i| s.scope.covers(i.id))
        .cloned()
        .collect()
}

fn grantable(s: &Session) -> Vec<(&'static str, &'static str)> {
    Role::ALL.into_iter().filter(|r| s.user.role.may_grant(*r)).map(|r| (r.as_str(), r.label())).collect()
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(f): Query<Flash>,
) -> Response {
    match state.project.store.users(s.scope).await {
        Ok(users) => {
            let rows: Vec<_> = users
                .iter()
                .map(|u| {
                    context! {
                        user => u,
                        role_label => u.role.label(),
                        site => state.admin.site(u.site_id).map(|i| i.name.clone()).unwrap_or_else(|| "（全站群）".into()),
                    }
                })
                .collect();
            let flash = match f.ok.as_str() {
                "created" => Some("用户已创建，请将初始密码告知本人，首次登录时须修改"),
                "updated" => Some("用户已更新"),
                "reset" => Some("密码已重置，用户下次登录时须修改"),
                _ => None,
            };
            views::page(&s, state.admin.site(s.user.site_id), "users.html", context! { rows => rows, flash => flash })
        }
        Err(e) => store_error(&headers, e),
    }
}

#[derive(serde::Deserialize, serde::Serialize, Default, Clone)]
#[serde(default)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    site: String,
    password: String,
    active: Option<String>,
}

fn form_page(
    state: &AppState,
    s: &Session,
    target: Option<&User>,
    form: &UserForm,
    errors: Vec<(&str, String)>,
) -> Response {
    let errors: std::collections::HashMap<&str, String> = errors.into_iter().collect();
    let bad = !errors.is_empty();
    let mut r = views::page(
        s,
        state.admin.site(s.user.site_id),
        "user_form.html",
        context! {
            target => target,
            form => form,
            errors => errors,
            roles => grantable(s),
            sites => sites_for(state, s),
            self_edit => target.is_some_and(|t| t.id == s.user.id),
        },
    );
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

pub async fn new_form(State(state): State<AppState>, Extension(s): Extension<Session>) -> Response {
    let form = UserForm {
        role: "editor".into(),
        site: state.admin.site(s.user.site_id).map(|i| i.code.clone()).unwrap_or_default(),
        active: Some("on".into()),
        ..Default::default()
    };
    form_page(&state, &s, None, &form, Vec::new())
}

/// The role and site a form asks for, if this user may grant them.
fn granted(state: &AppState, s: &Session, f: &UserForm) -> Result<(Role, Option<i64>), (StatusCode, String)> {
    let Some(role) = Role::parse(&f.role) else {
        return Err((StatusCode::BAD_REQUEST, "角色无效".into()));
    };
    if !s.user.role.may_grant(role) {
        return Err((
            StatusCode::FORBIDDEN,
            format!("您的角色（{}）不能授予“{}”角色", s.user.role.label(), role.label()),
        ));
    }
    if role == Role::Central {
        return Ok((role, None));
    }
    // A site administrator's users are always of their own site, whatever was posted.
    let site = match s.scope.site_id() {
        Some(own) => Some(own),
        None => state.admin.site_by_code(&f.site).map(|i| i.id),
    };
    match site {
        Some(id) if s.scope.covers(id) => Ok((role, Some(id))),
        _ => Err((StatusCode::BAD_REQUEST, "请选择用户所属的站点".into())),
    }
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Form(mut f): Form<UserForm>,
) -> Response {
    f.username = f.username.trim().to_string();
    f.display_name = f.display_name.trim().to_string();
    let (role, site_id) = match granted(&state, &s, &f) {
        Ok(g) => g,
        Err((status, msg)) => return refuse(&headers, status, &msg),
    };
    let mut errors = Vec::new();
    if let Err(m) = check_username(&f.username) {
        errors.push(("username", m.to_string()));
    }
    if f.display_name.is_empty() || f.display_name.chars().count() > 40 {
        errors.push(("display_name", "请填写姓名（不超过 40 个字）".into()));
    } else if crate::content::has_bidi_controls(&f.display_name) {
        errors.push(("display_name", BIDI_NAME.into()));
    }
    if let Err(m) = password::check_rules(&f.password, &f.username) {
        errors.push(("password", m.to_string()));
    }
    if !errors.is_empty() {
        f.password.clear();
        return form_page(&state, &s, None, &f, errors);
    }
    let new = NewUser {
        username: &f.username,
        display_name: &f.display_name,
        role,
        site_id,
        password: &f.password,
        must_change_password: true,
    };
    match state.project.store.create_user(s.scope, &new, &s.user.username, Some(&s.ip)).await {
        Ok(_) => see_other("/admin/users?ok=created"),
        Err(StoreError::Invalid(m)) => {
            f.password.clear();
            form_page(&state, &s, None, &f, vec![("username", m)])
        }
        Err(e) => store_error(&headers, e),
    }
}

/// A user of the scope; central admins (no site) are only in the central scope.
async fn target(state: &AppState, s: &Session, id: i64) -> Result<User, StoreError> {
    state.project.store.user_by_id(s.scope, id).await?.ok_or(StoreError::NotFound)
}

/// The form filled with a user as stored.
fn form_of(state: &AppState, user: &User) -> UserForm {
    UserForm {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role.as_str().into(),
        site: state.admin.site(user.site_id).map(|i| i.code.clone()).unwrap_or_default(),
        password: String::new(),
        active: user.active.then(|| "on".into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
) -> Response {
    let user = match target(&state, &s, id).await {
        Ok(u) => u,
        Err(e) => return store_error(&headers, e),
    };
    form_page(&state, &s, Some(&user), &form_of(&state, &user), Vec::new())
}

pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(mut f): Form<UserForm>,
) -> Response {
    let user = match target(&state, &s, id).await {
        Ok(u) => u,
        Err(e) => return store_error(&headers, e),
    };
    let Some(role) = Role::parse(&f.role) else {
        return views::error_page(StatusCode::BAD_REQUEST, "角色无效");
    };
    // Changing a role needs the right to grant both the old and the new one: a site
    // administrator cannot demote (or touch) a central administrator.
    if !s.user.role.may_grant(role) || !s.user.role.may_grant(user.role) {
        return refuse(
            &headers,
            StatusCode::FORBIDDEN,
            &format!("您的角色（{}）不能授予“{}”角色", s.user.role.label(), role.label()),
        );
    }
    if (role == Role::Central) != user.site_id.is_none() {
        return refuse(&headers, StatusCode::BAD_REQUEST, "系统管理员与站点用户之间不能直接转换，请新建账号");
    }
    let active = f.active.is_some();
    if user.id == s.user.id && (!active || role != user.role) {
        return refuse(&headers, StatusCode::CONFLICT, "不能停用自己或修改自己的角色");
    }
    f.display_name = f.display_name.trim().to_string();
    if f.display_name.is_empty() || f.display_name.chars().count() > 40 {
        return form_page(&state, &s, Some(&user), &f, vec![("display_name", "请填写姓名（不超过 40 个字）".into())]);
    }
    if crate::content::has_bidi_controls(&f.display_name) {
        return form_page(&state, &s, Some(&user), &f, vec![("display_name", BIDI_NAME.into())]);
    }
    match state.project.store.update_user(&user, role, &f.display_name, active, &s.user.username, &s.ip).await {
        Ok(()) => see_other("/admin/users?ok=updated"),
        Err(e) => store_error(&headers, e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<ResetForm>,
) -> Response {
    let user = match target(&state, &s, id).await {
        Ok(u) => u,
        Err(e) => return store_error(&headers, e),
    };
    if !s.user.role.may_grant(user.role) {
        return refuse(&headers, StatusCode::FORBIDDEN, "您不能重置该用户的密码");
    }
    if let Err(m) = password::check_rules(&f.password, &user.username) {
        return form_page(&state, &s, Some(&user), &form_of(&state, &user), vec![("reset", m.to_string())]);
    }
    match state.project.store.set_password(&user, &f.password, None, &s.user.username, &s.ip).await {
        Ok(()) => see_other("/admin/users?ok=reset"),
        Err(e) => store_error(&headers, e),
    }
}
