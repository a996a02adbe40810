//! `zhanqun build --watch`: rebuilds only the sites a change affects, debounced, and refuses to
//! publish while the group is invalid (the previous output stays live).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_mini::new_debouncer;

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
    let group: &Group = &project.group;
    let sites_dir = absolute(&project.paths.sites);
    let themes_dir = absolute(&project.paths.themes);
    let shared: Vec<PathBuf> = group.shared_files().iter().map(|p| absolute(p)).collect();
    let mut codes = BTreeSet::new();
    for path in changed {
        let path = absolute(path);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
            continue; // editor scratch files
        }
        if let Ok(rel) = path.strip_prefix(&themes_dir) {
            let theme = rel
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            if theme == "locked" {
                return Affected::All;
            }
            codes.extend(
                group
                    .sites
                    .iter()
                    .filter(|s| s.theme == theme)
                    .map(|s| s.code().to_string()),
            );
        } else if let Ok(rel) = path.strip_prefix(&sites_dir) {
            if rel == Path::new(GROUP_FILE) || shared.contains(&path) {
                return Affected::All;
            }
            let is_site_file = rel.components().count() == 1
                && path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
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
                        .filter(|s| {
                            s.def
                                .theme
                                .banner
                                .as_ref()
                                .is_some_and(|b| absolute(&sites_dir.join(b)) == path)
                        })
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

/// Watches `sites/` and `themes/` until ctrl-c; `report` receives one line per event.
pub async fn watch(
    mut project: Project,
    mut opts: BuildOptions,
    report: impl Fn(String),
) -> anyhow::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut debouncer = new_debouncer(Duration::from_millis(300), move |res| {
        let _ = tx.send(res);
    })?;
    debouncer
        .watcher()
        .watch(&project.paths.sites, RecursiveMode::Recursive)?;
    debouncer
        .watcher()
        .watch(&project.paths.themes, RecursiveMode::Recursive)?;
    report(format!(
        "watching {} and {} (ctrl-c to stop)",
        project.paths.sites.display(),
        project.paths.themes.display()
    ));
    loop {
        let events = tokio::select! {
            ev = rx.recv() => match ev { Some(ev) => ev, None => break },
            _ = tokio::signal::ctrl_c() => break,
        };
        let changed: Vec<PathBuf> = match events {
            Ok(evs) => evs.into_iter().map(|e| e.path).collect(),
            Err(e) => {
                report(format!("watch error: {e}"));
                continue;
            }
        };
        // Decide with the group as it was, so removed sites are noticed too.
        let affected = affected(&project, &changed);
        if affected == Affected::Sites(BTreeSet::new()) {
            continue;
        }
        if let Err(e) = project.reload().await {
            report(format!(
                "{e}\nnot published; fix the problems above and save again"
            ));
            continue;
        }
        opts.only = match affected {
            Affected::All => Vec::new(),
            Affected::Sites(codes) => codes
                .into_iter()
                .filter(|c| project.group.site(c).is_some())
                .collect(),
        };
        match project.build(&opts).await {
            Ok(summary) => report(format!(
                "{summary} [{}]",
                if opts.only.is_empty() {
                    "all sites".to_string()
                } else {
                    opts.only.join(", ")
                }
            )),
            Err(e) => report(format!("build failed, previous output stays live: {e}")),
        }
    }
    Ok(())
}
