//! `zhanqun backup` and `zhanqun restore`: everything of a group that is not the release
//! itself, copied while the service runs and put back on an empty machine.
//!
//! A backup is one folder, `zhanqun-backup-<Beijing time>`:
//! - `database.sqlite` (a `VACUUM INTO` snapshot) or `database.pgdump` (`pg_dump`'s custom
//!   format); attachments are in the database;
//! - `search/v<N>/`: one commit of the search index, so a restored node answers at once
//!   instead of reindexing (`index_copy`);
//! - `sites/`: the group's YAML, which the column editor changes while the service runs;
//! - `manifest.json`, written last: every file with its size and SHA-256, the schema version
//!   and the database's counts at the snapshot.
//!
//! It is written as `.<name>.partial` and renamed when whole, so a backup cut short is never
//! taken for one. The published sites are not in it: they are rebuilt from the database.
//!
//! A restore checks every digest first and refuses before touching anything when the target
//! is in use or not empty; what it replaces (with `--replace`, SQLite only) is set aside as
//! `*.before-restore-<time>`, never deleted. It then migrates the database to this release,
//! compares the counts with the manifest's, reconciles the search index with the database and
//! builds every site.

mod database;
mod files;
mod index_copy;
pub mod manifest;

use std::path::{Path, PathBuf};

use crate::project::{Paths, Project, ProjectError};
use crate::publish::output::sync_dir;
use crate::search::index::{lock_folder, version_dir, SearchIndex};
use crate::search::schema::VERSION;
use crate::store::tally::Tally;
use crate::store::{backend_of, normalize_url, redact, sqlite_file, Store, StoreError};
use files::{copy_hashed, hash_file, io, list_tree, same_tree, with_suffix};
use manifest::{Backend, Entry, Manifest};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{} is not a zhanqun backup: it has no manifest.json (a backup that was cut short is left as a .partial folder and cannot be restored)", dir.display())]
    NotABackup { dir: PathBuf },
    #[error("{}: {why}", path.display())]
    Manifest { path: PathBuf, why: String },
    #[error("{} is damaged: {why}; nothing was restored, use another backup", path.display())]
    Damaged { path: PathBuf, why: String },
    #[error("search index {}: {why}", path.display())]
    Index { path: PathBuf, why: String },
    #[error("{tool} failed: {why}")]
    Tool { tool: &'static str, why: String },
    /// The command cannot go on as asked; the message says what to do instead.
    #[error("{0}")]
    Usage(String),
    #[error("the restored database does not hold what the backup counted ({}); the restore is in place, compare it with the backup before serving it", .0.join("; "))]
    Mismatch(Vec<String>),
    #[error(transparent)]
    Search(#[from] crate::search::index::SearchError),
    #[error(transparent)]
    Publish(#[from] crate::publish::PublishError),
    #[error("{0}")]
    Project(String),
}

impl From<ProjectError> for BackupError {
    fn from(e: ProjectError) -> Self {
        BackupError::Project(e.to_string())
    }
}

/// A backup written.
#[derive(Debug)]
pub struct Written {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// Folders of earlier backups that were cut short (`.….partial`), left for the operator.
    pub unfinished: Vec<PathBuf>,
}

/// Writes a backup of the project's database, search index and group into a new folder
/// under `into`, while the service may go on serving and publishing.
pub async fn create(paths: &Paths, store: &Store, into: &Path) -> Result<Written, BackupError> {
    std::fs::create_dir_all(into).map_err(io(into))?;
    let into = into.canonicalize().map_err(io(into))?;
    let name = format!(
        "zhanqun-backup-{}",
        chrono::Utc::now().with_timezone(&crate::clock::beijing()).format("%Y%m%d-%H%M%S")
    );
    let dir = into.join(&name);
    if dir.exists() {
        return Err(BackupError::Usage(format!(
            "{} exists already; wait a second and run the backup again",
            dir.display()
        )));
    }
    let partial = into.join(format!(".{name}.partial"));
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    std::fs::create_dir_all(&partial).map_err(io(&partial))?;
    match write_into(paths, store, &partial).await {
        Ok(manifest) => {
            std::fs::rename(&partial, &dir).map_err(io(&dir))?;
            sync_dir(&into);
            // Not deleted here: another backup may be writing one right now.
            let unfinished = std::fs::read_dir(&into)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.path())
                        .filter(|p| {
                            p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.starts_with(".zhanqun-backup-") && n.ends_with(".partial"))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(Written { dir, manifest, unfinished })
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(e)
        }
    }
}

async fn write_into(paths: &Paths, store: &Store, dir: &Path) -> Result<Manifest, BackupError> {
    let backend = Backend::from(store.backend());
    let created =
        chrono::Utc::now().with_timezone(&crate::clock::beijing()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let db_file = dir.join(backend.database_file());
    let (tally, schema) = match backend {
        Backend::Sqlite => database::sqlite_snapshot(store, &db_file).await?,
        Backend::Postgres => database::pg_dump(store, &normalize_url(&paths.database), &db_file).await?,
    };
    let (bytes, sha256) = hash_file(&db_file)?;
    let mut files = vec![Entry { path: backend.database_file().into(), bytes, sha256 }];

    let prefix = format!("search/v{VERSION}");
    let index_copy = dir.join(&prefix);
    let search_documents = match index_copy::copy_commit(&version_dir(&paths.search), &index_copy, &prefix)? {
        Some(entries) => {
            files.extend(entries);
            Some(crate::search::index::count_documents(&index_copy)?)
        }
        None => None,
    };

    if paths.sites.is_dir() {
        for rel in list_tree(&paths.sites)? {
            let (bytes, sha256) = copy_hashed(&paths.sites.join(&rel), &dir.join("sites").join(&rel))?;
            files.push(Entry { path: format!("sites/{rel}"), bytes, sha256 });
        }
    }

    let manifest = Manifest {
        format: manifest::FORMAT,
        zhanqun: env!("CARGO_PKG_VERSION").into(),
        created,
        backend,
        schema,
        tally,
        search_documents,
        files,
    };
    manifest.write(dir)?;
    sync_dir(dir);
    Ok(manifest)
}

#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Put the backup in place of an existing SQLite database and group folder (set aside).
    pub replace: bool,
    /// Build every site after restoring (what makes the sites live again).
    pub build: bool,
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// The database's counts after the restore (and its migrations).
    pub tally: Tally,
    /// Whether they were compared with the manifest's (and found equal): they are unless the
    /// backup's schema was migrated on the way.
    pub counts_checked: bool,
    /// Articles in the search index after it was reconciled with the database.
    pub search_documents: usize,
    /// Whether the index came from the backup (else it was built from the database).
    pub index_restored: bool,
    /// What was there before and was kept aside.
    pub set_aside: Vec<PathBuf>,
    pub build: Option<crate::publish::BuildSummary>,
}

/// Restores the backup in `from` into the project at `paths` (its database URL, search index
/// and group folder). Refuses, before changing anything, when the backup is damaged, another
/// release's, for the other backend, or when the target is in use or holds data (unless
/// `replace`, for SQLite).
pub async fn restore(from: &Path, paths: &Paths, opts: &RestoreOptions) -> Result<Restored, BackupError> {
    let manifest = Manifest::read_checked(from)?;
    let url = normalize_url(&paths.database);
    let target = Backend::from(backend_of(&url));
    if manifest.backend != target {
        return Err(BackupError::Usage(format!(
            "this backup holds a {} database and {} is {}; restore it into a {} database (--database)",
            manifest.backend.name(),
            redact(&url),
            target.name(),
            manifest.backend.name()
        )));
    }
    let newest = Store::newest_schema(backend_of(&url));
    if manifest.schema > newest {
        return Err(BackupError::Usage(format!(
            "this backup was made by a newer release (zhanqun {}, schema {}) than this one (schema {newest}); restore it with that release or a newer one",
            manifest.zhanqun, manifest.schema
        )));
    }

    // While the lock is held no `serve` on this machine can open the index, and none is
    // running now with these paths.
    std::fs::create_dir_all(&paths.search).map_err(io(&paths.search))?;
    let lock = lock_folder(&paths.search).map_err(|_| {
        BackupError::Usage(format!(
            "the search index {} is in use: stop `zhanqun serve` (on every node of this database) before restoring",
            paths.search.display()
        ))
    })?;
    let stamp = chrono::Utc::now().with_timezone(&crate::clock::beijing()).format("%Y%m%d-%H%M%S").to_string();
    let aside = |p: &Path| with_suffix(p, &format!(".before-restore-{stamp}"));

    // Every refusal comes before the first change.
    let db_file = sqlite_file(&url);
    match &db_file {
        Some(file) if file.exists() => {
            refuse_live_nodes(&url).await?;
            if !opts.replace {
                return Err(BackupError::Usage(format!(
                    "{} exists already; pass --replace to put the backup in its place (the current database is kept as {})",
                    file.display(),
                    aside(file).display()
                )));
            }
        }
        Some(_) => {}
        None => {
            if !database::pg_is_empty(&url).await? {
                return Err(BackupError::Usage(format!(
                    "the PostgreSQL database {} already holds tables; a restore goes only into an empty database: create one (createdb NAME) and point --database at it",
                    redact(&url)
                )));
            }
        }
    }
    let backup_sites = from.join("sites");
    let has_sites = manifest.files.iter().any(|f| f.path.starts_with("sites/"));
    let replace_sites = has_sites && paths.sites.exists() && !same_tree(&backup_sites, &paths.sites)?;
    if replace_sites && !opts.replace {
        return Err(BackupError::Usage(format!(
            "{} differs from the group in the backup; pass --replace to put the backup's in its place (the current folder is kept as {})",
            paths.sites.display(),
            aside(&paths.sites).display()
        )));
    }

    let mut set_aside = Vec::new();
    let dump = from.join(manifest.backend.database_file());
    match &db_file {
        Some(file) => {
            let incoming = with_suffix(file, ".restoring");
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
            }
            copy_hashed(&dump, &incoming)?;
            if let Err(e) = database::sqlite_check(&incoming).await {
                let _ = std::fs::remove_file(&incoming);
                return Err(e);
            }
            if file.exists() {
                // The write-ahead log belongs to the old file: left beside the new one,
                // SQLite would replay it into the restored database.
                for suffix in ["", "-wal", "-shm"] {
                    let part = with_suffix(file, suffix);
                    if part.exists() {
                        let to = aside(&part);
                        std::fs::rename(&part, &to).map_err(io(&part))?;
                        set_aside.push(to);
                    }
                }
            }
            std::fs::rename(&incoming, file).map_err(io(file))?;
            if let Some(dir) = file.parent() {
                sync_dir(dir);
            }
        }
        None => database::pg_restore(&url, &dump).await?,
    }

    if has_sites && (replace_sites || !paths.sites.exists()) {
        if paths.sites.exists() {
            let to = aside(&paths.sites);
            std::fs::rename(&paths.sites, &to).map_err(io(&paths.sites))?;
            set_aside.push(to);
        }
        copy_tree(&backup_sites, &paths.sites)?;
    }

    let prefix = format!("search/v{VERSION}/");
    let index_restored = manifest.files.iter().any(|f| f.path.starts_with(&prefix));
    let current = version_dir(&paths.search);
    if current.exists() {
        // The old index is derived data: the database it followed has just been replaced.
        std::fs::remove_dir_all(&current).map_err(io(&current))?;
    }
    if index_restored {
        copy_tree(&from.join(prefix.trim_end_matches('/')), &current)?;
    }
    drop(lock);

    let project = Project::open(paths.clone()).await?;
    let tally = project.store.tally().await?;
    // Migrations of a later release may change what is counted; the counts are compared when
    // none ran.
    let counts_checked = manifest.schema == newest;
    let differences = manifest.tally.differences(&tally);
    if counts_checked && !differences.is_empty() {
        return Err(BackupError::Mismatch(differences));
    }
    let index = SearchIndex::open(&paths.search)?;
    let (store, rt) = (project.store.clone(), tokio::runtime::Handle::current());
    let search_documents = tokio::task::spawn_blocking(move || -> Result<usize, BackupError> {
        if index.is_complete() {
            crate::search::sync::reconcile(&index, &store, &rt)?;
        } else {
            crate::search::sync::rebuild(&index, &store, &rt, &|_, _| {})?;
        }
        Ok(crate::search::index::count_documents(index.dir())? as usize)
    })
    .await
    .map_err(|e| BackupError::Usage(format!("the search index could not be brought up to date: {e}")))??;
    let build =
        if opts.build { Some(project.build(&project.build_options(Vec::new(), false, None)).await?) } else { None };
    project.store.close().await;
    Ok(Restored { manifest, tally, counts_checked, search_documents, index_restored, set_aside, build })
}

/// Refuses while a `serve` node of this database still beats (its heartbeat has not run out).
async fn refuse_live_nodes(url: &str) -> Result<(), BackupError> {
    let Ok(db) = Store::inspect(url).await else { return Ok(()) };
    // A database of a release before the heartbeat has no such table: nothing to ask.
    let nodes = db.live_nodes(crate::clock::now_unix()).await.unwrap_or_default();
    db.close().await;
    if nodes.is_empty() {
        Ok(())
    } else {
        Err(BackupError::Usage(format!(
            "zhanqun serve is running on this database (node {}); stop it before restoring (a node that was killed counts as running until its heartbeat runs out, 15 s later)",
            nodes.join(", ")
        )))
    }
}

/// Copies a folder tree into a new folder beside `to`, then renames it into place.
fn copy_tree(from: &Path, to: &Path) -> Result<(), BackupError> {
    let incoming = with_suffix(to, ".restoring");
    if incoming.exists() {
        std::fs::remove_dir_all(&incoming).map_err(io(&incoming))?;
    }
    for rel in list_tree(from)? {
        copy_hashed(&from.join(&rel), &incoming.join(&rel))?;
    }
    std::fs::create_dir_all(&incoming).map_err(io(&incoming))?;
    std::fs::rename(&incoming, to).map_err(io(to))?;
    if let Some(dir) = to.parent() {
        sync_dir(dir);
    }
    Ok(())
}
