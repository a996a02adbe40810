//! Notices (通报) of new vetoes to the sites concerned: one notice per site in the admin, seen
//! by its administrators and the central office, and the same text mailed to the site's
//! official contact mailbox when SMTP is configured ("自动通报提醒").

use std::collections::BTreeMap;

use super::rules;
use crate::project::Project;
use crate::store::notices::{MailTo, NewNotice};
use crate::store::tenant::{Job, Tenant};
use crate::store::StoreError;

/// A veto to announce: (site code, rule id, column slug).
pub type NewVeto = (String, &'static str, Option<String>);

/// Writes one notice per site of `vetoes` (and queues its mail); `found_by` says which check
/// found them, e.g. "2026-11-22 的站群检查". Returns the number of notices.
pub async fn new_vetoes(
    project: &Project,
    vetoes: &[NewVeto],
    kind: &str,
    found_by: &str,
) -> Result<usize, StoreError> {
    let mut by_site: BTreeMap<&str, Vec<&NewVeto>> = BTreeMap::new();
    for v in vetoes {
        by_site.entry(v.0.as_str()).or_default().push(v);
    }
    let ids = project.store.site_rows().await?;
    let group = project.group();
    let mut notices = Vec::new();
    for (code, list) in by_site {
        let (Some(site), Some(row)) = (group.site(code), ids.get(code)) else { continue };
        let mut body = format!("{found_by}发现{}有以下否决项，请立即整改并在整改后重新发布：\n", site.def.name);
        for (i, (_, rule, column)) in list.iter().enumerate() {
            let column = column.as_deref().and_then(|slug| site.def.columns.iter().find(|c| c.slug == slug));
            let r = rules::rule(rule);
            body.push_str(&format!(
                "{}. {}{}——{}\n",
                i + 1,
                r.title,
                column.map(|c| format!("（栏目：{}）", c.name)).unwrap_or_default(),
                r.fix
            ));
        }
        body.push_str("否决项会使网站在检查中直接判为不合格。详细证据见监督检查页面。");
        let link = format!("/admin/inspection/{code}");
        notices.push(NewNotice {
            site_id: row.id,
            kind: kind.to_string(),
            title: format!("【监督检查通报】{}新增 {} 项否决", site.def.name, list.len()),
            body,
            mail: project.smtp.as_ref().map(|smtp| MailTo {
                to: site.def.contact.email.clone(),
                link: format!("{}{link}", smtp.admin_url.trim_end_matches('/')),
            }),
            link,
        });
    }
    project.store.add_notices(Tenant::system(Job::Audit), &notices).await?;
    Ok(notices.len())
}
