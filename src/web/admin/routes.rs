//! Every admin route with the permission it needs. The router is built from this table and the
//! gate looks each request up in it, so a route cannot exist without an entry; the
//! authorization test walks the same table.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use super::{
    articles, columns, console, inspection, login, mailboxes, message_oversight, messages, notices, reports, review,
    solicitations, static_files, stats, submissions, users,
};
use crate::auth::Action;
use crate::content::attachment::MAX_BYTES;
use crate::web::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Signed(Action),
}

/// What an `{id}` in a path names, so that tests can aim at their own or a foreign tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    None,
    Article,
    User,
    Site,
    /// A stored file, named by its hash.
    File,
    /// An official mailbox of the registry.
    Mailbox,
    /// A notice to a site.
    Notice,
    /// A citizen message (the responsible site's).
    Message,
    /// An opinion solicitation.
    Solicitation,
    /// A submission (信息报送), decided by the site that received it.
    Submission,
}

#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub target: Target,
}

const fn r(method: &'static str, path: &'static str, action: Action, target: Target) -> RouteSpec {
    RouteSpec { method, path, access: Access::Signed(action), target }
}

use Action::*;
use Target::{Article, Site, User};

pub const ROUTES: &[RouteSpec] = &[
    RouteSpec { method: "GET", path: "/admin/login", access: Access::Public, target: Target::None },
    RouteSpec { method: "POST", path: "/admin/login", access: Access::Public, target: Target::None },
    RouteSpec { method: "GET", path: "/admin/static/{file}", access: Access::Public, target: Target::None },
    r("POST", "/admin/logout", SignedIn, Target::None),
    r("GET", "/admin/password", SignedIn, Target::None),
    r("POST", "/admin/password", SignedIn, Target::None),
    r("GET", "/admin", SignedIn, Target::None),
    r("GET", "/admin/columns", ReadContent, Target::None),
    r("POST", "/admin/columns/{code}/add", ManageColumns, Site),
    r("POST", "/admin/columns/{code}/{slug}", ManageColumns, Site),
    r("POST", "/admin/columns/{code}/{slug}/move", ManageColumns, Site),
    r("POST", "/admin/column-changes/{cid}/veto", VetoColumns, Target::None),
    r("GET", "/admin/articles", ReadContent, Target::None),
    r("GET", "/admin/articles/new", Write, Target::None),
    r("GET", "/admin/articles/trash", ReadContent, Target::None),
    r("POST", "/admin/articles/batch", ReadContent, Target::None),
    r("POST", "/admin/articles", Write, Target::None),
    r("POST", "/admin/articles/autosave", Write, Target::None),
    r("POST", "/admin/articles/preview", Write, Target::None),
    r("POST", "/admin/articles/word", Write, Target::None),
    r("GET", "/admin/articles/{id}", ReadContent, Article),
    r("POST", "/admin/articles/{id}", Write, Article),
    r("POST", "/admin/articles/{id}/autosave", Write, Article),
    r("GET", "/admin/articles/{id}/preview", ReadContent, Article),
    r("POST", "/admin/articles/{id}/submit", Write, Article),
    r("POST", "/admin/articles/{id}/revisions/{number}/restore", Write, Article),
    r("POST", "/admin/articles/{id}/delete", Write, Article),
    r("POST", "/admin/articles/{id}/undelete", Write, Article),
    r("POST", "/admin/articles/{id}/attachments", Write, Article),
    r("POST", "/admin/articles/{id}/attachments/{pos}/delete", Write, Article),
    r("POST", "/admin/articles/{id}/approve", Review, Article),
    r("POST", "/admin/articles/{id}/reject", Review, Article),
    r("POST", "/admin/articles/{id}/withdraw", Withdraw, Article),
    r("POST", "/admin/articles/{id}/interpretations/{other}/remove", Review, Article),
    r("POST", "/admin/articles/{id}/offer", Write, Article),
    r("POST", "/admin/articles/{id}/reference", Review, Article),
    r("GET", "/admin/files/{dir}/{name}", ReadContent, Target::File),
    r("GET", "/admin/review", Review, Target::None),
    r("GET", "/admin/submissions", ReadContent, Target::None),
    r("POST", "/admin/submissions/{bid}/accept", Review, Target::Submission),
    r("POST", "/admin/submissions/{bid}/decline", Review, Target::Submission),
    r("GET", "/admin/users", ManageUsers, Target::None),
    r("GET", "/admin/users/new", ManageUsers, Target::None),
    r("POST", "/admin/users", ManageUsers, Target::None),
    r("GET", "/admin/users/{id}", ManageUsers, User),
    r("POST", "/admin/users/{id}", ManageUsers, User),
    r("POST", "/admin/users/{id}/password", ManageUsers, User),
    r("GET", "/admin/audit", ReadAudit, Target::None),
    r("GET", "/admin/audit.csv", ReadAudit, Target::None),
    r("GET", "/admin/sites", Console, Target::None),
    r("GET", "/admin/check", Console, Target::None),
    r("GET", "/admin/sites/{code}/live/{*path}", ReadContent, Site),
    r("GET", "/admin/stats", ReadStats, Target::None),
    r("GET", "/admin/stats/ranking.csv", Console, Target::None),
    r("GET", "/admin/stats/{code}", ReadStats, Site),
    r("GET", "/admin/stats/{code}/export.csv", ReadStats, Site),
    r("GET", "/admin/api/stats", Console, Target::None),
    r("GET", "/admin/api/stats/{code}", ReadStats, Site),
    r("GET", "/admin/inspection", ReadInspection, Target::None),
    r("POST", "/admin/inspection/run", Console, Target::None),
    r("GET", "/admin/inspection/{code}", ReadInspection, Site),
    r("POST", "/admin/inspection/{code}/restore", Console, Site),
    r("GET", "/admin/reports/inspection", Console, Target::None),
    r("GET", "/admin/reports/inspection/{code}", ReadInspection, Site),
    r("GET", "/admin/notices", ReadInspection, Target::None),
    r("POST", "/admin/notices/{nid}/read", ReadInspection, Target::Notice),
    r("GET", "/admin/mailboxes", ApplyMailbox, Target::None),
    r("POST", "/admin/mailboxes", ApplyMailbox, Target::None),
    r("GET", "/admin/mailboxes/{mid}", ApplyMailbox, Target::Mailbox),
    r("POST", "/admin/mailboxes/{mid}/issue", ManageMailboxes, Target::Mailbox),
    r("POST", "/admin/mailboxes/{mid}/change", ManageMailboxes, Target::Mailbox),
    r("POST", "/admin/mailboxes/{mid}/cancel", ManageMailboxes, Target::Mailbox),
    r("GET", "/admin/messages", ReadMessages, Target::None),
    r("POST", "/admin/messages/settings", ManageInteraction, Target::None),
    r("GET", "/admin/messages/{msg}", ReadMessages, Target::Message),
    r("POST", "/admin/messages/{msg}/acknowledge", HandleMessage, Target::Message),
    r("POST", "/admin/messages/{msg}/transfer", HandleMessage, Target::Message),
    r("POST", "/admin/messages/{msg}/complex", HandleMessage, Target::Message),
    r("POST", "/admin/messages/{msg}/extension", HandleMessage, Target::Message),
    r("POST", "/admin/messages/{msg}/extension/decide", ApproveExtension, Target::Message),
    r("POST", "/admin/messages/{msg}/reply", Write, Target::Message),
    r("POST", "/admin/messages/{msg}/review", Review, Target::Message),
    r("GET", "/admin/solicitations", ReadMessages, Target::None),
    r("POST", "/admin/solicitations", Write, Target::None),
    r("GET", "/admin/solicitations/{sid}", ReadMessages, Target::Solicitation),
    r("POST", "/admin/solicitations/{sid}", Write, Target::Solicitation),
    r("POST", "/admin/solicitations/{sid}/summary", Write, Target::Solicitation),
    r("POST", "/admin/solicitations/{sid}/review", Review, Target::Solicitation),
    r("GET", "/admin/interaction", ReadStats, Target::None),
    r("GET", "/admin/reports/messages", Console, Target::None),
    r("GET", "/admin/reports/messages/{code}", ReadStats, Site),
];

pub fn spec(method: &Method, path: &str) -> Option<&'static RouteSpec> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

fn handler(method: &str, path: &str) -> MethodRouter<AppState> {
    match (method, path) {
        ("GET", "/admin/login") => get(login::form),
        ("POST", "/admin/login") => post(login::submit),
        ("GET", "/admin/static/{file}") => get(static_files::serve),
        ("POST", "/admin/logout") => post(login::logout),
        ("GET", "/admin/password") => get(login::password_form),
        ("POST", "/admin/password") => post(login::password_submit),
        ("GET", "/admin") => get(articles::dashboard),
        ("GET", "/admin/columns") => get(columns::page),
        ("POST", "/admin/columns/{code}/add") => post(columns::add),
        ("POST", "/admin/columns/{code}/{slug}") => post(columns::update),
        ("POST", "/admin/columns/{code}/{slug}/move") => post(columns::move_column),
        ("POST", "/admin/column-changes/{cid}/veto") => post(columns::veto),
        ("GET", "/admin/articles") => get(articles::list),
        ("GET", "/admin/articles/new") => get(articles::new_form),
        ("GET", "/admin/articles/trash") => get(articles::trash),
        ("POST", "/admin/articles/batch") => post(articles::batch),
        ("POST", "/admin/articles") => post(articles::create),
        ("POST", "/admin/articles/autosave") => post(articles::autosave_new),
        ("POST", "/admin/articles/preview") => post(articles::preview_form),
        ("POST", "/admin/articles/word") => {
            post(articles::import_word).layer(DefaultBodyLimit::max(MAX_BYTES + (1 << 20)))
        }
        ("GET", "/admin/articles/{id}") => get(articles::edit_form),
        ("POST", "/admin/articles/{id}") => post(articles::save),
        ("POST", "/admin/articles/{id}/autosave") => post(articles::autosave),
        ("GET", "/admin/articles/{id}/preview") => get(articles::preview_saved),
        ("POST", "/admin/articles/{id}/submit") => post(articles::submit),
        ("POST", "/admin/articles/{id}/revisions/{number}/restore") => post(articles::restore),
        ("POST", "/admin/articles/{id}/delete") => post(articles::delete),
        ("POST", "/admin/articles/{id}/undelete") => post(articles::undelete),
        ("POST", "/admin/articles/{id}/attachments") => {
            post(articles::upload).layer(DefaultBodyLimit::max(MAX_BYTES + (1 << 20)))
        }
        ("POST", "/admin/articles/{id}/attachments/{pos}/delete") => post(articles::delete_attachment),
        ("POST", "/admin/articles/{id}/approve") => post(review::approve),
        ("POST", "/admin/articles/{id}/reject") => post(review::reject),
        ("POST", "/admin/articles/{id}/withdraw") => post(review::withdraw),
        ("POST", "/admin/articles/{id}/interpretations/{other}/remove") => post(review::refuse_interpretation),
        ("GET", "/admin/files/{dir}/{name}") => get(articles::file),
        ("GET", "/admin/review") => get(review::queue),
        ("GET", "/admin/submissions") => get(submissions::list),
        ("POST", "/admin/articles/{id}/offer") => post(submissions::offer),
        ("POST", "/admin/articles/{id}/reference") => post(review::reference),
        ("POST", "/admin/submissions/{bid}/accept") => post(submissions::accept),
        ("POST", "/admin/submissions/{bid}/decline") => post(submissions::decline),
        ("GET", "/admin/users") => get(users::list),
        ("GET", "/admin/users/new") => get(users::new_form),
        ("POST", "/admin/users") => post(users::create),
        ("GET", "/admin/users/{id}") => get(users::edit_form),
        ("POST", "/admin/users/{id}") => post(users::update),
        ("POST", "/admin/users/{id}/password") => post(users::reset_password),
        ("GET", "/admin/audit") => get(console::audit),
        ("GET", "/admin/audit.csv") => get(console::audit_csv),
        ("GET", "/admin/sites") => get(console::sites),
        ("GET", "/admin/check") => get(console::check),
        ("GET", "/admin/sites/{code}/live/{*path}") => get(articles::live_asset),
        ("GET", "/admin/stats") => get(stats::overview),
        ("GET", "/admin/stats/ranking.csv") => get(stats::ranking_csv),
        ("GET", "/admin/stats/{code}") => get(stats::site),
        ("GET", "/admin/stats/{code}/export.csv") => get(stats::site_csv),
        ("GET", "/admin/api/stats") => get(stats::api_ranking),
        ("GET", "/admin/api/stats/{code}") => get(stats::api_site),
        ("GET", "/admin/inspection") => get(inspection::overview),
        ("POST", "/admin/inspection/run") => post(inspection::run_now),
        ("GET", "/admin/inspection/{code}") => get(inspection::site),
        ("POST", "/admin/inspection/{code}/restore") => post(inspection::restore),
        ("GET", "/admin/reports/inspection") => get(reports::group),
        ("GET", "/admin/reports/inspection/{code}") => get(reports::site),
        ("GET", "/admin/notices") => get(notices::list),
        ("POST", "/admin/notices/{nid}/read") => post(notices::read),
        ("GET", "/admin/mailboxes") => get(mailboxes::list),
        ("POST", "/admin/mailboxes") => post(mailboxes::apply),
        ("GET", "/admin/mailboxes/{mid}") => get(mailboxes::show),
        ("POST", "/admin/mailboxes/{mid}/issue") => post(mailboxes::issue),
        ("POST", "/admin/mailboxes/{mid}/change") => post(mailboxes::change),
        ("POST", "/admin/mailboxes/{mid}/cancel") => post(mailboxes::cancel),
        ("GET", "/admin/messages") => get(messages::inbox),
        ("POST", "/admin/messages/settings") => post(messages::settings),
        ("GET", "/admin/messages/{msg}") => get(messages::show),
        ("POST", "/admin/messages/{msg}/acknowledge") => post(messages::acknowledge),
        ("POST", "/admin/messages/{msg}/transfer") => post(messages::transfer),
        ("POST", "/admin/messages/{msg}/complex") => post(messages::complex),
        ("POST", "/admin/messages/{msg}/extension") => post(messages::extension),
        ("POST", "/admin/messages/{msg}/extension/decide") => post(messages::decide),
        ("POST", "/admin/messages/{msg}/reply") => post(messages::reply),
        ("POST", "/admin/messages/{msg}/review") => post(messages::review),
        ("GET", "/admin/solicitations") => get(solicitations::list),
        ("POST", "/admin/solicitations") => post(solicitations::create),
        ("GET", "/admin/solicitations/{sid}") => get(solicitations::show),
        ("POST", "/admin/solicitations/{sid}") => post(solicitations::update),
        ("POST", "/admin/solicitations/{sid}/summary") => post(solicitations::summary),
        ("POST", "/admin/solicitations/{sid}/review") => post(solicitations::review),
        ("GET", "/admin/interaction") => get(message_oversight::dashboard),
        ("GET", "/admin/reports/messages") => get(message_oversight::group_report),
        ("GET", "/admin/reports/messages/{code}") => get(message_oversight::site_report),
        _ => unreachable!("route {method} {path} is in ROUTES but has no handler"),
    }
}

/// The admin router: every route of `ROUTES`, behind the gate.
pub fn router(state: AppState) -> Router<AppState> {
    let mut router = Router::new();
    for spec in ROUTES {
        router = router.route(spec.path, handler(spec.method, spec.path));
    }
    // The gate runs first; refusals a handler returns are rendered inside it.
    router
        .route_layer(axum::middleware::from_fn(super::error::answer_refusals))
        .route_layer(axum::middleware::from_fn_with_state(state, super::session::gate))
}
