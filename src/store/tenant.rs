//! Tenant isolation in one place. Every store method that reads or writes one site's private
//! rows (drafts, messages, notices, traffic, accounts…) takes a `Tenant`, and a `Tenant` comes
//! from only two places:
//!
//! - `Tenant::of(&session)`: the signed-in person's. A site user's tenant is their site, a
//!   central administrator's is every site. A `SessionRecord` is made only by this module's
//!   sibling `users` (from a live session cookie), so a handler cannot forge one.
//! - `Tenant::system(job)` / `Tenant::system_site(job, site)`: work nobody signed in for
//!   (publishing, reminders, the audit, seeding the demo, benchmarks, the command line),
//!   each named by its `Job`, so every such use can be found and read.
//!
//! Queries filter with `Tenant::filter` (`($n = 0 OR <site column> = $n)`) and bind
//! `Tenant::param`, both private to `store`: a foreign id simply finds nothing and the handler
//! answers 404. Reads of what is published (the live pages, the published answers) are public
//! and take a site id.

use super::users::SessionRecord;
use crate::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant {
    site: Option<i64>,
}

/// What acts when no person does; the name says why the whole group (or a site) is in reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// The publisher and the checks after publishing.
    Publisher,
    /// The central audit and its reports.
    Audit,
    /// Message deadline reminders and overdue notices.
    Reminders,
    /// The command line run by an operator on the server.
    CommandLine,
    /// Filling the demo group with its sample content.
    DemoSeed,
    /// `zhanqun bench`.
    Bench,
    /// The content check before publishing, which reads the group-wide registry of cancelled
    /// mailboxes whatever site the article is on.
    ContentCheck,
    /// A citizen's submission through a site's public form.
    PublicForm,
    /// The project's own tests, checking what was stored (never named in `src/`; a test in
    /// `tests/it/layering.rs` holds that).
    Test,
}

impl Tenant {
    /// The tenant of a signed-in person. A non-central user without a site (which the schema
    /// forbids) gets a tenant that matches nothing rather than everything.
    pub fn of(session: &SessionRecord) -> Tenant {
        match (session.user.role, session.user.site_id) {
            (Role::Central, _) => Tenant { site: None },
            (_, Some(id)) => Tenant { site: Some(id) },
            (_, None) => Tenant { site: Some(-1) },
        }
    }

    /// Every site, for `job`.
    pub fn system(_job: Job) -> Tenant {
        Tenant { site: None }
    }

    /// One site, for `job`.
    pub fn system_site(_job: Job, site_id: i64) -> Tenant {
        Tenant { site: Some(site_id) }
    }

    /// The site id, or None for every site.
    pub fn site_id(&self) -> Option<i64> {
        self.site
    }

    pub fn covers(&self, site_id: i64) -> bool {
        self.site.is_none_or(|s| s == site_id)
    }

    /// This tenant narrowed to one of its sites (a central administrator looking at one
    /// site); None when the site is not in reach.
    pub fn narrow(&self, site_id: i64) -> Option<Tenant> {
        self.covers(site_id).then_some(Tenant { site: Some(site_id) })
    }

    /// The value to bind for `filter`: the site id, or 0 for every site (ids start at 1).
    pub(super) fn param(&self) -> i64 {
        self.site.unwrap_or(0)
    }

    /// The condition that keeps the rows of this tenant, with `column` holding the site id and
    /// `$n` bound to `param()`.
    pub(super) fn filter(column: &str, n: usize) -> String {
        format!("(${n} = 0 OR {column} = ${n})")
    }

    /// NotFound unless `site_id` is this tenant's (another tenant's site looks like no site).
    pub(super) fn reach(&self, site_id: i64) -> super::Result<()> {
        if self.covers(site_id) {
            Ok(())
        } else {
            Err(super::StoreError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_tenant_reaches_its_site_only() {
        let t = Tenant::system_site(Job::Test, 7);
        assert!(t.covers(7) && !t.covers(8));
        assert_eq!((t.param(), t.site_id()), (7, Some(7)));
        assert!(t.reach(8).is_err() && t.reach(7).is_ok());
        let all = Tenant::system(Job::Test);
        assert!(all.covers(7) && all.covers(8));
        assert_eq!(all.param(), 0);
        assert_eq!(Tenant::filter("a.site_id", 2), "($2 = 0 OR a.site_id = $2)");
    }
}
