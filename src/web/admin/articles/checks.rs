//! The content check at the editor's desk (`crate::content::check::article`): what the form
//! shows after a save or a submission, what autosave answers, and what the reviewer reads
//! before approving. Links are followed into the published sites, as the audit follows them.

use std::collections::HashSet;

use crate::audit::published::{normalize, percent_decode};
use crate::content::check::{self, Placed};
use crate::group::Site;
use crate::store::tenant::{Job, Tenant};
use crate::web::AppState;

/// The findings of a draft's title and body on `site`.
pub(super) async fn of_draft(state: &AppState, site: &Site, title: &str, body: &str) -> Vec<Placed> {
    if title.is_empty() && body.is_empty() {
        return Vec::new();
    }
    // The registry is read for each check: a mailbox cancelled a minute ago counts.
    let cancelled: HashSet<String> =
        match state.project.store.cancelled_mailboxes(Tenant::system(Job::ContentCheck)).await {
            Ok(c) => c.into_keys().collect(),
            Err(e) => {
                tracing::warn!(error = %e, "the content check runs without the mailbox registry");
                HashSet::new()
            }
        };
    let group = &state.project.group;
    let rules = check::Rules { settings: &group.def.audit, mail_domain: &group.def.mail_domain, cancelled: &cancelled };
    check::article(title, body, &rules, &|link| broken(state, site, link))
}

/// Whether a link of a draft's body points into the published sites at a page that is not
/// there. Links elsewhere, to the service's own paths and to the draft's files (published
/// with the article) are not this check's.
fn broken(state: &AppState, site: &Site, link: &str) -> bool {
    let group = &state.project.group;
    let link = link.split(['#', '?']).next().unwrap_or_default();
    let (host, path) = if let Some(rest) = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://")) {
        let (host, path) = rest.split_once('/').map_or((rest, String::new()), |(h, p)| (h, format!("/{p}")));
        let host = host.to_ascii_lowercase();
        match group.sites.iter().find(|s| s.host == host) {
            Some(s) => (s.host.clone(), path),
            None => return false,
        }
    } else if link.starts_with('/') && !link.starts_with("//") {
        (site.host.clone(), link.to_string())
    } else {
        return false;
    };
    let dynamic = [&group.def.search.path, &group.def.counter.path, "/api/", "/admin/", "/files/"];
    if dynamic.iter().any(|d| path == *d || (d.ends_with('/') && path.starts_with(*d))) {
        return false;
    }
    let Some(rel) = normalize(&percent_decode(&path)) else { return true };
    let root = state.project.paths.out.join(&host);
    let rel = rel.trim_end_matches('/');
    let file = root.join(rel);
    !(file.is_file() || file.join("index.html").is_file())
}
