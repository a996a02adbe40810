//! `zhanqun import DIR --site CODE [--column SLUG]`: loads a folder of Markdown files and Word
//! documents (legacy content) as published articles. A Word document `NAME.docx` may have its
//! fields in a sidecar `NAME.yaml` (the same fields as a Markdown file's front matter). A file
//! with any problem is reported at `FILE:LINE` and skipped whole; re-importing the same
//! folder updates articles by their path, never duplicates them.

use std::fmt;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::attachment::{self, Attachment};
use super::docx;
use super::frontmatter::{self, parse_datetime, LineError, Parsed};
use super::markdown;
use super::metadata::GovMeta;
use crate::group::Site;
use crate::hex::hex;
use sha2::{Digest, Sha256};

/// One article to import, already checked.
#[derive(Debug, Clone)]
pub struct ImportItem {
    /// Path of the source file relative to the import folder: the article's import identity.
    pub source_key: String,
    pub column: String,
    pub pinned: bool,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    /// `YYYY-MM-DD HH:MM:SS`, China time.
    pub publish_at: String,
    pub meta: GovMeta,
    pub attachments: Vec<Attachment>,
    pub cover: Option<Attachment>,
    /// Source key of the policy document this article interprets.
    pub interprets: Option<String>,
    /// Hash of what is published ([`ImportItem::content_hash`]), taken while the files are
    /// read on every core.
    pub hash: String,
}

impl ImportItem {
    /// Hash of everything that is published, so that an unchanged re-import writes nothing.
    /// The JSON array is streamed into the hasher rather than built as a value (that copied
    /// every body); its bytes are those of the array built before, so stored hashes still match.
    fn content_hash(&self) -> String {
        struct Hashing(Sha256);
        impl std::io::Write for Hashing {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.update(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let atts: Vec<(&str, &str)> = self.attachments.iter().map(|a| (a.name.as_str(), a.sha256.as_str())).collect();
        // A struct's fields would stream in declaration order; the stored hashes have them as a
        // JSON object's, sorted, so the (small) metadata goes through a value.
        let meta = serde_json::to_value(&self.meta).unwrap_or_default();
        let canonical = (
            &self.column,
            self.pinned,
            &self.title,
            &self.summary,
            &self.body_md,
            &self.publish_at,
            meta,
            atts,
            self.cover.as_ref().map(|c| &c.sha256),
            &self.interprets,
        );
        let mut hashing = Hashing(Sha256::new());
        serde_json::to_writer(&mut hashing, &canonical).expect("writing into a hasher cannot fail");
        hex(&hashing.0.finalize())
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportStats {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl std::ops::AddAssign for ImportStats {
    fn add_assign(&mut self, o: Self) {
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub stats: ImportStats,
    pub problems: Vec<FileProblem>,
    /// Seconds spent reading and checking the files, and writing the database.
    pub read_seconds: f64,
    pub write_seconds: f64,
}

/// The import folder could not be read at all (as opposed to a bad file in it, which is a
/// `FileProblem`).
#[derive(Debug, thiserror::Error)]
#[error("cannot read import folder {0}: {1}")]
pub struct FolderError(pub PathBuf, pub String);

/// The slug of the column `given` names: a slug of the site, or the name of exactly one of its
/// columns (`工作动态`), as a legacy system's export writes it.
fn column_slug(site: &Site, given: &str) -> Result<String, String> {
    let given = given.trim();
    let columns = &site.def.columns;
    if let Some(c) = columns.iter().find(|c| c.slug == given) {
        return Ok(c.slug.clone());
    }
    let named: Vec<&str> = columns.iter().filter(|c| c.name == given).map(|c| c.slug.as_str()).collect();
    match named.as_slice() {
        [one] => Ok(one.to_string()),
        [] => {
            let known: Vec<String> = columns.iter().map(|c| format!("{}（{}）", c.slug, c.name)).collect();
            Err(format!("site {} has no column `{given}` (columns: {})", site.code(), known.join(", ")))
        }
        many => Err(format!(
            "several columns of site {} are named `{given}` ({}); give the slug",
            site.code(),
            many.join(", ")
        )),
    }
}

/// Reads and checks every file; returns the good items (with the line of `interprets`, for a
/// later link check) and one problem per bad file. `column` is the column of files that name
/// none.
#[allow(clippy::type_complexity)]
pub fn read_dir(
    site: &Site,
    dir: &Path,
    column: Option<&str>,
) -> Result<(Vec<(ImportItem, usize)>, Vec<FileProblem>), FolderError> {
    if !dir.is_dir() {
        return Err(FolderError(dir.to_path_buf(), "not a folder".into()));
    }
    let root = dir.canonicalize().map_err(|e| FolderError(dir.to_path_buf(), e.to_string()))?;
    let mut files = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| FolderError(dir.to_path_buf(), e.to_string()))?;
        let ext = entry.path().extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if entry.file_type().is_file() && matches!(ext.as_str(), "md" | "docx") {
            files.push((entry.into_path(), ext == "md"));
        }
    }
    // Files are read and checked on every core; the folder's order is kept.
    use rayon::prelude::*;
    let read: Vec<Result<(ImportItem, usize), FileProblem>> = files
        .par_iter()
        .map(|(path, markdown)| {
            let key = source_key(dir, path);
            let source = Source { site, root: &root, path, key: &key, column };
            if *markdown {
                read_markdown(&source).map_err(|e| FileProblem {
                    file: path.to_path_buf(),
                    line: e.line,
                    message: e.message,
                })
            } else {
                read_word(&source)
            }
        })
        .collect();
    let mut items = Vec::with_capacity(read.len());
    let mut problems = Vec::new();
    for r in read {
        match r {
            Ok(item) => items.push(item),
            Err(problem) => problems.push(problem),
        }
    }
    Ok((items, problems))
}

fn source_key(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// One file being read, and what the folder says about it.
struct Source<'a> {
    site: &'a Site,
    root: &'a Path,
    path: &'a Path,
    key: &'a str,
    column: Option<&'a str>,
}

fn err(line: usize, message: String) -> LineError {
    LineError { line, message }
}

fn read_markdown(src: &Source<'_>) -> Result<(ImportItem, usize), LineError> {
    // The admin's limits apply here too: a file that could not be saved in the editor is not
    // imported either (and is not read whole into memory to find out).
    let size = std::fs::metadata(src.path).map(|m| m.len()).unwrap_or(0);
    if size > crate::content::draft::MAX_BODY_BYTES as u64 + 64 * 1024 {
        return Err(err(
            1,
            format!("file is {} KB; a body may be at most 1 MB (split it, or attach the document)", size / 1024),
        ));
    }
    let text = std::fs::read_to_string(src.path).map_err(|e| err(1, format!("cannot read as UTF-8 text: {e}")))?;
    let mut parsed = frontmatter::parse(&text)?;
    if parsed.front.title.trim().is_empty() {
        return Err(err(parsed.line_of("title"), "title is missing or empty".into()));
    }
    if parsed.front.date.trim().is_empty() {
        return Err(err(1, "date is missing: write `date: YYYY-MM-DD` in the front matter".into()));
    }
    let body = std::mem::take(&mut parsed.body);
    item(src, parsed, body, Vec::new())
}

/// A Word document, with the fields of its sidecar `NAME.yaml` (or `.yml`) if it has one.
/// Problems in the sidecar are reported at the sidecar's lines.
fn read_word(src: &Source<'_>) -> Result<(ImportItem, usize), FileProblem> {
    let at_doc = |message: String| FileProblem { file: src.path.to_path_buf(), line: 1, message };
    let sidecar = ["yaml", "yml"].iter().map(|e| src.path.with_extension(e)).find(|p| p.is_file());
    // The sidecar is read as front matter: its lines are one below the `---` put before it.
    let (parsed, front_file) = match &sidecar {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| FileProblem {
                file: p.clone(),
                line: 1,
                message: format!("cannot read as UTF-8 text: {e}"),
            })?;
            let parsed =
                frontmatter::parse(&format!("---\n{}\n---\n", text.trim_start_matches('\u{feff}'))).map_err(|e| {
                    FileProblem { file: p.clone(), line: e.line.saturating_sub(1).max(1), message: e.message }
                })?;
            (parsed, p.clone())
        }
        None => (frontmatter::parse("---\n{}\n---\n").map_err(|e| at_doc(e.message))?, src.path.to_path_buf()),
    };
    let shift = |e: LineError| FileProblem {
        file: front_file.clone(),
        line: if sidecar.is_some() { e.line.saturating_sub(1).max(1) } else { 1 },
        message: e.message,
    };
    let size = std::fs::metadata(src.path).map(|m| m.len()).unwrap_or(0);
    if size > attachment::MAX_BYTES as u64 {
        return Err(at_doc(format!("file is {} MiB; the limit is {} MiB", size >> 20, attachment::MAX_BYTES >> 20)));
    }
    let bytes = std::fs::read(src.path).map_err(|e| at_doc(format!("cannot read: {e}")))?;
    let mut doc = docx::convert(bytes).map_err(|e| at_doc(e.to_string()))?;
    let mut parsed = parsed;
    if parsed.front.title.trim().is_empty() {
        parsed.front.title = doc.title.clone().ok_or_else(|| {
            at_doc(format!(
                "no title: the document has no title property, no heading and no centred bold first line; \
                 write `title:` in {}",
                sidecar_name(src.path)
            ))
        })?;
    }
    if parsed.front.date.trim().is_empty() {
        // Word stores its creation time in UTC; articles are dated in China time.
        parsed.front.date = doc
            .created
            .as_deref()
            .and_then(|c| chrono::NaiveDateTime::parse_from_str(c, "%Y-%m-%d %H:%M:%S").ok())
            .map(|t| (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string())
            .ok_or_else(|| {
                at_doc(format!(
                    "no date: the document has no creation time; write `date:` in {}",
                    sidecar_name(src.path)
                ))
            })?;
    }
    let title = parsed.front.title.trim().to_string();
    doc.fill_missing_alt(|n| format!("《{title}》附图{n}"));
    let mut images = Vec::with_capacity(doc.images.len());
    for image in &doc.images {
        let data = super::photo::fit_for_web(image.data.clone()).map_err(|e| at_doc(e.to_string()))?;
        images.push(Attachment::new(&image.name, data).map_err(|e| at_doc(e.to_string()))?);
    }
    let urls: Vec<String> = images.iter().map(|a| attachment::public_path(&a.sha256, a.mime)).collect();
    let body = doc.body_with(&urls);
    if body.len() > crate::content::draft::MAX_BODY_BYTES {
        return Err(at_doc("the body is longer than 1 MB (split the document)".into()));
    }
    item(src, parsed, body, images).map_err(shift)
}

fn sidecar_name(path: &Path) -> String {
    path.with_extension("yaml").file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The article of a checked file: its fields, body and files. `images` are files the body
/// shows (a Word document's), published as the article's files before the attachments.
fn item(
    src: &Source<'_>,
    parsed: Parsed,
    body: String,
    images: Vec<Attachment>,
) -> Result<(ImportItem, usize), LineError> {
    let f = &parsed.front;
    if body.len() > crate::content::draft::MAX_BODY_BYTES {
        return Err(err(1, "the body is longer than 1 MB (split it, or attach the document)".into()));
    }
    if markdown::html_depth(&body) > markdown::MAX_HTML_DEPTH {
        return Err(err(
            1,
            format!("the body's HTML nests deeper than {} levels (simplify its formatting)", markdown::MAX_HTML_DEPTH),
        ));
    }
    if f.title.chars().count() > 200 {
        return Err(err(parsed.line_of("title"), "title is longer than 200 characters".into()));
    }
    let column = match (f.column.trim(), src.column) {
        ("", Some(default)) => column_slug(src.site, default).map_err(|m| err(1, format!("--column: {m}")))?,
        ("", None) => {
            return Err(err(1, "column is missing: write `column:` (a slug or a column name) or pass --column".into()))
        }
        (given, _) => column_slug(src.site, given).map_err(|m| err(parsed.line_of("column"), m))?,
    };
    let publish_at = parse_datetime(&f.date).ok_or_else(|| {
        err(parsed.line_of("date"), format!("date `{}` is not YYYY-MM-DD or YYYY-MM-DD HH:MM", f.date))
    })?;
    if let Some(w) = &f.written_date {
        if chrono::NaiveDate::parse_from_str(w, "%Y-%m-%d").is_err() {
            return Err(err(parsed.line_of("written_date"), format!("written_date `{w}` is not YYYY-MM-DD")));
        }
    }
    if let Some(topic) = f.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if !src.site.topics.iter().any(|t| t == topic) {
            return Err(err(
                parsed.line_of("topic"),
                format!(
                    "topic `{topic}` is not in the group's 主题分类 (`topics` in sites/group.yaml): {}",
                    src.site.topics.join("; ")
                ),
            ));
        }
    }
    let dir = src.path.parent().unwrap_or(src.root);
    let mut attachments = images;
    for (i, name) in f.attachments.iter().enumerate() {
        let line = parsed.line_of(&format!("attachments[{i}]"));
        attachments.push(load_beside(src.root, dir, name).map_err(|m| err(line, m))?);
    }
    let cover = match &f.cover {
        Some(name) => {
            let a = load_beside(src.root, dir, name).map_err(|m| err(parsed.line_of("cover"), m))?;
            if !a.is_image() {
                return Err(err(parsed.line_of("cover"), format!("cover `{name}` is not an image (PNG, JPEG or GIF)")));
            }
            Some(a)
        }
        None => None,
    };
    let interprets = f.interprets.as_ref().map(|target| super::relative_path(src.key, target));
    let summary =
        f.summary.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| markdown::plain_text(&body, 120));
    let interprets_line = if interprets.is_some() { parsed.line_of("interprets") } else { 0 };
    let front = parsed.front;
    let meta = GovMeta {
        doc_number: front.doc_number.filter(|s| !s.trim().is_empty()),
        issuer: front.issuer.filter(|s| !s.trim().is_empty()),
        written_date: front.written_date,
        topic: front.topic.filter(|s| !s.trim().is_empty()),
        disclosure: front.disclosure,
        validity: front.validity,
        source: front.source.filter(|s| !s.trim().is_empty()).map(|s| s.trim().to_string()),
    };
    let item = ImportItem {
        source_key: src.key.to_string(),
        column,
        pinned: front.pinned,
        title: front.title.trim().to_string(),
        summary,
        body_md: body,
        publish_at,
        meta,
        attachments,
        cover,
        interprets,
        hash: String::new(),
    };
    let item = ImportItem { hash: item.content_hash(), ..item };
    Ok((item, interprets_line))
}

/// Loads a file named in the front matter, refusing paths that leave the import folder.
fn load_beside(root: &Path, dir: &Path, name: &str) -> Result<Attachment, String> {
    let path = dir.join(name);
    let real = path.canonicalize().map_err(|e| format!("attachment `{name}` cannot be opened: {e}"))?;
    if !real.starts_with(root) {
        return Err(format!("attachment `{name}` lies outside the import folder"));
    }
    let data = std::fs::read(&real).map_err(|e| format!("attachment `{name}` cannot be read: {e}"))?;
    let display =
        Path::new(name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| name.to_string());
    Attachment::new(&display, data).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed hash must equal the one stored by earlier releases (a JSON array value),
    /// or every re-import after an upgrade would write a new revision of every article.
    #[test]
    fn content_hash_matches_stored_hashes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let item = ImportItem {
            source_key: "zcjd/a.md".into(),
            column: "zcjd".into(),
            pinned: true,
            title: "关于\"解读\"的说明".into(),
            summary: "摘要\n第二行".into(),
            body_md: "正文 <b>加粗</b> \\ \u{1}".into(),
            publish_at: "2024-05-01 09:30:00".into(),
            meta: GovMeta {
                doc_number: Some("示政发〔2024〕1号".into()),
                topic: Some("综合政务".into()),
                source: Some("新华社".into()),
                ..GovMeta::default()
            },
            attachments: vec![Attachment::new("附件.png", png.clone()).unwrap()],
            cover: Some(Attachment::new("cover.png", png).unwrap()),
            interprets: Some("zcwj/b.md".into()),
            hash: String::new(),
        };
        let atts: Vec<(&str, &str)> = item.attachments.iter().map(|a| (a.name.as_str(), a.sha256.as_str())).collect();
        let stored = serde_json::json!([
            item.column,
            item.pinned,
            item.title,
            item.summary,
            item.body_md,
            item.publish_at,
            item.meta,
            atts,
            item.cover.as_ref().map(|c| &c.sha256),
            item.interprets,
        ]);
        assert_eq!(item.content_hash(), hex(&Sha256::digest(stored.to_string().as_bytes())));
    }

    #[test]
    fn resolves_relative_keys() {
        assert_eq!(super::super::relative_path("zcjd/a.md", "../zcwj/b.md"), "zcwj/b.md");
        assert_eq!(super::super::relative_path("a.md", "b.md"), "b.md");
        assert_eq!(super::super::relative_path("x/a.md", "./b.md"), "x/b.md");
        assert_eq!(super::super::relative_path("word/document.xml", "media/image1.png"), "word/media/image1.png");
    }
}
