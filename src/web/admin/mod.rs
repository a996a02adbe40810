//! The admin (`/admin`): where editors write, reviewers approve and the central office
//! oversees the group. Server-rendered pages in Chinese with a little vendored JavaScript.
//!
//! - `routes`: every route and the permission it needs (the one table).
//! - `session`: the gate — session cookie, CSRF, forced password change, permission.
//! - `login`, `articles`, `review`, `users`, `console`, `stats`, `inspection`: the pages; `csv` the downloads.

pub mod articles;
pub mod columns;
pub mod console;
pub mod csv;
pub mod error;
pub mod inspection;
pub mod login;
pub mod mailboxes;
pub mod message_oversight;
pub mod messages;
pub mod notices;
pub mod reports;
pub mod review;
pub mod routes;
pub mod session;
pub mod solicitations;
pub mod static_files;
pub mod stats;
pub mod submissions;
pub mod users;
pub mod views;

use std::collections::HashMap;

use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// What the admin knows of each site, from the group (fixed while the service runs).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteInfo {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub host: String,
    pub review_levels: u8,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct AdminConfig {
    pub idle_seconds: i64,
    pub sites: HashMap<i64, SiteInfo>,
    /// Sites in group order, for pickers.
    pub site_order: Vec<i64>,
}

impl AdminConfig {
    pub async fn load(project: &crate::project::Project, idle_seconds: i64) -> Result<AdminConfig, StoreError> {
        let rows = project.store.site_rows().await?;
        let mut sites = HashMap::new();
        let mut site_order = Vec::new();
        for site in &project.group().sites {
            if let Some(row) = rows.get(site.code()) {
                site_order.push(row.id);
                sites.insert(
                    row.id,
                    SiteInfo {
                        id: row.id,
                        code: site.code().to_string(),
                        name: site.def.name.clone(),
                        host: site.host.clone(),
                        review_levels: site.def.review_levels,
                        kind: format!("{:?}", site.def.kind),
                    },
                );
            }
        }
        Ok(AdminConfig { idle_seconds, sites, site_order })
    }

    pub fn site(&self, id: Option<i64>) -> Option<&SiteInfo> {
        id.and_then(|id| self.sites.get(&id))
    }

    /// The site pickers of a central admin: every site in group order; none for site users.
    pub fn pickers(&self, scope: crate::store::tenant::Tenant) -> Vec<&SiteInfo> {
        if scope.site_id().is_some() {
            return Vec::new();
        }
        self.site_order.iter().filter_map(|id| self.sites.get(id)).collect()
    }

    pub fn site_by_code(&self, code: &str) -> Option<&SiteInfo> {
        self.sites.values().find(|s| s.code == code)
    }
}

/// A decision posted by a review or approval form: the button's value and a comment.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub comment: String,
}

impl DecisionForm {
    /// Longest comment kept.
    pub const COMMENT_MAX: usize = 200;

    /// (approved, comment) for buttons valued `yes` and `no`, named `labels` in the messages;
    /// saying no needs a comment.
    pub fn read(&self, yes: &str, no: &str, labels: (&str, &str)) -> Result<(bool, String), StoreError> {
        let approve = match self.decision.as_str() {
            d if d == yes => true,
            d if d == no => false,
            _ => return Err(StoreError::Conflict(format!("请选择{}或{}", labels.0, labels.1))),
        };
        let comment: String =
            crate::interaction::submission::line(&self.comment).chars().take(Self::COMMENT_MAX).collect();
        if !approve && comment.is_empty() {
            return Err(StoreError::Conflict(format!("{}时请填写意见", labels.1)));
        }
        Ok((approve, comment))
    }
}

/// A store error as the admin answers it (see `error::AdminError`), for the handlers that do
/// not return `Result` yet.
pub fn store_error(_headers: &axum::http::HeaderMap, e: StoreError) -> Response {
    error::AdminError::from(e).into_response()
}

/// `303 See Other` to `to`: the answer to a successful form post.
pub fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
