//! The official mailbox registry in the admin (统一公务邮箱): a site's administrator applies for
//! the unit's or a staff member's mailbox; the central office issues, changes and cancels; each
//! record shows its history.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Form};
use minijinja::context;
use serde::Deserialize;

use super::session::Session;
use super::{see_other, store_error, views};
use crate::store::mailboxes::{label, MailboxFields, OfficialMailbox};
use crate::store::StoreError;
use crate::web::AppState;

#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MailboxForm {
    /// Site code (the central office applies for any site; a site admin for their own).
    site: String,
    /// The part before `@`; the domain is always the group's.
    local: String,
    holder: String,
    purpose: String,
    listed: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
}

#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Flash {
    ok: String,
}

const MAX_PURPOSE: usize = 40;
const MAX_HOLDER: usize = 20;

/// The fields of a form, checked; errors are (field, message).
fn fields(f: &MailboxForm, domain: &str) -> Result<MailboxFields, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let local = f.local.trim().to_ascii_lowercase();
    let address = format!("{local}@{domain}");
    let local_ok = (1..=64).contains(&local.len())
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && !local.starts_with('.')
        && !local.ends_with('.');
    if !local_ok || !crate::group::formats::is_official_mail(&address, domain) {
        errors.push(("local", format!("邮箱名只能用小写字母、数字和 . _ -（1 到 64 个字符），域名固定为 @{domain}")));
    }
    let holder = f.holder.trim();
    if holder.chars().count() > MAX_HOLDER {
        errors.push(("holder", format!("使用人姓名不超过 {MAX_HOLDER} 个字；单位邮箱请留空")));
    }
    let purpose = f.purpose.trim();
    if purpose.is_empty() || purpose.chars().count() > MAX_PURPOSE {
        errors.push(("purpose", format!("请填写用途（如“单位对外联系”“办公室”），不超过 {MAX_PURPOSE} 个字")));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(MailboxFields {
        address,
        holder: (!holder.is_empty()).then(|| holder.to_string()),
        purpose: purpose.to_string(),
        listed: f.listed.is_some(),
    })
}

fn row_view(state: &AppState, b: &OfficialMailbox) -> minijinja::Value {
    let site = state.admin.sites.get(&b.site_id);
    context! {
        id => b.id, address => &b.address, holder => &b.holder, purpose => &b.purpose,
        status => &b.status, status_label => label(&b.status), listed => b.listed,
        site => site, updated_at => b.updated_at,
    }
}

fn list_page(
    state: &AppState,
    s: &Session,
    list: &[OfficialMailbox],
    form: &MailboxForm,
    errors: Vec<(&'static str, String)>,
    ok: &str,
) -> Response {
    let counts = |st: &str| list.iter().filter(|b| b.status == st).count();
    let rows: Vec<_> = list.iter().map(|b| row_view(state, b)).collect();
    let mut r = views::page(
        s,
        state.admin.site(s.user.site_id),
        "mailboxes.html",
        context! {
            rows => rows, form => form, ok => ok,
            errors => errors.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            domain => &state.project.group().def.mail_domain,
            sites => state.admin.pickers(s.scope),
            applied => counts("applied"), issued => counts("issued"), cancelled => counts("cancelled"),
        },
    );
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    r
}

/// `GET /admin/mailboxes`: the registry of the user's scope and the application form.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(flash): Query<Flash>,
) -> Response {
    match state.project.store.mailboxes(s.scope).await {
        Ok(list) => list_page(&state, &s, &list, &MailboxForm::default(), Vec::new(), &flash.ok),
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/mailboxes`: an application.
pub async fn apply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Form(f): Form<MailboxForm>,
) -> Response {
    let site_id = match s.scope.site_id() {
        Some(id) => Some(id),
        None => state.admin.site_by_code(f.site.trim()).map(|i| i.id),
    };
    let store = &state.project.store;
    let checked = fields(&f, &state.project.group().def.mail_domain);
    let (Some(site_id), Ok(fields)) = (site_id, &checked) else {
        let mut errors = checked.err().unwrap_or_default();
        if site_id.is_none() {
            errors.push(("site", "请选择申请邮箱的网站（单位）".to_string()));
        }
        return match store.mailboxes(s.scope).await {
            Ok(list) => list_page(&state, &s, &list, &f, errors, ""),
            Err(e) => store_error(&headers, e),
        };
    };
    let by = s.actor();
    match store.apply_mailbox(s.scope, site_id, fields, by).await {
        Ok(id) => see_other(&format!("/admin/mailboxes/{id}?ok=applied")),
        Err(StoreError::Conflict(m)) => match store.mailboxes(s.scope).await {
            Ok(list) => list_page(&state, &s, &list, &f, vec![("local", m)], ""),
            Err(e) => store_error(&headers, e),
        },
        Err(e) => store_error(&headers, e),
    }
}

/// `GET /admin/mailboxes/{id}`: one record, its history, and the central office's actions.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Response {
    let (b, events) = match state.project.store.mailbox(s.scope, id).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let local = b.address.split('@').next().unwrap_or_default().to_string();
    let form = MailboxForm {
        site: String::new(),
        local,
        holder: b.holder.clone().unwrap_or_default(),
        purpose: b.purpose.clone(),
        listed: b.listed.then(|| "on".into()),
    };
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "mailbox.html",
        context! {
            b => row_view(&state, &b), form => form, events => events, ok => flash.ok,
            domain => &state.project.group().def.mail_domain,
        },
    )
}

/// `POST /admin/mailboxes/{id}/issue` (central office).
pub async fn issue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
) -> Response {
    match state.project.store.issue_mailbox(s.scope, id, s.actor()).await {
        Ok(()) => {
            // The contact page follows the registry at once.
            super::review::publish_now(&state).await;
            see_other(&format!("/admin/mailboxes/{id}?ok=issued"))
        }
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/mailboxes/{id}/change` (central office).
pub async fn change(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<MailboxForm>,
) -> Response {
    let fields = match fields(&f, &state.project.group().def.mail_domain) {
        Ok(v) => v,
        Err(errors) => {
            let msg = errors.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("；");
            return store_error(&headers, StoreError::Conflict(msg));
        }
    };
    match state.project.store.change_mailbox(s.scope, id, &fields, s.actor()).await {
        Ok(()) => {
            // The contact page follows the registry at once.
            super::review::publish_now(&state).await;
            see_other(&format!("/admin/mailboxes/{id}?ok=changed"))
        }
        Err(e) => store_error(&headers, e),
    }
}

/// `POST /admin/mailboxes/{id}/cancel` (central office), with a reason.
pub async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> Response {
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 100 {
        return store_error(&headers, StoreError::Conflict("请填写注销原因（不超过 100 个字）".into()));
    }
    match state.project.store.cancel_mailbox(s.scope, id, reason, s.actor()).await {
        Ok(()) => {
            // The contact page follows the registry at once.
            super::review::publish_now(&state).await;
            see_other(&format!("/admin/mailboxes/{id}?ok=cancelled"))
        }
        Err(e) => store_error(&headers, e),
    }
}
