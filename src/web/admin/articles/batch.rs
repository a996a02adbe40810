//! Work on many articles at once (批量审核, 批量撤稿, 批量移动, 置顶, 删除) and the 回收站.
//! A batch is the single-article operation repeated, each article checked on its own (its
//! tenant, its state, separation of duties), so a batch can do nothing one could not do by
//! hand; the result page says what happened to each article.

use super::*;
use crate::store::editorial::{ArticleRow, TRASH_DAYS};
use crate::store::workflow::{Approval, Decision};
use crate::web::admin::error::AdminError;
use crate::web::admin::review::publish_now;

/// The list form: which articles (`ids`, repeated) and what to do with them.
#[derive(Debug, Default)]
struct BatchForm {
    op: String,
    ids: Vec<i64>,
    /// The target column of 批量移动.
    column: String,
    /// The approval comment or the withdrawal reason.
    comment: String,
    /// The 保密审查 box of a batch approval.
    secrecy: bool,
}

#[derive(Debug, Serialize)]
struct Outcome {
    id: i64,
    title: String,
    ok: bool,
    message: String,
}

/// The most a batch takes: a page of the list, twice over.
const MAX_BATCH: usize = 60;

pub async fn batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    body: axum::body::Bytes,
) -> Response {
    // `ids=1&ids=2`: repeated keys, which serde_urlencoded reads into a Vec only in pairs.
    let mut f = BatchForm::default();
    for (k, v) in form_urlencoded_pairs(&body) {
        match k.as_str() {
            "op" => f.op = v,
            "ids" => {
                if let Ok(id) = v.parse() {
                    f.ids.push(id);
                }
            }
            "column" => f.column = v,
            "comment" => f.comment = v,
            "secrecy" => f.secrecy = !v.is_empty(),
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    f.ids.retain(|id| seen.insert(*id));
    if f.ids.is_empty() {
        return refuse(&headers, StatusCode::BAD_REQUEST, "请先勾选要处理的稿件");
    }
    if f.ids.len() > MAX_BATCH {
        return refuse(&headers, StatusCode::BAD_REQUEST, &format!("一次最多处理 {MAX_BATCH} 篇稿件"));
    }
    let (label, needs) = match f.op.as_str() {
        "approve" => ("批量审核通过", Action::Review),
        "withdraw" => ("批量撤稿", Action::Withdraw),
        "move" => ("批量移动", Action::Write),
        "pin" => ("置顶", Action::Write),
        "unpin" => ("取消置顶", Action::Write),
        "delete" => ("删除到回收站", Action::Write),
        _ => return refuse(&headers, StatusCode::BAD_REQUEST, "请选择要执行的批量操作"),
    };
    if !s.user.role.can(needs) {
        return refuse(&headers, StatusCode::FORBIDDEN, &format!("您的角色不能执行“{label}”"));
    }
    if f.op == "approve" && !f.secrecy {
        return refuse(
            &headers,
            StatusCode::BAD_REQUEST,
            "批量审核通过前，请确认已对所选稿件逐篇进行保密审查，并勾选“已进行保密审查”",
        );
    }
    if f.op == "move" && f.column.is_empty() {
        return refuse(&headers, StatusCode::BAD_REQUEST, "请选择要移动到的栏目");
    }
    let store = &state.project.store;
    let comment: String = f.comment.trim().chars().take(500).collect();
    let decision = Decision { comment: &comment, secrecy_reviewed: f.secrecy, confirmation: "" };
    let mut outcomes = Vec::with_capacity(f.ids.len());
    let mut published = false;
    for &id in &f.ids {
        let article = match store.article(s.scope, id).await {
            Ok(Some(a)) => a,
            Ok(None) => {
                outcomes.push(Outcome {
                    id,
                    title: String::new(),
                    ok: false,
                    message: "稿件不存在，或不属于您的站点".into(),
                });
                continue;
            }
            Err(e) => return store_error(&headers, e),
        };
        let title = article.current().map(|r| r.input.title.clone()).unwrap_or_default();
        let result: Result<&'static str, StoreError> = match f.op.as_str() {
            "approve" => match store.approve(s.scope, &state.project.group(), &s.user, id, &decision, &s.ip).await {
                Ok(Approval::Published { scheduled, .. }) => {
                    published |= !scheduled;
                    Ok(if scheduled { "已通过，到时自动发布" } else { "已通过并发布" })
                }
                Ok(_) => Ok("已通过本级审核，送下一级"),
                // A confirmation is written for one article after reading it, never for a batch.
                Err(StoreError::Fields(e)) if e.iter().any(|e| e.field == "confirmation") => {
                    Err(StoreError::Conflict("发布前检查发现须核实的问题，请打开稿件逐篇审核".into()))
                }
                Err(e) => Err(e),
            },
            "withdraw" => store.withdraw(s.scope, &s.user, id, &comment, &s.ip).await.map(|()| {
                published = true;
                "已撤稿"
            }),
            "delete" => store.delete_article(s.scope, &s.user, id, &s.ip).await.map(|()| "已删除到回收站"),
            op => {
                // 移动 and 置顶 change the article's fields: a draft is saved, a live article gets
                // a draft that takes effect once reviewed, as if edited by hand.
                let mut input = article.current().map(|r| r.input.clone()).unwrap_or_default();
                match op {
                    "move" => input.column = f.column.clone(),
                    "pin" => input.pinned = Some("on".into()),
                    _ => input.pinned = None,
                }
                let live = article.live.is_some() && article.status == "published";
                store.save_draft(s.scope, &s.user, Some(id), &input).await.map(|_| {
                    if live {
                        "已改好，重新提交审核通过后在网站上生效"
                    } else {
                        "已完成"
                    }
                })
            }
        };
        outcomes.push(match result {
            Ok(message) => Outcome { id, title, ok: true, message: message.into() },
            Err(e) => Outcome { id, title, ok: false, message: AdminError::from(e).words() },
        });
    }
    if published {
        publish_now(&state).await;
    }
    let done = outcomes.iter().filter(|o| o.ok).count();
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "batch.html",
        context! { label => label, outcomes => outcomes, done => done, failed => outcomes.len() - done },
    )
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// The 回收站: what this tenant deleted in the last `TRASH_DAYS` days.
pub async fn trash(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Query(flash): Query<super::Flash>,
) -> Response {
    let f = ListFilter { trash: true, ..Default::default() };
    let rows: Vec<ArticleRow> = match state.project.store.list_articles(s.scope, &s.user, &f, &now_local()).await {
        Ok((rows, _)) => rows,
        Err(e) => return store_error(&headers, e),
    };
    let now = crate::store::now_unix();
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            // Whole days left, rounded up: 30 just after deletion, 1 on the last day.
            let left = r.deleted_at.map(|d| ((d + TRASH_DAYS * 86_400 - now + 86_399) / 86_400).max(0)).unwrap_or(0);
            context! { ..Value::from_serialize(r), ..context! { days_left => left } }
        })
        .collect();
    views::page(
        &s,
        state.admin.site(s.user.site_id),
        "trash.html",
        context! { rows => rows, days => TRASH_DAYS, flash => super::flash_message(&flash.ok) },
    )
}

pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
) -> Response {
    match state.project.store.delete_article(s.scope, &s.user, id, &s.ip).await {
        Ok(()) => see_other("/admin/articles/trash?ok=deleted"),
        Err(e) => store_error(&headers, e),
    }
}

pub async fn undelete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
) -> Response {
    match state.project.store.undelete_article(s.scope, &s.user, id, &s.ip).await {
        Ok(()) => see_other(&format!("/admin/articles/{id}?ok=undeleted")),
        Err(e) => store_error(&headers, e),
    }
}
