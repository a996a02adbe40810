//! The admin's pages: minijinja templates compiled into the binary, rendered with a common
//! context (the user, the CSRF token, the navigation for their role).

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Environment, Value};

use super::session::Session;
use super::SiteInfo;
use crate::auth::{Action, Role};

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("login.html", include_str!("templates/login.html")),
    ("password.html", include_str!("templates/password.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("columns.html", include_str!("templates/columns.html")),
    ("articles.html", include_str!("templates/articles.html")),
    ("edit.html", include_str!("templates/edit.html")),
    ("checks.html", include_str!("templates/checks.html")),
    ("review.html", include_str!("templates/review.html")),
    ("users.html", include_str!("templates/users.html")),
    ("user_form.html", include_str!("templates/user_form.html")),
    ("sites.html", include_str!("templates/sites.html")),
    ("audit.html", include_str!("templates/audit.html")),
    ("check.html", include_str!("templates/check.html")),
    ("inspection_group.html", include_str!("templates/inspection_group.html")),
    ("inspection_site.html", include_str!("templates/inspection_site.html")),
    ("report_group.html", include_str!("templates/report_group.html")),
    ("report_site.html", include_str!("templates/report_site.html")),
    ("notices.html", include_str!("templates/notices.html")),
    ("submissions.html", include_str!("templates/submissions.html")),
    ("mailboxes.html", include_str!("templates/mailboxes.html")),
    ("mailbox.html", include_str!("templates/mailbox.html")),
    ("messages.html", include_str!("templates/messages.html")),
    ("message.html", include_str!("templates/message.html")),
    ("interaction.html", include_str!("templates/interaction.html")),
    ("report_messages.html", include_str!("templates/report_messages.html")),
    ("solicitations.html", include_str!("templates/solicitations.html")),
    ("solicitation.html", include_str!("templates/solicitation.html")),
    ("stats_macros.html", include_str!("templates/stats_macros.html")),
    ("stats_group.html", include_str!("templates/stats_group.html")),
    ("stats_site.html", include_str!("templates/stats_site.html")),
    ("batch.html", include_str!("templates/batch.html")),
    ("trash.html", include_str!("templates/trash.html")),
    ("error.html", include_str!("templates/error.html")),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            env.add_template(name, src).unwrap_or_else(|e| panic!("admin template {name}: {e}"));
        }
        env.add_filter("datetime", datetime);
        env.add_filter("state_label", state_label);
        env.add_filter("filesize", |n: i64| human_size(n));
        env
    })
}

/// Unix seconds → `YYYY-MM-DD HH:MM`, China time.
pub fn datetime(ts: Option<i64>) -> String {
    let Some(ts) = ts else { return "—".into() };
    crate::clock::minutes(ts)
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "draft" => "草稿",
        "submitted" => "待审核",
        "rejected" => "已退回",
        "scheduled" => "定时发布",
        "published" => "已发布",
        "withdrawn" => "已撤稿",
        "approved" => "已通过",
        "superseded" => "历史版本",
        _ => "未知",
    }
}

fn human_size(n: i64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.0} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

pub fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e[1..].to_string()).unwrap_or_default()
}

/// One entry of the navigation bar.
#[derive(serde::Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
}

fn nav(role: Role) -> Vec<NavItem> {
    let all = [
        ("/admin", "工作台", Action::SignedIn),
        ("/admin/articles/new", "写稿件", Action::Write),
        ("/admin/articles", "稿件管理", Action::ReadContent),
        ("/admin/articles/trash", "回收站", Action::Write),
        ("/admin/review", "待我审核", Action::Review),
        ("/admin/submissions", "信息报送", Action::ReadContent),
        ("/admin/messages", "留言办理", Action::ReadMessages),
        ("/admin/solicitations", "意见征集", Action::ReadMessages),
        ("/admin/columns", "栏目", Action::ReadContent),
        ("/admin/sites", "站群总览", Action::Console),
        ("/admin/stats", "访问统计", Action::ReadStats),
        ("/admin/inspection", "监督检查", Action::ReadInspection),
        ("/admin/interaction", "互动督办", Action::ReadStats),
        ("/admin/notices", "通报", Action::ReadInspection),
        ("/admin/mailboxes", "公务邮箱", Action::ApplyMailbox),
        ("/admin/users", "用户管理", Action::ManageUsers),
        ("/admin/audit", "审计日志", Action::ReadAudit),
        ("/admin/check", "配置校验", Action::Console),
    ];
    all.into_iter().filter(|(_, _, a)| role.can(*a)).map(|(href, label, _)| NavItem { href, label }).collect()
}

/// A full page for a signed-in user.
pub fn page(session: &Session, site: Option<&SiteInfo>, template: &str, extra: Value) -> Response {
    let user = &session.user;
    let ctx = context! {
        me => context! {
            id => user.id,
            name => &user.display_name,
            username => &user.username,
            role => user.role.as_str(),
            role_label => user.role.label(),
            can_write => user.role.can(Action::Write),
            can_review => user.role.can(Action::Review),
            can_withdraw => user.role.can(Action::Withdraw),
            central => user.role == Role::Central,
        },
        my_site => site,
        csrf => &session.csrf,
        nav => nav(user.role),
        ..extra
    };
    render(template, ctx)
}

pub fn render(template: &str, ctx: Value) -> Response {
    match env().get_template(template).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template, error = %e, "admin template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>页面生成失败</h1><p>请联系系统管理员查看服务日志。</p>"))
                .into_response()
        }
    }
}

/// Part of a page rendered alone, for a script to put in place; empty (and logged) when the
/// template fails.
pub fn fragment(template: &str, ctx: Value) -> String {
    env().get_template(template).and_then(|t| t.render(ctx)).unwrap_or_else(|e| {
        tracing::error!(template, error = %e, "admin template failed");
        String::new()
    })
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let mut r = render("error.html", context! { status => status.as_u16(), message => message });
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        for (name, _) in super::TEMPLATES {
            super::env().get_template(name).unwrap();
        }
    }

    #[test]
    fn formats() {
        assert_eq!(super::datetime(Some(0)), "1970-01-01 08:00");
        assert_eq!(super::url_encode("/admin/articles?state=draft"), "%2Fadmin%2Farticles%3Fstate%3Ddraft");
    }
}
