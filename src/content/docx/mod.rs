//! Word documents (.docx) as article bodies, by the same rules as a paste in the editor: the
//! structure a government document needs is kept (see `document`), the result goes through
//! `richtext::to_body`, and the images come out separately for the caller to store. Used by
//! the editor's 导入 Word and by `zhanqun import`.
//!
//! A file that is not a .docx, is damaged, or inflates beyond a document's size is refused
//! with a message saying which and what to do; nothing of it is kept.

mod document;
mod package;

use std::collections::HashMap;

use document::{BlockKind, Context, Converter};
use package::{Package, MAX_IMAGE};

use super::richtext;

/// A converted document. The body's images carry placeholders until `body_with` is given
/// where each one is stored.
#[derive(Debug, Clone)]
pub struct WordDocument {
    /// The document's title property, else its first heading, else its centred bold first line.
    pub title: Option<String>,
    /// When the document was created (`YYYY-MM-DD HH:MM:SS`, as Word stores it, in UTC).
    pub created: Option<String>,
    body: String,
    pub images: Vec<WordImage>,
}

#[derive(Debug, Clone)]
pub struct WordImage {
    /// A file name for the attachment (`图1.png`).
    pub name: String,
    pub mime: &'static str,
    pub data: Vec<u8>,
    /// The alt text written in Word (右键 → 编辑替代文字), if any.
    pub alt: Option<String>,
}

impl WordDocument {
    /// The stored body, each image's placeholder replaced by `urls[n]`.
    pub fn body_with(&self, urls: &[String]) -> String {
        let mut body = self.body.clone();
        for (n, url) in urls.iter().enumerate().rev() {
            body = body.replace(&format!("\"{}\"", document::placeholder(n)), &format!("\"{url}\""));
        }
        body
    }

    /// Alt text for every image: Word's own, else `fallback(n)` (1-based).
    pub fn fill_missing_alt(&mut self, fallback: impl Fn(usize) -> String) {
        for (i, image) in self.images.iter_mut().enumerate() {
            if image.alt.is_none() {
                let alt = fallback(i + 1);
                self.body = self.body.replacen(
                    &format!("src=\"{}\" alt=\"\"", document::placeholder(i)),
                    &format!("src=\"{}\" alt=\"{}\"", document::placeholder(i), crate::html::escape(&alt)),
                    1,
                );
                image.alt = Some(alt);
            }
        }
    }
}

/// Why a file cannot be converted. `Display` is for operators (import reports), `zh` for
/// editors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocxError {
    #[error("this is an old binary Word/WPS file (.doc/.wps), not a .docx; save it as .docx first")]
    OldFormat,
    #[error("not a .docx file (not a zip package); save the document as .docx first")]
    NotZip,
    #[error("the document is password-protected; remove the password and save it again")]
    Encrypted,
    #[error("the package has {0} parts, more than any document has; it is refused as a possible zip bomb")]
    TooManyParts(usize),
    #[error("part `{part}` unpacks to more than {mib} MiB; it is refused as a possible zip bomb")]
    PartTooLarge { part: String, mib: u64 },
    #[error("part `{0}` is damaged; open the document in Word or WPS and save it again")]
    Corrupt(String),
    #[error("the package has no `{0}`; it is not a Word document (an Excel or PowerPoint file?)")]
    Missing(&'static str),
    #[error("`{part}` is not valid XML ({message}); open the document in Word or WPS and save it again")]
    Xml { part: String, message: String },
    #[error("image {n} is {width}×{height} pixels; images may be at most {MAX_SIDE} pixels on a side")]
    HugeImage { n: usize, width: u32, height: u32 },
    #[error("image {n} is not a PNG, JPEG or GIF ({part}); convert it in Word and save again")]
    ImageType { n: usize, part: String },
}

impl DocxError {
    pub fn zh(&self) -> String {
        match self {
            DocxError::OldFormat => "这是旧版 Word 或 WPS 文件（.doc、.wps），请在 Word 或 WPS 中“另存为” .docx 格式后再导入".into(),
            DocxError::NotZip => "这不是 .docx 格式的 Word 文件，请在 Word 或 WPS 中“另存为” .docx 格式后再导入".into(),
            DocxError::Encrypted => "文档设置了打开密码，请取消密码后重新保存再导入".into(),
            DocxError::TooManyParts(_) | DocxError::PartTooLarge { .. } => {
                "文件解压后远大于正常文档，疑似恶意压缩文件，已拒绝导入".into()
            }
            DocxError::Corrupt(_) | DocxError::Xml { .. } => {
                "文档已损坏，无法读取，请在 Word 或 WPS 中打开后重新保存再导入".into()
            }
            DocxError::Missing(_) => "文件中没有 Word 正文，可能是 Excel 或 PowerPoint 文件".into(),
            DocxError::HugeImage { n, width, height } => format!(
                "文档中第 {n} 张图片为 {width}×{height} 像素，超过每边 {MAX_SIDE} 像素的上限，请在 Word 中压缩图片后再导入"
            ),
            DocxError::ImageType { n, .. } => {
                format!("文档中第 {n} 张图片不是 JPG、PNG 或 GIF 格式，请在 Word 中另存为图片后重新插入")
            }
        }
    }
}

pub use super::photo::MAX_SIDE;

/// Converts a .docx.
pub fn convert(bytes: Vec<u8>) -> Result<WordDocument, DocxError> {
    let mut pkg = Package::open(bytes)?;
    let main = main_part(&mut pkg)?;
    let xml = pkg.xml(&main)?.ok_or(DocxError::Missing("word/document.xml"))?;
    let cx = context(&mut pkg, &main)?;
    let doc = parse(&xml, &main)?;
    let body_node =
        doc.root_element().children().find(|n| n.tag_name().name() == "body").ok_or(DocxError::Missing("w:body"))?;
    let mut converter = Converter::new(&cx);
    let mut blocks = converter.body(body_node);
    let refs = std::mem::take(&mut converter.images);

    let (core_title, created) = core_properties(&mut pkg)?;
    // The title: the document's property, else the first block if it reads as one (which then
    // leaves the body, where it would repeat the page's heading).
    let first = blocks.iter().position(|b| !b.text.trim().is_empty());
    let first_is_title = first.is_some_and(|i| {
        let b = &blocks[i];
        matches!(b.kind, BlockKind::Title | BlockKind::Heading | BlockKind::CentredBold)
            && b.text.trim().chars().count() <= 100
    });
    let title = match (core_title, first_is_title) {
        (Some(t), _) => {
            if first.is_some_and(|i| blocks[i].text.trim() == t) {
                blocks.remove(first.unwrap_or(0));
            }
            Some(t)
        }
        (None, true) => {
            let b = blocks.remove(first.unwrap_or(0));
            Some(b.text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        (None, false) => None,
    };

    let mut images = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        let data = pkg.part(&r.part, MAX_IMAGE)?.ok_or(DocxError::Corrupt(r.part.clone()))?;
        let (ext, mime) =
            image_extension(&data).ok_or_else(|| DocxError::ImageType { n: i + 1, part: r.part.clone() })?;
        if let Some((width, height)) = super::photo::size(&data) {
            if width > MAX_SIDE || height > MAX_SIDE {
                return Err(DocxError::HugeImage { n: i + 1, width, height });
            }
        }
        images.push(WordImage { name: format!("图{}.{ext}", i + 1), mime, data, alt: r.alt.clone() });
    }
    let html: String = blocks.iter().map(|b| b.html.as_str()).collect();
    Ok(WordDocument { title, created, body: richtext::to_body(&html), images })
}

fn parse<'i>(xml: &'i str, part: &str) -> Result<roxmltree::Document<'i>, DocxError> {
    // No DTDs: a document never needs one, and entity expansion is how XML bombs work.
    roxmltree::Document::parse_with_options(xml, roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() })
        .map_err(|e| DocxError::Xml { part: part.to_string(), message: e.to_string() })
}

/// The main document part, as `_rels/.rels` names it (Word writes `word/document.xml`).
fn main_part(pkg: &mut Package) -> Result<String, DocxError> {
    let Some(xml) = pkg.xml("_rels/.rels")? else {
        return Ok("word/document.xml".into());
    };
    let doc = parse(&xml, "_rels/.rels")?;
    let target = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "Relationship")
        .find(|n| n.attribute("Type").is_some_and(|t| t.ends_with("/officeDocument")))
        .and_then(|n| n.attribute("Target"))
        .map(|t| t.trim_start_matches('/').to_string());
    Ok(target.unwrap_or_else(|| "word/document.xml".into()))
}

fn context(pkg: &mut Package, main: &str) -> Result<Context, DocxError> {
    let mut cx = Context::default();
    let (dir, file) = main.rsplit_once('/').unwrap_or(("", main));
    let rels_part = format!("{dir}/_rels/{file}.rels");
    if let Some(xml) = pkg.xml(&rels_part)? {
        let doc = parse(&xml, &rels_part)?;
        for n in doc.descendants().filter(|n| n.tag_name().name() == "Relationship") {
            if let (Some(id), Some(target)) = (n.attribute("Id"), n.attribute("Target")) {
                let external = n.attribute("TargetMode") == Some("External");
                cx.rels.insert(id.to_string(), (target.to_string(), external));
            }
        }
    }
    if let Some(xml) = pkg.xml("word/styles.xml")? {
        let doc = parse(&xml, "word/styles.xml")?;
        for style in doc.descendants().filter(|n| n.tag_name().name() == "style") {
            let id = style.attributes().find(|a| a.name() == "styleId").map(|a| a.value());
            let name = style
                .children()
                .find(|c| c.tag_name().name() == "name")
                .and_then(|n| n.attributes().find(|a| a.name() == "val").map(|a| a.value().to_ascii_lowercase()));
            if let (Some(id), Some(name)) = (id, name) {
                let level = if name == "title" || name == "标题" {
                    Some(0)
                } else {
                    name.strip_prefix("heading ")
                        .or_else(|| name.strip_prefix("标题 "))
                        .and_then(|n| n.trim().parse::<u8>().ok())
                        .filter(|l| (1..=9).contains(l))
                };
                if let Some(level) = level {
                    cx.headings.insert(id.to_string(), level);
                }
                let numbering = style
                    .children()
                    .find(|c| c.tag_name().name() == "pPr")
                    .and_then(|p| p.children().find(|c| c.tag_name().name() == "numPr"))
                    .and_then(document::num_pr);
                if let Some(numbering) = numbering {
                    cx.style_numbering.insert(id.to_string(), numbering);
                }
            }
        }
    }
    if let Some(xml) = pkg.xml("word/numbering.xml")? {
        let doc = parse(&xml, "word/numbering.xml")?;
        let val =
            |n: roxmltree::Node, name: &str| n.attributes().find(|a| a.name() == name).map(|a| a.value().to_string());
        // abstractNumId → level → ordered
        let mut abstracts: HashMap<String, HashMap<u8, bool>> = HashMap::new();
        for a in doc.descendants().filter(|n| n.tag_name().name() == "abstractNum") {
            let Some(aid) = val(a, "abstractNumId") else { continue };
            let levels = abstracts.entry(aid).or_default();
            for lvl in a.children().filter(|n| n.tag_name().name() == "lvl") {
                let level = val(lvl, "ilvl").and_then(|v| v.parse().ok()).unwrap_or(0u8);
                let format = lvl.children().find(|c| c.tag_name().name() == "numFmt").and_then(|f| val(f, "val"));
                levels.insert(level, !matches!(format.as_deref(), Some("bullet" | "none")));
            }
        }
        for num in doc.descendants().filter(|n| n.tag_name().name() == "num") {
            let Some(id) = val(num, "numId") else { continue };
            let Some(aid) = num.children().find(|c| c.tag_name().name() == "abstractNumId").and_then(|a| val(a, "val"))
            else {
                continue;
            };
            for (level, ordered) in abstracts.get(&aid).into_iter().flatten() {
                cx.ordered.insert((id.clone(), *level), *ordered);
            }
        }
    }
    Ok(cx)
}

/// `docProps/core.xml`: the title property and the creation time.
fn core_properties(pkg: &mut Package) -> Result<(Option<String>, Option<String>), DocxError> {
    let Some(xml) = pkg.xml("docProps/core.xml")? else { return Ok((None, None)) };
    let doc = parse(&xml, "docProps/core.xml")?;
    let text = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let created = text("created").and_then(|t| {
        chrono::DateTime::parse_from_rfc3339(&t).ok().map(|d| d.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
    });
    Ok((text("title"), created))
}

/// The extension and type of an image the web may show, by its first bytes.
fn image_extension(data: &[u8]) -> Option<(&'static str, &'static str)> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("png", "image/png"))
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("jpg", "image/jpeg"))
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(("gif", "image/gif"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
