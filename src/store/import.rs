//! `zhanqun import DIR --site CODE` on the database side: `content::import` reads and checks
//! the folder's Markdown and Word files; this links interpretations to policies already imported and
//! writes the good files in one transaction.

use std::collections::HashSet;
use std::path::Path;

use super::tenant::Tenant;
use super::{Store, StoreError};
use crate::content::import::{read_dir, FileProblem, FolderError, ImportItem, ImportReport};
use crate::group::Site;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Imports every `*.md` and `*.docx` under `dir` into `site` (into `column` when a file names
/// none), recorded in the audit log under `actor`. The articles go live without review, so
/// only an operator's job does this (`Job::CommandLine`, the demo seed, the benchmarks), never
/// a session.
pub async fn import_dir(
    store: &Store,
    tenant: Tenant,
    site: &Site,
    dir: &Path,
    column: Option<&str>,
    actor: &str,
) -> Result<ImportReport, ImportError> {
    let started = std::time::Instant::now();
    let (items, mut problems) = read_dir(site, dir, column)?;
    let read_seconds = started.elapsed().as_secs_f64();
    let row = store.site_row(site.code()).await?;
    tenant.reach(row.id)?;
    // Interpretation links may point at articles imported earlier from the same folder.
    let known: HashSet<String> =
        store.source_keys(row.id).await?.into_iter().chain(items.iter().map(|(i, _)| i.source_key.clone())).collect();
    let (items, unlinked): (Vec<_>, Vec<_>) =
        items.into_iter().partition(|(i, _)| i.interprets.as_ref().is_none_or(|k| known.contains(k)));
    for (item, line) in unlinked {
        let target = item.interprets.unwrap_or_default();
        problems.push(FileProblem {
            file: dir.join(&item.source_key),
            line,
            message: format!("`interprets` names {target}, which is neither in this folder nor imported before"),
        });
    }
    let items: Vec<ImportItem> = items.into_iter().map(|(i, _)| i).collect();
    let started = std::time::Instant::now();
    let stats = store.import_articles(&row, &items, actor).await?;
    let write_seconds = started.elapsed().as_secs_f64();
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(ImportReport { stats, problems, read_seconds, write_seconds })
}
