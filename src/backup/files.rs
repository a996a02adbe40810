//! Copying files with their SHA-256 taken on the way, and making what was written durable.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::BackupError;

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_path_buf(), source }
}

/// Copies `from` to `to` (creating its folder), synced to disk; returns (bytes, sha256 hex).
pub(super) fn copy_hashed(from: &Path, to: &Path) -> Result<(u64, String), BackupError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut dst = File::create(to).map_err(io(to))?;
    let digest = read_hashed(from, Some((to, &mut dst)))?;
    dst.sync_all().map_err(io(to))?;
    Ok(digest)
}

/// (bytes, sha256 hex) of a file, read in full.
pub(super) fn hash_file(path: &Path) -> Result<(u64, String), BackupError> {
    read_hashed(path, None)
}

/// Reads `from` in chunks, hashing them and writing them to `copy` when given.
fn read_hashed(from: &Path, mut copy: Option<(&Path, &mut File)>) -> Result<(u64, String), BackupError> {
    let mut src = File::open(from).map_err(io(from))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(io(from))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some((to, dst)) = copy.as_mut() {
            dst.write_all(&buf[..n]).map_err(io(to))?;
        }
        total += n as u64;
    }
    Ok((total, crate::hex::hex(&hasher.finalize())))
}

/// Every file under `root`, as paths relative to it with `/` separators, sorted.
pub(super) fn list_tree(root: &Path) -> Result<Vec<String>, BackupError> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| BackupError::Io {
            path: e.path().map_or_else(|| root.to_path_buf(), Path::to_path_buf),
            source: e.into(),
        })?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(out)
}

/// `path` with `suffix` appended to its file name (`data/zhanqun.db` → `data/zhanqun.db-wal`).
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Whether two trees hold the same files with the same bytes.
pub(super) fn same_tree(a: &Path, b: &Path) -> Result<bool, BackupError> {
    let (la, lb) = (list_tree(a)?, list_tree(b)?);
    if la != lb {
        return Ok(false);
    }
    for rel in &la {
        let (fa, fb) = (a.join(rel), b.join(rel));
        if std::fs::read(&fa).map_err(io(&fa))? != std::fs::read(&fb).map_err(io(&fb))? {
            return Ok(false);
        }
    }
    Ok(true)
}
