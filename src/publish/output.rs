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
//! its leftovers in `.staging` are removed by the next build.

use std::collections::HashSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::{manifest, PublishError};

const STAGING: &str = ".staging";
const RELEASES: &str = ".releases";
/// Releases kept per host besides the live one, for a quick manual rollback.
const KEEP_OLD: usize = 1;

pub struct Output {
    root: PathBuf,
    id: String,
    staging: PathBuf,
    committed: bool,
    /// Hosts whose staging folder was cloned from the live release.
    cloned: HashSet<String>,
    // Held for the whole build: a second build (say `--watch` and a manual one) waits its turn.
    _lock: File,
}

impl Output {
    pub fn begin(root: &Path) -> Result<Output, PublishError> {
        fs::create_dir_all(root).map_err(|e| PublishError::io(root, e))?;
        let lock_path = root.join(".lock");
        let lock = File::create(&lock_path).map_err(|e| PublishError::io(&lock_path, e))?;
        lock.lock().map_err(|e| PublishError::io(&lock_path, e))?;
        let staging_root = root.join(STAGING);
        // Whatever is here belongs to builds that died: we hold the lock.
        if staging_root.exists() {
            fs::remove_dir_all(&staging_root).map_err(|e| PublishError::io(&staging_root, e))?;
        }
        let now = chrono::Utc::now();
        let id = format!("{}-{}", now.format("%Y%m%dT%H%M%S%.6f"), std::process::id());
        let staging = staging_root.join(&id);
        fs::create_dir_all(&staging).map_err(|e| PublishError::io(&staging, e))?;
        Ok(Output { root: root.to_path_buf(), id, staging, committed: false, cloned: HashSet::new(), _lock: lock })
    }

    /// The folder a host's pages are written to during this build.
    pub fn site_dir(&self, host: &str) -> PathBuf {
        self.staging.join(host)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Fills a host's staging folder with hard links to its live release, so that an
    /// incremental publish writes only what changed and still swaps a whole release in.
    /// Returns false when the host has no live release yet.
    pub fn clone_live(&mut self, host: &str) -> Result<bool, PublishError> {
        let Some(live) = live_release(&self.root, host).filter(|p| p.is_dir()) else {
            return Ok(false);
        };
        let to = self.site_dir(host);
        for entry in walkdir::WalkDir::new(&live) {
            let entry = entry.map_err(|e| PublishError::io(&live, e.into()))?;
            let rel = entry.path().strip_prefix(&live).unwrap_or(entry.path());
            let target = to.join(rel);
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).map_err(|e| PublishError::io(&target, e))?;
            } else {
                fs::hard_link(entry.path(), &target).map_err(|e| PublishError::io(&target, e))?;
            }
        }
        self.cloned.insert(host.to_string());
        Ok(true)
    }

    /// Where the manifest of `host`'s staged release is written (before it goes live).
    pub fn manifest_path(&self, host: &str) -> PathBuf {
        manifest::path(&self.root, host, &self.id)
    }

    /// Writes the manifest of `host`'s staged release from what the render wrote and removed:
    /// on top of the live release's manifest when the folder was cloned from it (read back
    /// from disk when that release has none), on top of nothing when it was rendered whole.
    pub fn record(&self, host: &str, recorder: manifest::Recorder) -> Result<(), PublishError> {
        let staged = self.site_dir(host);
        let io = |e| PublishError::io(&staged, e);
        let sums = if self.cloned.contains(host) {
            match manifest::live(&self.root, host).map_err(io)? {
                Some(base) => manifest::apply(base, recorder),
                None => manifest::of_dir(&staged).map_err(io)?,
            }
        } else {
            manifest::apply(manifest::Manifest::new(), recorder)
        };
        manifest::write(&self.manifest_path(host), &sums).map_err(io)
    }

    /// Makes every staged host live, one atomic rename each, then prunes old releases.
    pub fn commit(mut self, hosts: &[String]) -> Result<(), PublishError> {
        for host in hosts {
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
        self.committed = true;
        let _ = fs::remove_dir_all(&self.staging);
        // Deleting a whole old release is as much file-system work as writing one; the
        // sites are already live, so spread it over all cores.
        use rayon::prelude::*;
        hosts.par_iter().try_for_each(|host| {
            let kept = prune(&self.root.join(RELEASES).join(host), &self.id)?;
            manifest::prune(&self.root, host, &kept).map_err(|e| PublishError::io(&self.root, e))
        })
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
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

fn sync_dir(dir: &Path) {
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
            let out = Output::begin(root).unwrap();
            let dir = out.site_dir("a.example.cn");
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("index.html"), format!("round {round}")).unwrap();
            out.commit(&["a.example.cn".into()]).unwrap();
            assert_eq!(fs::read_to_string(root.join("a.example.cn/index.html")).unwrap(), format!("round {round}"));
        }
        assert_eq!(fs::read_dir(root.join(".releases/a.example.cn")).unwrap().count(), 2);
        assert!(!root.join(".staging").exists() || fs::read_dir(root.join(".staging")).unwrap().count() == 0);
    }

    #[test]
    fn cloned_release_shares_files_until_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let mut out = Output::begin(root).unwrap();
        assert!(!out.clone_live("a.example.cn").unwrap(), "nothing live yet");
        fs::create_dir_all(out.site_dir("a.example.cn").join("gzdt")).unwrap();
        fs::write(out.site_dir("a.example.cn").join("index.html"), "v1").unwrap();
        fs::write(out.site_dir("a.example.cn").join("gzdt/a.html"), "a").unwrap();
        out.commit(&["a.example.cn".into()]).unwrap();
        let mut out = Output::begin(root).unwrap();
        assert!(out.clone_live("a.example.cn").unwrap());
        let staged = out.site_dir("a.example.cn");
        fs::remove_file(staged.join("index.html")).unwrap();
        fs::write(staged.join("index.html"), "v2").unwrap();
        assert_eq!(fs::read_to_string(root.join("a.example.cn/index.html")).unwrap(), "v1", "live untouched");
        out.commit(&["a.example.cn".into()]).unwrap();
        assert_eq!(fs::read_to_string(root.join("a.example.cn/index.html")).unwrap(), "v2");
        assert_eq!(fs::read_to_string(root.join("a.example.cn/gzdt/a.html")).unwrap(), "a");
    }

    #[test]
    fn abandoned_build_leaves_live_site() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let out = Output::begin(root).unwrap();
        fs::create_dir_all(out.site_dir("a.example.cn")).unwrap();
        fs::write(out.site_dir("a.example.cn").join("index.html"), "v1").unwrap();
        out.commit(&["a.example.cn".into()]).unwrap();
        let out = Output::begin(root).unwrap();
        fs::create_dir_all(out.site_dir("a.example.cn")).unwrap();
        fs::write(out.site_dir("a.example.cn").join("index.html"), "half").unwrap();
        drop(out);
        assert_eq!(fs::read_to_string(root.join("a.example.cn/index.html")).unwrap(), "v1");
    }
}
