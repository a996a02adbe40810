//! `zhanqun build --watch`: rebuilds only the sites a change affects, debounced, and refuses to
//! publish while the group is invalid (the previous output stays live).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use super::BuildOptions;
use crate::group::{Group, GROUP_FILE};
use crate::project::Project;

/// Which sites a set of changed files affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affected {
    All,
    Sites(BTreeSet<String>),
}

pub fn affected(project: &Project, changed: &[PathBuf]) -> Affected {
    let group: &Group = &project.group();
    let sites_dir = absolute(&project.paths.sites);
    let themes_dir = absolute(&project.paths.themes);
    let shared: Vec<PathBuf> = group.shared_files().iter().map(|p| absolute(p)).collect();
    let mut codes = BTreeSet::new();
    for path in changed {
        let path = absolute(path);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
            continue; // editor scratch files
        }
        if let Ok(rel) = path.strip_prefix(&themes_dir) {
            let theme =
                rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
            if theme == "locked" {
                return Affected::All;
            }
            codes.extend(group.sites.iter().filter(|s| s.theme == theme).map(|s| s.code().to_string()));
        } else if let Ok(rel) = path.strip_prefix(&sites_dir) {
            if rel == Path::new(GROUP_FILE) || shared.contains(&path) {
                return Affected::All;
            }
            let is_site_file =
                rel.components().count() == 1 && path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            match group.site(stem) {
                // The portal's directory shows every site's name.
                Some(_) if is_site_file => {
                    codes.insert(stem.to_string());
                    codes.insert(group.def.portal.clone());
                }
                // A new or removed site changes the portal directory and the nginx file.
                None if is_site_file => return Affected::All,
                _ => {
                    let banner_users: Vec<String> = group
                        .sites
                        .iter()
                        .filter(|s| s.def.theme.banner.as_ref().is_some_and(|b| absolute(&sites_dir.join(b)) == path))
                        .map(|s| s.code().to_string())
                        .collect();
                    codes.extend(banner_users);
                }
            }
        }
    }
    Affected::Sites(codes)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Quiet time after the last change before rebuilding: an editor's save is several events.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Watches `sites/` and `themes/` until ctrl-c; `report` receives one line per event.
pub async fn watch(mut project: Project, mut opts: BuildOptions, report: impl Fn(String)) -> anyhow::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |ev| {
        let _ = tx.send(ev);
    })?;
    // With `--site`, only those sites are ever rebuilt.
    let selected = opts.only.clone();
    watcher.watch(&project.paths.sites, RecursiveMode::Recursive)?;
    watcher.watch(&project.paths.themes, RecursiveMode::Recursive)?;
    report(format!(
        "watching {} and {} (ctrl-c to stop)",
        project.paths.sites.display(),
        project.paths.themes.display()
    ));
    loop {
        let first = tokio::select! {
            ev = rx.recv() => match ev { Some(ev) => ev, None => break },
            _ = tokio::signal::ctrl_c() => break,
        };
        let mut changed: Vec<PathBuf> = Vec::new();
        let mut note = |ev: notify::Result<notify::Event>| match ev {
            // Reads (every build opens the templates) are not changes.
            Ok(ev) if !matches!(ev.kind, EventKind::Access(_)) => changed.extend(ev.paths),
            Ok(_) => {}
            Err(e) => report(format!("watch error: {e}")),
        };
        note(first);
        while let Ok(Some(ev)) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {
            note(ev);
        }
        changed.sort();
        changed.dedup();
        // Decide with the group as it was, so removed sites are noticed too.
        let affected = affected(&project, &changed);
        tracing::debug!(?changed, ?affected, "files changed");
        if affected == Affected::Sites(BTreeSet::new()) {
            continue;
        }
        if let Err(e) = project.reload().await {
            report(format!("{e}\nnot published; fix the problems above and save again"));
            continue;
        }
        opts.only = match affected {
            Affected::All => selected.clone(),
            Affected::Sites(codes) => codes
                .into_iter()
                .filter(|c| project.group().site(c).is_some() && (selected.is_empty() || selected.contains(c)))
                .collect(),
        };
        if opts.only.is_empty() && !selected.is_empty() {
            continue;
        }
        match project.build(&opts).await {
            Ok(summary) => report(format!(
                "{summary} [{}]",
                if opts.only.is_empty() { "all sites".to_string() } else { opts.only.join(", ") }
            )),
            Err(e) => report(format!("build failed, previous output stays live: {e}")),
        }
    }
    Ok(())
}
