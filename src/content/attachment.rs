//! Attachments are accepted by what they contain, not by what they are called: the bytes must
//! be one of the whitelisted document or image types, agree with the file extension, and stay
//! under the size limit. They are stored content-addressed (SHA-256).

use sha2::{Digest, Sha256};

use crate::hex::hex;

pub const MAX_BYTES: usize = 50 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Attachment {
    /// The name shown to readers (the original file name).
    pub name: String,
    pub mime: &'static str,
    pub sha256: String,
    pub data: Vec<u8>,
}

impl Attachment {
    /// Checks `data` by its content and builds the attachment.
    pub fn new(name: &str, data: Vec<u8>) -> Result<Attachment, Rejected> {
        let name = name.to_string();
        if data.len() > MAX_BYTES {
            return Err(Rejected::TooLarge { name, mib: data.len() >> 20 });
        }
        if data.is_empty() {
            return Err(Rejected::Empty { name });
        }
        let mime = sniff(&name, &data)?;
        let sha256 = hex(&Sha256::digest(&data));
        Ok(Attachment { name, mime, sha256, data })
    }

    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

/// Where a stored file is published: `/files/<2 hex>/<sha256>.<ext>`.
pub fn public_path(sha: &str, mime: &str) -> String {
    format!("/files/{}/{sha}.{}", sha.get(..2).unwrap_or("00"), extension(mime))
}

/// The file extension that a stored blob of this type is published under.
pub fn extension(mime: &str) -> &'static str {
    KINDS.iter().find(|k| k.mime == mime).map(|k| k.exts[0]).unwrap_or("bin")
}

struct Kind {
    mime: &'static str,
    exts: &'static [&'static str],
    matches: fn(&[u8]) -> bool,
}

const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn zip_with(data: &[u8], marker: &[u8]) -> bool {
    data.starts_with(b"PK\x03\x04") && data.windows(marker.len()).any(|w| w == marker)
}

const KINDS: &[Kind] = &[
    Kind { mime: "application/pdf", exts: &["pdf"], matches: |d| d.starts_with(b"%PDF-") },
    Kind { mime: "image/png", exts: &["png"], matches: |d| d.starts_with(b"\x89PNG\r\n\x1a\n") },
    Kind { mime: "image/jpeg", exts: &["jpg", "jpeg"], matches: |d| d.starts_with(&[0xFF, 0xD8, 0xFF]) },
    Kind { mime: "image/gif", exts: &["gif"], matches: |d| d.starts_with(b"GIF87a") || d.starts_with(b"GIF89a") },
    Kind { mime: "application/msword", exts: &["doc", "wps"], matches: |d| d.starts_with(OLE) },
    Kind { mime: "application/vnd.ms-excel", exts: &["xls", "et"], matches: |d| d.starts_with(OLE) },
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        exts: &["docx"],
        matches: |d| zip_with(d, b"word/"),
    },
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exts: &["xlsx"],
        matches: |d| zip_with(d, b"xl/"),
    },
    Kind { mime: "application/ofd", exts: &["ofd"], matches: |d| zip_with(d, b"OFD.xml") },
];

/// Why an attachment is refused. `Display` is for operators (import reports); `zh` for editors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("attachment `{name}` is {mib} MiB; the limit is {} MiB", MAX_BYTES >> 20)]
    TooLarge { name: String, mib: usize },
    #[error("attachment `{name}` is empty")]
    Empty { name: String },
    #[error("attachment `{name}` has type `.{ext}`, which is not accepted; allowed: {}", allowed().join(", "))]
    Type { name: String, ext: String },
    #[error("attachment `{name}` does not contain a .{ext} file (its content is of another type); re-export it or fix the extension")]
    Mismatch { name: String, ext: String },
}

impl Rejected {
    pub fn zh(&self) -> String {
        match self {
            Rejected::TooLarge { name, mib } => {
                format!("文件“{name}”大小为 {mib} MB，超过 {} MB 的上限", MAX_BYTES >> 20)
            }
            Rejected::Empty { name } => format!("文件“{name}”是空文件"),
            Rejected::Type { name, ext } => {
                format!("不接受 .{ext} 类型的文件“{name}”；可上传：{}", allowed().join("、"))
            }
            Rejected::Mismatch { name, ext } => {
                format!("文件“{name}”的内容不是 .{ext} 文件（扩展名与内容不符），请重新导出或改正扩展名")
            }
        }
    }
}

fn allowed() -> Vec<&'static str> {
    KINDS.iter().flat_map(|k| k.exts.iter().copied()).collect()
}

fn sniff(name: &str, data: &[u8]) -> Result<&'static str, Rejected> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some(kind) = KINDS.iter().find(|k| k.exts.contains(&ext.as_str())) else {
        return Err(Rejected::Type { name: name.to_string(), ext });
    };
    if (kind.matches)(data) {
        Ok(kind.mime)
    } else {
        Err(Rejected::Mismatch { name: name.to_string(), ext })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_by_content() {
        let a = Attachment::new("通知.pdf", b"%PDF-1.7 ...".to_vec()).unwrap();
        assert_eq!(a.mime, "application/pdf");
        assert_eq!(a.sha256.len(), 64);
        assert!(Attachment::new("图.PNG", b"\x89PNG\r\n\x1a\nxxxx".to_vec()).unwrap().is_image());
    }

    #[test]
    fn rejects_mismatch_and_unknown() {
        assert!(Attachment::new("evil.pdf", b"<html><script>".to_vec())
            .unwrap_err()
            .to_string()
            .contains("does not contain"));
        assert!(Attachment::new("run.exe", b"MZ".to_vec()).unwrap_err().to_string().contains("not accepted"));
        assert!(Attachment::new("empty.pdf", Vec::new()).is_err());
        assert!(Attachment::new("fake.docx", b"PK\x03\x04nothing".to_vec()).is_err());
    }
}
