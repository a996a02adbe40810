//! 导入 Word in the editor: a .docx converted on the server by the rules of `content::docx`
//! (the same as `zhanqun import`), answered as HTML for the editor with the document's images
//! as data. The editor then treats them as a paste: it uploads each image as a file of the
//! draft, asking for alt text where Word has none. Nothing is stored by this request.

use base64::Engine;

use super::files::{upload_form, UploadForm};
use super::*;
use crate::content::{docx, richtext};

pub async fn import_word(
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(_s): Extension<Session>,
    req: axum::extract::Request,
) -> Response {
    let UploadForm { file, .. } = match upload_form(&state, &headers, req).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some((_, data)) = file.filter(|(n, d)| !n.is_empty() && !d.is_empty()) else {
        return refuse(&headers, StatusCode::BAD_REQUEST, "请选择要导入的 Word 文件（.docx）");
    };
    // Unpacking and parsing is CPU work: off the workers that answer everyone else.
    let converted = tokio::task::spawn_blocking(move || docx::convert(data)).await;
    let doc = match converted {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return refuse(&headers, StatusCode::UNPROCESSABLE_ENTITY, &e.zh()),
        Err(_) => return refuse(&headers, StatusCode::INTERNAL_SERVER_ERROR, "文档转换失败，请重试"),
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let images: Vec<serde_json::Value> = doc
        .images
        .iter()
        .map(|i| {
            let data = format!("data:{};base64,{}", i.mime, b64.encode(&i.data));
            serde_json::json!({ "name": i.name, "alt": i.alt, "data": data })
        })
        .collect();
    Json(serde_json::json!({
        "ok": true,
        "title": doc.title,
        "html": richtext::for_editor(&doc.body_with(&[])),
        "images": images,
    }))
    .into_response()
}
