//! The content check at the editor's desk (`crate::content::check::article`): what the form
//! shows after a save or a submission, what autosave answers, and what the reviewer reads
//! before approving. Links are followed into the published sites, as the audit follows them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::audit::published::{on_disk, LinkScope};
use crate::audit::service_paths;
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
    let group = &state.project.group();
    let rules = check::Rules { settings: &group.def.audit, mail_domain: &group.def.mail_domain, cancelled: &cancelled };
    let out = &state.project.paths.out;
    let hosts: HashMap<String, PathBuf> = group.sites.iter().map(|s| (s.host.clone(), out.join(&s.host))).collect();
    let mut dynamic = service_paths(group);
    dynamic.push("/files/".into());
    let scope = LinkScope { host: &site.host, scheme: &group.def.scheme, hosts: &hosts, dynamic: &dynamic };
    check::article(title, body, &rules, &|link| broken(&scope, &out.join(&site.host), link))
}

/// Whether a link of a draft's body points into the published sites at a page that is not
/// there, resolved as the audit resolves it. Relative links (the draft has no address yet),
/// links elsewhere, to the service's own paths and to files (published with the article) are
/// not this check's.
fn broken(scope: &LinkScope, own_root: &Path, link: &str) -> bool {
    if !(link.starts_with('/') || link.contains("://")) {
        return false;
    }
    match scope.resolve("", link) {
        Some((other, path)) => !on_disk(other.as_deref().unwrap_or(own_root), &path),
        None => false,
    }
}
