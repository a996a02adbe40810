//! A project on disk: where the site group, themes, database and publish folder are, and the
//! one way every command opens them (validate the group first, then the database).

use std::path::PathBuf;
use std::sync::Arc;

use crate::group::{Group, Problems};
use crate::store::{Store, StoreError};
use crate::theme::{ThemeError, Themes};

pub const DEFAULT_DATABASE: &str = "data/zhanqun.db";
pub const DEFAULT_SEARCH_INDEX: &str = "data/search";

#[derive(Debug, Clone)]
pub struct Paths {
    pub sites: PathBuf,
    pub themes: PathBuf,
    pub database: String,
    pub out: PathBuf,
    /// Folder of the search index (one subfolder per schema version).
    pub search: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            sites: "sites".into(),
            themes: "themes".into(),
            database: DEFAULT_DATABASE.into(),
            out: "publish".into(),
            search: DEFAULT_SEARCH_INDEX.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}")]
    Group(Problems),
    #[error(transparent)]
    Theme(#[from] ThemeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An opened project: a valid group, its themes, and the synced database.
#[derive(Clone)]
pub struct Project {
    pub paths: Paths,
    pub group: Arc<Group>,
    pub themes: Arc<Themes>,
    pub store: Store,
    /// Mail for the audit's notices; None when SMTP is not configured (notices stay in-app).
    pub smtp: Option<Arc<crate::mail::SmtpSettings>>,
}

/// Loads and validates the group and the themes it names.
pub fn load_group(paths: &Paths) -> Result<(Group, Themes), ProjectError> {
    let group = Group::load(&paths.sites, Some(&paths.themes)).map_err(ProjectError::Group)?;
    let themes = Themes::load(&paths.themes, group.sites.iter().map(|s| s.theme.as_str()))?;
    Ok((group, themes))
}

impl Project {
    pub async fn open(paths: Paths) -> Result<Project, ProjectError> {
        let (group, themes) = load_group(&paths)?;
        let store = Store::open(&paths.database).await?;
        store.sync_group(&group).await?;
        Ok(Project { paths, group: Arc::new(group), themes: Arc::new(themes), store, smtp: None })
    }

    /// Re-reads the group and themes from disk (after an edit), keeping the database.
    pub async fn reload(&mut self) -> Result<(), ProjectError> {
        let (group, themes) = load_group(&self.paths)?;
        self.store.sync_group(&group).await?;
        self.group = Arc::new(group);
        self.themes = Arc::new(themes);
        Ok(())
    }
}
