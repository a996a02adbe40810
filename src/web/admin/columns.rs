//! The column page: a site's column tree for everyone of the site; for its administrator (and
//! the central office) the forms that add a column or a 专题, change one and move it, and the
//! site's change log, where the central office can veto a change. The rules and the writing
//! live in `crate::columns`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::error::{AdminError, SiteInPath};
use super::session::Session;
use super::{see_other, views, SiteInfo};
use crate::auth::Action;
use crate::columns::edit::{Edit, TopicFields};
use crate::columns::{self as manage, ColumnsError};
use crate::content::now_local;
use crate::group::model::{ColumnDef, ColumnKind};
use crate::store::mailboxes::Actor;
use crate::web::AppState;

/// Kinds a site may add (互动 columns come with the group).
const ADDABLE: [ColumnKind; 6] = [
    ColumnKind::News,
    ColumnKind::Notice,
    ColumnKind::Policy,
    ColumnKind::Guide,
    ColumnKind::Overview,
    ColumnKind::Topic,
];

/// One row of the column tree.
#[derive(Debug, Clone, Serialize)]
struct Row {
    slug: String,
    name: String,
    depth: usize,
    kind: &'static str,
    kind_label: &'static str,
    parent: Option<String>,
    base: bool,
    hidden: bool,
    intro: Option<String>,
    ends: Option<String>,
    archived: bool,
    /// A 专题 that is archived or past its last day.
    over: bool,
}

/// The tree as the navigation reads it: each top-level column followed by its children, whatever
/// the order of the file.
fn rows(columns: &[ColumnDef], base: &[ColumnDef], today: &str) -> Vec<Row> {
    let tops = columns.iter().filter(|c| c.parent.is_none());
    let ordered = tops.flat_map(|t| {
        std::iter::once(t).chain(columns.iter().filter(move |c| c.parent.as_deref() == Some(t.slug.as_str())))
    });
    ordered
        .map(|c| Row {
            slug: c.slug.clone(),
            name: c.name.clone(),
            depth: usize::from(c.parent.is_some()),
            kind: c.kind.as_str(),
            kind_label: c.kind.label(),
            parent: c.parent.clone(),
            base: base.iter().any(|b| b.slug == c.slug),
            hidden: c.hidden,
            intro: c.intro.clone(),
            ends: c.ends.clone(),
            archived: c.archived,
            over: c.is_over(today),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    site: String,
    ok: String,
}

/// What a refused form showed, so that the page shows it again beside the reasons.
#[derive(Debug, Default, Clone, Serialize)]
struct Refused {
    messages: Vec<String>,
    /// The add form's fields, when it was the add form.
    add: Option<AddForm>,
    /// The slug of the column whose form was refused.
    slug: Option<String>,
}

fn actor(s: &Session) -> Actor<'_> {
    Actor { name: &s.user.username, ip: Some(&s.ip), user_id: Some(s.user.id) }
}

fn flash(code: &str) -> Option<&'static str> {
    Some(match code {
        "changed" => "栏目已修改，网站正在按新栏目重新发布",
        "vetoed" => "已撤销该项栏目变更，网站正在按原栏目重新发布",
        _ => return None,
    })
}

/// `GET /admin/columns?site=CODE`.
pub async fn page(
    State(state): State<AppState>,
    Extension(s): Extension<Session>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AdminError> {
    let info = match s.user.site_id {
        Some(id) => state.admin.site(Some(id)),
        None => state.admin.site_by_code(&q.site).or_else(|| state.admin.site(state.admin.site_order.first().copied())),
    }
    .cloned()
    .ok_or_else(|| AdminError::not_found("站点不存在"))?;
    render(&state, &s, &info, StatusCode::OK, Refused::default(), flash(&q.ok)).await
}

async fn render(
    state: &AppState,
    s: &Session,
    info: &SiteInfo,
    status: StatusCode,
    refused: Refused,
    flash: Option<&'static str>,
) -> Result<Response, AdminError> {
    let group = state.project.group();
    let site = group.site(&info.code).ok_or_else(|| AdminError::not_found("站点不存在"))?;
    let manage = s.user.role.can(Action::ManageColumns);
    // The form works on the file as it is now; its version makes a stale form a conflict.
    let (columns, version) = match manage {
        true => manage::current(&state.project, &info.code).map_err(into_admin)?,
        false => (site.def.columns.clone(), String::new()),
    };
    let today = &now_local()[..10];
    let tree = rows(&columns, &group.def.base_columns, today);
    let parents: Vec<_> =
        columns.iter().filter(|c| c.parent.is_none()).map(|c| context! { slug => &c.slug, name => &c.name }).collect();
    let kinds: Vec<_> = ADDABLE.iter().map(|k| context! { value => k.as_str(), label => k.label() }).collect();
    let changes = match manage {
        true => state.project.store.column_changes(s.scope, Some(info.id), 30).await?,
        false => Vec::new(),
    };
    let mut r = views::page(
        s,
        state.admin.site(s.user.site_id),
        "columns.html",
        context! {
            site => info, sites => state.admin.pickers(s.scope), levels => site.def.review_levels,
            columns => tree, manage => manage, can_veto => s.user.role.can(Action::VetoColumns),
            version => version, parents => parents, kinds => kinds, changes => changes,
            refused => refused, flash => flash, file => site.file.file_name().map(|f| f.to_string_lossy().to_string()),
        },
    );
    *r.status_mut() = status;
    Ok(r)
}

fn into_admin(e: ColumnsError) -> AdminError {
    match e {
        ColumnsError::Store(e) => AdminError::Store(e),
        ColumnsError::Stale => AdminError::refused(StatusCode::CONFLICT, e.to_string()),
        other => AdminError::bad_request(other.to_string()),
    }
}

/// The page again with the reasons a change was refused, or the error page for the rest.
async fn refused_page(
    state: &AppState,
    s: &Session,
    info: &SiteInfo,
    e: ColumnsError,
    add: Option<AddForm>,
    slug: Option<String>,
) -> Result<Response, AdminError> {
    let (status, messages) = match e {
        ColumnsError::Invalid(problems) => (StatusCode::BAD_REQUEST, problems.into_iter().map(|p| p.chinese).collect()),
        ColumnsError::Refused(r) => (StatusCode::BAD_REQUEST, vec![r.message()]),
        ColumnsError::Group(m) => (StatusCode::BAD_REQUEST, vec![format!("站群配置未通过校验，未作修改：{m}")]),
        ColumnsError::Stale => (StatusCode::CONFLICT, vec![ColumnsError::Stale.to_string()]),
        other => return Err(into_admin(other)),
    };
    render(state, s, info, status, Refused { messages, add, slug }, None).await
}

/// Makes `edit` and answers: back to the page, or the page again with the reasons.
async fn make(
    state: &AppState,
    s: &Session,
    info: &SiteInfo,
    version: &str,
    edit: &Edit,
    add: Option<AddForm>,
    slug: Option<String>,
) -> Result<Response, AdminError> {
    match manage::change(&state.project, &info.code, version, edit, actor(s)).await {
        Ok(_) => Ok(done(state, &info.code, "changed").await),
        Err(e) => refused_page(state, s, info, e, add, slug).await,
    }
}

async fn done(state: &AppState, code: &str, what: &str) -> Response {
    // The search page of the site carries its navigation too.
    if let Some(search) = &state.search {
        if let Err(e) = search.refresh_pages(&state.project.group(), &state.project.themes) {
            tracing::warn!(error = %e, "the search pages keep the old navigation until a restart");
        }
    }
    super::review::publish_now(state).await;
    see_other(&format!("/admin/columns?site={code}&ok={what}"))
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct AddForm {
    version: String,
    slug: String,
    name: String,
    kind: String,
    parent: String,
    intro: String,
    ends: String,
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `POST /admin/columns/{code}/add`.
pub async fn add(
    State(state): State<AppState>,
    Extension(s): Extension<Session>,
    SiteInPath { info, .. }: SiteInPath,
    Form(f): Form<AddForm>,
) -> Result<Response, AdminError> {
    let Some(kind) = ColumnKind::parse(&f.kind).filter(|k| ADDABLE.contains(k)) else {
        let e = ColumnsError::Refused(crate::columns::edit::Refusal::Unsupported("请选择栏目类型".into()));
        return refused_page(&state, &s, &info, e, Some(f), None).await;
    };
    let mut c = ColumnDef::new(f.slug.trim(), f.name.trim(), kind, optional(&f.parent).as_deref());
    if kind == ColumnKind::Topic {
        c.intro = optional(&f.intro);
        c.ends = optional(&f.ends);
    }
    let version = f.version.clone();
    make(&state, &s, &info, &version, &Edit::Add(c), Some(f), None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateForm {
    version: String,
    name: String,
    parent: String,
    hidden: Option<String>,
    intro: String,
    ends: String,
    archived: Option<String>,
}

fn slug_in(path: &HashMap<String, String>) -> String {
    path.get("slug").cloned().unwrap_or_default()
}

/// `POST /admin/columns/{code}/{slug}`: new settings for one column.
pub async fn update(
    State(state): State<AppState>,
    Extension(s): Extension<Session>,
    SiteInPath { info, .. }: SiteInPath,
    Path(path): Path<HashMap<String, String>>,
    Form(f): Form<UpdateForm>,
) -> Result<Response, AdminError> {
    let slug = slug_in(&path);
    let edit = Edit::Update {
        slug: slug.clone(),
        name: f.name.clone(),
        parent: optional(&f.parent),
        hidden: f.hidden.is_some(),
        topic: TopicFields { intro: optional(&f.intro), ends: optional(&f.ends), archived: f.archived.is_some() },
    };
    make(&state, &s, &info, &f.version, &edit, None, Some(slug)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    version: String,
    /// `up` or `down`.
    dir: String,
}

/// `POST /admin/columns/{code}/{slug}/move`.
pub async fn move_column(
    State(state): State<AppState>,
    Extension(s): Extension<Session>,
    SiteInPath { info, .. }: SiteInPath,
    Path(path): Path<HashMap<String, String>>,
    Form(f): Form<MoveForm>,
) -> Result<Response, AdminError> {
    let slug = slug_in(&path);
    let edit = Edit::Move { slug: slug.clone(), up: f.dir != "down" };
    make(&state, &s, &info, &f.version, &edit, None, Some(slug)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VetoForm {
    reason: String,
}

/// `POST /admin/column-changes/{cid}/veto`: the central office puts the columns back.
pub async fn veto(
    State(state): State<AppState>,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Form(f): Form<VetoForm>,
) -> Result<Response, AdminError> {
    let change = state.project.store.column_change(s.scope, id).await?;
    match manage::veto(&state.project, s.scope, id, &f.reason, actor(&s)).await {
        Ok(()) => Ok(done(&state, &change.site_code, "vetoed").await),
        Err(e) => {
            let info = state
                .admin
                .site_by_code(&change.site_code)
                .cloned()
                .ok_or(AdminError::Store(crate::store::StoreError::NotFound))?;
            refused_page(&state, &s, &info, e, None, None).await
        }
    }
}
