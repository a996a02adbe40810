//! Who may write what in the publish folder. Each host has its own lock, so builders of
//! different sites (`--shard` builders on one shared folder, or two nodes publishing two
//! departments) work side by side, while two writers of one host take turns:
//!
//! ```text
//! publish/.locks/<host>          held by the build or publish writing that host
//! publish/.staging/<id>.lock     held by the build or publish whose staging folder is <id>
//! ```
//!
//! A writer locks its hosts in name order, so two writers of overlapping sets never wait for
//! each other in a circle. A staging folder whose `.lock` nobody holds belongs to a writer
//! that died (the kernel releases a dead process's `flock`), and the next writer removes it.

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use super::PublishError;

const LOCKS: &str = ".locks";
const STAGING: &str = ".staging";

/// The locks of the hosts one writer holds, released when dropped.
#[derive(Debug)]
pub struct HostLocks {
    _files: Vec<File>,
}

/// Waits for the lock of every host in `hosts`, taken in name order.
pub fn hosts(root: &Path, hosts: &[String]) -> io::Result<HostLocks> {
    let dir = root.join(LOCKS);
    fs::create_dir_all(&dir)?;
    let mut names: Vec<&str> = hosts.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let file = File::create(dir.join(name))?;
        file.lock()?;
        files.push(file);
    }
    Ok(HostLocks { _files: files })
}

/// A writer's own staging folder, `.staging/<id>`, marked as in use for as long as this lives.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    lock_path: PathBuf,
    _lock: File,
}

impl Staging {
    /// Creates `.staging/<id>` (its lock first, so that no other writer takes the new folder
    /// for a dead one) and removes what dead writers left there.
    pub fn create(root: &Path, id: &str) -> Result<Staging, PublishError> {
        let staging_root = root.join(STAGING);
        fs::create_dir_all(&staging_root).map_err(|e| PublishError::io(&staging_root, e))?;
        let lock_path = staging_root.join(format!("{id}.lock"));
        let lock = File::create(&lock_path).map_err(|e| PublishError::io(&lock_path, e))?;
        lock.lock().map_err(|e| PublishError::io(&lock_path, e))?;
        let dir = staging_root.join(id);
        fs::create_dir_all(&dir).map_err(|e| PublishError::io(&dir, e))?;
        clear_dead(&staging_root, id).map_err(|e| PublishError::io(&staging_root, e))?;
        Ok(Staging { dir, lock_path, _lock: lock })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Staging {
    /// Removes the folder, then its lock file; the lock itself is released after this, as
    /// the fields drop, so no other writer takes the folder for a dead one meanwhile.
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// Removes every staging folder of `staging_root` whose writer is gone, with its lock file.
fn clear_dead(staging_root: &Path, own: &str) -> io::Result<()> {
    for entry in fs::read_dir(staging_root)? {
        let entry = entry?;
        // Folders only: a lock file without its folder may be a writer between taking its
        // lock and creating its folder.
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.as_str();
        if id == own {
            continue;
        }
        let lock_path = staging_root.join(format!("{id}.lock"));
        let held = match File::open(&lock_path) {
            Ok(f) => match f.try_lock() {
                Ok(()) => Some(f),
                Err(TryLockError::WouldBlock) => continue,
                Err(TryLockError::Error(e)) => return Err(e),
            },
            // A folder without its lock file was left by a writer that died between the two,
            // or by a release before per-host locks.
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        // Another writer may be clearing the same folder: whoever comes second finds less.
        match fs::remove_dir_all(entry.path()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if held.is_some() {
            let _ = fs::remove_file(&lock_path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    fn names(hosts: &[&str]) -> Vec<String> {
        hosts.iter().map(|h| h.to_string()).collect()
    }

    /// Another writer, on its own thread, taking the locks of `wanted`: the receiver hears
    /// once it holds them all.
    fn other_writer(root: &Path, wanted: &[&str]) -> (mpsc::Receiver<()>, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel();
        let (root, wanted) = (root.to_path_buf(), names(wanted));
        let handle = std::thread::spawn(move || {
            let _held = hosts(&root, &wanted).unwrap();
            tx.send(()).unwrap();
        });
        (rx, handle)
    }

    #[test]
    fn writers_of_different_hosts_do_not_wait_for_each_other() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let _a = hosts(&root, &names(&["a.example.cn", "c.example.cn"])).unwrap();
        let (rx, _) = other_writer(&root, &["b.example.cn", "d.example.cn"]);
        // Not a timing claim: the other writer must get its locks at all while ours are held.
        rx.recv_timeout(Duration::from_secs(30)).expect("locks of other hosts are free");
    }

    #[test]
    fn a_second_writer_of_one_host_waits_until_the_first_is_done() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let first = hosts(&root, &names(&["a.example.cn", "b.example.cn"])).unwrap();
        let (rx, waiter) = other_writer(&root, &["b.example.cn"]);
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err(), "b is still held by the first writer");
        drop(first);
        rx.recv_timeout(Duration::from_secs(30)).expect("b is free once the first writer is done");
        waiter.join().unwrap();
    }

    #[test]
    fn a_dead_writers_staging_is_removed_and_a_live_ones_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let live = Staging::create(root, "20261127T100000.000001-1").unwrap();
        fs::write(live.dir().join("page.html"), "being written").unwrap();
        // Left by writers that died: one with its (unheld) lock file, one from before per-host
        // locks with none.
        for dead in ["20261127T090000.000001-2", "20261127T080000.000001-3"] {
            fs::create_dir_all(root.join(STAGING).join(dead).join("a.example.cn")).unwrap();
        }
        fs::write(root.join(STAGING).join("20261127T090000.000001-2.lock"), "").unwrap();

        let next = Staging::create(root, "20261127T110000.000001-4").unwrap();
        let mut left: Vec<String> = fs::read_dir(root.join(STAGING))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "20261127T100000.000001-1",
                "20261127T100000.000001-1.lock",
                "20261127T110000.000001-4",
                "20261127T110000.000001-4.lock"
            ]
        );
        assert!(live.dir().join("page.html").is_file());
        drop((next, live));
        assert_eq!(fs::read_dir(root.join(STAGING)).unwrap().count(), 0);
    }
}
