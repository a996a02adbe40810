//! A project on disk: where the site group, themes, database and publish folder are, and the
//! one way every command opens them (validate the group first, then the database).

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

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
    /// Shared by every clone (the service's handlers and tasks), so that a change of the
    /// group made while the service runs (a column edited in the admin) reaches all of them.
    group: Arc<RwLock<Arc<Group>>>,
    pub themes: Arc<Themes>,
    pub store: Store,
    /// Mail for the audit's notices; None when SMTP is not configured (notices stay in-app).
    pub smtp: Option<Arc<crate::mail::SmtpSettings>>,
    /// The publish folder is this node's own, not shared with the other nodes
    /// (`serve --own-folder`): the service keeps it in step with their publishes
    /// (`publish::follow`).
    pub own_folder: bool,
}

fn shared(group: Group) -> Arc<RwLock<Arc<Group>>> {
    Arc::new(RwLock::new(Arc::new(group)))
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
        Ok(Project { paths, group: shared(group), themes: Arc::new(themes), store, smtp: None, own_folder: false })
    }

    /// The group as it is now. The snapshot stays whole while it is used: a build started
    /// before a column change finishes with the columns it started with.
    pub fn group(&self) -> Arc<Group> {
        self.group.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts a changed group in place for this project and every clone of it.
    pub fn replace_group(&self, group: Group) {
        *self.group.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(group);
    }

    /// This project with another group, which its other clones do not see (a test's variant).
    pub fn with_group(&self, group: Group) -> Project {
        Project { group: shared(group), ..self.clone() }
    }

    /// Re-reads the group and themes from disk (after an edit), keeping the database.
    pub async fn reload(&mut self) -> Result<(), ProjectError> {
        let (group, themes) = load_group(&self.paths)?;
        self.store.sync_group(&group).await?;
        self.replace_group(group);
        self.themes = Arc::new(themes);
        Ok(())
    }
}
