//! `manifest.json`: what a backup holds, written last, so a folder without one is no backup.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::files::{hash_file, io};
use super::BackupError;
use crate::store::tally::Tally;

/// The layout this release writes and reads.
pub const FORMAT: u32 = 1;

pub const FILE: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The release that wrote it (`zhanqun --version`).
    pub zhanqun: String,
    /// When the database snapshot was taken (RFC 3339).
    pub created: String,
    pub backend: Backend,
    /// The newest migration the database had applied.
    pub schema: i64,
    /// The database's content at the snapshot, checked again after a restore.
    pub tally: Tally,
    /// Search documents in the copied index, when there is one.
    pub search_documents: Option<u64>,
    pub files: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The database file in the backup folder.
    pub fn database_file(self) -> &'static str {
        match self {
            Backend::Sqlite => "database.sqlite",
            Backend::Postgres => "database.pgdump",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

impl From<crate::store::Backend> for Backend {
    fn from(b: crate::store::Backend) -> Self {
        match b {
            crate::store::Backend::Sqlite => Backend::Sqlite,
            crate::store::Backend::Postgres => Backend::Postgres,
        }
    }
}

/// One file of the backup, relative to its folder with `/` separators.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn bytes_under(&self, prefix: &str) -> u64 {
        self.files.iter().filter(|f| f.path.starts_with(prefix)).map(|f| f.bytes).sum()
    }

    pub fn write(&self, dir: &Path) -> Result<(), BackupError> {
        let path = dir.join(FILE);
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| BackupError::Manifest { path: path.clone(), why: e.to_string() })?;
        let mut f = std::fs::File::create(&path).map_err(io(&path))?;
        std::io::Write::write_all(&mut f, &text).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))
    }

    /// Reads the manifest of the backup in `dir` and checks that every file it lists is there
    /// with its size and digest, and that this release can read its layout.
    pub fn read_checked(dir: &Path) -> Result<Manifest, BackupError> {
        let path = dir.join(FILE);
        let text = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => BackupError::NotABackup { dir: dir.to_path_buf() },
            _ => io(&path)(e),
        })?;
        let m: Manifest = serde_json::from_slice(&text)
            .map_err(|e| BackupError::Manifest { path: path.clone(), why: e.to_string() })?;
        if m.format != FORMAT {
            return Err(BackupError::Manifest {
                path,
                why: format!("layout {} is not the layout {FORMAT} this release reads; restore it with the release that wrote it ({})", m.format, m.zhanqun),
            });
        }
        for f in &m.files {
            if f.path.split('/').any(|part| part.is_empty() || part == "." || part == "..") || f.path.starts_with('/') {
                return Err(BackupError::Manifest {
                    path: path.clone(),
                    why: format!("it lists the file `{}` outside the backup", f.path),
                });
            }
            let file = dir.join(&f.path);
            if !file.is_file() {
                return Err(BackupError::Damaged { path: file, why: "it is missing".into() });
            }
            let (bytes, sha256) = hash_file(&file)?;
            if bytes != f.bytes || sha256 != f.sha256 {
                return Err(BackupError::Damaged {
                    path: file,
                    why: format!(
                        "it has {bytes} bytes and digest {}…, the manifest says {} bytes and digest {}…",
                        &sha256[..12],
                        f.bytes,
                        &f.sha256[..f.sha256.len().min(12)]
                    ),
                });
            }
        }
        if !m.files.iter().any(|f| f.path == m.backend.database_file()) {
            return Err(BackupError::Manifest { path, why: format!("it lists no {}", m.backend.database_file()) });
        }
        Ok(m)
    }
}
