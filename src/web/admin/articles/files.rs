//! The files of a draft: uploads checked by content, their removal, and serving them (and the
//! live site's assets) to the admin.

use super::preview::SITE_PAGE_IN_ADMIN_CSP;
use super::*;
use crate::content::photo;

/// The name a browser sent for an upload, without any folder part, at most 100 characters.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control() && !matches!(c, '<' | '>' | '"' | '\'')).collect();
    let cleaned = cleaned.trim();
    if cleaned.chars().count() > 100 {
        let ext = cleaned.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let stem: String = cleaned.chars().take(90).collect();
        format!("{stem}.{ext}")
    } else {
        cleaned.to_string()
    }
}

/// What an upload form carries: the file (its cleaned name and bytes), an image's alt text,
/// and whether a wide photo is kept as it is rather than scaled down.
pub(super) struct UploadForm {
    pub file: Option<(String, Vec<u8>)>,
    pub alt: Option<String>,
    pub keep_original: bool,
}

/// Reads an upload form, answering a too-large or broken one with a clear refusal.
pub(super) async fn upload_form(
    state: &AppState,
    headers: &HeaderMap,
    req: axum::extract::Request,
) -> Result<UploadForm, Response> {
    let mut multipart = match Multipart::from_request(req, state).await {
        Ok(m) => m,
        Err(_) => return Err(refuse(headers, StatusCode::BAD_REQUEST, "请以文件上传表单提交")),
    };
    let too_large = || refuse(headers, StatusCode::PAYLOAD_TOO_LARGE, "文件超过 50 MB 的上限");
    let mut form = UploadForm { file: None, alt: None, keep_original: false };
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(clean_file_name);
                let data = match field.bytes().await {
                    Ok(d) => d,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                    Err(_) => return Err(refuse(headers, StatusCode::BAD_REQUEST, "上传中断，请重试")),
                };
                match name.as_str() {
                    "file" => form.file = Some((file_name.unwrap_or_default(), data.to_vec())),
                    "alt" => form.alt = Some(String::from_utf8_lossy(&data).into_owned()),
                    "keep_original" => form.keep_original = !data.is_empty() && &data[..] != b"0",
                    _ => {}
                }
            }
            Ok(None) => return Ok(form),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(refuse(headers, StatusCode::BAD_REQUEST, "上传的表单格式不正确")),
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path(id): Path<i64>,
    req: axum::extract::Request,
) -> Response {
    // The tenant first: a foreign id is 404 before any byte of the upload is read.
    match state.project.store.article(s.scope, id).await {
        Ok(Some(_)) => {}
        Ok(None) => return store_error(&headers, StoreError::NotFound),
        Err(e) => return store_error(&headers, e),
    }
    let UploadForm { file, alt, keep_original } = match upload_form(&state, &headers, req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some((name, data)) = file.filter(|(n, _)| !n.is_empty()) else {
        return refuse(&headers, StatusCode::BAD_REQUEST, "请选择要上传的文件");
    };
    if crate::content::has_bidi_controls(&name) {
        return refuse(
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "文件名含有改变文字方向的不可见字符（可用来伪装文件类型），请重命名后再上传",
        );
    }
    // A wide photo is scaled down (off the request workers) unless the editor keeps it whole;
    // one too large to decode is refused either way.
    let data = if keep_original {
        match photo::check_size(&data) {
            Ok(()) => data,
            Err(e) => return refuse(&headers, StatusCode::UNPROCESSABLE_ENTITY, &e.zh()),
        }
    } else {
        match tokio::task::spawn_blocking(move || photo::fit_for_web(data)).await {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => return refuse(&headers, StatusCode::UNPROCESSABLE_ENTITY, &e.zh()),
            Err(_) => return refuse(&headers, StatusCode::INTERNAL_SERVER_ERROR, "图片处理失败，请重试"),
        }
    };
    let attachment = match Attachment::new(&name, data) {
        Ok(a) => a,
        Err(e) => return refuse(&headers, StatusCode::UNPROCESSABLE_ENTITY, &e.zh()),
    };
    match state.project.store.add_attachment(s.scope, &s.user, id, &attachment, alt.as_deref()).await {
        Ok(view) => {
            if headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("json")) {
                let url = crate::publish::context::blob_path(&view.sha256, &view.mime, &SiteContent::default());
                Json(serde_json::json!({ "ok": true, "attachment": view, "url": url })).into_response()
            } else {
                see_other(&format!("/admin/articles/{id}?ok=uploaded"))
            }
        }
        Err(StoreError::Fields(errors)) => {
            let msg = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；");
            refuse(&headers, StatusCode::UNPROCESSABLE_ENTITY, &msg)
        }
        Err(e) => store_error(&headers, e),
    }
}

pub async fn delete_attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path((id, pos)): Path<(i64, i64)>,
) -> Response {
    match state.project.store.remove_attachment(s.scope, &s.user, id, pos).await {
        Ok(()) => see_other(&format!("/admin/articles/{id}?ok=removed")),
        Err(e) => store_error(&headers, e),
    }
}

/// A file of a draft of the scope, under the same path shape as on the published site.
pub async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path((_dir, name)): Path<(String, String)>,
) -> Response {
    let sha = name.split('.').next().unwrap_or_default();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return store_error(&headers, StoreError::NotFound);
    }
    match state.project.store.scoped_blob(s.scope, sha).await {
        Ok(Some((mime, data))) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
                (header::CONTENT_SECURITY_POLICY, "sandbox".into()),
                (header::CACHE_CONTROL, "private, max-age=3600".into()),
            ],
            data,
        )
            .into_response(),
        Ok(None) => store_error(&headers, StoreError::NotFound),
        Err(e) => store_error(&headers, e),
    }
}

/// A published file of a site of the scope (theme styles, logos) for the preview frame.
pub async fn live_asset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(s): Extension<Session>,
    Path((code, path)): Path<(String, String)>,
) -> Response {
    let Some(info) = state.admin.site_by_code(&code).filter(|i| s.scope.covers(i.id)) else {
        return store_error(&headers, StoreError::NotFound);
    };
    let Some(rel) = crate::web::preview::safe_path(&path) else {
        return refuse(&headers, StatusCode::BAD_REQUEST, "路径无效");
    };
    let mut target = state.project.paths.out.join(&info.host).join(&rel);
    if target.is_dir() {
        target = target.join("index.html");
    }
    match tokio::fs::read(&target).await {
        Ok(bytes) => {
            let mime = mime_guess::from_path(&target).first_or_octet_stream();
            let headers = [
                (header::CONTENT_TYPE, mime.essence_str().to_string()),
                // A site's page keeps its own inline palette; its scripts (the counter beacon)
                // do not run inside the admin.
                (header::CONTENT_SECURITY_POLICY, SITE_PAGE_IN_ADMIN_CSP.to_string()),
            ];
            (headers, bytes).into_response()
        }
        Err(_) => store_error(&headers, StoreError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn upload_names_lose_folders_and_markup() {
        assert_eq!(super::clean_file_name("C:\\Users\\a\\通知.pdf"), "通知.pdf");
        assert_eq!(super::clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(super::clean_file_name("<script>.pdf"), "script.pdf");
    }
}
