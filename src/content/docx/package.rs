//! The zip container of a .docx, read with limits: a file that is not a zip, claims more
//! parts than a document has, or inflates beyond what a document holds (a zip bomb) is
//! refused before it costs memory. Declared sizes are not trusted: every read stops one byte
//! past its limit.

use std::io::{Cursor, Read};

use super::DocxError;

/// More parts than any real document has (a 300-page report with 200 images has ~250).
const MAX_PARTS: usize = 5_000;
/// The XML of one part (document.xml of a 300-page report is ~10 MB).
pub const MAX_XML: u64 = 32 << 20;
/// One embedded image.
pub const MAX_IMAGE: u64 = 20 << 20;
/// Everything read from one file.
const MAX_TOTAL: u64 = 120 << 20;

pub struct Package {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    read: u64,
}

impl Package {
    pub fn open(bytes: Vec<u8>) -> Result<Package, DocxError> {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(DocxError::OldFormat);
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| DocxError::NotZip)?;
        if zip.len() > MAX_PARTS {
            return Err(DocxError::TooManyParts(zip.len()));
        }
        Ok(Package { zip, read: 0 })
    }

    /// The bytes of a part, `None` when the package has no such part.
    pub fn part(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, DocxError> {
        let name = name.trim_start_matches('/');
        let file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(_) => return Err(DocxError::Corrupt(name.to_string())),
        };
        if file.encrypted() {
            return Err(DocxError::Encrypted);
        }
        let limit = limit.min(MAX_TOTAL.saturating_sub(self.read));
        if file.size() > limit {
            return Err(DocxError::PartTooLarge { part: name.to_string(), mib: file.size() >> 20 });
        }
        let mut data = Vec::with_capacity(file.size() as usize);
        file.take(limit + 1).read_to_end(&mut data).map_err(|_| DocxError::Corrupt(name.to_string()))?;
        if data.len() as u64 > limit {
            return Err(DocxError::PartTooLarge { part: name.to_string(), mib: data.len() as u64 >> 20 });
        }
        self.read += data.len() as u64;
        Ok(Some(data))
    }

    /// A part's XML as text (UTF-8, as OOXML writes it; a BOM is dropped).
    pub fn xml(&mut self, name: &str) -> Result<Option<String>, DocxError> {
        match self.part(name, MAX_XML)? {
            None => Ok(None),
            Some(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| DocxError::Corrupt(name.to_string()))?;
                Ok(Some(text.trim_start_matches('\u{feff}').to_string()))
            }
        }
    }
}
