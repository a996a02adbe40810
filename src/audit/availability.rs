//! 站点无法访问: `serve` asks every site's home page through the public web server (nginx) at
//! spread times, at least 20 times a day, with a 15 s timeout, over IPv4 and, where
//! configured, IPv6; each answer is stored. A site fails a probe when no answer comes in time
//! or the answer is not a success (2xx, or a redirect). The audit vetoes a site whose probes
//! of the last 7 days failed 5 % of the time or more, as the national rules count it.

use std::time::Duration;

use serde::Serialize;

use super::finding::Finding;
use crate::group::model::Availability;
use crate::group::Group;
use crate::project::Project;
use crate::store::tenant::{Job, Tenant};

/// The window the veto counts over.
pub const WINDOW_DAYS: i64 = 7;
/// The share of failed probes (in per mille) from which a site is vetoed: 5 %.
pub const VETO_PER_MILLE: i64 = 50;

/// One probe's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub ok: bool,
    /// The HTTP status, or what went wrong, in words.
    pub detail: String,
}

/// Asks `base` for `host`'s home page.
pub async fn probe(client: &reqwest::Client, base: &str, host: &str) -> Probe {
    let url = format!("{}/", base.trim_end_matches('/'));
    match client.get(&url).header(reqwest::header::HOST, host).send().await {
        Ok(r) if r.status().is_success() || r.status().is_redirection() => {
            Probe { ok: true, detail: r.status().as_u16().to_string() }
        }
        Ok(r) => Probe { ok: false, detail: format!("HTTP {}", r.status().as_u16()) },
        Err(e) if e.is_timeout() => Probe { ok: false, detail: "超时未响应".into() },
        Err(e) if e.is_connect() => Probe { ok: false, detail: "无法连接".into() },
        Err(_) => Probe { ok: false, detail: "请求失败".into() },
    }
}

/// The client of the probes: no redirects followed (a redirect is an answer), no proxy.
pub fn client(settings: &Availability) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_seconds))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent("zhanqun-availability")
        .build()
}

/// The bases to probe through, with the address family they stand for.
pub fn bases(settings: &Availability) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    if let Some(b) = &settings.base {
        out.push(("ipv4", b.as_str()));
    }
    if let Some(b) = &settings.base_v6 {
        out.push(("ipv6", b.as_str()));
    }
    out
}

/// One round: every site of the group probed once through every base, the answers stored.
/// The probes of a round are spread over `spread` so that the sites are not all asked at the
/// same second. Returns the failures.
pub async fn round(
    project: &Project,
    client: &reqwest::Client,
    settings: &Availability,
    spread: Duration,
) -> anyhow::Result<usize> {
    let group: &Group = &project.group();
    let rows = project.store.site_rows().await?;
    let step = spread.checked_div(group.sites.len().max(1) as u32).unwrap_or_default();
    let mut failures = 0;
    for site in &group.sites {
        let Some(row) = rows.get(site.code()) else { continue };
        for (family, base) in bases(settings) {
            let p = probe(client, base, &site.host).await;
            failures += usize::from(!p.ok);
            let at = crate::store::now_unix();
            project.store.add_probe(Tenant::system(Job::Audit), row.id, at, family, p.ok, &p.detail).await?;
        }
        tokio::time::sleep(step).await;
    }
    Ok(failures)
}

/// The failures and probes of a site over the window ending at `now`, as the veto counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub probes: i64,
    pub failures: i64,
}

impl Tally {
    /// 5 % or more failed: the exact comparison, not the rounded share.
    pub fn vetoes(&self) -> bool {
        self.probes > 0 && self.failures * 1000 >= VETO_PER_MILLE * self.probes
    }
}

/// The veto of a site whose tally reached the threshold.
pub fn check(site: &str, tally: Tally, url: String) -> Option<Finding> {
    if !tally.vetoes() {
        return None;
    }
    let share = tally.failures as f64 * 100.0 / tally.probes as f64;
    Some(
        Finding::new(
            "ops.unreachable",
            site,
            format!("最近 {WINDOW_DAYS} 天首页探测 {} 次，失败 {} 次（{share:.1}%）", tally.probes, tally.failures),
            "失败不得达到 5%",
        )
        .url(url),
    )
}

/// One day of a site's probes, for the inspection page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    pub day: String,
    pub probes: i64,
    pub failures: i64,
    /// The last failure's detail that day.
    pub last_failure: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_veto_starts_at_five_percent() {
        let t = |probes, failures| Tally { probes, failures };
        assert!(!t(0, 0).vetoes(), "no probes, no verdict");
        assert!(!t(168, 8).vetoes(), "4.76 %");
        assert!(t(160, 8).vetoes(), "exactly 5 %");
        assert!(t(168, 9).vetoes(), "5.36 %");
        assert!(!t(1000, 49).vetoes() && t(1000, 50).vetoes());
        let f = check("fgw", t(160, 8), "https://fgw.example.cn/".into()).unwrap();
        assert_eq!(f.rule, "ops.unreachable");
        assert!(f.found.contains("探测 160 次，失败 8 次（5.0%）"), "{}", f.found);
        assert!(check("fgw", t(161, 8), String::new()).is_none());
    }
}
