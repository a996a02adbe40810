//! Reminders before a message's due day and notices once it has passed, to the responsible
//! site's administrators (通报, and mail when SMTP is set up). Checked every ten minutes; each
//! is sent once per deadline, so an extension that moves the day earns a new reminder.

use chrono::NaiveDate;

use crate::clock::beijing_day;
use crate::project::Project;
use crate::store::notices::{MailTo, NewNotice};
use crate::store::tenant::{Job, Tenant};
use crate::store::{now_unix, StoreError};

/// Checks every ten minutes, on the node holding the lease `reminders`, so that no notice
/// is sent twice.
pub fn spawn(project: Project, node: String) {
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(600);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if !super::my_turn(&project.store, "reminders", &node, every * 3).await {
                continue;
            }
            match send_due(&project, beijing_day(now_unix())).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(notices = n, "message deadline notices sent"),
                Err(e) => tracing::warn!(error = %e, "could not send message deadline notices"),
            }
        }
    });
}

/// Sends what is due on `today`; returns how many notices were written.
pub async fn send_due(project: &Project, today: NaiveDate) -> Result<usize, StoreError> {
    let due =
        project.store.due_message_notices(Tenant::system(Job::Reminders), &project.group().calendar, today).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let rows = project.store.site_rows().await?;
    let group = project.group();
    let mut sent = 0;
    for n in &due {
        let Some(site) = rows.values().find(|r| r.id == n.site_id).and_then(|r| group.site(&r.code)) else {
            continue;
        };
        let link = format!("/admin/messages/{}", n.id);
        let (title, body) = if n.overdue {
            (
                format!("【留言超期】{}有留言已超过答复期限", site.def.name),
                format!(
                    "留言“{}”的答复期限是 {}，至今没有答复。请立即办理；确有困难的，请说明情况申请延期。",
                    n.subject, n.due_date
                ),
            )
        } else {
            (
                format!("【留言提醒】{}有留言即将到期", site.def.name),
                format!("留言“{}”须在 {} 前答复（答复须经审核），请抓紧办理。", n.subject, n.due_date),
            )
        };
        let notice = NewNotice {
            site_id: n.site_id,
            kind: if n.overdue { "message.overdue" } else { "message.remind" }.into(),
            title,
            body,
            mail: project.smtp.as_ref().map(|smtp| MailTo {
                to: site.def.contact.email.clone(),
                link: format!("{}{link}", smtp.admin_url.trim_end_matches('/')),
            }),
            link,
        };
        project.store.mark_message_notice(Tenant::system(Job::Reminders), n, &notice).await?;
        sent += 1;
    }
    Ok(sent)
}
