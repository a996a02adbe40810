//! Roles and what each may do. This table is the whole permission model: the admin router
//! names one `Action` per route and a single middleware checks it against the session's role;
//! the tenant (which site's data) is enforced separately by `store::tenant::Tenant`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// 系统管理员 of the central informatization office: every site.
    Central,
    /// 站点管理员: the users of one site.
    SiteAdmin,
    /// 审核员: approves or rejects the submissions of one site.
    Reviewer,
    /// 信息员: writes and submits the articles of one site.
    Editor,
}

/// What a route does, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// Any signed-in user: dashboard, own password, logout.
    SignedIn,
    /// Read the articles, columns and revisions of the tenant.
    ReadContent,
    /// Create, edit, upload, preview and submit articles.
    Write,
    /// Approve or reject a submission.
    Review,
    /// Take a published article off the sites (撤稿).
    Withdraw,
    /// Create users, change roles, disable, reset passwords.
    ManageUsers,
    /// Read the audit log (central: all of it; site admin: their site's).
    ReadAudit,
    /// The central console: every site's figures and the group's validation status.
    Console,
    /// Visit statistics (central: every site; site admin: their site's).
    ReadStats,
    /// The central audit's findings and notices (central: every site; site admin: their site's).
    ReadInspection,
    /// See the official mailbox registry and apply for a mailbox (site admin: their site's).
    ApplyMailbox,
    /// Issue, change and cancel official mailboxes (the central office).
    ManageMailboxes,
    /// Read the citizen messages of the tenant, personal data included (every role of the
    /// responsible site, and the central office).
    ReadMessages,
    /// Acknowledge, transfer, mark complex, ask for an extension.
    HandleMessage,
    /// Approve or refuse a deadline extension (the central office).
    ApproveExtension,
    /// The site's standard acknowledgement text.
    ManageInteraction,
    /// Add, change and move the site's columns and 专题 (site admin: their site's; central:
    /// every site's).
    ManageColumns,
    /// Undo a site's column change (the central office).
    VetoColumns,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Central, Role::SiteAdmin, Role::Reviewer, Role::Editor];

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "central" => Some(Role::Central),
            "site-admin" => Some(Role::SiteAdmin),
            "reviewer" => Some(Role::Reviewer),
            "editor" => Some(Role::Editor),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Central => "central",
            Role::SiteAdmin => "site-admin",
            Role::Reviewer => "reviewer",
            Role::Editor => "editor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Central => "系统管理员",
            Role::SiteAdmin => "站点管理员",
            Role::Reviewer => "审核员",
            Role::Editor => "信息员",
        }
    }

    /// Separation of duties: whoever writes does not approve, administrators of people do not
    /// publish, and only the central office sees across sites.
    pub fn can(self, action: Action) -> bool {
        use Action::*;
        match action {
            SignedIn | ReadContent | ReadMessages => true,
            HandleMessage => matches!(self, Role::Editor | Role::SiteAdmin | Role::Central),
            ManageInteraction => self == Role::SiteAdmin,
            Write => self == Role::Editor,
            Review => self == Role::Reviewer,
            Withdraw => matches!(self, Role::Reviewer | Role::SiteAdmin | Role::Central),
            ManageUsers | ReadAudit | ReadStats | ReadInspection | ApplyMailbox | ManageColumns => {
                matches!(self, Role::SiteAdmin | Role::Central)
            }
            Console | ManageMailboxes | ApproveExtension | VetoColumns => self == Role::Central,
        }
    }

    /// Roles this role may hand out: a site admin can never create a central admin.
    pub fn may_grant(self, role: Role) -> bool {
        match self {
            Role::Central => true,
            Role::SiteAdmin => role != Role::Central,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn duties_are_separate() {
        assert!(Role::Editor.can(Action::Write) && !Role::Editor.can(Action::Review));
        assert!(Role::Reviewer.can(Action::Review) && !Role::Reviewer.can(Action::Write));
        assert!(!Role::SiteAdmin.can(Action::Review) && !Role::SiteAdmin.can(Action::Console));
        assert!(!Role::SiteAdmin.may_grant(Role::Central) && Role::Central.may_grant(Role::Central));
        assert!(!Role::Editor.may_grant(Role::Editor));
    }
}
