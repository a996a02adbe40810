//! The publish folder and its atomic swap. Each host is a symlink to one complete release:
//!
//! ```text
//! publish/fgw.shili.gov.cn -> .releases/fgw.shili.gov.cn/<build id>
//! publish/.staging/<build id>/<host>/     pages being written
//! ```
//!
//! A build writes into `.staging`, moves each finished host into `.releases` and then replaces
//! the host's symlink with `rename(2)`, which is atomic: nginx sees the old release or the new
//! one, never a mix. A build killed at any point leaves the symlinks on the old releases;
//! its leftovers in `.staging` are removed by the next writer (`lock::Staging`). A build or publish
//! holds the locks of the hosts it writes, so writers of different sites run side by side.
//!
//! A publish (`LiveEdit`) changes a live release file by file instead: it writes the new files
//! into `.staging`, then renames each over its old version (nginx sees the old file or the
//! new, never part of one) and removes what went. A publish killed half way leaves some
//! files new and some old; its job is still queued, and the re-run renders the same files
//! from the database and finishes it.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::lock::{self, HostLocks, Staging};
use super::{manifest, PublishError};

const RELEASES: &str = ".releases";
/// Releases kept per host besides the live one, for a quick manual rollback.
const KEEP_OLD: usize = 1;

pub struct Output {
    root: PathBuf,
    id: String,
    hosts: Vec<String>,
    /// Removed when dropped: after the commit it is empty, after an error it holds the
    /// abandoned pages.
    staging: Staging,
    // Held for the whole build: a second writer of these hosts (say `--watch` and a manual
    // build) waits its turn; writers of other hosts do not.
    _locks: HostLocks,
}

/// A publish of one host, holding its lock: into its live release, or a whole new release
/// when it has none yet.
pub enum Publish {
    Edit(LiveEdit),
    Whole(Output),
}

impl Publish {
    /// Waits for the host's lock, then looks at its live release. Taken before the content
    /// is read: two publishers of one host render one after the other, each from what the
    /// database holds once the other is done, so the last one to write never writes older
    /// lists over newer ones.
    pub fn begin(root: &Path, host: &str) -> Result<Publish, PublishError> {
        let hosts = vec![host.to_string()];
        let locks = lock_hosts(root, &hosts)?;
        Ok(match live_release(root, host).filter(|p| p.is_dir()) {
            Some(live) => {
                let staged = Staging::create(root, &release_id())?;
                let dir = staged.dir().join(host);
                fs::create_dir_all(&dir).map_err(|e| PublishError::io(&dir, e))?;
                Publish::Edit(LiveEdit {
                    root: root.to_path_buf(),
                    host: host.to_string(),
                    live,
                    dir,
                    _staged: staged,
                    _locks: locks,
                })
            }
            None => Publish::Whole(Output::with_locks(root, hosts, locks)?),
        })
    }

    /// Waits for the host's lock for a new release of the whole site, whatever is live: after
    /// its columns change, every page's navigation does.
    pub fn begin_whole(root: &Path, host: &str) -> Result<Publish, PublishError> {
        Ok(Publish::Whole(Output::begin(root, &[host.to_string()])?))
    }
}

impl Output {
    /// Waits for the locks of `hosts`, the sites this build may write and commit.
    pub fn begin(root: &Path, hosts: &[String]) -> Result<Output, PublishError> {
        let hosts = hosts.to_vec();
        let locks = lock_hosts(root, &hosts)?;
        Output::with_locks(root, hosts, locks)
    }

    fn with_locks(root: &Path, hosts: Vec<String>, locks: HostLocks) -> Result<Output, PublishError> {
        let id = release_id();
        let staging = Staging::create(root, &id)?;
        Ok(Output { root: root.to_path_buf(), id, hosts, staging, _locks: locks })
    }

    /// The folder a host's pages are written to during this build.
    pub fn site_dir(&self, host: &str) -> PathBuf {
        self.staging.dir().join(host)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the manifest of `host`'s staged release is written (before it goes live).
    pub fn manifest_path(&self, host: &str) -> PathBuf {
        manifest::path(&self.root, host, &self.id)
    }

    /// Writes the manifest of `host`'s staged release from what the render wrote.
    pub fn record(&self, host: &str, recorder: manifest::Recorder) -> Result<(), PublishError> {
        let sums = manifest::apply(manifest::Manifest::new(), recorder);
        manifest::write(&self.manifest_path(host), &sums).map_err(|e| PublishError::io(&self.site_dir(host), e))
    }

    /// Makes every host of the build live, one atomic rename each, then prunes old releases.
    pub fn commit(self) -> Result<(), PublishError> {
        for host in &self.hosts {
            let staged = self.site_dir(host);
            let releases = self.root.join(RELEASES).join(host);
            fs::create_dir_all(&releases).map_err(|e| PublishError::io(&releases, e))?;
            let release = releases.join(&self.id);
            // Whatever nginx serves has a manifest: a folder staged without a record is read
            // back before it goes live.
            let sums_path = self.manifest_path(host);
            if !sums_path.is_file() {
                let sums = manifest::of_dir(&staged).map_err(|e| PublishError::io(&staged, e))?;
                manifest::write(&sums_path, &sums).map_err(|e| PublishError::io(&staged, e))?;
            }
            fs::rename(&staged, &release).map_err(|e| PublishError::io(&staged, e))?;
            let link = self.root.join(host);
            adopt_plain_dir(&link, &releases)?;
            let tmp = self.root.join(format!(".{host}.{}.swap", self.id));
            let target = Path::new(RELEASES).join(host).join(&self.id);
            std::os::unix::fs::symlink(&target, &tmp).map_err(|e| PublishError::io(&tmp, e))?;
            fs::rename(&tmp, &link).map_err(|e| PublishError::io(&link, e))?;
        }
        sync_dir(&self.root);
        // Deleting a whole old release is as much file-system work as writing one; the
        // sites are already live, so spread it over all cores.
        use rayon::prelude::*;
        self.hosts.par_iter().try_for_each(|host| {
            let kept = prune(&self.root.join(RELEASES).join(host), &self.id)?;
            manifest::prune(&self.root, host, &kept).map_err(|e| PublishError::io(&self.root, e))
        })
    }
}

/// Waits for the locks of `hosts` (a build or publish of any of them that holds one).
fn lock_hosts(root: &Path, hosts: &[String]) -> Result<HostLocks, PublishError> {
    lock::hosts(root, hosts).map_err(|e| PublishError::io(root, e))
}

/// The lock of one host, held until dropped: builds and publishes of it take it, and so does
/// a check that must not see a publish half way (`manifest::check_live`).
pub fn hold(root: &Path, host: &str) -> std::io::Result<HostLocks> {
    lock::hosts(root, &[host.to_string()])
}

fn release_id() -> String {
    let now = chrono::Utc::now();
    format!("{}-{}", now.format("%Y%m%dT%H%M%S%.6f"), std::process::id())
}

/// One publish into a host's live release: files are staged, then renamed over the live ones.
pub struct LiveEdit {
    root: PathBuf,
    host: String,
    live: PathBuf,
    /// `.staging/<id>/<host>`, inside `_staged`.
    dir: PathBuf,
    _staged: Staging,
    _locks: HostLocks,
}

impl LiveEdit {
    /// Where the new files are written.
    pub fn staging(&self) -> &Path {
        &self.dir
    }

    /// The live release.
    pub fn live(&self) -> &Path {
        &self.live
    }

    /// Moves the staged files into the live release, one `rename(2)` each, in an order that
    /// never links to a page not there yet: files and article pages first, then the lists,
    /// feeds and sitemaps, the home page last; then removes `remove` (pages no list links to
    /// any more) and the list pages past a list's new end. Appends all of it to the live
    /// manifest's log.
    pub fn apply(self, written: manifest::Recorder, remove: &[String]) -> Result<usize, PublishError> {
        let mut paths = written.written_paths();
        paths.sort_by_key(|rel| (apply_rank(rel), rel.clone()));
        for rel in &paths {
            let (from, to) = (self.dir.join(rel), self.live.join(rel));
            if let Err(e) = fs::rename(&from, &to) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return Err(PublishError::io(&to, e));
                }
                let dir = to.parent().unwrap_or(&self.live);
                fs::create_dir_all(dir).map_err(|e| PublishError::io(dir, e))?;
                fs::rename(&from, &to).map_err(|e| PublishError::io(&to, e))?;
            }
        }
        for rel in remove {
            let path = self.live.join(rel.trim_start_matches('/'));
            match fs::remove_file(&path) {
                Ok(()) => written.removed(rel),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(PublishError::io(&path, e)),
            }
        }
        manifest::append(&self.root, &self.host, written).map_err(|e| PublishError::io(&self.root, e))?;
        Ok(paths.len())
    }
}

/// Order of the renames of a publish: what is linked to goes before what links to it.
fn apply_rank(rel: &str) -> u8 {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if rel.starts_with("files/") {
        0
    } else if rel == "index.html" {
        4
    } else if name.starts_with("index") || name.starts_with("list_") || name.ends_with(".xml") {
        if rel.contains('/') {
            2
        } else {
            3
        }
    } else {
        1
    }
}

/// The live release folder of a host, if it has one.
pub fn live_release(root: &Path, host: &str) -> Option<PathBuf> {
    fs::read_link(root.join(host)).ok().map(|t| root.join(t))
}

/// A host published by hand (a plain folder) is moved aside once so that it can be swapped.
fn adopt_plain_dir(link: &Path, releases: &Path) -> Result<(), PublishError> {
    match fs::symlink_metadata(link) {
        Ok(m) if m.is_dir() => {
            let to = releases.join("adopted");
            fs::rename(link, &to).map_err(|e| PublishError::io(link, e))
        }
        _ => Ok(()),
    }
}

/// Removes old releases of a host, keeping the live one and the `KEEP_OLD` newest before it;
/// returns the ids kept.
fn prune(releases: &Path, live: &str) -> Result<Vec<String>, PublishError> {
    let mut old: Vec<String> = fs::read_dir(releases)
        .map_err(|e| PublishError::io(releases, e))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n != live)
        .collect();
    old.sort();
    let drop_count = old.len().saturating_sub(KEEP_OLD);
    for name in &old[..drop_count] {
        let path = releases.join(name);
        fs::remove_dir_all(&path).map_err(|e| PublishError::io(&path, e))?;
    }
    let mut kept = old.split_off(drop_count);
    kept.push(live.to_string());
    Ok(kept)
}

/// Flushes a folder's entries (a rename into it, a new file) to disk.
pub fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_keeps_one_old_release() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for round in 0..3 {
            let out = Output::begin(root, &["a.example.cn".into()]).unwrap();
            let dir = out.site_dir("a.example.cn");
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("index.html"), format!("round {round}")).unwrap();
            out.commit().unwrap();
            assert_eq!(fs::read_to_string(root.join("a.example.cn/index.html")).unwrap(), format!("round {round}"));
        }
        assert_eq!(fs::read_dir(root.join(".releases/a.example.cn")).unwrap().count(), 2);
        assert!(!root.join(".staging").exists() || fs::read_dir(root.join(".staging")).unwrap().count() == 0);
    }

    #[test]
    fn a_publish_replaces_files_in_the_live_release() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        assert!(matches!(Publish::begin(root, "a.example.cn").unwrap(), Publish::Whole(_)), "nothing live yet");
        let out = Output::begin(root, &["a.example.cn".into()]).unwrap();
        fs::create_dir_all(out.site_dir("a.example.cn").join("gzdt")).unwrap();
        fs::write(out.site_dir("a.example.cn").join("index.html"), "v1").unwrap();
        fs::write(out.site_dir("a.example.cn").join("gzdt/a.html"), "a").unwrap();
        fs::write(out.site_dir("a.example.cn").join("gzdt/b.html"), "b").unwrap();
        out.commit().unwrap();
        let old_inode =
            std::os::unix::fs::MetadataExt::ino(&fs::metadata(root.join("a.example.cn/gzdt/a.html")).unwrap());

        let Publish::Edit(edit) = Publish::begin(root, "a.example.cn").unwrap() else { panic!("live") };
        let rec = manifest::Recorder::default();
        for (rel, text) in [("index.html", "v2"), ("gzdt/202611/c.html", "c")] {
            let path = edit.staging().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            rec.wrote(rel, text.as_bytes(), &fs::metadata(&path).unwrap());
        }
        assert_eq!(edit.apply(rec, &["/gzdt/b.html".into()]).unwrap(), 2);
        let live = root.join("a.example.cn");
        assert_eq!(fs::read_to_string(live.join("index.html")).unwrap(), "v2");
        assert_eq!(fs::read_to_string(live.join("gzdt/202611/c.html")).unwrap(), "c");
        assert!(!live.join("gzdt/b.html").exists());
        let inode = std::os::unix::fs::MetadataExt::ino(&fs::metadata(live.join("gzdt/a.html")).unwrap());
        assert_eq!(inode, old_inode, "an untouched file is not copied");
        // The manifest follows: the sums plus the log equal a read-back of the folder.
        let sums = manifest::live(root, "a.example.cn").unwrap().unwrap();
        assert_eq!(sums, manifest::of_dir(&live_release(root, "a.example.cn").unwrap()).unwrap());
        assert!(!root.join(".staging").exists() || fs::read_dir(root.join(".staging")).unwrap().count() == 0);
    }

    #[test]
    fn abandoned_build_leaves_live_site() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let out = Output::begin(root, &["a.example.cn".into()]).unwrap();
        fs::create_dir_all(out.site_dir("a.example.cn")).unwrap();
        fs::write(out.site_dir("a.example.cn").join("index.html"), "v1").unwrap();
        out.commit().unwrap();
        let out = Output::begin(root, &["a.example.cn".into()]).unwrap();
        fs::create_dir_all(out.site_dir("a.example.cn")).unwrap();
        fs::write(out.site_dir("a.example.cn").join("index.html"), "half").unwrap();
        drop(out);
        assert_eq!(fs::read_to_string(root.join("a.example.cn/index.html")).unwrap(), "v1");
    }
}
