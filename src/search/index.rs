//! The index on disk and its one writer.
//!
//! Crash safety comes from tantivy's commits: a commit replaces `meta.json` atomically, and
//! segments written after the last commit are ignored and cleaned up on the next open, so a
//! kill at any point leaves the last committed index. A full rebuild deletes and re-adds
//! everything under one commit, so searches see the old index until the new one is whole.
//! Whether the index ever was complete is recorded in the commit payload; one that never was
//! (a first build that was killed) is rebuilt on the next start.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, DirectoryLock, Lock, MmapDirectory};
use tantivy::schema::Schema;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, TantivyError, Term};

use super::analyze::{index_analyzer, TextTokenizer, PAIRS_TOKENIZER, TEXT_TOKENIZER, TOKENIZER};
use super::schema::{Fields, VERSION};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index {}: {source}", dir.display())]
    Index { dir: PathBuf, source: TantivyError },
    #[error("search index {} is in use by another zhanqun process (a running `zhanqun serve`?); stop it first, or point --search-index elsewhere", dir.display())]
    Locked { dir: PathBuf },
    #[error("search index {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// Commit payload of an index that holds every live article (or did at its last rebuild).
const COMPLETE: &str = "zhanqun-search:complete";

/// Memory the writer may use per indexing thread before it flushes a segment.
const WRITER_MEMORY_PER_THREAD: usize = 128 << 20;

pub struct SearchIndex {
    /// Held for the life of the index: no other process may touch `root` meanwhile.
    _lock: DirectoryLock,
    dir: PathBuf,
    reader: IndexReader,
    pub fields: Fields,
    writer: Mutex<IndexWriter>,
    complete: AtomicBool,
}

impl SearchIndex {
    /// Opens the index of the current schema version under `root` (creating it, or starting
    /// it afresh when it is unreadable or of another schema) and takes the writer lock.
    /// Folders of older versions are deleted.
    pub fn open(root: &Path) -> Result<SearchIndex> {
        let dir = version_dir(root);
        let io = |path: &Path, source| SearchError::Io { path: path.to_path_buf(), source };
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        // Lock the whole folder before deleting or recreating anything in it.
        let lock = lock_folder(root)?;
        remove_old_versions(root, &dir);
        let (schema, fields) = Fields::new();
        let index = if !dir.join("meta.json").exists() {
            create(&dir, schema)?
        } else {
            match Index::open_in_dir(&dir) {
                Ok(index) if same_fields(&index.schema(), &schema) => index,
                Ok(_) => {
                    tracing::warn!(dir = %dir.display(), "search index has another schema; rebuilding it");
                    recreate(&dir, schema)?
                }
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), error = %e, "search index unreadable; rebuilding it");
                    recreate(&dir, schema)?
                }
            }
        };
        index.tokenizers().register(TOKENIZER, index_analyzer());
        index.tokenizers().register(TEXT_TOKENIZER, TextAnalyzer::from(TextTokenizer::text()));
        index.tokenizers().register(PAIRS_TOKENIZER, TextAnalyzer::from(TextTokenizer::pairs()));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let writer =
            index.writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD).map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => SearchError::Locked { dir: dir.clone() },
                e => SearchError::Index { dir: dir.clone(), source: e },
            })?;
        let complete = index.load_metas().map(|m| m.payload.as_deref() == Some(COMPLETE)).unwrap_or(false);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| SearchError::Index { dir: dir.clone(), source: e })?;
        Ok(SearchIndex {
            _lock: lock,
            dir,
            reader,
            fields,
            writer: Mutex::new(writer),
            complete: AtomicBool::new(complete),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the index held every live article at its last commit; when not, it must be
    /// rebuilt before it can be trusted.
    pub fn is_complete(&self) -> bool {
        self.complete.load(Ordering::SeqCst)
    }

    /// A consistent view of the last commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Removes the articles `remove`, adds (or replaces) `add`, commits and makes the result
    /// visible to the next search.
    pub fn apply(&self, remove: &[i64], add: Vec<TantivyDocument>) -> Result<()> {
        let mut w = self.writer();
        for &id in remove {
            w.delete_term(self.id_term(id));
        }
        for doc in add {
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| tantivy::schema::Value::as_u64(&v)) {
                w.delete_term(Term::from_field_u64(self.fields.id, id));
            }
            w.add_document(doc).map_err(|e| self.err(e))?;
        }
        self.commit(&mut w)
    }

    /// Replaces the whole content with the documents `next` yields (until it returns None),
    /// in one commit; `progress` is called with the running count.
    pub fn rebuild(
        &self,
        mut next: impl FnMut() -> Result<Option<Vec<TantivyDocument>>>,
        progress: &dyn Fn(usize),
    ) -> Result<usize> {
        let mut w = self.writer();
        let outcome = (|| {
            w.delete_all_documents().map_err(|e| self.err(e))?;
            let mut n = 0;
            while let Some(batch) = next()? {
                n += batch.len();
                for doc in batch {
                    w.add_document(doc).map_err(|e| self.err(e))?;
                }
                progress(n);
            }
            Ok(n)
        })();
        match outcome {
            Ok(n) => {
                self.complete.store(true, Ordering::SeqCst);
                self.commit(&mut w)?;
                Ok(n)
            }
            Err(e) => {
                // Back to the last commit: a half-fed rebuild must not be committed by the
                // next update.
                let _ = w.rollback();
                Err(e)
            }
        }
    }

    /// (article id, revision id) of every document in the last commit.
    pub fn keys(&self) -> Result<HashMap<i64, i64>> {
        let searcher = self.searcher();
        let mut out = HashMap::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let ids = ff.u64("id").map_err(|e| self.err(e))?;
            let revs = ff.u64("rev").map_err(|e| self.err(e))?;
            for doc in seg.doc_ids_alive() {
                if let (Some(id), Some(rev)) = (ids.first(doc), revs.first(doc)) {
                    out.insert(id as i64, rev as i64);
                }
            }
        }
        Ok(out)
    }

    pub fn id_term(&self, id: i64) -> Term {
        Term::from_field_u64(self.fields.id, id as u64)
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves it usable: tantivy rolls back on error.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn commit(&self, w: &mut IndexWriter) -> Result<()> {
        let mut prepared = w.prepare_commit().map_err(|e| self.err(e))?;
        if self.is_complete() {
            prepared.set_payload(COMPLETE);
        }
        prepared.commit().map_err(|e| self.err(e))?;
        self.reader.reload().map_err(|e| self.err(e))
    }

    fn err(&self, source: TantivyError) -> SearchError {
        SearchError::Index { dir: self.dir.clone(), source }
    }
}

fn same_fields(a: &Schema, b: &Schema) -> bool {
    let names = |s: &Schema| s.fields().map(|(_, e)| serde_json::to_string(e).unwrap_or_default()).collect::<Vec<_>>();
    names(a) == names(b)
}

fn create(dir: &Path, schema: Schema) -> Result<Index> {
    Index::create_in_dir(dir, schema).map_err(|e| SearchError::Index { dir: dir.to_path_buf(), source: e })
}

fn recreate(dir: &Path, schema: Schema) -> Result<Index> {
    std::fs::remove_dir_all(dir).map_err(|e| SearchError::Io { path: dir.to_path_buf(), source: e })?;
    std::fs::create_dir_all(dir).map_err(|e| SearchError::Io { path: dir.to_path_buf(), source: e })?;
    create(dir, schema)
}

/// Deletes `v<N>` folders other than the current one: an older binary's index is of no use
/// to this one, and a newer one's would be rebuilt by it anyway.
/// Takes the lock a running service holds on the index folder `root` (which must exist): no
/// other zhanqun process touches the index while it is held.
pub fn lock_folder(root: &Path) -> Result<DirectoryLock> {
    MmapDirectory::open(root)
        .map_err(|e| SearchError::Index { dir: root.to_path_buf(), source: e.into() })?
        .acquire_lock(&Lock { filepath: PathBuf::from(".zhanqun-search.lock"), is_blocking: false })
        .map_err(|_| SearchError::Locked { dir: root.to_path_buf() })
}

/// Live documents in the last commit of the index in `dir` (the folder of one version), read
/// without the writer lock: a copy, or an index another process writes to.
pub fn count_documents(dir: &Path) -> Result<u64> {
    let err = |source| SearchError::Index { dir: dir.to_path_buf(), source };
    let index = Index::open_in_dir(dir).map_err(err)?;
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(err)?;
    Ok(reader.searcher().num_docs())
}

/// The folder of the current schema's index under `root`.
pub fn version_dir(root: &Path) -> PathBuf {
    root.join(format!("v{VERSION}"))
}

fn remove_old_versions(root: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let is_version = name.to_str().is_some_and(|n| n.strip_prefix('v').is_some_and(|v| v.parse::<u32>().is_ok()));
        if is_version && e.path() != current {
            if let Err(err) = std::fs::remove_dir_all(e.path()) {
                tracing::warn!(dir = %e.path().display(), error = %err, "could not delete an old search index");
            } else {
                tracing::info!(dir = %e.path().display(), "deleted a search index of an older schema");
            }
        }
    }
}
