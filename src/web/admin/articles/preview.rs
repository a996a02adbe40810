//! The article form's preview: the draft rendered with its site's theme and locked parts, off
//! the request thread and within a time limit, shown inside the admin without running script.

use super::*;

/// A site's page shown inside the admin (the preview, the live pages): the theme's own styles
/// apply, no script runs.
pub(super) const SITE_PAGE_IN_ADMIN_CSP: &str = "script-src 'none'; object-src 'none'; base-uri 'none'";

/// Renders an article through its site's real theme, with links pointed at the admin so that
/// the page's styles and images load inside the preview frame.
fn render_preview(
    state: &AppState,
    info: &SiteInfo,
    id: i64,
    input: &DraftInput,
    files: &[AttachmentRef],
    index_no: &str,
) -> Response {
    let group = &state.project.group();
    let Some(site) = group.site(&info.code) else {
        return views::error_page(StatusCode::NOT_FOUND, "站点不存在");
    };
    let column = if site.def.columns.iter().any(|c| c.slug == input.column) {
        input.column.clone()
    } else {
        site.def.columns.first().map(|c| c.slug.clone()).unwrap_or_default()
    };
    let article = PublishedArticle {
        id,
        column,
        index_no: if index_no.is_empty() { "（发布时生成）".into() } else { index_no.into() },
        pinned: input.pinned(),
        title: if input.title.is_empty() { "（无标题）".into() } else { input.title.clone() },
        summary: input.summary.clone(),
        body_md: input.body.clone(),
        publish_at: input.scheduled_at().unwrap_or_else(now_local),
        meta: input.meta(),
        cover: None,
        attachments: files.to_vec(),
        origin: None,
        code: None,
    };
    let content = SiteContent { articles: vec![article], ..Default::default() };
    let html = SiteRenderer::new(group, &state.project.themes, site, &content, Default::default())
        .and_then(|r| r.article_html(0));
    match html {
        Ok(html) => {
            let live = format!("/admin/sites/{}/live/", info.code);
            let html = html
                .replace("href=\"/", &format!("href=\"{live}"))
                .replace("src=\"/", &format!("src=\"{live}"))
                .replace(&format!("{live}files/"), "/admin/files/");
            let html = root_variables_as_attribute(&html);
            (
                [
                    (header::CACHE_CONTROL, "no-store"),
                    // Shown in a frame without scripts; this keeps it so if opened on its own.
                    (header::CONTENT_SECURITY_POLICY, SITE_PAGE_IN_ADMIN_CSP),
                ],
                Html(html),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "preview failed");
            views::error_page(StatusCode::INTERNAL_SERVER_ERROR, "预览生成失败，请联系系统管理员")
        }
    }
}

/// The live preview is shown through `srcdoc`, under the admin's policy, which refuses
/// `<style>` elements but allows style attributes: the theme's `<style>:root{…}</style>`
/// (the site's colours) moves onto the `<html>` element, where it means the same.
fn root_variables_as_attribute(html: &str) -> String {
    let Some(start) = html.find("<style>:root{") else { return html.to_string() };
    let Some(len) = html[start..].find("}</style>") else { return html.to_string() };
    let vars = &html[start + "<style>:root{".len()..start + len];
    if vars.contains(['"', '<', '>']) {
        return html.to_string();
    }
    let without = format!("{}{}", &html[..start], &html[start + len + "}</style>".len()..]);
    without.replacen("<html ", &format!("<html style=\"{vars}\" "), 1)
}

fn attachment_refs(article: Option<&ArticleView>) -> Vec<AttachmentRef> {
    article
        .and_then(|a| a.current())
        .map(|r| {
            r.attachments
                .iter()
                .filter(|a| !a.mime.starts_with("image/"))
                .map(|a| AttachmentRef {
                    name: a.name.clone(),
                    sha256: a.sha256.clone(),
                    mime: a.mime.clone(),
                    size: a.size,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PreviewId {
    id: Option<i64>,
}

/// Live preview of the form as it is now (not saved).
pub async fn preview_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    body: axum::body::Bytes,
) -> Response {
    let (input, _) = parse_form(&body);
    let id = serde_urlencoded::from_bytes::<PreviewId>(&body).ok().and_then(|p| p.id);
    let article = match id {
        Some(id) => match state.project.store.article(s.scope, id).await {
            Ok(Some(a)) => Some(a),
            Ok(None) => return store_error(&headers, StoreError::NotFound),
            Err(e) => return store_error(&headers, e),
        },
        None => None,
    };
    let Some(info) = state.admin.site(article.as_ref().map(|a| a.site_id).or(s.user.site_id)) else {
        return store_error(&headers, StoreError::NotFound);
    };
    let index_no = article.as_ref().and_then(|a| a.index_no.clone()).unwrap_or_default();
    // The same limits as saving: a body that could not be saved is not rendered either.
    let errors = input.check_draft();
    if !errors.is_empty() {
        return store_error(&headers, StoreError::Fields(errors));
    }
    let files = attachment_refs(article.as_ref());
    preview_off_thread(&state, info, id.unwrap_or(0), input, files, index_no).await
}

/// Longest a preview may take before the editor is told to try again; the render itself
/// runs on the blocking pool, never on the workers that answer everyone else.
const PREVIEW_TIME: std::time::Duration = std::time::Duration::from_secs(10);

async fn preview_off_thread(
    state: &AppState,
    info: &SiteInfo,
    id: i64,
    input: DraftInput,
    files: Vec<AttachmentRef>,
    index_no: String,
) -> Response {
    let (state, info) = (state.clone(), info.clone());
    let job = tokio::task::spawn_blocking(move || render_preview(&state, &info, id, &input, &files, &index_no));
    match tokio::time::timeout(PREVIEW_TIME, job).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "preview render failed");
            views::error_page(StatusCode::INTERNAL_SERVER_ERROR, "预览生成失败，请稍后重试")
        }
        Err(_) => views::error_page(StatusCode::SERVICE_UNAVAILABLE, "预览生成超时，请简化正文格式后重试"),
    }
}

/// Preview of the saved revision, for reviewers.
pub async fn preview_saved(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
) -> Response {
    let article = match state.project.store.article(s.scope, id).await {
        Ok(Some(a)) => a,
        Ok(None) => return store_error(&headers, StoreError::NotFound),
        Err(e) => return store_error(&headers, e),
    };
    let Some(info) = state.admin.site(Some(article.site_id)) else {
        return store_error(&headers, StoreError::NotFound);
    };
    let input = article.current().map(|r| r.input.clone()).unwrap_or_default();
    let index_no = article.index_no.clone().unwrap_or_default();
    preview_off_thread(&state, info, id, input, attachment_refs(Some(&article)), index_no).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_site_colours_move_onto_the_html_element() {
        let page =
            "<html lang=\"zh-CN\"><head><style>:root{--zq-primary:#0b4a8b;--zq-dark:#083a6e}</style></head></html>";
        assert_eq!(
            super::root_variables_as_attribute(page),
            "<html style=\"--zq-primary:#0b4a8b;--zq-dark:#083a6e\" lang=\"zh-CN\"><head></head></html>"
        );
        assert_eq!(super::root_variables_as_attribute("<html><p>x</p></html>"), "<html><p>x</p></html>");
    }
}
