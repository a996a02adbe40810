//! Tenant isolation in one place. Every query of tenant data in the admin goes through a
//! `Scope` made from the session's user: a site user's scope is their site, a central admin's is
//! every site. Queries bind `Scope::param` and filter with `($n = 0 OR <site column> = $n)`,
//! so a foreign id simply finds nothing and the handler answers 404.

use super::users::User;
use crate::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    site: Option<i64>,
}

impl Scope {
    /// The scope of a signed-in user. A non-central user without a site (which the schema
    /// forbids) gets a scope that matches nothing rather than everything.
    pub fn of(user: &User) -> Scope {
        match (user.role, user.site_id) {
            (Role::Central, _) => Scope { site: None },
            (_, Some(id)) => Scope { site: Some(id) },
            (_, None) => Scope { site: Some(-1) },
        }
    }

    pub fn site(site_id: i64) -> Scope {
        Scope { site: Some(site_id) }
    }

    pub fn all() -> Scope {
        Scope { site: None }
    }

    /// The value to bind: the site id, or 0 for "every site" (ids start at 1).
    pub fn param(&self) -> i64 {
        self.site.unwrap_or(0)
    }

    pub fn site_id(&self) -> Option<i64> {
        self.site
    }

    pub fn covers(&self, site_id: i64) -> bool {
        self.site.is_none_or(|s| s == site_id)
    }
}
