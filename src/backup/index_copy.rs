//! A copy of the search index as of one commit, taken while the service writes to it.
//!
//! A tantivy commit is a `meta.json` naming the segments it holds; segment files are never
//! changed once written, and `meta.json` is replaced atomically. So reading `meta.json` first,
//! then copying the files of the segments it names, gives that commit whole. The one thing
//! that can go wrong is a merge deleting a named segment before its file is opened; then the
//! copy starts again from the newer `meta.json`.

use std::path::Path;

use super::files::{copy_hashed, io};
use super::manifest::Entry;
use super::BackupError;

const ATTEMPTS: usize = 5;

/// Copies the commit of the index in `from` into `to`; returns the files written, named
/// relative to `prefix`. None when `from` holds no committed index.
pub(super) fn copy_commit(from: &Path, to: &Path, prefix: &str) -> Result<Option<Vec<Entry>>, BackupError> {
    let meta_path = from.join("meta.json");
    for _ in 0..ATTEMPTS {
        let meta = match std::fs::read(&meta_path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&meta_path)(e)),
        };
        let segments = segment_ids(&meta).map_err(|why| BackupError::Index { path: meta_path.clone(), why })?;
        if to.exists() {
            std::fs::remove_dir_all(to).map_err(io(to))?;
        }
        std::fs::create_dir_all(to).map_err(io(to))?;
        match copy_segments(from, to, prefix, &segments)? {
            Ok(mut entries) => {
                // meta.json last and as read: the copy is exactly the commit it names.
                let target = to.join("meta.json");
                std::fs::write(&target, &meta).map_err(io(&target))?;
                let (bytes, sha256) = super::files::hash_file(&target)?;
                entries.push(Entry { path: format!("{prefix}/meta.json"), bytes, sha256 });
                return Ok(Some(entries));
            }
            Err(Vanished) => continue,
        }
    }
    Err(BackupError::Index {
        path: from.to_path_buf(),
        why: format!(
            "its segments changed under {ATTEMPTS} copies in a row; try again when fewer articles are being published"
        ),
    })
}

/// A segment named by the commit was deleted (merged away) before it was copied.
struct Vanished;

type Copied = Result<Vec<Entry>, Vanished>;

fn copy_segments(from: &Path, to: &Path, prefix: &str, segments: &[String]) -> Result<Copied, BackupError> {
    let names = std::fs::read_dir(from).map_err(io(from))?;
    let mut wanted: Vec<String> = names
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| segments.iter().any(|s| n.starts_with(s.as_str()) && n.as_bytes().get(s.len()) == Some(&b'.')))
        .collect();
    wanted.sort();
    let mut entries = Vec::new();
    for name in wanted {
        let source = from.join(&name);
        match copy_hashed(&source, &to.join(&name)) {
            Ok((bytes, sha256)) => entries.push(Entry { path: format!("{prefix}/{name}"), bytes, sha256 }),
            Err(BackupError::Io { path, source: e }) if path == source && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Err(Vanished))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Ok(entries))
}

/// The segment ids a `meta.json` names, spelled as in the segments' file names (32 hex digits).
fn segment_ids(meta: &[u8]) -> Result<Vec<String>, String> {
    let v: serde_json::Value = serde_json::from_slice(meta).map_err(|e| format!("meta.json is not JSON: {e}"))?;
    let segments = v.get("segments").and_then(|s| s.as_array()).ok_or("meta.json lists no segments")?;
    segments
        .iter()
        .map(|s| {
            let id = s.get("segment_id").and_then(|i| i.as_str()).ok_or("a segment without an id")?;
            Ok(id.replace('-', "").to_ascii_lowercase())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_ids_are_spelled_as_file_names() {
        let meta = br#"{"segments":[{"segment_id":"0b0e9f5c-1d3a-4c55-9a2b-7f7d1c2e3a4b","max_doc":3,"deletes":null}],"opstamp":4}"#;
        assert_eq!(segment_ids(meta).unwrap(), vec!["0b0e9f5c1d3a4c559a2b7f7d1c2e3a4b".to_string()]);
        assert!(segment_ids(b"{}").is_err());
        assert!(segment_ids(b"not json").is_err());
    }

    #[test]
    fn a_commit_is_copied_without_its_uncommitted_neighbours() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        let id = "0b0e9f5c1d3a4c559a2b7f7d1c2e3a4b";
        std::fs::write(
            from.path().join("meta.json"),
            r#"{"segments":[{"segment_id":"0b0e9f5c-1d3a-4c55-9a2b-7f7d1c2e3a4b"}]}"#,
        )
        .unwrap();
        for ext in ["idx", "store", "7.del"] {
            std::fs::write(from.path().join(format!("{id}.{ext}")), ext).unwrap();
        }
        std::fs::write(from.path().join("ffffffffffffffffffffffffffffffff.idx"), "uncommitted").unwrap();
        std::fs::write(from.path().join(".tantivy-writer.lock"), "").unwrap();
        let entries = copy_commit(from.path(), &to.path().join("v2"), "search/v2").unwrap().unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            names,
            [
                format!("search/v2/{id}.7.del"),
                format!("search/v2/{id}.idx"),
                format!("search/v2/{id}.store"),
                "search/v2/meta.json".into()
            ]
        );
        assert!(!to.path().join("v2/ffffffffffffffffffffffffffffffff.idx").exists());
    }

    #[test]
    fn no_commit_no_copy() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        assert!(copy_commit(from.path(), &to.path().join("v2"), "search/v2").unwrap().is_none());
    }
}
