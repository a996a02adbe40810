//! What was published, file by file: each release gets a manifest of every file's SHA-256,
//! length, inode and modification time, written when the release goes live and kept outside
//! what nginx serves:
//!
//! ```text
//! publish/.manifests/<host>/<release id>.sums    sha256 \t len \t inode \t mtime ns \t path
//! ```
//!
//! The audit compares the live release with its manifest byte for byte (`compare` with
//! `Depth::Hash`); `zhanqun serve` looks every few minutes at lengths, inodes and times only
//! (`Depth::Stat`), which costs a `stat` per file, and asks for the full comparison of a site
//! that moved. An incremental publish hard-links the unchanged files of the live release, so
//! their inode, length and time are those of the previous manifest and their hash is reused:
//! only what a publish wrote is hashed.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

const MANIFESTS: &str = ".manifests";

/// One published file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub sha256: String,
    pub len: u64,
    pub inode: u64,
    pub mtime_ns: i128,
}

/// Path (relative, with `/`) → what was published there.
pub type Manifest = BTreeMap<String, Entry>;

/// How closely `compare` looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Length, inode and modification time: cheap, and enough to notice that something moved.
    Stat,
    /// Every byte, through the hash.
    Hash,
}

/// What differs between a live folder and its manifest.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Difference {
    pub altered: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Difference {
    pub fn is_empty(&self) -> bool {
        self.altered.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

/// Where the manifest of `host`'s release `id` is kept.
pub fn path(root: &Path, host: &str, id: &str) -> PathBuf {
    root.join(MANIFESTS).join(host).join(format!("{id}.sums"))
}

/// The release id the host's symlink points to.
fn live_id(root: &Path, host: &str) -> Option<String> {
    let target = fs::read_link(root.join(host)).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

/// The manifest of the host's live release, when it has one (releases published before
/// manifests existed have none).
pub fn live(root: &Path, host: &str) -> io::Result<Option<Manifest>> {
    let Some(id) = live_id(root, host) else { return Ok(None) };
    match fs::read_to_string(path(root, host, &id)) {
        Ok(text) => Ok(Some(parse(&text))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn parse(text: &str) -> Manifest {
    text.lines()
        .filter_map(|line| {
            let mut f = line.splitn(5, '\t');
            let sha256 = f.next()?.to_string();
            let len = f.next()?.parse().ok()?;
            let inode = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            Some((f.next()?.to_string(), Entry { sha256, len, inode, mtime_ns }))
        })
        .collect()
}

/// Every file under `dir` with its metadata, paths relative with `/`.
fn files(dir: &Path) -> io::Result<Vec<(String, PathBuf, fs::Metadata)>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
        let meta = entry.metadata().map_err(io::Error::other)?;
        out.push((rel, entry.path().to_path_buf(), meta));
    }
    Ok(out)
}

fn mtime_ns(m: &fs::Metadata) -> i128 {
    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec())
}

fn stat_matches(e: &Entry, m: &fs::Metadata) -> bool {
    e.len == m.len() && e.inode == m.ino() && e.mtime_ns == mtime_ns(m)
}

fn sha256_of(path: &Path) -> io::Result<String> {
    let bytes = fs::read(path)?;
    Ok(crate::hex::hex(&Sha256::digest(&bytes)))
}

/// The manifest of the folder `dir`, reusing the hashes of `previous` for files it shares
/// (same inode, length and time: a hard link of the previous release).
pub fn of_dir(dir: &Path, previous: Option<&Manifest>) -> io::Result<Manifest> {
    files(dir)?
        .into_par_iter()
        .map(|(rel, full, meta)| {
            let sha256 = match previous.and_then(|p| p.get(&rel)).filter(|e| stat_matches(e, &meta)) {
                Some(e) => e.sha256.clone(),
                None => sha256_of(&full)?,
            };
            Ok((rel, Entry { sha256, len: meta.len(), inode: meta.ino(), mtime_ns: mtime_ns(&meta) }))
        })
        .collect()
}

/// Writes the manifest of release `id` of `host` (written beside, then renamed: a reader never
/// sees half of it).
pub fn write(root: &Path, host: &str, id: &str, manifest: &Manifest) -> io::Result<()> {
    let to = path(root, host, id);
    let dir = to.parent().unwrap_or(root);
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{id}.tmp"));
    let mut out = io::BufWriter::new(fs::File::create(&tmp)?);
    for (rel, e) in manifest {
        writeln!(out, "{}\t{}\t{}\t{}\t{rel}", e.sha256, e.len, e.inode, e.mtime_ns)?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    fs::rename(&tmp, &to)
}

/// Forgets the manifests of releases that are gone.
pub fn prune(root: &Path, host: &str, kept: &[String]) -> io::Result<()> {
    let dir = root.join(MANIFESTS).join(host);
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.strip_suffix(".sums").unwrap_or(&name);
        if !kept.iter().any(|k| k == id) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// What differs between the folder `dir` and `manifest`.
pub fn compare(dir: &Path, manifest: &Manifest, depth: Depth) -> io::Result<Difference> {
    let found = files(dir)?;
    let mut diff = Difference::default();
    let altered: Vec<Option<String>> = found
        .par_iter()
        .map(|(rel, full, meta)| {
            let Some(e) = manifest.get(rel) else { return Ok(None) };
            let changed = match depth {
                Depth::Stat => !stat_matches(e, meta),
                Depth::Hash => e.len != meta.len() || sha256_of(full)? != e.sha256,
            };
            Ok(changed.then(|| rel.clone()))
        })
        .collect::<io::Result<_>>()?;
    diff.altered = altered.into_iter().flatten().collect();
    let present: std::collections::HashSet<&str> = found.iter().map(|(rel, _, _)| rel.as_str()).collect();
    diff.added =
        found.iter().filter(|(rel, _, _)| !manifest.contains_key(rel)).map(|(rel, _, _)| rel.clone()).collect();
    diff.removed = manifest.keys().filter(|rel| !present.contains(rel.as_str())).cloned().collect();
    diff.altered.sort();
    diff.added.sort();
    Ok(diff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_notice_altered_added_and_removed_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("site");
        fs::create_dir_all(dir.join("gzdt")).unwrap();
        fs::write(dir.join("index.html"), "首页").unwrap();
        fs::write(dir.join("gzdt/a.html"), "正文").unwrap();
        let m = of_dir(&dir, None).unwrap();
        assert_eq!(m.len(), 2);
        write(tmp.path(), "a.example.cn", "r1", &m).unwrap();
        let read = parse(&fs::read_to_string(path(tmp.path(), "a.example.cn", "r1")).unwrap());
        assert_eq!(read, m, "written and read back");
        assert!(compare(&dir, &m, Depth::Hash).unwrap().is_empty());

        // Same length, other bytes, time put back: only the hash sees it.
        let before = fs::metadata(dir.join("gzdt/a.html")).unwrap();
        fs::write(dir.join("gzdt/a.html"), "正误").unwrap();
        let t = filetime_of(&before);
        set_mtime(&dir.join("gzdt/a.html"), t);
        fs::write(dir.join("x.php"), "<?php").unwrap();
        fs::remove_file(dir.join("index.html")).unwrap();
        let d = compare(&dir, &m, Depth::Hash).unwrap();
        assert_eq!(d.altered, ["gzdt/a.html"]);
        assert_eq!(d.added, ["x.php"]);
        assert_eq!(d.removed, ["index.html"]);
        let cheap = compare(&dir, &m, Depth::Stat).unwrap();
        assert_eq!((cheap.added.len(), cheap.removed.len()), (1, 1), "the cheap look sees files come and go");
    }

    #[test]
    fn hashes_of_shared_files_are_reused() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        fs::write(a.join("same.html"), "同").unwrap();
        let first = of_dir(&a, None).unwrap();
        fs::hard_link(a.join("same.html"), b.join("same.html")).unwrap();
        // A wrong hash in the previous manifest shows whether it was reused or recomputed.
        let mut previous = first.clone();
        previous.get_mut("same.html").unwrap().sha256 = "reused".into();
        fs::write(b.join("new.html"), "新").unwrap();
        let second = of_dir(&b, Some(&previous)).unwrap();
        assert_eq!(second["same.html"].sha256, "reused", "a hard link is not read again");
        assert_eq!(second["new.html"].sha256.len(), 64);
    }

    fn filetime_of(m: &fs::Metadata) -> (i64, i64) {
        (m.mtime(), m.mtime_nsec())
    }

    fn set_mtime(path: &Path, (s, ns): (i64, i64)) {
        let f = fs::File::options().write(true).open(path).unwrap();
        let t = std::time::UNIX_EPOCH + std::time::Duration::new(s as u64, ns as u32);
        f.set_modified(t).unwrap();
    }
}
