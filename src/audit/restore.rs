//! Restoring a tampered site (篡改): the site is published again from the database, as a new
//! release swapped in atomically, so nginx serves exactly what was approved; the files that
//! differed are counted in the audit log, and the site's output is checked again at once.

use crate::project::Project;
use crate::publish::manifest::{self, Depth, Difference};
use crate::store::audit::Entry;

/// What a restore found and did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// What differed from the published release before the restore (empty when the release
    /// had no manifest).
    pub before: Difference,
    pub pages: usize,
}

impl Restored {
    /// The difference in words, for the audit log and the page that asked.
    pub fn summary(&self) -> String {
        let d = &self.before;
        format!(
            "改动 {} 个、多出 {} 个、缺失 {} 个文件，已重新发布 {} 个页面",
            d.altered.len(),
            d.added.len(),
            d.removed.len(),
            self.pages
        )
    }
}

/// Publishes the site `code` again and logs it as `actor` (from `ip`, for the admin).
pub async fn restore(project: &Project, code: &str, actor: &str, ip: Option<&str>) -> anyhow::Result<Restored> {
    let group = project.group();
    let site = group.site(code).ok_or_else(|| anyhow::anyhow!("no site `{code}` in the group"))?;
    let out = project.paths.out.clone();
    let host = site.host.clone();
    let before = tokio::task::spawn_blocking(move || -> anyhow::Result<Difference> {
        Ok(manifest::check_live(&out, &host, Depth::Hash)?.unwrap_or_default())
    })
    .await??;
    let summary = project.build(&project.build_options(vec![code.to_string()], false, None)).await?;
    let restored = Restored { before, pages: summary.pages };
    let site_id = project.store.site_rows().await?.get(code).map(|r| r.id);
    let target = format!("site {code}");
    let detail = restored.summary();
    let entry = Entry { actor, ip, site_id, action: "audit.restore", target: &target, detail: &detail };
    project.store.record(&entry).await?;
    if let Some(id) = site_id {
        super::after_publish::check(project, &[id]).await?;
    }
    Ok(restored)
}
