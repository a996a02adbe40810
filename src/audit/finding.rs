//! What an audit finds: a rule broken on a site, with the evidence an administrator needs to
//! see it for themselves and the fix.

use serde::Serialize;

pub use crate::group::inspection::Severity;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id, e.g. `fresh.home` (see `rules::RULES`).
    pub rule: &'static str,
    pub severity: Severity,
    /// Site code.
    pub site: String,
    /// Column slug, when the finding is about one column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Public URL of the page concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What was found, in words (e.g. 最近更新 2026-10-01，已 51 天).
    pub found: String,
    /// The limit it was held against (e.g. 14 天).
    pub threshold: String,
}

impl Finding {
    pub fn new(rule: &'static str, site: &str, found: impl Into<String>, threshold: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: super::rules::rule(rule).severity,
            site: site.to_string(),
            column: None,
            url: None,
            found: found.into(),
            threshold: threshold.into(),
        }
    }

    pub fn column(mut self, slug: &str) -> Finding {
        self.column = Some(slug.to_string());
        self
    }

    pub fn url(mut self, url: String) -> Finding {
        self.url = Some(url);
        self
    }
}
