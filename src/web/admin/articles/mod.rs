//! The editor's workspace: dashboard, column tree, article list, the article form with its
//! live preview, autosave and uploads, and the files a draft uses.

mod batch;
mod checks;
mod compare;
mod files;
mod preview;
mod word;

pub use batch::{batch, delete, trash, undelete};
pub use files::{delete_attachment, file, live_asset, upload};
pub use preview::{preview_form, preview_saved};
pub use word::import_word;

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use minijinja::{context, Value};
use serde::Serialize;

use super::session::{refuse, Session};
use super::{see_other, store_error, views, SiteInfo};
use crate::auth::Action;
use crate::content::attachment::Attachment;
use crate::content::draft::{DraftInput, FieldError};
use crate::content::now_local;
use crate::group::{Group, Site};
use crate::publish::render::SiteRenderer;
use crate::store::editorial::{ArticleView, ListFilter, LIST_PAGE};
use crate::store::hands::{Part, Subject};
use crate::store::published::{AttachmentRef, PublishedArticle, SiteContent};
use crate::store::StoreError;
use crate::web::AppState;

/// A column for the pickers and the column tree.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnOption {
    pub slug: String,
    pub name: String,
    pub depth: usize,
    pub kind: &'static str,
    pub base: bool,
}

pub fn columns_of(site: &Site, base: &[String]) -> Vec<ColumnOption> {
    let cols = &site.def.columns;
    let depth = |c: &crate::group::ColumnDef| {
        let mut d = 0;
        let mut cur = c.parent.as_deref();
        while let Some(p) = cur {
            d += 1;
            cur = cols.iter().find(|x| x.slug == p).and_then(|x| x.parent.as_deref());
            if d > cols.len() {
                break;
            }
        }
        d
    };
    // Parents first, each followed by its children, as the tree reads.
    let mut out = Vec::new();
    fn push(
        cols: &[crate::group::ColumnDef],
        parent: Option<&str>,
        out: &mut Vec<ColumnOption>,
        base: &[String],
        depth: &dyn Fn(&crate::group::ColumnDef) -> usize,
    ) {
        for c in cols.iter().filter(|c| c.parent.as_deref() == parent) {
            out.push(ColumnOption {
                slug: c.slug.clone(),
                name: c.name.clone(),
                depth: depth(c),
                kind: c.kind.as_str(),
                base: base.contains(&c.slug),
            });
            if out.len() <= cols.len() {
                push(cols, Some(&c.slug), out, base, depth);
            }
        }
    }
    push(cols, None, &mut out, base, &depth);
    out
}

fn base_slugs(state: &AppState) -> Vec<String> {
    state.project.group().def.base_columns.iter().map(|c| c.slug.clone()).collect()
}

fn group_site<'a>(group: &'a Group, info: Option<&SiteInfo>) -> Option<&'a Site> {
    info.and_then(|i| group.site(&i.code))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Flash {
    ok: String,
}

pub(super) fn flash_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "草稿已保存",
        "restored" => "已把所选版本恢复为草稿，核对后可提交审核",
        "deleted" => "稿件已删除到回收站",
        "undeleted" => "稿件已从回收站恢复",
        "submitted" => "已提交审核",
        "password" => "密码已修改",
        "approved" => "已审核通过",
        "published" => "已审核通过并发布到网站",
        "scheduled" => "已审核通过，将在设定时间自动发布",
        "rejected" => "已退回给作者",
        "withdrawn" => "已撤稿，页面已从网站移除",
        "unlinked" => "已从本文件页面移除该解读的链接",
        "offered" => "已报送，等待对方审核采用",
        "referenced" => "已引用到所选栏目，页面随即发布",
        "uploaded" => "附件已上传",
        "removed" => "附件已删除",
        "created" => "用户已创建",
        "updated" => "用户已更新",
        "reset" => "密码已重置，用户下次登录时须修改",
        _ => return None,
    })
}

pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(flash): Query<Flash>,
) -> Response {
    let store = &state.project.store;
    let now = now_local();
    let site = state.admin.site(s.user.site_id);
    let list = |f: ListFilter| {
        let (store, s, now) = (store.clone(), s.clone(), now.clone());
        async move { store.list_articles(s.scope, &s.user, &f, &now).await.map(|r| r.0) }
    };
    let mine = |state: &str| ListFilter { state: state.into(), mine: true, ..Default::default() };
    let result = async {
        let drafts = if s.user.role.can(Action::Write) { list(mine("draft")).await? } else { Vec::new() };
        let waiting = if s.user.role.can(Action::Write) { list(mine("submitted")).await? } else { Vec::new() };
        let rejected = if s.user.role.can(Action::Write) { list(mine("rejected")).await? } else { Vec::new() };
        let queue = if s.user.role.can(Action::Review) { store.review_queue(s.scope, &now).await? } else { Vec::new() };
        let published = list(ListFilter { state: "published".into(), ..Default::default() }).await?;
        let figures = store.site_figures(s.scope).await?;
        let today = crate::interaction::deadline::beijing_day(crate::store::now_unix());
        let messages: std::collections::BTreeMap<&str, i64> =
            store.inbox_counts(s.scope, today).await?.into_iter().map(|(f, n)| (f.as_str(), n)).collect();
        Ok::<_, StoreError>((drafts, waiting, rejected, queue, published, figures, messages))
    }
    .await;
    let (drafts, waiting, rejected, queue, published, figures, messages) = match result {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let totals = figures.values().fold((0, 0, 0), |t, f| (t.0 + f.published, t.1 + f.waiting, t.2 + f.drafts));
    views::page(
        &s,
        site,
        "dashboard.html",
        context! {
            flash => flash_message(&flash.ok),
            drafts => drafts.into_iter().take(10).collect::<Vec<_>>(),
            waiting => waiting.into_iter().take(10).collect::<Vec<_>>(),
            rejected => rejected.into_iter().take(10).collect::<Vec<_>>(),
            queue => queue.into_iter().take(10).collect::<Vec<_>>(),
            published => published.into_iter().take(10).collect::<Vec<_>>(),
            totals => context! { published => totals.0, waiting => totals.1, drafts => totals.2 },
            messages => messages,
            levels => site.map(|s| s.review_levels),
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(mut f): Query<ListFilter>,
) -> Response {
    if s.scope.site_id().is_some() {
        f.site.clear();
    }
    let now = now_local();
    let (rows, total) = match state.project.store.list_articles(s.scope, &s.user, &f, &now).await {
        Ok(r) => r,
        Err(e) => return store_error(&headers, e),
    };
    let info = state.admin.site(s.user.site_id);
    let group = state.project.group();
    let columns = group_site(&group, info.or_else(|| state.admin.site_by_code(&f.site)))
        .map(|site| columns_of(site, &base_slugs(&state)))
        .unwrap_or_default();
    let sites = state.admin.pickers(s.scope);
    let page = f.page.unwrap_or(1).max(1) as i64;
    let pages = ((total + LIST_PAGE - 1) / LIST_PAGE).max(1);
    let mut query = f.clone();
    query.page = None;
    let base_query = serde_urlencoded::to_string(&query).unwrap_or_default();
    views::page(
        &s,
        info,
        "articles.html",
        context! {
            rows => rows, total => total, filter => &f, columns => columns, sites => sites,
            page => page, pages => pages, base_query => base_query,
        },
    )
}

/// Everything the article form needs.
struct FormPage<'a> {
    article: Option<&'a ArticleView>,
    input: DraftInput,
    errors: Vec<FieldError>,
    flash: Option<&'static str>,
    /// The user wrote or changed the revision under review (so may not review it).
    wrote: bool,
    /// The content check of what the form shows.
    checks: Vec<crate::content::check::Placed>,
}

/// The content check of a draft shown on the form of `info`'s site.
async fn checks_for(state: &AppState, info: &SiteInfo, input: &DraftInput) -> Vec<crate::content::check::Placed> {
    let group = state.project.group();
    match group.site(&info.code) {
        Some(site) => checks::of_draft(state, site, &input.title, &input.body).await,
        None => Vec::new(),
    }
}

fn form_page(state: &AppState, s: &Session, info: &SiteInfo, p: FormPage<'_>) -> Response {
    let group = state.project.group();
    let Some(site) = group.site(&info.code) else {
        return views::error_page(StatusCode::NOT_FOUND, "站点不存在");
    };
    let errors: HashMap<&str, &str> = p.errors.iter().map(|e| (e.field, e.message.as_str())).collect();
    let work = p.article.and_then(|a| a.work.as_ref());
    let deleted = p.article.is_some_and(|a| a.deleted_at.is_some());
    // A reference (引用) and an article taken in through 信息报送 show their source's text,
    // which only the source edits.
    let taken = p.article.is_some_and(|a| a.taken_from.is_some() || a.reference_of.is_some());
    // The other columns of the site a reviewer may show this published article in (引用).
    let refer_to: Vec<Value> = match p.article {
        Some(a) if a.status == "published" && !taken && s.user.role.can(Action::Review) => site
            .def
            .columns
            .iter()
            .filter(|c| c.kind.shares_articles() && !c.is_over(&now_local()[..10]))
            .filter(|c| c.slug != a.column && !a.references.iter().any(|r| r.column == c.slug))
            .map(|c| context! { slug => &c.slug, name => &c.name })
            .collect(),
        _ => Vec::new(),
    };
    let editable = s.user.role.can(Action::Write) && work.is_none_or(|w| w.state.editable()) && !deleted && !taken;
    // The sites this article may be offered to (信息报送): published, its own, not offered there yet.
    let offer_to: Vec<Value> = match p.article {
        Some(a) if a.status == "published" && !taken && s.user.role.can(Action::Write) => group
            .def
            .submissions
            .iter()
            .filter(|t| t.site != info.code)
            .filter(|t| {
                !a.submissions.iter().any(|x| {
                    x.to_site == t.site
                        && matches!(
                            x.state,
                            crate::store::submissions::SubmissionState::Submitted
                                | crate::store::submissions::SubmissionState::Accepted
                        )
                })
            })
            .filter_map(|t| group.site(&t.site))
            .map(|site| context! { code => site.code(), name => &site.def.name })
            .collect(),
        _ => Vec::new(),
    };
    let own = p.wrote || work.and_then(|w| w.author_id) == Some(s.user.id);
    let reviewable = s.user.role.can(Action::Review)
        && work.is_some_and(|w| w.state == crate::store::editorial::RevState::Submitted)
        && !own;
    let own_submission = s.user.role.can(Action::Review) && own;
    let attachments: Vec<Value> = p
        .article
        .and_then(|a| a.current())
        .map(|r| {
            r.attachments
                .iter()
                .map(|f| {
                    let url = crate::publish::context::blob_path(&f.sha256, &f.mime, &SiteContent::default());
                    let in_body = f.mime.starts_with("image/") && p.input.body.contains(f.sha256.as_str());
                    context! { ..Value::from_serialize(f), ..context! { url => url, is_image => f.mime.starts_with("image/"), in_body => in_body } }
                })
                .collect()
        })
        .unwrap_or_default();
    // An approved article whose time has not come is 定时发布, with no live page to link to yet.
    let live = p.article.filter(|a| a.status == "published").and_then(|a| a.live.as_ref());
    let now = now_local();
    let scheduled_at = live.filter(|l| l.publish_at > now).map(|l| l.publish_at.get(..16).unwrap_or_default());
    // The address citizens use, shown and linked as it is.
    let live_url = live.filter(|_| scheduled_at.is_none()).map(|l| {
        // The article's own column: a copy's page lives in its column, not its source's.
        let column = p.article.map_or(l.input.column.as_str(), |a| a.column.as_str());
        let path = crate::content::article_path(column, &l.publish_at, p.article.map(|a| a.id).unwrap_or(0));
        state.project.group().url(site, &path)
    });
    // An ended 专题 is offered only to the article already in it.
    let today = &now[..10];
    let open_columns: Vec<ColumnOption> = columns_of(site, &base_slugs(state))
        .into_iter()
        .filter(|c| c.slug == p.input.column || !site.def.columns.iter().any(|d| d.slug == c.slug && d.is_over(today)))
        .collect();
    let mut r = views::page(
        s,
        state.admin.site(s.user.site_id),
        "edit.html",
        context! {
            article => p.article,
            input => &p.input,
            editor_html => crate::content::richtext::for_editor(&p.input.body),
            topics => site.topics.to_vec(),
            errors => errors,
            error_list => &p.errors,
            flash => p.flash,
            site => info,
            columns => open_columns,
            attachments => attachments,
            editable => editable,
            offer_to => offer_to,
            refer_to => refer_to,
            reviewable => reviewable,
            own_submission => own_submission,
            levels => info.review_levels,
            live_url => live_url,
            scheduled_at => scheduled_at,
            changes => p.article.and_then(|a| compare::live_vs_work(site, a)),
            checks => &p.checks,
            vetoes => p.checks.iter().filter(|c| c.hit.veto).count(),
            now => now.get(..16).unwrap_or_default().replace(' ', "T"),
        },
    );
    if !p.errors.is_empty() {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

pub async fn new_form(State(state): State<AppState>, Extension(s): Extension<Session>) -> Response {
    let Some(info) = state.admin.site(s.user.site_id) else {
        return views::error_page(StatusCode::FORBIDDEN, "只有站点用户可以写稿件");
    };
    let mut input = DraftInput::default();
    input.normalize();
    let group = state.project.group();
    input.column = group_site(&group, Some(info))
        .and_then(|site| site.def.columns.iter().find(|c| c.slug == "gzdt").or(site.def.columns.first()))
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    let page = FormPage { article: None, input, errors: Vec::new(), flash: None, wrote: false, checks: Vec::new() };
    form_page(&state, &s, info, page)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Intent {
    intent: String,
}

/// The form as posted: the draft fields plus what the button asked for.
fn parse_form(body: &[u8]) -> (DraftInput, String) {
    let mut input: DraftInput = serde_urlencoded::from_bytes(body).unwrap_or_default();
    input.normalize();
    let intent = serde_urlencoded::from_bytes::<Intent>(body).map(|i| i.intent).unwrap_or_default();
    (input, intent)
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    body: axum::body::Bytes,
) -> Response {
    let (input, intent) = parse_form(&body);
    save_and_continue(&state, &headers, &s, None, input, &intent).await
}

pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let (input, intent) = parse_form(&body);
    save_and_continue(&state, &headers, &s, Some(id), input, &intent).await
}

/// Saves the draft; with `intent=submit` also checks it for review and submits it.
async fn save_and_continue(
    state: &AppState,
    headers: &HeaderMap,
    s: &Session,
    id: Option<i64>,
    input: DraftInput,
    intent: &str,
) -> Response {
    let store = &state.project.store;
    let existing = match id {
        Some(id) => match store.article(s.scope, id).await {
            Ok(Some(a)) => Some(a),
            Ok(None) => return store_error(headers, StoreError::NotFound),
            Err(e) => return store_error(headers, e),
        },
        None => None,
    };
    let Some(info) = state.admin.site(existing.as_ref().map(|a| a.site_id).or(s.user.site_id)).cloned() else {
        return store_error(headers, StoreError::NotFound);
    };
    let saved = match store.save_draft(s.scope, &s.user, id, &input).await {
        Ok(id) => id,
        Err(StoreError::Fields(errors)) => {
            let checks = checks_for(state, &info, &input).await;
            let article = existing.as_ref();
            let page = FormPage { article, input: input.clone(), errors, flash: None, wrote: false, checks };
            return form_page(state, s, &info, page);
        }
        Err(e) => return store_error(headers, e),
    };
    if intent != "submit" {
        return see_other(&format!("/admin/articles/{saved}?ok=saved"));
    }
    submit_saved(state, headers, s, &info, saved, Some(input)).await
}

async fn submit_saved(
    state: &AppState,
    headers: &HeaderMap,
    s: &Session,
    info: &SiteInfo,
    id: i64,
    input: Option<DraftInput>,
) -> Response {
    let store = &state.project.store;
    let article = match store.article(s.scope, id).await {
        Ok(Some(a)) => a,
        Ok(None) => return store_error(headers, StoreError::NotFound),
        Err(e) => return store_error(headers, e),
    };
    let Some(input) = input.or_else(|| article.work.as_ref().map(|w| w.input.clone())) else {
        return store_error(headers, StoreError::Conflict("没有待提交的修改".into()));
    };
    let policy = store.is_policy_column(info.id, &input.column).await.unwrap_or(false);
    let mut errors = input.check_submit(policy, &now_local());
    let group = state.project.group();
    let site = group.site(&info.code);
    if let Some(e) = site.and_then(|site| input.check_topic(&site.topics)) {
        errors.push(e);
    }
    // An ended 专题 takes no new articles; one already in it may still be corrected.
    let ended = site.and_then(|site| site.def.columns.iter().find(|c| c.slug == input.column));
    let already_there = article.live.as_ref().is_some_and(|l| l.input.column == input.column);
    if let Some(c) = ended.filter(|c| c.is_over(&now_local()[..10]) && !already_there) {
        errors.push(FieldError {
            field: "column",
            message: format!("专题“{}”已结束，不再发布新稿件，请选择其他栏目", c.name),
        });
    }
    // Images uploaded as attachments carry their alt text; a body image must name its own.
    if article
        .work
        .as_ref()
        .is_some_and(|w| w.attachments.iter().any(|a| a.mime.starts_with("image/") && a.alt.is_none()))
    {
        errors.push(FieldError {
            field: "attachments",
            message: "有图片附件缺少替代文字，请删除后重新上传并填写".into(),
        });
    }
    if !errors.is_empty() {
        let checks = checks_for(state, info, &input).await;
        let page = FormPage { article: Some(&article), input, errors, flash: None, wrote: false, checks };
        return form_page(state, s, info, page);
    }
    match store.submit(s.scope, &s.user, id, &s.ip).await {
        Ok(()) => see_other(&format!("/admin/articles/{id}?ok=submitted")),
        Err(e) => store_error(headers, e),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
) -> Response {
    let site_id = match state.project.store.article(s.scope, id).await {
        Ok(Some(a)) => a.site_id,
        Ok(None) => return store_error(&headers, StoreError::NotFound),
        Err(e) => return store_error(&headers, e),
    };
    let Some(info) = state.admin.site(Some(site_id)).cloned() else {
        return store_error(&headers, StoreError::NotFound);
    };
    submit_saved(&state, &headers, &s, &info, id, None).await
}

/// 恢复为草稿: an earlier revision becomes the draft again (to be submitted as usual).
pub async fn restore(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path((id, number)): Path<(i64, i64)>,
) -> Response {
    match state.project.store.restore_revision(s.scope, &s.user, id, number, &s.ip).await {
        Ok(()) => see_other(&format!("/admin/articles/{id}?ok=restored")),
        Err(e) => store_error(&headers, e),
    }
}

#[derive(Serialize)]
struct AutosaveReply {
    ok: bool,
    id: Option<i64>,
    saved_at: String,
    errors: Vec<FieldError>,
    /// The content check of what was saved, and the page's panel showing it.
    checks: Vec<crate::content::check::Placed>,
    panel: String,
}

async fn autosave_into(state: &AppState, s: &Session, id: Option<i64>, body: &[u8]) -> Response {
    let (input, _) = parse_form(body);
    let saved_at = now_local().get(11..16).unwrap_or_default().to_string();
    match state.project.store.save_draft(s.scope, &s.user, id, &input).await {
        Ok(id) => {
            // A site's user writes on their site; only a central user's draft is looked up.
            let info = match s.user.site_id {
                Some(_) => state.admin.site(s.user.site_id).cloned(),
                None => match state.project.store.article(s.scope, id).await {
                    Ok(Some(a)) => state.admin.site(Some(a.site_id)).cloned(),
                    _ => None,
                },
            };
            let checks = match info {
                Some(info) => checks_for(state, &info, &input).await,
                None => Vec::new(),
            };
            let vetoes = checks.iter().filter(|c| c.hit.veto).count();
            let panel =
                views::fragment("checks.html", context! { checks => &checks, vetoes => vetoes, editable => true });
            Json(AutosaveReply { ok: true, id: Some(id), saved_at, errors: Vec::new(), checks, panel }).into_response()
        }
        Err(StoreError::Fields(errors)) => {
            let reply = AutosaveReply { ok: false, id, saved_at, errors, checks: Vec::new(), panel: String::new() };
            (StatusCode::BAD_REQUEST, Json(reply)).into_response()
        }
        Err(e) => {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, "application/json".parse().expect("static header"));
            store_error(&h, e)
        }
    }
}

pub async fn autosave_new(
    State(state): State<AppState>,
    Extension(s): Extension<Session>,
    body: axum::body::Bytes,
) -> Response {
    autosave_into(&state, &s, None, &body).await
}

pub async fn autosave(
    State(state): State<AppState>,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    autosave_into(&state, &s, Some(id), &body).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Response {
    show(&state, &headers, &s, id, flash_message(&flash.ok), Vec::new()).await
}

/// The article's page as `s` may see it, with the content check of what it shows; `errors`
/// are a refused review's (the 保密审查 box, the confirmation of findings).
pub(crate) async fn show(
    state: &AppState,
    headers: &HeaderMap,
    s: &Session,
    id: i64,
    flash: Option<&'static str>,
    errors: Vec<FieldError>,
) -> Response {
    let article = match state.project.store.article(s.scope, id).await {
        Ok(Some(a)) => a,
        Ok(None) => return store_error(headers, StoreError::NotFound),
        Err(e) => return store_error(headers, e),
    };
    let Some(info) = state.admin.site(Some(article.site_id)).cloned() else {
        return store_error(headers, StoreError::NotFound);
    };
    let input = article.current().map(|r| r.input.clone()).unwrap_or_default();
    let wrote = match article.work.as_ref().filter(|_| s.user.role.can(Action::Review)) {
        Some(w) => match state.project.store.had_hand(Subject::Revision, w.id, s.user.id, Part::Wrote).await {
            Ok(had) => had,
            Err(e) => return store_error(headers, e),
        },
        None => false,
    };
    let checks = checks_for(state, &info, &input).await;
    form_page(state, s, &info, FormPage { article: Some(&article), input, errors, flash, wrote, checks })
}
