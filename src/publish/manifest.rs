//! What was published, file by file: each release gets a manifest of every file's digest,
//! length, inode and modification time, written when the release goes live and kept outside
//! what nginx serves:
//!
//! ```text
//! publish/.manifests/<host>/<release id>.sums    b3:digest \t len \t inode \t mtime ns \t path
//! publish/.manifests/<host>/<release id>.log     + \t (the same) or - \t path, per publish
//! ```
//!
//! The digest is BLAKE3. Manifests written before it hold SHA-256 (bare hex); they are read
//! and compared with SHA-256 until the release they describe is replaced. BLAKE3 because the
//! build hashes every byte it writes: without SHA instructions in the processor, SHA-256 was
//! over a quarter of a full build's time, BLAKE3 (vectorised) is a few percent, and it is as
//! much a cryptographic hash for telling a tampered page.
//!
//! The renderer hashes what it writes while the bytes are in memory (`Recorder`), so a build
//! reads nothing back. A publish replaces files of the live release one by one and appends
//! what it wrote and removed to the release's log (`append`): its cost follows the change,
//! not the site. The live manifest is the sums with the log applied in order.
//!
//! The audit compares the live release with its manifest byte for byte (`compare` with
//! `Depth::Hash`); `zhanqun serve` looks every few minutes at lengths, inodes and times only
//! (`Depth::Stat`), which costs a `stat` per file, and asks for the full comparison of a site
//! that moved.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use sha2::Digest as _;

const MANIFESTS: &str = ".manifests";

/// One published file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub digest: Digest,
    pub len: u64,
    pub inode: u64,
    pub mtime_ns: i128,
}

/// A file's digest as its manifest records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Blake3([u8; 32]),
    /// From a manifest written before BLAKE3.
    Sha256([u8; 32]),
}

impl Digest {
    /// The digest a new manifest records.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest::Blake3(*blake3::hash(bytes).as_bytes())
    }

    /// The digest of `bytes` by the algorithm `self` was made with, to compare the two.
    fn again(&self, bytes: &[u8]) -> Digest {
        match self {
            Digest::Blake3(_) => Digest::of(bytes),
            Digest::Sha256(_) => Digest::Sha256(sha2::Sha256::digest(bytes).into()),
        }
    }

    fn to_text(self) -> String {
        match self {
            Digest::Blake3(d) => format!("b3:{}", crate::hex::hex(&d)),
            Digest::Sha256(d) => crate::hex::hex(&d),
        }
    }

    fn parse(text: &str) -> Option<Digest> {
        match text.strip_prefix("b3:") {
            Some(hex) => Some(Digest::Blake3(crate::hex::unhex(hex)?.try_into().ok()?)),
            None => Some(Digest::Sha256(crate::hex::unhex(text)?.try_into().ok()?)),
        }
    }
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

/// What one render wrote and removed in a staging folder, recorded as it happens (the
/// renderer writes pages from several threads).
#[derive(Debug, Default)]
pub struct Recorder {
    written: Mutex<Vec<(String, Entry)>>,
    removed: Mutex<Vec<String>>,
}

impl Recorder {
    /// `bytes` were just written at `rel`; `meta` is the written file's.
    pub fn wrote(&self, rel: &str, bytes: &[u8], meta: &fs::Metadata) {
        let entry = Entry { digest: Digest::of(bytes), len: meta.len(), inode: meta.ino(), mtime_ns: mtime_ns(meta) };
        self.written.lock().unwrap_or_else(|e| e.into_inner()).push((rel.trim_start_matches('/').to_string(), entry));
    }

    /// The paths written so far, relative with `/`.
    pub fn written_paths(&self) -> Vec<String> {
        self.written.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(rel, _)| rel.clone()).collect()
    }

    fn into_parts(self) -> (Vec<(String, Entry)>, Vec<String>) {
        let w = self.written.into_inner().unwrap_or_else(|e| e.into_inner());
        (w, self.removed.into_inner().unwrap_or_else(|e| e.into_inner()))
    }

    /// The file at `rel` was removed.
    pub fn removed(&self, rel: &str) {
        self.removed.lock().unwrap_or_else(|e| e.into_inner()).push(rel.trim_start_matches('/').to_string());
    }
}

/// `base` with what a render removed and wrote.
pub fn apply(mut base: Manifest, rec: Recorder) -> Manifest {
    let (written, removed) = rec.into_parts();
    for rel in removed {
        base.remove(&rel);
    }
    base.extend(written);
    base
}

/// Where the manifest of `host`'s release `id` is kept.
pub fn path(root: &Path, host: &str, id: &str) -> PathBuf {
    root.join(MANIFESTS).join(host).join(format!("{id}.sums"))
}

/// Where the changes made to `host`'s release `id` since it went live are logged.
fn log_path(root: &Path, host: &str, id: &str) -> PathBuf {
    root.join(MANIFESTS).join(host).join(format!("{id}.log"))
}

/// Appends what one publish wrote and removed in the host's live release to its log, in one
/// write: a publish killed before it is re-run whole, and applying its lines twice gives
/// the same manifest.
pub fn append(root: &Path, host: &str, rec: Recorder) -> io::Result<()> {
    let Some(id) = live_id(root, host) else { return Ok(()) };
    let (written, removed) = rec.into_parts();
    let mut text = String::new();
    for rel in removed {
        text.push_str(&format!("-\t{rel}\n"));
    }
    for (rel, e) in written {
        text.push_str(&format!("+\t{}\t{}\t{}\t{}\t{rel}\n", e.digest.to_text(), e.len, e.inode, e.mtime_ns));
    }
    let mut f = fs::OpenOptions::new().create(true).append(true).open(log_path(root, host, &id))?;
    f.write_all(text.as_bytes())
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
    let mut manifest = match fs::read_to_string(path(root, host, &id)) {
        Ok(text) => parse(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    match fs::read_to_string(log_path(root, host, &id)) {
        Ok(log) => {
            for line in log.lines() {
                if let Some(rel) = line.strip_prefix("-\t") {
                    manifest.remove(rel);
                } else if let Some(entry) = line.strip_prefix("+\t") {
                    manifest.extend(parse(entry));
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    Ok(Some(manifest))
}

fn parse(text: &str) -> Manifest {
    text.lines()
        .filter_map(|line| {
            let mut f = line.splitn(5, '\t');
            let digest = Digest::parse(f.next()?)?;
            let len = f.next()?.parse().ok()?;
            let inode = f.next()?.parse().ok()?;
            let mtime_ns = f.next()?.parse().ok()?;
            Some((f.next()?.to_string(), Entry { digest, len, inode, mtime_ns }))
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

/// Whether the file at `path` no longer matches its entry, byte for byte.
fn bytes_differ(e: &Entry, path: &Path, len: u64) -> io::Result<bool> {
    Ok(e.len != len || e.digest.again(&fs::read(path)?) != e.digest)
}

/// The manifest of the folder `dir`, every file read back: for a folder staged without a
/// `Recorder` (a release from before manifests, cloned).
pub fn of_dir(dir: &Path) -> io::Result<Manifest> {
    files(dir)?
        .into_par_iter()
        .map(|(rel, full, meta)| {
            let digest = Digest::of(&fs::read(&full)?);
            let entry = Entry { digest, len: meta.len(), inode: meta.ino(), mtime_ns: mtime_ns(&meta) };
            Ok((rel, entry))
        })
        .collect()
}

/// Writes a manifest at `to` (`path`; written beside, then renamed: a reader never sees half
/// of it).
pub fn write(to: &Path, manifest: &Manifest) -> io::Result<()> {
    let id = to.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = to.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{id}.tmp"));
    let mut out = io::BufWriter::new(fs::File::create(&tmp)?);
    for (rel, e) in manifest {
        writeln!(out, "{}\t{}\t{}\t{}\t{rel}", e.digest.to_text(), e.len, e.inode, e.mtime_ns)?;
    }
    // Not synced: the pages it describes are not either (a kill loses nothing the kernel
    // holds), and an fsync in the middle of a build forces the whole build's writes out.
    out.into_inner().map_err(|e| e.into_error())?;
    fs::rename(&tmp, to)
}

/// Forgets the manifests of releases that are gone.
pub fn prune(root: &Path, host: &str, kept: &[String]) -> io::Result<()> {
    let dir = root.join(MANIFESTS).join(host);
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.strip_suffix(".sums").or_else(|| name.strip_suffix(".log")).unwrap_or(&name);
        if !kept.iter().any(|k| k == id) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// What differs between `host`'s live release and its manifest, None when it has no
/// manifest. The comparison runs while publishes go on; what it finds is looked at again
/// holding the host's lock, against the manifest as it is then, so that a file a publish
/// was replacing at that moment is not taken for tampering.
pub fn check_live(root: &Path, host: &str, depth: Depth) -> io::Result<Option<Difference>> {
    let Some(published) = live(root, host)? else { return Ok(None) };
    let dir = fs::canonicalize(root.join(host))?;
    let first = compare(&dir, &published, depth)?;
    if first.is_empty() {
        return Ok(Some(first));
    }
    let _lock = super::output::hold(root, host)?;
    let Some(published) = live(root, host)? else { return Ok(None) };
    let dir = fs::canonicalize(root.join(host))?;
    let mut again = Difference::default();
    for rel in first.altered.iter().chain(&first.added).chain(&first.removed) {
        let path = dir.join(rel);
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        match (published.get(rel), meta) {
            (None, Some(_)) => again.added.push(rel.clone()),
            (Some(_), None) => again.removed.push(rel.clone()),
            (Some(e), Some(m)) => {
                let changed = match depth {
                    Depth::Stat => !stat_matches(e, &m),
                    Depth::Hash => bytes_differ(e, &path, m.len())?,
                };
                if changed {
                    again.altered.push(rel.clone());
                }
            }
            (None, None) => {}
        }
    }
    Ok(Some(again))
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
                Depth::Hash => bytes_differ(e, full, meta.len())?,
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
        let m = of_dir(&dir).unwrap();
        assert_eq!(m.len(), 2);
        write(&path(tmp.path(), "a.example.cn", "r1"), &m).unwrap();
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
    fn a_recorded_render_updates_the_previous_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        fs::write(a.join("same.html"), "同").unwrap();
        fs::write(a.join("gone.html"), "去").unwrap();
        let first = of_dir(&a).unwrap();
        // The next release: one file shared (a hard link), one removed, one written.
        fs::hard_link(a.join("same.html"), b.join("same.html")).unwrap();
        let rec = Recorder::default();
        fs::write(b.join("new.html"), "新").unwrap();
        rec.wrote("/new.html", "新".as_bytes(), &fs::metadata(b.join("new.html")).unwrap());
        rec.removed("/gone.html");
        let second = apply(first.clone(), rec);
        assert_eq!(second.keys().collect::<Vec<_>>(), ["new.html", "same.html"]);
        assert_eq!(second["same.html"], first["same.html"], "a hard link keeps its entry");
        assert_eq!(second, of_dir(&b).unwrap(), "what was recorded is what is on disk");
        assert!(compare(&b, &second, Depth::Stat).unwrap().is_empty());
    }

    #[test]
    fn a_manifest_written_with_sha256_is_still_compared_byte_for_byte() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("site");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "首页").unwrap();
        fs::write(dir.join("a.html"), "正文").unwrap();
        // As a release before BLAKE3 wrote it: bare SHA-256 hex.
        let mut text = String::new();
        for name in ["a.html", "index.html"] {
            let m = fs::metadata(dir.join(name)).unwrap();
            let sha = crate::hex::hex(&sha2::Sha256::digest(fs::read(dir.join(name)).unwrap()));
            text.push_str(&format!("{sha}\t{}\t{}\t{}\t{name}\n", m.len(), m.ino(), mtime_ns(&m)));
        }
        let old = parse(&text);
        assert!(matches!(old["a.html"].digest, Digest::Sha256(_)));
        assert!(compare(&dir, &old, Depth::Hash).unwrap().is_empty(), "unchanged files match their SHA-256");
        let before = fs::metadata(dir.join("a.html")).unwrap();
        fs::write(dir.join("a.html"), "正误").unwrap();
        set_mtime(&dir.join("a.html"), filetime_of(&before));
        assert_eq!(compare(&dir, &old, Depth::Hash).unwrap().altered, ["a.html"]);
        // New entries are BLAKE3, and a manifest may hold both after a publish into an old release.
        let new = of_dir(&dir).unwrap();
        assert!(matches!(new["a.html"].digest, Digest::Blake3(_)));
        let mut mixed = old.clone();
        mixed.insert("a.html".into(), new["a.html"].clone());
        assert!(compare(&dir, &mixed, Depth::Hash).unwrap().is_empty());
        write(&path(tmp.path(), "h", "r1"), &mixed).unwrap();
        assert_eq!(parse(&fs::read_to_string(path(tmp.path(), "h", "r1")).unwrap()), mixed);
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
